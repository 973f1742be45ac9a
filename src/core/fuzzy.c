/* Fuzzy comprehensive evaluation: membership functions, model checks, and B = W o R with the
 * grade and score read from B (docs/method-fuzzy.md; DOMAIN.md "Scoring model", fuzzy
 * evaluation).
 *
 * Pure arithmetic on a model and one account's values. It does not derive weights (AHP is its own
 * module), does not read models from files, and does not normalise B: the score divides by the
 * sum of B and the grade is an argmax, so neither needs it, and the raw B keeps the information
 * of how much membership there was at all. */
#include "core/fuzzy.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* Differences of weighted sums below this are rounding, not evidence: 0.3 + 0.2 and 0.5 must tie
 * and go to the better grade. Memberships and weights are in [0, 1], so 1e-12 is far above the
 * rounding of a sum of 64 terms and far below any difference a person would act on. */
static const double tie_eps = 1e-12;

/* How far the weights may sum from 1: room for weights written with 10-12 decimals (1/3 as
 * 0.333333333333) without letting a mistyped weight through. */
static const double weight_sum_eps = 1e-9;

/* (x - lo) / (hi - lo) on halves: hi - lo overflows for functions spanning more than DBL_MAX
 * (-1e308 to 1e308) and would turn a membership of 0.5 into 0. Halving is exact for normal
 * numbers, so ordinary results are bit for bit the same. */
static double ramp(double x, double lo, double hi)
{
    return (0.5 * x - 0.5 * lo) / (0.5 * hi - 0.5 * lo);
}

static double trapezoid(double a, double b, double c, double d, double x)
{
    double mu;

    if (isnan(x))
        return 0.0;
    /* The plateau first: with a vertical edge (a = b) the point a itself belongs to it. */
    if (x >= b && x <= c)
        return 1.0;
    if (x <= a || x >= d)
        return 0.0;
    mu = x < b ? ramp(x, a, b) : ramp(x, d, c);
    /* Only reachable with parameters kam_fuzzy_validate() rejects; keep the [0, 1] promise. */
    if (!(mu >= 0.0))
        return 0.0;
    return mu > 1.0 ? 1.0 : mu;
}

double kam_fuzzy_membership(const struct kam_fuzzy_mf *mf, double x)
{
    switch (mf->shape) {
    case KAM_FUZZY_TRIANGLE:
        return trapezoid(mf->a, mf->b, mf->b, mf->c, x);
    case KAM_FUZZY_TRAPEZOID:
        return trapezoid(mf->a, mf->b, mf->c, mf->d, x);
    }
    KAM_BUG("unknown membership function shape");
}

static enum kam_rc check_mf(const struct kam_fuzzy_mf *mf, const char *ind, const char *grade,
                            struct kam_err *err)
{
    static const char names[] = "abcd";
    double p[4] = {mf->a, mf->b, mf->c, mf->d};
    size_t np;

    if (mf->shape == KAM_FUZZY_TRIANGLE)
        np = 3;
    else if (mf->shape == KAM_FUZZY_TRAPEZOID)
        np = 4;
    else
        return kam_err_set(err, KAM_ERR_INVALID,
                           "indicator '%s', grade '%s': unknown membership function shape %d", ind,
                           grade, (int)mf->shape);
    for (size_t i = 0; i < np; i++)
        if (isnan(p[i]))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s', grade '%s': parameter %c is not a number", ind,
                               grade, names[i]);
    if (np == 3) {
        if (!(p[0] <= p[1] && p[1] <= p[2]))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s', grade '%s': triangle (%g, %g, %g) is not ordered "
                               "a <= b <= c",
                               ind, grade, p[0], p[1], p[2]);
        /* An open triangle would be a slope of infinite length: 0 at every finite value. */
        if (isinf(p[0]) || isinf(p[1]) || isinf(p[2]))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s', grade '%s': triangle (%g, %g, %g) must be bounded; "
                               "for an open end use a trapezoid with a = b = -inf or c = d = inf",
                               ind, grade, p[0], p[1], p[2]);
        return KAM_OK;
    }
    if (!(p[0] <= p[1] && p[1] <= p[2] && p[2] <= p[3]))
        return kam_err_set(err, KAM_ERR_INVALID,
                           "indicator '%s', grade '%s': trapezoid (%g, %g, %g, %g) is not ordered "
                           "a <= b <= c <= d",
                           ind, grade, p[0], p[1], p[2], p[3]);
    if ((p[0] == -INFINITY && p[1] != -INFINITY) || (p[3] == INFINITY && p[2] != INFINITY))
        return kam_err_set(err, KAM_ERR_INVALID,
                           "indicator '%s', grade '%s': trapezoid (%g, %g, %g, %g) has a slope to "
                           "infinity; an open end needs a = b = -inf or c = d = inf",
                           ind, grade, p[0], p[1], p[2], p[3]);
    if (p[1] == INFINITY || p[2] == -INFINITY)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "indicator '%s', grade '%s': trapezoid (%g, %g, %g, %g) is 1 only at "
                           "infinity; it needs b < inf and c > -inf",
                           ind, grade, p[0], p[1], p[2], p[3]);
    return KAM_OK;
}

enum kam_rc kam_fuzzy_validate(const struct kam_fuzzy_model *model, struct kam_err *err)
{
    const size_t m = model->ngrades, k = model->nindicators;
    double sum = 0.0;
    enum kam_rc rc;

