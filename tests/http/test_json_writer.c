/* The streaming JSON writer (src/http/json_writer.c): escaping, UTF-8 repair, numbers, money,
 * commas in nested containers, the size limit. */
#include "http/json_writer.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

static void test_strings(void **state)
{
    static const struct {
        const char *name, *in;
        size_t len;
        const char *want;
    } cases[] = {
        {"plain ASCII", "abc", 3, "\"abc\""},
        {"quote and backslash", "a\"b\\c", 5, "\"a\\\"b\\\\c\""},
        {"short escapes", "\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\""},
        {"other control characters as \\u", "\x01\x1f", 2, "\"\\u0001\\u001f\""},
        {"a NUL inside", "a\0b", 3, "\"a\\u0000b\""},
        {"Chinese kept as UTF-8", "重点客户", strlen("重点客户"), "\"重点客户\""},
        {"4-byte UTF-8 kept", "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""},
        {"a stray continuation byte replaced", "a\x80z", 3, "\"a\xef\xbf\xbdz\""},
        {"a lone lead byte replaced", "\xe4", 1, "\"\xef\xbf\xbd\""},
        {"an overlong slash replaced", "\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},
        {"a surrogate replaced", "\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"above U+10FFFF replaced", "\xf4\x90\x80\x80", 4,
         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"DEL kept", "\x7f", 1, "\"\x7f\""},
    };
    struct kam_jw w;
    (void)state;
    kam_jw_init(&w, 0);
    for (size_t k = 0; k < NCASES(cases); k++) {
        kam_jw_reset(&w);
        kam_jw_strn(&w, cases[k].in, cases[k].len);
        EXPECT(&cases[k], w.data && strcmp(w.data, cases[k].want) == 0, "got %s, want %s",
               w.data ? w.data : "(null)", cases[k].want);
    }
    kam_jw_release(&w);
    assert_int_equal(failures, 0);
}

/* The writer's escaping, byte by byte and without shortcuts: the reference for random input. */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0], cp, min;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : len;
}

static size_t ref_string(const unsigned char *s, size_t n, char *out)
{
    char *o = out;
    *o++ = '"';
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = ref_utf8_len(s + i, n - i);
        if (c >= 0x80 && len > 0) {
            memcpy(o, s + i, len);
            o += len, i += len;
            continue;
        }
        i++;
        if (c >= 0x80)
            o += sprintf(o, "\xef\xbf\xbd");
        else if (c == '"' || c == '\\')
            o += sprintf(o, "\\%c", c);
        else if (c == '\n')
            o += sprintf(o, "\\n");
        else if (c == '\r')
            o += sprintf(o, "\\r");
        else if (c == '\t')
            o += sprintf(o, "\\t");
        else if (c == '\b')
            o += sprintf(o, "\\b");
        else if (c == '\f')
            o += sprintf(o, "\\f");
        else if (c < 0x20)
            o += sprintf(o, "\\u%04x", c);
        else
            *o++ = (char)c;
    }
    *o++ = '"';
    *o = '\0';
    return (size_t)(o - out);
}

/* Random strings against the reference: bytes drawn mostly from printable ASCII and Chinese
 * characters, with quotes, controls, cut and broken sequences among them, at every length and
 * alignment that the eight-byte scan meets. */
static void test_strings_random(void **state)
{
    static const char *const pieces[] = {"a",
                                         "Z",
                                         "0",
                                         " ",
                                         "~",
                                         "\x7f",
                                         "\"",
                                         "\\",
                                         "\n",
                                         "\x01",
                                         "\x1f",
                                         "重",
                                         "客户",
                                         "（",
                                         "\xf0\x9f\x98\x80",
                                         "\xc3\xa9",
                                         "\x80",
                                         "\xe4\xb8",
                                         "\xed\xa0\x80",
                                         "\xc0\xaf",
                                         "\xf4\x90\x80\x80",
                                         "\xff",
                                         "abcdefgh",
                                         "华东精密机械有限公司",
                                         "\xe0\x80\xaf",
                                         "\xe0\xa4\x80",
                                         "\xed\x9f\xbf",
                                         "\xef\xbf\xbd",
                                         "\xe4\xb8\x80\xe4"};
    uint64_t x = 4242;
    struct kam_jw w;
    unsigned char in[200];
    char want[1400];
    (void)state;
    kam_jw_init(&w, 0);
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        x = x * 6364136223846793005u + 1442695040888963407u;
        int parts = (int)(x >> 59);
        for (int k = 0; k < parts; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            const char *p = pieces[(x >> 33) % (sizeof(pieces) / sizeof(pieces[0]))];
            size_t len = strlen(p);
            if (n + len > sizeof(in))
                break;
            memcpy(in + n, p, len);
            n += len;
        }
        x = x * 6364136223846793005u + 1442695040888963407u;
        size_t cut = n ? (size_t)(x >> 40) % (n + 1) : 0; /* cut anywhere, mid-sequence too */
        size_t wl = ref_string(in, cut, want);
        kam_jw_reset(&w);
        kam_jw_strn(&w, (const char *)in, cut);
        if (w.len != wl || memcmp(w.data, want, wl) != 0)
            fail_msg("round %d: got %s, want %s", round, w.data, want);
    }
    /* keys: plain ones in one copy, others (a quote, a control, over 64 bytes) escaped */
    char long_key[80];
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    kam_jw_reset(&w);
    kam_jw_obj(&w);
    kam_jw_kint(&w, "plain", 1);
    kam_jw_kint(&w, "a\"b", 2);
    kam_jw_kint(&w, "tab\there", 3);
    kam_jw_kint(&w, "名称", 4);
    kam_jw_kint(&w, long_key, 5);
    kam_jw_obj_end(&w);
    char doc[300];
    snprintf(doc, sizeof(doc), "{\"plain\":1,\"a\\\"b\":2,\"tab\\there\":3,\"名称\":4,\"%s\":5}",
             long_key);
    assert_string_equal(w.data, doc);
    kam_jw_release(&w);
}

