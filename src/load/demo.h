#ifndef VP_DEMO_H
#define VP_DEMO_H
#include <stddef.h>
#include <stdint.h>

/* Default size of the built-in demo data set. */
#define DEMO_POINTS 100000000ull

/* Writes n points of the demo data set (a Clifford attractor) for chunk k.
 * Deterministic: the same (k, n) always gives the same points. */
void demo_generate(uint64_t k, size_t n, double *x, double *y);

/* The attractor's bounding box, known in closed form:
 * |x| <= 1 + |c|, |y| <= 1 + |d|: [xmin, xmax, ymin, ymax]. */
void demo_bounds(double out[4]);

#endif
