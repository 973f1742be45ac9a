/* Users, teams and API tokens as operations: each checks its input, hashes what must be hashed,
 * writes in one transaction and records the change in the audit log in that same transaction.
 *
 * The CLI (`kam team|user|token`) and the HTTP server call these, never the store's user
 * operations directly, so that no write escapes the audit log. actor is who acts: a username
 * for the server, the OS user for the CLI. The JSON of a user, token or team never carries a
 * password hash or token hash. docs/users.md. */
#ifndef KAM_IO_USERS_H
#define KAM_IO_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/access.h"
#include "io/auth.h"
#include "store/store.h"
#include "util/err.h"

/* A user as JSON (new reference): id, username, display_name, role, team, disabled,
 * created_at, updated_at, version; no password hash. */
json_t *kam_users_user_json(const struct kam_user *u);
/* A token as JSON (new reference): id, user, name, created_at, last_used_at, revoked_at. */
json_t *kam_users_token_json(const struct kam_token *t);

/* Adds team name; *id (may be NULL) gets its id. KAM_ERR_INVALID for a bad name,
 * KAM_ERR_EXISTS, store errors. */
KAM_MUST_CHECK enum kam_rc kam_users_team_add(struct kam_store *st, const char *actor,
                                              const char *name, int64_t *id, struct kam_err *err);

/* Adds the user u describes (username, display_name, role, team, disabled; the rest is
 * ignored) with the password password[0..len); *id (may be NULL) gets its id.
 * KAM_ERR_INVALID for a bad username, role or password (the rule is in the message),
 * KAM_ERR_EXISTS, KAM_ERR_NOT_FOUND for an unknown team, store errors. */
KAM_MUST_CHECK enum kam_rc kam_users_add(struct kam_store *st, const char *actor,
                                         const struct kam_user *u, const char *password, size_t len,
                                         int64_t *id, struct kam_err *err);

/* Sets a user's password. KAM_ERR_NOT_FOUND, KAM_ERR_INVALID for a weak password. */
KAM_MUST_CHECK enum kam_rc kam_users_passwd(struct kam_store *st, const char *actor,
                                            const char *username, const char *password, size_t len,
                                            struct kam_err *err);

/* Disables (or enables) a user: a disabled user cannot log in and their tokens are refused.
 * *changed (may be NULL) tells whether it differed. KAM_ERR_NOT_FOUND. */
KAM_MUST_CHECK enum kam_rc kam_users_set_disabled(struct kam_store *st, const char *actor,
                                                  const char *username, bool disabled,
                                                  bool *changed, struct kam_err *err);

/* Writes display name, role, team and disabled of u->username if still at u->version (the
 * version it was read at); u takes the new version. KAM_ERR_CONFLICT when stale,
 * KAM_ERR_NOT_FOUND, KAM_ERR_INVALID. The password hash stored is kept whatever u holds. */
KAM_MUST_CHECK enum kam_rc kam_users_update(struct kam_store *st, const char *actor,
                                            struct kam_user *u, struct kam_err *err);

/* Creates an API token for username (name may be NULL): token (KAM_TOKEN_SIZE bytes) gets the
 * token text, to be shown once; *id its id. KAM_ERR_NOT_FOUND, KAM_ERR_INVALID for a disabled
 * user or a name over KAM_DISPLAY_NAME_MAX bytes. */
KAM_MUST_CHECK enum kam_rc kam_users_token_create(struct kam_store *st, const char *actor,
                                                  const char *username, const char *name,
                                                  char token[KAM_TOKEN_SIZE], int64_t *id,
                                                  struct kam_err *err);

/* Revokes token id; *changed (may be NULL) is false when it was revoked already (nothing is
 * written then). KAM_ERR_NOT_FOUND. */
KAM_MUST_CHECK enum kam_rc kam_users_token_revoke(struct kam_store *st, const char *actor,
                                                  int64_t id, bool *changed, struct kam_err *err);

/* The user whose password this is, into *out. KAM_ERR_AUTH for an unknown user, a wrong
 * password or a disabled user, with the same message for all three (a caller must not learn
 * which usernames exist). */
KAM_MUST_CHECK enum kam_rc kam_users_login(struct kam_store *st, const char *username,
                                           const char *password, size_t len, struct kam_user *out,
                                           struct kam_err *err);

/* The user of an API token, into *out; records the token's use (last_used_at). KAM_ERR_AUTH for
 * a malformed, unknown or revoked token or a disabled user. */
KAM_MUST_CHECK enum kam_rc kam_users_token_auth(struct kam_store *st, const char *token,
                                                struct kam_user *out, struct kam_err *err);

#endif
