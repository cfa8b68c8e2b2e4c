/* Vertex ring tests (gl/ring.h) on a headless GL context: producer threads
 * fill slots with a pattern that names the producer, the sequence number and
 * every byte's position; the consumer on the GL thread reads each filled slot
 * through GL (glGetNamedBufferSubData of the mapped buffer) and also has the
 * GPU copy it away (glCopyNamedBufferSubData) before fencing it, so a slot
 * handed back to the producers while GL could still read it shows up as a
 * torn copy. Every submission must arrive exactly once, intact, with its byte
 * count. Also: ring_close wakes producers blocked in ring_acquire, producers
 * that submit nothing end ring_next_filled, and the stats count what happened.
 * Exits 77 when no GL 4.5 context can be made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gl/glctx.h"
#include "gl/ring.h"
#include "testutil.h"

static glctx *gl;

#define HDR 16u /* bytes of the header at the start of each submission */

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static uint8_t pattern(uint32_t producer, uint32_t seq, size_t i)
{
    uint32_t v = producer * 73u + seq * 151u + (uint32_t)i * 31u + (uint32_t)(i >> 7);
    return (uint8_t)(v ^ 0x5au);
}

/* The bytes of submission seq of producer p: between the header and the whole slot. */
static size_t used_of(uint32_t p, uint32_t seq, size_t slot_bytes)
{
    return HDR + (size_t)((p * 7919u + seq * 104729u) % (uint32_t)(slot_bytes - HDR + 1));
}

static void fill(uint8_t *mem, uint32_t p, uint32_t seq, size_t used)
{
    uint32_t h[4] = {0xC0DE0000u | p, seq, (uint32_t)used, ~seq};
    memcpy(mem, h, sizeof h);
    for (size_t i = HDR; i < used; i++)
        mem[i] = pattern(p, seq, i);
}

/* Whether b (n bytes, as the ring reported) is an intact submission; its
 * producer and sequence number. */
static bool intact(const uint8_t *b, size_t n, uint32_t *p, uint32_t *seq)
{
    uint32_t h[4];
    if (n < HDR)
        return false;
    memcpy(h, b, sizeof h);
    if ((h[0] & 0xFFFF0000u) != 0xC0DE0000u || h[3] != ~h[1] || h[2] != n)
        return false;
    *p = h[0] & 0xFFFFu;
    *seq = h[1];
    for (size_t i = HDR; i < n; i++)
        if (b[i] != pattern(*p, *seq, i))
            return false;
    return true;
}

/* ---- producers ---------------------------------------------------------------- */

typedef struct producer {
    pthread_t th;
    ring *r;
    uint32_t id;
    int m;              /* submissions to make; < 0: until ring_acquire gives -1 */
    int nslots;
    size_t slot_bytes;
    atomic_int *submitted; /* shared count, may be NULL */
    long sleep_us;      /* before ring_producer_done */
    /* results */
    int done;           /* submissions made */
    bool got_closed;    /* ring_acquire returned -1 */
    int bad;            /* a slot index out of range, or a pointer off its slot */
} producer;

static void *producer_run(void *arg)
{
    producer *pr = arg;
    uint8_t *base = NULL; /* the mapping's start, as the slots' pointers say */
    for (int k = 0; pr->m < 0 || k < pr->m; k++) {
        void *mem = NULL;
        int s = ring_acquire(pr->r, &mem);
        if (s < 0) {
            pr->got_closed = true;
            break;
        }
        if (s >= pr->nslots || !mem) {
            pr->bad++;
            break;
        }
        uint8_t *b = (uint8_t *)mem - ring_slot_offset(pr->r, s);
        if (base && b != base)
            pr->bad++;
        base = b;
        size_t used = used_of(pr->id, (uint32_t)k, pr->slot_bytes);
        fill(mem, pr->id, (uint32_t)k, used);
        ring_submit(pr->r, s, used);
        pr->done++;
        if (pr->submitted)
            atomic_fetch_add(pr->submitted, 1);
    }
    if (pr->sleep_us)
        sleep_us(pr->sleep_us);
    ring_producer_done(pr->r);
    return NULL;
}

static void start_producers(producer *pr, int n, ring *r, int nslots, int m, atomic_int *count)
{
    ring_set_producers(r, n);
    for (int i = 0; i < n; i++) {
        pr[i] = (producer){.r = r, .id = (uint32_t)i, .m = m, .nslots = nslots,
                           .slot_bytes = ring_slot_bytes(r), .submitted = count};
        assert_int_equal(pthread_create(&pr[i].th, NULL, producer_run, &pr[i]), 0);
    }
}

