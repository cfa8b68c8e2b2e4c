#include "gl/ring.h"

#include <pthread.h>
#include <stdlib.h>

#include "gl/gl_util.h"

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_FILLED, SLOT_IN_FLIGHT };

typedef struct slot {
    enum slot_state state;
    size_t used;
    GLsync fence;
    uint64_t seq; /* order of retirement: reclaim the oldest first */
} slot;

struct ring {
    GLuint buf;
    uint8_t *map;
    size_t slot_bytes;
    int nslots;
    slot *slots;
    int producers;      /* loader threads that will call ring_producer_done */
    int producers_done;
    bool closed;
    uint64_t seq;
    pthread_mutex_t lock;
    pthread_cond_t free_cv, filled_cv;
    ring_stats stats;
};

bool ring_create(int slots, size_t slot_bytes, ring **out, vp_err *err)
{
    *out = NULL;
    GLint align = 16;
    glGetIntegerv(GL_SHADER_STORAGE_BUFFER_OFFSET_ALIGNMENT, &align);
    if (align < 16)
        align = 16;
    slot_bytes = (slot_bytes + (size_t)align - 1) / (size_t)align * (size_t)align;
    ring *r = calloc(1, sizeof *r);
    if (!r || !(r->slots = calloc((size_t)slots, sizeof *r->slots))) {
        free(r);
        return vp_err_set(err, "out of memory");
    }
    r->slot_bytes = slot_bytes;
    r->nslots = slots;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->free_cv, NULL);
    pthread_cond_init(&r->filled_cv, NULL);

    GLsizeiptr total = (GLsizeiptr)(slot_bytes * (size_t)slots);
    GLbitfield flags = GL_MAP_WRITE_BIT | GL_MAP_PERSISTENT_BIT | GL_MAP_COHERENT_BIT;
    gl_clear_errors();
    glCreateBuffers(1, &r->buf);
    glNamedBufferStorage(r->buf, total, NULL, flags);
    if (!gl_check("glNamedBufferStorage", err)) {
        ring_destroy(r);
        return vp_err_prefix(err, "GL refused a %zu-byte persistently mapped vertex ring", (size_t)total);
    }
    r->map = glMapNamedBufferRange(r->buf, 0, total, flags);
    if (!r->map) {
        if (gl_check("glMapNamedBufferRange", err))
            vp_err_set(err, "glMapNamedBufferRange returned NULL");
        ring_destroy(r);
        return vp_err_prefix(err, "GL could not map the %zu-byte vertex ring persistently", (size_t)total);
    }
    *out = r;
    return true;
}

void ring_destroy(ring *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nslots; i++)
        if (r->slots[i].fence) {
            glClientWaitSync(r->slots[i].fence, GL_SYNC_FLUSH_COMMANDS_BIT, UINT64_C(10000000000));
            glDeleteSync(r->slots[i].fence);
        }
    if (r->map)
        glUnmapNamedBuffer(r->buf);
    if (r->buf)
        glDeleteBuffers(1, &r->buf);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->free_cv);
    pthread_cond_destroy(&r->filled_cv);
    free(r->slots);
    free(r);
}

GLuint ring_buffer(const ring *r) { return r->buf; }
size_t ring_slot_bytes(const ring *r) { return r->slot_bytes; }
size_t ring_slot_offset(const ring *r, int s) { return (size_t)s * r->slot_bytes; }

int ring_acquire(ring *r, void **mem)
{
    pthread_mutex_lock(&r->lock);
    bool waited = false;
    for (;;) {
        if (r->closed) {
            pthread_mutex_unlock(&r->lock);
            return -1;
        }
        for (int i = 0; i < r->nslots; i++) {
            if (r->slots[i].state == SLOT_FREE) {
                r->slots[i].state = SLOT_FILLING;
                pthread_mutex_unlock(&r->lock);
                *mem = r->map + ring_slot_offset(r, i);
                return i;
            }
        }
        if (!waited) {
            r->stats.producer_waits++;
            waited = true;
        }
        /* the GL thread may be asleep waiting for a filled slot while all
         * slots are in flight: wake it so it reclaims them */
        pthread_cond_signal(&r->filled_cv);
        pthread_cond_wait(&r->free_cv, &r->lock);
    }
}

void ring_submit(ring *r, int s, size_t bytes_used)
{
    pthread_mutex_lock(&r->lock);
    r->slots[s].state = SLOT_FILLED;
    r->slots[s].used = bytes_used;
    pthread_cond_signal(&r->filled_cv);
    pthread_mutex_unlock(&r->lock);
}

