/* Unit tests for src/util/date.c: ISO and pattern parsing, pattern checks, ISO output, and the
 * day-count arithmetic. Expected day numbers were computed independently (proleptic Gregorian
 * calendar, 1970-01-01 = day 0). No files, clock or store. */
#include "util/date.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

/* The expected date of a case: year, month, day, hour, min, sec, has_time. */
struct ymd {
    int y, m, d, hh, mm, ss;
    bool t;
};

static bool same_date(const struct kam_date *got, const struct ymd *want)
{
    return got->year == want->y && got->month == want->m && got->day == want->d &&
           got->hour == want->hh && got->min == want->mm && got->sec == want->ss &&
           got->has_time == want->t;
}

/* Field by field: memcmp would also compare padding. */
static bool eq_date(const struct kam_date *a, const struct kam_date *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day && a->hour == b->hour &&
           a->min == b->min && a->sec == b->sec && a->has_time == b->has_time;
}

static const struct kam_date untouched = {1111, 11, 11, 11, 11, 11, true};

static void test_parse_iso(void **state)
{
    static const struct case_ {
        const char *name;
        const char *in;
        size_t len; /* 0: strlen(in) */
        enum kam_rc rc;
        struct ymd want;
    } cases[] = {
        {"date only", "2011-12-09", 0, KAM_OK, {2011, 12, 9, 0, 0, 0, false}},
        {"date and HH:MM", "2011-12-09 12:50", 0, KAM_OK, {2011, 12, 9, 12, 50, 0, true}},
        {"date and HH:MM:SS", "2011-12-09 12:50:07", 0, KAM_OK, {2011, 12, 9, 12, 50, 7, true}},
        {"T separator", "2011-12-09T08:26:00", 0, KAM_OK, {2011, 12, 9, 8, 26, 0, true}},
        {"T separator with HH:MM", "2011-12-09T08:26", 0, KAM_OK, {2011, 12, 9, 8, 26, 0, true}},
        {"surrounding blanks", "  2011-12-09\t ", 0, KAM_OK, {2011, 12, 9, 0, 0, 0, false}},
        {"length stops before trailing text",
         "2011-12-09garbage",
         10,
         KAM_OK,
         {2011, 12, 9, 0, 0, 0, false}},
        {"leap day in a leap year", "2024-02-29", 0, KAM_OK, {2024, 2, 29, 0, 0, 0, false}},
        {"leap day in 2000 (divisible by 400)",
         "2000-02-29",
         0,
         KAM_OK,
         {2000, 2, 29, 0, 0, 0, false}},
        {"31 December", "2023-12-31", 0, KAM_OK, {2023, 12, 31, 0, 0, 0, false}},
        {"first day of year 1", "0001-01-01", 0, KAM_OK, {1, 1, 1, 0, 0, 0, false}},
        {"last day of year 9999", "9999-12-31", 0, KAM_OK, {9999, 12, 31, 0, 0, 0, false}},
        {"midnight", "2024-01-01 00:00:00", 0, KAM_OK, {2024, 1, 1, 0, 0, 0, true}},
        {"last second of a day",
         "2024-12-31 23:59:59",
         0,
         KAM_OK,
         {2024, 12, 31, 23, 59, 59, true}},

        {"leap day in a common year", "2023-02-29", 0, KAM_ERR_INVALID, {0}},
        {"leap day in 1900 (century, not leap)", "1900-02-29", 0, KAM_ERR_INVALID, {0}},
        {"month 13", "2024-13-01", 0, KAM_ERR_INVALID, {0}},
        {"month 0", "2024-00-10", 0, KAM_ERR_INVALID, {0}},
        {"day 0", "2024-01-00", 0, KAM_ERR_INVALID, {0}},
        {"day 32", "2024-01-32", 0, KAM_ERR_INVALID, {0}},
        {"31 April", "2024-04-31", 0, KAM_ERR_INVALID, {0}},
        {"year 0", "0000-01-01", 0, KAM_ERR_INVALID, {0}},
        {"trailing junk after the date", "2024-01-01x", 0, KAM_ERR_INVALID, {0}},
        {"time zone suffix", "2024-01-01T10:00:00Z", 0, KAM_ERR_INVALID, {0}},
        {"fractional seconds", "2024-01-01 10:00:00.5", 0, KAM_ERR_INVALID, {0}},
        {"time 24:00", "2024-01-01 24:00", 0, KAM_ERR_INVALID, {0}},
        {"minute 60", "2024-01-01 23:60", 0, KAM_ERR_INVALID, {0}},
        {"second 60", "2024-01-01 23:59:60", 0, KAM_ERR_INVALID, {0}},
        {"one-digit month", "2024-1-01", 0, KAM_ERR_INVALID, {0}},
        {"one-digit day", "2024-01-1", 0, KAM_ERR_INVALID, {0}},
        {"slashes instead of hyphens", "2024/01/01", 0, KAM_ERR_INVALID, {0}},
        {"two-digit year", "24-01-01", 0, KAM_ERR_INVALID, {0}},
        {"five-digit year", "20240-01-01", 0, KAM_ERR_INVALID, {0}},
        {"day first", "09-12-2011", 0, KAM_ERR_INVALID, {0}},
        {"empty text", "", 0, KAM_ERR_INVALID, {0}},
        {"blanks only", " \t", 0, KAM_ERR_INVALID, {0}},
        {"separator without a time", "2024-01-01T", 0, KAM_ERR_INVALID, {0}},
        {"hour without minutes", "2024-01-01 10", 0, KAM_ERR_INVALID, {0}},
        {"one-digit hour", "2024-01-01 9:00", 0, KAM_ERR_INVALID, {0}},
        {"colon without seconds", "2024-01-01 10:00:", 0, KAM_ERR_INVALID, {0}},
        {"one-digit seconds", "2024-01-01 10:00:5", 0, KAM_ERR_INVALID, {0}},
        {"other separator before the time", "2024-01-01_10:00", 0, KAM_ERR_INVALID, {0}},
        {"truncated date", "2024-01", 0, KAM_ERR_INVALID, {0}},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        struct kam_err err = {0};
        struct kam_date got = untouched;
        enum kam_rc rc = kam_date_parse_iso(c->in, len, &got, &err);

        EXPECT(c, rc == c->rc, "rc %s, want %s", kam_rc_name(rc), kam_rc_name(c->rc));
        if (c->rc == KAM_OK) {
            EXPECT(c, same_date(&got, &c->want), "got %d-%d-%d %d:%d:%d t=%d", got.year, got.month,
                   got.day, got.hour, got.min, got.sec, got.has_time);
        } else {
            EXPECT(c, eq_date(&got, &untouched), "*out written on error");
            EXPECT(c, err.code == c->rc && err.msg[0] != '\0', "err not filled");
        }
        rc = kam_date_parse_iso(c->in, len, &got, NULL);
        EXPECT(c, rc == c->rc, "with NULL err: rc %s", kam_rc_name(rc));
    }
    assert_int_equal(failures, 0);
}

