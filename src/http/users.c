/* Users, teams and API tokens over HTTP, for the administrator (docs/users.md, docs/api.md):
 * the handlers map JSON to the operations of io/users.c, which the CLI's `kam user|team|token`
 * call too, and which check, hash, write and audit in one transaction. Nothing here writes the
 * store directly. A user or token as JSON never carries a hash; a new token's text is in the
 * answer that creates it, and nowhere else, ever.
 *
 * Every route needs the manage-users action (admin); the server refuses the others with 403
 * before the handler runs. */
#include "http/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "io/users.h"

/* A jansson value written into the streaming answer as it is. */
static void write_json(struct kam_jw *w, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL)
        KAM_BUG("json_dumps failed");
    kam_jw_raw(w, text, strlen(text));
    free(text);
    json_decref(j);
}

/* A member that must be a string (or absent when optional); false after the 400. */
static bool str_member(struct kam_http_resp *resp, json_t *body, const char *key, bool required,
                       const char **out)
{
    json_t *j = json_object_get(body, key);
    *out = NULL;
    if (j == NULL && !required)
        return true;
    if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j)) {
        struct kam_problem_field f = {key, required ? "is required: a string" : "is a string"};
        kam_problem(resp, 400, "the body has a missing or mistyped member", &f, 1);
        return false;
    }
    *out = json_string_value(j);
    return true;
}

/* Only the given members, each once: anything else is a 400 naming it. */
static bool only_members(struct kam_http_resp *resp, json_t *body, const char *const *allowed)
{
    const char *key;
    json_t *j;
    json_object_foreach(body, key, j)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i] == NULL) {
            struct kam_problem_field f = {key, "is not a member of this body"};
            kam_problem(resp, 400, "the body has an unknown member", &f, 1);
            return false;
        }
    }
    return true;
}

/* The operations' errors: a bad value, or a name that refers to nothing (a team, a user), is a
 * 422 on the field; a duplicate a 409; the rest as the error table says. */
static void op_failed(struct kam_http_resp *resp, const struct kam_err *err, const char *field)
{
    if (err->code == KAM_ERR_INVALID || err->code == KAM_ERR_USAGE ||
        err->code == KAM_ERR_NOT_FOUND) {
        struct kam_problem_field f = {err->field[0] ? err->field : field, err->msg};
        kam_problem(resp, 422, err->msg, &f, 1);
        return;
    }
    kam_problem_err(resp, err);
}

/* --- users ------------------------------------------------------------------------------------ */

static int user_item(void *ctx, const struct kam_user *u)
{
    write_json(ctx, kam_users_user_json(u));
    return 0;
}

