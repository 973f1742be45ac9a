/* Lifecycle stage of one account (DOMAIN.md "Lifecycle stage": exploration, formation, stability,
 * decline, plus the stages an account reaches before and after them: new, dormant, lost, none),
 * from its monthly net revenue series, by an ordered table of rules where the first match wins.
 *
 * Growth compares the net revenue of two windows of equal length (sums, not medians or trends):
 * a sum is what a user can check against the series, and the windows are reported with the stage.
 * The price is that one very large month moves its window; docs/method-lifecycle.md shows it.
 * Thresholds are compared in exact 128-bit integers, never in floating point, so +20 % exactly is
 * +20 %; the double growth and ratio in the result are for display only.
 *
 * Deliberately not here: summing orders into months (the caller gives the series), the clock
 * (the last month is the as-of month), and company input (cost to serve) against customer output,
 * which the seed also plots over the lifecycle. */
#include "core/lifecycle.h"

/* What the rules look at, computed once. */
struct facts {
    kam_money trailing, previous;
    int64_t since_first, since_last, tenure, active;
};

typedef bool (*match_fn)(const struct facts *f, const struct kam_lifecycle_rules *r);

static bool is_lost(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    return f->since_last >= r->lost_months;
}

static bool is_dormant(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    return f->since_last >= r->dormant_months;
}

static bool is_new(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    return f->tenure <= r->new_months;
}

/* Young accounts are exploring whatever their growth: before mature_months the previous window
 * reaches back before the first purchase, so any buying at all would look like growth. */
static bool is_young(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    return f->tenure < r->mature_months;
}

/* Still buying (an active month since dormant_months) but the trailing window nets to nothing
 * or less (returns eat the purchases), or is decline_bp or more below the previous one. */
static bool is_decline(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    if (f->trailing <= 0)
        return true;
    return f->previous > 0 &&
           (__int128)f->trailing * 10000 <= (__int128)f->previous * (10000 - r->decline_bp);
}

/* trailing > 0 here. A previous window at or below zero means buying again from nothing: the
 * relationship is forming (again), as DOMAIN.md's re-developed declining account. */
static bool is_formation(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    if (f->previous <= 0)
        return true;
    return (__int128)f->trailing * 10000 >= (__int128)f->previous * (10000 + r->growth_bp);
}

static bool is_stable(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    return (__int128)f->active * 10000 >= (__int128)r->min_active_bp * r->window_months;
}

/* Mature, flat, but active in too few of the recent months: the relationship never formed. */
static bool is_irregular(const struct facts *f, const struct kam_lifecycle_rules *r)
{
    (void)f;
    (void)r;
    return true;
}

/* First match wins, after "none" (no active month). The last row always matches. The order is
 * the one of the table in docs/method-lifecycle.md. */
static const struct rule {
    enum kam_lifecycle_stage stage;
    match_fn match;
} rules_table[] = {
    {KAM_LIFECYCLE_LOST, is_lost},        {KAM_LIFECYCLE_DORMANT, is_dormant},
    {KAM_LIFECYCLE_NEW, is_new},          {KAM_LIFECYCLE_EXPLORATION, is_young},
    {KAM_LIFECYCLE_DECLINE, is_decline},  {KAM_LIFECYCLE_FORMATION, is_formation},
    {KAM_LIFECYCLE_STABILITY, is_stable}, {KAM_LIFECYCLE_EXPLORATION, is_irregular},
};

static const char *const stage_names[KAM_LIFECYCLE_STAGES] = {
    [KAM_LIFECYCLE_NONE] = "none",
    [KAM_LIFECYCLE_NEW] = "new",
    [KAM_LIFECYCLE_EXPLORATION] = "exploration",
    [KAM_LIFECYCLE_FORMATION] = "formation",
    [KAM_LIFECYCLE_STABILITY] = "stability",
    [KAM_LIFECYCLE_DECLINE] = "decline",
    [KAM_LIFECYCLE_DORMANT] = "dormant",
    [KAM_LIFECYCLE_LOST] = "lost",
};

const char *kam_lifecycle_stage_name(enum kam_lifecycle_stage s)
{
    if ((unsigned)s >= KAM_LIFECYCLE_STAGES)
        KAM_BUG("lifecycle stage out of range");
    return stage_names[s];
}

