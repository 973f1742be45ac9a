/* Error names, messages and exit codes, all generated from KAM_ERR_LIST. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    const char *msg;
    int exit_code;
} rc_table[] = {
#define KAM_X(name, msg, exit) {#name, msg, exit},
    KAM_ERR_LIST(KAM_X)
#undef KAM_X
};

const char *kam_rc_name(enum kam_rc rc)
{
    return (unsigned)rc < KAM_RC_COUNT ? rc_table[rc].name : "UNKNOWN";
}

const char *kam_rc_str(enum kam_rc rc)
{
    return (unsigned)rc < KAM_RC_COUNT ? rc_table[rc].msg : "unknown error";
}

int kam_rc_exit_code(enum kam_rc rc)
{
    return (unsigned)rc < KAM_RC_COUNT ? rc_table[rc].exit_code : 3;
}

enum kam_rc kam_err_set(struct kam_err *err, enum kam_rc code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

enum kam_rc kam_err_prefix(struct kam_err *err, const char *fmt, ...)
{
    if (err == NULL)
        return KAM_OK;
    char prefix[256], msg[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(msg, err->msg, sizeof(msg));
    size_t n = strlen(prefix);
    if (n + 2 >= sizeof(err->msg))
        n = sizeof(err->msg) - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t rest = sizeof(err->msg) - n - 3, len = strlen(msg);
    if (len > rest)
        len = rest;
    memcpy(err->msg + n + 2, msg, len);
    err->msg[n + 2 + len] = '\0';
    return err->code;
}

void kam_err_clear(struct kam_err *err)
{
    if (err == NULL)
        return;
    err->code = KAM_OK;
    err->line = 0;
    err->field[0] = '\0';
    err->msg[0] = '\0';
}

_Noreturn void kam_bug(const char *file, int line, const char *msg)
{
    fprintf(stderr, "kam: internal error at %s:%d: %s\n", file, line, msg);
    abort();
}
