/* The SQLite implementation of the store interface (store.h).
 *
 * One connection per kam_store, WAL journal so that a killed process leaves the database as of
 * its last commit. Statements for the hot paths (order lines, rollups) are prepared once; the
 * generic record operations build their SQL from the column tables of core/record.c and cache
 * the statements per table. The reads of every HTTP request (token and user lookup, one
 * account, the account list, one account's metrics) keep their statements too, prepared on
 * first use (`hot`): preparing the account SELECT cost more than running it. Nothing here
 * validates business rules: the import and the CLI do, and the schema's constraints are the
 * last line of defence. */
#include "store/store.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "store/migrations.h"
#include "util/date.h"
#include "util/mem.h"

enum { NTABLES = 4 };

struct table_stmts {
    const struct kam_table *t;
    sqlite3_stmt *find;   /* id + columns by key */
    sqlite3_stmt *insert; /* cached for insert_mask */
    uint64_t insert_mask;
    sqlite3_stmt *update; /* cached for update_mask */
    uint64_t update_mask;
};

/* The statements kept for the connection's life by hot_prepare, one per slot. */
enum hot {
    HOT_ACCOUNT_GET,
    HOT_ACCOUNT_ID,
    HOT_TOKEN_FIND,
    HOT_TOKEN_RECENT,
    HOT_TOKEN_TOUCH,
    HOT_USER_GET,
    HOT_SESSION_FIND,
    HOT_ORDER_MONTHS,
    HOT_METRICS_ONE,
    HOT_DATA_VERSION,
    HOT_ACCOUNT_EXISTS,
    NHOT
};

/* An account list statement kept for one combination of filters (enum list_key). */
struct list_stmt {
    unsigned key;
    sqlite3_stmt *q;
};
enum {
    LIST_KEPT = 16
}; /* combinations (lists and counts) kept per connection; a browser uses a few */
enum { COUNTS_KEPT = 8 }; /* account_count totals kept per connection */

/* What is kept from the database is kept under the stamp of when it was read (struct
 * kam_stamp): PRAGMA data_version (changes when another connection commits) and this
 * connection's total changes. It is good while both are the same, and only outside a
 * transaction: one that is rolled back would leave what was read from its changes under the
 * same counts. */
struct sqlite_store {
    struct kam_store base;
    sqlite3 *db;
    UCollator *collator; /* names sort the way people read them: Chinese by pinyin */
    struct table_stmts tables[NTABLES];
    sqlite3_stmt *order_insert, *order_find, *order_update;
    sqlite3_stmt *header_find, *header_insert, *header_widen, *header_refresh;
    sqlite3_stmt *month_add, *month_prune, *product_add, *product_prune;
    sqlite3_stmt *score_add, *metrics_put; /* prepared on first use */
    sqlite3_stmt *hot[NHOT];               /* prepared on first use, see hot_prepare */
    struct list_stmt lists[LIST_KEPT];     /* see list_prepare */
    int lists_next;                        /* the slot to take next */
    /* The months of op_order_months without a last date, kept under months_stamp. */
    struct kam_stamp months_stamp;
    int months_first, months_last;
    /* The totals of the last account_count queries (their filters and scope as text), kept
     * under counts_stamp: a list asks its total on every page. */
    struct {
        char *query;
        int64_t n;
    } counts[COUNTS_KEPT];
    int counts_next;
    struct kam_stamp counts_stamp;
    /* The last token found by its hash and the last user read by name: a script sends the same
     * token with every request. A revocation or a disabled user is a change, seen by the next
     * request. */
    struct {
        struct kam_stamp stamp;
        struct kam_token token;
    } token_memo;
    struct {
        struct kam_stamp stamp;
        struct kam_user user;
    } user_memo;
    char *old_strings[4]; /* date, channel, region, order id of the last order_find */
    /* The last order looked up: consecutive lines of one order skip the orders table. Cleared
     * by begin and rollback, which may remove the order. */
    char *last_order;
    int64_t last_ref, last_account;
    int64_t last_day; /* the order's day and purchase flag as stored */
    bool last_purchase;
    bool trusted; /* in a begin_trusted transaction: foreign keys are off */
};

static const struct kam_table *const all_tables[NTABLES] = {&kam_accounts, &kam_contacts,
                                                            &kam_products, &kam_payments};

static struct sqlite_store *S(struct kam_store *st)
{
    return (struct sqlite_store *)st;
}

static enum kam_rc db_error(struct sqlite_store *s, struct kam_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY || code == SQLITE_CONSTRAINT_UNIQUE ||
        code == SQLITE_CONSTRAINT_CHECK || code == SQLITE_CONSTRAINT_NOTNULL)
        return kam_err_set(err, KAM_ERR_INVALID, "%s: %s", what, sqlite3_errmsg(s->db));
    return kam_err_set(err, KAM_ERR_STORE, "%s: %s", what, sqlite3_errmsg(s->db));
}

static enum kam_rc exec(struct sqlite_store *s, const char *sql, struct kam_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        enum kam_rc rc = kam_err_set(err, KAM_ERR_STORE, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return KAM_OK;
}

static enum kam_rc prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **out,
                           struct kam_err *err)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
        return db_error(s, err, "preparing a statement");
    if (*out == NULL) /* SQL of only spaces or comments: a caller that built none */
        return kam_err_set(err, KAM_ERR_STORE, "preparing a statement: no SQL");
    return KAM_OK;
}

/* The statement kept in slot h, prepared from sql on first use. When it is running already (a
 * callback of its operation re-entered the operation) *out is a fresh one instead. Either way
 * the run ends with hot_finish. */
static enum kam_rc hot_prepare(struct sqlite_store *s, enum hot h, const char *sql,
                               sqlite3_stmt **out, struct kam_err *err)
{
    enum kam_rc rc;
    if (s->hot[h] == NULL && (rc = prepare(s, sql, &s->hot[h], err)) != KAM_OK)
        return rc;
    if (sqlite3_stmt_busy(s->hot[h]))
        return prepare(s, sql, out, err);
    *out = s->hot[h];
    return KAM_OK;
}

/* Ends a run of q (from hot_prepare) whose last sqlite3_step gave r, as finish(): a kept
 * statement is reset, which ends its read transaction, and its bindings cleared (they may
 * point into the caller's memory); a fresh one is finalized. */
static enum kam_rc hot_finish(struct sqlite_store *s, sqlite3_stmt *q, int r, const char *what,
                              struct kam_err *err)
{
    enum kam_rc rc = r == SQLITE_ROW || r == SQLITE_DONE ? KAM_OK : db_error(s, err, what);
    for (int h = 0; h < NHOT + LIST_KEPT; h++) {
        if ((h < NHOT ? s->hot[h] : s->lists[h - NHOT].q) == q) {
            sqlite3_reset(q);
            sqlite3_clear_bindings(q);
            return rc;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

/* Ends a run of q whose last sqlite3_step gave r: finalizes it and maps a failure. */
static enum kam_rc finish(struct sqlite_store *s, sqlite3_stmt *q, int r, const char *what,
                          struct kam_err *err)
{
    enum kam_rc rc = r == SQLITE_ROW || r == SQLITE_DONE ? KAM_OK : db_error(s, err, what);
    sqlite3_finalize(q);
    return rc;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s == NULL || *s == '\0')
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
}

static void bind_opt_int(sqlite3_stmt *q, int i, int64_t v)
{
    if (v == KAM_NONE)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_int64(q, i, v);
}

static int64_t col_opt_int(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? KAM_NONE : sqlite3_column_int64(q, i);
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

/* The "kam_name" collation: ICU's root-plus-Chinese rules put 阿 (a) before 北 (bei) before
 * 上 (shang), and Latin names in dictionary order, where byte order would not. It is used only
 * in ORDER BY, never in the schema, so any SQLite tool can still open the database. */
static int collate_name(void *ctx, int na, const void *a, int nb, const void *b)
{
    UErrorCode status = U_ZERO_ERROR;
    UCollationResult r = ucol_strcollUTF8(ctx, a, na, b, nb, &status);
    if (U_FAILURE(status)) { /* invalid UTF-8 cannot be stored, but stay total */
        int c = memcmp(a, b, (size_t)(na < nb ? na : nb));
        return c ? c : na - nb;
    }
    return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

/* kam_name_key(name): the ICU sort key of name under the same collator, a blob whose byte
 * order (SQLite compares blobs with memcmp) is the collation's order. Stored as accounts.name_key
 * (schema 5) and kept by every write of a name, it lets an index hand out a page of accounts in
 * name order without sorting them all. Like the collation it lives in kam's connections only:
 * another SQLite tool can read the database and write anything but an account's name. */
static void name_key_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *name = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    UChar small[256], *u = small;
    int32_t ulen = 0;
    UErrorCode status = U_ZERO_ERROR;
    uint8_t kbuf[1024], *key = kbuf;
    (void)argc;
    if (name == NULL) {
        sqlite3_result_null(cx);
        return;
    }
    u_strFromUTF8(u, 256, &ulen, name, n, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        u = sqlite3_malloc64((sqlite3_uint64)(ulen + 1) * sizeof(UChar));
        if (u == NULL) {
            sqlite3_result_error_nomem(cx);
            return;
        }
        status = U_ZERO_ERROR;
        u_strFromUTF8(u, ulen + 1, &ulen, name, n, &status);
    }
    if (U_FAILURE(status)) { /* not UTF-8 (cannot be stored): after every name, by its bytes */
        if (u != small)
            sqlite3_free(u);
        sqlite3_result_null(cx);
        return;
    }
    int32_t klen = ucol_getSortKey(sqlite3_user_data(cx), u, ulen, key, (int32_t)sizeof(kbuf));
    if (klen > (int32_t)sizeof(kbuf)) {
        key = sqlite3_malloc64((sqlite3_uint64)klen);
        if (key == NULL) {
            if (u != small)
                sqlite3_free(u);
            sqlite3_result_error_nomem(cx);
            return;
        }
        klen = ucol_getSortKey(sqlite3_user_data(cx), u, ulen, key, klen);
    }
    /* The key ends with its NUL; without it, one name that is a prefix of another still sorts
     * first. */
    sqlite3_result_blob(cx, key, klen > 0 ? klen - 1 : 0, SQLITE_TRANSIENT);
    if (key != kbuf)
        sqlite3_free(key);
    if (u != small)
        sqlite3_free(u);
}

/* --- transactions and settings ------------------------------------------------------------ */

static void forget_order(struct sqlite_store *s)
{
    free(s->last_order);
    s->last_order = NULL;
}

static enum kam_rc op_begin(struct kam_store *st, struct kam_err *err)
{
    forget_order(S(st));
    return exec(S(st), "BEGIN IMMEDIATE", err);
}

/* Foreign keys are switched off for a trusted transaction: SQLite ignores the pragma inside a
 * transaction, so it is set before BEGIN and restored after the end. Measured: 6-17 % of an
 * orders import went to looking up each new order's account again. */
static enum kam_rc op_begin_trusted(struct kam_store *st, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    enum kam_rc rc = exec(s, "PRAGMA foreign_keys = OFF", err);
    if (rc != KAM_OK)
        return rc;
    s->trusted = true;
    if ((rc = op_begin(st, err)) != KAM_OK) {
        s->trusted = false;
        (void)exec(s, "PRAGMA foreign_keys = ON", NULL); /* the begin error is the one to report */
    }
    return rc;
}

static enum kam_rc end_trusted(struct sqlite_store *s, enum kam_rc rc, struct kam_err *err)
{
    if (s->trusted && sqlite3_get_autocommit(s->db)) {
        s->trusted = false;
        enum kam_rc r2 = exec(s, "PRAGMA foreign_keys = ON", rc == KAM_OK ? err : NULL);
        if (rc == KAM_OK)
            rc = r2;
    }
    return rc;
}

static enum kam_rc op_commit(struct kam_store *st, struct kam_err *err)
{
    return end_trusted(S(st), exec(S(st), "COMMIT", err), err);
}

static enum kam_rc op_rollback(struct kam_store *st, struct kam_err *err)
{
    forget_order(S(st));
    if (sqlite3_get_autocommit(S(st)->db)) /* already rolled back, e.g. after a full disk */
        return end_trusted(S(st), KAM_OK, err);
    return end_trusted(S(st), exec(S(st), "ROLLBACK", err), err);
}

static enum kam_rc op_meta_get(struct kam_store *st, const char *key, char *buf, size_t n,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc = prepare(s, "SELECT value FROM meta WHERE key = ?", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        snprintf(buf, n, "%s", col_text(q, 0));
    else if (r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "setting '%s' is not set", key);
    else
        rc = db_error(s, err, "reading settings");
    sqlite3_finalize(q);
    return rc;
}

static enum kam_rc op_meta_set(struct kam_store *st, const char *key, const char *value,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc = prepare(s,
                             "INSERT INTO meta(key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "writing settings");
    sqlite3_finalize(q);
    return rc;
}

/* --- generic records ---------------------------------------------------------------------- */

static struct table_stmts *stmts_for(struct sqlite_store *s, const struct kam_table *t)
{
    for (int i = 0; i < NTABLES; i++)
        if (s->tables[i].t == t)
            return &s->tables[i];
    KAM_BUG("table without statements");
}

/* Appends to a fixed SQL buffer; the buffers are sized for the largest table. */
static void cat(char *buf, size_t n, const char *fmt, ...) KAM_PRINTF(3, 4);
static void cat(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    if ((size_t)vsnprintf(buf + len, n - len, fmt, ap) >= n - len)
        KAM_BUG("SQL buffer too small");
    va_end(ap);
}

/* "x.id, x.col1, ..." where a REF column gives its id and the referred code. */
static void select_list(const struct kam_table *t, const char *alias, char *buf, size_t n)
{
    cat(buf, n, "%s.id", alias);
    for (size_t i = 0; i < t->ncols; i++) {
        const struct kam_column *c = &t->cols[i];
        if (c->type == KAM_V_REF)
            cat(buf, n, ", %s.%s, (SELECT r.code FROM %s r WHERE r.id = %s.%s)", alias, c->name,
                c->ref, alias, c->name);
        else
            cat(buf, n, ", %s.%s", alias, c->name);
    }
}

/* Reads a row laid out by select_list starting at column `first` into vals. */
static int read_row(sqlite3_stmt *q, int first, const struct kam_table *t, struct kam_value *vals)
{
    int col = first + 1;
    for (size_t i = 0; i < t->ncols; i++) {
        const struct kam_column *c = &t->cols[i];
        struct kam_value *v = &vals[i];
        memset(v, 0, sizeof(*v));
        if (c->type == KAM_V_REF) {
            v->null = sqlite3_column_type(q, col) == SQLITE_NULL;
            v->i = sqlite3_column_int64(q, col++);
            v->s = col_text(q, col);
            v->len = strlen(v->s);
        } else if (c->type == KAM_V_INT || c->type == KAM_V_MONEY) {
            v->null = sqlite3_column_type(q, col) == SQLITE_NULL;
            v->i = v->null ? KAM_NONE : sqlite3_column_int64(q, col);
        } else { /* text: NULL only for a NULL (a list reads 15 of these per account) */
            const unsigned char *t = sqlite3_column_text(q, col);
            v->null = t == NULL;
            v->s = t ? (const char *)t : "";
            v->len = t ? (size_t)sqlite3_column_bytes(q, col) : 0;
        }
        col++;
    }
    return col;
}

static void bind_value(sqlite3_stmt *q, int i, const struct kam_column *c,
                       const struct kam_value *v)
{
    if (v->null)
        sqlite3_bind_null(q, i);
    else if (c->type == KAM_V_INT || c->type == KAM_V_MONEY || c->type == KAM_V_REF)
        sqlite3_bind_int64(q, i, v->i);
    else
        sqlite3_bind_text(q, i, v->s, (int)v->len, SQLITE_STATIC);
}

/* Whether the stored column (read from a find statement) equals the new value. */
static bool same_value(sqlite3_stmt *q, int col, const struct kam_column *c,
                       const struct kam_value *v)
{
    bool null = sqlite3_column_type(q, col) == SQLITE_NULL;
    if (null || v->null)
        return null && v->null;
    if (c->type == KAM_V_INT || c->type == KAM_V_MONEY || c->type == KAM_V_REF)
        return sqlite3_column_int64(q, col) == v->i;
    return (size_t)sqlite3_column_bytes(q, col) == v->len &&
           memcmp(sqlite3_column_text(q, col), v->s, v->len) == 0;
}

static enum kam_rc prepare_table(struct sqlite_store *s, struct table_stmts *ts,
                                 const struct kam_table *t, struct kam_err *err)
{
    char sql[4096] = "";
    const char *sep = " WHERE ";

    ts->t = t;
    cat(sql, sizeof(sql), "SELECT id");
    for (size_t i = 0; i < t->ncols; i++)
        cat(sql, sizeof(sql), ", %s", t->cols[i].name);
    cat(sql, sizeof(sql), " FROM %s", t->name);
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].flags & KAM_COL_KEY) {
            cat(sql, sizeof(sql), "%s%s = ?%zu", sep, t->cols[i].name, i + 1);
            sep = " AND ";
        }
    return prepare(s, sql, &ts->find, err);
}

static uint64_t key_mask(const struct kam_table *t)
{
    uint64_t m = 0;
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].flags & KAM_COL_KEY)
            m |= 1ull << i;
    return m;
}

static enum kam_rc op_upsert(struct kam_store *st, const struct kam_table *t,
                             const struct kam_value *vals, uint64_t mask, enum kam_put *res,
                             int64_t *id, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    struct table_stmts *ts = stmts_for(s, t);
    enum kam_rc rc = KAM_OK;
    char sql[4096] = "";
    uint64_t changed = 0;
    int r;

    sqlite3_reset(ts->find);
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].flags & KAM_COL_KEY)
            bind_value(ts->find, (int)i + 1, &t->cols[i], &vals[i]);
    r = sqlite3_step(ts->find);
    if (r == SQLITE_DONE) {
        uint64_t m = mask | key_mask(t);
        if (ts->insert == NULL || ts->insert_mask != m) {
            sqlite3_finalize(ts->insert);
            ts->insert = NULL;
            bool key = t == &kam_accounts && (m & (1ull << KAM_ACC_NAME));
            cat(sql, sizeof(sql), "INSERT INTO %s(created_at, updated_at", t->name);
            for (size_t i = 0; i < t->ncols; i++)
                if (m & (1ull << i))
                    cat(sql, sizeof(sql), ", %s", t->cols[i].name);
            if (key)
                cat(sql, sizeof(sql), ", name_key");
            cat(sql, sizeof(sql),
                ") VALUES (strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'), "
                "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now')");
            for (size_t i = 0; i < t->ncols; i++)
                if (m & (1ull << i))
                    cat(sql, sizeof(sql), ", ?%zu", i + 1);
            if (key)
                cat(sql, sizeof(sql), ", kam_name_key(?%d)", KAM_ACC_NAME + 1);
            cat(sql, sizeof(sql), ")");
            if ((rc = prepare(s, sql, &ts->insert, err)) != KAM_OK)
                goto out;
            ts->insert_mask = m;
        }
        sqlite3_reset(ts->insert);
        sqlite3_clear_bindings(ts->insert);
        for (size_t i = 0; i < t->ncols; i++)
            if (m & (1ull << i))
                bind_value(ts->insert, (int)i + 1, &t->cols[i], &vals[i]);
        if (sqlite3_step(ts->insert) != SQLITE_DONE) {
            rc = db_error(s, err, t->singular);
            sqlite3_reset(ts->insert);
            goto out;
        }
        sqlite3_reset(ts->insert);
        *res = KAM_PUT_INSERTED;
        *id = sqlite3_last_insert_rowid(s->db);
        goto out;
    }
    if (r != SQLITE_ROW) {
        rc = db_error(s, err, t->singular);
        goto out;
    }
    *id = sqlite3_column_int64(ts->find, 0);
    for (size_t i = 0; i < t->ncols; i++)
        if ((mask & (1ull << i)) && !same_value(ts->find, (int)i + 1, &t->cols[i], &vals[i]))
            changed |= 1ull << i;
    sqlite3_reset(ts->find);
    if (changed == 0) {
        *res = KAM_PUT_UNCHANGED;
        goto out;
    }
    /* Only the columns that differ are written, so the statement depends on them. */
    if (ts->update == NULL || ts->update_mask != changed) {
        sqlite3_finalize(ts->update);
        ts->update = NULL;
        cat(sql, sizeof(sql),
            "UPDATE %s SET version = version + 1, "
            "updated_at = strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now')",
            t->name);
        for (size_t i = 0; i < t->ncols; i++)
            if (changed & (1ull << i))
                cat(sql, sizeof(sql), ", %s = ?%zu", t->cols[i].name, i + 1);
        if (t == &kam_accounts && (changed & (1ull << KAM_ACC_NAME)))
            cat(sql, sizeof(sql), ", name_key = kam_name_key(?%d)", KAM_ACC_NAME + 1);
        cat(sql, sizeof(sql), " WHERE id = ?%zu", t->ncols + 1);
        if ((rc = prepare(s, sql, &ts->update, err)) != KAM_OK)
            goto out;
        ts->update_mask = changed;
    }
    sqlite3_reset(ts->update);
    sqlite3_clear_bindings(ts->update);
    for (size_t i = 0; i < t->ncols; i++)
        if (changed & (1ull << i))
            bind_value(ts->update, (int)i + 1, &t->cols[i], &vals[i]);
    sqlite3_bind_int64(ts->update, (int)t->ncols + 1, *id);
    if (sqlite3_step(ts->update) != SQLITE_DONE)
        rc = db_error(s, err, t->singular);
    sqlite3_reset(ts->update);
    *res = KAM_PUT_UPDATED;
