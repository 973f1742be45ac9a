/* Weighted-points scoring: indicator values to points (bands, linear min-max, percentile rank),
 * the missing-value rules, the weighted score with its per-indicator contributions, and tiers by
 * score thresholds or rank shares (docs/method-score.md; DOMAIN.md "Scoring model", composite
 * points method, and "Tiers").
 *
 * Pure arithmetic on caller buffers. It does not derive weights (a person or AHP does), does not
 * read models or values from anywhere, and does not decide which accounts are scored together:
 * the portfolio is whatever the caller passes, and the portfolio-relative transformations
 * (linear from the portfolio, percentile, the mean rule) are relative to exactly that. */
#include "core/score.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How far the weights may sum from 1: room for thirds written as 0.333333333333 without letting a
 * mistyped weight through (the same tolerance as the fuzzy model). */
static const double weight_sum_eps = 1e-9;

/* Scores closer than this are equal for tiers: sum w_i p_i of points that should give exactly 80
 * can come out as 79.99999999999999, and rounding must neither demote an account below a
 * threshold nor split a tie in rank. Far below any difference a person would act on. */
static const double tier_eps = 1e-9;

static const char *const tier_names[] = {"key", "major", "ordinary", "small"};

const char *kam_tier_name(enum kam_tier t)
{
    if (t >= KAM_TIER_KEY && t <= KAM_TIER_SMALL)
        return tier_names[t];
    return "none";
}

bool kam_score_band_points(const struct kam_score_indicator *ind, double x, double *points)
{
    if (isnan(x))
        return false;
    for (size_t b = 0; b < ind->nbands; b++) {
        const struct kam_score_band *band = &ind->bands[b];
        /* min inclusive, max exclusive; an open top band [a, inf) also takes x = inf. */
        if (x >= band->min && (x < band->max || (band->max == INFINITY && x == INFINITY))) {
            *points = band->points;
            return true;
        }
    }
    return false;
}

double kam_score_linear(double x, double min, double max)
{
    double p;

    if (x <= min && x < max)
        return 0.0;
    if (x >= max && x > min)
        return 100.0;
    if (min == max)
        return 50.0; /* x == min == max: every account alike, the indicator says nothing */
    p = 100.0 * (x - min) / (max - min);
    return p < 0.0 ? 0.0 : (p > 100.0 ? 100.0 : p);
}

double kam_score_percentile(double x, const double *values, size_t n)
{
    size_t below = 0, equal = 0, m = 0;

    if (isnan(x))
        return NAN;
    for (size_t i = 0; i < n; i++) {
        if (isnan(values[i]))
            continue;
        m++;
        if (values[i] < x)
            below++;
        else if (values[i] == x)
            equal++;
    }
    if (m == 0)
        return NAN;
    return 100.0 * ((double)below + 0.5 * (double)equal) / (double)m;
}

static enum kam_rc check_bands(const struct kam_score_indicator *ind, struct kam_err *err)
{
    if (ind->nbands == 0 || ind->bands == NULL)
        return kam_err_set(err, KAM_ERR_INVALID, "indicator '%s': no bands; add at least one",
                           ind->name);
    if (ind->nbands > KAM_SCORE_MAX_BANDS)
        return kam_err_set(err, KAM_ERR_TOO_LARGE,
                           "indicator '%s': %zu bands; at most %d are allowed", ind->name,
                           ind->nbands, KAM_SCORE_MAX_BANDS);
    for (size_t j = 0; j < ind->nbands; j++) {
        const struct kam_score_band *b = &ind->bands[j];
        if (isnan(b->min) || isnan(b->max))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s': band %zu [%g, %g) has a bound that is not a number",
                               ind->name, j + 1, b->min, b->max);
        if (!(b->min < b->max))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s': band %zu [%g, %g) is empty; min must be below max",
                               ind->name, j + 1, b->min, b->max);
        if (!(b->points >= 0.0 && b->points <= 100.0))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s': band %zu [%g, %g) gives %g points, expected 0 to "
                               "100",
                               ind->name, j + 1, b->min, b->max, b->points);
        /* Half-open intervals overlap when each starts below the other's end; [0, 10) and
         * [10, 20) only touch. Compared with every earlier band, so the message names the later
         * band and the first earlier one it hits. */
        for (size_t i = 0; i < j; i++) {
            const struct kam_score_band *a = &ind->bands[i];
            if (a->min < b->max && b->min < a->max)
                return kam_err_set(err, KAM_ERR_INVALID,
                                   "indicator '%s': band %zu [%g, %g) overlaps band %zu [%g, %g)",
                                   ind->name, j + 1, b->min, b->max, i + 1, a->min, a->max);
        }
    }
    return KAM_OK;
}

