/* The scoring model document: reads the versioned JSON format of docs/scoring-model.md with
 * jansson, checks it, and fills the engine structs of core/score.h and core/fuzzy.h, deriving the
 * weights with core/ahp.h when the document gives a judgement matrix (DOMAIN.md "Identify":
 * "Scoring model", static and dynamic rules, AHP weights, "Tiers").
 *
 * Every rejection starts with the JSON path of the problem (0-based, jq style), because a person
 * fixes the document, not the C structs: the checks the core already does are repeated here only
 * where its message could not name the place in the document (bands, membership functions, the
 * judgement cells, tier cuts); the core validators then run as a backstop. It does not compute
 * metrics, store the model or look at ratings people entered. */
#include "io/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/metrics.h"

/* The window of the metrics: 10 years is already more history than the rollups are built for. */
#define WINDOW_MIN     1
#define WINDOW_MAX     120
#define WINDOW_DEFAULT 12

#define PATH_MAX_LEN 160

static const char *const method_names[] = {"points", "fuzzy"};
static const char *const group_names[] = {"attractiveness", "potential", "relationship",
                                          "strategic", "behaviour"};
static const char *const transform_names[] = {"bands", "linear", "percentile"};
static const char *const missing_names[] = {"zero", "mean", "exclude"};
static const char *const operator_names[] = {"weighted_average", "main_factor"};
static const char *const shape_names[] = {"triangle", "trapezoid"};
static const char *const tier_method_names[] = {"score", "rank"};

#define NNAMES(a) (sizeof(a) / sizeof((a)[0]))

/* The keys each object may have; anything else is a typo. NULL-terminated. */
static const char *const root_keys[] = {"format",     "name", "method", "window_months", "ratings",
                                        "indicators", "ahp",  "fuzzy",  "tiers",         NULL};
static const char *const rating_keys[] = {"name", "min", "max", "label", NULL};
static const char *const label_keys[] = {"en", "zh", NULL};
static const char *const indicator_keys[] = {"name",      "group", "source", "label",
                                             "transform", "bands", "linear", "missing",
                                             "weight",    "fuzzy", NULL};
static const char *const band_keys[] = {"min", "max", "points", NULL};
static const char *const linear_keys[] = {"min", "max", NULL};
static const char *const mf_keys[] = {"shape", "a", "b", "c", "d", NULL};
static const char *const ahp_keys[] = {"matrix", NULL};
static const char *const fuzzy_keys[] = {"grades", "operator", "normalize", NULL};
static const char *const grade_keys[] = {"name", "score", "label", NULL};
static const char *const tier_keys[] = {"method", "cuts", NULL};

const char *kam_model_method_name(enum kam_model_method method)
{
    return (unsigned)method < NNAMES(method_names) ? method_names[method] : "unknown";
}

const char *kam_model_group_name(enum kam_model_group group)
{
    return (unsigned)group < NNAMES(group_names) ? group_names[group] : "unknown";
}

/* ---- errors and paths ---- */

/* Sets err to "path: message" with field = path; returns code. */
static enum kam_rc vfail(struct kam_err *err, enum kam_rc code, const char *path, const char *fmt,
                         va_list ap)
{
    char msg[sizeof(err->msg)];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (err != NULL) {
        snprintf(err->field, sizeof(err->field), "%s", path);
        err->line = 0;
    }
    return kam_err_set(err, code, "%s: %s", path, msg);
}

KAM_PRINTF(3, 4)
static enum kam_rc fail(struct kam_err *err, const char *path, const char *fmt, ...)
{
    va_list ap;
    enum kam_rc rc;

    va_start(ap, fmt);
    rc = vfail(err, KAM_ERR_INVALID, path, fmt, ap);
    va_end(ap);
    return rc;
}

/* For the caps of the engines (KAM_ERR_TOO_LARGE) and errors passed on from them. */
KAM_PRINTF(4, 5)
static enum kam_rc fail_code(struct kam_err *err, enum kam_rc code, const char *path,
                             const char *fmt, ...)
{
    va_list ap;
    enum kam_rc rc;

    va_start(ap, fmt);
    rc = vfail(err, code, path, fmt, ap);
    va_end(ap);
    return rc;
}

/* Paths are only ever cut short by an unknown key of absurd length, which is still recognisable
 * from its start; through vsnprintf so that the compiler does not insist on the length. */
KAM_PRINTF(2, 3)
static const char *path_fmt(char *buf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, PATH_MAX_LEN, fmt, ap);
    va_end(ap);
    return buf;
}

/* "path.key", or "key" at the top level. */
static const char *key_path(char *buf, const char *path, const char *key)
{
    return path[0] ? path_fmt(buf, "%s.%s", path, key) : path_fmt(buf, "%s", key);
}

/* "path[i]". */
static const char *index_path(char *buf, const char *path, size_t i)
{
    return path_fmt(buf, "%s[%zu]", path, i);
}

/* What a value is, for "expected X, got Y". */
static const char *type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

/* "a, b, c" of a NULL-terminated list, or of n names. */
static const char *join(char *buf, size_t size, const char *const *names, size_t n)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && names[i] != NULL && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", names[i]);
    return buf;
}

/* %g that shows the open ends of bands and functions as -inf and inf on every libc. */
static const char *fmt_num(char *buf, size_t size, double x)
{
    if (isinf(x))
        snprintf(buf, size, "%s", x < 0 ? "-inf" : "inf");
    else
        snprintf(buf, size, "%g", x);
    return buf;
}

/* ---- typed access ---- */

static enum kam_rc check_keys(const json_t *obj, const char *path, const char *const *allowed,
                              struct kam_err *err)
{
    const char *key;
    json_t *v;
    char p[PATH_MAX_LEN], list[256];

    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i;
        for (i = 0; allowed[i] != NULL && strcmp(allowed[i], key) != 0; i++)
            ;
        if (allowed[i] == NULL)
            return fail(err, key_path(p, path, key), "unknown key; expected one of %s",
                        join(list, sizeof(list), allowed, SIZE_MAX));
    }
    return KAM_OK;
}

static enum kam_rc want_object(const json_t *v, const char *path, const char *const *keys,
                               struct kam_err *err)
{
    if (!json_is_object(v))
        return fail(err, path, "expected an object, got %s", type_of(v));
    return check_keys(v, path, keys, err);
}

/* The index of v's string in names[0..n), or an error listing them. */
static enum kam_rc get_enum(const json_t *v, const char *path, const char *const *names, size_t n,
                            int *out, struct kam_err *err)
{
    char list[256];

    if (json_is_string(v))
        for (size_t i = 0; i < n; i++)
            if (strcmp(json_string_value(v), names[i]) == 0) {
                *out = (int)i;
                return KAM_OK;
            }
    join(list, sizeof(list), names, n);
    if (json_is_string(v))
        return fail(err, path, "unknown value '%s'; expected one of %s", json_string_value(v),
                    list);
    return fail(err, path, "expected one of %s, got %s", list, type_of(v));
}

