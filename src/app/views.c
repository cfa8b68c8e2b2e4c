#include "app/views.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "look/colormap.h"

#define VIEWS_HEADER "# vastplot views 1"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

static bool two_numbers(const char *v, double out[2])
{
    char *end;
    errno = 0;
    out[0] = strtod(v, &end);
    if (end == v || errno == ERANGE || !isfinite(out[0]))
        return false;
    const char *p = end;
    out[1] = strtod(p, &end);
    if (end == p || errno == ERANGE || !isfinite(out[1]))
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == 0 && out[0] != out[1];
}

static bool parse_size(const char *v, int *w, int *h)
{
    char *end;
    errno = 0;
    if (!(*v >= '0' && *v <= '9'))
        return false;
    unsigned long a = strtoul(v, &end, 10);
    if ((*end != 'x' && *end != 'X') || errno)
        return false;
    const char *p = end + 1;
    if (!(*p >= '0' && *p <= '9'))
        return false;
    unsigned long b = strtoul(p, &end, 10);
    if (*end || errno || a < 1 || b < 1 || a > (1u << 20) || b > (1u << 20))
        return false;
    *w = (int)a, *h = (int)b;
    return true;
}

static bool set_text(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

bool views_parse_annot(const char *val, bool arrow, overlay_annot *out, vp_err *err)
{
    overlay_annot a = {.arrow = arrow};
    double *c[4] = {&a.x0, &a.y0, &a.x1, &a.y1};
    const char *p = val;
    for (int i = 0; i < (arrow ? 4 : 2); i++) {
        char *end;
        errno = 0;
        *c[i] = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(*c[i]) || (*end && *end != ' ' && *end != '\t'))
            return vp_err_set(err, "%s: expected %s, got \"%.60s\"", arrow ? "arrow" : "text",
                              arrow ? "X0 Y0 X1 Y1 (the tail, then the head, in data coordinates) and a label"
                                    : "X Y (data coordinates) and a label",
                              val);
        p = end;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (!arrow && !*p)
        return vp_err_set(err, "text: a label is needed after X Y");
    if (!set_text(a.text, sizeof a.text, p))
        return vp_err_set(err, "%s: a label longer than %zu bytes", arrow ? "arrow" : "text", sizeof a.text - 1);
    if (!arrow)
        a.x1 = a.x0, a.y1 = a.y0;
    *out = a;
    return true;
}

static bool parse_annot(const char *val, bool arrow, vp_view *v, const char *name, int lineno, vp_err *err)
{
    if (v->n_annots >= VIEWS_ANNOTS_MAX)
        return vp_err_set(err, "%s:%d: more than %d annotations (text, arrow) in one view", name, lineno,
                          VIEWS_ANNOTS_MAX);
    if (!views_parse_annot(val, arrow, &v->annots[v->n_annots], err))
        return vp_err_prefix(err, "%s:%d", name, lineno);
    v->n_annots++;
    return true;
}

/* input = PATH: relative to the views file's folder (name's) */
static bool parse_input(const char *val, vp_view *v, const char *name, int lineno, vp_err *err)
{
    if (v->n_inputs >= VIEWS_INPUTS_MAX)
        return vp_err_set(err, "%s:%d: more than %d inputs in one view", name, lineno, VIEWS_INPUTS_MAX);
    if (!*val)
        return vp_err_set(err, "%s:%d: input: expected a file's path", name, lineno);
    const char *slash = strrchr(name, '/');
    int dir = val[0] != '/' && slash ? (int)(slash - name) : -1;
    int n = dir >= 0 ? snprintf(v->inputs[v->n_inputs], VIEWS_PATH_MAX, "%.*s/%s", dir, name, val)
                     : snprintf(v->inputs[v->n_inputs], VIEWS_PATH_MAX, "%s", val);
    if (n < 0 || n >= VIEWS_PATH_MAX)
        return vp_err_set(err, "%s:%d: input: a path longer than %d bytes", name, lineno, VIEWS_PATH_MAX - 1);
    v->n_inputs++;
    return true;
}

/* one KEY = VALUE line of the view v; seen: bit per key, for duplicates */
static bool parse_key(char *line, vp_view *v, unsigned *seen, const char *name, int lineno, vp_err *err)
{
    static const char *const keys[] = {"title", "caption", "xlim", "ylim", "size", "tonemap", "colormap",
                                       "xlabel", "ylabel"};
    char *eq = strchr(line, '=');
    if (!eq)
        return vp_err_set(err, "%s:%d: expected KEY = VALUE, [view] or a # comment, got \"%.60s\"", name,
                          lineno, line);
    *eq = 0;
    char *key = trim(line), *val = trim(eq + 1);
    int k = -1;
    for (int i = 0; i < (int)(sizeof keys / sizeof keys[0]); i++)
        if (!strcmp(key, keys[i]))
            k = i;
    if (k < 0 && (!strcmp(key, "text") || !strcmp(key, "arrow")))
        return parse_annot(val, key[0] == 'a', v, name, lineno, err);
    if (k < 0 && !strcmp(key, "input"))
        return parse_input(val, v, name, lineno, err);
    if (k < 0)
        return vp_err_set(err, "%s:%d: unknown key \"%.40s\" (expected title, caption, xlim, ylim, size, "
                               "tonemap, colormap, xlabel, ylabel, input, text or arrow)", name, lineno, key);
    if (*seen & (1u << k))
        return vp_err_set(err, "%s:%d: %s given twice in one view", name, lineno, key);
    *seen |= 1u << k;
    switch (k) {
    case 0: case 1: case 7: case 8: {
        char *dst = k == 0 ? v->title : k == 1 ? v->caption : k == 7 ? v->xlabel : v->ylabel;
        if (!set_text(dst, VIEWS_TEXT_MAX, val))
            return vp_err_set(err, "%s:%d: %s: longer than %d bytes", name, lineno, key, VIEWS_TEXT_MAX - 1);
        return true;
    }
    case 2: case 3:
        if (!two_numbers(val, k == 2 ? v->xlim : v->ylim))
            return vp_err_set(err, "%s:%d: %s: expected two different finite numbers such as \"-1 1\", got "
                                   "\"%.60s\"", name, lineno, key, val);
        *(k == 2 ? &v->xlim_set : &v->ylim_set) = true;
        return true;
    case 4:
        if (!parse_size(val, &v->width, &v->height))
            return vp_err_set(err, "%s:%d: size: expected WIDTHxHEIGHT such as 1920x1080, each from 1 to "
                                   "1048576, got \"%.60s\"", name, lineno, val);
        v->size_set = true;
        return true;
    case 5:
        if (!tonemap_parse(val, &v->tonemap))
            return vp_err_set(err, "%s:%d: tonemap: expected linear, log, sqrt, cbrt or eq-hist, got \"%.60s\"",
                              name, lineno, val);
        v->tonemap_set = true;
        return true;
    default: {
        uint8_t tmp[COLORMAP_SIZE][4];
        if (!set_text(v->colormap, sizeof v->colormap, val) || !colormap_get(val, tmp)) {
            v->colormap[0] = 0;
            return vp_err_set(err, "%s:%d: colormap: unknown \"%.60s\" (see --colormap)", name, lineno, val);
        }
        return true;
    }
    }
}

bool views_parse(const char *text, size_t len, const char *name, vp_views *out, vp_err *err)
{
    out->v = NULL;
    out->n = 0;
    size_t cap = 0;
    unsigned seen = 0;
    int lineno = 0;
    char line[1024];
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        if (n >= sizeof line) {
            views_free(out);
            return vp_err_set(err, "%s:%d: a line longer than %zu bytes", name, lineno, sizeof line - 1);
        }
        memcpy(line, text + pos, n);
        line[n] = 0;
        pos += n + (nl != NULL);
        if (memchr(line, 0, n)) {
            views_free(out);
            return vp_err_set(err, "%s:%d: a NUL byte: not a text file", name, lineno);
        }
        char *s = trim(line);
        if (lineno == 1) {
            if (strcmp(s, VIEWS_HEADER)) {
                views_free(out);
                return vp_err_set(err, "%s:1: expected the first line \"" VIEWS_HEADER "\", got \"%.60s\"",
                                  name, s);
            }
            continue;
        }
        if (!*s || *s == '#')
            continue;
        if (!strcmp(s, "[view]")) {
            if (out->n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                vp_view *nv = realloc(out->v, nc * sizeof *nv);
                if (!nv) {
                    views_free(out);
                    return vp_err_set(err, "%s: out of memory", name);
                }
                out->v = nv, cap = nc;
            }
            memset(&out->v[out->n], 0, sizeof out->v[0]);
            out->v[out->n++].line = lineno;
            seen = 0;
            continue;
        }
        if (*s == '[') {
            views_free(out);
            return vp_err_set(err, "%s:%d: unknown block \"%.40s\" (expected [view])", name, lineno, s);
        }
        if (!out->n) {
            views_free(out);
            return vp_err_set(err, "%s:%d: expected [view] before the first key", name, lineno);
        }
        if (!parse_key(s, &out->v[out->n - 1], &seen, name, lineno, err)) {
            views_free(out);
            return false;
        }
    }
    if (lineno == 0)
        return vp_err_set(err, "%s:1: expected the first line \"" VIEWS_HEADER "\", got an empty file", name);
    return true;
}

