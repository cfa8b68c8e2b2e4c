#include "overlay/layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The margins, top to bottom (all in whole pixels):
 *   pad | title row | annotation row (y offset, "count") | half a label |
 *   plot | frame, tick, gap | x tick labels | gap, x label | gap, status | pad
 * and left to right:
 *   pad | y label (turned) | y tick labels | gap, tick, frame | plot |
 *   frame, gap | colorbar | tick, gap | colorbar labels | pad.
 * Every label column and row has its own band, so labels of different kinds
 * cannot meet; within a band ticks_layout keeps them apart. */

static int iround(float v) { return (int)floorf(v + 0.5f); }
static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

void overlay_metrics_compute(const overlay_fonts *fonts, const overlay_params *p, overlay_metrics *m)
{
    const font *f = fonts->text;
    memset(m, 0, sizeof *m);
    float em = p->font_px * p->dpi_scale;
    m->em = em;
    m->asc = (int)ceilf(font_ascent(f));
    m->desc = (int)ceilf(font_descent(f));
    m->line_h = m->asc + m->desc;
    m->digit_h = iround(font_digit_height(f));
    /* a label centred on y has its baseline at round(y + digit_h / 2) */
    m->half_up = (int)ceilf((float)m->asc - m->digit_h * 0.5f + 0.5f);
    m->half_down = (int)ceilf(m->digit_h * 0.5f + 0.5f + (float)m->desc);
    m->pad = iround(0.6f * em);
    m->lw = imax(1, iround(p->dpi_scale));
    m->tick_len = imax(2, iround(0.4f * em));
    m->row_gap = iround(0.35f * em);
    /* the lowest y label must end above the x labels' row */
    m->tick_gap = imax(iround(0.3f * em), m->half_down + 1 - m->lw - m->tick_len);
    m->cb_gap = iround(1.0f * em);
    m->cb_w = iround(1.1f * em);
    m->ylab_w = (int)ceilf(font_width(f, "-88888.88", true));
    m->cblab_w = (int)ceilf(font_width(f, "8.888e+88", true));
    m->xgap = 3.0f * em;
    m->ygap = 2.0f * em;
    m->colorbar = p->colorbar;

    m->title_asc = (int)ceilf(font_ascent(fonts->title));
    m->title_line_h = m->title_asc + (int)ceilf(font_descent(fonts->title));
    m->title_top = m->pad;
    m->annot_top = m->pad + (p->title ? m->title_line_h + m->row_gap : 0);
    m->top = m->annot_top + m->line_h + imax(m->half_up, m->lw);
    m->bottom = m->lw + m->tick_len + m->tick_gap + m->line_h +
                (p->xlabel || p->time_x ? m->row_gap + m->line_h : 0) + m->row_gap + m->line_h + m->pad;
    m->left = m->pad + (p->ylabel ? m->line_h + m->row_gap : 0) + m->ylab_w + m->tick_gap +
              m->tick_len + m->lw;
    m->right = p->colorbar ? m->lw + m->cb_gap + m->lw + m->cb_w + m->lw + m->tick_len +
                                 m->tick_gap + m->cblab_w + m->pad
                           : m->lw + iround(1.5f * em) + m->pad;
}

/* ---- the legend's geometry ------------------------------------------------------ */

