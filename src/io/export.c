/* Export in the import's format. Records stream from the store to the output one at a time;
 * nothing is collected in memory, so exports of millions of order lines run in constant space.
 *
 * The other encodings and formats reuse that stream: GB18030 converts the UTF-8 CSV through
 * iconv (written to a temporary file first, so the converter sees whole characters and the
 * memory stays constant); xlsx goes through libxlsxwriter in its constant-memory mode, which
 * writes rows as they come, strings inline (no shared string table to hold). It does not
 * format or round: CSV money is exact, xlsx money is a number Excel shows with two decimals. */
#include "io/export.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xlsxwriter.h>

#include "util/mem.h"
#include "util/money.h"

static const char *const kind_names[KAM_EXPORT_KIND_COUNT] = {
    "accounts", "contacts", "products", "orders", "payments",
};

static const struct kam_table *const kind_tables[KAM_EXPORT_KIND_COUNT] = {
    &kam_accounts, &kam_contacts, &kam_products, NULL, &kam_payments,
};

bool kam_export_kind_parse(const char *s, enum kam_export_kind *out)
{
    for (int i = 0; i < KAM_EXPORT_KIND_COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum kam_export_kind)i;
            return true;
        }
    return false;
}

void kam_csv_write_field(FILE *f, const char *s, size_t len)
{
    /* Readers (libcsv among them) trim blanks around unquoted fields: keep them by quoting. */
    bool quote =
        len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, len, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

const char *kam_value_text(const struct kam_column *c, const struct kam_value *v, char *buf,
                           size_t n)
{
    if (v->null)
        return "";
    switch (c->type) {
    case KAM_V_INT:
        snprintf(buf, n, "%lld", (long long)v->i);
        return buf;
    case KAM_V_MONEY:
        return kam_money_str(v->i, buf, n);
    default:
        return v->s;
    }
}

json_t *kam_money_json(kam_money v)
{
    char buf[40];
    return json_string(kam_money_str(v, buf, sizeof(buf)));
}

json_t *kam_value_json(const struct kam_column *c, const struct kam_value *v)
{
    if (v->null)
        return json_null();
    switch (c->type) {
    case KAM_V_INT:
        return json_integer(v->i);
    case KAM_V_MONEY:
        return kam_money_json(v->i);
    default:
        return json_stringn(v->s, v->len);
    }
}

json_t *kam_record_json(const struct kam_table *t, int64_t id, const struct kam_value *vals)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    for (size_t i = 0; i < t->ncols; i++)
        json_object_set_new(o, t->cols[i].name, kam_value_json(&t->cols[i], &vals[i]));
    return o;
}

struct out {
    FILE *f;
    bool json;
    const struct kam_table *t;
    int64_t n;
};

static void json_item(struct out *o, json_t *j)
{
    fputs(o->n++ ? ",\n" : "\n", o->f);
    json_dumpf(j, o->f, JSON_COMPACT);
    json_decref(j);
}

static int record_out(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct out *o = ctx;
    char buf[40];
    if (o->json) {
        json_item(o, kam_record_json(o->t, id, vals));
        return 0;
    }
    for (size_t i = 0; i < o->t->ncols; i++) {
        const char *s = kam_value_text(&o->t->cols[i], &vals[i], buf, sizeof(buf));
        if (i > 0)
            fputc(',', o->f);
        kam_csv_write_field(o->f, s, strlen(s));
    }
    fputc('\n', o->f);
    return ferror(o->f) != 0;
}

static const char *const order_header[] = {
    "order_id",   "line_no", "date", "account",  "product", "quantity",
    "unit_price", "amount",  "cost", "discount", "channel", "region",
};

