#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool vp_err_set(vp_err *e, const char *fmt, ...)
{
    if (!e)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return false;
}

bool vp_err_prefix(vp_err *e, const char *fmt, ...)
{
    if (!e)
        return false;
    char head[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    size_t hl = strlen(head), ml = strlen(e->msg);
    if (hl + 2 >= sizeof e->msg)
        hl = sizeof e->msg - 3;
    if (hl + 2 + ml >= sizeof e->msg)
        ml = sizeof e->msg - 3 - hl;
    memmove(e->msg + hl + 2, e->msg, ml);
    e->msg[hl + 2 + ml] = 0;
    memcpy(e->msg, head, hl);
    e->msg[hl] = ':';
    e->msg[hl + 1] = ' ';
    return false;
}