void overlay_legend_cut(const char *label, char out[OVERLAY_LEGEND_LABEL])
{
    static const char ell[] = "\xE2\x80\xA6"; /* U+2026 */
    const unsigned char *in = (const unsigned char *)label;
    size_t chars = 0;
    for (const unsigned char *p = in; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    size_t keep = chars > OVERLAY_LEGEND_CHARS ? OVERLAY_LEGEND_CHARS - 1 : chars;
    size_t len = 0, n = 0, start = 0; /* start: where the character being copied began */
    bool cut = keep < chars;
    for (const unsigned char *p = in; *p; p++) {
        if ((*p & 0xC0) != 0x80) {
            if (n == keep)
                break;
            n++;
            start = len;
        }
        if (len + sizeof ell >= OVERLAY_LEGEND_LABEL) {
            /* only malformed text (long runs of continuation bytes) gets here */
            len = start;
            cut = true;
            break;
        }
        out[len++] = *p < 0x20 || *p == 0x7F ? ' ' : (char)*p;
    }
    out[len] = 0;
    if (cut)
        memcpy(out + len, ell, sizeof ell);
}

typedef struct legend_geom {
    int n;                 /* rows shown in all: categories, plus one "+N more" */
    int shown, more;       /* categories shown; those left out */
    int cols, rows;        /* columns; rows in a column */
    int step, sw, inner, sgap, colgap, lab_w, col_w;
    int w, h;              /* the box, border included; w == 0: no legend */
} legend_geom;

static void legend_geom_of(const overlay_metrics *m, const overlay_legend *lg, int win_w, int win_h,
                           legend_geom *g)
{
    memset(g, 0, sizeof *g);
    if (!lg || lg->n <= 0)
        return;
    float em = m->em;
    g->step = m->line_h + iround(0.2f * em);
    g->sw = imax(3, iround(0.75f * em));
    g->inner = iround(0.5f * em);
    g->sgap = iround(0.4f * em);
    g->colgap = iround(1.0f * em);
    int avail = win_h - m->top - m->bottom - 2 * m->lw - 2 * g->inner;
    int fit = avail < m->line_h ? 0 : (avail - m->line_h) / g->step + 1;
    if (fit < 1)
        return;
    g->cols = (lg->n + fit - 1) / fit;
    g->cols = g->cols > OVERLAY_LEGEND_COLS ? OVERLAY_LEGEND_COLS : g->cols;
    if (lg->n <= g->cols * fit) {
        g->shown = lg->n;
        g->rows = (lg->n + g->cols - 1) / g->cols;
    } else { /* the last place says how many are left out */
        g->shown = g->cols * fit - 1;
        g->more = lg->n - g->shown;
        g->rows = fit;
    }
    g->n = g->shown + (g->more > 0);
    float widest = 0;
    for (int i = 0; i < g->shown; i++)
        widest = fmaxf(widest, lg->width[i]);
    /* at most 40% of the window, labels cut to fit, never below 3 em */
    int fixed = 2 * m->lw + 2 * g->inner + g->cols * (g->sw + g->sgap) + (g->cols - 1) * g->colgap;
    int room = ((int)(0.4f * (float)win_w) - fixed) / g->cols;
    g->lab_w = imax(iround(3.0f * em), imin((int)ceilf(widest), room));
    g->col_w = g->sw + g->sgap + g->lab_w;
    g->w = fixed + g->cols * g->lab_w;
    g->h = 2 * m->lw + 2 * g->inner + (g->rows - 1) * g->step + m->line_h;
}

overlay_rect overlay_metrics_plot(const overlay_metrics *m, const overlay_fonts *f,
                                  const overlay_legend *lg, int win_w, int win_h)
{
    (void)f;
    legend_geom g;
    legend_geom_of(m, lg, win_w, win_h, &g);
    int right = m->right + (g.w ? g.w + m->pad : 0);
    overlay_rect r = {m->left, m->top, win_w - m->left - right, win_h - m->top - m->bottom};
    if (r.w < 1)
        r.w = 1;
    if (r.h < 1)
        r.h = 1;
    return r;
}

int overlay_cbar_index(float floor, int r, int h)
{
    float t = ((float)r + 0.5f) / (float)h;
    float pos = floor + (1.0f - floor) * t;
    int idx = (int)(pos * 255.0f + 0.5f);
    return idx < 0 ? 0 : idx > 255 ? 255 : idx;
}

int overlay_vbar_index(int r, int h)
{
    if (h < 1 || r < 0)
        return 0;
    long long idx = (2LL * r + 1) * 128 / h;
    return idx > 255 ? 255 : (int)idx;
}

/* ---- building the lists ---------------------------------------------------- */

typedef struct builder {
    const font *f;  /* text */
    const font *tf; /* title */
    const overlay_metrics *m;
    overlay_layout *out;
} builder;

static void add_solid(builder *b, int x, int y, int w, int h)
{
    if (b->out->n_solid < OVERLAY_MAX_SOLIDS && w > 0 && h > 0)
        b->out->solid[b->out->n_solid++] = (overlay_rect){x, y, w, h};
}

static void grow(overlay_rect *r, int x0, int y0, int x1, int y1)
{
    int rx1 = r->x + r->w, ry1 = r->y + r->h;
    r->x = x0 < r->x ? x0 : r->x;
    r->y = y0 < r->y ? y0 : r->y;
    rx1 = x1 > rx1 ? x1 : rx1;
    ry1 = y1 > ry1 ? y1 : ry1;
    r->w = rx1 - r->x;
    r->h = ry1 - r->y;
}

/* Adds a text with its pen at (x, y); the box covers the line (ascent to
 * descent) and every glyph quad, so no ink can fall outside it. */
static overlay_text *add_text(builder *b, overlay_role role, const char *s, bool numeric,
                              bool vertical, int x, int y, double value)
{
    overlay_layout *o = b->out;
    if (o->n_text >= OVERLAY_MAX_TEXTS || !s[0])
        return NULL;
    overlay_text *t = &o->text[o->n_text++];
    memset(t, 0, sizeof *t);
    t->role = role;
    t->numeric = numeric;
    t->vertical = vertical;
    t->x = x;
    t->y = y;
    t->value = value;
    snprintf(t->text, sizeof t->text, "%s", s);
    const font *f = role == OVERLAY_TITLE ? b->tf : b->f;
    int w = (int)ceilf(font_width(f, s, numeric));
    /* in text space: x along the baseline, y down; pen at 0,0 */
    overlay_rect r = role == OVERLAY_TITLE ? (overlay_rect){0, -b->m->title_asc, w, b->m->title_line_h}
                                           : (overlay_rect){0, -b->m->asc, w, b->m->line_h};
    font_quad q[OVERLAY_TEXT_LEN];
    int n = font_quads(f, s, numeric, 0, 0, q, OVERLAY_TEXT_LEN);
    for (int i = 0; i < n; i++)
        grow(&r, (int)floorf(q[i].x0), (int)floorf(q[i].y0), (int)ceilf(q[i].x1), (int)ceilf(q[i].y1));
    if (!vertical)
        t->box = (overlay_rect){x + r.x, y + r.y, r.w, r.h};
    else /* (dx, dy) -> (x + dy, y - dx) */
        t->box = (overlay_rect){x + r.y, y - (r.x + r.w), r.h, r.w};
    return t;
}

static float measure_width(void *ctx, const char *label)
{
    return font_width(ctx, label, true);
}

static float measure_height(void *ctx, const char *label)
{
    (void)label;
    const overlay_metrics *m = ctx;
    return 2.0f * (float)imax(m->half_up, m->half_down);
}

/* First pixel of a tick mark lw wide at coordinate c along a side whose
 * pixels are [lo, hi). The sides' ends lie between a frame line and the
 * picture; a tick there goes on the frame line, so the ticks at both ends
 * continue the frame instead of one sitting a pixel inside. */
static int tick_pos(double c, int lo, int hi, int lw)
{
    if (c < lo + 0.5)
        return lo - lw;
    if (c > hi - 0.5)
        return hi;
    return (int)floor(c - lw * 0.5 + 0.5);
}

/* Baseline that centres digits on y. */
static int centred_baseline(const overlay_metrics *m, double y)
{
    return (int)floor(y + m->digit_h * 0.5 + 0.5);
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---- axes ------------------------------------------------------------------ */

/* The x ticks (calendar ticks for a time axis, its context then in
 * context[], else ""). */
static void x_axis(builder *b, const overlay_frame *fr, char context[64])
{
    const overlay_metrics *m = b->m;
    overlay_rect pl = b->out->plot;
    int pb = pl.y + pl.h;
    ticks_layout_params tp = {.axis_px = (float)pl.w,
                              .gap_px = m->xgap,
                              .room_lo = (float)(pl.x - m->pad - 1),
                              .room_hi = (float)(fr->win_w - m->pad - 1 - (pl.x + pl.w)),
                              .measure = measure_width,
                              .ctx = (void *)b->f};
    tick_set ts;
    context[0] = 0;
    bool timed = fr->x_time && timeaxis_layout(fr->x0, fr->x1, fr->x_time, &tp, &ts, context);
    if (!timed && !ticks_layout_ex(fr->x0, fr->x1, &tp, &ts))
        return;
    int row_top = pb + m->lw + m->tick_len + m->tick_gap;
    for (int i = 0; i < ts.n; i++) {
        double cx = pl.x + (ts.value[i] - fr->x0) / (fr->x1 - fr->x0) * pl.w;
        if (!isfinite(cx))
            continue;
        add_solid(b, tick_pos(cx, pl.x, pl.x + pl.w, m->lw), pb, m->lw, m->lw + m->tick_len);
        /* time labels are measured (timeaxis_layout) and drawn as numbers */
        float w = font_width(b->f, ts.label[i], true);
        add_text(b, OVERLAY_XTICK, ts.label[i], true, false, (int)floor(cx - w * 0.5 + 0.5),
                 row_top + m->asc, ts.value[i]);
    }
}

static void y_axis(builder *b, const overlay_frame *fr)
{
    const overlay_metrics *m = b->m;
    overlay_rect pl = b->out->plot;
    int pb = pl.y + pl.h;
    float half = (float)imax(m->half_up, m->half_down);
    ticks_layout_params tp = {.axis_px = (float)pl.h,
                              .gap_px = m->ygap,
                              .room_lo = half,
                              .room_hi = half,
                              .measure = measure_height,
                              .ctx = (void *)m};
    tick_set ts;
    if (!ticks_layout_ex(fr->y0, fr->y1, &tp, &ts))
        return;
    /* long labels (far from zero) get offset notation; any still too wide for
     * the column are left out rather than drawn over the y label */
    float widest = 0;
    for (int i = 0; i < ts.n; i++)
        widest = fmaxf(widest, font_width(b->f, ts.label[i], true));
    char offset[40] = "";
    if (widest > (float)m->ylab_w && !ticks_offset_labels(&ts, offset))
        offset[0] = 0;
    int right = pl.x - m->lw - m->tick_len - m->tick_gap;
    for (int i = 0; i < ts.n; i++) {
        double cy = pb - (ts.value[i] - fr->y0) / (fr->y1 - fr->y0) * pl.h;
        if (!isfinite(cy))
            continue;
        add_solid(b, pl.x - m->lw - m->tick_len, tick_pos(cy, pl.y, pb, m->lw),
                  m->lw + m->tick_len, m->lw);
        float w = font_width(b->f, ts.label[i], true);
        if (w > (float)m->ylab_w)
            continue;
        add_text(b, OVERLAY_YTICK, ts.label[i], true, false, right - (int)ceilf(w),
                 centred_baseline(m, cy), ts.value[i]);
    }
    if (offset[0]) {
        int x = right - m->ylab_w;
        char fit[OVERLAY_TEXT_LEN];
        font_fit(b->f, offset, true, (float)(pl.x + pl.w - x), fit, sizeof fit);
        add_text(b, OVERLAY_YOFFSET, fit, true, false, x, m->annot_top + m->asc, 0);
    }
}

/* ---- colorbar ---------------------------------------------------------------- */

static void format_count(uint64_t c, char *buf, size_t size)
{
    if (c < 10000000u) {
        snprintf(buf, size, "%llu", (unsigned long long)c);
        return;
    }
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.3e", (double)c);
    /* strip the mantissa's trailing zeros: 2.000e+07 -> 2e+07 */
    char *e = strchr(tmp, 'e'), *p = e;
    while (p > tmp && p[-1] == '0')
        p--;
    if (p > tmp && p[-1] == '.')
        p--;
    memmove(p, e, strlen(e) + 1);
    snprintf(buf, size, "%s", tmp);
}

typedef struct cb_pick {
    uint64_t count[OVERLAY_CBAR_LABELS];
    double level[OVERLAY_CBAR_LABELS];
    int n;
    double min_dl; /* the smallest level difference two labels may have */
} cb_pick;

static bool cb_clear(const cb_pick *p, double lvl)
{
    for (int i = 0; i < p->n; i++)
        if (fabs(p->level[i] - lvl) < p->min_dl)
            return false;
    return true;
}

static void cb_add(cb_pick *p, uint64_t c, double lvl)
{
    if (p->n < OVERLAY_CBAR_LABELS) {
        p->count[p->n] = c;
        p->level[p->n++] = lvl;
    }
}

/* Linear-like maps: the densest evenly stepped set of round counts that fits
 * between the min and max labels. */
static void cb_linear(const tonemap_table *t, cb_pick *p)
{
    uint64_t range = t->cmax - t->cmin;
    static const uint64_t mant[3] = {1, 2, 5};
    for (uint64_t dec = 1;; dec *= 10) {
        for (int mi = 0; mi < 3; mi++) {
            if (mant[mi] > UINT64_MAX / dec)
                continue;
            uint64_t s = mant[mi] * dec;
            if (s > t->cmax || range / s > 60)
                continue;
            cb_pick trial = *p;
            bool ok = true;
            uint64_t c = t->cmin - t->cmin % s;
            while (ok && c <= UINT64_MAX - s && (c += s) < t->cmax) {
                double lvl = tonemap_level(t, c);
                if (fabs(lvl - tonemap_level(t, t->cmin)) < p->min_dl ||
                    fabs(lvl - tonemap_level(t, t->cmax)) < p->min_dl)
                    continue; /* the min or max label says it already */
                ok = cb_clear(&trial, lvl);
                cb_add(&trial, c, lvl);
            }
            if (ok && trial.n > p->n) {
                *p = trial;
                return;
            }
        }
        if (dec > t->cmax / 10)
            return;
    }
}

/* Log and eq-hist: powers of ten first, then 5 and 2 times them (n_mant of
 * those three), each kept where it does not crowd a label already there.
 * eq-hist spreads them unevenly, just as it spreads the colours. */
static void cb_decades(const tonemap_table *t, int n_mant, cb_pick *p)
{
    static const uint64_t mant[3] = {1, 5, 2};
    for (int mi = 0; mi < n_mant; mi++)
        for (uint64_t dec = 1;; dec *= 10) {
            uint64_t c = mant[mi] * dec;
            if (c > t->cmin && c < t->cmax) {
                double lvl = tonemap_level(t, c);
                if (cb_clear(p, lvl))
                    cb_add(p, c, lvl);
            }
            if (dec > UINT64_MAX / 50)
                break;
        }
}

/* The text above the colorbar, centred on it and kept in the window; a
 * given one is cut to the room from the plot's middle to the window's edge. */
static void bar_title(builder *b, const overlay_frame *fr, int bx, const char *text, bool cut)
{
    const overlay_metrics *m = b->m;
    overlay_rect pl = b->out->plot;
    char fit[OVERLAY_TEXT_LEN];
    if (cut)
        font_fit(b->f, text, false, (float)(fr->win_w - m->pad - (pl.x + pl.w / 2)), fit, sizeof fit);
    else
        snprintf(fit, sizeof fit, "%s", text);
    float tw = font_width(b->f, fit, false);
    int cx = clampi((int)floorf(bx + m->cb_w * 0.5f - tw * 0.5f + 0.5f), m->pad,
                    fr->win_w - m->pad - (int)ceilf(tw));
    add_text(b, OVERLAY_CBAR_TITLE, fit, false, false, cx, m->annot_top + m->asc, 0);
}

static void bar_frame(builder *b, int bx)
{
    const overlay_metrics *m = b->m;
    overlay_rect pl = b->out->plot;
    add_solid(b, bx - m->lw, pl.y - m->lw, m->cb_w + 2 * m->lw, m->lw);
    add_solid(b, bx - m->lw, pl.y + pl.h, m->cb_w + 2 * m->lw, m->lw);
    add_solid(b, bx - m->lw, pl.y, m->lw, pl.h);
    add_solid(b, bx + m->cb_w, pl.y, m->lw, pl.h);
}

/* The value bar: the colormap from value_min (bottom) to value_max (top)
 * with nice ticks, as an axis; labels too wide for the column get offset
 * notation, the offset shown after the bar's title. */
static void value_bar(builder *b, const overlay_frame *fr, int bx, int tx)
{
    const overlay_metrics *m = b->m;
    overlay_layout *o = b->out;
    overlay_rect pl = o->plot;
    o->cbar = (overlay_rect){bx, pl.y, m->cb_w, pl.h};
    o->cbar_value = true;
    double v0 = fr->value_min, v1 = fr->value_max;
    tick_set ts = {.n = 0};
    char offset[40] = "";
    if (isfinite(v0) && isfinite(v1) && v0 != v1 && isfinite(v1 - v0)) {
        float half = (float)imax(m->half_up, m->half_down);
        ticks_layout_params tp = {.axis_px = (float)pl.h,
                                  .gap_px = m->ygap * 0.5f,
                                  .room_lo = half,
                                  .room_hi = half,
                                  .measure = measure_height,
                                  .ctx = (void *)m};
        if (!ticks_layout_ex(v0, v1, &tp, &ts))
            ts.n = 0;
        float widest = 0;
        for (int i = 0; i < ts.n; i++)
            widest = fmaxf(widest, font_width(b->f, ts.label[i], true));
        if (widest > (float)m->cblab_w && !ticks_offset_labels(&ts, offset))
            offset[0] = 0;
    }
    const char *label = fr->bar_label && fr->bar_label[0] ? fr->bar_label : NULL;
    if (label || offset[0]) {
        char title[OVERLAY_TEXT_LEN];
        snprintf(title, sizeof title, "%s%s%s", label ? label : "", label && offset[0] ? "  " : "",
                 offset);
        bar_title(b, fr, bx, title, true);
    }
    bar_frame(b, bx);
    for (int i = 0; i < ts.n; i++) {
        double cy = pl.y + pl.h - (ts.value[i] - v0) / (v1 - v0) * pl.h;
        if (!isfinite(cy))
            continue;
        add_solid(b, bx + m->cb_w, tick_pos(cy, pl.y, pl.y + pl.h, m->lw), m->lw + m->tick_len, m->lw);
        if (font_width(b->f, ts.label[i], true) > (float)m->cblab_w)
            continue;
        add_text(b, OVERLAY_CBAR_TICK, ts.label[i], true, false, tx, centred_baseline(m, cy),
                 ts.value[i]);
    }
}

static void colorbar(builder *b, const overlay_params *pp, const overlay_frame *fr)
{
    const overlay_metrics *m = b->m;
    overlay_layout *o = b->out;
    overlay_rect pl = o->plot;
    if (!m->colorbar || !pp->colorbar)
        return;
    int bx = pl.x + pl.w + m->lw + m->cb_gap + m->lw;
    int tx = bx + m->cb_w + m->lw + m->tick_len + m->tick_gap;
    if (fr->value_bar) {
        if (fr->cmap)
            value_bar(b, fr, bx, tx);
        return;
    }
    if (!fr->table || !fr->cmap)
        return;
    o->cbar = (overlay_rect){bx, pl.y, m->cb_w, pl.h};
    o->cbar_floor = fr->floor;
    if (!fr->bar_label)
        bar_title(b, fr, bx, "count", false);
    else if (fr->bar_label[0])
        bar_title(b, fr, bx, fr->bar_label, true);
    bar_frame(b, bx);

    const tonemap_table *t = fr->table;
    if (t->cmax == 0)
        return;
    cb_pick p = {.n = 0, .min_dl = (measure_height((void *)m, "") + m->ygap * 0.5) / pl.h};
    cb_add(&p, t->cmax, tonemap_level(t, t->cmax));
    double lmin = tonemap_level(t, t->cmin);
    if (t->cmin != t->cmax && cb_clear(&p, lmin))
        cb_add(&p, t->cmin, lmin);
    if (t->kind == TONEMAP_LOG || t->kind == TONEMAP_EQ_HIST) {
        cb_decades(t, 3, &p);
    } else {
        /* even steps, then powers of ten where sqrt and cbrt leave room
         * below the first step */
        cb_linear(t, &p);
        cb_decades(t, 1, &p);
    }
    for (int i = 0; i < p.n; i++) {
        double cy = pl.y + pl.h - p.level[i] * pl.h;
        add_solid(b, bx + m->cb_w, tick_pos(cy, pl.y, pl.y + pl.h, m->lw), m->lw + m->tick_len,
                  m->lw);
        char s[40];
        if (fr->count_unit > 0 && fr->count_unit != 1)
            snprintf(s, sizeof s, "%.3g", (double)p.count[i] * fr->count_unit);
        else
            format_count(p.count[i], s, sizeof s);
        add_text(b, OVERLAY_CBAR_TICK, s, true, false, tx, centred_baseline(m, cy),
                 (double)p.count[i]);
    }
}

/* ---- legend ------------------------------------------------------------------- */

static void add_swatch(builder *b, int x, int y, int w, int h, const uint8_t rgb[4])
{
    overlay_layout *o = b->out;
    if (o->n_swatch < OVERLAY_MAX_SWATCHES && w > 0 && h > 0) {
        o->swatch[o->n_swatch] = (overlay_rect){x, y, w, h};
        memcpy(o->swatch_rgba[o->n_swatch], rgb, 3);
        o->swatch_rgba[o->n_swatch++][3] = 255;
    }
}

/* The box right of the margins, top-aligned with the plot: rows fill the
 * columns top to bottom, left to right. */
static void legend(builder *b, const overlay_legend *lg, const overlay_frame *fr)
{
    const overlay_metrics *m = b->m;
    overlay_layout *o = b->out;
    overlay_rect pl = o->plot;
    legend_geom g;
    legend_geom_of(m, lg, fr->win_w, fr->win_h, &g);
    int x0 = pl.x + pl.w + m->right, y0 = pl.y;
    if (!g.w || x0 + g.w > fr->win_w || y0 + g.h > fr->win_h)
        return; /* the window is too small for it */
    o->legend = (overlay_rect){x0, y0, g.w, g.h};
    o->legend_rows = g.rows;
    o->legend_cols = g.cols;
    o->legend_shown = g.shown;
    add_solid(b, x0, y0, g.w, m->lw);
    add_solid(b, x0, y0 + g.h - m->lw, g.w, m->lw);
    add_solid(b, x0, y0 + m->lw, m->lw, g.h - 2 * m->lw);
    add_solid(b, x0 + g.w - m->lw, y0 + m->lw, m->lw, g.h - 2 * m->lw);
    int hollow = imax(m->lw, iround(0.12f * m->em));
    for (int i = 0; i < g.n; i++) {
        int col = i / g.rows, row = i % g.rows;
        int x = x0 + m->lw + g.inner + col * (g.col_w + g.colgap);
        int base = y0 + m->lw + g.inner + row * g.step + m->asc;
        int tx = x + g.sw + g.sgap;
        char fit[OVERLAY_TEXT_LEN];
        if (i == g.shown) { /* the rest, counted */
            char more[48];
            snprintf(more, sizeof more, "+%d more", g.more);
            font_fit(b->f, more, false, (float)(g.sw + g.sgap + g.lab_w), fit, sizeof fit);
            add_text(b, OVERLAY_LEGEND, fit, false, false, x, base, g.more);
            continue;
        }
        bool on = !fr->legend_on || fr->legend_on[i];
        int sy = base - iround(m->digit_h * 0.5f) - g.sw / 2;
        const uint8_t *c = lg->colors[i];
        if (on) {
            add_swatch(b, x, sy, g.sw, g.sw, c);
        } else {
            add_swatch(b, x, sy, g.sw, hollow, c);
            add_swatch(b, x, sy + g.sw - hollow, g.sw, hollow, c);
            add_swatch(b, x, sy + hollow, hollow, g.sw - 2 * hollow, c);
            add_swatch(b, x + g.sw - hollow, sy + hollow, hollow, g.sw - 2 * hollow, c);
        }
        if (lg->width[i] > (float)g.lab_w)
            font_fit(b->f, lg->labels[i], false, (float)g.lab_w, fit, sizeof fit);
        else
            snprintf(fit, sizeof fit, "%s", lg->labels[i]);
        overlay_text *t = add_text(b, OVERLAY_LEGEND, fit, false, false, tx, base, i);
        if (t)
            t->dim = !on;
    }
}

/* ---- annotations ------------------------------------------------------------- */

/* Cuts the segment a-b to the rect r (Liang-Barsky); false when none of it
 * is inside. */
static bool clip_segment(double a[2], double b[2], overlay_rect r)
{
    double t0 = 0, t1 = 1, dx = b[0] - a[0], dy = b[1] - a[1];
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a[0] - r.x, r.x + r.w - a[0], a[1] - r.y, r.y + r.h - a[1]};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0 && t > t0)
            t0 = t;
        else if (p[i] > 0 && t < t1)
            t1 = t;
        if (t0 > t1)
            return false;
    }
    double ax = a[0], ay = a[1];
    a[0] = ax + t0 * dx, a[1] = ay + t0 * dy;
    b[0] = ax + t1 * dx, b[1] = ay + t1 * dy;
    return true;
}