/* A finite number; null is allowed (and gives open) when open is not NaN. */
static enum kam_rc get_number(const json_t *v, const char *path, double open, double *out,
                              struct kam_err *err)
{
    if (json_is_null(v) && !isnan(open)) {
        *out = open;
        return KAM_OK;
    }
    if (!json_is_number(v))
        return fail(err, path, "expected a number%s, got %s", isnan(open) ? "" : " or null",
                    type_of(v));
    *out = json_number_value(v);
    return KAM_OK;
}

/* The number at obj.key, which must be there ("missing" and hint otherwise). */
static enum kam_rc need_number(const json_t *obj, const char *path, const char *key, double open,
                               const char *hint, double *out, struct kam_err *err)
{
    const json_t *v = json_object_get(obj, key);
    char q[PATH_MAX_LEN];

    key_path(q, path, key);
    if (v == NULL)
        return fail(err, q, "missing%s", hint);
    return get_number(v, q, open, out, err);
}

/* An identifier: [a-z][a-z0-9_]*, at most KAM_MODEL_MAX_NAME bytes. Ratings are named on the
 * command line (`kam rate ACCOUNT NAME VALUE`) and in URLs, so no spaces, case or quoting. */
static enum kam_rc get_name(const json_t *v, const char *path, const char **out,
                            struct kam_err *err)
{
    const char *s;
    size_t n;

    if (!json_is_string(v))
        return fail(err, path, "expected a name, got %s", type_of(v));
    s = json_string_value(v);
    n = strlen(s);
    if (n == 0)
        return fail(err, path, "empty name");
    if (n > KAM_MODEL_MAX_NAME)
        return fail(err, path, "name '%.20s...' is %zu bytes long; at most %d are allowed", s, n,
                    KAM_MODEL_MAX_NAME);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (i > 0 && ((c >= '0' && c <= '9') || c == '_'))))
            return fail(err, path,
                        "'%s' is not a valid name; use lower-case letters, digits and '_', "
                        "starting with a letter",
                        s);
    }
    *out = s;
    return KAM_OK;
}

/* ---- the parse ---- */

struct parse {
    struct kam_model *m;
    const json_t *root;
    struct kam_err *err;
    struct kam_model_indicator *inds; /* m->indicators, writable */
    bool ahp;                         /* the document has an "ahp" matrix: no direct weights */
    double *ahpm;                     /* its n x n judgements, row-major */
};

static char *dup(struct parse *ps, const char *s)
{
    return s != NULL ? kam_arena_strdup(&ps->m->arena, s) : NULL;
}

static void *alloc(struct parse *ps, size_t count, size_t size)
{
    void *p = kam_arena_alloc(&ps->m->arena, count * size);
    memset(p, 0, count * size);
    return p;
}

static enum kam_rc parse_label(struct parse *ps, const json_t *v, const char *path,
                               struct kam_model_label *out)
{
    const char *const langs[] = {"en", "zh"};
    const char **dst[] = {&out->en, &out->zh};
    char p[PATH_MAX_LEN];
    enum kam_rc rc;

    out->en = out->zh = NULL;
    if (v == NULL)
        return KAM_OK;
    rc = want_object(v, path, label_keys, ps->err);
    if (rc != KAM_OK)
        return rc;
    for (size_t i = 0; i < NNAMES(langs); i++) {
        const json_t *s = json_object_get(v, langs[i]);
        if (s == NULL)
            continue;
        if (!json_is_string(s))
            return fail(ps->err, key_path(p, path, langs[i]), "expected a string, got %s",
                        type_of(s));
        *dst[i] = dup(ps, json_string_value(s));
    }
    return KAM_OK;
}

static enum kam_rc parse_format(struct parse *ps)
{
    const json_t *v = json_object_get(ps->root, "format");

    if (v == NULL)
        return fail(ps->err, "format", "missing; expected %d", KAM_MODEL_FORMAT);
    if (!json_is_integer(v))
        return fail(ps->err, "format", "expected the integer %d, got %s", KAM_MODEL_FORMAT,
                    type_of(v));
    if (json_integer_value(v) != KAM_MODEL_FORMAT)
        return fail(ps->err, "format",
                    "%" JSON_INTEGER_FORMAT " is not supported; this kam reads format %d",
                    json_integer_value(v), KAM_MODEL_FORMAT);
    return KAM_OK;
}

static enum kam_rc parse_head(struct parse *ps)
{
    const json_t *v;
    int method = KAM_MODEL_POINTS;
    enum kam_rc rc;

    v = json_object_get(ps->root, "name");
    if (v == NULL)
        return fail(ps->err, "name", "missing; give the model a name");
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(ps->err, "name", "expected a non-empty string, got %s",
                    json_is_string(v) ? "an empty one" : type_of(v));
    ps->m->name = dup(ps, json_string_value(v));

    v = json_object_get(ps->root, "method");
    if (v != NULL) {
        rc = get_enum(v, "method", method_names, NNAMES(method_names), &method, ps->err);
        if (rc != KAM_OK)
            return rc;
    }
    ps->m->method = (enum kam_model_method)method;

    ps->m->window_months = WINDOW_DEFAULT;
    v = json_object_get(ps->root, "window_months");
    if (v != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < WINDOW_MIN ||
            json_integer_value(v) > WINDOW_MAX) {
            char got[64];
            if (json_is_integer(v))
                snprintf(got, sizeof(got), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            else
                snprintf(got, sizeof(got), "%s", type_of(v));
            return fail(ps->err, "window_months",
                        "expected a whole number of months from %d to %d, got %s", WINDOW_MIN,
                        WINDOW_MAX, got);
        }
        ps->m->window_months = (int)json_integer_value(v);
    }
    return KAM_OK;
}

static enum kam_rc parse_ratings(struct parse *ps)
{
    const json_t *arr = json_object_get(ps->root, "ratings");
    struct kam_model_rating *r;
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
    size_t n;
    enum kam_rc rc;

    if (arr == NULL)
        return KAM_OK;
    if (!json_is_array(arr))
        return fail(ps->err, "ratings", "expected an array, got %s", type_of(arr));
    n = json_array_size(arr);
    if (n > KAM_MODEL_MAX_RATINGS)
        return fail_code(ps->err, KAM_ERR_TOO_LARGE, "ratings",
                         "%zu ratings; at most %d are allowed", n, KAM_MODEL_MAX_RATINGS);
    r = alloc(ps, n, sizeof(*r));
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(arr, i), *v;
        index_path(p, "ratings", i);
        rc = want_object(o, p, rating_keys, ps->err);
        if (rc != KAM_OK)
            return rc;
        if ((v = json_object_get(o, "name")) == NULL)
            return fail(ps->err, key_path(q, p, "name"), "missing");
        rc = get_name(v, key_path(q, p, "name"), &r[i].name, ps->err);
        if (rc != KAM_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(r[j].name, r[i].name) == 0)
                return fail(ps->err, q, "'%s' is already the name of ratings[%zu]", r[i].name, j);
        r[i].name = dup(ps, r[i].name);
        rc = need_number(o, p, "min", NAN, "; give the lowest rating", &r[i].min, ps->err);
        if (rc == KAM_OK)
            rc = need_number(o, p, "max", NAN, "; give the highest rating", &r[i].max, ps->err);
        if (rc != KAM_OK)
            return rc;
        if (!(r[i].min < r[i].max))
            return fail(ps->err, p, "min %g is not below max %g", r[i].min, r[i].max);
        rc = parse_label(ps, json_object_get(o, "label"), key_path(q, p, "label"), &r[i].label);
        if (rc != KAM_OK)
            return rc;
    }
    ps->m->ratings = r;
    ps->m->nratings = n;
    return KAM_OK;
}

