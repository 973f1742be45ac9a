/* Unit tests for src/util/map.c: the text-key map (put/get/add, binary keys, growth) and the
 * uint64 map (upsert, growth, keys that share their low or high bits). No files, clock or store. */
#include "util/map.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"
#define MAX_OPS 8

enum op_kind { OP_END, OP_PUT, OP_ADD, OP_ADD_NULL_OLD, OP_GET };

/* One operation on a map and what it must return. key[0..len) may contain NUL bytes. */
struct str_op {
    enum op_kind kind;
    const char *key;
    size_t len;
    int64_t val; /* PUT, ADD: the value stored */
    bool ret;    /* what the call returns */
    int64_t out; /* GET: the value found; ADD of a present key: the old value */
};

static void test_strmap_ops(void **state)
{
    static const struct case_ {
        const char *name;
        struct str_op ops[MAX_OPS];
        size_t count; /* m.count at the end */
    } cases[] = {
        {"get on an empty map", {{OP_GET, "a", 1, 0, false, 0}}, 0},
        {"put a new key then get it",
         {{OP_PUT, "acme", 4, 42, true, 0}, {OP_GET, "acme", 4, 0, true, 42}},
         1},
        {"get an absent key from a non-empty map",
         {{OP_PUT, "acme", 4, 42, true, 0}, {OP_GET, "acne", 4, 0, false, 0}},
         1},
        {"put on a present key replaces the value and returns false",
         {{OP_PUT, "a", 1, 1, true, 0},
          {OP_PUT, "a", 1, 2, false, 0},
          {OP_GET, "a", 1, 0, true, 2}},
         1},
        {"add on an absent key inserts",
         {{OP_ADD, "a", 1, 5, true, 0}, {OP_GET, "a", 1, 0, true, 5}},
         1},
        {"add on a present key keeps the value and reports the old one",
         {{OP_PUT, "a", 1, 1, true, 0},
          {OP_ADD, "a", 1, 9, false, 1},
          {OP_GET, "a", 1, 0, true, 1}},
         1},
        {"add with a NULL old pointer on a present key",
         {{OP_PUT, "a", 1, 1, true, 0},
          {OP_ADD_NULL_OLD, "a", 1, 9, false, 0},
          {OP_GET, "a", 1, 0, true, 1}},
         1},
        {"add with a NULL old pointer on an absent key",
         {{OP_ADD_NULL_OLD, "a", 1, 9, true, 0}, {OP_GET, "a", 1, 0, true, 9}},
         1},
        {"put after add replaces",
         {{OP_ADD, "a", 1, 1, true, 0},
          {OP_PUT, "a", 1, 3, false, 0},
          {OP_GET, "a", 1, 0, true, 3}},
         1},
        {"empty key is a key",
         {{OP_PUT, "", 0, 7, true, 0}, {OP_GET, "", 0, 0, true, 7}, {OP_GET, "a", 1, 0, false, 0}},
         1},
        {"prefixes are different keys",
         {{OP_PUT, "abcd", 1, 1, true, 0},
          {OP_PUT, "abcd", 2, 2, true, 0},
          {OP_PUT, "abcd", 3, 3, true, 0},
          {OP_PUT, "abcd", 4, 4, true, 0},
          {OP_GET, "abcd", 2, 0, true, 2},
          {OP_GET, "abcd", 4, 0, true, 4},
          {OP_GET, "abcd", 0, 0, false, 0}},
         4},
        {"embedded NUL bytes are part of the key",
         {{OP_PUT, "a\0b", 3, 1, true, 0},
          {OP_PUT, "a\0c", 3, 2, true, 0},
          {OP_PUT, "a", 1, 3, true, 0},
          {OP_PUT, "a\0", 2, 4, true, 0},
          {OP_GET, "a\0b", 3, 0, true, 1},
          {OP_GET, "a\0c", 3, 0, true, 2},
          {OP_GET, "a", 1, 0, true, 3},
          {OP_GET, "a\0", 2, 0, true, 4}},
         4},
        {"keys of NUL bytes only differ by length",
         {{OP_PUT, "\0\0\0", 1, 1, true, 0},
          {OP_PUT, "\0\0\0", 2, 2, true, 0},
          {OP_PUT, "\0\0\0", 3, 3, true, 0},
          {OP_GET, "\0\0\0", 2, 0, true, 2},
          {OP_GET, "", 0, 0, false, 0}},
         3},
        {"keys are compared byte for byte, case included",
         {{OP_PUT, "SKU-1", 5, 1, true, 0},
          {OP_GET, "sku-1", 5, 0, false, 0},
          {OP_GET, "SKU-1", 5, 0, true, 1}},
         1},
        {"high bytes (UTF-8) in keys",
         {{OP_PUT, "\xe5\x8c\x97\xe4\xba\xac", 6, 10, true, 0},
          {OP_PUT, "\xe5\x8c\x97", 3, 11, true, 0},
          {OP_GET, "\xe5\x8c\x97\xe4\xba\xac", 6, 0, true, 10},
          {OP_GET, "\xe5\x8c\x97", 3, 0, true, 11}},
         2},
        {"extreme values are stored as given",
         {{OP_PUT, "min", 3, INT64_MIN, true, 0},
          {OP_PUT, "max", 3, INT64_MAX, true, 0},
          {OP_PUT, "zero", 4, 0, true, 0},
          {OP_GET, "min", 3, 0, true, INT64_MIN},
          {OP_GET, "max", 3, 0, true, INT64_MAX},
          {OP_GET, "zero", 4, 0, true, 0}},
         3},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_strmap m;

        kam_strmap_init(&m);
        for (size_t j = 0; j < MAX_OPS && c->ops[j].kind != OP_END; j++) {
            const struct str_op *op = &c->ops[j];
            int64_t out = -12345;
            bool ret = false;

            switch (op->kind) {
            case OP_PUT:
                ret = kam_strmap_put(&m, op->key, op->len, op->val);
                break;
            case OP_ADD:
                ret = kam_strmap_add(&m, op->key, op->len, op->val, &out);
                break;
            case OP_ADD_NULL_OLD:
                ret = kam_strmap_add(&m, op->key, op->len, op->val, NULL);
                break;
            case OP_GET:
                ret = kam_strmap_get(&m, op->key, op->len, &out);
                break;
            case OP_END:
                break;
            }
            EXPECT(c, ret == op->ret, "op %zu returns %d", j, ret);
            if ((op->kind == OP_GET && op->ret) || (op->kind == OP_ADD && !op->ret))
                EXPECT(c, out == op->out, "op %zu gives %lld, want %lld", j, (long long)out,
                       (long long)op->out);
            else if (op->kind == OP_GET || op->kind == OP_ADD)
                EXPECT(c, out == -12345, "op %zu wrote its output (%lld)", j, (long long)out);
        }
        EXPECT(c, m.count == c->count, "count %zu, want %zu", m.count, c->count);
        kam_strmap_release(&m);
        EXPECT(c, m.count == 0 && m.cap == 0 && m.slots == NULL, "release leaves state");
    }
    assert_int_equal(failures, 0);
}

