/* Periodic review rules (DOMAIN.md "Periodic review", 定期盘点): which accounts a reviewer must
 * look at, and why, from the numbers of the latest scoring run and the one before.
 *
 * Four lists: below_tier (the tier it holds is better than its score now gives: pinned above
 * the score, or fallen since the previous run), declining (a key or major account whose
 * lifecycle stage is decline, dormant or lost, or whose revenue growth is below a threshold),
 * no_justification (a key account without a stated reason) and promotion (pinned below what
 * the score gives, or a few points from the next tier up). The periodic review is about key
 * accounts, so the tier-based lists only look at moves into, within or out of the tiers up to
 * `scope` (major by default): an ordinary account that drifts to small is not a question of
 * key account status. An account can be on several lists.
 *
 * Deliberately not here: reading runs and metrics (src/engine/review.c), and deciding what to do
 * (downgrade, unpin, re-develop): the sentence says what holds, a person decides. */
#include "core/review.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/money.h"

static const char *const reason_names[KAM_REVIEW_REASONS] = {
    [KAM_REVIEW_BELOW_TIER] = "below_tier",
    [KAM_REVIEW_DECLINING] = "declining",
    [KAM_REVIEW_NO_JUSTIFICATION] = "no_justification",
    [KAM_REVIEW_PROMOTION] = "promotion",
};

static const char *const cause_names[] = {
    [KAM_REVIEW_PINNED_ABOVE] = "pinned_above",
    [KAM_REVIEW_FELL] = "fell",
    [KAM_REVIEW_STAGE_DECLINE] = "stage_decline",
    [KAM_REVIEW_STAGE_SILENT] = "stage_silent",
    [KAM_REVIEW_GROWTH] = "growth",
    [KAM_REVIEW_EMPTY] = "empty",
    [KAM_REVIEW_PINNED_BELOW] = "pinned_below",
    [KAM_REVIEW_NEAR_NEXT] = "near_next",
};

const char *kam_review_reason_name(enum kam_review_reason r)
{
    if ((unsigned)r >= KAM_REVIEW_REASONS)
        KAM_BUG("review reason out of range");
    return reason_names[r];
}

int kam_review_reason_find(const char *name)
{
    for (int r = 0; r < KAM_REVIEW_REASONS; r++)
        if (strcmp(name, reason_names[r]) == 0)
            return r;
    return -1;
}

const char *kam_review_cause_name(enum kam_review_cause c)
{
    if ((unsigned)c >= sizeof(cause_names) / sizeof(cause_names[0]))
        KAM_BUG("review cause out of range");
    return cause_names[c];
}

enum kam_rc kam_review_rules_check(const struct kam_review_rules *r, struct kam_err *err)
{
    /* growth is trailing / previous - 1 >= -1: a threshold at or below -1 never matches, one
     * above 0 would call growing accounts declining. */
    if (!(r->decline_growth > -1.0 && r->decline_growth <= 0.0))
        return kam_err_set(err, KAM_ERR_INVALID,
                           "decline threshold %g is outside -1 (exclusive) to 0; give growth as a "
                           "fraction, -0.2 for -20 %%",
                           r->decline_growth);
    if (!(r->promotion_points >= 0.0 && r->promotion_points <= 100.0))
        return kam_err_set(err, KAM_ERR_INVALID,
                           "promotion distance %g points is outside the score's range 0 to 100",
                           r->promotion_points);
    if (r->scope < KAM_TIER_KEY || r->scope > KAM_TIER_SMALL)
        return kam_err_set(err, KAM_ERR_INVALID, "review scope %d is not a tier", (int)r->scope);
    return KAM_OK;
}

/* a is a better tier than b; NONE is neither better nor worse than anything. */
static bool better(enum kam_tier a, enum kam_tier b)
{
    return a != KAM_TIER_NONE && b != KAM_TIER_NONE && a < b;
}

static bool in_scope(enum kam_tier t, const struct kam_review_rules *r)
{
    return t != KAM_TIER_NONE && t <= r->scope;
}

size_t kam_review_classify(const struct kam_review_input *in, const struct kam_review_rules *rules,
                           struct kam_review_finding *out)
{
    static const struct kam_review_rules defaults = KAM_REVIEW_RULES_DEFAULT;
    const struct kam_review_rules *r = rules ? rules : &defaults;
    size_t n = 0;