void kam_http_users_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jw *w = &resp->body;
    struct kam_err err;
    kam_err_clear(&err);
    kam_jw_obj(w);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    if (req->st->ops->user_list(req->st, user_item, w, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
}

static void answer_user(struct kam_http_req *req, struct kam_http_resp *resp, const char *name)
{
    struct kam_user u;
    struct kam_err err;
    kam_err_clear(&err);
    if (req->st->ops->user_get(req->st, name, &u, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    write_json(&resp->body, kam_users_user_json(&u));
}

void kam_http_users_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    static const char *const allowed[] = {"username", "display_name", "role",
                                          "team",     "password",     NULL};
    const char *username, *display, *role, *team, *password;
    struct kam_user u = {0};
    struct kam_err err;
    json_t *body;

    if (!kam_http_body_json(req, resp, &body))
        return;
    bool ok = only_members(resp, body, allowed) &&
              str_member(resp, body, "username", true, &username) &&
              str_member(resp, body, "display_name", false, &display) &&
              str_member(resp, body, "role", true, &role) &&
              str_member(resp, body, "team", false, &team) &&
              str_member(resp, body, "password", true, &password);
    kam_err_clear(&err);
    if (ok && kam_role_parse(role, &u.role, &err) != KAM_OK) {
        struct kam_problem_field f = {"role", err.msg};
        kam_problem(resp, 422, err.msg, &f, 1);
        ok = false;
    }
    if (ok &&
        (strlen(username) > KAM_LOGIN_MAX || (display && strlen(display) > KAM_DISPLAY_NAME_MAX) ||
         (team && strlen(team) > KAM_LOGIN_MAX))) {
        struct kam_problem_field f = {strlen(username) > KAM_LOGIN_MAX       ? "username"
                                      : team && strlen(team) > KAM_LOGIN_MAX ? "team"
                                                                             : "display_name",
                                      "is too long"};
        kam_problem(resp, 422, "a member is too long", &f, 1);
        ok = false;
    }
    if (ok) {
        snprintf(u.username, sizeof(u.username), "%s", username);
        snprintf(u.display_name, sizeof(u.display_name), "%s", display ? display : "");
        snprintf(u.team, sizeof(u.team), "%s", team ? team : "");
        if (kam_users_add(req->st, req->user.username, &u, password, strlen(password), NULL,
                          &err) != KAM_OK) {
            op_failed(resp, &err, err.code == KAM_ERR_NOT_FOUND ? "team" : "username");
            ok = false;
        }
    }
    if (ok)
        answer_user(req, resp, u.username);
    json_decref(body);
}

/* PATCH: display_name, role, team, disabled at the version read; 409 when stale. */
void kam_http_users_patch(struct kam_http_req *req, struct kam_http_resp *resp)
{
    static const char *const allowed[] = {"version", "display_name", "role",
                                          "team",    "disabled",     NULL};
    struct kam_user u;
    struct kam_err err;
    json_t *body, *j;

    if (!kam_http_body_json(req, resp, &body))
        return;
    kam_err_clear(&err);
    if (!only_members(resp, body, allowed))
        goto out;
    j = json_object_get(body, "version");
    if (!json_is_integer(j) || json_integer_value(j) < 1) {
        struct kam_problem_field f = {"version", "is required: the user's version you read"};
        kam_problem(resp, 400, "the body needs the version you read", &f, 1);
        goto out;
    }
    if (req->st->ops->user_get(req->st, req->params[0], &u, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        goto out;
    }
    u.version = json_integer_value(j);
    const char *display, *role, *team;
    if (!str_member(resp, body, "display_name", false, &display) ||
        !str_member(resp, body, "role", false, &role))
        goto out;
    j = json_object_get(body, "team");
    if (j != NULL && !json_is_null(j) && !json_is_string(j)) {
        struct kam_problem_field f = {"team", "is a team name or null"};
        kam_problem(resp, 400, "the body has a mistyped member", &f, 1);
        goto out;
    }
    team = json_is_string(j) ? json_string_value(j) : NULL;
    j = json_object_get(body, "disabled");
    if (j != NULL && !json_is_boolean(j)) {
        struct kam_problem_field f = {"disabled", "is true or false"};
        kam_problem(resp, 400, "the body has a mistyped member", &f, 1);
        goto out;
    }
    if (role && kam_role_parse(role, &u.role, &err) != KAM_OK) {
        struct kam_problem_field f = {"role", err.msg};
        kam_problem(resp, 422, err.msg, &f, 1);
        goto out;
    }
    if ((display && strlen(display) > KAM_DISPLAY_NAME_MAX) ||
        (team && strlen(team) > KAM_LOGIN_MAX)) {
        struct kam_problem_field f = {
            display && strlen(display) > KAM_DISPLAY_NAME_MAX ? "display_name" : "team",
            "is too long"};
        kam_problem(resp, 422, "a member is too long", &f, 1);
        goto out;
    }
    if (display)
        snprintf(u.display_name, sizeof(u.display_name), "%s", display);
    if (json_object_get(body, "team"))
        snprintf(u.team, sizeof(u.team), "%s", team ? team : "");
    if (j != NULL)
        u.disabled = json_is_true(j);
    /* An admin cannot lock themselves out: the last way back in would be the CLI. */
    if (strcmp(u.username, req->user.username) == 0 && (u.disabled || u.role != KAM_ROLE_ADMIN)) {
        struct kam_problem_field f = {u.disabled ? "disabled" : "role",
                                      "you cannot disable yourself or give up your admin role"};
        kam_problem(resp, 422, f.message, &f, 1);
        goto out;
    }
    if (kam_users_update(req->st, req->user.username, &u, &err) != KAM_OK) {
        op_failed(resp, &err, err.code == KAM_ERR_NOT_FOUND ? "team" : "role");
        goto out;
    }
    answer_user(req, resp, u.username);
out:
    json_decref(body);
}

void kam_http_users_password(struct kam_http_req *req, struct kam_http_resp *resp)
{
    static const char *const allowed[] = {"password", NULL};
    const char *password;
    struct kam_err err;
    json_t *body;

    if (!kam_http_body_json(req, resp, &body))
        return;
    kam_err_clear(&err);
    if (only_members(resp, body, allowed) && str_member(resp, body, "password", true, &password) &&
        kam_users_passwd(req->st, req->user.username, req->params[0], password, strlen(password),
                         &err) != KAM_OK)
        op_failed(resp, &err, "password");
    json_decref(body);
}

/* --- teams ------------------------------------------------------------------------------------ */

static int team_item(void *ctx, int64_t id, const char *name, int64_t users)
{
    struct kam_jw *w = ctx;
    kam_jw_obj(w);
    kam_jw_kint(w, "id", id);
    kam_jw_kstr(w, "name", name);
    kam_jw_kint(w, "users", users);
    kam_jw_obj_end(w);
    return 0;
}

void kam_http_teams_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jw *w = &resp->body;
    struct kam_err err;
    kam_err_clear(&err);
    kam_jw_obj(w);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    if (req->st->ops->team_list(req->st, team_item, w, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
}

void kam_http_teams_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    static const char *const allowed[] = {"name", NULL};
    const char *name;
    struct kam_err err;
    int64_t id;
    json_t *body;

    if (!kam_http_body_json(req, resp, &body))
        return;
    kam_err_clear(&err);
    if (only_members(resp, body, allowed) && str_member(resp, body, "name", true, &name)) {
        if (kam_users_team_add(req->st, req->user.username, name, &id, &err) != KAM_OK) {
            op_failed(resp, &err, "name");
        } else {
            kam_jw_obj(&resp->body);
            kam_jw_kint(&resp->body, "id", id);
            kam_jw_kstr(&resp->body, "name", name);
            kam_jw_kint(&resp->body, "users", 0);
            kam_jw_obj_end(&resp->body);
        }
    }
    json_decref(body);
}

/* --- tokens ----------------------------------------------------------------------------------- */

struct token_walk {
    struct kam_jw *w;
    struct kam_store *st;
};

static int token_item(void *ctx, const struct kam_token *t)
{
    struct token_walk *tw = ctx;
    write_json(tw->w, kam_users_token_json(t));
    return 0;
}

static int user_tokens(void *ctx, const struct kam_user *u)
{
    struct token_walk *tw = ctx;
    struct kam_err err;
    kam_err_clear(&err);
    return tw->st->ops->token_each(tw->st, u->id, token_item, tw, &err) == KAM_OK ? 0 : 1;
}

/* Every user's tokens (or one user's, ?user=NAME), never their text or hash. */
void kam_http_tokens_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct token_walk tw = {&resp->body, req->st};
    const char *name = kam_http_query(req, "user");
    struct kam_user u;
    struct kam_err err;
    enum kam_rc rc;

    kam_err_clear(&err);
    if (name && (rc = req->st->ops->user_get(req->st, name, &u, &err)) != KAM_OK) {
        struct kam_problem_field f = {"user", err.msg};
        kam_problem(resp, rc == KAM_ERR_NOT_FOUND ? 400 : 500, err.msg, &f, 1);
        return;
    }
    kam_jw_obj(tw.w);
    kam_jw_key(tw.w, "items");
    kam_jw_arr(tw.w);
    rc = name ? req->st->ops->token_each(req->st, u.id, token_item, &tw, &err)
              : req->st->ops->user_list(req->st, user_tokens, &tw, &err);
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_arr_end(tw.w);
    kam_jw_obj_end(tw.w);
}

void kam_http_tokens_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    static const char *const allowed[] = {"user", "name", NULL};
    const char *user, *name;
    char token[KAM_TOKEN_SIZE];
    struct kam_err err;
    struct kam_token t;
    int64_t id;
    json_t *body;

    if (!kam_http_body_json(req, resp, &body))
        return;
    kam_err_clear(&err);
    if (!only_members(resp, body, allowed) || !str_member(resp, body, "user", true, &user) ||
        !str_member(resp, body, "name", false, &name))
        goto out;
    if (kam_users_token_create(req->st, req->user.username, user, name, token, &id, &err) !=
        KAM_OK) {
        op_failed(resp, &err, err.code == KAM_ERR_NOT_FOUND ? "user" : "name");
        goto out;
    }
    if (req->st->ops->token_get(req->st, id, &t, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        goto out;
    }
    json_t *j = kam_users_token_json(&t);
    json_object_set_new(j, "token", json_string(token)); /* shown this once */
    write_json(&resp->body, j);
out:
    sodium_memzero(token, sizeof(token));
    json_decref(body);
}

void kam_http_tokens_delete(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    char *end;
    errno = 0;
    long long id = strtoll(req->params[0], &end, 10);
    if (*end != '\0' || errno != 0 || id < 1) {
        struct kam_problem_field f = {"id", "is a token's id, a whole number from 1"};
        kam_problem(resp, 400, "the path names no token id", &f, 1);
        return;
    }
    kam_err_clear(&err);
    if (kam_users_token_revoke(req->st, req->user.username, id, NULL, &err) != KAM_OK)
        kam_problem_err(resp, &err);
}
