/* CSV import: header mapping, validation of every field, upsert by natural key, monthly rollups,
 * reject file, all inside one transaction.
 *
 * Flow: open the transaction, load the natural keys of accounts and products into hash maps
 * (references resolve without a query per row), read the file row by row, validate, write, and
 * collect rollup deltas in memory; at the end resolve deferred parent accounts, add the rollup
 * deltas, and commit, or roll back when any row was invalid (all-or-nothing), on a dry run or on
 * any failure. The reject file is written under a temporary name and renamed at the end.
 *
 * The CSV comes from a file (the CLI) or from memory (the HTTP API's request body), and the
 * rejected rows go to a file or to the caller's stream: one import for both. With an actor, the
 * import's audit entry is written in its transaction, just before the commit.
 *
 * Deliberately not here: business rules beyond the data model (scoring, tiers), and guessing a
 * column's meaning from its content. DOMAIN.md: the foundation every other feature reads. */
#include "io/import.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "core/order.h"
#include "io/csv_reader.h"
#include "io/export.h"
#include "io/model.h"
#include "util/date.h"
#include "util/map.h"
#include "util/mem.h"

#define MAX_FIELDS 32

/* The order line fields: our CSV header names. Accounts, contacts, products and payments use the
 * column names of their table (core/record.c). */
enum order_field {
    OF_ORDER_ID,
    OF_LINE_NO,
    OF_DATE,
    OF_ACCOUNT,
    OF_PRODUCT,
    OF_QUANTITY,
    OF_UNIT_PRICE,
    OF_AMOUNT,
    OF_UNIT_COST,
    OF_COST,
    OF_PROFIT,
    OF_DISCOUNT,
    OF_CHANNEL,
    OF_REGION,
    OF_ACCOUNT_NAME,
    OF_COUNTRY,
    OF_PRODUCT_NAME,
    OF_CATEGORY,
    OF_COUNT
};

static const char *const order_fields[OF_COUNT] = {
    "order_id",   "line_no", "date",         "account", "product",      "quantity",
    "unit_price", "amount",  "unit_cost",    "cost",    "profit",       "discount",
    "channel",    "region",  "account_name", "country", "product_name", "category",
};

static const unsigned order_required =
    1u << OF_ORDER_ID | 1u << OF_DATE | 1u << OF_ACCOUNT | 1u << OF_PRODUCT | 1u << OF_QUANTITY;

/* The rating fields (natural key account + rating). value is a required column, but an empty
 * value clears the rating. */
enum rating_field { RF_ACCOUNT, RF_RATING, RF_VALUE, RF_NOTE, RF_COUNT };

static const char *const rating_fields[RF_COUNT] = {"account", "rating", "value", "note"};

static const unsigned rating_required = 1u << RF_ACCOUNT | 1u << RF_RATING | 1u << RF_VALUE;

static const char *const kind_names[KAM_IMPORT_KIND_COUNT] = {
    "accounts", "contacts", "products", "orders", "payments", "ratings",
};

/* NULL: a kind with fields of its own (orders, ratings). */
static const struct kam_table *const kind_tables[KAM_IMPORT_KIND_COUNT] = {
    &kam_accounts, &kam_contacts, &kam_products, NULL, &kam_payments, NULL,
};

bool kam_import_field_known(enum kam_import_kind k, const char *name)
{
    if ((unsigned)k >= KAM_IMPORT_KIND_COUNT)
        return false;
    if (kind_tables[k] != NULL)
        return kam_table_col(kind_tables[k], name) >= 0;
    const char *const *names = k == KAM_IMPORT_ORDERS ? order_fields : rating_fields;
    size_t n = k == KAM_IMPORT_ORDERS ? OF_COUNT : RF_COUNT;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* A stored rating, to tell inserted, updated and unchanged apart. */
struct old_rating {
    double value;
    char *note; /* NULL when none */
};

struct cell {
    int64_t account, other; /* other: month (yyyymm) or product id */
    struct kam_rollup r;
    int first; /* product cells: the first month (yyyymm) of a purchase line, 0 when none */
};

struct cells {
    struct kam_u64map index;
    struct cell *v;
    size_t n, cap;
};

struct pending_parent {
    int64_t account_id;
    bool unchanged; /* the row was counted unchanged before its parent was set */
    int64_t line;
    char *code; /* "" clears the parent */
};

struct imp {
    struct kam_store *st;
    const struct kam_import_opts *o;
    kam_import_error_fn on_error;
    void *ctx;
    struct kam_import_report *rep;
    struct kam_err *err;
    enum kam_rc fatal; /* a failure that stops the import (store, I/O) */

    const struct kam_table *table; /* NULL for orders and ratings */
    const char *const *fnames;
    size_t nfields;
    unsigned required;      /* required columns of a kind without a table (bit = field) */
    int col_of[MAX_FIELDS]; /* CSV column of each field, -1 when absent */
    size_t ncsv;            /* columns in the header */
    bool header_done;
    char **header; /* the header as read, for the reject file */

    struct kam_strmap accounts, products; /* natural key -> id */
    struct kam_strmap seen;               /* natural keys met in this file -> line */
    struct kam_strmap order_pos;  /* order id -> rows seen, when there is no line_no column */
    struct kam_u64map cost_index; /* product id -> slot in std_costs */
    kam_money *std_costs;
    size_t nstd, capstd;
    int64_t first_new_line_id; /* order lines with a larger id were inserted by this import */

    struct cells months; /* account x month */
    struct cells bought; /* account x product */
    /* A bit per account id: a line of the account was inserted or changed (the writer's). */
    uint64_t *changed;
    size_t changed_words;
    struct pending_parent *parents;
    size_t nparents, capparents;

    FILE *reject;
    char *reject_tmp;
    bool any_invalid;      /* a row was invalid and there is no reject file */
    int reject_reason_col; /* the input's own reject_reason column, -1 when none */
    bool reject_line_no;   /* orders without line_no: the reject file gets kam's numbers */
    bool keep_reject_tmp;  /* committed, but the reject file kept its temporary name */
    bool row_bad;
    char reason[2048]; /* the current row's problems, for the reject file */
    char *key;         /* scratch for composite keys */
    size_t key_cap;
    const char *names[MAX_FIELDS]; /* field names of a record kind */
    struct batch *stage;           /* the reader thread's batch being filled; NULL in the writer */
    struct kam_strmap created_accounts, created_products; /* by the writer, orders only */

    struct kam_model *model;   /* ratings: the current scoring model */
    int64_t model_version;     /* 0: the default model (none stored yet) */
    struct kam_strmap ratings; /* ratings: "account id\x1fname" -> index into old */
    struct old_rating *old;
    size_t nold, capold;
};

const char *kam_import_kind_name(enum kam_import_kind k)
{
    return (unsigned)k < KAM_IMPORT_KIND_COUNT ? kind_names[k] : "?";
}

bool kam_import_kind_parse(const char *s, enum kam_import_kind *out)
{
    for (int i = 0; i < KAM_IMPORT_KIND_COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum kam_import_kind)i;
            return true;
        }
    return false;
}

/* --- problems ----------------------------------------------------------------------------- */

/* Copies at most 60 bytes of v, cut at a UTF-8 character boundary, for messages. */
static void shown_value(const char *v, size_t len, char *buf, size_t n)
{
    size_t max = 60;
    if (len <= max) {
        snprintf(buf, n, "%.*s", (int)len, v);
        return;
    }
    while (max > 0 && ((unsigned char)v[max] & 0xc0) == 0x80)
        max--;
    snprintf(buf, n, "%.*s...", (int)max, v);
}

static void problem(struct imp *im, int64_t line, const char *field, const char *fmt, ...)
    KAM_PRINTF(4, 5);
static void stage_problem(struct imp *im, const char *field, const char *msg);
static enum kam_rc read_header(struct imp *im, const struct kam_csv_row *hdr);
static int field_index(const struct imp *im, const char *name, size_t len);
static void problem(struct imp *im, int64_t line, const char *field, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    size_t used = strlen(im->reason);

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    im->row_bad = true;
    if (im->stage) { /* the reader thread: the writer reports it, in file order */
        stage_problem(im, field, msg);
        return;
    }
    im->rep->errors++;
    im->row_bad = true;
    if (im->o->on_problem) {
        int f = field[0] ? field_index(im, field, strlen(field)) : -1;
        struct kam_import_problem p = {im->o->path, line, f >= 0 ? im->col_of[f] + 1 : 0, field,
                                       msg};
        im->o->on_problem(im->ctx, &p);
    } else if (im->on_error) {
        im->on_error(im->ctx, im->o->path, line, field, msg);
    }
    snprintf(im->reason + used, sizeof(im->reason) - used, "%s%s%s%s", used ? "; " : "",
             field[0] ? field : "", field[0] ? ": " : "", msg);
}

/* A field's problem: "<what is wrong> (<value>)". */
static void bad_value(struct imp *im, int64_t line, const char *field, const char *what,
                      const char *v, size_t len)
{
    char shown[80];
    shown_value(v, len, shown, sizeof(shown));
    problem(im, line, field, "%s (%s)", what, shown);
}

static enum kam_rc stop(struct imp *im, enum kam_rc rc)
{
    if (rc != KAM_OK && im->fatal == KAM_OK)
        im->fatal = rc;
    return rc;
}

/* --- reject file -------------------------------------------------------------------------- */

/* One row of the reject file: the original fields (less a reject_reason column of the input,
 * so that a reject file can be corrected and imported again, and rejected again), the line
 * number kam gave the line when the input has none (extra, may be NULL), and the reason. */
static void reject_write_row(struct imp *im, const char *const *fields, const size_t *lens,
                             size_t n, const char *extra, const char *reason)
{
    /* A stream in memory is bounded: a file of short invalid rows gets a reason of up to 2 KB
     * each, far more than the file itself. */
    if (im->o->reject_stream && im->o->reject_max > 0 &&
        ftell(im->reject) >= (long)im->o->reject_max) {
        im->rep->reject_omitted++;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if ((int)i == im->reject_reason_col)
            continue;
        kam_csv_write_field(im->reject, fields[i], lens[i]);
        fputc(',', im->reject);
    }
    if (extra) {
        kam_csv_write_field(im->reject, extra, strlen(extra));
        fputc(',', im->reject);
    }
    kam_csv_write_field(im->reject, reason, strlen(reason));
    fputc('\n', im->reject);
}

