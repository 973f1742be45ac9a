/* Periodic review (DOMAIN.md "Identify": "Periodic review", 定期盘点): every key account must
 * have a stated reason for its status; if none holds, it is downgraded or removed. Given one
 * account's numbers from the latest scoring run (and the one before), this module says which
 * review reasons it meets and writes the sentence a reviewer reads.
 *
 * Pure: the numbers in, the reasons out. Reading the runs is src/engine/review.c; the rules, their
 * defaults and examples are in docs/method-review.md. */
#ifndef KAM_CORE_REVIEW_H
#define KAM_CORE_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lifecycle.h"
#include "core/score.h"
#include "util/err.h"

/* The four review lists, in the order they are shown; never renumbered. */
enum kam_review_reason {
    KAM_REVIEW_BELOW_TIER,       /* its tier is better than its score now gives */
    KAM_REVIEW_DECLINING,        /* a key or major account that is shrinking or silent */
    KAM_REVIEW_NO_JUSTIFICATION, /* a key account without a stated reason */
    KAM_REVIEW_PROMOTION,        /* its score (nearly) gives a better tier than it has */
};
#define KAM_REVIEW_REASONS 4

/* Which case of its reason a finding is: the sentence and the numbers shown depend on it. */
enum kam_review_cause {
    KAM_REVIEW_PINNED_ABOVE,  /* below_tier: pinned to a better tier than the score gives */
    KAM_REVIEW_FELL,          /* below_tier: the previous run gave a better tier */
    KAM_REVIEW_STAGE_DECLINE, /* declining: lifecycle stage decline */
    KAM_REVIEW_STAGE_SILENT,  /* declining: dormant or lost */
    KAM_REVIEW_GROWTH,        /* declining: window revenue growth below the threshold */
    KAM_REVIEW_EMPTY,         /* no_justification */
    KAM_REVIEW_PINNED_BELOW,  /* promotion: pinned to a worse tier than the score gives */
    KAM_REVIEW_NEAR_NEXT,     /* promotion: within promotion_points of the next tier up */
};

/* Thresholds. */
struct kam_review_rules {
    double decline_growth;   /* declining when growth < this; a fraction, -1 < x <= 0 (-0.2) */
    double promotion_points; /* promotion when 0 <= to_next <= this; 0 <= x <= 100 (1 point) */
    enum kam_tier scope;     /* declining, below_tier and promotion look at accounts whose
                              * tier (now, before, pinned or within reach) is this or better;
                              * KAM_TIER_KEY .. KAM_TIER_SMALL (major) */
};

/* -20 % growth (the lifecycle's decline threshold), 1 point of the 0..100 score to the next
 * tier (with rank tiers the scores crowd at the cuts: on the demo, 46 of the 900 key, major and
 * ordinary accounts are within 1 point, 102 within 2), the key and major tiers. */
#define KAM_REVIEW_RULES_DEFAULT                                                                   \
    {                                                                                              \
        .decline_growth = -0.2, .promotion_points = 1.0, .scope = KAM_TIER_MAJOR,                  \
    }

/* One account's numbers. Tiers are KAM_TIER_NONE when not known. */
struct kam_review_input {
    double score;           /* latest run */
    enum kam_tier tier;     /* the tier used in the latest run (pinned or computed) */
    enum kam_tier computed; /* the tier the latest score gives */
    bool pinned;
    double to_next;          /* points to the tier above computed; NaN when none */
    double prev_score;       /* previous run; NaN when the account was not in it */
    enum kam_tier prev_tier; /* tier used in the previous run; NONE when no previous run */
    enum kam_lifecycle_stage stage;
    double growth;          /* window revenue growth (metrics); NaN when undefined */
    bool has_justification; /* the account's justification holds more than blanks */
};

struct kam_review_finding {
    enum kam_review_reason reason;
    enum kam_review_cause cause;
};

/* Checks rules: KAM_ERR_INVALID naming the threshold out of its range. */
KAM_MUST_CHECK enum kam_rc kam_review_rules_check(const struct kam_review_rules *rules,
                                                  struct kam_err *err);

/* The reasons the account meets, at most one finding per reason, in reason order, into
 * out[0..KAM_REVIEW_REASONS); returns how many. rules NULL: KAM_REVIEW_RULES_DEFAULT (rules
 * must have passed kam_review_rules_check). Borrows everything. */
size_t kam_review_classify(const struct kam_review_input *in, const struct kam_review_rules *rules,
                           struct kam_review_finding *out);

/* The reviewer's sentence for a finding of in, with the numbers behind it, into buf (always
 * NUL-terminated when n > 0); returns buf. */
char *kam_review_sentence(const struct kam_review_input *in, const struct kam_review_rules *rules,
                          const struct kam_review_finding *f, char *buf, size_t n);

/* "below_tier", "declining", "no_justification", "promotion"; and the reverse, -1 when the name
 * is none of them. An out-of-range reason is a programmer error (KAM_BUG). */
const char *kam_review_reason_name(enum kam_review_reason r);
int kam_review_reason_find(const char *name);
/* "pinned_above", "fell", "stage_decline", "stage_silent", "growth", "empty", "pinned_below",
 * "near_next". */
const char *kam_review_cause_name(enum kam_review_cause c);

/* Why the lifecycle rules gave lc its stage (docs/method-lifecycle.md, first match wins), with
 * the figures, into buf: "trailing 480.00 vs previous 600.00 (-20.0 %): at or below -20 %".
 * rules NULL: KAM_LIFECYCLE_RULES_DEFAULT, as for kam_lifecycle_compute. Returns buf. */
char *kam_review_stage_reason(const struct kam_lifecycle *lc,
                              const struct kam_lifecycle_rules *rules, char *buf, size_t n);

#endif
