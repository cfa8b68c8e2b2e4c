/* Saved views (src/app/views.c): written and read back equal, every key
 * exactly (17 digits); bad files refused with the file, the line and what was
 * expected; the viewer's append adds the header once; render --views' -o
 * patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/script.h"
#include "app/views.h"
#include "testutil.h"

static vp_view sample(int k)
{
    vp_view v = {0};
    snprintf(v.title, sizeof v.title, "Slide %d: the = sign stays", k);
    if (k % 2)
        snprintf(v.caption, sizeof v.caption, "All 10^8 samples # not a comment");
    v.xlim_set = true;
    v.xlim[0] = -2.5 + 0.1 * k, v.xlim[1] = 3.5 / 3.0;
    v.ylim_set = k != 2;
    v.ylim[0] = 1e-300, v.ylim[1] = -1.0 / 7.0; /* reversed: flips the axis */
    v.size_set = true;
    v.width = 1920 * k, v.height = 1080;
    v.tonemap_set = k != 3;
    v.tonemap = k == 1 ? TONEMAP_LOG : TONEMAP_EQ_HIST;
    if (k != 2)
        snprintf(v.colormap, sizeof v.colormap, "%s", k == 1 ? "viridis" : "fire_r");
    if (k == 3)
        snprintf(v.xlabel, sizeof v.xlabel, "x / m"), snprintf(v.ylabel, sizeof v.ylabel, "y / s");
    for (int i = 0; i < k - 1; i++)
        snprintf(v.inputs[v.n_inputs++], sizeof v.inputs[0], "/data/run %d.f32", i);
    /* annotations, in order: k of them, text and arrows, one without a label */
    for (int i = 0; i < k; i++) {
        overlay_annot *a = &v.annots[v.n_annots++];
        a->arrow = i % 2 == 1;
        a->x0 = 0.1 * i - 1.0 / 3.0, a->y0 = 1e-7 * k;
        a->x1 = a->arrow ? 2.0 / 3.0 : a->x0, a->y1 = a->arrow ? -1e300 : a->y0;
        if (i != 1)
            snprintf(a->text, sizeof a->text, "note %d = \xce\xbb peak", i);
    }
    return v;
}

static void test_round_trip(void **state)
{
    (void)state;
    vp_view in[3] = {sample(1), sample(2), sample(3)};
    vp_views vs = {in, 3};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_true(views_write(f, &vs));
    fclose(f);
    vp_views back;
    vp_err err = {{0}};
    if (!views_parse(text, len, "t.views", &back, &err))
        fail_msg("%s\n%s", err.msg, text);
    assert_int_equal(back.n, 3);
    for (int i = 0; i < 3; i++)
        assert_true(views_equal(&in[i], &back.v[i]));
    assert_int_equal(back.v[0].line, 3);
    views_free(&back);
    free(text);

    /* the brief's example, as a person writes it */
    const char *hand = "# vastplot views 1\n[view]\ntitle = Overview\ncaption = All 10^8 samples\n"
                       "xlim = -2.5 3.5\nylim = -1 1\nsize = 1920x1080\ntonemap = eq-hist\ncolormap = inferno\n"
                       "\n  # a comment\n[view]\r\n  title=Zoom  \r\n";
    assert_true(views_parse(hand, strlen(hand), "h", &back, &err));
    assert_int_equal(back.n, 2);
    assert_string_equal(back.v[0].title, "Overview");
    assert_string_equal(back.v[0].caption, "All 10^8 samples");
    assert_true(back.v[0].xlim[0] == -2.5 && back.v[0].xlim[1] == 3.5 && back.v[0].ylim_set);
    assert_int_equal(back.v[0].width, 1920);
    assert_int_equal(back.v[0].tonemap, TONEMAP_EQ_HIST);
    assert_string_equal(back.v[1].title, "Zoom");
    assert_false(back.v[1].xlim_set || back.v[1].size_set || back.v[1].tonemap_set);
    assert_int_equal(back.v[1].n_annots, 0);
    /* applied: the given keys replace the options, the rest stay */
    vp_options o = {.width = 640, .height = 480, .colormap = "gray", .tonemap = TONEMAP_LINEAR};
    views_apply(&back.v[1], &o);
    assert_int_equal(o.width, 640);
    assert_string_equal(o.colormap, "gray");
    assert_string_equal(o.title, "Zoom");
    views_apply(&back.v[0], &o);
    assert_true(o.xlim_set && o.ylim_set && o.size_set && o.width == 1920 && o.height == 1080);
    assert_string_equal(o.colormap, "inferno");
    assert_int_equal(o.tonemap, TONEMAP_EQ_HIST);
    views_free(&back);
}

