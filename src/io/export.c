/* Export in the import's format. Records stream from the store to the output one at a time;
 * nothing is collected in memory, so exports of millions of order lines run in constant space. */
#include "io/export.h"

#include <string.h>

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