static void test_parse_fmt(void **state)
{
    static const struct case_ {
        const char *name;
        const char *in;
        const char *fmt;
        enum kam_rc rc;
        struct ymd want;
    } cases[] = {
        {"US month/day with one-digit day and hour",
         "12/1/2010 8:26",
         "%m/%d/%Y %H:%M",
         KAM_OK,
         {2010, 12, 1, 8, 26, 0, true}},
        {"US month/day with two-digit fields",
         "12/01/2010 08:26",
         "%m/%d/%Y %H:%M",
         KAM_OK,
         {2010, 12, 1, 8, 26, 0, true}},
        {"surrounding blanks",
         "  12/1/2010 8:26 ",
         "%m/%d/%Y %H:%M",
         KAM_OK,
         {2010, 12, 1, 8, 26, 0, true}},
        {"German day.month.year", "09.12.2011", "%d.%m.%Y", KAM_OK, {2011, 12, 9, 0, 0, 0, false}},
        {"German with one-digit day and month",
         "9.1.2011",
         "%d.%m.%Y",
         KAM_OK,
         {2011, 1, 9, 0, 0, 0, false}},
        {"compact YYYYMMDD", "20111209", "%Y%m%d", KAM_OK, {2011, 12, 9, 0, 0, 0, false}},
        {"compact leap day", "20240229", "%Y%m%d", KAM_OK, {2024, 2, 29, 0, 0, 0, false}},
        {"seconds",
         "2024-01-02 03:04:05",
         "%Y-%m-%d %H:%M:%S",
         KAM_OK,
         {2024, 1, 2, 3, 4, 5, true}},
        {"two-digit year 11 is 2011",
         "09/12/11",
         "%d/%m/%y",
         KAM_OK,
         {2011, 12, 9, 0, 0, 0, false}},
        {"two-digit year 70 is 1970", "01/01/70", "%d/%m/%y", KAM_OK, {1970, 1, 1, 0, 0, 0, false}},
        {"two-digit year 69 is 2069",
         "31/12/69",
         "%d/%m/%y",
         KAM_OK,
         {2069, 12, 31, 0, 0, 0, false}},
        {"two-digit year 99 is 1999", "01/01/99", "%d/%m/%y", KAM_OK, {1999, 1, 1, 0, 0, 0, false}},
        {"two-digit year 00 is 2000",
         "29/02/00",
         "%d/%m/%y",
         KAM_OK,
         {2000, 2, 29, 0, 0, 0, false}},
        {"literal percent sign", "2024-01-02%", "%Y-%m-%d%%", KAM_OK, {2024, 1, 2, 0, 0, 0, false}},
        {"literal letters",
         "day 5 of 3/2024",
         "day %d of %m/%Y",
         KAM_OK,
         {2024, 3, 5, 0, 0, 0, false}},

        {"wrong separator", "12-01-2010 08:26", "%m/%d/%Y %H:%M", KAM_ERR_INVALID, {0}},
        {"time missing", "12/01/2010", "%m/%d/%Y %H:%M", KAM_ERR_INVALID, {0}},
        {"trailing junk", "09.12.2011x", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"three-digit day", "009.12.2011", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"two-digit year for %Y", "09.12.11", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"four-digit year for %y", "09/12/2011", "%d/%m/%y", KAM_ERR_INVALID, {0}},
        {"letters in a number field", "ab.12.2011", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"31 April", "31.04.2024", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"leap day in a common year", "29.02.2023", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"month 13", "13/01/2010 08:26", "%m/%d/%Y %H:%M", KAM_ERR_INVALID, {0}},
        {"day-first text with a month-first pattern",
         "31/12/2010 08:26",
         "%m/%d/%Y %H:%M",
         KAM_ERR_INVALID,
         {0}},
        {"hour 24", "12/01/2010 24:00", "%m/%d/%Y %H:%M", KAM_ERR_INVALID, {0}},
        {"minute 60", "12/01/2010 23:60", "%m/%d/%Y %H:%M", KAM_ERR_INVALID, {0}},
        {"empty text", "", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"blanks only", "   ", "%d.%m.%Y", KAM_ERR_INVALID, {0}},
        {"unsupported conversion", "2024-01-02 10", "%Y-%m-%d %I", KAM_ERR_INVALID, {0}},
        {"pattern without a year", "12/01", "%m/%d", KAM_ERR_INVALID, {0}},
        {"pattern ending in a lone percent", "2024-01-02", "%Y-%m-%d%", KAM_ERR_INVALID, {0}},
        {"day field missing after literal text", "D2024M3", "D%YM%m%d", KAM_ERR_INVALID, {0}},
        {"percent sign missing from the text", "2024-01-02", "%Y-%m-%d%%", KAM_ERR_INVALID, {0}},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_err err = {0};
        struct kam_date got = untouched;
        enum kam_rc rc = kam_date_parse_fmt(c->in, strlen(c->in), c->fmt, &got, &err);

        EXPECT(c, rc == c->rc, "rc %s, want %s", kam_rc_name(rc), kam_rc_name(c->rc));
        if (c->rc == KAM_OK) {
            EXPECT(c, same_date(&got, &c->want), "got %d-%d-%d %d:%d:%d t=%d", got.year, got.month,
                   got.day, got.hour, got.min, got.sec, got.has_time);
        } else {
            EXPECT(c, eq_date(&got, &untouched), "*out written on error");
            EXPECT(c, err.code == c->rc && err.msg[0] != '\0', "err not filled");
        }
        rc = kam_date_parse_fmt(c->in, strlen(c->in), c->fmt, &got, NULL);
        EXPECT(c, rc == c->rc, "with NULL err: rc %s", kam_rc_name(rc));
    }
    assert_int_equal(failures, 0);
}

