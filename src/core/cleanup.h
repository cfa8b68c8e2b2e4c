#ifndef VP_CLEANUP_H
#define VP_CLEANUP_H
/* Temporary files removed when SIGINT, SIGTERM or SIGHUP stop the program,
 * which then exits with 128 + the signal's number (130, 143, 129). The list
 * is a fixed table that the signal handler reads without locks or malloc
 * (unlink and _exit only), so it is safe whichever thread takes the signal.
 * Rare path: a few calls per output file. */
#include <stdbool.h>

/* Installs the handlers; call once from main before any output is opened. A
 * signal ignored when the program starts (nohup) stays ignored. */
void cleanup_install(void);
/* Adds a path (copied) to remove on a signal; returns its slot, or -1 when the
 * table is full or the path too long (the file is then just not removed). */
int cleanup_add(const char *path);
/* Takes the slot off the list (after the file was renamed or removed); -1 is
 * fine. */
void cleanup_forget(int slot);
/* Between hold and release a signal waits: a commit of several files
 * completes before the program stops, so no half-replaced set is left.
 * Nested calls are fine. */
void cleanup_hold(void);
void cleanup_release(void);

#endif
