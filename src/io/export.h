/* CSV and JSON export of accounts, contacts, products, order lines and payments.
 *
 * CSV uses the import's header names, so an export imports back unchanged. JSON is an array of
 * objects; money is a string with the exact decimal value ("1234.5"), so no consumer rounds it
 * through a float. */
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
