/* The value matrix (客户价值矩阵, DOMAIN.md "Identify"): every account's current value against its
 * potential value, split at two thresholds (the medians unless given) into four quadrants: core
 * (high, high), potential (low current, high potential), direct (high current, low potential)
 * and inferior (low, low). "High" means >= the threshold. An account whose value on either axis
 * is unknown is "unplaced", never put in a quadrant.
 *
 * An axis holds money (exact kam_money: margin, wallet headroom, whitespace worth) or a number
 * (a ratio such as growth, a count, a rating). Formulas and a worked example:
 * docs/method-matrix.md. Pure: no I/O; the caller computes the values. */
#ifndef KAM_CORE_MATRIX_H
#define KAM_CORE_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/order.h" /* KAM_NONE */
#include "util/err.h"
#include "util/mem.h"
#include "util/money.h"

/* Numbered once; never renumbered. */
enum kam_quadrant {
    KAM_QUADRANT_UNPLACED = 0,
    KAM_QUADRANT_CORE,
    KAM_QUADRANT_POTENTIAL,
    KAM_QUADRANT_DIRECT,
    KAM_QUADRANT_INFERIOR,
};
#define KAM_QUADRANTS 5

/* "unplaced", "core", "potential", "direct", "inferior"; borrowed, static. */
const char *kam_quadrant_name(enum kam_quadrant q);
/* The quadrant called name (one of the above), -1 when none is. */
int kam_quadrant_find(const char *name);

enum kam_axis_unit { KAM_AXIS_MONEY, KAM_AXIS_NUMBER };

/* The values of one axis for n accounts; borrowed. */
struct kam_axis {
    enum kam_axis_unit unit;
    const kam_money *money; /* MONEY: n values, KAM_NONE when unknown */
    const double *number;   /* NUMBER: n values, NaN when unknown */
};

/* A value on an axis, in the axis' unit (the other field is unused). */
struct kam_axis_value {
    kam_money money;
    double number;
};

/* Whether account i's value on a is known. */
bool kam_axis_known(const struct kam_axis *a, size_t i);

/* The median of v[0..n) (n >= 1), which is sorted in place, ascending: the middle value for odd
 * n, the mean of the two middle values for even n, rounded half away from zero to 4 decimals
 * (exact in 128 bits). */
kam_money kam_median_money(kam_money *v, size_t n);
/* The same for doubles (no NaN in v): the middle value or the mean of the two middle ones. */
double kam_median_number(double *v, size_t n);

/* The medians of both axes over the placed accounts (both values known) into *cur and *pot;
 * returns how many accounts are placed. With none placed, both medians are 0. Scratch memory
 * comes from arena. */
size_t kam_matrix_medians(const struct kam_axis *current, const struct kam_axis *potential,
                          size_t n, struct kam_axis_value *cur, struct kam_axis_value *pot,
                          struct kam_arena *arena);

/* Accounts, window revenue and window margin per quadrant, indexed by enum kam_quadrant. */
struct kam_matrix_summary {
    int64_t count[KAM_QUADRANTS];
    kam_money revenue[KAM_QUADRANTS];
    kam_money margin[KAM_QUADRANTS];
};

/* Puts each account i < n in its quadrant, out[i] (the caller's array): high on an axis means
 * value >= the threshold; unplaced when either value is unknown. When sum is not NULL, fills it
 * from revenue[] and margin[] (either may be NULL: its sums stay 0). */
void kam_matrix_assign(const struct kam_axis *current, const struct kam_axis *potential, size_t n,
                       const struct kam_axis_value *cur_threshold,
                       const struct kam_axis_value *pot_threshold, const kam_money *revenue,
                       const kam_money *margin, enum kam_quadrant *out,
                       struct kam_matrix_summary *sum);

/* Share-of-wallet headroom in money: the estimated annual purchases minus the window revenue
 * annualised (revenue x 12 / window_months, rounded half away from zero; the revenue itself for a
 * 12-month window). Negative when the account buys more than the estimate. KAM_NONE when the
 * estimate is unknown (KAM_NONE) or <= 0, or the result leaves kam_money. window_months >= 1. */
kam_money kam_matrix_wallet_headroom(kam_money est_annual, kam_money revenue, int window_months);

#endif
