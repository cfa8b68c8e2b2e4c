#ifndef VP_DRIVER_ENV_H
#define VP_DRIVER_ENV_H
/* Settings the GL driver reads from the environment when it loads: they must
 * be made before the first EGL call or SDL video call, so main makes them,
 * once, for the headless context and the viewer's window alike.
 *
 * Mesa's shader disk cache: it saves about 0.13 s of shader compilation per
 * run on llvmpipe (a 1000-point render: 0.07 s with, 0.21 s without), but it
 * maps a sparse index file, and when that file's disk is full the first write
 * to a new page of it kills the process with SIGBUS. So the cache lives in
 * vastplot's own folder, $XDG_CACHE_HOME/vastplot/mesa (else
 * ~/.cache/vastplot/mesa; MESA_SHADER_CACHE_DIR when the user set it), capped
 * at 32 MiB, and only when that folder's disk has 64 MiB free; otherwise, and
 * with --no-cache or VASTPLOT_NO_CACHE, it is turned off for this run. A
 * user's MESA_SHADER_CACHE_DISABLE=true is kept. Never fails: the worst case
 * is a run without the cache. */
#include <stdbool.h>

/* Returns whether the shader disk cache is on for this run. */
bool driver_env_prepare(bool allow_disk_cache);

#endif
