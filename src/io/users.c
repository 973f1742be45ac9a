/* User, team and token operations with their audit entries (users.h).
 *
 * Each write is one transaction holding the change and its audit_log row, so that the log
 * cannot miss a committed change nor record one that was rolled back. Passwords are hashed
 * before the transaction begins: Argon2id takes about 0.1 s and must not hold the write lock.
 * It deliberately does not decide who may call it: the caller checks kam_access_may
 * (KAM_ACTION_MANAGE_USERS) first. DOMAIN.md "Who uses it": the administrator's users and roles. */
#include "io/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

static json_t *text_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *kam_users_user_json(const struct kam_user *u)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(u->id));
    json_object_set_new(j, "username", json_string(u->username));
    json_object_set_new(j, "display_name", text_or_null(u->display_name));
    json_object_set_new(j, "role", json_string(kam_role_name(u->role)));
    json_object_set_new(j, "team", text_or_null(u->team));
    json_object_set_new(j, "disabled", json_boolean(u->disabled));
    json_object_set_new(j, "created_at", text_or_null(u->created_at));
    json_object_set_new(j, "updated_at", text_or_null(u->updated_at));
    json_object_set_new(j, "version", json_integer(u->version));
    return j;
}

json_t *kam_users_token_json(const struct kam_token *t)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(t->id));
    json_object_set_new(j, "user", json_string(t->username));
    json_object_set_new(j, "name", text_or_null(t->name));
    json_object_set_new(j, "created_at", text_or_null(t->created_at));
    json_object_set_new(j, "last_used_at", text_or_null(t->last_used_at));
    json_object_set_new(j, "revoked_at", text_or_null(t->revoked_at));
    return j;
}

/* Appends an audit entry; before and after are stolen (NULL = none). */
static enum kam_rc audit(struct kam_store *st, const char *actor, const char *action,
                         const char *entity, const char *key, json_t *before, json_t *after,
                         struct kam_err *err)
{
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    struct kam_audit_entry e = {0};
    enum kam_rc rc;