static void test_document(void **state)
{
    struct kam_jw w;
    size_t len;
    (void)state;
    kam_jw_init(&w, 0);
    kam_jw_obj(&w);
    kam_jw_kstr(&w, "a", "x");
    kam_jw_key(&w, "list");
    kam_jw_arr(&w);
    kam_jw_int(&w, -5);
    kam_jw_obj(&w);
    kam_jw_obj_end(&w);
    kam_jw_arr(&w);
    kam_jw_arr_end(&w);
    kam_jw_money(&w, -125000); /* -12.5 */
    kam_jw_money(&w, 375);     /* 0.0375 */
    kam_jw_double(&w, 0.1);
    kam_jw_double(&w, NAN);
    kam_jw_bool(&w, true);
    kam_jw_null(&w);
    kam_jw_str(&w, NULL);
    kam_jw_arr_end(&w);
    kam_jw_kint(&w, "n", INT64_MIN);
    kam_jw_key(&w, "raw");
    kam_jw_raw(&w, "[1]", 3);
    kam_jw_obj_end(&w);
    char *text = kam_jw_take(&w, &len);
    assert_string_equal(text, "{\"a\":\"x\",\"list\":[-5,{},[],\"-12.5\",\"0.0375\",0.1,null,true,"
                              "null,null],\"n\":-9223372036854775808,\"raw\":[1]}");
    assert_int_equal(len, strlen(text));
    free(text);
    kam_jw_release(&w);
}

static void test_limit(void **state)
{
    struct kam_jw w;
    (void)state;
    kam_jw_init(&w, 10);
    kam_jw_str(&w, "0123456789abc");
    assert_true(w.overflow);
    kam_jw_reset(&w);
    assert_false(w.overflow);
    kam_jw_str(&w, "ok");
    assert_string_equal(w.data, "\"ok\"");
    kam_jw_release(&w);

    /* Exactly the limit fits; the next byte overflows and nothing more is written, whichever
     * path (a character, a key, a number) writes it. */
    kam_jw_init(&w, 10);
    kam_jw_arr(&w);
    kam_jw_str(&w, "123456");
    kam_jw_arr_end(&w);
    assert_false(w.overflow);
    assert_string_equal(w.data, "[\"123456\"]");
    kam_jw_null(&w);
    assert_true(w.overflow);
    kam_jw_arr_end(&w);
    assert_int_equal(w.len, 10);
    assert_string_equal(w.data, "[\"123456\"]");
    kam_jw_reset(&w);
    kam_jw_obj(&w);
    kam_jw_key(&w, "abcdef");
    assert_false(w.overflow);
    assert_string_equal(w.data, "{\"abcdef\":");
    kam_jw_int(&w, 1);
    assert_true(w.overflow);
    assert_string_equal(w.data, "{\"abcdef\":");
    kam_jw_release(&w);

    /* No limit: the buffer grows through many doublings and stays one NUL-terminated text. */
    kam_jw_init(&w, 0);
    kam_jw_obj(&w);
    size_t want = 1;
    for (int i = 0; i < 20000; i++) {
        kam_jw_kint(&w, "k", i);
        want += (i ? 1 : 0) + 4 + (size_t)snprintf(NULL, 0, "%d", i);
    }
    kam_jw_obj_end(&w);
    assert_int_equal(w.len, want + 1);
    assert_int_equal(strlen(w.data), w.len);
    kam_jw_release(&w);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_strings_random),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
