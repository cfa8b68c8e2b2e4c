#include "load/demo.h"

#include "core/util.h"

#include <math.h>

/* The attractor  x' = sin(a y) + c cos(a x),  y' = sin(b x) + d cos(b y).
 * Each chunk runs LANES independent orbits side by side so the compiler can
 * vectorise the polynomial sine below; the orbits start from seeds derived
 * from k and run a short warm-up to settle onto the attractor. */
#define LANES 8
#define WARMUP 64

static const double A = -1.3, B = -1.3, C = -1.8, D = -1.9;

/* sin on any argument: reduce to [-pi, pi], then an odd polynomial. Accurate
 * to about 1e-6, which is far below a pixel; the attractor's shape does not
 * depend on the exact sine. */
static inline double fast_sin(double v)
{
    const double inv2pi = 0.15915494309189535, twopi = 6.283185307179586;
    /* round to nearest by the 1.5 * 2^52 trick: vectorises, unlike nearbyint */
    const double magic = 6755399441055744.0;
    double k = (v * inv2pi + magic) - magic;
    double r = v - twopi * k;
    /* fold to [-pi/2, pi/2] where the polynomial is accurate */
    const double half_pi = 1.5707963267948966, pi = 3.141592653589793;
    r = r > half_pi ? pi - r : r;
    r = r < -half_pi ? -pi - r : r;
    double r2 = r * r;
    return r * (1.0 + r2 * (-1.6666666666666666e-1 + r2 * (8.333333333333333e-3 +
           r2 * (-1.984126984126984e-4 + r2 * (2.7557319223985893e-6 +
           r2 * (-2.505210838544172e-8 + r2 * 1.6059043836821613e-10))))));
}

static inline double fast_cos(double v) { return fast_sin(v + 1.5707963267948966); }

void demo_bounds(double out[4])
{
    out[0] = -(1 + fabs(C));
    out[1] = 1 + fabs(C);
    out[2] = -(1 + fabs(D));
    out[3] = 1 + fabs(D);
}

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void demo_generate(uint64_t k, size_t n, double *x, double *y)
{
    double ox[LANES], oy[LANES];
    for (int l = 0; l < LANES; l++) {
        uint64_t s = vp_mix64(k * LANES + (uint64_t)l);
        ox[l] = (double)(s >> 11) * 0x1p-53 * 0.2 - 0.1;
        oy[l] = (double)(vp_mix64(s) >> 11) * 0x1p-53 * 0.2 - 0.1;
    }
    for (int it = 0; it < WARMUP; it++) {
        for (int l = 0; l < LANES; l++) {
            double nx = fast_sin(A * oy[l]) + C * fast_cos(A * ox[l]);
            double ny = fast_sin(B * ox[l]) + D * fast_cos(B * oy[l]);
            ox[l] = nx;
            oy[l] = ny;
        }
    }
    size_t i = 0;
    while (i < n) {
        double bx[LANES], by[LANES];
        for (int l = 0; l < LANES; l++) {
            bx[l] = fast_sin(A * oy[l]) + C * fast_cos(A * ox[l]);
            by[l] = fast_sin(B * ox[l]) + D * fast_cos(B * oy[l]);
            ox[l] = bx[l];
            oy[l] = by[l];
        }
        for (int l = 0; l < LANES && i < n; l++, i++) {
            x[i] = bx[l];
            y[i] = by[l];
        }
    }
}
