#ifndef VP_ERR_H
#define VP_ERR_H
#include <stdbool.h>

/* An error travels up as a message with its context (file, place, what was
 * expected) and is printed once, at the top (app/main.c). Functions that can
 * fail return bool (or NULL) and fill a vp_err. */
typedef struct vp_err {
    char msg[1024];
} vp_err;

#if defined(__GNUC__)
#define VP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define VP_PRINTF(a, b)
#endif

/* Sets the message; returns false so callers can `return vp_err_set(...)`. */
bool vp_err_set(vp_err *e, const char *fmt, ...) VP_PRINTF(2, 3);
/* Puts "context: " before the current message; returns false. */
bool vp_err_prefix(vp_err *e, const char *fmt, ...) VP_PRINTF(2, 3);

#endif
