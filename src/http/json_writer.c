/* The streaming JSON writer (json_writer.h): one growing buffer, escaping and UTF-8 repair.
 *
 * It does not check that the calls make a well-formed document (an object key before each
 * member value, balanced ends): the handlers are few and tested, and checking would cost on the
 * hot path. It does check every byte of every string, because strings come from the database
 * and from users. */
#include "http/json_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dtoa.h"
#include "util/mem.h"

/* The bytes the text may reach, its NUL included: min(cap, max + 1), or len after an overflow,
 * so that put's one comparison covers both the buffer's end and the limit. */
static void set_lim(struct kam_jw *w)
{
    w->lim = w->max && w->max + 1 < w->cap ? w->max + 1 : w->cap;
}

void kam_jw_init(struct kam_jw *w, size_t max)
{
    memset(w, 0, sizeof(*w));
    w->max = max;
}

void kam_jw_release(struct kam_jw *w)
{
    free(w->data);
    kam_jw_init(w, w->max);
}

void kam_jw_reset(struct kam_jw *w)
{
    w->len = 0;
    w->overflow = false;
    set_lim(w);
    w->has_item = 0;
    w->depth = 0;
    w->after_key = false;
    if (w->data)
        w->data[0] = '\0';
}

char *kam_jw_take(struct kam_jw *w, size_t *len)
{
    char *d = w->data;
    *len = w->len;
    if (d == NULL)
        d = kam_xstrdup("");
    w->data = NULL;
    w->cap = 0;
    kam_jw_reset(w);
    return d;
}

/* Room for n more bytes and a NUL; false (and overflow) beyond max. */
static bool reserve(struct kam_jw *w, size_t n)
{
    if (w->overflow)
        return false;
    if (w->max && w->len + n > w->max) {
        w->overflow = true;
        w->lim = w->len;
        return false;
    }
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 1024;
        while (cap < w->len + n + 1)
            cap *= 2;
        w->data = kam_xrealloc(w->data, cap);
        w->cap = cap;
    }
    set_lim(w);
    return true;
}

/* A response is tens of thousands of these: the common case is one comparison and a copy. */
static inline void put(struct kam_jw *w, const char *s, size_t n)
{
    if (n >= w->lim - w->len && !reserve(w, n))
        return;
    memcpy(w->data + w->len, s, n);
    w->len += n;
    w->data[w->len] = '\0';
}

static inline void putc1(struct kam_jw *w, char c)
{
    if (w->lim - w->len < 2 && !reserve(w, 1))
        return;
    w->data[w->len++] = c;
    w->data[w->len] = '\0';
}

/* Whether a comma goes before the next item (not before the first of its container or a
 * member's value); notes that the container has an item now. */
static inline bool comma(struct kam_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return false;
    }
    if (w->depth > 0) {
        uint64_t bit = 1ull << (w->depth - 1);
        bool had = (w->has_item & bit) != 0;
        w->has_item |= bit;
        return had;
    }
    return false;
}

static inline void item(struct kam_jw *w)
{
    if (comma(w))
        putc1(w, ',');
}

static void begin(struct kam_jw *w, char c)
{
    item(w);
    putc1(w, c);
    if (w->depth < 64) {
        w->depth++;
        w->has_item &= ~(1ull << (w->depth - 1));
    }
}

static void end(struct kam_jw *w, char c)
{
    putc1(w, c);
    if (w->depth > 0)
        w->depth--;
}

void kam_jw_obj(struct kam_jw *w)
{
    begin(w, '{');
}

void kam_jw_obj_end(struct kam_jw *w)
{
    end(w, '}');
}

void kam_jw_arr(struct kam_jw *w)
{
    begin(w, '[');
}

void kam_jw_arr_end(struct kam_jw *w)
{
    end(w, ']');
}

/* The length of the valid UTF-8 sequence at s[0..n), 0 when it is not one (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* The length of the prefix of s[0..n) that is written as it is: printable ASCII but '"' and
 * '\\', and whole valid UTF-8 sequences. Eight ASCII bytes are checked at once (a word with
 * no byte >= 0x80, < 0x20, '"' or '\\'); three-byte sequences, every Chinese character, two
 * at once when their leads are neither E0 nor ED (the only leads whose second byte has a
 * narrower range: overlong forms and surrogates), else one by one. */
static size_t plain_prefix(const unsigned char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
            uint64_t special =
                (x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b));
            if ((special & highs) == 0) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == '"' || c == '\\')
                return i;
            i++;
            continue;
        }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (n - i >= 8) { /* two three-byte sequences whose leads need no range check */
            uint64_t x;
            memcpy(&x, s + i, 8);
            unsigned l0 = (unsigned)(x & 0xff), l1 = (unsigned)((x >> 24) & 0xff);
            if ((x & 0xc0c0f0c0c0f0u) == 0x8080e08080e0u && l0 != 0xe0 && l0 != 0xed &&
                l1 != 0xe0 && l1 != 0xed) {
                i += 6;
                continue;
            }
        }
#endif
        if ((c & 0xf0) == 0xe0 && n - i >= 3 && (s[i + 1] & 0xc0) == 0x80 &&
            (s[i + 2] & 0xc0) == 0x80) {
            unsigned cp = ((c & 0x0fu) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu);
            if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
                return i;
            i += 3;
        } else {
            size_t len = utf8_len(s + i, n - i);
            if (len == 0)
                return i;
            i += len;
        }
    }
    return n;
}