static int order_out(void *ctx, const struct kam_order_line *l, const char *account,
                     const char *sku)
{
    struct out *o = ctx;
    char q[40], p[40], a[40], c[40] = "", d[40];
    kam_money_str(l->quantity, q, sizeof(q));
    kam_money_str(l->unit_price, p, sizeof(p));
    kam_money_str(l->amount, a, sizeof(a));
    if (l->cost != KAM_NONE)
        kam_money_str(l->cost, c, sizeof(c));
    kam_money_str(l->discount, d, sizeof(d));
    if (o->json) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(l->id));
        json_object_set_new(j, "order_id", json_string(l->order_id));
        json_object_set_new(j, "line_no", json_integer(l->line_no));
        json_object_set_new(j, "date", json_string(l->date));
        json_object_set_new(j, "account", json_string(account));
        json_object_set_new(j, "product", json_string(sku));
        json_object_set_new(j, "quantity", json_string(q));
        json_object_set_new(j, "unit_price", json_string(p));
        json_object_set_new(j, "amount", json_string(a));
        json_object_set_new(j, "cost", c[0] ? json_string(c) : json_null());
        json_object_set_new(j, "discount", json_string(d));
        json_object_set_new(j, "channel", l->channel[0] ? json_string(l->channel) : json_null());
        json_object_set_new(j, "region", l->region[0] ? json_string(l->region) : json_null());
        json_item(o, j);
        return 0;
    }
    const char *cells[] = {l->order_id, NULL, l->date, account, sku,        q,
                           p,           a,    c,       d,       l->channel, l->region};
    char no[24];
    snprintf(no, sizeof(no), "%lld", (long long)l->line_no);
    cells[1] = no;
    for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
        if (i > 0)
            fputc(',', o->f);
        kam_csv_write_field(o->f, cells[i], strlen(cells[i]));
    }
    fputc('\n', o->f);
    return ferror(o->f) != 0;
}

enum kam_rc kam_export(struct kam_store *st, enum kam_export_kind kind, bool json, FILE *f,
                       struct kam_err *err)
{
    struct out o = {f, json, kind_tables[kind], 0};
    enum kam_rc rc;

    if (json) {
        fputc('[', f);
    } else if (o.t) {
        for (size_t i = 0; i < o.t->ncols; i++)
            fprintf(f, "%s%s", i ? "," : "", o.t->cols[i].name);
        fputc('\n', f);
    } else {
        for (size_t i = 0; i < sizeof(order_header) / sizeof(order_header[0]); i++)
            fprintf(f, "%s%s", i ? "," : "", order_header[i]);
        fputc('\n', f);
    }
    if (o.t)
        rc = st->ops->each(st, o.t, 0, record_out, &o, err);
    else
        rc = st->ops->order_each(st, 0, order_out, &o, err);
    if (rc != KAM_OK)
        return rc;
    if (json)
        fputs(o.n ? "\n]\n" : "]\n", f);
    if (fflush(f) != 0 || ferror(f))
        return kam_err_set(err, KAM_ERR_IO, "cannot write the export");
    return KAM_OK;
}

/* --- encodings -------------------------------------------------------------------------------- */

bool kam_export_encoding_parse(const char *s, enum kam_export_encoding *out)
{
    if (strcasecmp(s, "utf-8") == 0 || strcasecmp(s, "utf8") == 0)
        *out = KAM_ENCODING_UTF8;
    else if (strcasecmp(s, "gb18030") == 0)
        *out = KAM_ENCODING_GB18030;
    else
        return false;
    return true;
}

#define RECODE_CHUNK (64 * 1024)

/* Converts in[0..*len) into out; an incomplete character at the end stays in in, moved to its
 * start, its length in *len. */
static enum kam_rc recode_chunk(iconv_t cd, char *in, size_t *len, FILE *out, int64_t *offset,
                                struct kam_err *err)
{
    char buf[RECODE_CHUNK];
    char *ip = in;
    size_t il = *len;
    while (il > 0) {
        char *op = buf;
        size_t ol = sizeof(buf);
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        int e = errno;
        if (fwrite(buf, 1, (size_t)(op - buf), out) != (size_t)(op - buf))
            return kam_err_set(err, KAM_ERR_IO, "cannot write the export");
        if (r != (size_t)-1 || e == EINVAL)
            break; /* all converted, or a character cut by the chunk's end */
        if (e != E2BIG)
            return kam_err_set(err, KAM_ERR_ENCODING,
                               "the export is not valid UTF-8 at byte %lld: cannot convert it",
                               (long long)(*offset + (ip - in)));
    }
    *offset += ip - in;
    memmove(in, ip, il);
    *len = il;
    return KAM_OK;
}

