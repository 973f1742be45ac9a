/* Whitespace (cross-sell gaps, DOMAIN.md "Identify": repeat and cross purchase, potential): the
 * product categories an account does not buy, or buys far less of, that its peers buy.
 *
 * A peer group is a set of comparable accounts (the caller decides: same role, industry or
 * tier); the group's figures include every member, the account itself too, so they are the same
 * for all members and an account alone in its group never has a gap. For each group and
 * category: members, buyers (members whose net revenue in it is > 0) and the median revenue of
 * the buyers. A gap is a category bought by at least min_share of the members where the
 * account's revenue is <= 0 or below `below` x the peer median; it is worth the peer median minus
 * the account's revenue. Shares are basis points (1/100 %) and compared in integers.
 * docs/method-matrix.md has the rule and a worked example. Pure: no I/O. */
#ifndef KAM_CORE_WHITESPACE_H
#define KAM_CORE_WHITESPACE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/money.h"

#define KAM_WS_MIN_SHARE_DEFAULT 5000 /* 50 % of the peers buy the category */
#define KAM_WS_BELOW_DEFAULT     2500 /* the account buys less than 25 % of the peer median */

/* The gap rule, in basis points: 0..10000 each. */
struct kam_ws_rule {
    int32_t min_share;
    int32_t below;
};

/* KAM_ERR_INVALID when a share of r is outside 0..100 %. */
KAM_MUST_CHECK enum kam_rc kam_whitespace_check(const struct kam_ws_rule *r, struct kam_err *err);

/* The figures of one peer group in one category. */
struct kam_ws_peer {
    int64_t members;  /* accounts in the group */
    int64_t buyers;   /* of them, those with net revenue > 0 in the category */
    kam_money median; /* median revenue of the buyers (kam_median_money); 0 without buyers */
};

/* Fills peers[g * ncat + c] for every group g < ngroups and category c < ncat, from group[i]
 * (account i's group, < ngroups) and rev[i * ncat + c] (account i's net revenue in category c)
 * for accounts i < n. peers is the caller's; scratch memory comes from arena. */
void kam_whitespace_peers(const uint32_t *group, size_t n, size_t ngroups, const kam_money *rev,
                          size_t ncat, struct kam_ws_peer *peers, struct kam_arena *arena);

/* One gap of an account. */
struct kam_ws_gap {
    size_t category;
    kam_money revenue; /* the account's own net revenue in the category */
    kam_money worth;   /* peer median - revenue, > 0 */
};

/* The gaps of one account, whose group's figures are peers[0..ncat) and whose revenue by
 * category is own[0..ncat), into gaps[0..*ngaps) (the caller's, room for ncat), by worth,
 * largest first, then by category; *total gets their sum. KAM_ERR_TOO_LARGE when a worth or the
 * total leaves kam_money (gaps, ngaps and total are then unspecified). */
KAM_MUST_CHECK enum kam_rc kam_whitespace_gaps(const struct kam_ws_peer *peers,
                                               const kam_money *own, size_t ncat,
                                               const struct kam_ws_rule *r, struct kam_ws_gap *gaps,
                                               size_t *ngaps, kam_money *total,
                                               struct kam_err *err);

#endif