    /* below_tier: what it holds against what the score gives now. */
    if (in->pinned && better(in->tier, in->computed) && in_scope(in->tier, r))
        out[n++] = (struct kam_review_finding){KAM_REVIEW_BELOW_TIER, KAM_REVIEW_PINNED_ABOVE};
    else if (better(in->prev_tier, in->tier) && in_scope(in->prev_tier, r))
        out[n++] = (struct kam_review_finding){KAM_REVIEW_BELOW_TIER, KAM_REVIEW_FELL};

    /* declining: only accounts that hold, or held in the previous run, a tier in scope. Silence
     * first, as in the lifecycle rules: a lost account is lost whatever its growth says. */
    if (in_scope(in->tier, r) || in_scope(in->prev_tier, r)) {
        if (in->stage == KAM_LIFECYCLE_DORMANT || in->stage == KAM_LIFECYCLE_LOST)
            out[n++] = (struct kam_review_finding){KAM_REVIEW_DECLINING, KAM_REVIEW_STAGE_SILENT};
        else if (in->stage == KAM_LIFECYCLE_DECLINE)
            out[n++] = (struct kam_review_finding){KAM_REVIEW_DECLINING, KAM_REVIEW_STAGE_DECLINE};
        else if (!isnan(in->growth) && in->growth < r->decline_growth)
            out[n++] = (struct kam_review_finding){KAM_REVIEW_DECLINING, KAM_REVIEW_GROWTH};
    }

    /* no_justification: the seed's rule is about key accounts only. */
    if (in->tier == KAM_TIER_KEY && !in->has_justification)
        out[n++] = (struct kam_review_finding){KAM_REVIEW_NO_JUSTIFICATION, KAM_REVIEW_EMPTY};

    /* promotion: a pin holds it below its score, or the next tier up is within reach. A pinned
     * account's tier is the pin's, so only the first case applies to it. */
    if (in->pinned) {
        if (better(in->computed, in->tier) && in_scope(in->computed, r))
            out[n++] = (struct kam_review_finding){KAM_REVIEW_PROMOTION, KAM_REVIEW_PINNED_BELOW};
    } else if (in->computed > KAM_TIER_KEY && in_scope((enum kam_tier)(in->computed - 1), r) &&
               isfinite(in->to_next) && in->to_next >= 0 && in->to_next <= r->promotion_points) {
        out[n++] = (struct kam_review_finding){KAM_REVIEW_PROMOTION, KAM_REVIEW_NEAR_NEXT};
    }
    return n;
}

/* Growth as "-25.0 %", or "undefined". */
static const char *growth_text(double g, char *buf, size_t n)
{
    if (isnan(g))
        snprintf(buf, n, "undefined");
    else
        snprintf(buf, n, "%+.1f %%", g * 100);
    return buf;
}

char *kam_review_sentence(const struct kam_review_input *in, const struct kam_review_rules *rules,
                          const struct kam_review_finding *f, char *buf, size_t n)
{
    static const struct kam_review_rules defaults = KAM_REVIEW_RULES_DEFAULT;
    const struct kam_review_rules *r = rules ? rules : &defaults;
    const char *tier = kam_tier_name(in->tier), *computed = kam_tier_name(in->computed);
    char g[32], t[32];

    if (n == 0)
        return buf;
    switch (f->cause) {
    case KAM_REVIEW_PINNED_ABOVE:
        snprintf(buf, n,
                 "pinned %s, but its score %.2f gives %s: state why it stays %s, or unpin it", tier,
                 in->score, computed, tier);
        break;
    case KAM_REVIEW_FELL:
        snprintf(buf, n, "was %s in the previous run (score %.2f), now %s (score %.2f)",
                 kam_tier_name(in->prev_tier), in->prev_score, tier, in->score);
        break;
    case KAM_REVIEW_STAGE_DECLINE:
    case KAM_REVIEW_STAGE_SILENT:
        if (in->prev_tier != KAM_TIER_NONE && in->prev_tier != in->tier)
            snprintf(t, sizeof(t), "%s (%s before)", tier, kam_tier_name(in->prev_tier));
        else
            snprintf(t, sizeof(t), "%s", tier);
        snprintf(buf, n, "%s, lifecycle stage %s (recent months), revenue growth %s: %s", t,
                 kam_lifecycle_stage_name(in->stage), growth_text(in->growth, g, sizeof(g)),
                 f->cause == KAM_REVIEW_STAGE_SILENT
                     ? "it stopped buying; find out why, or downgrade it"
                     : "re-develop it, or downgrade it");
        break;
    case KAM_REVIEW_GROWTH:
        snprintf(buf, n, "%s, revenue growth %s is below %+.1f %% (lifecycle stage %s)", tier,
                 growth_text(in->growth, g, sizeof(g)), r->decline_growth * 100,
                 kam_lifecycle_stage_name(in->stage));
        break;
    case KAM_REVIEW_EMPTY:
        snprintf(buf, n,
                 "key account (score %.2f) without a stated justification: write why it is "
                 "key, or downgrade it",
                 in->score);
        break;
    case KAM_REVIEW_PINNED_BELOW:
        snprintf(buf, n, "pinned %s, but its score %.2f gives %s: promote it or state why not",
                 tier, in->score, computed);
        break;
    case KAM_REVIEW_NEAR_NEXT:
        snprintf(buf, n, "%s, score %.2f is %.2f points below %s", tier, in->score, in->to_next,
                 kam_tier_name((enum kam_tier)(in->computed - 1)));
        break;
    }
    return buf;
}