static void test_check_fmt(void **state)
{
    static const struct case_ {
        const char *name;
        const char *fmt;
        enum kam_rc rc;
    } cases[] = {
        {"ISO date", "%Y-%m-%d", KAM_OK},
        {"US date and time", "%m/%d/%Y %H:%M", KAM_OK},
        {"German date", "%d.%m.%Y", KAM_OK},
        {"compact date", "%Y%m%d", KAM_OK},
        {"two-digit year", "%d/%m/%y", KAM_OK},
        {"date and time with seconds", "%Y-%m-%d %H:%M:%S", KAM_OK},
        {"literal percent", "%Y-%m-%d%%", KAM_OK},
        {"literal text", "day %d of %m/%Y", KAM_OK},

        {"empty pattern", "", KAM_ERR_USAGE},
        {"no conversions", "Y-m-d", KAM_ERR_USAGE},
        {"no day", "%Y-%m", KAM_ERR_USAGE},
        {"no year", "%m/%d", KAM_ERR_USAGE},
        {"no month", "%Y-%d", KAM_ERR_USAGE},
        {"time only", "%H:%M:%S", KAM_ERR_USAGE},
        {"unsupported 12-hour clock", "%Y-%m-%d %I", KAM_ERR_USAGE},
        {"unsupported AM/PM", "%Y-%m-%d %H:%M %p", KAM_ERR_USAGE},
        {"unsupported month name", "%d %b %Y", KAM_ERR_USAGE},
        {"lone percent at the end", "%Y-%m-%d%", KAM_ERR_USAGE},
        {"escaped percent is not a day", "%Y-%m-%%d", KAM_ERR_USAGE},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_err err = {0};
        enum kam_rc rc = kam_date_check_fmt(c->fmt, &err);

        EXPECT(c, rc == c->rc, "rc %s, want %s", kam_rc_name(rc), kam_rc_name(c->rc));
        if (c->rc != KAM_OK)
            EXPECT(c, err.code == c->rc && err.msg[0] != '\0', "err not filled");
        EXPECT(c, kam_date_check_fmt(c->fmt, NULL) == c->rc, "with NULL err");
    }
    assert_int_equal(failures, 0);
}

