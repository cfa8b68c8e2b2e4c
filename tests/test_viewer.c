/* The viewer in a real window under Xvfb, driven by --script: a screenshot
 * after `view` equals `vastplot render` of the same limits, and pan, zoom
 * about the cursor, box zoom, reset and back give the expected view limits.
 * Also the navigation math on its own. Skips (77) without Xvfb or GL 4.5. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/viewstate.h"
#include "out/png_out.h"
#include "testutil.h"

static const char *bin, *dir;
static char display[32];
static pid_t xvfb = -1;

static int run(const char *args)
{
    char cmd[16384 + 512];
    snprintf(cmd, sizeof cmd, "DISPLAY=%s '%s' %s", display, bin, args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool start_xvfb(void)
{
    if (system("command -v Xvfb >/dev/null 2>&1") != 0)
        return false;
    for (int n = 90; n < 140; n++) {
        char lock[64];
        snprintf(lock, sizeof lock, "/tmp/.X%d-lock", n);
        if (access(lock, F_OK) == 0)
            continue;
        snprintf(display, sizeof display, ":%d", n);
        xvfb = fork();
        if (xvfb == 0) {
            execlp("Xvfb", "Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp",
                   (char *)NULL);
            _exit(127);
        }
        char sock[64];
        snprintf(sock, sizeof sock, "/tmp/.X11-unix/X%d", n);
        for (int i = 0; i < 100; i++) {
            if (access(sock, F_OK) == 0)
                return true;
            usleep(50000);
        }
        kill(xvfb, SIGTERM);
        waitpid(xvfb, NULL, 0);
        xvfb = -1;
    }
    return false;
}

static void stop_xvfb(void)
{
    if (xvfb > 0) {
        kill(xvfb, SIGTERM);
        waitpid(xvfb, NULL, 0);
    }
}

/* "view": [x0, x1, y0, y1] from a stats JSON file */
static void read_view(const char *path, double l[4])
{
    char buf[4096];
    tu_read_text(path, buf, sizeof buf);
    const char *p = strstr(buf, "\"view\": [");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "\"view\": [%lf, %lf, %lf, %lf]", &l[0], &l[1], &l[2], &l[3]), 4);
}

static const char *write_script(const char *name, const char *text)
{
    const char *path = tu_path(dir, name);
    tu_write_file(path, text, strlen(text));
    return path;
}

static char data[4096];

static void make_data(void)
{
    snprintf(data, sizeof data, "%s", tu_path(dir, "pts.f32"));
    const size_t n = 300000;
    float *xy = malloc(n * 2 * sizeof *xy);
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++) {
        double r = tu_rand_unit(&s), a = tu_rand_unit(&s) * 6.283185307179586;
        xy[2 * i] = (float)(r * cos(a) * 10 + 3);
        xy[2 * i + 1] = (float)(r * r * sin(a) * 5 - 1);
    }
    tu_write_file(data, xy, n * 2 * sizeof *xy);
    free(xy);
}

