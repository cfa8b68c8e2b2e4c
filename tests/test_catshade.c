/* Category shading (look/catshade.h) against a reference written here from
 * the rule the header states (per pixel: the count-weighted mean colour of
 * the enabled categories, alpha = min_alpha + (1 - min_alpha) * tone(total),
 * "over" the background), evaluated in doubles: random counts with empty
 * pixels, huge counts, disabled categories, every tone map, opaque,
 * translucent and transparent backgrounds, several min_alpha, RGB and RGBA,
 * pictures shaded in pieces with padded rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "look/catshade.h"
#include "look/colormap.h"
#include "look/tonemap.h"
#include "testutil.h"

static double round_half_up(double x) { return floor(x + 0.5); }

/* The reference pixel (RGBA) of pixel i. */
static void ref_pixel(const category_look *l, const uint32_t *cat, size_t pixels, size_t i,
                      const tonemap_table *t, uint8_t out[4])
{
    double n = 0, sum[3] = {0, 0, 0};
    for (int c = 0; c < l->ncat; c++) {
        if (!l->enabled[c])
            continue;
        double k = cat[(size_t)c * pixels + i];
        n += k;
        for (int j = 0; j < 3; j++)
            sum[j] += k * l->colors[c][j];
    }
    if (n == 0) {
        memcpy(out, l->background, 4);
        return;
    }
    double col[3];
    for (int j = 0; j < 3; j++)
        col[j] = round_half_up(sum[j] / n);
    double e = round_half_up(255.0 * tonemap_level(t, (uint64_t)n));
    double ma = l->min_alpha < 0 ? 0 : l->min_alpha > 1 ? 1 : l->min_alpha;
    double a0 = round_half_up(255.0 * ma);
    double a = a0 + round_half_up((255.0 - a0) * e / 255.0);
    /* over, with every weight scaled by 255 so the sums are whole numbers */
    double wa = 255.0 * a, wb = l->background[3] * (255.0 - a), d = wa + wb;
    for (int j = 0; j < 3; j++)
        out[j] = (uint8_t)(d > 0 ? round_half_up((wa * col[j] + wb * l->background[j]) / d) : col[j]);
    out[3] = (uint8_t)round_half_up(d / 255.0);
}

typedef struct ccase {
    int w, h, ncat;
    tonemap_kind kind;
    uint8_t bg[4];
    float min_alpha;
    int disabled_every; /* category c is off when c % this == 1; 0: all on */
    double empty;       /* fraction of empty pixels */
} ccase;

static int cases_run;

