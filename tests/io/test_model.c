/* Unit tests for src/io/model.c: the scoring model document (docs/scoring-model.md).
 *
 * The default model, a fuzzy model and AHP weights parse into ready engine structs; the fuzzy
 * model is evaluated on the worked example of docs/method-fuzzy.md to show the functions landed
 * where the document put them. Every invalid document is checked for its code, the start of its
 * message (the JSON path first) and that nothing was returned. JSON in the tables is written
 * with ' for " (json() swaps them) so that it stays readable. */
#include "io/model.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/metrics.h"

#include "../case.h"

/* s with every ' turned into ", in a buffer that lives until the next call. */
static const char *json(const char *s)
{
    static char buf[16384];
    size_t n = strlen(s);

    assert_true(n < sizeof(buf));
    for (size_t i = 0; i <= n; i++)
        buf[i] = s[i] == '\'' ? '"' : s[i];
    return buf;
}

static enum kam_rc parse(const char *text, struct kam_model **m, struct kam_err *err)
{
    kam_err_clear(err);
    return kam_model_parse(text, strlen(text), m, err);
}

/* ---- the default model ---- */

static void test_default(void **state)
{
    struct kam_model *m = NULL;
    struct kam_err err;
    double sum = 0, groups[5] = {0};
    enum kam_rc rc;

    (void)state;
    rc = parse(kam_model_default_json, &m, &err);
    if (rc != KAM_OK)
        fail_msg("default model: %s", err.msg);
    assert_string_equal(m->name, "default");
    assert_int_equal(m->method, KAM_MODEL_POINTS);
    assert_int_equal(m->window_months, 12);
    assert_int_equal(m->nindicators, 10);
    assert_int_equal(m->nratings, 5);
    assert_ptr_equal(m->score.indicators, m->score_indicators);
    assert_int_equal(m->score.nindicators, m->nindicators);
    assert_false(m->weights_from_ahp);
    for (size_t i = 0; i < m->nindicators; i++) {
        const struct kam_model_indicator *ind = &m->indicators[i];
        assert_ptr_equal(ind->score, &m->score_indicators[i]);
        assert_string_equal(ind->score->name, ind->name);
        assert_non_null(ind->label.en);
        assert_non_null(ind->label.zh);
        assert_null(ind->fuzzy);
        sum += ind->score->weight;
        groups[ind->group] += ind->score->weight;
    }
    assert_true(fabs(sum - 1.0) < 1e-12);
    /* Every group of DOMAIN.md has a part: 0.35, 0.2, 0.2, 0.1, 0.15. */
    assert_true(fabs(groups[KAM_MODEL_ATTRACTIVENESS] - 0.35) < 1e-12);
    assert_true(fabs(groups[KAM_MODEL_POTENTIAL] - 0.2) < 1e-12);
    assert_true(fabs(groups[KAM_MODEL_RELATIONSHIP] - 0.2) < 1e-12);
    assert_true(fabs(groups[KAM_MODEL_STRATEGIC] - 0.1) < 1e-12);
    assert_true(fabs(groups[KAM_MODEL_BEHAVIOUR] - 0.15) < 1e-12);

    /* Sources resolved: revenue is the metric, key_people_access the declared rating. */
    assert_string_equal(m->indicators[0].name, "revenue");
    assert_int_equal(m->indicators[0].source, KAM_MODEL_METRIC);
    assert_int_equal(m->indicators[0].index, kam_metric_find("revenue"));
    assert_int_equal(m->indicators[0].score->transform, KAM_SCORE_PERCENTILE);
    assert_string_equal(m->indicators[4].name, "key_people_access");
    assert_int_equal(m->indicators[4].source, KAM_MODEL_RATING);
    assert_string_equal(m->ratings[m->indicators[4].index].name, "key_people_access");
    assert_int_equal(kam_model_rating_find(m, "key_people_access"), (int)m->indicators[4].index);
    assert_int_equal(kam_model_rating_find(m, "nope"), -1);
    assert_int_equal(m->indicators[4].score->missing, KAM_SCORE_MISSING_EXCLUDE);
    /* No rating inherits the others' judgement: an unrated account is never given the mean of
     * the rated ones (docs/scoring-model.md, "A missing rating"). */
    for (size_t i = 0; i < m->nindicators; i++)
        if (m->indicators[i].source == KAM_MODEL_RATING)
            assert_int_not_equal(m->indicators[i].score->missing, KAM_SCORE_MISSING_MEAN);
    assert_true(m->ratings[1].min == 1 && m->ratings[1].max == 5);
    /* growth: five bands, open at both ends. */
    assert_int_equal(m->indicators[2].score->nbands, 5);
    assert_true(m->indicators[2].score->bands[0].min == -INFINITY);
    assert_true(m->indicators[2].score->bands[4].max == INFINITY);

    assert_int_equal(m->tiers.method, KAM_TIER_BY_RANK);
    assert_true(m->tiers.cut[0] == 5 && m->tiers.cut[1] == 15 && m->tiers.cut[2] == 30);
    kam_model_free(m);
}

