#ifndef VP_OUTPUT_SET_H
#define VP_OUTPUT_SET_H
/* The files one command writes, committed together, and the files they must
 * never be. Identity is by device and inode after following symlinks
 * (core/file_id.h), not by spelling: "-o same.out --save-counts ./same.out",
 * a symlink or a hard link to an input are all caught. The checks run when an
 * output is added (so a mistake fails before any work) and again just before
 * the commit (an input followed with --follow may have appeared meanwhile).
 * All outputs are written to temporary files and moved into place only when
 * every one succeeded (atomic_file_commit_all): the previous files stay as
 * they were otherwise. Rare path; not thread-safe. */
#include <stdbool.h>

#include "core/err.h"
#include "out/atomic_file.h"

typedef struct output_guard {
    const char *path; /* borrowed: must outlive the set */
    const char *what; /* "an input", "the --script file" */
} output_guard;

typedef struct output_set {
    output_guard *guards;
    int nguards, guards_cap;
    const char *paths[ATOMIC_FILE_MAX_SET]; /* borrowed */
    const char *whats[ATOMIC_FILE_MAX_SET]; /* "-o", "--save-counts", "screenshot" */
    atomic_file files[ATOMIC_FILE_MAX_SET];
    bool open[ATOMIC_FILE_MAX_SET];
    int n;
} output_set;

void output_set_init(output_set *s);
/* A file no output may be (it need not exist yet); "-" (standard input) and
 * NULL are ignored. False only when out of memory. */
bool output_set_guard(output_set *s, const char *path, const char *what, vp_err *err);
/* Plans an output; false (the message names both files) when it is a guarded
 * file or the same file as an output added before. Nothing is created yet. */
bool output_set_add(output_set *s, const char *path, const char *what, vp_err *err);
/* Creates output i's temporary file (atomic_file_open) to write into; NULL
 * with the message on failure. */
atomic_file *output_set_begin(output_set *s, int i, vp_err *err);
/* Checks every output again, then commits all of them or none (each must
 * have been begun). The set stays to be freed. */
bool output_set_commit(output_set *s, vp_err *err);
/* Removes whatever was not committed and releases the set; fine twice. */
void output_set_free(output_set *s);

#endif
