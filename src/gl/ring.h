#ifndef VP_RING_H
#define VP_RING_H
/* The vertex ring: one GL buffer, persistently and coherently mapped, cut
 * into slots. Loader threads fill free slots through the mapping (no GL calls,
 * no copies); the GL thread draws filled slots and fences them; a slot goes
 * back to the loaders when its fence has signalled (polled with a zero
 * timeout first). Waits are counted, not hidden.
 *
 * Slot states: FREE -> (loader) FILLING -> FILLED -> (GL) IN_FLIGHT -> FREE. */
#include <glad/gl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct ring ring;

typedef struct ring_stats {
    uint64_t producer_waits; /* a loader found no free slot and waited */
    uint64_t fence_waits;    /* the GL thread had to block on a fence */
    uint64_t slots_drawn;
} ring_stats;

/* GL thread, context current. slot_bytes is rounded up to the SSBO offset alignment. */
bool ring_create(int slots, size_t slot_bytes, ring **out, vp_err *err);
void ring_destroy(ring *r); /* GL thread; waits for in-flight slots */

GLuint ring_buffer(const ring *r);
size_t ring_slot_bytes(const ring *r);
size_t ring_slot_offset(const ring *r, int slot); /* bytes from the buffer start */

/* Before the loaders start: how many will call ring_producer_done. */
void ring_set_producers(ring *r, int n);

/* Loader side (any thread, no GL). Blocks until a slot is free; -1 when the
 * ring was closed. Returns the slot's mapped memory in *mem. */
int ring_acquire(ring *r, void **mem);
/* Hands a filled slot (bytes_used of it) to the GL thread. */
void ring_submit(ring *r, int slot, size_t bytes_used);
/* Called once per producer when it has nothing more to submit. */
void ring_producer_done(ring *r);

/* A producer's open slot, filled with records of one size: ring_writer_put
 * gives room for n more (the open slot, or, when they do not fit in `cap`
 * records, the next one after submitting it); ring_writer_flush submits
 * what is open. */
typedef struct ring_writer {
    ring *r;
    size_t record, cap; /* bytes of a record; records per slot */
    int slot;           /* -1: none open */
    unsigned char *mem;
    size_t used;        /* records in the open slot */
} ring_writer;
void ring_writer_init(ring_writer *w, ring *r, size_t record_bytes, size_t cap);
/* Room for n <= cap records; NULL when the ring was closed. */
void *ring_writer_put(ring_writer *w, size_t n);
void ring_writer_flush(ring_writer *w);

/* GL thread. Returns the next filled slot (and its size in bytes), reclaiming
 * signalled slots while it waits; -1 when all producers are done and nothing
 * is left. */
int ring_next_filled(ring *r, size_t *bytes_used);
/* GL thread, after issuing the commands that read the slot: fence it. */
void ring_retire(ring *r, int slot);
/* Stops everything: blocked loaders get -1 (used after an error). */
void ring_close(ring *r);

void ring_get_stats(const ring *r, ring_stats *out);

#endif