static bool inside(overlay_rect r, double x, double y)
{
    return x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
}

/* A label of an annotation: its pen placed by (ax, ay) and how it hangs
 * from there (hx: 0 starts at ax, 1 ends at it, 0.5 centred; baseline:
 * the pen's y is ay, else the line is centred on ay (vc), or hangs below
 * or sits above it), then moved inside the plot rect, on a backdrop. */
typedef enum { HANG_BASELINE, HANG_CENTRE, HANG_BELOW, HANG_ABOVE } hang;

static void annot_label(builder *b, const char *s, double ax, double ay, double hx, hang hv)
{
    const overlay_metrics *m = b->m;
    overlay_layout *o = b->out;
    overlay_rect pl = o->plot;
    int e = iround(0.25f * m->em);
    char fit[OVERLAY_TEXT_LEN];
    font_fit(b->f, s, false, (float)(pl.w - 2 * e), fit, sizeof fit);
    if (!fit[0] || o->n_annot_back >= OVERLAY_MAX_ANNOTS)
        return;
    double w = font_width(b->f, fit, false);
    double y = hv == HANG_BASELINE ? ay
             : hv == HANG_CENTRE  ? ay + (m->asc - m->desc) * 0.5
             : hv == HANG_BELOW   ? ay + m->asc
                                  : ay - m->desc;
    overlay_text *t = add_text(b, OVERLAY_ANNOT, fit, false, false, (int)floor(ax - hx * w + 0.5),
                               (int)floor(y + 0.5), 0);
    if (!t)
        return;
    /* inside the plot, backdrop and all */
    int dx = 0, dy = 0;
    if (t->box.x - e < pl.x)
        dx = pl.x - (t->box.x - e);
    else if (t->box.x + t->box.w + e > pl.x + pl.w)
        dx = pl.x + pl.w - (t->box.x + t->box.w + e);
    if (t->box.y - e < pl.y)
        dy = pl.y - (t->box.y - e);
    else if (t->box.y + t->box.h + e > pl.y + pl.h)
        dy = pl.y + pl.h - (t->box.y + t->box.h + e);
    t->x += dx, t->y += dy, t->box.x += dx, t->box.y += dy;
    overlay_rect r = {imax(pl.x, t->box.x - e), imax(pl.y, t->box.y - e), 0, 0};
    r.w = imin(pl.x + pl.w, t->box.x + t->box.w + e) - r.x;
    r.h = imin(pl.y + pl.h, t->box.y + t->box.h + e) - r.y;
    if (r.w > 0 && r.h > 0)
        o->annot_back[o->n_annot_back++] = r;
}

