#ifndef VP_FILEMARK_H
#define VP_FILEMARK_H
/* A content check for a file read piece by piece: the last bytes read (up to
 * FILEMARK_BYTES, contiguous, ending at the read position) are kept, and can
 * be compared later with what the file holds there now. A file truncated and
 * regrown past the old size, or rewritten in place, shows no change in size
 * or inode; this is how `tail -F` plus a content check tells it apart from a
 * file that only grew. Holds the bytes themselves, not a hash: 4 KiB, and no
 * collisions. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FILEMARK_BYTES 4096u

typedef struct filemark {
    uint64_t end;        /* file offset just past the kept bytes */
    uint32_t len;        /* bytes kept, <= FILEMARK_BYTES */
    unsigned char bytes[FILEMARK_BYTES];
} filemark;

/* Nothing kept; the next bytes noted start at offset `at`. */
void filemark_reset(filemark *m, uint64_t at);
/* The file's bytes [m->end, m->end + n) were just read: keep the last ones. */
void filemark_note(filemark *m, const void *data, size_t n);
/* True when the file (fd, read with pread) still holds the kept bytes at their
 * place; also true when nothing is kept. False on a read error or a short read
 * too: the bytes are not there. Rare path: one pread of up to 4 KiB. */
bool filemark_holds(const filemark *m, int fd);

#endif