out:
    sqlite3_reset(ts->find);
    return rc;
}

static enum kam_rc run_rows(struct sqlite_store *s, sqlite3_stmt *q, const struct kam_table *t,
                            kam_row_fn fn, void *ctx, int64_t *count, struct kam_err *err)
{
    struct kam_value vals[64];
    int r;

    *count = 0;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        read_row(q, 0, t, vals);
        (*count)++;
        if (fn(ctx, sqlite3_column_int64(q, 0), vals) != 0)
            return KAM_OK;
    }
    if (r != SQLITE_DONE)
        return db_error(s, err, t->name);
    return KAM_OK;
}

static enum kam_rc op_get(struct kam_store *st, const struct kam_table *t, const char *key,
                          kam_row_fn fn, void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    char sql[4096] = "SELECT ";
    sqlite3_stmt *q = NULL;
    int64_t n = 0;
    enum kam_rc rc;

    select_list(t, "x", sql, sizeof(sql));
    cat(sql, sizeof(sql), " FROM %s x WHERE x.%s = ?", t->name, t->cols[0].name);
    if ((rc = prepare(s, sql, &q, err)) != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    rc = run_rows(s, q, t, fn, ctx, &n, err);
    if (rc == KAM_OK && n == 0)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "%s '%s' does not exist", t->singular, key);
    sqlite3_finalize(q);
    return rc;
}

static enum kam_rc op_each(struct kam_store *st, const struct kam_table *t, int64_t account_id,
                           kam_row_fn fn, void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    char sql[4096] = "SELECT ";
    sqlite3_stmt *q = NULL;
    int64_t n;
    enum kam_rc rc;

    select_list(t, "x", sql, sizeof(sql));
    cat(sql, sizeof(sql), " FROM %s x", t->name);
    if (account_id > 0 && t != &kam_products) /* products belong to no account */
        cat(sql, sizeof(sql), " WHERE x.%s = %lld", t == &kam_accounts ? "id" : "account",
            (long long)account_id);
    cat(sql, sizeof(sql), " ORDER BY x.id");
    if ((rc = prepare(s, sql, &q, err)) != KAM_OK)
        return rc;
    rc = run_rows(s, q, t, fn, ctx, &n, err);
    sqlite3_finalize(q);
    return rc;
}

static enum kam_rc op_keys(struct kam_store *st, const struct kam_table *t, kam_key_fn fn,
                           void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    char sql[256];
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    snprintf(sql, sizeof(sql), "SELECT %s, id FROM %s", t->cols[0].name, t->name);
    if ((rc = prepare(s, sql, &q, err)) != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, col_text(q, 0), (size_t)sqlite3_column_bytes(q, 0),
               sqlite3_column_int64(q, 1)) != 0)
            break;
    return finish(s, q, r, t->name, err);
}

/* KAM_ERR_INVALID when parent_id as the parent of account_id would make the group hierarchy a
 * cycle: walking up from the new parent reaches the account itself. */
static enum kam_rc parent_cycle(struct sqlite_store *s, int64_t account_id, int64_t parent_id,
                                struct kam_err *err)
{
    sqlite3_stmt *q = NULL;
    enum kam_rc rc = prepare(s,
                             "WITH RECURSIVE up(id) AS (SELECT ?1 UNION "
                             "SELECT a.parent FROM accounts a JOIN up ON a.id = up.id "
                             "WHERE a.parent IS NOT NULL) SELECT count(*) FROM up WHERE id = ?2",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, parent_id);
    sqlite3_bind_int64(q, 2, account_id);
    int cyc = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    sqlite3_finalize(q);
    if (cyc < 0)
        return db_error(s, err, "checking the account hierarchy");
    if (cyc > 0)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "the parent would make the group hierarchy a cycle");
    return KAM_OK;
}

static enum kam_rc op_set_parent(struct kam_store *st, int64_t account_id, int64_t parent_id,
                                 bool *changed, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;

    if (parent_id > 0 && (rc = parent_cycle(s, account_id, parent_id, err)) != KAM_OK)
        return rc;
    rc = prepare(s,
                 "UPDATE accounts SET parent = ?1, version = version + 1, "
                 "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                 "WHERE id = ?2 AND parent IS NOT ?1",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    if (parent_id > 0)
        sqlite3_bind_int64(q, 1, parent_id);
    sqlite3_bind_int64(q, 2, account_id);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "setting the parent account");
    else if (changed)
        *changed = sqlite3_changes(s->db) > 0;
    sqlite3_finalize(q);
    return rc;
}

/* --- order lines and rollups -------------------------------------------------------------- */

/* A line's id: its order's id * 65536 + line_no (line_no 1..65535). */
#define LINE_ID(ref, line_no) ((ref)*65536 + (line_no))

static void bind_order(sqlite3_stmt *q, int64_t id, const struct kam_order_line *l)
{
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, l->line_no);
    sqlite3_bind_int64(q, 3, l->account_id);
    sqlite3_bind_int64(q, 4, l->product_id);
    sqlite3_bind_text(q, 5, l->date, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, l->quantity);
    sqlite3_bind_int64(q, 7, l->unit_price);
    sqlite3_bind_int64(q, 8, l->amount);
    bind_opt_int(q, 9, l->cost);
    sqlite3_bind_int64(q, 10, l->discount);
    bind_text(q, 11, l->channel);
    bind_text(q, 12, l->region);
}

/* The id of order order_id into *ref, creating the order for account when create is set.
 * KAM_ERR_NOT_FOUND without create, KAM_ERR_CONFLICT when the order has another account. */
/* Days since 1970-01-01 of an ISO date (kam writes them, so they are valid). */
static int64_t iso_day(const char *iso)
{
    struct kam_date d;
    if (iso == NULL ||
        kam_date_parse_iso(iso, strlen(iso) < 10 ? strlen(iso) : 10, &d, NULL) != KAM_OK)
        return 0;
    return kam_date_days(&d);
}

/* The id of order order_id into *ref, creating the order for line l's account when l is given.
 * KAM_ERR_NOT_FOUND without l, KAM_ERR_CONFLICT when the order has another account. */
static enum kam_rc order_ref(struct sqlite_store *s, const char *order_id,
                             const struct kam_order_line *l, bool *created, int64_t *ref,
                             struct kam_err *err)
{
    bool create = l != NULL;
    int64_t account = create ? l->account_id : 0;
    sqlite3_stmt *q;
    int r;

    if (s->last_order == NULL || strcmp(s->last_order, order_id) != 0) {
        /* Insert first: most orders of an import are new, and a failed insert costs no more
         * than the lookup it saves. */
        r = SQLITE_DONE;
        if (create) {
            q = s->header_insert;
            sqlite3_bind_text(q, 1, order_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 2, account);
            sqlite3_bind_int64(q, 3, iso_day(l->date));
            sqlite3_bind_int(q, 4, l->quantity > 0);
            r = sqlite3_step(q);
            sqlite3_reset(q);
            if (r != SQLITE_DONE)
                return db_error(s, err, "order");
            if (sqlite3_changes(s->db) == 1) {
                s->last_ref = sqlite3_last_insert_rowid(s->db);
                s->last_account = account;
                s->last_day = iso_day(l->date);
                s->last_purchase = l->quantity > 0;
                *created = true;
                r = SQLITE_ROW;
            }
        }
        if (r == SQLITE_DONE) {
            q = s->header_find;
            sqlite3_bind_text(q, 1, order_id, -1, SQLITE_STATIC);
            r = sqlite3_step(q);
            if (r == SQLITE_ROW) {
                s->last_ref = sqlite3_column_int64(q, 0);
                s->last_account = sqlite3_column_int64(q, 1);
                s->last_day = sqlite3_column_int64(q, 2);
                s->last_purchase = sqlite3_column_int(q, 3) != 0;
            }
            sqlite3_reset(q);
            if (r == SQLITE_DONE)
                return kam_err_set(err, KAM_ERR_NOT_FOUND, "order '%s' does not exist", order_id);
            if (r != SQLITE_ROW)
                return db_error(s, err, "order");
        }
        free(s->last_order);
        s->last_order = kam_xstrdup(order_id);
    }
    if (create && s->last_account != account)
        return kam_err_set(err, KAM_ERR_CONFLICT,
                           "order '%s' belongs to another account (all lines of an order "
                           "belong to one account)",
                           order_id);
    *ref = s->last_ref;
    return KAM_OK;
}

/* A line added to an existing order may make it a purchase or move its day earlier. */
static enum kam_rc order_widen(struct sqlite_store *s, int64_t ref, const struct kam_order_line *l,
                               struct kam_err *err)
{
    bool purchase = l->quantity > 0 && !s->last_purchase;
    int64_t day = iso_day(l->date);
    if (!purchase && day >= s->last_day)
        return KAM_OK;
    sqlite3_stmt *q = s->header_widen;
    enum kam_rc rc = KAM_OK;
    sqlite3_bind_int64(q, 1, ref);
    sqlite3_bind_int64(q, 2, day);
    sqlite3_bind_int(q, 3, l->quantity > 0);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "order");
    sqlite3_reset(q);
    s->last_purchase = s->last_purchase || l->quantity > 0;
    s->last_day = day < s->last_day ? day : s->last_day;
    return rc;
}

static enum kam_rc op_order_insert(struct kam_store *st, const struct kam_order_line *l,
                                   bool *inserted, int64_t *id, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = s->order_insert;
    enum kam_rc rc;
    int64_t ref;

    bool created = false;

    if (l->line_no < 1 || l->line_no > KAM_MAX_LINE_NO)
        return kam_err_set(err, KAM_ERR_INVALID, "line number %lld is not within 1..65535",
                           (long long)l->line_no);
    if ((rc = order_ref(s, l->order_id, l, &created, &ref, err)) != KAM_OK)
        return rc;
    *id = LINE_ID(ref, l->line_no);
    bind_order(q, *id, l);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "order line");
    else
        *inserted = sqlite3_changes(s->db) == 1;
    sqlite3_reset(q);
    if (rc == KAM_OK && *inserted && !created)
        rc = order_widen(s, ref, l, err);
    if (rc != KAM_OK && created) {
        /* The order was made for this line only: take it back so a refused line leaves
         * nothing. */
        char sql[96];
        snprintf(sql, sizeof(sql), "DELETE FROM orders WHERE id = %lld", (long long)ref);
        forget_order(s);
        (void)exec(s, sql, NULL); /* the insert's error is the one to report */
    }
    return rc;
}

static enum kam_rc op_order_find(struct kam_store *st, const char *order_id, int64_t line_no,
                                 struct kam_order_line *old, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = s->order_find;
    enum kam_rc rc;
    int64_t ref;
    int r;

    if (line_no < 1 || line_no > KAM_MAX_LINE_NO)
        return kam_err_set(err, KAM_ERR_NOT_FOUND, "order '%s' has no line %lld", order_id,
                           (long long)line_no);
    if ((rc = order_ref(s, order_id, NULL, NULL, &ref, err)) != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, LINE_ID(ref, line_no));
    r = sqlite3_step(q);
    if (r == SQLITE_DONE) {
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "order '%s' has no line %lld", order_id,
                         (long long)line_no);
    } else if (r != SQLITE_ROW) {
        rc = db_error(s, err, "order line");
    } else {
        *old = (struct kam_order_line){
            .id = sqlite3_column_int64(q, 0),
            .line_no = line_no,
            .account_id = sqlite3_column_int64(q, 1),
            .product_id = sqlite3_column_int64(q, 2),
            .quantity = sqlite3_column_int64(q, 4),
            .unit_price = sqlite3_column_int64(q, 5),
            .amount = sqlite3_column_int64(q, 6),
            .cost = col_opt_int(q, 7),
            .discount = sqlite3_column_int64(q, 8),
        };
        for (int i = 0; i < 4; i++) {
            free(s->old_strings[i]);
            s->old_strings[i] = kam_xstrdup(i == 3 ? order_id : col_text(q, i == 0 ? 3 : 8 + i));
        }
        old->date = s->old_strings[0];
        old->channel = s->old_strings[1];
        old->region = s->old_strings[2];
        old->order_id = s->old_strings[3];
    }
    sqlite3_reset(q);
    return rc;
}

static enum kam_rc op_order_owner(struct kam_store *st, const char *order_id, int64_t *account,
                                  struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    int64_t ref;
    enum kam_rc rc = order_ref(s, order_id, NULL, NULL, &ref, err);
    if (rc == KAM_OK)
        *account = s->last_account;
    return rc;
}

static enum kam_rc op_order_update(struct kam_store *st, int64_t id, const struct kam_order_line *l,
                                   struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = s->order_update;
    enum kam_rc rc = KAM_OK;

    bind_order(q, id, l);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "order line");
    sqlite3_reset(q);
    /* The changed line may have been the one that made the order's day or purchase flag. */
    if (rc == KAM_OK) {
        q = s->header_refresh;
        sqlite3_bind_int64(q, 1, id / 65536);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_error(s, err, "order");
        sqlite3_reset(q);
        forget_order(s);
    }
    return rc;
}

static enum kam_rc op_order_max_id(struct kam_store *st, int64_t *out, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc = prepare(s, "SELECT coalesce(max(id), 0) FROM order_lines", &q, err);
    if (rc != KAM_OK)
        return rc;
    if (sqlite3_step(q) == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    else
        rc = db_error(s, err, "order lines");
    sqlite3_finalize(q);
    return rc;
}

/* The order line of a row whose first 13 columns are ORDER_LINE_COLUMNS. */
#define ORDER_LINE_COLUMNS                                                                         \
    "l.id, o.order_id, l.line_no, l.account, l.product, l.date, l.quantity, l.unit_price, "        \
    "l.amount, l.cost, l.discount, l.channel, l.region"

static struct kam_order_line order_line_row(sqlite3_stmt *q)
{
    return (struct kam_order_line){
        .id = sqlite3_column_int64(q, 0),
        .order_id = col_text(q, 1),
        .line_no = sqlite3_column_int64(q, 2),
        .account_id = sqlite3_column_int64(q, 3),
        .product_id = sqlite3_column_int64(q, 4),
        .date = col_text(q, 5),
        .quantity = sqlite3_column_int64(q, 6),
        .unit_price = sqlite3_column_int64(q, 7),
        .amount = sqlite3_column_int64(q, 8),
        .cost = col_opt_int(q, 9),
        .discount = sqlite3_column_int64(q, 10),
        .channel = col_text(q, 11),
        .region = col_text(q, 12),
    };
}

static enum kam_rc op_order_each(struct kam_store *st, int64_t account_id, kam_order_fn fn,
                                 void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    rc = prepare(s,
                 "SELECT " ORDER_LINE_COLUMNS ", a.code, p.sku "
                 "FROM orders o JOIN order_lines l ON l.id BETWEEN o.id * 65536 AND "
                 "o.id * 65536 + 65535 JOIN accounts a ON a.id = l.account "
                 "JOIN products p ON p.id = l.product WHERE ?1 = 0 OR o.account = ?1 "
                 "ORDER BY o.id, l.id",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account_id);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_order_line l = order_line_row(q);
        if (fn(ctx, &l, col_text(q, 13), col_text(q, 14)) != 0)
            break;
    }
    return finish(s, q, r, "order lines", err);
}

