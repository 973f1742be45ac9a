/* Unit tests for src/io/csv_reader.c: rows, physical line numbers, encodings, gzip, size limits
 * and errors of kam_csv_read.
 *
 * Each case writes its input bytes to a file in a private mkdtemp directory (removed at the end)
 * and reads it back with a callback that records every row as "line:field|field|...". Inputs too
 * big to write by hand (1 MB fields, 200,000 rows, characters split at the reader's 256 KiB read
 * boundary) are generated, together with their expected rows, by a function of the case. */
#include "io/csv_reader.h"

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

#include <zlib.h>

#include "util/mem.h"

#include "../case.h"

/* The reader's read size (CHUNK in csv_reader.c): gzread fills it completely except at the end
 * of the file, so chunk boundaries fall at multiples of it in the raw file. */
enum { CHUNK = 256 * 1024 };

static char tmpdir[64];

/* ---- growable bytes and row lists ---- */

/* Bytes, always NUL-terminated so they can be used as a string too. */
struct bytes {
    char *p;
    size_t len, cap;
};

static void put(struct bytes *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 256;
        b->p = kam_xrealloc(b->p, b->cap);
    }
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_str(struct bytes *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_rep(struct bytes *b, char c, size_t n)
{
    put(b, "", 0);
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap *= 2;
        b->p = kam_xrealloc(b->p, b->cap);
    }
    memset(b->p + b->len, c, n);
    b->len += n;
    b->p[b->len] = '\0';
}

KAM_PRINTF(2, 3) static void put_fmt(struct bytes *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(tmp));
    put(b, tmp, (size_t)n);
}

/* Rows as "line:f1|f2|..." strings, each owned by the list. */
struct rows {
    char **v;
    size_t n, cap;
};

/* Takes b's buffer. */
static void rows_take(struct rows *r, struct bytes *b)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = kam_xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    if (b->p == NULL)
        put(b, "", 0);
    r->v[r->n++] = b->p;
    *b = (struct bytes){0};
}

static void rows_add(struct rows *r, const char *s)
{
    struct bytes b = {0};
    put_str(&b, s);
    rows_take(r, &b);
}

static void rows_release(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    *r = (struct rows){0};
}

/* ---- the recording callback ---- */

struct rec {
    struct rows rows;
    size_t stop_after; /* return non-zero once this many rows are recorded; 0: never */
};

static int record(void *ctx, const struct kam_csv_row *row)
{
    struct rec *r = ctx;
    struct bytes b = {0};

    put_fmt(&b, "%lld:", (long long)row->line);
    for (size_t i = 0; i < row->n; i++) {
        if (i > 0)
            put(&b, "|", 1);
        put(&b, row->fields[i], row->lens[i]);
        if (row->fields[i][row->lens[i]] != '\0')
            put_str(&b, "<field not NUL-terminated>");
    }
    rows_take(&r->rows, &b);
    return r->stop_after != 0 && r->rows.n >= r->stop_after;
}

/* ---- generated inputs ---- */

/* "id,text" then a row whose second field has n bytes (quoted or not), then one more row. When
 * the field is over the limit, only the header row comes before the error. */
static void gen_field(struct bytes *in, struct rows *want, size_t n, bool quoted)
{
    struct bytes w = {0};

    put_str(in, "id,text\n1,");
    if (quoted)
        put(in, "\"", 1);
    put_rep(in, 'x', n);
    if (quoted)
        put(in, "\"", 1);
    put_str(in, ",end\n2,after\n");

    rows_add(want, "1:id|text");
    if (n > KAM_CSV_MAX_FIELD)
        return;
    put_str(&w, "2:1|");
    put_rep(&w, 'x', n);
    put_str(&w, "|end");
    rows_take(want, &w);
    rows_add(want, "3:2|after");
}

static void gen_field_1000000(struct bytes *in, struct rows *want)
{
    gen_field(in, want, 1000000, false);
}

