/* Scoring commands: the model (show, set, validate, list), ratings, pinned tiers, scoring runs,
 * one account's explanation and the tier changes between runs. docs/scoring-model.md. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "io/model.h"
#include "util/mem.h"
#include "util/text.h"

static bool want_json(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--json") == 0)
            return true;
    return false;
}

/* The whole file into a malloc'd, NUL-terminated buffer; NULL with err set. */
static char *slurp(const char *path, size_t *len, struct kam_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        kam_err_set(err, KAM_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = kam_xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n > KAM_MODEL_MAX_BYTES) {
            fclose(f);
            free(buf);
            kam_err_set(err, KAM_ERR_TOO_LARGE, "%s: larger than %d bytes", path,
                        KAM_MODEL_MAX_BYTES);
            return NULL;
        }
        if (n == cap) {
            cap *= 2;
            buf = kam_xrealloc(buf, cap + 1);
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        kam_err_set(err, KAM_ERR_IO, "%s: cannot read", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* --- model -------------------------------------------------------------------------------- */

static int on_model(void *ctx, int64_t version, const char *name, const char *created)
{
    json_t *items = ctx;
    if (items)
        json_array_append_new(items, json_pack("{s:I,s:s,s:s}", "version", (json_int_t)version,
                                               "name", name, "created_at", created));
    else
        printf("%6lld  %-24s %s\n", (long long)version, name, created);
    return 0;
}

static void print_model(const struct kam_model *m, int64_t version)
{
    printf("model '%s' version %lld: method %s, window %d months, tiers by %s", m->name,
           (long long)version, kam_model_method_name(m->method), m->window_months,
           m->tiers.method == KAM_TIER_BY_SCORE ? "score" : "rank share");
    printf(" (%g / %g / %g)\n", m->tiers.cut[0], m->tiers.cut[1], m->tiers.cut[2]);
    if (m->weights_from_ahp)
        printf("weights from AHP: lambda_max %.4f, CI %.4f, CR %.4f\n", m->ahp.lambda_max,
               m->ahp.ci, m->ahp.cr);
    printf("%-24s %-15s %-28s %8s\n", "indicator", "group", "source", "weight");
    for (size_t i = 0; i < m->nindicators; i++) {
        const struct kam_model_indicator *ind = &m->indicators[i];
        char src[96];
        snprintf(src, sizeof(src), "%s:%s", ind->source == KAM_MODEL_METRIC ? "metric" : "rating",
                 ind->source == KAM_MODEL_METRIC ? kam_metric_defs[ind->index].name
                                                 : m->ratings[ind->index].name);
        printf("%-24s %-15s %-28s %8.4f\n", ind->name, kam_model_group_name(ind->group), src,
               m->score_indicators[i].weight);
    }
}

int kam_cmd_model(struct kam_cli *cli, int argc, char **argv)
{
    if (argc < 2)
        return kam_cli_usage("model", "say show, set FILE, validate FILE or list");
    const char *sub = argv[1];
    struct kam_err err;
    int code = 0;
    bool json = want_json(argc, argv);

    if (strcmp(sub, "validate") == 0) { /* needs no database */
        if (argc < 3)
            return kam_cli_usage("model", "validate takes a FILE");
        size_t len;
        char *text = slurp(argv[2], &len, &err);
        struct kam_model *m = NULL;
        if (text == NULL || kam_model_parse(text, len, &m, &err) != KAM_OK) {
            if (text != NULL) {
                err.line = 0; /* the message says line and column of the JSON */
                kam_err_prefix(&err, "%s", argv[2]);
            }
            free(text);
            return kam_cli_fail(&err);
        }
        printf("%s: valid (%zu indicators, method %s)\n", argv[2], m->nindicators,
               kam_model_method_name(m->method));
        kam_model_free(m);
        free(text);
        return 0;
    }
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    if (strcmp(sub, "show") == 0) {
        struct kam_model *m = NULL;
        int64_t version;
        char *body = NULL;
        if (kam_engine_model(st, &m, &version, &body, &err) != KAM_OK) {
            code = kam_cli_fail(&err);
        } else if (json) {
            fputs(body, stdout);
        } else {
            print_model(m, version);
        }
        free(body);
        kam_model_free(m);
    } else if (strcmp(sub, "set") == 0) {
        size_t len;
        char *text = argc < 3 ? NULL : slurp(argv[2], &len, &err);
        char name[128];
        int64_t version;
        if (argc < 3) {
            code = kam_cli_usage("model", "set takes a FILE");
        } else if (text == NULL) {
            code = kam_cli_fail(&err);
        } else if (kam_engine_model_set(st, kam_cli_actor(), text, len, &version, name,
                                        sizeof(name), &err) != KAM_OK) {
            err.line = 0;
            kam_err_prefix(&err, "%s (the stored model is unchanged)", argv[2]);
            code = kam_cli_fail(&err);
        } else {
            printf("stored model '%s' as version %lld\n", name, (long long)version);
        }
        free(text);
    } else if (strcmp(sub, "list") == 0) {
        json_t *items = json ? json_array() : NULL;
        if (!json)
            printf("%6s  %-24s %s\n", "version", "name", "created");
        if (st->ops->model_list(st, on_model, items, &err) != KAM_OK) {
            json_decref(items);
            code = kam_cli_fail(&err);
        } else if (json) {
            kam_cli_json(json_pack("{s:o}", "items", items));
        }
    } else {
        code = kam_cli_usage("model", "unknown subcommand '%s'", sub);
    }
    kam_store_close(st);
    return code;
}

/* --- rate, pin ---------------------------------------------------------------------------- */

int kam_cmd_rate(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"note", required_argument, NULL, 'n'}, {"clear", no_argument, NULL, 'c'}, {0}};
    const char *note = NULL;
    bool clear = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n')
            note = optarg;
        else if (c == 'c')
            clear = true;
        else
            return 1;
    }
    if (argc - optind != (clear ? 2 : 3))
        return kam_cli_usage("rate", "say ACCOUNT RATING VALUE, or --clear ACCOUNT RATING");
    const char *code_arg = argv[optind], *name = argv[optind + 1];
    double value = NAN;
    if (!clear) {
        char *end;
        value = strtod(argv[optind + 2], &end);
        if (*end != '\0' || !isfinite(value))
            return kam_cli_usage("rate", "VALUE must be a number, not '%s'", argv[optind + 2]);
    }
    int code = 0;
    struct kam_err err;
    kam_err_clear(&err); /* kam_cli_fail prints line and field when set */
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    enum kam_rc rc = kam_engine_rate(st, kam_cli_actor(), code_arg, name, value, note, &err);
    if (rc != KAM_OK)
        code = kam_cli_fail(&err);
    else if (clear)
        printf("%s: rating %s cleared\n", code_arg, name);
    else
        printf("%s: %s = %g\n", code_arg, name, value);
    kam_store_close(st);
    return code;
}

