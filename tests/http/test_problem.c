/* The error table of the HTTP API (src/http/problem.c): every error code has a status and a
 * problem type, the statuses the server answers by itself have theirs, and a problem is written
 * as RFC 9457 says. */
#include "http/http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "../case.h"

static void test_every_code_mapped(void **state)
{
    static const struct {
        const char *name;
        enum kam_rc rc;
        int status;
    } cases[] = {
        {"usage", KAM_ERR_USAGE, 400},         {"invalid", KAM_ERR_INVALID, 400},
        {"not found", KAM_ERR_NOT_FOUND, 404}, {"exists", KAM_ERR_EXISTS, 409},
        {"conflict", KAM_ERR_CONFLICT, 409},   {"too large", KAM_ERR_TOO_LARGE, 413},
        {"encoding", KAM_ERR_ENCODING, 400},   {"io", KAM_ERR_IO, 500},
        {"store", KAM_ERR_STORE, 500},         {"schema", KAM_ERR_SCHEMA, 500},
        {"auth", KAM_ERR_AUTH, 401},
    };
    (void)state;
    /* The table lists every code but OK: a new code must be added here and in problem.c. */
    assert_int_equal(NCASES(cases), KAM_RC_COUNT - 1);
    for (size_t k = 0; k < NCASES(cases); k++) {
        int status = kam_problem_status(cases[k].rc);
        const char *type = kam_problem_type(cases[k].rc);
        EXPECT(&cases[k], status == cases[k].status, "status %d, want %d", status, cases[k].status);
        EXPECT(&cases[k], strncmp(type, "urn:kam:problem:", 16) == 0, "type %s", type);
        EXPECT(&cases[k], strcmp(kam_problem_title(status), "Error") != 0, "no title for %d",
               status);
    }
    static const int own[] = {400, 401, 403, 404, 405, 413, 415, 429, 500, 503};
    for (size_t i = 0; i < NCASES(own); i++)
        assert_true(strncmp(kam_problem_type_of_status(own[i]), "urn:kam:problem:", 16) == 0);
    assert_string_equal(kam_problem_type_of_status(418), "about:blank");
    assert_int_equal(failures, 0);
}

static void test_problem_body(void **state)
{
    struct kam_http_resp resp = {0};
    struct kam_err err;
    (void)state;
    kam_jw_init(&resp.body, 0);
    kam_err_set(&err, KAM_ERR_INVALID, "'12,3x' is not a number");
    snprintf(err.field, sizeof(err.field), "amount");
    kam_problem_err(&resp, &err);
    assert_int_equal(resp.status, 400);
    assert_string_equal(resp.content_type, "application/problem+json");
    json_t *j = json_loads(resp.body.data, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:kam:problem:invalid");
    assert_string_equal(json_string_value(json_object_get(j, "title")), "Bad Request");
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "'12,3x' is not a number");
    json_t *e = json_array_get(json_object_get(j, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "amount");
    json_decref(j);

    /* Internal errors do not show their message (it may name files or SQL). */
    kam_err_set(&err, KAM_ERR_STORE, "database: disk I/O error at /secret/path");
    err.field[0] = '\0';
    kam_problem_err(&resp, &err);
    assert_int_equal(resp.status, 500);
    assert_null(strstr(resp.body.data, "/secret/path"));
    kam_jw_release(&resp.body);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_mapped),
        cmocka_unit_test(test_problem_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
