/* Benchmark data: a deterministic orders CSV of N lines, with the accounts.csv and products.csv
 * it refers to, for `kam import` and the bare SQLite baseline (bench/run-import).
 *
 * The data looks like an ERP export: order ids increase (SO0000001, ...), each order has 1 to 8
 * lines on one date and one account, dates run over three years in order, accounts are drawn
 * from a power law (a few key accounts place most of the lines: DOMAIN.md's Pareto view),
 * accounts reorder mostly from their own assortment, prices have up to 4 decimals and about 1%
 * of lines are returns (negative quantity). Every value comes from splitmix64 with a fixed seed
 * and no clock, so the same arguments give the same bytes on every machine. Deliberately not
 * here: quoting, odd encodings or invalid rows; the benchmark measures the clean path. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

enum { YEARS = 3, FIRST_YEAR = 2022 };

static const char *const channels[] = {"direct", "distributor", "online", "dealer", "tender"};
static const char *const regions[] = {"North",   "East",      "South",    "West",
                                      "Central", "Northeast", "Southwest"};
static const char *const categories[] = {"pumps",   "valves", "motors",      "sensors",  "cables",
                                         "filters", "seals",  "controllers", "bearings", "spares"};

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unit(struct rng *r)
{
    return (double)(next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n). */
static uint64_t below(struct rng *r, uint64_t n)
{
    return next(r) % n;
}

/* A rank in [0, n) with density falling as rank^(-(k-1)/k): u^k concentrates on small ranks.
 * k = 4 gives the top 20% of the accounts in use about 65% of the lines, the largest one 5%. */
static uint64_t skewed(struct rng *r, uint64_t n, int k)
{
    double u = unit(r), p = u;
    for (int i = 1; i < k; i++)
        p *= u;
    uint64_t v = (uint64_t)(p * (double)n);
    return v < n ? v : n - 1;
}

/* Spreads ranks over the codes so that the big accounts are not C000001..C000100; mult is
 * coprime with n. */
static uint64_t scatter(uint64_t rank, uint64_t n)
{
    uint64_t mult = 2654435761u % n;
    while (mult < 2)
        mult += n;
    for (;;) {
        uint64_t a = mult, b = n;
        while (b) {
            uint64_t t = a % b;
            a = b;
            b = t;
        }
        if (a == 1)
            break;
        mult++;
    }
    return (rank * mult) % n;
}

/* Customers mostly reorder from their own assortment: 80% of an account's lines come from
 * 10-70 products fixed per account (popular ones first), the rest from the whole catalogue with
 * a mild skew. Without this nearly every line would start a new (account, product) pair, which
 * no real order book does. */
static int64_t regular_product(struct rng *r, uint64_t acct, uint64_t nproducts)
{
    if (below(r, 5) == 0)
        return (int64_t)skewed(r, nproducts, 2);
    uint64_t size = 10 + acct % 61, j = skewed(r, size, 2);
    struct rng h = {acct * 0x100000001b3ull + j};
    return (int64_t)(next(&h) % nproducts);
}

