/* The CPU tone-mapper (look/shade.h, used by `render` without the overlay)
 * against the GL tone-map pass (used by the viewer, the overlay and GPU
 * renders): the same pixels, byte for byte, on varied grids (sparse, dense,
 * counts past the direct table and past 2^32, all equal, empty, odd sizes),
 * every tone map, several colormaps, floors, point sizes and backgrounds. Both
 * against the reference level (tonemap_level) too, and the streamed PNG
 * (plot_write_grid_png) against the GL picture after decoding. The pass's
 * picture mode (tonemap_pass_set_rgba) gives back the bytes it was given. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/plot.h"
#include <glad/gl.h>
#include "gl/gl_util.h"
#include "gl/glctx.h"
#include "gl/tonemap_pass.h"
#include "look/colormap.h"
#include "look/shade.h"
#include "look/tonemap.h"
#include "look/valshade.h"
#include "out/atomic_file.h"
#include "out/png_out.h"
#include "testutil.h"

static glctx *gl;
static const char *dir;

typedef struct grid {
    const char *name;
    int w, h;
    uint64_t *c; /* bottom row first */
} grid;

/* kinds of data: 0 sparse small counts, 1 heavy tail past the direct table
 * and past 2^32, 2 a dense blob, 3 all equal, 4 empty, 5 one pixel, 6 the
 * heavy tail held to 32 bits (what a GPU count image holds: up to 2^32 - 1) */
static grid make_grid(int kind, int w, int h, uint64_t seed)
{
    static const char *names[] = {"sparse", "heavy tail", "blob", "all equal", "empty", "one pixel",
                                  "heavy tail, 32-bit"};
    grid g = {names[kind], w, h, calloc((size_t)w * h, sizeof(uint64_t))};
    assert_non_null(g.c);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint64_t *p = &g.c[(size_t)y * w + x];
            double u = tu_rand_unit(&seed);
            switch (kind) {
            case 0: *p = u < 0.1 ? 1 + tu_rand(&seed) % 5 : 0; break;
            case 1:
            case 6: *p = u < 0.5 ? 0 : (uint64_t)exp(tu_rand_unit(&seed) * 25.0); break;
            case 2: {
                double dx = (x - w / 2.0) / w, dy = (y - h / 3.0) / h;
                *p = (uint64_t)(5000.0 * exp(-(dx * dx + dy * dy) * 20.0) * u);
                break;
            }
            case 3: *p = 7; break;
            default: break;
            }
        }
    }
    if (kind == 1 && (size_t)w * h > 8) {
        g.c[3] = (uint64_t)1 << 40;
        g.c[5] = UINT64_MAX;
        g.c[6] = 65535;
        g.c[7] = 65536;
    }
    if (kind == 6 && (size_t)w * h > 8) {
        g.c[3] = UINT32_MAX;
        g.c[5] = UINT32_MAX - 1;
        g.c[6] = 65535;
        g.c[7] = 65536;
    }
    if (kind == 5)
        g.c[(size_t)(h / 2) * w + w / 3] = 123456;
    return g;
}

/* The picture on the CPU, RGBA, top row first. */
static uint8_t *cpu_picture(const grid *g, const tonemap_look *look)
{
    shade_table st;
    assert_true(shade_table_build(look->table, look->floor, &st));
    shade_picture sp = {.counts = g->c, .w = g->w, .h = g->h, .table = &st, .cmap = look->cmap,
                        .spread = look->spread, .channels = 4};
    memcpy(sp.background, look->background, 4);
    uint8_t *px = malloc((size_t)g->w * g->h * 4);
    assert_non_null(px);
    /* in two uneven pieces, as the PNG workers call it */
    int mid = g->h / 3;
    assert_true(shade_rows(&sp, 0, mid, px, (size_t)g->w * 4));
    assert_true(shade_rows(&sp, mid, g->h, px + (size_t)mid * g->w * 4, (size_t)g->w * 4));
    shade_table_free(&st);
    return px;
}

