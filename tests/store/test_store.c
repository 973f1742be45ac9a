/* The store contract suite: every operation of struct kam_store_ops (src/store/store.h), driven
 * only through that interface, so that each backend (SQLite now, PostgreSQL later) must pass the
 * same cases.
 *
 * The backend is chosen in one table, backends[]; the whole suite runs once per entry, each case
 * on a fresh database in its own temporary directory. Nothing here knows SQL or a backend type:
 * a case checks only what a caller of store.h can observe (return codes, callbacks, counts, what
 * a reopened database holds). Amounts are raw kam_money (units * 10^4); months are yyyymm.
 * DOMAIN.md: "Scope" (roles), "Relationship levels", "Tags". */
#include "store/store.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

/* --- the backends under test -------------------------------------------------------------- */

static const struct backend {
    const char *name;
    enum kam_rc (*open)(const char *path, unsigned flags, struct kam_store **out,
                        struct kam_err *err);
} backends[] = {{"sqlite", kam_store_open_sqlite}};

static const struct backend *backend; /* the entry of backends[] being run, set by main */

/* --- checks -------------------------------------------------------------------------------- */

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* The case of a table-driven test being checked, named in every failure; NULL outside tables. */
static const char *CASE;

#define FAIL(fmt, ...)                                                                             \
    fail_msg("%s%s%s" fmt, CASE ? "case '" : "", CASE ? CASE : "", CASE ? "': " : "", ##__VA_ARGS__)
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            FAIL("%s", #cond);                                                                     \
    } while (0)
#define CHECK_INT(got, want)                                                                       \
    do {                                                                                           \
        int64_t g_ = (got), w_ = (want);                                                           \
        if (g_ != w_)                                                                              \
            FAIL("%s is %lld, want %lld", #got, (long long)g_, (long long)w_);                     \
    } while (0)
#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (g_ == NULL || strcmp(g_, w_) != 0)                                                     \
            FAIL("%s is '%s', want '%s'", #got, g_ ? g_ : "(null)", w_);                           \
    } while (0)
/* A string the store may give as NULL or "" when the stored value is absent. */
#define CHECK_ABSENT(got)                                                                          \
    do {                                                                                           \
        const char *g_ = (got);                                                                    \
        if (g_ != NULL && g_[0] != '\0')                                                           \
            FAIL("%s is '%s', want nothing", #got, g_);                                            \
    } while (0)
/* call takes &err; the store's message is printed when the code is not the one wanted. */
#define CHECK_RC(want, call)                                                                       \
    do {                                                                                           \
        enum kam_rc w_ = (want);                                                                   \
        kam_err_clear(&err);                                                                       \
        enum kam_rc r_ = (call);                                                                   \
        if (r_ != w_)                                                                              \
            FAIL("%s gave %s ('%s'), want %s", #call, kam_rc_name(r_), err.msg, kam_rc_name(w_));  \
    } while (0)
#define CHECK_OK(call) CHECK_RC(KAM_OK, call)
#define CHECK_FAILS(call)                                                                          \
    do {                                                                                           \
        kam_err_clear(&err);                                                                       \
        enum kam_rc r_ = (call);                                                                   \
        if (r_ == KAM_OK)                                                                          \
            FAIL("%s succeeded, want an error", #call);                                            \
    } while (0)

/* --- fixture: a fresh database per test --------------------------------------------------- */

enum { MAXCOLS = 24, MAXROWS = 16, MAXTEXT = 160 };

/* Copies of the values a kam_row_fn saw; strings are copied because they are borrowed. */
struct row {
    int64_t id;
    bool null[MAXCOLS];
    int64_t i[MAXCOLS];
    size_t len[MAXCOLS];
    char s[MAXCOLS][MAXTEXT];
};

struct rows {
    const struct kam_table *t;
    size_t n;
    size_t stop_at; /* return non-zero after this many rows; 0 = never */
    bool overflow;
    struct row r[MAXROWS];
};

struct fixture {
    char dir[PATH_MAX];  /* private to the test, removed with everything in it */
    char path[PATH_MAX]; /* dir/kam.db */
    struct kam_store *st;
    struct kam_store *other; /* a second connection, for visibility cases */
    struct rows rows, got;
};

static char root[PATH_MAX]; /* one directory per run, holding the per-test ones */
static struct fixture *F;

#define ST  (F->st)
#define OPS (F->st->ops)

static void remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        char sub[PATH_MAX];
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d != NULL)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* dir/name into out; false when it does not fit. */
static bool join(char *out, size_t n, const char *dir, const char *name)
{
    int len = snprintf(out, n, "%s/%s", dir, name);
    return len >= 0 && (size_t)len < n;
}

static struct kam_store *open_db(const char *path, unsigned flags)
{
    struct kam_store *st = NULL;
    struct kam_err err;
    kam_err_clear(&err);
    enum kam_rc rc = backend->open(path, flags, &st, &err);
    if (rc != KAM_OK || st == NULL)
        fail_msg("opening '%s' with %s: %s ('%s')", path, backend->name, kam_rc_name(rc), err.msg);
    return st;
}

/* Closes the test's connection and opens the same database again, without CREATE. */
static void reopen(void)
{
    kam_store_close(F->st);
    F->st = NULL;
    F->st = open_db(F->path, 0);
}

static int group_setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    (void)state;
    snprintf(root, sizeof(root), "%s/kam-store-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
             backend->name);
    return mkdtemp(root) == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    remove_tree(root);
    return 0;
}

static int setup(void **state)
{
    struct kam_err err;

    F = calloc(1, sizeof(*F));
    if (F == NULL)
        return -1;
    if (!join(F->dir, sizeof(F->dir), root, "case-XXXXXX") || mkdtemp(F->dir) == NULL ||
        !join(F->path, sizeof(F->path), F->dir, "kam.db")) {
        free(F);
        return -1;
    }
    kam_err_clear(&err);
    if (backend->open(F->path, KAM_STORE_CREATE, &F->st, &err) != KAM_OK) {
        print_error("creating '%s': %s\n", F->path, err.msg);
        remove_tree(F->dir);
        free(F);
        return -1;
    }
    CASE = NULL;
    *state = F;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kam_store_close(f->other);
    kam_store_close(f->st);
    remove_tree(f->dir);
    free(f);
    F = NULL;
    CASE = NULL;
    return 0;
}

/* --- building records ---------------------------------------------------------------------- */

/* A record being written: values in column order and the mask of columns given. */
struct rec {
    struct kam_value v[MAXCOLS];
    uint64_t mask;
};

static void rec_init(struct rec *r)
{
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < MAXCOLS; i++)
        r->v[i].null = true;
}

static void rec_text(struct rec *r, int col, const char *s)
{
    r->v[col] = (struct kam_value){.s = s, .len = strlen(s)};
    r->mask |= 1ull << col;
}

static void rec_int(struct rec *r, int col, int64_t i)
{
    r->v[col] = (struct kam_value){.i = i};
    r->mask |= 1ull << col;
}

static void rec_null(struct rec *r, int col)
{
    r->v[col] = (struct kam_value){.null = true};
    r->mask |= 1ull << col;
}

/* Upserts r into t, checks what happened, returns the id. */
static int64_t put(const struct kam_table *t, const struct rec *r, enum kam_put want)
{
    struct kam_err err;
    enum kam_put res = (enum kam_put)99;
    int64_t id = 0;
    CHECK_OK(ST->ops->upsert(ST, t, r->v, r->mask, &res, &id, &err));
    CHECK_INT(res, want);
    CHECK(id > 0);
    return id;
}

static int64_t account(const char *code, const char *name)
{
    struct rec r;
    rec_init(&r);
    rec_text(&r, KAM_ACC_CODE, code);
    rec_text(&r, KAM_ACC_NAME, name);
    return put(&kam_accounts, &r, KAM_PUT_INSERTED);
}

static int64_t product(const char *sku, const char *name)
{
    struct rec r;
    rec_init(&r);
    rec_text(&r, KAM_PRO_SKU, sku);
    rec_text(&r, KAM_PRO_NAME, name);
    return put(&kam_products, &r, KAM_PUT_INSERTED);
}

/* --- reading records ----------------------------------------------------------------------- */

static void rows_reset(struct rows *rs, const struct kam_table *t)
{
    memset(rs, 0, sizeof(*rs));
    rs->t = t;
}

/* kam_row_fn: never asserts (a failure must not jump over the store's cleanup), records. */
static int capture(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct rows *rs = ctx;
    if (rs->n == MAXROWS) {
        rs->overflow = true;
        return 1;
    }
    struct row *r = &rs->r[rs->n++];
    r->id = id;
    for (size_t c = 0; c < rs->t->ncols; c++) {
        size_t len = vals[c].len < MAXTEXT - 1 ? vals[c].len : MAXTEXT - 1;
        r->null[c] = vals[c].null;
        r->i[c] = vals[c].i;
        r->len[c] = vals[c].len;
        if (vals[c].s != NULL && len > 0)
            memcpy(r->s[c], vals[c].s, len);
        r->s[c][len] = '\0';
    }
    return rs->stop_at != 0 && rs->n >= rs->stop_at;
}

/* The record of t with this key, which must exist. */
static const struct row *get(const struct kam_table *t, const char *key)
{
    struct kam_err err;
    rows_reset(&F->got, t);
    CHECK_OK(ST->ops->get(ST, t, key, capture, &F->got, &err));
    CHECK_INT(F->got.n, 1);
    return &F->got.r[0];
}

/* Every record of t (of one account when account_id > 0). */
static const struct rows *each(const struct kam_table *t, int64_t account_id)
{
    struct kam_err err;
    rows_reset(&F->rows, t);
    CHECK_OK(ST->ops->each(ST, t, account_id, capture, &F->rows, &err));
    CHECK(!F->rows.overflow);
    return &F->rows;
}

#define CHECK_TEXT(r, col, want)                                                                   \
    do {                                                                                           \
        const struct row *rw_ = (r);                                                               \
        const char *wt_ = (want);                                                                  \
        if (rw_->null[col])                                                                        \
            FAIL("column %s is null, want '%s'", #col, wt_);                                       \
        if (rw_->len[col] != strlen(wt_) || strcmp(rw_->s[col], wt_) != 0)                         \
            FAIL("column %s is '%s' (%zu bytes), want '%s' (%zu bytes)", #col, rw_->s[col],        \
                 rw_->len[col], wt_, strlen(wt_));                                                 \
    } while (0)
#define CHECK_NUM(r, col, want)                                                                    \
    do {                                                                                           \
        const struct row *rn_ = (r);                                                               \
        if (rn_->null[col])                                                                        \
            FAIL("column %s is null, want %lld", #col, (long long)(want));                         \
        CHECK_INT(rn_->i[col], want);                                                              \
    } while (0)
#define CHECK_NULL(r, col)                                                                         \
    do {                                                                                           \
        if (!(r)->null[col])                                                                       \
            FAIL("column %s is not null", #col);                                                   \
    } while (0)

static struct kam_counts counts(void)
{
    struct kam_err err;
    struct kam_counts c;
    memset(&c, 0xff, sizeof(c));
    CHECK_OK(ST->ops->counts(ST, &c, &err));
    return c;
}

/* --- open ---------------------------------------------------------------------------------- */

static void test_open_missing_without_create(void **state)
{
    char path[PATH_MAX];
    struct kam_store *st = NULL;
    struct kam_err err;
    struct stat sb;
    (void)state;

    CHECK(join(path, sizeof(path), F->dir, "missing.db"));
    kam_err_clear(&err);
    CHECK_INT(backend->open(path, 0, &st, &err), KAM_ERR_NOT_FOUND);
    CHECK(st == NULL);
    if (strstr(err.msg, path) == NULL)
        FAIL("message '%s' does not name '%s'", err.msg, path);
    CHECK(stat(path, &sb) != 0); /* nothing was created */
}

static void test_open_create_and_reopen_keep_data(void **state)
{
    static const struct case_ {
        const char *name;
        unsigned flags;
    } cases[] = {
        {"reopen without CREATE", 0},
        {"CREATE on an existing database does not empty it", KAM_STORE_CREATE},
    };
    struct kam_err err;
    char buf[32];
    (void)state;

    int64_t id = account("A001", "华为技术有限公司");
    CHECK_OK(OPS->meta_set(ST, "currency", "CNY", &err));
    for (size_t k = 0; k < NCASES(cases); k++) {
        CASE = cases[k].name;
        kam_store_close(F->st);
        F->st = NULL;
        F->st = open_db(F->path, cases[k].flags);
        const struct row *r = get(&kam_accounts, "A001");
        CHECK_INT(r->id, id);
        CHECK_TEXT(r, KAM_ACC_NAME, "华为技术有限公司");
        CHECK_OK(OPS->meta_get(ST, "currency", buf, sizeof(buf), &err));
        CHECK_STR(buf, "CNY");
        CHECK_INT(counts().accounts, 1);
    }
}

static void test_open_failures(void **state)
{
    static const struct case_ {
        const char *name;
        const char *file;    /* under the test directory */
        const char *content; /* written to file first when not NULL */
        bool is_dir;
        unsigned flags;
        enum kam_rc want;
    } cases[] = {
        {"directory of the file does not exist", "no/such/dir/kam.db", NULL, false,
         KAM_STORE_CREATE, KAM_ERR_STORE},
        {"path is a directory", "adir", NULL, true, KAM_STORE_CREATE, KAM_ERR_STORE},
        {"file is not a database", "notes.txt", "these are notes, not a database\n", false, 0,
         KAM_ERR_STORE},
    };
    (void)state;

    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        char path[PATH_MAX];
        struct kam_store *st = NULL;
        struct kam_err err;

        CASE = c->name;
        CHECK(join(path, sizeof(path), F->dir, c->file));
        if (c->is_dir)
            CHECK(mkdir(path, 0700) == 0);
        if (c->content != NULL) {
            FILE *fp = fopen(path, "w");
            CHECK(fp != NULL);
            for (int i = 0; i < 200; i++) /* longer than any database header */
                fputs(c->content, fp);
            fclose(fp);
        }
        kam_err_clear(&err);
        enum kam_rc rc = backend->open(path, c->flags, &st, &err);
        kam_store_close(st); /* only reached with st set when the case fails below */
        CHECK_INT(rc, c->want);
        CHECK(st == NULL);
        CHECK(err.msg[0] != '\0');
    }
}

/* --- settings ------------------------------------------------------------------------------ */

static void test_meta(void **state)
{
    struct kam_err err;
    char buf[64], small[4];
    (void)state;

    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->meta_get(ST, "currency", buf, sizeof(buf), &err));
    CHECK_OK(OPS->meta_set(ST, "currency", "CNY", &err));
    CHECK_OK(OPS->meta_get(ST, "currency", buf, sizeof(buf), &err));
    CHECK_STR(buf, "CNY");

    CHECK_OK(OPS->meta_set(ST, "currency", "EUR", &err)); /* overwrite */
    CHECK_OK(OPS->meta_set(ST, "company", "深圳市某某科技有限公司", &err));
    CHECK_OK(OPS->meta_get(ST, "currency", buf, sizeof(buf), &err));
    CHECK_STR(buf, "EUR");
    CHECK_OK(OPS->meta_get(ST, "company", buf, sizeof(buf), &err));
    CHECK_STR(buf, "深圳市某某科技有限公司");
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->meta_get(ST, "Currency", buf, sizeof(buf), &err));

    /* Truncated to the buffer, terminated: the first 3 bytes are the first character. */
    CHECK_OK(OPS->meta_get(ST, "company", small, sizeof(small), &err));
    CHECK_STR(small, "深");

    reopen();
    CHECK_OK(OPS->meta_get(ST, "currency", buf, sizeof(buf), &err));
    CHECK_STR(buf, "EUR");
}

/* --- upsert -------------------------------------------------------------------------------- */

static void full_account(struct rec *r, const char *code)
{
    rec_init(r);
    rec_text(r, KAM_ACC_CODE, code);
    rec_text(r, KAM_ACC_NAME, "Acme Trading");
    rec_text(r, KAM_ACC_ROLE, "distributor");
    rec_text(r, KAM_ACC_USCC, "91440300708461136T");
    rec_text(r, KAM_ACC_INDUSTRY, "machinery");
    rec_text(r, KAM_ACC_REGION, "East");
    rec_text(r, KAM_ACC_COUNTRY, "CN");
    rec_text(r, KAM_ACC_CITY, "上海");
    rec_text(r, KAM_ACC_OWNER, "li");
    rec_text(r, KAM_ACC_STATUS, "active");
    rec_text(r, KAM_ACC_LEVEL, "partner");
    rec_int(r, KAM_ACC_REGISTERED_CAPITAL, INT64_C(50000000000000)); /* 5e9 units */
    rec_int(r, KAM_ACC_EMPLOYEES, 1200);
    rec_int(r, KAM_ACC_ANNUAL_REVENUE, INT64_C(123456789012345));
    rec_int(r, KAM_ACC_FOUNDED, 1998);
    rec_text(r, KAM_ACC_WEBSITE, "https://acme.example");
    rec_text(r, KAM_ACC_ADDRESS, "浦东新区世纪大道100号");
    rec_int(r, KAM_ACC_EST_ANNUAL_PURCHASES, 25000000);
    rec_int(r, KAM_ACC_CREDIT_LIMIT, 10000000);
    rec_text(r, KAM_ACC_JUSTIFICATION, "largest distributor in the east");
}

/* The stored account equals what r wrote, column by column. */
static void check_account(const struct row *got, const struct rec *r)
{
    for (int c = 0; c < KAM_ACC_NCOLS; c++) {
        const struct kam_value *v = &r->v[c];
        if (c == KAM_ACC_PARENT)
            continue;
        if (v->null) {
            if (!got->null[c])
                FAIL("column %s is not null", kam_accounts.cols[c].name);
        } else if (kam_accounts.cols[c].type == KAM_V_INT ||
                   kam_accounts.cols[c].type == KAM_V_MONEY) {
            if (got->null[c] || got->i[c] != v->i)
                FAIL("column %s is %lld%s, want %lld", kam_accounts.cols[c].name,
                     (long long)got->i[c], got->null[c] ? " (null)" : "", (long long)v->i);
        } else if (got->null[c] || got->len[c] != v->len || memcmp(got->s[c], v->s, v->len)) {
            FAIL("column %s is '%s', want '%.*s'", kam_accounts.cols[c].name, got->s[c],
                 (int)v->len, v->s);
        }
    }
}

static void test_upsert_insert_unchanged_update(void **state)
{
    struct rec r;
    (void)state;

    full_account(&r, "A001");
    int64_t id = put(&kam_accounts, &r, KAM_PUT_INSERTED);
    check_account(get(&kam_accounts, "A001"), &r);

    CHECK_INT(put(&kam_accounts, &r, KAM_PUT_UNCHANGED), id);

    rec_text(&r, KAM_ACC_NAME, "Acme Trading (Group)");
    rec_int(&r, KAM_ACC_EMPLOYEES, 1300);
    CHECK_INT(put(&kam_accounts, &r, KAM_PUT_UPDATED), id);
    check_account(get(&kam_accounts, "A001"), &r);
    CHECK_INT(put(&kam_accounts, &r, KAM_PUT_UNCHANGED), id);

    /* Writing null over a value is a change too. */
    rec_null(&r, KAM_ACC_WEBSITE);
    CHECK_INT(put(&kam_accounts, &r, KAM_PUT_UPDATED), id);
    check_account(get(&kam_accounts, "A001"), &r);

    reopen();
    check_account(get(&kam_accounts, "A001"), &r);
    CHECK_INT(counts().accounts, 1);
}

static void test_upsert_unmasked_columns_kept(void **state)
{
    struct rec r, upd;
    (void)state;

    full_account(&r, "A001");
    int64_t id = put(&kam_accounts, &r, KAM_PUT_INSERTED);

    /* Only owner is in the mask: the other new values (and nulls) must not be written. */
    rec_init(&upd);
    rec_text(&upd, KAM_ACC_CODE, "A001");
    rec_text(&upd, KAM_ACC_OWNER, "wang");
    upd.v[KAM_ACC_NAME] = (struct kam_value){.s = "Other", .len = 5};
    upd.v[KAM_ACC_REGION] = (struct kam_value){.s = "West", .len = 4};
    upd.v[KAM_ACC_EMPLOYEES] = (struct kam_value){.i = 5};
    CHECK_INT(put(&kam_accounts, &upd, KAM_PUT_UPDATED), id);
    rec_text(&r, KAM_ACC_OWNER, "wang");
    check_account(get(&kam_accounts, "A001"), &r);

    /* A difference only outside the mask is no change at all. */
    upd.mask = 1ull << KAM_ACC_CODE;
    CHECK_INT(put(&kam_accounts, &upd, KAM_PUT_UNCHANGED), id);
    check_account(get(&kam_accounts, "A001"), &r);
}

static void test_upsert_insert_defaults(void **state)
{
    (void)state;

    account("A001", "Acme");
    const struct row *g = get(&kam_accounts, "A001");
    /* The first name of an enum is its default (core/record.h). */
    CHECK_TEXT(g, KAM_ACC_ROLE, kam_role_names[0]);
    CHECK_TEXT(g, KAM_ACC_LEVEL, kam_level_names[0]);
    CHECK_NULL(g, KAM_ACC_PARENT);
    CHECK_NULL(g, KAM_ACC_OWNER);
    CHECK_NULL(g, KAM_ACC_EMPLOYEES);
    CHECK_NULL(g, KAM_ACC_CREDIT_LIMIT);
}

static void test_upsert_refused(void **state)
{
    static const struct case_ {
        const char *name;
        bool existing; /* the account exists (as a dealer called "Before") */
        int col;       /* written as text, or null when text is NULL */
        const char *text;
    } cases[] = {
        {"unknown role on insert", false, KAM_ACC_ROLE, "boss"},
        {"role in the wrong case on insert", false, KAM_ACC_ROLE, "Dealer"},
        {"unknown level on insert", false, KAM_ACC_LEVEL, "vip"},
        {"required name null on insert", false, KAM_ACC_NAME, NULL},
        {"unknown role on update", true, KAM_ACC_ROLE, "boss"},
        {"unknown level on update", true, KAM_ACC_LEVEL, "gold"},
        {"required name set to null on update", true, KAM_ACC_NAME, NULL},
    };
    (void)state;

    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_err err;
        struct rec r;
        char code[16];
        enum kam_put res;
        int64_t id = 0;

        CASE = c->name;
        snprintf(code, sizeof(code), "R%zu", k);
        if (c->existing) {
            rec_init(&r);
            rec_text(&r, KAM_ACC_CODE, code);
            rec_text(&r, KAM_ACC_NAME, "Before");
            rec_text(&r, KAM_ACC_ROLE, "dealer");
            put(&kam_accounts, &r, KAM_PUT_INSERTED);
        }
        int64_t before = counts().accounts;
        rec_init(&r);
        rec_text(&r, KAM_ACC_CODE, code);
        if (c->col != KAM_ACC_NAME)
            rec_text(&r, KAM_ACC_NAME, "After"); /* must not be written either */
        if (c->text != NULL)
            rec_text(&r, c->col, c->text);
        else
            rec_null(&r, c->col);
        CHECK_FAILS(OPS->upsert(ST, &kam_accounts, r.v, r.mask, &res, &id, &err));
        CHECK_INT(counts().accounts, before);
        if (c->existing) {
            const struct row *g = get(&kam_accounts, code);
            CHECK_TEXT(g, KAM_ACC_NAME, "Before");
            CHECK_TEXT(g, KAM_ACC_ROLE, "dealer");
            CHECK_TEXT(g, KAM_ACC_LEVEL, kam_level_names[0]);
        } else {
            rows_reset(&F->got, &kam_accounts);
            CHECK_RC(KAM_ERR_NOT_FOUND, OPS->get(ST, &kam_accounts, code, capture, &F->got, &err));
        }
    }
    /* The store is still usable after the refusals. */
    account("OK1", "Fine");
}

static void test_upsert_round_trip(void **state)
{
    static const struct case_ {
        const char *name;
        int col;
        const char *text; /* a text column; NULL for a number */
        int64_t num;
    } cases[] = {
        {"Chinese name", KAM_ACC_NAME, "华为技术有限公司", 0},
        {"Chinese address with full-width punctuation", KAM_ACC_ADDRESS,
         "深圳市龙岗区坂田街道（华为基地）B区，3号楼", 0},
        {"mixed scripts and emoji", KAM_ACC_JUSTIFICATION, "战略客户 🚀 Überprüfung — ок", 0},
        {"quotes, percent and SQL-looking text", KAM_ACC_WEBSITE,
         "it's 100% \"fine\"; DROP TABLE accounts;--", 0},
        {"numeric-looking text keeps its zeros", KAM_ACC_INDUSTRY, "000420", 0},
        {"text with a newline and a tab", KAM_ACC_STATUS, "on hold\n\tsince May", 0},
        {"money at INT64_MAX", KAM_ACC_ANNUAL_REVENUE, NULL, INT64_MAX},
        {"money at INT64_MIN + 1", KAM_ACC_ANNUAL_REVENUE, NULL, INT64_MIN + 1},
        {"money just below INT64_MAX", KAM_ACC_CREDIT_LIMIT, NULL, INT64_MAX - 1},
        {"money of 0.0001", KAM_ACC_REGISTERED_CAPITAL, NULL, 1},
        {"money of zero is not null", KAM_ACC_EST_ANNUAL_PURCHASES, NULL, 0},
        {"whole number beyond 32 bits", KAM_ACC_EMPLOYEES, NULL, INT64_C(4294967297)},
        {"year", KAM_ACC_FOUNDED, NULL, 1987},
    };
    (void)state;

    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct rec r;
        char code[16];

        CASE = c->name;
        snprintf(code, sizeof(code), "T%02zu", k);
        rec_init(&r);
        rec_text(&r, KAM_ACC_CODE, code);
        rec_text(&r, KAM_ACC_NAME, "n");
        if (c->text != NULL)
            rec_text(&r, c->col, c->text);
        else
            rec_int(&r, c->col, c->num);
        int64_t id = put(&kam_accounts, &r, KAM_PUT_INSERTED);
        const struct row *g = get(&kam_accounts, code);
        if (c->text != NULL)
            CHECK_TEXT(g, c->col, c->text);
        else
            CHECK_NUM(g, c->col, c->num);
        /* Reading back and writing again is no change: the comparison is exact too. */
        CHECK_INT(put(&kam_accounts, &r, KAM_PUT_UNCHANGED), id);
    }
    CASE = NULL;
    reopen();
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        char code[16];
        CASE = c->name;
        snprintf(code, sizeof(code), "T%02zu", k);
        const struct row *g = get(&kam_accounts, code);
        if (c->text != NULL)
            CHECK_TEXT(g, c->col, c->text);
        else
            CHECK_NUM(g, c->col, c->num);
    }
}

/* Contacts: the key is (account, name), account a REF given by id. */
static void test_upsert_contacts_composite_key(void **state)
{
    struct rec r;
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta");
    rec_init(&r);
    rec_int(&r, KAM_CON_ACCOUNT, a);
    rec_text(&r, KAM_CON_NAME, "张伟");
    rec_text(&r, KAM_CON_TITLE, "采购经理");
    int64_t c1 = put(&kam_contacts, &r, KAM_PUT_INSERTED);
    CHECK_INT(put(&kam_contacts, &r, KAM_PUT_UNCHANGED), c1);
    rec_text(&r, KAM_CON_TITLE, "采购总监");
    CHECK_INT(put(&kam_contacts, &r, KAM_PUT_UPDATED), c1);

    /* The same name at another account is another contact. */
    rec_int(&r, KAM_CON_ACCOUNT, b);
    int64_t c2 = put(&kam_contacts, &r, KAM_PUT_INSERTED);
    CHECK(c2 != c1);
    CHECK_INT(counts().contacts, 2);

    const struct rows *rs = each(&kam_contacts, a);
    CHECK_INT(rs->n, 1);
    CHECK_TEXT(&rs->r[0], KAM_CON_TITLE, "采购总监");
}

/* --- get, each, keys ----------------------------------------------------------------------- */

static void test_get(void **state)
{
    struct kam_err err;
    struct rec r;
    (void)state;

    int64_t a = account("A001", "Acme");
    int64_t b = account("007", "Bond Ltd");
    int64_t c = account("7", "Seven");
    const struct row *g = get(&kam_accounts, "A001");
    CHECK_INT(g->id, a);
    CHECK_TEXT(g, KAM_ACC_CODE, "A001");
    CHECK_TEXT(g, KAM_ACC_NAME, "Acme");
    CHECK_INT(get(&kam_accounts, "007")->id, b);
    CHECK_INT(get(&kam_accounts, "7")->id, c);

    static const char *const absent[] = {"NOPE", "a001", "A001 ", "07", ""};
    for (size_t k = 0; k < NCASES(absent); k++) {
        CASE = absent[k];
        rows_reset(&F->got, &kam_accounts);
        CHECK_RC(KAM_ERR_NOT_FOUND, OPS->get(ST, &kam_accounts, absent[k], capture, &F->got, &err));
        CHECK_INT(F->got.n, 0);
        if (absent[k][0] != '\0' && strstr(err.msg, absent[k]) == NULL)
            FAIL("message '%s' does not name the key", err.msg);
    }
    CASE = NULL;

    /* Products by sku, payments by invoice. */
    int64_t p = product("SKU-1", "Pump");
    CHECK_INT(get(&kam_products, "SKU-1")->id, p);
    rec_init(&r);
    rec_text(&r, KAM_PAY_INVOICE, "INV-1");
    rec_int(&r, KAM_PAY_ACCOUNT, a);
    rec_int(&r, KAM_PAY_AMOUNT, 1000000);
    rec_text(&r, KAM_PAY_ISSUED, "2024-01-31");
    rec_text(&r, KAM_PAY_DUE, "2024-03-01");
    int64_t inv = put(&kam_payments, &r, KAM_PUT_INSERTED);
    g = get(&kam_payments, "INV-1");
    CHECK_INT(g->id, inv);
    CHECK_NUM(g, KAM_PAY_ACCOUNT, a);
    CHECK_TEXT(g, KAM_PAY_ACCOUNT, "A001");
    rows_reset(&F->got, &kam_products);
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->get(ST, &kam_products, "SKU-2", capture, &F->got, &err));
}

