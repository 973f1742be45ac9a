/* An order line and the monthly rollup the import keeps beside the lines.
 *
 * The rollup (one cell per account and month) is what analytics read instead of rescanning
 * order lines: net revenue, cost where known, quantity, line count, returns. */
#ifndef KAM_CORE_ORDER_H
#define KAM_CORE_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#include "util/money.h"

/* Lines per order: a line's number is 1..65535. */
#define KAM_MAX_LINE_NO 65535

/* An absent optional amount (an empty CSV cell, NULL in the store). */
#define KAM_NONE INT64_MIN

struct kam_order_line {
    int64_t id;
    const char *order_id; /* with line_no, the natural key */
    int64_t line_no;
    int64_t account_id, product_id;
    const char *date;   /* ISO 8601, time kept when given */
    kam_money quantity; /* negative for returns */
    kam_money unit_price;
    kam_money amount;   /* net line revenue: quantity * unit_price - discount unless given */
    kam_money cost;     /* line cost, KAM_NONE when unknown */
    kam_money discount; /* discount amount, 0 when none */
    const char *channel, *region;
};

struct kam_rollup {
    kam_money revenue;        /* sum of amount */
    kam_money cost;           /* sum of cost over lines whose cost is known */
    kam_money costed_revenue; /* sum of amount over the same lines, for margin % */
    kam_money quantity;
    kam_money returns; /* sum of amount over lines with quantity < 0 (<= 0) */
    kam_money discount;
    int64_t lines;
};

/* Adds (sign = 1) or removes (sign = -1) one line's contribution to r. False when a sum would
 * leave the range of kam_money (r is then partly updated: the caller gives up). */
KAM_MUST_CHECK bool kam_rollup_add_line(struct kam_rollup *r, const struct kam_order_line *l,
                                        int sign);
/* r += from, field by field; false on overflow, as above. */
KAM_MUST_CHECK bool kam_rollup_merge(struct kam_rollup *r, const struct kam_rollup *from);

/* The largest magnitude of a money value or quantity on an order line, in whole units: a
 * trillion. It keeps every product and monthly sum far inside int64. */
#define KAM_LINE_MAX ((kam_money)1000000000000 * KAM_MONEY_SCALE)

#endif
