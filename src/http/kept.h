/* Answers kept by a server thread until the database changes.
 *
 * A read (GET) of a route marked KAM_ROUTE_KEPT depends only on what the database holds, on
 * who asks and on the request's path and query: the same request by the same user, with the
 * database unchanged, gets the same bytes. A dashboard or a script asks the same questions
 * over and over, so each server thread keeps the answers it built under the stamp of its store
 * connection (struct kam_stamp: any row written through any connection moves it) and serves them
 * again while the stamp holds. The first lookup under a new stamp drops every kept answer.
 *
 * Bounded: at most KAM_KEPT_ANSWERS answers and KAM_KEPT_BYTES bytes of them per thread (the
 * least recently used goes first); a larger answer is not kept. One thread's, never shared. */
#ifndef KAM_HTTP_KEPT_H
#define KAM_HTTP_KEPT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum {
    KAM_KEPT_ANSWERS = 32,
    KAM_KEPT_BYTES = 8 * 1024 * 1024,
    KAM_KEPT_KEY_MAX = 2048, /* a longer key (a very long query) is not kept */
};

struct kam_kept_answer {
    char *key; /* key_len bytes, not NUL-terminated */
    size_t key_len;
    uint64_t hash;
    char *body; /* len bytes */
    size_t len;
    char etag[32];            /* "" none */
    const char *content_type; /* static text, NULL: application/json */
    uint64_t used;            /* when it was last served, for the eviction */
};

struct kam_kept {
    struct kam_stamp stamp; /* the answers were built under it */
    struct kam_kept_answer answers[KAM_KEPT_ANSWERS];
    size_t n, bytes;
    uint64_t clock;
};

/* An empty set (a zeroed struct kam_kept is one too). */
void kam_kept_init(struct kam_kept *k);
/* Frees every kept answer; the set is empty after. */
void kam_kept_clear(struct kam_kept *k);

/* The answer kept for key when the database is still as it was (now is the kept stamp), or
 * NULL. Under a new stamp the kept answers are dropped first. The answer is k's: valid until the
 * next call on k. */
const struct kam_kept_answer *kam_kept_find(struct kam_kept *k, const struct kam_stamp *now,
                                            const char *key, size_t key_len);

/* Keeps a copy of the answer for key, built under stamp now (nothing kept when now is not
 * known, the key is too long or the answer too large). Replaces an answer kept for the same
 * key. */
void kam_kept_put(struct kam_kept *k, const struct kam_stamp *now, const char *key, size_t key_len,
                  const char *body, size_t len, const char *etag, const char *content_type);

#endif