int kam_cmd_pin(struct kam_cli *cli, int argc, char **argv)
{
    if (argc != 3)
        return kam_cli_usage("pin", "say ACCOUNT key|major|ordinary|small|none");
    const char *tier = argv[2];
    bool known = strcmp(tier, "none") == 0;
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++)
        known = known || strcmp(tier, kam_tier_name((enum kam_tier)t)) == 0;
    if (!known)
        return kam_cli_usage("pin", "TIER is key, major, ordinary, small or none, not '%s'", tier);
    int code = 0;
    struct kam_err err;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    enum kam_rc rc =
        kam_engine_pin(st, kam_cli_actor(), argv[1], strcmp(tier, "none") == 0 ? NULL : tier, &err);
    if (rc != KAM_OK)
        code = kam_cli_fail(&err);
    else
        printf("%s: %s\n", argv[1],
               strcmp(tier, "none") == 0 ? "unpinned"
                                         : "pinned to its tier (flagged when the "
                                           "score disagrees)");
    kam_store_close(st);
    return code;
}

/* --- score -------------------------------------------------------------------------------- */

int kam_cmd_score(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"as-of", required_argument, NULL, 'a'}, {"json", no_argument, NULL, 'j'}, {0}};
    const char *as_of = NULL;
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'a')
            as_of = optarg;
        else if (c == 'j')
            json = true;
        else
            return 1;
    }
    if (optind != argc)
        return kam_cli_usage("score", "unexpected argument '%s'", argv[optind]);
    int code = 0;
    struct kam_err err;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    struct kam_score_outcome o;
    if (kam_engine_score(st, kam_cli_actor(), as_of, &o, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
    } else if (json) {
        kam_cli_json(json_pack(
            "{s:I,s:I,s:s,s:I,s:{s:I,s:I,s:I,s:I},s:I,s:I,s:I,s:f,s:{s:f,s:f,s:f}}", "run",
            (json_int_t)o.run, "model_version", (json_int_t)o.model_version, "as_of", o.as_of,
            "accounts", (json_int_t)o.accounts, "tiers", "key", (json_int_t)o.tiers[0], "major",
            (json_int_t)o.tiers[1], "ordinary", (json_int_t)o.tiers[2], "small",
            (json_int_t)o.tiers[3], "pin_differs", (json_int_t)o.pin_differs, "missing_values",
            (json_int_t)o.missing, "kept_activity", (json_int_t)o.kept_activity, "seconds",
            o.seconds, "phases", "metrics", o.portfolio_seconds, "scores", o.score_seconds, "store",
            o.store_seconds));
    } else {
        printf("run %lld: %zu accounts scored as of %s with model version %lld in %.2f s "
               "(metrics %.2f s, scores and tiers %.2f s, storing %.2f s)\n",
               (long long)o.run, o.accounts, o.as_of, (long long)o.model_version, o.seconds,
               o.portfolio_seconds, o.score_seconds, o.store_seconds);
        printf("tiers: key %lld, major %lld, ordinary %lld, small %lld\n", (long long)o.tiers[0],
               (long long)o.tiers[1], (long long)o.tiers[2], (long long)o.tiers[3]);
        printf("missing indicator values: %lld (each handled by its indicator's rule); pinned "
               "accounts whose score disagrees: %lld\n",
               (long long)o.missing, (long long)o.pin_differs);
    }
    kam_store_close(st);
    return code;
}