enum kam_rc kam_export_recode(FILE *in, enum kam_export_encoding enc, FILE *out,
                              struct kam_err *err)
{
    if (enc == KAM_ENCODING_UTF8)
        KAM_BUG("recode to UTF-8: the text is already UTF-8");
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1)
        return kam_err_set(err, KAM_ERR_IO, "this system cannot convert to GB18030");
    char *buf = kam_xmalloc(RECODE_CHUNK + 8);
    size_t carry = 0, n;
    int64_t offset = 0;
    enum kam_rc rc = KAM_OK;
    while (rc == KAM_OK && (n = fread(buf + carry, 1, RECODE_CHUNK, in)) > 0) {
        carry += n;
        rc = recode_chunk(cd, buf, &carry, out, &offset, err);
    }
    if (rc == KAM_OK && ferror(in))
        rc = kam_err_set(err, KAM_ERR_IO, "cannot read the export back: %s", strerror(errno));
    if (rc == KAM_OK && carry > 0)
        rc = kam_err_set(err, KAM_ERR_ENCODING, "the export ends inside a UTF-8 character");
    if (rc == KAM_OK && (fflush(out) != 0 || ferror(out)))
        rc = kam_err_set(err, KAM_ERR_IO, "cannot write the export");
    free(buf);
    iconv_close(cd);
    return rc;
}

typedef enum kam_rc (*csv_fn)(void *ctx, FILE *f, struct kam_err *err);

/* Runs fn on out when enc is UTF-8, else on a temporary file that is then converted to out. */
static enum kam_rc csv_in(enum kam_export_encoding enc, csv_fn fn, void *ctx, FILE *out,
                          struct kam_err *err)
{
    if (enc == KAM_ENCODING_UTF8)
        return fn(ctx, out, err);
    FILE *tmp = tmpfile();
    if (tmp == NULL)
        return kam_err_set(err, KAM_ERR_IO, "cannot create a temporary file: %s", strerror(errno));
    enum kam_rc rc = fn(ctx, tmp, err);
    if (rc == KAM_OK) {
        rewind(tmp);
        rc = kam_export_recode(tmp, enc, out, err);
    }
    fclose(tmp); /* read only by now: nothing to lose */
    return rc;
}

struct kind_csv {
    struct kam_store *st;
    enum kam_export_kind kind;
};

static enum kam_rc kind_csv(void *ctx, FILE *f, struct kam_err *err)
{
    struct kind_csv *k = ctx;
    return kam_export(k->st, k->kind, false, f, err);
}

enum kam_rc kam_export_csv(struct kam_store *st, enum kam_export_kind kind,
                           enum kam_export_encoding enc, FILE *out, struct kam_err *err)
{
    struct kind_csv k = {st, kind};
    return csv_in(enc, kind_csv, &k, out, err);
}

/* --- xlsx ------------------------------------------------------------------------------------- */

struct xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *money;
    lxw_row_t row;  /* the next row; 0 is the header */
    bool too_many;  /* a row beyond KAM_XLSX_MAX_ROWS was refused */
    char tmp[4096]; /* the file being written */
};

/* Column widths in characters: wide enough for most values without hiding the next column. */
static double width_of(const char *name, enum kam_vtype type)
{
    double w = type == KAM_V_MONEY ? 16 : type == KAM_V_INT ? 10 : type == KAM_V_DATE ? 12 : 18;
    if (strcmp(name, "name") == 0 || strcmp(name, "address") == 0)
        w = 32;
    double h = (double)strlen(name) + 2;
    return h > w ? h : w;
}