static void test_each_accounts(void **state)
{
    (void)state;

    static const char *const codes[3] = {"C", "A", "B"}, *const names[3] = {"Gamma", "Alpha",
                                                                            "Beta"};
    int64_t ids[3];

    CHECK_INT(each(&kam_accounts, 0)->n, 0);
    for (size_t k = 0; k < 3; k++)
        ids[k] = account(codes[k], names[k]);
    const struct rows *rs = each(&kam_accounts, 0);
    CHECK_INT(rs->n, 3);
    for (size_t k = 0; k < 3 && k < rs->n; k++) { /* id order, which is insertion order */
        CHECK_INT(rs->r[k].id, ids[k]);
        CHECK_TEXT(&rs->r[k], KAM_ACC_CODE, codes[k]);
    }
    rs = each(&kam_accounts, ids[1]);
    CHECK_INT(rs->n, 1);
    CHECK_INT(rs->r[0].id, ids[1]);
    CHECK_TEXT(&rs->r[0], KAM_ACC_NAME, "Alpha");
}

static void test_each_contacts(void **state)
{
    static const struct {
        int account; /* index into ids */
        const char *name, *title;
    } contacts[] = {
        {0, "张伟", "采购经理"},
        {1, "John Smith", "Buyer"},
        {0, "Li Na", NULL},
    };
    int64_t ids[2], cid[3];
    struct rec r;
    (void)state;

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    for (size_t k = 0; k < NCASES(contacts); k++) {
        rec_init(&r);
        rec_int(&r, KAM_CON_ACCOUNT, ids[contacts[k].account]);
        rec_text(&r, KAM_CON_NAME, contacts[k].name);
        if (contacts[k].title)
            rec_text(&r, KAM_CON_TITLE, contacts[k].title);
        rec_text(&r, KAM_CON_EMAIL, "x@example.com");
        cid[k] = put(&kam_contacts, &r, KAM_PUT_INSERTED);
    }
    const struct rows *rs = each(&kam_contacts, 0);
    CHECK_INT(rs->n, 3);
    for (size_t k = 0; k < 3 && k < rs->n; k++) {
        const struct row *g = &rs->r[k];
        CHECK_INT(g->id, cid[k]);
        /* The REF column: the id in i, the referred code as text. */
        CHECK_NUM(g, KAM_CON_ACCOUNT, ids[contacts[k].account]);
        CHECK_TEXT(g, KAM_CON_ACCOUNT, contacts[k].account == 0 ? "A" : "B");
        CHECK_TEXT(g, KAM_CON_NAME, contacts[k].name);
        if (contacts[k].title)
            CHECK_TEXT(g, KAM_CON_TITLE, contacts[k].title);
        else
            CHECK_NULL(g, KAM_CON_TITLE);
        CHECK_TEXT(g, KAM_CON_EMAIL, "x@example.com");
        CHECK_NULL(g, KAM_CON_PHONE);
    }
    rs = each(&kam_contacts, ids[0]);
    CHECK_INT(rs->n, 2);
    CHECK_INT(rs->r[0].id, cid[0]);
    CHECK_INT(rs->r[1].id, cid[2]);
    rs = each(&kam_contacts, ids[1]);
    CHECK_INT(rs->n, 1);
    CHECK_TEXT(&rs->r[0], KAM_CON_NAME, "John Smith");
}

static void test_each_products(void **state)
{
    struct rec r;
    (void)state;

    rec_init(&r);
    rec_text(&r, KAM_PRO_SKU, "P-2");
    rec_text(&r, KAM_PRO_NAME, "离心泵");
    rec_text(&r, KAM_PRO_CATEGORY, "pumps");
    rec_int(&r, KAM_PRO_LIST_PRICE, 12500000);
    rec_int(&r, KAM_PRO_STD_COST, 7312345);
    int64_t p2 = put(&kam_products, &r, KAM_PUT_INSERTED);
    int64_t p1 = product("P-1", "Valve");

    const struct rows *rs = each(&kam_products, 0);
    CHECK_INT(rs->n, 2);
    CHECK_INT(rs->r[0].id, p2);
    CHECK_TEXT(&rs->r[0], KAM_PRO_SKU, "P-2");
    CHECK_TEXT(&rs->r[0], KAM_PRO_NAME, "离心泵");
    CHECK_TEXT(&rs->r[0], KAM_PRO_CATEGORY, "pumps");
    CHECK_NUM(&rs->r[0], KAM_PRO_LIST_PRICE, 12500000);
    CHECK_NUM(&rs->r[0], KAM_PRO_STD_COST, 7312345);
    CHECK_INT(rs->r[1].id, p1);
    CHECK_TEXT(&rs->r[1], KAM_PRO_SKU, "P-1");
    CHECK_NULL(&rs->r[1], KAM_PRO_CATEGORY);
    CHECK_NULL(&rs->r[1], KAM_PRO_LIST_PRICE);
    CHECK_NULL(&rs->r[1], KAM_PRO_STD_COST);
}

static void test_each_payments(void **state)
{
    static const struct {
        const char *invoice;
        int account;
        kam_money amount;
        const char *issued, *due, *paid;
        kam_money paid_amount; /* KAM_NONE: null */
    } pays[] = {
        {"INV-1", 0, 1000000, "2024-01-31", "2024-03-01", NULL, KAM_NONE},
        {"INV-2", 1, 52500, "2024-02-01T09:30:00", "2024-02-29", "2024-02-20", 52500},
        {"INV-3", 0, -20000, "2024-02-15", "2024-02-15", "2024-02-15T17:05:00", -20000},
    };
    int64_t ids[2], pid[3];
    struct rec r;
    (void)state;

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    for (size_t k = 0; k < NCASES(pays); k++) {
        rec_init(&r);
        rec_text(&r, KAM_PAY_INVOICE, pays[k].invoice);
        rec_int(&r, KAM_PAY_ACCOUNT, ids[pays[k].account]);
        rec_int(&r, KAM_PAY_AMOUNT, pays[k].amount);
        rec_text(&r, KAM_PAY_ISSUED, pays[k].issued);
        rec_text(&r, KAM_PAY_DUE, pays[k].due);
        if (pays[k].paid)
            rec_text(&r, KAM_PAY_PAID, pays[k].paid);
        if (pays[k].paid_amount != KAM_NONE)
            rec_int(&r, KAM_PAY_PAID_AMOUNT, pays[k].paid_amount);
        pid[k] = put(&kam_payments, &r, KAM_PUT_INSERTED);
    }
    const struct rows *rs = each(&kam_payments, 0);
    CHECK_INT(rs->n, 3);
    for (size_t k = 0; k < 3 && k < rs->n; k++) {
        const struct row *g = &rs->r[k];
        CASE = pays[k].invoice;
        CHECK_INT(g->id, pid[k]);
        CHECK_TEXT(g, KAM_PAY_INVOICE, pays[k].invoice);
        CHECK_NUM(g, KAM_PAY_ACCOUNT, ids[pays[k].account]);
        CHECK_TEXT(g, KAM_PAY_ACCOUNT, pays[k].account == 0 ? "A" : "B");
        CHECK_NUM(g, KAM_PAY_AMOUNT, pays[k].amount);
        CHECK_TEXT(g, KAM_PAY_ISSUED, pays[k].issued);
        CHECK_TEXT(g, KAM_PAY_DUE, pays[k].due);
        if (pays[k].paid)
            CHECK_TEXT(g, KAM_PAY_PAID, pays[k].paid);
        else
            CHECK_NULL(g, KAM_PAY_PAID);
        if (pays[k].paid_amount != KAM_NONE)
            CHECK_NUM(g, KAM_PAY_PAID_AMOUNT, pays[k].paid_amount);
        else
            CHECK_NULL(g, KAM_PAY_PAID_AMOUNT);
    }
    CASE = NULL;
    rs = each(&kam_payments, ids[0]);
    CHECK_INT(rs->n, 2);
    CHECK_TEXT(&rs->r[0], KAM_PAY_INVOICE, "INV-1");
    CHECK_TEXT(&rs->r[1], KAM_PAY_INVOICE, "INV-3");
    rs = each(&kam_payments, ids[1]);
    CHECK_INT(rs->n, 1);
    CHECK_TEXT(&rs->r[0], KAM_PAY_INVOICE, "INV-2");
    CHECK_INT(counts().payments, 3);
}

struct keys {
    size_t n;
    bool overflow;
    struct {
        char key[MAXTEXT];
        size_t len;
        int64_t id;
    } k[MAXROWS];
};

static int key_cb(void *ctx, const char *key, size_t len, int64_t id)
{
    struct keys *ks = ctx;
    if (ks->n == MAXROWS || len >= MAXTEXT) {
        ks->overflow = true;
        return 1;
    }
    memcpy(ks->k[ks->n].key, key, len);
    ks->k[ks->n].key[len] = '\0';
    ks->k[ks->n].len = len;
    ks->k[ks->n++].id = id;
    return 0;
}

static void check_keys(const struct kam_table *t, const char *const *want, const int64_t *ids,
                       size_t n)
{
    struct kam_err err;
    struct keys ks = {0};
    CHECK_OK(ST->ops->keys(ST, t, key_cb, &ks, &err));
    CHECK(!ks.overflow);
    CHECK_INT(ks.n, n);
    for (size_t i = 0; i < n; i++) { /* in any order */
        size_t j = 0;
        while (j < ks.n && (ks.k[j].len != strlen(want[i]) || strcmp(ks.k[j].key, want[i])))
            j++;
        if (j == ks.n)
            FAIL("%s: key '%s' missing", t->name, want[i]);
        CHECK_INT(ks.k[j].id, ids[i]);
    }
}

static void test_keys(void **state)
{
    static const char *const codes[] = {"A001", "华东-01", "007"};
    static const char *const skus[] = {"SKU-9", "SKU-10"};
    int64_t ids[3] = {0}, pids[2] = {0};
    (void)state;

    check_keys(&kam_accounts, codes, ids, 0);
    for (size_t k = 0; k < 3; k++)
        ids[k] = account(codes[k], "name");
    for (size_t k = 0; k < 2; k++)
        pids[k] = product(skus[k], "name");
    check_keys(&kam_accounts, codes, ids, 3);
    check_keys(&kam_products, skus, pids, 2);
}

/* Every iteration stops when its callback returns non-zero. */
static int stop_row(void *ctx, int64_t id, const struct kam_value *vals)
{
    (void)id, (void)vals;
    return ++*(int *)ctx;
}

static int stop_key(void *ctx, const char *key, size_t len, int64_t id)
{
    (void)key, (void)len, (void)id;
    return ++*(int *)ctx;
}

static int stop_order(void *ctx, const struct kam_order_line *l, const char *a, const char *s)
{
    (void)l, (void)a, (void)s;
    return ++*(int *)ctx;
}

static int stop_month(void *ctx, int64_t account_id, int month, const struct kam_rollup *r)
{
    (void)account_id, (void)month, (void)r;
    return ++*(int *)ctx;
}

static int stop_product(void *ctx, const char *sku, const char *name, const struct kam_rollup *r)
{
    (void)sku, (void)name, (void)r;
    return ++*(int *)ctx;
}

static int stop_revenue(void *ctx, int64_t id, const char *code, const char *name, kam_money v)
{
    (void)id, (void)code, (void)name, (void)v;
    return ++*(int *)ctx;
}

static int stop_account(void *ctx, int64_t id, const struct kam_value *vals, kam_money ttm,
                        kam_money total)
{
    (void)id, (void)vals, (void)ttm, (void)total;
    return ++*(int *)ctx;
}

static int stop_tag(void *ctx, const char *name, const char *color, int64_t n)
{
    (void)name, (void)color, (void)n;
    return ++*(int *)ctx;
}

static struct kam_order_line line(const char *order_id, int64_t line_no, int64_t account_id,
                                  int64_t product_id, const char *date, kam_money qty,
                                  kam_money price, kam_money cost)
{
    return (struct kam_order_line){
        .order_id = order_id,
        .line_no = line_no,
        .account_id = account_id,
        .product_id = product_id,
        .date = date,
        .quantity = qty,
        .unit_price = price,
        .amount = qty * price / KAM_MONEY_SCALE,
        .cost = cost,
        .discount = 0,
        .channel = "web",
        .region = "华东",
    };
}

/* Inserts l, checks whether it was new, returns the line's id. */
static int64_t insert(const struct kam_order_line *l, bool want_inserted)
{
    struct kam_err err;
    bool inserted = !want_inserted;
    int64_t id = 0;
    CHECK_OK(ST->ops->order_insert(ST, l, &inserted, &id, &err));
    CHECK_INT(inserted, want_inserted);
    CHECK(id > 0);
    return id;
}

static int count_line(void *ctx, const struct kam_order_line *l, const char *a, const char *s)
{
    (void)l, (void)a, (void)s;
    ++*(int64_t *)ctx;
    return 0;
}

/* How many order lines order_each visits (of one account when account_id > 0). counts() is not
 * used for this: its order line count may come from the rollup the caller keeps. */
static int64_t line_count(int64_t account_id)
{
    struct kam_err err;
    int64_t n = 0;
    CHECK_OK(ST->ops->order_each(ST, account_id, count_line, &n, &err));
    return n;
}

static void test_iterations_stop(void **state)
{
    struct kam_err err;
    struct kam_account_query q = {0};
    struct kam_rollup d = {.revenue = 10000, .lines = 1};
    int n;
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta");
    int64_t p = product("P1", "Pump"), p2 = product("P2", "Valve");
    struct kam_order_line l1 = line("SO-1", 1, a, p, "2024-01-05", 10000, 10000, KAM_NONE);
    struct kam_order_line l2 = line("SO-1", 2, a, p2, "2024-01-05", 10000, 20000, KAM_NONE);
    insert(&l1, true);
    insert(&l2, true);
    CHECK_OK(OPS->rollup_add(ST, a, 202401, &d, &err));
    CHECK_OK(OPS->rollup_add(ST, b, 202401, &d, &err));
    CHECK_OK(OPS->tag_add(ST, a, "one", NULL, &err));
    CHECK_OK(OPS->tag_add(ST, a, "two", NULL, &err));

#define ONCE(what, call)                                                                           \
    do {                                                                                           \
        CASE = what;                                                                               \
        n = 0;                                                                                     \
        CHECK_OK(call);                                                                            \
        CHECK_INT(n, 1);                                                                           \
    } while (0)
    ONCE("each", OPS->each(ST, &kam_accounts, 0, stop_row, &n, &err));
    ONCE("keys", OPS->keys(ST, &kam_accounts, stop_key, &n, &err));
    ONCE("order_each", OPS->order_each(ST, 0, stop_order, &n, &err));
    ONCE("rollup_each", OPS->rollup_each(ST, 0, 0, 999912, stop_month, &n, &err));
    ONCE("top_products", OPS->top_products(ST, a, 10, stop_product, &n, &err));
    ONCE("revenues", OPS->revenues(ST, stop_revenue, &n, &err));
    ONCE("account_list", OPS->account_list(ST, &q, stop_account, &n, &err));
    ONCE("tag_list", OPS->tag_list(ST, 0, stop_tag, &n, &err));
#undef ONCE
}

/* --- account hierarchy --------------------------------------------------------------------- */

static void check_parent(const char *code, const char *parent_code, int64_t parent_id)
{
    const struct row *g = get(&kam_accounts, code);
    if (parent_code == NULL) {
        CHECK_NULL(g, KAM_ACC_PARENT);
    } else {
        CHECK_NUM(g, KAM_ACC_PARENT, parent_id);
        CHECK_TEXT(g, KAM_ACC_PARENT, parent_code);
    }
}

static void test_set_parent_sets_and_clears(void **state)
{
    struct kam_err err;
    (void)state;

    int64_t a = account("A", "Group"), b = account("B", "Subsidiary");
    CHECK_OK(OPS->set_parent(ST, b, a, NULL, &err));
    check_parent("B", "A", a);
    check_parent("A", NULL, 0);
    CHECK_OK(OPS->set_parent(ST, b, a, NULL, &err)); /* again: no change, no error */
    check_parent("B", "A", a);
    reopen();
    check_parent("B", "A", a);
    CHECK_OK(OPS->set_parent(ST, b, 0, NULL, &err));
    check_parent("B", NULL, 0);
}

static void test_set_parent_refuses_cycles(void **state)
{
    static const struct case_ {
        const char *name;
        int chain;         /* accounts X1..Xchain, each the parent of the next */
        int child, parent; /* then set X<child>'s parent to X<parent> (1-based) */
    } cases[] = {
        {"an account as its own parent", 1, 1, 1},
        {"A parent of B, then B parent of A", 2, 1, 2},
        {"a three-level cycle", 3, 1, 3},
        {"a cycle below the top", 4, 2, 4},
    };
    (void)state;

    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_err err;
        int64_t ids[8];
        char codes[8][16];

        CASE = c->name;
        for (int i = 0; i < c->chain; i++) {
            snprintf(codes[i], sizeof(codes[i]), "C%zu-%d", k, i + 1);
            ids[i] = account(codes[i], "x");
            if (i > 0)
                CHECK_OK(OPS->set_parent(ST, ids[i], ids[i - 1], NULL, &err));
        }
        CHECK_RC(KAM_ERR_INVALID,
                 OPS->set_parent(ST, ids[c->child - 1], ids[c->parent - 1], NULL, &err));
        for (int i = 0; i < c->chain; i++) /* unchanged */
            check_parent(codes[i], i > 0 ? codes[i - 1] : NULL, i > 0 ? ids[i - 1] : 0);
    }
}

/* --- transactions -------------------------------------------------------------------------- */

/* One of every kind of write, inside the caller's transaction. */
static void write_everything(void)
{
    struct kam_err err;
    struct kam_rollup d = {.revenue = 50000, .lines = 1};

    int64_t a = account("T1", "In a transaction");
    int64_t p = product("TP", "Thing");
    struct kam_order_line l = line("T-SO", 1, a, p, "2024-05-01", 10000, 50000, KAM_NONE);
    insert(&l, true);
    CHECK_OK(ST->ops->rollup_add(ST, a, 202405, &d, &err));
    CHECK_OK(ST->ops->tag_add(ST, a, "tx", NULL, &err));
    CHECK_OK(ST->ops->meta_set(ST, "tx", "yes", &err));
}

static int count_cells(void *ctx, int64_t account_id, int month, const struct kam_rollup *r)
{
    (void)account_id, (void)month, (void)r;
    ++*(int *)ctx;
    return 0;
}

static void check_nothing_written(void)
{
    struct kam_err err;
    char buf[16];
    int cells = 0;
    struct kam_counts c = counts();

    CHECK_INT(c.accounts, 0);
    CHECK_INT(c.products, 0);
    CHECK_INT(c.order_lines, 0);
    CHECK_INT(line_count(0), 0);
    CHECK_INT(c.tags, 0);
    rows_reset(&F->got, &kam_accounts);
    CHECK_RC(KAM_ERR_NOT_FOUND, ST->ops->get(ST, &kam_accounts, "T1", capture, &F->got, &err));
    CHECK_RC(KAM_ERR_NOT_FOUND, ST->ops->meta_get(ST, "tx", buf, sizeof(buf), &err));
    CHECK_OK(ST->ops->rollup_each(ST, 0, 0, 999912, count_cells, &cells, &err));
    CHECK_INT(cells, 0);
}

static void test_tx_rollback_leaves_nothing(void **state)
{
    struct kam_err err;
    (void)state;

    CHECK_OK(OPS->begin(ST, &err));
    write_everything();
    CHECK_TEXT(get(&kam_accounts, "T1"), KAM_ACC_NAME, "In a transaction"); /* to itself */
    CHECK_OK(OPS->rollback(ST, &err));
    check_nothing_written();
    reopen();
    check_nothing_written();
}

static void test_tx_commit_keeps(void **state)
{
    struct kam_err err;
    char buf[16];
    (void)state;

    CHECK_OK(OPS->begin(ST, &err));
    write_everything();
    CHECK_OK(OPS->commit(ST, &err));
    for (int pass = 0; pass < 2; pass++) {
        CASE = pass ? "after reopening" : "after commit";
        struct kam_counts c = counts();
        CHECK_INT(c.accounts, 1);
        CHECK_INT(c.products, 1);
        CHECK_INT(c.order_lines, 1);
        CHECK_INT(c.tags, 1);
        CHECK_TEXT(get(&kam_accounts, "T1"), KAM_ACC_NAME, "In a transaction");
        CHECK_OK(OPS->meta_get(ST, "tx", buf, sizeof(buf), &err));
        CHECK_STR(buf, "yes");
        if (pass == 0)
            reopen();
    }
}

static void test_tx_uncommitted_lost_at_close(void **state)
{
    struct kam_err err;
    (void)state;

    CHECK_OK(OPS->begin(ST, &err));
    write_everything();
    reopen(); /* closes without commit or rollback */
    check_nothing_written();
}

static void test_tx_invisible_to_others_before_commit(void **state)
{
    struct kam_err err;
    struct rows seen;
    (void)state;

    F->other = open_db(F->path, 0);
    CHECK_OK(OPS->begin(ST, &err));
    account("T1", "In a transaction");
    rows_reset(&seen, &kam_accounts);
    CHECK_RC(KAM_ERR_NOT_FOUND,
             F->other->ops->get(F->other, &kam_accounts, "T1", capture, &seen, &err));
    CHECK_OK(OPS->commit(ST, &err));
    rows_reset(&seen, &kam_accounts);
    CHECK_OK(F->other->ops->get(F->other, &kam_accounts, "T1", capture, &seen, &err));
    CHECK_INT(seen.n, 1);
}

/* --- order lines --------------------------------------------------------------------------- */

struct orders_fx {
    int64_t a, b, p1, p2;
};

static struct orders_fx orders_fixture(void)
{
    struct orders_fx o;
    o.a = account("A", "Acme");
    o.b = account("B", "Beta");
    o.p1 = product("P1", "Pump");
    o.p2 = product("P2", "Valve");
    return o;
}

static void check_line(const struct kam_order_line *got, const struct kam_order_line *want)
{
    CHECK_STR(got->order_id, want->order_id);
    CHECK_INT(got->line_no, want->line_no);
    CHECK_INT(got->account_id, want->account_id);
    CHECK_INT(got->product_id, want->product_id);
    CHECK_STR(got->date, want->date);
    CHECK_INT(got->quantity, want->quantity);
    CHECK_INT(got->unit_price, want->unit_price);
    CHECK_INT(got->amount, want->amount);
    CHECK_INT(got->cost, want->cost);
    CHECK_INT(got->discount, want->discount);
    if (want->channel != NULL && want->channel[0] != '\0')
        CHECK_STR(got->channel, want->channel);
    else
        CHECK_ABSENT(got->channel);
    if (want->region != NULL && want->region[0] != '\0')
        CHECK_STR(got->region, want->region);
    else
        CHECK_ABSENT(got->region);
}

static struct kam_order_line find(const char *order_id, int64_t line_no)
{
    struct kam_err err;
    struct kam_order_line got = {0};
    CHECK_OK(ST->ops->order_find(ST, order_id, line_no, &got, &err));
    CHECK(got.id > 0);
    return got;
}

static void test_order_insert_and_find(void **state)
{
    struct kam_err err;
    bool inserted = true;
    int64_t id = 0;
    (void)state;

    struct orders_fx o = orders_fixture();
    struct kam_order_line l1 = line("SO-1", 1, o.a, o.p1, "2024-03-05T10:15:00", 20000, 125000,
                                    KAM_NONE); /* cost unknown */
    struct kam_order_line l2 = line("SO-1", 2, o.a, o.p2, "2024-03-05", -15000, 375, 0);
    l2.discount = 5;
    l2.channel = NULL;
    l2.region = NULL;
    struct kam_order_line big = line("SO-2", KAM_MAX_LINE_NO, o.b, o.p1, "2024-03-06", 10000, 0, 0);
    big.amount = INT64_MAX;
    big.cost = INT64_MIN + 1;

    int64_t id1 = insert(&l1, true), id2 = insert(&l2, true), id3 = insert(&big, true);
    CHECK(id1 != id2 && id2 != id3 && id1 != id3);

    struct kam_order_line g = find("SO-1", 1);
    CHECK_INT(g.id, id1);
    check_line(&g, &l1);
    CHECK_INT(g.cost, KAM_NONE);
    g = find("SO-1", 2);
    CHECK_INT(g.id, id2);
    check_line(&g, &l2);
    g = find("SO-2", KAM_MAX_LINE_NO);
    CHECK_INT(g.id, id3);
    check_line(&g, &big);

    /* The same key again: not inserted, the existing line's id, and its values kept. */
    struct kam_order_line again = line("SO-1", 1, o.a, o.p2, "2025-01-01", 990000, 1, 4);
    again.channel = "phone";
    CHECK_OK(OPS->order_insert(ST, &again, &inserted, &id, &err));
    CHECK(!inserted);
    CHECK_INT(id, id1);
    g = find("SO-1", 1);
    CHECK_INT(g.id, id1);
    check_line(&g, &l1);
    CHECK_INT(line_count(0), 3);

    reopen();
    g = find("SO-1", 1);
    check_line(&g, &l1);
    g = find("SO-2", KAM_MAX_LINE_NO);
    check_line(&g, &big);
}

/* All lines of an order belong to the account that created it. */
static void test_order_other_account_conflicts(void **state)
{
    struct kam_err err;
    bool inserted = false;
    int64_t id = 0;
    (void)state;

    struct orders_fx o = orders_fixture();
    struct kam_order_line l1 = line("SO-1", 1, o.a, o.p1, "2024-03-05", 10000, 10000, KAM_NONE);
    insert(&l1, true);
    struct kam_order_line l2 = line("SO-1", 2, o.b, o.p1, "2024-03-05", 10000, 10000, KAM_NONE);
    CHECK_RC(KAM_ERR_CONFLICT, OPS->order_insert(ST, &l2, &inserted, &id, &err));
    /* The same key as the stored line, another account: a conflict too, not "not inserted". */
    struct kam_order_line l1b = l1;
    l1b.account_id = o.b;
    CHECK_RC(KAM_ERR_CONFLICT, OPS->order_insert(ST, &l1b, &inserted, &id, &err));
    CHECK_INT(line_count(0), 1);
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->order_find(ST, "SO-1", 2, &l2, &err));
    struct kam_order_line g = find("SO-1", 1);
    check_line(&g, &l1);
    /* The order's own account can still add lines. */
    l2.account_id = o.a;
    insert(&l2, true);
}

static void test_order_line_no_range(void **state)
{
    static const struct case_ {
        const char *name;
        int64_t line_no;
        bool ok;
    } cases[] = {
        {"first line", 1, true},
        {"last line", KAM_MAX_LINE_NO, true},
        {"line 0", 0, false},
        {"negative line", -1, false},
        {"one past the last line", KAM_MAX_LINE_NO + 1, false},
        {"far past the last line", INT64_C(1) << 40, false},
    };
    (void)state;

    struct orders_fx o = orders_fixture();
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_err err;
        struct kam_order_line l = line("SO-1", c->line_no, o.a, o.p1, "2024-03-05", 1, 1, 1);
        int64_t before = line_count(0), id = 0;
        bool inserted = false;

        CASE = c->name;
        if (c->ok) {
            insert(&l, true);
            struct kam_order_line g = find("SO-1", c->line_no);
            check_line(&g, &l);
        } else {
            CHECK_RC(KAM_ERR_INVALID, OPS->order_insert(ST, &l, &inserted, &id, &err));
            CHECK_INT(line_count(0), before);
        }
    }
}

static void test_order_find_absent(void **state)
{
    static const struct {
        const char *order_id;
        int64_t line_no;
    } absent[] = {
        {"SO-404", 1},
        {"SO-1", 9},
        {"so-1", 1},
        {"", 1},
        {"SO-1", 0},
        /* numbers outside 1..65535 must not reach another order's lines */
        {"SO-1", KAM_MAX_LINE_NO + 2},
        {"SO-2", -KAM_MAX_LINE_NO},
        {"SO-1", -1},
    };
    struct kam_err err;
    (void)state;

    struct orders_fx o = orders_fixture();
    struct kam_order_line none = {0};
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->order_find(ST, "SO-1", 1, &none, &err));
    struct kam_order_line l1 = line("SO-1", 1, o.a, o.p1, "2024-03-05", 10000, 10000, KAM_NONE);
    struct kam_order_line l2 = line("SO-2", 1, o.a, o.p1, "2024-03-06", 10000, 10000, KAM_NONE);
    insert(&l1, true);
    insert(&l2, true);
    for (size_t k = 0; k < NCASES(absent); k++) {
        struct kam_order_line g = {0};
        char name[64];
        snprintf(name, sizeof(name), "'%s' line %lld", absent[k].order_id,
                 (long long)absent[k].line_no);
        CASE = name;
        CHECK_RC(KAM_ERR_NOT_FOUND,
                 OPS->order_find(ST, absent[k].order_id, absent[k].line_no, &g, &err));
    }
}