static enum kam_rc parse_fuzzy_head(struct parse *ps)
{
    const json_t *o = json_object_get(ps->root, "fuzzy"), *arr, *v;
    struct kam_model *m = ps->m;
    struct kam_model_label *labels;
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
    size_t n;
    int op = KAM_FUZZY_WEIGHTED_AVERAGE;
    enum kam_rc rc;

    if (m->method != KAM_MODEL_FUZZY) {
        if (o != NULL)
            return fail(ps->err, "fuzzy",
                        "only used by method 'fuzzy'; set \"method\": \"fuzzy\" or remove it");
        return KAM_OK;
    }
    if (o == NULL)
        return fail(ps->err, "fuzzy", "missing; method 'fuzzy' needs the grades");
    rc = want_object(o, "fuzzy", fuzzy_keys, ps->err);
    if (rc != KAM_OK)
        return rc;
    arr = json_object_get(o, "grades");
    if (arr == NULL)
        return fail(ps->err, "fuzzy.grades", "missing; list the grades, best first");
    if (!json_is_array(arr))
        return fail(ps->err, "fuzzy.grades", "expected an array, got %s", type_of(arr));
    n = json_array_size(arr);
    if (n == 0)
        return fail(ps->err, "fuzzy.grades", "empty; list the grades, best first");
    if (n > KAM_FUZZY_MAX_GRADES)
        return fail_code(ps->err, KAM_ERR_TOO_LARGE, "fuzzy.grades",
                         "%zu grades; at most %d are allowed", n, KAM_FUZZY_MAX_GRADES);
    m->grades = alloc(ps, n, sizeof(*m->grades));
    labels = alloc(ps, n, sizeof(*labels));
    for (size_t j = 0; j < n; j++) {
        struct kam_fuzzy_grade *g = &m->grades[j];
        const json_t *go = json_array_get(arr, j);
        index_path(p, "fuzzy.grades", j);
        rc = want_object(go, p, grade_keys, ps->err);
        if (rc != KAM_OK)
            return rc;
        if ((v = json_object_get(go, "name")) == NULL)
            return fail(ps->err, key_path(q, p, "name"), "missing");
        rc = get_name(v, key_path(q, p, "name"), &g->name, ps->err);
        if (rc != KAM_OK)
            return rc;
        for (size_t i = 0; i < j; i++)
            if (strcmp(m->grades[i].name, g->name) == 0)
                return fail(ps->err, q, "'%s' is already the name of fuzzy.grades[%zu]", g->name,
                            i);
        g->name = dup(ps, g->name);
        rc = need_number(go, p, "score", NAN, "", &g->score, ps->err);
        if (rc != KAM_OK)
            return rc;
        key_path(q, p, "score");
        /* Best first: a list typed worst first would silently turn every grade around. */
        if (j > 0 && !(g->score < m->grades[j - 1].score))
            return fail(ps->err, q,
                        "%g is not below the score of fuzzy.grades[%zu] (%g); list the grades "
                        "best first",
                        g->score, j - 1, m->grades[j - 1].score);
        rc = parse_label(ps, json_object_get(go, "label"), key_path(q, p, "label"), &labels[j]);
        if (rc != KAM_OK)
            return rc;
    }
    v = json_object_get(o, "operator");
    if (v != NULL) {
        rc = get_enum(v, "fuzzy.operator", operator_names, NNAMES(operator_names), &op, ps->err);
        if (rc != KAM_OK)
            return rc;
    }
    m->fuzzy.flags = 0;
    v = json_object_get(o, "normalize");
    if (v != NULL) {
        if (!json_is_boolean(v))
            return fail(ps->err, "fuzzy.normalize", "expected true or false, got %s", type_of(v));
        if (json_is_true(v))
            m->fuzzy.flags |= KAM_FUZZY_NORMALIZE;
    }
    m->fuzzy.grades = m->grades;
    m->fuzzy.ngrades = n;
    m->fuzzy.op = (enum kam_fuzzy_operator)op;
    m->grade_labels = labels;
    return KAM_OK;
}

static enum kam_rc parse_source(struct parse *ps, const json_t *v, const char *path,
                                struct kam_model_indicator *ind)
{
    const char *s, *name;
    int i;

    if (v == NULL)
        return fail(ps->err, path, "missing; write \"metric:NAME\" or \"rating:NAME\"");
    if (!json_is_string(v))
        return fail(ps->err, path, "expected \"metric:NAME\" or \"rating:NAME\", got %s",
                    type_of(v));
    s = json_string_value(v);
    if (strncmp(s, "metric:", 7) == 0) {
        name = s + 7;
        i = kam_metric_find(name);
        if (i < 0)
            return fail(ps->err, path, "unknown metric '%s'", name);
        ind->source = KAM_MODEL_METRIC;
        ind->index = (size_t)i;
        return KAM_OK;
    }
    if (strncmp(s, "rating:", 7) == 0) {
        name = s + 7;
        i = kam_model_rating_find(ps->m, name);
        if (i < 0)
            return fail(ps->err, path, "rating '%s' is not declared in ratings", name);
        ind->source = KAM_MODEL_RATING;
        ind->index = (size_t)i;
        return KAM_OK;
    }
    return fail(ps->err, path, "'%s' names no kind of source; write \"metric:%s\" or \"rating:%s\"",
                s, s, s);
}

