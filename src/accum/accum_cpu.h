#ifndef VP_ACCUM_CPU_H
#define VP_ACCUM_CPU_H
/* The CPU accumulation as a background job, so the caller can set up GL
 * (tone-map shaders, the output texture) while the workers bin. */
#include "accum/accum.h"

typedef struct accum_cpu accum_cpu;
/* v and counts must stay valid until accum_cpu_join. */
bool accum_cpu_start(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                     accum_cpu **out, vp_err *err);
bool accum_cpu_join(accum_cpu *a, accum_stats *stats, vp_err *err); /* frees a */

#endif