static void test_order_update(void **state)
{
    struct kam_err err;
    (void)state;

    struct orders_fx o = orders_fixture();
    struct kam_order_line l = line("SO-1", 1, o.a, o.p1, "2024-03-05", 20000, 125000, 90000);
    struct kam_order_line sibling = line("SO-1", 2, o.a, o.p2, "2024-03-05", 10000, 10000, 1);
    struct kam_order_line other = line("SO-9", 1, o.b, o.p2, "2024-04-01", 10000, 10000, 1);
    int64_t id = insert(&l, true);
    insert(&sibling, true);
    insert(&other, true);

    /* Every value replaced (same order, line and account); a known cost becomes unknown. */
    struct kam_order_line n =
        line("SO-1", 1, o.a, o.p2, "2024-03-07T08:00:00", -10000, 130000, KAM_NONE);
    n.discount = 2500;
    n.channel = "电话";
    n.region = NULL;
    CHECK_OK(OPS->order_update(ST, id, &n, &err));
    struct kam_order_line g = find("SO-1", 1);
    CHECK_INT(g.id, id);
    check_line(&g, &n);

    /* And back: an unknown cost becomes known again. */
    CHECK_OK(OPS->order_update(ST, id, &l, &err));
    g = find("SO-1", 1);
    check_line(&g, &l);

    /* Nothing else moved. */
    g = find("SO-1", 2);
    check_line(&g, &sibling);
    g = find("SO-9", 1);
    check_line(&g, &other);
    CHECK_INT(line_count(0), 3);
    reopen();
    g = find("SO-1", 1);
    check_line(&g, &l);
}

static void test_order_max_id(void **state)
{
    struct kam_err err;
    int64_t max = -1, prev;
    (void)state;

    CHECK_OK(OPS->order_max_id(ST, &max, &err));
    CHECK_INT(max, 0);
    struct orders_fx o = orders_fixture();
    static const char *const orders[] = {"SO-3", "SO-1", "SO-2"};
    for (size_t k = 0; k < NCASES(orders); k++) {
        /* Each line starts a new order: its id is larger than any before it. */
        struct kam_order_line l = line(orders[k], 1, o.a, o.p1, "2024-03-05", 1, 1, KAM_NONE);
        prev = max;
        int64_t id = insert(&l, true);
        CHECK_OK(OPS->order_max_id(ST, &max, &err));
        CHECK(max > prev);
        CHECK_INT(max, id);
    }
    /* A line added to an earlier order does not lower it. */
    struct kam_order_line more = line("SO-3", 2, o.a, o.p1, "2024-03-05", 1, 1, KAM_NONE);
    prev = max;
    int64_t id = insert(&more, true);
    CHECK_OK(OPS->order_max_id(ST, &max, &err));
    CHECK(max >= prev);
    CHECK(max >= id);
    /* A line that was not inserted does not move it. */
    prev = max;
    insert(&more, false);
    CHECK_OK(OPS->order_max_id(ST, &max, &err));
    CHECK_INT(max, prev);
    reopen();
    CHECK_OK(OPS->order_max_id(ST, &max, &err));
    CHECK_INT(max, prev);
}

struct oline {
    struct kam_order_line l; /* its strings point into the arrays below */
    char order_id[32], date[32], channel[32], region[32], account[32], sku[32];
};

struct olines {
    size_t n;
    bool overflow;
    struct oline v[MAXROWS];
};

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static int order_cb(void *ctx, const struct kam_order_line *l, const char *account_code,
                    const char *sku)
{
    struct olines *os = ctx;
    if (os->n == MAXROWS) {
        os->overflow = true;
        return 1;
    }
    struct oline *v = &os->v[os->n++];
    v->l = *l;
    copy(v->order_id, sizeof(v->order_id), l->order_id);
    copy(v->date, sizeof(v->date), l->date);
    copy(v->channel, sizeof(v->channel), l->channel);
    copy(v->region, sizeof(v->region), l->region);
    copy(v->account, sizeof(v->account), account_code);
    copy(v->sku, sizeof(v->sku), sku);
    v->l.order_id = v->order_id;
    v->l.date = v->date;
    v->l.channel = v->channel;
    v->l.region = v->region;
    return 0;
}

/* The lines order_each gives for account_id, which must be those of want[] whose account is
 * account_id (all when 0), visited in increasing id order. */
static void check_order_each(int64_t account_id, const struct kam_order_line *want,
                             const int64_t *ids, const char *const *codes, const char *const *skus,
                             size_t n)
{
    struct kam_err err;
    struct olines *os = calloc(1, sizeof(*os));
    size_t expected = 0;

    CHECK(os != NULL);
    CHECK_OK(ST->ops->order_each(ST, account_id, order_cb, os, &err));
    CHECK(!os->overflow);
    for (size_t k = 0; k < n; k++)
        expected += account_id == 0 || want[k].account_id == account_id;
    CHECK_INT(os->n, expected);
    for (size_t i = 0; i < os->n; i++) {
        size_t k = 0;
        if (i > 0 && os->v[i].l.id <= os->v[i - 1].l.id)
            FAIL("line %lld visited after line %lld", (long long)os->v[i].l.id,
                 (long long)os->v[i - 1].l.id);
        while (k < n && ids[k] != os->v[i].l.id)
            k++;
        if (k == n) {
            FAIL("unknown line %lld visited", (long long)os->v[i].l.id);
            continue;
        }
        check_line(&os->v[i].l, &want[k]);
        CHECK_STR(os->v[i].account, codes[k]);
        CHECK_STR(os->v[i].sku, skus[k]);
    }
    free(os);
}

static void test_order_each(void **state)
{
    (void)state;

    struct orders_fx o = orders_fixture();
    check_order_each(0, NULL, NULL, NULL, NULL, 0);

    const struct kam_order_line ls[] = {
        line("SO-2", 1, o.b, o.p2, "2024-02-01", 10000, 30000, 20000),
        line("SO-1", 2, o.a, o.p2, "2024-01-02", 20000, 30000, KAM_NONE),
        line("SO-1", 1, o.a, o.p1, "2024-01-02T09:00:00", 10000, 990000, 500000),
        line("SO-2", 2, o.b, o.p1, "2024-02-01", 10000, 1, 0),
    };
    static const char *const codes[] = {"B", "A", "A", "B"};
    static const char *const skus[] = {"P2", "P2", "P1", "P1"};
    int64_t ids[NCASES(ls)];
    for (size_t k = 0; k < NCASES(ls); k++)
        ids[k] = insert(&ls[k], true);

    CASE = "all accounts";
    check_order_each(0, ls, ids, codes, skus, NCASES(ls));
    CASE = "account A";
    check_order_each(o.a, ls, ids, codes, skus, NCASES(ls));
    CASE = "account B";
    check_order_each(o.b, ls, ids, codes, skus, NCASES(ls));
    CASE = "account without orders";
    check_order_each(account("C", "Gamma"), ls, ids, codes, skus, NCASES(ls));
}

/* A refused line leaves no order behind: the order id stays free for any account. */
static void test_order_refused_leaves_no_order(void **state)
{
    struct kam_err err;
    bool inserted = false;
    int64_t id = 0;
    (void)state;

    struct orders_fx o = orders_fixture();
    struct kam_order_line bad = line("SO-1", 1, o.a, o.p1, NULL, 1, 1, KAM_NONE); /* no date */
    CHECK_FAILS(OPS->order_insert(ST, &bad, &inserted, &id, &err));
    CHECK_INT(line_count(0), 0);
    struct kam_order_line good = line("SO-1", 1, o.b, o.p1, "2024-03-05", 1, 1, KAM_NONE);
    insert(&good, true);
    struct kam_order_line g = find("SO-1", 1);
    check_line(&g, &good);
}

/* An order created in a rolled back transaction does not exist afterwards, for any account. */
static void test_order_after_rollback(void **state)
{
    struct kam_err err;
    (void)state;

    struct orders_fx o = orders_fixture();
    struct kam_order_line l = line("SO-1", 1, o.a, o.p1, "2024-03-05", 1, 1, KAM_NONE);
    CHECK_OK(OPS->begin(ST, &err));
    insert(&l, true);
    CHECK_OK(OPS->rollback(ST, &err));
    struct kam_order_line none = {0};
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->order_find(ST, "SO-1", 1, &none, &err));

    l.account_id = o.b;
    int64_t id = insert(&l, true);
    static const char *const codes[] = {"B"}, *const skus[] = {"P1"};
    check_order_each(0, &l, &id, codes, skus, 1);
    reopen();
    struct kam_order_line g = find("SO-1", 1);
    check_line(&g, &l);
    check_order_each(o.b, &l, &id, codes, skus, 1);
}

/* --- rollups ------------------------------------------------------------------------------- */

struct cells {
    size_t n;
    bool overflow;
    struct {
        int64_t account;
        int month;
        struct kam_rollup r;
    } c[MAXROWS];
};

static int cell_cb(void *ctx, int64_t account_id, int month, const struct kam_rollup *r)
{
    struct cells *cs = ctx;
    if (cs->n == MAXROWS) {
        cs->overflow = true;
        return 1;
    }
    cs->c[cs->n].account = account_id;
    cs->c[cs->n].month = month;
    cs->c[cs->n++].r = *r;
    return 0;
}

static struct cells cells(int64_t account_id, int from, int to)
{
    struct kam_err err;
    struct cells cs = {0};
    CHECK_OK(ST->ops->rollup_each(ST, account_id, from, to, cell_cb, &cs, &err));
    CHECK(!cs.overflow);
    return cs;
}

#define CHECK_ROLLUP(got, want)                                                                    \
    do {                                                                                           \
        const struct kam_rollup *gr_ = (got), *wr_ = (want);                                       \
        CHECK_INT(gr_->revenue, wr_->revenue);                                                     \
        CHECK_INT(gr_->cost, wr_->cost);                                                           \
        CHECK_INT(gr_->costed_revenue, wr_->costed_revenue);                                       \
        CHECK_INT(gr_->quantity, wr_->quantity);                                                   \
        CHECK_INT(gr_->returns, wr_->returns);                                                     \
        CHECK_INT(gr_->discount, wr_->discount);                                                   \
        CHECK_INT(gr_->lines, wr_->lines);                                                         \
    } while (0)

static struct kam_rollup scaled(const struct kam_rollup *r, int k)
{
    return (struct kam_rollup){r->revenue * k,  r->cost * k,    r->costed_revenue * k,
                               r->quantity * k, r->returns * k, r->discount * k,
                               r->lines * k};
}

static void test_rollup_accumulates(void **state)
{
    struct kam_err err;
    static const struct kam_rollup sale = {1000000, 600000, 1000000, 20000, 0, 50000, 1};
    static const struct kam_rollup ret = {-250000, -150000, -250000, -5000, -250000, 0, 1};
    (void)state;

    int64_t a = account("A", "Acme");
    CHECK_OK(OPS->rollup_add(ST, a, 202403, &sale, &err));
    struct cells cs = cells(a, 202401, 202412);
    CHECK_INT(cs.n, 1);
    CHECK_INT(cs.c[0].account, a);
    CHECK_INT(cs.c[0].month, 202403);
    CHECK_ROLLUP(&cs.c[0].r, &sale);

    CHECK_OK(OPS->rollup_add(ST, a, 202403, &sale, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202403, &ret, &err));
    struct kam_rollup want = scaled(&sale, 2);
    want.revenue += ret.revenue;
    want.cost += ret.cost;
    want.costed_revenue += ret.costed_revenue;
    want.quantity += ret.quantity;
    want.returns += ret.returns;
    want.lines += ret.lines;
    cs = cells(a, 202403, 202403);
    CHECK_INT(cs.n, 1);
    CHECK_ROLLUP(&cs.c[0].r, &want);

    reopen();
    cs = cells(a, 0, 999912);
    CHECK_INT(cs.n, 1);
    CHECK_ROLLUP(&cs.c[0].r, &want);
}

struct prods {
    size_t n;
    bool overflow;
    struct {
        char sku[32], name[64];
        struct kam_rollup r;
    } p[MAXROWS];
};

static int prod_cb(void *ctx, const char *sku, const char *name, const struct kam_rollup *r)
{
    struct prods *ps = ctx;
    if (ps->n == MAXROWS) {
        ps->overflow = true;
        return 1;
    }
    copy(ps->p[ps->n].sku, sizeof(ps->p[0].sku), sku);
    copy(ps->p[ps->n].name, sizeof(ps->p[0].name), name);
    ps->p[ps->n++].r = *r;
    return 0;
}

static struct prods top(int64_t account_id, int64_t limit)
{
    struct kam_err err;
    struct prods ps = {0};
    CHECK_OK(ST->ops->top_products(ST, account_id, limit, prod_cb, &ps, &err));
    CHECK(!ps.overflow);
    return ps;
}

static void test_rollup_each_bounds_and_filter(void **state)
{
    static const int a_months[] = {202312, 202401, 202406, 202412, 202501};
    static const int b_months[] = {202401, 202406};
    static const struct case_ {
        const char *name;
        int account; /* 0 all, 1 A, 2 B */
        int from, to;
        const char *want; /* "A202401 B202406 ..." in the order visited */
    } cases[] = {
        {"all accounts, one year", 0, 202401, 202412, "A202401 A202406 A202412 B202401 B202406"},
        {"bounds are inclusive", 1, 202406, 202406, "A202406"},
        {"one account, all time", 2, 0, 999912, "B202401 B202406"},
        {"across a year end", 1, 202312, 202401, "A202312 A202401"},
        {"window without cells", 1, 202402, 202405, ""},
        {"from after to", 1, 202412, 202401, ""},
        {"all accounts, all time", 0, 0, 999912,
         "A202312 A202401 A202406 A202412 A202501 B202401 B202406"},
    };
    struct kam_err err;
    int64_t ids[2];
    (void)state;

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    /* Insert out of order; revenue identifies the cell. */
    for (int k = (int)NCASES(a_months) - 1; k >= 0; k--) {
        struct kam_rollup d = {.revenue = a_months[k], .lines = 1};
        CHECK_OK(OPS->rollup_add(ST, ids[0], a_months[k], &d, &err));
    }
    for (size_t k = 0; k < NCASES(b_months); k++) {
        struct kam_rollup d = {.revenue = -b_months[k], .lines = 1};
        CHECK_OK(OPS->rollup_add(ST, ids[1], b_months[k], &d, &err));
    }
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        char got[256] = "";
        CASE = c->name;
        struct cells cs = cells(c->account ? ids[c->account - 1] : 0, c->from, c->to);
        for (size_t i = 0; i < cs.n; i++) {
            bool is_a = cs.c[i].account == ids[0];
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%c%d", i ? " " : "",
                     is_a ? 'A' : 'B', cs.c[i].month);
            CHECK_INT(cs.c[i].r.revenue, is_a ? cs.c[i].month : -cs.c[i].month);
        }
        CHECK_STR(got, c->want);
    }
}

static void test_rollup_zero_removes_cell(void **state)
{
    struct kam_err err;
    static const struct kam_rollup sale = {1000000, 600000, 1000000, 20000, 0, 50000, 1};
    const struct kam_rollup undo = scaled(&sale, -1);
    /* A credit note without a line: revenue moves, the line count does not. */
    static const struct kam_rollup credit = {.revenue = -70000, .returns = -70000};
    const struct kam_rollup uncredit = scaled(&credit, -1);
    int first = -1, last = -1;
    char date[32];
    struct cells cs;
    (void)state;

    int64_t a = account("A", "Acme");
    CHECK_OK(OPS->rollup_add(ST, a, 202403, &sale, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202404, &sale, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202405, &sale, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202405, &sale, &err));

    CASE = "a cell back to all zeros is removed, one still holding a sale is kept";
    CHECK_OK(OPS->rollup_add(ST, a, 202403, &undo, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202405, &undo, &err));
    cs = cells(a, 0, 999912);
    CHECK_INT(cs.n, 2);
    CHECK_INT(cs.c[0].month, 202404);
    CHECK_INT(cs.c[1].month, 202405);
    CHECK_ROLLUP(&cs.c[1].r, &sale);

    CASE = "removing the last cells leaves no trace";
    CHECK_OK(OPS->rollup_add(ST, a, 202404, &undo, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202405, &undo, &err));
    CHECK_INT(cells(0, 0, 999912).n, 0);
    CHECK_OK(OPS->order_months(ST, &first, &last, date, sizeof(date), &err));
    CHECK_INT(first, 0);
    CHECK_INT(last, 0);

    CASE = "a cell whose line count is back to zero but whose revenue is not is kept";
    CHECK_OK(OPS->rollup_add(ST, a, 202407, &sale, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202407, &credit, &err));
    CHECK_OK(OPS->rollup_add(ST, a, 202407, &undo, &err));
    cs = cells(a, 202407, 202407);
    CHECK_INT(cs.n, 1);
    CHECK_ROLLUP(&cs.c[0].r, &credit);

    CASE = "a delta without lines that brings a cell to all zeros removes it";
    CHECK_OK(OPS->rollup_add(ST, a, 202407, &uncredit, &err));
    CHECK_INT(cells(a, 202407, 202407).n, 0);
    CHECK_OK(OPS->rollup_add(ST, a, 202406, &credit, &err));
    CHECK_INT(cells(a, 202406, 202406).n, 1);
    CHECK_OK(OPS->rollup_add(ST, a, 202406, &uncredit, &err));
    CHECK_INT(cells(a, 202406, 202406).n, 0);
}

/* top_products sums the account's order lines per product. */
static void test_top_products(void **state)
{
    static const struct case_ {
        const char *name;
        int account; /* 0 A, 1 B, 2 C */
        int64_t limit;
        const char *want; /* skus in order */
    } cases[] = {
        {"largest net revenue first", 0, 10, "P2 P1 P3 P4"},
        {"limit 2", 0, 2, "P2 P1"},
        {"limit 1", 0, 1, "P2"},
        {"limit equal to the count", 0, 4, "P2 P1 P3 P4"},
        {"another account's products", 1, 10, "P3"},
        {"account without orders", 2, 10, ""},
    };
    static const struct {
        int account, product; /* 0-based */
        kam_money qty, price, cost, discount;
    } ls[] = {
        {0, 0, 10000, 1000000, 600000, 0},   /* P1: 100 + 200 */
        {0, 0, 20000, 1000000, KAM_NONE, 0}, /* cost unknown: not in cost nor costed revenue */
        {0, 1, 10000, 5000000, 0, 10000},    /* P2: 500 */
        {0, 2, 10000, 250000, 100000, 0},    /* P3: 4 x 25 */
        {0, 2, 10000, 250000, 100000, 0},    /*  */
        {0, 2, 10000, 250000, 100000, 0},    /*  */
        {0, 2, 10000, 250000, 100000, 0},    /*  */
        {0, 3, -10000, 500000, -300000, 0},  /* P4: a return only, net -50 */
        {1, 2, 30000, 3000000, KAM_NONE, 0}, /* B's P3: 900 */
    };
    static const char *const skus[] = {"P1", "P2", "P3", "P4"};
    static const char *const names[] = {"Pump", "离心泵", "Valve", "Seal"};
    static const char *const orders[] = {"SO-A", "SO-B"};
    struct kam_rollup want[2][4] = {{{0}}};
    int64_t acc[3], pro[4], line_no[2] = {0, 0};
    (void)state;

    acc[0] = account("A", "Acme");
    acc[1] = account("B", "Beta");
    acc[2] = account("C", "Gamma");
    for (int k = 0; k < 4; k++)
        pro[k] = product(skus[k], names[k]);
    for (size_t k = 0; k < NCASES(ls); k++) {
        int a = ls[k].account;
        struct kam_order_line l = line(orders[a], ++line_no[a], acc[a], pro[ls[k].product],
                                       "2024-03-05", ls[k].qty, ls[k].price, ls[k].cost);
        l.discount = ls[k].discount;
        insert(&l, true);
        assert_true(kam_rollup_add_line(&want[a][ls[k].product], &l, 1));
    }
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        char got[128] = "";
        CASE = c->name;
        struct prods ps = top(acc[c->account], c->limit);
        for (size_t i = 0; i < ps.n; i++) {
            int p = ps.p[i].sku[1] - '1';
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
                     ps.p[i].sku);
            if (p < 0 || p > 3 || c->account > 1) {
                FAIL("unexpected product '%s'", ps.p[i].sku);
                continue;
            }
            CHECK_STR(ps.p[i].name, names[p]);
            CHECK_ROLLUP(&ps.p[i].r, &want[c->account][p]);
        }
        CHECK_STR(got, c->want);
    }
}

struct revs {
    size_t n;
    bool overflow;
    struct {
        int64_t id;
        char code[32], name[64];
        kam_money revenue;
    } r[MAXROWS];
};

static int rev_cb(void *ctx, int64_t id, const char *code, const char *name, kam_money revenue)
{
    struct revs *rs = ctx;
    if (rs->n == MAXROWS) {
        rs->overflow = true;
        return 1;
    }
    rs->r[rs->n].id = id;
    copy(rs->r[rs->n].code, sizeof(rs->r[0].code), code);
    copy(rs->r[rs->n].name, sizeof(rs->r[0].name), name);
    rs->r[rs->n++].revenue = revenue;
    return 0;
}

static void test_revenues(void **state)
{
    static const struct {
        const char *code, *name;
        kam_money want;
    } accs[] = {
        {"A", "Acme", 3500000},
        {"B", "北京华为", -300000}, /* net of returns */
        {"C", "No orders yet", 0},
    };
    struct kam_err err;
    struct revs rs = {0};
    int64_t ids[3];
    (void)state;

    CHECK_OK(OPS->revenues(ST, rev_cb, &rs, &err));
    CHECK_INT(rs.n, 0);
    for (size_t k = 0; k < NCASES(accs); k++)
        ids[k] = account(accs[k].code, accs[k].name);
    struct kam_rollup d1 = {.revenue = 1000000, .lines = 1}, d2 = {.revenue = 2500000, .lines = 2};
    struct kam_rollup d3 = {.revenue = -300000, .returns = -300000, .lines = 1};
    CHECK_OK(OPS->rollup_add(ST, ids[0], 202312, &d1, &err));
    CHECK_OK(OPS->rollup_add(ST, ids[0], 202401, &d2, &err));
    CHECK_OK(OPS->rollup_add(ST, ids[1], 202402, &d3, &err));

    CHECK_OK(OPS->revenues(ST, rev_cb, &rs, &err));
    CHECK(!rs.overflow);
    CHECK_INT(rs.n, 3);
    for (size_t k = 0; k < NCASES(accs); k++) { /* every account, in any order */
        size_t j = 0;
        CASE = accs[k].code;
        while (j < rs.n && rs.r[j].id != ids[k])
            j++;
        if (j == rs.n) {
            FAIL("account missing");
            continue;
        }
        CHECK_STR(rs.r[j].code, accs[k].code);
        CHECK_STR(rs.r[j].name, accs[k].name);
        CHECK_INT(rs.r[j].revenue, accs[k].want);
    }
}

static void test_order_months(void **state)
{
    static const struct {
        int account; /* 0 A, 1 B */
        const char *order_id, *date;
        kam_money price;
    } ls[] = {
        {0, "SO-1", "2024-02-03", 10000},
        {0, "SO-2", "2023-11-15T12:00:00", 20000},
        {1, "SO-3", "2024-02-20T16:45:00", 30000},
        {1, "SO-4", "2024-01-10", 40000},
    };
    struct kam_err err;
    int first = -1, last = -1;
    char date[32] = "x";
    int64_t ids[2];
    (void)state;

    CHECK_OK(OPS->order_months(ST, &first, &last, date, sizeof(date), &err));
    CHECK_INT(first, 0);
    CHECK_INT(last, 0);
    CHECK_STR(date, "");

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    int64_t p = product("P1", "Pump");
    int months[NCASES(ls)];
    int64_t lines[NCASES(ls)];
    for (size_t k = 0; k < NCASES(ls); k++) {
        struct kam_order_line l = line(ls[k].order_id, 1, ids[ls[k].account], p, ls[k].date, 10000,
                                       ls[k].price, KAM_NONE);
        struct kam_rollup d = {0};
        int month = atoi(ls[k].date) * 100 + atoi(ls[k].date + 5);
        insert(&l, true);
        assert_true(kam_rollup_add_line(&d, &l, 1));
        CHECK_OK(OPS->rollup_add(ST, l.account_id, month, &d, &err));
        months[k] = month; /* a month twice is added twice */
        lines[k] = 1;
    }
    CHECK_OK(OPS->rollup_totals(ST, months, lines, NCASES(ls), ids, 2, &err));
    CHECK_OK(OPS->order_months(ST, &first, &last, date, sizeof(date), &err));
    CHECK_INT(first, 202311);
    CHECK_INT(last, 202402);
    CHECK_STR(date, "2024-02-20"); /* the day of the last order, without its time */
}

/* --- account list -------------------------------------------------------------------------- */

struct listed_account {
    int64_t id;
    char code[32], name[64];
    kam_money ttm, total;
};

struct listed {
    size_t n;
    bool overflow;
    char codes[256]; /* "A001 A003", the codes in the order listed */
    struct listed_account a[MAXROWS];
};

static int list_cb(void *ctx, int64_t id, const struct kam_value *vals, kam_money ttm,
                   kam_money total)
{
    struct listed *ls = ctx;
    if (ls->n == MAXROWS) {
        ls->overflow = true;
        return 1;
    }
    struct listed_account *a = &ls->a[ls->n];
    a->id = id;
    snprintf(a->code, sizeof(a->code), "%.*s", (int)vals[KAM_ACC_CODE].len, vals[KAM_ACC_CODE].s);
    snprintf(a->name, sizeof(a->name), "%.*s", (int)vals[KAM_ACC_NAME].len, vals[KAM_ACC_NAME].s);
    a->ttm = ttm;
    a->total = total;
    snprintf(ls->codes + strlen(ls->codes), sizeof(ls->codes) - strlen(ls->codes), "%s%s",
             ls->n ? " " : "", a->code);
    ls->n++;
    return 0;
}

/* Four accounts; by name (docs/data-model.md: Chinese by pinyin, then Latin letters,
 * case-insensitively) they list as A002 A001 A003 B004. */
static void seed_accounts(int64_t ids[4])
{
    static const struct {
        const char *code, *name, *role, *region, *owner;
        const char *tags[2];
        struct {
            int month;
            kam_money revenue;
        } sales[2];
    } accs[] = {
        {"A001",
         "Acme Trading",
         "distributor",
         "East",
         "li",
         {"vip"},
         {{202301, 1000}, {202406, 200}}},
        {"A002", "北京华为", "end_user", "North", "wang", {"vip", "cn"}, {{202405, 500}}},
        {"A003", "Northern acme Pumps", "end_user", "East", "wang", {0}, {{0}}},
        {"B004", "Zeta Works", "dealer", "West", "li", {"cn"}, {{202412, 300}, {202501, 100}}},
    };
    struct kam_err err;
    int months[8];
    int64_t lines[8], sold[4];
    size_t nm = 0, ns = 0;

    for (size_t k = 0; k < NCASES(accs); k++) {
        struct rec r;
        rec_init(&r);
        rec_text(&r, KAM_ACC_CODE, accs[k].code);
        rec_text(&r, KAM_ACC_NAME, accs[k].name);
        rec_text(&r, KAM_ACC_ROLE, accs[k].role);
        rec_text(&r, KAM_ACC_REGION, accs[k].region);
        rec_text(&r, KAM_ACC_OWNER, accs[k].owner);
        ids[k] = put(&kam_accounts, &r, KAM_PUT_INSERTED);
        for (int t = 0; t < 2 && accs[k].tags[t]; t++)
            CHECK_OK(ST->ops->tag_add(ST, ids[k], accs[k].tags[t], NULL, &err));
        for (int s = 0; s < 2 && accs[k].sales[s].month; s++) {
            struct kam_rollup d = {.revenue = accs[k].sales[s].revenue, .lines = 1};
            CHECK_OK(ST->ops->rollup_add(ST, ids[k], accs[k].sales[s].month, &d, &err));
            months[nm] = accs[k].sales[s].month;
            lines[nm++] = 1;
            if (ns == 0 || sold[ns - 1] != ids[k])
                sold[ns++] = ids[k];
        }
    }
    /* as the import does after its cells */
    CHECK_OK(ST->ops->rollup_totals(ST, months, lines, nm, sold, ns, &err));
}

/* Adds one order line's worth of revenue (lines: +1 or -1 with a negative revenue to take it
 * back) to an account's month, and the totals after it, as an import of that line does. */
static void sell(int64_t account, int month, kam_money revenue, int64_t lines)
{
    struct kam_err err;
    struct kam_rollup d = {.revenue = revenue, .lines = lines};
    CHECK_OK(ST->ops->rollup_add(ST, account, month, &d, &err));
    CHECK_OK(ST->ops->rollup_totals(ST, &month, &lines, 1, &account, 1, &err));
}

static void test_account_list_filters(void **state)
{
    static const struct case_ {
        const char *name;
        struct kam_account_query q;
        const char *want; /* codes in order */
    } cases[] = {
        {"no filter, by name", {0}, "A002 A001 A003 B004"},
        {"role", {.role = "end_user"}, "A002 A003"},
        {"role nobody has", {.role = "supplier"}, ""},
        {"region", {.region = "East"}, "A001 A003"},
        {"owner", {.owner = "li"}, "A001 B004"},
        {"tag", {.tag = "vip"}, "A002 A001"},
        {"tag nobody has", {.tag = "lost"}, ""},
        {"text in the code, other case", {.text = "b004"}, "B004"},
        {"text in the code, a prefix", {.text = "A00"}, "A002 A001 A003"},
        {"text in the name, upper case", {.text = "ACME"}, "A001 A003"},
        {"text in the name, mixed case, mid-word", {.text = "hERN"}, "A003"},
        {"text in a Chinese name", {.text = "华为"}, "A002"},
        {"text matching nothing", {.text = "zzz"}, ""},
        {"text is literal, not a pattern: '%'", {.text = "%"}, ""},
        {"text is literal, not a pattern: '_'", {.text = "_"}, ""},
        {"filters combine", {.role = "end_user", .region = "East"}, "A003"},
        {"filters combine with tag and owner", {.owner = "wang", .tag = "cn"}, "A002"},
        {"limit", {.limit = 2}, "A002 A001"},
        {"limit larger than the list", {.limit = 10}, "A002 A001 A003 B004"},
        {"limit after filtering", {.region = "East", .limit = 1}, "A001"},
    };
    int64_t ids[4];
    (void)state;

    seed_accounts(ids);
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_err err;
        struct listed ls = {0};
        CASE = cases[k].name;
        CHECK_OK(OPS->account_list(ST, &cases[k].q, list_cb, &ls, &err));
        CHECK(!ls.overflow);
        CHECK_STR(ls.codes, cases[k].want);
    }
}

