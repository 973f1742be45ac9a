/* AHP weight derivation (DOMAIN.md, "weights are often derived with AHP"): validates a pairwise
 * judgement matrix, finds its principal eigenvector by power iteration and reports Saaty's
 * consistency figures and the judgement that fits the weights worst (docs/method-ahp.md).
 *
 * It deliberately does not repair inconsistent judgements, round them to Saaty's 1..9 scale or
 * reject values outside it (a user may mean 12), nor build hierarchies: one matrix, one vector.
 * Eigenvector rather than the row geometric mean: the eigenvector is Saaty's method and the one
 * his RI table (and so the 0.10 rule) was calibrated for. */
#include "core/ahp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Power iteration stops when no weight moves by this much, or after MAX_ITER steps. A positive
 * matrix has a strictly dominant eigenvalue (Perron), so the iteration converges; the cap only
 * bounds the work for pathological input, whose last iterate is still a usable estimate. */
#define TOL      1e-12
#define MAX_ITER 1000

/* a[i][j] * a[j][i] may differ from 1 by this much: judgements typed as 0.333 for 1/3 are
 * rejected, 1/3 stored as a double is accepted. */
#define RECIP_TOL 1e-6

/* Deviations |ln(a_ij w_j / w_i)| this close count as a tie for the worst pair: a factor of
 * 1.000001 is far below any judgement step (the smallest, 8 to 9, is ln 9/8 = 0.118), but above
 * the error left by the iteration, so exact ties (every pair of a 3 x 3 matrix deviates equally)
 * resolve the same way on every platform. */
#define TIE_TOL 1e-6

/* Saaty's random index: the mean CI of many random reciprocal matrices on the 1/9..9 scale, by n.
 * Saaty, T. L. (1980), The Analytic Hierarchy Process, McGraw-Hill, New York. Later simulations
 * give slightly different figures (the dip at n = 12 is in the published table); we keep the
 * classic values so that CRs match the literature. */
static const double random_index[KAM_AHP_MAX] = {
    0.00, 0.00, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
};

/* The shortest decimal that reads back as x: what the user typed ("0.333", not "0.333000"), and
 * never a rounded "1" for a diagonal of 1.0000001. */
static const char *num(char *buf, size_t size, double x)
{
    for (int prec = 1; prec < 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return buf;
    }
    snprintf(buf, size, "%.17g", x);
    return buf;
}

/* "1/3" for the reciprocal of 3, "2" for the reciprocal of 0.5: the way a user types judgements. */
static const char *reciprocal(char *buf, size_t size, double x)
{
    char tmp[32];

    if (x >= 1.0)
        snprintf(buf, size, "1/%s", num(tmp, sizeof(tmp), x));
    else
        num(buf, size, 1.0 / x);
    return buf;
}

static enum kam_rc validate(const double *a, size_t n, struct kam_err *err)
{
    char bx[32], by[32], bw[40];

