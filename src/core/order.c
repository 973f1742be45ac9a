/* Rollup arithmetic: a line contributes the same way when it is added and, with the opposite
 * sign, when an update replaces it, so re-imports keep the rollup equal to a full rescan. */
#include "core/order.h"

/* *a += sign * v, false on overflow (a is then unchanged). */
static bool add(int64_t *a, int sign, int64_t v)
{
    int64_t r;
    if (__builtin_mul_overflow(v, (int64_t)sign, &v) || __builtin_add_overflow(*a, v, &r))
        return false;
    *a = r;
    return true;
}

bool kam_rollup_add_line(struct kam_rollup *r, const struct kam_order_line *l, int sign)
{
    bool ok = add(&r->revenue, sign, l->amount);
    if (l->cost != KAM_NONE) {
        ok &= add(&r->cost, sign, l->cost);
        ok &= add(&r->costed_revenue, sign, l->amount);
    }
    ok &= add(&r->quantity, sign, l->quantity);
    if (l->quantity < 0)
        ok &= add(&r->returns, sign, l->amount);
    ok &= add(&r->discount, sign, l->discount);
    ok &= add(&r->lines, sign, 1);
    return ok;
}

bool kam_rollup_merge(struct kam_rollup *r, const struct kam_rollup *from)
{
    bool ok = add(&r->revenue, 1, from->revenue);
    ok &= add(&r->cost, 1, from->cost);
    ok &= add(&r->costed_revenue, 1, from->costed_revenue);
    ok &= add(&r->quantity, 1, from->quantity);
    ok &= add(&r->returns, 1, from->returns);
    ok &= add(&r->discount, 1, from->discount);
    ok &= add(&r->lines, 1, from->lines);
    return ok;
}