struct versions {
    size_t n;
    char list[256]; /* "A001:2 A002:1", in the order listed */
    kam_money ttm_total;
};

static int version_cb(void *ctx, const struct kam_account_item *it)
{
    struct versions *v = ctx;
    snprintf(v->list + strlen(v->list), sizeof(v->list) - strlen(v->list), "%s%.*s:%lld",
             v->n++ ? " " : "", (int)it->vals[KAM_ACC_CODE].len, it->vals[KAM_ACC_CODE].s,
             (long long)it->version);
    v->ttm_total += it->ttm_revenue;
    return 0;
}

/* With an item callback the list carries each account's version, which every write of the
 * account increments, and the same rows, order and revenues as the plain callback. */
static void test_account_list_items_carry_version(void **state)
{
    struct kam_err err;
    struct versions v = {0};
    int64_t ids[4];
    (void)state;

    seed_accounts(ids);
    struct rec r;
    rec_init(&r);
    rec_text(&r, KAM_ACC_CODE, "A001");
    rec_text(&r, KAM_ACC_REGION, "South");
    put(&kam_accounts, &r, KAM_PUT_UPDATED);
    struct kam_account_query q = {
        .region = NULL, .ttm_from = 202401, .ttm_to = 202412, .item = version_cb};
    CHECK_OK(OPS->account_list(ST, &q, NULL, &v, &err));
    CHECK_STR(v.list, "A002:1 A001:2 A003:1 B004:1");
    CHECK_INT(v.ttm_total, 500 + 200 + 300);
}

/* Name order is the documented collation (docs/data-model.md), not byte order: Chinese by pinyin
 * before Latin letters, Latin case-insensitively. Byte order would give 上 北 阿 and Banana
 * before apple. */
static void test_account_list_sort_by_name(void **state)
{
    static const struct {
        const char *code, *name;
    } accs[] = {
        {"S1", "上海电气"},    {"S2", "Cherry Ltd"}, {"S3", "阿里巴巴"},
        {"S4", "apple farms"}, {"S5", "北京华为"},   {"S6", "Banana Co"},
    };
    struct kam_err err;
    struct listed ls = {0};
    struct kam_account_query q = {.sort = KAM_SORT_NAME};
    (void)state;

    for (size_t k = 0; k < NCASES(accs); k++)
        account(accs[k].code, accs[k].name);
    CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
    CHECK_STR(ls.codes, "S3 S5 S1 S4 S6 S2");
}

static void test_account_list_revenue(void **state)
{
    static const struct {
        const char *code, *name;
        kam_money ttm, total; /* ttm over 202401..202412 */
    } want[] = {
        {"A002", "北京华为", 500, 500},
        {"B004", "Zeta Works", 300, 400},
        {"A001", "Acme Trading", 200, 1200},
        {"A003", "Northern acme Pumps", 0, 0},
    };
    struct kam_err err;
    struct listed ls = {0};
    int64_t ids[4];
    (void)state;

    seed_accounts(ids);
    struct kam_account_query q = {.sort = KAM_SORT_REVENUE, .ttm_from = 202401, .ttm_to = 202412};
    CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
    CHECK_STR(ls.codes, "A002 B004 A001 A003");
    for (size_t k = 0; k < NCASES(want) && k < ls.n; k++) {
        CASE = want[k].code;
        CHECK_STR(ls.a[k].name, want[k].name);
        CHECK_INT(ls.a[k].ttm, want[k].ttm);
        CHECK_INT(ls.a[k].total, want[k].total);
    }
    CASE = NULL;

    q.limit = 2;
    memset(&ls, 0, sizeof(ls));
    CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
    CHECK_STR(ls.codes, "A002 B004");

    /* Another window changes the order: 2023 only A001 sold. */
    q = (struct kam_account_query){.sort = KAM_SORT_REVENUE, .ttm_from = 202301, .ttm_to = 202312};
    memset(&ls, 0, sizeof(ls));
    CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
    CHECK_INT(ls.n, 4);
    CHECK_STR(ls.a[0].code, "A001");
    CHECK_INT(ls.a[0].ttm, 1000);
    CHECK_INT(ls.a[0].total, 1200);
    for (size_t k = 1; k < ls.n; k++)
        CHECK_INT(ls.a[k].ttm, 0);

    /* Filters apply to the revenue sort too; name sort still reports the revenues. */
    q = (struct kam_account_query){
        .role = "end_user", .sort = KAM_SORT_REVENUE, .ttm_from = 202401, .ttm_to = 202412};
    memset(&ls, 0, sizeof(ls));
    CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
    CHECK_STR(ls.codes, "A002 A003");
    q = (struct kam_account_query){.text = "zeta", .ttm_from = 202501, .ttm_to = 202512};
    memset(&ls, 0, sizeof(ls));
    CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
    CHECK_STR(ls.codes, "B004");
    CHECK_INT(ls.a[0].ttm, 100);
    CHECK_INT(ls.a[0].total, 400);
}

/* The revenues a list shows follow every change of the rollup: the window of the last month
 * with orders (202501 after the seed: 202402..202501), a sale that moves that month (every
 * account's window moves, also of the accounts that did not buy), a sale inside it (only that
 * account changes), and taking back the only line of the last month (the window moves back). */
static void test_account_list_revenue_follows_the_rollup(void **state)
{
    static const struct {
        int from, to;               /* the window of the last month with orders */
        kam_money ttm[4], total[4]; /* A001 A002 A003 B004 */
    } steps[] = {
        {202402, 202501, {200, 500, 0, 400}, {1200, 500, 0, 400}}, /* the seed */
        {202408, 202507, {0, 0, 0, 450}, {1200, 500, 0, 450}},     /* B004: 50 in 202507 */
        {202408, 202507, {75, 0, 0, 450}, {1275, 500, 0, 450}},    /* A001: 75 in 202412 */
        {202402, 202501, {275, 500, 0, 400}, {1275, 500, 0, 400}}, /* B004's 202507 undone */
    };
    static const char *const codes[] = {"A001", "A002", "A003", "B004"};
    struct kam_err err;
    int64_t ids[4];
    int first, last;
    (void)state;

    seed_accounts(ids);
    for (size_t step = 0; step < NCASES(steps); step++) {
        if (step == 1)
            sell(ids[3], 202507, 50, 1);
        else if (step == 2)
            sell(ids[0], 202412, 75, 1);
        else if (step == 3)
            sell(ids[3], 202507, -50, -1);
        CHECK_OK(OPS->order_months(ST, &first, &last, NULL, 0, &err));
        CHECK_INT(first, 202301);
        CHECK_INT(last, steps[step].to);
        struct kam_account_query q = {.ttm_from = steps[step].from, .ttm_to = steps[step].to};
        struct listed ls = {0};
        CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
        CHECK_INT(ls.n, 4);
        for (size_t k = 0; k < ls.n; k++) {
            for (size_t c = 0; c < 4; c++) {
                if (strcmp(ls.a[k].code, codes[c]) != 0)
                    continue;
                CASE = codes[c];
                CHECK_INT(ls.a[k].ttm, steps[step].ttm[c]);
                CHECK_INT(ls.a[k].total, steps[step].total[c]);
            }
        }
        CASE = NULL;
    }
}

/* What a metrics pass reads of each account (account_heads, by id, within a scope) and the
 * activity rollup_totals keeps beside the revenues (activity_range): given for the accounts
 * with cells, not given at all after a product changed its category, given again once
 * rollup_totals ran (an import of any kind calls it). */
struct heads {
    char codes[128];
    int n;
    bool est_none;
};

static int head_cb(void *ctx, int64_t id, const char *code, const char *name, kam_money est)
{
    struct heads *h = ctx;
    (void)id;
    CHECK(name != NULL && name[0] != '\0');
    size_t len = strlen(h->codes);
    snprintf(h->codes + len, sizeof(h->codes) - len, "%s%s", len ? " " : "", code);
    h->est_none = h->est_none && est == KAM_NONE;
    h->n++;
    return 0;
}

struct acts {
    int64_t account[8];
    struct kam_metrics_activity a[8];
    bool known[8];
    int n;
};

static int act_cb(void *ctx, int64_t account, const struct kam_metrics_activity *a)
{
    struct acts *x = ctx;
    if (x->n < 8) {
        x->account[x->n] = account;
        x->known[x->n] = a != NULL;
        if (a)
            x->a[x->n] = *a;
    }
    x->n++;
    return 0;
}

static void test_account_heads_and_activity(void **state)
{
    struct kam_err err;
    int64_t ids[4];
    struct kam_scope li = {.kind = KAM_SCOPE_OWN, .login = "li"};
    (void)state;

    seed_accounts(ids); /* cells: A001 (202301, 202406), A002 (202405), B004 (202412, 202501) */
    struct heads h = {.est_none = true};
    CHECK_OK(OPS->account_heads(ST, NULL, head_cb, &h, &err));
    CHECK_STR(h.codes, "A001 A002 A003 B004");
    CHECK(h.est_none);
    struct heads hl = {.est_none = true};
    CHECK_OK(OPS->account_heads(ST, &li, head_cb, &hl, &err));
    CHECK_STR(hl.codes, "A001 B004");

    struct acts x = {0};
    bool kept = false;
    CHECK_OK(OPS->activity_range(ST, ids[0], ids[3], act_cb, &x, &kept, &err));
    CHECK(kept);
    CHECK_INT(x.n, 3); /* A003 has no cells: no orders, no products */
    if (x.n == 3) {
        CHECK_INT(x.account[0], ids[0]);
        CHECK_INT(x.account[2], ids[3]);
        for (int k = 0; k < 3; k++) {
            CASE = "cells without orders or products";
            CHECK(x.known[k]);
            CHECK_INT(x.a[k].window_to, 202501);
            CHECK_INT(x.a[k].orders_total, 0);
            CHECK_INT(x.a[k].first_purchase, KAM_NONE);
            CHECK_INT(x.a[k].products, 0);
            CHECK_INT(x.a[k].max_first_month, 0);
        }
        CASE = NULL;
    }
    struct acts one = {0};
    CHECK_OK(OPS->activity_range(ST, ids[1], ids[1], act_cb, &one, &kept, &err));
    CHECK_INT(one.n, 1);

    /* A product changes its category: nothing kept is given until rollup_totals ran. */
    struct rec r;
    rec_init(&r);
    rec_text(&r, KAM_PRO_SKU, "P1");
    rec_text(&r, KAM_PRO_NAME, "One");
    rec_text(&r, KAM_PRO_CATEGORY, "x");
    put(&kam_products, &r, KAM_PUT_INSERTED);
    struct acts after_insert = {0};
    CHECK_OK(OPS->activity_range(ST, ids[0], ids[3], act_cb, &after_insert, &kept, &err));
    CHECK(kept); /* a new product changes nobody's categories */
    rec_text(&r, KAM_PRO_CATEGORY, "y");
    put(&kam_products, &r, KAM_PUT_UPDATED);
    struct acts stale = {0};
    CHECK_OK(OPS->activity_range(ST, ids[0], ids[3], act_cb, &stale, &kept, &err));
    CHECK(!kept);
    CHECK_INT(stale.n, 0);
    CHECK_OK(OPS->rollup_totals(ST, NULL, NULL, 0, NULL, 0, &err));
    struct acts again = {0};
    CHECK_OK(OPS->activity_range(ST, ids[0], ids[3], act_cb, &again, &kept, &err));
    CHECK(kept);
    CHECK_INT(again.n, 3);
}

/* A count follows every change: one made on the same connection, one committed by another
 * connection, one inside a transaction and its rollback; different filters and scopes are
 * counted apart. */
static void test_account_count_follows_changes(void **state)
{
    struct kam_err err;
    int64_t ids[4], n = -1;
    struct kam_scope li = {.kind = KAM_SCOPE_OWN, .login = "li"};
    (void)state;

    seed_accounts(ids); /* East: A001 (li), A003 (wang) */
    struct kam_account_query east = {.region = "East"}, west = {.region = "West"};
    struct kam_account_query east_li = {.region = "East", .scope = &li};
    CHECK_OK(OPS->account_count(ST, &east, &n, &err));
    CHECK_INT(n, 2);
    CHECK_OK(OPS->account_count(ST, &west, &n, &err));
    CHECK_INT(n, 1);
    CHECK_OK(OPS->account_count(ST, &east_li, &n, &err));
    CHECK_INT(n, 1);
    CHECK_OK(OPS->account_count(ST, &east, &n, &err)); /* asked again: the same */
    CHECK_INT(n, 2);

    struct rec r;
    rec_init(&r);
    rec_text(&r, KAM_ACC_CODE, "E1");
    rec_text(&r, KAM_ACC_NAME, "East One");
    rec_text(&r, KAM_ACC_REGION, "East");
    put(&kam_accounts, &r, KAM_PUT_INSERTED);
    CHECK_OK(OPS->account_count(ST, &east, &n, &err));
    CHECK_INT(n, 3);

    F->other = open_db(F->path, 0);
    rec_init(&r);
    rec_text(&r, KAM_ACC_CODE, "E2");
    rec_text(&r, KAM_ACC_NAME, "East Two");
    rec_text(&r, KAM_ACC_REGION, "East");
    rec_text(&r, KAM_ACC_OWNER, "li");
    enum kam_put res;
    int64_t id;
    CHECK_OK(F->other->ops->upsert(F->other, &kam_accounts, r.v, r.mask, &res, &id, &err));
    CHECK_OK(OPS->account_count(ST, &east, &n, &err));
    CHECK_INT(n, 4);
    CHECK_OK(OPS->account_count(ST, &east_li, &n, &err));
    CHECK_INT(n, 2);

    CHECK_OK(OPS->begin(ST, &err));
    rec_init(&r);
    rec_text(&r, KAM_ACC_CODE, "E3");
    rec_text(&r, KAM_ACC_NAME, "East Three");
    rec_text(&r, KAM_ACC_REGION, "East");
    put(&kam_accounts, &r, KAM_PUT_INSERTED);
    CHECK_OK(OPS->account_count(ST, &east, &n, &err));
    CHECK_INT(n, 5);
    CHECK_OK(OPS->rollback(ST, &err));
    CHECK_OK(OPS->account_count(ST, &east, &n, &err));
    CHECK_INT(n, 4);

    /* Values are told apart whatever bytes they hold: a separator inside one is no boundary. */
    rec_init(&r);
    rec_text(&r, KAM_ACC_CODE, "U1");
    rec_text(&r, KAM_ACC_NAME, "Unit");
    rec_text(&r, KAM_ACC_REGION,
             "b\x1f"
             "c");
    rec_text(&r, KAM_ACC_OWNER, "d");
    put(&kam_accounts, &r, KAM_PUT_INSERTED);
    struct kam_account_query q1 = {.region = "b\x1f"
                                             "c",
                                   .owner = "d"},
                             q2 = {.region = "b",
                                   .owner = "c\x1f"
                                            "d"};
    CHECK_OK(OPS->account_count(ST, &q1, &n, &err));
    CHECK_INT(n, 1);
    CHECK_OK(OPS->account_count(ST, &q2, &n, &err));
    CHECK_INT(n, 0);
}

/* --- tags ---------------------------------------------------------------------------------- */

struct tags {
    size_t n;
    bool overflow;
    struct {
        char name[64], color[32];
        bool color_null;
        int64_t accounts;
    } t[MAXROWS];
};

static int tag_cb(void *ctx, const char *name, const char *color, int64_t accounts)
{
    struct tags *ts = ctx;
    if (ts->n == MAXROWS) {
        ts->overflow = true;
        return 1;
    }
    copy(ts->t[ts->n].name, sizeof(ts->t[0].name), name);
    copy(ts->t[ts->n].color, sizeof(ts->t[0].color), color);
    ts->t[ts->n].color_null = color == NULL;
    ts->t[ts->n++].accounts = accounts;
    return 0;
}

static struct tags tags(int64_t account_id)
{
    struct kam_err err;
    struct tags ts = {0};
    CHECK_OK(ST->ops->tag_list(ST, account_id, tag_cb, &ts, &err));
    CHECK(!ts.overflow);
    return ts;
}

#define ABSENT    (-1) /* check_tag: the tag is not listed */
#define ANY_COUNT (-2) /* check_tag: listed, whatever its count */

/* The tag called name in ts with its color ("" = none) and account count. */
static void check_tag(const struct tags *ts, const char *name, const char *color, int64_t n)
{
    size_t j = 0;
    while (j < ts->n && strcmp(ts->t[j].name, name) != 0)
        j++;
    if (n == ABSENT) {
        if (j < ts->n)
            FAIL("tag '%s' is listed", name);
        return;
    }
    if (j == ts->n) {
        FAIL("tag '%s' is not listed", name);
        return;
    }
    CHECK_STR(ts->t[j].color, color);
    if (n != ANY_COUNT)
        CHECK_INT(ts->t[j].accounts, n);
}

static void test_tags(void **state)
{
    struct kam_err err;
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta"), c = account("C", "Gamma");
    CHECK_INT(tags(0).n, 0);
    CHECK_OK(OPS->tag_add(ST, a, "vip", "#d4af37", &err));
    CHECK_OK(OPS->tag_add(ST, a, "vip", NULL, &err)); /* again: no second link, color kept */
    CHECK_OK(OPS->tag_add(ST, b, "vip", NULL, &err));
    CHECK_OK(OPS->tag_add(ST, a, "重点客户", NULL, &err));

    struct tags ts = tags(0);
    CHECK_INT(ts.n, 2);
    check_tag(&ts, "vip", "#d4af37", 2);
    check_tag(&ts, "重点客户", "", 1);
    CHECK_INT(counts().tags, 2);

    ts = tags(a);
    CHECK_INT(ts.n, 2);
    check_tag(&ts, "vip", "#d4af37", 2);
    check_tag(&ts, "重点客户", "", 1);
    ts = tags(b);
    CHECK_INT(ts.n, 1);
    check_tag(&ts, "vip", "#d4af37", 2);
    CHECK_INT(tags(c).n, 0);

    /* A new color replaces the old one. */
    CHECK_OK(OPS->tag_add(ST, c, "vip", "#ff0000", &err));
    ts = tags(0);
    check_tag(&ts, "vip", "#ff0000", 3);

    CHECK_OK(OPS->tag_rm(ST, a, "vip", &err));
    ts = tags(a);
    CHECK_INT(ts.n, 1);
    check_tag(&ts, "重点客户", "", 1);
    check_tag(&ts, "vip", "", ABSENT);
    ts = tags(0);
    check_tag(&ts, "vip", "#ff0000", 2);

    reopen();
    ts = tags(b);
    CHECK_INT(ts.n, 1);
    check_tag(&ts, "vip", "#ff0000", 2);
}

static void test_tag_rm_absent(void **state)
{
    static const struct case_ {
        const char *name;
        int account; /* 0 A, 1 B */
        const char *tag;
    } cases[] = {
        {"link removed before", 0, "vip"},
        {"tag that does not exist", 0, "never"},
        {"tag of another account", 1, "重点"},
        {"tag name in another case", 1, "VIP"},
    };
    struct kam_err err;
    int64_t ids[2];
    (void)state;

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    CHECK_OK(OPS->tag_add(ST, ids[0], "vip", NULL, &err));
    CHECK_OK(OPS->tag_add(ST, ids[0], "重点", NULL, &err));
    CHECK_OK(OPS->tag_add(ST, ids[1], "vip", NULL, &err));
    CHECK_OK(OPS->tag_rm(ST, ids[0], "vip", &err));
    for (size_t k = 0; k < NCASES(cases); k++) {
        CASE = cases[k].name;
        CHECK_RC(KAM_ERR_NOT_FOUND, OPS->tag_rm(ST, ids[cases[k].account], cases[k].tag, &err));
        if (strstr(err.msg, cases[k].tag) == NULL)
            FAIL("message '%s' does not name the tag", err.msg);
    }
    CASE = NULL;
    struct tags ts = tags(0);
    check_tag(&ts, "vip", "", 1);
    check_tag(&ts, "重点", "", 1);
}

/* A trusted transaction may skip reference checks, and they are back once it ends. */
static void test_trusted_transaction_restores_checks(void **state)
{
    struct kam_err err;
    struct rec r;
    enum kam_put res;
    int64_t id, ghost = account("T1", "Trusted") + 1000;

    (void)state;
    kam_err_clear(&err);
    CHECK_OK(OPS->begin_trusted(ST, &err));
    CHECK_OK(OPS->commit(ST, &err));
    CHECK_OK(OPS->begin_trusted(ST, &err));
    CHECK_OK(OPS->rollback(ST, &err));
    rec_init(&r);
    rec_int(&r, KAM_CON_ACCOUNT, ghost);
    rec_text(&r, KAM_CON_NAME, "Nobody");
    assert_int_not_equal(OPS->upsert(ST, &kam_contacts, r.v, r.mask, &res, &id, &err), KAM_OK);
}

/* --- references ---------------------------------------------------------------------------- */

enum ref_op {
    REF_CONTACT,
    REF_PAYMENT,
    REF_ACCOUNT_PARENT,
    REF_ORDER_ACCOUNT,
    REF_ORDER_PRODUCT,
    REF_SET_PARENT,
    REF_TAG
};

/* A write that refers to a record that does not exist is refused and leaves nothing behind.
 * Every case is run and reported before the test fails, to show which operations accept them. */
static void test_unknown_references_refused(void **state)
{
    static const struct case_ {
        const char *name;
        enum ref_op op;
    } cases[] = {
        {"contact of an unknown account (upsert)", REF_CONTACT},
        {"payment of an unknown account (upsert)", REF_PAYMENT},
        {"account whose parent is unknown (upsert)", REF_ACCOUNT_PARENT},
        {"order line of an unknown account (order_insert)", REF_ORDER_ACCOUNT},
        /* An order line's product is not checked by the store: the caller guarantees it
         * (store.h, order_insert), as the import does, so REF_ORDER_PRODUCT is not a case. */
        {"parent set to an unknown account (set_parent)", REF_SET_PARENT},
        {"tag on an unknown account (tag_add)", REF_TAG},
    };
    int bad = 0;
    (void)state;

    struct orders_fx o = orders_fixture();
    int64_t ghost = o.b + o.p2 + 1000; /* neither an account nor a product */
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_err err;
        struct kam_counts before = counts(), after;
        int64_t lines_before = line_count(0);
        struct kam_order_line l;
        struct rec r;
        enum kam_put res;
        int64_t id;
        bool inserted;
        enum kam_rc rc = KAM_OK;

        CASE = c->name;
        kam_err_clear(&err);
        rec_init(&r);
        switch (c->op) {
        case REF_CONTACT:
            rec_int(&r, KAM_CON_ACCOUNT, ghost);
            rec_text(&r, KAM_CON_NAME, "Nobody");
            rc = OPS->upsert(ST, &kam_contacts, r.v, r.mask, &res, &id, &err);
            break;
        case REF_PAYMENT:
            rec_text(&r, KAM_PAY_INVOICE, "INV-X");
            rec_int(&r, KAM_PAY_ACCOUNT, ghost);
            rec_int(&r, KAM_PAY_AMOUNT, 100);
            rec_text(&r, KAM_PAY_ISSUED, "2024-01-01");
            rec_text(&r, KAM_PAY_DUE, "2024-02-01");
            rc = OPS->upsert(ST, &kam_payments, r.v, r.mask, &res, &id, &err);
            break;
        case REF_ACCOUNT_PARENT:
            rec_text(&r, KAM_ACC_CODE, "X");
            rec_text(&r, KAM_ACC_NAME, "Orphan");
            rec_int(&r, KAM_ACC_PARENT, ghost);
            rc = OPS->upsert(ST, &kam_accounts, r.v, r.mask, &res, &id, &err);
            break;
        case REF_ORDER_ACCOUNT:
            l = line("SO-X1", 1, ghost, o.p1, "2024-03-05", 1, 1, KAM_NONE);
            rc = OPS->order_insert(ST, &l, &inserted, &id, &err);
            break;
        case REF_ORDER_PRODUCT:
            l = line("SO-X2", 1, o.a, ghost, "2024-03-05", 1, 1, KAM_NONE);
            rc = OPS->order_insert(ST, &l, &inserted, &id, &err);
            break;
        case REF_SET_PARENT:
            rc = OPS->set_parent(ST, o.a, ghost, NULL, &err);
            if (!get(&kam_accounts, "A")->null[KAM_ACC_PARENT]) {
                print_error("case '%s': the parent was set\n", c->name);
                bad++;
            }
            break;
        case REF_TAG:
            rc = OPS->tag_add(ST, o.a + 1000, "ghost", "#000000", &err);
            break;
        }
        after = counts();
        if (rc == KAM_OK) {
            print_error("case '%s': accepted, want an error\n", c->name);
            bad++;
        }
        after.order_lines += line_count(0) - lines_before; /* lines without a rollup too */
        if (memcmp(&before, &after, sizeof(before)) != 0) {
            print_error("case '%s': left records behind (accounts %lld, contacts %lld, "
                        "payments %lld, order lines %lld, tags %lld)\n",
                        c->name, (long long)(after.accounts - before.accounts),
                        (long long)(after.contacts - before.contacts),
                        (long long)(after.payments - before.payments),
                        (long long)(after.order_lines - before.order_lines),
                        (long long)(after.tags - before.tags));
            bad++;
        }
    }
    CASE = NULL;
    CHECK_INT(bad, 0);
}

/* --- counts -------------------------------------------------------------------------------- */

static void test_counts(void **state)
{
    struct kam_err err;
    struct rec r;
    (void)state;

    struct kam_counts c = counts();
    CHECK_INT(c.accounts, 0);
    CHECK_INT(c.contacts, 0);
    CHECK_INT(c.products, 0);
    CHECK_INT(c.order_lines, 0);
    CHECK_INT(c.payments, 0);
    CHECK_INT(c.tags, 0);

    struct orders_fx o = orders_fixture(); /* 2 accounts, 2 products */
    product("P3", "Seal");
    rec_init(&r);
    rec_int(&r, KAM_CON_ACCOUNT, o.a);
    rec_text(&r, KAM_CON_NAME, "张伟");
    put(&kam_contacts, &r, KAM_PUT_INSERTED);
    put(&kam_contacts, &r, KAM_PUT_UNCHANGED);
    rec_init(&r);
    rec_text(&r, KAM_PAY_INVOICE, "INV-1");
    rec_int(&r, KAM_PAY_ACCOUNT, o.b);
    rec_int(&r, KAM_PAY_AMOUNT, 100);
    rec_text(&r, KAM_PAY_ISSUED, "2024-01-01");
    rec_text(&r, KAM_PAY_DUE, "2024-02-01");
    put(&kam_payments, &r, KAM_PUT_INSERTED);
    /* Lines with their rollup kept in step, as the import does; a line sent twice is one. */
    for (int k = 1; k <= 2; k++) {
        struct kam_order_line l = line("SO-1", k, o.a, o.p1, "2024-01-05", 1, 1, KAM_NONE);
        struct kam_rollup d = {0};
        insert(&l, true);
        assert_true(kam_rollup_add_line(&d, &l, 1));
        CHECK_OK(OPS->rollup_add(ST, o.a, 202401, &d, &err));
        insert(&l, false);
    }
    CHECK_OK(OPS->tag_add(ST, o.a, "vip", NULL, &err));
    CHECK_OK(OPS->tag_add(ST, o.b, "vip", NULL, &err));
    CHECK_OK(OPS->tag_add(ST, o.b, "new", NULL, &err));

    c = counts();
    CHECK_INT(c.accounts, 2);
    CHECK_INT(c.contacts, 1);
    CHECK_INT(c.products, 3);
    CHECK_INT(c.order_lines, 2);
    CHECK_INT(c.payments, 1);
    CHECK_INT(c.tags, 2);
}

/* --- identification engine: inputs (schema 2) ---------------------------------------------- */

/* Days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil). Computed here, not with
 * util/date, so that the store's conversion is checked against an independent one. */
static int64_t civil_days(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The day of an ISO date ("2024-03-05", a time after it ignored). */
static int64_t day_of(const char *iso)
{
    int y = 0, m = 0, d = 0;
    if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
        fail_msg("the test's date '%s' is not yyyy-mm-dd", iso);
    return civil_days(y, m, d);
}

/* The ISO date of a day (the inverse of civil_days), to show days in messages. */
static void day_str(int64_t z, char *buf, size_t n)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, n, "%04d-%02d-%02d", (int)(yoe + era * 400 + (m <= 2)), (int)m, (int)d);
}

