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
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
