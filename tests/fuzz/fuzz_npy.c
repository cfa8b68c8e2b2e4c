/* Fuzzes the .npy header reader (load/npy.c) on raw bytes: npy_has_magic,
 * npy_preamble_size, npy_header_size, npy_parse and npy_data_bytes, and
 * checks what a successful parse promises. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "load/npy.h"

/* Messages reach a terminal: the parser promises to escape what it quotes. */
static void check_printable(const vp_err *e)
{
    for (const char *p = e->msg; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static bool same_header(const npy_header *a, const npy_header *b)
{
    return a->version == b->version && a->dtype == b->dtype && a->endian == b->endian &&
           a->fortran_order == b->fortran_order && a->ndim == b->ndim &&
           a->shape[0] == b->shape[0] && a->shape[1] == b->shape[1] &&
           a->data_offset == b->data_offset;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    bool magic = npy_has_magic(data, size);
    size_t pre = npy_preamble_size(data, size);
    FUZZ_CHECK(pre == 10 || pre == 12);

    vp_err err;
    memset(&err, 0, sizeof err);
    uint64_t total = 0;
    bool sized = npy_header_size(data, size, &total, &err);
    if (!sized) {
        fuzz_check_err(&err);
        check_printable(&err);
    } else {
        FUZZ_CHECK(magic);
        FUZZ_CHECK(size >= pre);
        FUZZ_CHECK(total >= pre && total <= pre + (uint64_t)NPY_MAX_HEADER);
    }

    npy_header h;
    memset(&h, 0, sizeof h);
    memset(&err, 0, sizeof err);
    if (!npy_parse(data, size, &h, &err)) {
        fuzz_check_err(&err);
        check_printable(&err);
        return 0;
    }

    /* What a successful parse promises. */
    FUZZ_CHECK(sized && magic);
    FUZZ_CHECK(h.version >= 1 && h.version <= 3 && h.version == data[6]);
    FUZZ_CHECK(pre == (h.version == 1 ? 10u : 12u));
    FUZZ_CHECK((unsigned)h.dtype < VP_DTYPE_COUNT);
    FUZZ_CHECK(h.endian == VP_LITTLE || h.endian == VP_BIG);
    if (vp_dtype_size(h.dtype) == 1)
        FUZZ_CHECK(h.endian == vp_host_endian());
    FUZZ_CHECK(h.ndim == 1 || h.ndim == 2);
    if (h.ndim == 1)
        FUZZ_CHECK(h.shape[1] == 1);
    FUZZ_CHECK(h.data_offset == total);
    FUZZ_CHECK(h.data_offset >= pre && h.data_offset <= size);
    uint64_t bytes = 0;
    FUZZ_CHECK(npy_data_bytes(&h, &bytes));
    FUZZ_CHECK(bytes <= UINT64_MAX - h.data_offset);
    if (h.shape[0] && h.shape[1])
        FUZZ_CHECK(bytes / h.shape[0] / h.shape[1] == vp_dtype_size(h.dtype));
    else
        FUZZ_CHECK(bytes == 0);

    /* The parse reads the header and nothing after it: an exactly sized copy
     * of just the header (ASan catches a read past it) gives the same result,
     * and one byte less is a truncated header. */
    size_t hl = (size_t)h.data_offset;
    uint8_t *copy = malloc(hl);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, hl);
    npy_header h2;
    memset(&h2, 0, sizeof h2);
    FUZZ_CHECK(npy_parse(copy, hl, &h2, &err));
    FUZZ_CHECK(same_header(&h, &h2));
    memset(&err, 0, sizeof err);
    FUZZ_CHECK(!npy_parse(copy, hl - 1, &h2, &err));
    fuzz_check_err(&err);
    free(copy);
    return 0;
}