/* A workbook for path with one sheet and its bold header; types give the widths and which
 * columns are money. It is written under a temporary name that xlsx_close renames to path, so
 * a failed export leaves no partial file. KAM_ERR_IO when path cannot be written. */
static enum kam_rc xlsx_open(struct xlsx *x, const char *path, const char *sheet,
                             const char *const *names, const enum kam_vtype *types, size_t n,
                             struct kam_err *err)
{
    memset(x, 0, sizeof(*x));
    if ((size_t)snprintf(x->tmp, sizeof(x->tmp), "%s.tmp", path) >= sizeof(x->tmp))
        return kam_err_set(err, KAM_ERR_IO, "cannot write '%s': the name is too long", path);
    /* libxlsxwriter opens the file only when it closes the workbook: find out now, before the
     * work, whether it can be written, and say why not in our words. */
    FILE *probe = fopen(x->tmp, "wb");
    if (probe == NULL)
        return kam_err_set(err, KAM_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fclose(probe); /* empty: nothing to flush */
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE};
    x->wb = workbook_new_opt(x->tmp, &opts);
    if (x->wb == NULL) {
        remove(x->tmp);
        return kam_err_set(err, KAM_ERR_IO, "cannot create the workbook '%s'", path);
    }
    x->ws = workbook_add_worksheet(x->wb, sheet);
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    x->money = workbook_add_format(x->wb);
    format_set_num_format(x->money, "#,##0.00");
    for (size_t i = 0; i < n; i++) {
        worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, width_of(names[i], types[i]),
                             types[i] == KAM_V_MONEY ? x->money : NULL);
        worksheet_write_string(x->ws, 0, (lxw_col_t)i, names[i], x->bold);
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    x->row = 1;
    return KAM_OK;
}

/* Starts a row: false (stop) when the sheet is full. */
static bool xlsx_row(struct xlsx *x)
{
    if (x->row > KAM_XLSX_MAX_ROWS) {
        x->too_many = true;
        return false;
    }
    return true;
}

static void xlsx_text(struct xlsx *x, size_t col, const char *s)
{
    if (s[0])
        worksheet_write_string(x->ws, x->row, (lxw_col_t)col, s, NULL);
}

static void xlsx_money(struct xlsx *x, size_t col, kam_money v)
{
    worksheet_write_number(x->ws, x->row, (lxw_col_t)col, kam_money_to_double(v), x->money);
}

static void xlsx_value(struct xlsx *x, size_t col, const struct kam_column *c,
                       const struct kam_value *v)
{
    if (v->null)
        return;
    if (c->type == KAM_V_INT)
        worksheet_write_number(x->ws, x->row, (lxw_col_t)col, (double)v->i, NULL);
    else if (c->type == KAM_V_MONEY)
        xlsx_money(x, col, v->i);
    else
        xlsx_text(x, col, v->s);
}

/* Writes the file out and frees the workbook, then renames it to path, or removes it when rc
 * (the export's result so far) or the writing failed. */