/* The default model scores a small portfolio: the structs are really ready for the engine. */
static void test_default_runs(void **state)
{
    struct kam_model *m = NULL;
    struct kam_err err;
    enum { N = 3, K = 10 };
    /* revenue, margin, growth, growth_potential, key_people_access, relationship_state,
     * strategic_value, on_time_payment, repeat_purchase, fulfilment */
    static const double values[N * K] = {
        1000, 200, 0.3,  5, 5, 5, 5, 1,    1,   5, /* best at everything */
        500,  100, 0.05, 3, 3, 3, 3, 0.75, 0.5, 3, /* middle */
        100,  10,  -0.5, 1, 1, 1, 1, 0.5,  0,   1, /* worst at everything */
    };
    double work[N];
    struct kam_score_result res[N];
    struct kam_score_item items[N * KAM_SCORE_MAX_INDICATORS];

    (void)state;
    assert_int_equal(parse(kam_model_default_json, &m, &err), KAM_OK);
    assert_int_equal(kam_score_run(&m->score, values, N, work, items, res, &err), KAM_OK);
    /* Percentile of the best of three is 83.33 (mid-rank), everything else 100:
     * 0.35 * 83.33 + 0.65 * 100 = 94.17; the worst: 0.35 * 16.67 = 5.83. The middle: 0.35 * 50
     * + 0.1 * 50 (growth band) + 0.4 * 50 (ratings 3 on 1..5) + 0.05 * 50 + 0.05 * 50 + 0.05 * 50
     * = 17.5 + 5 + 20 + 7.5 = 50. */
    assert_true(fabs(res[0].score - (0.35 * 250.0 / 3 + 65)) < 1e-9);
    assert_true(fabs(res[1].score - 50) < 1e-9);
    assert_true(fabs(res[2].score - 0.35 * 50.0 / 3) < 1e-9);
    kam_model_free(m);
}

/* The hand computation of docs/scoring-model.md. B: everything but fulfilment (excluded), over
 * the kept weight 0.95. C: revenue, margin, growth 125/3 (mean), strategic 0 (zero), repeat 20,
 * fulfilment 100, over the kept weight 0.65 (on-time and the three unrated relationship and
 * potential ratings excluded). */
#define SCORE_A 84.375
#define SCORE_B (45.625 / 0.95)
#define SCORE_C ((2.5 + 1.875 + 12.5 / 3 + 1 + 5) / 0.65)
#define SCORE_D 32.875

/* docs/scoring-model.md, "Worked example": four accounts, some ratings not entered yet. */
static void test_worked_example(void **state)
{
    struct kam_model *m = NULL;
    struct kam_err err;
    enum { N = 4, K = 10 };
    static const double values[N * K] = {
        1200000, 300000, 0.18,  4,   5,   4,   5,   0.95, 0.6, 4,   /* A */
        800000,  100000, 0.02,  3,   3,   4,   NAN, 0.80, 0.4, NAN, /* B */
        150000,  45000,  NAN,   NAN, NAN, NAN, NAN, NAN,  0.2, 5,   /* C */
        400000,  120000, -0.15, 2,   2,   3,   1,   0.60, 0.5, 3,   /* D */
    };
    static const struct {
        const char *name;
        double score;
        enum kam_tier tier;
        double to_next;
    } cases[N] = {
        {"A: nothing missing", SCORE_A, KAM_TIER_KEY, 0},
        {"B: fulfilment not rated", SCORE_B, KAM_TIER_ORDINARY, SCORE_A - SCORE_B},
        {"C: a new account, nothing rated", SCORE_C, KAM_TIER_SMALL, SCORE_B - SCORE_C},
        {"D: shrinking", SCORE_D, KAM_TIER_SMALL, SCORE_B - SCORE_D},
    };
    double work[N], scores[N];
    struct kam_score_result res[N];
    struct kam_score_item items[N * KAM_SCORE_MAX_INDICATORS];
    struct kam_tier_result tiers[N];

    (void)state;
    assert_int_equal(parse(kam_model_default_json, &m, &err), KAM_OK);
    assert_int_equal(kam_score_run(&m->score, values, N, work, items, res, &err), KAM_OK);
    for (size_t a = 0; a < N; a++)
        scores[a] = res[a].score;
    assert_int_equal(kam_score_tiers(&m->tiers, scores, NULL, N, work, tiers, &err), KAM_OK);
    failures = 0;
    for (size_t a = 0; a < N; a++) {
        EXPECT(&cases[a], fabs(scores[a] - cases[a].score) < 1e-9, "score %.12g, want %.12g",
               scores[a], cases[a].score);
        EXPECT(&cases[a], tiers[a].computed == cases[a].tier, "tier %s, want %s",
               kam_tier_name(tiers[a].computed), kam_tier_name(cases[a].tier));
        EXPECT(&cases[a], fabs(tiers[a].to_next - cases[a].to_next) < 1e-9, "to_next %.12g",
               tiers[a].to_next);
    }
    /* C's growth: the mean of A, B, D's band points (75 + 50 + 0) / 3. */
    assert_int_equal(res[2].items[2].source, KAM_SCORE_FROM_MISSING);
    assert_true(fabs(res[2].items[2].points - 125.0 / 3) < 1e-9);
    assert_true(res[1].items[9].weight == 0);
    /* C's unrated growth potential, key people and relationship are excluded, not averaged. */
    for (size_t i = 3; i <= 5; i++) {
        assert_int_equal(res[2].items[i].source, KAM_SCORE_FROM_MISSING);
        assert_int_equal(res[2].items[i].rule, KAM_SCORE_MISSING_EXCLUDE);
        assert_true(res[2].items[i].weight == 0);
    }
    assert_int_equal(failures, 0);
    kam_model_free(m);
}

