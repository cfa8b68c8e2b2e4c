#ifndef VP_SCRIPT_H
#define VP_SCRIPT_H
/* The viewer's --script language, one command a line ('#' starts a comment):
 *   view X0 X1 Y0 Y1      show these data limits
 *   view save NAME        append the current view, titled NAME, to the views file
 *                         (--views FILE, else vastplot.views; app/views.h)
 *   zoom FACTOR [X Y]     zoom in (> 1) or out about data point X Y (default: centre)
 *   pan DX DY             move by fractions of the view's width and height
 *   drag X0 Y0 X1 Y1      a left-button drag in plot pixels (pans)
 *   box X0 Y0 X1 Y1       a right-button drag in plot pixels (box zoom)
 *   wheel X Y CLICKS      mouse wheel at plot pixel X Y (positive: zoom in)
 *   key NAME              a key press, SDL key name (H, T, C, Home, Backspace, F11...)
 *   wait MS               let MS milliseconds pass
 *   wait-refined          until every point of the view has been drawn
 *   screenshot PATH       a PNG of the window (after refinement)
 *   stats PATH            JSON: points, view, frame times, refinement state
 *   category C [1|0]      --by: toggle category C (0-based, as keys 0-9), or show/hide it
 *   quit
 * Parsing takes bytes (the fuzzer feeds anything); errors name the line. */
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef enum script_op {
    SCRIPT_VIEW, SCRIPT_ZOOM, SCRIPT_PAN, SCRIPT_DRAG, SCRIPT_BOX, SCRIPT_WHEEL, SCRIPT_KEY,
    SCRIPT_WAIT, SCRIPT_WAIT_REFINED, SCRIPT_SCREENSHOT, SCRIPT_STATS, SCRIPT_QUIT,
    SCRIPT_VIEW_SAVE, /* before SCRIPT_CATEGORY: fuzz_script checks VIEW..CATEGORY */
    SCRIPT_CATEGORY
} script_op;

typedef struct script_cmd {
    script_op op;
    int nargs;          /* numbers given */
    double arg[4];
    char text[512];     /* key name, path, or view save's NAME */
    int line;
} script_cmd;

typedef struct script {
    script_cmd *cmds;
    size_t n;
} script;

/* name: for messages ("FILE:LINE: ..."). */
bool script_parse(const char *text, size_t len, const char *name, script *out, vp_err *err);
bool script_load(const char *path, script *out, vp_err *err);
void script_free(script *s);

#endif