static void gen_field_max_quoted(struct bytes *in, struct rows *want)
{
    gen_field(in, want, KAM_CSV_MAX_FIELD, true);
}

static void gen_field_max_plus_1(struct bytes *in, struct rows *want)
{
    gen_field(in, want, KAM_CSV_MAX_FIELD + 1, false);
}

static void gen_field_2mib(struct bytes *in, struct rows *want)
{
    gen_field(in, want, 2 * 1024 * 1024, false);
}

/* 200,000 rows (about 5.5 MB, some 20 read boundaries). Where a boundary comes near, the next
 * row instead has a quoted multi-line field laid out so that one chosen byte of it falls on the
 * last byte of a chunk or the first byte of the next. */
static void gen_large(struct bytes *in, struct rows *want)
{
    static const struct {
        const char *raw;   /* the row's bytes after "<i>,\"ml\n" and the padding */
        const char *value; /* what raw adds to the quoted field's value */
        size_t pin;        /* index in raw of the byte placed at the boundary */
        bool after;        /* pinned byte starts the next chunk (else it ends this one) */
    } tails[] = {
        {"\nq\",z\n", "\nq", 0, false},       /* an embedded newline ends a chunk */
        {"\nq\",z\n", "\nq", 0, true},        /* an embedded newline starts a chunk */
        {"\"\"q\",z\n", "\"q", 0, false},     /* a doubled quote split between chunks */
        {"\",z\r\n", "", 0, false},           /* the closing quote ends a chunk */
        {"\",z\r\n", "", 3, false},           /* CR ends a chunk, its LF starts the next */
        {"\r\nq\",z\r\n", "\r\nq", 0, false}, /* an embedded CR LF split between chunks */
    };
    int64_t line = 2;
    size_t special = 0;

    put_str(in, "id,name,amount\n");
    rows_add(want, "1:id|name|amount");
    for (int i = 0; i < 200000; i++) {
        size_t next = (in->len / CHUNK + 1) * CHUNK;
        size_t d = next - in->len;
        struct bytes w = {0};

        if (d >= 24 && d < 100) {
            size_t t = special++ % NCASES(tails);
            size_t target = tails[t].after ? next : next - 1;
            put_fmt(in, "%d,\"ml\n", i);
            size_t pad = target - tails[t].pin - in->len;
            put_rep(in, 'p', pad);
            put_str(in, tails[t].raw);
            assert_int_equal(in->p[target], tails[t].raw[tails[t].pin]);

            put_fmt(&w, "%lld:%d|ml\n", (long long)line, i);
            put_rep(&w, 'p', pad);
            put_str(&w, tails[t].value);
            put_str(&w, "|z");
            line += 1;
            for (const char *s = tails[t].raw; *s; s++)
                line += *s == '\n';
        } else {
            put_fmt(in, "%d,name %d,%d.%02d\n", i, i, i / 100, i % 100);
            put_fmt(&w, "%lld:%d|name %d|%d.%02d", (long long)line, i, i, i / 100, i % 100);
            line++;
        }
        rows_take(want, &w);
    }
    /* Every boundary got a special row: each variant is used at least twice. */
    assert_true(special >= 2 * NCASES(tails));
    assert_int_equal(special, in->len / CHUNK);
}

/* Row 2 is a quoted two-line field whose second line is filled with 'x' so that the first
 * `before` bytes of the GB18030 character gb end a chunk and the rest start the next; row 4
 * (after the field's newline) checks that the line count survived. With twice, row 4 splits a
 * second character at the next boundary, after the first split left bytes over. */