static void test_canonical(void **state)
{
    char *a = NULL, *b = NULL;
    struct kam_err err;
    const char *small = json("{'format':1,'name':'t','indicators':[{'name':'revenue','group':"
                             "'attractiveness','source':'metric:revenue','transform':'linear',"
                             "'linear':{'min':0,'max':0.1},'weight':1}],'tiers':{'method':'score',"
                             "'cuts':[75,55,35]}}");
    static const char small_canonical[] = "{\n"
                                          "  \"format\": 1,\n"
                                          "  \"name\": \"t\",\n"
                                          "  \"indicators\": [\n"
                                          "    {\n"
                                          "      \"name\": \"revenue\",\n"
                                          "      \"group\": \"attractiveness\",\n"
                                          "      \"source\": \"metric:revenue\",\n"
                                          "      \"transform\": \"linear\",\n"
                                          "      \"linear\": {\n"
                                          "        \"min\": 0,\n"
                                          "        \"max\": 0.1\n"
                                          "      },\n"
                                          "      \"weight\": 1\n"
                                          "    }\n"
                                          "  ],\n"
                                          "  \"tiers\": {\n"
                                          "    \"method\": \"score\",\n"
                                          "    \"cuts\": [\n"
                                          "      75,\n"
                                          "      55,\n"
                                          "      35\n"
                                          "    ]\n"
                                          "  }\n"
                                          "}\n";

    (void)state;
    /* Keys in the given order, 2-space indent, 0.1 as typed, a final newline. */
    assert_int_equal(kam_model_canonical(small, strlen(small), &a, &err), KAM_OK);
    assert_string_equal(a, small_canonical);
    free(a);
    a = NULL;

    /* The default model: UTF-8 labels kept, and canonical twice is canonical once. */
    assert_int_equal(
        kam_model_canonical(kam_model_default_json, strlen(kam_model_default_json), &a, &err),
        KAM_OK);
    assert_non_null(strstr(a, "接触关键人的程度"));
    assert_int_equal(kam_model_canonical(a, strlen(a), &b, &err), KAM_OK);
    assert_string_equal(a, b);
    free(a);
    free(b);

    /* Only a model that parses is written back. */
    b = (char *)&err; /* must be reset to NULL */
    small = json("{'format': 1, 'name': 't'}");
    assert_int_equal(kam_model_canonical(small, strlen(small), &b, &err), KAM_ERR_INVALID);
    assert_null(b);
    assert_string_equal(err.msg, "indicators: missing; the model needs at least one indicator");
}

/* ---- fuzzy ---- */

/* docs/method-fuzzy.md, worked example, with the rates as fractions (the metrics' unit). */
static const char fuzzy_model[] =
    "{'format': 1, 'name': 'partners', 'method': 'fuzzy', 'window_months': 6,"
    " 'fuzzy': {'grades': [{'name': 'excellent', 'score': 100, 'label': {'zh': '优'}},"
    "                      {'name': 'good', 'score': 80}, {'name': 'fair', 'score': 60},"
    "                      {'name': 'poor', 'score': 40}],"
    "           'operator': 'weighted_average', 'normalize': false},"
    " 'indicators': ["
    "  {'name': 'payment', 'group': 'behaviour', 'source': 'metric:on_time_rate', 'weight': 0.5,"
    "   'fuzzy': [{'shape': 'trapezoid', 'a': 0.9, 'b': 0.95, 'c': null, 'd': null},"
    "             {'shape': 'triangle', 'a': 0.8, 'b': 0.9, 'c': 0.95},"
    "             {'shape': 'triangle', 'a': 0.7, 'b': 0.8, 'c': 0.9},"
    "             {'shape': 'trapezoid', 'a': null, 'b': null, 'c': 0.7, 'd': 0.8}]},"
    "  {'name': 'growth', 'group': 'potential', 'source': 'metric:growth', 'weight': 0.3,"
    "   'fuzzy': [{'shape': 'trapezoid', 'a': 0.15, 'b': 0.25, 'c': null, 'd': null},"
    "             {'shape': 'triangle', 'a': 0.05, 'b': 0.15, 'c': 0.25},"
    "             {'shape': 'triangle', 'a': -0.05, 'b': 0.05, 'c': 0.15},"
    "             {'shape': 'trapezoid', 'a': null, 'b': null, 'c': -0.05, 'd': 0.05}]},"
    "  {'name': 'wallet', 'group': 'potential', 'source': 'metric:share_of_wallet', 'weight': 0.2,"
    "   'fuzzy': [{'shape': 'trapezoid', 'a': 0.5, 'b': 0.6, 'c': null, 'd': null},"
    "             {'shape': 'trapezoid', 'a': 0.3, 'b': 0.4, 'c': 0.5, 'd': 0.6},"
    "             {'shape': 'triangle', 'a': 0.15, 'b': 0.3, 'c': 0.45},"
    "             {'shape': 'trapezoid', 'a': null, 'b': null, 'c': 0.15, 'd': 0.3}]}],"
    " 'tiers': {'method': 'score', 'cuts': [85, 70, 55]}}";