/* The colour of (x, y) (picture coordinates) from the reference level. */
static void reference_pixel(const grid *g, const tonemap_look *look, int x, int y, uint8_t out[4])
{
    int gy = g->h - 1 - y;
    uint64_t c = 0;
    for (int dy = -look->spread; dy <= look->spread; dy++)
        for (int dx = -look->spread; dx <= look->spread; dx++) {
            int qx = x + dx, qy = gy + dy;
            if (qx >= 0 && qy >= 0 && qx < g->w && qy < g->h && g->c[(size_t)qy * g->w + qx] > c)
                c = g->c[(size_t)qy * g->w + qx];
        }
    if (!c) {
        memcpy(out, look->background, 4);
        return;
    }
    double pos = look->floor + (1.0 - look->floor) * tonemap_level(look->table, c);
    int e = (int)floor(pos * 255.0 + 0.5);
    e = e < 0 ? 0 : e > 255 ? 255 : e;
    memcpy(out, look->cmap[e], 3);
    out[3] = 255;
}

static int cases_run, images_compared;

static void compare(const grid *g, tonemap_kind kind, const char *cmap, float floor_, int spread,
                    const uint8_t bg[4])
{
    tonemap_table tb;
    assert_true(tonemap_table_build(kind, g->c, (size_t)g->w * g->h, &tb));
    tonemap_look look = {.table = &tb, .floor = floor_, .spread = spread};
    assert_true(colormap_get(cmap, look.cmap));
    memcpy(look.background, bg, 4);

    vp_err err;
    tonemap_pass *tp;
    if (!tonemap_pass_create(kind, &tp, &err))
        fail_msg("%s", err.msg);
    uint8_t *gpx = malloc((size_t)g->w * g->h * 4);
    assert_non_null(gpx);
    if (!tonemap_pass_render(tp, g->c, g->w, g->h, &look, gpx, &err))
        fail_msg("%s", err.msg);
    tonemap_pass_destroy(tp);
    uint8_t *cpx = cpu_picture(g, &look);
    /* counts that fit 32 bits: the pass drawing straight from an r32ui count
     * image (the GPU refinement's) gives the same pixels */
    size_t cells = (size_t)g->w * g->h;
    uint64_t cmax = 0;
    for (size_t i = 0; i < cells; i++)
        cmax = g->c[i] > cmax ? g->c[i] : cmax;
    if (cmax <= UINT32_MAX) {
        uint32_t *c32 = malloc(cells * sizeof *c32);
        uint8_t *ipx = malloc(cells * 4);
        assert_non_null(c32);
        assert_non_null(ipx);
        for (size_t i = 0; i < cells; i++)
            c32[i] = (uint32_t)g->c[i];
        GLuint tex;
        glCreateTextures(GL_TEXTURE_2D, 1, &tex);
        glTextureStorage2D(tex, 1, GL_R32UI, g->w, g->h);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glTextureSubImage2D(tex, 0, 0, 0, g->w, g->h, GL_RED_INTEGER, GL_UNSIGNED_INT, c32);
        gl_target tg;
        assert_true(tonemap_pass_create(kind, &tp, &err));
        if (!tonemap_pass_set_image(tp, tex, g->w, g->h, &look, &err) ||
            !gl_target_create(&tg, g->w, g->h, &err))
            fail_msg("%s", err.msg);
        gl_target_bind(&tg);
        tonemap_placement pl = {0, 0, g->w, g->h, 0, 0, g->w, g->h};
        tonemap_pass_draw(tp, &pl, true);
        assert_true(gl_target_read(&tg, ipx, false, &err));
        gl_target_destroy(&tg);
        tonemap_pass_destroy(tp);
        glDeleteTextures(1, &tex);
        for (size_t i = 0; i < cells; i++)
            if (memcmp(ipx + 4 * i, gpx + 4 * i, 4))
                fail_msg("%s %dx%d, %s, spread %d: pixel %zu from the count image %u,%u,%u,%u, "
                         "from the shades %u,%u,%u,%u", g->name, g->w, g->h, tonemap_name(kind), spread,
                         i, ipx[4 * i], ipx[4 * i + 1], ipx[4 * i + 2], ipx[4 * i + 3], gpx[4 * i],
                         gpx[4 * i + 1], gpx[4 * i + 2], gpx[4 * i + 3]);
        images_compared++;
        free(c32);
        free(ipx);
    }

    int bad = 0;
    for (int y = 0; y < g->h; y++) {
        for (int x = 0; x < g->w; x++) {
            size_t i = ((size_t)y * g->w + x) * 4;
            uint8_t ref[4];
            reference_pixel(g, &look, x, y, ref);
            if ((memcmp(gpx + i, cpx + i, 4) || memcmp(cpx + i, ref, 4)) && bad++ < 3)
                fprintf(stderr,
                        "%s %dx%d, %s, %s, floor %g, spread %d, background %u,%u,%u,%u: pixel %d,%d: "
                        "GL %u,%u,%u,%u CPU %u,%u,%u,%u reference %u,%u,%u,%u\n",
                        g->name, g->w, g->h, tonemap_name(kind), cmap, floor_, spread, bg[0], bg[1],
                        bg[2], bg[3], x, y, gpx[i], gpx[i + 1], gpx[i + 2], gpx[i + 3], cpx[i],
                        cpx[i + 1], cpx[i + 2], cpx[i + 3], ref[0], ref[1], ref[2], ref[3]);
        }
    }
    assert_int_equal(bad, 0);
    cases_run++;
    free(gpx);
    free(cpx);
    tonemap_table_free(&tb);
}