static void gen_gb_split(struct bytes *in, struct rows *want, const char *gb, const char *utf8,
                         size_t before, bool twice)
{
    struct bytes w = {0};

    put_str(in, "a,b\n");
    rows_add(want, "1:a|b");

    put_str(in, "c,\"q\n");
    size_t fill = CHUNK - before - in->len;
    put_rep(in, 'x', fill);
    put_str(in, gb);
    put_str(in, "y\"\n");
    put_str(&w, "2:c|q\n");
    put_rep(&w, 'x', fill);
    put_str(&w, utf8);
    put_str(&w, "y");
    rows_take(want, &w);

    if (twice) {
        put_str(in, "d,");
        fill = 2 * CHUNK - before - in->len;
        put_rep(in, 'x', fill);
        put_str(in, gb);
        put_str(in, "\n");
        put_str(&w, "4:d|");
        put_rep(&w, 'x', fill);
        put_str(&w, utf8);
        rows_take(want, &w);
        put_str(in, "e,f\n");
        rows_add(want, "5:e|f");
    } else {
        put_str(in, "d,\xb1\xb1\xbe\xa9\n");
        rows_add(want, "4:d|北京");
    }
}

#define GB_BEI  "\xb1\xb1"         /* 北, two bytes */
#define GB_GRIN "\x94\x39\xfc\x36" /* U+1F600, four bytes */

static void gen_gb_split_2_1(struct bytes *in, struct rows *want)
{
    gen_gb_split(in, want, GB_BEI, "北", 1, false);
}

static void gen_gb_split_4_1(struct bytes *in, struct rows *want)
{
    gen_gb_split(in, want, GB_GRIN, "😀", 1, false);
}

static void gen_gb_split_4_2(struct bytes *in, struct rows *want)
{
    gen_gb_split(in, want, GB_GRIN, "😀", 2, false);
}

static void gen_gb_split_4_3(struct bytes *in, struct rows *want)
{
    gen_gb_split(in, want, GB_GRIN, "😀", 3, false);
}

static void gen_gb_split_twice(struct bytes *in, struct rows *want)
{
    gen_gb_split(in, want, GB_GRIN, "😀", 3, true);
}

/* The boundary falls right after a complete two-byte character: nothing is carried over. */
static void gen_gb_split_0(struct bytes *in, struct rows *want)
{
    gen_gb_split(in, want, GB_BEI, "北", 2, false);
}

/* A small gzip file cut inside its 8-byte trailer: all data is there, the checks are not. */
static void gen_gzip_truncated(struct bytes *in, struct rows *want)
{
    static const char text[] = "a,b\nc,d\n";
    unsigned char out[256];
    z_stream z = {0};

    (void)want;
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = sizeof(text) - 1;
    z.next_out = out;
    z.avail_out = sizeof(out);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    put(in, out, z.total_out - 4);
    assert_int_equal(deflateEnd(&z), Z_OK);
}

/* ---- the cases ---- */

enum case_flags {
    F_GZIP = 1u << 0,     /* write the input gzip-compressed */
    F_MISSING = 1u << 1,  /* write no file */
    F_DIR = 1u << 2,      /* read the directory itself */
    F_ANY_ROWS = 1u << 3, /* do not compare the rows (only the result) */
};

#define MAX_ROWS 8

struct case_ {
    const char *name;
    const char *in;                                   /* input bytes, NULL when gen makes them */
    void (*gen)(struct bytes *in, struct rows *want); /* input and expected rows */
    const char *encoding;
    unsigned flags;
    size_t stop_after;
    enum kam_rc rc;
    int64_t err_line;           /* for errors other than KAM_ERR_USAGE and KAM_ERR_IO */
    const char *err_msg;        /* a fragment of the message */
    const char *rows[MAX_ROWS]; /* "line:f1|f2", before the error when there is one */
};

#define QUOTED_SAMPLE                                                                              \
    "name,note\n"                                                                                  \
    "\"Acme, Inc.\",\"said \"\"hi\"\"\"\n"                                                         \
    "\"multi\nline\ntext\",x\n"                                                                    \
    "last,row\n"
#define QUOTED_SAMPLE_ROWS                                                                         \
    "1:name|note", "2:Acme, Inc.|said \"hi\"", "3:multi\nline\ntext|x", "6:last|row"