/* The map keeps its own copy of each key: the caller's buffer can change afterwards. */
static void test_strmap_copies_keys(void **state)
{
    struct kam_strmap m;
    char buf[16];
    int64_t v = 0;

    (void)state;
    kam_strmap_init(&m);
    memcpy(buf, "ACC-001", 8);
    assert_true(kam_strmap_put(&m, buf, 7, 1));
    memcpy(buf, "ACC-002", 8);
    assert_true(kam_strmap_put(&m, buf, 7, 2));
    memset(buf, 'x', sizeof(buf));
    assert_true(kam_strmap_get(&m, "ACC-001", 7, &v));
    assert_int_equal(v, 1);
    assert_true(kam_strmap_get(&m, "ACC-002", 7, &v));
    assert_int_equal(v, 2);
    assert_false(kam_strmap_get(&m, buf, 7, &v));
    kam_strmap_release(&m);
}

/* Keys of several shapes, many more than the initial capacity: every one stays retrievable. */
static size_t make_key(char *buf, size_t i, int shape)
{
    switch (shape) {
    case 0: /* order numbers as in the UCI file */
        return (size_t)snprintf(buf, 64, "%zu", 536365 + i);
    case 1: /* a common prefix and a NUL byte in the middle */
        memcpy(buf, "CUST\0", 5);
        return 5 + (size_t)snprintf(buf + 5, 59, "%zu", i);
    default: /* raw binary, fixed length, may contain NUL bytes */
        for (size_t b = 0; b < 8; b++)
            buf[b] = (char)((i >> (8 * b)) & 0xff);
        return 8;
    }
}