static void test_gl_and_cpu_agree(void **state)
{
    (void)state;
    static const int sizes[][2] = {{67, 45}, {1, 1}, {3, 200}, {301, 7}};
    static const char *cmaps[] = {"viridis", "inferno_r", "fire", "gray", "cividis"};
    static const float floors[] = {0.15f, 0.0f, 1.0f};
    static const uint8_t bgs[][4] = {{0, 0, 0, 255}, {255, 255, 255, 255}, {10, 20, 30, 0}, {200, 100, 50, 128}};
    uint64_t seed = 99;
    for (int kind = 0; kind < 7; kind++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            grid g = make_grid(kind, sizes[s][0], sizes[s][1], seed++);
            for (int k = TONEMAP_LINEAR; k <= TONEMAP_EQ_HIST; k++) {
                /* every tone map with each colormap; the other settings in turn */
                for (size_t c = 0; c < sizeof cmaps / sizeof cmaps[0]; c++) {
                    size_t r = (size_t)k + c + s + (size_t)kind;
                    compare(&g, (tonemap_kind)k, cmaps[c], floors[r % 3], (int)(r % 4) == 3 ? 2 : (int)(r % 2),
                            bgs[r % 4]);
                }
            }
            free(g.c);
        }
    }
    /* the largest point size the pass takes, and one it clamps */
    grid g = make_grid(0, 50, 40, 5);
    compare(&g, TONEMAP_EQ_HIST, "magma", 0.15f, 4, bgs[0]);
    free(g.c);
    fprintf(stderr, "%d cases, GL and CPU pixels identical; %d of them also drawn from an r32ui "
                    "count image, identical\n", cases_run, images_compared);
    assert_true(images_compared > cases_run / 2);
}

/* The streamed PNG decodes to the GL pass's picture: RGB on an opaque
 * background, RGBA on a translucent one; strips (about 1 MiB of rows) split
 * the picture in many pieces at this width. */
