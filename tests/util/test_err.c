/* Unit tests for src/util/err.c: the code table generated from KAM_ERR_LIST (names, messages,
 * CLI exit codes) and kam_err_set / kam_err_clear. */
#include "util/err.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

/* One row per code, written out by hand: adding a code without a row here fails the build. */
static const struct code_case {
    const char *name; /* the situation */
    enum kam_rc rc;
    const char *rc_name;
    int exit_code;
} codes[] = {
    {"success", KAM_OK, "OK", 0},
    {"bad command line", KAM_ERR_USAGE, "ERR_USAGE", 1},
    {"value is not valid", KAM_ERR_INVALID, "ERR_INVALID", 2},
    {"record does not exist", KAM_ERR_NOT_FOUND, "ERR_NOT_FOUND", 2},
    {"record already exists", KAM_ERR_EXISTS, "ERR_EXISTS", 2},
    {"record changed meanwhile", KAM_ERR_CONFLICT, "ERR_CONFLICT", 2},
    {"input over a size limit", KAM_ERR_TOO_LARGE, "ERR_TOO_LARGE", 2},
    {"text is not valid in its encoding", KAM_ERR_ENCODING, "ERR_ENCODING", 2},
    {"file could not be read or written", KAM_ERR_IO, "ERR_IO", 3},
    {"database failed", KAM_ERR_STORE, "ERR_STORE", 3},
    {"database made by a newer kam", KAM_ERR_SCHEMA, "ERR_SCHEMA", 3},
    {"wrong password, unknown or revoked token, disabled user", KAM_ERR_AUTH, "ERR_AUTH", 2},
};
_Static_assert(sizeof(codes) / sizeof(codes[0]) == KAM_RC_COUNT, "one row per kam_rc");

static void test_codes(void **state)
{
    (void)state;
    failures = 0;
    assert_int_equal(KAM_OK, 0);
    for (size_t i = 0; i < NCASES(codes); i++) {
        const struct code_case *c = &codes[i];
        const char *msg = kam_rc_str(c->rc);

        /* Codes are never renumbered: the table is in declaration order from 0. */
        EXPECT(c, (size_t)c->rc == i, "code %d at row %zu", (int)c->rc, i);
        EXPECT(c, strcmp(kam_rc_name(c->rc), c->rc_name) == 0, "name '%s', want '%s'",
               kam_rc_name(c->rc), c->rc_name);
        EXPECT(c, msg != NULL && msg[0] != '\0', "empty message");
        /* Messages are for users: lower case, no full stop. */
        EXPECT(c, msg[0] < 'A' || msg[0] > 'Z', "message '%s' starts with a capital", msg);
        EXPECT(c, msg[strlen(msg) - 1] != '.', "message '%s' ends with a full stop", msg);
        EXPECT(c, kam_rc_exit_code(c->rc) == c->exit_code, "exit code %d, want %d",
               kam_rc_exit_code(c->rc), c->exit_code);
        for (size_t j = 0; j < i; j++) {
            EXPECT(c, strcmp(kam_rc_name(c->rc), kam_rc_name(codes[j].rc)) != 0,
                   "name '%s' shared with %s", kam_rc_name(c->rc), codes[j].rc_name);
            EXPECT(c, strcmp(msg, kam_rc_str(codes[j].rc)) != 0, "message '%s' shared with %s", msg,
                   codes[j].rc_name);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_unknown_codes(void **state)
{
    static const struct case_ {
        const char *name;
        int rc;
    } cases[] = {
        {"one past the last code", KAM_RC_COUNT},
        {"far out of range", 1000},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        enum kam_rc rc = (enum kam_rc)c->rc;

        EXPECT(c, strcmp(kam_rc_name(rc), "UNKNOWN") == 0, "name '%s'", kam_rc_name(rc));
        EXPECT(c, kam_rc_str(rc) != NULL && kam_rc_str(rc)[0] != '\0', "empty message");
        EXPECT(c, kam_rc_exit_code(rc) == 3, "exit code %d", kam_rc_exit_code(rc));
    }
    assert_int_equal(failures, 0);
}

static void test_err_set(void **state)
{
    static const struct case_ {
        const char *name;
        enum kam_rc code;
        const char *text;
    } cases[] = {
        {"invalid value", KAM_ERR_INVALID, "'12,3x' is not a number"},
        {"missing record", KAM_ERR_NOT_FOUND, "account 'ACME' not found"},
        {"usage error", KAM_ERR_USAGE, "unknown option '--frobnicate'"},
        {"storage error", KAM_ERR_STORE, "database is locked"},
        {"empty message", KAM_ERR_IO, ""},
        {"OK can be set too", KAM_OK, "nothing wrong"},
        {"percent signs in arguments are not formats", KAM_ERR_INVALID, "100%s %d %n"},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_err err;

        memset(&err, 0, sizeof(err));
        err.code = KAM_ERR_SCHEMA;
        strcpy(err.msg, "stale message that must go");
        enum kam_rc rc = kam_err_set(&err, c->code, "%s", c->text);
        EXPECT(c, rc == c->code, "returns %s", kam_rc_name(rc));
        EXPECT(c, err.code == c->code, "err.code %s", kam_rc_name(err.code));
        EXPECT(c, strcmp(err.msg, c->text) == 0, "msg '%s'", err.msg);
        /* A NULL err is allowed: the code is still returned. */
        EXPECT(c, kam_err_set(NULL, c->code, "%s", c->text) == c->code, "NULL err");
    }
    assert_int_equal(failures, 0);
}

static void test_err_set_formats(void **state)
{
    struct kam_err err = {0};
    char long_text[3000];

    (void)state;
    assert_int_equal(kam_err_set(&err, KAM_ERR_INVALID, "row %d, column '%s': '%s' is not a number",
                                 12, "amount", "12,3x"),
                     KAM_ERR_INVALID);
    assert_string_equal(err.msg, "row 12, column 'amount': '12,3x' is not a number");

    /* A message longer than the buffer is cut, still NUL-terminated. */
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    assert_int_equal(kam_err_set(&err, KAM_ERR_TOO_LARGE, "%s", long_text), KAM_ERR_TOO_LARGE);
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
    assert_int_equal(err.code, KAM_ERR_TOO_LARGE);
}

static void test_err_clear(void **state)
{
    struct kam_err err;

    (void)state;
    memset(&err, 0x5a, sizeof(err));
    err.field[sizeof(err.field) - 1] = '\0';
    err.msg[sizeof(err.msg) - 1] = '\0';
    kam_err_clear(&err);
    assert_int_equal(err.code, KAM_OK);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.field, "");
    assert_string_equal(err.msg, "");
    kam_err_clear(NULL); /* allowed, does nothing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),     cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_err_set),   cmocka_unit_test(test_err_set_formats),
        cmocka_unit_test(test_err_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
