/* Error codes and the error record that every fallible kam function fills.
 *
 * One list, KAM_ERR_LIST, generates the enum, the names and the messages. A code is never
 * renumbered or reused: append new ones at the end. */
#ifndef KAM_UTIL_ERR_H
#define KAM_UTIL_ERR_H

#include <stdint.h>

#define KAM_MUST_CHECK   __attribute__((warn_unused_result))
#define KAM_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* X(NAME, message, cli exit code) */
#define KAM_ERR_LIST(X)                                                                            \
    X(OK, "ok", 0)                                                                                 \
    X(ERR_USAGE, "usage error", 1)                                                                 \
    X(ERR_INVALID, "invalid input", 2)                                                             \
    X(ERR_NOT_FOUND, "not found", 2)                                                               \
    X(ERR_EXISTS, "already exists", 2)                                                             \
    X(ERR_CONFLICT, "version conflict", 2)                                                         \
    X(ERR_TOO_LARGE, "input too large", 2)                                                         \
    X(ERR_ENCODING, "invalid text encoding", 2)                                                    \
    X(ERR_IO, "input/output error", 3)                                                             \
    X(ERR_STORE, "storage error", 3)                                                               \
    X(ERR_SCHEMA, "database schema is newer than this kam", 3)                                     \
    X(ERR_AUTH, "authentication failed", 2)

enum kam_rc {
#define KAM_X(name, msg, exit) KAM_##name,
    KAM_ERR_LIST(KAM_X)
#undef KAM_X
        KAM_RC_COUNT
};

/* What went wrong and where. line is 0 when not about a line of input; field is "" when not
 * about a field. */
struct kam_err {
    enum kam_rc code;
    int64_t line;
    char field[64];
    char msg[1024];
};

/* "ERR_INVALID", for logs and tests. */
const char *kam_rc_name(enum kam_rc rc);
/* "invalid input", a short human description. */
const char *kam_rc_str(enum kam_rc rc);
/* The documented CLI exit code: 0 ok, 1 usage, 2 invalid input, 3 storage or I/O. */
int kam_rc_exit_code(enum kam_rc rc);

/* Fills err (may be NULL) with code and a printf-style message; returns code. */
enum kam_rc kam_err_set(struct kam_err *err, enum kam_rc code, const char *fmt, ...)
    KAM_PRINTF(3, 4);
/* Puts a printf-style prefix and ": " before err's message (code and line kept); returns
 * err->code. */
enum kam_rc kam_err_prefix(struct kam_err *err, const char *fmt, ...) KAM_PRINTF(2, 3);
/* Resets err to KAM_OK with empty message. */
void kam_err_clear(struct kam_err *err);

/* Abort with file:line for a programmer error; never used for bad input. */
#define KAM_BUG(msg) kam_bug(__FILE__, __LINE__, msg)
_Noreturn void kam_bug(const char *file, int line, const char *msg);

#endif
