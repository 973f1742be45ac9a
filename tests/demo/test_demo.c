/* Tests of the demo company generator (src/io/demo.c).
 *
 * The CSV files are read back with libcsv in strict mode, independently of kam's own reader, and
 * checked against the rules the demo promises: determinism, valid codes and references, the
 * 80:20 shape, returns, overdue receivables. The store tests import the demo into a fresh SQLite
 * database and compare what the store holds with the files and the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#include <sodium.h>

#include "core/pareto.h"
#include "core/record.h"
#include "io/demo.h"
#include "io/model.h"
#include "store/store.h"
#include "util/date.h"
#include "util/mem.h"
#include "util/money.h"

static const char *const files[] = {"accounts", "products", "contacts",
                                    "orders",   "payments", "ratings"};

#define ORDERS_HEADER                                                                              \
    "order_id,line_no,date,account,product,quantity,unit_price,amount,unit_cost,discount,"         \
    "channel,region"

/* --- helpers ------------------------------------------------------------------------------ */

/* A fresh directory under $TMPDIR or /tmp; the caller removes it with rm_tree. */
static void make_temp_dir(char *buf, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, n, "%s/kam-test-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(buf));
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Removes dir and everything in it (the tests create only files and one level of dirs). */
static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            rm_tree(path);
    }
    closedir(d);
    rmdir(dir);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = kam_xmalloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void file_path(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s.csv", dir, name);
}

/* A CSV file parsed by libcsv: every field NUL-terminated in one buffer. */
struct table {
    char *text;
    size_t len, cap;
    size_t *off;
    size_t ncells, cells_cap;
    size_t ncols, nrows; /* nrows counts data rows, not the header */
    size_t row_fields;
    bool ragged; /* a row had a different number of fields than the header */
};

static void on_field(void *s, size_t len, void *data)
{
    struct table *t = data;

    if (t->len + len + 1 > t->cap) {
        while (t->len + len + 1 > t->cap)
            t->cap = t->cap ? t->cap * 2 : 1 << 20;
        t->text = kam_xrealloc(t->text, t->cap);
    }
    if (t->ncells == t->cells_cap) {
        t->cells_cap = t->cells_cap ? t->cells_cap * 2 : 1 << 16;
        t->off = kam_xrealloc(t->off, t->cells_cap * sizeof(*t->off));
    }
    t->off[t->ncells++] = t->len;
    if (len > 0)
        memcpy(t->text + t->len, s, len);
    t->len += len;
    t->text[t->len++] = '\0';
    t->row_fields++;
}

static void on_row(int c, void *data)
{
    struct table *t = data;

    (void)c;
    if (t->ncols == 0)
        t->ncols = t->row_fields;
    else {
        t->ragged |= t->row_fields != t->ncols;
        t->nrows++;
    }
    t->row_fields = 0;
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0; /* keep blanks: the demo writes what it means */
}

static void table_load(struct table *t, const char *dir, const char *name)
{
    struct csv_parser p;
    char path[4096];
    size_t len;
    char *buf;

    memset(t, 0, sizeof(*t));
    file_path(path, sizeof(path), dir, name);
    buf = read_all(path, &len);
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    csv_set_space_func(&p, no_space);
    assert_int_equal(csv_parse(&p, buf, len, on_field, on_row, t), len);
    assert_int_equal(csv_fini(&p, on_field, on_row, t), 0);
    csv_free(&p);
    free(buf);
    assert_false(t->ragged);
}

static void table_free(struct table *t)
{
    free(t->text);
    free(t->off);
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
    return t->text + t->off[(row + 1) * t->ncols + col];
}

static size_t col(const struct table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->text + t->off[i], name) == 0)
            return i;
    fail_msg("no column '%s'", name);
    return 0;
}

static void assert_header(const char *dir, const char *name, const char *expected)
{
    char path[4096], *buf;
    size_t len;

    file_path(path, sizeof(path), dir, name);
    buf = read_all(path, &len);
    assert_true(len > strlen(expected));
    assert_memory_equal(buf, expected, strlen(expected));
    assert_int_equal(buf[strlen(expected)], '\n');
    free(buf);
}

/* "a,b,c" from a column table. */
static void table_header(const struct kam_table *t, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < t->ncols; i++)
        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? "," : "", t->cols[i].name);
}

static kam_money money(const char *s)
{
    kam_money v = 0;
    struct kam_err err;
    kam_err_clear(&err);
    assert_int_equal(kam_money_parse(s, strlen(s), &v, &err), KAM_OK);
    return v;
}

/* Account index of a code "C000123" (codes are numbered from 1 in file order). */
static int code_index(const char *code, int n)
{
    int i;
    assert_int_equal(code[0], 'C');
    i = atoi(code + 1) - 1;
    assert_true(i >= 0 && i < n);
    return i;
}