static void test_png_equals_gl(void **state)
{
    (void)state;
    grid g = make_grid(2, 1500, 700, 3);
    g.c[0] = 1;
    static const uint8_t bgs[][4] = {{0, 0, 0, 255}, {30, 60, 90, 100}};
    for (int b = 0; b < 2; b++) {
        for (int threads = 1; threads <= 3; threads += 2) {
            tonemap_table tb;
            assert_true(tonemap_table_build(TONEMAP_LOG, g.c, (size_t)g.w * g.h, &tb));
            tonemap_look look = {.table = &tb, .floor = 0.15f, .spread = b};
            assert_true(colormap_get("plasma", look.cmap));
            memcpy(look.background, bgs[b], 4);
            vp_err err;
            tonemap_pass *tp;
            assert_true(tonemap_pass_create(TONEMAP_LOG, &tp, &err));
            uint8_t *gpx = malloc((size_t)g.w * g.h * 4);
            assert_non_null(gpx);
            assert_true(tonemap_pass_render(tp, g.c, g.w, g.h, &look, gpx, &err));
            tonemap_pass_destroy(tp);

            const char *path = tu_path(dir, "stream.png");
            atomic_file af;
            assert_true(atomic_file_open(&af, path, &err));
            if (!plot_write_grid_png(&af, g.c, g.w, g.h, &look, threads, &err))
                fail_msg("%s", err.msg);
            assert_true(atomic_file_commit(&af, &err));
            uint8_t *back;
            int w, h;
            if (!png_read_rgba(path, &back, &w, &h, &err))
                fail_msg("%s", err.msg);
            assert_int_equal(w, g.w);
            assert_int_equal(h, g.h);
            size_t differ = 0;
            for (size_t i = 0; i < (size_t)w * h * 4; i++)
                differ += back[i] != (b == 0 && i % 4 == 3 ? 255 : gpx[i]);
            if (differ)
                fail_msg("background %d, %d threads: %zu channel values differ", b, threads, differ);
            free(back);
            free(gpx);
            tonemap_table_free(&tb);
        }
    }
    free(g.c);
}

/* Shades are monotonic in the count, and a count past the grid's largest
 * takes the largest's entry (the viewer shows an old grid while refining). */
static void test_shade_monotonic(void **state)
{
    (void)state;
    grid g = make_grid(1, 200, 100, 17);
    for (int k = TONEMAP_LINEAR; k <= TONEMAP_EQ_HIST; k++) {
        tonemap_table tb;
        assert_true(tonemap_table_build((tonemap_kind)k, g.c, (size_t)g.w * g.h, &tb));
        shade_table st;
        assert_true(shade_table_build(&tb, 0.15f, &st));
        assert_int_equal(shade_of(&st, 0), 0);
        uint16_t prev = 0;
        uint64_t c = 1;
        for (int i = 0; i < 4000; i++) {
            uint16_t s = shade_of(&st, c);
            assert_true(s >= prev && s >= 1 && s <= COLORMAP_SIZE);
            prev = s;
            uint64_t next = c < 70000 ? c + 1 : c + c / 50 + 1;
            if (next <= c) /* wrapped */
                break;
            c = next;
        }
        assert_int_equal(shade_of(&st, UINT64_MAX), shade_of(&st, tb.cmax));
        shade_table_free(&st);
        tonemap_table_free(&tb);
    }
    free(g.c);
}

/* tonemap_table_build splits grids of 8 M pixels and more over threads: the
 * statistics and the eq-hist table equal a one-pass reference. */
