/* Aborting allocators and the bump arena. Out of memory is not an input error: kam stops with a
 * message instead of trying to carry on half-done. */
#include "util/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void oom(size_t n)
{
    fprintf(stderr, "kam: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *kam_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *kam_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        oom(count * size);
    return p;
}

void *kam_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

char *kam_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(kam_xmalloc(n), s, n);
}

struct kam_arena_block {
    struct kam_arena_block *next;
    max_align_t data[];
};

enum { ARENA_BLOCK = 64 * 1024 };

void kam_arena_init(struct kam_arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->cap = 0;
}

void kam_arena_release(struct kam_arena *a)
{
    struct kam_arena_block *b = a->head;
    while (b != NULL) {
        struct kam_arena_block *next = b->next;
        free(b);
        b = next;
    }
    kam_arena_init(a);
}

void *kam_arena_alloc(struct kam_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    size_t need = (n + align - 1) & ~(align - 1);
    struct kam_arena_block *b;

    if (need == 0)
        need = align;
    if (a->head == NULL || a->used + need > a->cap) {
        /* Large requests get a block of their own, so a 1 MB field does not waste a chunk. */
        size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        b = kam_xmalloc(sizeof(*b) + cap);
        b->next = a->head;
        a->head = b;
        a->used = 0;
        a->cap = cap;
    }
    b = a->head;
    void *p = (char *)b->data + a->used;
    a->used += need;
    return p;
}

char *kam_arena_strndup(struct kam_arena *a, const char *s, size_t len)
{
    char *p = kam_arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *kam_arena_strdup(struct kam_arena *a, const char *s)
{
    return kam_arena_strndup(a, s, strlen(s));
}
