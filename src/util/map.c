/* Linear-probing hash maps. The string map keeps a 64-bit hash per slot so that most probes
 * compare one integer, and grows at 1/2 load. UINT64_MAX is the u64 map's empty key (rollup keys
 * never reach it). */
#include "util/map.h"

#include <stdlib.h>
#include <string.h>

struct kam_strmap_slot {
    uint64_t hash; /* 0 = empty */
    const char *key;
    uint32_t len;
    int64_t val;
};

uint64_t kam_hash_bytes(const void *p, size_t len)
{
    /* FNV-1a with a final avalanche (from splitmix64) so low bits are well mixed. */
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;
}

void kam_strmap_init(struct kam_strmap *m)
{
    m->cap = 0;
    m->count = 0;
    m->slots = NULL;
    kam_arena_init(&m->keys);
}

void kam_strmap_release(struct kam_strmap *m)
{
    free(m->slots);
    kam_arena_release(&m->keys);
    kam_strmap_init(m);
}

static struct kam_strmap_slot *find(const struct kam_strmap *m, uint64_t h, const char *key,
                                    size_t len)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct kam_strmap_slot *s = &m->slots[i];
        if (s->hash == 0 || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

static void grow(struct kam_strmap *m)
{
    size_t old_cap = m->cap;
    struct kam_strmap_slot *old = m->slots;

    m->cap = old_cap ? old_cap * 2 : 1024;
    m->slots = kam_xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].hash != 0)
            *find(m, old[i].hash, old[i].key, old[i].len) = old[i];
    free(old);
}

bool kam_strmap_get(const struct kam_strmap *m, const char *key, size_t len, int64_t *val)
{
    if (m->cap == 0)
        return false;
    const struct kam_strmap_slot *s = find(m, kam_hash_bytes(key, len), key, len);
    if (s->hash == 0)
        return false;
    *val = s->val;
    return true;
}

static struct kam_strmap_slot *slot_for(struct kam_strmap *m, const char *key, size_t len,
                                        bool *inserted)
{
    uint64_t h = kam_hash_bytes(key, len);
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    struct kam_strmap_slot *s = find(m, h, key, len);
    *inserted = s->hash == 0;
    if (*inserted) {
        s->hash = h;
        s->key = kam_arena_strndup(&m->keys, key, len);
        s->len = (uint32_t)len;
        m->count++;
    }
    return s;
}

bool kam_strmap_put(struct kam_strmap *m, const char *key, size_t len, int64_t val)
{
    bool inserted;
    slot_for(m, key, len, &inserted)->val = val;
    return inserted;
}

bool kam_strmap_add(struct kam_strmap *m, const char *key, size_t len, int64_t val, int64_t *old)
{
    bool inserted;
    struct kam_strmap_slot *s = slot_for(m, key, len, &inserted);
    if (inserted)
        s->val = val;
    else if (old != NULL)
        *old = s->val;
    return inserted;
}

void kam_u64map_init(struct kam_u64map *m)
{
    memset(m, 0, sizeof(*m));
}

void kam_u64map_release(struct kam_u64map *m)
{
    free(m->keys);
    free(m->vals);
    kam_u64map_init(m);
}

static size_t u64_find(const struct kam_u64map *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    /* splitmix64's finaliser: every key bit reaches the low bits, so keys that differ only in
     * their high half (account << 32 | product) still spread over the table. */
    uint64_t h = key;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    for (size_t i = h & mask;; i = (i + 1) & mask)
        if (m->keys[i] == key || m->keys[i] == UINT64_MAX)
            return i;
}

uint32_t *kam_u64map_upsert(struct kam_u64map *m, uint64_t key, bool *inserted)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t old_cap = m->cap;
        uint64_t *ok = m->keys;
        uint32_t *ov = m->vals;
        m->cap = old_cap ? old_cap * 2 : 1024;
        m->keys = kam_xmalloc(m->cap * sizeof(*m->keys));
        m->vals = kam_xcalloc(m->cap, sizeof(*m->vals));
        memset(m->keys, 0xff, m->cap * sizeof(*m->keys));
        for (size_t i = 0; i < old_cap; i++) {
            if (ok[i] == UINT64_MAX)
                continue;
            size_t j = u64_find(m, ok[i]);
            m->keys[j] = ok[i];
            m->vals[j] = ov[i];
        }
        free(ok);
        free(ov);
    }
    size_t i = u64_find(m, key);
    *inserted = m->keys[i] == UINT64_MAX;
    if (*inserted) {
        m->keys[i] = key;
        m->vals[i] = 0;
        m->count++;
    }
    return &m->vals[i];
}

bool kam_u64map_get(const struct kam_u64map *m, uint64_t key, uint32_t *val)
{
    if (m->cap == 0)
        return false;
    size_t i = u64_find(m, key);
    if (m->keys[i] == UINT64_MAX)
        return false;
    *val = m->vals[i];
    return true;
}