/* Adds delta d to the rollup cell (a, b) with the upsert q (?1 a, ?2 b, ?3..?9 the sums; the
 * caller binds any further parameter), then removes the cell when it is left with all zeros
 * (prune: ?1 a, ?2 b), so that undoing a change restores the database exactly. A delta that adds
 * lines cannot empty a cell. Shared by the monthly and the product rollups. */
static enum kam_rc cell_add(struct sqlite_store *s, sqlite3_stmt *q, sqlite3_stmt *prune, int64_t a,
                            int64_t b, const struct kam_rollup *d, const char *what,
                            struct kam_err *err)
{
    enum kam_rc rc = KAM_OK;
    sqlite3_bind_int64(q, 1, a);
    sqlite3_bind_int64(q, 2, b);
    sqlite3_bind_int64(q, 3, d->revenue);
    sqlite3_bind_int64(q, 4, d->cost);
    sqlite3_bind_int64(q, 5, d->costed_revenue);
    sqlite3_bind_int64(q, 6, d->quantity);
    sqlite3_bind_int64(q, 7, d->returns);
    sqlite3_bind_int64(q, 8, d->discount);
    sqlite3_bind_int64(q, 9, d->lines);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, what);
    sqlite3_reset(q);
    if (rc == KAM_OK && d->lines <= 0) {
        sqlite3_bind_int64(prune, 1, a);
        sqlite3_bind_int64(prune, 2, b);
        if (sqlite3_step(prune) != SQLITE_DONE)
            rc = db_error(s, err, what);
        sqlite3_reset(prune);
    }
    return rc;
}

static enum kam_rc op_rollup_add(struct kam_store *st, int64_t a, int b, const struct kam_rollup *d,
                                 struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    return cell_add(s, s->month_add, s->month_prune, a, b, d, "rollup", err);
}

/* One integer of a one-row query, or def when it gives NULL. */
static enum kam_rc int_of(struct sqlite_store *s, const char *sql, int64_t def, int64_t *out,
                          struct kam_err *err)
{
    sqlite3_stmt *q = NULL;
    enum kam_rc rc = prepare(s, sql, &q, err);
    if (rc != KAM_OK)
        return rc;
    int r = sqlite3_step(q);
    *out = r == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL ? sqlite3_column_int64(q, 0)
                                                                       : def;
    return finish(s, q, r == SQLITE_ROW ? SQLITE_DONE : r, "rollup totals", err);
}

/* The changes of product categories so far (meta 'catalogue', kept by a trigger) and the count
 * the kept activity was computed under (-1: never). */
static enum kam_rc catalogues(struct sqlite_store *s, int64_t *now, int64_t *kept,
                              struct kam_err *err)
{
    enum kam_rc rc = int_of(s, "SELECT value FROM meta WHERE key = 'catalogue'", 0, now, err);
    if (rc != KAM_OK)
        return rc;
    return int_of(s, "SELECT value FROM meta WHERE key = 'activity_catalogue'", -1, kept, err);
}

static enum kam_rc op_rollup_totals(struct kam_store *st, const int *months, const int64_t *lines,
                                    size_t nmonths, const int64_t *accounts, size_t naccounts,
                                    struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL, *prune = NULL;
    int64_t last, kept_to, max_id, catalogue, kept_catalogue;
    enum kam_rc rc;
    int r = SQLITE_DONE;

    rc = prepare(s,
                 "INSERT INTO month_lines(month, lines) VALUES (?1, ?2) ON CONFLICT(month) "
                 "DO UPDATE SET lines = lines + excluded.lines",
                 &q, err);
    if (rc == KAM_OK)
        rc = prepare(s, "DELETE FROM month_lines WHERE month = ?1 AND lines = 0", &prune, err);
    for (size_t i = 0; rc == KAM_OK && i < nmonths; i++) {
        if (lines[i] == 0)
            continue;
        sqlite3_bind_int(q, 1, months[i]);
        sqlite3_bind_int64(q, 2, lines[i]);
        sqlite3_bind_int(prune, 1, months[i]);
        if (sqlite3_step(q) != SQLITE_DONE || sqlite3_step(prune) != SQLITE_DONE)
            rc = db_error(s, err, "order lines per month");
        sqlite3_reset(q);
        sqlite3_reset(prune);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(prune);
    if (rc != KAM_OK ||
        (rc = int_of(s, "SELECT max(month) FROM month_lines", 0, &last, err)) != KAM_OK ||
        (rc = int_of(s, "SELECT ttm_to FROM account_revenue LIMIT 1", -1, &kept_to, err)) !=
            KAM_OK ||
        (rc = int_of(s, "SELECT max(id) FROM accounts", 0, &max_id, err)) != KAM_OK ||
        (rc = catalogues(s, &catalogue, &kept_catalogue, err)) != KAM_OK)
        return rc;
    int to = (int)last, from = to ? kam_month_add(to, -11) : 0;
    /* The window's first day, for the purchase orders in it (days since 1970-01-01). */
    struct kam_date first = {.year = from / 100, .month = from % 100, .day = 1};
    int64_t first_day = to ? kam_date_days(&first) : 0;
#define REVENUE_SUMS                                                                               \
    "sum(revenue), sum(CASE WHEN month BETWEEN ?1 AND ?2 THEN revenue ELSE 0 END), ?2"
/* The products an account bought (a first month: a product only returned was not bought),
 * those with two lines or more, their distinct categories, the latest first month. */
#define ACTIVITY_PRODUCTS                                                                          \
    "count(CASE WHEN ap.first_month > 0 THEN 1 END) AS n, "                                        \
    "count(CASE WHEN ap.first_month > 0 AND ap.lines >= 2 THEN 1 END) AS r, "                      \
    "count(DISTINCT CASE WHEN ap.first_month > 0 THEN pr.category END) AS c, "                     \
    "coalesce(max(ap.first_month), 0) AS m"
    /* A new last month moves every account's window, a changed category its categories; so
     * many accounts that one pass over the rollup costs less than a lookup each. */
    if (kept_to != to || catalogue != kept_catalogue || (int64_t)naccounts * 2 > max_id) {
        if ((rc = exec(s, "DELETE FROM account_revenue", err)) != KAM_OK)
            return rc;
        rc = prepare(s,
                     "INSERT INTO account_revenue(account, total, ttm, ttm_to, orders_total, "
                     "window_orders, products, repeats, categories, max_first_month) SELECT "
                     "account, " REVENUE_SUMS ", 0, 0, 0, 0, 0, 0 FROM account_months "
                     "GROUP BY account",
                     &q, err);
        if (rc != KAM_OK)
            return rc;
        sqlite3_bind_int(q, 1, from);
        sqlite3_bind_int(q, 2, to);
        if ((rc = finish(s, q, sqlite3_step(q), "account revenues", err)) != KAM_OK)
            return rc;
        /* Every account with cells has product cells, and orders only if it has cells. */
        rc = prepare(s,
                     "WITH p AS (SELECT ap.account AS account, " ACTIVITY_PRODUCTS
                     " FROM account_products ap LEFT JOIN products pr "
                     "ON pr.id = ap.product GROUP BY ap.account), "
                     "o AS (SELECT account, count(*) AS n, min(day) AS f, max(day) AS l, "
                     "sum(day >= ?1) AS w FROM orders WHERE purchase GROUP BY account) "
                     "UPDATE account_revenue SET orders_total = coalesce(o.n, 0), "
                     "first_purchase = o.f, last_purchase = o.l, window_orders = "
                     "coalesce(o.w, 0), products = p.n, repeats = p.r, categories = p.c, "
                     "max_first_month = p.m FROM p LEFT JOIN o ON o.account = p.account "
                     "WHERE account_revenue.account = p.account",
                     &q, err);
        if (rc != KAM_OK)
            return rc;
        sqlite3_bind_int64(q, 1, first_day);
        if ((rc = finish(s, q, sqlite3_step(q), "account activity", err)) != KAM_OK)
            return rc;
    } else {
        sqlite3_stmt *act = NULL;
        rc = prepare(s,
                     "INSERT OR REPLACE INTO account_revenue(account, total, ttm, ttm_to) "
                     "SELECT ?3, coalesce(sum(revenue), 0), coalesce(sum(CASE WHEN month "
                     "BETWEEN ?1 AND ?2 THEN revenue ELSE 0 END), 0), ?2 FROM account_months "
                     "WHERE account = ?3",
                     &q, err);
        if (rc == KAM_OK)
            rc = prepare(s,
                         "UPDATE account_revenue SET (products, repeats, categories, "
                         "max_first_month) = (SELECT " ACTIVITY_PRODUCTS " FROM "
                         "account_products ap LEFT JOIN products pr ON pr.id = ap.product WHERE "
                         "ap.account = ?2), (orders_total, first_purchase, last_purchase, "
                         "window_orders) = (SELECT count(*), min(day), max(day), "
                         "coalesce(sum(day >= ?1), 0) FROM orders WHERE account = ?2 AND "
                         "purchase) WHERE account = ?2",
                         &act, err);
        if (rc != KAM_OK) {
            sqlite3_finalize(q);
            return rc;
        }
        sqlite3_bind_int(q, 1, from);
        sqlite3_bind_int(q, 2, to);
        sqlite3_bind_int64(act, 1, first_day);
        for (size_t i = 0; i < naccounts && r == SQLITE_DONE; i++) {
            sqlite3_bind_int64(q, 3, accounts[i]);
            sqlite3_bind_int64(act, 2, accounts[i]);
            r = sqlite3_step(q);
            sqlite3_reset(q);
            if (r == SQLITE_DONE) {
                r = sqlite3_step(act);
                sqlite3_reset(act);
            }
        }
        sqlite3_finalize(act);
        if ((rc = finish(s, q, r, "account revenues", err)) != KAM_OK)
            return rc;
    }
#undef REVENUE_SUMS
#undef ACTIVITY_PRODUCTS
    if (catalogue == kept_catalogue)
        return KAM_OK;
    rc = prepare(s,
                 "INSERT INTO meta(key, value) VALUES ('activity_catalogue', ?1) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, catalogue);
    return finish(s, q, sqlite3_step(q), "account activity", err);
}

static void read_rollup(sqlite3_stmt *q, int c, struct kam_rollup *r)
{
    r->revenue = sqlite3_column_int64(q, c);
    r->cost = sqlite3_column_int64(q, c + 1);
    r->costed_revenue = sqlite3_column_int64(q, c + 2);
    r->quantity = sqlite3_column_int64(q, c + 3);
    r->returns = sqlite3_column_int64(q, c + 4);
    r->discount = sqlite3_column_int64(q, c + 5);
    r->lines = sqlite3_column_int64(q, c + 6);
}

#define ROLLUP_COLS "revenue, cost, costed_revenue, quantity, returns, discount, lines"

static enum kam_rc op_rollup_each(struct kam_store *st, int64_t account_id, int from, int to,
                                  kam_month_fn fn, void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    rc = prepare(s,
                 "SELECT account, month, " ROLLUP_COLS " FROM account_months "
                 "WHERE (?1 = 0 OR account = ?1) AND month BETWEEN ?2 AND ?3 "
                 "ORDER BY account, month",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account_id);
    sqlite3_bind_int(q, 2, from);
    sqlite3_bind_int(q, 3, to);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_rollup ru;
        read_rollup(q, 2, &ru);
        if (fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int(q, 1), &ru) != 0)
            break;
    }
    return finish(s, q, r, "monthly rollup", err);
}

static enum kam_rc op_top_products(struct kam_store *st, int64_t account_id, int64_t limit,
                                   int (*fn)(void *, const char *, const char *,
                                             const struct kam_rollup *),
                                   void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    rc = prepare(s,
                 "SELECT p.sku, p.name, sum(l.amount), sum(coalesce(l.cost, 0)), "
                 "sum(CASE WHEN l.cost IS NULL THEN 0 ELSE l.amount END), sum(l.quantity), "
                 "sum(CASE WHEN l.quantity < 0 THEN l.amount ELSE 0 END), sum(l.discount), "
                 "count(*) FROM orders o JOIN order_lines l ON l.id BETWEEN o.id * 65536 AND "
                 "o.id * 65536 + 65535 JOIN products p ON p.id = l.product WHERE o.account = ?1 "
                 "GROUP BY l.product ORDER BY 3 DESC, p.sku LIMIT ?2",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account_id);
    sqlite3_bind_int64(q, 2, limit > 0 ? limit : -1);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_rollup ru;
        read_rollup(q, 2, &ru);
        if (fn(ctx, col_text(q, 0), col_text(q, 1), &ru) != 0)
            break;
    }
    return finish(s, q, r, "top products", err);
}

static enum kam_rc op_revenues(struct kam_store *st, kam_revenue_fn fn, void *ctx,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    rc = prepare(s,
                 "SELECT a.id, a.code, a.name, coalesce(m.revenue, 0) FROM accounts a "
                 "LEFT JOIN (SELECT account, sum(revenue) AS revenue FROM account_months "
                 "GROUP BY account) m ON m.account = a.id ORDER BY a.id",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1), col_text(q, 2),
               sqlite3_column_int64(q, 3)) != 0)
            break;
    return finish(s, q, r, "revenues", err);
}

/* What identifies the database's content for this connection: PRAGMA data_version (changes
 * when another connection commits) and the rows this connection changed (total changes; a
 * rolled-back change counts too, which only costs a needless re-read). */
static enum kam_rc changes_now(struct sqlite_store *s, int64_t out[2], struct kam_err *err)
{
    sqlite3_stmt *q;
    enum kam_rc rc = hot_prepare(s, HOT_DATA_VERSION, "PRAGMA data_version", &q, err);
    if (rc != KAM_OK)
        return rc;
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        out[0] = sqlite3_column_int64(q, 0);
    out[1] = sqlite3_total_changes64(s->db);
    return hot_finish(s, q, r == SQLITE_ROW ? SQLITE_DONE : r, "data version", err);
}

/* The stamp of now (not known inside a transaction). */
static enum kam_rc stamp_now(struct sqlite_store *s, struct kam_stamp *now, struct kam_err *err)
{
    now->known = sqlite3_get_autocommit(s->db) != 0;
    now->v[0] = now->v[1] = 0;
    return now->known ? changes_now(s, now->v, err) : KAM_OK;
}

static enum kam_rc op_stamp(struct kam_store *st, struct kam_stamp *out, struct kam_err *err)
{
    return stamp_now(S(st), out, err);
}

static enum kam_rc op_order_months(struct kam_store *st, int *first, int *last, char *last_date,
                                   size_t n, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    struct kam_stamp now;
    enum kam_rc rc;

    /* The rollup gives the months; the last day is the latest order day of the accounts
     * that bought in the last month, one index seek each (orders_account). Reading their lines
     * instead took minutes at 100M lines. The months need a scan of the rollup (no index has
     * month first), which the account list did on every request: they are kept until the
     * database changes (struct kam_stamp). */
    if ((rc = stamp_now(s, &now, err)) != KAM_OK)
        return rc;
    if (kam_stamp_same(&s->months_stamp, &now)) {
        *first = s->months_first;
        *last = s->months_last;
    } else {
        rc = hot_prepare(s, HOT_ORDER_MONTHS,
                         "SELECT coalesce(min(month), 0), coalesce(max(month), 0) "
                         "FROM month_lines",
                         &q, err);
        if (rc != KAM_OK)
            return rc;
        int r = sqlite3_step(q);
        if (r == SQLITE_ROW) {
            *first = s->months_first = sqlite3_column_int(q, 0);
            *last = s->months_last = sqlite3_column_int(q, 1);
        }
        if ((rc = hot_finish(s, q, r, "order months", err)) != KAM_OK)
            return rc;
        if (r != SQLITE_ROW)
            return kam_err_set(err, KAM_ERR_STORE, "order months: no result");
        /* The months read after the check: a commit in between gives other changes next time,
         * so the worst case is one needless re-read. */
        s->months_stamp = now;
    }
    if (last_date == NULL)
        return KAM_OK;
    last_date[0] = '\0';
    rc = prepare(s,
                 "SELECT max((SELECT max(o.day) FROM orders o WHERE o.account = m.account)) "
                 "FROM account_months m WHERE m.month = ?1 AND m.lines != 0",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int(q, 1, *last);
    if (sqlite3_step(q) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) != SQLITE_NULL) {
            struct kam_date d = kam_date_from_days(sqlite3_column_int64(q, 0));
            snprintf(last_date, n, "%04d-%02d-%02d", d.year, d.month, d.day);
        }
    } else {
        rc = db_error(s, err, "order months");
    }
    sqlite3_finalize(q);
    return rc;
}

/* --- account list ------------------------------------------------------------------------- */

/* The filters of an account list query that are there, and its sort: each combination has its
 * own statement (op_account_list), whose WHERE names only those filters. */
enum list_key {
    LIST_ROLE = 1u << 0,
    LIST_REGION = 1u << 1,
    LIST_OWNER = 1u << 2,
    LIST_TAG = 1u << 3,
    LIST_TEXT = 1u << 4,
    LIST_SCOPE_TEAM = 1u << 5,
    LIST_SCOPE_OWN = 1u << 6,
    LIST_TIER = 1u << 7,
    LIST_STAGE = 1u << 8,
    LIST_BY_REVENUE = 1u << 9,
    LIST_IDS = 1u << 10,
    LIST_COUNT = 1u << 11, /* the count of account_count, not the rows */
};

static bool given(const char *s)
{
    return s != NULL && *s != '\0'; /* bind_text's rule: "" is no filter */
}

static unsigned list_key(const struct kam_account_query *aq)
{
    unsigned k = 0;
    k |= given(aq->role) ? LIST_ROLE : 0;
    k |= given(aq->region) ? LIST_REGION : 0;
    k |= given(aq->owner) ? LIST_OWNER : 0;
    k |= given(aq->tag) ? LIST_TAG : 0;
    k |= given(aq->text) ? LIST_TEXT : 0;
    if (aq->scope != NULL && aq->scope->kind != KAM_SCOPE_ALL)
        k |= aq->scope->kind == KAM_SCOPE_TEAM ? LIST_SCOPE_TEAM : LIST_SCOPE_OWN;
    k |= given(aq->tier) ? LIST_TIER : 0;
    k |= given(aq->stage) ? LIST_STAGE : 0;
    k |= aq->sort == KAM_SORT_REVENUE ? LIST_BY_REVENUE : 0;
    k |= aq->ids != NULL ? LIST_IDS : 0;
    return k;
}