/* Joins with a deadline, so that a producer that never wakes fails the test
 * instead of hanging it. */
static void join_all(producer *pr, int n, int seconds)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += seconds;
    for (int i = 0; i < n; i++) {
        int rc = pthread_timedjoin_np(pr[i].th, NULL, &dl);
        if (rc)
            fail_msg("producer %d did not return within %d s (blocked in ring_acquire?)", i,
                     seconds);
        assert_int_equal(pr[i].bad, 0);
    }
}

/* ---- the consumer (GL thread) ---------------------------------------------------- */

typedef struct consumed {
    int n;
    uint8_t *seen; /* [producer * m + seq] */
} consumed;

/* Takes filled slots until ring_next_filled says -1: checks each one now
 * through GL, has the GPU copy it to record k of dst, fences it. At most max
 * slots (more is a failure: something arrived twice). */
static int consume(ring *r, int nprod, int m, int max, long sleep_each_us, consumed *c)
{
    size_t sb = ring_slot_bytes(r);
    GLuint dst = 0;
    glCreateBuffers(1, &dst);
    glNamedBufferStorage(dst, (GLsizeiptr)(sb * (size_t)(max ? max : 1)), NULL, 0);
    size_t *used = calloc((size_t)max + 1, sizeof *used);
    uint8_t *b = malloc(sb);
    c->seen = calloc((size_t)(nprod * m) + 1, 1);
    c->n = 0;
    assert_true(used && b && c->seen);
    for (;;) {
        if (sleep_each_us)
            sleep_us(sleep_each_us);
        size_t n = 0;
        int s = ring_next_filled(r, &n);
        if (s < 0)
            break;
        if (c->n == max)
            fail_msg("more than %d filled slots", max);
        assert_true(n <= sb);
        glGetNamedBufferSubData(ring_buffer(r), (GLintptr)ring_slot_offset(r, s), (GLsizeiptr)n, b);
        uint32_t p = 0, seq = 0;
        if (!intact(b, n, &p, &seq))
            fail_msg("submission %d (slot %d, %zu bytes) is not intact", c->n, s, n);
        if (p >= (uint32_t)nprod || seq >= (uint32_t)m)
            fail_msg("submission %d names producer %u, sequence %u", c->n, p, seq);
        if (n != used_of(p, seq, sb))
            fail_msg("producer %u seq %u: %zu bytes, submitted %zu", p, seq, n,
                     used_of(p, seq, sb));
        if (c->seen[p * (uint32_t)m + seq]++)
            fail_msg("producer %u seq %u arrived twice", p, seq);
        glCopyNamedBufferSubData(ring_buffer(r), dst, (GLintptr)ring_slot_offset(r, s),
                                 (GLintptr)(sb * (size_t)c->n), (GLsizeiptr)n);
        used[c->n++] = n;
        ring_retire(r, s);
    }
    /* what the GPU read, before the fence let the slot go back */
    for (int k = 0; k < c->n; k++) {
        uint32_t p = 0, seq = 0;
        glGetNamedBufferSubData(dst, (GLintptr)(sb * (size_t)k), (GLsizeiptr)used[k], b);
        if (!intact(b, used[k], &p, &seq))
            fail_msg("the GPU's copy of submission %d is not intact", k);
    }
    assert_int_equal(glGetError(), GL_NO_ERROR);
    glDeleteBuffers(1, &dst);
    free(used);
    free(b);
    return c->n;
}