/* --- explain ------------------------------------------------------------------------------ */

struct history {
    json_t *items;
};

static int on_history(void *ctx, const struct kam_score_row *row, const struct kam_run *run)
{
    struct history *h = ctx;
    json_array_append_new(h->items, json_pack("{s:I,s:s,s:f,s:s,s:b}", "run", (json_int_t)row->run,
                                              "as_of", run->as_of, "score", row->score, "tier",
                                              row->tier, "pinned", row->pinned));
    return 0;
}

/* Indicators by the points they could still add: weight * (100 - points), largest first. */
static int by_headroom(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    double hx = json_number_value(json_object_get(x, "weight")) *
                (100 - json_number_value(json_object_get(x, "points")));
    double hy = json_number_value(json_object_get(y, "weight")) *
                (100 - json_number_value(json_object_get(y, "points")));
    return (hx < hy) - (hx > hy);
}

int kam_cmd_explain(struct kam_cli *cli, int argc, char **argv)
{
    bool json = want_json(argc, argv);
    const char *code_arg = NULL;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--json") != 0)
            code_arg = argv[i];
    if (code_arg == NULL)
        return kam_cli_usage("explain", "say which ACCOUNT");
    int code = 0;
    struct kam_err err;
    kam_err_clear(&err); /* kam_cli_fail prints line and field when set */
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    struct kam_explanation e = {"", "", NULL};
    struct history h = {json_array()};
    int64_t id = 0;
    enum kam_rc rc = kam_engine_account_id(st, code_arg, &id, &err);
    if (rc == KAM_OK)
        rc = kam_engine_explain(st, id, code_arg, &e, &err);
    if (rc == KAM_OK)
        rc = st->ops->score_history(st, id, on_history, &h, &err);
    if (rc != KAM_OK) {
        code = kam_cli_fail(&err);
        goto out;
    }
    json_t *items = json_object_get(e.json, "items");
    size_t n = json_array_size(items);
    json_t **sorted = kam_xmalloc((n + 1) * sizeof(*sorted));
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(items, i);
    qsort(sorted, n, sizeof(*sorted), by_headroom);
    json_t *movers = json_array();
    for (size_t i = 0; i < n && i < 3; i++) {
        double w = json_number_value(json_object_get(sorted[i], "weight"));
        double pts = json_number_value(json_object_get(sorted[i], "points"));
        json_array_append_new(movers, json_pack("{s:O,s:f}", "indicator",
                                                json_object_get(sorted[i], "indicator"), "max_gain",
                                                w * (100 - pts)));
    }
    free(sorted);
    if (json) {
        json_object_set_new(e.json, "account", json_string(code_arg));
        json_object_set_new(e.json, "as_of", json_string(e.as_of));
        json_object_set_new(e.json, "stage", json_string(e.stage));
        json_object_set_new(e.json, "would_move_most", movers);
        json_object_set(e.json, "history", h.items);
        kam_cli_json(json_incref(e.json));
        goto out;
    }
    printf("%s as of %s: score %.2f, tier %s", code_arg, e.as_of,
           json_number_value(json_object_get(e.json, "score")),
           json_string_value(json_object_get(e.json, "tier")));
    if (json_is_true(json_object_get(e.json, "pinned")))
        printf(" (pinned; the score gives %s)",
               json_string_value(json_object_get(e.json, "computed")));
    json_t *to_next = json_object_get(e.json, "to_next");
    if (json_is_number(to_next) && json_number_value(to_next) > 0)
        printf(", %.2f points below the next tier", json_number_value(to_next));
    printf(", lifecycle %s\n", e.stage);
    printf("%-22s %-15s %14s %8s %8s %8s %s\n", "indicator", "group", "raw", "points", "weight",
           "contrib", "");
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        json_t *raw = json_object_get(it, "raw");
        char rb[32];
        if (json_is_number(raw))
            snprintf(rb, sizeof(rb), "%.4g", json_number_value(raw));
        else
            snprintf(rb, sizeof(rb), "missing");
        const char *from = json_string_value(json_object_get(it, "from"));
        printf("%-22s %-15s %14s %8.2f %8.4f %8.2f %s\n",
               json_string_value(json_object_get(it, "indicator")),
               json_string_value(json_object_get(it, "group")), rb,
               json_number_value(json_object_get(it, "points")),
               json_number_value(json_object_get(it, "weight")),
               json_number_value(json_object_get(it, "contribution")),
               strcmp(from, "value") == 0 ? "" : from);
    }
    printf("would move it most:");
    for (size_t i = 0; i < json_array_size(movers); i++) {
        json_t *mv = json_array_get(movers, i);
        printf(" %s (up to +%.2f)", json_string_value(json_object_get(mv, "indicator")),
               json_number_value(json_object_get(mv, "max_gain")));
    }
    printf("\nhistory:");
    for (size_t i = 0; i < json_array_size(h.items); i++) {
        json_t *r = json_array_get(h.items, i);
        printf(" %s %s %.1f;", json_string_value(json_object_get(r, "as_of")),
               json_string_value(json_object_get(r, "tier")),
               json_number_value(json_object_get(r, "score")));
    }
    printf("\n");
    json_decref(movers);