/* The SQL of op_account_list for the filters and sort of key, into sql[n]. The parameters keep
 * their numbers whichever filters are there. A condition is written only for a filter that is
 * given: "(?4 IS NULL OR a.region = ?4)" for every filter made the planner scan every account,
 * where "a.region = ?4" (or the owner of a rep's scope) reads the accounts_region (accounts_owner)
 * index. */
static void account_list_sql(unsigned key, char *sql, size_t n)
{
    if (key & LIST_COUNT) {
        snprintf(sql, n, "SELECT count(*)");
    } else {
        snprintf(sql, n, "SELECT ");
        select_list(&kam_accounts, "a", sql, n);
        /* The revenues the import keeps per account (account_revenue, one lookup by the
         * account's id) when they are for this window; else the sums of the account's cells,
         * by the rollup's key (account, month). */
        cat(sql, n,
            ", CASE WHEN rv.ttm_to = ?2 THEN rv.ttm ELSE coalesce((SELECT sum(m.revenue) FROM "
            "account_months m WHERE m.account = a.id AND m.month BETWEEN ?1 AND ?2), 0) END "
            "AS ttm, coalesce(rv.total, (SELECT sum(m.revenue) FROM account_months m WHERE "
            "m.account = a.id), 0), a.version, s.tier, s.score, s.stage");
    }
    /* The tier, score and stage of the latest run: one lookup by the scores' key (run,
     * account). */
    cat(sql, n, " FROM accounts a");
    if (!(key & LIST_COUNT))
        cat(sql, n, " LEFT JOIN account_revenue rv ON rv.account = a.id");
    /* A count needs the scores only to filter by them: SQLite keeps a LEFT JOIN it could drop
     * (its ON holds a subquery), which made the count ten times slower. */
    if (!(key & LIST_COUNT) || (key & (LIST_TIER | LIST_STAGE)))
        cat(sql, n,
            " LEFT JOIN scores s ON s.run = (SELECT max(id) FROM score_runs) "
            "AND s.account = a.id");
    cat(sql, n, " WHERE 1");
    if (key & LIST_ROLE)
        cat(sql, n, " AND a.role = ?3");
    if (key & LIST_REGION)
        cat(sql, n, " AND a.region = ?4");
    if (key & LIST_OWNER)
        cat(sql, n, " AND a.owner = ?5");
    if (key & LIST_TAG)
        cat(sql, n,
            " AND EXISTS (SELECT 1 FROM account_tags t JOIN tags g ON g.id = t.tag "
            "WHERE t.account = a.id AND g.name = ?6)");
    if (key & LIST_TEXT)
        cat(sql, n,
            " AND (instr(lower(a.code), lower(?7)) > 0 OR instr(lower(a.name), "
            "lower(?7)) > 0)");
    /* Row-level access (core/access.h): every account, the user's own, or the user's and their
     * team's. */
    if (key & LIST_SCOPE_OWN)
        cat(sql, n, " AND a.owner = ?10");
    if (key & LIST_SCOPE_TEAM)
        cat(sql, n,
            " AND (a.owner = ?10 OR a.owner IN (SELECT u.username FROM users u "
            "JOIN teams t ON t.id = u.team WHERE t.name = ?11))");
    if (key & LIST_TIER)
        cat(sql, n, " AND s.tier = ?12");
    if (key & LIST_STAGE)
        cat(sql, n, " AND s.stage = ?13");
    /* A set of ids (a quadrant of the value matrix, ...) as a JSON array: SQLite's json_each
     * reads it without a temporary table. */
    if (key & LIST_IDS)
        cat(sql, n, " AND a.id IN (SELECT value FROM json_each(?14))");
    if (!(key & LIST_COUNT))
        /* name_key is the collation's sort key: (region|owner, name_key, code) indexes give a
         * page in name order without sorting every match. */
        cat(sql, n, " ORDER BY %s LIMIT ?8 OFFSET ?9",
            key & LIST_BY_REVENUE ? "ttm DESC, a.name_key, a.code" : "a.name_key, a.code");
}

/* The kept statement for key (prepared and kept on first use, in place of the oldest when all
 * LIST_KEPT slots are taken), or a fresh one when it is running already; ended by hot_finish. */
static enum kam_rc list_prepare(struct sqlite_store *s, unsigned key, sqlite3_stmt **out,
                                struct kam_err *err)
{
    char sql[8192];
    enum kam_rc rc;
    for (int i = 0; i < LIST_KEPT; i++) {
        if (s->lists[i].q != NULL && s->lists[i].key == key && !sqlite3_stmt_busy(s->lists[i].q)) {
            *out = s->lists[i].q;
            return KAM_OK;
        }
    }
    account_list_sql(key, sql, sizeof(sql));
    if ((rc = prepare(s, sql, out, err)) != KAM_OK)
        return rc;
    struct list_stmt *slot = &s->lists[s->lists_next];
    if (slot->q == NULL || !sqlite3_stmt_busy(slot->q)) {
        sqlite3_finalize(slot->q);
        slot->q = *out;
        slot->key = key;
        s->lists_next = (s->lists_next + 1) % LIST_KEPT;
    }
    return KAM_OK;
}

/* Binds the filters of aq that key names (the numbering of account_list_sql); the ids' JSON
 * text is built in *ids_json (freed by the caller). */
static void list_bind(sqlite3_stmt *q, unsigned key, const struct kam_account_query *aq,
                      char **ids_json)
{
    if (key & LIST_ROLE)
        bind_text(q, 3, aq->role);
    if (key & LIST_REGION)
        bind_text(q, 4, aq->region);
    if (key & LIST_OWNER)
        bind_text(q, 5, aq->owner);
    if (key & LIST_TAG)
        bind_text(q, 6, aq->tag);
    if (key & LIST_TEXT)
        bind_text(q, 7, aq->text);
    if (key & (LIST_SCOPE_OWN | LIST_SCOPE_TEAM))
        sqlite3_bind_text(q, 10, aq->scope->login, -1, SQLITE_STATIC);
    if (key & LIST_SCOPE_TEAM)
        bind_text(q, 11, aq->scope->team);
    if (key & LIST_TIER)
        bind_text(q, 12, aq->tier);
    if (key & LIST_STAGE)
        bind_text(q, 13, aq->stage);
    *ids_json = NULL;
    if (key & LIST_IDS) {
        size_t cap = aq->nids * 21 + 3, len = 0;
        char *j = kam_xmalloc(cap);
        j[len++] = '[';
        for (size_t i = 0; i < aq->nids; i++)
            len +=
                (size_t)snprintf(j + len, cap - len, "%s%lld", i ? "," : "", (long long)aq->ids[i]);
        j[len++] = ']';
        j[len] = '\0';
        sqlite3_bind_text(q, 14, j, (int)len, SQLITE_STATIC);
        *ids_json = j;
    }
}

static enum kam_rc op_account_list(struct kam_store *st, const struct kam_account_query *aq,
                                   kam_account_fn fn, void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    struct kam_value vals[KAM_ACC_NCOLS];
    sqlite3_stmt *q = NULL;
    unsigned key = list_key(aq);
    char *ids_json;
    enum kam_rc rc;
    int r;

    if ((rc = list_prepare(s, key, &q, err)) != KAM_OK)
        return rc;
    sqlite3_bind_int(q, 1, aq->ttm_from);
    sqlite3_bind_int(q, 2, aq->ttm_to);
    sqlite3_bind_int64(q, 8, aq->limit > 0 ? aq->limit : -1);
    sqlite3_bind_int64(q, 9, aq->offset > 0 ? aq->offset : 0);
    list_bind(q, key, aq, &ids_json);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        int c = read_row(q, 0, &kam_accounts, vals);
        bool scored = sqlite3_column_type(q, c + 3) != SQLITE_NULL;
        struct kam_account_item it = {
            .id = sqlite3_column_int64(q, 0),
            .vals = vals,
            .ttm_revenue = sqlite3_column_int64(q, c),
            .total_revenue = sqlite3_column_int64(q, c + 1),
            .version = sqlite3_column_int64(q, c + 2),
            .tier = scored ? col_text(q, c + 3) : NULL,
            .score = scored ? sqlite3_column_double(q, c + 4) : NAN,
            .stage = scored ? col_text(q, c + 5) : NULL,
        };
        if ((aq->item ? aq->item(ctx, &it)
                      : fn(ctx, it.id, vals, it.ttm_revenue, it.total_revenue)) != 0)
            break;
    }
    rc = hot_finish(s, q, r, "accounts", err);
    free(ids_json);
    return rc;
}

/* The text that identifies a count: the filters' key, then each filter's value after its length
 * ("5:East"), so that equal text is the same query whatever bytes the values hold. */
static char *count_query(unsigned key, const struct kam_account_query *aq, const char *ids_json)
{
    const char *parts[] = {
        key & LIST_ROLE ? aq->role : "",
        key & LIST_REGION ? aq->region : "",
        key & LIST_OWNER ? aq->owner : "",
        key & LIST_TAG ? aq->tag : "",
        key & LIST_TEXT ? aq->text : "",
        key & (LIST_SCOPE_OWN | LIST_SCOPE_TEAM) ? aq->scope->login : "",
        key & LIST_SCOPE_TEAM ? aq->scope->team : "",
        key & LIST_TIER ? aq->tier : "",
        key & LIST_STAGE ? aq->stage : "",
        ids_json ? ids_json : "",
    };
    size_t len = 16;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        len += strlen(parts[i]) + 22;
    char *t = kam_xmalloc(len), *p = t + snprintf(t, len, "%x", key);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t n = strlen(parts[i]);
        p += snprintf(p, len - (size_t)(p - t), ",%zu:", n);
        memcpy(p, parts[i], n);
        p += n;
    }
    *p = '\0';
    return t;
}

static enum kam_rc op_account_count(struct kam_store *st, const struct kam_account_query *aq,
                                    int64_t *n, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    unsigned key = (list_key(aq) & ~LIST_BY_REVENUE) | LIST_COUNT;
    struct kam_stamp now;
    char *ids_json;
    enum kam_rc rc;

    if ((rc = stamp_now(s, &now, err)) != KAM_OK)
        return rc;
    if (!kam_stamp_same(&s->counts_stamp, &now)) {
        for (int i = 0; i < COUNTS_KEPT; i++) {
            free(s->counts[i].query);
            s->counts[i].query = NULL;
        }
        s->counts_stamp = now;
    }
    if ((rc = list_prepare(s, key, &q, err)) != KAM_OK)
        return rc;
    list_bind(q, key, aq, &ids_json);
    char *query = now.known ? count_query(key, aq, ids_json) : NULL;
    for (int i = 0; query != NULL && i < COUNTS_KEPT; i++) {
        if (s->counts[i].query != NULL && strcmp(s->counts[i].query, query) == 0) {
            *n = s->counts[i].n;
            free(query);
            free(ids_json);
            return hot_finish(s, q, SQLITE_DONE, "accounts", err);
        }
    }
    int r = sqlite3_step(q);
    *n = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    rc = hot_finish(s, q, r, "accounts", err);
    if (rc == KAM_OK && query != NULL) {
        free(s->counts[s->counts_next].query);
        s->counts[s->counts_next].query = query;
        s->counts[s->counts_next].n = *n;
        s->counts_next = (s->counts_next + 1) % COUNTS_KEPT;
        query = NULL;
    }
    free(query);
    free(ids_json);
    return rc;
}

/* --- tags --------------------------------------------------------------------------------- */

static enum kam_rc op_tag_add(struct kam_store *st, int64_t account_id, const char *name,
                              const char *color, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc = exec(s, "SAVEPOINT tag_add", err);
    if (rc != KAM_OK)
        return rc;
    rc = prepare(s,
                 "INSERT INTO tags(name, color) VALUES (?1, ?2) ON CONFLICT(name) "
                 "DO UPDATE SET color = coalesce(excluded.color, color)",
                 &q, err);
    if (rc != KAM_OK)
        goto out;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    bind_text(q, 2, color);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "tag");
    sqlite3_finalize(q);
    if (rc != KAM_OK)
        goto out;
    rc = prepare(s,
                 "INSERT OR IGNORE INTO account_tags(account, tag) "
                 "SELECT ?1, id FROM tags WHERE name = ?2",
                 &q, err);
    if (rc != KAM_OK)
        goto out;
    sqlite3_bind_int64(q, 1, account_id);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "tag");
    sqlite3_finalize(q);
out:
    /* A tag is created and linked together or not at all. */
    if (rc != KAM_OK)
        (void)exec(s, "ROLLBACK TO tag_add", NULL); /* the first error is the one to report */
    (void)exec(s, "RELEASE tag_add", NULL);         /* a savepoint always releases */
    return rc;
}

static enum kam_rc op_tag_rm(struct kam_store *st, int64_t account_id, const char *name,
                             struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc = prepare(s,
                             "DELETE FROM account_tags WHERE account = ?1 "
                             "AND tag = (SELECT id FROM tags WHERE name = ?2)",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account_id);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "tag");
    else if (sqlite3_changes(s->db) == 0)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "the account has no tag '%s'", name);
    sqlite3_finalize(q);
    return rc;
}

static enum kam_rc op_tag_list(struct kam_store *st, int64_t account_id, kam_tag_fn fn, void *ctx,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    rc = prepare(s,
                 "SELECT g.name, g.color, (SELECT count(*) FROM account_tags t WHERE t.tag = g.id) "
                 "FROM tags g WHERE ?1 = 0 OR EXISTS (SELECT 1 FROM account_tags t "
                 "WHERE t.tag = g.id AND t.account = ?1) ORDER BY g.name",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account_id);
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, col_text(q, 0), col_text(q, 1), sqlite3_column_int64(q, 2)) != 0)
            break;
    return finish(s, q, r, "tags", err);
}

static enum kam_rc op_counts(struct kam_store *st, struct kam_counts *out, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc =
        prepare(s,
                "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM "
                "contacts), (SELECT count(*) FROM products), (SELECT coalesce(sum(lines), 0) "
                "FROM account_months), (SELECT count(*) FROM payments), (SELECT count(*) "
                "FROM tags)",
                &q, err);
    if (rc != KAM_OK)
        return rc;
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->accounts = sqlite3_column_int64(q, 0);
        out->contacts = sqlite3_column_int64(q, 1);
        out->products = sqlite3_column_int64(q, 2);
        out->order_lines = sqlite3_column_int64(q, 3);
        out->payments = sqlite3_column_int64(q, 4);
        out->tags = sqlite3_column_int64(q, 5);
    } else {
        rc = db_error(s, err, "counts");
    }
    sqlite3_finalize(q);
    return rc;
}

/* --- open, migrate, close ----------------------------------------------------------------- */

static void op_close(struct kam_store *st)
{
    struct sqlite_store *s = S(st);
    if (s == NULL)
        return;
    for (int i = 0; i < NTABLES; i++) {
        sqlite3_finalize(s->tables[i].find);
        sqlite3_finalize(s->tables[i].insert);
        sqlite3_finalize(s->tables[i].update);
    }
    sqlite3_finalize(s->order_insert);
    sqlite3_finalize(s->order_find);
    sqlite3_finalize(s->order_update);
    sqlite3_finalize(s->header_find);
    sqlite3_finalize(s->header_insert);
    sqlite3_finalize(s->header_widen);
    sqlite3_finalize(s->product_add);
    sqlite3_finalize(s->product_prune);
    sqlite3_finalize(s->score_add);
    sqlite3_finalize(s->metrics_put);
    sqlite3_finalize(s->header_refresh);
    sqlite3_finalize(s->month_add);
    sqlite3_finalize(s->month_prune);
    for (int h = 0; h < NHOT; h++)
        sqlite3_finalize(s->hot[h]);
    for (int i = 0; i < LIST_KEPT; i++)
        sqlite3_finalize(s->lists[i].q);
    forget_order(s);
    for (int i = 0; i < 4; i++)
        free(s->old_strings[i]);
    for (int i = 0; i < COUNTS_KEPT; i++)
        free(s->counts[i].query);
    explicit_bzero(&s->token_memo, sizeof(s->token_memo));
    explicit_bzero(&s->user_memo, sizeof(s->user_memo));
    sqlite3_close(s->db);
    if (s->collator)
        ucol_close(s->collator);
    free(s);
}

/* --- identification engine: inputs, ratings, models, runs -------------------------------- */

#define NOW       "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
#define DAYS(col) "CAST(julianday(substr(" col ", 1, 10)) - 2440587.5 AS INTEGER)"

static enum kam_rc op_product_add(struct kam_store *st, int64_t a, int64_t product, int first,
                                  const struct kam_rollup *d, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_bind_int(s->product_add, 10, first);
    return cell_add(s, s->product_add, s->product_prune, a, product, d, "product rollup", err);
}

/* Prepares sql and binds lo, hi as ?1, ?2. */
static enum kam_rc range_query(struct sqlite_store *s, const char *sql, int64_t lo, int64_t hi,
                               sqlite3_stmt **q, struct kam_err *err)
{
    enum kam_rc rc = prepare(s, sql, q, err);
    if (rc == KAM_OK) {
        sqlite3_bind_int64(*q, 1, lo);
        sqlite3_bind_int64(*q, 2, hi);
    }
    return rc;
}

static enum kam_rc op_months_range(struct kam_store *st, int64_t lo, int64_t hi, kam_month_fn fn,
                                   void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = range_query(s,
                                 "SELECT account, month, " ROLLUP_COLS " FROM account_months "
                                 "WHERE account BETWEEN ?1 AND ?2 ORDER BY account, month",
                                 lo, hi, &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_rollup ru;
        read_rollup(q, 2, &ru);
        if (fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int(q, 1), &ru) != 0)
            break;
    }
    return finish(s, q, r, "monthly rollup", err);
}

