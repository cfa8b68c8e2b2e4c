#ifndef VP_NUMPARSE_H
#define VP_NUMPARSE_H
/* Decimal numbers from bytes: the number parser of the text input (text.h),
 * on its own so that tests and fuzzers can hold it against strtod. No I/O, no
 * locale dependence, no NUL terminator needed.
 *
 * What is a number (the longest prefix of the bytes that matches, nothing
 * skipped before it):
 *
 *     number   = [sign] mantissa [exponent]
 *              | [sign] word
 *     sign     = "+" | "-"
 *     mantissa = digits ["." [digits]] | "." digits
 *     exponent = ("e" | "E") [sign] digits
 *     word     = "infinity" | "inf" | "nan"      (in any case)
 *     digits   = one or more of "0".."9"
 *
 * So "1." and ".5" are numbers, "." and "-" are not; an exponent without
 * digits is not part of the number ("1e", "1e+" and "1ex" are "1" followed by
 * other bytes); "1.2.3" is "1.2" followed by ".3"; "0x10" is "0" followed by
 * "x10" (no hex floats); "infinit" is "inf" followed by "it" and "nan(1)" is
 * "nan" followed by "(1)" (strtod would take the parentheses). Leading blanks,
 * digit grouping and decimal commas are not numbers. Any number of digits is
 * taken, leading zeros included.
 *
 * The value is the decimal value correctly rounded to the nearest double, ties
 * to even, i.e. bit for bit what glibc's strtod gives in the C locale: the
 * sign kept on zeros ("-0" is -0.0), subnormals where they fall ("1e-310"),
 * +-inf beyond DBL_MAX's rounding range ("1e400"), +-0.0 below the smallest
 * subnormal's ("1e-400"). The words give +-INFINITY and a quiet NaN
 * (0x7ff8000000000000, the sign bit set by "-"), as strtod does. An
 * exponent of 10^8 or more is read as some value from 10^8 to 10^9 (so that
 * sums cannot overflow), which changes no result for numbers shorter than
 * 99,999,000 bytes: those are 0 or inf with either exponent.
 *
 * Cost: numbers of at most 19 significant digits (nearly all in data files)
 * take an exact integer/float fast path of a few ns; longer ones, and the
 * rare ones the fast paths cannot decide, a copy and strtod_l (~10x). */
#include <stddef.h>

/* Parses one number at s, reading at most len bytes (s may be NULL when len is
 * 0). Returns the bytes consumed (the number's length), 0 when s does not
 * start with a number; *out is written only when the result is not 0. Also
 * 0, exceptionally, when a number of 128 or more bytes needs strtod and its
 * copy cannot be allocated. Thread-safe; the first call in the process (or the
 * first numparse_init) builds the tables (16 KiB, about a millisecond). */
size_t text_parse_double(const char *s, size_t len, double *out);

/* Builds the tables now (once per process; thread-safe; cheap after the
 * first call). Needed only before numparse_scan (numparse_inline.h), which
 * does not check. */
void numparse_init(void);

#endif