/* Doubles equal bit for bit in value, NaN equal to NaN (the store keeps NaN as "none"). */
#define CHECK_DBL(got, want)                                                                       \
    do {                                                                                           \
        double gd_ = (got), wd_ = (want);                                                          \
        if (isnan(gd_) != isnan(wd_) || (!isnan(wd_) && gd_ != wd_))                               \
            FAIL("%s is %.17g, want %.17g", #got, gd_, wd_);                                       \
    } while (0)

/* Accounts named by letter: labels[k] is the account ids[k]; "?" when not among them. */
struct labels {
    const int64_t *ids;
    size_t n;
};

static char label_of(const struct labels *lb, int64_t id)
{
    for (size_t k = 0; k < lb->n; k++)
        if (lb->ids[k] == id)
            return (char)('A' + k);
    return '?';
}

/* What orders_range gave, as text: "A:2024-03-05+ B:2024-04-01-", account, order day, and '+'
 * for a purchase or '-' for an order without a line of positive quantity. */
struct seen_orders {
    const struct labels *lb;
    size_t n;
    char s[512];
};

static int order_day_cb(void *ctx, int64_t account_id, int64_t day, bool purchase)
{
    struct seen_orders *so = ctx;
    char date[48]; /* room for any int, which the compiler cannot rule out */
    size_t len = strlen(so->s);
    day_str(day, date, sizeof(date));
    snprintf(so->s + len, sizeof(so->s) - len, "%s%c:%s%c", so->n ? " " : "",
             label_of(so->lb, account_id), date, purchase ? '+' : '-');
    so->n++;
    return 0;
}

static struct seen_orders orders_range(const struct labels *lb, int64_t lo, int64_t hi)
{
    struct kam_err err;
    struct seen_orders so = {.lb = lb};
    CHECK_OK(ST->ops->orders_range(ST, lo, hi, order_day_cb, &so, &err));
    return so;
}

/* An order's day is its earliest line's day; it is a purchase once any line has quantity > 0.
 * Each step writes one line and checks that account's orders; the steps of an account build on
 * each other, through transactions, a reopen, other orders in between and order_update. */
static void test_orders_range_day_and_purchase(void **state)
{
    enum step_op { INS, DUP, UPD, BEGIN, COMMIT, REOPEN };
    static const struct step {
        const char *name;
        enum step_op op;
        int account; /* 0 A .. 4 E */
        const char *order_id;
        int64_t line_no;
        const char *date;
        kam_money qty;
        const char *want; /* the account's orders after the step */
    } steps[] = {
        {"first line with a time: its date is the day", INS, 0, "SO-A1", 1, "2024-03-05T23:59:00",
         10000, "A:2024-03-05+"},
        {"a later line keeps the day", INS, 0, "SO-A1", 2, "2024-03-09", 20000, "A:2024-03-05+"},
        {"an earlier line moves the day, a return too", INS, 0, "SO-A1", 3, "2024-02-28", -10000,
         "A:2024-02-28+"},
        {"a line sent again (not inserted) changes nothing", DUP, 0, "SO-A1", 1, "2024-01-01",
         10000, "A:2024-02-28+"},

        {NULL, BEGIN, 1, NULL, 0, NULL, 0, NULL},
        {"a return-only order is not a purchase", INS, 1, "SO-B1", 1, "2024-04-01", -10000,
         "B:2024-04-01-"},
        {"a line of quantity zero is no purchase", INS, 1, "SO-B1", 2, "2024-04-02", 0,
         "B:2024-04-01-"},
        {"a positive line in the same transaction makes it a purchase", INS, 1, "SO-B1", 3,
         "2024-04-03", 10000, "B:2024-04-01+"},
        {"committed", COMMIT, 1, NULL, 0, NULL, 0, "B:2024-04-01+"},

        {NULL, BEGIN, 2, NULL, 0, NULL, 0, NULL},
        {"a return-only order, committed", INS, 2, "SO-C1", 1, "2024-05-01", -10000,
         "C:2024-05-01-"},
        {NULL, COMMIT, 2, NULL, 0, NULL, 0, NULL},
        {NULL, BEGIN, 2, NULL, 0, NULL, 0, NULL},
        {"a positive line in a later transaction makes it a purchase", INS, 2, "SO-C1", 2,
         "2024-05-06", 10000, "C:2024-05-01+"},
        {"committed later", COMMIT, 2, NULL, 0, NULL, 0, "C:2024-05-01+"},

        {"a return-only order before reopening", INS, 3, "SO-D1", 1, "2024-06-10", -10000,
         "D:2024-06-10-"},
        {"reopened", REOPEN, 3, NULL, 0, NULL, 0, "D:2024-06-10-"},
        {"a positive line after reopening makes it a purchase", INS, 3, "SO-D1", 2, "2024-06-12",
         10000, "D:2024-06-10+"},
        {"another order in between", INS, 3, "SO-D2", 1, "2024-06-01", -10000,
         "D:2024-06-01- D:2024-06-10+"},
        {"back to the first order: an earlier line moves its day", INS, 3, "SO-D1", 3, "2024-05-30",
         10000, "D:2024-05-30+ D:2024-06-01-"},
        {"back to the second order: a purchase now", INS, 3, "SO-D2", 2, "2024-06-15", 20000,
         "D:2024-05-30+ D:2024-06-01+"},

        {"the only positive line", INS, 4, "SO-E1", 1, "2024-07-10", 10000, "E:2024-07-10+"},
        {"and a later return", INS, 4, "SO-E1", 2, "2024-07-12", -10000, "E:2024-07-10+"},
        {"update of the only positive line to a return clears purchase", UPD, 4, "SO-E1", 1,
         "2024-07-10", -10000, "E:2024-07-10-"},
        {"update of the earliest line's date to later moves the day to the next line", UPD, 4,
         "SO-E1", 1, "2024-07-20", -10000, "E:2024-07-12-"},
        {"update of a line's date to earlier moves the day", UPD, 4, "SO-E1", 1, "2024-07-01",
         -10000, "E:2024-07-01-"},
        {"a positive line inserted after updates", INS, 4, "SO-E1", 3, "2024-07-25", 10000,
         "E:2024-07-01+"},
        {"updated to a return again", UPD, 4, "SO-E1", 3, "2024-07-25", -20000, "E:2024-07-01-"},
        {"a return updated to a sale", UPD, 4, "SO-E1", 2, "2024-07-12", 30000, "E:2024-07-01+"},
    };
    struct kam_err err;
    int64_t ids[5];
    struct labels lb = {ids, 5};
    (void)state;

    for (int k = 0; k < 5; k++) {
        char code[2] = {(char)('A' + k), '\0'};
        ids[k] = account(code, "name");
    }
    int64_t p = product("P1", "Pump");
    CHECK_INT(orders_range(&lb, 0, INT64_MAX).n, 0);
    for (size_t k = 0; k < NCASES(steps); k++) {
        const struct step *s = &steps[k];
        int64_t a = ids[s->account];
        char name[160];
        snprintf(name, sizeof(name), "step %zu, %s", k + 1, s->name ? s->name : "");
        CASE = name;
        struct kam_order_line l = line(s->order_id, s->line_no, a, p, s->date, s->qty, 10000, 0);
        switch (s->op) {
        case INS:
        case DUP:
            insert(&l, s->op == INS);
            break;
        case UPD:
            CHECK_OK(OPS->order_update(ST, find(s->order_id, s->line_no).id, &l, &err));
            break;
        case BEGIN:
            CHECK_OK(OPS->begin(ST, &err));
            break;
        case COMMIT:
            CHECK_OK(OPS->commit(ST, &err));
            break;
        case REOPEN:
            reopen();
            break;
        }
        if (s->want != NULL)
            CHECK_STR(orders_range(&lb, a, a).s, s->want);
    }
    CASE = "everything after reopening";
    reopen();
    CHECK_STR(orders_range(&lb, 0, INT64_MAX).s,
              "A:2024-02-28+ B:2024-04-01+ C:2024-05-01+ D:2024-05-30+ D:2024-06-01+ "
              "E:2024-07-01+");
}

static void test_orders_range_bounds_and_order(void **state)
{
    static const struct {
        int account; /* 0 A .. 3 D */
        const char *order_id, *date;
        kam_money qty;
    } orders[] = {
        /* Out of account and day order; B has none. */
        {2, "SO-1", "2024-03-01", 10000},  {0, "SO-2", "2024-05-01", 10000},
        {0, "SO-3", "2024-01-15", -10000}, {3, "SO-4", "2024-02-01T08:00:00", 10000},
        {2, "SO-5", "2023-12-31", 10000},  {0, "SO-6", "2024-03-01", 10000},
    };
    static const struct case_ {
        const char *name;
        int lo, hi; /* account index, or -1: 0, 9: INT64_MAX, 4: one past D */
        const char *want;
    } cases[] = {
        {"all accounts, by account then day", -1, 9,
         "A:2024-01-15- A:2024-03-01+ A:2024-05-01+ C:2023-12-31+ C:2024-03-01+ D:2024-02-01+"},
        {"bounds are inclusive", 1, 2, "C:2023-12-31+ C:2024-03-01+"},
        {"one account", 0, 0, "A:2024-01-15- A:2024-03-01+ A:2024-05-01+"},
        {"an account without orders", 1, 1, ""},
        {"the last account up", 3, 9, "D:2024-02-01+"},
        {"above every account", 4, 9, ""},
        {"lo after hi", 2, 1, ""},
    };
    int64_t ids[4];
    struct labels lb = {ids, 4};
    (void)state;

    for (int k = 0; k < 4; k++) {
        char code[2] = {(char)('A' + k), '\0'};
        ids[k] = account(code, "name");
    }
    int64_t p = product("P1", "Pump");
    for (size_t k = 0; k < NCASES(orders); k++) {
        struct kam_order_line l = line(orders[k].order_id, 1, ids[orders[k].account], p,
                                       orders[k].date, orders[k].qty, 10000, KAM_NONE);
        insert(&l, true);
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < NCASES(cases); k++) {
            const struct case_ *c = &cases[k];
            char name[128];
            int64_t lo = c->lo < 0 ? 0 : c->lo == 4 ? ids[3] + 1 : ids[c->lo];
            int64_t hi = c->hi == 9 ? INT64_MAX : ids[c->hi];
            snprintf(name, sizeof(name), "%s%s", c->name, pass ? ", after reopening" : "");
            CASE = name;
            CHECK_STR(orders_range(&lb, lo, hi).s, c->want);
        }
        CASE = NULL;
        reopen();
    }
}

/* What products_range gave. */
struct aprods {
    size_t n;
    bool overflow;
    struct {
        int64_t account, product;
        char category[32];
        bool no_category;
        int first_month;
        struct kam_rollup r;
    } p[MAXROWS];
};

static int aprod_cb(void *ctx, int64_t account_id, int64_t product_id, const char *category,
                    int first_month, const struct kam_rollup *r)
{
    struct aprods *ps = ctx;
    if (ps->n == MAXROWS) {
        ps->overflow = true;
        return 1;
    }
    ps->p[ps->n].account = account_id;
    ps->p[ps->n].product = product_id;
    copy(ps->p[ps->n].category, sizeof(ps->p[0].category), category);
    ps->p[ps->n].no_category = category == NULL;
    ps->p[ps->n].first_month = first_month;
    ps->p[ps->n++].r = *r;
    return 0;
}

static struct aprods aprods(int64_t lo, int64_t hi)
{
    struct kam_err err;
    struct aprods ps = {0};
    CHECK_OK(ST->ops->products_range(ST, lo, hi, aprod_cb, &ps, &err));
    CHECK(!ps.overflow);
    return ps;
}

static int64_t product_in(const char *sku, const char *category)
{
    struct rec r;
    rec_init(&r);
    rec_text(&r, KAM_PRO_SKU, sku);
    rec_text(&r, KAM_PRO_NAME, sku);
    if (category != NULL)
        rec_text(&r, KAM_PRO_CATEGORY, category);
    return put(&kam_products, &r, KAM_PUT_INSERTED);
}

/* The one cell of account a and product p, which must exist. */
static void check_aprod(int64_t a, int64_t p, int first_month, const struct kam_rollup *want)
{
    struct aprods ps = aprods(a, a);
    size_t j = 0;
    while (j < ps.n && ps.p[j].product != p)
        j++;
    if (j == ps.n) {
        FAIL("no cell for product %lld", (long long)p);
        return;
    }
    CHECK_INT(ps.p[j].account, a);
    CHECK_INT(ps.p[j].first_month, first_month);
    CHECK_ROLLUP(&ps.p[j].r, want);
}

static struct kam_rollup plus(const struct kam_rollup *x, const struct kam_rollup *y)
{
    struct kam_rollup r = *x;
    assert_true(kam_rollup_merge(&r, y));
    return r;
}

static void test_product_add_accumulates(void **state)
{
    struct kam_err err;
    static const struct kam_rollup sale = {1000000, 600000, 1000000, 20000, 0, 50000, 1};
    static const struct kam_rollup ret = {-250000, -150000, -250000, -5000, -250000, 0, 1};
    const struct kam_rollup two = scaled(&sale, 2), two_ret = plus(&two, &ret);
    const struct kam_rollup three_ret = plus(&two_ret, &sale);
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta");
    int64_t p1 = product_in("P1", "pumps"), p2 = product_in("P2", NULL);

    CASE = "a new cell takes the delta and the first month";
    CHECK_INT(aprods(0, INT64_MAX).n, 0);
    CHECK_OK(OPS->product_add(ST, a, p1, 202403, &sale, &err));
    struct aprods ps = aprods(a, a);
    CHECK_INT(ps.n, 1);
    CHECK_INT(ps.p[0].product, p1);
    CHECK_STR(ps.p[0].category, "pumps");
    CHECK(!ps.p[0].no_category);
    check_aprod(a, p1, 202403, &sale);

    CASE = "a later month adds, the first month stays";
    CHECK_OK(OPS->product_add(ST, a, p1, 202405, &sale, &err));
    check_aprod(a, p1, 202403, &two);

    CASE = "first month 0 (no purchase line) does not lower it";
    CHECK_OK(OPS->product_add(ST, a, p1, 0, &ret, &err));
    check_aprod(a, p1, 202403, &two_ret);

    CASE = "an earlier month lowers it, across a year end";
    CHECK_OK(OPS->product_add(ST, a, p1, 202311, &sale, &err));
    check_aprod(a, p1, 202311, &three_ret);

    CASE = "a return-only cell has first month 0";
    CHECK_OK(OPS->product_add(ST, a, p2, 0, &ret, &err));
    check_aprod(a, p2, 0, &ret);
    ps = aprods(a, a);
    CHECK_INT(ps.n, 2);
    for (size_t k = 0; k < ps.n; k++)
        if (ps.p[k].product == p2)
            CHECK(ps.p[k].no_category);

    CASE = "the first purchase replaces first month 0";
    CHECK_OK(OPS->product_add(ST, a, p2, 202406, &sale, &err));
    const struct kam_rollup ret_sale = plus(&ret, &sale);
    check_aprod(a, p2, 202406, &ret_sale);

    CASE = "another account's cell of the same product is its own";
    CHECK_OK(OPS->product_add(ST, b, p1, 202401, &ret, &err));
    check_aprod(b, p1, 202401, &ret);
    check_aprod(a, p1, 202311, &three_ret);

    CASE = "after reopening";
    reopen();
    check_aprod(a, p1, 202311, &three_ret);
    check_aprod(a, p2, 202406, &ret_sale);
    check_aprod(b, p1, 202401, &ret);
    CHECK_INT(aprods(0, INT64_MAX).n, 3);
}

static void test_product_add_zero_removes_cell(void **state)
{
    struct kam_err err;
    static const struct kam_rollup sale = {1000000, 600000, 1000000, 20000, 0, 50000, 1};
    const struct kam_rollup undo = scaled(&sale, -1);
    static const struct kam_rollup credit = {.revenue = -70000, .returns = -70000};
    const struct kam_rollup uncredit = scaled(&credit, -1);
    (void)state;

    int64_t a = account("A", "Acme");
    int64_t p1 = product_in("P1", "pumps"), p2 = product_in("P2", "valves");

    CASE = "a delta back to all zeros removes the cell";
    CHECK_OK(OPS->product_add(ST, a, p1, 202403, &sale, &err));
    CHECK_OK(OPS->product_add(ST, a, p2, 202403, &sale, &err));
    CHECK_OK(OPS->product_add(ST, a, p1, 0, &undo, &err));
    struct aprods ps = aprods(a, a);
    CHECK_INT(ps.n, 1);
    CHECK_INT(ps.p[0].product, p2);

    CASE = "a removed cell leaves nothing: its first month starts again";
    CHECK_OK(OPS->product_add(ST, a, p1, 202408, &sale, &err));
    check_aprod(a, p1, 202408, &sale);

    CASE = "a cell whose lines are back to zero but whose revenue is not is kept";
    CHECK_OK(OPS->product_add(ST, a, p1, 0, &credit, &err));
    CHECK_OK(OPS->product_add(ST, a, p1, 0, &undo, &err));
    ps = aprods(a, a);
    CHECK_INT(ps.n, 2);
    for (size_t k = 0; k < ps.n; k++)
        if (ps.p[k].product == p1)
            CHECK_ROLLUP(&ps.p[k].r, &credit);

    CASE = "a delta without lines that brings a cell to all zeros removes it";
    CHECK_OK(OPS->product_add(ST, a, p1, 0, &uncredit, &err));
    ps = aprods(a, a);
    CHECK_INT(ps.n, 1);
    CHECK_INT(ps.p[0].product, p2);
    CHECK_OK(OPS->product_add(ST, a, p2, 0, &undo, &err));
    CHECK_INT(aprods(0, INT64_MAX).n, 0);
    reopen();
    CHECK_INT(aprods(0, INT64_MAX).n, 0);
}

/* products_range orders by account, category, product. Where cells without a category go is
 * not fixed by store.h (SQLite sorts NULL first, PostgreSQL last), so both are accepted; they
 * must stay together. */
static void test_products_range_order(void **state)
{
    static const struct {
        const char *sku, *category;
    } pros[] = {
        {"P1", "valves"}, {"P2", "pumps"}, {"P3", NULL}, {"P4", "pumps"}, {"P5", "bearings"},
    };
    static const struct {
        int account, product; /* 0-based */
    } cells_[] = {
        {0, 0}, {0, 2}, {0, 3}, {2, 0}, {0, 1}, {1, 2}, {0, 4}, {1, 1},
    };
    static const struct case_ {
        const char *name;
        int lo, hi;                           /* account index; -1: 0, 9: INT64_MAX */
        const char *nulls_first, *nulls_last; /* "A:P5/bearings ... A:P3/-" */
    } cases[] = {
        {"all accounts", -1, 9,
         "A:P3/- A:P5/bearings A:P2/pumps A:P4/pumps A:P1/valves B:P3/- B:P2/pumps C:P1/valves",
         "A:P5/bearings A:P2/pumps A:P4/pumps A:P1/valves A:P3/- B:P2/pumps B:P3/- C:P1/valves"},
        {"one account", 0, 0, "A:P3/- A:P5/bearings A:P2/pumps A:P4/pumps A:P1/valves",
         "A:P5/bearings A:P2/pumps A:P4/pumps A:P1/valves A:P3/-"},
        {"bounds are inclusive", 1, 2, "B:P3/- B:P2/pumps C:P1/valves",
         "B:P2/pumps B:P3/- C:P1/valves"},
        {"lo after hi", 2, 1, "", ""},
    };
    static const struct kam_rollup sale = {.revenue = 10000, .quantity = 10000, .lines = 1};
    struct kam_err err;
    int64_t acc[3], pro[5];
    struct labels lb = {acc, 3};
    (void)state;

    acc[0] = account("A", "Acme");
    acc[1] = account("B", "Beta");
    acc[2] = account("C", "Gamma");
    for (size_t k = 0; k < NCASES(pros); k++)
        pro[k] = product_in(pros[k].sku, pros[k].category);
    for (size_t k = 0; k < NCASES(cells_); k++)
        CHECK_OK(OPS->product_add(ST, acc[cells_[k].account], pro[cells_[k].product], 202401, &sale,
                                  &err));
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        char got[256] = "";
        CASE = c->name;
        struct aprods ps = aprods(c->lo < 0 ? 0 : acc[c->lo], c->hi == 9 ? INT64_MAX : acc[c->hi]);
        for (size_t i = 0; i < ps.n; i++) {
            size_t j = 0;
            while (j < NCASES(pros) && pro[j] != ps.p[i].product)
                j++;
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%c:%s/%s", i ? " " : "",
                     label_of(&lb, ps.p[i].account), j < NCASES(pros) ? pros[j].sku : "?",
                     ps.p[i].no_category ? "-" : ps.p[i].category);
            if (j < NCASES(pros) && pros[j].category != NULL)
                CHECK_STR(ps.p[i].category, pros[j].category);
        }
        if (strcmp(got, c->nulls_first) != 0 && strcmp(got, c->nulls_last) != 0)
            FAIL("got '%s', want '%s' (or '%s')", got, c->nulls_first, c->nulls_last);
    }
}

/* product_cells_range: the cells of products_range without the category, by account then
 * product; a second connection from reopen sees the same committed cells. */
struct pcells {
    size_t n;
    char text[256];
};

static int pcell_cb(void *ctx, int64_t account_id, int64_t product_id, int first_month,
                    int64_t lines)
{
    struct pcells *c = ctx;
    size_t len = strlen(c->text);
    snprintf(c->text + len, sizeof(c->text) - len, "%s%lld/%lld/%d/%lld", c->n++ ? " " : "",
             (long long)account_id, (long long)product_id, first_month, (long long)lines);
    return 0;
}

static void test_product_cells_range_and_reopen(void **state)
{
    static const struct kam_rollup sale = {.revenue = 10000, .quantity = 10000, .lines = 1};
    static const struct kam_rollup ret = {.revenue = -10000, .quantity = -10000, .lines = 1};
    struct kam_err err;
    char want[256];
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta");
    int64_t p1 = product_in("P1", "pumps"), p2 = product_in("P2", NULL);
    CHECK_OK(OPS->product_add(ST, b, p1, 202403, &sale, &err));
    CHECK_OK(OPS->product_add(ST, a, p2, 202402, &sale, &err));
    CHECK_OK(OPS->product_add(ST, a, p1, 202401, &sale, &err));
    CHECK_OK(OPS->product_add(ST, a, p1, 0, &ret, &err));       /* a return: first month kept */
    CHECK_OK(OPS->product_add(ST, a, p2, 202312, &sale, &err)); /* an earlier month lowers it */
    snprintf(want, sizeof(want), "%lld/%lld/202401/2 %lld/%lld/202312/2 %lld/%lld/202403/1",
             (long long)a, (long long)p1, (long long)a, (long long)p2, (long long)b, (long long)p1);

    struct pcells all = {0}, one = {0}, none = {0}, again = {0};
    CHECK_OK(OPS->product_cells_range(ST, 0, INT64_MAX, pcell_cb, &all, &err));
    CHECK_STR(all.text, want);
    CHECK_OK(OPS->product_cells_range(ST, b, b, pcell_cb, &one, &err));
    CHECK_INT(one.n, 1);
    CHECK_OK(OPS->product_cells_range(ST, b, a, pcell_cb, &none, &err));
    CHECK_INT(none.n, 0);

    struct kam_store *second = NULL;
    CHECK_OK(OPS->reopen(ST, &second, &err));
    if (second != NULL) {
        CHECK_OK(second->ops->product_cells_range(second, 0, INT64_MAX, pcell_cb, &again, &err));
        CHECK_STR(again.text, want);
        kam_store_close(second);
    }
}

/* data_version: unchanged by this connection's own commits, changed by another's. */
static void test_data_version(void **state)
{
    struct kam_err err;
    int64_t v0 = 0, v1 = 0, v2 = 0, version = 0;
    struct kam_store *second = NULL;
    (void)state;

    CHECK_OK(OPS->data_version(ST, &v0, &err));
    (void)account("A", "Acme");
    CHECK_OK(OPS->data_version(ST, &v1, &err));
    CHECK_INT(v1, v0);
    CHECK_OK(OPS->reopen(ST, &second, &err));
    if (second == NULL)
        return;
    CHECK_OK(second->ops->model_save(second, "other", "{}", &version, &err));
    CHECK_OK(OPS->data_version(ST, &v2, &err));
    CHECK(v2 != v1);
    kam_store_close(second);
}

/* The stamp moves with every write, through this connection or another, and not with reads;
 * inside a transaction it is not known. */
static void test_stamp(void **state)
{
    struct kam_err err;
    struct kam_stamp a, b, c;
    struct kam_store *second = NULL;
    int64_t version = 0, n = 0;
    (void)state;

    CHECK_OK(OPS->stamp(ST, &a, &err));
    CHECK(a.known);
    CHECK_OK(OPS->stamp(ST, &b, &err));
    CHECK(kam_stamp_same(&a, &b)); /* nothing happened */
    struct kam_account_query all = {0};
    CHECK_OK(OPS->account_count(ST, &all, &n, &err));
    CHECK_OK(OPS->stamp(ST, &b, &err));
    CHECK(kam_stamp_same(&a, &b)); /* a read */
    (void)account("A", "Acme");
    CHECK_OK(OPS->stamp(ST, &b, &err));
    CHECK(!kam_stamp_same(&a, &b)); /* a write through this connection */

    CHECK_OK(OPS->begin(ST, &err));
    CHECK_OK(OPS->stamp(ST, &c, &err));
    CHECK(!c.known);
    CHECK(!kam_stamp_same(&c, &c)); /* unknown is never the same, not even as itself */
    CHECK_OK(OPS->rollback(ST, &err));

    CHECK_OK(OPS->reopen(ST, &second, &err));
    if (second == NULL)
        return;
    CHECK_OK(OPS->stamp(ST, &b, &err));
    CHECK_OK(second->ops->model_save(second, "other", "{}", &version, &err));
    CHECK_OK(OPS->stamp(ST, &c, &err));
    CHECK(!kam_stamp_same(&b, &c)); /* a write through another connection */
    kam_store_close(second);
}

static void test_months_range(void **state)
{
    static const struct {
        int account; /* 0 A, 2 C; B has no cells */
        int month;
    } cells_[] = {
        {0, 202401}, {2, 202402}, {0, 202312}, {0, 202406}, {2, 201912},
    };
    static const struct case_ {
        const char *name;
        int lo, hi; /* account index; -1: 0, 9: INT64_MAX */
        const char *want;
    } cases[] = {
        {"all accounts, by account then month", -1, 9, "A202312 A202401 A202406 C201912 C202402"},
        {"one account", 0, 0, "A202312 A202401 A202406"},
        {"bounds are inclusive", 1, 2, "C201912 C202402"},
        {"an account without cells", 1, 1, ""},
        {"lo after hi", 2, 0, ""},
    };
    struct kam_err err;
    int64_t ids[3];
    struct labels lb = {ids, 3};
    (void)state;

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    ids[2] = account("C", "Gamma");
    for (size_t k = 0; k < NCASES(cells_); k++) {
        /* revenue identifies the cell */
        struct kam_rollup d = {.revenue = cells_[k].month * 10 + cells_[k].account, .lines = 1};
        CHECK_OK(OPS->rollup_add(ST, ids[cells_[k].account], cells_[k].month, &d, &err));
    }
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct cells cs = {0};
        char got[256] = "";
        CASE = c->name;
        CHECK_OK(OPS->months_range(ST, c->lo < 0 ? 0 : ids[c->lo],
                                   c->hi == 9 ? INT64_MAX : ids[c->hi], cell_cb, &cs, &err));
        CHECK(!cs.overflow);
        for (size_t i = 0; i < cs.n; i++) {
            char l = label_of(&lb, cs.c[i].account);
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%c%d", i ? " " : "", l,
                     cs.c[i].month);
            CHECK_INT(cs.c[i].r.revenue, cs.c[i].month * 10 + (l - 'A'));
            CHECK_INT(cs.c[i].r.lines, 1);
        }
        CHECK_STR(got, c->want);
    }
}

/* What invoices_range gave. */
struct invs {
    size_t n;
    bool overflow;
    struct {
        int64_t account;
        kam_money amount, paid_amount;
        int64_t issued, due, paid;
    } v[MAXROWS];
};

static int inv_cb(void *ctx, int64_t account_id, kam_money amount, kam_money paid_amount,
                  int64_t issued, int64_t due, int64_t paid)
{
    struct invs *is = ctx;
    if (is->n == MAXROWS) {
        is->overflow = true;
        return 1;
    }
    is->v[is->n].account = account_id;
    is->v[is->n].amount = amount;
    is->v[is->n].paid_amount = paid_amount;
    is->v[is->n].issued = issued;
    is->v[is->n].due = due;
    is->v[is->n++].paid = paid;
    return 0;
}