static const struct case_ cases[] = {
    /* row shapes and line numbers */
    {"plain rows", "id,name\n1,Acme\n2,Globex\n", .rows = {"1:id|name", "2:1|Acme", "3:2|Globex"}},
    {"empty file", "", .rows = {NULL}},
    {"CRLF line ends", "id,name\r\n1,Acme\r\n2,Globex\r\n",
     .rows = {"1:id|name", "2:1|Acme", "3:2|Globex"}},
    {"last line without newline", "a,b\nc,d", .rows = {"1:a|b", "2:c|d"}},
    {"last line without newline ends a quoted field", "a\n\"b\nc\"", .rows = {"1:a", "2:b\nc"}},
    {"quoted fields with commas, doubled quotes and newlines", QUOTED_SAMPLE,
     .rows = {QUOTED_SAMPLE_ROWS}},
    {"embedded CRLF in a quoted field counts as a line", "\"x\r\ny\",z\r\nn,m\r\n",
     .rows = {"1:x\r\ny|z", "3:n|m"}},
    {"quoted field spanning lines at the start of a row", "\"a\n\nb\"\nc\n",
     .rows = {"1:a\n\nb", "4:c"}},
    {"blank lines between rows keep physical line numbers", "a,b\n\n\nc,d\n\ne,f\n",
     .rows = {"1:a|b", "4:c|d", "6:e|f"}},
    {"blank lines before the first row", "\n\na\n", .rows = {"3:a"}},
    {"blank CRLF lines", "a\r\n\r\nb\r\n", .rows = {"1:a", "3:b"}},
    {"CR-only line ends (old Mac) count as lines", "a,b\rc,d\r\"e\rf\",g\rh,i\r",
     .rows = {"1:a|b", "2:c|d", "3:e\rf|g", "5:h|i"}},
    {"UTF-8 BOM is skipped", "\xef\xbb\xbfid,name\n1,x\n", .rows = {"1:id|name", "2:1|x"}},
    {"GB18030 BOM is skipped", "\x84\x31\x95\x33id\n", .encoding = "gb18030", .rows = {"1:id"}},
    {"UTF-8 BOM before a quoted field", "\xef\xbb\xbf\"id\",x\n", .rows = {"1:id|x"}},
    {"empty fields", "a,,c\n,,\n", .rows = {"1:a||c", "2:||"}},
    {"empty quoted fields", "\"\",x,\"\"\n\"\",\"\"\n", .rows = {"1:|x|", "2:|"}},
    {"spaces inside quotes are kept", "\" a \",b\n", .rows = {"1: a |b"}},
    {"UTF-8 text", "北京,😀\n", .rows = {"1:北京|😀"}},

    /* malformed CSV */
    {"file ends inside a quoted field", "a,b\nc,\"open\nmore\n", .rc = KAM_ERR_INVALID,
     .err_line = 2, .err_msg = "ends inside a quoted field", .rows = {"1:a|b"}},
    {"file ends inside a quoted field that started on line 1", "\"open,x\n\nmore",
     .rc = KAM_ERR_INVALID, .err_line = 1, .err_msg = "missing closing quote"},
    {"quote inside an unquoted field", "a,b\nab\"c,d\n", .rc = KAM_ERR_INVALID, .err_line = 2,
     .err_msg = "malformed quoting", .rows = {"1:a|b"}},
    {"text after a closing quote", "\"a\"b,c\n", .rc = KAM_ERR_INVALID, .err_line = 1,
     .err_msg = "malformed quoting"},

    /* UTF-8 checks */
    {"invalid UTF-8 byte", "a,b\nc,\xff\n", .rc = KAM_ERR_ENCODING, .err_line = 2,
     .err_msg = "gb18030", .rows = {"1:a|b"}},
    {"GB18030 bytes read as UTF-8", "id,city\n1,\xb1\xb1\xbe\xa9\n", .rc = KAM_ERR_ENCODING,
     .err_line = 2, .err_msg = "--encoding gb18030", .rows = {"1:id|city"}},
    {"overlong UTF-8", "\xc0\xaf\n", .rc = KAM_ERR_ENCODING, .err_line = 1, .err_msg = "UTF-8"},
    {"UTF-8 surrogate", "x\n\xed\xa0\x80\n", .rc = KAM_ERR_ENCODING, .err_line = 2,
     .err_msg = "UTF-8", .rows = {"1:x"}},
    {"UTF-8 above U+10FFFF", "\xf4\x90\x80\x80\n", .rc = KAM_ERR_ENCODING, .err_line = 1,
     .err_msg = "UTF-8"},
    {"UTF-8 sequence cut at the end of a field", "\xe5\x8c,x\n", .rc = KAM_ERR_ENCODING,
     .err_line = 1, .err_msg = "UTF-8"},

    /* field size limit */
    {"field of exactly 1,000,000 bytes", .gen = gen_field_1000000},
    {"quoted field of exactly KAM_CSV_MAX_FIELD bytes", .gen = gen_field_max_quoted},
    {"field one byte over KAM_CSV_MAX_FIELD", .gen = gen_field_max_plus_1, .rc = KAM_ERR_TOO_LARGE,
     .err_line = 2, .err_msg = "longer than"},
    {"field of 2 MiB", .gen = gen_field_2mib, .rc = KAM_ERR_TOO_LARGE, .err_line = 2,
     .err_msg = "longer than"},

    /* encodings */
    {"GB18030 decoded to UTF-8", "id,city\n1,\xb1\xb1\xbe\xa9\n", .encoding = "gb18030",
     .rows = {"1:id|city", "2:1|北京"}},
    {"GBK decoded to UTF-8", "id,city\n1,\xb1\xb1\xbe\xa9\n", .encoding = "gbk",
     .rows = {"1:id|city", "2:1|北京"}},
    {"GB2312 decoded to UTF-8", "\xb1\xb1\xbe\xa9\n", .encoding = "gb2312", .rows = {"1:北京"}},
    {"encoding names ignore case", "\xb1\xb1\xbe\xa9\n", .encoding = "GB18030", .rows = {"1:北京"}},
    {"GB18030 four-byte character", GB_GRIN ",\x81\x30\x81\x30\n", .encoding = "gb18030",
     .rows = {"1:😀|\xc2\x80"}},
    {"GB18030 quoted field spanning lines", "\"\xb1\xb1\n\xbe\xa9\",x\ny\n", .encoding = "gbk",
     .rows = {"1:北\n京|x", "3:y"}},
    {"explicit utf-8", "北京\n", .encoding = "utf-8", .rows = {"1:北京"}},
    {"explicit utf8", "北京\n", .encoding = "UTF8", .rows = {"1:北京"}},
    {"invalid GB18030 bytes", "a,b\nc,\xff\n", .encoding = "gb18030", .rc = KAM_ERR_ENCODING,
     .err_line = 2, .err_msg = "GB18030", .rows = {"1:a|b"}},
    {"file ends inside a GB18030 character", "a,\xb1", .encoding = "gb18030",
     .rc = KAM_ERR_ENCODING, .err_line = 1, .err_msg = "ends inside a GB18030 character"},
    {"unknown encoding name", "a\n", .encoding = "latin1", .rc = KAM_ERR_USAGE,
     .err_msg = "unknown encoding 'latin1'"},
    {"empty encoding name", "a\n", .encoding = "", .rc = KAM_ERR_USAGE,
     .err_msg = "unknown encoding"},

    /* files */
    {"missing file", .flags = F_MISSING, .rc = KAM_ERR_IO, .err_msg = "cannot open"},
    {"a directory instead of a file", .flags = F_DIR, .rc = KAM_ERR_IO, .err_msg = "cannot read"},
    {"gzip file reads like the plain one", QUOTED_SAMPLE, .flags = F_GZIP,
     .rows = {QUOTED_SAMPLE_ROWS}},
    {"gzip file in GB18030", "\xb1\xb1\xbe\xa9,1\n", .encoding = "gb18030", .flags = F_GZIP,
     .rows = {"1:北京|1"}},
    {"empty gzip file", "", .flags = F_GZIP, .rows = {NULL}},
    {"truncated gzip file", .gen = gen_gzip_truncated, .flags = F_ANY_ROWS, .rc = KAM_ERR_IO,
     .err_msg = "cannot read"},

    /* the callback */
    {"callback stops after two rows", "a\nb\nc\nd\n", .stop_after = 2, .rows = {"1:a", "2:b"}},
    {"callback stops at the last row", "a\nb", .stop_after = 2, .rows = {"1:a", "2:b"}},
    {"callback stops before a malformed row", "a\nb\"c\n", .stop_after = 1, .rows = {"1:a"}},
    {"callback stops before an unclosed quote", "a\n\"b\n", .stop_after = 1, .rows = {"1:a"}},

    /* read boundaries */
    {"200,000 rows with multi-line fields across read boundaries", .gen = gen_large},
    {"200,000 rows, gzip", .gen = gen_large, .flags = F_GZIP},
    {"GB18030 two-byte character split 1+1 at the read boundary", .gen = gen_gb_split_2_1,
     .encoding = "gb18030"},
    {"GB18030 two-byte character ends exactly at the read boundary", .gen = gen_gb_split_0,
     .encoding = "gb18030"},
    {"GB18030 four-byte character split 1+3 at the read boundary", .gen = gen_gb_split_4_1,
     .encoding = "gb18030"},
    {"GB18030 four-byte character split 2+2 at the read boundary", .gen = gen_gb_split_4_2,
     .encoding = "gb18030"},
    {"GB18030 four-byte character split 3+1 at the read boundary", .gen = gen_gb_split_4_3,
     .encoding = "gb18030"},
    {"GB18030 characters split at two read boundaries", .gen = gen_gb_split_twice,
     .encoding = "gbk"},
    {"GB18030 split at the read boundary, gzip", .gen = gen_gb_split_4_2, .encoding = "gb18030",
     .flags = F_GZIP},
};

