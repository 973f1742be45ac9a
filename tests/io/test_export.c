/* Unit tests for src/io/export.c: CSV field quoting, column values as text and JSON, exact money
 * in JSON, records as JSON objects and the export kind names.
 *
 * CSV fields are written to an open_memstream and compared byte for byte; each one is also read
 * back with kam_csv_read (from a file in a private mkdtemp directory, removed at the end), since
 * the export promises that what it writes imports back unchanged. JSON values are compared as
 * their compact text, which pins the type too ("42" is an integer, "\"42\"" a string). The
 * store is not used: kam_export itself is covered by the CLI tests. */
#include "io/export.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "io/csv_reader.h"

#include "../case.h"

static char tmpdir[64];

/* s[0..len) with control characters escaped, for messages. */
static const char *show(const char *s, size_t len, char *buf, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n')
            o += (size_t)snprintf(buf + o, n - o, "\\n");
        else if (ch == '\r')
            o += (size_t)snprintf(buf + o, n - o, "\\r");
        else if (ch == '\t')
            o += (size_t)snprintf(buf + o, n - o, "\\t");
        else
            buf[o++] = (char)ch;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- kam_csv_write_field ---- */

/* The callback of the read-back: keeps the second field of the first row. */
struct second_field {
    char *s;
    size_t len;
    size_t rows, fields;
};

static int keep_second(void *ctx, const struct kam_csv_row *row)
{
    struct second_field *sf = ctx;
    sf->rows++;
    sf->fields = row->n;
    if (sf->rows == 1 && row->n >= 2) {
        sf->s = malloc(row->lens[1] + 1);
        assert_non_null(sf->s);
        memcpy(sf->s, row->fields[1], row->lens[1] + 1);
        sf->len = row->lens[1];
    }
    return 0;
}

static void test_write_field(void **state)
{
    static const struct case_ {
        const char *name;
        const char *in;
        size_t len; /* 0: strlen(in) */
        const char *want;
    } cases[] = {
        {"plain text stays unquoted", "Acme", 0, "Acme"},
        {"empty field stays empty", "", 0, ""},
        {"space inside is not quoted", "Acme Trading Co", 0, "Acme Trading Co"},
        {"UTF-8 text is not quoted", "北京市朝阳区", 0, "北京市朝阳区"},
        {"semicolon and apostrophe are not quoted", "O'Brien; Sons", 0, "O'Brien; Sons"},
        {"decimal number is not quoted", "-0.0375", 0, "-0.0375"},
        {"comma is quoted", "Acme, Inc.", 0, "\"Acme, Inc.\""},
        {"comma alone", ",", 0, "\",\""},
        {"quotes are doubled", "say \"hi\"", 0, "\"say \"\"hi\"\"\""},
        {"a lone quote", "\"", 0, "\"\"\"\""},
        {"quote at the start", "\"quoted\" text", 0, "\"\"\"quoted\"\" text\""},
        {"line feed is quoted", "line 1\nline 2", 0, "\"line 1\nline 2\""},
        {"carriage return is quoted", "a\rb", 0, "\"a\rb\""},
        {"CR LF is quoted", "a\r\nb", 0, "\"a\r\nb\""},
        {"trailing newline is quoted", "a\n", 0, "\"a\n\""},
        {"leading space is quoted", " a", 0, "\" a\""},
        {"trailing space is quoted", "a ", 0, "\"a \""},
        {"a single space is quoted", " ", 0, "\" \""},
        {"leading space and a quote", " \"x\"", 0, "\" \"\"x\"\"\""},
        {"everything at once", " a,\"b\"\nc ", 0, "\" a,\"\"b\"\"\nc \""},
        {"length stops before a comma", "a,b", 1, "a"},
        {"length stops before a trailing space", "ab ", 2, "ab"},
        /* The reader (libcsv) trims blanks, space and tab, around unquoted fields, so a tab at
         * either end must be quoted like a space for the export to import back unchanged. */
        {"leading tab is quoted", "\tx", 0, "\"\tx\""},
        {"trailing tab is quoted", "x\t", 0, "\"x\t\""},
    };
    char path[128], a[256], b[256];

    (void)state;
    failures = 0;
    snprintf(path, sizeof(path), "%s/field.csv", tmpdir);
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        char *out = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&out, &n);

        assert_non_null(f);
        kam_csv_write_field(f, c->in, len);
        assert_int_equal(fclose(f), 0);
        EXPECT(c, n == strlen(c->want) && memcmp(out, c->want, n) == 0, "wrote [%s], want [%s]",
               show(out, n, a, sizeof(a)), show(c->want, strlen(c->want), b, sizeof(b)));
        free(out);

        /* Read back between two other fields: the value must come back byte for byte. */
        struct second_field sf = {0};
        struct kam_err err = {0};
        f = fopen(path, "wb");
        assert_non_null(f);
        fputs("x,", f);
        kam_csv_write_field(f, c->in, len);
        fputs(",y\n", f);
        assert_int_equal(fclose(f), 0);
        enum kam_rc rc = kam_csv_read(path, NULL, keep_second, &sf, &err);
        EXPECT(c, rc == KAM_OK, "read back: %s (%s)", kam_rc_name(rc), err.msg);
        EXPECT(c, sf.rows == 1 && sf.fields == 3, "read back: %zu rows, %zu fields", sf.rows,
               sf.fields);
        EXPECT(c, sf.s != NULL && sf.len == len && memcmp(sf.s, c->in, len) == 0,
               "read back [%s], wrote [%s]", sf.s ? show(sf.s, sf.len, a, sizeof(a)) : "(none)",
               show(c->in, len, b, sizeof(b)));
        free(sf.s);
        assert_int_equal(unlink(path), 0);
    }
    assert_int_equal(failures, 0);
}