/* Net revenue per account from orders.csv: quantity * unit_price - discount. */
static kam_money *csv_revenues(const struct table *o, int naccounts)
{
    kam_money *rev = kam_xcalloc((size_t)naccounts, sizeof(*rev));
    size_t c_acc = col(o, "account"), c_qty = col(o, "quantity"), c_price = col(o, "unit_price"),
           c_disc = col(o, "discount");
    struct kam_err err;

    kam_err_clear(&err);
    for (size_t r = 0; r < o->nrows; r++) {
        kam_money amount;
        assert_int_equal(
            kam_money_mul(money(cell(o, r, c_qty)), money(cell(o, r, c_price)), &amount, &err),
            KAM_OK);
        rev[code_index(cell(o, r, c_acc), naccounts)] += amount - money(cell(o, r, c_disc));
    }
    return rev;
}

static void write_demo(const struct kam_demo_opts *o, const char *dir)
{
    struct kam_err err;

    kam_err_clear(&err);
    if (kam_demo_write_csv(o, dir, &err) != KAM_OK)
        fail_msg("demo write failed: %s", err.msg);
}

/* The configurations every content and store test runs: small and fast, and the defaults. */
struct config {
    const char *name;
    int accounts, products, years; /* 0 = default */
    uint64_t seed;
};

static const struct config configs[] = {
    {"small company, one year", 300, 60, 1, 42},
    {"defaults", 0, 0, 0, 1},
};

static void config_opts(const struct config *c, struct kam_demo_opts *o)
{
    kam_demo_opts_default(o);
    o->seed = c->seed;
    if (c->accounts)
        o->accounts = c->accounts;
    if (c->products)
        o->products = c->products;
    if (c->years)
        o->years = c->years;
}

/* First day of the range as ISO text: the first of the month, years before the end month. */
static void range_start(const struct kam_demo_opts *o, char *buf, size_t n)
{
    struct kam_date end;
    struct kam_err err;
    kam_err_clear(&err);
    assert_int_equal(kam_date_parse_iso(o->end_date, strlen(o->end_date), &end, &err), KAM_OK);
    int idx = kam_date_month_index(&end) - 12 * o->years + 1;
    snprintf(buf, n, "%04d-%02d-01", idx / 12, idx % 12 + 1);
}

/* --- options ------------------------------------------------------------------------------ */

static void test_defaults(void **state)
{
    struct kam_demo_opts o;

    (void)state;
    kam_demo_opts_default(&o);
    assert_int_equal(o.accounts, 2000);
    assert_int_equal(o.products, 200);
    assert_int_equal(o.years, 3);
    assert_string_equal(o.end_date, "2025-12-31");
}

static void test_bad_options(void **state)
{
    static const struct bad {
        const char *name;
        int accounts, products, years;
        const char *end_date;
        const char *dir; /* NULL = a fresh temporary directory */
        enum kam_rc expected;
    } cases[] = {
        {"no accounts", 0, 10, 1, "2025-12-31", NULL, KAM_ERR_USAGE},
        {"negative products", 10, -1, 1, "2025-12-31", NULL, KAM_ERR_USAGE},
        {"no years", 10, 10, 0, "2025-12-31", NULL, KAM_ERR_USAGE},
        {"too many accounts", KAM_DEMO_MAX_ACCOUNTS + 1, 10, 1, "2025-12-31", NULL,
         KAM_ERR_TOO_LARGE},
        {"too many products", 10, KAM_DEMO_MAX_PRODUCTS + 1, 1, "2025-12-31", NULL,
         KAM_ERR_TOO_LARGE},
        {"too many years", 10, 10, KAM_DEMO_MAX_YEARS + 1, "2025-12-31", NULL, KAM_ERR_TOO_LARGE},
        {"too many accounts for the years", KAM_DEMO_MAX_ACCOUNTS, 10, KAM_DEMO_MAX_YEARS,
         "2025-12-31", NULL, KAM_ERR_TOO_LARGE},
        {"end date not a calendar day", 10, 10, 1, "2025-02-30", NULL, KAM_ERR_USAGE},
        {"end date with a time of day", 10, 10, 1, "2025-12-31 10:00", NULL, KAM_ERR_USAGE},
        {"end date in another format", 10, 10, 1, "31.12.2025", NULL, KAM_ERR_USAGE},
        {"directory that does not exist", 10, 10, 1, "2025-12-31", "/nonexistent/kam-demo",
         KAM_ERR_IO},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad *c = &cases[i];
        struct kam_demo_opts o;
        struct kam_err err;
        char dir[4096];

        kam_demo_opts_default(&o);
        o.accounts = c->accounts;
        o.products = c->products;
        o.years = c->years;
        o.end_date = c->end_date;
        kam_err_clear(&err);
        if (c->dir)
            snprintf(dir, sizeof(dir), "%s", c->dir);
        else
            make_temp_dir(dir, sizeof(dir));
        enum kam_rc rc = kam_demo_write_csv(&o, dir, &err);
        if (rc != c->expected)
            fail_msg("%s: got %s (%s), expected %s", c->name, kam_rc_name(rc), err.msg,
                     kam_rc_name(c->expected));
        assert_true(err.msg[0] != '\0');
        if (c->dir == NULL) {
            assert_int_equal(count_entries(dir), 0); /* nothing written, no temporary files */
            rm_tree(dir);
        }
    }
}