static void test_str(void **state)
{
    static const struct case_ {
        const char *name;
        struct kam_date d;
        const char *want;
    } cases[] = {
        {"date only", {2011, 12, 9, 0, 0, 0, false}, "2011-12-09"},
        {"date only ignores a stray time", {2011, 12, 9, 12, 50, 0, false}, "2011-12-09"},
        {"date and time", {2011, 12, 9, 12, 50, 0, true}, "2011-12-09 12:50:00"},
        {"midnight is written", {2024, 1, 1, 0, 0, 0, true}, "2024-01-01 00:00:00"},
        {"zero padding", {1, 2, 3, 4, 5, 6, true}, "0001-02-03 04:05:06"},
        {"longest text", {9999, 12, 31, 23, 59, 59, true}, "9999-12-31 23:59:59"},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        char buf[KAM_DATE_STRLEN];
        char *ret = kam_date_str(&c->d, buf, sizeof(buf));

        EXPECT(c, ret == buf, "does not return buf");
        EXPECT(c, strcmp(buf, c->want) == 0, "got '%s', want '%s'", buf, c->want);
        /* The text is ISO and parses back to the same date. */
        struct kam_date back;
        enum kam_rc rc = kam_date_parse_iso(buf, strlen(buf), &back, NULL);
        EXPECT(c, rc == KAM_OK, "'%s' does not parse back", buf);
        if (rc == KAM_OK && c->d.has_time)
            EXPECT(c, eq_date(&back, &c->d), "'%s' parses differently", buf);
        if (rc == KAM_OK && !c->d.has_time)
            EXPECT(c,
                   back.year == c->d.year && back.month == c->d.month && back.day == c->d.day &&
                       !back.has_time,
                   "'%s' parses differently", buf);
    }
    assert_int_equal(failures, 0);
}

