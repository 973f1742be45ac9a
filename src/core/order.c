/* Rollup arithmetic: a line contributes the same way when it is added and, with the opposite
 * sign, when an update replaces it, so re-imports keep the rollup equal to a full rescan. */
#include "core/order.h"

void kam_rollup_add_line(struct kam_rollup *r, const struct kam_order_line *l, int sign)
{
    r->revenue += sign * l->amount;
    if (l->cost != KAM_NONE) {
        r->cost += sign * l->cost;
        r->costed_revenue += sign * l->amount;
    }
    r->quantity += sign * l->quantity;
    if (l->quantity < 0)
        r->returns += sign * l->amount;
    r->discount += sign * l->discount;
    r->lines += sign;
}