/* Two PNG files with the same pixels (what: for the message). */
static void assert_pngs_equal(const char *shot, const char *ref, const char *what)
{
    uint8_t *a = NULL, *b = NULL;
    int aw = 0, ah = 0, bw = 0, bh = 0;
    vp_err err;
    if (!png_read_rgba(shot, &a, &aw, &ah, &err) || !png_read_rgba(ref, &b, &bw, &bh, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(aw, bw);
    assert_int_equal(ah, bh);
    int differ = 0;
    for (int i = 0; i < aw * ah * 4; i++)
        differ += a[i] != b[i];
    if (differ)
        fail_msg("%s: %d of %d channel values differ", what, differ, aw * ah * 4);
    free(a);
    free(b);
}

/* engine: "cpu" or "gpu" (GPU-resident refinement); both bin with the exact
 * rule of view.h, so the screenshot has the render's pixels */
static void screenshot_case(const char *engine)
{
    char script[1024], args[16384];
    const char *shot = tu_path(dir, "shot.png"), *ref = tu_path(dir, "ref.png");
    snprintf(script, sizeof script,
             "key H\nview -4 9 -5.5 3\nwait-refined\nscreenshot %s\nquit\n", shot);
    const char *sp = write_script("shot.txt", script);
    snprintf(args, sizeof args, "view '%s' --size 400x300 --script '%s' --accumulate %s -q", data, sp,
             engine);
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args, "render '%s' --xlim -4 9 --ylim -5.5 3 --size 400x300 -o '%s' -q",
             data, ref);
    assert_int_equal(run(args), 0);
    assert_pngs_equal(shot, ref, engine);
}

static void test_screenshot_equals_render(void **state)
{
    (void)state;
    screenshot_case("cpu"); /* one rendering path: identical pixels */
    screenshot_case("gpu");
}

/* A zoom to a width of 1e-300 (data of that size, float64) draws every sample
 * inside, on both engines, and its screenshot equals the render of the view. */
/* A new tone map (key T) on a complete view redraws the grid already there
 * with the new table: the screenshot equals render --tonemap log (the next in
 * the cycle after eq-hist), once the key's message has gone. */
static void tonemap_key_case(const char *engine)
{
    char script[1024], args[16384];
    const char *shot = tu_path(dir, "shot_t.png"), *ref = tu_path(dir, "ref_t.png");
    snprintf(script, sizeof script,
             "key H\nview -4 9 -5.5 3\nwait-refined\nkey T\nwait 3300\nwait-refined\nscreenshot %s\nquit\n",
             shot);
    const char *sp = write_script("tonemap.txt", script);
    snprintf(args, sizeof args, "view '%s' --size 400x300 --script '%s' --accumulate %s -q", data, sp,
             engine);
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args,
             "render '%s' --xlim -4 9 --ylim -5.5 3 --size 400x300 --tonemap log -o '%s' -q", data, ref);
    assert_int_equal(run(args), 0);
    assert_pngs_equal(shot, ref, engine);
}

static void test_tonemap_key(void **state)
{
    (void)state;
    tonemap_key_case("cpu");
    tonemap_key_case("gpu");
}

/* A third column: x, y, w float32 records; w = x + y/2 plus noise, and a
 * category code 0..4 by angle (skip_code: leave out the records of that
 * category, -1: none). */
static void make_xyw(const char *path, bool codes, int skip_code)
{
    const size_t n = 200000;
    float *r = malloc(n * 3 * sizeof *r);
    size_t m = 0;
    uint64_t s = 11;
    for (size_t i = 0; i < n; i++) {
        double a = tu_rand_unit(&s) * 6.283185307179586, d = tu_rand_unit(&s);
        float x = (float)(d * cos(a) * 10 + 3), y = (float)(d * sin(a) * 5 - 1);
        int c = (int)(a / 6.283185307179586 * 5);
        if (codes && c == skip_code)
            continue;
        r[3 * m] = x;
        r[3 * m + 1] = y;
        r[3 * m + 2] = codes ? (float)c : (float)(x + y / 2 + tu_rand_unit(&s));
        m++;
    }
    tu_write_file(path, r, m * 3 * sizeof *r);
    free(r);
}

/* --value: the viewer's screenshot (refined on the CPU whatever the engine)
 * equals render's picture of the view; --by: hiding category 0 (script `category 0 0`, shaded
 * again from the grid held) gives render's picture of the data without it. */
static void test_values_and_categories(void **state)
{
    (void)state;
    char script[2048], args[16384];
    const char *vals = tu_path(dir, "xyw.f32"), *cats = tu_path(dir, "xyc.f32"),
               *cats_but0 = tu_path(dir, "xyc_but0.f32");
    make_xyw(vals, false, -1);
    make_xyw(cats, true, -1);
    make_xyw(cats_but0, true, 0);
    const char *shot = tu_path(dir, "shot_v.png"), *ref = tu_path(dir, "ref_v.png");
    const char *lay = "--dtype f32 --columns 3 --size 400x300";
    /* without the overlay: its status line is the viewer's own */
    for (int overlay = 0; overlay < 1; overlay++) {
        snprintf(script, sizeof script, "%sview -4 9 -5.5 3\nwait-refined\nscreenshot %s\nquit\n",
                 overlay ? "" : "key H\n", shot);
        const char *sp = write_script("values.txt", script);
        snprintf(args, sizeof args, "view '%s' %s --value 2 --agg std --cmap coolwarm --script '%s' -q", vals, lay,
                 sp);
        assert_int_equal(run(args), 0);
        snprintf(args, sizeof args,
                 "render '%s' %s --value 2 --agg std --cmap coolwarm --xlim -4 9 --ylim -5.5 3 %s -o '%s' -q",
                 vals, lay, overlay ? "--overlay" : "", ref);
        assert_int_equal(run(args), 0);
        assert_pngs_equal(shot, ref, overlay ? "std with the overlay" : "std");
    }
    /* the status line of `category` is gone after 3 s */
    snprintf(script, sizeof script,
             "key H\nview -4 9 -5.5 3\nwait-refined\ncategory 0 0\nwait 3300\nwait-refined\nscreenshot %s\nquit\n",
             shot);
    const char *sp = write_script("cats.txt", script);
    snprintf(args, sizeof args, "view '%s' %s --by 2 --script '%s' -q", cats, lay, sp);
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args, "render '%s' %s --by 2 --xlim -4 9 --ylim -5.5 3 -o '%s' -q", cats_but0, lay, ref);
    assert_int_equal(run(args), 0);
    assert_pngs_equal(shot, ref, "category 0 hidden");
}