    e.actor = actor != NULL && actor[0] != '\0' ? actor : "unknown";
    e.action = action;
    e.entity = entity;
    e.entity_key = key;
    e.before = b;
    e.after = a;
    rc = st->ops->audit_append(st, &e, err);
    free(b);
    free(a);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* Ends the transaction: commit when rc is KAM_OK, else roll back and return rc. */
static enum kam_rc end(struct kam_store *st, enum kam_rc rc, struct kam_err *err)
{
    struct kam_err ignored;
    if (rc == KAM_OK)
        return st->ops->commit(st, err);
    /* The operation's error is the one to report; a failed rollback commits nothing either. */
    (void)st->ops->rollback(st, &ignored);
    return rc;
}

/* The field at fault goes into err->field, for the API's field list. */
static enum kam_rc at(enum kam_rc rc, const char *field, struct kam_err *err)
{
    if (rc != KAM_OK && err->field[0] == '\0')
        snprintf(err->field, sizeof(err->field), "%s", field);
    return rc;
}

static enum kam_rc check_user(const struct kam_user *u, struct kam_err *err)
{
    enum kam_rc rc = at(kam_access_check_login("username", u->username, err), "username", err);
    if (rc == KAM_OK && u->team[0] != '\0')
        rc = at(kam_access_check_login("team name", u->team, err), "team", err);
    if (rc == KAM_OK && kam_role_name(u->role) == NULL)
        rc = at(kam_err_set(err, KAM_ERR_INVALID,
                            "unknown role: use admin, director, manager, rep "
                            "or viewer"),
                "role", err);
    return rc;
}

enum kam_rc kam_users_team_add(struct kam_store *st, const char *actor, const char *name,
                               int64_t *id, struct kam_err *err)
{
    int64_t tid = 0;
    enum kam_rc rc = kam_access_check_login("team name", name, err);
    if (rc != KAM_OK)
        return rc;
    if ((rc = st->ops->begin(st, err)) != KAM_OK)
        return rc;
    rc = st->ops->team_add(st, name, &tid, err);
    if (rc == KAM_OK)
        rc = audit(st, actor, "team.add", "team", name, NULL,
                   json_pack("{s:I,s:s}", "id", (json_int_t)tid, "name", name), err);
    rc = end(st, rc, err);
    if (rc == KAM_OK && id != NULL)
        *id = tid;
    return rc;
}

enum kam_rc kam_users_add(struct kam_store *st, const char *actor, const struct kam_user *u,
                          const char *password, size_t len, int64_t *id, struct kam_err *err)
{
    struct kam_user nu = *u, got;
    int64_t uid = 0;
    enum kam_rc rc = check_user(u, err);

    if (rc == KAM_OK)
        rc = at(kam_access_check_password(password, len, err), "password", err);
    if (rc == KAM_OK)
        rc = kam_auth_password_hash(password, len, nu.password_hash, err);
    if (rc != KAM_OK)
        goto out;
    if ((rc = st->ops->begin(st, err)) != KAM_OK)
        goto out;
    rc = st->ops->user_add(st, &nu, &uid, err);
    if (rc == KAM_OK)
        rc = st->ops->user_get(st, nu.username, &got, err);
    if (rc == KAM_OK)
        rc =
            audit(st, actor, "user.add", "user", nu.username, NULL, kam_users_user_json(&got), err);
    rc = end(st, rc, err);
    if (rc == KAM_OK && id != NULL)
        *id = uid;
out:
    sodium_memzero(nu.password_hash, sizeof(nu.password_hash));
    return rc;
}

/* Reads username, lets change() edit a copy, writes it back at the version read and records
 * action with the user's JSON before and after. *changed (may be NULL) is false when change()
 * says there is nothing to do; nothing is written then. */
static enum kam_rc change_user(struct kam_store *st, const char *actor, const char *action,
                               const char *username,
                               bool (*change)(struct kam_user *u, const void *arg), const void *arg,
                               bool *changed, struct kam_err *err)
{
    struct kam_user before, after;
    enum kam_rc rc = st->ops->begin(st, err);
    if (rc != KAM_OK)
        return rc;
    rc = st->ops->user_get(st, username, &before, err);
    if (rc == KAM_OK) {
        after = before;
        bool differs = change(&after, arg);
        if (changed != NULL)
            *changed = differs;
        if (differs) {
            rc = st->ops->user_update(st, &after, err);
            if (rc == KAM_OK)
                rc = audit(st, actor, action, "user", username, kam_users_user_json(&before),
                           kam_users_user_json(&after), err);
        }
    }
    sodium_memzero(&before, sizeof(before));
    sodium_memzero(&after, sizeof(after));
    return end(st, rc, err);
}

static bool set_hash(struct kam_user *u, const void *arg)
{
    snprintf(u->password_hash, sizeof(u->password_hash), "%s", (const char *)arg);
    return true;
}

enum kam_rc kam_users_passwd(struct kam_store *st, const char *actor, const char *username,
                             const char *password, size_t len, struct kam_err *err)
{
    char hash[KAM_PASSWORD_HASH_MAX];
    enum kam_rc rc = at(kam_access_check_password(password, len, err), "password", err);

    if (rc == KAM_OK)
        rc = kam_auth_password_hash(password, len, hash, err);
    if (rc == KAM_OK)
        rc = change_user(st, actor, "user.passwd", username, set_hash, hash, NULL, err);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

static bool set_disabled(struct kam_user *u, const void *arg)
{
    bool d = *(const bool *)arg, differs = u->disabled != d;
    u->disabled = d;
    return differs;
}

enum kam_rc kam_users_set_disabled(struct kam_store *st, const char *actor, const char *username,
                                   bool disabled, bool *changed, struct kam_err *err)
{
    bool differs = false;
    enum kam_rc rc = change_user(st, actor, disabled ? "user.disable" : "user.enable", username,
                                 set_disabled, &disabled, &differs, err);
    if (rc == KAM_OK && changed != NULL)
        *changed = differs;
    return rc;
}

enum kam_rc kam_users_update(struct kam_store *st, const char *actor, struct kam_user *u,
                             struct kam_err *err)
{
    struct kam_user before, after;
    enum kam_rc rc = check_user(u, err);
    if (rc != KAM_OK)
        return rc;
    if ((rc = st->ops->begin(st, err)) != KAM_OK)
        return rc;
    rc = st->ops->user_get(st, u->username, &before, err);
    if (rc == KAM_OK) {
        after = *u;
        memcpy(after.password_hash, before.password_hash, sizeof(after.password_hash));
        rc = st->ops->user_update(st, &after, err);
    }
    if (rc == KAM_OK)
        rc = audit(st, actor, "user.update", "user", u->username, kam_users_user_json(&before),
                   kam_users_user_json(&after), err);
    rc = end(st, rc, err);
    if (rc == KAM_OK) {
        u->version = after.version;
        memcpy(u->updated_at, after.updated_at, sizeof(u->updated_at));
    }
    sodium_memzero(&before, sizeof(before));
    sodium_memzero(&after, sizeof(after));
    return rc;
}

enum kam_rc kam_users_token_create(struct kam_store *st, const char *actor, const char *username,
                                   const char *name, char token[KAM_TOKEN_SIZE], int64_t *id,
                                   struct kam_err *err)
{
    unsigned char hash[KAM_TOKEN_HASH_BYTES];
    char text[KAM_TOKEN_SIZE];
    struct kam_user u;
    struct kam_token t;
    int64_t tid = 0;
    enum kam_rc rc;

    if (name != NULL && strlen(name) > KAM_DISPLAY_NAME_MAX)
        return kam_err_set(err, KAM_ERR_INVALID, "token name is longer than %d bytes",
                           KAM_DISPLAY_NAME_MAX);
    if ((rc = kam_auth_token_new(text, hash, err)) != KAM_OK)
        return rc;
    if ((rc = st->ops->begin(st, err)) != KAM_OK)
        goto out;
    rc = st->ops->user_get(st, username, &u, err);
    if (rc == KAM_OK && u.disabled)
        rc = kam_err_set(err, KAM_ERR_INVALID,
                         "user '%s' is disabled: a disabled user gets no new token", username);
    if (rc == KAM_OK)
        rc = st->ops->token_add(st, u.id, name, hash, &tid, err);
    if (rc == KAM_OK)
        rc = st->ops->token_get(st, tid, &t, err);
    if (rc == KAM_OK) {
        char key[32];
        snprintf(key, sizeof(key), "%lld", (long long)tid);
        rc = audit(st, actor, "token.create", "token", key, NULL, kam_users_token_json(&t), err);
    }
    rc = end(st, rc, err);
    if (rc == KAM_OK) {
        memcpy(token, text, KAM_TOKEN_SIZE);
        if (id != NULL)
            *id = tid;
    }
out:
    sodium_memzero(text, sizeof(text));
    sodium_memzero(&u, sizeof(u));
    return rc;
}

enum kam_rc kam_users_token_revoke(struct kam_store *st, const char *actor, int64_t id,
                                   bool *changed, struct kam_err *err)
{
    struct kam_token before, after;
    bool differs = false;
    char key[32];
    enum kam_rc rc = st->ops->begin(st, err);
    if (rc != KAM_OK)
        return rc;
    snprintf(key, sizeof(key), "%lld", (long long)id);
    rc = st->ops->token_get(st, id, &before, err);
    if (rc == KAM_OK)
        rc = st->ops->token_revoke(st, id, &differs, err);
    if (rc == KAM_OK && differs)
        rc = st->ops->token_get(st, id, &after, err);
    if (rc == KAM_OK && differs)
        rc = audit(st, actor, "token.revoke", "token", key, kam_users_token_json(&before),
                   kam_users_token_json(&after), err);
    rc = end(st, rc, err);
    if (rc == KAM_OK && changed != NULL)
        *changed = differs;
    return rc;
}

/* One message for every failed login: which part was wrong is not the caller's business. */
#define LOGIN_FAILED "wrong username or password"

enum kam_rc kam_users_login(struct kam_store *st, const char *username, const char *password,
                            size_t len, struct kam_user *out, struct kam_err *err)
{
    struct kam_user u;
    struct kam_err lookup;
    enum kam_rc rc = st->ops->user_get(st, username, &u, &lookup);

    if (rc == KAM_ERR_NOT_FOUND) {
        /* Hash anyway, so that an unknown username takes as long as a wrong password. */
        char dummy[KAM_PASSWORD_HASH_MAX];
        if (kam_auth_password_hash(password, len, dummy, &lookup) == KAM_OK)
            sodium_memzero(dummy, sizeof(dummy));
        return kam_err_set(err, KAM_ERR_AUTH, LOGIN_FAILED);
    }
    if (rc != KAM_OK) {
        if (err != NULL)
            *err = lookup;
        return rc;
    }
    if (!kam_auth_password_verify(u.password_hash, password, len) || u.disabled) {
        sodium_memzero(&u, sizeof(u));
        return kam_err_set(err, KAM_ERR_AUTH, LOGIN_FAILED);
    }
    *out = u;
    sodium_memzero(&u, sizeof(u));
    return KAM_OK;
}

/* Whether a token's last use (YYYY-MM-DDTHH:MM:SSZ, "" when never) is under a minute ago: its
 * time is then not written again (token_touch keeps it to the minute), which spares a script's
 * every request a read of the token's row and a write. */
static bool used_lately(const char *last_used_at)
{
    char cutoff[32];
    struct tm tm;
    time_t t = time(NULL) - 60;
    if (last_used_at[0] == '\0' || gmtime_r(&t, &tm) == NULL ||
        strftime(cutoff, sizeof(cutoff), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return false;
    return strcmp(last_used_at, cutoff) > 0;
}

enum kam_rc kam_users_token_auth(struct kam_store *st, const char *token, struct kam_user *out,
                                 struct kam_err *err)
{
    unsigned char hash[KAM_TOKEN_HASH_BYTES];
    struct kam_token t;
    struct kam_user u;
    struct kam_err inner;
    enum kam_rc rc;

    if (kam_auth_token_hash(token, hash, &inner) != KAM_OK)
        return kam_err_set(err, KAM_ERR_AUTH, "invalid API token");
    rc = st->ops->token_find(st, hash, &t, &inner);
    if (rc == KAM_OK && t.revoked_at[0] == '\0')
        rc = st->ops->user_get(st, t.username, &u, &inner);
    else if (rc == KAM_OK)
        rc = KAM_ERR_NOT_FOUND;
    if (rc == KAM_OK && u.disabled)
        rc = KAM_ERR_NOT_FOUND;
    if (rc == KAM_ERR_NOT_FOUND)
        return kam_err_set(err, KAM_ERR_AUTH, "invalid API token");
    if (rc == KAM_OK && !used_lately(t.last_used_at))
        rc = st->ops->token_touch(st, t.id, &inner);
    if (rc != KAM_OK) {
        if (err != NULL)
            *err = inner;
        return rc;
    }
    *out = u;
    sodium_memzero(&u, sizeof(u));
    return KAM_OK;
}