static void string(struct kam_jw *w, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = plain_prefix(s, n);

    if (i == n && n + 2 < w->lim - w->len) { /* nothing to escape: one copy */
        char *d = w->data + w->len;
        d[0] = '"';
        memcpy(d + 1, str, n);
        d[n + 1] = '"';
        d[n + 2] = '\0';
        w->len += n + 2;
        return;
    }
    putc1(w, '"');
    put(w, str, i);
    while (i < n) {
        unsigned char c = s[i++];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(w, e, 2);
        } else if (c >= 0x80) {
            put(w, "\xef\xbf\xbd", 3); /* U+FFFD for one bad byte */
        } else {
            const char *short_form = c == '\n'   ? "\\n"
                                     : c == '\r' ? "\\r"
                                     : c == '\t' ? "\\t"
                                     : c == '\b' ? "\\b"
                                     : c == '\f' ? "\\f"
                                                 : NULL;
            if (short_form) {
                put(w, short_form, 2);
            } else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                put(w, e, 6);
            }
        }
        size_t run = plain_prefix(s + i, n - i);
        put(w, str + i, run);
        i += run;
    }
    putc1(w, '"');
}

/* A member's name with its comma, quotes and colon, in one copy when it is printable ASCII
 * without '"' or '\\' and at most 64 bytes (the handlers' own names); else written as any
 * string. */
void kam_jw_key(struct kam_jw *w, const char *key)
{
    char b[68], *p = b + 2; /* b[0..1]: room for the comma and the quote */
    size_t n = 0;
    for (;; n++) {
        unsigned char c = (unsigned char)key[n];
        if (c == '\0')
            break;
        if (n == 64 || (unsigned)(c - 0x20) >= 0x60u || c == '"' || c == '\\') {
            item(w);
            string(w, key, strlen(key));
            putc1(w, ':');
            w->after_key = true;
            return;
        }
        p[n] = (char)c;
    }
    char *start = b + 1;
    *start = '"';
    if (comma(w))
        *--start = ',';
    p[n] = '"';
    p[n + 1] = ':';
    put(w, start, (size_t)(p + n + 2 - start));
    w->after_key = true;
}

void kam_jw_key_text(struct kam_jw *w, const char text[KAM_JW_KEY_SLOT], size_t len)
{
    bool c = comma(w);
    if (KAM_JW_KEY_SLOT + 2 < w->lim - w->len) { /* a fixed-size copy: a few moves, no call */
        char *d = w->data + w->len;
        *d = ',';
        memcpy(d + c, text, KAM_JW_KEY_SLOT);
        w->len += c + len;
        w->data[w->len] = '\0';
    } else {
        if (c)
            putc1(w, ',');
        put(w, text, len);
    }
    w->after_key = true;
}

void kam_jw_strn(struct kam_jw *w, const char *s, size_t len)
{
    item(w);
    string(w, s, len);
}

void kam_jw_str(struct kam_jw *w, const char *s)
{
    if (s == NULL)
        kam_jw_null(w);
    else
        kam_jw_strn(w, s, strlen(s));
}

/* The decimal digits of v, written backwards so that they end before end; returns the first.
 * Numbers and money are written without snprintf, which cost more than the rest of writing an
 * account list's numbers. */
static char *digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

void kam_jw_int(struct kam_jw *w, int64_t v)
{
    char b[24], *end = b + sizeof(b);
    char *p = digits(end, magnitude(v));
    if (v < 0)
        *--p = '-';
    item(w);
    put(w, p, (size_t)(end - p));
}

void kam_jw_double(struct kam_jw *w, double v)
{
    char b[KAM_DTOA_SIZE];
    if (!isfinite(v)) {
        kam_jw_null(w);
        return;
    }
    /* "%.15g" when it reads back the same, else "%.17g" (which always does), without printf
     * for the usual magnitudes: util/dtoa.h. */
    size_t n = kam_dtoa(v, b);
    item(w);
    put(w, b, n);
}

void kam_jw_bool(struct kam_jw *w, bool v)
{
    item(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void kam_jw_null(struct kam_jw *w)
{
    item(w);
    put(w, "null", 4);
}

/* The text of kam_money_str ("-12.5": no trailing zeros, no point for a whole amount) in
 * quotes; digits need no escaping. */
void kam_jw_money(struct kam_jw *w, kam_money v)
{
    char b[48], *end = b + sizeof(b), *p = end;
    uint64_t a = magnitude(v), frac = a % KAM_MONEY_SCALE;
    int decimals = KAM_MONEY_DECIMALS;
    while (decimals > 0 && frac % 10 == 0) {
        frac /= 10;
        decimals--;
    }
    *--p = '"';
    if (decimals > 0) {
        for (int i = 0; i < decimals; i++) {
            *--p = (char)('0' + frac % 10);
            frac /= 10;
        }
        *--p = '.';
    }
    p = digits(p, a / KAM_MONEY_SCALE);
    if (v < 0)
        *--p = '-';
    *--p = '"';
    item(w);
    put(w, p, (size_t)(end - p));
}

void kam_jw_raw(struct kam_jw *w, const char *json, size_t len)
{
    item(w);
    put(w, json, len);
}

void kam_jw_kstr(struct kam_jw *w, const char *key, const char *s)
{
    kam_jw_key(w, key);
    kam_jw_str(w, s);
}

void kam_jw_kint(struct kam_jw *w, const char *key, int64_t v)
{
    kam_jw_key(w, key);
    kam_jw_int(w, v);
}