void ring_producer_done(ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->producers_done++;
    pthread_cond_signal(&r->filled_cv);
    pthread_mutex_unlock(&r->lock);
}

void ring_set_producers(ring *r, int n)
{
    pthread_mutex_lock(&r->lock);
    r->producers = n;
    pthread_mutex_unlock(&r->lock);
}

/* Called with the lock held. Frees in-flight slots whose fence signalled;
 * with block, waits for the oldest one. Returns true if any slot was freed. */
static bool reclaim(ring *r, bool block)
{
    int oldest = -1;
    bool freed = false;
    for (int i = 0; i < r->nslots; i++) {
        slot *s = &r->slots[i];
        if (s->state != SLOT_IN_FLIGHT)
            continue;
        GLenum st = glClientWaitSync(s->fence, 0, 0);
        if (st == GL_ALREADY_SIGNALED || st == GL_CONDITION_SATISFIED) {
            glDeleteSync(s->fence);
            s->fence = NULL;
            s->state = SLOT_FREE;
            freed = true;
        } else if (oldest < 0 || s->seq < r->slots[oldest].seq) {
            oldest = i;
        }
    }
    if (!freed && block && oldest >= 0) {
        slot *s = &r->slots[oldest];
        r->stats.fence_waits++;
        pthread_mutex_unlock(&r->lock);
        GLenum st = glClientWaitSync(s->fence, GL_SYNC_FLUSH_COMMANDS_BIT, UINT64_C(1000000000));
        pthread_mutex_lock(&r->lock);
        if (st == GL_ALREADY_SIGNALED || st == GL_CONDITION_SATISFIED) {
            glDeleteSync(s->fence);
            s->fence = NULL;
            s->state = SLOT_FREE;
            freed = true;
        }
    }
    if (freed)
        pthread_cond_broadcast(&r->free_cv);
    return freed;
}

int ring_next_filled(ring *r, size_t *bytes_used)
{
    pthread_mutex_lock(&r->lock);
    for (;;) {
        reclaim(r, false);
        for (int i = 0; i < r->nslots; i++) {
            if (r->slots[i].state == SLOT_FILLED) {
                r->slots[i].state = SLOT_IN_FLIGHT; /* fenced by ring_retire */
                *bytes_used = r->slots[i].used;
                pthread_mutex_unlock(&r->lock);
                return i;
            }
        }
        bool any_filling = false, any_in_flight = false;
        for (int i = 0; i < r->nslots; i++) {
            any_filling |= r->slots[i].state == SLOT_FILLING;
            any_in_flight |= r->slots[i].state == SLOT_IN_FLIGHT;
        }
        if (r->closed || (r->producers_done >= r->producers && !any_filling)) {
            pthread_mutex_unlock(&r->lock);
            return -1;
        }
        /* No filled slot yet. If every slot is in flight the loaders are stuck
         * until a fence signals, so wait on the GPU; otherwise sleep until a
         * loader submits. */
        if (any_in_flight && !any_filling) {
            reclaim(r, true);
            continue;
        }
        pthread_cond_wait(&r->filled_cv, &r->lock);
    }
}

void ring_retire(ring *r, int s)
{
    GLsync f = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
    glFlush(); /* so the fence can signal without a later flush */
    pthread_mutex_lock(&r->lock);
    r->slots[s].fence = f;
    r->slots[s].seq = r->seq++;
    r->stats.slots_drawn++;
    pthread_mutex_unlock(&r->lock);
}

void ring_close(ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->closed = true;
    pthread_cond_broadcast(&r->free_cv);
    pthread_cond_broadcast(&r->filled_cv);
    pthread_mutex_unlock(&r->lock);
}

void ring_get_stats(const ring *r, ring_stats *out)
{
    *out = r->stats;
}

void ring_writer_init(ring_writer *w, ring *r, size_t record_bytes, size_t cap)
{
    *w = (ring_writer){.r = r, .record = record_bytes, .cap = cap, .slot = -1};
}

void *ring_writer_put(ring_writer *w, size_t n)
{
    if (w->slot >= 0 && w->used + n > w->cap)
        ring_writer_flush(w);
    if (w->slot < 0) {
        void *mem;
        if ((w->slot = ring_acquire(w->r, &mem)) < 0)
            return NULL;
        w->mem = mem;
        w->used = 0;
    }
    void *at = w->mem + w->used * w->record;
    w->used += n;
    return at;
}

void ring_writer_flush(ring_writer *w)
{
    if (w->slot >= 0)
        ring_submit(w->r, w->slot, w->used * w->record);
    w->slot = -1;
}