static enum kam_rc op_activity_range(struct kam_store *st, int64_t lo, int64_t hi,
                                     int (*fn)(void *, int64_t,
                                               const struct kam_metrics_activity *),
                                     void *ctx, bool *kept, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int64_t catalogue, kept_catalogue;
    int r;
    enum kam_rc rc;
    *kept = false;
    if ((rc = catalogues(s, &catalogue, &kept_catalogue, err)) != KAM_OK)
        return rc;
    if (catalogue != kept_catalogue)
        return KAM_OK;
    *kept = true;
    rc = range_query(s,
                     "SELECT account, ttm_to, orders_total, first_purchase, last_purchase, "
                     "window_orders, products, repeats, categories, max_first_month "
                     "FROM account_revenue WHERE account BETWEEN ?1 AND ?2 ORDER BY account",
                     lo, hi, &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_metrics_activity a;
        bool known = sqlite3_column_type(q, 6) != SQLITE_NULL;
        if (known) {
            a.window_to = sqlite3_column_int(q, 1);
            a.orders_total = sqlite3_column_int64(q, 2);
            a.first_purchase =
                sqlite3_column_type(q, 3) == SQLITE_NULL ? KAM_NONE : sqlite3_column_int64(q, 3);
            a.last_purchase =
                sqlite3_column_type(q, 4) == SQLITE_NULL ? KAM_NONE : sqlite3_column_int64(q, 4);
            a.window_orders = sqlite3_column_int64(q, 5);
            a.products = sqlite3_column_int64(q, 6);
            a.repeats = sqlite3_column_int64(q, 7);
            a.categories = sqlite3_column_int64(q, 8);
            a.max_first_month = sqlite3_column_int(q, 9);
        }
        if (fn(ctx, sqlite3_column_int64(q, 0), known ? &a : NULL) != 0)
            break;
    }
    return finish(s, q, r, "account activity", err);
}

static enum kam_rc op_orders_range(struct kam_store *st, int64_t lo, int64_t hi,
                                   int (*fn)(void *, int64_t, int64_t, bool), void *ctx,
                                   struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = range_query(s,
                                 "SELECT account, day, purchase FROM orders "
                                 "WHERE account BETWEEN ?1 AND ?2 ORDER BY account, day",
                                 lo, hi, &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
               sqlite3_column_int(q, 2) != 0) != 0)
            break;
    return finish(s, q, r, "orders", err);
}

static enum kam_rc op_products_range(struct kam_store *st, int64_t lo, int64_t hi,
                                     int (*fn)(void *, int64_t, int64_t, const char *, int,
                                               const struct kam_rollup *),
                                     void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc =
        range_query(s,
                    "SELECT ap.account, ap.product, p.category, ap.first_month, ap.revenue, "
                    "ap.cost, ap.costed_revenue, ap.quantity, ap.returns, ap.discount, ap.lines "
                    "FROM account_products ap JOIN products p ON p.id = ap.product "
                    "WHERE ap.account BETWEEN ?1 AND ?2 ORDER BY ap.account, p.category, "
                    "ap.product",
                    lo, hi, &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_rollup ru;
        read_rollup(q, 4, &ru);
        const char *cat = sqlite3_column_type(q, 2) == SQLITE_NULL ? NULL : col_text(q, 2);
        if (fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), cat,
               sqlite3_column_int(q, 3), &ru) != 0)
            break;
    }
    return finish(s, q, r, "account products", err);
}

static enum kam_rc op_product_cells_range(struct kam_store *st, int64_t lo, int64_t hi,
                                          int (*fn)(void *, int64_t, int64_t, int, int64_t),
                                          void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc =
        range_query(s,
                    "SELECT account, product, first_month, lines FROM account_products "
                    "WHERE account BETWEEN ?1 AND ?2 ORDER BY account, product",
                    lo, hi, &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
               sqlite3_column_int(q, 2), sqlite3_column_int64(q, 3)) != 0)
            break;
    return finish(s, q, r, "account products", err);
}

static enum kam_rc op_invoices_range(struct kam_store *st, int64_t lo, int64_t hi,
                                     int (*fn)(void *, int64_t, kam_money, kam_money, int64_t,
                                               int64_t, int64_t),
                                     void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = range_query(s,
                                 "SELECT account, amount, paid_amount, " DAYS("issued") ", " DAYS(
                                     "due") ", " DAYS("paid") " FROM payments "
                                                              "WHERE account BETWEEN ?1 AND ?2 "
                                                              "ORDER BY account, id",
                                 lo, hi, &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), col_opt_int(q, 2),
               sqlite3_column_int64(q, 3), sqlite3_column_int64(q, 4), col_opt_int(q, 5)) != 0)
            break;
    return finish(s, q, r, "payments", err);
}

static enum kam_rc op_extent(struct kam_store *st, int64_t *last_day, int64_t *max_account,
                             struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s,
                             "SELECT (SELECT coalesce(max(day), 0) FROM orders), "
                             "(SELECT coalesce(max(id), 0) FROM accounts)",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        *last_day = sqlite3_column_int64(q, 0);
        *max_account = sqlite3_column_int64(q, 1);
    }
    return finish(s, q, r, "orders", err);
}

/* Runs a one-shot statement whose parameters the caller binds in bind(). */
static enum kam_rc run1(struct sqlite_store *s, const char *sql, const char *what,
                        void (*bind)(sqlite3_stmt *q, const void *arg), const void *arg,
                        struct kam_err *err)
{
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, sql, &q, err);
    if (rc != KAM_OK)
        return rc;
    bind(q, arg);
    int r = sqlite3_step(q);
    return finish(s, q, r == SQLITE_ROW ? SQLITE_DONE : r, what, err);
}

struct rating_arg {
    int64_t account;
    const char *name, *note;
    double value;
};

static void bind_rating(sqlite3_stmt *q, const void *arg)
{
    const struct rating_arg *a = arg;
    sqlite3_bind_int64(q, 1, a->account);
    sqlite3_bind_text(q, 2, a->name, -1, SQLITE_STATIC);
    if (!isnan(a->value)) {
        sqlite3_bind_double(q, 3, a->value);
        bind_text(q, 4, a->note);
    }
}

static enum kam_rc op_rating_set(struct kam_store *st, int64_t account, const char *name,
                                 double value, const char *note, struct kam_err *err)
{
    struct rating_arg a = {account, name, note, value};
    if (isnan(value))
        return run1(S(st), "DELETE FROM ratings WHERE account = ?1 AND name = ?2", "ratings",
                    bind_rating, &a, err);
    return run1(S(st),
                "INSERT INTO ratings(account, name, value, note, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, " NOW ") ON CONFLICT(account, name) DO UPDATE SET "
                "value = excluded.value, note = excluded.note, updated_at = excluded.updated_at",
                "ratings", bind_rating, &a, err);
}

static enum kam_rc op_rating_each(struct kam_store *st, int64_t account,
                                  int (*fn)(void *, int64_t, const char *, double, const char *),
                                  void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = prepare(s,
                             "SELECT account, name, value, note FROM ratings "
                             "WHERE ?1 = 0 OR account = ?1 ORDER BY account, name",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account);
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1), sqlite3_column_double(q, 2),
               sqlite3_column_type(q, 3) == SQLITE_NULL ? NULL : col_text(q, 3)) != 0)
            break;
    return finish(s, q, r, "ratings", err);
}

static enum kam_rc op_model_save(struct kam_store *st, const char *name, const char *body,
                                 int64_t *version, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc =
        prepare(s, "INSERT INTO models(name, body, created_at) VALUES (?1, ?2, " NOW ")", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, body, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_DONE)
        *version = sqlite3_last_insert_rowid(s->db);
    return finish(s, q, r, "models", err);
}

static enum kam_rc op_model_get(struct kam_store *st, int64_t version, int64_t *got, char **body,
                                struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s,
                             "SELECT version, body FROM models WHERE ?1 = 0 OR version = ?1 "
                             "ORDER BY version DESC LIMIT 1",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, version);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        *got = sqlite3_column_int64(q, 0);
        *body = kam_xstrdup(col_text(q, 1));
    } else if (r == SQLITE_DONE) {
        sqlite3_finalize(q);
        return version ? kam_err_set(err, KAM_ERR_NOT_FOUND, "model version %lld does not exist",
                                     (long long)version)
                       : kam_err_set(err, KAM_ERR_NOT_FOUND, "no scoring model is stored");
    }
    return finish(s, q, r, "models", err);
}

static enum kam_rc op_model_list(struct kam_store *st,
                                 int (*fn)(void *, int64_t, const char *, const char *), void *ctx,
                                 struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc =
        prepare(s, "SELECT version, name, created_at FROM models ORDER BY version", &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1), col_text(q, 2)) != 0)
            break;
    return finish(s, q, r, "models", err);
}

struct pin_arg {
    int64_t account;
    const char *tier;
};

static void bind_pin(sqlite3_stmt *q, const void *arg)
{
    const struct pin_arg *a = arg;
    sqlite3_bind_int64(q, 1, a->account);
    if (a->tier)
        sqlite3_bind_text(q, 2, a->tier, -1, SQLITE_STATIC);
}

static enum kam_rc op_pin_set(struct kam_store *st, int64_t account, const char *tier,
                              struct kam_err *err)
{
    struct pin_arg a = {account, tier};
    if (tier == NULL)
        return run1(S(st), "DELETE FROM tier_pins WHERE account = ?1", "tier pins", bind_pin, &a,
                    err);
    return run1(S(st),
                "INSERT INTO tier_pins(account, tier) VALUES (?1, ?2) "
                "ON CONFLICT(account) DO UPDATE SET tier = excluded.tier",
                "tier pins", bind_pin, &a, err);
}

static enum kam_rc op_pin_each(struct kam_store *st, int (*fn)(void *, int64_t, const char *),
                               void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = prepare(s, "SELECT account, tier FROM tier_pins ORDER BY account", &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1)) != 0)
            break;
    return finish(s, q, r, "tier pins", err);
}

