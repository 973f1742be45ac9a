/* Weighted-points scoring and tiers: the composite points method of DOMAIN.md ("Scoring model":
 * each indicator turned into points by a rule, a weighted score; "Tiers": key, major, ordinary,
 * small).
 *
 * An indicator's raw value becomes 0..100 points by bands, a linear min-max scale or its
 * percentile rank in the portfolio; a missing value follows the indicator's own rule; the score
 * is sum w_i p_i. Tiers come from score thresholds or rank shares. Formulas, tie rules and worked
 * examples: docs/method-score.md. Pure: no I/O, no allocation; the caller gives every buffer. */
#ifndef KAM_CORE_SCORE_H
#define KAM_CORE_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Fixed caps keep a result a plain struct (no arena). Beyond them: KAM_ERR_TOO_LARGE. */
#define KAM_SCORE_MAX_INDICATORS 64
#define KAM_SCORE_MAX_BANDS      32

enum kam_score_transform {
    KAM_SCORE_BANDS,      /* points of the band [min, max) holding the value */
    KAM_SCORE_LINEAR,     /* 100 (x - min) / (max - min), clamped to 0..100 */
    KAM_SCORE_PERCENTILE, /* 100 (below + 0.5 equal) / n within the portfolio (mid-rank) */
};

/* What a missing value (NaN), or a value in no band, is worth. */
enum kam_score_missing {
    KAM_SCORE_MISSING_ZERO,    /* 0 points, weight kept */
    KAM_SCORE_MISSING_MEAN,    /* the portfolio mean of this indicator's points, weight kept */
    KAM_SCORE_MISSING_EXCLUDE, /* indicator dropped, the other weights renormalised */
};

/* Where an item's points came from. */
enum kam_score_source {
    KAM_SCORE_FROM_VALUE,     /* the transformation of the value */
    KAM_SCORE_FROM_MISSING,   /* the value was NaN; item.rule applied */
    KAM_SCORE_FROM_UNCOVERED, /* the value fell in no band; item.rule applied */
};

/* [min, max) -> points. min may be -INFINITY, max INFINITY. */
struct kam_score_band {
    double min, max;
    double points; /* 0..100 */
};

struct kam_score_indicator {
    const char *name; /* "growth" */
    double weight;    /* >= 0; the weights of a model sum to 1 within 1e-9 */
    enum kam_score_transform transform;
    enum kam_score_missing missing;
    /* KAM_SCORE_BANDS: bands[0..nbands), borrowed, any order, no overlap; gaps allowed. */
    const struct kam_score_band *bands;
    size_t nbands;
    /* KAM_SCORE_LINEAR: the scale is [min, max] when !from_portfolio (finite, min <= max), else
     * the smallest and largest present values of the portfolio. */
    bool from_portfolio;
    double min, max;
};

/* A model borrows its array; the caller keeps it alive while it is used. */
struct kam_score_model {
    const struct kam_score_indicator *indicators;
    size_t nindicators; /* 1..KAM_SCORE_MAX_INDICATORS */
};

/* One indicator's part in one account's score, for the explanation. */
struct kam_score_item {
    double raw;          /* the value as given; NaN when missing */
    double points;       /* 0..100 after the missing rule; 0 when excluded */
    double weight;       /* the weight used: renormalised when another indicator was excluded,
                            0 when this one was */
    double contribution; /* weight * points */
    enum kam_score_source source;
    enum kam_score_missing rule; /* the rule applied; meaningful when source != FROM_VALUE */
};

struct kam_score_result {
    double score; /* sum of the contributions, 0..100 */
    size_t nitems;
    struct kam_score_item *items; /* nitems, in the caller's items array */
    int64_t missing;              /* items with a NaN value */
    int64_t uncovered;            /* items whose value fell in no band */
    bool unscored;                /* every indicator with a weight was excluded: score 0 */
};

/* Points of x by the indicator's bands (x in [min, max)). Returns false, *points untouched, when
 * x is NaN or in no band ("uncovered"). Borrows ind, which must have passed validation. */
