/* The 80:20 view of a portfolio: how much of the net revenue the top share of accounts brings.
 *
 * Net basis (docs/methods.md): an account's value is its net revenue, returns included; only
 * accounts with value > 0 form the population; "top 20 %" is the top k = ceil(0.2 n). */
#ifndef KAM_CORE_PARETO_H
#define KAM_CORE_PARETO_H

#include <stddef.h>
#include <stdint.h>

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

#endif