/* refused, the message naming the line and holding needle */
static void bad(const char *text, const char *where, const char *needle)
{
    vp_views vs;
    vp_err err = {{0}};
    if (views_parse(text, strlen(text), "talk.views", &vs, &err))
        fail_msg("accepted: %s", text);
    assert_null(vs.v);
    if (!strstr(err.msg, where) || !strstr(err.msg, needle))
        fail_msg("\"%s\": expected \"%s\" and \"%s\"", err.msg, where, needle);
}

static void test_bad_files(void **state)
{
    (void)state;
    bad("", "talk.views:1:", "# vastplot views 1");
    bad("[view]\n", "talk.views:1:", "expected the first line");
    bad("# vastplot views 2\n", "talk.views:1:", "# vastplot views 1");
    bad("# vastplot views 1\ntitle = x\n", "talk.views:2:", "expected [view]");
    bad("# vastplot views 1\n[view]\n\ntitle x\n", "talk.views:4:", "expected KEY = VALUE");
    bad("# vastplot views 1\n[view]\nzoom = 2\n", "talk.views:3:", "unknown key \"zoom\"");
    bad("# vastplot views 1\n[view]\nxlim = 1\n", "talk.views:3:", "two different finite numbers");
    bad("# vastplot views 1\n[view]\nxlim = 1 1\n", "talk.views:3:", "two different");
    bad("# vastplot views 1\n[view]\nylim = 0 nan\n", "talk.views:3:", "ylim");
    bad("# vastplot views 1\n[view]\nxlim = 0 1 2\n", "talk.views:3:", "xlim");
    bad("# vastplot views 1\n[view]\nsize = 1920\n", "talk.views:3:", "WIDTHxHEIGHT");
    bad("# vastplot views 1\n[view]\nsize = 0x10\n", "talk.views:3:", "WIDTHxHEIGHT");
    bad("# vastplot views 1\n[view]\ntonemap = loud\n", "talk.views:3:", "eq-hist");
    bad("# vastplot views 1\n[view]\ncolormap = nope\n", "talk.views:3:", "unknown \"nope\"");
    bad("# vastplot views 1\n[view]\ntitle = a\ntitle = b\n", "talk.views:4:", "twice");
    bad("# vastplot views 1\n[slide]\n", "talk.views:2:", "expected [view]");
    bad("# vastplot views 1\n[view]\ntext = 1 2\n", "talk.views:3:", "text: a label is needed");
    bad("# vastplot views 1\n[view]\ntext = 1 Peak\n", "talk.views:3:", "text: expected X Y");
    bad("# vastplot views 1\n[view]\narrow = 1 2 3 Peak\n", "talk.views:3:", "arrow: expected X0 Y0 X1 Y1");
    bad("# vastplot views 1\n[view]\narrow = 1 2 3 inf\n", "talk.views:3:", "arrow: expected");
    bad("# vastplot views 1\n[view]\narrow = 1 2 3 4x\n", "talk.views:3:", "arrow: expected");
    {
        char many[4096] = "# vastplot views 1\n[view]\n";
        for (int i = 0; i <= VIEWS_ANNOTS_MAX; i++)
            snprintf(many + strlen(many), sizeof many - strlen(many), "text = %d 0 n\n", i);
        bad(many, "talk.views:35:", "more than 32 annotations");
    }
    /* inputs: relative to the views file's folder, absolute as they are */
    {
        vp_views a;
        vp_err e;
        const char *t = "# vastplot views 1\n[view]\ninput = d.f32\ninput = /abs/e.csv\ninput = sub/f.npy\n";
        assert_true(views_parse(t, strlen(t), "talks/t.views", &a, &e));
        assert_int_equal(a.v[0].n_inputs, 3);
        assert_string_equal(a.v[0].inputs[0], "talks/d.f32");
        assert_string_equal(a.v[0].inputs[1], "/abs/e.csv");
        assert_string_equal(a.v[0].inputs[2], "talks/sub/f.npy");
        vp_options o = {.ninputs = 1, .inputs = {"cli.f32"}};
        views_apply(&a.v[0], &o);
        assert_int_equal(o.ninputs, 3);
        assert_string_equal(o.inputs[2], "talks/sub/f.npy");
        const char *same[] = {"talks/d.f32", "/abs/e.csv", "talks/sub/f.npy"};
        assert_false(views_inputs_differ(&a.v[0], same, 3));
        assert_true(views_inputs_differ(&a.v[0], same, 2));
        views_free(&a);
        assert_true(views_parse(t, strlen(t), "t.views", &a, &e));
        assert_string_equal(a.v[0].inputs[0], "d.f32");
        views_free(&a);
        t = "# vastplot views 1\n[view]\ntitle = none\n";
        assert_true(views_parse(t, strlen(t), "t.views", &a, &e));
        assert_false(views_inputs_differ(&a.v[0], same, 3)); /* names none */
        o.ninputs = 1;
        views_apply(&a.v[0], &o);
        assert_int_equal(o.ninputs, 1);
        views_free(&a);
    }
    bad("# vastplot views 1\n[view]\ninput =\n", "talk.views:3:", "input: expected a file's path");
    {
        char many[4096] = "# vastplot views 1\n[view]\n";
        for (int i = 0; i <= VIEWS_INPUTS_MAX; i++)
            snprintf(many + strlen(many), sizeof many - strlen(many), "input = f%d\n", i);
        bad(many, "talk.views:19:", "more than 16 inputs");
    }
    /* a hand-written annotation, label spaces kept inside */
    {
        vp_views a;
        vp_err e;
        const char *t = "# vastplot views 1\n[view]\narrow =  -1.5 2e3  0 0   the  peak \ntext = 3 4 x\n";
        assert_true(views_parse(t, strlen(t), "a", &a, &e));
        assert_int_equal(a.v[0].n_annots, 2);
        assert_true(a.v[0].annots[0].arrow && a.v[0].annots[0].x0 == -1.5 && a.v[0].annots[0].y0 == 2e3);
        assert_string_equal(a.v[0].annots[0].text, "the  peak");
        assert_true(!a.v[0].annots[1].arrow && a.v[0].annots[1].x1 == 3 && a.v[0].annots[1].y1 == 4);
        vp_options o = {0};
        views_apply(&a.v[0], &o);
        assert_true(o.n_annots == 2 && o.annots == a.v[0].annots);
        views_free(&a);
    }
    /* a duplicate key in a new view is fine */
    vp_views vs;
    vp_err err;
    const char *ok = "# vastplot views 1\n[view]\ntitle = a\n[view]\ntitle = b";
    assert_true(views_parse(ok, strlen(ok), "x", &vs, &err));
    assert_int_equal(vs.n, 2);
    views_free(&vs);
}

