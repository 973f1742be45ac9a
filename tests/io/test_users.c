/* Tests for src/io/auth.c and src/io/users.c: token shape and hash, password hashing, and the
 * operations the HTTP server will call (login, token authentication, update with a version),
 * each with its audit entry. Runs on a fresh SQLite database per test in a private temporary
 * directory. The password hashes use the minimum Argon2id limits (KAM_TEST_FAST_HASH=1, set in
 * main): this test hashes a dozen passwords. */
#include "io/users.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

static char dir[256], path[300];
static struct kam_store *st;

static int setup(void **state)
{
    struct kam_err err;
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/kam-users-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/kam.db", dir);
    return kam_store_open(path, KAM_STORE_CREATE, &st, &err) == KAM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    char f[320];
    (void)state;
    kam_store_close(st);
    st = NULL;
    static const char *const files[] = {"kam.db", "kam.db-wal", "kam.db-shm"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(f, sizeof(f), "%s/%s", dir, files[i]);
        unlink(f);
    }
    rmdir(dir);
    return 0;
}

static void add(const char *username, enum kam_role role, const char *team, const char *pw)
{
    struct kam_user u = {0};
    struct kam_err err;
    snprintf(u.username, sizeof(u.username), "%s", username);
    snprintf(u.team, sizeof(u.team), "%s", team ? team : "");
    u.role = role;
    if (kam_users_add(st, "tester", &u, pw, strlen(pw), NULL, &err) != KAM_OK)
        fail_msg("adding '%s': %s", username, err.msg);
}

static int count_audit(void *ctx, const struct kam_audit_entry *e)
{
    int *n = ctx;
    assert_string_equal(e->actor, "tester");
    (*n)++;
    return 0;
}

static int audit_entries(void)
{
    struct kam_err err;
    int n = 0;
    struct kam_audit_query q = {0};
    assert_int_equal(st->ops->audit_list(st, &q, NULL, count_audit, &n, &err), KAM_OK);
    return n;
}

