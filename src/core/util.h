#ifndef VP_UTIL_H
#define VP_UTIL_H
/* Small helpers shared by several modules. */
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

#endif
