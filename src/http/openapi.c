/* GET /api/v1/openapi.json: the OpenAPI 3.1 document of the API, written from the route table
 * (routes.c) on each request, so it cannot drift from what the server does. tests/http reads it
 * back and checks it against the table.
 *
 * What the table does not hold, the shapes of bodies, are the schemas below, by name; a route
 * refers to its request and response schema by that name. */
#include "http/http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The "scope" member of the analyses answered within the caller's scope (kam_http_scope_json). */
#define SCOPE_SCHEMA                                                                               \
    "{\"type\":\"object\",\"description\":\"the accounts the figures cover\",\"required\":["       \
    "\"kind\"],\"properties\":{\"kind\":{\"enum\":[\"all\",\"team\",\"own\"]},\"team\":{"          \
    "\"type\":\"string\"},\"user\":{\"type\":\"string\"}}}"

/* The component schemas, as JSON. */
static const struct {
    const char *name, *json;
} schemas[] = {
    {"Problem",
     "{\"type\":\"object\",\"description\":\"RFC 9457 problem details\","
     "\"required\":[\"type\",\"title\",\"status\"],\"properties\":{"
     "\"type\":{\"type\":\"string\",\"format\":\"uri-reference\"},"
     "\"title\":{\"type\":\"string\"},\"status\":{\"type\":\"integer\"},"
     "\"detail\":{\"type\":\"string\"},"
     "\"errors\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"field\","
     "\"message\"],\"properties\":{\"field\":{\"type\":[\"string\",\"null\"]},\"message\":{"
     "\"type\":\"string\"},\"line\":{\"type\":[\"integer\",\"null\"],\"description\":\"an "
     "import's problems: the CSV line\"},\"column\":{\"type\":[\"integer\",\"null\"]}}}},"
     "\"report\":{\"$ref\":\"#/components/schemas/ImportReport\",\"description\":\"a "
     "refused import (422): what was read, nothing written\"}}}"},
    {"Health", "{\"type\":\"object\",\"required\":[\"status\"],\"properties\":{\"status\":{"
               "\"type\":\"string\"},\"schema\":{\"type\":\"integer\"}}}"},
    {"Login", "{\"type\":\"object\",\"required\":[\"username\",\"password\"],\"properties\":{"
              "\"username\":{\"type\":\"string\"},\"password\":{\"type\":\"string\"}}}"},
    {"User", "{\"type\":\"object\",\"required\":[\"username\",\"role\"],\"properties\":{"
             "\"username\":{\"type\":\"string\"},\"display_name\":{\"type\":[\"string\",\"null\"]},"
             "\"role\":{\"enum\":[\"admin\",\"director\",\"manager\",\"rep\",\"viewer\"]},"
             "\"team\":{\"type\":[\"string\",\"null\"]}}}"},
    {"Session",
     "{\"type\":\"object\",\"required\":[\"user\"],\"properties\":{"
     "\"user\":{\"$ref\":\"#/components/schemas/User\"},"
     "\"csrf_token\":{\"type\":\"string\",\"description\":\"only in the sign-in answer: send it "
     "as X-CSRF-Token with every cookie-authenticated write\"},"
     "\"auth\":{\"enum\":[\"cookie\",\"bearer\"]},"
     "\"expires_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"}}}"},
    {"Account",
     "{\"type\":\"object\",\"description\":\"the columns of an account (docs/import.md names "
     "them); money as exact decimal strings\",\"required\":[\"id\",\"code\",\"name\"],"
     "\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},"
     "\"name\":{\"type\":\"string\"},\"owner\":{\"type\":[\"string\",\"null\"]},"
     "\"version\":{\"type\":\"integer\"},\"ttm_revenue\":{\"type\":\"string\"},"
     "\"total_revenue\":{\"type\":\"string\"},\"tier\":{\"type\":[\"string\",\"null\"],"
     "\"description\":\"lists: in the latest scoring run (null: not scored)\"},\"score\":{"
     "\"type\":[\"number\",\"null\"]},\"stage\":{\"type\":[\"string\",\"null\"]}},"
     "\"additionalProperties\":true}"},
    {"AccountPatch",
     "{\"type\":\"object\",\"description\":\"the account fields to change (null clears; the "
     "version read, or If-Match)\",\"additionalProperties\":false,\"properties\":{"
     "\"version\":{\"type\":\"integer\",\"minimum\":1},"
     "\"name\":{\"type\":\"string\"},"
     "\"role\":{\"enum\":[\"end_user\",\"distributor\",\"dealer\",\"wholesaler\",\"agent\","
     "\"supplier\",\"internal\",null]},"
     "\"uscc\":{\"type\":[\"string\",\"null\"]},"
     "\"industry\":{\"type\":[\"string\",\"null\"]},"
     "\"region\":{\"type\":[\"string\",\"null\"]},"
     "\"country\":{\"type\":[\"string\",\"null\"]},"
     "\"city\":{\"type\":[\"string\",\"null\"]},"
     "\"parent\":{\"type\":[\"string\",\"null\"],\"description\":\"an account code\"},"
     "\"owner\":{\"type\":[\"string\",\"null\"]},"
     "\"status\":{\"type\":[\"string\",\"null\"]},"
     "\"level\":{\"enum\":[\"ordinary\",\"partner\",\"strategic_alliance\",null]},"
     "\"registered_capital\":{\"type\":[\"string\",\"null\"],\"description\":\"exact decimal\"},"
     "\"employees\":{\"type\":[\"integer\",\"null\"]},"
     "\"annual_revenue\":{\"type\":[\"string\",\"null\"],\"description\":\"exact decimal\"},"
     "\"founded\":{\"type\":[\"integer\",\"null\"]},"
     "\"website\":{\"type\":[\"string\",\"null\"]},"
     "\"address\":{\"type\":[\"string\",\"null\"]},"
     "\"est_annual_purchases\":{\"type\":[\"string\",\"null\"],\"description\":\"exact decimal\"},"
     "\"credit_limit\":{\"type\":[\"string\",\"null\"],\"description\":\"exact decimal\"},"
     "\"justification\":{\"type\":[\"string\",\"null\"]}}}"},
    {"User", "{\"type\":\"object\",\"description\":\"a user, never their password hash\","
             "\"required\":[\"id\",\"username\",\"role\",\"disabled\",\"version\"],\"properties\":{"
             "\"id\":{\"type\":\"integer\"},\"username\":{\"type\":\"string\"},\"display_name\":{"
             "\"type\":[\"string\",\"null\"]},\"role\":{\"enum\":[\"admin\",\"director\","
             "\"manager\",\"rep\",\"viewer\"]},\"team\":{\"type\":[\"string\",\"null\"]},"
             "\"disabled\":{\"type\":\"boolean\"},\"created_at\":{\"type\":\"string\"},"
             "\"updated_at\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\"}}}"},
    {"UserList",
     "{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":"
     "\"array\",\"items\":{\"$ref\":\"#/components/schemas/User\"}}}}"},
    {"NewUser", "{\"type\":\"object\",\"required\":[\"username\",\"role\",\"password\"],"
                "\"additionalProperties\":false,\"properties\":{\"username\":{\"type\":\"string\"},"
                "\"display_name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\"},\"team\":{"
                "\"type\":\"string\"},\"password\":{\"type\":\"string\"}}}"},
    {"UserPatch",
     "{\"type\":\"object\",\"required\":[\"version\"],\"additionalProperties\":false,"
     "\"properties\":{\"version\":{\"type\":\"integer\"},\"display_name\":{\"type\":"
     "\"string\"},\"role\":{\"type\":\"string\"},\"team\":{\"type\":[\"string\",\"null\"]},"
     "\"disabled\":{\"type\":\"boolean\"}}}"},
    {"Password", "{\"type\":\"object\",\"required\":[\"password\"],\"additionalProperties\":false,"
                 "\"properties\":{\"password\":{\"type\":\"string\"}}}"},
    {"Team", "{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{\"id\":{"
             "\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"users\":{\"type\":"
             "\"integer\"}}}"},
    {"TeamList",
     "{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":"
     "\"array\",\"items\":{\"$ref\":\"#/components/schemas/Team\"}}}}"},
    {"NewTeam", "{\"type\":\"object\",\"required\":[\"name\"],\"additionalProperties\":false,"
                "\"properties\":{\"name\":{\"type\":\"string\"}}}"},
    {"Token", "{\"type\":\"object\",\"description\":\"an API token; token (its text) only in the "
              "answer that creates it\",\"required\":[\"id\",\"user\"],\"properties\":{\"id\":{"
              "\"type\":\"integer\"},\"user\":{\"type\":\"string\"},\"name\":{\"type\":[\"string\","
              "\"null\"]},\"created_at\":{\"type\":\"string\"},\"last_used_at\":{\"type\":["
              "\"string\",\"null\"]},\"revoked_at\":{\"type\":[\"string\",\"null\"]},\"token\":{"
              "\"type\":\"string\"}}}"},
    {"TokenList",
     "{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":"
     "\"array\",\"items\":{\"$ref\":\"#/components/schemas/Token\"}}}}"},
    {"NewToken", "{\"type\":\"object\",\"required\":[\"user\"],\"additionalProperties\":false,"
                 "\"properties\":{\"user\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}}}"},
    {"AuditList",
     "{\"type\":\"object\",\"required\":[\"items\",\"total\",\"next\"],\"properties\":{"
     "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\","
     "\"at\",\"actor\",\"action\",\"entity\"],\"properties\":{\"id\":{\"type\":"
     "\"integer\"},\"at\":{\"type\":\"string\",\"format\":\"date-time\"},\"actor\":{"
     "\"type\":\"string\"},\"action\":{\"type\":\"string\"},\"entity\":{\"type\":"
     "\"string\"},\"key\":{\"type\":[\"string\",\"null\"]},\"before\":{\"type\":["
     "\"object\",\"null\"]},\"after\":{\"type\":[\"object\",\"null\"]}}}},"
     "\"total\":{\"type\":\"integer\"},\"next\":{\"type\":[\"string\",\"null\"]},"
     "\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"}}}"},
    {"AccountList",
     "{\"type\":\"object\",\"required\":[\"items\",\"total\",\"next\"],\"properties\":{"
     "\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Account\"}},"
     "\"total\":{\"type\":\"integer\"},\"next\":{\"type\":[\"string\",\"null\"]},"
     "\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"}}}"},
    {"Summary",
     "{\"type\":\"object\",\"description\":\"the portfolio summary, as kam summary --json; money "
     "as exact decimal strings\",\"required\":[\"currency\",\"counts\",\"net_revenue\","
     "\"pareto\",\"top_accounts\"],\"properties\":{\"scope\":" SCOPE_SCHEMA
     ",\"currency\":{\"type\":\"string\"},"
     "\"counts\":{\"type\":\"object\",\"properties\":{\"accounts\":{\"type\":\"integer\"},"
     "\"contacts\":{\"type\":\"integer\"},\"products\":{\"type\":\"integer\"},"
     "\"order_lines\":{\"type\":\"integer\"},\"payments\":{\"type\":\"integer\"}}},"
     "\"last_order_date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},"
     "\"net_revenue\":{\"type\":\"string\"},"
     "\"pareto\":{\"type\":\"object\",\"properties\":{\"population\":{\"type\":\"integer\"},"
     "\"population_revenue\":{\"type\":\"string\"},\"top_k\":{\"type\":\"integer\"},"
     "\"top_revenue\":{\"type\":\"string\"},\"top_share\":{\"type\":\"number\"},"
     "\"accounts_to_80\":{\"type\":\"integer\"},\"gini\":{\"type\":\"number\"}}},"
     "\"top_accounts\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
     "\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
     "\"revenue\":{\"type\":\"string\"},\"share\":{\"type\":\"number\"}}}}}}"},
    {"Explanation",
     "{\"type\":\"object\",\"description\":\"an account's latest score, as kam explain --json\","
     "\"required\":[\"account\",\"model_version\",\"score\",\"tier\",\"items\",\"as_of\","
     "\"history\"],\"properties\":{\"account\":{\"type\":\"string\"},"
     "\"model_version\":{\"type\":\"integer\"},\"method\":{\"type\":\"string\"},"
     "\"score\":{\"type\":\"number\"},\"tier\":{\"type\":\"string\"},"
     "\"computed\":{\"type\":\"string\"},\"pinned\":{\"type\":\"boolean\"},"
     "\"to_next\":{\"type\":[\"number\",\"null\"]},\"items\":{\"type\":\"array\"},"
     "\"as_of\":{\"type\":\"string\",\"format\":\"date\"},\"stage\":{\"type\":\"string\"},"
     "\"would_move_most\":{\"type\":\"array\"},\"history\":{\"type\":\"array\",\"items\":{"
     "\"type\":\"object\",\"properties\":{\"run\":{\"type\":\"integer\"},\"as_of\":{\"type\":"
     "\"string\"},\"score\":{\"type\":\"number\"},\"tier\":{\"type\":\"string\"},\"pinned\":{"
     "\"type\":\"boolean\"}}}}},\"additionalProperties\":true}"},
    {"RatingSet", "{\"type\":\"object\",\"required\":[\"value\"],\"properties\":{"
                  "\"value\":{\"type\":[\"number\",\"null\"],\"description\":\"on the rating's "
                  "scale in the model; null clears it\"},\"note\":{\"type\":[\"string\","
                  "\"null\"]}}}"},
    {"Rating", "{\"type\":\"object\",\"required\":[\"account\",\"rating\",\"value\"],"
               "\"properties\":{\"account\":{\"type\":\"string\"},\"rating\":{\"type\":"
               "\"string\"},\"value\":{\"type\":[\"number\",\"null\"]},\"note\":{\"type\":["
               "\"string\",\"null\"]}}}"},
    {"PinSet", "{\"type\":\"object\",\"required\":[\"tier\"],\"properties\":{\"tier\":{"
               "\"enum\":[\"key\",\"major\",\"ordinary\",\"small\",null],\"description\":"
               "\"the tier to keep whatever the score; null unpins\"}}}"},
    {"Pin", "{\"type\":\"object\",\"required\":[\"account\",\"tier\"],\"properties\":{"
            "\"account\":{\"type\":\"string\"},\"tier\":{\"type\":[\"string\",\"null\"]}}}"},
    {"ModelDocument", "{\"type\":\"object\",\"description\":\"a scoring model, format 1 "
                      "(docs/scoring-model.md)\",\"additionalProperties\":true}"},
    {"Model", "{\"type\":\"object\",\"required\":[\"version\",\"name\",\"model\"],"
              "\"properties\":{\"version\":{\"type\":\"integer\"},\"name\":{\"type\":"
              "\"string\"},\"model\":{\"$ref\":\"#/components/schemas/ModelDocument\"}}}"},
    {"ModelVersion", "{\"type\":\"object\",\"required\":[\"version\",\"name\"],\"properties\":{"
                     "\"version\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}}"},
    {"ModelValidation", "{\"type\":\"object\",\"required\":[\"valid\"],\"properties\":{"
                        "\"valid\":{\"const\":true},\"name\":{\"type\":\"string\"},"
                        "\"method\":{\"type\":\"string\"},\"indicators\":{\"type\":"
                        "\"integer\"},\"weights\":{\"type\":\"object\",\"description\":"
                        "\"indicator name to the weight the model gives it\","
                        "\"additionalProperties\":{\"type\":\"number\"}},\"ahp\":{\"type\":"
                        "[\"object\",\"null\"],\"description\":\"lambda_max, ci, ri, cr when the "
                        "weights come from the ahp matrix\"}}}"},
    {"ScoreRun",
     "{\"type\":\"object\",\"description\":\"what a scoring run did, as kam score --json\","
     "\"required\":[\"run\",\"model_version\",\"as_of\",\"accounts\",\"tiers\"],\"properties\":{"
     "\"run\":{\"type\":\"integer\"},\"model_version\":{\"type\":\"integer\"},"
     "\"as_of\":{\"type\":\"string\",\"format\":\"date\"},\"accounts\":{\"type\":\"integer\"},"
     "\"tiers\":{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"integer\"},"
     "\"major\":{\"type\":\"integer\"},\"ordinary\":{\"type\":\"integer\"},\"small\":{\"type\":"
     "\"integer\"}}},\"pin_differs\":{\"type\":\"integer\"},\"missing_values\":{\"type\":"
     "\"integer\"},\"kept_activity\":{\"type\":\"integer\",\"description\":\"accounts whose "
     "orders and products were not read: their kept activity served\"},\"seconds\":{\"type\":"
     "\"number\"},\"phases\":{\"type\":\"object\","
     "\"properties\":{\"metrics\":{\"type\":\"number\"},\"scores\":{\"type\":\"number\"},"
     "\"store\":{\"type\":\"number\"}}}}}"},
    /* Background jobs (jobs.c): the 202 of an async route, one job, the list. */
    {"JobAccepted", "{\"type\":\"object\",\"description\":\"the job queued; poll its url (also the "
                    "Location header)\",\"required\":[\"job\",\"url\",\"state\"],\"properties\":{"
                    "\"job\":{\"type\":\"integer\"},\"url\":{\"type\":\"string\"},\"state\":{"
                    "\"const\":\"queued\"}}}"},
    {"Job", "{\"type\":\"object\",\"required\":[\"job\",\"kind\",\"url\",\"owner\",\"state\","
            "\"done\",\"total\",\"percent\",\"seconds\"],\"properties\":{\"job\":{\"type\":"
            "\"integer\"},\"kind\":{\"type\":\"string\"},\"url\":{\"type\":\"string\"},"
            "\"owner\":{\"type\":\"string\"},\"state\":{\"enum\":[\"queued\",\"running\","
            "\"done\",\"failed\",\"cancelled\"]},\"phase\":{\"type\":[\"string\",\"null\"],"
            "\"description\":"
            "\"a scoring run's: metrics, scores, store\"},\"done\":{\"type\":\"integer\"},"
            "\"total\":{\"type\":\"integer\"},\"percent\":{\"type\":\"number\"},\"seconds\":{"
            "\"type\":\"number\"},\"created_at\":{\"type\":\"string\",\"format\":"
            "\"date-time\"},\"started_at\":{\"type\":[\"string\",\"null\"]},\"finished_at\":{"
            "\"type\":[\"string\",\"null\"]},\"status\":{\"type\":[\"integer\",\"null\"],"
            "\"description\":\"once over: the status the synchronous call would have answered\"},"
            "\"result\":{\"description\":\"once done: the synchronous call's body (a scoring run: "
            "ScoreRun)\"},\"problem\":{\"oneOf\":[{\"$ref\":\"#/components/schemas/Problem\"},"
            "{\"type\":\"null\"}]}}}"},
    {"JobList", "{\"type\":\"object\",\"required\":[\"items\",\"total\"],\"properties\":{"
                "\"items\":{\"type\":\"array\",\"description\":\"newest first, without result and "
                "problem\",\"items\":{\"$ref\":\"#/components/schemas/Job\"}},\"total\":{\"type\":"
                "\"integer\"}}}"},
    {"TierChanges",
     "{\"type\":\"object\",\"required\":[\"items\",\"run\",\"previous_run\"],\"properties\":{"
     "\"scope\":" SCOPE_SCHEMA ",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
     "\"properties\":{"
     "\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"from\":{\"type\":"
     "\"string\"},\"to\":{\"type\":\"string\"},\"score_from\":{\"type\":[\"number\",\"null\"]},"
     "\"score_to\":{\"type\":\"number\"}}}},\"run\":{\"type\":\"integer\"},"
     "\"previous_run\":{\"type\":\"integer\"}}}"},
    {"AccountMetrics",
     "{\"type\":\"object\",\"description\":\"an account's latest stored metrics, the fields of an "
     "item of kam metrics --json but the series; money as exact decimal strings\","
     "\"required\":[\"account\",\"as_of\",\"window_months\",\"stage\"],\"properties\":{"
     "\"account\":{\"type\":\"string\"},\"as_of\":{\"type\":\"string\",\"format\":\"date\"},"
     "\"window_months\":{\"type\":\"integer\"},\"revenue\":{\"type\":\"string\"},"
     "\"first_purchase\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},"
     "\"last_purchase\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},"
     "\"stage\":{\"type\":\"string\"}},\"additionalProperties\":true}"},
    {"Pareto",
     "{\"type\":\"object\",\"description\":\"as kam pareto --json without accounts\","
     "\"required\":[\"as_of\",\"by\",\"population\",\"total\",\"classes\",\"curve\"],"
     "\"properties\":{\"scope\":" SCOPE_SCHEMA
     ",\"as_of\":{\"type\":\"string\",\"format\":\"date\"},\"by\":{\"enum\":["
     "\"revenue\",\"margin\"]},\"population\":{\"type\":\"integer\"},\"total\":{\"type\":"
     "\"string\"},\"top20_k\":{\"type\":\"integer\"},\"top20_value\":{\"type\":\"string\"},"
     "\"top20_share\":{\"type\":\"number\"},\"accounts_to_80\":{\"type\":\"integer\"},"
     "\"gini\":{\"type\":\"number\"},\"abc_limits\":{\"type\":\"object\"},"
     "\"classes\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\","
     "\"properties\":{\"accounts\":{\"type\":\"integer\"},\"value\":{\"type\":\"string\"}}}},"
     "\"curve\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"x\":{"
     "\"type\":\"number\"},\"y\":{\"type\":\"number\"},\"cum\":{\"type\":\"string\"}}}}}}"},
    {"Lifecycle",
     "{\"type\":\"object\",\"description\":\"as kam lifecycle --json; items only with limit\","
     "\"required\":[\"as_of\",\"accounts\",\"total_revenue\",\"stages\"],\"properties\":{"
     "\"scope\":" SCOPE_SCHEMA
     ",\"as_of\":{\"type\":\"string\",\"format\":\"date\"},\"window_months\":{\"type\":"
     "\"integer\"},\"accounts\":{\"type\":\"integer\"},\"total_revenue\":{\"type\":\"string\"},"
     "\"stages\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"stage\":{"
     "\"type\":\"string\"},\"accounts\":{\"type\":\"integer\"},\"revenue\":{\"type\":"
     "\"string\"},\"revenue_share\":{\"type\":[\"number\",\"null\"]}}}},"
     "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}"},
    {"AccountView",
     "{\"type\":\"object\",\"description\":\"as kam account CODE --json\",\"required\":["
     "\"account\",\"currency\",\"as_of\",\"contacts\",\"tags\",\"months\",\"top_products\","
     "\"open_receivables\"],\"properties\":{\"account\":{\"type\":\"object\"},\"currency\":{"
     "\"type\":\"string\"},\"as_of\":{\"type\":\"string\"},\"contacts\":{\"type\":\"array\"},"
     "\"tags\":{\"type\":\"array\"},\"months\":{\"type\":\"array\",\"items\":{\"type\":"
     "\"object\",\"properties\":{\"month\":{\"type\":\"string\"},\"revenue\":{\"type\":"
     "\"string\"},\"cost\":{\"type\":\"string\"},\"costed_revenue\":{\"type\":\"string\"}}}},"
     "\"top_products\":{\"type\":\"array\"},\"open_receivables\":{\"type\":\"array\"},"
     "\"matrix\":{\"type\":[\"object\",\"null\"],\"description\":\"the account's place in the "
     "value matrix of the caller's scope (GET /analyses/matrix): quadrant, each axis with its "
     "threshold, value.current and value.potential (null when unknown)\"}}}"},
    {"Whitespace",
     "{\"type\":\"object\",\"description\":\"as kam whitespace CODE --json, within the caller's "
     "scope\",\"required\":[\"code\",\"peers\",\"group\",\"worth\",\"gaps\"],"
     "\"properties\":{\"scope\":" SCOPE_SCHEMA ",\"as_of\":{\"type\":\"string\"},\"code\":{"
     "\"type\":\"string\"},\"peers\":{\"enum\":[\"role\",\"industry\",\"tier\"]},\"group\":{"
     "\"type\":\"string\"},\"members\":{\"type\":\"integer\"},\"worth\":{\"type\":\"string\"},"
     "\"gaps\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
     "\"category\":{\"type\":\"string\"},\"peers\":{\"type\":\"integer\"},\"buyers\":{"
     "\"type\":\"integer\"},\"share\":{\"type\":\"number\"},\"peer_median\":{\"type\":"
     "\"string\"},\"revenue\":{\"type\":\"string\"},\"worth\":{\"type\":\"string\"}}}}}}"},
    {"Rfm", "{\"type\":\"object\",\"description\":\"as kam rfm --json, accounts limited\","
            "\"required\":[\"as_of\",\"accounts_total\",\"segments\",\"accounts\"],\"properties\":{"
            "\"scope\":{\"type\":\"object\"},\"as_of\":{\"type\":\"string\"},\"accounts_total\":{"
            "\"type\":\"integer\"},\"segments\":{\"type\":\"object\",\"additionalProperties\":{"
            "\"type\":\"integer\"}},\"accounts\":{\"type\":\"array\",\"items\":{\"type\":"
            "\"object\",\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":"
            "\"string\"},\"last_purchase\":{\"type\":[\"string\",\"null\"]},\"recency\":{\"type\":"
            "\"integer\"},\"frequency\":{\"type\":\"integer\"},\"monetary\":{\"type\":\"string\"},"
            "\"r\":{\"type\":\"integer\"},\"f\":{\"type\":\"integer\"},\"m\":{\"type\":"
            "\"integer\"},\"segment\":{\"type\":\"string\"}}}}}}"},
    {"Trend",
     "{\"type\":\"object\",\"description\":\"as kam trend --json\",\"required\":[\"months\","
     "\"items\"],\"properties\":{\"scope\":" SCOPE_SCHEMA ",\"months\":{\"type\":\"integer\"},"
     "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
     "\"month\":{\"type\":"
     "\"string\"},\"revenue\":{\"type\":\"string\"},\"margin\":{\"type\":\"string\"},"
     "\"costed_revenue\":{\"type\":\"string\"},\"returns\":{\"type\":\"string\"},"
     "\"lines\":{\"type\":\"integer\"}}}}}}"},
    {"Tiers", "{\"type\":\"object\",\"description\":\"as kam tiers --json\",\"required\":[\"run\","
              "\"as_of\",\"accounts\",\"revenue\",\"tiers\"],\"properties\":{"
              "\"scope\":" SCOPE_SCHEMA ",\"run\":{\"type\":"
              "\"integer\"},\"previous_run\":{\"type\":[\"integer\",\"null\"]},\"as_of\":{"
              "\"type\":\"string\",\"format\":\"date\"},\"window_months\":{\"type\":\"integer\"},"
              "\"accounts\":{\"type\":\"integer\"},\"revenue\":{\"type\":\"string\"},\"tiers\":{"
              "\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"tier\":{"
              "\"type\":\"string\"},\"accounts\":{\"type\":\"integer\"},\"revenue\":{\"type\":"
              "\"string\"},\"account_share\":{\"type\":\"number\"},\"revenue_share\":{\"type\":"
              "\"number\"},\"previous\":{\"type\":[\"integer\",\"null\"]}}}}}}"},
    {"Review",
     "{\"type\":\"object\",\"description\":\"as kam review --json\",\"required\":[\"items\","
     "\"run\",\"as_of\",\"accounts\",\"counts\"],\"properties\":{\"scope\":" SCOPE_SCHEMA
     ",\"items\":{\"type\":\"array\","
     "\"items\":{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\"},"
     "\"cause\":{\"type\":\"string\"},\"code\":{\"type\":\"string\"},\"sentence\":{\"type\":"
     "\"string\"}},\"additionalProperties\":true}},\"run\":{\"type\":\"integer\"},"
     "\"as_of\":{\"type\":\"string\",\"format\":\"date\"},\"previous_run\":{\"type\":["
     "\"integer\",\"null\"]},\"previous_as_of\":{\"type\":[\"string\",\"null\"]},"
     "\"accounts\":{\"type\":\"integer\"},\"rules\":{\"type\":\"object\"},"
     "\"counts\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}}}"},
    {"Matrix",
     "{\"type\":\"object\",\"description\":\"as kam matrix --json with the default options\","
     "\"required\":[\"as_of\",\"accounts\",\"placed\",\"current\",\"potential\",\"quadrants\"],"
     "\"properties\":{\"scope\":" SCOPE_SCHEMA ",\"as_of\":{\"type\":\"string\",\"format\":"
     "\"date\"},"
     "\"window_months\":{\"type\":\"integer\"},\"accounts\":{\"type\":\"integer\"},"
     "\"placed\":{\"type\":\"integer\"},\"unplaced\":{\"type\":\"integer\"},"
     "\"current\":{\"type\":\"object\"},\"potential\":{\"type\":\"object\"},"
     "\"quadrants\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\","
     "\"properties\":{\"accounts\":{\"type\":\"integer\"},\"revenue\":{\"type\":\"string\"},"
     "\"margin\":{\"type\":\"string\"},\"items\":{\"type\":\"array\"}}}}}}"},
    /* The import's report, as `kam import --json` with the problems and the rejected rows. */
    {"NewRecord",
     "{\"type\":\"object\",\"description\":\"the record's fields under the column names of "
     "its import (docs/import.md): strings (money as exact decimals, \\\"12.5\\\"), whole numbers "
     "or null; an account's records take their account from the path\",\"additionalProperties\":"
     "{\"type\":[\"string\",\"integer\",\"null\"]}}"},
    {"Contact",
     "{\"type\":\"object\",\"required\":[\"id\",\"account\",\"name\"],\"properties\":{"
     "\"id\":{\"type\":\"integer\"},\"account\":{\"type\":\"string\"},\"name\":{\"type\":"
     "\"string\"},\"title\":{\"type\":[\"string\",\"null\"]},\"department\":{\"type\":["
     "\"string\",\"null\"]},\"phone\":{\"type\":[\"string\",\"null\"]},\"email\":{\"type\":"
     "[\"string\",\"null\"]},\"reports_to\":{\"type\":[\"string\",\"null\"]}}}"},
    {"ContactList", "{\"type\":\"object\",\"required\":[\"items\",\"total\",\"next\"],"
                    "\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/"
                    "components/schemas/Contact\"}},\"total\":{\"type\":\"integer\"},\"next\":{"
                    "\"type\":[\"string\",\"null\"]}}}"},
    {"OrderLine",
     "{\"type\":\"object\",\"description\":\"money and quantities as exact decimal "
     "strings\",\"required\":[\"order_id\",\"line_no\",\"date\",\"product\",\"quantity\","
     "\"amount\"],\"properties\":{\"order_id\":{\"type\":\"string\"},\"line_no\":{\"type\":"
     "\"integer\"},\"date\":{\"type\":\"string\"},\"product\":{\"type\":\"string\"},"
     "\"product_name\":{\"type\":\"string\"},\"quantity\":{\"type\":\"string\"},"
     "\"unit_price\":{\"type\":\"string\"},\"amount\":{\"type\":\"string\"},\"cost\":{"
     "\"type\":[\"string\",\"null\"]},\"discount\":{\"type\":\"string\"},\"channel\":{"
     "\"type\":[\"string\",\"null\"]},\"region\":{\"type\":[\"string\",\"null\"]}}}"},
    {"OrderLineList", "{\"type\":\"object\",\"required\":[\"items\",\"total\",\"next\"],"
                      "\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/"
                      "components/schemas/OrderLine\"}},\"total\":{\"type\":\"integer\"},"
                      "\"next\":{\"type\":[\"string\",\"null\"]}}}"},
    {"Payment",
     "{\"type\":\"object\",\"required\":[\"id\",\"invoice\",\"account\",\"amount\","
     "\"issued\",\"due\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"invoice\":{"
     "\"type\":\"string\"},\"account\":{\"type\":\"string\"},\"amount\":{\"type\":"
     "\"string\"},\"issued\":{\"type\":\"string\"},\"due\":{\"type\":\"string\"},\"paid\":"
     "{\"type\":[\"string\",\"null\"]},\"paid_amount\":{\"type\":[\"string\",\"null\"]}}}"},
    {"PaymentList", "{\"type\":\"object\",\"required\":[\"items\",\"total\",\"next\"],"
                    "\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/"
                    "components/schemas/Payment\"}},\"total\":{\"type\":\"integer\"},\"next\":{"
                    "\"type\":[\"string\",\"null\"]}}}"},
    {"Product",
     "{\"type\":\"object\",\"required\":[\"id\",\"sku\",\"name\"],\"properties\":{"
     "\"id\":{\"type\":\"integer\"},\"sku\":{\"type\":\"string\"},\"name\":{\"type\":"
     "\"string\"},\"category\":{\"type\":[\"string\",\"null\"]},\"list_price\":{\"type\":["
     "\"string\",\"null\"]},\"std_cost\":{\"type\":[\"string\",\"null\"]}}}"},
    {"ProductList", "{\"type\":\"object\",\"required\":[\"items\",\"total\",\"next\"],"
                    "\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/"
                    "components/schemas/Product\"}},\"total\":{\"type\":\"integer\"},\"next\":{"
                    "\"type\":[\"string\",\"null\"]}}}"},
    {"TagColor",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
     "\"color\":{\"type\":\"string\",\"pattern\":\"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$\"}}}"},
    {"TagList",
     "{\"type\":\"object\",\"required\":[\"items\",\"total\"],\"properties\":{\"items\":{"
     "\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"name\"],"
     "\"properties\":{\"name\":{\"type\":\"string\"},\"color\":{\"type\":[\"string\","
     "\"null\"]},\"accounts\":{\"type\":\"integer\"}}}},\"total\":{\"type\":\"integer\"}}}"},
    {"ImportReport",
     "{\"type\":\"object\",\"required\":[\"kind\",\"dry_run\",\"written\",\"rows\",\"inserted\","
     "\"updated\",\"unchanged\",\"rejected\"],\"properties\":{\"kind\":{\"type\":\"string\"},"
     "\"dry_run\":{\"type\":\"boolean\"},\"written\":{\"type\":\"boolean\"},"
     "\"rows\":{\"type\":\"integer\"},\"inserted\":{\"type\":\"integer\"},"
     "\"updated\":{\"type\":\"integer\"},\"unchanged\":{\"type\":\"integer\"},"
     "\"rejected\":{\"type\":\"integer\"},\"created_accounts\":{\"type\":\"integer\"},"
     "\"created_products\":{\"type\":\"integer\"},\"seconds\":{\"type\":\"number\"},"
     "\"errors\":{\"type\":\"array\",\"description\":\"the first 100 problems\",\"items\":{"
     "\"type\":\"object\",\"properties\":{\"line\":{\"type\":[\"integer\",\"null\"]},"
     "\"column\":{\"type\":[\"integer\",\"null\"]},\"field\":{\"type\":[\"string\",\"null\"]},"
     "\"message\":{\"type\":\"string\"}}}},\"errors_total\":{\"type\":\"integer\"},"
     "\"rejects_csv\":{\"type\":[\"string\",\"null\"],\"description\":\"with reject=true: the "
     "reject file (the rows as sent, plus reject_reason), at most about 4 MB\"},"
     "\"rejects_omitted\":{\"type\":\"integer\",\"description\":\"rejected rows left out of "
     "rejects_csv\"}}}"},
    {"ImportFile",
     "{\"type\":\"string\",\"description\":\"the CSV file, with a header line; UTF-8 unless "
     "?encoding or the charset says otherwise (docs/import.md)\"}"},
};