static void annotations(builder *b, const overlay_frame *fr)
{
    const overlay_metrics *m = b->m;
    overlay_layout *o = b->out;
    overlay_rect pl = o->plot;
    double sx = pl.w / (fr->x1 - fr->x0), sy = pl.h / (fr->y1 - fr->y0);
    if (!isfinite(sx) || !isfinite(sy) || pl.w < 1 || pl.h < 1)
        return;
    int n = fr->n_annots < OVERLAY_MAX_ANNOTS ? fr->n_annots : OVERLAY_MAX_ANNOTS;
    for (int i = 0; i < n; i++) {
        const overlay_annot *a = &fr->annots[i];
        /* pixels, y down; far points are held where floats stay exact */
        double tail[2] = {pl.x + (a->x0 - fr->x0) * sx, pl.y + (fr->y1 - a->y0) * sy};
        double tip[2] = {pl.x + (a->x1 - fr->x0) * sx, pl.y + (fr->y1 - a->y1) * sy};
        for (int k = 0; k < 2; k++) {
            tail[k] = fmax(-1e7, fmin(1e7, tail[k]));
            tip[k] = fmax(-1e7, fmin(1e7, tip[k]));
        }
        if (!isfinite(tail[0] + tail[1] + tip[0] + tip[1]))
            continue;
        double dx = tip[0] - tail[0], dy = tip[1] - tail[1], len = hypot(dx, dy);
        if (!a->arrow || len < 1) {
            if (inside(pl, tail[0], tail[1]))
                annot_label(b, a->text, tail[0], tail[1], 0, a->arrow ? HANG_CENTRE : HANG_BASELINE);
            continue;
        }
        double ux = dx / len, uy = dy / len;
        double hl = fmin(0.8 * m->em, 0.6 * len), hw = 0.4 * hl;
        double w = fmax(1.5, 0.12 * m->em);
        double s0[2] = {tail[0], tail[1]}, s1[2] = {tip[0] - ux * hl * 0.8, tip[1] - uy * hl * 0.8};
        if (o->n_arrow < OVERLAY_MAX_ANNOTS) {
            overlay_arrow *ar = &o->arrow[o->n_arrow];
            *ar = (overlay_arrow){0};
            /* all of it, outline too, inside the plot: the shaft cut short of
             * the edges, the head only when it fits */
            double in = w * 0.5 + fmax(1.0, 0.5 * w) + 0.5;
            overlay_rect cut = {pl.x + (int)ceil(in), pl.y + (int)ceil(in), pl.w - 2 * (int)ceil(in),
                                pl.h - 2 * (int)ceil(in)};
            bool shaft = cut.w > 0 && cut.h > 0 && clip_segment(s0, s1, cut);
            double bx = tip[0] - ux * hl, by = tip[1] - uy * hl;
            const double tri[3][2] = {{tip[0], tip[1]}, {bx - uy * hw, by + ux * hw}, {bx + uy * hw, by - ux * hw}};
            ar->head = true;
            for (int k = 0; k < 3; k++)
                ar->head = ar->head && inside(cut, tri[k][0], tri[k][1]);
            if (shaft || ar->head) {
                o->n_arrow++;
                if (!shaft)
                    s0[0] = s1[0] = tip[0], s0[1] = s1[1] = tip[1];
                ar->x0 = (float)s0[0], ar->y0 = (float)s0[1], ar->x1 = (float)s1[0], ar->y1 = (float)s1[1];
                ar->w = (float)w;
                for (int k = 0; k < 3; k++)
                    ar->tri[k][0] = (float)tri[k][0], ar->tri[k][1] = (float)tri[k][1];
            }
        }
        if (!a->text[0] || !inside(pl, tail[0], tail[1]))
            continue;
        /* the label beside the tail, away from the head */
        double gap = 0.35 * m->em;
        if (fabs(dx) >= 0.5 * fabs(dy))
            annot_label(b, a->text, tail[0] + (dx > 0 ? -gap : gap), tail[1], dx > 0 ? 1 : 0, HANG_CENTRE);
        else
            annot_label(b, a->text, tail[0], tail[1] + (dy > 0 ? -gap : gap), 0.5, dy > 0 ? HANG_ABOVE : HANG_BELOW);
    }
}

