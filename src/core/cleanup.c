#include "core/cleanup.h"

#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define CLEANUP_SLOTS 16

/* state: 0 free, 1 being filled or emptied (the handler skips it), 2 armed */
static struct {
    atomic_int state;
    char path[PATH_MAX];
} slots[CLEANUP_SLOTS];
static atomic_int hold_depth;
static atomic_int pending_sig;

static _Noreturn void remove_and_exit(int sig)
{
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (atomic_load(&slots[i].state) == 2)
            unlink(slots[i].path);
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    /* Store first, then look at the hold: either this handler sees no hold,
     * or cleanup_release sees the pending signal (both is harmless). */
    atomic_store(&pending_sig, sig);
    if (atomic_load(&hold_depth) == 0)
        remove_and_exit(sig);
}

void cleanup_install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(sigs[i], &sa, NULL);
    }
}

int cleanup_add(const char *path)
{
    size_t len = strlen(path);
    if (len >= PATH_MAX)
        return -1;
    for (int i = 0; i < CLEANUP_SLOTS; i++) {
        int expect = 0;
        if (atomic_compare_exchange_strong(&slots[i].state, &expect, 1)) {
            memcpy(slots[i].path, path, len + 1);
            atomic_store(&slots[i].state, 2);
            return i;
        }
    }
    return -1;
}

void cleanup_forget(int slot)
{
    if (slot >= 0 && slot < CLEANUP_SLOTS)
        atomic_store(&slots[slot].state, 0);
}

void cleanup_hold(void)
{
    atomic_fetch_add(&hold_depth, 1);
}

void cleanup_release(void)
{
    if (atomic_fetch_sub(&hold_depth, 1) == 1) {
        int sig = atomic_load(&pending_sig);
        if (sig)
            remove_and_exit(sig);
    }
}