static enum kam_rc xlsx_close(struct xlsx *x, const char *path, enum kam_rc rc, struct kam_err *err)
{
    lxw_error e = workbook_close(x->wb);
    if (rc == KAM_OK && x->too_many)
        rc = kam_err_set(err, KAM_ERR_TOO_LARGE,
                         "more than %d rows do not fit in one xlsx sheet: export CSV instead",
                         KAM_XLSX_MAX_ROWS);
    if (rc == KAM_OK && e != LXW_NO_ERROR)
        rc = kam_err_set(err, KAM_ERR_IO, "cannot write '%s': %s", path, lxw_strerror(e));
    if (rc == KAM_OK && rename(x->tmp, path) != 0)
        rc = kam_err_set(err, KAM_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    if (rc != KAM_OK)
        remove(x->tmp); /* may be absent already: nothing else to do about it */
    return rc;
}

struct xlsx_out {
    struct xlsx x;
    const struct kam_table *t;
};

static int record_xlsx(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct xlsx_out *o = ctx;
    (void)id;
    if (!xlsx_row(&o->x))
        return 1;
    for (size_t i = 0; i < o->t->ncols; i++)
        xlsx_value(&o->x, i, &o->t->cols[i], &vals[i]);
    o->x.row++;
    return 0;
}

static const enum kam_vtype order_types[] = {
    KAM_V_TEXT,  KAM_V_INT,   KAM_V_DATE,  KAM_V_TEXT,  KAM_V_TEXT, KAM_V_INT,
    KAM_V_MONEY, KAM_V_MONEY, KAM_V_MONEY, KAM_V_MONEY, KAM_V_TEXT, KAM_V_TEXT,
};

static int order_xlsx(void *ctx, const struct kam_order_line *l, const char *account,
                      const char *sku)
{
    struct xlsx *x = &((struct xlsx_out *)ctx)->x;
    lxw_col_t c = 0;
    if (!xlsx_row(x))
        return 1;
    xlsx_text(x, c++, l->order_id);
    worksheet_write_number(x->ws, x->row, c++, (double)l->line_no, NULL);
    xlsx_text(x, c++, l->date);
    xlsx_text(x, c++, account);
    xlsx_text(x, c++, sku);
    /* A quantity is not money: a plain number, its decimals as they are (kg, metres). */
    worksheet_write_number(x->ws, x->row, c++, kam_money_to_double(l->quantity), NULL);
    xlsx_money(x, c++, l->unit_price);
    xlsx_money(x, c++, l->amount);
    if (l->cost != KAM_NONE)
        xlsx_money(x, c, l->cost);
    c++;
    xlsx_money(x, c++, l->discount);
    xlsx_text(x, c++, l->channel);
    xlsx_text(x, c++, l->region);
    x->row++;
    return 0;
}

/* The column names and types of a table, plus extra money columns, into names and types. */
static size_t table_columns(const struct kam_table *t, const char *const *extra, size_t nextra,
                            const char **names, enum kam_vtype *types)
{
    size_t n = 0;
    for (size_t i = 0; i < t->ncols; i++, n++) {
        names[n] = t->cols[i].name;
        types[n] = t->cols[i].type;
    }
    for (size_t i = 0; i < nextra; i++, n++) {
        names[n] = extra[i];
        types[n] = KAM_V_MONEY;
    }
    return n;
}

#define MAX_COLUMNS 64

enum kam_rc kam_export_xlsx(struct kam_store *st, enum kam_export_kind kind, const char *path,
                            struct kam_err *err)
{
    struct xlsx_out o = {.t = kind_tables[kind]};
    const char *names[MAX_COLUMNS];
    enum kam_vtype types[MAX_COLUMNS];
    size_t n;
    enum kam_rc rc;

