#ifndef VP_FILE_ID_H
#define VP_FILE_ID_H
/* Which file a path names, compared by identity rather than by spelling:
 * "out.npy", "./out.npy", a symlink to it and a hard link of it are one file.
 * Rare path (a few calls per output), never a hot path. */
#include <stdbool.h>
#include <sys/types.h>

typedef struct file_id {
    bool exists;   /* the path (after following symlinks) names an existing file */
    dev_t dev;     /* exists: the file's device and inode; else its folder's */
    ino_t ino;
    char name[256]; /* !exists: the last name component (to be created in that folder) */
} file_id;

/* Fills id; false when neither the file nor its folder can be found (then the
 * path cannot be the same as anything that exists). A dangling symlink is
 * identified by the link itself. Never fails loudly: no message. */
bool file_id_of(const char *path, file_id *id);
/* Both ids were filled (file_id_of returned true) and name the same file. */
bool file_id_same(const file_id *a, const file_id *b);

#endif