static enum kam_rc check_rules(const struct kam_lifecycle_rules *r, struct kam_err *err)
{
    if (r->window_months < 1)
        return kam_err_set(err, KAM_ERR_INVALID, "lifecycle window of %d months is below 1",
                           r->window_months);
    if (r->new_months < 0)
        return kam_err_set(err, KAM_ERR_INVALID, "lifecycle 'new' period of %d months is negative",
                           r->new_months);
    if (r->mature_months < 1)
        return kam_err_set(err, KAM_ERR_INVALID, "lifecycle maturity of %d months is below 1",
                           r->mature_months);
    if (r->dormant_months < 1)
        return kam_err_set(err, KAM_ERR_INVALID, "lifecycle dormant period of %d months is below 1",
                           r->dormant_months);
    if (r->lost_months < r->dormant_months)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "lifecycle lost period of %d months is shorter than the dormant "
                           "period of %d months; make it at least as long",
                           r->lost_months, r->dormant_months);
    if (r->growth_bp < 0)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "lifecycle growth threshold %d basis points is negative", r->growth_bp);
    if (r->decline_bp < 0 || r->decline_bp > 10000)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "lifecycle decline threshold %d basis points is outside 0 to 10000",
                           r->decline_bp);
    if (r->min_active_bp < 0 || r->min_active_bp > 10000)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "lifecycle minimum active share %d basis points is outside 0 to 10000",
                           r->min_active_bp);
    return KAM_OK;
}

/* Sum of monthly[lo..hi) into *sum; false when it does not fit. */
static bool window_sum(const kam_money *monthly, size_t lo, size_t hi, kam_money *sum)
{
    __int128 s = 0;

    for (size_t i = lo; i < hi; i++)
        s += monthly[i];
    if (s < INT64_MIN || s > INT64_MAX)
        return false;
    *sum = (kam_money)s;
    return true;
}

enum kam_rc kam_lifecycle_compute(const kam_money *monthly, size_t n,
                                  const struct kam_lifecycle_rules *rules,
                                  struct kam_lifecycle *out, struct kam_err *err)
{
    static const struct kam_lifecycle_rules defaults = KAM_LIFECYCLE_RULES_DEFAULT;
    const struct kam_lifecycle_rules *r = rules ? rules : &defaults;
    struct facts f = {0, 0, -1, -1, 0, 0};
    size_t w, t_lo, p_lo;
    enum kam_lifecycle_stage stage = KAM_LIFECYCLE_NONE;
    enum kam_rc rc;

    rc = check_rules(r, err);
    if (rc != KAM_OK)
        return rc;
    /* Months before the series count as 0: the caller's series is all we know. */
    w = (size_t)r->window_months;
    t_lo = n > w ? n - w : 0;
    p_lo = t_lo > w ? t_lo - w : 0;
    if (!window_sum(monthly, t_lo, n, &f.trailing) || !window_sum(monthly, p_lo, t_lo, &f.previous))
        return kam_err_set(err, KAM_ERR_INVALID,
                           "net revenue over %d months does not fit in a money amount",
                           r->window_months);
    for (size_t i = 0; i < n; i++) {
        if (monthly[i] <= 0)
            continue;
        if (f.since_first < 0)
            f.since_first = (int64_t)(n - 1 - i);
        f.since_last = (int64_t)(n - 1 - i);
        if (i >= t_lo)
            f.active++;
    }
    if (f.since_first >= 0) {
        f.tenure = f.since_first + 1;
        for (size_t i = 0; i < sizeof(rules_table) / sizeof(rules_table[0]); i++)
            if (rules_table[i].match(&f, r)) {
                stage = rules_table[i].stage;
                break;
            }
    }
    out->stage = stage;
    out->trailing = f.trailing;
    out->previous = f.previous;
    out->has_growth = f.previous > 0;
    /* A ratio of the two doubles, not of their difference: trailing - previous may not fit. */
    out->growth = out->has_growth ? (double)f.trailing / (double)f.previous - 1.0 : 0.0;
    out->months_since_first = f.since_first;
    out->months_since_last = f.since_last;
    out->tenure_months = f.tenure;
    out->active_months = f.active;
    out->active_ratio = (double)f.active / (double)r->window_months;
    return KAM_OK;
}
