/* Criterion weights from pairwise comparisons: the analytic hierarchy process (AHP) of DOMAIN.md
 * ("weights are often derived with AHP (pairwise comparisons, consistency ratio)").
 *
 * The caller gives an n x n judgement matrix a, row-major: a[i*n + j] says how much more
 * important criterion i is than criterion j (Saaty's scale runs 1/9 .. 9), a[j*n + i] is its
 * reciprocal and the diagonal is 1. The result is the principal eigenvector (the weights, summing
 * to 1) and the consistency figures of docs/method-ahp.md. */
#ifndef KAM_CORE_AHP_H
#define KAM_CORE_AHP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* Most criteria in one matrix: Saaty's random index table (the RI used for CR) ends at 15. */
#define KAM_AHP_MAX 15

/* Judgements whose CR is at most this are acceptable (Saaty's 10 % rule). */
#define KAM_AHP_CR_LIMIT 0.10

struct kam_ahp_result {
    double weights[KAM_AHP_MAX]; /* weights[0..n) sum to 1; the rest are 0 */
    double lambda_max;           /* principal eigenvalue, n when consistent, else > n */
    double ci;                   /* consistency index (lambda_max - n) / (n - 1), 0 for n <= 2 */
    double ri;                   /* Saaty's random index for n */
    double cr;                   /* consistency ratio ci / ri, 0 when ri is 0 */
    /* The pair (i < j, 0-based) whose judgement a[i][j] deviates most from w_i / w_j, by
     * |ln(a_ij w_j / w_i)|; ties go to the first pair in row order. -1, -1 when n == 1. */
    int worst_i, worst_j;
};

/* Weights and consistency of the n x n judgement matrix a (row-major, borrowed) into *out, which
 * is written only on success. KAM_ERR_INVALID, with the offending cell named 1-based, when n is
 * not 1..KAM_AHP_MAX, an entry is not a finite number > 0, the diagonal is not 1, or
 * a[i][j] * a[j][i] is not 1 within 1e-6; also when the judgements span so many orders of
 * magnitude that a weight underflows to 0. */
KAM_MUST_CHECK enum kam_rc kam_ahp_compute(const double *a, size_t n, struct kam_ahp_result *out,
                                           struct kam_err *err);

/* True when the judgements are acceptably consistent: r->cr <= KAM_AHP_CR_LIMIT. */
bool kam_ahp_consistent(const struct kam_ahp_result *r);

#endif