/* Writes v >= 0 with 4 implied decimals ("12.3456", "12.5", "12"). */
static char *put_money(char *p, int64_t v)
{
    int64_t whole = v / 10000, frac = v % 10000;
    int dec = 4;
    p += sprintf(p, "%lld", (long long)whole);
    if (frac == 0)
        return p;
    while (frac % 10 == 0) {
        frac /= 10;
        dec--;
    }
    return p + sprintf(p, ".%0*lld", dec, (long long)frac);
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return d[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* The ISO date of day `day` (0-based) from FIRST_YEAR-01-01. */
static void date_of(int64_t day, char out[32])
{
    int y = FIRST_YEAR, m = 1;
    while (day >= days_in_month(y, m)) {
        day -= days_in_month(y, m);
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    snprintf(out, 32, "%04d-%02d-%02d", y, m, (int)day + 1);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "gen_orders: cannot write '%s': %s\n", path, strerror(errno));
        exit(1);
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static void close_out(FILE *f, const char *name)
{
    if (ferror(f) || fclose(f) != 0) {
        fprintf(stderr, "gen_orders: cannot write '%s': %s\n", name, strerror(errno));
        exit(1);
    }
}

static int64_t parse_count(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 1) {
        fprintf(stderr, "gen_orders: %s '%s' is not a positive number\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: gen_orders LINES DIR [ACCOUNTS [PRODUCTS]]\n"
                        "writes DIR/orders.csv (LINES lines), DIR/accounts.csv (default 100000)\n"
                        "and DIR/products.csv (default 5000); same arguments, same bytes\n");
        return 2;
    }
    int64_t lines = parse_count(argv[1], "line count");
    const char *dir = argv[2];
    int64_t naccounts = argc > 3 ? parse_count(argv[3], "account count") : 100000;
    int64_t nproducts = argc > 4 ? parse_count(argv[4], "product count") : 5000;
    struct rng r = {0x6b616d2d62656e63ull}; /* "kam-benc" */
    int64_t *list = malloc((size_t)nproducts * sizeof(*list));
    char buf[512], *p;

    if (list == NULL) {
        fprintf(stderr, "gen_orders: out of memory\n");
        return 1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_orders: cannot create '%s': %s\n", dir, strerror(errno));
        return 1;
    }

    FILE *f = open_out(dir, "accounts.csv");
    fputs("code,name\n", f);
    for (int64_t i = 1; i <= naccounts; i++)
        fprintf(f, "C%06lld,Account %06lld Co Ltd\n", (long long)i, (long long)i);
    close_out(f, "accounts.csv");

    /* List prices from 1 to 5001, most of them cheap (u^3); standard cost 55-85% of list. */
    f = open_out(dir, "products.csv");
    fputs("sku,name,category,list_price,std_cost\n", f);
    for (int64_t i = 0; i < nproducts; i++) {
        double u = unit(&r);
        int64_t price = 10000 + (int64_t)(u * u * u * 5000.0 * 10000.0);
        if (below(&r, 3) == 0)
            price -= price % 100; /* some round prices: fewer decimals in the file */
        int64_t cost = price * (55 + (int64_t)below(&r, 31)) / 100;
        list[i] = price;
        p = buf + sprintf(buf, "P%05lld,Product %05lld,%s,", (long long)i + 1, (long long)i + 1,
                          categories[below(&r, sizeof(categories) / sizeof(categories[0]))]);
        p = put_money(p, price);
        *p++ = ',';
        p = put_money(p, cost);
        *p++ = '\n';
        fwrite(buf, 1, (size_t)(p - buf), f);
    }
    close_out(f, "products.csv");

    /* An order has 1-8 lines, 4.5 on average; dates advance with the order number. */
    int64_t orders = lines * 2 / 9 + 1, days = 0;
    for (int y = FIRST_YEAR; y < FIRST_YEAR + YEARS; y++)
        days += 337 + days_in_month(y, 2); /* 365 or 366 */
    f = open_out(dir, "orders.csv");
    fputs("order_id,line_no,date,account,product,quantity,unit_price,channel,region\n", f);
    int64_t written = 0, order = 0, cur_day = -1;
    char date[32] = "";
    while (written < lines) {
        order++;
        int nl = 1 + (int)below(&r, 8);
        int64_t day = (order - 1) * days / orders;
        if (day >= days)
            day = days - 1;
        if (day != cur_day) {
            date_of(day, date);
            cur_day = day;
        }
        uint64_t acct = scatter(skewed(&r, (uint64_t)naccounts, 4), (uint64_t)naccounts) + 1;
        const char *chan = channels[below(&r, sizeof(channels) / sizeof(channels[0]))];
        const char *reg = regions[acct % (sizeof(regions) / sizeof(regions[0]))];
        /* The order's discount off list: 0-20%. Half of the line prices are then rounded to the
         * cent, the others keep their 4 decimals. */
        int disc = (int)below(&r, 21);
        for (int ln = 1; ln <= nl && written < lines; ln++, written++) {
            int64_t prod = regular_product(&r, acct, (uint64_t)nproducts);
            int64_t qty = 1 + (int64_t)skewed(&r, 200, 3);
            if (below(&r, 100) == 0)
                qty = -qty; /* a return */
            int64_t price = list[prod] * (100 - disc) / 100;
            if (below(&r, 2))
                price -= price % 100;
            p = buf + sprintf(buf, "SO%07lld,%d,%s,C%06llu,P%05lld,%lld,", (long long)order, ln,
                              date, (unsigned long long)acct, (long long)prod + 1, (long long)qty);
            p = put_money(p, price);
            p += sprintf(p, ",%s,%s\n", chan, reg);
            fwrite(buf, 1, (size_t)(p - buf), f);
        }
    }
    close_out(f, "orders.csv");
    free(list);
    fprintf(stderr,
            "gen_orders: %s: %lld order lines in %lld orders, %lld accounts, %lld products\n", dir,
            (long long)lines, (long long)order, (long long)naccounts, (long long)nproducts);
    return 0;
}