static void test_days(void **state)
{
    static const struct case_ {
        const char *name;
        struct kam_date d;
        int64_t days;
    } cases[] = {
        {"epoch is day 0", {1970, 1, 1, 0, 0, 0, false}, 0},
        {"day after the epoch", {1970, 1, 2, 0, 0, 0, false}, 1},
        {"day before the epoch is negative", {1969, 12, 31, 0, 0, 0, false}, -1},
        {"2000-01-01", {2000, 1, 1, 0, 0, 0, false}, 10957},
        {"leap day 2000", {2000, 2, 29, 0, 0, 0, false}, 11016},
        {"2000-03-01 follows the leap day", {2000, 3, 1, 0, 0, 0, false}, 11017},
        {"leap day 2024", {2024, 2, 29, 0, 0, 0, false}, 19782},
        {"1900-03-01 (1900 has no leap day)", {1900, 3, 1, 0, 0, 0, false}, -25508},
        {"leap day 1600", {1600, 2, 29, 0, 0, 0, false}, -135081},
        {"first day of year 1", {1, 1, 1, 0, 0, 0, false}, -719162},
        {"last day of year 9999", {9999, 12, 31, 0, 0, 0, false}, 2932896},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        int64_t days = kam_date_days(&c->d);
        struct kam_date back = kam_date_from_days(c->days);
        struct kam_date timed = c->d;

        EXPECT(c, days == c->days, "days %lld, want %lld", (long long)days, (long long)c->days);
        EXPECT(c, eq_date(&back, &c->d), "from_days gives %d-%d-%d", back.year, back.month,
               back.day);
        /* The time of day does not count. */
        timed.has_time = true;
        timed.hour = 23;
        timed.min = 59;
        timed.sec = 59;
        EXPECT(c, kam_date_days(&timed) == c->days, "time of day changes the day count");
    }
    assert_int_equal(failures, 0);
}

/* Every day from 0001-01-01 to 9999-12-31: from_days inverts days, and day n + 1 is the calendar
 * successor of day n. */
