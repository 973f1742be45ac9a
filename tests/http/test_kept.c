/* Answers kept until the database changes (src/http/kept.c): found only under the stamp they
 * were kept under and by their whole key, replaced by key, bounded in number and bytes with the
 * least recently used dropped first. The stamps here are made up; the store's own are tested in
 * the store suite (test_stamp) and the whole path in the HTTP suite (test_kept_answers). */
#include "http/kept.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const struct kam_stamp S1 = {true, {1, 10}}, S2 = {true, {1, 11}}, UNKNOWN = {0};

static struct kam_kept *kept(void)
{
    struct kam_kept *k = malloc(sizeof(*k));
    kam_kept_init(k);
    return k;
}

static void done(struct kam_kept *k)
{
    kam_kept_clear(k);
    free(k);
}

static const char *body_of(struct kam_kept *k, const struct kam_stamp *s, const char *key)
{
    const struct kam_kept_answer *a = kam_kept_find(k, s, key, strlen(key));
    static char out[64];
    if (a == NULL)
        return NULL;
    assert_true(a->len < sizeof(out));
    memcpy(out, a->body, a->len);
    out[a->len] = '\0';
    return out;
}

static void put(struct kam_kept *k, const struct kam_stamp *s, const char *key, const char *body)
{
    kam_kept_put(k, s, key, strlen(key), body, strlen(body), "\"7\"", NULL);
}

static void test_found_by_whole_key_under_its_stamp(void **state)
{
    (void)state;
    struct kam_kept *k = kept();
    assert_null(body_of(k, &S1, "1:a"));
    put(k, &S1, "1:a", "{\"a\":1}");
    put(k, &S1, "1:ab", "{\"ab\":1}");
    assert_string_equal(body_of(k, &S1, "1:a"), "{\"a\":1}");
    assert_string_equal(body_of(k, &S1, "1:ab"), "{\"ab\":1}");
    assert_string_equal(kam_kept_find(k, &S1, "1:a", 3)->etag, "\"7\"");
    assert_null(body_of(k, &S1, "1:"));    /* a prefix */
    assert_null(body_of(k, &S1, "1:abc")); /* longer */
    assert_null(body_of(k, &S1, "2:a"));
    /* The database changed: nothing kept is good any more, not even after going back. */
    assert_null(body_of(k, &S2, "1:a"));
    assert_int_equal(k->n, 0);
    assert_null(body_of(k, &S1, "1:a"));
    done(k);
}

static void test_unknown_stamp_keeps_nothing(void **state)
{
    (void)state;
    struct kam_kept *k = kept();
    put(k, &UNKNOWN, "1:a", "x");
    assert_int_equal(k->n, 0);
    put(k, &S1, "1:a", "x");
    assert_null(body_of(k, &UNKNOWN, "1:a")); /* inside a transaction */
    done(k);
}

static void test_same_key_replaced(void **state)
{
    (void)state;
    struct kam_kept *k = kept();
    put(k, &S1, "k", "old");
    put(k, &S1, "k", "newer");
    assert_int_equal(k->n, 1);
    assert_int_equal(k->bytes, strlen("k") + strlen("newer"));
    assert_string_equal(body_of(k, &S1, "k"), "newer");
    /* Kept under a new stamp: the old answers go first. */
    put(k, &S1, "j", "j");
    put(k, &S2, "k", "third");
    assert_int_equal(k->n, 1);
    assert_string_equal(body_of(k, &S2, "k"), "third");
    done(k);
}

static void test_bounded_least_recently_used_first(void **state)
{
    (void)state;
    struct kam_kept *k = kept();
    char key[16];
    for (int i = 0; i < KAM_KEPT_ANSWERS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        put(k, &S1, key, key);
    }
    assert_int_equal(k->n, KAM_KEPT_ANSWERS);
    assert_non_null(body_of(k, &S1, "k0")); /* k0 used: k1 is now the oldest */
    put(k, &S1, "new", "new");
    assert_int_equal(k->n, KAM_KEPT_ANSWERS);
    assert_non_null(body_of(k, &S1, "k0"));
    assert_null(body_of(k, &S1, "k1"));
    assert_non_null(body_of(k, &S1, "new"));

    /* Bytes: one answer of most of the budget pushes out what no longer fits beside it. */
    size_t big = KAM_KEPT_BYTES - 100;
    char *b = malloc(big);
    memset(b, 'x', big);
    kam_kept_put(k, &S1, "big", 3, b, big, NULL, "text/csv");
    assert_true(k->bytes <= KAM_KEPT_BYTES);
    const struct kam_kept_answer *a = kam_kept_find(k, &S1, "big", 3);
    assert_non_null(a);
    assert_int_equal(a->len, big);
    assert_string_equal(a->content_type, "text/csv");
    assert_string_equal(a->etag, "");
    assert_null(body_of(k, &S1, "k2"));      /* the oldest went */
    assert_non_null(body_of(k, &S1, "new")); /* the newest stayed */
    /* Larger than the whole budget: not kept, nothing else dropped. */
    size_t n = k->n;
    char *huge = calloc(1, (size_t)KAM_KEPT_BYTES + 1);
    kam_kept_put(k, &S1, "huge", 4, huge, (size_t)KAM_KEPT_BYTES + 1, NULL, NULL);
    assert_int_equal(k->n, n);
    assert_null(kam_kept_find(k, &S1, "huge", 4));
    /* A key over the limit: not kept. */
    char *long_key = malloc((size_t)KAM_KEPT_KEY_MAX + 1);
    memset(long_key, 'k', (size_t)KAM_KEPT_KEY_MAX + 1);
    kam_kept_put(k, &S1, long_key, (size_t)KAM_KEPT_KEY_MAX + 1, "x", 1, NULL, NULL);
    assert_null(kam_kept_find(k, &S1, long_key, (size_t)KAM_KEPT_KEY_MAX + 1));
    free(long_key);
    free(huge);
    free(b);
    done(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found_by_whole_key_under_its_stamp),
        cmocka_unit_test(test_unknown_stamp_keeps_nothing),
        cmocka_unit_test(test_same_key_replaced),
        cmocka_unit_test(test_bounded_least_recently_used_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