static enum kam_rc op_run_add(struct kam_store *st, const struct kam_run *run, int64_t *id,
                              struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s,
                             "INSERT INTO score_runs(as_of, window_months, model_version, "
                             "started_at, seconds, accounts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, run->as_of, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, run->window_months);
    sqlite3_bind_int64(q, 3, run->model_version);
    sqlite3_bind_text(q, 4, run->started_at, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 5, run->seconds);
    sqlite3_bind_int64(q, 6, run->accounts);
    int r = sqlite3_step(q);
    if (r == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(s->db);
    return finish(s, q, r, "scoring runs", err);
}

static void bind_double_or_null(sqlite3_stmt *q, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_double(q, i, v);
}

static double col_double_or_nan(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

static enum kam_rc op_score_add(struct kam_store *st, int64_t run, const struct kam_score_row *row,
                                struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    enum kam_rc rc = KAM_OK;
    if (s->score_add == NULL &&
        (rc = prepare(s,
                      "INSERT INTO scores(run, account, score, tier, computed, pinned, to_next, "
                      "stage) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                      &s->score_add, err)) != KAM_OK)
        return rc;
    /* The history has no foreign key on the account (schema 8): outside a trusted transaction
     * (whose caller read the accounts under the same data_version) the account is looked up. */
    if (!s->trusted) {
        sqlite3_stmt *e;
        if ((rc = hot_prepare(s, HOT_ACCOUNT_EXISTS, "SELECT 1 FROM accounts WHERE id = ?1", &e,
                              err)) != KAM_OK)
            return rc;
        sqlite3_bind_int64(e, 1, row->account_id);
        int r = sqlite3_step(e);
        if ((rc = hot_finish(s, e, r, "scores", err)) != KAM_OK)
            return rc;
        if (r != SQLITE_ROW)
            return kam_err_set(err, KAM_ERR_INVALID,
                               "a score of account id %lld, which is not there",
                               (long long)row->account_id);
    }
    sqlite3_stmt *q = s->score_add;
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_int64(q, 2, row->account_id);
    sqlite3_bind_double(q, 3, row->score);
    sqlite3_bind_text(q, 4, row->tier, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, row->computed, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 6, row->pinned);
    bind_double_or_null(q, 7, row->to_next);
    sqlite3_bind_text(q, 8, row->stage, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "scores");
    sqlite3_reset(q);
    return rc;
}

#define METRIC_COLS                                                                                \
    "as_of, window_months, revenue, revenue_prev, revenue_total, margin, margin_pct, "             \
    "margin_total, growth, orders, orders_total, lines, avg_order_value, first_purchase, "         \
    "last_purchase, recency_days, tenure_months, active_ratio, products, categories, "             \
    "repeat_rate, returns_rate, discount_rate, on_time_rate, overdue, max_days_overdue, "          \
    "receivables, dso, share_of_wallet, share_of_total, stage, explanation"

static void bind_day(sqlite3_stmt *q, int i, int64_t day)
{
    if (day == KAM_NONE) {
        sqlite3_bind_null(q, i);
        return;
    }
    char buf[KAM_DATE_STRLEN];
    struct kam_date d = kam_date_from_days(day);
    sqlite3_bind_text(q, i, kam_date_str(&d, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
}

static int64_t col_day(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? KAM_NONE : iso_day(col_text(q, i));
}

static enum kam_rc op_metrics_put(struct kam_store *st, int64_t account,
                                  const struct kam_metrics_row *row, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    enum kam_rc rc = KAM_OK;
    if (s->metrics_put == NULL &&
        (rc = prepare(s,
                      "INSERT INTO account_metrics(account, " METRIC_COLS
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                      "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
                      "?29, ?30, ?31, ?32, ?33) ON CONFLICT(account) DO UPDATE SET "
                      "as_of = excluded.as_of, window_months = excluded.window_months, "
                      "revenue = excluded.revenue, revenue_prev = excluded.revenue_prev, "
                      "revenue_total = excluded.revenue_total, margin = excluded.margin, "
                      "margin_pct = excluded.margin_pct, "
                      "margin_total = excluded.margin_total, growth = excluded.growth, "
                      "orders = excluded.orders, orders_total = excluded.orders_total, "
                      "lines = excluded.lines, avg_order_value = excluded.avg_order_value, "
                      "first_purchase = excluded.first_purchase, "
                      "last_purchase = excluded.last_purchase, "
                      "recency_days = excluded.recency_days, "
                      "tenure_months = excluded.tenure_months, "
                      "active_ratio = excluded.active_ratio, products = excluded.products, "
                      "categories = excluded.categories, repeat_rate = excluded.repeat_rate, "
                      "returns_rate = excluded.returns_rate, "
                      "discount_rate = excluded.discount_rate, "
                      "on_time_rate = excluded.on_time_rate, overdue = excluded.overdue, "
                      "max_days_overdue = excluded.max_days_overdue, "
                      "receivables = excluded.receivables, dso = excluded.dso, "
                      "share_of_wallet = excluded.share_of_wallet, "
                      "share_of_total = excluded.share_of_total, stage = excluded.stage, "
                      "explanation = coalesce(excluded.explanation, explanation)",
                      &s->metrics_put, err)) != KAM_OK)
        return rc;
    sqlite3_stmt *q = s->metrics_put;
    const struct kam_metrics *m = &row->m;
    int i = 1;
    sqlite3_bind_int64(q, i++, account);
    sqlite3_bind_text(q, i++, row->as_of, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, i++, row->window_months);
    sqlite3_bind_int64(q, i++, m->revenue);
    sqlite3_bind_int64(q, i++, m->revenue_prev);
    sqlite3_bind_int64(q, i++, m->revenue_total);
    sqlite3_bind_int64(q, i++, m->margin);
    bind_double_or_null(q, i++, m->margin_pct);
    sqlite3_bind_int64(q, i++, m->margin_total);
    bind_double_or_null(q, i++, m->growth);
    sqlite3_bind_int64(q, i++, m->orders);
    sqlite3_bind_int64(q, i++, m->orders_total);
    sqlite3_bind_int64(q, i++, m->lines);
    sqlite3_bind_int64(q, i++, m->avg_order_value);
    bind_day(q, i++, m->first_purchase);
    bind_day(q, i++, m->last_purchase);
    bind_opt_int(q, i++, m->recency_days < 0 ? KAM_NONE : m->recency_days);
    sqlite3_bind_int64(q, i++, m->tenure_months);
    bind_double_or_null(q, i++, m->active_ratio);
    sqlite3_bind_int64(q, i++, m->products);
    sqlite3_bind_int64(q, i++, m->categories);
    bind_double_or_null(q, i++, m->repeat_rate);
    bind_double_or_null(q, i++, m->returns_rate);
    bind_double_or_null(q, i++, m->discount_rate);
    bind_double_or_null(q, i++, m->on_time_rate);
    sqlite3_bind_int64(q, i++, m->overdue);
    sqlite3_bind_int64(q, i++, m->max_days_overdue);
    sqlite3_bind_int64(q, i++, m->receivables);
    bind_double_or_null(q, i++, m->dso);
    bind_double_or_null(q, i++, m->share_of_wallet);
    bind_double_or_null(q, i++, m->share_of_total);
    sqlite3_bind_text(q, i++, row->stage, -1, SQLITE_STATIC);
    if (row->explanation == NULL)
        sqlite3_bind_null(q, i++);
    else
        sqlite3_bind_blob64(q, i++, row->explanation, row->explanation_size, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(s, err, "account metrics");
    sqlite3_reset(q);
    return rc;
}

static enum kam_rc op_metrics_each(struct kam_store *st, int64_t account,
                                   int (*fn)(void *, int64_t, const struct kam_metrics_row *),
                                   void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    bool any = false;
    /* One account by its key (the server's GET /accounts/{code}/metrics): "?1 = 0 OR account =
     * ?1" cannot use the key and scanned every account's row. */
    enum kam_rc rc =
        account != 0
            ? hot_prepare(s, HOT_METRICS_ONE,
                          "SELECT account, " METRIC_COLS " FROM account_metrics WHERE account = ?1",
                          &q, err)
            : prepare(s, "SELECT account, " METRIC_COLS " FROM account_metrics ORDER BY account",
                      &q, err);
    if (rc != KAM_OK)
        return rc;
    if (account != 0)
        sqlite3_bind_int64(q, 1, account);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_metrics_row row = {.window_months = sqlite3_column_int(q, 2)};
        struct kam_metrics *m = &row.m;
        int i = 3;
        snprintf(row.as_of, sizeof(row.as_of), "%s", col_text(q, 1));
        m->revenue = sqlite3_column_int64(q, i++);
        m->revenue_prev = sqlite3_column_int64(q, i++);
        m->revenue_total = sqlite3_column_int64(q, i++);
        m->margin = sqlite3_column_int64(q, i++);
        m->margin_pct = col_double_or_nan(q, i++);
        m->margin_total = sqlite3_column_int64(q, i++);
        m->growth = col_double_or_nan(q, i++);
        m->orders = sqlite3_column_int64(q, i++);
        m->orders_total = sqlite3_column_int64(q, i++);
        m->lines = sqlite3_column_int64(q, i++);
        m->avg_order_value = sqlite3_column_int64(q, i++);
        m->first_purchase = col_day(q, i++);
        m->last_purchase = col_day(q, i++);
        m->recency_days =
            sqlite3_column_type(q, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, i);
        i++;
        m->tenure_months = sqlite3_column_int64(q, i++);
        m->active_ratio = col_double_or_nan(q, i++);
        m->products = sqlite3_column_int64(q, i++);
        m->categories = sqlite3_column_int64(q, i++);
        m->repeat_rate = col_double_or_nan(q, i++);
        m->returns_rate = col_double_or_nan(q, i++);
        m->discount_rate = col_double_or_nan(q, i++);
        m->on_time_rate = col_double_or_nan(q, i++);
        m->overdue = sqlite3_column_int64(q, i++);
        m->max_days_overdue = sqlite3_column_int64(q, i++);
        m->receivables = sqlite3_column_int64(q, i++);
        m->dso = col_double_or_nan(q, i++);
        m->share_of_wallet = col_double_or_nan(q, i++);
        m->share_of_total = col_double_or_nan(q, i++);
        row.stage = col_text(q, i++);
        row.explanation = NULL;
        row.explanation_size = 0;
        if (sqlite3_column_type(q, i) != SQLITE_NULL) {
            row.explanation = sqlite3_column_blob(q, i);
            row.explanation_size = (size_t)sqlite3_column_bytes(q, i);
            if (row.explanation == NULL) /* an empty blob */
                row.explanation = "";
        }
        any = true;
        if (fn(ctx, sqlite3_column_int64(q, 0), &row) != 0)
            break;
    }
    rc = hot_finish(s, q, r, "account metrics", err);
    if (rc == KAM_OK && r == SQLITE_DONE && account != 0 && !any)
        return kam_err_set(err, KAM_ERR_NOT_FOUND,
                           "the account has no metrics yet: run kam metrics or kam score");
    return rc;
}

static void read_run(sqlite3_stmt *q, int c, struct kam_run *run)
{
    run->id = sqlite3_column_int64(q, c);
    snprintf(run->as_of, sizeof(run->as_of), "%s", col_text(q, c + 1));
    run->window_months = sqlite3_column_int(q, c + 2);
    run->model_version = sqlite3_column_int64(q, c + 3);
    snprintf(run->started_at, sizeof(run->started_at), "%s", col_text(q, c + 4));
    run->seconds = sqlite3_column_double(q, c + 5);
    run->accounts = sqlite3_column_int64(q, c + 6);
}

#define RUN_COLS "id, as_of, window_months, model_version, started_at, seconds, accounts"

static enum kam_rc op_run_list(struct kam_store *st, int64_t limit,
                               int (*fn)(void *, const struct kam_run *), void *ctx,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc =
        prepare(s, "SELECT " RUN_COLS " FROM score_runs ORDER BY id DESC LIMIT ?1", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, limit > 0 ? limit : -1);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_run run;
        read_run(q, 0, &run);
        if (fn(ctx, &run) != 0)
            break;
    }
    return finish(s, q, r, "scoring runs", err);
}

static void read_score(sqlite3_stmt *q, int c, struct kam_score_row *row)
{
    *row = (struct kam_score_row){
        .run = sqlite3_column_int64(q, c),
        .account_id = sqlite3_column_int64(q, c + 1),
        .score = sqlite3_column_double(q, c + 2),
        .tier = col_text(q, c + 3),
        .computed = col_text(q, c + 4),
        .pinned = sqlite3_column_int(q, c + 5) != 0,
        .to_next = col_double_or_nan(q, c + 6),
        .stage = col_text(q, c + 7),
    };
}

#define SCORE_COLS "run, account, score, tier, computed, pinned, to_next, stage"

static enum kam_rc op_score_each(struct kam_store *st, int64_t run, int64_t account,
                                 int (*fn)(void *, const struct kam_score_row *), void *ctx,
                                 struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = prepare(s,
                             "SELECT " SCORE_COLS " FROM scores WHERE run = ?1 AND "
                             "(?2 = 0 OR account = ?2) ORDER BY account",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_int64(q, 2, account);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_score_row row;
        read_score(q, 0, &row);
        if (fn(ctx, &row) != 0)
            break;
    }
    return finish(s, q, r, "scores", err);
}

static enum kam_rc op_score_history(struct kam_store *st, int64_t account,
                                    int (*fn)(void *, const struct kam_score_row *,
                                              const struct kam_run *),
                                    void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = prepare(s,
                             "SELECT s.run, s.account, s.score, s.tier, s.computed, s.pinned, "
                             "s.to_next, s.stage, r.id, r.as_of, r.window_months, "
                             "r.model_version, r.started_at, r.seconds, r.accounts "
                             "FROM score_runs r JOIN scores s ON s.run = r.id AND s.account = ?1 "
                             "ORDER BY r.id",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_score_row row;
        struct kam_run run;
        read_score(q, 0, &row);
        read_run(q, 8, &run);
        if (fn(ctx, &row, &run) != 0)
            break;
    }
    return finish(s, q, r, "scores", err);
}

/* --- users, teams, tokens, audit log (schema 3) ------------------------------------------- */

static void copy_text(char *dst, size_t n, sqlite3_stmt *q, int i)
{
    snprintf(dst, n, "%s", col_text(q, i));
}

/* The id of team name into *id (0 when name is NULL or ""). KAM_ERR_NOT_FOUND. */
static enum kam_rc team_id(struct sqlite_store *s, const char *name, int64_t *id,
                           struct kam_err *err)
{
    sqlite3_stmt *q;
    enum kam_rc rc;
    int r;

    *id = 0;
    if (name == NULL || name[0] == '\0')
        return KAM_OK;
    if ((rc = prepare(s, "SELECT id FROM teams WHERE name = ?1", &q, err)) != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        *id = sqlite3_column_int64(q, 0);
    rc = finish(s, q, r, "teams", err);
    if (rc == KAM_OK && r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND,
                         "team '%s' does not exist: add it with 'kam team add'", name);
    return rc;
}

/* A unique constraint broken by a write is KAM_ERR_EXISTS: "<kind> '<key>' already exists". */
static enum kam_rc write_error(struct sqlite_store *s, struct kam_err *err, const char *what,
                               const char *kind, const char *key)
{
    if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
        return kam_err_set(err, KAM_ERR_EXISTS, "%s '%s' already exists", kind, key);
    return db_error(s, err, what);
}

static enum kam_rc op_team_add(struct kam_store *st, const char *name, int64_t *id,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, "INSERT INTO teams(name) VALUES (?1)", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(s->db);
    else
        rc = write_error(s, err, "teams", "team", name);
    sqlite3_finalize(q);
    return rc;
}

static enum kam_rc op_team_list(struct kam_store *st,
                                int (*fn)(void *, int64_t, const char *, int64_t), void *ctx,
                                struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = prepare(s,
                             "SELECT t.id, t.name, (SELECT count(*) FROM users u WHERE u.team = "
                             "t.id) FROM teams t ORDER BY t.name",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1), sqlite3_column_int64(q, 2)) != 0)
            break;
    return finish(s, q, r, "teams", err);
}

#define USER_COLUMNS                                                                               \
    "u.id, u.username, u.display_name, u.role, t.name, u.password_hash, u.disabled, "              \
    "u.created_at, u.updated_at, u.version FROM users u LEFT JOIN teams t ON t.id = u.team "

static void read_user(sqlite3_stmt *q, struct kam_user *u)
{
    struct kam_err ignored;

    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(q, 0);
    copy_text(u->username, sizeof(u->username), q, 1);
    copy_text(u->display_name, sizeof(u->display_name), q, 2);
    /* The schema's CHECK admits only the five names; a failure would be a corrupt row, and
     * viewer (read-only) is the safe reading of one. */
    if (kam_role_parse(col_text(q, 3), &u->role, &ignored) != KAM_OK)
        u->role = KAM_ROLE_VIEWER;
    copy_text(u->team, sizeof(u->team), q, 4);
    copy_text(u->password_hash, sizeof(u->password_hash), q, 5);
    u->disabled = sqlite3_column_int(q, 6) != 0;
    copy_text(u->created_at, sizeof(u->created_at), q, 7);
    copy_text(u->updated_at, sizeof(u->updated_at), q, 8);
    u->version = sqlite3_column_int64(q, 9);
}

static enum kam_rc op_user_add(struct kam_store *st, const struct kam_user *u, int64_t *id,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int64_t team;
    enum kam_rc rc = team_id(s, u->team, &team, err);
    if (rc != KAM_OK)
        return rc;
    rc = prepare(s,
                 "INSERT INTO users(username, display_name, role, team, password_hash, disabled, "
                 "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " NOW ", " NOW ")",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, u->username, -1, SQLITE_STATIC);
    bind_text(q, 2, u->display_name);
    sqlite3_bind_text(q, 3, kam_role_name(u->role), -1, SQLITE_STATIC);
    bind_opt_int(q, 4, team ? team : KAM_NONE);
    sqlite3_bind_text(q, 5, u->password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 6, u->disabled);
    if (sqlite3_step(q) == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(s->db);
    else
        rc = write_error(s, err, "users", "user", u->username);
    sqlite3_finalize(q);
    return rc;
}

static enum kam_rc op_user_get(struct kam_store *st, const char *username, struct kam_user *out,
                               struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    struct kam_stamp now;
    enum kam_rc rc = stamp_now(s, &now, err);
    if (rc != KAM_OK)
        return rc;
    if (kam_stamp_same(&s->user_memo.stamp, &now) &&
        strcmp(s->user_memo.user.username, username) == 0) {
        *out = s->user_memo.user;
        return KAM_OK;
    }
    s->user_memo.stamp.known = false;
    rc = hot_prepare(s, HOT_USER_GET, "SELECT " USER_COLUMNS "WHERE u.username = ?1", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, username, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        read_user(q, out);
    rc = hot_finish(s, q, r, "users", err);
    if (rc == KAM_OK && r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "user '%s' does not exist", username);
    if (rc == KAM_OK && strcmp(out->username, username) == 0) {
        s->user_memo.user = *out;
        s->user_memo.stamp = now;
    }
    return rc;
}

static enum kam_rc op_user_list(struct kam_store *st, int (*fn)(void *, const struct kam_user *),
                                void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    struct kam_user u;
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc = prepare(s, "SELECT " USER_COLUMNS "ORDER BY u.username", &q, err);
    if (rc != KAM_OK)
        return rc;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        read_user(q, &u);
        if (fn(ctx, &u) != 0)
            break;
    }
    return finish(s, q, r, "users", err);
}

/* Optimistic concurrency: the UPDATE matches only the version that was read, so of two writers
 * that read the same version one changes the row and the other changes nothing and is told. */
static enum kam_rc op_user_update(struct kam_store *st, struct kam_user *u, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int64_t team;
    int r;
    enum kam_rc rc = team_id(s, u->team, &team, err);
    if (rc != KAM_OK)
        return rc;
    rc = prepare(s,
                 "UPDATE users SET display_name = ?2, role = ?3, team = ?4, password_hash = ?5, "
                 "disabled = ?6, updated_at = " NOW ", version = version + 1 "
                 "WHERE username = ?1 AND version = ?7 RETURNING version, updated_at",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, u->username, -1, SQLITE_STATIC);
    bind_text(q, 2, u->display_name);
    sqlite3_bind_text(q, 3, kam_role_name(u->role), -1, SQLITE_STATIC);
    bind_opt_int(q, 4, team ? team : KAM_NONE);
    sqlite3_bind_text(q, 5, u->password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 6, u->disabled);
    sqlite3_bind_int64(q, 7, u->version);
    r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        u->version = sqlite3_column_int64(q, 0);
        copy_text(u->updated_at, sizeof(u->updated_at), q, 1);
        r = sqlite3_step(q); /* ends the statement: RETURNING rows are written at the end */
    } else if (r == SQLITE_DONE) {
        struct kam_user now;
        sqlite3_finalize(q);
        rc = op_user_get(st, u->username, &now, err);
        if (rc != KAM_OK)
            return rc;
        return kam_err_set(err, KAM_ERR_CONFLICT,
                           "user '%s' was changed by someone else (version %lld, not %lld): read "
                           "it again and retry",
                           u->username, (long long)now.version, (long long)u->version);
    }
    return finish(s, q, r, "users", err);
}

#define TOKEN_COLUMNS                                                                              \
    "k.id, k.user_id, u.username, k.name, k.token_hash, k.created_at, k.last_used_at, "            \
    "k.revoked_at FROM tokens k JOIN users u ON u.id = k.user_id "

static void read_token(sqlite3_stmt *q, struct kam_token *t)
{
    const void *hash = sqlite3_column_blob(q, 4);

    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(q, 0);
    t->user_id = sqlite3_column_int64(q, 1);
    copy_text(t->username, sizeof(t->username), q, 2);
    copy_text(t->name, sizeof(t->name), q, 3);
    if (hash != NULL && sqlite3_column_bytes(q, 4) == KAM_TOKEN_HASH_BYTES)
        memcpy(t->hash, hash, KAM_TOKEN_HASH_BYTES);
    copy_text(t->created_at, sizeof(t->created_at), q, 5);
    copy_text(t->last_used_at, sizeof(t->last_used_at), q, 6);
    copy_text(t->revoked_at, sizeof(t->revoked_at), q, 7);
}

static enum kam_rc op_token_add(struct kam_store *st, int64_t user_id, const char *name,
                                const unsigned char hash[KAM_TOKEN_HASH_BYTES], int64_t *id,
                                struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s,
                             "INSERT INTO tokens(user_id, name, token_hash, created_at) "
                             "VALUES (?1, ?2, ?3, " NOW ")",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, user_id);
    bind_text(q, 2, name);
    sqlite3_bind_blob(q, 3, hash, KAM_TOKEN_HASH_BYTES, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(s->db);
    else if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "user %lld does not exist", (long long)user_id);
    else
        rc = db_error(s, err, "tokens");
    sqlite3_finalize(q);
    return rc;
}

/* Runs q (one token or none) into *out, then ends it (hot_finish, which also finalizes a
 * statement that is not kept); KAM_ERR_NOT_FOUND with what when none. */
static enum kam_rc one_token(struct sqlite_store *s, sqlite3_stmt *q, struct kam_token *out,
                             const char *what, struct kam_err *err)
{
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        read_token(q, out);
    enum kam_rc rc = hot_finish(s, q, r, "tokens", err);
    if (rc == KAM_OK && r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "%s does not exist", what);
    return rc;
}

static enum kam_rc op_token_find(struct kam_store *st,
                                 const unsigned char hash[KAM_TOKEN_HASH_BYTES],
                                 struct kam_token *out, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    struct kam_stamp now;
    enum kam_rc rc = stamp_now(s, &now, err);
    if (rc != KAM_OK)
        return rc;
    if (kam_stamp_same(&s->token_memo.stamp, &now) &&
        memcmp(s->token_memo.token.hash, hash, KAM_TOKEN_HASH_BYTES) == 0) {
        *out = s->token_memo.token;
        return KAM_OK;
    }
    s->token_memo.stamp.known = false;
    rc = hot_prepare(s, HOT_TOKEN_FIND, "SELECT " TOKEN_COLUMNS "WHERE k.token_hash = ?1", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_blob(q, 1, hash, KAM_TOKEN_HASH_BYTES, SQLITE_STATIC);
    rc = one_token(s, q, out, "the token", err);
    if (rc == KAM_OK && memcmp(out->hash, hash, KAM_TOKEN_HASH_BYTES) == 0) {
        s->token_memo.token = *out;
        s->token_memo.stamp = now;
    }
    return rc;
}

static enum kam_rc op_token_get(struct kam_store *st, int64_t id, struct kam_token *out,
                                struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    char what[64];
    enum kam_rc rc = prepare(s, "SELECT " TOKEN_COLUMNS "WHERE k.id = ?1", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, id);
    snprintf(what, sizeof(what), "token %lld", (long long)id);
    return one_token(s, q, out, what, err);
}

static enum kam_rc op_token_revoke(struct kam_store *st, int64_t id, bool *changed,
                                   struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    struct kam_token t;
    sqlite3_stmt *q;
    enum kam_rc rc = op_token_get(st, id, &t, err);
    if (rc != KAM_OK)
        return rc;
    if (changed != NULL)
        *changed = t.revoked_at[0] == '\0';
    if (t.revoked_at[0] != '\0')
        return KAM_OK; /* the first revocation's time is the one that matters */
    if ((rc = prepare(s, "UPDATE tokens SET revoked_at = " NOW " WHERE id = ?1", &q, err)))
        return rc;
    sqlite3_bind_int64(q, 1, id);
    return finish(s, q, sqlite3_step(q), "tokens", err);
}

/* last_used_at is written at most once a minute per token: it tells people whether a token is
 * still in use, and writing it on every request made every API read a write transaction (the
 * WAL's write lock, a frame, now and then a checkpoint), which serialised the server's threads.
 * A value under a minute old is kept: the check is a read by the primary key. */
#define TOUCH_SECONDS "60"

static enum kam_rc op_token_touch(struct kam_store *st, int64_t id, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = hot_prepare(s, HOT_TOKEN_RECENT,
                                 "SELECT last_used_at IS NOT NULL AND last_used_at > "
                                 "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-" TOUCH_SECONDS
                                 " seconds') FROM tokens WHERE id = ?1",
                                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, id);
    int r = sqlite3_step(q);
    bool recent = r == SQLITE_ROW && sqlite3_column_int(q, 0) != 0;
    if ((rc = hot_finish(s, q, r, "tokens", err)) != KAM_OK)
        return rc;
    if (r == SQLITE_DONE)
        return kam_err_set(err, KAM_ERR_NOT_FOUND, "token %lld does not exist", (long long)id);
    if (recent)
        return KAM_OK;
    rc = hot_prepare(s, HOT_TOKEN_TOUCH, "UPDATE tokens SET last_used_at = " NOW " WHERE id = ?1",
                     &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, id);
    if ((rc = hot_finish(s, q, sqlite3_step(q), "tokens", err)) != KAM_OK)
        return rc;
    if (sqlite3_changes(s->db) == 0)
        return kam_err_set(err, KAM_ERR_NOT_FOUND, "token %lld does not exist", (long long)id);
    return KAM_OK;
}

static enum kam_rc op_token_each(struct kam_store *st, int64_t user_id,
                                 int (*fn)(void *, const struct kam_token *), void *ctx,
                                 struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    struct kam_token t;
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc =
        prepare(s, "SELECT " TOKEN_COLUMNS "WHERE ?1 = 0 OR k.user_id = ?1 ORDER BY k.id", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, user_id);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        read_token(q, &t);
        if (fn(ctx, &t) != 0)
            break;
    }
    return finish(s, q, r, "tokens", err);
}

static enum kam_rc op_audit_append(struct kam_store *st, const struct kam_audit_entry *e,
                                   struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s,
                             "INSERT INTO audit_log(at, actor, action, entity, entity_key, before, "
                             "after) VALUES (" NOW ", ?1, ?2, ?3, ?4, ?5, ?6)",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, e->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, e->entity, -1, SQLITE_STATIC);
    bind_text(q, 4, e->entity_key);
    bind_text(q, 5, e->before);
    bind_text(q, 6, e->after);
    return finish(s, q, sqlite3_step(q), "audit log", err);
}

/* The filters of an audit query, bound as ?1..?5 by bind_audit_filters; an absent filter
 * matches every entry. The log has no index: it is read by people, a page at a time. */
#define AUDIT_WHERE                                                                                \
    "WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2) "                            \
    "AND (?3 IS NULL OR entity = ?3) AND (?4 IS NULL OR entity_key = ?4) "                         \
    "AND (?5 IS NULL OR at >= ?5) "

static void bind_audit_filters(sqlite3_stmt *q, const struct kam_audit_query *aq)
{
    bind_text(q, 1, aq->actor);
    bind_text(q, 2, aq->action);
    bind_text(q, 3, aq->entity);
    bind_text(q, 4, aq->key);
    bind_text(q, 5, aq->since); /* "YYYY-MM-DD" sorts before that day's "YYYY-MM-DDT..." */
}

static enum kam_rc audit_count(struct sqlite_store *s, const struct kam_audit_query *aq,
                               int64_t *total, struct kam_err *err)
{
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, "SELECT count(*) FROM audit_log " AUDIT_WHERE, &q, err);
    if (rc != KAM_OK)
        return rc;
    bind_audit_filters(q, aq);
    int r = sqlite3_step(q);
    *total = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    return finish(s, q, r, "audit log", err);
}

static enum kam_rc op_audit_list(struct kam_store *st, const struct kam_audit_query *aq,
                                 int64_t *total, int (*fn)(void *, const struct kam_audit_entry *),
                                 void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    struct kam_audit_entry e;
    sqlite3_stmt *q;
    int r;
    enum kam_rc rc;
    if (total != NULL && (rc = audit_count(s, aq, total, err)) != KAM_OK)
        return rc;
    /* By id, not time: entries of one second keep the order they were written in. */
    rc = prepare(s,
                 "SELECT id, at, actor, action, entity, entity_key, before, after "
                 "FROM audit_log " AUDIT_WHERE "ORDER BY id DESC LIMIT ?6 OFFSET ?7",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    bind_audit_filters(q, aq);
    sqlite3_bind_int64(q, 6, aq->limit > 0 ? aq->limit : -1);
    sqlite3_bind_int64(q, 7, aq->offset > 0 ? aq->offset : 0);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&e, 0, sizeof(e));
        e.id = sqlite3_column_int64(q, 0);
        copy_text(e.at, sizeof(e.at), q, 1);
        e.actor = col_text(q, 2);
        e.action = col_text(q, 3);
        e.entity = col_text(q, 4);
        e.entity_key = sqlite3_column_type(q, 5) == SQLITE_NULL ? NULL : col_text(q, 5);
        e.before = sqlite3_column_type(q, 6) == SQLITE_NULL ? NULL : col_text(q, 6);
        e.after = sqlite3_column_type(q, 7) == SQLITE_NULL ? NULL : col_text(q, 7);
        if (fn(ctx, &e) != 0)
            break;
    }
    return finish(s, q, r, "audit log", err);
}

/* --- sessions and scoped reads (schema 4) ------------------------------------------------- */

#define SESSION_COLUMNS                                                                            \
    "x.id, x.user_id, u.username, x.id_hash, x.csrf_hash, x.created_at, x.expires_at, "            \
    "x.last_seen_at FROM sessions x JOIN users u ON u.id = x.user_id "

static void copy_blob(unsigned char *dst, size_t n, sqlite3_stmt *q, int i)
{
    const void *b = sqlite3_column_blob(q, i);
    memset(dst, 0, n);
    if (b != NULL && (size_t)sqlite3_column_bytes(q, i) == n)
        memcpy(dst, b, n);
}

static enum kam_rc op_session_add(struct kam_store *st, const struct kam_session *ses, int64_t *id,
                                  struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s,
                             "INSERT INTO sessions(id_hash, user_id, csrf_hash, created_at, "
                             "expires_at, last_seen_at) VALUES (?1, ?2, ?3, " NOW ", ?4, " NOW ")",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_blob(q, 1, ses->hash, KAM_SESSION_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, ses->user_id);
    sqlite3_bind_blob(q, 3, ses->csrf_hash, KAM_SESSION_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, ses->expires_at, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(s->db);
    else if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "user %lld does not exist",
                         (long long)ses->user_id);
    else
        rc = db_error(s, err, "sessions");
    sqlite3_finalize(q);
    return rc;
}

static enum kam_rc op_session_find(struct kam_store *st,
                                   const unsigned char hash[KAM_SESSION_HASH_BYTES],
                                   struct kam_session *out, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    /* Expiry is decided here, on the database's clock, the one that wrote created_at. */
    enum kam_rc rc = hot_prepare(
        s, HOT_SESSION_FIND,
        "SELECT " SESSION_COLUMNS "WHERE x.id_hash = ?1 AND x.expires_at > " NOW, &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_blob(q, 1, hash, KAM_SESSION_HASH_BYTES, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(q, 0);
        out->user_id = sqlite3_column_int64(q, 1);
        copy_text(out->username, sizeof(out->username), q, 2);
        copy_blob(out->hash, sizeof(out->hash), q, 3);
        copy_blob(out->csrf_hash, sizeof(out->csrf_hash), q, 4);
        copy_text(out->created_at, sizeof(out->created_at), q, 5);
        copy_text(out->expires_at, sizeof(out->expires_at), q, 6);
        copy_text(out->last_seen_at, sizeof(out->last_seen_at), q, 7);
    }
    rc = hot_finish(s, q, r, "sessions", err);
    if (rc == KAM_OK && r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "the session does not exist or has expired");
    return rc;
}

static enum kam_rc op_session_touch(struct kam_store *st, int64_t id, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc =
        prepare(s, "UPDATE sessions SET last_seen_at = " NOW " WHERE id = ?1", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, id);
    if ((rc = finish(s, q, sqlite3_step(q), "sessions", err)) != KAM_OK)
        return rc;
    if (sqlite3_changes(s->db) == 0)
        return kam_err_set(err, KAM_ERR_NOT_FOUND, "session %lld does not exist", (long long)id);
    return KAM_OK;
}

static enum kam_rc op_session_end(struct kam_store *st,
                                  const unsigned char hash[KAM_SESSION_HASH_BYTES], bool *ended,
                                  struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, "DELETE FROM sessions WHERE id_hash = ?1", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_blob(q, 1, hash, KAM_SESSION_HASH_BYTES, SQLITE_STATIC);
    if ((rc = finish(s, q, sqlite3_step(q), "sessions", err)) == KAM_OK && ended != NULL)
        *ended = sqlite3_changes(s->db) > 0;
    return rc;
}

static enum kam_rc op_session_purge(struct kam_store *st, int64_t *n, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, "DELETE FROM sessions WHERE expires_at <= " NOW, &q, err);
    if (rc != KAM_OK)
        return rc;
    if ((rc = finish(s, q, sqlite3_step(q), "sessions", err)) == KAM_OK && n != NULL)
        *n = sqlite3_changes(s->db);
    return rc;
}

/* The scope rule of op_account_get_scoped and op_account_id_scoped, on accounts a with the
 * code ?1 (?2: 0 every account, 1 the team's, 2 the user's own; ?3 the login, ?4 the team). */
#define SCOPED_CODE                                                                                \
    "a.code = ?1 AND (?2 = 0 OR a.owner = ?3 OR (?2 = 1 AND a.owner IN (SELECT u.username FROM "   \
    "users u JOIN teams t ON t.id = u.team WHERE t.name = ?4)))"

static void bind_scoped(sqlite3_stmt *q, const char *code, const struct kam_scope *scope)
{
    sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
    if (scope != NULL && scope->kind != KAM_SCOPE_ALL) {
        sqlite3_bind_int(q, 2, scope->kind == KAM_SCOPE_TEAM ? 1 : 2);
        sqlite3_bind_text(q, 3, scope->login, -1, SQLITE_STATIC);
        bind_text(q, 4, scope->team);
    } else {
        sqlite3_bind_int(q, 2, 0);
    }
}

static enum kam_rc op_account_id_scoped(struct kam_store *st, const char *code,
                                        const struct kam_scope *scope, int64_t *id,
                                        struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc =
        hot_prepare(s, HOT_ACCOUNT_ID, "SELECT a.id FROM accounts a WHERE " SCOPED_CODE, &q, err);
    if (rc != KAM_OK)
        return rc;
    bind_scoped(q, code, scope);
    int r = sqlite3_step(q);
    *id = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    rc = hot_finish(s, q, r, "accounts", err);
    if (rc == KAM_OK && r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "account '%s' does not exist", code);
    return rc;
}

static enum kam_rc op_account_get_scoped(struct kam_store *st, const char *code,
                                         const struct kam_scope *scope, kam_account_get_fn fn,
                                         void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    char sql[4096] = "";
    struct kam_value vals[KAM_ACC_NCOLS];
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;

    if (s->hot[HOT_ACCOUNT_GET] == NULL || sqlite3_stmt_busy(s->hot[HOT_ACCOUNT_GET])) {
        snprintf(sql, sizeof(sql), "SELECT ");
        select_list(&kam_accounts, "a", sql, sizeof(sql));
        /* The same scope rule as op_account_list, so that a get never shows what a list
         * hides. */
        cat(sql, sizeof(sql),
            ", a.version, a.created_at, a.updated_at FROM accounts a WHERE " SCOPED_CODE);
    }
    if ((rc = hot_prepare(s, HOT_ACCOUNT_GET, sql, &q, err)) != KAM_OK)
        return rc;
    bind_scoped(q, code, scope);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        int c = read_row(q, 0, &kam_accounts, vals);
        fn(ctx, sqlite3_column_int64(q, 0), vals, sqlite3_column_int64(q, c), col_text(q, c + 1),
           col_text(q, c + 2));
    }
    rc = hot_finish(s, q, r, "accounts", err);
    if (rc == KAM_OK && r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "account '%s' does not exist", code);
    return rc;
}

