/* gl/gl_util, gl/gl_debug and the context layer: enum names, error checks
 * that name the error, the offscreen target's readback and row order, the
 * --gl-debug diagnostics (KHR_debug callback and glad's post-call hook, and
 * that neither is there without it), and an SDL window's context under Xvfb.
 * Skips (77) without GL 4.5; the window tests skip without Xvfb. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <SDL2/SDL.h>

#include "gl/gl_util.h"
#include "gl/glctx.h"
#include "testutil.h"

static const char *dir;

/* ---- stderr into a file, for what the diagnostics print ---------------- */
static int saved_fd = -1;

static void capture_begin(void)
{
    fflush(stderr);
    saved_fd = dup(2);
    int fd = open(tu_path(dir, "stderr.txt"), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    assert_true(saved_fd >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static void capture_end(char *buf, size_t size)
{
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    tu_read_text(tu_path(dir, "stderr.txt"), buf, size);
}

#define assert_has(hay, needle)                                                \
    do {                                                                       \
        if (!strstr((hay), (needle))) {                                        \
            print_error("\"%s\"\n  lacks \"%s\"\n", (hay), (needle));          \
            fail();                                                            \
        }                                                                      \
    } while (0)

/* ---- no GL needed -------------------------------------------------------- */
static void test_enum_names(void **state)
{
    (void)state;
    assert_string_equal(gl_enum_name(GL_NO_ERROR), "GL_NO_ERROR");
    assert_string_equal(gl_enum_name(GL_INVALID_ENUM), "GL_INVALID_ENUM");
    assert_string_equal(gl_enum_name(GL_INVALID_VALUE), "GL_INVALID_VALUE");
    assert_string_equal(gl_enum_name(GL_INVALID_OPERATION), "GL_INVALID_OPERATION");
    assert_string_equal(gl_enum_name(GL_INVALID_FRAMEBUFFER_OPERATION), "GL_INVALID_FRAMEBUFFER_OPERATION");
    assert_string_equal(gl_enum_name(GL_OUT_OF_MEMORY), "GL_OUT_OF_MEMORY");
    assert_string_equal(gl_enum_name(GL_STACK_OVERFLOW), "GL_STACK_OVERFLOW");
    assert_string_equal(gl_enum_name(GL_STACK_UNDERFLOW), "GL_STACK_UNDERFLOW");
    assert_string_equal(gl_enum_name(GL_FRAMEBUFFER_COMPLETE), "GL_FRAMEBUFFER_COMPLETE");
    assert_string_equal(gl_enum_name(GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT),
                        "GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT");
    assert_string_equal(gl_enum_name(GL_FRAMEBUFFER_UNSUPPORTED), "GL_FRAMEBUFFER_UNSUPPORTED");
    assert_string_equal(gl_enum_name(GL_DEBUG_SOURCE_API), "GL_DEBUG_SOURCE_API");
    assert_string_equal(gl_enum_name(GL_DEBUG_SOURCE_OTHER), "GL_DEBUG_SOURCE_OTHER");
    assert_string_equal(gl_enum_name(GL_DEBUG_TYPE_OTHER), "GL_DEBUG_TYPE_OTHER");
    assert_string_equal(gl_enum_name(GL_DEBUG_TYPE_PERFORMANCE), "GL_DEBUG_TYPE_PERFORMANCE");
    assert_string_equal(gl_enum_name(GL_DEBUG_SEVERITY_NOTIFICATION), "GL_DEBUG_SEVERITY_NOTIFICATION");
    /* unknown values as hex, each in its own buffer for a few at a time */
    const char *a = gl_enum_name(0xdead), *b = gl_enum_name(0x12);
    assert_string_equal(a, "0xdead");
    assert_string_equal(b, "0x0012");
    assert_string_equal(gl_enum_name(0x12345), "0x12345");
}

static void test_software_names(void **state)
{
    (void)state;
    assert_true(glctx_renderer_is_software("llvmpipe (LLVM 15.0.6, 256 bits)"));
    assert_true(glctx_renderer_is_software("softpipe"));
    assert_true(glctx_renderer_is_software("Mesa swrast"));
    assert_true(glctx_renderer_is_software("Microsoft Basic Render Driver (Software Rasterizer)"));
    assert_false(glctx_renderer_is_software("NVIDIA H200/PCIe/SSE2"));
    assert_false(glctx_renderer_is_software("AMD Radeon RX 7900 XTX (radeonsi, navi31, LLVM 15.0.6)"));
    assert_false(glctx_renderer_is_software(NULL));
}

/* ---- a plain headless context ------------------------------------------ */
static glctx *plain;

static int plain_setup(void **state)
{
    (void)state;
    return (plain = tu_gl_context()) ? 0 : -1;
}

static int plain_teardown(void **state)
{
    (void)state;
    glctx_destroy(plain);
    plain = NULL;
    return 0;
}

static void test_check_names_errors(void **state)
{
    (void)state;
    vp_err err;
    gl_clear_errors();
    assert_true(gl_check("nothing", &err));
    glBindBuffer(0xdead, 0);
    assert_false(gl_check("binding", &err));
    assert_string_equal(err.msg, "binding: GL_INVALID_ENUM");
    assert_true(gl_check("after", &err)); /* drained */

    /* Mesa keeps only the first error until it is read (other drivers keep
     * one flag per kind); the --gl-debug test below sees several */
    glBindBuffer(0xdead, 0);
    glViewport(0, 0, -1, -1);
    assert_false(gl_check("two", &err));
    assert_has(err.msg, "two: GL_INVALID_ENUM");
    assert_true(gl_check("after", NULL));

    glBindBuffer(0xdead, 0);
    assert_false(gl_check("no err", NULL));
    glBindBuffer(0xdead, 0);
    gl_clear_errors();
    assert_true(gl_check("cleared", &err));
}

enum { TW = 7, TH = 5 };

static void test_target_readback(void **state)
{
    (void)state;
    vp_err err;
    gl_target t;
    assert_true(gl_target_create(&t, TW, TH, &err));
    assert_true(t.fbo && t.rb && t.w == TW && t.h == TH);
    gl_target_bind(&t);
    GLint vp[4];
    glGetIntegerv(GL_VIEWPORT, vp);
    assert_true(vp[0] == 0 && vp[1] == 0 && vp[2] == TW && vp[3] == TH);
    glClearColor(10 / 255.0f, 20 / 255.0f, 30 / 255.0f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    /* a 3x2 corner at GL's top left (GL counts rows from the bottom) */
    glEnable(GL_SCISSOR_TEST);
    glScissor(0, TH - 2, 3, 2);
    glClearColor(1, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    glDisable(GL_SCISSOR_TEST);
    gl_target_bind(NULL);

    uint8_t top[TW * TH * 4], bottom[TW * TH * 4];
    memset(top, 0x55, sizeof top);
    assert_true(gl_target_read(&t, top, true, &err));
    assert_true(gl_target_read(&t, bottom, false, &err));
    for (int y = 0; y < TH; y++)
        for (int x = 0; x < TW; x++) {
            bool corner = x < 3 && y < 2; /* in picture rows: the top two */
            const uint8_t want[4] = {corner ? 255 : 10, corner ? 0 : 20, corner ? 0 : 30, 255};
            const uint8_t *a = top + ((size_t)y * TW + (size_t)x) * 4;
            const uint8_t *b = bottom + ((size_t)(TH - 1 - y) * TW + (size_t)x) * 4;
            if (memcmp(a, want, 4) != 0 || memcmp(b, want, 4) != 0) {
                print_error("pixel %d,%d: top-first %u %u %u %u, bottom-first %u %u %u %u\n", x, y,
                            a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);
                fail();
            }
        }
    gl_target_destroy(&t);
    assert_true(t.fbo == 0 && t.rb == 0 && t.w == 0);
    gl_target_destroy(&t); /* zeroed is fine */
    assert_true(gl_check("after the target", &err));
}

static void test_target_refused(void **state)
{
    (void)state;
    vp_err err;
    gl_target t;
    /* a 0x0 attachment leaves the framebuffer incomplete, by name */
    assert_false(gl_target_create(&t, 0, 0, &err));
    assert_has(err.msg, "GL cannot render a 0x0 RGBA8 picture: ");
    assert_has(err.msg, "GL_FRAMEBUFFER_INCOMPLETE");
    assert_true(t.fbo == 0 && t.rb == 0);
    GLint big = 0;
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &big);
    assert_false(gl_target_create(&t, big + 1, 1, &err));
    assert_has(err.msg, "glNamedRenderbufferStorage: GL_INVALID_VALUE");
    assert_true(gl_check("after", &err));
}

/* Without --gl-debug there are no hooks: an error prints nothing and waits
 * on the GL queue for whoever checks. */
static void test_no_hooks_without_debug(void **state)
{
    (void)state;
    char out[4096];
    capture_begin();
    glBindBuffer(0xdead, 0);
    GLenum e = glGetError();
    capture_end(out, sizeof out);
    assert_int_equal(e, GL_INVALID_ENUM);
    assert_string_equal(out, "");
    assert_string_equal(glctx_platform(plain), "egl-surfaceless");
    assert_int_equal(glctx_is_software(plain), glctx_renderer_is_software(glctx_renderer(plain)));
}

/* ---- a --gl-debug context ------------------------------------------------ */
static glctx *dbg;

static int debug_setup(void **state)
{
    (void)state;
    vp_err err;
    glctx_params p = {.debug = true};
    if (!glctx_create_headless(&p, &dbg, &err)) {
        fprintf(stderr, "no debug context: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int debug_teardown(void **state)
{
    (void)state;
    glctx_destroy(dbg);
    dbg = NULL;
    return 0;
}

static void test_debug_callback(void **state)
{
    (void)state;
    char out[8192];
    capture_begin();
    glDebugMessageInsert(GL_DEBUG_SOURCE_APPLICATION, GL_DEBUG_TYPE_MARKER, 42, GL_DEBUG_SEVERITY_HIGH,
                         -1, "hello from the test");
    glDebugMessageInsert(GL_DEBUG_SOURCE_APPLICATION, GL_DEBUG_TYPE_PERFORMANCE, 7, GL_DEBUG_SEVERITY_LOW,
                         -1, "a low one");
    glDebugMessageInsert(GL_DEBUG_SOURCE_APPLICATION, GL_DEBUG_TYPE_OTHER, 8,
                         GL_DEBUG_SEVERITY_NOTIFICATION, -1, "chatter");
    capture_end(out, sizeof out);
    assert_has(out, "vastplot: gl error: [GL_DEBUG_SOURCE_APPLICATION, GL_DEBUG_TYPE_MARKER, 42] "
                    "hello from the test\n");
    assert_has(out, "vastplot: gl info: [GL_DEBUG_SOURCE_APPLICATION, GL_DEBUG_TYPE_PERFORMANCE, 7] "
                    "a low one\n");
    assert_null(strstr(out, "chatter")); /* notifications only when verbose */
    assert_true(gl_check("after the messages", NULL));
}

static void test_debug_post_call_hook(void **state)
{
    (void)state;
    char out[8192];
    vp_err err;
    gl_clear_errors();
    capture_begin();
    glBindBuffer(0xdead, 0);
    capture_end(out, sizeof out);
    /* the hook names the call and the error... */
    assert_has(out, "vastplot: gl error: GL_INVALID_ENUM after glBindBuffer\n");
    /* ...and the driver says it too, through KHR_debug */
    assert_has(out, "vastplot: gl error: [GL_DEBUG_SOURCE_API, GL_DEBUG_TYPE_ERROR, ");
    /* the hook took it off GL's queue, but the check still sees it, once */
    capture_begin();
    bool ok = gl_check("binding", &err);
    bool ok2 = gl_check("again", NULL);
    capture_end(out, sizeof out);
    assert_false(ok);
    assert_string_equal(err.msg, "binding: GL_INVALID_ENUM");
    assert_true(ok2);
    assert_string_equal(out, ""); /* glGetError itself is not hooked */

    /* each error caught after its call, so every kind is named, once */
    capture_begin();
    glBindBuffer(0xdead, 0);
    glViewport(0, 0, -1, -1);
    glBindBuffer(0xbeef, 0);
    capture_end(out, sizeof out);
    assert_has(out, "GL_INVALID_VALUE after glViewport\n");
    assert_false(gl_check("two", &err));
    assert_string_equal(err.msg, "two: GL_INVALID_ENUM, GL_INVALID_VALUE");
    assert_true(gl_check("after", NULL));

    /* a failed operation still fails under --gl-debug, naming the error */
    gl_target t;
    capture_begin();
    ok = gl_target_create(&t, 1, -1, &err);
    capture_end(out, sizeof out);
    assert_false(ok);
    assert_has(err.msg, "GL_INVALID_VALUE");
    assert_has(out, "GL_INVALID_VALUE after glNamedRenderbufferStorage");

    /* and a clean sequence prints nothing */
    capture_begin();
    ok = gl_target_create(&t, 4, 4, &err);
    gl_target_bind(&t);
    glClear(GL_COLOR_BUFFER_BIT);
    uint8_t px[4 * 4 * 4];
    ok = ok && gl_target_read(&t, px, true, &err);
    gl_target_destroy(&t);
    capture_end(out, sizeof out);
    assert_true(ok);
    assert_string_equal(out, "");
}

/* A plain context after a debug one: the hooks are gone again. */
static void test_hooks_gone_after_plain_load(void **state)
{
    (void)state;
    glctx_destroy(dbg);
    dbg = NULL;
    glctx *c = tu_gl_context();
    assert_non_null(c);
    char out[4096];
    capture_begin();
    glBindBuffer(0xdead, 0);
    GLenum e = glGetError();
    capture_end(out, sizeof out);
    glctx_destroy(c);
    assert_int_equal(e, GL_INVALID_ENUM);
    assert_string_equal(out, "");
}

/* ---- an SDL window under Xvfb ------------------------------------------- */
static char display[32];
static pid_t xvfb = -1;

static bool start_xvfb(void)
{
    if (system("command -v Xvfb >/dev/null 2>&1") != 0)
        return false;
    for (int n = 140; n < 190; n++) {
        char lock[64], sock[64];
        snprintf(lock, sizeof lock, "/tmp/.X%d-lock", n);
        if (access(lock, F_OK) == 0)
            continue;
        snprintf(display, sizeof display, ":%d", n);
        xvfb = fork();
        if (xvfb == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 2);
            execlp("Xvfb", "Xvfb", display, "-screen", "0", "640x480x24", "-nolisten", "tcp", (char *)NULL);
            _exit(127);
        }
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

static int window_setup(void **state)
{
    (void)state;
    if (!start_xvfb())
        return 0; /* the tests skip */
    setenv("DISPLAY", display, 1);
    unsetenv("WAYLAND_DISPLAY");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "SDL_Init under Xvfb %s: %s\n", display, SDL_GetError());
        return -1;
    }
    return 0;
}

static int window_teardown(void **state)
{
    (void)state;
    if (xvfb > 0) {
        SDL_Quit();
        kill(xvfb, SIGTERM);
        waitpid(xvfb, NULL, 0);
    }
    return 0;
}

static void test_window_context(void **state)
{
    (void)state;
    if (xvfb <= 0) {
        fprintf(stderr, "SKIP: Xvfb is not available (install Debian package xvfb)\n");
        skip();
    }
    glctx_params p = {.debug = true};
    glctx_sdl_attributes(&p);
    SDL_Window *win = SDL_CreateWindow("test_gl_util", 0, 0, 64, 48, SDL_WINDOW_OPENGL | SDL_WINDOW_HIDDEN);
    assert_non_null(win);
    glctx *c;
    vp_err err;
    if (!glctx_create_window(&p, win, &c, &err)) {
        print_error("%s\n", err.msg);
        fail();
    }
    assert_string_equal(glctx_platform(c), "sdl");
    assert_true(strncmp(glctx_version(c), "4.", 2) == 0);
    assert_int_equal(glctx_is_software(c), glctx_renderer_is_software(glctx_renderer(c)));
    GLint flags = 0, major = 0, minor = 0, mask = 0;
    glGetIntegerv(GL_CONTEXT_FLAGS, &flags);
    glGetIntegerv(GL_MAJOR_VERSION, &major);
    glGetIntegerv(GL_MINOR_VERSION, &minor);
    glGetIntegerv(GL_CONTEXT_PROFILE_MASK, &mask);
    assert_true(major > 4 || (major == 4 && minor >= 5));
    assert_true(mask & GL_CONTEXT_CORE_PROFILE_BIT);
    assert_true(flags & GL_CONTEXT_FLAG_DEBUG_BIT);
    /* the window's context draws like the headless one; --gl-debug is on */
    gl_target t;
    assert_true(gl_target_create(&t, 2, 2, &err));
    gl_target_bind(&t);
    glClearColor(0, 1, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    uint8_t px[16];
    assert_true(gl_target_read(&t, px, true, &err));
    assert_int_equal(px[1], 255);
    gl_target_destroy(&t);
    char out[4096];
    capture_begin();
    glBindBuffer(0xdead, 0);
    capture_end(out, sizeof out);
    assert_has(out, "GL_INVALID_ENUM after glBindBuffer");
    assert_false(gl_check("window", NULL));
    SDL_GL_SwapWindow(win);
    glctx_destroy(c); /* the context only */
    assert_int_equal(SDL_GetWindowID(win) != 0, 1);
    SDL_DestroyWindow(win);

    /* a window without SDL_WINDOW_OPENGL: refused, saying what was needed */
    p.debug = false;
    glctx_sdl_attributes(&p);
    win = SDL_CreateWindow("test_gl_util", 0, 0, 64, 48, SDL_WINDOW_HIDDEN);
    assert_non_null(win);
    assert_false(glctx_create_window(&p, win, &c, &err));
    assert_null(c);
    assert_has(err.msg, "OpenGL 4.5 core is needed for the window");
    SDL_DestroyWindow(win);
}

int main(void)
{
    dir = tu_tmpdir("test_gl_util");
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_software_names),
    };
    int failed = cmocka_run_group_tests_name("no GL", pure, NULL, NULL);
    glctx *probe = tu_gl_context();
    if (!probe)
        return failed ? 1 : 77;
    glctx_destroy(probe);
    /* one context at a time: GL's entry points are process-wide */
    const struct CMUnitTest headless[] = {
        cmocka_unit_test(test_check_names_errors),
        cmocka_unit_test(test_target_readback),
        cmocka_unit_test(test_target_refused),
        cmocka_unit_test(test_no_hooks_without_debug),
    };
    failed += cmocka_run_group_tests_name("headless", headless, plain_setup, plain_teardown);
    const struct CMUnitTest debug[] = {
        cmocka_unit_test(test_debug_callback),
        cmocka_unit_test(test_debug_post_call_hook),
        cmocka_unit_test(test_hooks_gone_after_plain_load),
    };
    failed += cmocka_run_group_tests_name("--gl-debug", debug, debug_setup, debug_teardown);
    const struct CMUnitTest window[] = {
        cmocka_unit_test(test_window_context),
    };
    failed += cmocka_run_group_tests_name("window", window, window_setup, window_teardown);
    return failed ? 1 : 0;
}