static enum kam_rc check_indicator(const struct kam_score_indicator *ind, size_t i,
                                   struct kam_err *err)
{
    if (ind->name == NULL || ind->name[0] == '\0')
        return kam_err_set(err, KAM_ERR_INVALID, "indicator %zu has no name", i + 1);
    if (!isfinite(ind->weight))
        return kam_err_set(err, KAM_ERR_INVALID, "indicator '%s': weight %g is not a finite number",
                           ind->name, ind->weight);
    if (ind->weight < 0.0)
        return kam_err_set(err, KAM_ERR_INVALID, "indicator '%s': weight %g is negative", ind->name,
                           ind->weight);
    if ((unsigned)ind->missing > KAM_SCORE_MISSING_EXCLUDE)
        return kam_err_set(err, KAM_ERR_INVALID, "indicator '%s': unknown missing-value rule %d",
                           ind->name, (int)ind->missing);
    switch (ind->transform) {
    case KAM_SCORE_BANDS:
        return check_bands(ind, err);
    case KAM_SCORE_LINEAR:
        if (!ind->from_portfolio &&
            !(isfinite(ind->min) && isfinite(ind->max) && ind->min <= ind->max))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s': linear scale [%g, %g] needs finite bounds with "
                               "min <= max",
                               ind->name, ind->min, ind->max);
        return KAM_OK;
    case KAM_SCORE_PERCENTILE:
        return KAM_OK;
    }
    return kam_err_set(err, KAM_ERR_INVALID, "indicator '%s': unknown transformation %d", ind->name,
                       (int)ind->transform);
}

enum kam_rc kam_score_validate(const struct kam_score_model *model, struct kam_err *err)
{
    const size_t k = model->nindicators;
    double sum = 0.0;
    enum kam_rc rc;

    if (k == 0 || model->indicators == NULL)
        return kam_err_set(err, KAM_ERR_INVALID, "the model has no indicators");
    if (k > KAM_SCORE_MAX_INDICATORS)
        return kam_err_set(err, KAM_ERR_TOO_LARGE,
                           "the model has %zu indicators; at most %d are allowed", k,
                           KAM_SCORE_MAX_INDICATORS);
    for (size_t i = 0; i < k; i++) {
        rc = check_indicator(&model->indicators[i], i, err);
        if (rc != KAM_OK)
            return rc;
        sum += model->indicators[i].weight;
    }
    if (fabs(sum - 1.0) > weight_sum_eps)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "indicator weights sum to %.12g; they must sum to 1 (within 1e-9)", sum);
    return KAM_OK;
}

static int cmp_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_desc(const void *a, const void *b)
{
    return cmp_asc(b, a);
}

/* First index of sorted[0..m) (ascending) whose value is >= x (strict: > x). */
static size_t lower(const double *sorted, size_t m, double x, bool strict)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strict ? sorted[mid] <= x : sorted[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* What a transformation needs of column i: the present values sorted ascending into work for a
 * percentile rank, their smallest and largest into work[0] and work[m - 1] for a linear scale
 * taken from the portfolio, nothing for bands (a sort of a million values each time cost more
 * than the scoring itself). Returns the count m of present values. */
static size_t column(const struct kam_score_indicator *ind, const double *values, size_t n,
                     size_t k, size_t i, double *work)
{
    size_t m = 0;
    if (ind->transform == KAM_SCORE_PERCENTILE) {
        for (size_t a = 0; a < n; a++)
            if (!isnan(values[a * k + i]))
                work[m++] = values[a * k + i];
        qsort(work, m, sizeof(*work), cmp_asc);
    } else if (ind->transform == KAM_SCORE_LINEAR && ind->from_portfolio) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t a = 0; a < n; a++) {
            double x = values[a * k + i];
            if (isnan(x))
                continue;
            m++;
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        if (m > 0) {
            work[0] = lo;
            work[m - 1] = hi;
        }
    }
    return m;
}

/* Pass 1 for indicator i: every account's points from its value, or the source that says why
 * there are none. Returns the mean of the points from values (0 when no account has one). */
static double transform_column(const struct kam_score_indicator *ind, const double *values,
                               size_t n, size_t k, size_t i, double *work,
                               struct kam_score_result *out)
{
    size_t m = column(ind, values, n, k, i, work), scored = 0;
    double sum = 0.0;