static void check_case(const ccase *cc, uint64_t seed)
{
    size_t pixels = (size_t)cc->w * (size_t)cc->h;
    category_look l = {.ncat = cc->ncat, .tonemap = cc->kind, .min_alpha = cc->min_alpha};
    memcpy(l.background, cc->bg, 4);
    for (int c = 0; c < cc->ncat; c++) {
        category_color(c, l.colors[c]);
        l.colors[c][3] = (uint8_t)(c * 37); /* ignored */
        l.enabled[c] = !(cc->disabled_every && c % cc->disabled_every == 1);
    }
    uint32_t *cat = calloc(pixels * (size_t)cc->ncat, sizeof *cat);
    assert_non_null(cat);
    for (size_t i = 0; i < pixels; i++) {
        if (tu_rand_unit(&seed) < cc->empty)
            continue;
        /* a few categories a pixel, counts from 1 to past 2^31 */
        int k = 1 + (int)(tu_rand(&seed) % 4);
        for (int j = 0; j < k; j++) {
            int c = (int)(tu_rand(&seed) % (uint64_t)cc->ncat);
            double u = tu_rand_unit(&seed);
            uint32_t v = u < 0.6 ? 1 + (uint32_t)(tu_rand(&seed) % 20)
                       : u < 0.97 ? (uint32_t)exp(tu_rand_unit(&seed) * 14)
                                  : UINT32_MAX - (uint32_t)(tu_rand(&seed) % 3);
            cat[(size_t)c * pixels + i] = v;
        }
    }
    uint64_t *total = malloc(pixels * sizeof *total);
    assert_non_null(total);
    assert_true(category_totals(&l, cat, pixels, total));
    for (size_t i = 0; i < pixels; i++) {
        uint64_t want = 0;
        for (int c = 0; c < cc->ncat; c++)
            want += l.enabled[c] ? cat[(size_t)c * pixels + i] : 0;
        assert_true(total[i] == want);
    }
    tonemap_table t;
    assert_true(tonemap_table_build(cc->kind, total, pixels, &t));
    vp_err err;
    for (int channels = 3; channels <= 4; channels++) {
        size_t stride = (size_t)cc->w * (size_t)channels + 3;
        uint8_t *out = malloc(stride * (size_t)cc->h);
        assert_non_null(out);
        memset(out, 0x5A, stride * (size_t)cc->h);
        int a = cc->h / 2;
        if (!category_shade_rows(&l, cat, total, &t, cc->w, cc->h, 0, a, out, stride, channels, &err) ||
            !category_shade_rows(&l, cat, total, &t, cc->w, cc->h, a, cc->h, out + (size_t)a * stride,
                                 stride, channels, &err))
            fail_msg("category_shade_rows: %s", err.msg);
        for (int y = 0; y < cc->h; y++) {
            const uint8_t *row = out + (size_t)y * stride;
            for (int x = 0; x < cc->w; x++) {
                size_t i = (size_t)(cc->h - 1 - y) * (size_t)cc->w + (size_t)x; /* top row first */
                uint8_t want[4];
                ref_pixel(&l, cat, pixels, i, &t, want);
                const uint8_t *got = row + (size_t)x * channels;
                if (memcmp(got, want, (size_t)channels) != 0)
                    fail_msg("%dx%d, %d categories, %s, bg %d,%d,%d,%d, min_alpha %g, %d channels: pixel "
                             "(%d, %d), total %llu, is %d,%d,%d,%d, want %d,%d,%d,%d", cc->w, cc->h, cc->ncat,
                             tonemap_name(cc->kind), cc->bg[0], cc->bg[1], cc->bg[2], cc->bg[3],
                             cc->min_alpha, channels, x, y, (unsigned long long)total[i], got[0], got[1],
                             got[2], channels == 4 ? got[3] : 255, want[0], want[1], want[2], want[3]);
            }
            for (size_t p = (size_t)cc->w * channels; p < stride; p++)
                assert_int_equal(row[p], 0x5A);
        }
        free(out);
    }
    tonemap_table_free(&t);
    free(total);
    free(cat);
    cases_run++;
}

