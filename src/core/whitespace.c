/* Whitespace (DOMAIN.md "Identify": cross purchase as potential): peer medians by group and
 * category, and an account's gaps against them.
 *
 * Everything is integer arithmetic on kam_money and counts: the share of buyers and the
 * "far less than the median" test are compared as cross products in 128 bits, so a share of
 * exactly 50 % is 50 %, never 49.999...%. Deliberately not here: how peers are chosen, where the
 * category revenue comes from (and over which period), and any ranking of accounts. */
#include "core/whitespace.h"

#include <stdlib.h>
#include <string.h>

#include "core/matrix.h"

enum kam_rc kam_whitespace_check(const struct kam_ws_rule *r, struct kam_err *err)
{
    if (r->min_share < 0 || r->min_share > 10000)
        return kam_err_set(err, KAM_ERR_INVALID, "peer share %.2f %% is not between 0 and 100 %%",
                           r->min_share / 100.0);
    if (r->below < 0 || r->below > 10000)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "fraction of the peer median %.2f %% is not between 0 and 100 %%",
                           r->below / 100.0);
    return KAM_OK;
}

void kam_whitespace_peers(const uint32_t *group, size_t n, size_t ngroups, const kam_money *rev,
                          size_t ncat, struct kam_ws_peer *peers, struct kam_arena *arena)
{
    if (ngroups == 0 || ncat == 0)
        return;
    memset(peers, 0, ngroups * ncat * sizeof(*peers));
    if (n == 0)
        return;
    /* Accounts by group (a counting sort: start[g] .. start[g + 1] in byg), then one pass per
     * group and category over its members. Memory: three arrays sized once. */
    size_t *start = kam_arena_alloc(arena, (ngroups + 1) * sizeof(*start));
    size_t *byg = kam_arena_alloc(arena, n * sizeof(*byg));
    kam_money *v = kam_arena_alloc(arena, n * sizeof(*v));
    memset(start, 0, (ngroups + 1) * sizeof(*start));
    for (size_t i = 0; i < n; i++) {
        if (group[i] >= ngroups)
            KAM_BUG("account's peer group out of range");
        start[group[i] + 1]++;
    }
    for (size_t g = 0; g < ngroups; g++)
        start[g + 1] += start[g];
    size_t *fill = kam_arena_alloc(arena, ngroups * sizeof(*fill));
    memcpy(fill, start, ngroups * sizeof(*fill));
    for (size_t i = 0; i < n; i++)
        byg[fill[group[i]]++] = i;
    for (size_t g = 0; g < ngroups; g++) {
        for (size_t c = 0; c < ncat; c++) {
            struct kam_ws_peer *p = &peers[g * ncat + c];
            size_t k = 0;
            for (size_t j = start[g]; j < start[g + 1]; j++) {
                kam_money x = rev[byg[j] * ncat + c];
                if (x > 0)
                    v[k++] = x;
            }
            p->members = (int64_t)(start[g + 1] - start[g]);
            p->buyers = (int64_t)k;
            p->median = k > 0 ? kam_median_money(v, k) : 0;
        }
    }
}

static int by_worth(const void *a, const void *b)
{
    const struct kam_ws_gap *x = a, *y = b;
    if (x->worth != y->worth)
        return x->worth < y->worth ? 1 : -1;
    return (x->category > y->category) - (x->category < y->category);
}

enum kam_rc kam_whitespace_gaps(const struct kam_ws_peer *peers, const kam_money *own, size_t ncat,
                                const struct kam_ws_rule *r, struct kam_ws_gap *gaps, size_t *ngaps,
                                kam_money *total, struct kam_err *err)
{
    __int128 sum = 0;
    size_t k = 0;
    for (size_t c = 0; c < ncat; c++) {
        const struct kam_ws_peer *p = &peers[c];
        /* Nobody buys it: there is no median to compare with, so no gap whatever the share. */
        if (p->buyers == 0)
            continue;
        /* buyers / members >= min_share / 10000 */
        if ((__int128)p->buyers * 10000 < (__int128)r->min_share * p->members)
            continue;
        /* "buys nothing" is a net revenue <= 0 (only returns count as nothing bought); otherwise
         * own / median < below / 10000. */
        if (own[c] > 0 && (__int128)own[c] * 10000 >= (__int128)r->below * p->median)
            continue;
        __int128 w = (__int128)p->median - own[c];
        if (w > INT64_MAX)
            return kam_err_set(err, KAM_ERR_TOO_LARGE,
                               "the gap of category %zu is too large for a money value", c);
        gaps[k++] = (struct kam_ws_gap){c, own[c], (kam_money)w};
        sum += w;
    }
    if (sum > INT64_MAX)
        return kam_err_set(err, KAM_ERR_TOO_LARGE,
                           "the account's total gap is too large for a money value");
    if (k > 1)
        qsort(gaps, k, sizeof(*gaps), by_worth);
    *ngaps = k;
    *total = (kam_money)sum;
    return KAM_OK;
}
