#include "out/output_set.h"

#include <stdlib.h>
#include <string.h>

#include "core/file_id.h"

void output_set_init(output_set *s)
{
    memset(s, 0, sizeof *s);
}

bool output_set_guard(output_set *s, const char *path, const char *what, vp_err *err)
{
    if (!path || strcmp(path, "-") == 0)
        return true;
    if (s->nguards == s->guards_cap) {
        int cap = s->guards_cap ? s->guards_cap * 2 : 8;
        output_guard *g = realloc(s->guards, (size_t)cap * sizeof *g);
        if (!g)
            return vp_err_set(err, "out of memory");
        s->guards = g;
        s->guards_cap = cap;
    }
    s->guards[s->nguards++] = (output_guard){path, what};
    return true;
}

/* Output i against the guarded files and the outputs before it. Ids are taken
 * afresh each time: files appear, and links change, between the checks. */
static bool check_one(const output_set *s, int i, vp_err *err)
{
    const char *p = s->paths[i];
    file_id out, other;
    if (!file_id_of(p, &out))
        return true; /* no such folder: opening it says so */
    for (int g = 0; g < s->nguards; g++) {
        const output_guard *gd = &s->guards[g];
        if (!file_id_of(gd->path, &other) || !file_id_same(&out, &other))
            continue;
        if (strcmp(p, gd->path) == 0)
            return vp_err_set(err, "%s: is also %s; vastplot never writes over it", p, gd->what);
        return vp_err_set(err, "%s: is also %s (the same file as %s); vastplot never writes over it",
                          p, gd->what, gd->path);
    }
    for (int j = 0; j < i; j++)
        if (file_id_of(s->paths[j], &other) && file_id_same(&out, &other))
            return vp_err_set(err, "%s: %s is the same file as %s %s; give two different files", p,
                              s->whats[i], s->whats[j], s->paths[j]);
    return true;
}

bool output_set_add(output_set *s, const char *path, const char *what, vp_err *err)
{
    if (s->n >= ATOMIC_FILE_MAX_SET)
        return vp_err_set(err, "%s: too many outputs", path);
    s->paths[s->n] = path;
    s->whats[s->n] = what;
    if (!check_one(s, s->n, err))
        return false;
    s->n++;
    return true;
}

atomic_file *output_set_begin(output_set *s, int i, vp_err *err)
{
    if (i < 0 || i >= s->n || s->open[i]) {
        vp_err_set(err, "output %d: not planned, or begun twice", i);
        return NULL;
    }
    if (!atomic_file_open(&s->files[i], s->paths[i], err))
        return NULL;
    s->open[i] = true;
    return &s->files[i];
}

bool output_set_commit(output_set *s, vp_err *err)
{
    for (int i = 0; i < s->n; i++) {
        if (!s->open[i])
            return vp_err_set(err, "%s: not written", s->paths[i]);
        if (!check_one(s, i, err))
            return false;
    }
    bool ok = atomic_file_commit_all(s->files, (size_t)s->n, err);
    for (int i = 0; i < s->n; i++)
        s->open[i] = false; /* released by the commit, either way */
    return ok;
}

void output_set_free(output_set *s)
{
    for (int i = 0; i < s->n; i++)
        if (s->open[i])
            atomic_file_abort(&s->files[i]);
    free(s->guards);
    memset(s, 0, sizeof *s);
}
