#ifndef VP_FUZZ_COMMON_H
#define VP_FUZZ_COMMON_H
/* Shared by the fuzz targets: the input cap and the check that aborts (so
 * libFuzzer records a crash, and the regress driver dies visibly) when an
 * invariant of the code under test does not hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* Inputs past this are ignored (returned at once): the parsers' interesting
 * states are all reachable with small inputs, and big ones only slow down. */
#define FUZZ_MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* A failure must leave a message: non-empty and terminated inside msg. */
static inline void fuzz_check_err(const vp_err *e)
{
    FUZZ_CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
    FUZZ_CHECK(e->msg[0] != '\0');
}

#endif
