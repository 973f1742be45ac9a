/* Top share, cumulative curve, Gini coefficient and ABC classes on the net basis (DOMAIN.md:
 * "Pareto analysis"; ABC classes are a data-driven first cut of "Tiers"). Integer sums
 * throughout: with binary floating point, accounts whose returns cancel their purchases exactly
 * come out as tiny positive numbers and enter the population by mistake (see
 * ../shared/data/README.md). Only the final ratios are double, each from one division of exact
 * integers.
 *
 * Deliberately not here: loading revenues, choosing the period, allocation (callers pass the
 * output arrays), and any class rule on value ties: equal values are ordered by the caller's key
 * and may fall into different classes, so that class counts match the cumulative shares exactly. */
#include "core/pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_value_desc(const void *a, const void *b)
{
    kam_money x = *(const kam_money *)a, y = *(const kam_money *)b;
    return (x < y) - (x > y);
}

void kam_pareto_top_share(kam_money *values, size_t n, double fraction, struct kam_top_share *out)
{
    size_t pop = 0;

    if (n > 1)
        qsort(values, n, sizeof(*values), by_value_desc);
    while (pop < n && values[pop] > 0)
        pop++;
    out->population = (int64_t)pop;
    out->total = 0;
    for (size_t i = 0; i < pop; i++)
        out->total += values[i];
    /* ceil on an exact product: 0.2 * 4317 must give 864, not 863.4 rounded the wrong way. */
    out->k = (int64_t)ceil(fraction * (double)pop - 1e-9);
    if (out->k > (int64_t)pop)
        out->k = (int64_t)pop;
    out->top = 0;
    for (int64_t i = 0; i < out->k; i++)
        out->top += values[i];
    out->share = out->total > 0 ? (double)out->top / (double)out->total : 0.0;
    out->k80 = 0;
    if (out->total > 0) {
        __int128 run = 0, target = (__int128)out->total * 8; /* run*10 >= total*8 */
        for (size_t i = 0; i < pop; i++) {
            run += values[i];
            if (run * 10 >= target) {
                out->k80 = (int64_t)i + 1;
                break;
            }
        }
    }
}

/* Value descending, then key ascending: a total order on (value, key), so qsort's instability
 * cannot show. */
static int by_item(const void *a, const void *b)
{
    const struct kam_pareto_item *x = a, *y = b;

    if (x->value != y->value)
        return x->value < y->value ? 1 : -1;
    return (x->key > y->key) - (x->key < y->key);
}

size_t kam_pareto_sort(struct kam_pareto_item *items, size_t n)
{
    size_t pop = 0;

    /* qsort(NULL, 0, ...) is undefined behaviour: an empty portfolio may have no array. */
    if (n > 1)
        qsort(items, n, sizeof(*items), by_item);
    while (pop < n && items[pop].value > 0)
        pop++;
    return pop;
}

/* The population of items in kam_pareto_sort order. Every figure below depends on that order,
 * and a caller that skipped the sort would get plausible but wrong numbers: abort instead. */
static size_t population(const struct kam_pareto_item *items, size_t n)
{
    size_t pop = 0;

    for (size_t i = 1; i < n; i++)
        if (by_item(&items[i - 1], &items[i]) > 0)
            KAM_BUG("pareto items are not in order: call kam_pareto_sort first");
    while (pop < n && items[pop].value > 0)
        pop++;
    return pop;
}

size_t kam_pareto_curve(const struct kam_pareto_item *items, size_t n, struct kam_pareto_point *out)
{
    size_t pop = population(items, n);
    __int128 total = 0, cum = 0;

    for (size_t i = 0; i < pop; i++)
        total += items[i].value;
    for (size_t i = 0; i < pop; i++) {
        cum += items[i].value;
        out[i].x = (double)(i + 1) / (double)pop;
        out[i].y = (double)cum / (double)total; /* cum == total at the end: exactly 1 */
        out[i].cum = (kam_money)cum;
    }
    return pop;
}

double kam_pareto_gini(const struct kam_pareto_item *items, size_t n)
{
    size_t pop = population(items, n);
    __int128 sum = 0, ranked = 0;

    if (pop == 0)
        return 0.0;
    /* items are descending, so the item at j has ascending rank i = pop - j. */
    for (size_t j = 0; j < pop; j++) {
        sum += items[j].value;
        ranked += (__int128)(pop - j) * items[j].value;
    }
    /* G = 2 R / (n S) - (n + 1) / n = (2 R - (n + 1) S) / (n S): one division of exact integers.
     * Both are below 2^127 while n * S is, far beyond any portfolio. */
    __int128 num = 2 * ranked - (__int128)(pop + 1) * sum;
    __int128 den = (__int128)pop * sum;
    return (double)num / (double)den;
}

static const char *const abc_names[KAM_ABC_CLASSES] = {
    [KAM_ABC_NONE] = "none",
    [KAM_ABC_A] = "A",
    [KAM_ABC_B] = "B",
    [KAM_ABC_C] = "C",
};

const char *kam_pareto_abc_name(enum kam_abc c)
{
    if ((unsigned)c >= KAM_ABC_CLASSES)
        KAM_BUG("ABC class out of range");
    return abc_names[c];
}

enum kam_rc kam_pareto_abc(const struct kam_pareto_item *items, size_t n,
                           const struct kam_abc_limits *limits, enum kam_abc *out,
                           struct kam_abc_summary *sum, struct kam_err *err)
{
    static const struct kam_abc_limits defaults = {KAM_ABC_A_DEFAULT, KAM_ABC_B_DEFAULT};
    const struct kam_abc_limits *lim = limits != NULL ? limits : &defaults;
    __int128 total = 0, before = 0;
    size_t pop;

    if (lim->a < 0 || lim->a > 10000)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "ABC limit for A %.2f %% is not between 0 and 100 %%", lim->a / 100.0);
    if (lim->b < 0 || lim->b > 10000)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "ABC limit for B %.2f %% is not between 0 and 100 %%", lim->b / 100.0);
    if (lim->a > lim->b)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "ABC limit for A %.2f %% is above the limit for B %.2f %%: give A <= B",
                           lim->a / 100.0, lim->b / 100.0);
    pop = population(items, n);
    for (size_t i = 0; i < pop; i++)
        total += items[i].value;
    /* The share *before* the account decides, so the account that crosses a limit still belongs
     * to the class below it: A is exactly the fewest top accounts reaching a (k80 of the top
     * share at 80 %), and the first account is A whenever a > 0. In integers:
     * before / total < a / 10000  <=>  before * 10000 < a * total. */
    for (size_t i = 0; i < pop; i++) {
        __int128 b = before * 10000;
        if (b < (__int128)lim->a * total)
            out[i] = KAM_ABC_A;
        else if (b < (__int128)lim->b * total)
            out[i] = KAM_ABC_B;
        else
            out[i] = KAM_ABC_C;
        before += items[i].value;
    }
    for (size_t i = pop; i < n; i++)
        out[i] = KAM_ABC_NONE;
    if (sum != NULL) {
        memset(sum, 0, sizeof(*sum));
        for (size_t i = 0; i < n; i++) {
            sum->count[out[i]]++;
            sum->revenue[out[i]] += items[i].value;
        }
    }
    return KAM_OK;
}
