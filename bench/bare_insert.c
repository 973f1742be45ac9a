/* The baseline for the import benchmark: how fast SQLite alone stores the order lines of a CSV
 * file on this machine, so that `kam import orders` can be judged as a ratio to it.
 *
 * Untimed: read the whole orders CSV (as written by gen_orders: no quotes, no blanks) into
 * memory and turn each line into the values kam would store (account and product ids, money in
 * units of 1/10000, amount = quantity x unit price, cost from the product's standard cost).
 * Timed: open a fresh database with kam's flags and PRAGMAs (store_sqlite.c), create order_lines
 * with kam's columns but no index and no constraint, insert every row with one prepared statement
 * in one transaction, commit and close. Deliberately not here: validation, upsert, rollups and CSV
 * parsing; that difference is what the ratio measures. Account and product ids are the numbers
 * in their codes (C000042 -> 42), which is what kam assigns when accounts.csv and products.csv
 * are imported in file order. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define NO_COST INT64_MIN

struct row {
    const char *order_id, *date, *channel, *region;
    int order_len, date_len, channel_len, region_len;
    int64_t line_no, account, product, quantity, unit_price, amount, cost;
};

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bare_insert: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    if ((p = realloc(p, n)) == NULL)
        die("out of memory");
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        die("cannot read '%s': %s", path, strerror(errno));
    do {
        if (cap - n < (1 << 20)) {
            cap = cap ? cap * 2 : 64 << 20;
            buf = xrealloc(buf, cap + 1);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    if (ferror(f))
        die("cannot read '%s': %s", path, strerror(errno));
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits line [p, end) on commas in place; returns the field count (at most max). */
static int split(char *p, char *end, char **f, int *lens, int max)
{
    int n = 0;
    while (n < max) {
        char *c = memchr(p, ',', (size_t)(end - p));
        char *e = c ? c : end;
        f[n] = p;
        lens[n] = (int)(e - p);
        *e = '\0';
        n++;
        if (c == NULL)
            break;
        p = c + 1;
    }
    return n;
}

/* "12.3456" -> 123456 (4 implied decimals); the generator writes nothing else. */
static int64_t money(const char *s)
{
    int64_t v = 0, neg = 0, dec = -1;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    for (; *s; s++) {
        if (*s == '.') {
            dec = 0;
            continue;
        }
        v = v * 10 + (*s - '0');
        if (dec >= 0)
            dec++;
    }
    for (dec = dec < 0 ? 0 : dec; dec < 4; dec++)
        v *= 10;
    return neg ? -v : v;
}

/* a x b / 10000 rounded half away from zero, as kam_money_mul. */
static int64_t mul(int64_t a, int64_t b)
{
    __int128 p = (__int128)a * b;
    int neg = p < 0;
    if (neg)
        p = -p;
    p = (p + 5000) / 10000;
    return (int64_t)(neg ? -p : p);
}

/* Product std_cost by id (index = id), from products.csv; NO_COST when empty or absent. */
static int64_t *load_costs(const char *path, size_t *n)
{
    size_t len, cap = 1024;
    char *buf = slurp(path, &len), *p = buf, *end = buf + len;
    int64_t *cost = xrealloc(NULL, cap * sizeof(*cost));
    for (size_t i = 0; i < cap; i++)
        cost[i] = NO_COST;
    *n = 0;
    p = memchr(p, '\n', len);
    p = p ? p + 1 : end;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        char *f[8];
        int lens[8];
        if (e > p && split(p, e, f, lens, 8) >= 5) {
            size_t id = (size_t)strtoll(f[0] + 1, NULL, 10);
            while (id >= cap) {
                cost = xrealloc(cost, cap * 2 * sizeof(*cost));
                for (size_t i = cap; i < cap * 2; i++)
                    cost[i] = NO_COST;
                cap *= 2;
            }
            cost[id] = lens[4] ? money(f[4]) : NO_COST;
            if (id + 1 > *n)
                *n = id + 1;
        }
        p = e + 1;
    }
    free(buf);
    return cost;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die("%s: %s", sql, msg ? msg : "error");
}