/* ---- running a case ---- */

static void write_file(const char *path, const struct bytes *in, bool gzip)
{
    if (gzip) {
        gzFile gz = gzopen(path, "wb");
        assert_non_null(gz);
        for (size_t off = 0; off < in->len;) {
            unsigned n = in->len - off > (1u << 20) ? (1u << 20) : (unsigned)(in->len - off);
            assert_int_equal(gzwrite(gz, in->p + off, n), (int)n);
            off += n;
        }
        assert_int_equal(gzclose(gz), Z_OK);
        return;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(in->p, 1, in->len, f), in->len);
    assert_int_equal(fclose(f), 0);
}

/* At most 60 bytes of s from byte at on, for messages about rows that may be megabytes long. */
static const char *clip(const char *s, size_t at, char *buf, size_t n)
{
    size_t len = strlen(s);
    if (at > len)
        at = len;
    snprintf(buf, n, "%s%.60s%s", at > 0 ? "..." : "", s + at, len - at > 60 ? "..." : "");
    return buf;
}

static void compare_rows(const struct case_ *c, const struct rows *got, const struct rows *want)
{
    char a[80], b[80];
    size_t n = got->n < want->n ? got->n : want->n;

    for (size_t i = 0; i < n; i++) {
        if (strcmp(got->v[i], want->v[i]) == 0)
            continue;
        size_t at = 0;
        while (got->v[i][at] == want->v[i][at])
            at++;
        /* Show the row's start (its line number) and the bytes from 20 before the difference. */
        size_t from = at > 20 ? at - 20 : 0;
        EXPECT(c, false,
               "row %zu differs at byte %zu: got \"%.12s\" \"%s\" (%zu bytes), want \"%s\" "
               "(%zu bytes)",
               i + 1, at, got->v[i], clip(got->v[i], from, a, sizeof(a)), strlen(got->v[i]),
               clip(want->v[i], from, b, sizeof(b)), strlen(want->v[i]));
        return; /* one mismatch is enough: later rows would all repeat it */
    }
    EXPECT(c, got->n == want->n, "%zu rows, want %zu (first extra: \"%s\")", got->n, want->n,
           got->n > n ? clip(got->v[n], 0, a, sizeof(a)) : clip(want->v[n], 0, a, sizeof(a)));
}

