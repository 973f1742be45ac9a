/* The 80:20 view of a portfolio: how much of the net revenue the top share of accounts brings,
 * the cumulative (Pareto) curve, the Gini coefficient and ABC classes.
 *
 * Net basis (docs/methods.md): an account's value is its net revenue, returns included; only
 * accounts with value > 0 form the population; "top 20 %" is the top k = ceil(0.2 n).
 * Formulas, boundary and tie rules: docs/method-pareto-rfm.md. */
#ifndef KAM_CORE_PARETO_H
#define KAM_CORE_PARETO_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/money.h"

struct kam_top_share {
    int64_t population; /* accounts with value > 0 */
    int64_t k;          /* ceil(fraction * population) */
    kam_money total;    /* sum over the population */
    kam_money top;      /* sum over the top k */
    double share;       /* top / total, 0 when total is 0 */
    int64_t k80;        /* fewest top accounts whose sum reaches >= 80 % of total */
};

/* Sorts values[0..n) in place, largest first, and fills out for the given fraction (0 < f <= 1).
 * Values <= 0 are left out of the population. */
void kam_pareto_top_share(kam_money *values, size_t n, double fraction, struct kam_top_share *out);

/* One account of the ranked views below (curve, Gini, ABC). */
struct kam_pareto_item {
    int64_t key;     /* the caller's secondary key, e.g. the account id: orders equal values */
    kam_money value; /* net revenue */
};

/* Sorts items[0..n) in place by value, largest first, then by key, smallest first, so that equal
 * values come out in the same order on every run (items with equal value and key are
 * interchangeable). Returns the population: the items with value > 0, which are the prefix
 * items[0..population). items may be NULL when n is 0.
 * The functions below take items in this order and abort (KAM_BUG) when they are not. */
size_t kam_pareto_sort(struct kam_pareto_item *items, size_t n);

/* A point of the cumulative curve: the i largest accounts (i = 1..population) bring cum. */
struct kam_pareto_point {
    double x;      /* i / population, the share of accounts */
    double y;      /* cum / total, the share of net revenue; exactly 1 at i = population */
    kam_money cum; /* exact sum of the i largest values */
};

/* Writes the cumulative curve of sorted items into out[0..population) and returns the
 * population. out is the caller's, with room for n points (population <= n); the origin (0, 0)
 * is implied, not written. Exact while the population total fits kam_money. */
size_t kam_pareto_curve(const struct kam_pareto_item *items, size_t n,
                        struct kam_pareto_point *out);

/* The Gini coefficient of the population of sorted items:
 * G = 2 sum(i x(i)) / (n sum(x)) - (n + 1) / n, x ascending, i = 1..n, n = population;
 * 0 when all are equal, (n - 1) / n at most. 0 for a population of 0 or 1. Sums are exact
 * (128-bit) and divided once. */
double kam_pareto_gini(const struct kam_pareto_item *items, size_t n);

/* ABC classes. NONE is for accounts outside the population (value <= 0): they bring nothing to
 * the cumulative share, so they are not C, the class of small positive accounts. */
enum kam_abc { KAM_ABC_NONE = 0, KAM_ABC_A, KAM_ABC_B, KAM_ABC_C };
#define KAM_ABC_CLASSES 4

/* Class limits in basis points (1/100 of a percent) of the population total. */
#define KAM_ABC_A_DEFAULT 8000 /* 80 % */
#define KAM_ABC_B_DEFAULT 9500 /* 95 % */
struct kam_abc_limits {
    int32_t a; /* A while the share of the accounts ranked before is < a */
    int32_t b; /* otherwise B while that share is < b, otherwise C; 0 <= a <= b <= 10000 */
};

/* Accounts and net revenue per class, indexed by enum kam_abc. */
struct kam_abc_summary {
    int64_t count[KAM_ABC_CLASSES];
    kam_money revenue[KAM_ABC_CLASSES];
};

/* Classifies sorted items into out[0..n) (the caller's array, parallel to items) and, when sum
 * is not NULL, fills it. An account is A while the share of the accounts ranked before it is
 * below limits->a, B while below limits->b, C otherwise; NONE when its value is <= 0. limits may
 * be NULL for 80 % / 95 %. KAM_ERR_INVALID when the limits are out of order or outside 0..100 %
 * (out and sum are then untouched). */
KAM_MUST_CHECK enum kam_rc kam_pareto_abc(const struct kam_pareto_item *items, size_t n,
                                          const struct kam_abc_limits *limits, enum kam_abc *out,
                                          struct kam_abc_summary *sum, struct kam_err *err);

/* "A", "B", "C" or "none"; borrowed, static. */
const char *kam_pareto_abc_name(enum kam_abc c);

#endif