static enum kam_rc parse_bands(struct parse *ps, const json_t *arr, const char *path,
                               struct kam_score_indicator *si)
{
    struct kam_score_band *b;
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN], x[4][32];
    size_t n;
    enum kam_rc rc;

    if (!json_is_array(arr))
        return fail(ps->err, path, "expected an array of bands, got %s", type_of(arr));
    n = json_array_size(arr);
    if (n == 0)
        return fail(ps->err, path, "empty; give at least one band");
    if (n > KAM_SCORE_MAX_BANDS)
        return fail_code(ps->err, KAM_ERR_TOO_LARGE, path, "%zu bands; at most %d are allowed", n,
                         KAM_SCORE_MAX_BANDS);
    b = alloc(ps, n, sizeof(*b));
    for (size_t j = 0; j < n; j++) {
        const json_t *o = json_array_get(arr, j);
        static const char *const ends[] = {"min", "max"};
        double *dst[] = {&b[j].min, &b[j].max};

        index_path(p, path, j);
        rc = want_object(o, p, band_keys, ps->err);
        if (rc != KAM_OK)
            return rc;
        for (size_t e = 0; e < 2; e++) {
            rc = need_number(o, p, ends[e], e == 0 ? -INFINITY : INFINITY,
                             "; use null for an open end", dst[e], ps->err);
            if (rc != KAM_OK)
                return rc;
        }
        if (!(b[j].min < b[j].max))
            return fail(ps->err, p, "[%s, %s) is empty; min must be below max",
                        fmt_num(x[0], sizeof(x[0]), b[j].min),
                        fmt_num(x[1], sizeof(x[1]), b[j].max));
        rc = need_number(o, p, "points", NAN, "", &b[j].points, ps->err);
        if (rc != KAM_OK)
            return rc;
        if (!(b[j].points >= 0 && b[j].points <= 100))
            return fail(ps->err, key_path(q, p, "points"), "%g points; expected 0 to 100",
                        b[j].points);
        /* Half-open: [0, 10) and [10, 20) only touch. The later band is the one reported. */
        for (size_t i = 0; i < j; i++)
            if (b[i].min < b[j].max && b[j].min < b[i].max)
                return fail(
                    ps->err, p, "overlaps %s[%zu] ([%s, %s) and [%s, %s))", path, i,
                    fmt_num(x[0], sizeof(x[0]), b[j].min), fmt_num(x[1], sizeof(x[1]), b[j].max),
                    fmt_num(x[2], sizeof(x[2]), b[i].min), fmt_num(x[3], sizeof(x[3]), b[i].max));
    }
    si->bands = b;
    si->nbands = n;
    return KAM_OK;
}

static enum kam_rc parse_linear(struct parse *ps, const json_t *v, const char *path,
                                struct kam_score_indicator *si)
{
    enum kam_rc rc;

    if (json_is_string(v) && strcmp(json_string_value(v), "portfolio") == 0) {
        si->from_portfolio = true;
        return KAM_OK;
    }
    if (!json_is_object(v))
        return fail(ps->err, path, "expected {\"min\": ..., \"max\": ...} or \"portfolio\", got %s",
                    type_of(v));
    rc = check_keys(v, path, linear_keys, ps->err);
    if (rc != KAM_OK)
        return rc;
    rc = need_number(v, path, "min", NAN, "", &si->min, ps->err);
    if (rc == KAM_OK)
        rc = need_number(v, path, "max", NAN, "", &si->max, ps->err);
    if (rc != KAM_OK)
        return rc;
    if (!(si->min <= si->max))
        return fail(ps->err, path, "min %g is above max %g", si->min, si->max);
    return KAM_OK;
}

/* One membership function. null is an open end: -inf for a and b, inf for c and d. */
static enum kam_rc parse_mf(struct parse *ps, const json_t *o, const char *path,
                            struct kam_fuzzy_mf *mf)
{
    static const char *const params[] = {"a", "b", "c", "d"};
    double *dst[] = {&mf->a, &mf->b, &mf->c, &mf->d};
    char q[PATH_MAX_LEN], x[4][32];
    int shape;
    size_t np;
    enum kam_rc rc;

    rc = want_object(o, path, mf_keys, ps->err);
    if (rc != KAM_OK)
        return rc;
    key_path(q, path, "shape");
    if (json_object_get(o, "shape") == NULL)
        return fail(ps->err, q, "missing; \"triangle\" or \"trapezoid\"");
    rc =
        get_enum(json_object_get(o, "shape"), q, shape_names, NNAMES(shape_names), &shape, ps->err);
    if (rc != KAM_OK)
        return rc;
    mf->shape = (enum kam_fuzzy_shape)shape;
    np = mf->shape == KAM_FUZZY_TRIANGLE ? 3 : 4;
    mf->d = 0;
    for (size_t i = 0; i < 4; i++) {
        const json_t *v = json_object_get(o, params[i]);
        if (i == 3 && np == 3) {
            if (v != NULL)
                return fail(ps->err, key_path(q, path, "d"),
                            "a triangle has only a, b and c; use a trapezoid for four points");
            break;
        }
        rc = need_number(o, path, params[i], i < 2 ? -INFINITY : INFINITY, "", dst[i], ps->err);
        if (rc != KAM_OK)
            return rc;
    }
    for (size_t i = 0; i < np; i++)
        fmt_num(x[i], sizeof(x[i]), *dst[i]);
    if (np == 3) {
        if (!(mf->a <= mf->b && mf->b <= mf->c))
            return fail(ps->err, path, "triangle (%s, %s, %s) is not ordered a <= b <= c", x[0],
                        x[1], x[2]);
        if (isinf(mf->a) || isinf(mf->b) || isinf(mf->c))
            return fail(ps->err, path,
                        "triangle (%s, %s, %s) must be bounded; for an open end use a trapezoid "
                        "with a and b null, or c and d null",
                        x[0], x[1], x[2]);
        return KAM_OK;
    }
    if (!(mf->a <= mf->b && mf->b <= mf->c && mf->c <= mf->d))
        return fail(ps->err, path, "trapezoid (%s, %s, %s, %s) is not ordered a <= b <= c <= d",
                    x[0], x[1], x[2], x[3]);
    if ((isinf(mf->a) && !isinf(mf->b)) || (isinf(mf->d) && !isinf(mf->c)))
        return fail(ps->err, path,
                    "trapezoid (%s, %s, %s, %s) slopes to infinity; an open end needs a and b "
                    "null, or c and d null",
                    x[0], x[1], x[2], x[3]);
    return KAM_OK;
}

static enum kam_rc parse_mfs(struct parse *ps, const json_t *arr, const char *path,
                             struct kam_fuzzy_indicator *fi)
{
    const size_t m = ps->m->fuzzy.ngrades;
    char p[PATH_MAX_LEN];
    enum kam_rc rc;

    if (arr == NULL)
        return fail(ps->err, path,
                    "missing; method 'fuzzy' needs one membership function per "
                    "grade, best first");
    if (!json_is_array(arr))
        return fail(ps->err, path, "expected an array, got %s", type_of(arr));
    if (json_array_size(arr) != m)
        return fail(ps->err, path,
                    "%zu membership functions for %zu grades; give one per grade, best first",
                    json_array_size(arr), m);
    for (size_t j = 0; j < m; j++) {
        rc = parse_mf(ps, json_array_get(arr, j), index_path(p, path, j), &fi->mf[j]);
        if (rc != KAM_OK)
            return rc;
    }
    return KAM_OK;
}

/* Transformation, bands or scale, missing rule: method points only. */
static enum kam_rc parse_points(struct parse *ps, const json_t *o, const char *path,
                                struct kam_score_indicator *si)
{
    const json_t *bands = json_object_get(o, "bands"), *linear = json_object_get(o, "linear");
    const json_t *v;
    char q[PATH_MAX_LEN];
    int t, miss = KAM_SCORE_MISSING_ZERO;
    enum kam_rc rc;