static void check_all_seen(const consumed *c, int nprod, int m)
{
    for (int i = 0; i < nprod * m; i++)
        if (c->seen[i] != 1)
            fail_msg("producer %d seq %d arrived %d times", i / m, i % m, c->seen[i]);
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_slot_layout(void **state)
{
    (void)state;
    ring *r;
    vp_err err;
    assert_true(ring_create(3, 1000, &r, &err));
    GLint align = 0;
    glGetIntegerv(GL_SHADER_STORAGE_BUFFER_OFFSET_ALIGNMENT, &align);
    size_t sb = ring_slot_bytes(r);
    assert_true(sb >= 1000 && sb % 16 == 0 && (align <= 0 || sb % (size_t)align == 0));
    for (int s = 0; s < 3; s++)
        assert_int_equal(ring_slot_offset(r, s), (size_t)s * sb);
    GLint64 size = 0;
    glGetNamedBufferParameteri64v(ring_buffer(r), GL_BUFFER_SIZE, &size);
    assert_int_equal(size, (GLint64)(3 * sb));
    ring_destroy(r);
    ring_destroy(NULL);
}

/* n producers x m submissions of slots of slot_bytes through `slots` slots,
 * the consumer sleeping sleep_us a slot: every one arrives exactly once,
 * intact, and is counted as drawn. The ring's stats come back in *st. */
static void run_exactly_once(int n, int m, int slots, size_t slot_bytes, int sleep_us, ring_stats *st)
{
    alarm(300);
    ring *r;
    vp_err err;
    assert_true(ring_create(slots, slot_bytes, &r, &err));
    producer pr[8];
    assert_true(n <= 8);
    start_producers(pr, n, r, slots, m, NULL);
    consumed c;
    int got = consume(r, n, m, n * m, sleep_us, &c);
    join_all(pr, n, 30);
    assert_int_equal(got, n * m);
    check_all_seen(&c, n, m);
    ring_get_stats(r, st);
    assert_int_equal(st->slots_drawn, n * m);
    assert_true(st->producer_waits <= (uint64_t)(n * m)); /* at most one per acquire */
    /* done and drained: stays -1 */
    size_t left;
    assert_int_equal(ring_next_filled(r, &left), -1);
    free(c.seen);
    ring_destroy(r);
    alarm(0);
}

/* More producers and submissions than slots: the slots are reused many times over. */
static void test_many_producers_exactly_once(void **state)
{
    (void)state;
    ring_stats st;
    run_exactly_once(4, 300, 3, 4000, 0, &st);
}

/* A consumer slower than the producers: they wait, and the waits are counted. */
static void test_slow_consumer_counts_waits(void **state)
{
    (void)state;
    ring_stats st;
    run_exactly_once(3, 40, 2, 256, 2000, &st);
    if (st.producer_waits == 0)
        fail_msg("the producers outran a consumer sleeping 2 ms a slot, but no wait was counted");
    fprintf(stderr, "producer_waits %llu, fence_waits %llu of %d submissions\n",
            (unsigned long long)st.producer_waits, (unsigned long long)st.fence_waits, 3 * 40);
}

/* One slot, one producer: its second ring_acquire must wait for the consumer
 * (the only slot is filled and not yet taken), exactly one wait. */
static void test_one_slot_wait(void **state)
{
    (void)state;
    alarm(120);
    ring *r;
    vp_err err;
    assert_true(ring_create(1, 64, &r, &err));
    atomic_int count = 0;
    producer pr[1];
    start_producers(pr, 1, r, 1, 2, &count);
    while (atomic_load(&count) < 1)
        sleep_us(1000);
    sleep_us(100000); /* the producer is now in its second ring_acquire */
    consumed c;
    int got = consume(r, 1, 2, 2, 0, &c);
    join_all(pr, 1, 30);
    assert_int_equal(got, 2);
    check_all_seen(&c, 1, 2);
    ring_stats st;
    ring_get_stats(r, &st);
    assert_int_equal(st.slots_drawn, 2);
    assert_int_equal(st.producer_waits, 1);
    free(c.seen);
    ring_destroy(r);
    alarm(0);
}

/* Producers blocked in ring_acquire (all slots filled, nobody consuming) get
 * -1 from ring_close, promptly; later ring_acquire calls get -1 at once, and
 * ring_next_filled ends. */
static void test_close_wakes_producers(void **state)
{
    (void)state;
    enum { N = 3, SLOTS = 2 };
    alarm(120);
    ring *r;
    vp_err err;
    assert_true(ring_create(SLOTS, 128, &r, &err));
    atomic_int count = 0;
    producer pr[N];
    start_producers(pr, N, r, SLOTS, -1, &count);
    while (atomic_load(&count) < SLOTS)
        sleep_us(1000);
    sleep_us(100000); /* all of them blocked now: no slot is free */
    assert_int_equal(atomic_load(&count), SLOTS);
    ring_close(r);
    join_all(pr, N, 10);
    int made = 0;
    for (int i = 0; i < N; i++) {
        assert_true(pr[i].got_closed);
        made += pr[i].done;
    }
    assert_int_equal(made, SLOTS);
    void *mem = NULL;
    assert_int_equal(ring_acquire(r, &mem), -1);
    /* the consumer: whatever is handed out is intact, then -1, no hang */
    size_t n;
    int s, k = 0;
    uint8_t b[128];
    while ((s = ring_next_filled(r, &n)) >= 0) {
        assert_true(++k <= SLOTS && n <= sizeof b);
        glGetNamedBufferSubData(ring_buffer(r), (GLintptr)ring_slot_offset(r, s), (GLsizeiptr)n, b);
        uint32_t p = 0, seq = 0;
        assert_true(intact(b, n, &p, &seq));
        ring_retire(r, s);
    }
    ring_destroy(r); /* with fenced slots: waits for them */
    alarm(0);
}

/* Producers that submit nothing: ring_next_filled, already waiting, returns
 * -1 once the last of them is done. */
static void test_no_submissions(void **state)
{
    (void)state;
    enum { N = 3 };
    alarm(60); /* a lost wake-up hangs ring_next_filled */
    ring *r;
    vp_err err;
    assert_true(ring_create(2, 64, &r, &err));
    producer pr[N];
    ring_set_producers(r, N);
    for (int i = 0; i < N; i++) {
        pr[i] = (producer){.r = r, .id = (uint32_t)i, .m = 0, .nslots = 2,
                           .slot_bytes = ring_slot_bytes(r), .sleep_us = 50000 * (i + 1)};
        assert_int_equal(pthread_create(&pr[i].th, NULL, producer_run, &pr[i]), 0);
    }
    size_t n = 12345;
    assert_int_equal(ring_next_filled(r, &n), -1);
    join_all(pr, N, 10);
    assert_int_equal(ring_next_filled(r, &n), -1);
    ring_stats st;
    ring_get_stats(r, &st);
    assert_int_equal(st.slots_drawn, 0);
    assert_int_equal(st.producer_waits, 0);
    ring_destroy(r);

    /* and with no producers at all */
    assert_true(ring_create(1, 64, &r, &err));
    ring_set_producers(r, 0);
    assert_int_equal(ring_next_filled(r, &n), -1);
    ring_destroy(r);
    alarm(0);
}

/* ring_writer: records put in runs fill a slot up to cap records, then go on
 * in the next; every record arrives once, in order, and a flush submits the
 * last partial slot. */
static void test_writer(void **state)
{
    (void)state;
    alarm(60);
    ring *r;
    vp_err err;
    assert_true(ring_create(4, 64, &r, &err));
    ring_set_producers(r, 1);
    ring_writer w;
    ring_writer_init(&w, r, sizeof(uint64_t), 7);
    const size_t runs[] = {3, 3, 3, 2, 7, 1};
    uint64_t next = 0;
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        uint64_t *out = ring_writer_put(&w, runs[k]);
        assert_non_null(out);
        for (size_t i = 0; i < runs[k]; i++)
            out[i] = next++;
    }
    ring_writer_flush(&w);
    ring_producer_done(r);
    /* slots of 6, 5, 7 and 1 records: a run never straddles two */
    const size_t want[] = {6, 5, 7, 1};
    uint64_t seen = 0, buf[8];
    int slots = 0;
    size_t n;
    int s;
    while ((s = ring_next_filled(r, &n)) >= 0) {
        assert_true(slots < 4);
        assert_int_equal(n, want[slots] * sizeof(uint64_t));
        glGetNamedBufferSubData(ring_buffer(r), (GLintptr)ring_slot_offset(r, s), (GLsizeiptr)n, buf);
        for (size_t i = 0; i < n / sizeof(uint64_t); i++)
            assert_int_equal(buf[i], seen++);
        ring_retire(r, s);
        slots++;
    }
    assert_int_equal(slots, 4);
    assert_int_equal(seen, next);
    ring_destroy(r);
    alarm(0);
}

int main(void)
{
    if (!(gl = tu_gl_context()))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slot_layout),
        cmocka_unit_test(test_many_producers_exactly_once),
        cmocka_unit_test(test_slow_consumer_counts_waits),
        cmocka_unit_test(test_one_slot_wait),
        cmocka_unit_test(test_close_wakes_producers),
        cmocka_unit_test(test_no_submissions),
        cmocka_unit_test(test_writer),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glctx_destroy(gl);
    return rc;
}