/* Money for the stage reasons: "1,234.50". */
static const char *money(kam_money v, char *buf, size_t n)
{
    return kam_money_fmt(v, 2, 1, buf, n);
}

char *kam_review_stage_reason(const struct kam_lifecycle *lc,
                              const struct kam_lifecycle_rules *rules, char *buf, size_t n)
{
    static const struct kam_lifecycle_rules defaults = KAM_LIFECYCLE_RULES_DEFAULT;
    const struct kam_lifecycle_rules *r = rules ? rules : &defaults;
    char tr[48], pr[48], g[32];
    int w = r->window_months;

    if (n == 0)
        return buf;
    money(lc->trailing, tr, sizeof(tr));
    money(lc->previous, pr, sizeof(pr));
    growth_text(lc->has_growth ? lc->growth : NAN, g, sizeof(g));
    /* The same order as the rules of core/lifecycle.c: the stage says which rule matched, the
     * figures say why. */
    switch (lc->stage) {
    case KAM_LIFECYCLE_NONE:
        snprintf(buf, n, "no month with net revenue above 0");
        break;
    case KAM_LIFECYCLE_LOST:
        snprintf(buf, n, "no purchase for %lld months (lost after %d)",
                 (long long)lc->months_since_last, r->lost_months);
        break;
    case KAM_LIFECYCLE_DORMANT:
        snprintf(buf, n, "no purchase for %lld months (dormant after %d, lost after %d)",
                 (long long)lc->months_since_last, r->dormant_months, r->lost_months);
        break;
    case KAM_LIFECYCLE_NEW:
        snprintf(buf, n, "buying for %lld months (new up to %d)", (long long)lc->tenure_months,
                 r->new_months);
        break;
    case KAM_LIFECYCLE_EXPLORATION:
        if (lc->tenure_months < r->mature_months)
            snprintf(buf, n, "buying for %lld months, not yet mature (%d months)",
                     (long long)lc->tenure_months, r->mature_months);
        else
            snprintf(buf, n,
                     "last %d months %s vs %s before (%s), but active in only %lld of %d months "
                     "(stability needs %d %%)",
                     w, tr, pr, g, (long long)lc->active_months, w, r->min_active_bp / 100);
        break;
    case KAM_LIFECYCLE_DECLINE:
        if (lc->trailing <= 0)
            snprintf(buf, n, "last %d months net %s: returns eat the purchases", w, tr);
        else
            snprintf(buf, n, "last %d months %s vs %s before (%s): at or below -%d %%", w, tr, pr,
                     g, r->decline_bp / 100);
        break;
    case KAM_LIFECYCLE_FORMATION:
        if (lc->previous <= 0)
            snprintf(buf, n, "buying again: last %d months %s after %s before", w, tr, pr);
        else
            snprintf(buf, n, "last %d months %s vs %s before (%s): at or above +%d %%", w, tr, pr,
                     g, r->growth_bp / 100);
        break;
    case KAM_LIFECYCLE_STABILITY:
        snprintf(buf, n, "last %d months %s vs %s before (%s), active in %lld of %d months", w, tr,
                 pr, g, (long long)lc->active_months, w);
        break;
    }
    return buf;
}