static void test_deep_zoom_1e300(void **state)
{
    (void)state;
    char path[4096], stats[4096], shot[4096], ref[4096]; /* tu_path reuses its buffer */
    snprintf(path, sizeof path, "%s", tu_path(dir, "tiny.f64"));
    snprintf(stats, sizeof stats, "%s", tu_path(dir, "tiny.json"));
    snprintf(shot, sizeof shot, "%s", tu_path(dir, "tiny.png"));
    snprintf(ref, sizeof ref, "%s", tu_path(dir, "tiny-ref.png"));
    const size_t n = 20000;
    double *xy = malloc(n * 2 * sizeof *xy);
    uint64_t s = 11, inside = 0;
    for (size_t i = 0; i < n; i++) {
        xy[2 * i] = tu_rand_unit(&s) * 2e-300;
        xy[2 * i + 1] = tu_rand_unit(&s) * 2e-300 - 0.5e-300;
        inside += xy[2 * i] <= 1e-300 && xy[2 * i + 1] >= 0 && xy[2 * i + 1] <= 1e-300;
    }
    tu_write_file(path, xy, n * 2 * sizeof *xy);
    free(xy);
    const char *engines[2] = {"cpu", "gpu"};
    for (int e = 0; e < 2; e++) {
        char script[10000], args[16384], buf[4096];
        snprintf(script, sizeof script,
                 "key H\nview 0 1e-300 0 1e-300\nwait-refined\nstats %s\nscreenshot %s\nquit\n", stats,
                 shot);
        const char *sp = write_script("tiny.txt", script);
        snprintf(args, sizeof args, "view '%s' --dtype f64 --size 300x200 --script '%s' --accumulate %s -q",
                 path, sp, engines[e]);
        assert_int_equal(run(args), 0);
        tu_read_text(stats, buf, sizeof buf);
        const char *p = strstr(buf, "\"points_drawn\": ");
        assert_non_null(p);
        unsigned long long drawn = strtoull(p + strlen("\"points_drawn\": "), NULL, 10);
        if (drawn != inside)
            fail_msg("%s: %llu points drawn at a width of 1e-300, %llu are inside", engines[e], drawn,
                     (unsigned long long)inside);
        snprintf(args, sizeof args,
                 "render '%s' --dtype f64 --xlim 0 1e-300 --ylim 0 1e-300 --size 300x200 -o '%s' -q",
                 path, ref);
        assert_int_equal(run(args), 0);
        assert_pngs_equal(shot, ref, engines[e]);
    }
}