    for (size_t a = 0; a < n; a++) {
        struct kam_score_item *it = &out[a].items[i];
        double x = values[a * k + i], p = 0.0;

        it->raw = x;
        it->source = KAM_SCORE_FROM_VALUE;
        if (isnan(x)) {
            it->source = KAM_SCORE_FROM_MISSING;
        } else if (ind->transform == KAM_SCORE_BANDS) {
            if (!kam_score_band_points(ind, x, &p))
                it->source = KAM_SCORE_FROM_UNCOVERED;
        } else if (ind->transform == KAM_SCORE_LINEAR) {
            /* m > 0 here: x itself is present. */
            p = ind->from_portfolio ? kam_score_linear(x, work[0], work[m - 1])
                                    : kam_score_linear(x, ind->min, ind->max);
        } else {
            size_t below = lower(work, m, x, false), upto = lower(work, m, x, true);
            p = 100.0 * ((double)below + 0.5 * (double)(upto - below)) / (double)m;
        }
        it->points = p;
        if (it->source == KAM_SCORE_FROM_VALUE) {
            sum += p;
            scored++;
        }
    }
    return scored > 0 ? sum / (double)scored : 0.0;
}

/* Pass 2 for one account: missing rules, renormalised weights, contributions, score. */
static void weigh(const struct kam_score_model *model, const double *mean,
                  struct kam_score_result *r)
{
    double kept = 0.0;
    bool excluded = false;

    for (size_t i = 0; i < r->nitems; i++) {
        const struct kam_score_indicator *ind = &model->indicators[i];
        struct kam_score_item *it = &r->items[i];

        it->rule = ind->missing;
        if (it->source == KAM_SCORE_FROM_MISSING)
            r->missing++;
        else if (it->source == KAM_SCORE_FROM_UNCOVERED)
            r->uncovered++;
        if (it->source != KAM_SCORE_FROM_VALUE) {
            if (ind->missing == KAM_SCORE_MISSING_EXCLUDE) {
                it->points = 0.0;
                it->weight = 0.0;
                excluded = true;
                continue;
            }
            it->points = ind->missing == KAM_SCORE_MISSING_MEAN ? mean[i] : 0.0;
        }
        it->weight = ind->weight;
        kept += ind->weight;
    }
    r->score = 0.0;
    r->unscored = !(kept > 0.0);
    for (size_t i = 0; i < r->nitems; i++) {
        struct kam_score_item *it = &r->items[i];
        /* Only an exclusion renormalises: otherwise the weights are used exactly as the model
         * gives them, so a contribution is the w_i p_i a person can check by hand. */
        if (r->unscored)
            it->weight = 0.0;
        else if (excluded)
            it->weight /= kept;
        it->contribution = it->weight * it->points;
        r->score += it->contribution;
    }
}

enum kam_rc kam_score_run(const struct kam_score_model *model, const double *values, size_t n,
                          double *work, struct kam_score_item *items, struct kam_score_result *out,
                          struct kam_err *err)
{
    double mean[KAM_SCORE_MAX_INDICATORS];
    size_t k;
    enum kam_rc rc;

    rc = kam_score_validate(model, err);
    if (rc != KAM_OK)
        goto out;
    k = model->nindicators;
    if (n == 0) {
        rc = kam_err_set(err, KAM_ERR_INVALID, "no accounts to score");
        goto out;
    }
    assert(values != NULL && work != NULL && items != NULL && out != NULL);
    /* Checked before out is touched, so out is written only on success. */
    for (size_t a = 0; a < n; a++)
        for (size_t i = 0; i < k; i++)
            if (isinf(values[a * k + i])) {
                rc = kam_err_set(err, KAM_ERR_INVALID,
                                 "account %zu, indicator '%s': value %g is not a finite number; "
                                 "use NaN for a missing value",
                                 a + 1, model->indicators[i].name, values[a * k + i]);
                goto out;
            }
    for (size_t a = 0; a < n; a++) {
        memset(&out[a], 0, sizeof(out[a]));
        out[a].nitems = k;
        out[a].items = items + a * k;
        memset(out[a].items, 0, k * sizeof(*items));
    }
    for (size_t i = 0; i < k; i++)
        mean[i] = transform_column(&model->indicators[i], values, n, k, i, work, out);
    for (size_t a = 0; a < n; a++)
        weigh(model, mean, &out[a]);
out:
    return rc;
}

static enum kam_rc check_rule(const struct kam_tier_rule *rule, struct kam_err *err)
{
    const double *c = rule->cut;

