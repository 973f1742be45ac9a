/* The CSV reader. The input is fed to libcsv one physical line at a time, so that the reader
 * always knows which line a row started on, including rows whose quoted fields span lines.
 * Fields are copied out of libcsv's buffer into one reusable buffer per row. */
#include "io/csv_reader.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>
#include <zlib.h>

#include "util/mem.h"

enum { CHUNK = 256 * 1024 };

struct reader {
    struct csv_parser parser;
    kam_csv_row_fn fn;
    void *ctx;
    int64_t line;     /* line being fed */
    int64_t row_line; /* line where the current row started */
    bool row_open;    /* a row has begun but not ended */
    bool stop;        /* the callback asked to stop, or an error occurred */
    bool check_utf8;
    char eol; /* the line end: '\n', or '\r' for files with CR-only line ends (old Mac) */
    enum kam_rc rc;
    struct kam_err *err;
    /* current row: field bytes back to back, each NUL-terminated */
    char *buf;
    size_t buf_len, buf_cap;
    size_t *offs, *lens;
    const char **fields;
    size_t nfields, fields_cap;
};

/* Length of the valid UTF-8 prefix of s[0..n) (n when all valid). Rejects overlong forms and
 * surrogates. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return i;
        i += len;
    }
    return n;
}

static void fail(struct reader *r, enum kam_rc rc, int64_t line, const char *msg)
{
    if (r->stop)
        return;
    r->stop = true;
    r->rc = kam_err_set(r->err, rc, "%s", msg);
    r->err->line = line;
}

static void on_field(void *data, size_t len, void *ctx)
{
    struct reader *r = ctx;
    if (r->stop)
        return;
    if (!r->row_open) {
        r->row_open = true;
        r->nfields = 0;
        r->buf_len = 0;
    }
    if (len > KAM_CSV_MAX_FIELD) {
        fail(r, KAM_ERR_TOO_LARGE, r->row_line, "a field is longer than 1 MiB (1048576 bytes)");
        return;
    }
    if (r->check_utf8 && utf8_valid_prefix(data, len) != len) {
        fail(r, KAM_ERR_ENCODING, r->row_line,
             "invalid UTF-8 (is the file GB18030 or GBK? try --encoding gb18030)");
        return;
    }
    if (r->nfields == r->fields_cap) {
        r->fields_cap = r->fields_cap ? r->fields_cap * 2 : 32;
        r->offs = kam_xrealloc(r->offs, r->fields_cap * sizeof(*r->offs));
        r->lens = kam_xrealloc(r->lens, r->fields_cap * sizeof(*r->lens));
        r->fields = kam_xrealloc(r->fields, r->fields_cap * sizeof(*r->fields));
    }
    if (r->buf_len + len + 1 > r->buf_cap) {
        while (r->buf_len + len + 1 > r->buf_cap)
            r->buf_cap = r->buf_cap ? r->buf_cap * 2 : 4096;
        r->buf = kam_xrealloc(r->buf, r->buf_cap);
    }
    if (len > 0)
        memcpy(r->buf + r->buf_len, data, len);
    r->buf[r->buf_len + len] = '\0';
    r->offs[r->nfields] = r->buf_len;
    r->lens[r->nfields] = len;
    r->nfields++;
    r->buf_len += len + 1;
}

static void on_row(int term, void *ctx)
{
    struct reader *r = ctx;
    (void)term;
    if (r->stop || !r->row_open)
        return;
    for (size_t i = 0; i < r->nfields; i++)
        r->fields[i] = r->buf + r->offs[i];
    struct kam_csv_row row = {r->fields, r->lens, r->nfields, r->row_line};
    r->row_open = false;
    if (r->fn(r->ctx, &row) != 0)
        r->stop = true;
}

/* Feeds UTF-8 bytes to libcsv, one line at a time. */
static void feed(struct reader *r, const char *p, size_t n)
{
    while (n > 0 && !r->stop) {
        const char *nl = memchr(p, r->eol, n);
        size_t len = nl ? (size_t)(nl - p) + 1 : n;
        if (csv_parse(&r->parser, p, len, on_field, on_row, r) != len) {
            fail(r, KAM_ERR_INVALID, r->line,
                 csv_error(&r->parser) == CSV_EPARSE
                     ? "malformed quoting (a quote inside an unquoted field, or text after a "
                       "closing quote)"
                     : csv_strerror(csv_error(&r->parser)));
            return;
        }
        if (r->parser.entry_pos > (size_t)KAM_CSV_MAX_FIELD) {
            fail(r, KAM_ERR_TOO_LARGE, r->row_line, "a field is longer than 1 MiB (1048576 bytes)");
            return;
        }
        if (nl != NULL && !r->stop) {
            r->line++;
            /* pstate 0 is libcsv's ROW_NOT_BEGUN (csv.h exposes the struct): no row is in
             * progress, so the next row starts on the next line. */
            if (r->parser.pstate == 0)
                r->row_line = r->line;
        }
        p += len;
        n -= len;
    }
}

/* Where the bytes come from: a file through zlib (plain or gzip), or memory. */
struct source {
    const char *name; /* for messages */
    gzFile gz;
    const char *mem;
    size_t len, pos;
};

/* Up to n bytes into buf: their count, 0 at the end, -1 on a read error. */
static int source_read(struct source *src, char *buf, unsigned n)
{
    if (src->gz != NULL)
        return gzread(src->gz, buf, n);
    size_t left = src->len - src->pos;
    size_t k = left < n ? left : n;
    memcpy(buf, src->mem + src->pos, k);
    src->pos += k;
    return (int)k;
}