static void test_against_reference(void **state)
{
    (void)state;
    static const uint8_t bgs[][4] = {{0, 0, 0, 255}, {255, 255, 255, 255}, {30, 60, 90, 100},
                                     {0, 0, 0, 0}, {200, 10, 10, 255}};
    static const float alphas[] = {CATEGORY_MIN_ALPHA, 0.0f, 1.0f, 0.5f};
    static const int sizes[][2] = {{61, 43}, {1, 1}, {200, 3}, {5, 90}};
    static const int ncats[] = {1, 3, 17, 64};
    uint64_t seed = 11;
    for (int k = TONEMAP_LINEAR; k <= TONEMAP_EQ_HIST; k++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (size_t n = 0; n < sizeof ncats / sizeof ncats[0]; n++) {
                size_t r = (size_t)k + s + n;
                ccase cc = {.w = sizes[s][0], .h = sizes[s][1], .ncat = ncats[n], .kind = (tonemap_kind)k,
                            .min_alpha = alphas[r % 4], .disabled_every = (int)(r % 3) * 2,
                            .empty = r % 2 ? 0.3 : 0.05};
                memcpy(cc.bg, bgs[r % 5], 4);
                check_case(&cc, seed++);
            }
    /* every category disabled: all background */
    ccase none = {.w = 20, .h = 10, .ncat = 5, .kind = TONEMAP_EQ_HIST, .bg = {1, 2, 3, 4},
                  .min_alpha = CATEGORY_MIN_ALPHA, .disabled_every = 1, .empty = 0};
    check_case(&none, 99);
    fprintf(stderr, "%d cases equal the reference\n", cases_run);
}

/* datashader's anchors: the fullest pixel is opaque in its category's own
 * colour; the emptiest non-empty one gets min_alpha; two categories with
 * equal counts give the mean of their colours. */
static void test_anchors(void **state)
{
    (void)state;
    enum { W = 3, H = 1, N = W * H };
    category_look l = {.ncat = 2, .enabled = {true, true}, .tonemap = TONEMAP_LINEAR,
                       .background = {0, 0, 0, 0}, .min_alpha = CATEGORY_MIN_ALPHA};
    memcpy(l.colors[0], (uint8_t[4]){200, 0, 100, 255}, 4);
    memcpy(l.colors[1], (uint8_t[4]){0, 50, 101, 255}, 4);
    /* pixel 0: 1000 of category 0; pixel 1: 1 of each; pixel 2: empty */
    uint32_t cat[2 * N] = {1000, 1, 0, 0, 1, 0};
    uint64_t total[N];
    assert_true(category_totals(&l, cat, N, total));
    assert_true(total[0] == 1000 && total[1] == 2 && total[2] == 0);
    tonemap_table t;
    assert_true(tonemap_table_build(l.tonemap, total, N, &t));
    uint8_t out[N * 4];
    vp_err err;
    assert_true(category_shade_rows(&l, cat, total, &t, W, H, 0, H, out, W * 4, 4, &err));
    assert_memory_equal(out, ((uint8_t[4]){200, 0, 100, 255}), 4);
    assert_memory_equal(out + 4, ((uint8_t[4]){100, 25, 101, 40}), 4); /* 100.5 rounds up */
    assert_memory_equal(out + 8, l.background, 4);
    /* over an opaque background: blended */
    memcpy(l.background, (uint8_t[4]){255, 255, 255, 255}, 4);
    assert_true(category_shade_rows(&l, cat, total, &t, W, H, 0, H, out, W * 4, 4, &err));
    assert_memory_equal(out, ((uint8_t[4]){200, 0, 100, 255}), 4);
    /* (40 * 100 + 215 * 255) / 255 = 230.69; (40 * 25 + 215 * 255) / 255 = 218.92; ... */
    assert_memory_equal(out + 4, ((uint8_t[4]){231, 219, 231, 255}), 4);
    assert_memory_equal(out + 8, ((uint8_t[4]){255, 255, 255, 255}), 4);
    tonemap_table_free(&t);
}

static void test_refusals(void **state)
{
    (void)state;
    category_look l = {.ncat = 1, .enabled = {true}, .tonemap = TONEMAP_LOG};
    uint32_t cat[4] = {1, 2, 0, 3};
    uint64_t total[4];
    assert_true(category_totals(&l, cat, 4, total));
    tonemap_table t;
    assert_true(tonemap_table_build(TONEMAP_LOG, total, 4, &t));
    uint8_t out[16];
    vp_err err;
    assert_true(category_shade_rows(&l, cat, total, &t, 2, 2, 0, 2, out, 8, 4, &err));
    assert_false(category_shade_rows(&l, cat, total, &t, 2, 2, 0, 2, out, 8, 2, &err));
    assert_msg_has(err, "channels");
    assert_false(category_shade_rows(&l, cat, total, &t, 2, 2, 1, 3, out, 8, 4, &err));
    assert_msg_has(err, "rows");
    l.tonemap = TONEMAP_SQRT;
    assert_false(category_shade_rows(&l, cat, total, &t, 2, 2, 0, 2, out, 8, 4, &err));
    assert_msg_has(err, "log table for the sqrt tone map");
    l.tonemap = TONEMAP_LOG;
    l.ncat = 0;
    assert_false(category_totals(&l, cat, 4, total));
    assert_false(category_shade_rows(&l, cat, total, &t, 2, 2, 0, 2, out, 8, 4, &err));
    l.ncat = CATEGORY_MAX + 1;
    assert_false(category_totals(&l, cat, 4, total));
    assert_false(category_shade_rows(&l, cat, total, &t, 2, 2, 0, 2, out, 8, 4, &err));
    assert_msg_has(err, "categories");
    tonemap_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_anchors),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