static void test_invoices_range(void **state)
{
    /* Amounts are distinct: they identify the invoice (the order within an account is not
     * part of the contract). */
    static const struct pay {
        const char *invoice;
        int account; /* 0 A .. 2 C */
        kam_money amount;
        const char *issued, *due, *paid; /* paid NULL: unpaid */
        kam_money paid_amount;           /* KAM_NONE: not given */
    } pays[] = {
        {"INV-1", 0, 1000000, "2024-01-31", "2024-03-01", NULL, KAM_NONE},
        {"INV-2", 1, 52500, "2024-02-01T09:30:00", "2024-02-29", "2024-02-20", 52500},
        {"INV-3", 0, -20000, "2024-02-15", "2024-02-15", "2024-02-15T17:05:00", KAM_NONE},
        {"INV-4", 2, 70000, "2023-12-31", "2024-01-30", "2024-03-01", 30000},
        {"INV-5", 0, 40000, "2024-03-01", "2024-03-31", NULL, 0}, /* 0 is not "not given" */
    };
    static const struct case_ {
        const char *name;
        int lo, hi;       /* account index; -1: 0, 9: INT64_MAX */
        const char *want; /* the accounts of the invoices visited, in order */
    } cases[] = {
        {"all accounts", -1, 9, "AAABC"},
        {"one account", 0, 0, "AAA"},
        {"bounds are inclusive", 1, 2, "BC"},
        {"above every account", 9, 9, ""},
        {"lo after hi", 2, 1, ""},
    };
    struct kam_err err;
    int64_t ids[3];
    struct labels lb = {ids, 3};
    (void)state;

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    ids[2] = account("C", "Gamma");
    struct invs is = {0};
    CHECK_OK(OPS->invoices_range(ST, 0, INT64_MAX, inv_cb, &is, &err));
    CHECK_INT(is.n, 0);
    for (size_t k = 0; k < NCASES(pays); k++) {
        struct rec r;
        rec_init(&r);
        rec_text(&r, KAM_PAY_INVOICE, pays[k].invoice);
        rec_int(&r, KAM_PAY_ACCOUNT, ids[pays[k].account]);
        rec_int(&r, KAM_PAY_AMOUNT, pays[k].amount);
        rec_text(&r, KAM_PAY_ISSUED, pays[k].issued);
        rec_text(&r, KAM_PAY_DUE, pays[k].due);
        if (pays[k].paid)
            rec_text(&r, KAM_PAY_PAID, pays[k].paid);
        if (pays[k].paid_amount != KAM_NONE)
            rec_int(&r, KAM_PAY_PAID_AMOUNT, pays[k].paid_amount);
        put(&kam_payments, &r, KAM_PUT_INSERTED);
    }
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        char got[32] = "";
        CASE = c->name;
        memset(&is, 0, sizeof(is));
        CHECK_OK(OPS->invoices_range(ST,
                                     c->lo < 0    ? 0
                                     : c->lo == 9 ? INT64_MAX
                                                  : ids[c->lo],
                                     c->hi == 9 ? INT64_MAX : ids[c->hi], inv_cb, &is, &err));
        CHECK(!is.overflow);
        for (size_t i = 0; i < is.n && i + 1 < sizeof(got); i++) {
            const struct pay *p = NULL;
            got[i] = label_of(&lb, is.v[i].account);
            for (size_t j = 0; j < NCASES(pays); j++)
                if (pays[j].amount == is.v[i].amount)
                    p = &pays[j];
            if (p == NULL) {
                FAIL("unknown invoice of amount %lld", (long long)is.v[i].amount);
                continue;
            }
            CASE = p->invoice;
            CHECK_INT(is.v[i].account, ids[p->account]);
            CHECK_INT(is.v[i].issued, day_of(p->issued));
            CHECK_INT(is.v[i].due, day_of(p->due));
            CHECK_INT(is.v[i].paid, p->paid ? day_of(p->paid) : KAM_NONE);
            CHECK_INT(is.v[i].paid_amount, p->paid_amount);
            CASE = c->name;
        }
        CHECK_STR(got, c->want);
    }

    CASE = "an invoice paid later, through upsert";
    struct rec r;
    rec_init(&r);
    rec_text(&r, KAM_PAY_INVOICE, "INV-1");
    rec_text(&r, KAM_PAY_PAID, "2024-03-05");
    rec_int(&r, KAM_PAY_PAID_AMOUNT, 1000000);
    put(&kam_payments, &r, KAM_PUT_UPDATED);
    reopen();
    memset(&is, 0, sizeof(is));
    CHECK_OK(OPS->invoices_range(ST, ids[0], ids[0], inv_cb, &is, &err));
    CHECK_INT(is.n, 3);
    bool seen = false;
    for (size_t i = 0; i < is.n; i++) {
        if (is.v[i].amount != 1000000)
            continue;
        seen = true;
        CHECK_INT(is.v[i].paid, day_of("2024-03-05"));
        CHECK_INT(is.v[i].paid_amount, 1000000);
        CHECK_INT(is.v[i].issued, day_of("2024-01-31"));
    }
    CHECK(seen);
}

static void test_extent(void **state)
{
    static const struct {
        int account;
        const char *order_id, *date;
    } orders[] = {
        {0, "SO-1", "2024-03-05"},
        {1, "SO-2", "2024-06-30T18:00:00"},
        {0, "SO-3", "2024-04-01"},
    };
    struct kam_err err;
    int64_t last = -1, max = -1, ids[3];
    (void)state;

    CASE = "an empty store";
    CHECK_OK(OPS->extent(ST, &last, &max, &err));
    CHECK_INT(last, 0);
    CHECK_INT(max, 0);

    CASE = "accounts without orders";
    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    CHECK_OK(OPS->extent(ST, &last, &max, &err));
    CHECK_INT(last, 0);
    CHECK_INT(max, ids[1]);

    CASE = "orders, the last not inserted last";
    int64_t p = product("P1", "Pump");
    for (size_t k = 0; k < NCASES(orders); k++) {
        struct kam_order_line l = line(orders[k].order_id, 1, ids[orders[k].account], p,
                                       orders[k].date, 10000, 10000, KAM_NONE);
        insert(&l, true);
    }
    CHECK_OK(OPS->extent(ST, &last, &max, &err));
    CHECK_INT(last, day_of("2024-06-30"));
    CHECK_INT(max, ids[1]);

    CASE = "a newer account without orders";
    ids[2] = account("C", "Gamma");
    CHECK_OK(OPS->extent(ST, &last, &max, &err));
    CHECK_INT(last, day_of("2024-06-30"));
    CHECK_INT(max, ids[2]);

    CASE = "the last order's date updated to earlier";
    struct kam_order_line l = line("SO-2", 1, ids[1], p, "2024-02-01", 10000, 10000, KAM_NONE);
    CHECK_OK(OPS->order_update(ST, find("SO-2", 1).id, &l, &err));
    CHECK_OK(OPS->extent(ST, &last, &max, &err));
    CHECK_INT(last, day_of("2024-04-01"));

    CASE = "after reopening";
    reopen();
    last = max = -1;
    CHECK_OK(OPS->extent(ST, &last, &max, &err));
    CHECK_INT(last, day_of("2024-04-01"));
    CHECK_INT(max, ids[2]);
}

/* --- identification engine: ratings, models, pins ------------------------------------------ */

struct ratings {
    size_t n;
    bool overflow;
    struct {
        int64_t account;
        char name[32], note[64];
        bool note_null;
        double value;
    } r[MAXROWS];
};

static int rating_cb(void *ctx, int64_t account_id, const char *name, double value,
                     const char *note)
{
    struct ratings *rs = ctx;
    if (rs->n == MAXROWS) {
        rs->overflow = true;
        return 1;
    }
    rs->r[rs->n].account = account_id;
    copy(rs->r[rs->n].name, sizeof(rs->r[0].name), name);
    copy(rs->r[rs->n].note, sizeof(rs->r[0].note), note);
    rs->r[rs->n].note_null = note == NULL;
    rs->r[rs->n++].value = value;
    return 0;
}

static struct ratings ratings(int64_t account_id)
{
    struct kam_err err;
    struct ratings rs = {0};
    CHECK_OK(ST->ops->rating_each(ST, account_id, rating_cb, &rs, &err));
    CHECK(!rs.overflow);
    return rs;
}

/* Rating i of rs is (account, name, value, note); note NULL: none. */
static void check_rating(const struct ratings *rs, size_t i, int64_t account, const char *name,
                         double value, const char *note)
{
    if (i >= rs->n) {
        FAIL("rating %zu ('%s') missing: only %zu", i, name, rs->n);
        return;
    }
    CHECK_INT(rs->r[i].account, account);
    CHECK_STR(rs->r[i].name, name);
    CHECK_DBL(rs->r[i].value, value);
    if (note == NULL) {
        if (!rs->r[i].note_null)
            FAIL("rating '%s' has note '%s', want none", name, rs->r[i].note);
    } else {
        CHECK(!rs->r[i].note_null);
        CHECK_STR(rs->r[i].note, note);
    }
}

static void test_ratings(void **state)
{
    struct kam_err err;
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta"), c = account("C", "Gamma");
    CHECK_INT(ratings(0).n, 0);
    CHECK_OK(OPS->rating_set(ST, b, "access", 2.25, "only through the dealer", &err));
    CHECK_OK(OPS->rating_set(ST, a, "strategic_fit", 4.5, "董事会认可", &err));
    CHECK_OK(OPS->rating_set(ST, a, "access", 0.1, NULL, &err));

    CASE = "every account, by account then name";
    struct ratings rs = ratings(0);
    CHECK_INT(rs.n, 3);
    check_rating(&rs, 0, a, "access", 0.1, NULL);
    check_rating(&rs, 1, a, "strategic_fit", 4.5, "董事会认可");
    check_rating(&rs, 2, b, "access", 2.25, "only through the dealer");

    CASE = "one account";
    rs = ratings(b);
    CHECK_INT(rs.n, 1);
    check_rating(&rs, 0, b, "access", 2.25, "only through the dealer");
    CHECK_INT(ratings(c).n, 0);

    CASE = "set again: value and note replaced";
    CHECK_OK(OPS->rating_set(ST, a, "access", 3.75, "met the CEO", &err));
    rs = ratings(a);
    CHECK_INT(rs.n, 2);
    check_rating(&rs, 0, a, "access", 3.75, "met the CEO");

    CASE = "set again without a note: the note is gone";
    CHECK_OK(OPS->rating_set(ST, a, "access", 1.5, NULL, &err));
    rs = ratings(a);
    check_rating(&rs, 0, a, "access", 1.5, NULL);

    CASE = "zero is a rating, not its absence";
    CHECK_OK(OPS->rating_set(ST, c, "access", 0, NULL, &err));
    rs = ratings(c);
    CHECK_INT(rs.n, 1);
    check_rating(&rs, 0, c, "access", 0, NULL);

    CASE = "NaN removes the rating, only that one";
    CHECK_OK(OPS->rating_set(ST, a, "strategic_fit", NAN, NULL, &err));
    rs = ratings(a);
    CHECK_INT(rs.n, 1);
    check_rating(&rs, 0, a, "access", 1.5, NULL);
    CHECK_INT(ratings(b).n, 1);

    CASE = "NaN on a rating that does not exist";
    CHECK_OK(OPS->rating_set(ST, b, "never_rated", NAN, NULL, &err));
    CHECK_INT(ratings(b).n, 1);

    CASE = "after reopening";
    reopen();
    rs = ratings(0);
    CHECK_INT(rs.n, 3);
    check_rating(&rs, 0, a, "access", 1.5, NULL);
    check_rating(&rs, 1, b, "access", 2.25, "only through the dealer");
    check_rating(&rs, 2, c, "access", 0, NULL);
}

struct models {
    size_t n;
    bool overflow;
    struct {
        int64_t version;
        char name[32], created_at[32];
    } m[MAXROWS];
};

static int model_cb(void *ctx, int64_t version, const char *name, const char *created_at)
{
    struct models *ms = ctx;
    if (ms->n == MAXROWS) {
        ms->overflow = true;
        return 1;
    }
    ms->m[ms->n].version = version;
    copy(ms->m[ms->n].name, sizeof(ms->m[0].name), name);
    copy(ms->m[ms->n++].created_at, sizeof(ms->m[0].created_at), created_at);
    return 0;
}

static struct models models(void)
{
    struct kam_err err;
    struct models ms = {0};
    CHECK_OK(ST->ops->model_list(ST, model_cb, &ms, &err));
    CHECK(!ms.overflow);
    return ms;
}

/* model_get of version must give version want_version and body want. */
static void check_model(int64_t version, int64_t want_version, const char *want)
{
    struct kam_err err;
    int64_t got = -1;
    char *body = NULL;
    char shown[64];
    CHECK_OK(ST->ops->model_get(ST, version, &got, &body, &err));
    bool same = body != NULL && strcmp(body, want) == 0;
    snprintf(shown, sizeof(shown), "%s", body ? body : "(null)");
    free(body);
    CHECK_INT(got, want_version);
    if (!same)
        FAIL("model %lld has body '%.40s', want '%.40s'", (long long)version, shown, want);
}

static void check_no_model(int64_t version)
{
    struct kam_err err;
    int64_t got = -7;
    char *body = NULL;
    CHECK_RC(KAM_ERR_NOT_FOUND, ST->ops->model_get(ST, version, &got, &body, &err));
    free(body);
    CHECK(body == NULL); /* *body is set only on success */
    CHECK(err.msg[0] != '\0');
}

static void test_models(void **state)
{
    static const char body1[] = "{\"name\":\"default\",\"indicators\":[{\"metric\":\"revenue\","
                                "\"weight\":0.4}],\"note\":\"权重 — 初版\"}";
    struct kam_err err;
    char *big = NULL;
    int64_t v1 = -1, v2 = -1, v3 = -1;
    (void)state;

    CASE = "an empty store";
    check_no_model(0);
    check_no_model(1);
    CHECK_INT(models().n, 0);

    CASE = "saved versions";
    CHECK_OK(OPS->model_save(ST, "default", body1, &v1, &err));
    /* A body far larger than any buffer of a row. */
    big = malloc(20001);
    CHECK(big != NULL);
    for (int i = 0; i < 20000; i++)
        big[i] = (char)('a' + i % 26);
    big[20000] = '\0';
    CHECK_OK(OPS->model_save(ST, "tuned", big, &v2, &err));
    CHECK(v1 > 0);
    CHECK(v2 > v1);
    check_model(0, v2, big);
    check_model(v1, v1, body1);
    check_model(v2, v2, big);

    CASE = "an unknown version";
    check_no_model(v2 + 1);
    check_no_model(-1);

    CASE = "the list";
    struct models ms = models();
    CHECK_INT(ms.n, 2);
    for (size_t k = 0; k < ms.n; k++) { /* in any order */
        CHECK(ms.m[k].version == v1 || ms.m[k].version == v2);
        CHECK_STR(ms.m[k].name, ms.m[k].version == v1 ? "default" : "tuned");
        CHECK(ms.m[k].created_at[0] != '\0');
    }

    CASE = "after reopening, a third version is the latest";
    reopen();
    check_model(0, v2, big);
    CHECK_OK(OPS->model_save(ST, "default", body1, &v3, &err));
    CHECK(v3 > v2);
    check_model(0, v3, body1);
    check_model(v2, v2, big);
    CHECK_INT(models().n, 3);
    free(big);
}

struct pins {
    size_t n;
    bool overflow;
    struct {
        int64_t account;
        char tier[16];
    } p[MAXROWS];
};

static int pin_cb(void *ctx, int64_t account_id, const char *tier)
{
    struct pins *ps = ctx;
    if (ps->n == MAXROWS) {
        ps->overflow = true;
        return 1;
    }
    ps->p[ps->n].account = account_id;
    copy(ps->p[ps->n++].tier, sizeof(ps->p[0].tier), tier);
    return 0;
}

/* The pins as "A:key B:small", by account (whatever order the store gives them in). */
static void check_pins(const struct labels *lb, const char *want)
{
    struct kam_err err;
    struct pins ps = {0};
    char got[128] = "";
    CHECK_OK(ST->ops->pin_each(ST, pin_cb, &ps, &err));
    CHECK(!ps.overflow);
    for (size_t k = 0; k < lb->n; k++)
        for (size_t i = 0; i < ps.n; i++)
            if (ps.p[i].account == lb->ids[k])
                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%c:%s", got[0] ? " " : "",
                         label_of(lb, ps.p[i].account), ps.p[i].tier);
    for (size_t i = 0; i < ps.n; i++)
        if (label_of(lb, ps.p[i].account) == '?')
            FAIL("pin of unknown account %lld", (long long)ps.p[i].account);
    CHECK_STR(got, want);
}

static void test_pins(void **state)
{
    static const char *const tiers[] = {"key", "major", "ordinary", "small"};
    static const char *const bad[] = {"vip", "Key", "KEY", "", "key ", "none", "重点"};
    struct kam_err err;
    int64_t ids[3];
    struct labels lb = {ids, 3};
    (void)state;

    ids[0] = account("A", "Acme");
    ids[1] = account("B", "Beta");
    ids[2] = account("C", "Gamma");
    check_pins(&lb, "");

    for (size_t k = 0; k < NCASES(tiers); k++) {
        char want[32];
        CASE = tiers[k];
        CHECK_OK(OPS->pin_set(ST, ids[0], tiers[k], &err));
        snprintf(want, sizeof(want), "A:%s", tiers[k]);
        check_pins(&lb, want);
    }
    CASE = "another account, then a second pin replaces the first";
    CHECK_OK(OPS->pin_set(ST, ids[1], "key", &err));
    CHECK_OK(OPS->pin_set(ST, ids[0], "major", &err));
    check_pins(&lb, "A:major B:key");

    for (size_t k = 0; k < NCASES(bad); k++) {
        char name[64];
        snprintf(name, sizeof(name), "invalid tier '%s'", bad[k]);
        CASE = name;
        CHECK_FAILS(OPS->pin_set(ST, ids[0], bad[k], &err)); /* pinned before */
        CHECK(err.msg[0] != '\0');
        CHECK_FAILS(OPS->pin_set(ST, ids[2], bad[k], &err)); /* never pinned */
        CHECK(err.msg[0] != '\0');
        check_pins(&lb, "A:major B:key");
    }

    CASE = "NULL unpins, only that account";
    CHECK_OK(OPS->pin_set(ST, ids[1], NULL, &err));
    check_pins(&lb, "A:major");
    CASE = "NULL on an account without a pin";
    CHECK_OK(OPS->pin_set(ST, ids[2], NULL, &err));
    check_pins(&lb, "A:major");

    CASE = "after reopening";
    reopen();
    check_pins(&lb, "A:major");
}

/* --- identification engine: runs, scores, metrics ------------------------------------------ */

struct runs {
    size_t n;
    bool overflow;
    struct kam_run r[MAXROWS];
};

static int run_cb(void *ctx, const struct kam_run *run)
{
    struct runs *rs = ctx;
    if (rs->n == MAXROWS) {
        rs->overflow = true;
        return 1;
    }
    rs->r[rs->n++] = *run;
    return 0;
}

static struct runs runs(int64_t limit)
{
    struct kam_err err;
    struct runs rs = {0};
    CHECK_OK(ST->ops->run_list(ST, limit, run_cb, &rs, &err));
    CHECK(!rs.overflow);
    return rs;
}

static void check_run(const struct kam_run *got, const struct kam_run *want)
{
    CHECK_INT(got->id, want->id);
    CHECK_STR(got->as_of, want->as_of);
    CHECK_INT(got->window_months, want->window_months);
    CHECK_INT(got->model_version, want->model_version);
    CHECK_STR(got->started_at, want->started_at);
    CHECK_DBL(got->seconds, want->seconds);
    CHECK_INT(got->accounts, want->accounts);
}

/* A score row with its strings copied, and the run score_history joined to it. */
struct srow {
    struct kam_score_row r;
    char tier[16], computed[16], stage[16];
    struct kam_run run;
};

struct srows {
    size_t n;
    bool overflow;
    struct srow s[MAXROWS];
};

static void srow_copy(struct srows *ss, const struct kam_score_row *row, const struct kam_run *run)
{
    struct srow *s = &ss->s[ss->n++];
    s->r = *row;
    copy(s->tier, sizeof(s->tier), row->tier);
    copy(s->computed, sizeof(s->computed), row->computed);
    copy(s->stage, sizeof(s->stage), row->stage);
    s->r.tier = s->tier;
    s->r.computed = s->computed;
    s->r.stage = s->stage;
    if (run != NULL)
        s->run = *run;
}

static int score_cb(void *ctx, const struct kam_score_row *row)
{
    struct srows *ss = ctx;
    if (ss->n == MAXROWS) {
        ss->overflow = true;
        return 1;
    }
    srow_copy(ss, row, NULL);
    return 0;
}

static int history_cb(void *ctx, const struct kam_score_row *row, const struct kam_run *run)
{
    struct srows *ss = ctx;
    if (ss->n == MAXROWS) {
        ss->overflow = true;
        return 1;
    }
    srow_copy(ss, row, run);
    return 0;
}

static struct srows scores(int64_t run, int64_t account_id)
{
    struct kam_err err;
    struct srows ss = {0};
    CHECK_OK(ST->ops->score_each(ST, run, account_id, score_cb, &ss, &err));
    CHECK(!ss.overflow);
    return ss;
}

static struct srows history(int64_t account_id)
{
    struct kam_err err;
    struct srows ss = {0};
    CHECK_OK(ST->ops->score_history(ST, account_id, history_cb, &ss, &err));
    CHECK(!ss.overflow);
    return ss;
}

static void check_score(const struct kam_score_row *got, const struct kam_score_row *want)
{
    CHECK_INT(got->run, want->run);
    CHECK_INT(got->account_id, want->account_id);
    CHECK_DBL(got->score, want->score);
    CHECK_STR(got->tier, want->tier);
    CHECK_STR(got->computed, want->computed);
    CHECK_STR(got->stage, want->stage);
    CHECK_INT(got->pinned, want->pinned);
    CHECK_DBL(got->to_next, want->to_next);
}

static void test_runs_and_scores(void **state)
{
    struct kam_err err;
    int64_t v = 0;
    struct kam_run run[3] = {
        {.as_of = "2024-06-30",
         .window_months = 12,
         .started_at = "2024-07-01T08:00:00Z",
         .seconds = 1.25,
         .accounts = 2},
        {.as_of = "2024-07-31",
         .window_months = 6,
         .started_at = "2024-08-01T08:00:05Z",
         .seconds = 0.0625,
         .accounts = 2},
        {.as_of = "2024-08-31",
         .window_months = 12,
         .started_at = "2024-09-01T23:59:59Z",
         .seconds = 12.5,
         .accounts = 1},
    };
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta"), c = account("C", "Gamma");
    CHECK_OK(OPS->model_save(ST, "default", "{}", &v, &err));
    CHECK_INT(runs(0).n, 0);
    for (int k = 0; k < 3; k++) {
        run[k].model_version = v;
        CHECK_OK(OPS->run_add(ST, &run[k], &run[k].id, &err));
        CHECK(run[k].id > 0);
        if (k > 0)
            CHECK(run[k].id != run[k - 1].id);
    }
    /* Rows of A in every run; of B in the first two, pinned in the first. */
    const struct kam_score_row rows[] = {
        {run[0].id, a, 81.5, "key", "key", "stability", false, NAN},
        {run[0].id, b, 40.25, "major", "ordinary", "new", true, 5.5},
        {run[1].id, b, 12, "small", "small", "decline", false, 0},
        {run[1].id, a, 79, "key", "key", "stability", false, NAN},
        {run[2].id, a, 64.125, "major", "major", "decline", false, 0.875},
    };
    for (size_t k = 0; k < NCASES(rows); k++)
        CHECK_OK(OPS->score_add(ST, rows[k].run, &rows[k], &err));

    for (int pass = 0; pass < 2; pass++) {
        CASE = pass ? "runs after reopening" : "runs, newest first";
        struct runs rs = runs(0);
        CHECK_INT(rs.n, 3);
        for (size_t k = 0; k < rs.n && k < 3; k++)
            check_run(&rs.r[k], &run[2 - k]);
        CASE = "runs, limit 2";
        rs = runs(2);
        CHECK_INT(rs.n, 2);
        check_run(&rs.r[0], &run[2]);
        check_run(&rs.r[1], &run[1]);
        CASE = "runs, limit above the count";
        CHECK_INT(runs(10).n, 3);

        CASE = "scores of one run, by account";
        struct srows ss = scores(run[1].id, 0);
        CHECK_INT(ss.n, 2);
        if (ss.n == 2) {
            check_score(&ss.s[0].r, &rows[3]);
            check_score(&ss.s[1].r, &rows[2]);
        }
        CASE = "scores of one run and one account";
        ss = scores(run[0].id, b);
        CHECK_INT(ss.n, 1);
        check_score(&ss.s[0].r, &rows[1]);
        CASE = "scores of a run without that account";
        CHECK_INT(scores(run[2].id, b).n, 0);
        CASE = "scores of an unknown run";
        CHECK_INT(scores(run[2].id + 100, 0).n, 0);

        CASE = "history, oldest run first, with the run";
        ss = history(a);
        CHECK_INT(ss.n, 3);
        static const size_t a_rows[] = {0, 3, 4};
        for (size_t k = 0; k < ss.n && k < 3; k++) {
            check_score(&ss.s[k].r, &rows[a_rows[k]]);
            check_run(&ss.s[k].run, &run[k]);
        }
        ss = history(b);
        CHECK_INT(ss.n, 2);
        if (ss.n == 2) {
            check_score(&ss.s[0].r, &rows[1]);
            check_run(&ss.s[0].run, &run[0]);
            check_score(&ss.s[1].r, &rows[2]);
            check_run(&ss.s[1].run, &run[1]);
        }
        CASE = "history of an account never scored";
        CHECK_INT(history(c).n, 0);
        if (pass == 0)
            reopen();
    }

    /* Deleting an account deletes its history (no foreign key does it since schema 8), and
     * only its history. */
    CASE = "history of a deleted account";
    CHECK_OK(OPS->account_delete(ST, "A", 1, &err));
    CHECK_INT(history(a).n, 0);
    CHECK_INT(scores(run[1].id, 0).n, 1);
    CHECK_INT(history(b).n, 2);
    CASE = NULL;
}

/* What metrics_each gave, strings copied. */
struct mrow {
    int64_t account;
    struct kam_metrics_row row;
    char stage[16], explanation[256];
};

struct mrows {
    size_t n;
    bool overflow;
    struct mrow m[4];
};

static int metrics_cb(void *ctx, int64_t account_id, const struct kam_metrics_row *row)
{
    struct mrows *ms = ctx;
    if (ms->n == NCASES(ms->m)) {
        ms->overflow = true;
        return 1;
    }
    struct mrow *m = &ms->m[ms->n++];
    m->account = account_id;
    m->row = *row;
    copy(m->stage, sizeof(m->stage), row->stage);
    m->row.stage = m->stage;
    m->row.explanation = NULL;
    if (row->explanation != NULL && row->explanation_size <= sizeof(m->explanation)) {
        memcpy(m->explanation, row->explanation, row->explanation_size);
        m->row.explanation = m->explanation;
    }
    return 0;
}

static struct mrows metrics(int64_t account_id)
{
    struct kam_err err;
    struct mrows ms = {0};
    CHECK_OK(ST->ops->metrics_each(ST, account_id, metrics_cb, &ms, &err));
    CHECK(!ms.overflow);
    return ms;
}

static void check_metrics(const struct kam_metrics_row *got, const struct kam_metrics_row *want)
{
    const struct kam_metrics *g = &got->m, *w = &want->m;
    CHECK_STR(got->as_of, want->as_of);
    CHECK_INT(got->window_months, want->window_months);
    CHECK_INT(g->revenue, w->revenue);
    CHECK_INT(g->revenue_prev, w->revenue_prev);
    CHECK_INT(g->revenue_total, w->revenue_total);
    CHECK_INT(g->margin, w->margin);
    CHECK_DBL(g->margin_pct, w->margin_pct);
    CHECK_INT(g->margin_total, w->margin_total);
    CHECK_DBL(g->growth, w->growth);
    CHECK_INT(g->orders, w->orders);
    CHECK_INT(g->orders_total, w->orders_total);
    CHECK_INT(g->lines, w->lines);
    CHECK_INT(g->avg_order_value, w->avg_order_value);
    CHECK_INT(g->first_purchase, w->first_purchase);
    CHECK_INT(g->last_purchase, w->last_purchase);
    CHECK_INT(g->recency_days, w->recency_days);
    CHECK_INT(g->tenure_months, w->tenure_months);
    CHECK_DBL(g->active_ratio, w->active_ratio);
    CHECK_INT(g->products, w->products);
    CHECK_INT(g->categories, w->categories);
    CHECK_DBL(g->repeat_rate, w->repeat_rate);
    CHECK_DBL(g->returns_rate, w->returns_rate);
    CHECK_DBL(g->discount_rate, w->discount_rate);
    CHECK_DBL(g->on_time_rate, w->on_time_rate);
    CHECK_INT(g->overdue, w->overdue);
    CHECK_INT(g->max_days_overdue, w->max_days_overdue);
    CHECK_INT(g->receivables, w->receivables);
    CHECK_DBL(g->dso, w->dso);
    CHECK_DBL(g->share_of_wallet, w->share_of_wallet);
    CHECK_DBL(g->share_of_total, w->share_of_total);
    CHECK_STR(got->stage, want->stage);
    if (want->explanation == NULL) {
        if (got->explanation != NULL)
            FAIL("explanation of %zu bytes, want none", got->explanation_size);
    } else if (got->explanation == NULL || got->explanation_size != want->explanation_size ||
               memcmp(got->explanation, want->explanation, want->explanation_size) != 0) {
        FAIL("explanation differs (%zu bytes, want %zu)", got->explanation_size,
             want->explanation_size);
    }
}

/* Every field set, ratios with long fractions. */
static struct kam_metrics_row metrics_full(void)
{
    return (struct kam_metrics_row){
        .as_of = "2024-06-30",
        .window_months = 12,
        .m =
            {
                .revenue = INT64_C(123456789012),
                .revenue_prev = 100000000,
                .revenue_total = INT64_C(987654321098),
                .margin = 23456789,
                .margin_pct = 0.19,
                .margin_total = 111111111,
                .growth = -0.2345678901234567,
                .orders = 42,
                .orders_total = 314,
                .lines = 271,
                .avg_order_value = 2939447,
                .first_purchase = day_of("2019-03-04"),
                .last_purchase = day_of("2024-06-13"),
                .recency_days = 17,
                .tenure_months = 64,
                .active_ratio = 0.875,
                .products = 12,
                .categories = 3,
                .repeat_rate = 1.0 / 3.0,
                .returns_rate = 0.015,
                .discount_rate = 0.05,
                .on_time_rate = 0.9,
                .overdue = 5000000,
                .max_days_overdue = 45,
                .receivables = 7500000,
                .dso = 38.5,
                .share_of_wallet = 1.25,
                .share_of_total = 0.0731,
            },
        .stage = "stability",
        /* bytes, not text: a NUL inside must survive */
        .explanation = "\x01\x0a\x00\xff 订单",
        .explanation_size = sizeof("\x01\x0a\x00\xff 订单") - 1,
    };
}