/* Whether invalid rows are rejected (to a file or a stream), not fatal to the import. */
static bool rejecting(const struct imp *im)
{
    return im->o->reject_path != NULL || im->o->reject_stream != NULL;
}

static enum kam_rc reject_open(struct imp *im)
{
    if (im->o->reject_stream) {
        im->reject = im->o->reject_stream;
        return KAM_OK;
    }
    size_t n = strlen(im->o->reject_path) + 16;
    im->reject_tmp = kam_xmalloc(n);
    snprintf(im->reject_tmp, n, "%s.tmp", im->o->reject_path);
    im->reject = fopen(im->reject_tmp, "w");
    if (im->reject == NULL)
        return stop(im, kam_err_set(im->err, KAM_ERR_IO, "cannot write reject file '%s': %s",
                                    im->reject_tmp, strerror(errno)));
    return KAM_OK;
}

/* --- fields ------------------------------------------------------------------------------- */

struct text {
    const char *s;
    size_t len;
};

/* The trimmed text of field f of the row; empty when the column is absent. */
static struct text field(const struct imp *im, const struct kam_csv_row *row, int f)
{
    struct text t = {"", 0};
    int c = im->col_of[f];
    if (c < 0 || (size_t)c >= row->n)
        return t;
    t.s = row->fields[c];
    t.len = row->lens[c];
    while (t.len > 0 && (t.s[0] == ' ' || t.s[0] == '\t')) {
        t.s++;
        t.len--;
    }
    while (t.len > 0 && (t.s[t.len - 1] == ' ' || t.s[t.len - 1] == '\t' || t.s[t.len - 1] == '\r'))
        t.len--;
    return t;
}

static bool parse_money(struct imp *im, int64_t line, const char *name, struct text t,
                        kam_money *out)
{
    struct kam_err e;
    kam_err_clear(&e);
    if (kam_money_parse(t.s, t.len, out, &e) == KAM_OK)
        return true;
    bad_value(im, line, name, e.msg, t.s, t.len);
    return false;
}

/* An order line's number within KAM_LINE_MAX, so that products and sums stay exact. */
static bool line_money(struct imp *im, int64_t line, const char *name, struct text t,
                       kam_money *out)
{
    if (!parse_money(im, line, name, t, out))
        return false;
    if (*out > KAM_LINE_MAX || *out < -KAM_LINE_MAX) {
        bad_value(im, line, name, "is too large (at most 1e12)", t.s, t.len);
        return false;
    }
    return true;
}

static bool parse_int(struct imp *im, int64_t line, const char *name, struct text t, int64_t *out)
{
    kam_money m;
    struct kam_err e;
    kam_err_clear(&e);
    if (kam_money_parse(t.s, t.len, &m, &e) != KAM_OK) {
        bad_value(im, line, name, e.msg, t.s, t.len);
        return false;
    }
    if (m % KAM_MONEY_SCALE != 0) {
        bad_value(im, line, name, "is not a whole number", t.s, t.len);
        return false;
    }
    *out = m / KAM_MONEY_SCALE;
    return true;
}

static bool parse_date(struct imp *im, int64_t line, const char *name, struct text t,
                       struct kam_date *d)
{
    struct kam_err e;
    enum kam_rc rc;
    kam_err_clear(&e);
    rc = im->o->date_format ? kam_date_parse_fmt(t.s, t.len, im->o->date_format, d, &e)
                            : kam_date_parse_iso(t.s, t.len, d, &e);
    if (rc == KAM_OK)
        return true;
    bad_value(im, line, name, e.msg, t.s, t.len);
    return false;
}

static const char *composite_key(struct imp *im, const struct text *parts, size_t n, size_t *len)
{
    size_t need = n;
    for (size_t i = 0; i < n; i++)
        need += parts[i].len;
    if (need > im->key_cap) {
        im->key_cap = need * 2;
        im->key = kam_xrealloc(im->key, im->key_cap);
    }
    *len = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            im->key[(*len)++] = '\x1f'; /* unit separator: cannot occur in a key column */
        memcpy(im->key + *len, parts[i].s, parts[i].len);
        *len += parts[i].len;
    }
    return im->key;
}

/* Records key as met on line; false (with a problem reported) when the file had it already. */
static bool first_in_file(struct imp *im, int64_t line, const char *what, const struct text *parts,
                          size_t n)
{
    size_t len;
    const char *key = composite_key(im, parts, n, &len);
    int64_t first;
    if (kam_strmap_add(&im->seen, key, len, line, &first))
        return true;
    problem(im, line, "", "duplicate %s: the same key is on line %lld", what, (long long)first);
    return false;
}

/* --- rollups ------------------------------------------------------------------------------ */

static struct cell *cell_for(struct cells *c, int64_t account, int64_t other, int shift)
{
    bool inserted;
    uint32_t *slot =
        kam_u64map_upsert(&c->index, (uint64_t)account << shift | (uint64_t)other, &inserted);
    if (inserted) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->v = kam_xrealloc(c->v, c->cap * sizeof(*c->v));
        }
        c->v[c->n] = (struct cell){account, other, {0}, 0};
        *slot = (uint32_t)c->n++;
    }
    return &c->v[*slot];
}

/* A product cell's first purchase month: the earliest one seen (0 = none). Taking a line back
 * does not move it later; docs/method-metrics.md says so. */
static void lower_first(struct cell *c, int month)
{
    if (month > 0 && (c->first == 0 || month < c->first))
        c->first = month;
}

static int month_of(const char *iso)
{
    /* iso was written by kam_date_str: "YYYY-MM-..." */
    return atoi(iso) * 100 + (iso[5] - '0') * 10 + (iso[6] - '0');
}

static void rollup_line(struct imp *im, const struct kam_order_line *l, int month, int sign)
{
    /* The shifts keep the two parts apart: months (yyyymm) < 2^20, product ids < 2^32. */
    struct cell *p = cell_for(&im->bought, l->account_id, l->product_id, 32);
    if (sign > 0 && l->quantity > 0)
        lower_first(p, month);
    if (!kam_rollup_add_line(&cell_for(&im->months, l->account_id, month, 20)->r, l, sign) ||
        !kam_rollup_add_line(&p->r, l, sign))
        stop(im, kam_err_set(im->err, KAM_ERR_INVALID,
                             "the sums of one account's month or product exceed the range of "
                             "amounts (about 9.2e14 units)"));
}

/* Adds the cells of from (the reader's) to im's. */
static void merge_cells(struct imp *im, struct cells *to, const struct cells *from, int shift)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct cell *c = &from->v[i];
        struct cell *t = cell_for(to, c->account, c->other, shift);
        lower_first(t, c->first);
        if (!kam_rollup_merge(&t->r, &c->r))
            stop(im, kam_err_set(im->err, KAM_ERR_INVALID,
                                 "the sums of one account's month or product exceed the range "
                                 "of amounts (about 9.2e14 units)"));
    }
}

static int by_cell(const void *a, const void *b)
{
    const struct cell *x = a, *y = b;
    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    return (x->other > y->other) - (x->other < y->other);
}

/* The totals kept beside the rollup (store.h, rollup_totals): each changed month's change in
 * order lines, and the accounts whose cells changed, in order. */
struct totals {
    struct kam_u64map index; /* month -> position in months */
    int *months;
    int64_t *lines;
    size_t nmonths, capmonths;
    int64_t *accounts;
    size_t naccounts, capaccounts;
};

/* An account of a changed line (cells come in account order). */
static void totals_account(struct totals *t, int64_t account)
{
    if (t->naccounts == 0 || t->accounts[t->naccounts - 1] != account) {
        if (t->naccounts == t->capaccounts) {
            t->capaccounts = t->capaccounts ? t->capaccounts * 2 : 1024;
            t->accounts = kam_xrealloc(t->accounts, t->capaccounts * sizeof(*t->accounts));
        }
        t->accounts[t->naccounts++] = account;
    }
}

/* A month cell's change of order lines. */
static void totals_add(struct totals *t, const struct cell *c)
{
    bool inserted;
    uint32_t *slot = kam_u64map_upsert(&t->index, (uint64_t)c->other, &inserted);
    if (inserted) {
        if (t->nmonths == t->capmonths) {
            t->capmonths = t->capmonths ? t->capmonths * 2 : 64;
            t->months = kam_xrealloc(t->months, t->capmonths * sizeof(*t->months));
            t->lines = kam_xrealloc(t->lines, t->capmonths * sizeof(*t->lines));
        }
        *slot = (uint32_t)t->nmonths;
        t->months[t->nmonths] = (int)c->other;
        t->lines[t->nmonths++] = 0;
    }
    t->lines[*slot] += c->r.lines;
}

static void totals_release(struct totals *t)
{
    kam_u64map_release(&t->index);
    free(t->months);
    free(t->lines);
    free(t->accounts);
}

static enum kam_rc flush_rollups(struct imp *im)
{
    enum kam_rc rc = KAM_OK;
    struct totals t = {0};
    kam_u64map_init(&t.index);
    /* In key order, the rollup's b-tree is written front to back instead of at random: with
     * many accounts most cells are new and this halves the cost of the flush. The index into
     * the cells is not used after this. */
    if (im->months.n > 1)
        qsort(im->months.v, im->months.n, sizeof(*im->months.v), by_cell);
    if (im->bought.n > 1)
        qsort(im->bought.v, im->bought.n, sizeof(*im->bought.v), by_cell);
    static const struct kam_rollup zero; /* all int64: no padding to compare */
    for (size_t i = 0; i < im->months.n && rc == KAM_OK; i++) {
        const struct cell *c = &im->months.v[i];
        if (memcmp(&c->r, &zero, sizeof(zero)) == 0)
            continue; /* nothing changed in this cell (a re-import): no statement */
        rc = im->st->ops->rollup_add(im->st, c->account, (int)c->other, &c->r, im->err);
        totals_add(&t, c);
    }
    for (size_t i = 0; i < im->bought.n && rc == KAM_OK; i++) {
        const struct cell *c = &im->bought.v[i];
        if (memcmp(&c->r, &zero, sizeof(zero)) == 0)
            continue;
        rc = im->st->ops->product_add(im->st, c->account, c->other, c->first, &c->r, im->err);
    }
    /* Every account of a changed line, even when no sum of its cells moved (a line's day
     * within its month): its kept activity is recomputed. In id order. */
    for (size_t w = 0; w < im->changed_words; w++)
        for (uint64_t bits = im->changed[w]; bits != 0; bits &= bits - 1)
            totals_account(&t, (int64_t)(w * 64 + (size_t)__builtin_ctzll(bits)));
    /* Also with no line changed: a products import may have changed a category. */
    if (rc == KAM_OK)
        rc = im->st->ops->rollup_totals(im->st, t.months, t.lines, t.nmonths, t.accounts,
                                        t.naccounts, im->err);
    totals_release(&t);
    return rc;
}

