/* GET /api/v1/exports/accounts: the account list of GET /api/v1/accounts as a file to download,
 * CSV (UTF-8 or GB18030) or an xlsx workbook, written by the export of `kam accounts --csv` and
 * `--xlsx` (io/export.c).
 *
 * The filters, sort and limit are the list's (kam_http_account_filters) and so is the scope: the
 * store query reads only the rows the user may see, so a rep exports their accounts and nothing
 * else. No pagination: the file is every matching account, up to EXPORT_MAX_ROWS (413 beyond).
 * The answer is built in memory before it is sent, which that bound keeps finite; streaming it
 * would hold the thread's store connection for as long as the client reads.
 *
 * An export is a read, like the list it copies: it is not audited (the audit log records
 * changes; docs/users.md). */
#include "http/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/export.h"

/* Below Excel's 1,048,576 rows a sheet, and about 300 MB of CSV at most in memory. */
#define EXPORT_MAX_ROWS 1000000

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static void bad_param(struct kam_http_resp *resp, const char *name, const char *message)
{
    char detail[160];
    struct kam_problem_field f = {name, message};
    snprintf(detail, sizeof(detail), "query parameter '%s' %s", name, message);
    kam_problem(resp, 400, detail, &f, 1);
}

/* ?format= and ?encoding= into *xlsx and *enc; false after the 400 naming the bad one. */
static bool format_params(struct kam_http_req *req, struct kam_http_resp *resp, bool *xlsx,
                          enum kam_export_encoding *enc)
{
    const char *format = kam_http_query(req, "format");
    const char *encoding = kam_http_query(req, "encoding");
    *xlsx = format != NULL && strcmp(format, "xlsx") == 0;
    *enc = KAM_ENCODING_UTF8;
    if (format != NULL && !*xlsx && strcmp(format, "csv") != 0) {
        bad_param(resp, "format", "is csv or xlsx");
        return false;
    }
    if (encoding != NULL && !kam_export_encoding_parse(encoding, enc)) {
        bad_param(resp, "encoding", "is utf-8 or gb18030");
        return false;
    }
    return true;
}

/* The CSV of q into *out (malloc'd), *len bytes. */
static enum kam_rc csv_bytes(struct kam_store *st, const struct kam_account_query *q,
                             enum kam_export_encoding enc, char **out, size_t *len,
                             struct kam_err *err)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (f == NULL)
        return kam_err_set(err, KAM_ERR_IO, "cannot buffer the export: %s", strerror(errno));
    enum kam_rc rc = kam_export_accounts_csv(st, q, enc, EXPORT_MAX_ROWS, f, NULL, err);
    if (fclose(f) != 0 && rc == KAM_OK)
        rc = kam_err_set(err, KAM_ERR_IO, "cannot buffer the export");
    if (rc != KAM_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return KAM_OK;
}

/* The whole file at path into *out (malloc'd), *len bytes. */
static enum kam_rc slurp(const char *path, char **out, size_t *len, struct kam_err *err)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL)
            fclose(f);
        return kam_err_set(err, KAM_ERR_IO, "cannot read the workbook back: %s", strerror(errno));
    }
    char *buf = kam_xmalloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f); /* read only */
    if (got != (size_t)n) {
        free(buf);
        return kam_err_set(err, KAM_ERR_IO, "cannot read the workbook back");
    }
    *out = buf;
    *len = got;
    return KAM_OK;
}

/* The xlsx of q into *out (malloc'd), *len bytes. libxlsxwriter writes files only: one in a
 * private directory of its own (mkdtemp, mode 0700), so no other user can swap it. */
static enum kam_rc xlsx_bytes(struct kam_store *st, const struct kam_account_query *q, char **out,
                              size_t *len, struct kam_err *err)
{
    const char *tmp = getenv("TMPDIR");
    char dir[3072], path[4096];
    snprintf(dir, sizeof(dir), "%s/kam-export-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return kam_err_set(err, KAM_ERR_IO, "cannot create a temporary directory: %s",
                           strerror(errno));
    snprintf(path, sizeof(path), "%s/accounts.xlsx", dir);
    enum kam_rc rc = kam_export_accounts_xlsx(st, q, EXPORT_MAX_ROWS, path, NULL, err);
    if (rc == KAM_OK)
        rc = slurp(path, out, len, err);
    /* Absent after a failed export (it removes its file): nothing to report either way. */
    unlink(path);
    rmdir(dir);
    return rc;
}

void kam_http_export_accounts(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_account_query q;
    enum kam_export_encoding enc;
    struct kam_err err;
    bool xlsx;
    char *bytes = NULL;
    size_t len = 0;

    kam_err_clear(&err);
    if (!format_params(req, resp, &xlsx, &enc) || !kam_http_account_filters(req, resp, &q))
        return;
    enum kam_rc rc = xlsx ? xlsx_bytes(req->st, &q, &bytes, &len, &err)
                          : csv_bytes(req->st, &q, enc, &bytes, &len, &err);
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    resp->raw = bytes;
    resp->raw_len = len;
    resp->content_type = xlsx                          ? XLSX_TYPE
                         : enc == KAM_ENCODING_GB18030 ? "text/csv; charset=GB18030"
                                                       : "text/csv; charset=utf-8";
    snprintf(resp->disposition, sizeof(resp->disposition), "attachment; filename=\"%s\"",
             xlsx ? "accounts.xlsx" : "accounts.csv");
}