    if (n < 1 || n > KAM_AHP_MAX)
        return kam_err_set(err, KAM_ERR_INVALID, "matrix has %zu criteria, expected 1 to %d", n,
                           KAM_AHP_MAX);
    /* Positivity first, for every cell: a reciprocity message about a zero would mislead. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double x = a[i * n + j];
            if (!isfinite(x) || x <= 0.0)
                return kam_err_set(err, KAM_ERR_INVALID,
                                   "cell (%zu,%zu) is %s, expected a positive number", i + 1, j + 1,
                                   num(bx, sizeof(bx), x));
        }
    for (size_t i = 0; i < n; i++)
        if (a[i * n + i] != 1.0)
            return kam_err_set(err, KAM_ERR_INVALID,
                               "cell (%zu,%zu) is %s, expected 1 on the diagonal", i + 1, i + 1,
                               num(bx, sizeof(bx), a[i * n + i]));
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double x = a[i * n + j], y = a[j * n + i];
            if (fabs(x * y - 1.0) > RECIP_TOL)
                return kam_err_set(err, KAM_ERR_INVALID,
                                   "cell (%zu,%zu) is %s but cell (%zu,%zu) is %s, expected %s",
                                   i + 1, j + 1, num(bx, sizeof(bx), x), j + 1, i + 1,
                                   num(by, sizeof(by), y), reciprocal(bw, sizeof(bw), x));
        }
    return KAM_OK;
}

/* v = A w, normalised to sum 1; returns the largest change from w. */
static double step(const double *a, size_t n, const double *w, double *v)
{
    double sum = 0.0, change = 0.0;

    for (size_t i = 0; i < n; i++) {
        v[i] = 0.0;
        for (size_t j = 0; j < n; j++)
            v[i] += a[i * n + j] * w[j];
        sum += v[i];
    }
    for (size_t i = 0; i < n; i++) {
        v[i] /= sum;
        /* A NaN (from overflow) must not look like convergence: fmax drops NaN operands. */
        change = isnan(v[i]) ? INFINITY : fmax(change, fabs(v[i] - w[i]));
    }
    return change;
}

static double deviation(const double *a, size_t n, const double *w, size_t i, size_t j)
{
    /* Sum of logs, not the log of a product: a_ij * w_j / w_i may overflow for extreme input. */
    return fabs(log(a[i * n + j]) + log(w[j]) - log(w[i]));
}

static void worst_pair(const double *a, size_t n, const double *w, int *wi, int *wj)
{
    double max = -1.0;

    *wi = *wj = -1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            max = fmax(max, deviation(a, n, w, i, j));
    for (size_t i = 0; i < n && *wi < 0; i++)
        for (size_t j = i + 1; j < n; j++)
            if (deviation(a, n, w, i, j) >= max - TIE_TOL) {
                *wi = (int)i;
                *wj = (int)j;
                break;
            }
}

enum kam_rc kam_ahp_compute(const double *a, size_t n, struct kam_ahp_result *out,
                            struct kam_err *err)
{
    struct kam_ahp_result r;
    double w[KAM_AHP_MAX], v[KAM_AHP_MAX], lambda = 0.0;
    enum kam_rc rc;

    rc = validate(a, n, err);
    if (rc != KAM_OK)
        return rc;

    memset(&r, 0, sizeof(r));
    for (size_t i = 0; i < n; i++)
        w[i] = 1.0 / (double)n;
    for (int it = 0; it < MAX_ITER; it++) {
        double change = step(a, n, w, v);
        memcpy(w, v, n * sizeof(*w));
        if (change < TOL)
            break;
    }
    for (size_t i = 0; i < n; i++) {
        double aw = 0.0;
        for (size_t j = 0; j < n; j++)
            aw += a[i * n + j] * w[j];
        lambda += aw / w[i];
    }
    lambda /= (double)n;
    /* Only judgements many orders of magnitude apart get here (1e200 over 1e200 over ...): a
     * weight underflows to 0 or a sum overflows. Within Saaty's scale this cannot happen. */
    for (size_t i = 0; i < n; i++)
        if (!(w[i] > 0.0) || !isfinite(w[i]) || !isfinite(lambda))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "judgements span too many orders of magnitude to derive weights; "
                               "keep them within Saaty's scale of 1/9 to 9");

    memcpy(r.weights, w, n * sizeof(*w));
    r.lambda_max = lambda;
    /* lambda_max >= n for every positive reciprocal matrix (equality iff consistent), so a
     * negative CI comes from rounding or from the 1e-6 reciprocity tolerance, both in a
     * consistent matrix: report it as 0, not -2e-16. */
    r.ci = n > 2 ? fmax(0.0, (lambda - (double)n) / (double)(n - 1)) : 0.0;
    r.ri = random_index[n - 1];
    r.cr = r.ri > 0.0 ? r.ci / r.ri : 0.0;
    worst_pair(a, n, w, &r.worst_i, &r.worst_j);
    *out = r;
    return KAM_OK;
}

bool kam_ahp_consistent(const struct kam_ahp_result *r)
{
    return r->cr <= KAM_AHP_CR_LIMIT;
}
