#ifndef VP_TESTUTIL_H
#define VP_TESTUTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A fresh scratch directory for this test program (under $VP_TEST_TMP or /tmp);
 * returns a static path. */
const char *tu_tmpdir(const char *test_name);
/* Joins tmpdir and name into a static rotating buffer. */
const char *tu_path(const char *dir, const char *name);
/* Writes bytes to a file; aborts the test on failure. */
void tu_write_file(const char *path, const void *data, size_t len);
/* splitmix64: a small deterministic PRNG for test data. */
uint64_t tu_rand(uint64_t *state);
double tu_rand_unit(uint64_t *state); /* [0,1) */

/* The bits of a double, to compare exactly (-0.0 and 0.0 differ). */
uint64_t tu_bits(double d);
/* Same double: identical bits, except that any two NaNs of the same sign match. */
bool tu_same_double(double a, double b);

/* A headless GL 4.5 context for GL tests, its renderer printed; NULL (after
 * saying why) when there is none: the test then exits 77, a visible skip. */
struct glctx;
struct glctx *tu_gl_context(void);

/* Reads up to size - 1 bytes of a text file into buf, NUL-terminated; aborts
 * the test when the file cannot be opened. */
void tu_read_text(const char *path, char *buf, size_t size);

/* The reference binning rule, written independently of src/accum/view.c:
 * numpy.histogram2d's. Edges as numpy.linspace computes them
 * (i * ((hi - lo) / n) + lo, the last one hi itself), a sample in bin
 * searchsorted(edges, v, 'right') - 1 (a linear count here, not a search),
 * the closing edge in the last bin; limits a0 > a1 flip the axis. The bin of
 * v (0..n-1), or -1 outside. */
int tu_ref_bin(double v, double a0, double a1, int n);
/* Writes (x, y) float64 pairs as a raw file. */
void tu_write_f64_pairs(const char *path, const double *x, const double *y, size_t n);

/* Replaces a file (unlinked first, so a hard link to it keeps the old text)
 * with text. */
void tu_write_text(const char *path, const char *text);
/* True when the file holds exactly text (up to 255 bytes); the content read
 * goes to got. */
int tu_file_holds(const char *path, const char *text, char got[256]);

/* For cmocka tests (include <cmocka.h> first): the file holds exactly text. */
#define assert_file_holds(path, text)                                                  \
    do {                                                                               \
        char got_[256];                                                                \
        if (!tu_file_holds((path), (text), got_)) {                                    \
            print_error("%s holds \"%s\", want \"%s\"\n", (path), got_, (text));         \
            fail();                                                                    \
        }                                                                              \
    } while (0)

/* For cmocka tests (include <cmocka.h> first): an error message must contain
 * the needle. */
#define assert_msg_has(e, needle)                                                      \
    do {                                                                               \
        if (!strstr((e).msg, (needle))) {                                              \
            print_error("message \"%s\"\n  lacks \"%s\"\n", (e).msg, (needle));        \
            fail();                                                                    \
        }                                                                              \
    } while (0)

#endif