static void test_table_on_threads(void **state)
{
    (void)state;
    const size_t n = (size_t)4096 * 4096 + 3;
    uint64_t *c = calloc(n, sizeof *c), *hist = calloc(TONEMAP_LUT_MAX, sizeof *hist);
    assert_non_null(c);
    assert_non_null(hist);
    uint64_t seed = 5, cmin = UINT64_MAX, cmax = 0, nonzero = 0, nbig = 0;
    for (size_t i = 0; i < n; i++) {
        double u = tu_rand_unit(&seed);
        c[i] = u < 0.6 ? 0 : u < 0.99 ? 1 + tu_rand(&seed) % 300 : (uint64_t)exp(tu_rand_unit(&seed) * 14.0);
    }
    c[n - 1] = 2; /* the last part's tail counts */
    c[12345] = (uint64_t)1 << 36;
    for (size_t i = 0; i < n; i++) {
        if (!c[i])
            continue;
        cmin = c[i] < cmin ? c[i] : cmin;
        cmax = c[i] > cmax ? c[i] : cmax;
        nonzero++;
        if (c[i] < TONEMAP_LUT_MAX)
            hist[c[i]]++;
        else
            nbig++;
    }
    for (int k = TONEMAP_LINEAR; k <= TONEMAP_EQ_HIST; k++) {
        tonemap_table t;
        assert_true(tonemap_table_build((tonemap_kind)k, c, n, &t));
        assert_true(t.cmin == cmin && t.cmax == cmax && t.nonzero == nonzero);
        if (k == TONEMAP_EQ_HIST) {
            uint64_t cum = 0, cum_min = hist[cmin];
            for (uint32_t v = 1; v < t.lut_len; v++) {
                cum += hist[v];
                float want = cum <= cum_min ? 0.0f
                                            : (float)((double)(cum - cum_min) / (double)(nonzero - cum_min));
                if (t.lut[v] != want)
                    fail_msg("lut[%u] = %.9g, want %.9g", v, t.lut[v], want);
            }
            assert_true(t.big_len > 0 && t.big_len <= nbig);
            assert_true(t.big_values[t.big_len - 1] == cmax && t.big_levels[t.big_len - 1] == 1.0f);
        }
        tonemap_table_free(&t);
    }
    free(c);
    free(hist);
}

/* Picture mode (tonemap_pass_set_rgba): a finished RGBA picture comes back
 * from the pass byte for byte (translucent alphas too), at the identity
 * placement flipped for readback and unflipped (rows reversed); a placement
 * reaching outside the picture leaves the target as it was there; the next
 * count upload goes back to tone-mapping (the CPU's pixels), and the picture
 * mode comes back after it; a value picture (value_shade_rows) shows as
 * written. */