static void test_navigation(void **state)
{
    (void)state;
    /* expected limits from the navigation math, checked independently below */
    char script[8192], args[16384];
    const char *s1 = tu_path(dir, "s1.json"), *s2 = tu_path(dir, "s2.json"), *s3 = tu_path(dir, "s3.json"),
               *s4 = tu_path(dir, "s4.json"), *s5 = tu_path(dir, "s5.json");
    snprintf(script, sizeof script,
             "key H\n"
             "view 0 100 0 50\nstats %s\n"
             "drag 200 100 300 150\nstats %s\n"   /* pan: content follows the mouse */
             "wheel 100 75 1\nstats %s\n"         /* zoom in 1.25x about pixel (100, 75) */
             "key BackSpace\nkey BackSpace\nstats %s\n"
             "box 100 75 300 225\nkey Home\nkey BackSpace\nstats %s\nquit\n",
             s1, s2, s3, s4, s5);
    const char *sp = write_script("nav.txt", script);
    snprintf(args, sizeof args, "view '%s' --size 400x300 --script '%s' -q", data, sp);
    assert_int_equal(run(args), 0);
    double l[4];
    read_view(s1, l);
    assert_true(l[0] == 0 && l[1] == 100 && l[2] == 0 && l[3] == 50);
    read_view(s2, l); /* 100 px right = 25 units; 50 px down = 8.333 units */
    assert_true(fabs(l[0] - -25) < 1e-9 && fabs(l[1] - 75) < 1e-9);
    assert_true(fabs(l[2] - 50.0 / 6) < 1e-9 && fabs(l[3] - (50 + 50.0 / 6)) < 1e-9);
    read_view(s3, l); /* the data point under (100, 75) stays put */
    double cx = -25 + 100 * 100.0 / 400, cy = 50 + 50.0 / 6 - 50 * 75.0 / 300;
    assert_true(fabs(l[0] - (cx - (cx - -25) / 1.25)) < 1e-9);
    assert_true(fabs(l[3] - (cy + (50 + 50.0 / 6 - cy) / 1.25)) < 1e-9);
    read_view(s4, l); /* back twice: the start */
    assert_true(l[0] == 0 && l[1] == 100 && l[2] == 0 && l[3] == 50);
    read_view(s5, l); /* box (100,75)-(300,225) of [0,100]x[0,50], then Home, then back */
    assert_true(fabs(l[0] - 25) < 1e-9 && fabs(l[1] - 75) < 1e-9);
    assert_true(fabs(l[2] - 12.5) < 1e-9 && fabs(l[3] - 37.5) < 1e-9);
}

/* --follow in the window: rows appended while it runs all arrive, and the
 * strip-chart window follows the newest x. */
static void test_follow_window(void **state)
{
    (void)state;
    char path[4096], script[8192], args[16384];
    snprintf(path, sizeof path, "%s/live.csv", dir);
    const char *stats = tu_path(dir, "live.json");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "t,v\n");
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 1; i <= 60; i++) {
            FILE *a = fopen(path, "a");
            fprintf(a, "%d,%d\n", i, i % 7);
            fclose(a);
            usleep(15000);
        }
        _exit(0);
    }
    snprintf(script, sizeof script, "wait 2500\nstats %s\nquit\n", stats);
    const char *sp = write_script("live.txt", script);
    snprintf(args, sizeof args, "view --follow '%s' --window-x 10 --size 400x300 --script '%s' -q",
             path, sp);
    assert_int_equal(run(args), 0);
    waitpid(pid, NULL, 0);
    char buf[4096];
    tu_read_text(stats, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"points_total\": 60,"));
    double l[4];
    read_view(stats, l);
    assert_true(fabs(l[1] - 60) < 1e-9 && fabs(l[0] - 50) < 1e-9); /* the last 10 units of x */
}

/* `view -`: standard input drawn as it arrives, every row counted. */
static void test_stdin_stream(void **state)
{
    (void)state;
    char script[8192], args[16384], cmd[20000];
    const char *stats = tu_path(dir, "stdin.json");
    snprintf(script, sizeof script, "wait 1500\nstats %s\nquit\n", stats);
    const char *sp = write_script("stdin.txt", script);
    snprintf(args, sizeof args, "view - --size 400x300 --script '%s' -q", sp);
    snprintf(cmd, sizeof cmd, "(for i in $(seq 1 40); do echo \"$i $((i %% 7))\"; sleep 0.01; done) | "
             "DISPLAY=%s '%s' %s", display, bin, args);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    char buf[4096];
    tu_read_text(stats, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"points_total\": 40,"));
}

/* A text file big enough to take a while to parse: the viewer draws while it
 * is parsed, and once parsed (and once from the column cache at once), its
 * screenshot equals `render` of the same file, pixel for pixel. */