static const char security_schemes[] =
    "{\"cookie\":{\"type\":\"apiKey\",\"in\":\"cookie\",\"name\":\"kam_session\","
    "\"description\":\"POST /api/v1/session sets it; writes also need X-CSRF-Token\"},"
    "\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\",\"description\":\"an API token "
    "from kam token create\"}}";

static void ref(struct kam_jw *w, const char *schema)
{
    char buf[96];
    snprintf(buf, sizeof(buf), "#/components/schemas/%s", schema);
    kam_jw_obj(w);
    kam_jw_kstr(w, "$ref", buf);
    kam_jw_obj_end(w);
}

static void content(struct kam_jw *w, const char *type, const char *schema)
{
    kam_jw_key(w, "content");
    kam_jw_obj(w);
    kam_jw_key(w, type);
    kam_jw_obj(w);
    kam_jw_key(w, "schema");
    ref(w, schema);
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
}

/* The content of a file download: each media type of types (space-separated), its body a
 * binary string (OpenAPI 3.1 spells bytes so). */
static void file_content(struct kam_jw *w, const char *types)
{
    kam_jw_key(w, "content");
    kam_jw_obj(w);
    while (*types) {
        size_t len = strcspn(types, " ");
        char type[128];
        snprintf(type, sizeof(type), "%.*s", (int)len, types);
        kam_jw_key(w, type);
        kam_jw_raw(w, "{\"schema\":{\"type\":\"string\",\"format\":\"binary\"}}",
                   strlen("{\"schema\":{\"type\":\"string\",\"format\":\"binary\"}}"));
        types += len + strspn(types + len, " ");
    }
    kam_jw_obj_end(w);
}