/* --- references --------------------------------------------------------------------------- */

static int load_key(void *ctx, const char *key, size_t len, int64_t id)
{
    kam_strmap_put(ctx, key, len, id);
    return 0;
}

static void set_std_cost(struct imp *im, int64_t product_id, kam_money cost)
{
    bool inserted;
    uint32_t *slot = kam_u64map_upsert(&im->cost_index, (uint64_t)product_id, &inserted);
    if (inserted) {
        if (im->nstd == im->capstd) {
            im->capstd = im->capstd ? im->capstd * 2 : 256;
            im->std_costs = kam_xrealloc(im->std_costs, im->capstd * sizeof(*im->std_costs));
        }
        *slot = (uint32_t)im->nstd++;
    }
    im->std_costs[*slot] = cost;
}

static int load_product(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct imp *im = ctx;
    kam_strmap_put(&im->products, vals[KAM_PRO_SKU].s, vals[KAM_PRO_SKU].len, id);
    set_std_cost(im, id, vals[KAM_PRO_STD_COST].null ? KAM_NONE : vals[KAM_PRO_STD_COST].i);
    return 0;
}

static kam_money std_cost(const struct imp *im, int64_t product_id)
{
    uint32_t slot;
    /* Products created by this import (--create-missing) have no cost. */
    return kam_u64map_get(&im->cost_index, (uint64_t)product_id, &slot) ? im->std_costs[slot]
                                                                        : KAM_NONE;
}

/* Creates an account or product from an order row (--create-missing). */
static bool create_missing(struct imp *im, int64_t line, const struct kam_table *t, struct text key,
                           struct text name, struct text extra, int extra_col, int64_t *id)
{
    struct kam_value vals[KAM_ACC_NCOLS] = {0};
    uint64_t mask = 1u << 0 | 1u << 1;
    enum kam_put res;

    vals[0] = (struct kam_value){.s = key.s, .len = key.len};
    vals[1] = name.len ? (struct kam_value){.s = name.s, .len = name.len} : vals[0];
    if (extra.len) {
        vals[extra_col] = (struct kam_value){.s = extra.s, .len = extra.len};
        mask |= 1ull << extra_col;
    }
    if (stop(im, im->st->ops->upsert(im->st, t, vals, mask, &res, id, im->err)) != KAM_OK) {
        im->err->line = line;
        return false;
    }
    return true;
}

/* --- order lines -------------------------------------------------------------------------- */

/* --- order lines: a reader thread parses, the calling thread writes ----------------------------
 *
 * Order files are the big ones, and both halves of the work are heavy: parsing and validating
 * a line costs about as much as SQLite's insert. The reader thread turns rows into `staged`
 * lines (values parsed, references resolved from the maps loaded at the start, problems
 * recorded, texts copied into the batch); the calling thread applies them in file order: it
 * reports the problems, creates missing accounts and products, writes, and keeps the rollups.
 * All output (messages, reject file, counts) comes from the writer, so it is in file order.
 * During the pipeline the reader only reads the account, product and cost maps; accounts and
 * products created by the writer go to maps of their own. */

enum {
    ST_ORDER_ID,
    ST_DATE,
    ST_CHANNEL,
    ST_REGION,
    ST_ACCOUNT,
    ST_PRODUCT,
    ST_ACCOUNT_NAME,
    ST_COUNTRY,
    ST_PRODUCT_NAME,
    ST_CATEGORY,
    ST_COUNT
};

enum { BATCH_ROWS = 4096, QUEUE_BATCHES = 4 };

struct staged {
    int64_t line;
    struct kam_order_line l; /* strings are filled in by the writer from text[] */
    size_t text[ST_COUNT], len[ST_COUNT];
    size_t problems, nproblems; /* pairs (field, message) of offsets in batch->v */
    size_t raw, nraw;           /* pairs (offset, length) of the original fields in batch->v */
    int month;                  /* yyyymm of the date */
    bool counted;               /* the reader added the line to its rollup */
};

struct batch {
    struct staged *rows;
    size_t n;
    char *text;
    size_t len, cap;
    size_t *v;
    size_t vn, vcap;
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *queue[QUEUE_BATCHES], *spare[QUEUE_BATCHES + 2];
    int head, count, nspare;
    bool done, stop;
};

struct reader {
    struct imp im; /* the reader's own copy: its maps are read only, except order_pos */
    struct pipe *pipe;
    struct kam_err err;
    enum kam_rc rc;
};