static void test_append(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("test_views");
    char path[4096];
    snprintf(path, sizeof path, "%s", tu_path(dir, "a.views"));
    remove(path);
    vp_err err = {{0}};
    vp_view a = sample(1), b = sample(2);
    assert_true(views_append(path, &a, &err));
    assert_true(views_append(path, &b, &err));
    vp_views vs;
    assert_true(views_load(path, &vs, &err));
    assert_int_equal(vs.n, 2);
    assert_true(views_equal(&vs.v[0], &a) && views_equal(&vs.v[1], &b));
    views_free(&vs);
    /* not a views file: left alone */
    tu_write_text(path, "x,y\n1,2\n");
    assert_false(views_append(path, &a, &err));
    assert_non_null(strstr(err.msg, "not appending"));
    assert_false(views_load(tu_path(dir, "missing.views"), &vs, &err));
}

static void test_output_names(void **state)
{
    (void)state;
    char s[64];
    assert_int_equal(views_output_name("slide-%02d.png", 3, s, sizeof s), 1);
    assert_string_equal(s, "slide-03.png");
    assert_int_equal(views_output_name("s%d.png", 12, s, sizeof s), 1);
    assert_string_equal(s, "s12.png");
    assert_int_equal(views_output_name("100%%-%3d.png", 7, s, sizeof s), 1);
    assert_string_equal(s, "100%-  7.png");
    assert_int_equal(views_output_name("one.png", 1, s, sizeof s), 0);
    assert_string_equal(s, "one.png");
    assert_int_equal(views_output_name("a%s.png", 1, s, sizeof s), -1);
    assert_int_equal(views_output_name("a%d%d.png", 1, s, sizeof s), -1);
    assert_int_equal(views_output_name("a%", 1, s, sizeof s), -1);
    assert_int_equal(views_output_name("a%d.png", 1, s, 0), 1); /* only checks */
    assert_int_equal(views_output_name("aaaaaaaa%d.png", 1, s, 8), -1);
}

/* the viewer's script: `view save NAME` beside `view X0 X1 Y0 Y1` */
static void test_script_view_save(void **state)
{
    (void)state;
    script sc;
    vp_err err = {{0}};
    const char *t = "view 0 1 2 3\nview save  The left lobe  \nview saved 1 2 3 4\n";
    assert_false(script_parse(t, strlen(t), "s.txt", &sc, &err)); /* "saved" is no number */
    assert_non_null(strstr(err.msg, "s.txt:3:"));
    t = "view 0 1 2 3\nview save  The left lobe  \n";
    assert_true(script_parse(t, strlen(t), "s.txt", &sc, &err));
    assert_int_equal(sc.n, 2);
    assert_int_equal(sc.cmds[0].op, SCRIPT_VIEW);
    assert_int_equal(sc.cmds[1].op, SCRIPT_VIEW_SAVE);
    assert_string_equal(sc.cmds[1].text, "The left lobe");
    script_free(&sc);
    t = "view save\n";
    assert_false(script_parse(t, strlen(t), "s.txt", &sc, &err));
    assert_non_null(strstr(err.msg, "s.txt:1: view save needs a NAME"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_output_names),
        cmocka_unit_test(test_script_view_save),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
