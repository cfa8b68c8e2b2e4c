/* Writes the same points twice, for bench/column_cache.sh: N rows of CSV
 * "x,y,z" (like instrument output: a longitude and latitude with 6 decimals,
 * a magnitude in %.5g), and the x,y of each row as a raw float32 file (the
 * CSV's values rounded to float32, interleaved, little endian).
 * usage: csv_pair N OUT.csv OUT.f32 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unit(uint64_t *s) { return (double)(rng(s) >> 11) * (1.0 / 9007199254740992.0); }

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: csv_pair N OUT.csv OUT.f32\n");
        return 2;
    }
    long long n = atoll(argv[1]);
    FILE *c = fopen(argv[2], "wb"), *r = fopen(argv[3], "wb");
    if (!c || !r) {
        perror("csv_pair");
        return 1;
    }
    static char cb[1 << 20], rb[1 << 20];
    setvbuf(c, cb, _IOFBF, sizeof cb);
    setvbuf(r, rb, _IOFBF, sizeof rb);
    uint64_t s = 777;
    fputs("lon,lat,mag\n", c);
    for (long long i = 0; i < n; i++) {
        /* clustered: a few Gaussian blobs over a uniform background */
        double x, y;
        if (rng(&s) % 4) {
            int k = (int)(rng(&s) % 5);
            double u1 = unit(&s) + 1e-300, u2 = unit(&s);
            double g1 = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
            double g2 = sqrt(-2 * log(u1)) * sin(6.283185307179586 * u2);
            x = -120 + 50 * k + g1 * (3 + k);
            y = -40 + 17 * k + g2 * (2 + k);
        } else {
            x = unit(&s) * 360 - 180;
            y = unit(&s) * 180 - 90;
        }
        char line[96];
        int len = snprintf(line, sizeof line, "%.6f,%.6f,%.5g\n", x, y, exp(unit(&s) * 10 - 5));
        fwrite(line, 1, (size_t)len, c);
        float xy[2] = {(float)strtod(line, NULL), 0};
        char *comma = line;
        while (*comma != ',')
            comma++;
        xy[1] = (float)strtod(comma + 1, NULL);
        fwrite(xy, sizeof xy, 1, r);
    }
    if (fclose(c) || fclose(r)) {
        perror("csv_pair: write");
        return 1;
    }
    return 0;
}