static void draw_read(tonemap_pass *tp, const tonemap_placement *pl, bool flip, int w, int h,
                      const uint8_t clear[4], uint8_t *out)
{
    vp_err err;
    gl_target tg;
    if (!gl_target_create(&tg, w, h, &err))
        fail_msg("%s", err.msg);
    gl_target_bind(&tg);
    glClearColor(clear[0] / 255.0f, clear[1] / 255.0f, clear[2] / 255.0f, clear[3] / 255.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    tonemap_pass_draw(tp, pl, flip);
    assert_int_equal(glGetError(), GL_NO_ERROR);
    if (!gl_target_read(&tg, out, false, &err))
        fail_msg("%s", err.msg);
    gl_target_destroy(&tg);
}

static void test_rgba_picture(void **state)
{
    (void)state;
    static const int sizes[][2] = {{67, 45}, {1, 1}, {3, 200}, {301, 7}};
    static const uint8_t clear[4] = {9, 8, 7, 6};
    vp_err err;
    tonemap_pass *tp;
    assert_true(tonemap_pass_create(TONEMAP_EQ_HIST, &tp, &err));
    uint64_t seed = 31;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        size_t n = (size_t)w * h * 4;
        uint8_t *pic = malloc(n), *back = malloc(n);
        assert_non_null(pic);
        assert_non_null(back);
        for (size_t i = 0; i < n; i++)
            pic[i] = (uint8_t)tu_rand(&seed);
        if (!tonemap_pass_set_rgba(tp, pic, w, h, &err))
            fail_msg("%s", err.msg);
        /* flipped, as tonemap_pass_render reads back: the bytes given */
        tonemap_placement id = {0, 0, w, h, 0, 0, w, h};
        draw_read(tp, &id, true, w, h, clear, back);
        if (memcmp(back, pic, n) != 0)
            fail_msg("%dx%d: the picture read back differs from the bytes given", w, h);
        /* unflipped (a window): GL's bottom row is the picture's bottom row */
        draw_read(tp, &id, false, w, h, clear, back);
        for (int y = 0; y < h; y++)
            assert_memory_equal(back + (size_t)y * w * 4, pic + (size_t)(h - 1 - y) * w * 4, (size_t)w * 4);
        /* moved by (3, 2) grid pixels: what lies outside the picture is not drawn */
        tonemap_placement moved = {0, 0, w, h, -3, -2, w, h};
        draw_read(tp, &moved, true, w, h, clear, back);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                /* readback row y (GL's row y) shows picture row y - 2, column x - 3 */
                int gx = x - 3, gy = y - 2;
                const uint8_t *got = back + ((size_t)y * w + x) * 4;
                const uint8_t *want = gx >= 0 && gy >= 0 && gx < w && gy < h ? pic + ((size_t)gy * w + gx) * 4
                                                                              : clear;
                if (memcmp(got, want, 4) != 0)
                    fail_msg("%dx%d moved: pixel (%d, %d) is %d,%d,%d,%d, want %d,%d,%d,%d", w, h, x, y,
                             got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3]);
            }
        free(pic);
        free(back);
    }

    /* counts again: tone-mapped as before; then a picture again */
    grid g = make_grid(2, 40, 30, 3);
    tonemap_table tb;
    assert_true(tonemap_table_build(TONEMAP_EQ_HIST, g.c, (size_t)g.w * g.h, &tb));
    tonemap_look look = {.table = &tb, .floor = 0.15f};
    assert_true(colormap_get("viridis", look.cmap));
    memcpy(look.background, (uint8_t[4]){0, 0, 0, 255}, 4);
    uint8_t *gpx = malloc((size_t)g.w * g.h * 4);
    if (!tonemap_pass_render(tp, g.c, g.w, g.h, &look, gpx, &err))
        fail_msg("%s", err.msg);
    uint8_t *cpx = cpu_picture(&g, &look);
    assert_memory_equal(gpx, cpx, (size_t)g.w * g.h * 4);

    /* a value picture as value_shade_rows writes it */
    value_look vl = {.vmin = -1, .vmax = 1, .background = {10, 20, 30, 40}};
    assert_true(colormap_get("coolwarm", vl.cmap));
    double *vals = malloc((size_t)g.w * g.h * sizeof *vals);
    for (size_t i = 0; i < (size_t)g.w * g.h; i++)
        vals[i] = i % 7 == 0 ? NAN : sin((double)i * 0.37) * 1.2;
    assert_true(value_shade_rows(&vl, vals, g.w, g.h, 0, g.h, cpx, (size_t)g.w * 4, 4));
    if (!tonemap_pass_set_rgba(tp, cpx, g.w, g.h, &err))
        fail_msg("%s", err.msg);
    tonemap_placement id = {0, 0, g.w, g.h, 0, 0, g.w, g.h};
    draw_read(tp, &id, true, g.w, g.h, (uint8_t[4]){0, 0, 0, 0}, gpx);
    assert_memory_equal(gpx, cpx, (size_t)g.w * g.h * 4);

    assert_false(tonemap_pass_set_rgba(tp, cpx, 0, 5, &err));
    fprintf(stderr, "(expected) %s\n", err.msg);
    free(vals);
    free(gpx);
    free(cpx);
    free(g.c);
    tonemap_table_free(&tb);
    tonemap_pass_destroy(tp);
    assert_int_equal(glGetError(), GL_NO_ERROR);
}

int main(void)
{
    if (!(gl = tu_gl_context()))
        return 77;
    dir = tu_tmpdir("test_shade");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gl_and_cpu_agree),
        cmocka_unit_test(test_png_equals_gl),
        cmocka_unit_test(test_shade_monotonic),
        cmocka_unit_test(test_table_on_threads),
        cmocka_unit_test(test_rgba_picture),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glctx_destroy(gl);
    return rc;
}
