/* Fuzzy comprehensive evaluation (模糊综合评判): rate an account on m ordered grades from k
 * indicators, each indicator's value turned into memberships of the grades by a membership
 * function per grade, the memberships combined with the indicator weights.
 *
 * Method, formulas and a worked example: docs/method-fuzzy.md. DOMAIN.md: "Scoring model"
 * (fuzzy evaluation). Weights come from elsewhere (a person, or AHP); this module only checks
 * that they sum to 1. */
#ifndef KAM_CORE_FUZZY_H
#define KAM_CORE_FUZZY_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Fixed caps keep the result a plain struct the caller can reuse for every account of a run
 * (no arena, no failure after validation). Models beyond them get KAM_ERR_TOO_LARGE. */
#define KAM_FUZZY_MAX_GRADES     8
#define KAM_FUZZY_MAX_INDICATORS 64

enum kam_fuzzy_shape {
    KAM_FUZZY_TRIANGLE,  /* (a, b, c): 0 up to a, rises to 1 at b, falls to 0 at c; bounded */
    KAM_FUZZY_TRAPEZOID, /* (a, b, c, d): 1 on [b, c]; a = b = -INFINITY or c = d = INFINITY
                            make an open shoulder */
};

/* One grade's membership function over one indicator's value. d is unused for a triangle. */
struct kam_fuzzy_mf {
    enum kam_fuzzy_shape shape;
    double a, b, c, d;
};

/* How the weights W and the membership matrix R make the evaluation vector B = W o R. */
enum kam_fuzzy_operator {
    KAM_FUZZY_WEIGHTED_AVERAGE, /* M(., +): b_j = sum_i w_i r_ij; the default, uses every
                                   indicator */
    KAM_FUZZY_MAIN_FACTOR,      /* M(min, max): b_j = max_i min(w_i, r_ij) (Zadeh); decided by
                                   the main factor */
};

enum kam_fuzzy_flags {
    /* Divide each row of R by its sum when the sum is > 0, so that every indicator brings the
     * same total membership whatever the overlap of its functions. */
    KAM_FUZZY_NORMALIZE = 1u << 0,
};

/* Grades are ordered best first: grades[0] is the best ("excellent"). */
struct kam_fuzzy_grade {
    const char *name; /* "excellent" */
    double score;     /* s_j, for the score: e.g. 100, 80, 60, 40 */
};

struct kam_fuzzy_indicator {
    const char *name;                             /* "on-time payment rate" */
    double weight;                                /* >= 0; the weights of a model sum to 1 */
    struct kam_fuzzy_mf mf[KAM_FUZZY_MAX_GRADES]; /* mf[j] is grade j's function */
};

/* A model borrows its arrays; the caller keeps them alive while it is used. */
struct kam_fuzzy_model {
    const struct kam_fuzzy_grade *grades;
    size_t ngrades; /* m, 1..KAM_FUZZY_MAX_GRADES */
    const struct kam_fuzzy_indicator *indicators;
    size_t nindicators; /* k, 1..KAM_FUZZY_MAX_INDICATORS */
    enum kam_fuzzy_operator op;
    unsigned flags; /* enum kam_fuzzy_flags */
};

struct kam_fuzzy_result {
    size_t nindicators, ngrades;
    /* R: r[i][j] = membership of indicator i's value in grade j, normalised when the model says
     * so; a missing value's row is all zeros. */
    double r[KAM_FUZZY_MAX_INDICATORS][KAM_FUZZY_MAX_GRADES];
    double w[KAM_FUZZY_MAX_INDICATORS]; /* the weights used: redistributed, 0 when missing */
    double b[KAM_FUZZY_MAX_GRADES];     /* B = W o R, not normalised */
    int grade;       /* index of the largest b_j, ties to the better (lower) index; -1 when B is
                        all zero */
    double score;    /* sum b_j s_j / sum b_j; 0 when B is all zero */
    int64_t missing; /* indicators whose value was NaN */
};

/* Membership of x in [0, 1] for a function that passed kam_fuzzy_validate(). 1 on [b, c] (on b
 * for a triangle), 0 at or outside a and d, linear between; NaN x gives 0. */
double kam_fuzzy_membership(const struct kam_fuzzy_mf *mf, double x);

/* Checks a model: counts, names, finite scores, weights >= 0 summing to 1 within 1e-9, membership
 * functions ordered a <= b <= c <= d without NaN. KAM_ERR_INVALID with a message naming the
 * indicator and grade; KAM_ERR_TOO_LARGE beyond the caps above. */
KAM_MUST_CHECK enum kam_rc kam_fuzzy_validate(const struct kam_fuzzy_model *model,
                                              struct kam_err *err);

/* Evaluates values[0..k) (NaN = missing) with model into *out, which is set only on success.
 * Borrows both. The errors of kam_fuzzy_validate(), and KAM_ERR_INVALID when no indicator with
 * a weight > 0 has a value. */
KAM_MUST_CHECK enum kam_rc kam_fuzzy_evaluate(const struct kam_fuzzy_model *model,
                                              const double *values, struct kam_fuzzy_result *out,
                                              struct kam_err *err);

#endif