    for (size_t t = 0; t < 3; t++)
        if (!isfinite(c[t]))
            return kam_err_set(err, KAM_ERR_INVALID, "tier '%s': cut %g is not a finite number",
                               tier_names[t], c[t]);
    if (rule->method == KAM_TIER_BY_SCORE) {
        if (!(c[0] >= c[1] && c[1] >= c[2]))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "tier thresholds key %g, major %g, ordinary %g must not increase",
                               c[0], c[1], c[2]);
        return KAM_OK;
    }
    if (rule->method != KAM_TIER_BY_RANK)
        return kam_err_set(err, KAM_ERR_INVALID, "unknown tier method %d", (int)rule->method);
    for (size_t t = 0; t < 3; t++)
        if (c[t] < 0.0)
            return kam_err_set(err, KAM_ERR_INVALID, "tier '%s': share %g %% is negative",
                               tier_names[t], c[t]);
    if (c[0] + c[1] + c[2] > 100.0)
        return kam_err_set(err, KAM_ERR_INVALID, "tier shares %g %% + %g %% + %g %% exceed 100 %%",
                           c[0], c[1], c[2]);
    return KAM_OK;
}

/* Tier t by rank: the accounts of which fewer than cum_t % of the portfolio score higher, with
 * cum_t the shares of tiers 0..t added up. q[t] = cum_t n / 100 is that count limit. */
static void tier_by_rank(const struct kam_tier_rule *rule, double s, const double *desc, size_t n,
                         struct kam_tier_result *r)
{
    double q[3], cum = 0.0;
    size_t above = 0, lo = 0, hi = n;
    int t;

    for (size_t j = 0; j < 3; j++) {
        cum += rule->cut[j];
        q[j] = cum * (double)n / 100.0;
    }
    /* above = how many score higher (by more than tier_eps): desc is descending. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (desc[mid] > s + tier_eps)
            lo = mid + 1;
        else
            hi = mid;
    }
    above = lo;
    for (t = 0; t < 3 && !((double)above < q[t]); t++)
        ;
    r->computed = (enum kam_tier)t;
    if (t == 0) {
        r->to_next = 0.0;
    } else if (!(q[t - 1] > 0.0)) {
        r->to_next = NAN;
    } else {
        /* Tier t - 1 allows at most a = ceil(q) - 1 accounts above. Matching the (a + 1)-th
         * highest score leaves at most a strictly above, and the account, not being in tier
         * t - 1, sits below that score, so it is desc[a] of the others as well as of all. */
        size_t a = (size_t)ceil(q[t - 1]) - 1;
        r->to_next = desc[a] - s;
    }
}

static void tier_by_score(const struct kam_tier_rule *rule, double s, struct kam_tier_result *r)
{
    int t;

    for (t = 0; t < 3 && !(s >= rule->cut[t] - tier_eps); t++)
        ;
    r->computed = (enum kam_tier)t;
    r->to_next = t == 0 ? 0.0 : rule->cut[t - 1] - s;
}

enum kam_rc kam_score_tiers(const struct kam_tier_rule *rule, const double *scores,
                            const enum kam_tier *pinned, size_t n, double *work,
                            struct kam_tier_result *out, struct kam_err *err)
{
    enum kam_rc rc;

    rc = check_rule(rule, err);
    if (rc != KAM_OK)
        goto out;
    if (n == 0) {
        rc = kam_err_set(err, KAM_ERR_INVALID, "no accounts to place in tiers");
        goto out;
    }
    assert(scores != NULL && work != NULL && out != NULL);
    for (size_t a = 0; a < n; a++) {
        if (isnan(scores[a])) {
            rc = kam_err_set(err, KAM_ERR_INVALID, "account %zu: score is not a number", a + 1);
            goto out;
        }
        if (pinned != NULL && (pinned[a] < KAM_TIER_NONE || pinned[a] > KAM_TIER_SMALL)) {
            rc = kam_err_set(err, KAM_ERR_INVALID, "account %zu: pinned tier %d is unknown", a + 1,
                             (int)pinned[a]);
            goto out;
        }
    }
    if (rule->method == KAM_TIER_BY_RANK) {
        memcpy(work, scores, n * sizeof(*work));
        qsort(work, n, sizeof(*work), cmp_desc);
    }
    for (size_t a = 0; a < n; a++) {
        struct kam_tier_result *r = &out[a];

        if (rule->method == KAM_TIER_BY_RANK)
            tier_by_rank(rule, scores[a], work, n, r);
        else
            tier_by_score(rule, scores[a], r);
        r->pinned = pinned != NULL && pinned[a] != KAM_TIER_NONE;
        r->tier = r->pinned ? pinned[a] : r->computed;
        r->pin_differs = r->pinned && r->tier != r->computed;
    }
out:
    return rc;
}