/* The 202 of a route that may run as a background job (?async=true). */
static void accepted(struct kam_jw *w)
{
    kam_jw_key(w, "202");
    kam_jw_obj(w);
    kam_jw_kstr(w, "description", "queued as a background job (async=true): poll the Location");
    kam_jw_key(w, "headers");
    kam_jw_obj(w);
    kam_jw_key(w, "Location");
    kam_jw_obj(w);
    kam_jw_kstr(w, "description", "the job's URL, /api/v1/jobs/{id}");
    kam_jw_key(w, "schema");
    kam_jw_obj(w);
    kam_jw_kstr(w, "type", "string");
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
    content(w, "application/json", "JobAccepted");
    kam_jw_obj_end(w);
}

/* "get_accounts_code" for GET /api/v1/accounts/{code}. */
static void operation_id(const struct kam_http_route *r, char *buf, size_t n)
{
    size_t len = 0;
    const char *p = r->pattern + strlen("/api/v1");
    for (const char *m = r->method; *m && len + 1 < n; m++)
        buf[len++] = (char)tolower((unsigned char)*m);
    for (; *p && len + 1 < n; p++) {
        if (*p == '{' || *p == '}')
            continue;
        buf[len++] = *p == '/' || *p == '.' ? '_' : *p;
    }
    buf[len] = '\0';
}