/* --- determinism -------------------------------------------------------------------------- */

static bool same_file(const char *a_dir, const char *b_dir, const char *name)
{
    char a_path[4096], b_path[4096], *a, *b;
    size_t a_len, b_len;
    bool same;

    file_path(a_path, sizeof(a_path), a_dir, name);
    file_path(b_path, sizeof(b_path), b_dir, name);
    a = read_all(a_path, &a_len);
    b = read_all(b_path, &b_len);
    same = a_len == b_len && memcmp(a, b, a_len) == 0;
    free(a);
    free(b);
    return same;
}

static void test_same_seed_same_bytes(void **state)
{
    struct kam_demo_opts o;
    char a[4096], b[4096], c[4096];

    (void)state;
    kam_demo_opts_default(&o);
    o.accounts = 250;
    o.products = 50;
    o.years = 2;
    o.seed = 7;
    make_temp_dir(a, sizeof(a));
    make_temp_dir(b, sizeof(b));
    make_temp_dir(c, sizeof(c));
    write_demo(&o, a);
    write_demo(&o, b);
    o.seed = 8;
    write_demo(&o, c);
    /* Exactly the six files: the temporary names were renamed. */
    assert_int_equal(count_entries(a), 6);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (!same_file(a, b, files[i]))
            fail_msg("%s.csv differs between two runs with the same seed", files[i]);
    }
    assert_false(same_file(a, c, "accounts"));
    assert_false(same_file(a, c, "contacts"));
    assert_false(same_file(a, c, "orders"));
    assert_false(same_file(a, c, "payments"));
    assert_false(same_file(a, c, "ratings"));
    rm_tree(a);
    rm_tree(b);
    rm_tree(c);
}

/* --- content ------------------------------------------------------------------------------ */

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

static void check_accounts(const struct kam_demo_opts *o, const struct table *t)
{
    size_t c_code = col(t, "code"), c_role = col(t, "role"), c_uscc = col(t, "uscc"),
           c_parent = col(t, "parent"), c_level = col(t, "level"), c_region = col(t, "region"),
           c_owner = col(t, "owner"), c_name = col(t, "name"), c_country = col(t, "country");
    int roles[16] = {0}, with_uscc = 0, children = 0, child_first = 0, english = 0;
    struct kam_err err;

    kam_err_clear(&err);
    assert_int_equal(t->nrows, (size_t)o->accounts);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *code = cell(t, r, c_code), *uscc = cell(t, r, c_uscc);
        const char *parent = cell(t, r, c_parent), *region = cell(t, r, c_region);
        const char *owner = cell(t, r, c_owner), *name = cell(t, r, c_name);
        int role = kam_enum_index(kam_role_names, cell(t, r, c_role), strlen(cell(t, r, c_role)));

        /* Codes are unique and in file order. */
        assert_int_equal(code_index(code, o->accounts), (int)r);
        assert_true(role >= 0);
        roles[role]++;
        assert_true(
            kam_enum_index(kam_level_names, cell(t, r, c_level), strlen(cell(t, r, c_level))) >= 0);
        assert_string_equal(cell(t, r, c_country), "中国");
        if (*uscc) {
            with_uscc++;
            if (kam_uscc_check(uscc, strlen(uscc), &err) != KAM_OK)
                fail_msg("account %s: uscc '%s' %s", code, uscc, err.msg);
        }
        if (*parent) {
            int p = code_index(parent, o->accounts);
            assert_int_not_equal(p, (int)r);
            children++;
            child_first += p > (int)r;
        }
        /* The demo logins: east, north and north-east belong to the east team. */
        if (strcmp(region, "华东") == 0 || strcmp(region, "华北") == 0 ||
            strcmp(region, "东北") == 0)
            assert_true(strcmp(owner, "rep-east-1") == 0 || strcmp(owner, "rep-east-2") == 0);
        else
            assert_string_equal(owner, "rep-west-1");
        /* English names carry a comma, so the file must quote them. */
        if (is_ascii(name)) {
            assert_non_null(strstr(name, "Co., Ltd."));
            english++;
        }
    }
    for (int role = 0; kam_role_names[role] != NULL; role++)
        if (roles[role] == 0)
            fail_msg("no account has role '%s'", kam_role_names[role]);
    assert_in_range(with_uscc * 100 / o->accounts, 60, 80);
    assert_true(children > 0);
    assert_true(child_first > 0); /* a subsidiary listed before its parent */
    assert_in_range(english * 100 / o->accounts, 20, 45);
}

/* Ratings: names and values the default model accepts, one per account and name, the designed
 * key accounts (those with a justification, in the account's language) rated high on the four
 * ratings every account gets, fulfilment for resellers only, and about a fifth of the accounts
 * rated at all. */
