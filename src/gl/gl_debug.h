#ifndef VP_GL_DEBUG_H
#define VP_GL_DEBUG_H
/* --gl-debug: the two levels of GL diagnostics, both off in normal runs.
 *   1. A KHR_debug callback (synchronous, so the message comes from inside the
 *      offending call), one line per message on stderr:
 *      "vastplot: gl error: [GL_DEBUG_SOURCE_API, GL_DEBUG_TYPE_ERROR, 1] text",
 *      the level from the severity (high: error, medium: warning, low: info,
 *      notification: debug; notifications only when verbose).
 *   2. glad's post-call hook: glGetError after every GL call, each error said
 *      as "vastplot: gl error: GL_INVALID_ENUM after glBindBuffer". The errors
 *      it takes off the queue are handed back by the next glGetError calls, so
 *      gl_check and other error checks still see them.
 * Costs a glGetError per GL call, so for debugging only. Without it glad's
 * debug pointers lead straight to the driver (glctx does gladUninstallGLDebug
 * after loading), the same one indirect call as a plain glad build. */
#include <stdbool.h>

/* With the context current and GL loaded (glctx does this under p->debug).
 * Hooks are process-wide; the callback belongs to the current context. */
void gl_debug_install(bool verbose);

#endif