static void test_strmap_growth(void **state)
{
    static const struct case_ {
        const char *name;
        int shape;
        size_t n;
    } cases[] = {
        {"200,000 decimal order numbers", 0, 200000},
        {"200,000 keys with a NUL after a common prefix", 1, 200000},
        {"200,000 binary keys of equal length", 2, 200000},
        {"exactly the initial capacity's load limit", 0, 512},
        {"one past the initial load limit", 0, 513},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_strmap m;
        char key[64];
        size_t bad = 0;

        kam_strmap_init(&m);
        for (size_t k = 0; k < c->n; k++) {
            size_t len = make_key(key, k, c->shape);
            if (!kam_strmap_put(&m, key, len, (int64_t)k * 3))
                bad++;
        }
        EXPECT(c, bad == 0, "%zu new keys reported as present", bad);
        EXPECT(c, m.count == c->n, "count %zu", m.count);
        EXPECT(c, m.cap >= 2 * m.count && (m.cap & (m.cap - 1)) == 0, "cap %zu", m.cap);
        bad = 0;
        for (size_t k = 0; k < c->n; k++) {
            size_t len = make_key(key, k, c->shape);
            int64_t v = -1;
            if (!kam_strmap_get(&m, key, len, &v) || v != (int64_t)k * 3)
                bad++;
        }
        EXPECT(c, bad == 0, "%zu keys lost after growth", bad);
        bad = 0;
        for (size_t k = c->n; k < c->n + 1000; k++) {
            size_t len = make_key(key, k, c->shape);
            int64_t v;
            if (kam_strmap_get(&m, key, len, &v))
                bad++;
        }
        EXPECT(c, bad == 0, "%zu absent keys found", bad);
        bad = 0;
        for (size_t k = 0; k < c->n; k += 7) {
            size_t len = make_key(key, k, c->shape);
            int64_t old = -1;
            if (kam_strmap_add(&m, key, len, -1, &old) || old != (int64_t)k * 3)
                bad++;
        }
        EXPECT(c, bad == 0, "%zu present keys added again", bad);
        EXPECT(c, m.count == c->n, "count changed to %zu", m.count);
        kam_strmap_release(&m);

        /* A released map is empty and usable again. */
        int64_t v;
        size_t len = make_key(key, 0, c->shape);
        EXPECT(c, !kam_strmap_get(&m, key, len, &v), "key survives release");
        EXPECT(c, kam_strmap_put(&m, key, len, 1), "reuse after release");
        kam_strmap_release(&m);
    }
    assert_int_equal(failures, 0);
}

/* One upsert and what it must do. */
struct u64_op {
    uint64_t key;
    bool inserted;   /* expected *inserted */
    uint32_t before; /* expected value before writing */
    uint32_t write;  /* stored through the pointer afterwards */
};

static void test_u64map_ops(void **state)
{
    static const struct case_ {
        const char *name;
        struct u64_op ops[MAX_OPS];
        size_t nops;
        size_t count;
    } cases[] = {
        {"new key is inserted with value 0", {{42, true, 0, 0}}, 1, 1},
        {"second upsert finds the stored value", {{42, true, 0, 7}, {42, false, 7, 7}}, 2, 1},
        {"writing through the pointer updates the value",
         {{42, true, 0, 7}, {42, false, 7, 8}, {42, false, 8, 8}},
         3,
         1},
        {"key 0 is an ordinary key",
         {{0, true, 0, 5}, {0, false, 5, 5}, {1, true, 0, 6}, {0, false, 5, 5}},
         4,
         2},
        {"largest usable key (UINT64_MAX is the empty marker)",
         {{UINT64_MAX - 1, true, 0, 9}, {UINT64_MAX - 1, false, 9, 9}},
         2,
         1},
        {"keys differing only in the top bit",
         {{1, true, 0, 1}, {1 | (UINT64_C(1) << 63), true, 0, 2}, {1, false, 1, 1}},
         3,
         2},
        {"account and month packed into one key",
         {{(UINT64_C(17) << 32) | 24288, true, 0, 3},
          {(UINT64_C(17) << 32) | 24289, true, 0, 4},
          {(UINT64_C(18) << 32) | 24288, true, 0, 5},
          {(UINT64_C(17) << 32) | 24288, false, 3, 3},
          {(UINT64_C(18) << 32) | 24288, false, 5, 5}},
         5,
         3},
        {"largest value is kept",
         {{5, true, 0, UINT32_MAX}, {5, false, UINT32_MAX, UINT32_MAX}},
         2,
         1},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_u64map m;

        kam_u64map_init(&m);
        for (size_t j = 0; j < c->nops; j++) {
            const struct u64_op *op = &c->ops[j];
            bool inserted = !op->inserted;
            uint32_t *v = kam_u64map_upsert(&m, op->key, &inserted);

            EXPECT(c, inserted == op->inserted, "op %zu: inserted %d", j, inserted);
            EXPECT(c, *v == op->before, "op %zu: value %u, want %u", j, *v, op->before);
            *v = op->write;
        }
        EXPECT(c, m.count == c->count, "count %zu, want %zu", m.count, c->count);
        kam_u64map_release(&m);
        EXPECT(c, m.count == 0 && m.cap == 0 && m.keys == NULL, "release leaves state");
    }
    assert_int_equal(failures, 0);
}