static void run_case(const struct case_ *c)
{
    char path[128];
    struct bytes in = {0};
    struct rows want = {0};
    struct rec rec = {.stop_after = c->stop_after};
    struct kam_err err = {0};
    enum kam_rc rc;

    snprintf(path, sizeof(path), "%s/input.csv%s", tmpdir, c->flags & F_GZIP ? ".gz" : "");
    if (c->gen != NULL) {
        c->gen(&in, &want);
    } else {
        const char *s = c->in != NULL ? c->in : "";
        put(&in, s, strlen(s));
        for (size_t i = 0; i < MAX_ROWS && c->rows[i] != NULL; i++)
            rows_add(&want, c->rows[i]);
    }
    if (c->flags & F_DIR)
        snprintf(path, sizeof(path), "%s", tmpdir);
    else if (!(c->flags & F_MISSING))
        write_file(path, &in, c->flags & F_GZIP);

    rc = kam_csv_read(path, c->encoding, record, &rec, &err);

    EXPECT(c, rc == c->rc, "rc %s, want %s (%s)", kam_rc_name(rc), kam_rc_name(c->rc), err.msg);
    if (c->rc != KAM_OK && rc == c->rc) {
        EXPECT(c, err.code == c->rc, "err.code %s", kam_rc_name(err.code));
        EXPECT(c, err.line == c->err_line, "error on line %lld, want %lld (%s)",
               (long long)err.line, (long long)c->err_line, err.msg);
        EXPECT(c, c->err_msg == NULL || strstr(err.msg, c->err_msg) != NULL,
               "message \"%s\" does not mention \"%s\"", err.msg, c->err_msg);
        /* Messages are for users: no full stop (CONVENTIONS.md, Errors). */
        EXPECT(c, err.msg[0] != '\0' && err.msg[strlen(err.msg) - 1] != '.',
               "message empty or ends with '.': \"%s\"", err.msg);
    }
    if (!(c->flags & F_ANY_ROWS))
        compare_rows(c, &rec.rows, &want);

    if (!(c->flags & (F_DIR | F_MISSING)))
        assert_int_equal(unlink(path), 0);
    free(in.p);
    rows_release(&want);
    rows_release(&rec.rows);
}

