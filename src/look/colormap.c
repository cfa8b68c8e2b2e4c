#include "look/colormap.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "look/colormap_data.h"
#include "look/colormap_extra.h"

typedef struct colormap_entry {
    const char *name;
    const uint8_t (*rgb)[3]; /* NULL: computed (gray) */
    bool diverging;
} colormap_entry;

static const colormap_entry colormap_table[] = {
    {"viridis", colormap_data_viridis, false},
    {"inferno", colormap_data_inferno, false},
    {"magma", colormap_data_magma, false},
    {"plasma", colormap_data_plasma, false},
    {"cividis", colormap_data_cividis, false},
    {"fire", colormap_data_fire, false},
    {"gray", NULL, false},
    {"coolwarm", colormap_data_coolwarm, true},
    {"rdbu", colormap_data_rdbu, true},
    {"piyg", colormap_data_piyg, true},
};
#define COLORMAP_COUNT (sizeof colormap_table / sizeof colormap_table[0])

static const char *const colormap_name_list[] = {
    "viridis", "inferno", "magma", "plasma", "cividis", "fire", "gray", "coolwarm", "rdbu", "piyg", NULL,
};

const char *const *colormap_names(void)
{
    return colormap_name_list;
}

/* Finds the base map for "NAME" or "NAME_r" (case-insensitive; "grey" is
 * accepted for the British spelling). */
static const colormap_entry *colormap_find(const char *name, bool *reversed)
{
    size_t len = strlen(name);
    *reversed = false;
    if (len > 2 && (strcmp(name + len - 2, "_r") == 0 || strcmp(name + len - 2, "_R") == 0)) {
        *reversed = true;
        len -= 2;
    }
    if (len == 4 && strncasecmp(name, "grey", 4) == 0)
        name = "gray";
    for (size_t i = 0; i < COLORMAP_COUNT; i++) {
        const char *n = colormap_table[i].name;
        if (strlen(n) == len && strncasecmp(name, n, len) == 0)
            return &colormap_table[i];
    }
    return NULL;
}

bool colormap_get(const char *name, uint8_t out[COLORMAP_SIZE][4])
{
    if (!name)
        return false;
    bool reversed;
    const colormap_entry *e = colormap_find(name, &reversed);
    if (!e)
        return false;
    for (int i = 0; i < COLORMAP_SIZE; i++) {
        int src = reversed ? COLORMAP_SIZE - 1 - i : i;
        if (e->rgb) {
            out[i][0] = e->rgb[src][0];
            out[i][1] = e->rgb[src][1];
            out[i][2] = e->rgb[src][2];
        } else {
            out[i][0] = out[i][1] = out[i][2] = (uint8_t)src;
        }
        out[i][3] = 255;
    }
    return true;
}

bool colormap_is_diverging(const char *name)
{
    if (!name)
        return false;
    bool reversed;
    const colormap_entry *e = colormap_find(name, &reversed);
    return e && e->diverging;
}

_Static_assert(sizeof category_palette / sizeof category_palette[0] == CATEGORY_MAX,
               "the generated palette has CATEGORY_MAX colours");

void category_color(int i, uint8_t rgba[4])
{
    int k = i % CATEGORY_MAX;
    k = k < 0 ? k + CATEGORY_MAX : k;
    memcpy(rgba, category_palette[k], 3);
    rgba[3] = 255;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Named colours follow CSS (so "green" is #008000 and "gray" #808080), which
 * is what users of matplotlib and web tools expect. */
typedef struct named_color {
    const char *name;
    uint8_t rgba[4];
} named_color;

static const named_color named_colors[] = {
    {"black", {0, 0, 0, 255}},       {"white", {255, 255, 255, 255}},
    {"gray", {128, 128, 128, 255}},  {"grey", {128, 128, 128, 255}},
    {"red", {255, 0, 0, 255}},       {"green", {0, 128, 0, 255}},
    {"blue", {0, 0, 255, 255}},      {"transparent", {0, 0, 0, 0}},
};

bool color_parse(const char *s, uint8_t rgba[4])
{
    if (!s)
        return false;
    if (s[0] != '#') {
        for (size_t i = 0; i < sizeof named_colors / sizeof named_colors[0]; i++) {
            if (strcasecmp(s, named_colors[i].name) == 0) {
                memcpy(rgba, named_colors[i].rgba, 4);
                return true;
            }
        }
        return false;
    }
    const char *h = s + 1;
    size_t len = strlen(h);
    int d[8];
    if (len != 3 && len != 6 && len != 8)
        return false;
    for (size_t i = 0; i < len; i++) {
        d[i] = hex_digit(h[i]);
        if (d[i] < 0)
            return false;
    }
    uint8_t v[4] = {0, 0, 0, 255};
    if (len == 3) {
        /* #RGB means #RRGGBB with each digit doubled, as in CSS. */
        for (int i = 0; i < 3; i++)
            v[i] = (uint8_t)(d[i] * 17);
    } else {
        for (size_t i = 0; i < len / 2; i++)
            v[i] = (uint8_t)(d[2 * i] * 16 + d[2 * i + 1]);
    }
    memcpy(rgba, v, 4);
    return true;
}
