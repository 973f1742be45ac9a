/* CSV, JSON and xlsx export of accounts, contacts, products, order lines and payments, and of a
 * filtered account list (`kam accounts`, GET /api/v1/exports/accounts).
 *
 * CSV uses the import's header names, so an export imports back unchanged; it is UTF-8, or
 * GB18030 for the Excel of a Chinese Windows, which opens a CSV in the ANSI code page. JSON is an
 * array of objects; money is a string with the exact decimal value ("1234.5"), so no consumer
 * rounds it through a float. An xlsx workbook has one sheet named after the kind, money as
 * numbers with two decimals (Excel holds numbers as doubles: exact to the cent up to 10^13). */
#ifndef KAM_IO_EXPORT_H
#define KAM_IO_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "store/store.h"

enum kam_export_kind {
    KAM_EXPORT_ACCOUNTS,
    KAM_EXPORT_CONTACTS,
    KAM_EXPORT_PRODUCTS,
    KAM_EXPORT_ORDERS,
    KAM_EXPORT_PAYMENTS,
    KAM_EXPORT_KIND_COUNT
};

bool kam_export_kind_parse(const char *s, enum kam_export_kind *out);

/* Writes every record of the kind to out. KAM_ERR_IO when writing fails, KAM_ERR_STORE. */
KAM_MUST_CHECK enum kam_rc kam_export(struct kam_store *st, enum kam_export_kind kind, bool json,
                                      FILE *out, struct kam_err *err);

enum kam_export_encoding { KAM_ENCODING_UTF8, KAM_ENCODING_GB18030 };

/* The most rows one xlsx sheet holds after its header (Excel's limit is 1,048,576 rows). */
#define KAM_XLSX_MAX_ROWS 1048575

/* "utf-8" (or "utf8") and "gb18030", case-insensitive; false for any other name. */
bool kam_export_encoding_parse(const char *s, enum kam_export_encoding *out);

/* kam_export's CSV of the kind in the encoding: byte for byte kam_export's in UTF-8.
 * KAM_ERR_IO, KAM_ERR_ENCODING (text that is not UTF-8), KAM_ERR_STORE. */
KAM_MUST_CHECK enum kam_rc kam_export_csv(struct kam_store *st, enum kam_export_kind kind,
                                          enum kam_export_encoding enc, FILE *out,
                                          struct kam_err *err);
/* Every record of the kind as an xlsx workbook at path, written under the name path.tmp and
 * renamed when complete (on error nothing is left). KAM_ERR_IO when path cannot be written,
 * KAM_ERR_TOO_LARGE over KAM_XLSX_MAX_ROWS rows, KAM_ERR_STORE. */
KAM_MUST_CHECK enum kam_rc kam_export_xlsx(struct kam_store *st, enum kam_export_kind kind,
                                           const char *path, struct kam_err *err);

/* The accounts of q (its filters, scope, sort and limit; q->item is ignored) as CSV: the
 * account columns, then ttm_revenue and total_revenue. At most max_rows rows (0: no bound),
 * else KAM_ERR_TOO_LARGE. *rows (may be NULL) gets the number written. Errors as above. */
KAM_MUST_CHECK enum kam_rc kam_export_accounts_csv(struct kam_store *st,
                                                   const struct kam_account_query *q,
                                                   enum kam_export_encoding enc, int64_t max_rows,
                                                   FILE *out, int64_t *rows, struct kam_err *err);
/* The same accounts as an xlsx workbook at path (sheet "accounts"); max_rows, *rows and the
 * errors as kam_export_xlsx. */
KAM_MUST_CHECK enum kam_rc kam_export_accounts_xlsx(struct kam_store *st,
                                                    const struct kam_account_query *q,
                                                    int64_t max_rows, const char *path,
                                                    int64_t *rows, struct kam_err *err);

/* Converts the UTF-8 text of in, read to its end, to enc into out. KAM_ERR_ENCODING when in
 * is not UTF-8, KAM_ERR_IO when reading or writing fails. */
KAM_MUST_CHECK enum kam_rc kam_export_recode(FILE *in, enum kam_export_encoding enc, FILE *out,
                                             struct kam_err *err);

/* A column value as text (money exact, "" for null) into buf; returns buf or the borrowed text. */
const char *kam_value_text(const struct kam_column *c, const struct kam_value *v, char *buf,
                           size_t n);
/* A column value as a new JSON value (null, integer, or string; money as exact string). */
json_t *kam_value_json(const struct kam_column *c, const struct kam_value *v);
/* A record as a new JSON object with "id" and every column. */
json_t *kam_record_json(const struct kam_table *t, int64_t id, const struct kam_value *vals);
/* Money as a new exact JSON string. */
json_t *kam_money_json(kam_money v);

/* Writes one CSV field, quoted only when it must be (RFC 4180). */
void kam_csv_write_field(FILE *f, const char *s, size_t len);

#endif
