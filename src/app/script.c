#include "app/script.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct op_spec {
    const char *name;
    script_op op;
    int min_nums, max_nums; /* numeric arguments */
    bool text;              /* one word/path argument instead */
} op_spec;

static const op_spec specs[] = {
    {"view", SCRIPT_VIEW, 4, 4, false},      {"zoom", SCRIPT_ZOOM, 1, 3, false},
    {"pan", SCRIPT_PAN, 2, 2, false},        {"drag", SCRIPT_DRAG, 4, 4, false},
    {"box", SCRIPT_BOX, 4, 4, false},        {"wheel", SCRIPT_WHEEL, 3, 3, false},
    {"key", SCRIPT_KEY, 0, 0, true},         {"wait", SCRIPT_WAIT, 1, 1, false},
    {"wait-refined", SCRIPT_WAIT_REFINED, 0, 0, false},
    {"screenshot", SCRIPT_SCREENSHOT, 0, 0, true},
    {"stats", SCRIPT_STATS, 0, 0, true},     {"quit", SCRIPT_QUIT, 0, 0, false},
    {"category", SCRIPT_CATEGORY, 1, 2, false},
};

static bool parse_line(char *line, int lineno, const char *name, script_cmd *c, vp_err *err)
{
    char *save = NULL;
    char *word = strtok_r(line, " \t\r", &save);
    const op_spec *sp = NULL;
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (strcmp(word, specs[i].name) == 0)
            sp = &specs[i];
    if (!sp)
        return vp_err_set(err, "%s:%d: unknown command \"%.40s\" (expected view, zoom, pan, drag, "
                               "box, wheel, key, wait, wait-refined, screenshot, stats, category or quit)",
                          name, lineno, word);
    memset(c, 0, sizeof *c);
    c->op = sp->op;
    c->line = lineno;
    /* view save NAME: the one view command with a word after it */
    bool view_save = false;
    if (sp->op == SCRIPT_VIEW && save) {
        char *r = save + strspn(save, " \t");
        if (!strncmp(r, "save", 4) && (!r[4] || r[4] == ' ' || r[4] == '\t' || r[4] == '\r')) {
            view_save = true;
            c->op = SCRIPT_VIEW_SAVE;
            save = r + 4;
        }
    }
    if (sp->text || view_save) {
        /* the rest of the line, trimmed: paths may hold spaces */
        char *rest = save ? save : "";
        while (*rest == ' ' || *rest == '\t')
            rest++;
        size_t n = strlen(rest);
        while (n && (rest[n - 1] == ' ' || rest[n - 1] == '\t' || rest[n - 1] == '\r'))
            rest[--n] = 0;
        if (n == 0)
            return vp_err_set(err, "%s:%d: %s needs %s", name, lineno, view_save ? "view save" : sp->name,
                              view_save ? "a NAME (the view's title)" : sp->op == SCRIPT_KEY ? "a key name" : "a path");
        if (n >= sizeof c->text)
            return vp_err_set(err, "%s:%d: %s argument longer than %zu characters", name, lineno,
                              sp->name, sizeof c->text - 1);
        memcpy(c->text, rest, n + 1);
        return true;
    }
    char *tok;
    while ((tok = strtok_r(NULL, " \t\r", &save))) {
        if (c->nargs == sp->max_nums)
            return vp_err_set(err, "%s:%d: %s takes at most %d number%s", name, lineno, sp->name,
                              sp->max_nums, sp->max_nums == 1 ? "" : "s");
        char *end;
        errno = 0;
        double v = strtod(tok, &end);
        if (end == tok || *end || errno == ERANGE || !isfinite(v))
            return vp_err_set(err, "%s:%d: %s: expected a finite number, got \"%.40s\"", name,
                              lineno, sp->name, tok);
        c->arg[c->nargs++] = v;
    }
    if (c->nargs < sp->min_nums || (sp->op == SCRIPT_ZOOM && c->nargs == 2))
        return vp_err_set(err, "%s:%d: %s needs %s", name, lineno, sp->name,
                          sp->op == SCRIPT_VIEW ? "X0 X1 Y0 Y1"
                          : sp->op == SCRIPT_ZOOM ? "FACTOR [X Y]"
                          : sp->op == SCRIPT_PAN ? "DX DY"
                          : sp->op == SCRIPT_WHEEL ? "X Y CLICKS"
                          : sp->op == SCRIPT_WAIT ? "MS"
                          : sp->op == SCRIPT_CATEGORY ? "C [1|0]" : "X0 Y0 X1 Y1");
    if (sp->op == SCRIPT_CATEGORY &&
        (c->arg[0] != floor(c->arg[0]) || c->arg[0] < 0 || c->arg[0] > 255 ||
         (c->nargs == 2 && c->arg[1] != 0 && c->arg[1] != 1)))
        return vp_err_set(err, "%s:%d: category: expected C (0, 1, ...) and optionally 1 (show) or 0 (hide)",
                          name, lineno);
    if (sp->op == SCRIPT_VIEW && (c->arg[0] == c->arg[1] || c->arg[2] == c->arg[3]))
        return vp_err_set(err, "%s:%d: view: the limits of an axis are equal", name, lineno);
    if (sp->op == SCRIPT_ZOOM && !(c->arg[0] > 0))
        return vp_err_set(err, "%s:%d: zoom: FACTOR must be positive", name, lineno);
    if (sp->op == SCRIPT_WAIT && (c->arg[0] < 0 || c->arg[0] > 3600e3))
        return vp_err_set(err, "%s:%d: wait: MS must be from 0 to 3600000", name, lineno);
    return true;
}

bool script_parse(const char *text, size_t len, const char *name, script *out, vp_err *err)
{
    out->cmds = NULL;
    out->n = 0;
    size_t cap = 0;
    int lineno = 0;
    size_t pos = 0;
    char line[1024];
    while (pos < len) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (n >= sizeof line) {
            script_free(out);
            return vp_err_set(err, "%s:%d: line longer than %zu characters", name, lineno, sizeof line - 1);
        }
        memcpy(line, text + pos, n);
        line[n] = 0;
        pos += n + (nl ? 1 : 0);
        if (memchr(line, 0, n)) {
            script_free(out);
            return vp_err_set(err, "%s:%d: a NUL byte: not a text file?", name, lineno);
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *p = line;
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            continue;
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            script_cmd *nc = realloc(out->cmds, ncap * sizeof *nc);
            if (!nc) {
                script_free(out);
                return vp_err_set(err, "out of memory");
            }
            out->cmds = nc;
            cap = ncap;
        }
        if (!parse_line(p, lineno, name, &out->cmds[out->n], err)) {
            script_free(out);
            return false;
        }
        out->n++;
    }
    return true;
}

bool script_load(const char *path, script *out, vp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vp_err_set(err, "%s: cannot open script: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= (1u << 24)) {
                free(buf);
                fclose(f);
                return vp_err_set(err, "%s: script larger than 16 MiB", path);
            }
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return vp_err_set(err, "out of memory");
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    bool rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        return vp_err_set(err, "%s: cannot read script", path);
    }
    bool ok = script_parse(buf, len, path, out, err);
    free(buf);
    return ok;
}

void script_free(script *s)
{
    free(s->cmds);
    s->cmds = NULL;
    s->n = 0;
}