/* KAM_ERR_IO when the file could not be read to its end. */
static enum kam_rc source_check(struct source *src, struct kam_err *err)
{
    int zerr;
    if (src->gz == NULL)
        return KAM_OK;
    const char *zmsg = gzerror(src->gz, &zerr);
    if (zerr != Z_OK && zerr != Z_STREAM_END)
        return kam_err_set(err, KAM_ERR_IO, "cannot read '%s': %s", src->name, zmsg);
    return KAM_OK;
}

/* The decoder for encoding into *cd ((iconv_t)-1 for UTF-8). KAM_ERR_USAGE when unknown. */
static enum kam_rc open_decoder(const char *encoding, iconv_t *cd, struct kam_err *err)
{
    *cd = (iconv_t)-1;
    if (encoding == NULL || strcasecmp(encoding, "utf-8") == 0 || strcasecmp(encoding, "utf8") == 0)
        return KAM_OK;
    if (strcasecmp(encoding, "gb18030") != 0 && strcasecmp(encoding, "gbk") != 0 &&
        strcasecmp(encoding, "gb2312") != 0)
        return kam_err_set(err, KAM_ERR_USAGE, "unknown encoding '%s' (use utf-8, gb18030 or gbk)",
                           encoding);
    /* GB18030 is a superset of GBK and GB2312: one decoder serves all three. */
    *cd = iconv_open("UTF-8", "GB18030");
    if (*cd == (iconv_t)-1)
        return kam_err_set(err, KAM_ERR_USAGE, "this system cannot convert from %s", encoding);
    return KAM_OK;
}

/* Reads src to its end through the decoder cd (borrowed) into the rows of r. */
static void read_source(struct reader *r, struct source *src, iconv_t cd)
{
    char *in = kam_xmalloc(CHUNK + 8), *out = kam_xmalloc(CHUNK * 2 + 16);
    size_t carry = 0;
    bool first = true;
    int n;

    while (!r->stop && (n = source_read(src, in + carry, CHUNK)) > 0) {
        char *p = in;
        size_t len = carry + (size_t)n;
        carry = 0;
        if (cd != (iconv_t)-1) {
            char *ip = in, *op = out;
            size_t il = len, ol = CHUNK * 2 + 16;
            if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != EINVAL) {
                /* Report the line of the bad bytes: lines so far plus those converted now. */
                int64_t line = r->line;
                for (char *q = out; q < op; q++)
                    line += *q == '\n';
                feed(r, out, (size_t)(op - out));
                fail(r, KAM_ERR_ENCODING, line, "invalid bytes for the GB18030 encoding");
                break;
            }
            memmove(in, ip, il); /* an incomplete character waits for the next chunk */
            carry = il;
            p = out;
            len = (size_t)(op - out);
        }
        if (first && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
            p += 3;
            len -= 3;
        }
        if (first) {
            /* A file whose first line ends in a lone CR uses CR-only line ends: count those. */
            const char *cr = memchr(p, '\r', len), *lf = memchr(p, '\n', len);
            if (cr && !lf && (size_t)(cr - p) + 1 < len)
                r->eol = '\r';
        }
        first = false;
        feed(r, p, len);
    }
    free(in);
    free(out);
    if (r->stop)
        return;
    if ((r->rc = source_check(src, r->err)) != KAM_OK)
        r->stop = true;
    else if (carry > 0)
        fail(r, KAM_ERR_ENCODING, r->line, "the file ends inside a GB18030 character");
    else if (csv_fini(&r->parser, on_field, on_row, r) != 0)
        fail(r, KAM_ERR_INVALID, r->row_line,
             "the file ends inside a quoted field (missing closing quote)");
}

/* Opens src's file when it has one, reads it, and frees what the reader used. */
static enum kam_rc read_all(struct source *src, const char *path, const char *encoding,
                            kam_csv_row_fn fn, void *ctx, struct kam_err *err)
{
    struct reader r = {.fn = fn, .ctx = ctx, .line = 1, .row_line = 1, .err = err, .eol = '\n'};
    iconv_t cd;

    r.rc = open_decoder(encoding, &cd, err);
    if (r.rc != KAM_OK)
        return r.rc;
    r.check_utf8 = true;
    if (csv_init(&r.parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        if (cd != (iconv_t)-1)
            iconv_close(cd);
        return kam_err_set(err, KAM_ERR_IO, "cannot initialise the CSV parser");
    }
    /* libcsv grows a field's buffer by this much at a time (128 bytes by default): a 1 MB
     * field would otherwise take thousands of reallocations. */
    csv_set_blk_size(&r.parser, 64 * 1024);
    if (path != NULL && (src->gz = gzopen(path, "rb")) == NULL) {
        r.rc = kam_err_set(err, KAM_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    } else {
        if (src->gz != NULL)
            gzbuffer(src->gz, CHUNK);
        read_source(&r, src, cd);
    }
    if (src->gz != NULL)
        gzclose(src->gz);
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    csv_free(&r.parser);
    free(r.buf);
    free(r.offs);
    free(r.lens);
    free(r.fields);
    return r.rc;
}

enum kam_rc kam_csv_read(const char *path, const char *encoding, kam_csv_row_fn fn, void *ctx,
                         struct kam_err *err)
{
    struct source src = {.name = path};
    return read_all(&src, path, encoding, fn, ctx, err);
}

enum kam_rc kam_csv_read_mem(const char *data, size_t len, const char *encoding, kam_csv_row_fn fn,
                             void *ctx, struct kam_err *err)
{
    struct source src = {.name = "the data", .mem = data, .len = len};
    return read_all(&src, NULL, encoding, fn, ctx, err);
}