/* ---- kam_value_text and kam_value_json ---- */

/* Compact JSON text of j (which is consumed), "(NULL)" for no value. The caller frees. */
static char *dump(json_t *j)
{
    char *s;
    if (j == NULL) {
        s = malloc(sizeof("(NULL)"));
        assert_non_null(s);
        return strcpy(s, "(NULL)");
    }
    s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    json_decref(j);
    assert_non_null(s);
    return s;
}

#define TEXT(s)                                                                                    \
    {                                                                                              \
        false, 0, s, sizeof(s) - 1                                                                 \
    }
#define NUM(v)                                                                                     \
    {                                                                                              \
        false, v, NULL, 0                                                                          \
    }
#define NULLV(v)                                                                                   \
    {                                                                                              \
        true, v, NULL, 0                                                                           \
    }

static void test_value(void **state)
{
    static const char *const levels[] = {"transactional", "strategic", NULL};
    static const struct case_ {
        const char *name;
        enum kam_vtype type;
        struct kam_value v;
        const char *text;
        const char *json;
    } cases[] = {
        {"text", KAM_V_TEXT, TEXT("Acme"), "Acme", "\"Acme\""},
        {"empty text is not null", KAM_V_TEXT, TEXT(""), "", "\"\""},
        {"UTF-8 text", KAM_V_TEXT, TEXT("北京"), "北京", "\"北京\""},
        {"text with a quote and a newline", KAM_V_TEXT, TEXT("a\"b\nc"), "a\"b\nc",
         "\"a\\\"b\\nc\""},
        {"text that looks like a number stays a string", KAM_V_TEXT, TEXT("0042"), "0042",
         "\"0042\""},
        {"int", KAM_V_INT, NUM(42), "42", "42"},
        {"int zero", KAM_V_INT, NUM(0), "0", "0"},
        {"negative int", KAM_V_INT, NUM(-7), "-7", "-7"},
        {"largest int", KAM_V_INT, NUM(INT64_MAX), "9223372036854775807", "9223372036854775807"},
        {"money with four decimals below one", KAM_V_MONEY, NUM(375), "0.0375", "\"0.0375\""},
        {"negative whole money", KAM_V_MONEY, NUM(-60000), "-6", "\"-6\""},
        {"money with two decimals", KAM_V_MONEY, NUM(25500), "2.55", "\"2.55\""},
        {"money zero", KAM_V_MONEY, NUM(0), "0", "\"0\""},
        {"smallest negative money step", KAM_V_MONEY, NUM(-1), "-0.0001", "\"-0.0001\""},
        {"money with four decimals", KAM_V_MONEY, NUM(12345678), "1234.5678", "\"1234.5678\""},
        {"a billion is not in exponent form", KAM_V_MONEY, NUM(INT64_C(10000000000000)),
         "1000000000", "\"1000000000\""},
        {"largest money", KAM_V_MONEY, NUM(INT64_MAX), "922337203685477.5807",
         "\"922337203685477.5807\""},
        {"date", KAM_V_DATE, TEXT("2024-03-01"), "2024-03-01", "\"2024-03-01\""},
        {"date with a time of day", KAM_V_DATE, TEXT("2024-03-01T09:30:00"), "2024-03-01T09:30:00",
         "\"2024-03-01T09:30:00\""},
        {"enum", KAM_V_ENUM, TEXT("strategic"), "strategic", "\"strategic\""},
        {"reference gives the natural key, not the id",
         KAM_V_REF,
         {false, 7, "ACME-01", 7},
         "ACME-01",
         "\"ACME-01\""},
        {"null text", KAM_V_TEXT, NULLV(0), "", "null"},
        {"null int", KAM_V_INT, NULLV(KAM_NONE), "", "null"},
        {"null money", KAM_V_MONEY, NULLV(KAM_NONE), "", "null"},
        {"null date", KAM_V_DATE, NULLV(0), "", "null"},
        {"null enum", KAM_V_ENUM, NULLV(0), "", "null"},
        {"null reference", KAM_V_REF, NULLV(0), "", "null"},
    };
    char buf[40];

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        const struct kam_column col = {
            .name = "col", .type = c->type, .enum_names = levels, .ref = "accounts"};

        memset(buf, '#', sizeof(buf));
        const char *text = kam_value_text(&col, &c->v, buf, sizeof(buf));
        EXPECT(c, text != NULL && strcmp(text, c->text) == 0, "text \"%s\", want \"%s\"",
               text ? text : "(NULL)", c->text);

        char *json = dump(kam_value_json(&col, &c->v));
        EXPECT(c, strcmp(json, c->json) == 0, "json %s, want %s", json, c->json);
        free(json);
    }
    assert_int_equal(failures, 0);
}