static void test_text_while_parsing(void **state)
{
    (void)state;
    const char *csv = tu_path(dir, "parse.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("x,y\n", f);
    uint64_t h = 12345;
    for (int i = 0; i < 6000000; i++) {
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        fprintf(f, "%.5f,%.4f\n", (double)(h >> 40) / 16777216.0 * 4 - 2,
                (double)((h >> 16) & 0xffffff) / 16777216.0 * (double)(i % 5 + 1));
    }
    fclose(f);
    char script[2048], args[16384], json[4096];
    const char *shot = tu_path(dir, "parse_shot.png"), *ref = tu_path(dir, "parse_ref.png");
    const char *stats = tu_path(dir, "parse.json");
    snprintf(script, sizeof script, "key H\nwait-refined\nstats %s\nscreenshot %s\nquit\n", stats, shot);
    const char *sp = write_script("parse.txt", script);
    snprintf(args, sizeof args, "view '%s' --size 400x300 --script '%s' -q", csv, sp);
    assert_int_equal(run(args), 0);
    tu_read_text(stats, json, sizeof json);
    assert_non_null(strstr(json, "\"points_total\": 6000000,"));
    const char *fw = strstr(json, "\"frames_while_loading\": ");
    assert_non_null(fw);
    if (atoi(fw + strlen("\"frames_while_loading\": ")) < 1)
        fail_msg("no frame drawn while the text was parsed: %s", json);
    snprintf(args, sizeof args, "render '%s' --size 400x300 -o '%s' -q --no-cache", csv, ref);
    assert_int_equal(run(args), 0);
    assert_pngs_equal(shot, ref, "text viewed while parsed");
    /* the second time the column cache has it: complete at once, same picture */
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args, "view '%s' --size 400x300 --script '%s' -q", csv, sp);
    assert_int_equal(run(args), 0);
    assert_pngs_equal(shot, ref, "text viewed from the column cache");
    unlink(csv);
}

/* Files the viewer writes never replace an input (also through a symlink) or
 * the --script file; screenshots taken in quick succession all stay. */
static void refused_case(const char *script_text, const char *want, const char *intact,
                         const char *intact_text, size_t intact_len)
{
    char args[16384], msg[4096];
    const char *sp = write_script("refuse.txt", script_text);
    const char *errf = tu_path(dir, "refuse.err");
    snprintf(args, sizeof args, "view '%s' --size 200x150 --script '%s' -q 2>'%s'",
             tu_path(dir, "small.f32"), sp, errf);
    assert_int_equal(run(args), 1);
    tu_read_text(errf, msg, sizeof msg);
    if (!strstr(msg, want))
        fail_msg("stderr \"%s\" lacks \"%s\"", msg, want);
    char back[8192] = {0};
    FILE *f = fopen(intact, "rb");
    assert_non_null(f);
    size_t got = fread(back, 1, sizeof back, f);
    fclose(f);
    assert_int_equal(got, intact_len);
    assert_memory_equal(back, intact_text, intact_len);
    char cmd[8500];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q -e '\\.tmp-' -e vastplot-tmp", dir);
    assert_int_not_equal(system(cmd), 0); /* no temporary file left */
}

static void test_outputs_guarded(void **state)
{
    (void)state;
    const float small[6] = {0, 0, 1, 1, 2, 0.5f};
    char in[4200], link[4200], sp[4200]; /* tu_path's buffers rotate */
    snprintf(in, sizeof in, "%s/small.f32", dir);
    snprintf(link, sizeof link, "%s/small-link.png", dir);
    snprintf(sp, sizeof sp, "%s/refuse.txt", dir);
    tu_write_file(in, small, sizeof small);
    unlink(link);
    assert_int_equal(symlink("small.f32", link), 0);
    char script[8192];
    snprintf(script, sizeof script, "wait-refined\nscreenshot %s\nquit\n", in);
    refused_case(script, "small.f32: is also an input", in, (const char *)small, sizeof small);
    snprintf(script, sizeof script, "wait-refined\nscreenshot %s\nquit\n", link);
    refused_case(script, "small-link.png: is also an input", in, (const char *)small, sizeof small);
    snprintf(script, sizeof script, "stats %s\nquit\n", in);
    refused_case(script, "small.f32: is also an input", in, (const char *)small, sizeof small);
    snprintf(script, sizeof script, "stats %s\nquit\n", sp);
    refused_case(script, "refuse.txt: is also the --script file", sp, script, strlen(script));

    /* three screenshots (S key) well within one second: three files */
    char shots[4200], args[16384], cmd[9000];
    snprintf(shots, sizeof shots, "%s/shots", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", shots, shots);
    assert_int_equal(system(cmd), 0);
    const char *sp2 = write_script("shots.txt", "wait-refined\nkey S\nwait 100\nkey S\nwait 100\n"
                                                "key S\nwait 100\nquit\n");
    snprintf(args, sizeof args, "view '%s' --size 200x150 --script '%s' --screenshot-dir '%s' -q", in,
             sp2, shots);
    assert_int_equal(run(args), 0);
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | grep -c '^vastplot-[0-9]\\{8\\}-[0-9]\\{6\\}-[0-9]\\{3\\}.*\\.png$') = 3 "
             "&& test $(ls '%s' | wc -l) = 3", shots, shots);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof cmd, "ls -l '%s' >&2", shots);
        (void)!system(cmd);
        fail_msg("three screenshots did not give three files");
    }
}