static void check_ratings(const struct kam_demo_opts *o, const struct table *t,
                          const struct table *acc)
{
    size_t c_acct = col(t, "account"), c_name = col(t, "rating"), c_value = col(t, "value"),
           c_note = col(t, "note");
    size_t a_just = col(acc, "justification"), a_role = col(acc, "role"), a_name = col(acc, "name");
    struct kam_model *m = NULL;
    struct kam_err err;
    int n = o->accounts, rated = 0, justified = 0;
    /* per account: a bit per rating, and the sum of the core four */
    unsigned *seen = kam_xcalloc((size_t)n, sizeof(*seen));
    int *sum = kam_xcalloc((size_t)n, sizeof(*sum));
    int low = 0;

    assert_int_equal(
        kam_model_parse(kam_model_default_json, strlen(kam_model_default_json), &m, &err), KAM_OK);
    for (size_t r = 0; r < t->nrows; r++) {
        int a = code_index(cell(t, r, c_acct), n);
        int k = kam_model_rating_find(m, cell(t, r, c_name));
        double v = atof(cell(t, r, c_value));
        if (k < 0)
            fail_msg("rating '%s' is not in the default model", cell(t, r, c_name));
        assert_true(a >= 0 && a < n);
        assert_true(v >= m->ratings[k].min && v <= m->ratings[k].max);
        assert_false(seen[a] & (1u << k)); /* one row per account and rating */
        seen[a] |= 1u << k;
        if (strcmp(cell(t, r, c_name), "fulfilment") == 0) {
            const char *role = cell(acc, (size_t)a, a_role);
            assert_true(strcmp(role, "distributor") == 0 || strcmp(role, "dealer") == 0 ||
                        strcmp(role, "wholesaler") == 0 || strcmp(role, "agent") == 0);
        } else {
            sum[a] += (int)v;
        }
        /* Notes only on the key accounts' rows. */
        if (*cell(t, r, c_note))
            assert_true(*cell(acc, (size_t)a, a_just) != '\0');
    }
    for (int a = 0; a < n; a++) {
        const char *just = cell(acc, (size_t)a, a_just);
        rated += seen[a] != 0;
        if (*just == '\0')
            continue;
        justified++;
        /* growth potential, key people, relationship and strategic value are all there */
        assert_int_equal(seen[a] & 0xfu, 0xfu);
        low += sum[a] < 14; /* below 3.5 on average: a shrinking or lost key account */
        /* The justification speaks the account's language (English names are ASCII). */
        bool ascii_name = true, ascii_just = true;
        for (const char *c = cell(acc, (size_t)a, a_name); *c; c++)
            ascii_name = ascii_name && (unsigned char)*c < 0x80;
        for (const char *c = just; *c; c++)
            ascii_just = ascii_just && (unsigned char)*c < 0x80;
        if (ascii_name != ascii_just)
            fail_msg("account %d: justification '%s' is not in the language of its name '%s'", a,
                     just, cell(acc, (size_t)a, a_name));
    }
    assert_int_equal(justified, n / 33 > 0 ? n / 33 : 1);
    assert_int_equal(rated, n / 5 > justified ? n / 5 : justified);
    assert_true(low * 3 < justified); /* most key accounts are rated high */
    free(seen);
    free(sum);
    kam_model_free(m);
}

static void check_products(const struct kam_demo_opts *o, const struct table *t)
{
    size_t c_sku = col(t, "sku"), c_cat = col(t, "category"), c_price = col(t, "list_price"),
           c_cost = col(t, "std_cost");
    char cats[16][64];
    int ncats = 0;

    assert_int_equal(t->nrows, (size_t)o->products);
    for (size_t r = 0; r < t->nrows; r++) {
        kam_money price = money(cell(t, r, c_price)), cost = money(cell(t, r, c_cost));
        bool seen = false;

        assert_int_equal(atoi(cell(t, r, c_sku) + 1), (int)r + 1);
        assert_true(price > 0);
        /* Standard cost is 45-80 % of the list price (allow the rounding to cents). */
        assert_true(cost * 100 >= price * 45 - 100 && cost * 100 <= price * 80 + 100);
        for (int i = 0; i < ncats; i++)
            seen |= strcmp(cats[i], cell(t, r, c_cat)) == 0;
        if (!seen) {
            assert_true(ncats < 16);
            snprintf(cats[ncats++], sizeof(cats[0]), "%s", cell(t, r, c_cat));
        }
    }
    assert_in_range(ncats, 6, 10);
}