/* The id and version of the account with this code; KAM_ERR_NOT_FOUND. */
static enum kam_rc account_version(struct sqlite_store *s, const char *code, int64_t *id,
                                   int64_t *version, struct kam_err *err)
{
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, "SELECT id, version FROM accounts WHERE code = ?1", &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        *version = sqlite3_column_int64(q, 1);
    }
    rc = finish(s, q, r, "accounts", err);
    if (rc == KAM_OK && r == SQLITE_DONE)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "account '%s' does not exist", code);
    return rc;
}

/* Optimistic concurrency, as op_user_update: the UPDATE matches only the version that was read,
 * so of two writers that read the same version one changes the account and the other changes
 * nothing and is told. Only the columns in mask are written; the statement is built for them
 * (at most the account's columns, so the buffer always fits). */
static enum kam_rc op_account_update(struct kam_store *st, const char *code,
                                     const struct kam_value *vals, uint64_t mask, int64_t *version,
                                     struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    const struct kam_table *t = &kam_accounts;
    char sql[4096] = "";
    sqlite3_stmt *q = NULL;
    int64_t id = 0, now = 0;
    enum kam_rc rc;

    if (mask & (1ull << KAM_ACC_CODE) || mask >> t->ncols)
        KAM_BUG("account_update: the code or an unknown column in the mask");
    if ((rc = account_version(s, code, &id, &now, err)) != KAM_OK)
        return rc;
    const struct kam_value *parent = &vals[KAM_ACC_PARENT];
    if ((mask & (1ull << KAM_ACC_PARENT)) && !parent->null &&
        (rc = parent_cycle(s, id, parent->i, err)) != KAM_OK)
        return rc;
    cat(sql, sizeof(sql), "%s", "UPDATE accounts SET version = version + 1, updated_at = " NOW);
    for (size_t i = 0; i < t->ncols; i++)
        if (mask & (1ull << i))
            cat(sql, sizeof(sql), ", %s = ?%zu", t->cols[i].name, i + 1);
    if (mask & (1ull << KAM_ACC_NAME))
        cat(sql, sizeof(sql), ", name_key = kam_name_key(?%d)", KAM_ACC_NAME + 1);
    cat(sql, sizeof(sql), " WHERE id = ?%zu AND version = ?%zu RETURNING version", t->ncols + 1,
        t->ncols + 2);
    if ((rc = prepare(s, sql, &q, err)) != KAM_OK)
        return rc;
    for (size_t i = 0; i < t->ncols; i++)
        if (mask & (1ull << i))
            bind_value(q, (int)i + 1, &t->cols[i], &vals[i]);
    sqlite3_bind_int64(q, (int)t->ncols + 1, id);
    sqlite3_bind_int64(q, (int)t->ncols + 2, *version);
    int r = sqlite3_step(q);
    int64_t got = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    if (r == SQLITE_ROW)
        r = sqlite3_step(q); /* ends the statement: RETURNING rows are written at the end */
    if ((rc = finish(s, q, r, "account", err)) != KAM_OK)
        return rc;
    if (got == 0)
        return kam_err_set(err, KAM_ERR_CONFLICT,
                           "account '%s' was changed by someone else (version %lld, not %lld): "
                           "read it again and retry",
                           code, (long long)now, (long long)*version);
    *version = got;
    return KAM_OK;
}

/* One number from sql with ?1 bound to id. */
static enum kam_rc count_by_id(struct sqlite_store *s, const char *sql, int64_t id, int64_t *out,
                               struct kam_err *err)
{
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, sql, &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, id);
    int r = sqlite3_step(q);
    *out = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    return finish(s, q, r, "accounts", err);
}

static enum kam_rc op_account_delete(struct kam_store *st, const char *code, int64_t version,
                                     struct kam_err *err)
{
    static const char *const cleanup[] = {
        "DELETE FROM contacts WHERE account = ?1",
        "DELETE FROM account_tags WHERE account = ?1",
        /* a row of zeros, left when its cells were moved away; the id may be given again */
        "DELETE FROM account_revenue WHERE account = ?1",
        /* ratings, pin, metrics: ON DELETE CASCADE; the score history: trigger
         * accounts_history (schema 8) */
        "DELETE FROM accounts WHERE id = ?1",
    };
    struct sqlite_store *s = S(st);
    int64_t id = 0, now = 0, lines = 0, invoices = 0, children = 0;
    enum kam_rc rc;

    if ((rc = account_version(s, code, &id, &now, err)) != KAM_OK)
        return rc;
    if (now != version)
        return kam_err_set(err, KAM_ERR_CONFLICT,
                           "account '%s' was changed by someone else (version %lld, not %lld): "
                           "read it again and retry",
                           code, (long long)now, (long long)version);
    if ((rc = count_by_id(s, "SELECT count(*) FROM orders WHERE account = ?1", id, &lines, err)) !=
            KAM_OK ||
        (rc = count_by_id(s, "SELECT count(*) FROM payments WHERE account = ?1", id, &invoices,
                          err)) != KAM_OK ||
        (rc = count_by_id(s, "SELECT count(*) FROM accounts WHERE parent = ?1", id, &children,
                          err)) != KAM_OK)
        return rc;
    if (lines + invoices + children > 0)
        return kam_err_set(err, KAM_ERR_CONFLICT,
                           "account '%s' has %lld orders, %lld invoices and %lld child accounts: "
                           "its history stays; close it with its status instead",
                           code, (long long)lines, (long long)invoices, (long long)children);
    for (size_t i = 0; i < sizeof(cleanup) / sizeof(cleanup[0]); i++) {
        sqlite3_stmt *q;
        if ((rc = prepare(s, cleanup[i], &q, err)) != KAM_OK)
            return rc;
        sqlite3_bind_int64(q, 1, id);
        if ((rc = finish(s, q, sqlite3_step(q), "deleting an account", err)) != KAM_OK)
            return rc;
    }
    return KAM_OK;
}

static enum kam_rc op_order_page(struct kam_store *st, int64_t account_id, int64_t limit,
                                 int64_t offset, int64_t *total,
                                 int (*fn)(void *ctx, const struct kam_order_line *l,
                                           const char *sku, const char *product_name),
                                 void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    /* The rollup counts every line, so the total costs one cell per month, not a scan. */
    if (total != NULL &&
        (rc =
             count_by_id(s, "SELECT coalesce(sum(lines), 0) FROM account_months WHERE account = ?1",
                         account_id, total, err)) != KAM_OK)
        return rc;
    rc = prepare(s,
                 "SELECT " ORDER_LINE_COLUMNS ", p.sku, p.name "
                 "FROM orders o JOIN order_lines l ON l.id BETWEEN o.id * 65536 AND "
                 "o.id * 65536 + 65535 JOIN products p ON p.id = l.product WHERE o.account = ?1 "
                 "ORDER BY o.day DESC, o.id DESC, l.id LIMIT ?2 OFFSET ?3",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int64(q, 1, account_id);
    sqlite3_bind_int64(q, 2, limit > 0 ? limit : -1);
    sqlite3_bind_int64(q, 3, offset > 0 ? offset : 0);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_order_line l = order_line_row(q);
        if (fn(ctx, &l, col_text(q, 13), col_text(q, 14)) != 0)
            break;
    }
    return finish(s, q, r, "order lines", err);
}

/* --- the portfolio analyses within a scope ------------------------------------------------ */

/* The row-level access rule of op_account_list and op_account_get_scoped as one condition on
 * the account "a", with ?K the kind (0 every account, 1 the team's, 2 the user's own), ?L the
 * login and ?T the team: one statement serves every scope, since these reads are not the hot
 * path the list's per-filter statements are for. */