static void test_money_json(void **state)
{
    static const struct case_ {
        const char *name;
        kam_money v;
        const char *json;
    } cases[] = {
        {"zero", 0, "\"0\""},
        {"whole", 420000, "\"42\""},
        {"negative whole", -60000, "\"-6\""},
        {"four decimals below one", 375, "\"0.0375\""},
        {"negative four decimals below one", -375, "\"-0.0375\""},
        {"trailing zeros dropped", 15000, "\"1.5\""},
        {"three decimals as in the UCI unit prices", 16950, "\"1.695\""},
        {"smallest step", 1, "\"0.0001\""},
        {"largest value", INT64_MAX, "\"922337203685477.5807\""},
        {"most negative value", -INT64_MAX, "\"-922337203685477.5807\""},
    };

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        char *json = dump(kam_money_json(c->v));
        EXPECT(c, strcmp(json, c->json) == 0, "json %s, want %s", json, c->json);
        free(json);
    }
    assert_int_equal(failures, 0);
}

/* ---- kam_record_json ---- */

static void test_record_json(void **state)
{
    static const struct kam_column cols[] = {
        {.name = "code", .type = KAM_V_TEXT},
        {.name = "employees", .type = KAM_V_INT},
        {.name = "credit_limit", .type = KAM_V_MONEY},
        {.name = "parent", .type = KAM_V_REF, .ref = "accounts"},
    };
    static const struct kam_table table = {"things", "thing", cols, NCASES(cols)};
    static const struct case_ {
        const char *name;
        int64_t id;
        struct kam_value vals[4];
        const char *json; /* keys sorted */
    } cases[] = {
        {"every column set",
         1,
         {TEXT("A1"), NUM(250), NUM(375), {false, 9, "P9", 2}},
         "{\"code\":\"A1\",\"credit_limit\":\"0.0375\",\"employees\":250,\"id\":1,"
         "\"parent\":\"P9\"}"},
        {"nulls are JSON null",
         INT64_C(9007199254740993),
         {TEXT("B2"), NULLV(KAM_NONE), NULLV(KAM_NONE), NULLV(0)},
         "{\"code\":\"B2\",\"credit_limit\":null,\"employees\":null,\"id\":9007199254740993,"
         "\"parent\":null}"},
    };

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        char *json = dump(kam_record_json(&table, c->id, c->vals));
        EXPECT(c, strcmp(json, c->json) == 0, "json %s, want %s", json, c->json);
        free(json);
    }
    assert_int_equal(failures, 0);
}

/* ---- kam_export_kind_parse ---- */

static void test_kind_parse(void **state)
{
    static const struct case_ {
        const char *name;
        const char *in;
        bool ok;
        enum kam_export_kind want;
    } cases[] = {
        {"accounts", "accounts", true, KAM_EXPORT_ACCOUNTS},
        {"contacts", "contacts", true, KAM_EXPORT_CONTACTS},
        {"products", "products", true, KAM_EXPORT_PRODUCTS},
        {"orders", "orders", true, KAM_EXPORT_ORDERS},
        {"payments", "payments", true, KAM_EXPORT_PAYMENTS},
        {"singular is not a kind", "account", false, 0},
        {"empty name", "", false, 0},
        {"trailing space", "orders ", false, 0},
        {"unknown name", "invoices", false, 0},
    };

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        enum kam_export_kind got = KAM_EXPORT_KIND_COUNT;
        bool ok = kam_export_kind_parse(c->in, &got);
        EXPECT(c, ok == c->ok, "returned %d", ok);
        if (c->ok)
            EXPECT(c, got == c->want, "kind %d, want %d", (int)got, (int)c->want);
    }
    assert_int_equal(failures, 0);
}

static int setup(void **state)
{
    const char *base = getenv("TMPDIR");
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "%s/kam-test-export-XXXXXX",
             base && *base && strlen(base) < 40 ? base : "/tmp");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char path[128];
    (void)state;
    snprintf(path, sizeof(path), "%s/field.csv", tmpdir);
    (void)unlink(path); /* there only when an assertion stopped a case half-way */
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_field), cmocka_unit_test(test_value),
        cmocka_unit_test(test_money_json),  cmocka_unit_test(test_record_json),
        cmocka_unit_test(test_kind_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