static void check_contacts(const struct kam_demo_opts *o, const struct table *t)
{
    size_t c_acc = col(t, "account"), c_name = col(t, "name"), c_boss = col(t, "reports_to");
    int *per = kam_xcalloc((size_t)o->accounts, sizeof(*per)), bosses = 0;

    for (size_t r = 0; r < t->nrows; r++) {
        const char *acc = cell(t, r, c_acc), *boss = cell(t, r, c_boss);
        per[code_index(acc, o->accounts)]++;
        assert_true(*cell(t, r, c_name) != '\0');
        if (*boss == '\0')
            continue;
        /* The boss is a contact of the same account. */
        bool found = false;
        for (size_t q = 0; q < t->nrows && !found; q++)
            found = strcmp(cell(t, q, c_acc), acc) == 0 && strcmp(cell(t, q, c_name), boss) == 0;
        assert_true(found);
        bosses++;
    }
    for (int i = 0; i < o->accounts; i++)
        assert_in_range(per[i], 1, 5);
    assert_true(bosses > 0);
    free(per);
}

static void check_orders(const struct kam_demo_opts *o, const struct table *t,
                         const struct table *products)
{
    size_t c_id = col(t, "order_id"), c_line = col(t, "line_no"), c_date = col(t, "date"),
           c_acc = col(t, "account"), c_prod = col(t, "product"), c_qty = col(t, "quantity"),
           c_disc = col(t, "discount"), c_amount = col(t, "amount"), c_ch = col(t, "channel"),
           c_price = col(t, "unit_price");
    char start[32], prev_id[32] = "";
    struct kam_err err;
    int64_t returns = 0, expect_line = 1, prev_sign = 0;
    kam_money feb = 0, dec = 0;
    kam_money *rev = csv_revenues(t, o->accounts);
    struct kam_top_share ts;

    kam_err_clear(&err);
    range_start(o, start, sizeof(start));
    for (size_t r = 0; r < t->nrows; r++) {
        const char *id = cell(t, r, c_id), *date = cell(t, r, c_date);
        kam_money qty = money(cell(t, r, c_qty));
        int sign = qty < 0 ? -1 : 1;

        assert_true(strcmp(date, start) >= 0 && strcmp(date, o->end_date) <= 0);
        assert_int_equal(strlen(date), 10);
        code_index(cell(t, r, c_acc), o->accounts);
        assert_in_range(atoi(cell(t, r, c_prod) + 1), 1, o->products);
        assert_int_equal(
            strcmp(cell(products, (size_t)atoi(cell(t, r, c_prod) + 1) - 1, 0), cell(t, r, c_prod)),
            0);
        assert_true(qty != 0);
        assert_true(money(cell(t, r, c_disc)) >= 0);
        assert_string_equal(cell(t, r, c_amount), "");
        assert_true(strcmp(cell(t, r, c_ch), "direct") == 0 ||
                    strcmp(cell(t, r, c_ch), "distributor") == 0 ||
                    strcmp(cell(t, r, c_ch), "online") == 0);
        /* Lines of an order are consecutive and numbered from 1; a return is an order of its
         * own, never mixed with sales lines. */
        if (strcmp(id, prev_id) != 0) {
            expect_line = 1;
            snprintf(prev_id, sizeof(prev_id), "%s", id);
        } else {
            assert_int_equal(sign, prev_sign);
        }
        assert_int_equal(atoll(cell(t, r, c_line)), expect_line);
        expect_line++;
        prev_sign = sign;
        returns += qty < 0;
        kam_money amount;
        assert_int_equal(kam_money_mul(qty, money(cell(t, r, c_price)), &amount, &err), KAM_OK);
        amount -= money(cell(t, r, c_disc));
        if (strncmp(date + 5, "02", 2) == 0)
            feb += amount;
        if (strncmp(date + 5, "12", 2) == 0)
            dec += amount;
    }
    /* About 2 % of the lines are returns. */
    assert_in_range(returns * 1000 / (int64_t)t->nrows, 5, 50);
    /* Chinese New Year against the year-end push. */
    assert_true(feb * 3 < dec * 2);
    /* The 80:20 shape on the net basis. */
    kam_pareto_top_share(rev, (size_t)o->accounts, 0.2, &ts);
    if (ts.share < 0.65 || ts.share > 0.90)
        fail_msg("top 20 %% share of net revenue is %.3f", ts.share);
    assert_true(ts.population > o->accounts * 8 / 10);
    free(rev);
}

static void check_payments(const struct kam_demo_opts *o, const struct table *t)
{
    size_t c_inv = col(t, "invoice"), c_amount = col(t, "amount"), c_issued = col(t, "issued"),
           c_due = col(t, "due"), c_paid = col(t, "paid"), c_paid_amount = col(t, "paid_amount"),
           c_acc = col(t, "account");
    int overdue_open = 0, partial = 0, late = 0;

    assert_true(t->nrows > 0);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *issued = cell(t, r, c_issued), *due = cell(t, r, c_due),
                   *paid = cell(t, r, c_paid), *paid_amount = cell(t, r, c_paid_amount);
        kam_money amount = money(cell(t, r, c_amount));

        code_index(cell(t, r, c_acc), o->accounts);
        assert_true(amount > 0);
        assert_true(strcmp(issued, o->end_date) <= 0);
        assert_true(strcmp(due, issued) > 0);
        assert_true(strncmp(cell(t, r, c_inv), "INV", 3) == 0);
        if (r > 0)
            assert_true(strcmp(cell(t, r - 1, c_inv), cell(t, r, c_inv)) != 0);
        /* Open: no date and no amount; paid: both, never after the end date. */
        assert_int_equal(*paid == '\0', *paid_amount == '\0');
        if (*paid == '\0') {
            overdue_open += strcmp(due, o->end_date) < 0;
            continue;
        }
        assert_true(strcmp(paid, issued) >= 0 && strcmp(paid, o->end_date) <= 0);
        partial += money(paid_amount) < amount;
        late += strcmp(paid, due) > 0;
        assert_true(money(paid_amount) > 0 && money(paid_amount) <= amount);
    }
    assert_true(overdue_open > 0);
    assert_true(partial > 0);
    assert_true(late > 0);
}