    if (json_object_get(o, "fuzzy") != NULL)
        return fail(ps->err, key_path(q, path, "fuzzy"),
                    "membership functions are only used by method 'fuzzy'");
    if ((v = json_object_get(o, "transform")) == NULL)
        return fail(ps->err, key_path(q, path, "transform"), "missing; expected one of %s, %s, %s",
                    transform_names[0], transform_names[1], transform_names[2]);
    rc = get_enum(v, key_path(q, path, "transform"), transform_names, NNAMES(transform_names), &t,
                  ps->err);
    if (rc != KAM_OK)
        return rc;
    si->transform = (enum kam_score_transform)t;
    if (si->transform != KAM_SCORE_BANDS && bands != NULL)
        return fail(ps->err, key_path(q, path, "bands"), "only used with transform 'bands'");
    if (si->transform != KAM_SCORE_LINEAR && linear != NULL)
        return fail(ps->err, key_path(q, path, "linear"), "only used with transform 'linear'");
    if (si->transform == KAM_SCORE_BANDS) {
        if (bands == NULL)
            return fail(ps->err, key_path(q, path, "bands"),
                        "missing; transform 'bands' needs a list of bands");
        rc = parse_bands(ps, bands, key_path(q, path, "bands"), si);
        if (rc != KAM_OK)
            return rc;
    } else if (si->transform == KAM_SCORE_LINEAR) {
        if (linear == NULL)
            return fail(ps->err, key_path(q, path, "linear"),
                        "missing; transform 'linear' needs {\"min\": ..., \"max\": ...} or "
                        "\"portfolio\"");
        rc = parse_linear(ps, linear, key_path(q, path, "linear"), si);
        if (rc != KAM_OK)
            return rc;
    }
    if ((v = json_object_get(o, "missing")) != NULL) {
        rc = get_enum(v, key_path(q, path, "missing"), missing_names, NNAMES(missing_names), &miss,
                      ps->err);
        if (rc != KAM_OK)
            return rc;
    }
    si->missing = (enum kam_score_missing)miss;
    return KAM_OK;
}

static enum kam_rc parse_indicator(struct parse *ps, const json_t *o, size_t i)
{
    struct kam_model *m = ps->m;
    struct kam_model_indicator *ind = &ps->inds[i];
    struct kam_score_indicator *si = &m->score_indicators[i];
    const json_t *v;
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN], list[256];
    int group;
    enum kam_rc rc;

    index_path(p, "indicators", i);
    rc = want_object(o, p, indicator_keys, ps->err);
    if (rc != KAM_OK)
        return rc;
    if ((v = json_object_get(o, "name")) == NULL)
        return fail(ps->err, key_path(q, p, "name"), "missing");
    rc = get_name(v, key_path(q, p, "name"), &ind->name, ps->err);
    if (rc != KAM_OK)
        return rc;
    for (size_t j = 0; j < i; j++)
        if (strcmp(m->indicators[j].name, ind->name) == 0)
            return fail(ps->err, q, "'%s' is already the name of indicators[%zu]", ind->name, j);
    ind->name = dup(ps, ind->name);
    if ((v = json_object_get(o, "group")) == NULL)
        return fail(ps->err, key_path(q, p, "group"), "missing; expected one of %s",
                    join(list, sizeof(list), group_names, NNAMES(group_names)));
    rc = get_enum(v, key_path(q, p, "group"), group_names, NNAMES(group_names), &group, ps->err);
    if (rc != KAM_OK)
        return rc;
    ind->group = (enum kam_model_group)group;
    rc = parse_source(ps, json_object_get(o, "source"), key_path(q, p, "source"), ind);
    if (rc != KAM_OK)
        return rc;
    rc = parse_label(ps, json_object_get(o, "label"), key_path(q, p, "label"), &ind->label);
    if (rc != KAM_OK)
        return rc;

    si->name = ind->name;
    ind->score = si;
    if (m->method == KAM_MODEL_POINTS) {
        rc = parse_points(ps, o, p, si);
        if (rc != KAM_OK)
            return rc;
    } else {
        static const char *const points_only[] = {"transform", "bands", "linear", "missing"};
        struct kam_fuzzy_indicator *fi = &m->fuzzy_indicators[i];

        for (size_t k = 0; k < NNAMES(points_only); k++)
            if (json_object_get(o, points_only[k]) != NULL)
                return fail(ps->err, key_path(q, p, points_only[k]),
                            "not used by method 'fuzzy': the membership functions take the raw "
                            "value, and a missing value's weight goes to the others");
        fi->name = ind->name;
        ind->fuzzy = fi;
        rc = parse_mfs(ps, json_object_get(o, "fuzzy"), key_path(q, p, "fuzzy"), fi);
        if (rc != KAM_OK)
            return rc;
    }

    v = json_object_get(o, "weight");
    if (ps->ahp) {
        if (v != NULL)
            return fail(ps->err, key_path(q, p, "weight"),
                        "not allowed with \"ahp\": the weights come from ahp.matrix; remove one "
                        "or the other");
    } else {
        if (v == NULL)
            return fail(ps->err, key_path(q, p, "weight"),
                        "missing; give every indicator a weight, or an \"ahp\" matrix");
        rc = get_number(v, key_path(q, p, "weight"), NAN, &si->weight, ps->err);
        if (rc != KAM_OK)
            return rc;
        if (si->weight < 0)
            return fail(ps->err, q, "%g is negative", si->weight);
    }
    return KAM_OK;
}

static enum kam_rc parse_indicators(struct parse *ps)
{
    const json_t *arr = json_object_get(ps->root, "indicators");
    struct kam_model *m = ps->m;
    size_t n;
    double sum = 0;
    enum kam_rc rc;

    if (arr == NULL)
        return fail(ps->err, "indicators", "missing; the model needs at least one indicator");
    if (!json_is_array(arr))
        return fail(ps->err, "indicators", "expected an array, got %s", type_of(arr));
    n = json_array_size(arr);
    if (n == 0)
        return fail(ps->err, "indicators", "empty; the model needs at least one indicator");
    if (n > KAM_SCORE_MAX_INDICATORS)
        return fail_code(ps->err, KAM_ERR_TOO_LARGE, "indicators",
                         "%zu indicators; at most %d are allowed", n, KAM_SCORE_MAX_INDICATORS);
    ps->inds = alloc(ps, n, sizeof(*ps->inds));
    m->indicators = ps->inds;
    m->nindicators = n;
    m->score_indicators = alloc(ps, n, sizeof(*m->score_indicators));
    if (m->method == KAM_MODEL_FUZZY)
        m->fuzzy_indicators = alloc(ps, n, sizeof(*m->fuzzy_indicators));
    for (size_t i = 0; i < n; i++) {
        rc = parse_indicator(ps, json_array_get(arr, i), i);
        if (rc != KAM_OK)
            return rc;
        sum += m->score_indicators[i].weight;
    }
    if (!ps->ahp && fabs(sum - 1.0) > 1e-9)
        return fail(ps->err, "indicators", "weights sum to %.12g, not 1", sum);
    return KAM_OK;
}

