/* The real binary stopped or tricked while it works: SIGINT, SIGTERM and
 * SIGHUP (while waiting on a followed file, and while the outputs are being
 * written) leave no temporary file, the old PNG and .npy untouched, and exit
 * 128 + the signal; a followed input that appears as a link to the output is
 * refused at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static const char *bin, *dir;

static int temp_files(const char *d)
{
    DIR *dp = opendir(d);
    if (!dp)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        n += strstr(e->d_name, ".tmp-") != NULL || strstr(e->d_name, "vastplot-tmp") != NULL;
    closedir(dp);
    return n;
}


/* Starts vastplot with args (NULL-terminated), in folder d, stderr to err.txt there. */
static pid_t start(const char *d, const char *const *args)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (chdir(d) != 0 || !freopen("err.txt", "w", stderr))
            _exit(126);
        const char *argv[32] = {bin};
        for (int i = 0; args[i] && i < 30; i++)
            argv[i + 1] = args[i];
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        fail_msg("vastplot did not exit: killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    return WEXITSTATUS(status);
}

/* 2 f32 records: (0, 0) and (1, 1) */
static const float two[4] = {0, 0, 1, 1};

static const char *case_dir(const char *name)
{
    static char d[4200];
    char cmd[8600];
    snprintf(d, sizeof d, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", d, d); /* nothing left from before */
    assert_int_equal(system(cmd), 0);
    return d;
}

/* Waiting for a followed file to go idle (it never does in time). */
static void follow_case(int sig)
{
    char name[32];
    snprintf(name, sizeof name, "follow%d", sig);
    const char *d = case_dir(name);
    tu_write_file(tu_path(d, "in.f32"), two, sizeof two);
    tu_write_text(tu_path(d, "out.png"), "old png");
    tu_write_text(tu_path(d, "out.npy"), "old npy");
    const char *args[] = {"render", "--follow", "--until-idle", "60", "in.f32", "-o", "out.png",
                          "--save-counts", "out.npy", NULL};
    pid_t pid = start(d, args);
    usleep(500000);
    assert_int_equal(kill(pid, sig), 0);
    assert_int_equal(wait_exit(pid), 128 + sig);
    assert_int_equal(temp_files(d), 0);
    assert_file_holds(tu_path(d, "out.png"), "old png");
    assert_file_holds(tu_path(d, "out.npy"), "old npy");
}

static void test_signal_while_following(void **state)
{
    (void)state;
    follow_case(SIGTERM);
    follow_case(SIGINT);
    follow_case(SIGHUP);
}

/* Stopped while the outputs are written (a big picture, so that this takes
 * a while): the temporary files go, the old pair stays a pair. */
static void test_signal_while_writing(void **state)
{
    (void)state;
    const char *d = case_dir("writing");
    tu_write_file(tu_path(d, "in.f32"), two, sizeof two);
    tu_write_text(tu_path(d, "out.png"), "old png");
    tu_write_text(tu_path(d, "out.npy"), "old npy");
    const char *args[] = {"render", "in.f32", "--size", "4096x4096", "-o", "out.png",
                          "--save-counts", "out.npy", "-q", NULL};
    pid_t pid = start(d, args);
    bool seen = false;
    for (int i = 0; i < 120000 && !seen; i++) {
        seen = temp_files(d) > 0;
        if (!seen) {
            if (waitpid(pid, NULL, WNOHANG) == pid)
                fail_msg("the render finished before a temporary file was seen");
            usleep(500);
        }
    }
    assert_true(seen);
    assert_int_equal(kill(pid, SIGTERM), 0);
    int rc = wait_exit(pid);
    assert_int_equal(temp_files(d), 0);
    assert_int_equal(rc, 143);
    assert_file_holds(tu_path(d, "out.png"), "old png");
    assert_file_holds(tu_path(d, "out.npy"), "old npy");
}

/* render --follow on a name that does not exist yet; it appears as a hard
 * link to the existing output: refused, the output untouched. */
static void test_follow_input_appears_as_output(void **state)
{
    (void)state;
    const char *d = case_dir("appears");
    tu_write_file(tu_path(d, "out.png"), two, sizeof two);
    unlink(tu_path(d, "later.f32"));
    const char *args[] = {"render", "--follow", "--until-idle", "0.8", "later.f32", "-o", "out.png",
                          NULL};
    pid_t pid = start(d, args);
    usleep(300000);
    assert_int_equal(link(tu_path(d, "out.png"), tu_path(d, "later.f32")), 0);
    assert_int_equal(wait_exit(pid), 1);
    char msg[2048];
    tu_read_text(tu_path(d, "err.txt"), msg, sizeof msg);
    if (!strstr(msg, "out.png: is also an input (the same file as later.f32)"))
        fail_msg("stderr: %s", msg);
    float back[4] = {9};
    FILE *f = fopen(tu_path(d, "out.png"), "rb");
    assert_non_null(f);
    assert_int_equal(fread(back, 1, sizeof back + 1, f), sizeof back);
    fclose(f);
    assert_memory_equal(back, two, sizeof two);
    assert_int_equal(temp_files(d), 0);
}

int main(void)
{
    static char abs_bin[4096];
    bin = getenv("VP_BIN");
    if (!bin || !*bin || !realpath(bin, abs_bin)) /* the children chdir */
        return 1;
    bin = abs_bin;
    dir = tu_tmpdir("test_interrupt");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signal_while_following),
        cmocka_unit_test(test_signal_while_writing),
        cmocka_unit_test(test_follow_input_appears_as_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
