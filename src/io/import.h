/* CSV import of accounts, contacts, products, order lines, payments and ratings.
 *
 * Lossless by construction: every row is validated, and by default one invalid row means nothing
 * is written (one transaction, rolled back). With a reject file, valid rows are written and each
 * invalid row is copied to the reject file with its reason. Re-importing a file changes nothing
 * (upsert by natural key). Order lines keep the monthly rollups in the same transaction. Ratings
 * are checked against the current scoring model (the latest stored version, else the default):
 * the rating must be one the model declares, the value within its scale; an empty value clears
 * the rating. */
#ifndef KAM_IO_IMPORT_H
#define KAM_IO_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"
#include "util/err.h"

enum kam_import_kind {
    KAM_IMPORT_ACCOUNTS,
    KAM_IMPORT_CONTACTS,
    KAM_IMPORT_PRODUCTS,
    KAM_IMPORT_ORDERS,
    KAM_IMPORT_PAYMENTS,
    KAM_IMPORT_RATINGS, /* account, rating, value, note: the static ratings of the model */
    KAM_IMPORT_KIND_COUNT
};

/* One problem as kam_import_problem_fn sees it: kam_import_error_fn's arguments and the column. */
struct kam_import_problem {
    const char *file;
    int64_t line;   /* 0: not about a line */
    int64_t column; /* 1-based CSV column the field was read from; 0: the row or the file */
    const char *field, *msg;
};

/* Like kam_import_error_fn, for callers that show the column too (the HTTP API). */
typedef void (*kam_import_problem_fn)(void *ctx, const struct kam_import_problem *p);

struct kam_import_opts {
    enum kam_import_kind kind;
    const char *path; /* plain or gzip-compressed CSV; with data, only its name */
    const char *data; /* non-NULL: the CSV itself (plain, borrowed), read instead of path */
    size_t data_len;
    const char *map;         /* "field=Header,field=Header", NULL = none */
    const char *map_file;    /* lines "field=Header", NULL = none */
    const char *date_format; /* strftime-style, NULL = ISO 8601 */
    const char *encoding;    /* NULL or "utf-8" (BOM optional), "gb18030", "gbk" */
    const char *reject_path; /* NULL = all-or-nothing */
    /* Instead of reject_path: rejected rows go to this stream (borrowed, not closed; e.g. an
     * open_memstream). Its text describes the import only when kam_import_run returns KAM_OK.
     * Rows stop being copied once it holds reject_max bytes (0: no limit); the rows left out
     * are counted in the report's reject_omitted, so the stream stays bounded. */
    FILE *reject_stream;
    size_t reject_max;
    bool dry_run;        /* validate and report, write nothing */
    bool create_missing; /* orders: create unknown accounts and products from the row */
    /* Non-NULL: who imports. One audit entry "import.<kind>" (entity "import", key the kind,
     * after the counts) is written in the import's transaction, so it exists exactly when the
     * rows do. NULL: none. */
    const char *actor;
    /* With actor: this entry (its actor is taken from actor) instead of the import's counts;
     * for one record created through the API, whose entry names the record and its fields. */
    const struct kam_audit_entry *audit;
    /* Every row must be new: a row whose key is stored already is a problem ("already
     * exists", on the key's field) and nothing is written. Needs all-or-nothing (no reject). */
    bool create_only;
    kam_import_problem_fn on_problem; /* called instead of on_error when set, with its ctx */
    /* When set: called with the rows read so far every KAM_IMPORT_PROGRESS_ROWS rows, from the
     * thread that reads the file (orders read on a thread of their own), with progress_ctx. */
    void (*progress)(void *progress_ctx, int64_t rows);
    void *progress_ctx;
};

#define KAM_IMPORT_PROGRESS_ROWS 16384

struct kam_import_report {
    int64_t rows; /* data rows read */
    int64_t inserted, updated, unchanged, rejected;
    int64_t created_accounts, created_products;
    int64_t errors;         /* error messages reported (a row can have several) */
    int64_t reject_omitted; /* rejected rows left out of reject_stream (over reject_max) */
    int64_t existing;       /* create_only: rows refused because their key exists */
    bool written;           /* the transaction was committed */
    double seconds;
};

/* Called for every problem found, in file order: file, line (0 = not about a line), field ("" =
 * the row or file) and a message that ends with the offending value when there is one. */
typedef void (*kam_import_error_fn)(void *ctx, const char *file, int64_t line, const char *field,
                                    const char *msg);

/* Name ("orders") of a kind, and the kind of a name; false when unknown. */
const char *kam_import_kind_name(enum kam_import_kind k);
bool kam_import_kind_parse(const char *s, enum kam_import_kind *out);
/* Whether name is one of the fields (CSV columns by their own name) of kind. */
bool kam_import_field_known(enum kam_import_kind k, const char *name);

/* Imports o->path into st and fills rep. Returns KAM_OK when the file was imported (possibly
 * with rejected rows written to the reject file) or, for a dry run, would be; KAM_ERR_INVALID
 * when rows are invalid (or the header lacks a required column) and nothing was written,
 * KAM_ERR_ENCODING or KAM_ERR_TOO_LARGE for bytes the reader refuses (csv_reader.h);
 * KAM_ERR_USAGE for bad options; KAM_ERR_IO when the file cannot be read; KAM_ERR_STORE. The
 * database is unchanged whenever the result is not KAM_OK. */
KAM_MUST_CHECK enum kam_rc kam_import_run(struct kam_store *st, const struct kam_import_opts *o,
                                          kam_import_error_fn on_error, void *ctx,
                                          struct kam_import_report *rep, struct kam_err *err);

#endif
