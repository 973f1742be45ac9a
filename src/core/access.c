/* Roles, their permissions and the account scope (access.h).
 *
 * One table, roles[], says what each role may do; everything else reads it. The scope is the
 * rule of row-level access: the store applies the same rule in its account query, so that a
 * user never receives a row the scope excludes (filtering afterwards would leak totals, counts
 * and timings). It deliberately does not know how users are stored or authenticated.
 * DOMAIN.md "Who uses it". */
#include "core/access.h"

#include <stdio.h>
#include <string.h>

static const struct role_def {
    const char *name;
    enum kam_scope_kind scope;
    bool read_only;
    unsigned actions;
    const char *summary;
} roles[KAM_ROLE_COUNT] = {
    [KAM_ROLE_ADMIN] = {"admin", KAM_SCOPE_ALL, false,
                        KAM_ACTION_WRITE_ACCOUNTS | KAM_ACTION_IMPORT | KAM_ACTION_SCORE |
                            KAM_ACTION_PIN | KAM_ACTION_SET_MODEL | KAM_ACTION_MANAGE_USERS |
                            KAM_ACTION_READ_AUDIT,
                        "users, teams, the scoring model, the audit log and every account"},
    /* The sales director steers the whole portfolio (scoring, tiers, review) but does not
     * administer users or change the model: the model decides every tier, so one role owns it. */
    [KAM_ROLE_DIRECTOR] = {"director", KAM_SCOPE_ALL, false,
                           KAM_ACTION_WRITE_ACCOUNTS | KAM_ACTION_IMPORT | KAM_ACTION_SCORE |
                               KAM_ACTION_PIN,
                           "every account: read, write, import, score, pin tiers"},
    [KAM_ROLE_MANAGER] = {"manager", KAM_SCOPE_TEAM, false, KAM_ACTION_WRITE_ACCOUNTS,
                          "the accounts owned by the members of their team"},
    [KAM_ROLE_REP] = {"rep", KAM_SCOPE_OWN, false, KAM_ACTION_WRITE_ACCOUNTS,
                      "their own accounts (owner = their username)"},
    [KAM_ROLE_VIEWER] = {"viewer", KAM_SCOPE_TEAM, true, 0,
                         "read-only: the accounts their team sees"},
};

const char *kam_role_name(enum kam_role role)
{
    return (unsigned)role < KAM_ROLE_COUNT ? roles[role].name : NULL;
}

const char *kam_role_summary(enum kam_role role)
{
    return (unsigned)role < KAM_ROLE_COUNT ? roles[role].summary : NULL;
}

enum kam_rc kam_role_parse(const char *name, enum kam_role *out, struct kam_err *err)
{
    for (int r = 0; r < KAM_ROLE_COUNT; r++)
        if (name != NULL && strcmp(name, roles[r].name) == 0) {
            *out = (enum kam_role)r;
            return KAM_OK;
        }
    return kam_err_set(err, KAM_ERR_INVALID,
                       "unknown role '%s': use admin, director, manager, rep or viewer",
                       name ? name : "");
}

bool kam_access_may(enum kam_role role, unsigned actions)
{
    if ((unsigned)role >= KAM_ROLE_COUNT)
        return false;
    return (roles[role].actions & actions) == actions;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

void kam_scope_init(struct kam_scope *s, enum kam_role role, const char *login, const char *team)
{
    if ((unsigned)role >= KAM_ROLE_COUNT)
        KAM_BUG("kam_scope_init: role out of range");
    const struct role_def *d = &roles[role];

    memset(s, 0, sizeof(*s));
    s->kind = d->scope;
    s->read_only = d->read_only;
    copy(s->login, sizeof(s->login), login);
    copy(s->team, sizeof(s->team), team);
    /* A manager or viewer outside any team would otherwise see every account without a team:
     * nothing is the safe default, and their own accounts are theirs anyway. */
    if (s->kind == KAM_SCOPE_TEAM && s->team[0] == '\0')
        s->kind = KAM_SCOPE_OWN;
}

bool kam_scope_may(const struct kam_scope *s, bool write, const char *owner_login,
                   const char *owner_team)
{
    bool own;

    if (write && s->read_only)
        return false;
    if (s->kind == KAM_SCOPE_ALL)
        return true;
    own = owner_login != NULL && owner_login[0] != '\0' && strcmp(owner_login, s->login) == 0;
    if (s->kind == KAM_SCOPE_OWN)
        return own;
    return own || (owner_team != NULL && owner_team[0] != '\0' && s->team[0] != '\0' &&
                   strcmp(owner_team, s->team) == 0);
}

enum kam_rc kam_access_check_login(const char *what, const char *name, struct kam_err *err)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0)
        return kam_err_set(err, KAM_ERR_INVALID, "%s is empty", what);
    if (n > KAM_LOGIN_MAX)
        return kam_err_set(err, KAM_ERR_INVALID, "%s '%.20s...' is longer than %d bytes", what,
                           name, KAM_LOGIN_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '-' && c != '_')))
            return kam_err_set(err, KAM_ERR_INVALID,
                               "%s '%s' is not allowed: use letters, digits, '.', '-' and '_', "
                               "starting with a letter or digit",
                               what, name);
    }
    return KAM_OK;
}

/* Code points of the UTF-8 text s[0..n); -1 when it is not valid UTF-8 or holds a NUL. */
static long utf8_chars(const unsigned char *s, size_t n)
{
    long chars = 0;
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (c == 0 || len == 0 || i + len > n)
            return -1;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return -1;
        i += len;
        chars++;
    }
    return chars;
}

enum kam_rc kam_access_check_password(const char *password, size_t len, struct kam_err *err)
{
    long chars;

    if (len > KAM_PASSWORD_MAX)
        return kam_err_set(err, KAM_ERR_INVALID, "password is longer than %d bytes",
                           KAM_PASSWORD_MAX);
    chars = utf8_chars((const unsigned char *)password, len);
    if (chars < 0)
        return kam_err_set(err, KAM_ERR_INVALID, "password is not valid UTF-8 text");
    if (chars == 0)
        return kam_err_set(err, KAM_ERR_INVALID, "password is empty: use at least %d characters",
                           KAM_PASSWORD_MIN);
    if (chars < KAM_PASSWORD_MIN)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "password is too short (%ld characters): use at least %d", chars,
                           KAM_PASSWORD_MIN);
    return KAM_OK;
}