static void test_days_round_trip(void **state)
{
    const int64_t first = -719162, last = 2932896;
    struct kam_date prev = kam_date_from_days(first);
    int bad = 0;

    (void)state;
    assert_int_equal(prev.year, 1);
    assert_int_equal(prev.month, 1);
    assert_int_equal(prev.day, 1);
    for (int64_t n = first; n <= last && bad < 10; n++) {
        struct kam_date d = kam_date_from_days(n);
        if (d.has_time || d.hour || d.min || d.sec || !kam_date_valid(d.year, d.month, d.day) ||
            kam_date_days(&d) != n) {
            print_error("day %lld: %d-%d-%d does not round-trip\n", (long long)n, d.year, d.month,
                        d.day);
            bad++;
        }
        if (n > first) {
            bool next_day = d.year == prev.year && d.month == prev.month && d.day == prev.day + 1;
            bool next_month = d.year == prev.year && d.month == prev.month + 1 && d.day == 1;
            bool next_year = d.year == prev.year + 1 && d.month == 1 && d.day == 1 &&
                             prev.month == 12 && prev.day == 31;
            if (!next_day && !next_month && !next_year) {
                print_error("day %lld: %d-%d-%d does not follow %d-%d-%d\n", (long long)n, d.year,
                            d.month, d.day, prev.year, prev.month, prev.day);
                bad++;
            }
        }
        prev = d;
    }
    assert_int_equal(bad, 0);
    assert_int_equal(prev.year, 9999);
    assert_int_equal(prev.month, 12);
    assert_int_equal(prev.day, 31);
}

static void test_month_index(void **state)
{
    static const struct case_ {
        const char *name;
        struct kam_date d;
        int want;
    } cases[] = {
        {"January 2024", {2024, 1, 15, 0, 0, 0, false}, 2024 * 12},
        {"December 2023 is the month before", {2023, 12, 31, 0, 0, 0, false}, 2024 * 12 - 1},
        {"February 2024", {2024, 2, 29, 0, 0, 0, false}, 2024 * 12 + 1},
        {"epoch month", {1970, 1, 1, 0, 0, 0, false}, 23640},
        {"day and time do not matter", {1970, 1, 31, 23, 59, 59, true}, 23640},
        {"year 1", {1, 1, 1, 0, 0, 0, false}, 12},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        int got = kam_date_month_index(&c->d);
        EXPECT(c, got == c->want, "got %d, want %d", got, c->want);
    }
    /* Consecutive months over several years are consecutive integers. */
    int prev = kam_date_month_index(&(struct kam_date){1999, 1, 1, 0, 0, 0, false});
    for (int y = 1999; y <= 2025; y++)
        for (int m = (y == 1999 ? 2 : 1); m <= 12; m++) {
            int cur = kam_date_month_index(&(struct kam_date){y, m, 1, 0, 0, 0, false});
            if (cur != prev + 1) {
                print_error("%d-%02d: index %d after %d\n", y, m, cur, prev);
                failures++;
            }
            prev = cur;
        }
    assert_int_equal(failures, 0);
}

static void test_valid(void **state)
{
    static const struct case_ {
        const char *name;
        int y, m, d;
        bool want;
    } cases[] = {
        {"ordinary day", 2024, 5, 17, true},
        {"30 April", 2024, 4, 30, true},
        {"31 April", 2024, 4, 31, false},
        {"29 February in a leap year", 2024, 2, 29, true},
        {"29 February in a common year", 2023, 2, 29, false},
        {"29 February 2100 (century)", 2100, 2, 29, false},
        {"29 February 2400", 2400, 2, 29, true},
        {"30 February", 2024, 2, 30, false},
        {"month 0", 2024, 0, 1, false},
        {"month 13", 2024, 13, 1, false},
        {"day 0", 2024, 1, 0, false},
        {"negative day", 2024, 1, -1, false},
        {"year 0", 0, 1, 1, false},
        {"year 10000", 10000, 1, 1, false},
        {"year 1", 1, 1, 1, true},
        {"year 9999", 9999, 12, 31, true},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        bool got = kam_date_valid(c->y, c->m, c->d);
        EXPECT(c, got == c->want, "got %d", got);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_iso),   cmocka_unit_test(test_parse_fmt),
        cmocka_unit_test(test_check_fmt),   cmocka_unit_test(test_str),
        cmocka_unit_test(test_days),        cmocka_unit_test(test_days_round_trip),
        cmocka_unit_test(test_month_index), cmocka_unit_test(test_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
