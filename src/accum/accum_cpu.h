#ifndef VP_ACCUM_CPU_H
#define VP_ACCUM_CPU_H
/* The CPU accumulation as a background job, so the caller can set up GL
 * (tone-map shaders, the output texture) while the workers bin. */
#include <stddef.h>

#include "accum/accum.h"

typedef struct accum_cpu accum_cpu;
/* v and counts must stay valid until accum_cpu_join. */
bool accum_cpu_start(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                     accum_cpu **out, vp_err *err);
bool accum_cpu_join(accum_cpu *a, accum_stats *stats, vp_err *err); /* frees a */

/* Memory: besides the caller's 64-bit grid, each worker holds either a private
 * 32-bit grid ((pixels + 1) * 4 bytes) when the picture has at most
 * ACCUM_CPU_PRIVATE_MAX_PIXELS pixels and all those grids together take at
 * most ACCUM_CPU_PRIVATE_MAX_BYTES, or else 1 MiB of band buffers whatever
 * the size (its increments go straight into the 64-bit grid, band by band
 * under per-band locks). Either way the grid is the same, bit for bit.
 * accum_cpu_uses_bands says which one `threads` workers (0 = 1) would use. */
#define ACCUM_CPU_PRIVATE_MAX_PIXELS ((size_t)4 << 20)
#define ACCUM_CPU_PRIVATE_MAX_BYTES ((size_t)256 << 20)
bool accum_cpu_uses_bands(size_t pixels, int threads);

#endif
