/* The value matrix (DOMAIN.md "Identify": 客户价值矩阵): median thresholds, the quadrant rule and
 * the per-quadrant sums, plus the share-of-wallet headroom used as a potential value.
 *
 * Money axes stay exact: medians of money are computed in 128-bit integers and rounded once, and
 * comparisons with the threshold are integer comparisons. Only axes that are ratios or ratings
 * are doubles. Deliberately not here: choosing the metrics, loading them, and any ordering of the
 * accounts within a quadrant (the caller's presentation). */
#include "core/matrix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const quadrant_names[KAM_QUADRANTS] = {
    [KAM_QUADRANT_UNPLACED] = "unplaced",   [KAM_QUADRANT_CORE] = "core",
    [KAM_QUADRANT_POTENTIAL] = "potential", [KAM_QUADRANT_DIRECT] = "direct",
    [KAM_QUADRANT_INFERIOR] = "inferior",
};

const char *kam_quadrant_name(enum kam_quadrant q)
{
    if ((unsigned)q >= KAM_QUADRANTS)
        KAM_BUG("quadrant out of range");
    return quadrant_names[q];
}

int kam_quadrant_find(const char *name)
{
    for (int q = 0; q < KAM_QUADRANTS; q++)
        if (strcmp(quadrant_names[q], name) == 0)
            return q;
    return -1;
}

bool kam_axis_known(const struct kam_axis *a, size_t i)
{
    return a->unit == KAM_AXIS_MONEY ? a->money[i] != KAM_NONE : !isnan(a->number[i]);
}

static int money_asc(const void *a, const void *b)
{
    kam_money x = *(const kam_money *)a, y = *(const kam_money *)b;
    return (x > y) - (x < y);
}

static int number_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

kam_money kam_median_money(kam_money *v, size_t n)
{
    if (n == 0)
        KAM_BUG("median of no values");
    qsort(v, n, sizeof(*v), money_asc);
    if (n % 2 == 1)
        return v[n / 2];
    /* Half of an odd sum of 1/10000 units: round half away from zero, as kam_money_mul does. The
     * mean of two int64 values is itself an int64, so the result always fits. */
    __int128 s = (__int128)v[n / 2 - 1] + v[n / 2];
    return (kam_money)(s >= 0 ? (s + 1) / 2 : -((-s + 1) / 2));
}

double kam_median_number(double *v, size_t n)
{
    if (n == 0)
        KAM_BUG("median of no values");
    qsort(v, n, sizeof(*v), number_asc);
    return n % 2 == 1 ? v[n / 2] : v[n / 2 - 1] / 2 + v[n / 2] / 2;
}

/* The median of axis a over the accounts where placed[i]; m of them (m >= 1). */
static void axis_median(const struct kam_axis *a, const bool *placed, size_t n, size_t m,
                        struct kam_axis_value *out, struct kam_arena *arena)
{
    size_t k = 0;
    memset(out, 0, sizeof(*out));
    if (a->unit == KAM_AXIS_MONEY) {
        kam_money *v = kam_arena_alloc(arena, m * sizeof(*v));
        for (size_t i = 0; i < n; i++)
            if (placed[i])
                v[k++] = a->money[i];
        out->money = kam_median_money(v, m);
    } else {
        double *v = kam_arena_alloc(arena, m * sizeof(*v));
        for (size_t i = 0; i < n; i++)
            if (placed[i])
                v[k++] = a->number[i];
        out->number = kam_median_number(v, m);
    }
}

size_t kam_matrix_medians(const struct kam_axis *current, const struct kam_axis *potential,
                          size_t n, struct kam_axis_value *cur, struct kam_axis_value *pot,
                          struct kam_arena *arena)
{
    size_t m = 0;
    memset(cur, 0, sizeof(*cur));
    memset(pot, 0, sizeof(*pot));
    if (n == 0)
        return 0;
    /* Both medians over the same population, the accounts that appear in the matrix: an account
     * without a potential value would otherwise still move the current threshold. */
    bool *placed = kam_arena_alloc(arena, n * sizeof(*placed));
    for (size_t i = 0; i < n; i++) {
        placed[i] = kam_axis_known(current, i) && kam_axis_known(potential, i);
        m += placed[i];
    }
    if (m == 0)
        return 0;
    axis_median(current, placed, n, m, cur, arena);
    axis_median(potential, placed, n, m, pot, arena);
    return m;
}

/* Account i is high on a: its value >= t (the caller has checked that it is known). */
static bool high(const struct kam_axis *a, size_t i, const struct kam_axis_value *t)
{
    return a->unit == KAM_AXIS_MONEY ? a->money[i] >= t->money : a->number[i] >= t->number;
}

void kam_matrix_assign(const struct kam_axis *current, const struct kam_axis *potential, size_t n,
                       const struct kam_axis_value *cur_threshold,
                       const struct kam_axis_value *pot_threshold, const kam_money *revenue,
                       const kam_money *margin, enum kam_quadrant *out,
                       struct kam_matrix_summary *sum)
{
    if (sum != NULL)
        memset(sum, 0, sizeof(*sum));
    for (size_t i = 0; i < n; i++) {
        enum kam_quadrant q = KAM_QUADRANT_UNPLACED;
        if (kam_axis_known(current, i) && kam_axis_known(potential, i)) {
            bool hc = high(current, i, cur_threshold), hp = high(potential, i, pot_threshold);
            q = hc ? (hp ? KAM_QUADRANT_CORE : KAM_QUADRANT_DIRECT)
                   : (hp ? KAM_QUADRANT_POTENTIAL : KAM_QUADRANT_INFERIOR);
        }
        out[i] = q;
        if (sum != NULL) {
            sum->count[q]++;
            /* Window figures of one portfolio: their sums fit kam_money, as in kam_metrics_share
             * and the Pareto totals. */
            if (revenue != NULL)
                sum->revenue[q] += revenue[i];
            if (margin != NULL)
                sum->margin[q] += margin[i];
        }
    }
}

kam_money kam_matrix_wallet_headroom(kam_money est_annual, kam_money revenue, int window_months)
{
    if (window_months < 1)
        KAM_BUG("window of no months");
    if (est_annual == KAM_NONE || est_annual <= 0)
        return KAM_NONE;
    __int128 r = (__int128)revenue * 12, w = window_months;
    __int128 annual = r >= 0 ? (2 * r + w) / (2 * w) : -((-2 * r + w) / (2 * w));
    __int128 h = (__int128)est_annual - annual;
    if (h > INT64_MAX || h <= INT64_MIN) /* INT64_MIN is KAM_NONE: not a value */
        return KAM_NONE;
    return (kam_money)h;
}