static uint64_t make_u64(size_t i, int shape)
{
    switch (shape) {
    case 0: /* sequential */
        return i;
    case 1: /* (account, month): accounts 0..n/120, 120 months each */
        return ((uint64_t)(i / 120) << 32) | (uint64_t)(24000 + i % 120);
    case 2: /* only the high bits differ */
        return (uint64_t)i << 40;
    default: /* spread over the whole range */
        return (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15) + 1;
    }
}

static void test_u64map_growth(void **state)
{
    static const struct case_ {
        const char *name;
        int shape;
        size_t n;
    } cases[] = {
        {"200,000 sequential keys", 0, 200000},
        {"200,000 account-month keys", 1, 200000},
        {"4,000 keys that differ only above bit 40", 2, 4000},
        {"200,000 keys spread over 64 bits", 3, 200000},
        {"exactly the initial load limit", 0, 512},
        {"one past the initial load limit", 0, 513},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_u64map m;
        size_t bad = 0;

        kam_u64map_init(&m);
        for (size_t k = 0; k < c->n; k++) {
            bool inserted = false;
            uint32_t *v = kam_u64map_upsert(&m, make_u64(k, c->shape), &inserted);
            if (!inserted || *v != 0)
                bad++;
            *v = (uint32_t)k + 1;
        }
        EXPECT(c, bad == 0, "%zu new keys not inserted", bad);
        EXPECT(c, m.count == c->n, "count %zu", m.count);
        bad = 0;
        for (size_t k = 0; k < c->n; k++) {
            bool inserted = true;
            uint32_t *v = kam_u64map_upsert(&m, make_u64(k, c->shape), &inserted);
            if (inserted || *v != (uint32_t)k + 1)
                bad++;
        }
        EXPECT(c, bad == 0, "%zu keys lost after growth", bad);
        EXPECT(c, m.count == c->n, "count changed to %zu", m.count);
        kam_u64map_release(&m);
    }
    assert_int_equal(failures, 0);
}

static void test_hash_bytes(void **state)
{
    static const struct case_ {
        const char *name;
        const char *a;
        size_t alen;
        const char *b;
        size_t blen;
    } cases[] = {
        {"one byte apart", "acme", 4, "acmf", 4},
        {"a NUL byte more", "a", 1, "a\0", 2},
        {"empty and a NUL byte", "", 0, "\0", 1},
        {"swapped bytes", "ab", 2, "ba", 2},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        uint64_t ha = kam_hash_bytes(c->a, c->alen), hb = kam_hash_bytes(c->b, c->blen);
        /* 0 marks an empty slot in the string map, so a hash is never 0. */
        EXPECT(c, ha != 0 && hb != 0, "zero hash");
        EXPECT(c, ha != hb, "same hash");
        EXPECT(c, ha == kam_hash_bytes(c->a, c->alen), "not deterministic");
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strmap_ops),    cmocka_unit_test(test_strmap_copies_keys),
        cmocka_unit_test(test_strmap_growth), cmocka_unit_test(test_u64map_ops),
        cmocka_unit_test(test_u64map_growth), cmocka_unit_test(test_hash_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