static void test_read(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++)
        run_case(&cases[i]);
    assert_int_equal(failures, 0);
}

/* A NULL err is allowed and gives the same codes. */
static void test_read_null_err(void **state)
{
    static const struct case_ c = {.name = "NULL err"};
    char path[128];
    struct rec rec = {0};

    (void)state;
    failures = 0;
    snprintf(path, sizeof(path), "%s/missing.csv", tmpdir);
    EXPECT(&c, kam_csv_read(path, NULL, record, &rec, NULL) == KAM_ERR_IO, "missing file");
    EXPECT(&c, kam_csv_read(path, "latin1", record, &rec, NULL) == KAM_ERR_USAGE, "bad encoding");
    EXPECT(&c, rec.rows.n == 0, "%zu rows", rec.rows.n);
    rows_release(&rec.rows);
    assert_int_equal(failures, 0);
}

static int setup(void **state)
{
    const char *base = getenv("TMPDIR");
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "%s/kam-test-csv-XXXXXX",
             base && *base && strlen(base) < 40 ? base : "/tmp");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    static const char *const names[] = {"input.csv", "input.csv.gz"};
    char path[128];

    (void)state;
    /* Left behind only when an assertion stopped a case half-way. */
    for (size_t i = 0; i < NCASES(names); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        (void)unlink(path); /* most are not there: nothing to report */
    }
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_read_null_err),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
