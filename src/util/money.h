/* Exact money and quantities: int64 fixed point with 4 decimal places, never float.
 *
 * 4 decimals because ERP unit prices carry more decimals than the currency (the UCI Online Retail
 * file has 3). The same representation is used for quantities, so fractional quantities (kg,
 * metres) are exact too. Range: about +-922 trillion units. */
#ifndef KAM_UTIL_MONEY_H
#define KAM_UTIL_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef int64_t kam_money;

#define KAM_MONEY_SCALE    10000
#define KAM_MONEY_DECIMALS 4

/* Parses a decimal such as "-12.5", "+3", "0.0375" (surrounding blanks allowed) from s[0..len).
 * KAM_ERR_INVALID with a message (no value quoted: callers add it) when it is not a number, has
 * more than 4 decimals or does not fit. */
KAM_MUST_CHECK enum kam_rc kam_money_parse(const char *s, size_t len, kam_money *out,
                                           struct kam_err *err);

/* qty * price, both fixed point, rounded half away from zero to 4 decimals.
 * KAM_ERR_INVALID when the result does not fit. */
KAM_MUST_CHECK enum kam_rc kam_money_mul(kam_money a, kam_money b, kam_money *out,
                                         struct kam_err *err);

/* a / b (both fixed point) rounded half away from zero; b != 0. */
KAM_MUST_CHECK enum kam_rc kam_money_div(kam_money a, kam_money b, kam_money *out,
                                         struct kam_err *err);

/* Exact text: as many decimals as needed, none when whole ("2.55", "-6", "0.0375").
 * buf must hold at least 32 bytes. Returns buf. */
char *kam_money_str(kam_money v, char *buf, size_t n);

/* Display text rounded half away from zero to `decimals` (0..4) with a thousands separator
 * (',' when sep is non-zero): "1,234,567.89". buf must hold at least 40 bytes. Returns buf. */
char *kam_money_fmt(kam_money v, int decimals, int sep, char *buf, size_t n);

/* v as a double in whole units, for ratios and charts only (never for sums). */
double kam_money_to_double(kam_money v);

#endif
