/* Date parsing and calendar arithmetic. Hand-written rather than strptime(3) because strptime
 * depends on the locale, accepts day 31 in any month and cannot report where a value is wrong.
 * Day counts use the proleptic Gregorian calendar (days_from_civil). */
#include "util/date.h"

#include <stdio.h>
#include <string.h>

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool kam_date_valid(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* Reads between min and max digits at s[*i]; returns -1 when fewer than min. */
static int digits(const char *s, size_t len, size_t *i, int min, int max)
{
    int v = 0, n = 0;
    while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    return n >= min ? v : -1;
}

static enum kam_rc finish(struct kam_date *d, struct kam_err *err)
{
    if (!kam_date_valid(d->year, d->month, d->day))
        return kam_err_set(err, KAM_ERR_INVALID, "is not a calendar date");
    if (d->hour < 0 || d->hour > 23 || d->min < 0 || d->min > 59 || d->sec < 0 || d->sec > 59)
        return kam_err_set(err, KAM_ERR_INVALID, "has an impossible time of day");
    return KAM_OK;
}

enum kam_rc kam_date_parse_iso(const char *s, size_t len, struct kam_date *out, struct kam_err *err)
{
    struct kam_date d = {0};
    size_t i = 0;

    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == len)
        return kam_err_set(err, KAM_ERR_INVALID, "is empty, expected a date");
    if ((d.year = digits(s, len, &i, 4, 4)) < 0 || i >= len || s[i++] != '-' ||
        (d.month = digits(s, len, &i, 2, 2)) < 0 || i >= len || s[i++] != '-' ||
        (d.day = digits(s, len, &i, 2, 2)) < 0)
        goto bad;
    if (i < len) {
        if (s[i] != ' ' && s[i] != 'T')
            goto bad;
        i++;
        d.has_time = true;
        if ((d.hour = digits(s, len, &i, 2, 2)) < 0 || i >= len || s[i++] != ':' ||
            (d.min = digits(s, len, &i, 2, 2)) < 0)
            goto bad;
        if (i < len && s[i] == ':') {
            i++;
            if ((d.sec = digits(s, len, &i, 2, 2)) < 0)
                goto bad;
        }
        if (i != len)
            goto bad;
    }
    if (finish(&d, err) != KAM_OK)
        return err ? err->code : KAM_ERR_INVALID;
    *out = d;
    return KAM_OK;
bad:
    return kam_err_set(err, KAM_ERR_INVALID, "is not an ISO date (YYYY-MM-DD[ HH:MM[:SS]])");
}

enum kam_rc kam_date_check_fmt(const char *fmt, struct kam_err *err)
{
    bool y = false, m = false, d = false;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        switch (*++p) {
        case 'Y':
        case 'y':
            y = true;
            break;
        case 'm':
            m = true;
            break;
        case 'd':
            d = true;
            break;
        case 'H':
        case 'M':
        case 'S':
        case '%':
            break;
        default:
            return kam_err_set(err, KAM_ERR_USAGE,
                               "date format '%s': unsupported conversion '%%%c' (use %%Y %%y %%m "
                               "%%d %%H %%M %%S)",
                               fmt, *p ? *p : ' ');
        }
    }
    if (!y || !m || !d)
        return kam_err_set(err, KAM_ERR_USAGE, "date format '%s' must contain %%Y, %%m and %%d",
                           fmt);
    return KAM_OK;
}

enum kam_rc kam_date_parse_fmt(const char *s, size_t len, const char *fmt, struct kam_date *out,
                               struct kam_err *err)
{
    struct kam_date d = {0};
    size_t i = 0;

    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == len)
        return kam_err_set(err, KAM_ERR_INVALID, "is empty, expected a date");
    for (const char *p = fmt; *p; p++) {
        int v;
        if (*p != '%' || p[1] == '%') {
            p += *p == '%';
            if (i >= len || s[i] != *p)
                goto bad;
            i++;
            continue;
        }
        switch (*++p) {
        case 'Y':
            v = digits(s, len, &i, 4, 4);
            d.year = v;
            break;
        case 'y':
            v = digits(s, len, &i, 2, 2);
            d.year = v < 0 ? -1 : v + (v >= 70 ? 1900 : 2000);
            break;
        case 'm':
            v = d.month = digits(s, len, &i, 1, 2);
            break;
        case 'd':
            v = d.day = digits(s, len, &i, 1, 2);
            break;
        case 'H':
            v = d.hour = digits(s, len, &i, 1, 2);
            d.has_time = true;
            break;
        case 'M':
            v = d.min = digits(s, len, &i, 1, 2);
            break;
        case 'S':
            v = d.sec = digits(s, len, &i, 1, 2);
            break;
        default:
            v = -1;
        }
        if (v < 0)
            goto bad;
    }
    if (i != len)
        goto bad;
    if (finish(&d, err) != KAM_OK)
        return err ? err->code : KAM_ERR_INVALID;
    *out = d;
    return KAM_OK;
bad:
    return kam_err_set(err, KAM_ERR_INVALID, "does not match the date format '%s'", fmt);
}

static char *digits_out(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + n;
}

char *kam_date_str(const struct kam_date *d, char *buf, size_t n)
{
    /* By hand rather than snprintf: the import formats one date per order line. */
    char tmp[KAM_DATE_STRLEN], *p = tmp;
    p = digits_out(p, d->year, 4);
    *p++ = '-';
    p = digits_out(p, d->month, 2);
    *p++ = '-';
    p = digits_out(p, d->day, 2);
    if (d->has_time) {
        *p++ = ' ';
        p = digits_out(p, d->hour, 2);
        *p++ = ':';
        p = digits_out(p, d->min, 2);
        *p++ = ':';
        p = digits_out(p, d->sec, 2);
    }
    *p = '\0';
    if (n > 0) {
        size_t len = (size_t)(p - tmp) < n - 1 ? (size_t)(p - tmp) : n - 1;
        memcpy(buf, tmp, len);
        buf[len] = '\0';
    }
    return buf;
}

int64_t kam_date_days(const struct kam_date *d)
{
    int64_t y = d->year - (d->month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d->month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d->day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct kam_date kam_date_from_days(int64_t z)
{
    struct kam_date d = {0};
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(yoe + era * 400 + (d.month <= 2));
    return d;
}

int kam_date_month_index(const struct kam_date *d)
{
    return d->year * 12 + d->month - 1;
}
