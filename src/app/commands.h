#ifndef VP_COMMANDS_H
#define VP_COMMANDS_H
#include "app/options.h"
#include "core/err.h"

/* Each returns the process exit code; errors are put in err (printed once by main). */
int cmd_render(const vp_options *o, vp_err *err); /* render and demo */
int cmd_info(const vp_options *o, vp_err *err);
int cmd_view(const vp_options *o, vp_err *err); /* view, and demo with a display */

#endif
