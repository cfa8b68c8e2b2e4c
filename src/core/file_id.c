#include "core/file_id.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool file_id_of(const char *path, file_id *id)
{
    memset(id, 0, sizeof *id);
    struct stat st;
    if (stat(path, &st) == 0 || lstat(path, &st) == 0) {
        id->exists = true;
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        return true;
    }
    /* Not there yet: the same folder and name is the same file-to-be. */
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t cut = len;
    while (cut > 0 && path[cut - 1] != '/')
        cut--;
    if (len - cut == 0 || len - cut >= sizeof id->name)
        return false;
    memcpy(id->name, path + cut, len - cut);
    id->name[len - cut] = 0;
    char *dir = cut == 0 ? strdup(".") : cut == 1 ? strdup("/") : strndup(path, cut - 1);
    bool ok = dir && stat(dir, &st) == 0;
    free(dir);
    if (!ok)
        return false;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return true;
}

bool file_id_same(const file_id *a, const file_id *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
           (a->exists || strcmp(a->name, b->name) == 0);
}
