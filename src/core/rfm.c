/* RFM scoring (DOMAIN.md: "behaviour measured from data: ... repeat purchase" of the "Scoring
 * model", and the decline of a "Lifecycle stage"): recency in days, frequency and net revenue,
 * each turned into a quintile score 1..5 by the account's rank in the portfolio, then a segment
 * from a static table.
 *
 * The score uses the mid-rank percentile, so that equal values get the same score without
 * favouring either end: for an account whose value is worse than w of the m ranked accounts and
 * equal to t of them (itself included), p = (w + t / 2) / m and the score is ceil(5 p), in exact
 * integers: ceil(5 (2w + t) / 2m). A single account, or a portfolio where all are equal, scores
 * 3, the middle, not 1 or 5. Rejected: rank-then-cut (NTILE, pandas qcut on rank 'first'),
 * which gives equal values different scores depending on input order; and the min-rank
 * percentile, which scores every tie group at its lowest position (a lone account would be "lost").
 *
 * Deliberately not here: counting orders or summing revenue (the caller gives them), the clock
 * (the as-of day is an argument), and weights or a combined score. */
#include "core/rfm.h"

#include <stdlib.h>

#include "util/date.h"

enum metric { RECENCY, FREQUENCY, MONETARY };

/* First match wins; every combination of scores 1..5 matches a row (tests/core/test_rfm.c checks
 * all 125 against the rules as written in docs/method-pareto-rfm.md). */
static const struct rule {
    enum kam_rfm_segment segment;
    int r_lo, r_hi, f_lo, f_hi, m_lo, m_hi;
} rules[] = {
    {KAM_RFM_CHAMPIONS, 4, 5, 4, 5, 4, 5},
    {KAM_RFM_LOYAL, 3, 5, 4, 5, 1, 5},
    {KAM_RFM_POTENTIAL_LOYALIST, 3, 5, 2, 3, 1, 5},
    {KAM_RFM_NEW, 4, 5, 1, 1, 1, 5},
    {KAM_RFM_AT_RISK, 1, 2, 3, 5, 1, 5},
    /* Rare and long ago, but big: a large account gone quiet is worth a call, not a write-off. */
    {KAM_RFM_AT_RISK, 1, 2, 1, 2, 4, 5},
    {KAM_RFM_HIBERNATING, 2, 3, 1, 2, 1, 5},
    {KAM_RFM_LOST, 1, 1, 1, 2, 1, 3},
};

static const char *const segment_names[KAM_RFM_SEGMENTS] = {
    [KAM_RFM_NONE] = "none",
    [KAM_RFM_CHAMPIONS] = "champions",
    [KAM_RFM_LOYAL] = "loyal",
    [KAM_RFM_POTENTIAL_LOYALIST] = "potential loyalist",
    [KAM_RFM_NEW] = "new",
    [KAM_RFM_AT_RISK] = "at risk",
    [KAM_RFM_HIBERNATING] = "hibernating",
    [KAM_RFM_LOST] = "lost",
};

enum kam_rfm_segment kam_rfm_classify(int r, int f, int m)
{
    if (r == 0 && f == 0 && m == 0)
        return KAM_RFM_NONE;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        const struct rule *u = &rules[i];
        if (r >= u->r_lo && r <= u->r_hi && f >= u->f_lo && f <= u->f_hi && m >= u->m_lo &&
            m <= u->m_hi)
            return u->segment;
    }
    KAM_BUG("RFM scores out of range 1..5");
}

const char *kam_rfm_segment_name(enum kam_rfm_segment s)
{
    if ((unsigned)s >= KAM_RFM_SEGMENTS)
        KAM_BUG("RFM segment out of range");
    return segment_names[s];
}