static void test_content(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
        struct kam_demo_opts o;
        struct table acc, prod, con, ord, pay, rat;
        char dir[4096], header[1024];

        config_opts(&configs[i], &o);
        make_temp_dir(dir, sizeof(dir));
        write_demo(&o, dir);
        table_header(&kam_accounts, header, sizeof(header));
        assert_header(dir, "accounts", header);
        table_header(&kam_products, header, sizeof(header));
        assert_header(dir, "products", header);
        table_header(&kam_contacts, header, sizeof(header));
        assert_header(dir, "contacts", header);
        table_header(&kam_payments, header, sizeof(header));
        assert_header(dir, "payments", header);
        assert_header(dir, "orders", ORDERS_HEADER);
        assert_header(dir, "ratings", "account,rating,value,note");
        table_load(&acc, dir, "accounts");
        table_load(&prod, dir, "products");
        table_load(&con, dir, "contacts");
        table_load(&ord, dir, "orders");
        table_load(&pay, dir, "payments");
        table_load(&rat, dir, "ratings");
        check_accounts(&o, &acc);
        check_ratings(&o, &rat, &acc);
        check_products(&o, &prod);
        check_contacts(&o, &con);
        check_orders(&o, &ord, &prod);
        check_payments(&o, &pay);
        if (configs[i].accounts == 0) /* the defaults: a few seconds of data, not more */
            assert_in_range(ord.nrows, 150000, 250000);
        table_free(&acc);
        table_free(&prod);
        table_free(&con);
        table_free(&ord);
        table_free(&pay);
        table_free(&rat);
        rm_tree(dir);
    }
}

/* --- into the store ----------------------------------------------------------------------- */

struct revenues {
    kam_money *values;
    const kam_money *expected;
    int n, mismatches;
};

static int on_revenue(void *ctx, int64_t id, const char *code, const char *name, kam_money v)
{
    struct revenues *r = ctx;
    int i = code_index(code, r->n);

    (void)id;
    (void)name;
    r->values[i] = v;
    if (v != r->expected[i] && r->mismatches++ < 5)
        print_error("account %s: store has net revenue %lld, orders.csv %lld\n", code, (long long)v,
                    (long long)r->expected[i]);
    return 0;
}

struct payment_scan {
    const char *end_date;
    int64_t overdue_open;
};

static int on_payment(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct payment_scan *p = ctx;
    const struct kam_value *due = &vals[KAM_PAY_DUE];

    (void)id;
    if (vals[KAM_PAY_PAID].null && !due->null &&
        strncmp(due->s, p->end_date, due->len < 10 ? due->len : 10) < 0)
        p->overdue_open++;
    return 0;
}

static int on_account(void *ctx, int64_t id, const struct kam_value *vals)
{
    (void)id;
    if (!vals[KAM_ACC_PARENT].null && vals[KAM_ACC_PARENT].i > 0)
        (*(int64_t *)ctx)++;
    return 0;
}

static int on_tag(void *ctx, const char *name, const char *color, int64_t accounts)
{
    (void)name;
    assert_true(color != NULL && color[0] == '#');
    *(int64_t *)ctx += accounts;
    return 0;
}

static int on_rating(void *ctx, int64_t account, const char *name, double value, const char *note)
{
    (void)account;
    (void)name;
    (void)note;
    assert_true(value >= 1 && value <= 5);
    (*(int64_t *)ctx)++;
    return 0;
}

static void open_store(const char *root, struct kam_store **st)
{
    char path[4096];
    struct kam_err err;

    kam_err_clear(&err);
    snprintf(path, sizeof(path), "%s/kam.db", root);
    if (kam_store_open(path, KAM_STORE_CREATE, st, &err) != KAM_OK)
        fail_msg("cannot open the store: %s", err.msg);
}

/* $TMPDIR for kam_demo_generate, so the test can see that nothing is left behind. */
static void private_tmpdir(const char *root, char *buf, size_t n)
{
    snprintf(buf, n, "%s/tmp", root);
    assert_int_equal(mkdir(buf, 0700), 0);
    assert_int_equal(setenv("TMPDIR", buf, 1), 0);
}

