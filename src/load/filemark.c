#include "load/filemark.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void filemark_reset(filemark *m, uint64_t at)
{
    m->end = at;
    m->len = 0;
}

void filemark_note(filemark *m, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (n >= FILEMARK_BYTES) {
        memcpy(m->bytes, p + n - FILEMARK_BYTES, FILEMARK_BYTES);
        m->len = FILEMARK_BYTES;
    } else {
        size_t keep = m->len + n <= FILEMARK_BYTES ? m->len : FILEMARK_BYTES - n;
        memmove(m->bytes, m->bytes + m->len - keep, keep);
        memcpy(m->bytes + keep, p, n);
        m->len = (uint32_t)(keep + n);
    }
    m->end += n;
}

bool filemark_holds(const filemark *m, int fd)
{
    unsigned char now[FILEMARK_BYTES];
    size_t got = 0;
    while (got < m->len) {
        ssize_t r = pread(fd, now + got, m->len - got, (off_t)(m->end - m->len + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return memcmp(now, m->bytes, m->len) == 0;
}
