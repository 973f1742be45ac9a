/* A double as the shortest of two decimal texts that read back as the same double: printf's
 * "%.15g" when strtod gives v back from it, else "%.17g" (which always does). JSON answers write
 * scores, weights and shares this way.
 *
 * The same text as those two snprintf calls and a strtod, byte for byte, at a fraction of their
 * cost: for 1e-4 <= |v| < 1e15 (scores, shares, weights, ratios) the digits are computed
 * exactly with 128-bit integers and the round trip is decided exactly, without strtod; other
 * values go through snprintf. */
#ifndef KAM_UTIL_DTOA_H
#define KAM_UTIL_DTOA_H

#include <stddef.h>

#define KAM_DTOA_SIZE 32 /* enough for any finite double's text and its NUL */

/* Writes the text of finite v into buf (at least KAM_DTOA_SIZE bytes, NUL-terminated); returns
 * its length. */
size_t kam_dtoa(double v, char *buf);

#endif
