#ifndef VP_COMMANDS_H
#define VP_COMMANDS_H
#include "app/options.h"
#include "core/err.h"

/* Each returns the process exit code; errors are put in err (printed once by main). */
int cmd_render(const vp_options *o, vp_err *err); /* render and demo */
int cmd_info(const vp_options *o, vp_err *err);
int cmd_view(const vp_options *o, vp_err *err); /* view, and demo with a display */
/* The viewer on data already made (libvastplot's vastplot_view: arrays in
 * the caller's memory); ds is used, not owned. */
int cmd_view_dataset(const vp_options *o, dataset *ds, vp_err *err);

#endif
