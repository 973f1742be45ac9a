/* Who may do what: the roles of kam users, what each role may do, and the access scope that
 * decides which accounts a user may read or write.
 *
 * Pure rules, no I/O: the store turns a scope into its query (store.h, account_list), the CLI and
 * the HTTP server ask kam_access_may / kam_scope_may before acting. docs/users.md has the table.
 * DOMAIN.md "Who uses it": account managers and field sales see their accounts, the department
 * head and director all of them, an administrator manages users and the scoring model. */
#ifndef KAM_CORE_ACCESS_H
#define KAM_CORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* Lengths in bytes, without the terminating NUL. */
#define KAM_LOGIN_MAX        64  /* usernames and team names */
#define KAM_DISPLAY_NAME_MAX 128 /* a user's display name, a token's name */
#define KAM_PASSWORD_MIN     8   /* characters (code points), not bytes */
#define KAM_PASSWORD_MAX     1024

/* The roles, most powerful first. The numbers are not stored (the store keeps the name). */
enum kam_role {
    KAM_ROLE_ADMIN,
    KAM_ROLE_DIRECTOR,
    KAM_ROLE_MANAGER,
    KAM_ROLE_REP,
    KAM_ROLE_VIEWER,
    KAM_ROLE_COUNT
};

/* What a role may do besides reading the accounts of its scope. */
enum kam_action_flags {
    KAM_ACTION_WRITE_ACCOUNTS = 1u << 0, /* create, update, tag, rate the accounts of the scope */
    KAM_ACTION_IMPORT = 1u << 1,         /* CSV imports (may create accounts of any owner) */
    KAM_ACTION_SCORE = 1u << 2,          /* run metrics and scoring over the whole portfolio */
    KAM_ACTION_PIN = 1u << 3,            /* pin tiers */
    KAM_ACTION_SET_MODEL = 1u << 4,      /* store a new scoring model version */
    KAM_ACTION_MANAGE_USERS = 1u << 5,   /* teams, users, other users' tokens */
    KAM_ACTION_READ_AUDIT = 1u << 6,     /* the audit log */
};

/* Which accounts a user sees. */
enum kam_scope_kind {
    KAM_SCOPE_ALL,  /* every account */
    KAM_SCOPE_TEAM, /* accounts owned by a member of the user's team (and the user's own) */
    KAM_SCOPE_OWN,  /* accounts whose owner is the user */
};

/* A user's access to accounts, derived from role, login and team by kam_scope_init. Plain data
 * (no pointers): it can be kept for a whole request. */
struct kam_scope {
    enum kam_scope_kind kind;
    bool read_only;
    char login[KAM_LOGIN_MAX + 1]; /* the user's username: accounts.owner matches it */
    char team[KAM_LOGIN_MAX + 1];  /* "" when the user has no team */
};

/* "admin", ... ; NULL for a value out of range. */
const char *kam_role_name(enum kam_role role);
/* A one-line description of the role, for help and docs. */
const char *kam_role_summary(enum kam_role role);
/* The role called name into *out. KAM_ERR_INVALID naming the allowed roles otherwise. */
KAM_MUST_CHECK enum kam_rc kam_role_parse(const char *name, enum kam_role *out,
                                          struct kam_err *err);

/* Whether role may do every action in actions (enum kam_action_flags). */
bool kam_access_may(enum kam_role role, unsigned actions);

/* Fills s for a user (login and team borrowed and copied; team NULL or "" = none). A role scoped
 * to a team whose user has no team falls back to the user's own accounts. */
void kam_scope_init(struct kam_scope *s, enum kam_role role, const char *login, const char *team);

/* Whether s may read (write false) or write an account whose owner is owner_login (NULL or ""
 * when none) and whose owner belongs to owner_team (NULL or "" when none or unknown). Accounts
 * without an owner are visible to the ALL scope only. */
bool kam_scope_may(const struct kam_scope *s, bool write, const char *owner_login,
                   const char *owner_team);

/* Usernames and team names: 1..KAM_LOGIN_MAX bytes of ASCII letters, digits, '.', '-', '_',
 * starting with a letter or digit. KAM_ERR_INVALID naming what (e.g. "username") otherwise. */
KAM_MUST_CHECK enum kam_rc kam_access_check_login(const char *what, const char *name,
                                                  struct kam_err *err);
/* A new password: valid UTF-8, at least KAM_PASSWORD_MIN characters, at most KAM_PASSWORD_MAX
 * bytes. KAM_ERR_INVALID with the rule otherwise. */
KAM_MUST_CHECK enum kam_rc kam_access_check_password(const char *password, size_t len,
                                                     struct kam_err *err);

#endif