/* The demo logins: seven users with their roles and teams, the password kam-demo (checked with
 * libsodium itself, not through kam), and every account owned by a rep, so that the two
 * managers' scopes split the portfolio between them. */
struct demo_login {
    const char *username, *role, *team;
};

static int count_listed(void *ctx, int64_t id, const struct kam_value *vals, kam_money ttm,
                        kam_money total)
{
    (void)id;
    (void)ttm;
    (void)total;
    const struct kam_value *owner = &vals[KAM_ACC_OWNER];
    int64_t *n = ctx;
    if (owner->len == 0 || strncmp(owner->s, "rep-", 4) != 0)
        fail_msg("account owned by '%.*s', not by a demo rep", (int)owner->len, owner->s);
    (*n)++;
    return 0;
}

static void check_demo_users(struct kam_store *st, const struct kam_demo_report *rep,
                             int64_t accounts)
{
    static const struct demo_login want[] = {
        {"admin", "admin", ""},
        {"director", "director", ""},
        {"manager-east", "manager", "east"},
        {"manager-west", "manager", "west"},
        {"rep-east-1", "rep", "east"},
        {"rep-east-2", "rep", "east"},
        {"rep-west-1", "rep", "west"},
    };
    struct kam_err err;
    struct kam_user u;
    int64_t east = 0, west = 0;

    assert_int_equal(rep->users, 7);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (st->ops->user_get(st, want[i].username, &u, &err) != KAM_OK)
            fail_msg("demo user '%s' is missing: %s", want[i].username, err.msg);
        assert_string_equal(kam_role_name(u.role), want[i].role);
        assert_string_equal(u.team, want[i].team);
        assert_false(u.disabled);
        assert_true(strncmp(u.password_hash, "$argon2id$", 10) == 0);
        if (i == 4) {
            assert_int_equal(sodium_init() < 0, 0);
            assert_int_equal(crypto_pwhash_str_verify(u.password_hash, "kam-demo", 8), 0);
            assert_int_not_equal(crypto_pwhash_str_verify(u.password_hash, "kam-demo!", 9), 0);
        }
    }
    /* The scopes of the two managers split the accounts: each account belongs to one team. */
    const char *teams[2] = {"east", "west"};
    int64_t *counts[2] = {&east, &west};
    for (int t = 0; t < 2; t++) {
        struct kam_scope scope;
        char login[32];
        snprintf(login, sizeof(login), "manager-%s", teams[t]);
        kam_scope_init(&scope, KAM_ROLE_MANAGER, login, teams[t]);
        struct kam_account_query q = {.scope = &scope};
        assert_int_equal(st->ops->account_list(st, &q, count_listed, counts[t], &err), KAM_OK);
    }
    assert_true(east > 0 && west > 0);
    assert_int_equal(east + west, accounts);
}

static void test_generate(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
        struct kam_demo_opts o;
        struct kam_demo_report rep;
        struct kam_counts counts;
        struct kam_store *st = NULL;
        struct kam_err err;
        struct table ord, acc;
        struct kam_top_share ts;
        struct payment_scan ps;
        char root[1024], tmp[4096], csv_dir[4096], last_date[32], start[32];
        int64_t tagged = 0, children = 0, csv_children = 0;
        int first, last;

        config_opts(&configs[i], &o);
        make_temp_dir(root, sizeof(root));
        snprintf(csv_dir, sizeof(csv_dir), "%s/csv", root);
        assert_int_equal(mkdir(csv_dir, 0700), 0);
        write_demo(&o, csv_dir);
        private_tmpdir(root, tmp, sizeof(tmp));
        open_store(root, &st);
        kam_err_clear(&err);
        memset(&rep, 0, sizeof(rep));
        enum kam_rc rc = kam_demo_generate(st, &o, &rep, &err);
        if (rc != KAM_OK)
            fail_msg("%s: demo generate failed: %s: %s", configs[i].name, kam_rc_name(rc), err.msg);
        assert_int_equal(count_entries(tmp), 0);

        /* The report is what the files hold, and the store holds all of it. */
        table_load(&ord, csv_dir, "orders");
        table_load(&acc, csv_dir, "accounts");
        assert_int_equal(rep.accounts, o.accounts);
        assert_int_equal(rep.products, o.products);
        assert_int_equal(rep.order_lines, (int64_t)ord.nrows);
        assert_int_equal(st->ops->counts(st, &counts, &err), KAM_OK);
        assert_int_equal(counts.accounts, rep.accounts);
        assert_int_equal(counts.products, rep.products);
        assert_int_equal(counts.contacts, rep.contacts);
        assert_int_equal(counts.order_lines, rep.order_lines);
        assert_int_equal(counts.payments, rep.payments);
        assert_in_range(counts.tags, 5, 6);
        assert_int_equal(st->ops->tag_list(st, 0, on_tag, &tagged, &err), KAM_OK);
        assert_int_equal(tagged, rep.tagged);
        assert_true(rep.tagged > 0);
        /* The ratings went through `kam import ratings`: all of them are stored. */
        int64_t ratings = 0;
        assert_int_equal(st->ops->rating_each(st, 0, on_rating, &ratings, &err), KAM_OK);
        assert_true(rep.ratings > 0);
        assert_int_equal(ratings, rep.ratings);
        check_demo_users(st, &rep, counts.accounts);

        /* Net revenue per account equals the files', and has the 80:20 shape. */
        kam_money *expected = csv_revenues(&ord, o.accounts);
        struct revenues rv = {kam_xcalloc((size_t)o.accounts, sizeof(kam_money)), expected,
                              o.accounts, 0};
        assert_int_equal(st->ops->revenues(st, on_revenue, &rv, &err), KAM_OK);
        assert_int_equal(rv.mismatches, 0);
        kam_pareto_top_share(rv.values, (size_t)o.accounts, 0.2, &ts);
        if (ts.share < 0.65 || ts.share > 0.90)
            fail_msg("%s: top 20 %% share is %.3f", configs[i].name, ts.share);

        /* The order range is the requested years up to the end date. */
        assert_int_equal(
            st->ops->order_months(st, &first, &last, last_date, sizeof(last_date), &err), KAM_OK);
        range_start(&o, start, sizeof(start));
        assert_int_equal(first, atoi(start) * 100 + atoi(start + 5));
        assert_int_equal(last, atoi(o.end_date) * 100 + atoi(o.end_date + 5));

        /* Receivables overdue at the end date, and groups with their parents resolved. */
        ps.end_date = o.end_date;
        ps.overdue_open = 0;
        assert_int_equal(st->ops->each(st, &kam_payments, 0, on_payment, &ps, &err), KAM_OK);
        assert_true(ps.overdue_open > 0);
        assert_int_equal(st->ops->each(st, &kam_accounts, 0, on_account, &children, &err), KAM_OK);
        for (size_t r = 0; r < acc.nrows; r++)
            csv_children += *cell(&acc, r, col(&acc, "parent")) != '\0';
        assert_true(children > 0);
        assert_int_equal(children, csv_children);

        free(expected);
        free(rv.values);
        table_free(&ord);
        table_free(&acc);
        kam_store_close(st);
        unsetenv("TMPDIR");
        rm_tree(root);
    }
}