/* An account without purchases: every ratio NaN, no purchase days, no recency. */
static struct kam_metrics_row metrics_empty(void)
{
    return (struct kam_metrics_row){
        .as_of = "2024-06-30",
        .window_months = 12,
        .m =
            {
                .revenue = -20000,
                .margin_pct = NAN,
                .margin = -5000,
                .growth = NAN,
                .first_purchase = KAM_NONE,
                .last_purchase = KAM_NONE,
                .recency_days = -1,
                .active_ratio = NAN,
                .repeat_rate = NAN,
                .returns_rate = NAN,
                .discount_rate = NAN,
                .on_time_rate = NAN,
                .dso = NAN,
                .share_of_wallet = NAN,
                .share_of_total = NAN,
            },
        .stage = "none",
        .explanation = NULL,
    };
}

static void test_metrics_round_trip(void **state)
{
    struct kam_err err;
    const struct kam_metrics_row full = metrics_full(), empty = metrics_empty();
    struct kam_metrics_row again = metrics_full();
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta"), c = account("C", "Gamma");
    CASE = "an account without metrics";
    struct mrows none = {0};
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->metrics_each(ST, a, metrics_cb, &none, &err));
    CHECK_INT(none.n, 0);
    CHECK_INT(metrics(0).n, 0);

    CHECK_OK(OPS->metrics_put(ST, b, &empty, &err));
    CHECK_OK(OPS->metrics_put(ST, a, &full, &err));
    for (int pass = 0; pass < 2; pass++) {
        CASE = pass ? "after reopening" : "every field set";
        struct mrows ms = metrics(a);
        CHECK_INT(ms.n, 1);
        CHECK_INT(ms.m[0].account, a);
        check_metrics(&ms.m[0].row, &full);
        CASE = pass ? "after reopening, none" : "NaN ratios, no purchase, no explanation";
        ms = metrics(b);
        CHECK_INT(ms.n, 1);
        CHECK_INT(ms.m[0].account, b);
        check_metrics(&ms.m[0].row, &empty);
        CASE = "every account, by id";
        ms = metrics(0);
        CHECK_INT(ms.n, 2);
        CHECK_INT(ms.m[0].account, a);
        CHECK_INT(ms.m[1].account, b);
        check_metrics(&ms.m[0].row, &full);
        check_metrics(&ms.m[1].row, &empty);
        CASE = "another account without metrics";
        memset(&none, 0, sizeof(none));
        CHECK_RC(KAM_ERR_NOT_FOUND, OPS->metrics_each(ST, c, metrics_cb, &none, &err));
        CHECK_INT(none.n, 0);
        if (pass == 0)
            reopen();
    }

    CASE = "a second put replaces the first";
    again.as_of[3] = '5'; /* 2025-06-30 */
    again.window_months = 6;
    again.m.revenue = 1;
    again.m.margin_pct = NAN;
    again.m.first_purchase = day_of("1999-12-31");
    again.m.last_purchase = day_of("2025-06-30");
    again.m.recency_days = 0; /* the same day: not "none" */
    again.m.share_of_total = 0;
    again.stage = "decline";
    again.explanation = "";
    again.explanation_size = 0; /* empty, not none */
    CHECK_OK(OPS->metrics_put(ST, a, &again, &err));
    struct mrows ms = metrics(a);
    CHECK_INT(ms.n, 1);
    check_metrics(&ms.m[0].row, &again);
    CHECK_INT(metrics(0).n, 2);

    CASE = "metrics without an explanation keep the latest one";
    CHECK_OK(OPS->metrics_put(ST, a, &empty, &err));
    ms = metrics(a);
    CHECK_INT(ms.n, 1);
    struct kam_metrics_row kept = empty;
    kept.explanation = again.explanation;
    kept.explanation_size = again.explanation_size;
    check_metrics(&ms.m[0].row, &kept);
}

/* A rolled back transaction leaves none of the engine's writes. */
static void check_no_engine_writes(int64_t a)
{
    struct kam_err err;
    int64_t last = -1, max = -1;
    struct mrows none = {0};
    struct labels lb = {&a, 1};

    CHECK_INT(ratings(0).n, 0);
    check_no_model(0);
    CHECK_INT(models().n, 0);
    check_pins(&lb, "");
    CHECK_INT(runs(0).n, 0);
    CHECK_INT(history(a).n, 0);
    CHECK_RC(KAM_ERR_NOT_FOUND, ST->ops->metrics_each(ST, a, metrics_cb, &none, &err));
    CHECK_INT(metrics(0).n, 0);
    CHECK_INT(aprods(0, INT64_MAX).n, 0);
    CHECK_INT(orders_range(&lb, 0, INT64_MAX).n, 0);
    CHECK_OK(ST->ops->extent(ST, &last, &max, &err));
    CHECK_INT(last, 0);
    CHECK_INT(max, a);
}

static void test_tx_rollback_engine_writes(void **state)
{
    struct kam_err err;
    static const struct kam_rollup sale = {.revenue = 10000, .quantity = 10000, .lines = 1};
    int64_t v = 0, rid = 0;
    (void)state;

    int64_t a = account("A", "Acme"), p = product("P1", "Pump");
    const struct kam_metrics_row m = metrics_full();
    CHECK_OK(OPS->begin(ST, &err));
    CHECK_OK(OPS->rating_set(ST, a, "access", 3, "in a transaction", &err));
    CHECK_OK(OPS->model_save(ST, "default", "{}", &v, &err));
    CHECK_OK(OPS->pin_set(ST, a, "key", &err));
    struct kam_run run = {.as_of = "2024-06-30",
                          .window_months = 12,
                          .model_version = v,
                          .started_at = "2024-07-01T08:00:00Z",
                          .seconds = 1,
                          .accounts = 1};
    CHECK_OK(OPS->run_add(ST, &run, &rid, &err));
    struct kam_score_row row = {rid, a, 50, "major", "major", "new", false, NAN};
    CHECK_OK(OPS->score_add(ST, rid, &row, &err));
    CHECK_OK(OPS->metrics_put(ST, a, &m, &err));
    CHECK_OK(OPS->product_add(ST, a, p, 202406, &sale, &err));
    struct kam_order_line l = line("SO-1", 1, a, p, "2024-06-01", 10000, 10000, KAM_NONE);
    insert(&l, true);
    /* Visible to the transaction itself. */
    CHECK_INT(ratings(a).n, 1);
    check_model(0, v, "{}");
    CHECK_INT(runs(0).n, 1);
    CHECK_INT(scores(rid, a).n, 1);
    CHECK_INT(metrics(a).n, 1);
    CHECK_INT(aprods(a, a).n, 1);
    CHECK_OK(OPS->rollback(ST, &err));

    CASE = "after rollback";
    check_no_engine_writes(a);
    CHECK_INT(scores(rid, 0).n, 0);
    CASE = "after reopening";
    reopen();
    check_no_engine_writes(a);

    CASE = "the store still takes them";
    CHECK_OK(OPS->model_save(ST, "default", "{\"v\":2}", &v, &err));
    check_model(0, v, "{\"v\":2}");
    run.model_version = v;
    CHECK_OK(OPS->run_add(ST, &run, &rid, &err));
    CHECK_INT(runs(0).n, 1);
}

/* Engine writes that name an account, model or run that does not exist are refused and leave
 * nothing behind, like the writes of test_unknown_references_refused. */
static void test_engine_unknown_references_refused(void **state)
{
    enum op { RATING, PIN, METRICS, RUN_MODEL, SCORE_RUN, SCORE_ACCOUNT };
    static const struct case_ {
        const char *name;
        enum op op;
    } cases[] = {
        {"rating of an unknown account (rating_set)", RATING},
        {"pin of an unknown account (pin_set)", PIN},
        {"metrics of an unknown account (metrics_put)", METRICS},
        {"run of an unknown model version (run_add)", RUN_MODEL},
        {"score in an unknown run (score_add)", SCORE_RUN},
        {"score of an unknown account (score_add)", SCORE_ACCOUNT},
    };
    struct kam_err err;
    int64_t v = 0, rid = 0, id = 0;
    int bad = 0;
    (void)state;

    int64_t a = account("A", "Acme");
    int64_t ghost = a + 1000;
    struct labels lb = {&a, 1};
    const struct kam_metrics_row m = metrics_empty();
    CHECK_OK(OPS->model_save(ST, "default", "{}", &v, &err));
    struct kam_run run = {.as_of = "2024-06-30",
                          .window_months = 12,
                          .model_version = v,
                          .started_at = "2024-07-01T08:00:00Z",
                          .seconds = 1,
                          .accounts = 1};
    CHECK_OK(OPS->run_add(ST, &run, &rid, &err));
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_score_row row = {rid, a, 50, "major", "major", "new", false, NAN};
        struct kam_run r2 = run;
        enum kam_rc rc = KAM_OK;

        CASE = c->name;
        kam_err_clear(&err);
        switch (c->op) {
        case RATING:
            rc = OPS->rating_set(ST, ghost, "access", 3, NULL, &err);
            break;
        case PIN:
            rc = OPS->pin_set(ST, ghost, "key", &err);
            break;
        case METRICS:
            rc = OPS->metrics_put(ST, ghost, &m, &err);
            break;
        case RUN_MODEL:
            r2.model_version = v + 1000;
            rc = OPS->run_add(ST, &r2, &id, &err);
            break;
        case SCORE_RUN:
            row.run = rid + 1000;
            rc = OPS->score_add(ST, row.run, &row, &err);
            break;
        case SCORE_ACCOUNT:
            row.account_id = ghost;
            rc = OPS->score_add(ST, rid, &row, &err);
            break;
        }
        if (rc == KAM_OK) {
            print_error("case '%s': accepted, want an error\n", c->name);
            bad++;
        } else if (err.msg[0] == '\0') {
            print_error("case '%s': refused without a message\n", c->name);
            bad++;
        }
        struct mrows ms = metrics(0);
        if (ratings(0).n != 0 || ms.n != 0 || runs(0).n != 1 || scores(rid, 0).n != 0 ||
            scores(rid + 1000, 0).n != 0) {
            print_error("case '%s': left records behind\n", c->name);
            bad++;
        }
        check_pins(&lb, "");
    }
    CASE = NULL;
    CHECK_INT(bad, 0);
}

/* Every iteration of the engine's operations stops when its callback returns non-zero. */
static int stop_day(void *ctx, int64_t a, int64_t day, bool purchase)
{
    (void)a, (void)day, (void)purchase;
    return ++*(int *)ctx;
}

static int stop_aprod(void *ctx, int64_t a, int64_t p, const char *cat, int first,
                      const struct kam_rollup *r)
{
    (void)a, (void)p, (void)cat, (void)first, (void)r;
    return ++*(int *)ctx;
}

static int stop_invoice(void *ctx, int64_t a, kam_money amount, kam_money paid_amount,
                        int64_t issued, int64_t due, int64_t paid)
{
    (void)a, (void)amount, (void)paid_amount, (void)issued, (void)due, (void)paid;
    return ++*(int *)ctx;
}

static int stop_rating(void *ctx, int64_t a, const char *name, double value, const char *note)
{
    (void)a, (void)name, (void)value, (void)note;
    return ++*(int *)ctx;
}

static int stop_model(void *ctx, int64_t version, const char *name, const char *created_at)
{
    (void)version, (void)name, (void)created_at;
    return ++*(int *)ctx;
}

static int stop_pin(void *ctx, int64_t a, const char *tier)
{
    (void)a, (void)tier;
    return ++*(int *)ctx;
}

static int stop_run(void *ctx, const struct kam_run *run)
{
    (void)run;
    return ++*(int *)ctx;
}

static int stop_score(void *ctx, const struct kam_score_row *row)
{
    (void)row;
    return ++*(int *)ctx;
}

static int stop_history(void *ctx, const struct kam_score_row *row, const struct kam_run *run)
{
    (void)row, (void)run;
    return ++*(int *)ctx;
}

static int stop_metrics(void *ctx, int64_t a, const struct kam_metrics_row *row)
{
    (void)a, (void)row;
    return ++*(int *)ctx;
}

static void test_engine_iterations_stop(void **state)
{
    struct kam_err err;
    static const struct kam_rollup d = {.revenue = 10000, .quantity = 10000, .lines = 1};
    const struct kam_metrics_row m = metrics_empty();
    int64_t v = 0, rid[2] = {0, 0};
    int n;
    (void)state;

    int64_t a = account("A", "Acme"), b = account("B", "Beta");
    int64_t p1 = product_in("P1", "pumps"), p2 = product_in("P2", "valves");
    for (int k = 0; k < 2; k++) {
        int64_t acc = k ? b : a;
        char invoice[16], order[16];
        struct rec r;
        snprintf(invoice, sizeof(invoice), "INV-%d", k);
        snprintf(order, sizeof(order), "SO-%d", k);
        struct kam_order_line l = line(order, 1, acc, p1, "2024-01-05", 10000, 10000, KAM_NONE);
        insert(&l, true);
        CHECK_OK(OPS->rollup_add(ST, acc, 202401, &d, &err));
        CHECK_OK(OPS->product_add(ST, acc, p1, 202401, &d, &err));
        CHECK_OK(OPS->product_add(ST, acc, p2, 202401, &d, &err));
        rec_init(&r);
        rec_text(&r, KAM_PAY_INVOICE, invoice);
        rec_int(&r, KAM_PAY_ACCOUNT, acc);
        rec_int(&r, KAM_PAY_AMOUNT, 100);
        rec_text(&r, KAM_PAY_ISSUED, "2024-01-01");
        rec_text(&r, KAM_PAY_DUE, "2024-02-01");
        put(&kam_payments, &r, KAM_PUT_INSERTED);
        CHECK_OK(OPS->rating_set(ST, acc, "access", 1, NULL, &err));
        CHECK_OK(OPS->rating_set(ST, acc, "fit", 2, NULL, &err));
        CHECK_OK(OPS->model_save(ST, "m", "{}", &v, &err));
        CHECK_OK(OPS->pin_set(ST, acc, "key", &err));
        struct kam_run run = {.as_of = "2024-06-30",
                              .window_months = 12,
                              .model_version = v,
                              .started_at = "2024-07-01T08:00:00Z",
                              .seconds = 1,
                              .accounts = 2};
        CHECK_OK(OPS->run_add(ST, &run, &rid[k], &err));
        CHECK_OK(OPS->metrics_put(ST, acc, &m, &err));
    }
    for (int k = 0; k < 2; k++) {
        struct kam_score_row row = {rid[k], a, 50, "major", "major", "new", false, NAN};
        CHECK_OK(OPS->score_add(ST, rid[k], &row, &err));
        row.account_id = b;
        CHECK_OK(OPS->score_add(ST, rid[k], &row, &err));
    }

#define ONCE(what, call)                                                                           \
    do {                                                                                           \
        CASE = what;                                                                               \
        n = 0;                                                                                     \
        CHECK_OK(call);                                                                            \
        CHECK_INT(n, 1);                                                                           \
    } while (0)
    ONCE("months_range", OPS->months_range(ST, 0, INT64_MAX, stop_month, &n, &err));
    ONCE("orders_range", OPS->orders_range(ST, 0, INT64_MAX, stop_day, &n, &err));
    ONCE("products_range", OPS->products_range(ST, 0, INT64_MAX, stop_aprod, &n, &err));
    ONCE("invoices_range", OPS->invoices_range(ST, 0, INT64_MAX, stop_invoice, &n, &err));
    ONCE("rating_each", OPS->rating_each(ST, 0, stop_rating, &n, &err));
    ONCE("model_list", OPS->model_list(ST, stop_model, &n, &err));
    ONCE("pin_each", OPS->pin_each(ST, stop_pin, &n, &err));
    ONCE("run_list", OPS->run_list(ST, 0, stop_run, &n, &err));
    ONCE("score_each", OPS->score_each(ST, rid[0], 0, stop_score, &n, &err));
    ONCE("score_history", OPS->score_history(ST, a, stop_history, &n, &err));
    ONCE("metrics_each", OPS->metrics_each(ST, 0, stop_metrics, &n, &err));
#undef ONCE
}

/* --- users, teams, tokens, audit log (schema 3) ------------------------------------------- */

/* The store keeps the password hash as given; these are shaped like libsodium's, not real. */
#define HASH_A "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo"
#define HASH_B "$argon2id$v=19$m=65536,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNo"

static int64_t add_team(const char *name)
{
    struct kam_err err;
    int64_t id = 0;
    CHECK_OK(OPS->team_add(ST, name, &id, &err));
    CHECK(id > 0);
    return id;
}

static int64_t add_user(const char *username, enum kam_role role, const char *team)
{
    struct kam_user u = {0};
    struct kam_err err;
    int64_t id = 0;
    snprintf(u.username, sizeof(u.username), "%s", username);
    snprintf(u.team, sizeof(u.team), "%s", team ? team : "");
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", HASH_A);
    u.role = role;
    CHECK_OK(OPS->user_add(ST, &u, &id, &err));
    CHECK(id > 0);
    return id;
}

struct teams {
    size_t n;
    char list[256]; /* "east:2 west:0" */
};

static int team_cb(void *ctx, int64_t id, const char *name, int64_t users)
{
    struct teams *ts = ctx;
    (void)id;
    snprintf(ts->list + strlen(ts->list), sizeof(ts->list) - strlen(ts->list), "%s%s:%lld",
             ts->n++ ? " " : "", name, (long long)users);
    return 0;
}

static void test_teams(void **state)
{
    struct kam_err err;
    struct teams ts = {0};
    int64_t id = 0;
    (void)state;

    int64_t west = add_team("west");
    int64_t east = add_team("east");
    CHECK(west != east);
    CHECK_RC(KAM_ERR_EXISTS, OPS->team_add(ST, "east", &id, &err));
    CHECK(strstr(err.msg, "team 'east' already exists") != NULL);
    add_user("manager-east", KAM_ROLE_MANAGER, "east");
    add_user("rep-east-1", KAM_ROLE_REP, "east");
    add_user("director", KAM_ROLE_DIRECTOR, NULL);
    CHECK_OK(OPS->team_list(ST, team_cb, &ts, &err));
    CHECK_STR(ts.list, "east:2 west:0");
}

struct users {
    size_t n;
    char list[512]; /* "name/role/team" ... */
    struct kam_user last;
};

static int user_cb(void *ctx, const struct kam_user *u)
{
    struct users *us = ctx;
    snprintf(us->list + strlen(us->list), sizeof(us->list) - strlen(us->list), "%s%s/%s/%s",
             us->n++ ? " " : "", u->username, kam_role_name(u->role), u->team);
    us->last = *u;
    return 0;
}

static void test_users_add_get_list(void **state)
{
    struct kam_user u = {0}, got;
    struct users us = {0};
    struct kam_err err;
    int64_t id = 0;
    (void)state;

    add_team("east");
    snprintf(u.username, sizeof(u.username), "rep-east-1");
    snprintf(u.display_name, sizeof(u.display_name), "张伟");
    snprintf(u.team, sizeof(u.team), "east");
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", HASH_A);
    u.role = KAM_ROLE_REP;
    u.version = 99; /* ignored: a new user starts at 1 */
    CHECK_OK(OPS->user_add(ST, &u, &id, &err));
    CHECK_OK(OPS->user_get(ST, "rep-east-1", &got, &err));
    CHECK_INT(got.id, id);
    CHECK_STR(got.username, "rep-east-1");
    CHECK_STR(got.display_name, "张伟");
    CHECK_INT(got.role, KAM_ROLE_REP);
    CHECK_STR(got.team, "east");
    CHECK_STR(got.password_hash, HASH_A);
    CHECK(!got.disabled);
    CHECK_INT(got.version, 1);
    CHECK_INT(strlen(got.created_at), 20);
    CHECK_STR(got.updated_at, got.created_at);

    /* Refusals leave nothing behind. */
    CHECK_RC(KAM_ERR_EXISTS, OPS->user_add(ST, &u, &id, &err));
    CHECK(strstr(err.msg, "user 'rep-east-1' already exists") != NULL);
    snprintf(u.username, sizeof(u.username), "rep-north-1");
    snprintf(u.team, sizeof(u.team), "north");
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->user_add(ST, &u, &id, &err));
    CHECK(strstr(err.msg, "team 'north' does not exist") != NULL);
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->user_get(ST, "rep-north-1", &got, &err));
    CHECK(strstr(err.msg, "user 'rep-north-1' does not exist") != NULL);

    add_user("admin", KAM_ROLE_ADMIN, NULL);
    add_user("viewer", KAM_ROLE_VIEWER, "east");
    reopen();
    CHECK_OK(OPS->user_list(ST, user_cb, &us, &err));
    CHECK_STR(us.list, "admin/admin/ rep-east-1/rep/east viewer/viewer/east");
}

static void test_users_update_and_versions(void **state)
{
    struct kam_user a, b, got;
    struct kam_err err;
    (void)state;

    add_team("east");
    add_team("west");
    add_user("rep-east-1", KAM_ROLE_REP, "east");
    CHECK_OK(OPS->user_get(ST, "rep-east-1", &a, &err));
    b = a; /* two writers read the same version */

    a.role = KAM_ROLE_MANAGER;
    snprintf(a.team, sizeof(a.team), "west");
    snprintf(a.display_name, sizeof(a.display_name), "Li");
    snprintf(a.password_hash, sizeof(a.password_hash), "%s", HASH_B);
    a.disabled = true;
    CHECK_OK(OPS->user_update(ST, &a, &err));
    CHECK_INT(a.version, 2);

    /* The second writer's version is stale: refused, and the first write is kept. */
    b.role = KAM_ROLE_VIEWER;
    CHECK_RC(KAM_ERR_CONFLICT, OPS->user_update(ST, &b, &err));
    CHECK(strstr(err.msg, "version 2, not 1") != NULL);
    CHECK_INT(b.version, 1);
    CHECK_OK(OPS->user_get(ST, "rep-east-1", &got, &err));
    CHECK_INT(got.role, KAM_ROLE_MANAGER);
    CHECK_STR(got.team, "west");
    CHECK_STR(got.display_name, "Li");
    CHECK_STR(got.password_hash, HASH_B);
    CHECK(got.disabled);
    CHECK_INT(got.version, 2);
    CHECK_STR(got.updated_at, a.updated_at);

    /* Leaving the team; unknown team and unknown user. */
    got.team[0] = '\0';
    CHECK_OK(OPS->user_update(ST, &got, &err));
    CHECK_INT(got.version, 3);
    snprintf(got.team, sizeof(got.team), "north");
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->user_update(ST, &got, &err));
    snprintf(got.team, sizeof(got.team), "%s", "");
    snprintf(got.username, sizeof(got.username), "nobody");
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->user_update(ST, &got, &err));
    reopen();
    CHECK_OK(OPS->user_get(ST, "rep-east-1", &got, &err));
    CHECK_STR(got.team, "");
    CHECK_INT(got.version, 3);
}

struct tokens {
    size_t n;
    int64_t ids[MAXROWS];
};

static int token_cb(void *ctx, const struct kam_token *t)
{
    struct tokens *ts = ctx;
    if (ts->n < MAXROWS)
        ts->ids[ts->n++] = t->id;
    return 0;
}

static void test_tokens(void **state)
{
    unsigned char h1[KAM_TOKEN_HASH_BYTES], h2[KAM_TOKEN_HASH_BYTES], h3[KAM_TOKEN_HASH_BYTES];
    struct kam_token t;
    struct tokens ts = {0};
    struct kam_err err;
    int64_t t1 = 0, t2 = 0, t3 = 0;
    bool changed = false;
    (void)state;

    memset(h1, 0x11, sizeof(h1));
    memset(h2, 0x22, sizeof(h2));
    memset(h3, 0x33, sizeof(h3));
    h1[0] = 0; /* a hash is bytes, not text: a NUL inside must not cut it */
    int64_t alice = add_user("alice", KAM_ROLE_ADMIN, NULL);
    int64_t bob = add_user("bob", KAM_ROLE_REP, NULL);
    CHECK_OK(OPS->token_add(ST, alice, "ci", h1, &t1, &err));
    CHECK_OK(OPS->token_add(ST, bob, NULL, h2, &t2, &err));
    CHECK_OK(OPS->token_add(ST, alice, "laptop", h3, &t3, &err));
    CHECK_FAILS(OPS->token_add(ST, bob, NULL, h1, &t2, &err)); /* the same hash twice */
    unsigned char h4[KAM_TOKEN_HASH_BYTES] = {4};
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->token_add(ST, 999, NULL, h4, &t2, &err));

    CHECK_OK(OPS->token_find(ST, h1, &t, &err));
    CHECK_INT(t.id, t1);
    CHECK_INT(t.user_id, alice);
    CHECK_STR(t.username, "alice");
    CHECK_STR(t.name, "ci");
    CHECK(memcmp(t.hash, h1, sizeof(h1)) == 0);
    CHECK_INT(strlen(t.created_at), 20);
    CHECK_STR(t.last_used_at, "");
    CHECK_STR(t.revoked_at, "");
    h1[1] ^= 1;
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->token_find(ST, h1, &t, &err));
    h1[1] ^= 1;

    CHECK_OK(OPS->token_touch(ST, t2, &err));
    CHECK_OK(OPS->token_get(ST, t2, &t, &err));
    CHECK_STR(t.username, "bob");
    CHECK_STR(t.name, "");
    CHECK_INT(strlen(t.last_used_at), 20);
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->token_touch(ST, 999, &err));
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->token_get(ST, 999, &t, &err));

    /* Revoked tokens are still found (the caller refuses them); revoking twice changes
     * nothing. */
    CHECK_OK(OPS->token_revoke(ST, t1, &changed, &err));
    CHECK(changed);
    CHECK_OK(OPS->token_find(ST, h1, &t, &err));
    CHECK_INT(strlen(t.revoked_at), 20);
    char first[21];
    snprintf(first, sizeof(first), "%s", t.revoked_at);
    CHECK_OK(OPS->token_revoke(ST, t1, &changed, &err));
    CHECK(!changed);
    CHECK_OK(OPS->token_get(ST, t1, &t, &err));
    CHECK_STR(t.revoked_at, first);
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->token_revoke(ST, 999, &changed, &err));

    /* A token or user just read is seen changed at once when another connection changes it:
     * a revoked token, a disabled user. */
    CHECK_OK(OPS->token_find(ST, h3, &t, &err));
    CHECK_STR(t.revoked_at, "");
    struct kam_user u;
    CHECK_OK(OPS->user_get(ST, "bob", &u, &err));
    CHECK(!u.disabled);
    F->other = open_db(F->path, 0);
    CHECK_OK(F->other->ops->token_revoke(F->other, t3, &changed, &err));
    CHECK_OK(OPS->token_find(ST, h3, &t, &err));
    CHECK_INT(strlen(t.revoked_at), 20);
    u.disabled = true;
    CHECK_OK(F->other->ops->user_update(F->other, &u, &err));
    CHECK_OK(OPS->user_get(ST, "bob", &u, &err));
    CHECK(u.disabled);
    CHECK_OK(OPS->user_get(ST, "alice", &u, &err)); /* another name: not the kept one */
    CHECK_STR(u.username, "alice");

    CHECK_OK(OPS->token_each(ST, alice, token_cb, &ts, &err));
    CHECK_INT(ts.n, 2);
    CHECK_INT(ts.ids[0], t1);
    CHECK_INT(ts.ids[1], t3);
    ts.n = 0;
    reopen();
    CHECK_OK(OPS->token_each(ST, 0, token_cb, &ts, &err));
    CHECK_INT(ts.n, 3);
}

struct audits {
    size_t n;
    char list[512]; /* "action:key:before:after" newest first */
    int64_t ids[MAXROWS];
};

static int audit_cb(void *ctx, const struct kam_audit_entry *e)
{
    struct audits *as = ctx;
    CHECK_INT(strlen(e->at), 20);
    CHECK_STR(e->actor, "tester");
    CHECK_STR(e->entity, "user");
    if (as->n < MAXROWS)
        as->ids[as->n] = e->id;
    snprintf(as->list + strlen(as->list), sizeof(as->list) - strlen(as->list), "%s%s:%s:%s:%s",
             as->n++ ? " " : "", e->action, e->entity_key ? e->entity_key : "-",
             e->before ? e->before : "-", e->after ? e->after : "-");
    return 0;
}

static void test_audit_log(void **state)
{
    static const struct kam_audit_entry entries[] = {
        {0, "", "tester", "user.add", "user", "bob", NULL, "{\"role\":\"rep\"}"},
        {0, "", "tester", "user.update", "user", "bob", "{\"role\":\"rep\"}",
         "{\"role\":\"manager\"}"},
        {0, "", "tester", "user.purge", "user", NULL, "{\"role\":\"manager\"}", NULL},
    };
    struct audits as = {0};
    struct kam_err err;
    (void)state;

    for (size_t k = 0; k < NCASES(entries); k++)
        CHECK_OK(OPS->audit_append(ST, &entries[k], &err));
    reopen();
    CHECK_OK(OPS->audit_list(ST, &(struct kam_audit_query){0}, NULL, audit_cb, &as, &err));
    CHECK_STR(as.list, "user.purge:-:{\"role\":\"manager\"}:- "
                       "user.update:bob:{\"role\":\"rep\"}:{\"role\":\"manager\"} "
                       "user.add:bob:-:{\"role\":\"rep\"}");
    CHECK(as.ids[0] > as.ids[1] && as.ids[1] > as.ids[2]);
    memset(&as, 0, sizeof(as));
    CHECK_OK(OPS->audit_list(ST, &(struct kam_audit_query){.limit = 2}, NULL, audit_cb, &as, &err));
    CHECK_INT(as.n, 2);
}

struct audit_keys {
    char list[256]; /* "3:bob 1:ann", id and key, in the order listed */
};

static int audit_key_cb(void *ctx, const struct kam_audit_entry *e)
{
    struct audit_keys *k = ctx;
    snprintf(k->list + strlen(k->list), sizeof(k->list) - strlen(k->list), "%s%lld:%s",
             k->list[0] ? " " : "", (long long)e->id, e->entity_key ? e->entity_key : "-");
    return 0;
}