/* A judgement: a number, or a string "a/b" or "a" so that 1/3 can be written exactly. */
static bool judgement(const json_t *v, double *out)
{
    const char *s;
    char *end;
    double num, den = 1;

    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    s = json_string_value(v);
    num = strtod(s, &end);
    if (end == s)
        return false;
    while (*end == ' ')
        end++;
    if (*end == '/') {
        s = end + 1;
        den = strtod(s, &end);
        if (end == s)
            return false;
        while (*end == ' ')
            end++;
    }
    if (*end != '\0')
        return false;
    *out = num / den;
    return true;
}

/* A judgement for messages: "5", "1/3", "0.4". */
static const char *fmt_judgement(char *buf, size_t size, double x)
{
    double r = 1.0 / x;

    if (x < 1 && fabs(r - round(r)) < 1e-9 * r)
        snprintf(buf, size, "1/%g", round(r));
    else
        snprintf(buf, size, "%.3g", x);
    return buf;
}

static enum kam_rc parse_ahp(struct parse *ps)
{
    const json_t *o = json_object_get(ps->root, "ahp"), *mat;
    struct kam_model *m = ps->m;
    const size_t n = m->nindicators;
    double *a;
    char p[PATH_MAX_LEN], bx[32], by[32], crs[32];
    enum kam_rc rc;

    if (o == NULL)
        return KAM_OK;
    rc = want_object(o, "ahp", ahp_keys, ps->err);
    if (rc != KAM_OK)
        return rc;
    mat = json_object_get(o, "matrix");
    if (mat == NULL)
        return fail(ps->err, "ahp.matrix",
                    "missing; give the pairwise judgements, one row per "
                    "indicator");
    if (!json_is_array(mat))
        return fail(ps->err, "ahp.matrix", "expected an array of rows, got %s", type_of(mat));
    if (n > KAM_AHP_MAX)
        return fail_code(ps->err, KAM_ERR_TOO_LARGE, "ahp.matrix",
                         "%zu indicators; AHP compares at most %d (give direct weights instead)", n,
                         KAM_AHP_MAX);
    if (json_array_size(mat) != n)
        return fail(ps->err, "ahp.matrix",
                    "%zu rows for %zu indicators; give one row per indicator, in their order",
                    json_array_size(mat), n);
    a = alloc(ps, n * n, sizeof(*a));
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_array_get(mat, i);
        index_path(p, "ahp.matrix", i);
        if (!json_is_array(row))
            return fail(ps->err, p, "expected an array of %zu judgements, got %s", n, type_of(row));
        if (json_array_size(row) != n)
            return fail(ps->err, p, "%zu judgements for %zu indicators; give one per indicator",
                        json_array_size(row), n);
        for (size_t j = 0; j < n; j++) {
            char q[PATH_MAX_LEN];
            double x;
            index_path(q, p, j);
            if (!judgement(json_array_get(row, j), &x))
                return fail(ps->err, q, "expected a number or a fraction such as \"1/3\", got %s",
                            type_of(json_array_get(row, j)));
            if (!(isfinite(x) && x > 0))
                return fail(ps->err, q, "%g is not a positive number", x);
            a[i * n + j] = x;
        }
    }
    /* The cell checks of kam_ahp_compute(), here to name the cells by their JSON path. */
    for (size_t i = 0; i < n; i++)
        if (a[i * n + i] != 1.0)
            return fail(ps->err, index_path(p, index_path(bx, "ahp.matrix", i), i),
                        "%g on the diagonal; an indicator compared with itself is 1", a[i * n + i]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (fabs(a[i * n + j] * a[j * n + i] - 1.0) > 1e-6) {
                char q[PATH_MAX_LEN], r[PATH_MAX_LEN];
                index_path(q, "ahp.matrix", i);
                index_path(r, "ahp.matrix", j);
                return fail(ps->err, index_path(p, q, j),
                            "%s but %s[%zu] is %s; expected its reciprocal %s",
                            fmt_judgement(bx, sizeof(bx), a[i * n + j]), r, i,
                            fmt_judgement(by, sizeof(by), a[j * n + i]),
                            fmt_judgement(crs, sizeof(crs), 1.0 / a[i * n + j]));
            }
    rc = kam_ahp_compute(a, n, &m->ahp, ps->err);
    if (rc != KAM_OK) {
        char msg[sizeof(ps->err->msg)];
        snprintf(msg, sizeof(msg), "%s", ps->err->msg);
        return fail_code(ps->err, rc, "ahp.matrix", "%s", msg);
    }
    if (!kam_ahp_consistent(&m->ahp)) {
        int wi = m->ahp.worst_i, wj = m->ahp.worst_j;
        /* Two decimals, unless they would show a ratio just over the limit as "0.10". */
        for (int prec = 2; prec < 8; prec++) {
            snprintf(crs, sizeof(crs), "%.*f", prec, m->ahp.cr);
            if (strtod(crs, NULL) > KAM_AHP_CR_LIMIT)
                break;
        }
        return fail(ps->err, "ahp.matrix",
                    "consistency ratio %s exceeds %.2f; the most inconsistent judgement is %s vs "
                    "%s (matrix[%d][%d] = %s, the weights imply %.3g)",
                    crs, KAM_AHP_CR_LIMIT, m->indicators[wi].name, m->indicators[wj].name, wi, wj,
                    fmt_judgement(bx, sizeof(bx), a[wi * (int)n + wj]),
                    m->ahp.weights[wi] / m->ahp.weights[wj]);
    }
    m->weights_from_ahp = true;
    for (size_t i = 0; i < n; i++)
        m->score_indicators[i].weight = m->ahp.weights[i];
    return KAM_OK;
}

static enum kam_rc parse_tiers(struct parse *ps)
{
    const json_t *o = json_object_get(ps->root, "tiers"), *cuts;
    struct kam_tier_rule *t = &ps->m->tiers;
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
    double lo = 0, hi = 100;
    int method;
    enum kam_rc rc;

