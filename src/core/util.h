#ifndef VP_UTIL_H
#define VP_UTIL_H
/* Small helpers shared by several modules. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64's output function: a well-mixed 64-bit value from any input. */
uint64_t vp_mix64(uint64_t z);
/* A fixed (seedless) shuffle: the same n always gives the same order. */
void vp_shuffle_u64(uint64_t *v, uint64_t n);
/* Monotonic seconds. */
double vp_now(void);
/* $XDG_CACHE_HOME/vastplot/SUB, else ~/.cache/vastplot/SUB, into dir; false
 * when neither is set to an absolute path or the path does not fit. */
bool vp_cache_dir(const char *sub, char *dir, size_t len);

/* Boxes of finite points (xmin, xmax, ymin, ymax): VP_BOX_EMPTY holds none
 * (xmin > xmax); vp_box_add grows box to hold b (an empty b adds nothing). */
#define VP_BOX_EMPTY {INFINITY, -INFINITY, INFINITY, -INFINITY}
static inline void vp_box_add(double box[4], const double b[4])
{
    if (b[0] > b[1])
        return;
    box[0] = b[0] < box[0] ? b[0] : box[0];
    box[1] = b[1] > box[1] ? b[1] : box[1];
    box[2] = b[2] < box[2] ? b[2] : box[2];
    box[3] = b[3] > box[3] ? b[3] : box[3];
}

#endif