    if (m == 0)
        return kam_err_set(err, KAM_ERR_INVALID, "the model has no grades");
    if (m > KAM_FUZZY_MAX_GRADES)
        return kam_err_set(err, KAM_ERR_TOO_LARGE,
                           "the model has %zu grades; at most %d are allowed", m,
                           KAM_FUZZY_MAX_GRADES);
    if (k == 0)
        return kam_err_set(err, KAM_ERR_INVALID, "the model has no indicators");
    if (k > KAM_FUZZY_MAX_INDICATORS)
        return kam_err_set(err, KAM_ERR_TOO_LARGE,
                           "the model has %zu indicators; at most %d are allowed", k,
                           KAM_FUZZY_MAX_INDICATORS);
    if ((unsigned)model->op > KAM_FUZZY_MAIN_FACTOR)
        return kam_err_set(err, KAM_ERR_INVALID, "unknown composition operator %d", (int)model->op);
    if (model->flags & ~(unsigned)KAM_FUZZY_NORMALIZE)
        return kam_err_set(err, KAM_ERR_INVALID, "unknown flags 0x%x",
                           model->flags & ~(unsigned)KAM_FUZZY_NORMALIZE);
    for (size_t j = 0; j < m; j++) {
        const struct kam_fuzzy_grade *g = &model->grades[j];
        if (g->name == NULL || g->name[0] == '\0')
            return kam_err_set(err, KAM_ERR_INVALID, "grade %zu has no name", j + 1);
        if (!isfinite(g->score))
            return kam_err_set(err, KAM_ERR_INVALID, "grade '%s': score %g is not a finite number",
                               g->name, g->score);
    }
    for (size_t i = 0; i < k; i++) {
        const struct kam_fuzzy_indicator *ind = &model->indicators[i];
        if (ind->name == NULL || ind->name[0] == '\0')
            return kam_err_set(err, KAM_ERR_INVALID, "indicator %zu has no name", i + 1);
        if (!isfinite(ind->weight))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "indicator '%s': weight %g is not a finite number", ind->name,
                               ind->weight);
        if (ind->weight < 0.0)
            return kam_err_set(err, KAM_ERR_INVALID, "indicator '%s': weight %g is negative",
                               ind->name, ind->weight);
        for (size_t j = 0; j < m; j++) {
            rc = check_mf(&ind->mf[j], ind->name, model->grades[j].name, err);
            if (rc != KAM_OK)
                return rc;
        }
        sum += ind->weight;
    }
    if (fabs(sum - 1.0) > weight_sum_eps)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "indicator weights sum to %.12g; they must sum to 1 (within 1e-9)", sum);
    return KAM_OK;
}

/* B = W o R under the model's operator. */
static void compose(const struct kam_fuzzy_model *model, struct kam_fuzzy_result *res)
{
    for (size_t j = 0; j < res->ngrades; j++) {
        double bj = 0.0;
        for (size_t i = 0; i < res->nindicators; i++) {
            if (model->op == KAM_FUZZY_MAIN_FACTOR)
                bj = fmax(bj, fmin(res->w[i], res->r[i][j]));
            else
                bj += res->w[i] * res->r[i][j];
        }
        res->b[j] = bj;
    }
}

enum kam_rc kam_fuzzy_evaluate(const struct kam_fuzzy_model *model, const double *values,
                               struct kam_fuzzy_result *out, struct kam_err *err)
{
    struct kam_fuzzy_result res;
    double present = 0.0, bsum = 0.0, wsum = 0.0;
    enum kam_rc rc;

    assert(values != NULL);
    rc = kam_fuzzy_validate(model, err);
    if (rc != KAM_OK)
        goto out;
    memset(&res, 0, sizeof(res));
    res.ngrades = model->ngrades;
    res.nindicators = model->nindicators;
    for (size_t i = 0; i < res.nindicators; i++) {
        if (isnan(values[i]))
            res.missing++;
        else
            present += model->indicators[i].weight;
    }
    if (res.missing == (int64_t)res.nindicators) {
        rc = kam_err_set(err, KAM_ERR_INVALID,
                         "every indicator value is missing; at least one is needed");
        goto out;
    }
    if (!(present > 0.0)) {
        rc = kam_err_set(err, KAM_ERR_INVALID,
                         "only indicators with weight 0 have a value; at least one indicator "
                         "with a weight above 0 needs a value");
        goto out;
    }
    for (size_t i = 0; i < res.nindicators; i++) {
        const struct kam_fuzzy_indicator *ind = &model->indicators[i];
        double rowsum = 0.0;

        if (isnan(values[i]))
            continue; /* row and weight stay 0 */
        /* A missing value's weight goes to the present ones in proportion to their own, so the
         * weights used still sum to 1 and their ratios stay as the model set them. Without a
         * missing value the weights are used exactly as given. */
        res.w[i] = res.missing > 0 ? ind->weight / present : ind->weight;
        for (size_t j = 0; j < res.ngrades; j++) {
            res.r[i][j] = kam_fuzzy_membership(&ind->mf[j], values[i]);
            rowsum += res.r[i][j];
        }
        if ((model->flags & KAM_FUZZY_NORMALIZE) && rowsum > 0.0)
            for (size_t j = 0; j < res.ngrades; j++)
                res.r[i][j] /= rowsum;
    }
    compose(model, &res);
    res.grade = -1;
    for (size_t j = 0; j < res.ngrades; j++) {
        bsum += res.b[j];
        wsum += res.b[j] * model->grades[j].score;
        /* Scanning best first and taking only a clearly larger b_j sends ties to the better
         * grade. */
        if (res.b[j] > 0.0 && (res.grade < 0 || res.b[j] > res.b[res.grade] + tie_eps))
            res.grade = (int)j;
    }
    res.score = bsum > 0.0 ? wsum / bsum : 0.0;
    *out = res;
out:
    return rc;
}