#define SCOPE_WHERE(K, L, T)                                                                       \
    "(" K " = 0 OR a.owner = " L " OR (" K " = 1 AND a.owner IN (SELECT u.username FROM users "    \
    "u JOIN teams t ON t.id = u.team WHERE t.name = " T ")))"

/* Binds the kind, login and team of scope (NULL = every account) to parameters at, at + 1 and
 * at + 2. */
static void bind_scope(sqlite3_stmt *q, int at, const struct kam_scope *scope)
{
    if (scope == NULL || scope->kind == KAM_SCOPE_ALL) {
        sqlite3_bind_int(q, at, 0);
        return;
    }
    sqlite3_bind_int(q, at, scope->kind == KAM_SCOPE_TEAM ? 1 : 2);
    sqlite3_bind_text(q, at + 1, scope->login, -1, SQLITE_STATIC);
    bind_text(q, at + 2, scope->team);
}

static enum kam_rc op_account_each_scoped(struct kam_store *st, const struct kam_scope *scope,
                                          kam_row_fn fn, void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    char sql[4096] = "SELECT ";
    struct kam_value vals[KAM_ACC_NCOLS];
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    select_list(&kam_accounts, "a", sql, sizeof(sql));
    cat(sql, sizeof(sql), " FROM accounts a WHERE " SCOPE_WHERE("?1", "?2", "?3") " ORDER BY a.id");
    if ((rc = prepare(s, sql, &q, err)) != KAM_OK)
        return rc;
    bind_scope(q, 1, scope);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        read_row(q, 0, &kam_accounts, vals);
        if (fn(ctx, sqlite3_column_int64(q, 0), vals) != 0)
            break;
    }
    return finish(s, q, r, "accounts", err);
}

static enum kam_rc op_account_heads(struct kam_store *st, const struct kam_scope *scope,
                                    int (*fn)(void *, int64_t, const char *, const char *,
                                              kam_money),
                                    void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    int r;
    enum kam_rc rc = prepare(s,
                             "SELECT a.id, a.code, a.name, a.est_annual_purchases FROM accounts a "
                             "WHERE " SCOPE_WHERE("?1", "?2", "?3") " ORDER BY a.id",
                             &q, err);
    if (rc != KAM_OK)
        return rc;
    bind_scope(q, 1, scope);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        kam_money est =
            sqlite3_column_type(q, 3) == SQLITE_NULL ? KAM_NONE : sqlite3_column_int64(q, 3);
        if (fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1), col_text(q, 2), est) != 0)
            break;
    }
    return finish(s, q, r, "accounts", err);
}

static enum kam_rc op_rollup_each_scoped(struct kam_store *st, const struct kam_scope *scope,
                                         int from, int to, kam_month_fn fn, void *ctx,
                                         struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    /* The cells of the accounts in scope by the rollup's key (account, month): a join on the
     * accounts with the scope's condition, never a filter on the caller's side. */
    rc = prepare(s,
                 "SELECT m.account, m.month, m.revenue, m.cost, m.costed_revenue, m.quantity, "
                 "m.returns, m.discount, m.lines FROM account_months m JOIN accounts a ON a.id = "
                 "m.account WHERE m.month BETWEEN ?1 AND ?2 AND " SCOPE_WHERE(
                     "?3", "?4", "?5") " ORDER BY m.account, m.month",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    sqlite3_bind_int(q, 1, from);
    sqlite3_bind_int(q, 2, to);
    bind_scope(q, 3, scope);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct kam_rollup ru;
        read_rollup(q, 2, &ru);
        if (fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int(q, 1), &ru) != 0)
            break;
    }
    return finish(s, q, r, "monthly rollup", err);
}

static enum kam_rc op_revenues_scoped(struct kam_store *st, const struct kam_scope *scope,
                                      kam_revenue_fn fn, void *ctx, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int r;

    /* Per account by the rollup's key, as the account list's revenues: grouping the whole
     * rollup first would read every account's cells for a rep's few. */
    rc = prepare(s,
                 "SELECT a.id, a.code, a.name, coalesce((SELECT sum(m.revenue) FROM account_months "
                 "m WHERE m.account = a.id), 0) FROM accounts a WHERE " SCOPE_WHERE(
                     "?1", "?2", "?3") " ORDER BY a.id",
                 &q, err);
    if (rc != KAM_OK)
        return rc;
    bind_scope(q, 1, scope);
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1), col_text(q, 2),
               sqlite3_column_int64(q, 3)) != 0)
            break;
    return finish(s, q, r, "revenues", err);
}

static enum kam_rc op_counts_scoped(struct kam_store *st, const struct kam_scope *scope,
                                    struct kam_counts *out, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    /* The products are the catalogue, the same for everyone; the rest belongs to accounts. */
    enum kam_rc rc =
        prepare(s,
                "WITH sa(id) AS (SELECT a.id FROM accounts a WHERE " SCOPE_WHERE(
                    "?1", "?2", "?3") ") "
                                      "SELECT (SELECT count(*) FROM sa), (SELECT count(*) FROM "
                                      "contacts c JOIN sa ON sa.id = "
                                      "c.account), (SELECT count(*) FROM products), (SELECT "
                                      "coalesce(sum(m.lines), 0) FROM "
                                      "account_months m JOIN sa ON sa.id = m.account), (SELECT "
                                      "count(*) FROM payments p JOIN "
                                      "sa ON sa.id = p.account), (SELECT count(DISTINCT t.tag) "
                                      "FROM account_tags t JOIN sa ON "
                                      "sa.id = t.account)",
                &q, err);
    if (rc != KAM_OK)
        return rc;
    bind_scope(q, 1, scope);
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->accounts = sqlite3_column_int64(q, 0);
        out->contacts = sqlite3_column_int64(q, 1);
        out->products = sqlite3_column_int64(q, 2);
        out->order_lines = sqlite3_column_int64(q, 3);
        out->payments = sqlite3_column_int64(q, 4);
        out->tags = sqlite3_column_int64(q, 5);
    } else {
        rc = db_error(s, err, "counts");
    }
    sqlite3_finalize(q);
    return rc;
}
static enum kam_rc op_reopen(struct kam_store *st, struct kam_store **out, struct kam_err *err);
static enum kam_rc op_data_version(struct kam_store *st, int64_t *out, struct kam_err *err);

static const struct kam_store_ops sqlite_ops = {
    .backend = "sqlite",
    .close = op_close,
    .begin = op_begin,
    .commit = op_commit,
    .begin_trusted = op_begin_trusted,
    .rollback = op_rollback,
    .meta_get = op_meta_get,
    .meta_set = op_meta_set,
    .upsert = op_upsert,
    .get = op_get,
    .each = op_each,
    .keys = op_keys,
    .set_parent = op_set_parent,
    .order_insert = op_order_insert,
    .order_find = op_order_find,
    .order_owner = op_order_owner,
    .order_update = op_order_update,
    .order_max_id = op_order_max_id,
    .order_each = op_order_each,
    .rollup_add = op_rollup_add,
    .rollup_totals = op_rollup_totals,
    .rollup_each = op_rollup_each,
    .top_products = op_top_products,
    .revenues = op_revenues,
    .order_months = op_order_months,
    .account_list = op_account_list,
    .tag_add = op_tag_add,
    .tag_rm = op_tag_rm,
    .tag_list = op_tag_list,
    .counts = op_counts,
    .product_add = op_product_add,
    .months_range = op_months_range,
    .activity_range = op_activity_range,
    .orders_range = op_orders_range,
    .products_range = op_products_range,
    .product_cells_range = op_product_cells_range,
    .invoices_range = op_invoices_range,
    .data_version = op_data_version,
    .stamp = op_stamp,
    .reopen = op_reopen,
    .extent = op_extent,
    .rating_set = op_rating_set,
    .rating_each = op_rating_each,
    .model_save = op_model_save,
    .model_get = op_model_get,
    .model_list = op_model_list,
    .pin_set = op_pin_set,
    .pin_each = op_pin_each,
    .run_add = op_run_add,
    .score_add = op_score_add,
    .metrics_put = op_metrics_put,
    .run_list = op_run_list,
    .score_each = op_score_each,
    .score_history = op_score_history,
    .metrics_each = op_metrics_each,
    .team_add = op_team_add,
    .team_list = op_team_list,
    .user_add = op_user_add,
    .user_get = op_user_get,
    .user_list = op_user_list,
    .user_update = op_user_update,
    .token_add = op_token_add,
    .token_find = op_token_find,
    .token_get = op_token_get,
    .token_revoke = op_token_revoke,
    .token_touch = op_token_touch,
    .token_each = op_token_each,
    .audit_append = op_audit_append,
    .audit_list = op_audit_list,
    .session_add = op_session_add,
    .session_find = op_session_find,
    .session_touch = op_session_touch,
    .session_end = op_session_end,
    .session_purge = op_session_purge,
    .account_get_scoped = op_account_get_scoped,
    .account_id_scoped = op_account_id_scoped,
    .account_update = op_account_update,
    .account_delete = op_account_delete,
    .account_count = op_account_count,
    .order_page = op_order_page,
    .account_each_scoped = op_account_each_scoped,
    .account_heads = op_account_heads,
    .rollup_each_scoped = op_rollup_each_scoped,
    .revenues_scoped = op_revenues_scoped,
    .counts_scoped = op_counts_scoped,
};

static enum kam_rc migrate(struct sqlite_store *s, struct kam_err *err)
{
    sqlite3_stmt *q = NULL;
    enum kam_rc rc;
    int current = 0;

    rc = exec(s,
              "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
              "description TEXT NOT NULL, applied_at TEXT NOT NULL)",
              err);
    if (rc != KAM_OK)
        return rc;
    if ((rc = prepare(s, "SELECT coalesce(max(version), 0) FROM schema_migrations", &q, err)))
        return rc;
    if (sqlite3_step(q) == SQLITE_ROW)
        current = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (current > KAM_SCHEMA_VERSION)
        return kam_err_set(err, KAM_ERR_SCHEMA,
                           "the database has schema version %d, this kam knows up to %d: "
                           "upgrade kam",
                           current, KAM_SCHEMA_VERSION);
    for (int i = 0; i < kam_sqlite_migration_count; i++) {
        const struct kam_migration *m = &kam_sqlite_migrations[i];
        if (m->version <= current)
            continue;
        if ((rc = exec(s, "BEGIN IMMEDIATE", err)) != KAM_OK)
            return rc;
        rc = exec(s, m->sql, err);
        if (rc == KAM_OK && (rc = prepare(s,
                                          "INSERT INTO schema_migrations VALUES (?, ?, "
                                          "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                                          &q, err)) == KAM_OK) {
            sqlite3_bind_int(q, 1, m->version);
            sqlite3_bind_text(q, 2, m->description, -1, SQLITE_STATIC);
            if (sqlite3_step(q) != SQLITE_DONE)
                rc = db_error(s, err, "recording a migration");
            sqlite3_finalize(q);
        }
        if (rc == KAM_OK)
            rc = exec(s, "COMMIT", err);
        if (rc != KAM_OK) {
            /* The rollback cannot make things worse; the migration error is what matters. */
            (void)exec(s, "ROLLBACK", NULL);
            return rc;
        }
    }
    return KAM_OK;
}

static enum kam_rc prepare_all(struct sqlite_store *s, struct kam_err *err)
{
    enum kam_rc rc;
    for (int i = 0; i < NTABLES; i++)
        if ((rc = prepare_table(s, &s->tables[i], all_tables[i], err)) != KAM_OK)
            return rc;
#define ORDER_COLS                                                                                 \
    "id, line_no, account, product, date, quantity, unit_price, amount, cost, discount, "          \
    "channel, region"
    if ((rc = prepare(s,
                      "INSERT INTO order_lines(" ORDER_COLS ") VALUES "
                      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                      "ON CONFLICT(id) DO NOTHING",
                      &s->order_insert, err)))
        return rc;
    if ((rc = prepare(s,
                      "SELECT id, account, product, date, quantity, unit_price, amount, cost, "
                      "discount, channel, region FROM order_lines WHERE id = ?1",
                      &s->order_find, err)))
        return rc;
    if ((rc = prepare(s,
                      "UPDATE order_lines SET account = ?3, product = ?4, date = ?5, "
                      "quantity = ?6, unit_price = ?7, amount = ?8, cost = ?9, discount = ?10, "
                      "channel = ?11, region = ?12 WHERE id = ?1 AND line_no = ?2",
                      &s->order_update, err)))
        return rc;
    if ((rc = prepare(s, "SELECT id, account, day, purchase FROM orders WHERE order_id = ?1",
                      &s->header_find, err)))
        return rc;
    if ((rc =
             prepare(s,
                     "INSERT INTO orders(order_id, account, day, purchase) VALUES (?1, ?2, ?3, ?4) "
                     "ON CONFLICT(order_id) DO NOTHING",
                     &s->header_insert, err)))
        return rc;
    if ((rc = prepare(s,
                      "UPDATE orders SET day = min(day, ?2), purchase = max(purchase, ?3) "
                      "WHERE id = ?1",
                      &s->header_widen, err)))
        return rc;
#define LINES_OF_ORDER "FROM order_lines l WHERE l.id BETWEEN ?1 * 65536 AND ?1 * 65536 + 65535"
    if ((rc = prepare(s,
                      "UPDATE orders SET day = coalesce((SELECT min(CAST(julianday(substr(l.date, "
                      "1, 10)) - 2440587.5 AS INTEGER)) " LINES_OF_ORDER "), 0), "
                      "purchase = coalesce((SELECT max(l.quantity > 0) " LINES_OF_ORDER "), 0) "
                      "WHERE id = ?1",
                      &s->header_refresh, err)))
        return rc;
#define ROLLUP_UPSERT(table, key)                                                                  \
    "INSERT INTO " table "(account, " key ", " ROLLUP_COLS ") VALUES "                             \
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(account, " key ") DO UPDATE SET "            \
    "revenue = revenue + excluded.revenue, cost = cost + excluded.cost, "                          \
    "costed_revenue = costed_revenue + excluded.costed_revenue, "                                  \
    "quantity = quantity + excluded.quantity, returns = returns + excluded.returns, "              \
    "discount = discount + excluded.discount, lines = lines + excluded.lines"
#define ROLLUP_PRUNE(table, key)                                                                   \
    "DELETE FROM " table " WHERE account = ?1 AND " key " = ?2 AND lines = 0 AND revenue = 0 "     \
    "AND cost = 0 AND costed_revenue = 0 AND quantity = 0 AND returns = 0 AND discount = 0"
    if ((rc = prepare(s, ROLLUP_UPSERT("account_months", "month"), &s->month_add, err)))
        return rc;
    if ((rc = prepare(s, ROLLUP_PRUNE("account_months", "month"), &s->month_prune, err)))
        return rc;
    if ((rc = prepare(s,
                      "INSERT INTO account_products(account, product, " ROLLUP_COLS
                      ", first_month) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                      "ON CONFLICT(account, product) DO UPDATE SET "
                      "revenue = revenue + excluded.revenue, cost = cost + excluded.cost, "
                      "costed_revenue = costed_revenue + excluded.costed_revenue, "
                      "quantity = quantity + excluded.quantity, "
                      "returns = returns + excluded.returns, "
                      "discount = discount + excluded.discount, lines = lines + excluded.lines, "
                      "first_month = CASE WHEN excluded.first_month > 0 AND "
                      "(first_month = 0 OR excluded.first_month < first_month) "
                      "THEN excluded.first_month ELSE first_month END",
                      &s->product_add, err)))
        return rc;
    if ((rc = prepare(s, ROLLUP_PRUNE("account_products", "product"), &s->product_prune, err)))
        return rc;
    return KAM_OK;
}

static enum kam_rc op_data_version(struct kam_store *st, int64_t *out, struct kam_err *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    enum kam_rc rc = prepare(s, "PRAGMA data_version", &q, err);
    if (rc != KAM_OK)
        return rc;
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    return finish(s, q, r == SQLITE_ROW ? SQLITE_DONE : r, "data version", err);
}

static enum kam_rc op_reopen(struct kam_store *st, struct kam_store **out, struct kam_err *err)
{
    const char *path = sqlite3_db_filename(S(st)->db, "main");
    if (path == NULL || path[0] == '\0')
        return kam_err_set(err, KAM_ERR_STORE, "a temporary database cannot be opened twice");
    return kam_store_open_sqlite(path, 0, out, err);
}

enum kam_rc kam_store_open_sqlite(const char *path, unsigned flags, struct kam_store **out,
                                  struct kam_err *err)
{
    struct sqlite_store *s = kam_xcalloc(1, sizeof(*s));
    struct stat sb;
    enum kam_rc rc;
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

    *out = NULL;
    s->base.ops = &sqlite_ops;
    /* Memory statistics take a global mutex on every allocation; kam does not read them. This
     * must precede SQLite's initialisation, so only the first open of the process does it. */
    static bool configured;
    if (!configured) {
        configured = true;
        (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE if already set up */
    }
    if (flags & KAM_STORE_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    else if (stat(path, &sb) != 0) {
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND,
                         "database '%s' does not exist: run 'kam init' or 'kam demo' first", path);
        goto out;
    }
    if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
        rc = kam_err_set(err, KAM_ERR_STORE, "cannot open database '%s': %s", path,
                         s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(s->db, 5000);
    UErrorCode status = U_ZERO_ERROR;
    s->collator = ucol_open("zh", &status);
    if (U_FAILURE(status) ||
        sqlite3_create_collation_v2(s->db, "kam_name", SQLITE_UTF8, s->collator, collate_name,
                                    NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(s->db, "kam_name_key", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   s->collator, name_key_fn, NULL, NULL, NULL) != SQLITE_OK) {
        rc = kam_err_set(err, KAM_ERR_STORE, "cannot set up the name collation: %s",
                         u_errorName(status));
        goto out;
    }
    /* WAL: a crash or kill -9 leaves the last committed state; NORMAL sync is durable across
     * process crashes and only risks the last commit on power loss. The page cache is sized for
     * imports of millions of lines. */
    rc = exec(s,
              "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
              "PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144; "
              "PRAGMA temp_store = MEMORY",
              err);
    if (rc == KAM_OK)
        rc = migrate(s, err);
    if (rc == KAM_OK)
        rc = prepare_all(s, err);
    if (rc == KAM_OK && sqlite3_db_readonly(s->db, "main") == 1)
        rc = kam_err_set(err, KAM_ERR_STORE, "database '%s' is read-only", path);
out:
    if (rc != KAM_OK) {
        op_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return KAM_OK;
}