static int by_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Of sorted[0..m), how many are below v and how many equal it. */
static void locate(const int64_t *sorted, size_t m, int64_t v, size_t *below, size_t *equal)
{
    size_t lo = 0, hi = m;

    while (lo < hi) { /* first index with sorted[i] >= v */
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *below = lo;
    hi = m;
    while (lo < hi) { /* first index with sorted[i] > v */
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *equal = lo - *below;
}

/* ceil(5 (2 worse + equal) / 2m): 1..5 because 1 <= 2 worse + equal <= 2m - 1 + 1. */
static int quintile(size_t worse, size_t equal, size_t m)
{
    uint64_t num = 5 * (2 * (uint64_t)worse + equal), den = 2 * (uint64_t)m;
    return (int)((num + den - 1) / den);
}

static int64_t metric_of(const struct kam_rfm_input *in, int64_t as_of, enum metric k)
{
    switch (k) {
    case RECENCY:
        return as_of - in->last_day;
    case FREQUENCY:
        return in->frequency;
    case MONETARY:
        return in->monetary;
    }
    KAM_BUG("unknown RFM metric");
}

static char *day_str(int64_t day, char *buf, size_t n)
{
    struct kam_date d = kam_date_from_days(day);
    return kam_date_str(&d, buf, n);
}

enum kam_rc kam_rfm_score(const struct kam_rfm_input *in, size_t n, int64_t as_of,
                          struct kam_rfm *out, struct kam_arena *arena, struct kam_err *err)
{
    /* Years 1..9999, as kam_date: also keeps as_of - last_day far from overflow. */
    const int64_t min_day = -719162, max_day = 2932896;
    char b1[KAM_DATE_STRLEN], b2[KAM_DATE_STRLEN];
    int64_t *sorted;
    size_t m = 0;

    if (as_of < min_day || as_of > max_day)
        return kam_err_set(err, KAM_ERR_INVALID, "as-of day %lld is outside the years 1 to 9999",
                           (long long)as_of);
    for (size_t i = 0; i < n; i++) {
        const struct kam_rfm_input *a = &in[i];
        if (a->frequency < 0)
            return kam_err_set(err, KAM_ERR_INVALID, "account %lld: frequency %lld is negative",
                               (long long)a->account_id, (long long)a->frequency);
        if (a->frequency == 0)
            continue;
        if (a->last_day < min_day || a->last_day > max_day)
            return kam_err_set(
                err, KAM_ERR_INVALID,
                "account %lld: last purchase day %lld is outside the years 1 to 9999",
                (long long)a->account_id, (long long)a->last_day);
        if (a->last_day > as_of)
            return kam_err_set(err, KAM_ERR_INVALID,
                               "account %lld: last purchase %s is after the as-of date %s; give "
                               "a later as-of date",
                               (long long)a->account_id, day_str(a->last_day, b1, sizeof(b1)),
                               day_str(as_of, b2, sizeof(b2)));
        m++;
    }
    for (size_t i = 0; i < n; i++) {
        out[i].recency = in[i].frequency > 0 ? as_of - in[i].last_day : -1;
        out[i].r = out[i].f = out[i].m = 0;
    }
    if (m > 0) {
        sorted = kam_arena_alloc(arena, m * sizeof(*sorted));
        for (enum metric k = RECENCY; k <= MONETARY; k++) {
            size_t j = 0;
            for (size_t i = 0; i < n; i++)
                if (in[i].frequency > 0)
                    sorted[j++] = metric_of(&in[i], as_of, k);
            qsort(sorted, m, sizeof(*sorted), by_int64);
            for (size_t i = 0; i < n; i++) {
                size_t below, equal, worse;
                if (in[i].frequency == 0)
                    continue;
                locate(sorted, m, metric_of(&in[i], as_of, k), &below, &equal);
                /* More days is worse; fewer purchases or less revenue is worse. */
                worse = k == RECENCY ? m - below - equal : below;
                int s = quintile(worse, equal, m);
                if (k == RECENCY)
                    out[i].r = s;
                else if (k == FREQUENCY)
                    out[i].f = s;
                else
                    out[i].m = s;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i].segment = kam_rfm_classify(out[i].r, out[i].f, out[i].m);
    return KAM_OK;
}
