/* Unit tests for src/core/access.c: every role's permissions, the scope each role gets, which
 * accounts a scope may read and write, role names, and the username and password rules. */
#include "core/access.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

enum {
    ALL_ACTIONS = KAM_ACTION_WRITE_ACCOUNTS | KAM_ACTION_IMPORT | KAM_ACTION_SCORE |
                  KAM_ACTION_PIN | KAM_ACTION_SET_MODEL | KAM_ACTION_MANAGE_USERS |
                  KAM_ACTION_READ_AUDIT
};

static void test_role_names(void **state)
{
    static const struct case_ {
        const char *name;
        enum kam_role role;
    } cases[] = {
        {"admin", KAM_ROLE_ADMIN}, {"director", KAM_ROLE_DIRECTOR}, {"manager", KAM_ROLE_MANAGER},
        {"rep", KAM_ROLE_REP},     {"viewer", KAM_ROLE_VIEWER},
    };
    struct kam_err err;
    enum kam_role r;

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        EXPECT(c, kam_role_parse(c->name, &r, &err) == KAM_OK && r == c->role, "parse");
        EXPECT(c, strcmp(kam_role_name(c->role), c->name) == 0, "name");
        EXPECT(c, kam_role_summary(c->role) != NULL, "summary");
    }
    assert_int_equal(failures, 0);
    assert_int_equal(kam_role_parse("Admin", &r, &err), KAM_ERR_INVALID);
    assert_non_null(strstr(err.msg, "unknown role 'Admin'"));
    assert_non_null(strstr(err.msg, "admin, director, manager, rep or viewer"));
    assert_int_equal(kam_role_parse("", &r, &err), KAM_ERR_INVALID);
    assert_int_equal(kam_role_parse(NULL, &r, &err), KAM_ERR_INVALID);
    assert_null(kam_role_name(KAM_ROLE_COUNT));
    assert_false(kam_access_may(KAM_ROLE_COUNT, 0));
}

/* The permission matrix of docs/users.md, one row per role. */
static void test_permissions(void **state)
{
    static const struct case_ {
        const char *name;
        enum kam_role role;
        unsigned allowed;
    } cases[] = {
        {"admin may do everything", KAM_ROLE_ADMIN, ALL_ACTIONS},
        {"director: every account, import, score, pin; not users, model or audit",
         KAM_ROLE_DIRECTOR,
         KAM_ACTION_WRITE_ACCOUNTS | KAM_ACTION_IMPORT | KAM_ACTION_SCORE | KAM_ACTION_PIN},
        {"manager writes the team's accounts only", KAM_ROLE_MANAGER, KAM_ACTION_WRITE_ACCOUNTS},
        {"rep writes their own accounts only", KAM_ROLE_REP, KAM_ACTION_WRITE_ACCOUNTS},
        {"viewer may do nothing but read", KAM_ROLE_VIEWER, 0},
    };

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        for (unsigned bit = 1; bit <= ALL_ACTIONS; bit <<= 1) {
            bool want = (c->allowed & bit) != 0;
            EXPECT(c, kam_access_may(c->role, bit) == want, "action 0x%x: got %d, want %d", bit,
                   !want, want);
        }
        EXPECT(c, kam_access_may(c->role, ALL_ACTIONS) == (c->allowed == ALL_ACTIONS),
               "all actions together");
        EXPECT(c, kam_access_may(c->role, 0), "no action at all is always allowed");
    }
    assert_int_equal(failures, 0);
}

static void test_scope_of_roles(void **state)
{
    static const struct case_ {
        const char *name;
        enum kam_role role;
        const char *team;
        enum kam_scope_kind kind;
        bool read_only;
    } cases[] = {
        {"admin sees all", KAM_ROLE_ADMIN, "east", KAM_SCOPE_ALL, false},
        {"director sees all, without a team", KAM_ROLE_DIRECTOR, NULL, KAM_SCOPE_ALL, false},
        {"manager sees the team", KAM_ROLE_MANAGER, "east", KAM_SCOPE_TEAM, false},
        {"manager without a team sees their own", KAM_ROLE_MANAGER, "", KAM_SCOPE_OWN, false},
        {"rep sees their own, team or not", KAM_ROLE_REP, "east", KAM_SCOPE_OWN, false},
        {"viewer sees the team, read-only", KAM_ROLE_VIEWER, "west", KAM_SCOPE_TEAM, true},
        {"viewer without a team: own, read-only", KAM_ROLE_VIEWER, NULL, KAM_SCOPE_OWN, true},
    };
    struct kam_scope s;

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        kam_scope_init(&s, c->role, "someone", c->team);
        EXPECT(c, s.kind == c->kind, "kind %d, want %d", s.kind, c->kind);
        EXPECT(c, s.read_only == c->read_only, "read_only");
        EXPECT(c, strcmp(s.login, "someone") == 0, "login '%s'", s.login);
        EXPECT(c, strcmp(s.team, c->team ? c->team : "") == 0, "team '%s'", s.team);
    }
    assert_int_equal(failures, 0);
}

/* Each role of the demo company against accounts of each kind: rep-east-1's (team east),
 * rep-west-1's (team west), an account whose owner has no login or team, and one without an
 * owner. */
