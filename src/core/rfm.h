/* RFM: recency, frequency and monetary value of each account, scored 1..5 against the rest of
 * the portfolio, and a named segment from the three scores.
 *
 * Formulas, the tie rule and the segment table: docs/method-pareto-rfm.md. */
#ifndef KAM_CORE_RFM_H
#define KAM_CORE_RFM_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/money.h"

/* What the caller knows of one account. */
struct kam_rfm_input {
    int64_t account_id; /* only to name the account in error messages */
    int64_t last_day; /* day of the last purchase, as kam_date_days(); unused when frequency is 0 */
    int64_t frequency;  /* purchases, as the caller counts them (distinct orders or purchase
                         * count); 0 means no purchase */
    kam_money monetary; /* net revenue, returns deducted; may be <= 0 */
};

/* Segments; NONE is for accounts without a purchase. Numbered in the order of the table in the
 * docs; never renumbered. */
enum kam_rfm_segment {
    KAM_RFM_NONE = 0,
    KAM_RFM_CHAMPIONS,
    KAM_RFM_LOYAL,
    KAM_RFM_POTENTIAL_LOYALIST,
    KAM_RFM_NEW,
    KAM_RFM_AT_RISK,
    KAM_RFM_HIBERNATING,
    KAM_RFM_LOST,
};
#define KAM_RFM_SEGMENTS 8

struct kam_rfm {
    int64_t recency; /* days from the last purchase to the as-of day; -1 without a purchase */
    int r, f, m;     /* scores 1..5 (5 best: most recent, most frequent, most revenue), 0 without
                      * a purchase */
    enum kam_rfm_segment segment;
};

/* Scores in[0..n) as of the day as_of (kam_date_days()) into out[0..n) (the caller's, parallel
 * to in). The accounts with a purchase are ranked against each other; scratch space comes from
 * arena. KAM_ERR_INVALID, with out untouched, when a frequency is negative, a last purchase is
 * after as_of, or a day is outside the years 1..9999. in and out may be NULL when n is 0. */
KAM_MUST_CHECK enum kam_rc kam_rfm_score(const struct kam_rfm_input *in, size_t n, int64_t as_of,
                                         struct kam_rfm *out, struct kam_arena *arena,
                                         struct kam_err *err);

/* The segment of scores (r, f, m) by the static table: each score 1..5, or all three 0 for
 * KAM_RFM_NONE. Any other scores are a programmer error (KAM_BUG). */
enum kam_rfm_segment kam_rfm_classify(int r, int f, int m);

/* "champions", "loyal", "potential loyalist", "new", "at risk", "hibernating", "lost" or
 * "none"; borrowed, static. */
const char *kam_rfm_segment_name(enum kam_rfm_segment s);

#endif
