/* The scoring model as a versioned JSON document (docs/scoring-model.md): which indicators make an
 * account's score (DOMAIN.md "Identify": "Scoring model"), where their values come from (a
 * computed metric, or a static rating a person enters), how each becomes points or fuzzy
 * memberships, their weights (given, or derived with AHP) and the tier rule.
 *
 * kam_model_parse() reads and checks a document and returns a model whose kam_score_model or
 * kam_fuzzy_model is ready to run; every rejection names its place in the document as a JSON path
 * ("indicators[2].bands[1]: ..."). */
#ifndef KAM_IO_MODEL_H
#define KAM_IO_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ahp.h"
#include "core/fuzzy.h"
#include "core/score.h"
#include "util/err.h"
#include "util/mem.h"

/* The only format this kam reads and writes ("format": 1). */
#define KAM_MODEL_FORMAT 1

/* Largest document kam_model_parse() accepts; beyond it KAM_ERR_TOO_LARGE. */
#define KAM_MODEL_MAX_BYTES (1024 * 1024)

/* Most ratings a model declares: as many as it can have indicators to use them. */
#define KAM_MODEL_MAX_RATINGS 64

/* Longest indicator, rating or grade name (they are identifiers: [a-z][a-z0-9_]*). */
#define KAM_MODEL_MAX_NAME 63

enum kam_model_method {
    KAM_MODEL_POINTS, /* weighted points (core/score.h); "points", the default */
    KAM_MODEL_FUZZY,  /* fuzzy comprehensive evaluation (core/fuzzy.h); "fuzzy" */
};

/* The indicator groups of DOMAIN.md "Scoring model". */
enum kam_model_group {
    KAM_MODEL_ATTRACTIVENESS,
    KAM_MODEL_POTENTIAL,
    KAM_MODEL_RELATIONSHIP,
    KAM_MODEL_STRATEGIC,
    KAM_MODEL_BEHAVIOUR,
};

/* Where an indicator's value comes from: DOMAIN.md's dynamic rule (computed from data at every
 * run) or static rule (a rating a person enters). */
enum kam_model_source {
    KAM_MODEL_METRIC, /* "metric:NAME": kam_metric_defs[index] (core/metrics.h) */
    KAM_MODEL_RATING, /* "rating:NAME": the model's ratings[index] */
};

/* A label in the two languages kam shows; either may be NULL (not given). */
struct kam_model_label {
    const char *en, *zh;
};

/* A static rating people enter per account (`kam rate ACCOUNT NAME VALUE`). Values outside
 * [min, max] are refused when entered; the model does not turn them into points by itself: the
 * indicator using the rating has its own transformation. */
struct kam_model_rating {
    const char *name; /* "key_people_access" */
    double min, max;  /* min < max, finite */
    struct kam_model_label label;
};

struct kam_model_indicator {
    const char *name; /* unique within the model */
    enum kam_model_group group;
    struct kam_model_label label;
    enum kam_model_source source;
    size_t index; /* into kam_metric_defs (METRIC) or the model's ratings (RATING) */
    /* The same indicator in the engine's arrays (model->score_indicators[i] and, for fuzzy,
     * model->fuzzy_indicators[i]); fuzzy is NULL for method points, score->transform and the
     * rest are meaningful only for method points. */
    const struct kam_score_indicator *score;
    const struct kam_fuzzy_indicator *fuzzy;
};

/* A parsed, checked model. Everything it points to belongs to it (one arena); the score and fuzzy
 * models borrow from it and live as long as it does. */
struct kam_model {
    const char *name;
    enum kam_model_method method;
    int window_months; /* the metrics window, 1..120 */

    const struct kam_model_rating *ratings;
    size_t nratings;
    const struct kam_model_indicator *indicators;
    size_t nindicators;

    /* Method points: ready for kam_score_run(), indicators in the model's order (pass the values
     * in that order). Method fuzzy: score_indicators hold names and weights only and score is
     * empty (nindicators 0). */
    struct kam_score_indicator *score_indicators;
    struct kam_score_model score;
    /* Method fuzzy: ready for kam_fuzzy_evaluate(); all zero / NULL for method points. */
    struct kam_fuzzy_grade *grades;
    struct kam_model_label *grade_labels; /* grades' labels, parallel to grades */
    struct kam_fuzzy_indicator *fuzzy_indicators;
    struct kam_fuzzy_model fuzzy;

    struct kam_tier_rule tiers;

    /* The weights came from the "ahp" matrix; ahp holds its weights and consistency figures
     * (CR <= KAM_AHP_CR_LIMIT, or the model was refused). ahp is zero when !weights_from_ahp. */
    bool weights_from_ahp;
    struct kam_ahp_result ahp;

    struct kam_arena arena;
};

/* Parses and checks the JSON document json[0..len) into *out (the caller's, free with
 * kam_model_free()), set only on success. KAM_ERR_INVALID with a message starting with the JSON
 * path of the problem (0-based indices), "line L, column C: ..." for bad JSON; KAM_ERR_TOO_LARGE
 * for a document over KAM_MODEL_MAX_BYTES, more than KAM_MODEL_MAX_RATINGS ratings, or beyond
 * the engines' caps (64 indicators, 32 bands, 8 grades, 15 AHP criteria). */
KAM_MUST_CHECK enum kam_rc kam_model_parse(const char *json, size_t len, struct kam_model **out,
                                           struct kam_err *err);

/* Frees m and everything it owns; NULL does nothing. */
void kam_model_free(struct kam_model *m);

/* The canonical text of the document json[0..len) for storing: parsed and checked as by
 * kam_model_parse() (same errors), then written back with 2-space indentation, keys in the
 * document's order, UTF-8 kept, numbers to 15 significant digits, and a final newline. *out is
 * the caller's (free()), set only on success. */
KAM_MUST_CHECK enum kam_rc kam_model_canonical(const char *json, size_t len, char **out,
                                               struct kam_err *err);

/* Index of the rating called name in m, -1 when m has none. */
int kam_model_rating_find(const struct kam_model *m, const char *name);

/* "points", "fuzzy". */
const char *kam_model_method_name(enum kam_model_method method);
/* "attractiveness", "potential", "relationship", "strategic", "behaviour". */
const char *kam_model_group_name(enum kam_model_group group);

/* The default model, documented in docs/scoring-model.md (NUL-terminated JSON). */
extern const char kam_model_default_json[];

#endif