/* The navigation math alone. */
static void test_viewstate(void **state)
{
    (void)state;
    viewstate s;
    double full[4] = {-1, 1, -2, 2};
    viewstate_init(&s, full, NULL, 200, 100);
    double x, y;
    viewstate_to_data(&s, 0, 0, &x, &y);
    assert_true(x == -1 && y == 2);
    viewstate_push(&s);
    viewstate_zoom_at(&s, 2, 50, 25); /* (-0.5, 1) stays fixed */
    viewstate_to_data(&s, 50, 25, &x, &y);
    assert_true(fabs(x - -0.5) < 1e-12 && fabs(y - 1) < 1e-12);
    assert_true(fabs((s.lim[1] - s.lim[0]) - 1) < 1e-12);
    viewstate_pan_px(&s, 200, 0); /* a full width to the right */
    assert_true(fabs(s.lim[0] - (-0.75 - 1)) < 1e-12);
    assert_true(viewstate_back(&s));
    assert_true(s.lim[0] == -1 && s.lim[1] == 1);
    assert_false(viewstate_back(&s));
    /* deep zoom far from zero: 10^6x is fine, and it stops before a pixel would
     * be narrower than a double ulp */
    double far[4] = {1.7e9, 1.7e9 + 1e3, 0, 1};
    viewstate_init(&s, far, NULL, 1000, 1000);
    viewstate_zoom_at(&s, 1e6, 500, 500);
    assert_true(fabs((s.lim[1] - s.lim[0]) - 1e-3) < 1e-6); /* ulp(1.7e9) = 2.4e-7 */
    for (int i = 0; i < 60; i++)
        viewstate_zoom_at(&s, 2, 500, 500);
    double wdt = s.lim[1] - s.lim[0];
    assert_true(wdt / 1000 > 2 * 1.7e9 * 2.2e-16); /* a pixel spans two ulps or more */
    assert_true(wdt / 1000 < 8 * 1.7e9 * 2.3e-16); /* and zooming went that far */
    /* reversed axes stay reversed through a box zoom */
    double rev[4] = {10, 0, 0, 1};
    viewstate_init(&s, rev, NULL, 100, 100);
    viewstate_box(&s, 10, 10, 50, 50);
    assert_true(s.lim[0] > s.lim[1]);
}

int main(void)
{
    const struct CMUnitTest pure[] = {cmocka_unit_test(test_viewstate)};
    int rc = cmocka_run_group_tests(pure, NULL, NULL);
    bin = getenv("VP_BIN");
    if (!bin || !*bin)
        return 1;
    dir = tu_tmpdir("test_viewer");
    if (!start_xvfb()) {
        fprintf(stderr, "SKIP: Xvfb is not available (install Debian package xvfb)\n");
        return rc ? rc : 77;
    }
    make_data();
    const struct CMUnitTest window[] = {
        cmocka_unit_test(test_screenshot_equals_render),
        cmocka_unit_test(test_tonemap_key),
        cmocka_unit_test(test_values_and_categories),
        cmocka_unit_test(test_deep_zoom_1e300),
        cmocka_unit_test(test_navigation),
        cmocka_unit_test(test_follow_window),
        cmocka_unit_test(test_stdin_stream),
        cmocka_unit_test(test_text_while_parsing),
        cmocka_unit_test(test_outputs_guarded),
    };
    rc |= cmocka_run_group_tests(window, NULL, NULL);
    stop_xvfb();
    return rc;
}