out:
    json_decref(e.json);
    json_decref(h.items);
    kam_store_close(st);
    return code;
}

/* --- changes ------------------------------------------------------------------------------ */

static int on_change(void *ctx, const struct kam_tier_change *c)
{
    json_t *items = ctx;
    if (items) {
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:s,s:o,s:f}", "code", c->code, "name", c->name, "from",
                             c->from, "to", c->to, "score_from",
                             isnan(c->score_from) ? json_null() : json_real(c->score_from),
                             "score_to", c->score_to));
        return 0;
    }
    kam_text_pad(stdout, c->code, 10, 0);
    fputc(' ', stdout);
    kam_text_pad(stdout, c->name, 28, 0);
    printf(" %-9s -> %-9s %7.2f -> %.2f\n", c->from[0] ? c->from : "(new)", c->to,
           isnan(c->score_from) ? 0.0 : c->score_from, c->score_to);
    return 0;
}

int kam_cmd_changes(struct kam_cli *cli, int argc, char **argv)
{
    bool json = want_json(argc, argv);
    int code = 0;
    struct kam_err err;
    if (argc > 1 && !json)
        return kam_cli_usage("changes", "unexpected argument '%s'", argv[1]);
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    json_t *items = json ? json_array() : NULL;
    int64_t latest, previous;
    if (!json)
        printf("tier changes since the previous run (upgrades first):\n");
    if (kam_engine_changes(st, &latest, &previous, on_change, items, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
        json_decref(items);
    } else if (json) {
        kam_cli_json(json_pack("{s:I,s:I,s:o}", "run", (json_int_t)latest, "previous_run",
                               (json_int_t)previous, "items", items));
    } else if (previous == 0) {
        printf("(fewer than two runs: run kam score again after the data or ratings change)\n");
    }
    kam_store_close(st);
    return code;
}