static size_t batch_text(struct batch *b, const char *s, size_t len)
{
    size_t off = b->len;
    if (b->len + len + 1 > b->cap) {
        while (b->len + len + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 256 * 1024;
        b->text = kam_xrealloc(b->text, b->cap);
    }
    memcpy(b->text + b->len, s, len);
    b->text[b->len + len] = '\0';
    b->len += len + 1;
    return off;
}

static size_t batch_pair(struct batch *b, size_t x, size_t y)
{
    if (b->vn + 2 > b->vcap) {
        b->vcap = b->vcap ? b->vcap * 2 : 16 * 1024;
        b->v = kam_xrealloc(b->v, b->vcap * sizeof(*b->v));
    }
    b->v[b->vn++] = x;
    b->v[b->vn++] = y;
    return b->vn - 2;
}

static void batch_free(struct batch *b)
{
    if (b == NULL)
        return;
    free(b->rows);
    free(b->text);
    free(b->v);
    free(b);
}

/* Records a problem found by the reader on the row being staged. */
static void stage_problem(struct imp *im, const char *field, const char *msg)
{
    struct batch *b = im->stage;
    struct staged *s = &b->rows[b->n - 1];
    size_t at = batch_pair(b, batch_text(b, field, strlen(field)), batch_text(b, msg, strlen(msg)));
    if (s->nproblems++ == 0)
        s->problems = at;
}

/* Reader: without a line_no column, a line's number is its position within its order in the
 * file, counted over every row (invalid ones too) so that the lines keep their numbers when the
 * file is corrected and imported again; the reject file carries the numbers it gave. */
static int64_t position_in_order(struct imp *im, const struct kam_csv_row *row)
{
    struct text id = field(im, row, OF_ORDER_ID);
    int64_t n = 0;
    if (!kam_strmap_add(&im->order_pos, id.s, id.len, 1, &n))
        kam_strmap_put(&im->order_pos, id.s, id.len, n + 1);
    return n + 1;
}

/* Reader: the row's values, parsed and checked as far as the maps allow. */
static void order_parse(struct imp *im, const struct kam_csv_row *row, struct staged *s)
{
    const int64_t line = row->line;
    struct kam_order_line *l = &s->l;
    struct text t[OF_COUNT];
    struct kam_date date;
    char date_buf[KAM_DATE_STRLEN] = "";
    kam_money unit_cost = KAM_NONE, profit = KAM_NONE;
    bool have_price = false, have_amount = false;
    struct batch *b = im->stage;

    *l = (struct kam_order_line){.cost = KAM_NONE};
    for (int f = 0; f < OF_COUNT; f++)
        t[f] = field(im, row, f);
    for (int f = 0; f < OF_COUNT; f++)
        if ((order_required & (1u << f)) && t[f].len == 0)
            problem(im, line, order_fields[f], "is required but empty");
    if (im->col_of[OF_LINE_NO] < 0) {
        l->line_no = position_in_order(im, row);
        if (l->line_no > KAM_MAX_LINE_NO)
            problem(im, line, "order_id", "order '%.*s' has more than 65535 lines",
                    (int)t[OF_ORDER_ID].len, t[OF_ORDER_ID].s);
    } else if (t[OF_LINE_NO].len == 0) {
        problem(im, line, "line_no", "is required but empty");
    } else if (parse_int(im, line, "line_no", t[OF_LINE_NO], &l->line_no) &&
               (l->line_no < 1 || l->line_no > KAM_MAX_LINE_NO)) {
        bad_value(im, line, "line_no", "must be within 1..65535", t[OF_LINE_NO].s,
                  t[OF_LINE_NO].len);
    }
    if (t[OF_DATE].len && parse_date(im, line, "date", t[OF_DATE], &date)) {
        kam_date_str(&date, date_buf, sizeof(date_buf));
        s->month = date.year * 100 + date.month;
    }
    if (t[OF_QUANTITY].len)
        line_money(im, line, "quantity", t[OF_QUANTITY], &l->quantity);
    if (t[OF_UNIT_PRICE].len)
        have_price = line_money(im, line, "unit_price", t[OF_UNIT_PRICE], &l->unit_price);
    if (t[OF_AMOUNT].len)
        have_amount = line_money(im, line, "amount", t[OF_AMOUNT], &l->amount);
    if (t[OF_DISCOUNT].len)
        line_money(im, line, "discount", t[OF_DISCOUNT], &l->discount);
    if (t[OF_UNIT_COST].len)
        line_money(im, line, "unit_cost", t[OF_UNIT_COST], &unit_cost);
    if (t[OF_COST].len)
        line_money(im, line, "cost", t[OF_COST], &l->cost);
    if (t[OF_PROFIT].len)
        line_money(im, line, "profit", t[OF_PROFIT], &profit);
    if (!t[OF_UNIT_PRICE].len && !t[OF_AMOUNT].len)
        problem(im, line, "unit_price", "is empty and so is amount: one of them is needed");
    if (t[OF_ACCOUNT].len &&
        !kam_strmap_get(&im->accounts, t[OF_ACCOUNT].s, t[OF_ACCOUNT].len, &l->account_id) &&
        !im->o->create_missing)
        bad_value(im, line, "account",
                  "unknown account (import accounts first, or use --create-missing)",
                  t[OF_ACCOUNT].s, t[OF_ACCOUNT].len);
    if (t[OF_PRODUCT].len &&
        !kam_strmap_get(&im->products, t[OF_PRODUCT].s, t[OF_PRODUCT].len, &l->product_id) &&
        !im->o->create_missing)
        bad_value(im, line, "product",
                  "unknown product (import products first, or use --create-missing)",
                  t[OF_PRODUCT].s, t[OF_PRODUCT].len);

    /* The texts the writer needs, NUL-terminated in the batch. */
    static const int from[ST_COUNT] = {
        [ST_ORDER_ID] = OF_ORDER_ID,         [ST_DATE] = -1,
        [ST_CHANNEL] = OF_CHANNEL,           [ST_REGION] = OF_REGION,
        [ST_ACCOUNT] = OF_ACCOUNT,           [ST_PRODUCT] = OF_PRODUCT,
        [ST_ACCOUNT_NAME] = OF_ACCOUNT_NAME, [ST_COUNTRY] = OF_COUNTRY,
        [ST_PRODUCT_NAME] = OF_PRODUCT_NAME, [ST_CATEGORY] = OF_CATEGORY,
    };
    for (int i = 0; i < ST_COUNT; i++) {
        struct text x = from[i] < 0 ? (struct text){date_buf, strlen(date_buf)} : t[from[i]];
        s->text[i] = batch_text(b, x.s, x.len);
        s->len[i] = x.len;
    }
    if (im->row_bad)
        return;

    /* Derive what the file did not give: amount = quantity x unit_price - discount, or the
     * unit price back from the amount. */
    struct kam_err e;
    kam_err_clear(&e);
    if (!have_amount) {
        if (kam_money_mul(l->quantity, l->unit_price, &l->amount, &e) != KAM_OK) {
            problem(im, line, "amount", "quantity x unit_price does not fit");
            return;
        }
        l->amount -= l->discount; /* both within KAM_LINE_MAX: cannot overflow */
    } else if (!have_price) {
        if (l->quantity == 0)
            l->unit_price = 0;
        else if (kam_money_div(l->amount + l->discount, l->quantity, &l->unit_price, &e) !=
                 KAM_OK) {
            problem(im, line, "unit_price", "amount / quantity does not fit");
            return;
        }
    }
    /* Cost: the line's cost, else amount - profit, else quantity x unit cost, else quantity x
     * the product's standard cost; unknown when none is there (products created by this
     * import have no standard cost). */
    if (l->cost == KAM_NONE) {
        kam_money unit = unit_cost;
        if (profit != KAM_NONE)
            l->cost = l->amount - profit;
        else if ((unit != KAM_NONE ||
                  (l->product_id && (unit = std_cost(im, l->product_id)) != KAM_NONE)) &&
                 kam_money_mul(l->quantity, unit, &l->cost, &e) != KAM_OK)
            problem(im, line, "cost", "quantity x unit cost does not fit");
    }
    static const char *const derived[] = {"amount", "unit_price", "cost"};
    const kam_money values[] = {l->amount, l->unit_price, l->cost == KAM_NONE ? 0 : l->cost};
    for (size_t i = 0; i < 3; i++)
        if (values[i] > KAM_LINE_MAX || values[i] < -KAM_LINE_MAX)
            problem(im, line, derived[i], "is too large once derived (at most 1e12)");
    if (im->row_bad)
        return;
    /* Most lines are new: the reader counts them in its own rollup, and the writer takes back
     * those that turn out unchanged, updated or rejected. Lines of accounts still to be created
     * are left to the writer, which knows their id. */
    if (l->account_id != 0) {
        rollup_line(im, l, s->month, 1);
        s->counted = true;
    }
}

/* Reader: one data row into the batch being filled. */
static void stage_row(struct imp *im, const struct kam_csv_row *row)
{
    struct batch *b = im->stage;
    struct staged *s = &b->rows[b->n++];

    memset(s, 0, sizeof(*s));
    s->line = row->line;
    im->row_bad = false;
    if (row->n != im->ncsv) {
        problem(im, row->line, "", "has %zu fields, the header has %zu", row->n, im->ncsv);
        if (im->col_of[OF_LINE_NO] < 0)
            s->l.line_no = position_in_order(im, row);
        for (int i = 0; i < ST_COUNT; i++)
            s->text[i] = batch_text(b, "", 0);
    } else {
        order_parse(im, row, s);
    }
    /* The original fields, for the reject file: only needed when there is one. */
    if (rejecting(im)) {
        for (size_t i = 0; i < row->n; i++) {
            size_t at = batch_pair(b, batch_text(b, row->fields[i], row->lens[i]), row->lens[i]);
            if (i == 0)
                s->raw = at;
        }
        s->nraw = row->n;
    }
}

static struct text staged_text(const struct batch *b, const struct staged *s, int i)
{
    return (struct text){b->text + s->text[i], s->len[i]};
}

/* Writer: an account or product the reader did not know, from this import or created now. */
static bool resolve_created(struct imp *im, const struct batch *b, const struct staged *s,
                            bool account, int64_t *id)
{
    struct kam_strmap *m = account ? &im->created_accounts : &im->created_products;
    struct text key = staged_text(b, s, account ? ST_ACCOUNT : ST_PRODUCT);
    if (kam_strmap_get(m, key.s, key.len, id))
        return true;
    if (account
            ? !create_missing(im, s->line, &kam_accounts, key, staged_text(b, s, ST_ACCOUNT_NAME),
                              staged_text(b, s, ST_COUNTRY), KAM_ACC_COUNTRY, id)
            : !create_missing(im, s->line, &kam_products, key, staged_text(b, s, ST_PRODUCT_NAME),
                              staged_text(b, s, ST_CATEGORY), KAM_PRO_CATEGORY, id))
        return false;
    kam_strmap_put(m, key.s, key.len, *id);
    if (account)
        im->rep->created_accounts++;
    else
        im->rep->created_products++;
    return true;
}

/* Writer: false (with the problem reported) when a line that needs a new account or product
 * would be refused anyway: its order belongs to another account, or it repeats a line. */
static bool may_create(struct imp *im, const struct batch *b, const struct staged *s,
                       const struct kam_order_line *l)
{
    struct kam_order_line old;
    struct kam_err e;
    int64_t owner = 0, created = 0;
    enum kam_rc rc;

    kam_err_clear(&e);
    rc = im->st->ops->order_owner(im->st, l->order_id, &owner, &e);
    if (rc == KAM_ERR_NOT_FOUND)
        return true; /* a new order: neither refusal can happen */
    if (rc != KAM_OK) {
        *im->err = e;
        stop(im, rc);
        return false;
    }
    struct text acc = staged_text(b, s, ST_ACCOUNT);
    if (l->account_id == 0)
        kam_strmap_get(&im->created_accounts, acc.s, acc.len, &created);
    if ((l->account_id ? l->account_id : created) != owner) {
        problem(im, s->line, "account",
                "order '%s' belongs to another account (all lines of an order belong to one "
                "account) (%.*s)",
                l->order_id, (int)acc.len, acc.s);
        return false;
    }
    if (im->st->ops->order_find(im->st, l->order_id, l->line_no, &old, &e) != KAM_OK)
        return true; /* the line is new */
    char no[24];
    struct text key[2] = {staged_text(b, s, ST_ORDER_ID), {no, 0}};
    size_t len;
    int64_t first;
    key[1].len = (size_t)snprintf(no, sizeof(no), "%lld", (long long)l->line_no);
    const char *k = composite_key(im, key, 2, &len);
    if (old.id > im->first_new_line_id || kam_strmap_get(&im->seen, k, len, &first)) {
        problem(im, s->line, "",
                "duplicate order line: order '%s' line %lld is earlier in the file", l->order_id,
                (long long)l->line_no);
        return false;
    }
    return true;
}

/* The account of a line this import inserts or changes: its kept totals are recomputed. */
static void mark_changed(struct imp *im, int64_t account)
{
    size_t w = (size_t)account / 64;
    if (account <= 0)
        return;
    if (w >= im->changed_words) {
        size_t n = im->changed_words ? im->changed_words : 1024;
        while (n <= w)
            n *= 2;
        im->changed = kam_xrealloc(im->changed, n * sizeof(*im->changed));
        memset(im->changed + im->changed_words, 0, (n - im->changed_words) * sizeof(*im->changed));
        im->changed_words = n;
    }
    im->changed[w] |= (uint64_t)1 << (account % 64);
}

/* Writer: the staged line into the database. */
static void order_write(struct imp *im, const struct batch *b, struct staged *s)
{
    const int64_t line = s->line;
    struct kam_order_line l = s->l;
    struct kam_err e;

    l.order_id = b->text + s->text[ST_ORDER_ID];
    l.date = b->text + s->text[ST_DATE];
    l.channel = b->text + s->text[ST_CHANNEL];
    l.region = b->text + s->text[ST_REGION];
    /* References last, so that an invalid row never creates an account or a product: first
     * the checks that the insert below would make. */
    if ((l.account_id == 0 || l.product_id == 0) && !may_create(im, b, s, &l)) {
        if (s->counted) /* the reader counted it in the rollup: take it back */
            rollup_line(im, &l, s->month, -1);
        return;
    }
    if (l.account_id == 0 && !resolve_created(im, b, s, true, &l.account_id))
        return;
    if (l.product_id == 0 && !resolve_created(im, b, s, false, &l.product_id))
        return;
    if (!s->counted) {
        rollup_line(im, &l, s->month, 1);
        s->counted = true;
    }

    /* In-file duplicates: a conflict with a line of an order created by this import (a larger
     * id) is one; so is a second conflict with the same older line, or with a line this import
     * added to an older order, both remembered in `seen`. */
    bool inserted = false;
    int64_t id = 0;
    char no[24];
    struct text key[2] = {staged_text(b, s, ST_ORDER_ID), {no, 0}};
    kam_err_clear(&e);
    enum kam_rc rc = im->st->ops->order_insert(im->st, &l, &inserted, &id, &e);
    if (rc == KAM_ERR_CONFLICT) {
        struct text acc = staged_text(b, s, ST_ACCOUNT);
        bad_value(im, line, "account", e.msg, acc.s, acc.len);
        rollup_line(im, &l, s->month, -1);
        return;
    }
    if (rc != KAM_OK) {
        *im->err = e;
        stop(im, rc);
        return;
    }
    if (inserted) {
        mark_changed(im, l.account_id);
        if (id <= im->first_new_line_id) { /* a new line of an older order: remember it */
            key[1].len = (size_t)snprintf(no, sizeof(no), "%lld", (long long)l.line_no);
            first_in_file(im, line, "order line", key, 2);
        }
        im->rep->inserted++;
        return;
    }
    /* Not inserted: whatever happens next, the reader's count of this line is taken back. */
    rollup_line(im, &l, s->month, -1);
    if (im->o->create_only) {
        im->rep->existing++;
        problem(im, line, "line_no", "order '%s' line %lld already exists", l.order_id,
                (long long)l.line_no);
        return;
    }
    if (id > im->first_new_line_id) {
        problem(im, line, "", "duplicate order line: order '%s' line %lld is earlier in the file",
                l.order_id, (long long)l.line_no);
        return;
    }
    key[1].len = (size_t)snprintf(no, sizeof(no), "%lld", (long long)l.line_no);
    if (!first_in_file(im, line, "order line", key, 2))
        return;
    struct kam_order_line old;
    if (stop(im, im->st->ops->order_find(im->st, l.order_id, l.line_no, &old, im->err)) != KAM_OK)
        return;
    if (old.account_id == l.account_id && old.product_id == l.product_id &&
        strcmp(old.date, l.date) == 0 && old.quantity == l.quantity &&
        old.unit_price == l.unit_price && old.amount == l.amount && old.cost == l.cost &&
        old.discount == l.discount && strcmp(old.channel, l.channel) == 0 &&
        strcmp(old.region, l.region) == 0) {
        im->rep->unchanged++;
        return;
    }
    if (stop(im, im->st->ops->order_update(im->st, old.id, &l, im->err)) != KAM_OK)
        return;
    rollup_line(im, &old, month_of(old.date), -1);
    rollup_line(im, &l, s->month, 1);
    mark_changed(im, old.account_id);
    mark_changed(im, l.account_id);
    im->rep->updated++;
}

/* Writer: reports the reader's problems, writes a valid line, rejects an invalid one. */
static void order_apply(struct imp *im, const struct batch *b, struct staged *s)
{
    im->row_bad = false;
    im->reason[0] = '\0';
    for (size_t i = 0; i < s->nproblems; i++)
        problem(im, s->line, b->text + b->v[s->problems + 2 * i], "%s",
                b->text + b->v[s->problems + 2 * i + 1]);
    if (!im->row_bad)
        order_write(im, b, s);
    if (im->fatal != KAM_OK || !im->row_bad)
        return;
    im->rep->rejected++;
    if (im->reject) {
        const char **fields = kam_xmalloc((s->nraw + 1) * sizeof(*fields));
        size_t *lens = kam_xmalloc((s->nraw + 1) * sizeof(*lens));
        for (size_t i = 0; i < s->nraw; i++) {
            fields[i] = b->text + b->v[s->raw + 2 * i];
            lens[i] = b->v[s->raw + 2 * i + 1];
        }
        char no[24];
        snprintf(no, sizeof(no), "%lld", (long long)s->l.line_no);
        reject_write_row(im, fields, lens, s->nraw, im->reject_line_no ? no : NULL, im->reason);
        free(fields);
        free(lens);
    } else {
        im->any_invalid = true;
    }
}

/* Reader: hands the full batch to the writer and takes an empty one; false when the writer
 * asked to stop. */
static bool pipe_push(struct pipe *p, struct batch **b, bool last)
{
    bool go;
    pthread_mutex_lock(&p->mu);
    while (p->count == QUEUE_BATCHES && !p->stop)
        pthread_cond_wait(&p->cv, &p->mu);
    go = !p->stop;
    if (go && (*b)->n > 0) {
        p->queue[(p->head + p->count++) % QUEUE_BATCHES] = *b;
        *b = NULL;
    }
    if (last)
        p->done = true;
    if (*b == NULL && !last) {
        if (p->nspare > 0) {
            *b = p->spare[--p->nspare];
        } else {
            *b = kam_xcalloc(1, sizeof(**b));
            (*b)->rows = kam_xmalloc(BATCH_ROWS * sizeof(*(*b)->rows));
        }
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (*b != NULL && !last)
        (*b)->n = (*b)->len = (*b)->vn = 0;
    return go;
}

/* Writer: the next batch in file order, NULL when the reader is done. */
static struct batch *pipe_pop(struct pipe *p)
{
    struct batch *b = NULL;
    pthread_mutex_lock(&p->mu);
    while (p->count == 0 && !p->done)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->count > 0) {
        b = p->queue[p->head];
        p->head = (p->head + 1) % QUEUE_BATCHES;
        p->count--;
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void pipe_recycle(struct pipe *p, struct batch *b)
{
    pthread_mutex_lock(&p->mu);
    if (p->nspare < QUEUE_BATCHES + 2)
        p->spare[p->nspare++] = b;
    else
        batch_free(b);
    pthread_mutex_unlock(&p->mu);
}

static void pipe_stop(struct pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static int reader_row(void *ctx, const struct kam_csv_row *row)
{
    struct reader *r = ctx;
    struct imp *im = &r->im;

    if (!im->header_done) {
        im->header_done = true;
        return stop(im, read_header(im, row)) != KAM_OK;
    }
    im->rep->rows++; /* only the reader counts rows */
    if (im->o->progress && im->rep->rows % KAM_IMPORT_PROGRESS_ROWS == 0)
        im->o->progress(im->o->progress_ctx, im->rep->rows);
    stage_row(im, row);
    if (im->stage->n == BATCH_ROWS && !pipe_push(r->pipe, &im->stage, false))
        return 1;
    return 0;
}

/* Reads the CSV of o, from memory or its file. */
static enum kam_rc read_input(const struct kam_import_opts *o, kam_csv_row_fn fn, void *ctx,
                              struct kam_err *err)
{
    if (o->data != NULL)
        return kam_csv_read_mem(o->data, o->data_len, o->encoding, fn, ctx, err);
    return kam_csv_read(o->path, o->encoding, fn, ctx, err);
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    r->rc = read_input(r->im.o, reader_row, r, &r->err);
    if (r->rc == KAM_OK)
        r->rc = r->im.fatal;
    pipe_push(r->pipe, &r->im.stage, true);
    return NULL;
}

/* Reads and writes an orders file with the reader thread; returns like kam_csv_read. */
static enum kam_rc import_orders(struct imp *im)
{
    struct pipe p = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct reader *r = kam_xcalloc(1, sizeof(*r));
    pthread_t thread;
    struct batch *b;
    enum kam_rc rc;

    r->im = *im;
    r->im.err = &r->err;
    r->im.reject = NULL; /* the reader opens it with the header; the writer takes it below */
    r->pipe = &p;
    kam_err_clear(&r->err);
    r->im.stage = kam_xcalloc(1, sizeof(*r->im.stage));
    r->im.stage->rows = kam_xmalloc(BATCH_ROWS * sizeof(*r->im.stage->rows));
    if (pthread_create(&thread, NULL, reader_main, r) != 0) {
        batch_free(r->im.stage);
        free(r);
        return kam_err_set(im->err, KAM_ERR_IO, "cannot start the reader thread");
    }
    while ((b = pipe_pop(&p)) != NULL) {
        if (im->fatal == KAM_OK) {
            /* The reader opened the reject file with the header, before any batch. */
            im->reject = r->im.reject;
            im->reject_line_no = r->im.reject_line_no;
            im->reject_reason_col = r->im.reject_reason_col;
            /* The writer reports the problems, with the columns the reader's header gave. */
            memcpy(im->col_of, r->im.col_of, sizeof(im->col_of));
            for (size_t i = 0; i < b->n && im->fatal == KAM_OK; i++)
                order_apply(im, b, &b->rows[i]);
            if (im->fatal != KAM_OK)
                pipe_stop(&p);
        }
        pipe_recycle(&p, b);
    }
    pthread_join(thread, NULL);
    /* What the reader owned comes back to the import, for the end and for release(). */
    im->header_done = r->im.header_done;
    im->header = r->im.header;
    im->ncsv = r->im.ncsv;
    im->reject = r->im.reject;
    im->reject_tmp = r->im.reject_tmp;
    im->order_pos = r->im.order_pos;
    merge_cells(im, &im->months, &r->im.months, 20);
    merge_cells(im, &im->bought, &r->im.bought, 32);
    kam_u64map_release(&r->im.months.index);
    free(r->im.months.v);
    kam_u64map_release(&r->im.bought.index);
    free(r->im.bought.v);
    rc = im->fatal;
    if (rc == KAM_OK && r->rc != KAM_OK) {
        *im->err = r->err;
        rc = r->rc;
    }
    batch_free(r->im.stage);
    for (int i = 0; i < p.nspare; i++)
        batch_free(p.spare[i]);
    free(r);
    return rc;
}

/* --- accounts, contacts, products, payments ----------------------------------------------- */

static void record_row(struct imp *im, const struct kam_csv_row *row)
{
    const struct kam_table *tb = im->table;
    const int64_t line = row->line;
    struct kam_value vals[MAX_FIELDS];
    struct text keys[4], t;
    char dates[MAX_FIELDS][KAM_DATE_STRLEN];
    size_t nkeys = 0;
    uint64_t mask = 0;
    struct kam_err e;
    int parent_col = tb == &kam_accounts ? KAM_ACC_PARENT : -1;

    memset(vals, 0, sizeof(vals));
    for (size_t i = 0; i < tb->ncols; i++) {
        const struct kam_column *c = &tb->cols[i];
        vals[i].null = true;
        if (im->col_of[i] < 0)
            continue;
        mask |= 1ull << i;
        t = field(im, row, (int)i);
        if (c->flags & KAM_COL_KEY)
            keys[nkeys++] = t;
        if (t.len == 0) {
            /* Empty: a required field is missing; a field with a default gets it (the schema
             * does not allow null there); any other field is cleared. */
            if (c->flags & KAM_COL_REQUIRED)
                problem(im, line, c->name, "is required but empty");
            else if (c->def)
                vals[i] = (struct kam_value){.s = c->def, .len = strlen(c->def)};
            continue;
        }
        vals[i] = (struct kam_value){.s = t.s, .len = t.len};
        kam_err_clear(&e);
        switch (c->type) {
        case KAM_V_TEXT:
            if ((c->flags & KAM_COL_USCC) && kam_uscc_check(t.s, t.len, &e) != KAM_OK)
                bad_value(im, line, c->name, e.msg, t.s, t.len);
            break;
        case KAM_V_INT:
            if (parse_int(im, line, c->name, t, &vals[i].i) && (c->flags & KAM_COL_YEAR) &&
                (vals[i].i < 1000 || vals[i].i > 9999))
                bad_value(im, line, c->name, "is not a year", t.s, t.len);
            break;
        case KAM_V_MONEY:
            parse_money(im, line, c->name, t, &vals[i].i);
            break;
        case KAM_V_DATE: {
            struct kam_date d;
            if (parse_date(im, line, c->name, t, &d)) {
                kam_date_str(&d, dates[i], sizeof(dates[i]));
                vals[i].s = dates[i];
                vals[i].len = strlen(dates[i]);
            }
            break;
        }
        case KAM_V_ENUM: {
            char lower[64];
            size_t n = t.len < sizeof(lower) - 1 ? t.len : sizeof(lower) - 1;
            for (size_t k = 0; k < n; k++)
                lower[k] = (char)((t.s[k] >= 'A' && t.s[k] <= 'Z') ? t.s[k] + 32 : t.s[k]);
            int idx = t.len < sizeof(lower) ? kam_enum_index(c->enum_names, lower, n) : -1;
            if (idx < 0) {
                char msg[200];
                snprintf(msg, sizeof(msg), "is not one of:");
                for (int k = 0; c->enum_names[k]; k++)
                    snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " %s", c->enum_names[k]);
                bad_value(im, line, c->name, msg, t.s, t.len);
            } else {
                vals[i].s = c->enum_names[idx];
                vals[i].len = strlen(vals[i].s);
            }
            break;
        }
        case KAM_V_REF:
            if ((int)i == parent_col)
                break; /* resolved after the whole file: a parent may come later */
            if (!kam_strmap_get(&im->accounts, t.s, t.len, &vals[i].i))
                bad_value(im, line, c->name, "unknown account (import accounts first)", t.s, t.len);
            break;
        }
        if ((c->flags & KAM_COL_NONNEG) && !vals[i].null && vals[i].i < 0 &&
            (c->type == KAM_V_INT || c->type == KAM_V_MONEY))
            bad_value(im, line, c->name, "must not be negative", t.s, t.len);
    }
    if (parent_col >= 0 && !vals[parent_col].null && !im->row_bad &&
        vals[KAM_ACC_CODE].len == vals[parent_col].len &&
        memcmp(vals[KAM_ACC_CODE].s, vals[parent_col].s, vals[parent_col].len) == 0)
        problem(im, line, "parent", "an account cannot be its own parent");
    /* A payment is due and paid on or after its issue date (ISO dates compare as text). */
    if (tb == &kam_payments && !im->row_bad) {
        const struct kam_value *issued = &vals[KAM_PAY_ISSUED];
        static const int later[] = {KAM_PAY_DUE, KAM_PAY_PAID};
        for (size_t k = 0; k < 2; k++) {
            const struct kam_value *v = &vals[later[k]];
            if (!v->null && !issued->null && strncmp(v->s, issued->s, 10) < 0) /* by day */
                problem(im, line, tb->cols[later[k]].name, "is before the issue date %s (%s)",
                        issued->s, v->s);
        }
    }
    if (im->row_bad)
        return;
    if (!first_in_file(im, line, tb->singular, keys, nkeys))
        return;

    enum kam_put res;
    int64_t id;
    uint64_t write_mask = parent_col >= 0 ? mask & ~(1ull << parent_col) : mask;
    kam_err_clear(&e);
    enum kam_rc rc = im->st->ops->upsert(im->st, tb, vals, write_mask, &res, &id, &e);
    if (rc == KAM_ERR_INVALID) { /* refused by a constraint: the statement wrote nothing */
        problem(im, line, "", "%s", e.msg);
        return;
    }
    if (rc != KAM_OK) {
        *im->err = e;
        im->err->line = line;
        stop(im, rc);
        return;
    }
    if (tb == &kam_accounts)
        kam_strmap_put(&im->accounts, vals[KAM_ACC_CODE].s, vals[KAM_ACC_CODE].len, id);
    if (tb == &kam_products)
        set_std_cost(im, id, vals[KAM_PRO_STD_COST].null ? KAM_NONE : vals[KAM_PRO_STD_COST].i);
    if (parent_col >= 0 && (mask & (1ull << parent_col))) {
        if (im->nparents == im->capparents) {
            im->capparents = im->capparents ? im->capparents * 2 : 64;
            im->parents = kam_xrealloc(im->parents, im->capparents * sizeof(*im->parents));
        }
        struct kam_value *pv = &vals[parent_col];
        char *code = kam_xmalloc(pv->len + 1);
        memcpy(code, pv->null ? "" : pv->s, pv->len);
        code[pv->len] = '\0';
        im->parents[im->nparents++] =
            (struct pending_parent){id, res == KAM_PUT_UNCHANGED, line, code};
    }
    if (im->o->create_only && res != KAM_PUT_INSERTED) {
        /* Written already (updated or unchanged): create_only is all-or-nothing, so the
         * problem rolls it back. */
        size_t k = tb->ncols;
        while (k > 0 && !(tb->cols[k - 1].flags & KAM_COL_KEY))
            k--;
        im->rep->existing++;
        problem(im, line, k > 0 ? tb->cols[k - 1].name : "", "%s '%.*s' already exists",
                tb->singular, (int)keys[nkeys - 1].len, keys[nkeys - 1].s);
        return;
    }
    im->rep->inserted += res == KAM_PUT_INSERTED;
    im->rep->updated += res == KAM_PUT_UPDATED;
    im->rep->unchanged += res == KAM_PUT_UNCHANGED;
}

/* Parents are set once every account of the file exists, whatever the order of the rows.
 * A parent that does not exist makes the whole import fail, even with a reject file: the
 * account row is already written and rejecting it now would lose it half-way. */
static enum kam_rc resolve_parents(struct imp *im)
{
    for (size_t i = 0; i < im->nparents; i++) {
        struct pending_parent *p = &im->parents[i];
        int64_t parent = 0;
        if (p->code[0] && !kam_strmap_get(&im->accounts, p->code, strlen(p->code), &parent)) {
            problem(im, p->line, "parent", "unknown account (%s)", p->code);
            im->any_invalid = true;
            continue;
        }
        struct kam_err e;
        kam_err_clear(&e);
        bool changed = false;
        enum kam_rc rc = im->st->ops->set_parent(im->st, p->account_id, parent, &changed, &e);
        if (rc == KAM_OK && changed && p->unchanged) { /* only its parent changed */
            im->rep->unchanged--;
            im->rep->updated++;
        }
        if (rc == KAM_ERR_INVALID) {
            problem(im, p->line, "parent", "%s (%s)", e.msg, p->code);
            im->any_invalid = true;
        } else if (rc != KAM_OK) {
            *im->err = e;
            return stop(im, rc);
        }
    }
    return KAM_OK;
}

/* --- ratings ------------------------------------------------------------------------------ */

/* Ratings are the static rules of the scoring model (DOMAIN.md "Scoring model"): a rating is
 * checked against the current model, as `kam rate` does, so that a typo in a rating's name or
 * a value off the scale is refused instead of being stored where no score ever reads it. */

static const char *rating_key(struct imp *im, int64_t account, const char *name, size_t len,
                              size_t *klen)
{
    char id[24];
    struct text parts[2] = {{id, 0}, {name, len}};
    parts[0].len = (size_t)snprintf(id, sizeof(id), "%lld", (long long)account);
    return composite_key(im, parts, 2, klen);
}

static int load_rating(void *ctx, int64_t account, const char *name, double value, const char *note)
{
    struct imp *im = ctx;
    size_t len;
    const char *key = rating_key(im, account, name, strlen(name), &len);
    if (im->nold == im->capold) {
        im->capold = im->capold ? im->capold * 2 : 256;
        im->old = kam_xrealloc(im->old, im->capold * sizeof(*im->old));
    }
    im->old[im->nold] = (struct old_rating){value, note ? kam_xstrdup(note) : NULL};
    kam_strmap_put(&im->ratings, key, len, (int64_t)im->nold++);
    return 0;
}

/* The current model (the latest stored version, else the default, which is not stored here:
 * an import only writes what the file holds) and every stored rating. */
static enum kam_rc load_ratings(struct imp *im)
{
    char *body = NULL;
    enum kam_rc rc = im->st->ops->model_get(im->st, 0, &im->model_version, &body, im->err);
    if (rc == KAM_ERR_NOT_FOUND) {
        kam_err_clear(im->err);
        im->model_version = 0;
        rc = kam_model_parse(kam_model_default_json, strlen(kam_model_default_json), &im->model,
                             im->err);
    } else if (rc == KAM_OK &&
               (rc = kam_model_parse(body, strlen(body), &im->model, im->err)) != KAM_OK) {
        rc = kam_err_prefix(im->err, "stored model version %lld", (long long)im->model_version);
    }
    free(body);
    if (rc == KAM_OK)
        rc = im->st->ops->rating_each(im->st, 0, load_rating, im, im->err);
    return stop(im, rc);
}

/* "model version 3" or "the default model", for messages. */
static const char *model_name(const struct imp *im, char *buf, size_t n)
{
    if (im->model_version > 0)
        snprintf(buf, n, "model version %lld", (long long)im->model_version);
    else
        snprintf(buf, n, "the default model");
    return buf;
}

static bool same_note(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void rating_row(struct imp *im, const struct kam_csv_row *row)
{
    const int64_t line = row->line;
    const struct kam_model *m = im->model;
    struct text t[RF_COUNT];
    int64_t account = 0;
    int k = -1;
    double value = NAN; /* an empty value clears the rating */
    char mname[48], name[KAM_MODEL_MAX_NAME + 1];

    for (int f = 0; f < RF_COUNT; f++)
        t[f] = field(im, row, f);
    if (t[RF_ACCOUNT].len == 0)
        problem(im, line, "account", "is required but empty");
    else if (!kam_strmap_get(&im->accounts, t[RF_ACCOUNT].s, t[RF_ACCOUNT].len, &account))
        bad_value(im, line, "account", "unknown account (import accounts first)", t[RF_ACCOUNT].s,
                  t[RF_ACCOUNT].len);
    if (t[RF_RATING].len == 0) {
        problem(im, line, "rating", "is required but empty");
    } else {
        if (t[RF_RATING].len < sizeof(name)) {
            memcpy(name, t[RF_RATING].s, t[RF_RATING].len);
            name[t[RF_RATING].len] = '\0';
            k = kam_model_rating_find(m, name);
        }
        if (k < 0) {
            char msg[700];
            int used = snprintf(msg, sizeof(msg), "is not a rating of %s; its ratings:",
                                model_name(im, mname, sizeof(mname)));
            for (size_t i = 0; i < m->nratings && used > 0 && (size_t)used < sizeof(msg); i++)
                used += snprintf(msg + used, sizeof(msg) - (size_t)used, "%s %s", i ? "," : "",
                                 m->ratings[i].name);
            if (m->nratings == 0)
                snprintf(msg + used, sizeof(msg) - (size_t)used, " none");
            bad_value(im, line, "rating", msg, t[RF_RATING].s, t[RF_RATING].len);
        }
    }
    if (t[RF_VALUE].len > 0) {
        kam_money v;
        if (parse_money(im, line, "value", t[RF_VALUE], &v)) {
            value = (double)v / KAM_MONEY_SCALE;
            if (k >= 0 && (value < m->ratings[k].min || value > m->ratings[k].max)) {
                char msg[300];
                snprintf(msg, sizeof(msg), "is outside %g..%g, the scale of rating '%s' in %s",
                         m->ratings[k].min, m->ratings[k].max, m->ratings[k].name,
                         model_name(im, mname, sizeof(mname)));
                bad_value(im, line, "value", msg, t[RF_VALUE].s, t[RF_VALUE].len);
            }
        }
    }
    if (im->row_bad)
        return;
    struct text key[2] = {t[RF_ACCOUNT], t[RF_RATING]};
    if (!first_in_file(im, line, "rating", key, 2))
        return;

    size_t klen;
    const char *rkey = rating_key(im, account, name, strlen(name), &klen);
    int64_t slot;
    const struct old_rating *old =
        kam_strmap_get(&im->ratings, rkey, klen, &slot) ? &im->old[slot] : NULL;
    /* A note column absent from the file leaves the stored note as it is. */
    char *note = NULL;
    if (im->col_of[RF_NOTE] >= 0) {
        if (t[RF_NOTE].len > 0) {
            note = kam_xmalloc(t[RF_NOTE].len + 1);
            memcpy(note, t[RF_NOTE].s, t[RF_NOTE].len);
            note[t[RF_NOTE].len] = '\0';
        }
    } else if (old && old->note) {
        note = kam_xstrdup(old->note);
    }
    if (old == NULL && isnan(value)) { /* clearing what is not there */
        im->rep->unchanged++;
    } else if (old && !isnan(value) && old->value == value && same_note(old->note, note)) {
        im->rep->unchanged++;
    } else if (stop(im, im->st->ops->rating_set(im->st, account, name, value, note, im->err)) !=
               KAM_OK) {
        im->err->line = line;
    } else if (old == NULL) {
        im->rep->inserted++;
    } else {
        im->rep->updated++; /* a new value or note, or cleared */
    }
    free(note);
}

/* --- header ------------------------------------------------------------------------------- */

static int field_index(const struct imp *im, const char *name, size_t len)
{
    for (size_t f = 0; f < im->nfields; f++)
        if (strlen(im->fnames[f]) == len && strncasecmp(im->fnames[f], name, len) == 0)
            return (int)f;
    return -1;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
        (*len)--;
}

/* Whether header cell h names name; both are compared trimmed and case-insensitively. */
static bool header_is(const char *h, size_t hlen, const char *name, size_t len)
{
    trim(&h, &hlen);
    trim(&name, &len);
    return hlen == len && strncasecmp(h, name, len) == 0;
}

/* Applies one "field=Header" mapping. */
static enum kam_rc map_one(struct imp *im, const struct kam_csv_row *hdr, const char *spec,
                           size_t len)
{
    const char *eq = memchr(spec, '=', len);
    int f;
    if (eq == NULL)
        return kam_err_set(im->err, KAM_ERR_USAGE, "mapping '%.*s' is not field=Header", (int)len,
                           spec);
    f = field_index(im, spec, (size_t)(eq - spec));
    if (f < 0) {
        char list[512] = "";
        for (size_t i = 0; i < im->nfields; i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), " %s", im->fnames[i]);
        return kam_err_set(im->err, KAM_ERR_USAGE,
                           "mapping '%.*s': unknown field '%.*s' for %s "
                           "(fields:%s)",
                           (int)len, spec, (int)(eq - spec), spec, kind_names[im->o->kind], list);
    }
    const char *h = eq + 1;
    size_t hlen = len - (size_t)(h - spec);
    for (size_t c = 0; c < hdr->n; c++)
        if (header_is(hdr->fields[c], hdr->lens[c], h, hlen)) {
            im->col_of[f] = (int)c;
            return KAM_OK;
        }
    im->err->line = 1;
    return kam_err_set(im->err, KAM_ERR_INVALID, "mapping '%.*s': the header has no column '%.*s'",
                       (int)len, spec, (int)hlen, h);
}

static enum kam_rc apply_maps(struct imp *im, const struct kam_csv_row *hdr)
{
    enum kam_rc rc = KAM_OK;
    const char *m = im->o->map;
    while (m && *m && rc == KAM_OK) {
        const char *end = strchr(m, ',');
        size_t len = end ? (size_t)(end - m) : strlen(m);
        if (len > 0)
            rc = map_one(im, hdr, m, len);
        m = end ? end + 1 : NULL;
    }
    if (rc != KAM_OK || im->o->map_file == NULL)
        return rc;
    FILE *f = fopen(im->o->map_file, "r");
    char buf[1024];
    if (f == NULL)
        return kam_err_set(im->err, KAM_ERR_IO, "cannot read map file '%s': %s", im->o->map_file,
                           strerror(errno));
    while (rc == KAM_OK && fgets(buf, sizeof(buf), f)) {
        size_t len = strcspn(buf, "\r\n");
        if (len > 0 && buf[0] != '#')
            rc = map_one(im, hdr, buf, len);
    }
    fclose(f);
    return rc;
}

static enum kam_rc read_header(struct imp *im, const struct kam_csv_row *hdr)
{
    enum kam_rc rc;
    im->ncsv = hdr->n;
    im->header = kam_xcalloc(hdr->n + 1, sizeof(char *));
    for (size_t c = 0; c < hdr->n; c++)
        im->header[c] = kam_xstrdup(hdr->fields[c]);
    for (size_t f = 0; f < im->nfields; f++)
        im->col_of[f] = -1;
    for (size_t c = 0; c < hdr->n; c++) {
        if (header_is(hdr->fields[c], hdr->lens[c], "reject_reason", 13))
            im->reject_reason_col = (int)c;
        for (size_t d = 0; d < c; d++)
            if (hdr->lens[c] > 0 &&
                header_is(hdr->fields[d], hdr->lens[d], hdr->fields[c], hdr->lens[c])) {
                im->err->line = 1;
                return kam_err_set(im->err, KAM_ERR_INVALID,
                                   "column '%s' appears twice in the header", hdr->fields[c]);
            }
    }
    if ((rc = apply_maps(im, hdr)) != KAM_OK)
        return rc;
    for (size_t f = 0; f < im->nfields; f++) {
        if (im->col_of[f] >= 0)
            continue;
        for (size_t c = 0; c < hdr->n; c++)
            if (header_is(hdr->fields[c], hdr->lens[c], im->fnames[f], strlen(im->fnames[f]))) {
                im->col_of[f] = (int)c;
                break;
            }
    }
    for (size_t f = 0; f < im->nfields; f++) {
        bool required = im->table ? (im->table->cols[f].flags & KAM_COL_REQUIRED) != 0
                                  : (im->required & (1u << f)) != 0;
        if (required && im->col_of[f] < 0) {
            im->err->line = 1;
            return kam_err_set(im->err, KAM_ERR_INVALID,
                               "missing column '%s' (required for %s; map your own header "
                               "with --map %s=YourHeader)",
                               im->fnames[f], kind_names[im->o->kind], im->fnames[f]);
        }
    }
    if (im->o->kind == KAM_IMPORT_ORDERS && im->col_of[OF_UNIT_PRICE] < 0 &&
        im->col_of[OF_AMOUNT] < 0) {
        im->err->line = 1;
        return kam_err_set(im->err, KAM_ERR_INVALID,
                           "missing column 'unit_price' or 'amount' (orders need one of them)");
    }
    if (rejecting(im)) {
        if ((rc = reject_open(im)) != KAM_OK)
            return rc;
        im->reject_line_no = im->o->kind == KAM_IMPORT_ORDERS && im->col_of[OF_LINE_NO] < 0;
        reject_write_row(im, (const char *const *)im->header, hdr->lens, hdr->n,
                         im->reject_line_no ? "line_no" : NULL, "reject_reason");
    }
    return KAM_OK;
}

/* --- driver ------------------------------------------------------------------------------- */

static int on_row(void *ctx, const struct kam_csv_row *row)
{
    struct imp *im = ctx;

    if (!im->header_done) {
        im->header_done = true;
        if (stop(im, read_header(im, row)) != KAM_OK)
            return 1;
        return 0;
    }
    im->rep->rows++;
    if (im->o->progress && im->rep->rows % KAM_IMPORT_PROGRESS_ROWS == 0)
        im->o->progress(im->o->progress_ctx, im->rep->rows);
    im->row_bad = false;
    im->reason[0] = '\0';
    if (row->n != im->ncsv) {
        problem(im, row->line, "", "has %zu fields, the header has %zu", row->n, im->ncsv);
    } else if (im->o->kind == KAM_IMPORT_RATINGS) {
        rating_row(im, row);
    } else {
        record_row(im, row);
    }
    if (im->fatal != KAM_OK)
        return 1;
    if (im->row_bad) {
        im->rep->rejected++;
        if (im->reject)
            reject_write_row(im, row->fields, row->lens, row->n, NULL, im->reason);
        else
            im->any_invalid = true;
    }
    return 0;
}

/* The import's audit entry, when it has an actor: in its transaction, just before the commit.
 * An import that changed nothing (every row unchanged, or none) wrote nothing: no entry, so that
 * the database stays exactly as it was. */
static enum kam_rc audit(struct imp *im)
{
    const struct kam_import_report *r = im->rep;
    const char *kind = kind_names[im->o->kind];
    char action[32];

    if (im->o->actor == NULL ||
        r->inserted + r->updated + r->created_accounts + r->created_products == 0)
        return KAM_OK;
    if (im->o->audit != NULL) {
        struct kam_audit_entry e = *im->o->audit;
        e.actor = im->o->actor;
        return im->st->ops->audit_append(im->st, &e, im->err);
    }
    json_t *after = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "rows", (json_int_t)r->rows, "inserted",
        (json_int_t)r->inserted, "updated", (json_int_t)r->updated, "unchanged",
        (json_int_t)r->unchanged, "rejected", (json_int_t)r->rejected, "created_accounts",
        (json_int_t)r->created_accounts, "created_products", (json_int_t)r->created_products);
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(after);
    if (a == NULL)
        KAM_BUG("json_pack failed on an import's audit entry");
    snprintf(action, sizeof(action), "import.%s", kind);
    struct kam_audit_entry e = {.actor = im->o->actor,
                                .action = action,
                                .entity = "import",
                                .entity_key = kind,
                                .after = a};
    enum kam_rc rc = im->st->ops->audit_append(im->st, &e, im->err);
    free(a);
    return rc;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum kam_rc load_references(struct imp *im)
{
    enum kam_rc rc = KAM_OK;
    if (im->o->kind != KAM_IMPORT_PRODUCTS)
        rc = im->st->ops->keys(im->st, &kam_accounts, load_key, &im->accounts, im->err);
    if (rc == KAM_OK && im->o->kind == KAM_IMPORT_ORDERS)
        rc = im->st->ops->each(im->st, &kam_products, 0, load_product, im, im->err);
    if (rc == KAM_OK && im->o->kind == KAM_IMPORT_ORDERS)
        rc = im->st->ops->order_max_id(im->st, &im->first_new_line_id, im->err);
    if (rc == KAM_OK && im->o->kind == KAM_IMPORT_RATINGS)
        rc = load_ratings(im);
    return rc;
}

static void release(struct imp *im)
{
    kam_strmap_release(&im->accounts);
    kam_strmap_release(&im->products);
    kam_strmap_release(&im->seen);
    kam_strmap_release(&im->order_pos);
    kam_strmap_release(&im->created_accounts);
    kam_strmap_release(&im->created_products);
    kam_strmap_release(&im->ratings);
    for (size_t i = 0; i < im->nold; i++)
        free(im->old[i].note);
    free(im->old);
    kam_model_free(im->model);
    kam_u64map_release(&im->cost_index);
    kam_u64map_release(&im->months.index);
    free(im->months.v);
    kam_u64map_release(&im->bought.index);
    free(im->bought.v);
    free(im->changed);
    free(im->std_costs);
    for (size_t i = 0; i < im->nparents; i++)
        free(im->parents[i].code);
    free(im->parents);
    if (im->header)
        for (size_t i = 0; i < im->ncsv; i++)
            free(im->header[i]);
    free(im->header);
    free(im->key);
    if (im->reject && im->reject != im->o->reject_stream)
        fclose(im->reject);
    if (im->reject_tmp) {
        if (!im->keep_reject_tmp)
            remove(im->reject_tmp); /* still there only when the import failed */
        free(im->reject_tmp);
    }
}

enum kam_rc kam_import_run(struct kam_store *st, const struct kam_import_opts *o,
                           kam_import_error_fn on_error, void *ctx, struct kam_import_report *rep,
                           struct kam_err *err)
{
    struct imp im = {.st = st,
                     .o = o,
                     .on_error = on_error,
                     .ctx = ctx,
                     .rep = rep,
                     .err = err,
                     .reject_reason_col = -1};
    double start = now_seconds();
    enum kam_rc rc;
    bool in_tx = false;

    memset(rep, 0, sizeof(*rep));
    kam_err_clear(err);
    kam_strmap_init(&im.accounts);
    kam_strmap_init(&im.products);
    kam_strmap_init(&im.seen);
    kam_strmap_init(&im.order_pos);
    kam_strmap_init(&im.created_accounts);
    kam_strmap_init(&im.created_products);
    kam_strmap_init(&im.ratings);
    kam_u64map_init(&im.cost_index);
    kam_u64map_init(&im.months.index);
    kam_u64map_init(&im.bought.index);
    if ((unsigned)o->kind >= KAM_IMPORT_KIND_COUNT) {
        rc = kam_err_set(err, KAM_ERR_USAGE, "unknown import kind");
        goto out;
    }
    if (o->date_format && (rc = kam_date_check_fmt(o->date_format, err)) != KAM_OK)
        goto out;
    if (o->create_only && (o->reject_path != NULL || o->reject_stream != NULL)) {
        rc = kam_err_set(err, KAM_ERR_USAGE, "create_only is all-or-nothing: no reject file");
        goto out;
    }
    im.table = kind_tables[o->kind];
    if (im.table) {
        for (size_t i = 0; i < im.table->ncols; i++)
            im.names[i] = im.table->cols[i].name;
        im.fnames = im.names;
        im.nfields = im.table->ncols;
    } else if (o->kind == KAM_IMPORT_RATINGS) {
        im.fnames = rating_fields;
        im.nfields = RF_COUNT;
        im.required = rating_required;
    } else {
        im.fnames = order_fields;
        im.nfields = OF_COUNT;
        im.required = order_required;
    }
    /* Order files resolve every account and product through the maps loaded in the same
     * transaction, so the store need not check them again. */
    rc = o->kind == KAM_IMPORT_ORDERS ? st->ops->begin_trusted(st, err) : st->ops->begin(st, err);
    if (rc != KAM_OK)
        goto out;
    in_tx = true;
    if ((rc = load_references(&im)) != KAM_OK)
        goto out;
    rc = o->kind == KAM_IMPORT_ORDERS ? import_orders(&im) : read_input(o, on_row, &im, err);
    if (rc == KAM_OK)
        rc = im.fatal;
    if (rc != KAM_OK)
        goto out;
    if (!im.header_done) {
        err->line = 0;
        rc = kam_err_set(err, KAM_ERR_INVALID, "the file is empty: expected a header line");
        goto out;
    }
    if ((rc = resolve_parents(&im)) != KAM_OK)
        goto out;
    if (im.any_invalid) {
        if (rep->rejected > 0)
            rc = kam_err_set(err, KAM_ERR_INVALID, "%lld invalid row%s, nothing was imported",
                             (long long)rep->rejected, rep->rejected == 1 ? "" : "s");
        else /* the rows were valid one by one, their parents were not */
            rc = kam_err_set(err, KAM_ERR_INVALID, "%lld error%s, nothing was imported",
                             (long long)rep->errors, rep->errors == 1 ? "" : "s");
        goto out;
    }
    if ((rc = flush_rollups(&im)) != KAM_OK)
        goto out;
    if (im.reject == o->reject_stream && im.reject && fflush(im.reject) != 0) {
        rc = kam_err_set(err, KAM_ERR_IO, "cannot write the rejected rows: %s", strerror(errno));
        goto out;
    }
    if (im.reject && im.reject != o->reject_stream) {
        FILE *f = im.reject;
        im.reject = NULL;
        if (fclose(f) != 0) {
            rc = kam_err_set(err, KAM_ERR_IO, "cannot write reject file '%s': %s", im.reject_tmp,
                             strerror(errno));
            goto out;
        }
    }
    if (o->dry_run) {
        rc = st->ops->rollback(st, err);
        in_tx = false;
    } else if ((rc = audit(&im)) == KAM_OK && (rc = st->ops->commit(st, err)) == KAM_OK) {
        in_tx = false;
        rep->written = true;
    }
    /* The reject file appears only once the import has committed (or the dry run is over), so
     * a reject file never describes an import that did not happen. */
    if (rc == KAM_OK && im.reject_tmp) {
        if (rename(im.reject_tmp, o->reject_path) == 0) {
            free(im.reject_tmp);
            im.reject_tmp = NULL;
        } else {
            rc = kam_err_set(err, KAM_ERR_IO,
                             "%s, but the reject file could not be named '%s' (%s): the "
                             "rejected rows are in '%s'",
                             rep->written ? "imported" : "dry run done", o->reject_path,
                             strerror(errno), im.reject_tmp);
            im.keep_reject_tmp = true;
        }
    }
out:
    if (in_tx) {
        struct kam_err ignored;
        /* The import's own error is the one to report; a failing rollback leaves nothing
         * committed either. */
        (void)st->ops->rollback(st, &ignored);
    }
    if (rc != KAM_OK && !rep->written) {
        rep->inserted = rep->updated = rep->unchanged = 0;
        rep->created_accounts = rep->created_products = 0;
    }
    release(&im);
    rep->seconds = now_seconds() - start;
    return rc;
}