static void test_fuzzy(void **state)
{
    struct kam_model *m = NULL;
    struct kam_err err;
    struct kam_fuzzy_result res;
    static const double values[] = {0.92, 0.08, 0.42};

    (void)state;
    if (parse(json(fuzzy_model), &m, &err) != KAM_OK)
        fail_msg("fuzzy model: %s", err.msg);
    assert_int_equal(m->method, KAM_MODEL_FUZZY);
    assert_int_equal(m->window_months, 6);
    assert_int_equal(m->fuzzy.ngrades, 4);
    assert_int_equal(m->fuzzy.nindicators, 3);
    assert_int_equal(m->fuzzy.op, KAM_FUZZY_WEIGHTED_AVERAGE);
    assert_int_equal(m->fuzzy.flags, 0);
    assert_int_equal(m->score.nindicators, 0);
    assert_string_equal(m->grades[0].name, "excellent");
    assert_string_equal(m->grade_labels[0].zh, "优");
    assert_null(m->grade_labels[1].zh);
    assert_ptr_equal(m->indicators[1].fuzzy, &m->fuzzy_indicators[1]);
    /* null is an open end: -inf for a and b, inf for c and d. */
    assert_true(m->fuzzy_indicators[0].mf[0].c == INFINITY);
    assert_true(m->fuzzy_indicators[0].mf[3].a == -INFINITY);
    assert_true(m->fuzzy_indicators[2].weight == 0.2);
    assert_int_equal(m->indicators[2].index, kam_metric_find("share_of_wallet"));

    /* B = (0.20, 0.59, 0.25, 0): good, score 82.2 / 1.04 = 79.04. */
    assert_int_equal(kam_fuzzy_evaluate(&m->fuzzy, values, &res, &err), KAM_OK);
    assert_int_equal(res.grade, 1);
    assert_true(fabs(res.score - 82.2 / 1.04) < 1e-9);
    assert_true(m->tiers.method == KAM_TIER_BY_SCORE && m->tiers.cut[0] == 85);
    kam_model_free(m);
}

/* ---- AHP ---- */

#define IND3                                                                                       \
    "'indicators': ["                                                                              \
    "{'name': 'revenue', 'group': 'attractiveness', 'source': 'metric:revenue', "                  \
    "'transform': 'percentile'},"                                                                  \
    "{'name': 'margin', 'group': 'attractiveness', 'source': 'metric:margin', "                    \
    "'transform': 'percentile'},"                                                                  \
    "{'name': 'growth', 'group': 'potential', 'source': 'metric:growth', "                         \
    "'transform': 'linear', 'linear': 'portfolio', 'missing': 'mean'}], "                          \
    "'tiers': {'method': 'rank', 'cuts': [5, 15, 30]}"

