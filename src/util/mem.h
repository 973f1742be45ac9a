/* Allocation helpers that abort on out-of-memory, and a bump arena for short-lived data.
 *
 * An arena belongs to one command, request or import; everything allocated from it is freed at
 * once by kam_arena_release(). */
#ifndef KAM_UTIL_MEM_H
#define KAM_UTIL_MEM_H

#include <stddef.h>

void *kam_xmalloc(size_t n);
void *kam_xcalloc(size_t count, size_t size);
void *kam_xrealloc(void *p, size_t n);
char *kam_xstrdup(const char *s);

struct kam_arena_block;
struct kam_arena {
    struct kam_arena_block *head;
    size_t used;
    size_t cap;
};

void kam_arena_init(struct kam_arena *a);
/* Frees every block; the arena can be used again afterwards. */
void kam_arena_release(struct kam_arena *a);
/* n bytes aligned for any type, owned by the arena. */
void *kam_arena_alloc(struct kam_arena *a, size_t n);
/* A NUL-terminated copy of s[0..len), owned by the arena. */
char *kam_arena_strndup(struct kam_arena *a, const char *s, size_t len);
char *kam_arena_strdup(struct kam_arena *a, const char *s);

#endif