/* --- failures ----------------------------------------------------------------------------- */

/* Store operations with a failure injected: the real ones are kept in real_ops. */
static const struct kam_store_ops *real_ops;
static int tag_calls, tag_fail_at;

static enum kam_rc failing_tag_add(struct kam_store *st, int64_t account_id, const char *name,
                                   const char *color, struct kam_err *err)
{
    if (++tag_calls == tag_fail_at)
        return kam_err_set(err, KAM_ERR_STORE, "injected failure");
    return real_ops->tag_add(st, account_id, name, color, err);
}

static enum kam_rc failing_begin(struct kam_store *st, struct kam_err *err)
{
    (void)st;
    return kam_err_set(err, KAM_ERR_STORE, "injected failure");
}

static void test_generate_failures(void **state)
{
    static const struct failure {
        const char *name;
        bool fail_begin; /* every transaction fails to start: the first import fails */
        int tag_fail_at; /* else the n-th tag_add fails */
    } cases[] = {
        {"a tag fails in the middle", false, 3},
        {"the first tag fails", false, 1},
        {"no transaction can start", true, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct failure *c = &cases[i];
        struct kam_demo_opts o;
        struct kam_demo_report rep;
        struct kam_store_ops patched;
        struct kam_counts counts;
        struct kam_store *st = NULL;
        struct kam_err err;
        char root[1024], tmp[4096];

        kam_demo_opts_default(&o);
        o.accounts = 60;
        o.products = 20;
        o.years = 1;
        make_temp_dir(root, sizeof(root));
        private_tmpdir(root, tmp, sizeof(tmp));
        open_store(root, &st);
        real_ops = st->ops;
        patched = *st->ops;
        if (c->fail_begin)
            patched.begin = failing_begin;
        patched.tag_add = failing_tag_add;
        tag_calls = 0;
        tag_fail_at = c->tag_fail_at;
        st->ops = &patched;
        kam_err_clear(&err);
        enum kam_rc rc = kam_demo_generate(st, &o, &rep, &err);
        st->ops = real_ops;
        if (rc == KAM_OK)
            fail_msg("%s: demo generate succeeded", c->name);
        assert_true(err.msg[0] != '\0');
        if (!c->fail_begin) {
            /* The import's error code and message come back as they were. */
            assert_int_equal(rc, KAM_ERR_STORE);
            assert_string_equal(err.msg, "injected failure");
        }
        /* No tag survives the rollback; no temporary file survives the failure. */
        assert_int_equal(st->ops->counts(st, &counts, &err), KAM_OK);
        assert_int_equal(counts.tags, 0);
        assert_int_equal(count_entries(tmp), 0);
        kam_store_close(st);
        unsetenv("TMPDIR");
        rm_tree(root);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_generate_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