bool views_load(const char *path, vp_views *out, vp_err *err)
{
    out->v = NULL;
    out->n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return vp_err_set(err, "%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= (64u << 20)) {
                free(buf);
                fclose(f);
                return vp_err_set(err, "%s: larger than 64 MiB: not a views file", path);
            }
            char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);
            if (!nb) {
                free(buf);
                fclose(f);
                return vp_err_set(err, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool rd = !ferror(f);
    fclose(f);
    bool ok = rd ? views_parse(buf, len, path, out, err) : vp_err_set(err, "%s: read error", path);
    free(buf);
    return ok;
}

void views_free(vp_views *vs)
{
    if (!vs)
        return;
    free(vs->v);
    vs->v = NULL;
    vs->n = 0;
}

/* a text value on one line: newlines would end it early */
static void put_text(FILE *f, const char *key, const char *s)
{
    if (!*s)
        return;
    fprintf(f, "%s = ", key);
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    fputc('\n', f);
}

static void write_view(FILE *f, const vp_view *v)
{
    fputs("[view]\n", f);
    put_text(f, "title", v->title);
    put_text(f, "caption", v->caption);
    if (v->xlim_set)
        fprintf(f, "xlim = %.17g %.17g\n", v->xlim[0], v->xlim[1]);
    if (v->ylim_set)
        fprintf(f, "ylim = %.17g %.17g\n", v->ylim[0], v->ylim[1]);
    if (v->size_set)
        fprintf(f, "size = %dx%d\n", v->width, v->height);
    if (v->tonemap_set)
        fprintf(f, "tonemap = %s\n", tonemap_name(v->tonemap));
    put_text(f, "colormap", v->colormap);
    put_text(f, "xlabel", v->xlabel);
    put_text(f, "ylabel", v->ylabel);
    for (int i = 0; i < v->n_inputs; i++)
        put_text(f, "input", v->inputs[i]);
    for (int i = 0; i < v->n_annots; i++) {
        const overlay_annot *a = &v->annots[i];
        if (a->arrow)
            fprintf(f, "arrow = %.17g %.17g %.17g %.17g", a->x0, a->y0, a->x1, a->y1);
        else
            fprintf(f, "text = %.17g %.17g", a->x0, a->y0);
        if (a->text[0]) {
            fputc(' ', f);
            for (const char *s = a->text; *s; s++)
                fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
        }
        fputc('\n', f);
    }
}

bool views_write(FILE *f, const vp_views *vs)
{
    fputs(VIEWS_HEADER "\n", f);
    for (size_t i = 0; i < vs->n; i++) {
        fputc('\n', f);
        write_view(f, &vs->v[i]);
    }
    return !ferror(f);
}

bool views_append(const char *path, const vp_view *v, vp_err *err)
{
    vp_views old;
    vp_err e = {{0}};
    FILE *probe = fopen(path, "rb");
    bool fresh = true;
    if (probe) {
        fresh = fgetc(probe) == EOF;
        fclose(probe);
    }
    if (!fresh && !views_load(path, &old, &e))
        return vp_err_set(err, "not appending to %s: %s", path, e.msg);
    if (!fresh)
        views_free(&old);
    FILE *f = fopen(path, "ab");
    if (!f)
        return vp_err_set(err, "%s: %s", path, strerror(errno));
    if (fresh)
        fputs(VIEWS_HEADER "\n", f);
    fputc('\n', f);
    write_view(f, v);
    bool ok = !ferror(f);
    if (fclose(f) != 0 || !ok)
        return vp_err_set(err, "%s: write error: %s", path, strerror(errno));
    return true;
}

void views_apply(const vp_view *v, vp_options *o)
{
    if (v->title[0])
        o->title = v->title;
    if (v->xlabel[0])
        o->xlabel = v->xlabel;
    if (v->ylabel[0])
        o->ylabel = v->ylabel;
    if (v->colormap[0])
        o->colormap = v->colormap;
    if (v->xlim_set) {
        o->xlim_set = true;
        o->xlim_iso = false;
        o->xlim[0] = v->xlim[0], o->xlim[1] = v->xlim[1];
    }
    if (v->ylim_set) {
        o->ylim_set = true;
        o->ylim[0] = v->ylim[0], o->ylim[1] = v->ylim[1];
    }
    if (v->size_set) {
        o->size_set = true;
        o->width = v->width, o->height = v->height;
    }
    if (v->tonemap_set)
        o->tonemap = v->tonemap;
    if (v->n_annots) {
        o->annots = v->annots;
        o->n_annots = v->n_annots;
    }
    if (v->n_inputs) {
        for (int i = 0; i < v->n_inputs && i < OPTIONS_MAX_INPUTS; i++)
            o->inputs[i] = v->inputs[i];
        o->ninputs = v->n_inputs < OPTIONS_MAX_INPUTS ? v->n_inputs : OPTIONS_MAX_INPUTS;
    }
}

bool views_inputs_differ(const vp_view *v, const char *const *inputs, int n)
{
    if (!v->n_inputs)
        return false;
    if (v->n_inputs != n)
        return true;
    for (int i = 0; i < n; i++)
        if (strcmp(v->inputs[i], inputs[i]))
            return true;
    return false;
}

static bool annots_equal(const vp_view *a, const vp_view *b)
{
    if (a->n_annots != b->n_annots || a->n_inputs != b->n_inputs)
        return false;
    for (int i = 0; i < a->n_inputs; i++)
        if (strcmp(a->inputs[i], b->inputs[i]))
            return false;
    for (int i = 0; i < a->n_annots; i++) {
        const overlay_annot *p = &a->annots[i], *q = &b->annots[i];
        if (p->arrow != q->arrow || p->x0 != q->x0 || p->y0 != q->y0 || p->x1 != q->x1 || p->y1 != q->y1 ||
            strcmp(p->text, q->text))
            return false;
    }
    return true;
}

bool views_equal(const vp_view *a, const vp_view *b)
{
    return !strcmp(a->title, b->title) && !strcmp(a->caption, b->caption) && !strcmp(a->xlabel, b->xlabel) &&
           !strcmp(a->ylabel, b->ylabel) && !strcmp(a->colormap, b->colormap) && a->xlim_set == b->xlim_set &&
           a->ylim_set == b->ylim_set && a->size_set == b->size_set && a->tonemap_set == b->tonemap_set &&
           (!a->xlim_set || (a->xlim[0] == b->xlim[0] && a->xlim[1] == b->xlim[1])) &&
           (!a->ylim_set || (a->ylim[0] == b->ylim[0] && a->ylim[1] == b->ylim[1])) &&
           (!a->size_set || (a->width == b->width && a->height == b->height)) &&
           (!a->tonemap_set || a->tonemap == b->tonemap) && annots_equal(a, b);
}

int views_output_name(const char *pattern, int k, char *out, size_t cap)
{
    int n = 0;
    size_t used = 0;
    char num[48];
    for (const char *s = pattern; *s; s++) {
        const char *piece = s;
        size_t len = 1;
        if (*s == '%') {
            if (s[1] == '%') {
                s++;
            } else {
                bool zero = s[1] == '0';
                s += zero;
                int width = s[1] >= '1' && s[1] <= '9' ? s[1] - '0' : 0;
                s += width > 0;
                if (s[1] != 'd' || n++)
                    return -1;
                s++;
                len = (size_t)snprintf(num, sizeof num, zero ? "%0*d" : "%*d", width, k);
                piece = num;
            }
        }
        if (cap && used + len >= cap)
            return -1;
        if (cap)
            memcpy(out + used, piece, len);
        used += len;
    }
    if (cap)
        out[used] = 0;
    if (n == 0 && cap)
        snprintf(out, cap, "%s", pattern); /* a name without a number is taken as it is, %% and all */
    return n;
}

void views_interpolate(const double from[4], const double to[4], double u, double out[4])
{
    if (!(u > 0)) {
        memcpy(out, from, 4 * sizeof *out);
        return;
    }
    if (u >= 1) {
        memcpy(out, to, 4 * sizeof *out);
        return;
    }
    double e = u * u * (3 - 2 * u); /* smoothstep: no jolt at either end */
    for (int a = 0; a < 2; a++) {
        const double *f = from + 2 * a, *t = to + 2 * a;
        double sf = f[1] - f[0], st = t[1] - t[0], cf = (f[0] + f[1]) / 2, ct = (t[0] + t[1]) / 2;
        double sp = (sf > 0) == (st > 0) ? copysign(exp(log(fabs(sf)) + e * (log(fabs(st)) - log(fabs(sf)))), st)
                                         : sf + e * (st - sf);
        double w = fabs(st - sf) > 1e-9 * fabs(sf) ? (sp - sf) / (st - sf) : e;
        double c = cf + w * (ct - cf);
        out[2 * a] = c - sp / 2;
        out[2 * a + 1] = c + sp / 2;
    }
}