static void parameter(struct kam_jw *w, const char *name, const char *in, const char *type,
                      const char *description, bool required)
{
    kam_jw_obj(w);
    kam_jw_kstr(w, "name", name);
    kam_jw_kstr(w, "in", in);
    kam_jw_key(w, "required");
    kam_jw_bool(w, required);
    if (description)
        kam_jw_kstr(w, "description", description);
    kam_jw_key(w, "schema");
    kam_jw_obj(w);
    kam_jw_kstr(w, "type", type);
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
}

static void operation(struct kam_jw *w, const struct kam_http_route *r)
{
    char buf[128];
    kam_jw_obj(w);
    operation_id(r, buf, sizeof(buf));
    kam_jw_kstr(w, "operationId", buf);
    kam_jw_kstr(w, "summary", r->summary);
    kam_jw_key(w, "security");
    kam_jw_arr(w);
    if (!(r->flags & KAM_ROUTE_PUBLIC)) {
        kam_jw_raw(w, "{\"cookie\":[]}", strlen("{\"cookie\":[]}"));
        kam_jw_raw(w, "{\"bearer\":[]}", strlen("{\"bearer\":[]}"));
    }
    kam_jw_arr_end(w);
    kam_jw_key(w, "parameters");
    kam_jw_arr(w);
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        snprintf(buf, sizeof(buf), "%.*s", (int)(end - p - 1), p + 1);
        parameter(w, buf, "path", "string", NULL, true);
    }
    for (const struct kam_http_param *q = r->query; q && q->name; q++)
        parameter(w, q->name, "query", q->type, q->description, false);
    kam_jw_arr_end(w);
    if (r->request) {
        kam_jw_key(w, "requestBody");
        kam_jw_obj(w);
        kam_jw_key(w, "required");
        kam_jw_bool(w, (r->flags & (KAM_ROUTE_BODY | KAM_ROUTE_CSV)) != 0);
        content(w, (r->flags & KAM_ROUTE_CSV) ? "text/csv" : "application/json", r->request);
        kam_jw_obj_end(w);
    }
    kam_jw_key(w, "responses");
    kam_jw_obj(w);
    snprintf(buf, sizeof(buf), "%d", r->status);
    kam_jw_key(w, buf);
    kam_jw_obj(w);
    kam_jw_kstr(w, "description", r->status == 204 ? "done, no content" : "success");
    if (r->response && (r->flags & KAM_ROUTE_FILE))
        file_content(w, r->response);
    else if (r->response)
        content(w, "application/json", r->response);
    kam_jw_obj_end(w);
    if (r->flags & KAM_ROUTE_ASYNC)
        accepted(w);
    kam_jw_key(w, "default");
    kam_jw_obj(w);
    kam_jw_kstr(w, "description", "a problem (RFC 9457)");
    content(w, "application/problem+json", "Problem");
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
}