static void test_token_shape_and_hash(void **state)
{
    char t1[KAM_TOKEN_SIZE], t2[KAM_TOKEN_SIZE];
    unsigned char h1[KAM_TOKEN_HASH_BYTES], h2[KAM_TOKEN_HASH_BYTES], again[KAM_TOKEN_HASH_BYTES];
    struct kam_err err;
    (void)state;

    assert_int_equal(kam_auth_token_new(t1, h1, &err), KAM_OK);
    assert_int_equal(kam_auth_token_new(t2, h2, &err), KAM_OK);
    assert_int_equal(strlen(t1), 47);
    assert_memory_equal(t1, "kam_", 4);
    assert_true(
        strspn(t1 + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43);
    assert_string_not_equal(t1, t2);
    assert_memory_not_equal(h1, h2, sizeof(h1));
    /* The stored hash is BLAKE2b-256 of the token text. */
    crypto_generichash(again, sizeof(again), (const unsigned char *)t1, strlen(t1), NULL, 0);
    assert_memory_equal(h1, again, sizeof(h1));
    assert_int_equal(kam_auth_token_hash(t1, again, &err), KAM_OK);
    assert_memory_equal(h1, again, sizeof(h1));

    static const char *const bad[] = {"", "kam_", "abc_aQvtTlYcqlfT59Z6M2qFDXPwmguRH_3K0a31-tQD5ns",
                                      "kam_aQvtTlYcqlfT59Z6M2qFDXPwmguRH_3K0a31-tQD5n",
                                      "kam_aQvtTlYcqlfT59Z6M2qFDXPwmguRH_3K0a31-tQD5nsX"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(kam_auth_token_hash(bad[i], again, &err), KAM_ERR_INVALID);
    assert_int_equal(kam_auth_token_hash(NULL, again, &err), KAM_ERR_INVALID);
}

static void test_password_hash(void **state)
{
    char a[KAM_PASSWORD_HASH_MAX], b[KAM_PASSWORD_HASH_MAX];
    struct kam_err err;
    (void)state;

    assert_int_equal(kam_auth_password_hash("kam-demo", 8, a, &err), KAM_OK);
    assert_int_equal(kam_auth_password_hash("kam-demo", 8, b, &err), KAM_OK);
    assert_true(strncmp(a, "$argon2id$", 10) == 0);
    assert_string_not_equal(a, b); /* salted */
    assert_true(kam_auth_password_verify(a, "kam-demo", 8));
    assert_true(kam_auth_password_verify(b, "kam-demo", 8));
    assert_false(kam_auth_password_verify(a, "kam-demo", 7));
    assert_false(kam_auth_password_verify(a, "Kam-demo", 8));
    assert_false(kam_auth_password_verify("not a hash", "kam-demo", 8));
    assert_false(kam_auth_password_verify(NULL, "kam-demo", 8));
}

static void test_login(void **state)
{
    struct kam_user u;
    struct kam_err err, wrong;
    bool changed = false;
    (void)state;

    add("rep-east-1", KAM_ROLE_REP, NULL, "kam-demo");
    assert_int_equal(kam_users_login(st, "rep-east-1", "kam-demo", 8, &u, &err), KAM_OK);
    assert_string_equal(u.username, "rep-east-1");
    assert_int_equal(u.role, KAM_ROLE_REP);

    /* Wrong password, unknown user and disabled user: one code, one message. */
    assert_int_equal(kam_users_login(st, "rep-east-1", "kam-demo2", 9, &u, &wrong), KAM_ERR_AUTH);
    assert_int_equal(kam_users_login(st, "nobody", "kam-demo", 8, &u, &err), KAM_ERR_AUTH);
    assert_string_equal(err.msg, wrong.msg);
    assert_int_equal(kam_users_set_disabled(st, "tester", "rep-east-1", true, &changed, &err),
                     KAM_OK);
    assert_true(changed);
    assert_int_equal(kam_users_login(st, "rep-east-1", "kam-demo", 8, &u, &err), KAM_ERR_AUTH);
    assert_string_equal(err.msg, wrong.msg);
    assert_int_equal(kam_users_set_disabled(st, "tester", "rep-east-1", false, &changed, &err),
                     KAM_OK);
    assert_int_equal(kam_users_passwd(st, "tester", "rep-east-1", "another one", 11, &err), KAM_OK);
    assert_int_equal(kam_users_login(st, "rep-east-1", "kam-demo", 8, &u, &err), KAM_ERR_AUTH);
    assert_int_equal(kam_users_login(st, "rep-east-1", "another one", 11, &u, &err), KAM_OK);
    assert_int_equal(kam_users_passwd(st, "tester", "rep-east-1", "short", 5, &err),
                     KAM_ERR_INVALID);
    /* add, disable, enable, passwd: four entries; the refused passwd none. */
    assert_int_equal(audit_entries(), 4);
}

static void test_token_auth(void **state)
{
    char token[KAM_TOKEN_SIZE], other[KAM_TOKEN_SIZE];
    struct kam_user u;
    struct kam_token t;
    struct kam_err err;
    int64_t id = 0, id2 = 0;
    bool changed;
    (void)state;

    add("bot", KAM_ROLE_DIRECTOR, NULL, "kam-demo");
    add("bob", KAM_ROLE_REP, NULL, "kam-demo");
    assert_int_equal(kam_users_token_create(st, "tester", "bot", "ci", token, &id, &err), KAM_OK);
    assert_int_equal(kam_users_token_create(st, "tester", "bob", NULL, other, &id2, &err), KAM_OK);
    assert_int_equal(kam_users_token_auth(st, token, &u, &err), KAM_OK);
    assert_string_equal(u.username, "bot");
    assert_int_equal(u.role, KAM_ROLE_DIRECTOR);
    assert_int_equal(st->ops->token_get(st, id, &t, &err), KAM_OK);
    assert_int_equal(strlen(t.last_used_at), 20);

    /* A token one character off, a malformed one, a disabled user's, a revoked one. */
    char off[KAM_TOKEN_SIZE];
    memcpy(off, token, sizeof(off));
    off[10] = off[10] == 'A' ? 'B' : 'A';
    assert_int_equal(kam_users_token_auth(st, off, &u, &err), KAM_ERR_AUTH);
    assert_int_equal(kam_users_token_auth(st, "Bearer xyz", &u, &err), KAM_ERR_AUTH);
    assert_int_equal(kam_users_set_disabled(st, "tester", "bob", true, NULL, &err), KAM_OK);
    assert_int_equal(kam_users_token_auth(st, other, &u, &err), KAM_ERR_AUTH);
    assert_int_equal(kam_users_token_create(st, "tester", "bob", NULL, other, &id2, &err),
                     KAM_ERR_INVALID);
    assert_int_equal(kam_users_token_revoke(st, "tester", id, &changed, &err), KAM_OK);
    assert_true(changed);
    assert_int_equal(kam_users_token_auth(st, token, &u, &err), KAM_ERR_AUTH);
    assert_string_equal(err.msg, "invalid API token");
    assert_int_equal(kam_users_token_revoke(st, "tester", id, &changed, &err), KAM_OK);
    assert_false(changed);
    assert_int_equal(kam_users_token_create(st, "tester", "nobody", NULL, other, &id2, &err),
                     KAM_ERR_NOT_FOUND);
    /* 2 adds, 2 tokens, 1 disable, 1 revoke (the second revoke wrote nothing). */
    assert_int_equal(audit_entries(), 6);
}

static void test_update_with_version(void **state)
{
    struct kam_user a, b, got;
    struct kam_err err;
    int64_t tid = 0;
    (void)state;

    assert_int_equal(kam_users_team_add(st, "tester", "east", &tid, &err), KAM_OK);
    assert_true(tid > 0);
    assert_int_equal(kam_users_team_add(st, "tester", "east", NULL, &err), KAM_ERR_EXISTS);
    assert_int_equal(kam_users_team_add(st, "tester", "", NULL, &err), KAM_ERR_INVALID);
    add("li", KAM_ROLE_REP, NULL, "kam-demo");
    assert_int_equal(st->ops->user_get(st, "li", &a, &err), KAM_OK);
    b = a;
    a.role = KAM_ROLE_MANAGER;
    snprintf(a.team, sizeof(a.team), "east");
    memset(a.password_hash, 0, sizeof(a.password_hash)); /* ignored: update keeps the hash */
    assert_int_equal(kam_users_update(st, "tester", &a, &err), KAM_OK);
    assert_int_equal(a.version, 2);
    b.role = KAM_ROLE_ADMIN;
    assert_int_equal(kam_users_update(st, "tester", &b, &err), KAM_ERR_CONFLICT);
    assert_int_equal(st->ops->user_get(st, "li", &got, &err), KAM_OK);
    assert_int_equal(got.role, KAM_ROLE_MANAGER);
    assert_string_equal(got.team, "east");
    assert_int_equal(kam_users_login(st, "li", "kam-demo", 8, &got, &err), KAM_OK);
    a.role = KAM_ROLE_COUNT;
    assert_int_equal(kam_users_update(st, "tester", &a, &err), KAM_ERR_INVALID);
    /* team.add, user.add, user.update; the conflict and the refusals wrote nothing. */
    assert_int_equal(audit_entries(), 3);
}

static void test_user_json_has_no_secret(void **state)
{
    struct kam_user u = {0};
    (void)state;
    snprintf(u.username, sizeof(u.username), "x");
    snprintf(u.password_hash, sizeof(u.password_hash), "$argon2id$secret");
    json_t *j = kam_users_user_json(&u);
    char *s = json_dumps(j, 0);
    assert_null(strstr(s, "argon2"));
    assert_null(json_object_get(j, "password_hash"));
    free(s);
    json_decref(j);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_shape_and_hash),
        cmocka_unit_test(test_password_hash),
        T(test_login),
        T(test_token_auth),
        T(test_update_with_version),
        cmocka_unit_test(test_user_json_has_no_secret),
    };
    /* The minimum Argon2id limits: this suite's explicit opt-in (docs/users.md). */
    setenv("KAM_TEST_FAST_HASH", "1", 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