static void test_scope_may(void **state)
{
    static const struct account {
        const char *owner, *team;
    } accts[] = {
        {"rep-east-1", "east"}, {"rep-west-1", "west"}, {"ghost", NULL}, {NULL, NULL}, {"", ""}};
    enum { EAST, WEST, NO_TEAM, NO_OWNER, EMPTY, NACCTS };
    static const struct case_ {
        const char *name;
        enum kam_role role;
        const char *login, *team;
        const char *read, *write; /* per account: '1' may, '0' may not */
    } cases[] = {
        {"admin reads and writes everything", KAM_ROLE_ADMIN, "admin", NULL, "11111", "11111"},
        {"director reads and writes everything", KAM_ROLE_DIRECTOR, "director", NULL, "11111",
         "11111"},
        {"manager of east: east only", KAM_ROLE_MANAGER, "manager-east", "east", "10000", "10000"},
        {"manager of west: west only", KAM_ROLE_MANAGER, "manager-west", "west", "01000", "01000"},
        {"rep: own account only", KAM_ROLE_REP, "rep-east-1", "east", "10000", "10000"},
        {"rep: not a teammate's account", KAM_ROLE_REP, "rep-east-2", "east", "00000", "00000"},
        {"rep: an account of an owner without a login", KAM_ROLE_REP, "ghost", NULL, "00100",
         "00100"},
        {"viewer of east reads east, writes nothing", KAM_ROLE_VIEWER, "viewer", "east", "10000",
         "00000"},
        {"manager without a team: own only", KAM_ROLE_MANAGER, "rep-west-1", NULL, "01000",
         "01000"},
    };
    struct kam_scope s;

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        kam_scope_init(&s, c->role, c->login, c->team);
        for (int a = 0; a < NACCTS; a++) {
            bool r = kam_scope_may(&s, false, accts[a].owner, accts[a].team);
            bool w = kam_scope_may(&s, true, accts[a].owner, accts[a].team);
            EXPECT(c, r == (c->read[a] == '1'), "read account %d: got %d", a, r);
            EXPECT(c, w == (c->write[a] == '1'), "write account %d: got %d", a, w);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_logins(void **state)
{
    static const struct case_ {
        const char *name;
        const char *login;
        bool ok;
    } cases[] = {
        {"plain", "alice", true},
        {"with dash, dot, underscore and digits", "rep-east_1.b2", true},
        {"starting with a digit", "1rep", true},
        {"exactly 64 bytes", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         true},
        {"65 bytes", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
        {"empty", "", false},
        {"starting with a dash (looks like an option)", "-rep", false},
        {"starting with a dot", ".rep", false},
        {"a space", "rep east", false},
        {"a quote (SQL metacharacter)", "rep'--", false},
        {"a slash (path)", "../etc", false},
        {"non-ASCII", "张三", false},
    };
    struct kam_err err;

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        enum kam_rc rc = kam_access_check_login("username", c->login, &err);
        EXPECT(c, (rc == KAM_OK) == c->ok, "got %s (%s)", kam_rc_name(rc), err.msg);
        if (!c->ok)
            EXPECT(c, strstr(err.msg, "username") == err.msg, "message '%s'", err.msg);
    }
    assert_int_equal(failures, 0);
    assert_int_equal(kam_access_check_login("team name", NULL, &err), KAM_ERR_INVALID);
    assert_string_equal(err.msg, "team name is empty");
}

static void test_passwords(void **state)
{
    static const struct case_ {
        const char *name;
        const char *pw;
        size_t len;       /* 0 = strlen */
        const char *want; /* NULL = accepted, else a part of the message */
    } cases[] = {
        {"eight ASCII characters", "kam-demo", 0, NULL},
        {"seven characters", "kam-dem", 0, "too short (7 characters): use at least 8"},
        {"empty", "", 0, "password is empty: use at least 8 characters"},
        {"eight Chinese characters (24 bytes)", "重点客户管理系统", 0, NULL},
        {"four Chinese characters are 12 bytes but 4 characters", "重点客户", 0, "too short (4"},
        {"invalid UTF-8", "abcdefgh\xff", 0, "not valid UTF-8"},
        {"truncated UTF-8 sequence", "abcdefgh\xe9\x87", 0, "not valid UTF-8"},
        {"an embedded NUL", "abcd\0efghij", 11, "not valid UTF-8"},
    };
    struct kam_err err;
    static char long_pw[KAM_PASSWORD_MAX + 2];

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->pw);
        enum kam_rc rc = kam_access_check_password(c->pw, len, &err);
        if (c->want == NULL)
            EXPECT(c, rc == KAM_OK, "refused: %s", err.msg);
        else
            EXPECT(c, rc == KAM_ERR_INVALID && strstr(err.msg, c->want) != NULL,
                   "got %s '%s', want '%s'", kam_rc_name(rc), err.msg, c->want);
    }
    assert_int_equal(failures, 0);
    memset(long_pw, 'x', KAM_PASSWORD_MAX + 1);
    assert_int_equal(kam_access_check_password(long_pw, KAM_PASSWORD_MAX, &err), KAM_OK);
    assert_int_equal(kam_access_check_password(long_pw, KAM_PASSWORD_MAX + 1, &err),
                     KAM_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_names),     cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_scope_of_roles), cmocka_unit_test(test_scope_may),
        cmocka_unit_test(test_logins),         cmocka_unit_test(test_passwords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