/* ---- the whole ----------------------------------------------------------------- */

/* A line of text centred on cx within the window's padding, cut to fit. */
static void centred_line(builder *b, overlay_role role, const char *s, double cx, int baseline,
                         int win_w)
{
    const overlay_metrics *m = b->m;
    const font *f = role == OVERLAY_TITLE ? b->tf : b->f;
    char fit[OVERLAY_TEXT_LEN];
    font_fit(f, s, false, (float)(win_w - 2 * m->pad), fit, sizeof fit);
    int w = (int)ceilf(font_width(f, fit, false));
    int x = clampi((int)floor(cx - w * 0.5 + 0.5), m->pad, win_w - m->pad - w);
    add_text(b, role, fit, false, false, x, baseline, 0);
}

/* The help box: lines of text on a backdrop with a border, centred in the
 * window, over everything (the picture included: it is asked for). Lines that
 * do not fit the window's height are left out, the last shown ending in an
 * ellipsis; lines too wide are cut. */
static void help_box(builder *b, const char *help, int win_w, int win_h)
{
    const overlay_metrics *m = b->m;
    overlay_layout *o = b->out;
    int inner = iround(0.8f * m->em), step = m->line_h + iround(0.25f * m->em);
    int max_w = win_w - 2 * m->pad - 2 * inner - 2 * m->lw;
    int max_lines = (win_h - 2 * m->pad - 2 * inner - 2 * m->lw + step - m->line_h) / step;
    if (max_w < 1 || max_lines < 1)
        return;
    if (max_lines > OVERLAY_HELP_LINES)
        max_lines = OVERLAY_HELP_LINES;
    char lines[OVERLAY_HELP_LINES][OVERLAY_TEXT_LEN];
    int n = 0, widest = 0;
    for (const char *p = help; *p && n < max_lines;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char raw[OVERLAY_TEXT_LEN];
        size_t cut = len < sizeof raw - 1 ? len : sizeof raw - 1;
        memcpy(raw, p, cut);
        raw[cut] = 0;
        p += len + (e ? 1 : 0);
        bool more = *p && n == max_lines - 1;
        if (more) /* the last line that fits, with more to come */
            snprintf(raw + strlen(raw), sizeof raw - strlen(raw), "%s", " \xE2\x80\xA6");
        font_fit(b->f, raw, false, (float)max_w, lines[n], sizeof lines[n]);
        widest = imax(widest, (int)ceilf(font_width(b->f, lines[n], false)));
        n++;
    }
    if (n == 0)
        return;
    int w = widest + 2 * inner, h = (n - 1) * step + m->line_h + 2 * inner;
    int x = (win_w - w) / 2, y = (win_h - h) / 2;
    o->back[o->n_back++] = (overlay_rect){x, y, w, h};
    o->outline[o->n_outline++] = (overlay_rect){x - m->lw, y - m->lw, w + 2 * m->lw, m->lw};
    o->outline[o->n_outline++] = (overlay_rect){x - m->lw, y + h, w + 2 * m->lw, m->lw};
    o->outline[o->n_outline++] = (overlay_rect){x - m->lw, y, m->lw, h};
    o->outline[o->n_outline++] = (overlay_rect){x + w, y, m->lw, h};
    for (int i = 0; i < n; i++) {
        overlay_text *t = add_text(b, OVERLAY_HELP, lines[i], false, false, x + inner,
                                   y + inner + i * step + m->asc, 0);
        if (t)
            t->on_top = true;
    }
}

