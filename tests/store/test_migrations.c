/* Migrations of the SQLite store on a database written by an older kam: a schema-1 database
 * built with migration 1's own SQL, with orders and lines, is opened by the current store,
 * which must migrate it and backfill what schema 2 derives from the lines (orders.day,
 * orders.purchase, account_products). SQLite-specific, unlike the contract suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store/migrations.h"
#include "store/store.h"

static char dir[] = "/tmp/kam-migrations-XXXXXX";
static char path[256];

static void sql(sqlite3 *db, const char *text)
{
    char *msg = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", text, msg ? msg : "?");
}

/* A schema-1 database: A bought P1 twice (one order over two days) and returned P2 only; B
 * bought P2 in one order whose lines are all returns, then P2 again. */
static void build_schema_1(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sql(db, "CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, description TEXT NOT "
            "NULL, applied_at TEXT NOT NULL)");
    assert_int_equal(kam_sqlite_migrations[0].version, 1);
    sql(db, kam_sqlite_migrations[0].sql);
    sql(db, "INSERT INTO schema_migrations VALUES (1, 'schema 1', '2026-01-01T00:00:00Z')");
    sql(db, "INSERT INTO accounts(id, code, name, created_at, updated_at) VALUES "
            "(1, 'A', 'Acme', 'x', 'x'), (2, 'B', 'Beta', 'x', 'x')");
    sql(db, "INSERT INTO products(id, sku, name, category, created_at, updated_at) VALUES "
            "(1, 'P1', 'Pump', 'pumps', 'x', 'x'), (2, 'P2', 'Valve', NULL, 'x', 'x')");
    sql(db, "INSERT INTO orders(id, order_id, account) VALUES (1, 'SO-1', 1), (2, 'SO-2', 1), "
            "(3, 'SO-3', 2), (4, 'SO-4', 2)");
    /* ids: order id * 65536 + line_no */
    sql(db, "INSERT INTO order_lines(id, line_no, account, product, date, quantity, unit_price, "
            "amount, cost, discount) VALUES "
            "(65537, 1, 1, 1, '2024-03-05', 20000, 10000, 20000, 12000, 0),"
            "(65538, 2, 1, 1, '2024-03-02T09:00:00', 10000, 10000, 10000, NULL, 0),"
            "(131073, 1, 1, 2, '2024-04-10', -10000, 50000, -50000, -30000, 0),"
            "(196609, 1, 2, 2, '2024-01-31', -20000, 50000, -100000, NULL, 0),"
            "(262145, 1, 2, 2, '2024-02-01', 10000, 50000, 50000, 30000, 500)");
    /* the monthly rollup of those lines, as the import of schema 1 kept it */
    sql(db, "INSERT INTO account_months(account, month, revenue, cost, costed_revenue, quantity, "
            "returns, discount, lines) VALUES "
            "(1, 202403, 30000, 12000, 20000, 30000, 0, 0, 2),"
            "(1, 202404, -50000, -30000, -50000, -10000, -50000, 0, 1),"
            "(2, 202401, -100000, 0, 0, -20000, -100000, 0, 1),"
            "(2, 202402, 50000, 30000, 50000, 10000, 0, 500, 1)");
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

struct orders {
    char text[256];
};

static int on_order(void *ctx, int64_t account, int64_t day, bool purchase)
{
    struct orders *o = ctx;
    size_t n = strlen(o->text);
    snprintf(o->text + n, sizeof(o->text) - n, "%s%lld:%lld:%d", n ? " " : "", (long long)account,
             (long long)day, purchase);
    return 0;
}

static int on_product(void *ctx, int64_t account, int64_t product, const char *category,
                      int first_month, const struct kam_rollup *r)
{
    struct orders *o = ctx;
    size_t n = strlen(o->text);
    snprintf(o->text + n, sizeof(o->text) - n, "%s%lld/%lld/%s/%d/%lld/%lld/%lld/%lld",
             n ? " " : "", (long long)account, (long long)product, category ? category : "-",
             first_month, (long long)r->revenue, (long long)r->cost, (long long)r->returns,
             (long long)r->lines);
    return 0;
}

static int on_account(void *ctx, int64_t id, const struct kam_value *vals, int64_t ttm,
                      int64_t total)
{
    struct orders *o = ctx;
    size_t n = strlen(o->text);
    (void)vals;
    snprintf(o->text + n, sizeof(o->text) - n, "%s%lld:%lld:%lld", n ? " " : "", (long long)id,
             (long long)ttm, (long long)total);
    return 0;
}

/* What migration 6 derives from the rollup, read in the database: the lines per month and each
 * account's revenues over all time and the twelve months up to the last (202305..202404). */
static void check_revenues_kept(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    char text[256] = "";
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(x, ' ') FROM (SELECT month || ':' || "
                                        "lines AS x FROM month_lines ORDER BY month) UNION ALL "
                                        "SELECT group_concat(x, ' ') FROM (SELECT account || ':' "
                                        "|| total || ':' || ttm || ':' || ttm_to AS x FROM "
                                        "account_revenue ORDER BY account)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof(text) - n, "%s%s", n ? " | " : "", sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_string_equal(text, "202401:1 202402:1 202403:2 202404:1 | 1:-20000:-20000:202404 "
                              "2:-50000:-50000:202404");
}

static void test_schema_1_is_migrated_and_backfilled(void **state)
{
    struct kam_store *st = NULL;
    struct kam_err err;
    (void)state;

    build_schema_1();
    if (kam_store_open_sqlite(path, 0, &st, &err) != KAM_OK)
        fail_msg("opening the schema-1 database: %s", err.msg);

    /* Days since 1970-01-01: 2024-03-02 is 19784, 2024-04-10 19823, 2024-01-31 19753,
     * 2024-02-01 19754. SO-1's day is its earliest line's (the one with a time). */
    struct orders o = {""};
    assert_int_equal(st->ops->orders_range(st, 0, INT64_MAX, on_order, &o, &err), KAM_OK);
    assert_string_equal(o.text, "1:19784:1 1:19823:0 2:19753:0 2:19754:1");

    /* account_products: first month of a purchase line (0 when only returned), sums over all
     * lines; cost sums the lines whose cost is known. */
    struct orders p = {""};
    assert_int_equal(st->ops->products_range(st, 0, INT64_MAX, on_product, &p, &err), KAM_OK);
    assert_string_equal(p.text, "1/2/-/0/-50000/-30000/-50000/1 1/1/pumps/202403/30000/12000/0/2 "
                                "2/2/-/202402/-50000/30000/-100000/2");

    int64_t last = 0, max_account = 0;
    assert_int_equal(st->ops->extent(st, &last, &max_account, &err), KAM_OK);
    assert_int_equal(last, 19823);
    assert_int_equal(max_account, 2);

    int first_month = 0, last_month = 0;
    assert_int_equal(st->ops->order_months(st, &first_month, &last_month, NULL, 0, &err), KAM_OK);
    assert_int_equal(first_month, 202401);
    assert_int_equal(last_month, 202404);
    struct orders a = {""};
    struct kam_account_query aq = {.ttm_from = 202305, .ttm_to = 202404};
    assert_int_equal(st->ops->account_list(st, &aq, on_account, &a, &err), KAM_OK);
    assert_string_equal(a.text, "1:-20000:-20000 2:-50000:-50000");
    kam_store_close(st);
    check_revenues_kept();

    /* Opening again migrates nothing and changes nothing. */
    assert_int_equal(kam_store_open_sqlite(path, 0, &st, &err), KAM_OK);
    struct orders again = {""};
    assert_int_equal(st->ops->orders_range(st, 0, INT64_MAX, on_order, &again, &err), KAM_OK);
    assert_string_equal(again.text, o.text);
    kam_store_close(st);
}

int main(void)
{
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof(path), "%s/old.db", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_1_is_migrated_and_backfilled),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char side[300];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    rmdir(dir);
    return failed;
}