static void bind_text(sqlite3_stmt *q, int i, const char *s, int len)
{
    if (len == 0)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_text(q, i, s, len, SQLITE_STATIC);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s\n", sqlite3_libversion());
        return 0;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: bare_insert DB ORDERS.csv PRODUCTS.csv\n"
                        "       bare_insert --version\n"
                        "DB must not exist; prints rows, seconds and rows/s of the insert, or the\n"
                        "version of the SQLite library\n");
        return 2;
    }
    const char *dbpath = argv[1];
    size_t len, nrows = 0, cap = 1 << 20, ncost;
    int64_t *costs = load_costs(argv[3], &ncost);
    char *buf = slurp(argv[2], &len), *p = buf, *end = buf + len;
    struct row *rows = xrealloc(NULL, cap * sizeof(*rows));

    /* Untimed: parse. Header: order_id,line_no,date,account,product,quantity,unit_price,
     * channel,region. */
    p = memchr(p, '\n', len);
    p = p ? p + 1 : end;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        char *f[9];
        int lens[9];
        if (e > p && e[-1] == '\r')
            e--;
        if (e > p) {
            if (split(p, e, f, lens, 9) != 9)
                die("%s: line %zu does not have 9 fields", argv[2], nrows + 2);
            if (nrows == cap) {
                cap *= 2;
                rows = xrealloc(rows, cap * sizeof(*rows));
            }
            struct row *r = &rows[nrows++];
            size_t prod = (size_t)strtoll(f[4] + 1, NULL, 10);
            r->order_id = f[0];
            r->order_len = lens[0];
            r->line_no = strtoll(f[1], NULL, 10);
            r->date = f[2];
            r->date_len = lens[2];
            r->account = strtoll(f[3] + 1, NULL, 10);
            r->product = (int64_t)prod;
            r->quantity = money(f[5]);
            r->unit_price = money(f[6]);
            r->amount = mul(r->quantity, r->unit_price);
            r->cost =
                prod < ncost && costs[prod] != NO_COST ? mul(r->quantity, costs[prod]) : NO_COST;
            r->channel = f[7];
            r->channel_len = lens[7];
            r->region = f[8];
            r->region_len = lens[8];
        }
        p = (nl ? nl : end) + 1;
    }

    /* Timed: open, create, insert, commit, close. */
    double t0 = now();
    sqlite3 *db;
    sqlite3_stmt *q;
    if (sqlite3_open_v2(dbpath, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("cannot open '%s': %s", dbpath, sqlite3_errmsg(db));
    exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
             "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY");
    exec(db, "CREATE TABLE order_lines(id INTEGER PRIMARY KEY, order_id TEXT, line_no INTEGER, "
             "account INTEGER, product INTEGER, date TEXT, quantity INTEGER, "
             "unit_price INTEGER, amount INTEGER, cost INTEGER, discount INTEGER, "
             "channel TEXT, region TEXT)");
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO order_lines(order_id, line_no, account, product, date, "
                           "quantity, unit_price, amount, cost, discount, channel, region) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                           -1, &q, NULL) != SQLITE_OK)
        die("prepare: %s", sqlite3_errmsg(db));
    exec(db, "BEGIN");
    for (size_t i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        sqlite3_bind_text(q, 1, r->order_id, r->order_len, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, r->line_no);
        sqlite3_bind_int64(q, 3, r->account);
        sqlite3_bind_int64(q, 4, r->product);
        sqlite3_bind_text(q, 5, r->date, r->date_len, SQLITE_STATIC);
        sqlite3_bind_int64(q, 6, r->quantity);
        sqlite3_bind_int64(q, 7, r->unit_price);
        sqlite3_bind_int64(q, 8, r->amount);
        if (r->cost == NO_COST)
            sqlite3_bind_null(q, 9);
        else
            sqlite3_bind_int64(q, 9, r->cost);
        sqlite3_bind_int64(q, 10, 0);
        bind_text(q, 11, r->channel, r->channel_len);
        bind_text(q, 12, r->region, r->region_len);
        if (sqlite3_step(q) != SQLITE_DONE)
            die("insert: %s", sqlite3_errmsg(db));
        sqlite3_reset(q);
    }
    double t1 = now();
    /* With a WAL over 1000 pages, COMMIT also runs SQLite's automatic checkpoint, as in kam. */
    exec(db, "COMMIT");
    sqlite3_finalize(q);
    double t2 = now();
    /* Closing checkpoints what is left in the WAL and removes it, as kam's close does. */
    if (sqlite3_close(db) != SQLITE_OK)
        die("close: %s", sqlite3_errmsg(db));
    double t3 = now(), secs = t3 - t0;

    printf("rows %zu seconds %.3f rows_per_s %.0f (insert %.3f, commit %.3f, close %.3f)\n", nrows,
           secs, (double)nrows / secs, t1 - t0, t2 - t1, t3 - t2);
    free(rows);
    free(buf);
    free(costs);
    return 0;
}
