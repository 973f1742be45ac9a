/* Calendar dates with an optional time of day, parsed from ISO 8601 or a strftime-style pattern
 * and written back as ISO 8601 ("2011-12-09" or "2011-12-09 12:50:00").
 *
 * No time zones: ERP exports give local times, and kam keeps them as given. */
#ifndef KAM_UTIL_DATE_H
#define KAM_UTIL_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct kam_date {
    int year;  /* 1..9999 */
    int month; /* 1..12 */
    int day;
    int hour, min, sec;
    bool has_time;
};

/* Longest ISO text written by kam_date_str, with the NUL. */
#define KAM_DATE_STRLEN 20

/* Parses s[0..len) as YYYY-MM-DD, optionally followed by ' ' or 'T' and HH:MM or HH:MM:SS.
 * KAM_ERR_INVALID when it is not such a date or not a real calendar day. */
KAM_MUST_CHECK enum kam_rc kam_date_parse_iso(const char *s, size_t len, struct kam_date *out,
                                              struct kam_err *err);

/* Parses s[0..len) with a strftime-style pattern: %Y (4 digits), %y (2 digits, 19xx from 70),
 * %m, %d, %H, %M, %S (1 or 2 digits), %% and literal characters. KAM_ERR_INVALID on mismatch
 * or impossible date. */
KAM_MUST_CHECK enum kam_rc kam_date_parse_fmt(const char *s, size_t len, const char *fmt,
                                              struct kam_date *out, struct kam_err *err);

/* Checks that a pattern only uses supported conversions and names a year, month and day.
 * KAM_ERR_USAGE otherwise. */
KAM_MUST_CHECK enum kam_rc kam_date_check_fmt(const char *fmt, struct kam_err *err);

/* ISO text into buf (>= KAM_DATE_STRLEN bytes); returns buf. */
char *kam_date_str(const struct kam_date *d, char *buf, size_t n);

/* Days since 1970-01-01 (negative before), for day differences. */
int64_t kam_date_days(const struct kam_date *d);
/* The inverse of kam_date_days (time of day cleared). */
struct kam_date kam_date_from_days(int64_t days);
/* year * 12 + month - 1: consecutive months are consecutive integers. */
int kam_date_month_index(const struct kam_date *d);
bool kam_date_valid(int year, int month, int day);

#endif