bool kam_score_band_points(const struct kam_score_indicator *ind, double x, double *points);

/* 100 (x - min) / (max - min) clamped to 0..100. Degenerate min == max: 0 below, 100 above,
 * 50 at the point (no spread, no information). min <= max, all finite. */
double kam_score_linear(double x, double min, double max);

/* Mid-rank percentile of x among the present (non-NaN) values[0..n): 100 (below + 0.5 equal) /
 * m with m the present count; 50 for x alone. NaN when m == 0 or x is NaN. Borrows values. */
double kam_score_percentile(double x, const double *values, size_t n);

/* Checks a model: counts, names, weights >= 0 summing to 1 within 1e-9, known transformation and
 * missing rule, finite linear scale, bands with min < max, points 0..100 and no overlap.
 * KAM_ERR_INVALID naming the indicator (and band, 1-based); KAM_ERR_TOO_LARGE beyond the caps. */
KAM_MUST_CHECK enum kam_rc kam_score_validate(const struct kam_score_model *model,
                                              struct kam_err *err);

/* Scores n accounts: values is n x k row-major (k = model->nindicators, NaN = missing), out[0..n)
 * gets each account's result with its items in items[a k .. a k + k), work is scratch for n
 * doubles; all four belong to the caller, out and items are written only on success. The errors
 * of kam_score_validate(); KAM_ERR_INVALID when n == 0 or a value is infinite (naming the
 * account, 1-based, and the indicator). */
KAM_MUST_CHECK enum kam_rc kam_score_run(const struct kam_score_model *model, const double *values,
                                         size_t n, double *work, struct kam_score_item *items,
                                         struct kam_score_result *out, struct kam_err *err);

/* Tiers, best first (DOMAIN.md "Tiers", seed 004). */
enum kam_tier {
    KAM_TIER_NONE = -1, /* not pinned */
    KAM_TIER_KEY = 0,
    KAM_TIER_MAJOR,
    KAM_TIER_ORDINARY,
    KAM_TIER_SMALL,
};

enum kam_tier_method {
    KAM_TIER_BY_SCORE, /* cut[t] is the lowest score of tier t (key, major, ordinary) */
    KAM_TIER_BY_RANK,  /* cut[t] is the share, in %, of the portfolio in tier t (key, major,
                          ordinary); small takes the rest */
};

struct kam_tier_rule {
    enum kam_tier_method method;
    double cut[3]; /* by score: e.g. 80, 60, 40 (descending); by rank: 5, 15, 30 (sum <= 100) */
};

struct kam_tier_result {
    enum kam_tier tier;     /* the tier to use: the pinned one when pinned, else computed */
    enum kam_tier computed; /* the tier the rule gives */
    bool pinned;            /* a pinned tier was given */
    bool pin_differs;       /* pinned and computed differ: flag it for the periodic review */
    /* Points to add to the score to reach the tier above computed: 0 for key, NaN when no
     * account can reach it (a rank share of 0). */
    double to_next;
};

/* "key", "major", "ordinary", "small"; "none" for KAM_TIER_NONE. */
const char *kam_tier_name(enum kam_tier t);

/* Tiers of scores[0..n) by rule into out[0..n); pinned[0..n) may be NULL (nothing pinned), else
 * KAM_TIER_NONE or a tier per account. work is scratch for n doubles. All buffers are the
 * caller's; out is written only on success. KAM_ERR_INVALID for n == 0, a NaN score, an unknown
 * method or pinned tier, cuts that are not finite, thresholds not descending, negative shares or
 * shares over 100 %. Ties at a cut all go to the better tier. */
KAM_MUST_CHECK enum kam_rc kam_score_tiers(const struct kam_tier_rule *rule, const double *scores,
                                           const enum kam_tier *pinned, size_t n, double *work,
                                           struct kam_tier_result *out, struct kam_err *err);

#endif
