/* Open-addressing hash maps for the import's hot path: text key -> int64 (account codes, SKUs,
 * order keys seen in a file) and uint64 key -> uint32 slot (rollup cells).
 *
 * Keys are copied into the map's own arena; values are plain integers, so a lookup allocates
 * nothing. Not thread-safe. */
#ifndef KAM_UTIL_MAP_H
#define KAM_UTIL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/mem.h"

struct kam_strmap_slot;
struct kam_strmap {
    struct kam_strmap_slot *slots;
    size_t cap; /* power of two */
    size_t count;
    struct kam_arena keys;
};

void kam_strmap_init(struct kam_strmap *m);
void kam_strmap_release(struct kam_strmap *m);
/* The value stored for key[0..len) into *val; false when absent. */
bool kam_strmap_get(const struct kam_strmap *m, const char *key, size_t len, int64_t *val);
/* Stores val for key; returns true when the key was new, false when it replaced a value. */
bool kam_strmap_put(struct kam_strmap *m, const char *key, size_t len, int64_t val);
/* Stores val only when key is absent. Returns true when it inserted; *old gets the present value
 * otherwise (old may be NULL). */
bool kam_strmap_add(struct kam_strmap *m, const char *key, size_t len, int64_t val, int64_t *old);

struct kam_u64map {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap;
    size_t count;
};

void kam_u64map_init(struct kam_u64map *m);
void kam_u64map_release(struct kam_u64map *m);
/* A pointer to the value of key, inserting it with *inserted = true and value 0 when absent.
 * The pointer is valid until the next insertion. */
uint32_t *kam_u64map_upsert(struct kam_u64map *m, uint64_t key, bool *inserted);

/* The value of key into *val; false when absent. */
bool kam_u64map_get(const struct kam_u64map *m, uint64_t key, uint32_t *val);

uint64_t kam_hash_bytes(const void *p, size_t len);

#endif
