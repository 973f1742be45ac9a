/* Errors as RFC 9457 problem details (application/problem+json): type, title, status, detail,
 * and for validation errors a list of {field, message}.
 *
 * Two tables: every kam error code to its HTTP status and problem type, and the statuses the
 * server answers by itself (401 without credentials, 403, 405, 415, 429) to theirs. A problem
 * type is "urn:kam:problem:" + a short name; docs/api.md lists them and tests/http checks that
 * every error code has a row. The detail is the error's message, written for users. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>

#define TYPE_PREFIX "urn:kam:problem:"

static const struct {
    int status;
    const char *type;
} rc_map[KAM_RC_COUNT] = {
    [KAM_OK] = {200, NULL},
    [KAM_ERR_USAGE] = {400, TYPE_PREFIX "bad-request"},
    [KAM_ERR_INVALID] = {400, TYPE_PREFIX "invalid"},
    [KAM_ERR_NOT_FOUND] = {404, TYPE_PREFIX "not-found"},
    [KAM_ERR_EXISTS] = {409, TYPE_PREFIX "exists"},
    [KAM_ERR_CONFLICT] = {409, TYPE_PREFIX "conflict"},
    [KAM_ERR_TOO_LARGE] = {413, TYPE_PREFIX "too-large"},
    [KAM_ERR_ENCODING] = {400, TYPE_PREFIX "encoding"},
    [KAM_ERR_IO] = {500, TYPE_PREFIX "internal"},
    [KAM_ERR_STORE] = {500, TYPE_PREFIX "internal"},
    [KAM_ERR_SCHEMA] = {500, TYPE_PREFIX "internal"},
    [KAM_ERR_AUTH] = {401, TYPE_PREFIX "unauthenticated"},
};

static const struct {
    int status;
    const char *type, *title;
} statuses[] = {
    {400, TYPE_PREFIX "bad-request", "Bad Request"},
    {401, TYPE_PREFIX "unauthenticated", "Unauthorized"},
    {403, TYPE_PREFIX "forbidden", "Forbidden"},
    {404, TYPE_PREFIX "not-found", "Not Found"},
    {405, TYPE_PREFIX "method-not-allowed", "Method Not Allowed"},
    {409, TYPE_PREFIX "conflict", "Conflict"},
    {413, TYPE_PREFIX "too-large", "Content Too Large"},
    {415, TYPE_PREFIX "unsupported-media-type", "Unsupported Media Type"},
    {422, TYPE_PREFIX "unprocessable", "Unprocessable Content"},
    {429, TYPE_PREFIX "rate-limited", "Too Many Requests"},
    {431, TYPE_PREFIX "headers-too-large", "Request Header Fields Too Large"},
    {500, TYPE_PREFIX "internal", "Internal Server Error"},
    {503, TYPE_PREFIX "unavailable", "Service Unavailable"},
};

int kam_problem_status(enum kam_rc rc)
{
    return rc >= 0 && rc < KAM_RC_COUNT && rc_map[rc].status ? rc_map[rc].status : 500;
}

const char *kam_problem_type(enum kam_rc rc)
{
    return rc > 0 && rc < KAM_RC_COUNT && rc_map[rc].type ? rc_map[rc].type
                                                          : TYPE_PREFIX "internal";
}

const char *kam_problem_type_of_status(int status)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].status == status)
            return statuses[i].type;
    return "about:blank";
}

const char *kam_problem_title(int status)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].status == status)
            return statuses[i].title;
    return "Error";
}

static void problem(struct kam_http_resp *resp, int status, const char *type, const char *detail,
                    const struct kam_problem_field *fields, size_t nfields)
{
    struct kam_jw *w = &resp->body;
    resp->status = status;
    resp->content_type = "application/problem+json";
    kam_jw_reset(w);
    kam_jw_obj(w);
    kam_jw_kstr(w, "type", type);
    kam_jw_kstr(w, "title", kam_problem_title(status));
    kam_jw_kint(w, "status", status);
    if (detail && detail[0])
        kam_jw_kstr(w, "detail", detail);
    if (nfields > 0) {
        kam_jw_key(w, "errors");
        kam_jw_arr(w);
        for (size_t i = 0; i < nfields; i++) {
            kam_jw_obj(w);
            kam_jw_kstr(w, "field", fields[i].field);
            kam_jw_kstr(w, "message", fields[i].message);
            kam_jw_obj_end(w);
        }
        kam_jw_arr_end(w);
    }
    kam_jw_obj_end(w);
}

void kam_problem(struct kam_http_resp *resp, int status, const char *detail,
                 const struct kam_problem_field *fields, size_t nfields)
{
    problem(resp, status, kam_problem_type_of_status(status), detail, fields, nfields);
}

void kam_problem_err(struct kam_http_resp *resp, const struct kam_err *err)
{
    struct kam_problem_field f = {err->field, err->msg};
    const char *detail = err->msg[0] ? err->msg : kam_rc_str(err->code);
    int status = kam_problem_status(err->code);
    /* Internal errors say what failed in general terms only: the message may name files or SQL
     * (it is in the server's log). */
    if (status >= 500) {
        fprintf(stderr, "kam: %s: %s\n", kam_rc_name(err->code), err->msg);
        detail = "the server could not complete the request; the server log has the details";
    }
    problem(resp, status, kam_problem_type(err->code), detail, &f, err->field[0] ? 1 : 0);
}