void kam_http_openapi(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jw *w = &resp->body;
    char method[16];
    (void)req;

    kam_jw_obj(w);
    kam_jw_kstr(w, "openapi", "3.1.0");
    kam_jw_key(w, "info");
    kam_jw_obj(w);
    kam_jw_kstr(w, "title", "kam: key account management");
    kam_jw_kstr(w, "version", "v1");
    kam_jw_obj_end(w);
    kam_jw_key(w, "paths");
    kam_jw_obj(w);
    for (size_t i = 0; i < kam_http_route_count; i++) {
        const struct kam_http_route *r = &kam_http_routes[i];
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || strcmp(kam_http_routes[j].pattern, r->pattern) == 0;
        if (seen)
            continue;
        kam_jw_key(w, r->pattern);
        kam_jw_obj(w);
        for (size_t j = i; j < kam_http_route_count; j++) {
            const struct kam_http_route *o = &kam_http_routes[j];
            if (strcmp(o->pattern, r->pattern) != 0)
                continue;
            size_t k = 0;
            for (; o->method[k] && k + 1 < sizeof(method); k++)
                method[k] = (char)tolower((unsigned char)o->method[k]);
            method[k] = '\0';
            kam_jw_key(w, method);
            operation(w, o);
        }
        kam_jw_obj_end(w);
    }
    kam_jw_obj_end(w);
    kam_jw_key(w, "components");
    kam_jw_obj(w);
    kam_jw_key(w, "schemas");
    kam_jw_obj(w);
    for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
        kam_jw_key(w, schemas[i].name);
        kam_jw_raw(w, schemas[i].json, strlen(schemas[i].json));
    }
    kam_jw_obj_end(w);
    kam_jw_key(w, "securitySchemes");
    kam_jw_raw(w, security_schemes, strlen(security_schemes));
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
}
