/* Answers kept by a server thread until the database changes (kept.h). */
#include "http/kept.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void kam_kept_init(struct kam_kept *k)
{
    memset(k, 0, sizeof(*k));
}

static void drop(struct kam_kept *k, size_t i)
{
    struct kam_kept_answer *a = &k->answers[i];
    k->bytes -= a->len + a->key_len;
    free(a->key);
    free(a->body);
    k->answers[i] = k->answers[--k->n];
}

void kam_kept_clear(struct kam_kept *k)
{
    while (k->n > 0)
        drop(k, k->n - 1);
    k->stamp.known = false;
}

/* FNV-1a: keys are a few dozen bytes, compared in full after the hash matches. */
static uint64_t hash(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3u;
    return h;
}

static struct kam_kept_answer *lookup(struct kam_kept *k, const char *key, size_t key_len,
                                      uint64_t h)
{
    for (size_t i = 0; i < k->n; i++) {
        struct kam_kept_answer *a = &k->answers[i];
        if (a->hash == h && a->key_len == key_len && memcmp(a->key, key, key_len) == 0)
            return a;
    }
    return NULL;
}

const struct kam_kept_answer *kam_kept_find(struct kam_kept *k, const struct kam_stamp *now,
                                            const char *key, size_t key_len)
{
    if (!kam_stamp_same(&k->stamp, now)) {
        kam_kept_clear(k);
        return NULL;
    }
    struct kam_kept_answer *a = lookup(k, key, key_len, hash(key, key_len));
    if (a != NULL)
        a->used = ++k->clock;
    return a;
}

void kam_kept_put(struct kam_kept *k, const struct kam_stamp *now, const char *key, size_t key_len,
                  const char *body, size_t len, const char *etag, const char *content_type)
{
    if (!now->known || key_len > KAM_KEPT_KEY_MAX || len + key_len > KAM_KEPT_BYTES)
        return;
    if (!kam_stamp_same(&k->stamp, now)) {
        kam_kept_clear(k);
        k->stamp = *now;
    }
    uint64_t h = hash(key, key_len);
    struct kam_kept_answer *old = lookup(k, key, key_len, h);
    if (old != NULL)
        drop(k, (size_t)(old - k->answers));
    while (k->n > 0 && (k->n == KAM_KEPT_ANSWERS || k->bytes + len + key_len > KAM_KEPT_BYTES)) {
        size_t lru = 0;
        for (size_t i = 1; i < k->n; i++)
            if (k->answers[i].used < k->answers[lru].used)
                lru = i;
        drop(k, lru);
    }
    struct kam_kept_answer *a = &k->answers[k->n++];
    a->key = kam_xmalloc(key_len ? key_len : 1);
    memcpy(a->key, key, key_len);
    a->key_len = key_len;
    a->hash = h;
    a->body = kam_xmalloc(len ? len : 1);
    memcpy(a->body, body, len);
    a->len = len;
    snprintf(a->etag, sizeof(a->etag), "%s", etag ? etag : "");
    a->content_type = content_type;
    a->used = ++k->clock;
    k->bytes += len + key_len;
}