    if (o.t) {
        n = table_columns(o.t, NULL, 0, names, types);
    } else {
        n = sizeof(order_header) / sizeof(order_header[0]);
        memcpy(names, order_header, sizeof(order_header));
        memcpy(types, order_types, sizeof(order_types));
    }
    rc = xlsx_open(&o.x, path, kind_names[kind], names, types, n, err);
    if (rc != KAM_OK)
        return rc;
    if (o.t)
        rc = st->ops->each(st, o.t, 0, record_xlsx, &o, err);
    else
        rc = st->ops->order_each(st, 0, order_xlsx, &o, err);
    return xlsx_close(&o.x, path, rc, err);
}

/* --- the account list ------------------------------------------------------------------------- */

static const char *const list_extra[] = {"ttm_revenue", "total_revenue"};

struct list_out {
    FILE *f;        /* CSV, or */
    struct xlsx *x; /* xlsx */
    int64_t n, max; /* rows written; the bound (0 none) */
    bool too_many;
    const struct kam_account_query *q;
    struct kam_store *st;
};

static bool list_bounded(struct list_out *o)
{
    if (o->max > 0 && o->n >= o->max) {
        o->too_many = true;
        return false;
    }
    o->n++;
    return true;
}

static int list_csv_row(void *ctx, int64_t id, const struct kam_value *vals, kam_money ttm,
                        kam_money total)
{
    struct list_out *o = ctx;
    char buf[40];
    (void)id;
    if (!list_bounded(o))
        return 1;
    for (size_t i = 0; i < kam_accounts.ncols; i++) {
        const char *s = kam_value_text(&kam_accounts.cols[i], &vals[i], buf, sizeof(buf));
        if (i > 0)
            fputc(',', o->f);
        kam_csv_write_field(o->f, s, strlen(s));
    }
    fprintf(o->f, ",%s", kam_money_str(ttm, buf, sizeof(buf)));
    fprintf(o->f, ",%s\n", kam_money_str(total, buf, sizeof(buf)));
    return ferror(o->f) != 0;
}

static int list_xlsx_row(void *ctx, int64_t id, const struct kam_value *vals, kam_money ttm,
                         kam_money total)
{
    struct list_out *o = ctx;
    (void)id;
    if (!list_bounded(o) || !xlsx_row(o->x))
        return 1;
    for (size_t i = 0; i < kam_accounts.ncols; i++)
        xlsx_value(o->x, i, &kam_accounts.cols[i], &vals[i]);
    xlsx_money(o->x, kam_accounts.ncols, ttm);
    xlsx_money(o->x, kam_accounts.ncols + 1, total);
    o->x->row++;
    return 0;
}

static enum kam_rc list_run(struct list_out *o, kam_account_fn fn, struct kam_err *err)
{
    struct kam_account_query q = *o->q;
    q.item = NULL; /* fn, not the caller's item callback, gets the rows */
    enum kam_rc rc = o->st->ops->account_list(o->st, &q, fn, o, err);
    if (rc == KAM_OK && o->too_many)
        rc = kam_err_set(err, KAM_ERR_TOO_LARGE, "the export has more than %lld rows: narrow it",
                         (long long)o->max);
    return rc;
}

static enum kam_rc list_csv(void *ctx, FILE *f, struct kam_err *err)
{
    struct list_out *o = ctx;
    o->f = f;
    for (size_t i = 0; i < kam_accounts.ncols; i++)
        fprintf(f, "%s%s", i ? "," : "", kam_accounts.cols[i].name);
    fprintf(f, ",%s,%s\n", list_extra[0], list_extra[1]);
    enum kam_rc rc = list_run(o, list_csv_row, err);
    if (rc == KAM_OK && (fflush(f) != 0 || ferror(f)))
        rc = kam_err_set(err, KAM_ERR_IO, "cannot write the export");
    return rc;
}

enum kam_rc kam_export_accounts_csv(struct kam_store *st, const struct kam_account_query *q,
                                    enum kam_export_encoding enc, int64_t max_rows, FILE *out,
                                    int64_t *rows, struct kam_err *err)
{
    struct list_out o = {.max = max_rows, .q = q, .st = st};
    enum kam_rc rc = csv_in(enc, list_csv, &o, out, err);
    if (rows)
        *rows = o.n;
    return rc;
}

enum kam_rc kam_export_accounts_xlsx(struct kam_store *st, const struct kam_account_query *q,
                                     int64_t max_rows, const char *path, int64_t *rows,
                                     struct kam_err *err)
{
    struct xlsx x;
    struct list_out o = {.x = &x, .max = max_rows, .q = q, .st = st};
    const char *names[MAX_COLUMNS];
    enum kam_vtype types[MAX_COLUMNS];
    size_t n = table_columns(&kam_accounts, list_extra, 2, names, types);
    enum kam_rc rc = xlsx_open(&x, path, "accounts", names, types, n, err);
    if (rc != KAM_OK)
        return rc;
    rc = list_run(&o, list_xlsx_row, err);
    rc = xlsx_close(&x, path, rc, err);
    if (rows)
        *rows = o.n;
    return rc;
}