    if (o == NULL)
        return fail(ps->err, "tiers",
                    "missing; give the tier rule, e.g. {\"method\": \"rank\", "
                    "\"cuts\": [5, 15, 30]}");
    rc = want_object(o, "tiers", tier_keys, ps->err);
    if (rc != KAM_OK)
        return rc;
    if (json_object_get(o, "method") == NULL)
        return fail(ps->err, "tiers.method", "missing; \"score\" or \"rank\"");
    rc = get_enum(json_object_get(o, "method"), "tiers.method", tier_method_names,
                  NNAMES(tier_method_names), &method, ps->err);
    if (rc != KAM_OK)
        return rc;
    t->method = method == 0 ? KAM_TIER_BY_SCORE : KAM_TIER_BY_RANK;
    cuts = json_object_get(o, "cuts");
    if (cuts == NULL)
        return fail(ps->err, "tiers.cuts", "missing; give three cuts: key, major, ordinary");
    if (!json_is_array(cuts) || json_array_size(cuts) != 3)
        return fail(ps->err, "tiers.cuts",
                    "expected an array of three numbers (key, major, ordinary), got %s",
                    json_is_array(cuts) ? "another length" : type_of(cuts));
    /* A score threshold outside the range scores can take is a typo: no account could reach
     * it, or every one would. Points run 0..100; a fuzzy score between the grades' scores. */
    if (t->method == KAM_TIER_BY_SCORE && ps->m->method == KAM_MODEL_FUZZY) {
        lo = ps->m->grades[ps->m->fuzzy.ngrades - 1].score;
        hi = ps->m->grades[0].score;
    }
    for (size_t k = 0; k < 3; k++) {
        index_path(p, "tiers.cuts", k);
        rc = get_number(json_array_get(cuts, k), p, NAN, &t->cut[k], ps->err);
        if (rc != KAM_OK)
            return rc;
        if (!(t->cut[k] >= lo && t->cut[k] <= hi))
            return fail(ps->err, p, "%g is outside %g..%g, the range of %s", t->cut[k], lo, hi,
                        t->method == KAM_TIER_BY_RANK ? "a share in %" : "a score");
        if (t->method == KAM_TIER_BY_SCORE && k > 0 && t->cut[k] > t->cut[k - 1])
            return fail(ps->err, p,
                        "%g is above %s (%g); score thresholds must not increase (key, major, "
                        "ordinary)",
                        t->cut[k], index_path(q, "tiers.cuts", k - 1), t->cut[k - 1]);
    }
    if (t->method == KAM_TIER_BY_RANK && t->cut[0] + t->cut[1] + t->cut[2] > 100)
        return fail(ps->err, "tiers.cuts", "shares %g %% + %g %% + %g %% exceed 100 %%", t->cut[0],
                    t->cut[1], t->cut[2]);
    return KAM_OK;
}

/* The engines' own checks, as a backstop: everything they check was checked above with a path,
 * so a failure here is a gap in this file, still reported as bad input rather than trusted. */
static enum kam_rc check_engines(struct parse *ps)
{
    struct kam_model *m = ps->m;
    struct kam_tier_result tr;
    double score = 0, work;
    char msg[sizeof(ps->err->msg)];
    const char *path = "indicators";
    enum kam_rc rc;

    if (m->method == KAM_MODEL_POINTS) {
        m->score.indicators = m->score_indicators;
        m->score.nindicators = m->nindicators;
        rc = kam_score_validate(&m->score, ps->err);
    } else {
        for (size_t i = 0; i < m->nindicators; i++)
            m->fuzzy_indicators[i].weight = m->score_indicators[i].weight;
        m->fuzzy.indicators = m->fuzzy_indicators;
        m->fuzzy.nindicators = m->nindicators;
        rc = kam_fuzzy_validate(&m->fuzzy, ps->err);
    }
    if (rc == KAM_OK) {
        path = "tiers";
        rc = kam_score_tiers(&m->tiers, &score, NULL, 1, &work, &tr, ps->err);
    }
    if (rc == KAM_OK)
        return KAM_OK;
    snprintf(msg, sizeof(msg), "%s", ps->err->msg);
    return fail_code(ps->err, rc, path, "%s", msg);
}

static enum kam_rc build(const json_t *root, struct kam_model **out, struct kam_err *err)
{
    struct kam_model *m = kam_xcalloc(1, sizeof(*m));
    struct parse ps = {.m = m, .root = root, .err = err};
    enum kam_rc rc;

    kam_arena_init(&m->arena);
    *out = NULL;
    if (!json_is_object(root)) {
        rc = kam_err_set(err, KAM_ERR_INVALID, "expected a JSON object at the top level, got %s",
                         type_of(root));
        goto out;
    }
    ps.ahp = json_object_get(root, "ahp") != NULL;
    rc = check_keys(root, "", root_keys, err);
    if (rc == KAM_OK)
        rc = parse_format(&ps);
    if (rc == KAM_OK)
        rc = parse_head(&ps);
    if (rc == KAM_OK)
        rc = parse_ratings(&ps);
    if (rc == KAM_OK)
        rc = parse_fuzzy_head(&ps);
    if (rc == KAM_OK)
        rc = parse_indicators(&ps);
    if (rc == KAM_OK)
        rc = parse_ahp(&ps);
    if (rc == KAM_OK)
        rc = parse_tiers(&ps);
    if (rc == KAM_OK)
        rc = check_engines(&ps);
    if (rc != KAM_OK)
        goto out;
    *out = m;
    m = NULL;
out:
    kam_model_free(m);
    return rc;
}

static enum kam_rc load(const char *json, size_t len, json_t **root, struct kam_err *err)
{
    json_error_t jerr;

    *root = NULL;
    kam_err_clear(err); /* no field or line left over from an earlier error */
    if (len > KAM_MODEL_MAX_BYTES)
        return kam_err_set(err, KAM_ERR_TOO_LARGE, "the model is %zu bytes; at most %d are allowed",
                           len, KAM_MODEL_MAX_BYTES);
    /* Duplicate keys are refused: with two "weight"s, which one did the person mean? */
    *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*root == NULL) {
        if (err != NULL)
            err->line = jerr.line;
        return kam_err_set(err, KAM_ERR_INVALID, "line %d, column %d: %s", jerr.line, jerr.column,
                           jerr.text);
    }
    return KAM_OK;
}

enum kam_rc kam_model_parse(const char *json, size_t len, struct kam_model **out,
                            struct kam_err *err)
{
    json_t *root;
    enum kam_rc rc;

    *out = NULL;
    rc = load(json, len, &root, err);
    if (rc == KAM_OK)
        rc = build(root, out, err);
    json_decref(root);
    return rc;
}

void kam_model_free(struct kam_model *m)
{
    if (m == NULL)
        return;
    kam_arena_release(&m->arena);
    free(m);
}

enum kam_rc kam_model_canonical(const char *json, size_t len, char **out, struct kam_err *err)
{
    struct kam_model *m = NULL;
    json_t *root;
    char *text = NULL, *res = NULL;
    size_t n;
    enum kam_rc rc;

    *out = NULL;
    rc = load(json, len, &root, err);
    if (rc != KAM_OK)
        goto out;
    rc = build(root, &m, err);
    if (rc != KAM_OK)
        goto out;
    /* 15 significant digits give back every number a person typed (any decimal of up to 15
     * digits survives the trip through a double) without jansson's default 17 turning 0.1 into
     * 0.10000000000000001. */
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    if (text == NULL)
        KAM_BUG("json_dumps failed on a parsed document");
    n = strlen(text);
    res = kam_xmalloc(n + 2);
    memcpy(res, text, n);
    memcpy(res + n, "\n", 2);
    /* What is stored must read back: a number rounded to 15 digits could in principle tip a
     * weight sum or a reciprocal pair over its tolerance. */
    kam_model_free(m);
    m = NULL;
    rc = kam_model_parse(res, n + 1, &m, err);
    if (rc != KAM_OK)
        goto out;
    *out = res;
    res = NULL;
out:
    free(res);
    free(text);
    kam_model_free(m);
    json_decref(root);
    return rc;
}