static void test_ahp(void **state)
{
    static const struct {
        const char *name;
        const char *json;
        double w[3];
    } cases[] = {
        {"perfectly consistent 3x3 (Saaty)",
         "{'format': 1, 'name': 'ahp', " IND3
         ", 'ahp': {'matrix': [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]}}",
         {4.0 / 7, 2.0 / 7, 1.0 / 7}},
        {"reciprocals written as fractions",
         "{'format': 1, 'name': 'ahp', " IND3
         ", 'ahp': {'matrix': [[1, 3, 9], ['1/3', 1, 3], ['1/9', '1/3', '1']]}}",
         {9.0 / 13, 3.0 / 13, 1.0 / 13}},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_model *m = NULL;
        struct kam_err err;
        enum kam_rc rc = parse(json(cases[k].json), &m, &err);

        EXPECT(&cases[k], rc == KAM_OK, "%s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        EXPECT(&cases[k], m->weights_from_ahp, "weights not from AHP");
        EXPECT(&cases[k], fabs(m->ahp.cr) < 1e-9, "CR %g", m->ahp.cr);
        for (size_t i = 0; i < 3; i++) {
            EXPECT(&cases[k], fabs(m->ahp.weights[i] - cases[k].w[i]) < 1e-9, "w[%zu] %.12g", i,
                   m->ahp.weights[i]);
            EXPECT(&cases[k], m->score_indicators[i].weight == m->ahp.weights[i],
                   "indicator %zu has weight %g", i, m->score_indicators[i].weight);
        }
        kam_model_free(m);
    }
    assert_int_equal(failures, 0);
}

/* ---- invalid models ---- */

#define HEAD   "'format': 1, 'name': 't', "
#define TIERS  "'tiers': {'method': 'rank', 'cuts': [5, 15, 30]}"
#define REV    "{'name': 'revenue', 'group': 'attractiveness', 'source': 'metric:revenue', "
#define PCT    "'transform': 'percentile', "
#define ONE(x) "{" HEAD "'indicators': [" REV PCT x "}], " TIERS "}"
/* A valid one-indicator model with a band list. */
#define BANDS(b)                                                                                   \
    "{" HEAD "'indicators': [" REV "'transform': 'bands', 'bands': " b ", 'weight': 1}], " TIERS "}"
/* A valid fuzzy model with two grades, but for what is spliced in. */
#define FUZZY(grades, mfs)                                                                         \
    "{" HEAD "'method': 'fuzzy', 'fuzzy': {'grades': " grades "}, 'indicators': [" REV             \
    "'weight': 1, 'fuzzy': " mfs "}], " TIERS "}"
#define GRADES2 "[{'name': 'good', 'score': 100}, {'name': 'bad', 'score': 0}]"
#define MF_GOOD "{'shape': 'trapezoid', 'a': 0, 'b': 100, 'c': null, 'd': null}"
#define MF_BAD  "{'shape': 'trapezoid', 'a': null, 'b': null, 'c': 0, 'd': 100}"
/* Three indicators with AHP judgements m. */
#define AHP(m) "{'format': 1, 'name': 'ahp', " IND3 ", 'ahp': {'matrix': " m "}}"

static void test_invalid(void **state)
{
    static const struct {
        const char *name;
        const char *json;
        enum kam_rc rc;
        const char *msg; /* the start of the message */
    } cases[] = {
        {"bad JSON gives jansson's line and column", "{\n  'format': 1,\n  'name' 't'\n}",
         KAM_ERR_INVALID, "line 3, column 12: ':' expected near '\"t\"'"},
        {"duplicate key", "{'format': 1, 'format': 1}", KAM_ERR_INVALID,
         "line 1, column 22: duplicate object key near '\"format\"'"},
        {"not an object", "[1, 2]", KAM_ERR_INVALID,
         "expected a JSON object at the top level, got an array"},
        {"format missing", "{'name': 't'}", KAM_ERR_INVALID, "format: missing; expected 1"},
        {"format 2", "{'format': 2, 'name': 't'}", KAM_ERR_INVALID,
         "format: 2 is not supported; this kam reads format 1"},
        {"format as a string", "{'format': '1'}", KAM_ERR_INVALID,
         "format: expected the integer 1, got a string"},
        {"unknown top-level key", "{'format': 1, 'name': 't', 'colour': 'red'}", KAM_ERR_INVALID,
         "colour: unknown key; expected one of format, name, method, window_months, ratings, "
         "indicators, ahp, fuzzy, tiers"},
        {"name missing", "{'format': 1}", KAM_ERR_INVALID, "name: missing"},
        {"unknown method", "{" HEAD "'method': 'magic'}", KAM_ERR_INVALID,
         "method: unknown value 'magic'; expected one of points, fuzzy"},
        {"window_months 0", "{" HEAD "'window_months': 0}", KAM_ERR_INVALID,
         "window_months: expected a whole number of months from 1 to 120, got 0"},
        {"window_months 121", "{" HEAD "'window_months': 121}", KAM_ERR_INVALID,
         "window_months: expected a whole number of months from 1 to 120, got 121"},
        {"no indicators", "{" HEAD "'indicators': [], " TIERS "}", KAM_ERR_INVALID,
         "indicators: empty; the model needs at least one indicator"},
        {"unknown indicator key", ONE("'wieght': 1"), KAM_ERR_INVALID,
         "indicators[0].wieght: unknown key; expected one of name, group, source, label, "
         "transform, bands, linear, missing, weight, fuzzy"},
        {"unknown label language", ONE("'label': {'fr': 'x'}, 'weight': 1"), KAM_ERR_INVALID,
         "indicators[0].label.fr: unknown key; expected one of en, zh"},
        {"unknown metric",
         "{" HEAD "'indicators': [{'name': 'revenue', 'group': 'attractiveness', "
         "'source': 'metric:revnue', " PCT "'weight': 1}], " TIERS "}",
         KAM_ERR_INVALID, "indicators[0].source: unknown metric 'revnue'"},
        {"source without kind",
         "{" HEAD "'indicators': [{'name': 'revenue', 'group': 'attractiveness', "
         "'source': 'revenue', " PCT "'weight': 1}], " TIERS "}",
         KAM_ERR_INVALID,
         "indicators[0].source: 'revenue' names no kind of source; write \"metric:revenue\" or "
         "\"rating:revenue\""},
        {"rating not declared",
         "{" HEAD "'ratings': [{'name': 'access', 'min': 1, 'max': 5}], 'indicators': [{'name': "
         "'x', 'group': 'relationship', 'source': 'rating:acess', " PCT "'weight': 1}], " TIERS "}",
         KAM_ERR_INVALID, "indicators[0].source: rating 'acess' is not declared in ratings"},
        {"rating with min above max",
         "{" HEAD "'ratings': [{'name': 'access', 'min': 5, 'max': 1}]}", KAM_ERR_INVALID,
         "ratings[0]: min 5 is not below max 1"},
        {"rating name with a space", "{" HEAD "'ratings': [{'name': 'key people'}]}",
         KAM_ERR_INVALID,
         "ratings[0].name: 'key people' is not a valid name; use lower-case letters, digits and "
         "'_', starting with a letter"},
        {"unknown group",
         "{" HEAD "'indicators': [{'name': 'revenue', 'group': 'size'}], " TIERS "}",
         KAM_ERR_INVALID,
         "indicators[0].group: unknown value 'size'; expected one of attractiveness, potential, "
         "relationship, strategic, behaviour"},
        {"duplicate indicator name",
         "{" HEAD "'indicators': [" REV PCT "'weight': 0.5}, " REV PCT "'weight': 0.5}], " TIERS
         "}",
         KAM_ERR_INVALID, "indicators[1].name: 'revenue' is already the name of indicators[0]"},
        {"overlapping bands",
         BANDS("[{'min': 50, 'max': 200, 'points': 50}, {'min': 0, 'max': 100, 'points': 20}]"),
         KAM_ERR_INVALID,
         "indicators[0].bands[1]: overlaps indicators[0].bands[0] ([0, 100) and "
         "[50, 200))"},
        {"open bands overlap",
         BANDS("[{'min': null, 'max': 10, 'points': 0}, {'min': 5, 'max': null, 'points': 100}]"),
         KAM_ERR_INVALID,
         "indicators[0].bands[1]: overlaps indicators[0].bands[0] ([5, inf) and "
         "[-inf, 10))"},
        {"empty band", BANDS("[{'min': 10, 'max': 10, 'points': 0}]"), KAM_ERR_INVALID,
         "indicators[0].bands[0]: [10, 10) is empty; min must be below max"},
        {"band points over 100", BANDS("[{'min': 0, 'max': 10, 'points': 120}]"), KAM_ERR_INVALID,
         "indicators[0].bands[0].points: 120 points; expected 0 to 100"},
        {"band without max", BANDS("[{'min': 0, 'points': 10}]"), KAM_ERR_INVALID,
         "indicators[0].bands[0].max: missing; use null for an open end"},
        {"no bands", BANDS("[]"), KAM_ERR_INVALID,
         "indicators[0].bands: empty; give at least one band"},
        {"bands with another transform", ONE("'bands': [], 'weight': 1"), KAM_ERR_INVALID,
         "indicators[0].bands: only used with transform 'bands'"},
        {"linear without its scale",
         "{" HEAD "'indicators': [" REV "'transform': 'linear', 'weight': 1}], " TIERS "}",
         KAM_ERR_INVALID, "indicators[0].linear: missing; transform 'linear' needs"},
        {"linear scale reversed",
         "{" HEAD "'indicators': [" REV "'transform': 'linear', 'linear': {'min': 5, 'max': 1}, "
         "'weight': 1}], " TIERS "}",
         KAM_ERR_INVALID, "indicators[0].linear: min 5 is above max 1"},
        {"unknown missing rule", ONE("'missing': 'skip', 'weight': 1"), KAM_ERR_INVALID,
         "indicators[0].missing: unknown value 'skip'; expected one of zero, mean, exclude"},
        {"weight missing", ONE("'missing': 'zero'"), KAM_ERR_INVALID,
         "indicators[0].weight: missing; give every indicator a weight, or an \"ahp\" matrix"},
        {"negative weight", ONE("'weight': -1"), KAM_ERR_INVALID,
         "indicators[0].weight: -1 is negative"},
        {"weights not summing to 1",
         "{" HEAD "'indicators': [" REV PCT "'weight': 0.5}, {'name': 'margin', 'group': "
         "'attractiveness', 'source': 'metric:margin', " PCT "'weight': 0.4}], " TIERS "}",
         KAM_ERR_INVALID, "indicators: weights sum to 0.9, not 1"},
        {"weights given together with ahp",
         "{" HEAD "'indicators': [" REV PCT "'weight': 1}], 'ahp': {'matrix': [[1]]}, " TIERS "}",
         KAM_ERR_INVALID, "indicators[0].weight: not allowed with \"ahp\""},
        {"ahp matrix with too few rows", AHP("[[1, 2, 4], [0.5, 1, 2]]"), KAM_ERR_INVALID,
         "ahp.matrix: 2 rows for 3 indicators; give one row per indicator, in their order"},
        {"ahp row too short", AHP("[[1, 2, 4], [0.5, 1], [0.25, 0.5, 1]]"), KAM_ERR_INVALID,
         "ahp.matrix[1]: 2 judgements for 3 indicators"},
        {"ahp judgement not a number", AHP("[[1, 2, 4], [0.5, 1, 'x'], [0.25, 0.5, 1]]"),
         KAM_ERR_INVALID,
         "ahp.matrix[1][2]: expected a number or a fraction such as \"1/3\", got a string"},
        {"ahp judgement zero", AHP("[[1, 0, 4], [0.5, 1, 2], [0.25, 0.5, 1]]"), KAM_ERR_INVALID,
         "ahp.matrix[0][1]: 0 is not a positive number"},
        {"ahp diagonal not 1", AHP("[[1, 2, 4], [0.5, 2, 2], [0.25, 0.5, 1]]"), KAM_ERR_INVALID,
         "ahp.matrix[1][1]: 2 on the diagonal"},
        {"ahp not reciprocal", AHP("[[1, 3, 4], [0.333, 1, 2], [0.25, 0.5, 1]]"), KAM_ERR_INVALID,
         "ahp.matrix[0][1]: 3 but ahp.matrix[1][0] is 0.333; expected its reciprocal 1/3"},
        /* Consistent with weights 8:4:2:1 but for revenue vs on_time, judged 1/2 instead of 8.
         * Eigenvector weights 0.3307, 0.3128, 0.1564, 0.2001; lambda_max 5.0869, CI 0.3623,
         * CR 0.3623 / 0.90 = 0.40; |ln(a_ij w_j / w_i)| is largest (1.195) for that pair, whose
         * weights imply 0.3307 / 0.2001 = 1.65. */
        {"ahp CR over 0.10 names the pair",
         "{" HEAD "'indicators': [" REV "'transform': 'percentile'}, "
         "{'name': 'margin', 'group': 'attractiveness', 'source': 'metric:margin', "
         "'transform': 'percentile'}, "
         "{'name': 'growth', 'group': 'potential', 'source': 'metric:growth', "
         "'transform': 'percentile'}, "
         "{'name': 'on_time', 'group': 'behaviour', 'source': 'metric:on_time_rate', "
         "'transform': 'percentile', 'missing': 'exclude'}], "
         "'ahp': {'matrix': [[1, 2, 4, '1/2'], ['1/2', 1, 2, 4], ['1/4', '1/2', 1, 2], "
         "[2, '1/4', '1/2', 1]]}, " TIERS "}",
         KAM_ERR_INVALID,
         "ahp.matrix: consistency ratio 0.40 exceeds 0.10; the most inconsistent judgement is "
         "revenue vs on_time (matrix[0][3] = 1/2, the weights imply 1.65)"},
        {"fuzzy section with method points",
         "{" HEAD "'fuzzy': {'grades': " GRADES2 "}, 'indicators': []}", KAM_ERR_INVALID,
         "fuzzy: only used by method 'fuzzy'"},
        {"fuzzy method without the fuzzy section", "{" HEAD "'method': 'fuzzy', 'indicators': []}",
         KAM_ERR_INVALID, "fuzzy: missing; method 'fuzzy' needs the grades"},
        {"fuzzy method without grades", "{" HEAD "'method': 'fuzzy', 'fuzzy': {}}", KAM_ERR_INVALID,
         "fuzzy.grades: missing; list the grades, best first"},
        {"grades worst first",
         FUZZY("[{'name': 'bad', 'score': 0}, {'name': 'good', 'score': 100}]",
               "[" MF_BAD ", " MF_GOOD "]"),
         KAM_ERR_INVALID,
         "fuzzy.grades[1].score: 100 is not below the score of fuzzy.grades[0] (0); list the "
         "grades best first"},
        {"membership functions fewer than grades", FUZZY(GRADES2, "[" MF_GOOD "]"), KAM_ERR_INVALID,
         "indicators[0].fuzzy: 1 membership functions for 2 grades; give one per grade, best "
         "first"},
        {"membership functions missing", FUZZY(GRADES2, "null"), KAM_ERR_INVALID,
         "indicators[0].fuzzy: expected an array, got null"},
        {"triangle out of order",
         FUZZY(GRADES2, "[" MF_GOOD ", {'shape': 'triangle', 'a': 9, 'b': 8, 'c': 10}]"),
         KAM_ERR_INVALID, "indicators[0].fuzzy[1]: triangle (9, 8, 10) is not ordered a <= b <= c"},
        {"triangle with an open end",
         FUZZY(GRADES2, "[" MF_GOOD ", {'shape': 'triangle', 'a': null, 'b': 8, 'c': 10}]"),
         KAM_ERR_INVALID, "indicators[0].fuzzy[1]: triangle (-inf, 8, 10) must be bounded"},
        {"trapezoid sloping to infinity",
         FUZZY(GRADES2, "[" MF_GOOD ", {'shape': 'trapezoid', 'a': null, 'b': 0, 'c': 1, "
                        "'d': 2}]"),
         KAM_ERR_INVALID, "indicators[0].fuzzy[1]: trapezoid (-inf, 0, 1, 2) slopes to infinity"},
        {"triangle with d",
         FUZZY(GRADES2, "[" MF_GOOD ", {'shape': 'triangle', 'a': 1, 'b': 2, "
                        "'c': 3, 'd': 4}]"),
         KAM_ERR_INVALID, "indicators[0].fuzzy[1].d: a triangle has only a, b and c"},
        {"transform with method fuzzy",
         "{" HEAD "'method': 'fuzzy', 'fuzzy': {'grades': " GRADES2 "}, 'indicators': [" REV PCT
         "'weight': 1}], " TIERS "}",
         KAM_ERR_INVALID, "indicators[0].transform: not used by method 'fuzzy'"},
        {"fuzzy functions with method points", ONE("'weight': 1, 'fuzzy': []"), KAM_ERR_INVALID,
         "indicators[0].fuzzy: membership functions are only used by method 'fuzzy'"},
        {"tiers missing", "{" HEAD "'indicators': [" REV PCT "'weight': 1}]}", KAM_ERR_INVALID,
         "tiers: missing"},
        {"tiers cuts not descending",
         "{" HEAD "'indicators': [" REV PCT "'weight': 1}], 'tiers': {'method': 'score', 'cuts': "
         "[75, 80, 35]}}",
         KAM_ERR_INVALID,
         "tiers.cuts[1]: 80 is above tiers.cuts[0] (75); score thresholds must not increase"},
        {"tier threshold above 100",
         "{" HEAD "'indicators': [" REV PCT "'weight': 1}], 'tiers': {'method': 'score', 'cuts': "
         "[175, 55, 35]}}",
         KAM_ERR_INVALID, "tiers.cuts[0]: 175 is outside 0..100, the range of a score"},
        {"tier shares over 100 %",
         "{" HEAD "'indicators': [" REV PCT "'weight': 1}], 'tiers': {'method': 'rank', 'cuts': "
         "[50, 40, 30]}}",
         KAM_ERR_INVALID, "tiers.cuts: shares 50 % + 40 % + 30 % exceed 100 %"},
        {"two cuts",
         "{" HEAD "'indicators': [" REV PCT "'weight': 1}], 'tiers': {'method': 'rank', 'cuts': "
         "[5, 15]}}",
         KAM_ERR_INVALID,
         "tiers.cuts: expected an array of three numbers (key, major, ordinary), got another "
         "length"},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_model *m = (struct kam_model *)&failures; /* must be reset to NULL */
        struct kam_err err;
        enum kam_rc rc = parse(json(cases[k].json), &m, &err);

        EXPECT(&cases[k], rc == cases[k].rc, "%s, want %s (%s)", kam_rc_name(rc),
               kam_rc_name(cases[k].rc), err.msg);
        EXPECT(&cases[k], m == NULL, "a model was returned");
        if (rc != KAM_OK)
            EXPECT(&cases[k], strncmp(err.msg, cases[k].msg, strlen(cases[k].msg)) == 0,
                   "message\n  '%s'\nwant it to start with\n  '%s'", err.msg, cases[k].msg);
        if (rc == KAM_OK)
            kam_model_free(m);
    }
    assert_int_equal(failures, 0);
}

/* The engines' caps are KAM_ERR_TOO_LARGE, like any input over a limit. */
static void test_too_large(void **state)
{
    struct kam_model *m = NULL;
    struct kam_err err;
    char *big;
    size_t o = 0, cap = 65 * 256 + 256;

    (void)state;
    big = malloc(cap);
    assert_non_null(big);
    o += (size_t)snprintf(big + o, cap - o, "{'format': 1, 'name': 't', 'indicators': [");
    for (int i = 0; i < 65; i++)
        o += (size_t)snprintf(big + o, cap - o,
                              "%s{'name': 'i%d', 'group': 'behaviour', 'source': 'metric:orders', "
                              "'transform': 'percentile', 'weight': 0}",
                              i ? ", " : "", i);
    snprintf(big + o, cap - o, "], " TIERS "}");
    assert_int_equal(parse(json(big), &m, &err), KAM_ERR_TOO_LARGE);
    assert_null(m);
    assert_string_equal(err.msg, "indicators: 65 indicators; at most 64 are allowed");
    free(big);

    /* Over the document limit, before any parsing. */
    cap = KAM_MODEL_MAX_BYTES + 2;
    big = malloc(cap);
    assert_non_null(big);
    memset(big, ' ', cap);
    assert_int_equal(kam_model_parse(big, cap, &m, &err), KAM_ERR_TOO_LARGE);
    assert_null(m);
    free(big);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(kam_model_method_name(KAM_MODEL_FUZZY), "fuzzy");
    assert_string_equal(kam_model_group_name(KAM_MODEL_BEHAVIOUR), "behaviour");
    assert_string_equal(kam_model_group_name((enum kam_model_group)9), "unknown");
    kam_model_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),        cmocka_unit_test(test_default_runs),
        cmocka_unit_test(test_worked_example), cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_fuzzy),          cmocka_unit_test(test_ahp),
        cmocka_unit_test(test_invalid),        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