/* Filters combine, the total counts every match whatever the page, and a page is a window of
 * the newest-first list. since compares with the day of the entry (written now, UTC). */
static void test_audit_list_filters(void **state)
{
    static const struct kam_audit_entry entries[] = {
        {0, "", "ann", "user.add", "user", "bob", NULL, "{}"},
        {0, "", "ann", "account.update", "account", "A1", "{}", "{}"},
        {0, "", "bob", "account.update", "account", "A2", "{}", "{}"},
        {0, "", "ann", "account.update", "account", "A1", "{}", "{}"},
        {0, "", "bob", "pin.set", "pin", "A1", NULL, "{}"},
    };
    static const struct case_ {
        const char *name;
        struct kam_audit_query q;
        const char *want;
        int64_t total;
    } cases[] = {
        {"everything, newest first", {0}, "5:A1 4:A1 3:A2 2:A1 1:bob", 5},
        {"by actor", {.actor = "bob"}, "5:A1 3:A2", 2},
        {"by action", {.action = "account.update"}, "4:A1 3:A2 2:A1", 3},
        {"by entity", {.entity = "account"}, "4:A1 3:A2 2:A1", 3},
        {"by key, any entity", {.key = "A1"}, "5:A1 4:A1 2:A1", 3},
        {"filters combine", {.actor = "ann", .key = "A1"}, "4:A1 2:A1", 2},
        {"nobody", {.actor = "carl"}, "", 0},
        {"since a day long past", {.since = "2000-01-01"}, "5:A1 4:A1 3:A2 2:A1 1:bob", 5},
        {"since a day to come", {.since = "2999-01-01"}, "", 0},
        {"a page", {.limit = 2, .offset = 1}, "4:A1 3:A2", 5},
        {"a page of a filter", {.action = "account.update", .limit = 2, .offset = 2}, "2:A1", 3},
        {"past the end", {.limit = 2, .offset = 9}, "", 5},
    };
    struct kam_err err;
    (void)state;

    for (size_t k = 0; k < NCASES(entries); k++)
        CHECK_OK(OPS->audit_append(ST, &entries[k], &err));
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct audit_keys got = {""};
        int64_t total = -1;
        CASE = cases[k].name;
        CHECK_OK(OPS->audit_list(ST, &cases[k].q, &total, audit_key_cb, &got, &err));
        CHECK_STR(got.list, cases[k].want);
        CHECK_INT(total, cases[k].total);
    }
    CASE = NULL;
}

/* A rolled-back transaction leaves no team, user, token or audit entry. */
static void test_tx_rollback_user_writes(void **state)
{
    unsigned char h[KAM_TOKEN_HASH_BYTES] = {1};
    static const struct kam_audit_entry e = {0, "", "tester", "user.add", "user", "x", NULL, NULL};
    struct teams ts = {0};
    struct users us = {0};
    struct tokens tk = {0};
    struct audits as = {0};
    struct kam_err err;
    int64_t id;
    (void)state;

    CHECK_OK(OPS->begin(ST, &err));
    add_team("east");
    int64_t u = add_user("x", KAM_ROLE_REP, "east");
    CHECK_OK(OPS->token_add(ST, u, NULL, h, &id, &err));
    CHECK_OK(OPS->audit_append(ST, &e, &err));
    CHECK_OK(OPS->rollback(ST, &err));
    CHECK_OK(OPS->team_list(ST, team_cb, &ts, &err));
    CHECK_OK(OPS->user_list(ST, user_cb, &us, &err));
    CHECK_OK(OPS->token_each(ST, 0, token_cb, &tk, &err));
    CHECK_OK(OPS->audit_list(ST, &(struct kam_audit_query){0}, NULL, audit_cb, &as, &err));
    CHECK_INT(ts.n + us.n + tk.n + as.n, 0);
}

/* Row-level access in the account query: the demo company's shape. east has manager-east,
 * rep-east-1 and rep-east-2; west has manager-west and rep-west-1; "ghost" owns an account but
 * has no login, and one account has no owner. */
/* What the scoped portfolio reads give: accounts (codes in ls), cells or revenues and their sum. */
struct scoped_sum {
    const struct listed *ls;
    size_t n;
    kam_money sum;
    bool stray; /* an account the list did not give */
};

static bool listed_id(const struct listed *ls, int64_t id)
{
    for (size_t i = 0; i < ls->n; i++)
        if (ls->a[i].id == id)
            return true;
    return false;
}

static int scoped_account_cb(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct scoped_sum *s = ctx;
    (void)vals;
    s->stray |= !listed_id(s->ls, id);
    s->n++;
    return 0;
}

static int scoped_cell_cb(void *ctx, int64_t id, int month, const struct kam_rollup *r)
{
    struct scoped_sum *s = ctx;
    (void)month;
    s->stray |= !listed_id(s->ls, id);
    s->n++;
    s->sum += r->revenue;
    return 0;
}

static int scoped_revenue_cb(void *ctx, int64_t id, const char *code, const char *name,
                             kam_money revenue)
{
    struct scoped_sum *s = ctx;
    (void)code, (void)name;
    s->stray |= !listed_id(s->ls, id);
    s->n++;
    s->sum += revenue;
    return 0;
}

/* The reads of the portfolio analyses (account_each_scoped, rollup_each_scoped,
 * revenues_scoped, counts_scoped) cover exactly the accounts the list gives to scope. */
static void check_scoped_reads(const struct kam_scope *scope, const struct listed *ls)
{
    struct kam_err err;
    struct kam_counts counts;
    kam_money total = 0;
    for (size_t i = 0; i < ls->n; i++)
        total += ls->a[i].total;
    struct scoped_sum a = {ls, 0, 0, false}, m = a, r = a;
    CHECK_OK(OPS->account_each_scoped(ST, scope, scoped_account_cb, &a, &err));
    CHECK_INT(a.n, ls->n);
    CHECK(!a.stray);
    CHECK_OK(OPS->rollup_each_scoped(ST, scope, 202401, 202412, scoped_cell_cb, &m, &err));
    CHECK_INT(m.n, ls->n); /* one cell per account in the range; the 2023 cells are outside */
    CHECK(!m.stray);
    CHECK_OK(OPS->revenues_scoped(ST, scope, scoped_revenue_cb, &r, &err));
    CHECK_INT(r.n, ls->n);
    CHECK(!r.stray);
    CHECK_INT(r.sum, total);
    CHECK_INT(m.sum, total - (kam_money)ls->n); /* each 2023 cell is 1 */
    CHECK_OK(OPS->counts_scoped(ST, scope, &counts, &err));
    CHECK_INT(counts.accounts, ls->n);
    CHECK_INT(counts.order_lines, 2 * ls->n);
}

static void test_account_list_scope(void **state)
{
    static const struct {
        const char *code, *owner;
    } accs[] = {
        {"E1", "rep-east-1"}, {"E2", "rep-east-2"}, {"EM", "manager-east"}, {"W1", "rep-west-1"},
        {"W2", "rep-west-1"}, {"G1", "ghost"},      {"N1", NULL},
    };
    static const struct case_ {
        const char *name;
        enum kam_role role;
        const char *login, *team;
        const char *owner; /* an extra filter, NULL none */
        const char *want;
    } cases[] = {
        {"admin sees every account", KAM_ROLE_ADMIN, "admin", NULL, NULL, "E1 E2 EM G1 N1 W1 W2"},
        {"director sees every account", KAM_ROLE_DIRECTOR, "director", NULL, NULL,
         "E1 E2 EM G1 N1 W1 W2"},
        {"manager of east sees the team's accounts and their own", KAM_ROLE_MANAGER, "manager-east",
         "east", NULL, "E1 E2 EM"},
        {"manager of west sees west only", KAM_ROLE_MANAGER, "manager-west", "west", NULL, "W1 W2"},
        {"rep sees their own accounts only", KAM_ROLE_REP, "rep-east-1", "east", NULL, "E1"},
        {"rep of west sees both of theirs", KAM_ROLE_REP, "rep-west-1", "west", NULL, "W1 W2"},
        {"rep cannot list another team's account by owner", KAM_ROLE_REP, "rep-east-1", "east",
         "rep-west-1", ""},
        {"rep cannot list a teammate's account by owner", KAM_ROLE_REP, "rep-east-1", "east",
         "rep-east-2", ""},
        {"manager cannot reach into another team by owner", KAM_ROLE_MANAGER, "manager-east",
         "east", "rep-west-1", ""},
        {"a filter inside the scope still applies", KAM_ROLE_MANAGER, "manager-east", "east",
         "rep-east-2", "E2"},
        {"viewer of east reads what east sees", KAM_ROLE_VIEWER, "viewer-east", "east", NULL,
         "E1 E2 EM"},
        {"viewer without a team sees nothing", KAM_ROLE_VIEWER, "viewer", NULL, NULL, ""},
        {"an owner without a login is seen only by all-scope roles and themself", KAM_ROLE_REP,
         "ghost", NULL, NULL, "G1"},
        {"a name in the scope is data, not SQL", KAM_ROLE_REP, "x' OR '1'='1", "east", NULL, ""},
    };
    struct kam_err err;
    (void)state;

    add_team("east");
    add_team("west");
    add_user("manager-east", KAM_ROLE_MANAGER, "east");
    add_user("rep-east-1", KAM_ROLE_REP, "east");
    add_user("rep-east-2", KAM_ROLE_REP, "east");
    add_user("viewer-east", KAM_ROLE_VIEWER, "east");
    add_user("manager-west", KAM_ROLE_MANAGER, "west");
    add_user("rep-west-1", KAM_ROLE_REP, "west");
    for (size_t k = 0; k < NCASES(accs); k++) {
        struct rec r;
        rec_init(&r);
        rec_text(&r, KAM_ACC_CODE, accs[k].code);
        rec_text(&r, KAM_ACC_NAME, accs[k].code);
        if (accs[k].owner)
            rec_text(&r, KAM_ACC_OWNER, accs[k].owner);
        int64_t id = put(&kam_accounts, &r, KAM_PUT_INSERTED);
        /* A cell in the range check_scoped_reads asks for, and one before it. */
        struct kam_rollup in = {.revenue = 10000 * (kam_money)(k + 1), .lines = 1};
        struct kam_rollup before = {.revenue = 1, .lines = 1};
        CHECK_OK(OPS->rollup_add(ST, id, 202403, &in, &err));
        CHECK_OK(OPS->rollup_add(ST, id, 202312, &before, &err));
    }
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_scope scope;
        struct kam_account_query q = {.owner = c->owner, .scope = &scope};
        struct listed ls = {0};
        CASE = c->name;
        kam_scope_init(&scope, c->role, c->login, c->team);
        CHECK_OK(OPS->account_list(ST, &q, list_cb, &ls, &err));
        CHECK_STR(ls.codes, c->want);
        /* The store agrees with the core rule, account by account. */
        for (size_t i = 0; i < ls.n; i++) {
            const char *owner = NULL, *team = NULL;
            for (size_t a = 0; a < NCASES(accs); a++)
                if (strcmp(accs[a].code, ls.a[i].code) == 0)
                    owner = accs[a].owner;
            if (owner && strstr(owner, "east"))
                team = "east";
            else if (owner && strstr(owner, "west"))
                team = "west";
            CHECK(kam_scope_may(&scope, false, owner, team));
        }
        if (c->owner == NULL)
            check_scoped_reads(&scope, &ls);
    }
    CASE = NULL;
    struct kam_account_query all = {0};
    struct listed ls = {0};
    CHECK_OK(OPS->account_list(ST, &all, list_cb, &ls, &err));
    check_scoped_reads(NULL, &ls); /* NULL: every account */
}

/* --- sessions and scoped reads (schema 4) ------------------------------------------------- */

static void test_sessions(void **state)
{
    struct kam_session a = {0}, b = {0}, got;
    struct kam_err err;
    int64_t ida = 0, idb = 0, n = -1;
    bool ended = false;
    (void)state;

    int64_t alice = add_user("alice", KAM_ROLE_REP, NULL);
    a.user_id = alice;
    memset(a.hash, 0xa1, sizeof(a.hash));
    a.hash[3] = 0; /* bytes, not text */
    memset(a.csrf_hash, 0xc1, sizeof(a.csrf_hash));
    snprintf(a.expires_at, sizeof(a.expires_at), "2999-01-01T00:00:00Z");
    CHECK_OK(OPS->session_add(ST, &a, &ida, &err));
    CHECK(ida > 0);
    CHECK_FAILS(OPS->session_add(ST, &a, &idb, &err)); /* the same id hash twice */
    b = a;
    memset(b.hash, 0xb2, sizeof(b.hash));
    b.user_id = 999;
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->session_add(ST, &b, &idb, &err));
    b.user_id = alice;
    snprintf(b.expires_at, sizeof(b.expires_at), "2000-01-01T00:00:00Z"); /* already over */
    CHECK_OK(OPS->session_add(ST, &b, &idb, &err));

    reopen();
    CHECK_OK(OPS->session_find(ST, a.hash, &got, &err));
    CHECK_INT(got.id, ida);
    CHECK_INT(got.user_id, alice);
    CHECK_STR(got.username, "alice");
    CHECK(memcmp(got.hash, a.hash, sizeof(a.hash)) == 0);
    CHECK(memcmp(got.csrf_hash, a.csrf_hash, sizeof(a.csrf_hash)) == 0);
    CHECK_INT(strlen(got.created_at), 20);
    CHECK_STR(got.expires_at, "2999-01-01T00:00:00Z");
    CHECK_STR(got.last_seen_at, got.created_at);
    /* An expired session and an unknown one get the same answer. */
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->session_find(ST, b.hash, &got, &err));
    char expired[sizeof(err.msg)];
    snprintf(expired, sizeof(expired), "%s", err.msg);
    unsigned char unknown[KAM_SESSION_HASH_BYTES] = {7};
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->session_find(ST, unknown, &got, &err));
    CHECK_STR(err.msg, expired);

    CHECK_OK(OPS->session_touch(ST, ida, &err));
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->session_touch(ST, 999, &err));

    CHECK_OK(OPS->session_purge(ST, &n, &err));
    CHECK_INT(n, 1); /* b */
    CHECK_OK(OPS->session_purge(ST, NULL, &err));

    CHECK_OK(OPS->session_end(ST, a.hash, &ended, &err));
    CHECK(ended);
    CHECK_OK(OPS->session_end(ST, a.hash, &ended, &err));
    CHECK(!ended);
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->session_find(ST, a.hash, &got, &err));
}

static void test_tx_rollback_session(void **state)
{
    struct kam_session a = {0}, got;
    struct kam_err err;
    int64_t id;
    (void)state;

    a.user_id = add_user("alice", KAM_ROLE_REP, NULL);
    memset(a.hash, 1, sizeof(a.hash));
    snprintf(a.expires_at, sizeof(a.expires_at), "2999-01-01T00:00:00Z");
    CHECK_OK(OPS->begin(ST, &err));
    CHECK_OK(OPS->session_add(ST, &a, &id, &err));
    CHECK_OK(OPS->rollback(ST, &err));
    CHECK_RC(KAM_ERR_NOT_FOUND, OPS->session_find(ST, a.hash, &got, &err));
}

struct got_account {
    int n;
    int64_t id, version;
    char code[32], owner[32], created_at[21], updated_at[21];
};

static int got_account_cb(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                          const char *created_at, const char *updated_at)
{
    struct got_account *g = ctx;
    g->n++;
    g->id = id;
    g->version = version;
    snprintf(g->code, sizeof(g->code), "%.*s", (int)vals[KAM_ACC_CODE].len, vals[KAM_ACC_CODE].s);
    snprintf(g->owner, sizeof(g->owner), "%s",
             vals[KAM_ACC_OWNER].null ? "" : vals[KAM_ACC_OWNER].s);
    snprintf(g->created_at, sizeof(g->created_at), "%s", created_at);
    snprintf(g->updated_at, sizeof(g->updated_at), "%s", updated_at);
    return 0;
}

/* The single-account read under a scope: what the list would show, and for everything else the
 * answer of a code that does not exist. */
static void test_account_get_scoped(void **state)
{
    static const struct {
        const char *code, *owner;
    } accs[] = {{"E1", "rep-east-1"}, {"E2", "rep-east-2"}, {"W1", "rep-west-1"}, {"N1", NULL}};
    static const struct case_ {
        const char *name;
        enum kam_role role;
        const char *login, *team, *code;
        bool found;
    } cases[] = {
        {"director reads any account", KAM_ROLE_DIRECTOR, "director", NULL, "W1", true},
        {"director reads an account without owner", KAM_ROLE_DIRECTOR, "director", NULL, "N1",
         true},
        {"manager reads a team member's account", KAM_ROLE_MANAGER, "manager-east", "east", "E2",
         true},
        {"manager cannot read another team's account", KAM_ROLE_MANAGER, "manager-east", "east",
         "W1", false},
        {"rep reads their own account", KAM_ROLE_REP, "rep-east-1", "east", "E1", true},
        {"rep cannot read a teammate's account", KAM_ROLE_REP, "rep-east-1", "east", "E2", false},
        {"rep cannot read another team's account", KAM_ROLE_REP, "rep-east-1", "east", "W1", false},
        {"rep cannot read an account without owner", KAM_ROLE_REP, "rep-east-1", "east", "N1",
         false},
        {"a missing code", KAM_ROLE_DIRECTOR, "director", NULL, "ZZ", false},
        {"a code is data, not SQL", KAM_ROLE_DIRECTOR, "director", NULL, "E1' OR '1'='1", false},
        {"viewer of east reads the team's account", KAM_ROLE_VIEWER, "viewer-east", "east", "E1",
         true},
    };
    struct kam_err err;
    char missing[sizeof(err.msg)];
    (void)state;

    add_team("east");
    add_team("west");
    add_user("rep-east-1", KAM_ROLE_REP, "east");
    add_user("rep-east-2", KAM_ROLE_REP, "east");
    add_user("rep-west-1", KAM_ROLE_REP, "west");
    for (size_t k = 0; k < NCASES(accs); k++) {
        struct rec r;
        rec_init(&r);
        rec_text(&r, KAM_ACC_CODE, accs[k].code);
        rec_text(&r, KAM_ACC_NAME, accs[k].code);
        if (accs[k].owner)
            rec_text(&r, KAM_ACC_OWNER, accs[k].owner);
        put(&kam_accounts, &r, KAM_PUT_INSERTED);
    }
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_scope scope;
        struct got_account g = {0};
        CASE = c->name;
        kam_scope_init(&scope, c->role, c->login, c->team);
        CHECK_RC(c->found ? KAM_OK : KAM_ERR_NOT_FOUND,
                 OPS->account_get_scoped(ST, c->code, &scope, got_account_cb, &g, &err));
        CHECK_INT(g.n, c->found ? 1 : 0);
        if (c->found) {
            CHECK_STR(g.code, c->code);
            CHECK_INT(g.version, 1);
            CHECK(g.created_at[0] != '\0');
            CHECK(g.updated_at[0] != '\0');
        } else {
            /* The same words as for a code that does not exist. */
            snprintf(missing, sizeof(missing), "account '%s' does not exist", c->code);
            CHECK_STR(err.msg, missing);
        }
        /* The id alone: the same rule, the same answer. */
        int64_t id = -1;
        CHECK_RC(c->found ? KAM_OK : KAM_ERR_NOT_FOUND,
                 OPS->account_id_scoped(ST, c->code, &scope, &id, &err));
        if (c->found)
            CHECK_INT(id, g.id);
        else
            CHECK_STR(err.msg, missing);
    }
    CASE = NULL;
    struct got_account g = {0};
    CHECK_OK(OPS->account_get_scoped(ST, "E1", NULL, got_account_cb, &g, &err));
    CHECK_STR(g.owner, "rep-east-1");
    int64_t id = -1;
    CHECK_OK(OPS->account_id_scoped(ST, "E1", NULL, &id, &err));
    CHECK_INT(id, g.id);
}

/* The account edit: only the masked columns change, the version must be the stored one (checked
 * by the update itself), a parent may not make a cycle, and a refused edit changes nothing. */
static void test_account_update(void **state)
{
    struct kam_err err;
    struct kam_value v[MAXCOLS];
    struct got_account g = {0};
    int64_t version = 1;
    (void)state;

    int64_t a = account("A1", "Alpha");
    int64_t b = account("B1", "Beta");
    for (int i = 0; i < MAXCOLS; i++)
        v[i] = (struct kam_value){.null = true};
    v[KAM_ACC_REGION] = (struct kam_value){.s = "East", .len = 4};
    v[KAM_ACC_OWNER] = (struct kam_value){.s = "li", .len = 2};
    v[KAM_ACC_CREDIT_LIMIT] = (struct kam_value){.i = 12345};
    v[KAM_ACC_NAME] = (struct kam_value){.s = "ignored", .len = 7}; /* not in the mask */
    uint64_t mask = 1ull << KAM_ACC_REGION | 1ull << KAM_ACC_OWNER | 1ull << KAM_ACC_CREDIT_LIMIT;
    CHECK_OK(OPS->account_update(ST, "A1", v, mask, &version, &err));
    CHECK_INT(version, 2);
    reopen();
    CHECK_OK(OPS->account_get_scoped(ST, "A1", NULL, got_account_cb, &g, &err));
    CHECK_INT(g.version, 2);
    CHECK_STR(g.owner, "li");
    const struct row *r = get(&kam_accounts, "A1");
    CHECK_STR(r->s[KAM_ACC_NAME], "Alpha");
    CHECK_STR(r->s[KAM_ACC_REGION], "East");
    CHECK_INT(r->i[KAM_ACC_CREDIT_LIMIT], 12345);

    /* A stale version: refused, naming the stored one; nothing written. */
    version = 1;
    v[KAM_ACC_REGION] = (struct kam_value){.s = "West", .len = 4};
    CHECK_RC(KAM_ERR_CONFLICT,
             OPS->account_update(ST, "A1", v, 1ull << KAM_ACC_REGION, &version, &err));
    CHECK(strstr(err.msg, "version 2, not 1") != NULL);
    CHECK_INT(version, 1);
    CHECK_RC(KAM_ERR_NOT_FOUND,
             OPS->account_update(ST, "NOPE", v, 1ull << KAM_ACC_REGION, &version, &err));

    /* The parent is an id; a cycle is refused. Clearing with null. */
    version = 1;
    v[KAM_ACC_PARENT] = (struct kam_value){.i = a};
    CHECK_OK(OPS->account_update(ST, "B1", v, 1ull << KAM_ACC_PARENT, &version, &err));
    CHECK_INT(version, 2);
    check_parent("B1", "A1", a);
    version = 2;
    v[KAM_ACC_PARENT] = (struct kam_value){.i = b};
    CHECK_RC(KAM_ERR_INVALID,
             OPS->account_update(ST, "A1", v, 1ull << KAM_ACC_PARENT, &version, &err));
    CHECK_RC(KAM_ERR_INVALID,
             OPS->account_update(ST, "B1", v, 1ull << KAM_ACC_PARENT, &version, &err));
    version = 2;
    v[KAM_ACC_PARENT] = (struct kam_value){.null = true};
    CHECK_OK(OPS->account_update(ST, "B1", v, 1ull << KAM_ACC_PARENT, &version, &err));
    check_parent("B1", NULL, 0);

    /* A value the schema refuses: nothing written, the version kept. */
    version = 2;
    v[KAM_ACC_ROLE] = (struct kam_value){.s = "king", .len = 4};
    CHECK_RC(KAM_ERR_INVALID,
             OPS->account_update(ST, "A1", v, 1ull << KAM_ACC_ROLE, &version, &err));
    memset(&g, 0, sizeof(g));
    CHECK_OK(OPS->account_get_scoped(ST, "A1", NULL, got_account_cb, &g, &err));
    CHECK_INT(g.version, 2);
}

/* The tier and stage filters read the latest run only, combine with the other filters and the
 * scope, and match nothing before any run. */
static void test_account_list_tier_and_stage(void **state)
{
    struct kam_err err;
    int64_t v = 0, r1 = 0, r2 = 0;
    int64_t ids[4];
    (void)state;

    seed_accounts(ids); /* A001 li, A002 wang, A003 wang, B004 li */
    struct listed ls = {0};
    struct kam_account_query none = {.tier = "key"};
    CHECK_OK(OPS->account_list(ST, &none, list_cb, &ls, &err));
    CHECK_STR(ls.codes, "");
    CHECK_OK(OPS->model_save(ST, "default", "{}", &v, &err));
    struct kam_run run = {.as_of = "2024-06-30", .window_months = 12, .model_version = v};
    CHECK_OK(OPS->run_add(ST, &run, &r1, &err));
    CHECK_OK(OPS->run_add(ST, &run, &r2, &err));
    const struct kam_score_row rows[] = {
        /* The older run: every account key and stable, which must not count. */
        {r1, ids[0], 90, "key", "key", "stability", false, NAN},
        {r1, ids[1], 90, "key", "key", "stability", false, NAN},
        {r1, ids[2], 90, "key", "key", "stability", false, NAN},
        {r1, ids[3], 90, "key", "key", "stability", false, NAN},
        /* The latest: A003 not scored. */
        {r2, ids[0], 80, "key", "key", "stability", false, NAN},
        {r2, ids[1], 50, "major", "major", "decline", false, NAN},
        {r2, ids[3], 10, "small", "small", "stability", false, NAN},
    };
    for (size_t k = 0; k < NCASES(rows); k++)
        CHECK_OK(OPS->score_add(ST, rows[k].run, &rows[k], &err));
    struct kam_scope wang;
    kam_scope_init(&wang, KAM_ROLE_REP, "wang", NULL);
    const struct case_ {
        const char *name;
        struct kam_account_query q;
        const char *want;
    } cases[] = {
        {"tier of the latest run", {.tier = "key"}, "A001"},
        {"another tier", {.tier = "small"}, "B004"},
        {"a tier nobody has now", {.tier = "ordinary"}, ""},
        {"stage", {.stage = "stability"}, "A001 B004"},
        {"tier and stage", {.tier = "small", .stage = "stability"}, "B004"},
        {"with another filter", {.stage = "stability", .owner = "li"}, "A001 B004"},
        {"within a scope", {.tier = "major", .scope = &wang}, "A002"},
        {"outside the scope", {.tier = "key", .scope = &wang}, ""},
    };
    for (size_t k = 0; k < NCASES(cases); k++) {
        memset(&ls, 0, sizeof(ls));
        CASE = cases[k].name;
        CHECK_OK(OPS->account_list(ST, &cases[k].q, list_cb, &ls, &err));
        CHECK_STR(ls.codes, cases[k].want);
    }
    CASE = NULL;
}

/* --- run ----------------------------------------------------------------------------------- */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        T(test_open_missing_without_create),
        T(test_open_create_and_reopen_keep_data),
        T(test_open_failures),
        T(test_meta),
        T(test_upsert_insert_unchanged_update),
        T(test_upsert_unmasked_columns_kept),
        T(test_upsert_insert_defaults),
        T(test_upsert_refused),
        T(test_upsert_round_trip),
        T(test_upsert_contacts_composite_key),
        T(test_get),
        T(test_each_accounts),
        T(test_each_contacts),
        T(test_each_products),
        T(test_each_payments),
        T(test_keys),
        T(test_iterations_stop),
        T(test_set_parent_sets_and_clears),
        T(test_set_parent_refuses_cycles),
        T(test_tx_rollback_leaves_nothing),
        T(test_tx_commit_keeps),
        T(test_tx_uncommitted_lost_at_close),
        T(test_tx_invisible_to_others_before_commit),
        T(test_order_insert_and_find),
        T(test_order_other_account_conflicts),
        T(test_order_line_no_range),
        T(test_order_find_absent),
        T(test_order_update),
        T(test_order_max_id),
        T(test_order_each),
        T(test_order_refused_leaves_no_order),
        T(test_order_after_rollback),
        T(test_rollup_accumulates),
        T(test_rollup_zero_removes_cell),
        T(test_rollup_each_bounds_and_filter),
        T(test_top_products),
        T(test_revenues),
        T(test_order_months),
        T(test_account_list_filters),
        T(test_account_list_sort_by_name),
        T(test_account_list_revenue),
        T(test_account_list_revenue_follows_the_rollup),
        T(test_account_count_follows_changes),
        T(test_account_heads_and_activity),
        T(test_account_list_items_carry_version),
        T(test_tags),
        T(test_tag_rm_absent),
        T(test_unknown_references_refused),
        T(test_trusted_transaction_restores_checks),
        T(test_counts),
        T(test_orders_range_day_and_purchase),
        T(test_orders_range_bounds_and_order),
        T(test_product_add_accumulates),
        T(test_product_add_zero_removes_cell),
        T(test_products_range_order),
        T(test_product_cells_range_and_reopen),
        T(test_data_version),
        T(test_stamp),
        T(test_months_range),
        T(test_invoices_range),
        T(test_extent),
        T(test_ratings),
        T(test_models),
        T(test_pins),
        T(test_runs_and_scores),
        T(test_metrics_round_trip),
        T(test_tx_rollback_engine_writes),
        T(test_engine_unknown_references_refused),
        T(test_engine_iterations_stop),
        T(test_teams),
        T(test_users_add_get_list),
        T(test_users_update_and_versions),
        T(test_tokens),
        T(test_audit_log),
        T(test_audit_list_filters),
        T(test_tx_rollback_user_writes),
        T(test_account_list_scope),
        T(test_sessions),
        T(test_tx_rollback_session),
        T(test_account_get_scoped),
        T(test_account_update),
        T(test_account_list_tier_and_stage),
    };
    int failed = 0;

    for (size_t b = 0; b < NCASES(backends); b++) {
        backend = &backends[b];
        failed += cmocka_run_group_tests_name(backend->name, tests, group_setup, group_teardown);
    }
    return failed != 0;
}