int kam_model_rating_find(const struct kam_model *m, const char *name)
{
    for (size_t i = 0; i < m->nratings; i++)
        if (strcmp(m->ratings[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The default model (docs/scoring-model.md "The default model" gives the reasons for every
 * choice). Written the way a person would write a model, compact where that reads better. */
const char kam_model_default_json[] =
    "{\n"
    "  \"format\": 1,\n"
    "  \"name\": \"default\",\n"
    "  \"method\": \"points\",\n"
    "  \"window_months\": 12,\n"
    "  \"ratings\": [\n"
    "    {\"name\": \"growth_potential\", \"min\": 1, \"max\": 5,\n"
    "     \"label\": {\"en\": \"Room to grow our business with the account\", \"zh\": "
    "\"业务增长潜力\"}},\n"
    "    {\"name\": \"key_people_access\", \"min\": 1, \"max\": 5,\n"
    "     \"label\": {\"en\": \"Access to key people\", \"zh\": \"接触关键人的程度\"}},\n"
    "    {\"name\": \"relationship_state\", \"min\": 1, \"max\": 5,\n"
    "     \"label\": {\"en\": \"Current state of the relationship\", \"zh\": \"关系现状\"}},\n"
    "    {\"name\": \"strategic_value\", \"min\": 1, \"max\": 5,\n"
    "     \"label\": {\"en\": \"Strategic and management value\", \"zh\": \"战略与管理价值\"}},\n"
    "    {\"name\": \"fulfilment\", \"min\": 1, \"max\": 5,\n"
    "     \"label\": {\"en\": \"Fulfilment as a partner: delivery, complete orders, information "
    "sharing, stock\",\n"
    "               \"zh\": \"履约配合：及时送货、完整订单、信息共享、最低库存\"}}\n"
    "  ],\n"
    "  \"indicators\": [\n"
    "    {\"name\": \"revenue\", \"group\": \"attractiveness\", \"source\": \"metric:revenue\",\n"
    "     \"label\": {\"en\": \"Net revenue\", \"zh\": \"净销售额\"},\n"
    "     \"transform\": \"percentile\", \"missing\": \"zero\", \"weight\": 0.2},\n"
    "    {\"name\": \"margin\", \"group\": \"attractiveness\", \"source\": \"metric:margin\",\n"
    "     \"label\": {\"en\": \"Gross margin\", \"zh\": \"毛利\"},\n"
    "     \"transform\": \"percentile\", \"missing\": \"zero\", \"weight\": 0.15},\n"
    "    {\"name\": \"growth\", \"group\": \"potential\", \"source\": \"metric:growth\",\n"
    "     \"label\": {\"en\": \"Revenue growth\", \"zh\": \"销售增长率\"},\n"
    "     \"transform\": \"bands\",\n"
    "     \"bands\": [\n"
    "       {\"min\": null, \"max\": -0.1, \"points\": 0},\n"
    "       {\"min\": -0.1, \"max\": 0, \"points\": 25},\n"
    "       {\"min\": 0, \"max\": 0.1, \"points\": 50},\n"
    "       {\"min\": 0.1, \"max\": 0.25, \"points\": 75},\n"
    "       {\"min\": 0.25, \"max\": null, \"points\": 100}\n"
    "     ],\n"
    "     \"missing\": \"mean\", \"weight\": 0.1},\n"
    "    {\"name\": \"growth_potential\", \"group\": \"potential\", \"source\": "
    "\"rating:growth_potential\",\n"
    "     \"label\": {\"en\": \"Room to grow our business with the account\", \"zh\": "
    "\"业务增长潜力\"},\n"
    "     \"transform\": \"linear\", \"linear\": {\"min\": 1, \"max\": 5}, \"missing\": "
    "\"exclude\", \"weight\": 0.1},\n"
    "    {\"name\": \"key_people_access\", \"group\": \"relationship\", \"source\": "
    "\"rating:key_people_access\",\n"
    "     \"label\": {\"en\": \"Access to key people\", \"zh\": \"接触关键人的程度\"},\n"
    "     \"transform\": \"linear\", \"linear\": {\"min\": 1, \"max\": 5}, \"missing\": "
    "\"exclude\", \"weight\": 0.1},\n"
    "    {\"name\": \"relationship_state\", \"group\": \"relationship\", \"source\": "
    "\"rating:relationship_state\",\n"
    "     \"label\": {\"en\": \"Current state of the relationship\", \"zh\": \"关系现状\"},\n"
    "     \"transform\": \"linear\", \"linear\": {\"min\": 1, \"max\": 5}, \"missing\": "
    "\"exclude\", \"weight\": 0.1},\n"
    "    {\"name\": \"strategic_value\", \"group\": \"strategic\", \"source\": "
    "\"rating:strategic_value\",\n"
    "     \"label\": {\"en\": \"Strategic and management value\", \"zh\": \"战略与管理价值\"},\n"
    "     \"transform\": \"linear\", \"linear\": {\"min\": 1, \"max\": 5}, \"missing\": \"zero\", "
    "\"weight\": 0.1},\n"
    "    {\"name\": \"on_time_payment\", \"group\": \"behaviour\", \"source\": "
    "\"metric:on_time_rate\",\n"
    "     \"label\": {\"en\": \"Invoices paid on time\", \"zh\": \"按时付款率\"},\n"
    "     \"transform\": \"linear\", \"linear\": {\"min\": 0.5, \"max\": 1}, \"missing\": "
    "\"exclude\", \"weight\": 0.05},\n"
    "    {\"name\": \"repeat_purchase\", \"group\": \"behaviour\", \"source\": "
    "\"metric:repeat_rate\",\n"
    "     \"label\": {\"en\": \"Products bought again\", \"zh\": \"重复购买率\"},\n"
    "     \"transform\": \"linear\", \"linear\": {\"min\": 0, \"max\": 1}, \"missing\": \"zero\", "
    "\"weight\": 0.05},\n"
    "    {\"name\": \"fulfilment\", \"group\": \"behaviour\", \"source\": \"rating:fulfilment\",\n"
    "     \"label\": {\"en\": \"Fulfilment as a partner\", \"zh\": \"履约配合\"},\n"
    "     \"transform\": \"linear\", \"linear\": {\"min\": 1, \"max\": 5}, \"missing\": "
    "\"exclude\", \"weight\": 0.05}\n"
    "  ],\n"
    "  \"tiers\": {\"method\": \"rank\", \"cuts\": [5, 15, 30]}\n"
    "}\n";