void overlay_layout_compute(const overlay_fonts *fonts, const overlay_metrics *m,
                            const overlay_params *p, const overlay_legend *lg,
                            const overlay_frame *fr, overlay_layout *out)
{
    const font *f = fonts->text;
    out->win_w = fr->win_w;
    out->win_h = fr->win_h;
    out->plot = fr->plot;
    out->cbar = (overlay_rect){0, 0, 0, 0};
    out->cbar_floor = 0;
    out->cbar_value = false;
    out->legend = (overlay_rect){0, 0, 0, 0};
    out->legend_rows = out->legend_cols = out->legend_shown = 0;
    out->n_text = out->n_solid = out->n_back = out->n_outline = out->n_swatch = 0;
    out->n_annot_back = out->n_arrow = 0;
    builder b = {f, fonts->title, m, out};
    overlay_rect pl = fr->plot;
    if (fr->win_w < 1 || fr->win_h < 1)
        return;
    if (fr->axes && pl.w >= 1 && pl.h >= 1) {
        /* the frame, just outside the picture */
        add_solid(&b, pl.x - m->lw, pl.y - m->lw, pl.w + 2 * m->lw, m->lw);
        add_solid(&b, pl.x - m->lw, pl.y + pl.h, pl.w + 2 * m->lw, m->lw);
        add_solid(&b, pl.x - m->lw, pl.y, m->lw, pl.h);
        add_solid(&b, pl.x + pl.w, pl.y, m->lw, pl.h);
        char context[64];
        x_axis(&b, fr, context);
        y_axis(&b, fr);
        colorbar(&b, p, fr);
        legend(&b, lg, fr);

        double pcx = pl.x + pl.w * 0.5;
        if (p->title)
            centred_line(&b, OVERLAY_TITLE, p->title, pcx, m->title_top + m->title_asc, fr->win_w);
        int row = pl.y + pl.h + m->lw + m->tick_len + m->tick_gap + m->line_h;
        if (p->xlabel || (p->time_x && context[0])) {
            /* a time axis' context goes after the label: "time  2024-03-05" */
            char xl[OVERLAY_TEXT_LEN];
            snprintf(xl, sizeof xl, "%s%s%s", p->xlabel ? p->xlabel : "",
                     p->xlabel && p->time_x && context[0] ? "   " : "", p->time_x ? context : "");
            row += m->row_gap;
            centred_line(&b, OVERLAY_XLABEL, xl, pcx, row + m->asc, fr->win_w);
        }
        if (p->ylabel) {
            char fit[OVERLAY_TEXT_LEN];
            /* along the plot's side only: above and below are the title and status */
            font_fit(f, p->ylabel, false, (float)pl.h, fit, sizeof fit);
            int w = (int)ceilf(font_width(f, fit, false));
            int pen_y = clampi((int)floor(pl.y + pl.h * 0.5 + w * 0.5 + 0.5), pl.y + w, pl.y + pl.h);
            add_text(&b, OVERLAY_YLABEL, fit, false, true, m->pad + m->asc, pen_y, 0);
        }
    }
    if (fr->n_annots > 0 && fr->annots)
        annotations(&b, fr);
    if (fr->status && fr->status[0]) {
        char fit[OVERLAY_TEXT_LEN];
        font_fit(f, fr->status, false, (float)(fr->win_w - 2 * m->pad), fit, sizeof fit);
        overlay_text *t = add_text(&b, OVERLAY_STATUS, fit, false, false, m->pad,
                                   fr->win_h - m->pad - m->desc, 0);
        if (t && !fr->axes) {
            /* no margin of its own: a strip keeps it readable over the picture */
            int e = iround(0.3f * m->em);
            overlay_rect r = t->box;
            int x0 = imax(0, r.x - e), y0 = imax(0, r.y - e);
            int x1 = r.x + r.w + e < fr->win_w ? r.x + r.w + e : fr->win_w;
            int y1 = r.y + r.h + e < fr->win_h ? r.y + r.h + e : fr->win_h;
            out->back[out->n_back++] = (overlay_rect){x0, y0, x1 - x0, y1 - y0};
            t->on_top = true;
        }
    }
    if (fr->help && fr->help[0])
        help_box(&b, fr->help, fr->win_w, fr->win_h);
}
