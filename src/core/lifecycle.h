/* Lifecycle stage of one account (DOMAIN.md "Lifecycle stage"): new, exploration, formation,
 * stability, decline, dormant, lost or none, from its monthly net revenue, with the figures that
 * decided it.
 *
 * Rules, their order, the defaults and a worked example per stage: docs/method-lifecycle.md. */
#ifndef KAM_CORE_LIFECYCLE_H
#define KAM_CORE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/money.h"

/* Numbered in the order of the table in the docs; never renumbered. */
enum kam_lifecycle_stage {
    KAM_LIFECYCLE_NONE = 0,
    KAM_LIFECYCLE_NEW,
    KAM_LIFECYCLE_EXPLORATION,
    KAM_LIFECYCLE_FORMATION,
    KAM_LIFECYCLE_STABILITY,
    KAM_LIFECYCLE_DECLINE,
    KAM_LIFECYCLE_DORMANT,
    KAM_LIFECYCLE_LOST,
};
#define KAM_LIFECYCLE_STAGES 8

/* Thresholds. Months are calendar months of the series; shares are basis points (1/100 %). */
struct kam_lifecycle_rules {
    int window_months;  /* w: the trailing window is the last w months (as-of month included),
                         * the previous window the w months before it; >= 1 */
    int new_months;     /* new: first purchase within the last new_months months; >= 0
                         * (0: never new) */
    int mature_months;  /* exploration while the account has bought for fewer months; >= 1 */
    int dormant_months; /* dormant: no purchase in the last dormant_months months; >= 1 */
    int lost_months;    /* lost: no purchase in the last lost_months months; >= dormant_months */
    int growth_bp;      /* formation: trailing >= previous * (1 + growth_bp); >= 0 */
    int decline_bp;     /* decline: trailing <= previous * (1 - decline_bp); 0..10000 */
    int min_active_bp;  /* stability: active months of the trailing window / w >= this;
                         * 0..10000 */
};

/* 6-month windows, new within 3 months, mature at 12, dormant after 6 silent months, lost after
 * 12, +20 % / -20 %, active in at least half of the trailing months. */
#define KAM_LIFECYCLE_RULES_DEFAULT                                                                \
    {                                                                                              \
        .window_months = 6, .new_months = 3, .mature_months = 12, .dormant_months = 6,             \
        .lost_months = 12, .growth_bp = 2000, .decline_bp = 2000, .min_active_bp = 5000,           \
    }

/* The stage and the figures that decided it. A month is active when its net revenue is > 0. */
struct kam_lifecycle {
    enum kam_lifecycle_stage stage;
    kam_money trailing; /* net revenue of the trailing window */
    kam_money previous; /* net revenue of the previous window (months before the series: 0) */
    bool has_growth;    /* previous > 0; otherwise growth is 0 and means nothing */
    double growth;      /* trailing / previous - 1: 0.2 is +20 %; for display, the rules decide
                         * in exact integers */
    int64_t months_since_first; /* as-of month minus month of the first active month; -1: none */
    int64_t months_since_last;  /* as-of month minus month of the last active month; -1: none */
    int64_t tenure_months;      /* months_since_first + 1, the months the account has bought
                                 * for (first and as-of month included); 0: none */
    int64_t active_months;      /* active months in the trailing window */
    double active_ratio;        /* active_months / window_months */
};

/* Stage of the account whose monthly net revenue is monthly[0..n) (oldest first, monthly[n - 1]
 * the as-of month; borrowed), by rules (NULL: KAM_LIFECYCLE_RULES_DEFAULT), into *out.
 * KAM_ERR_INVALID, with *out untouched, when a rule is out of its range or a window sum does not
 * fit in kam_money. monthly may be NULL when n is 0 (stage none). */
KAM_MUST_CHECK enum kam_rc kam_lifecycle_compute(const kam_money *monthly, size_t n,
                                                 const struct kam_lifecycle_rules *rules,
                                                 struct kam_lifecycle *out, struct kam_err *err);

/* "none", "new", "exploration", "formation", "stability", "decline", "dormant" or "lost";
 * borrowed, static. An out-of-range stage is a programmer error (KAM_BUG). */
const char *kam_lifecycle_stage_name(enum kam_lifecycle_stage s);

#endif
