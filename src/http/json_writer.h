/* A small streaming JSON writer: responses are written into one growing buffer, value by value,
 * with commas and escaping handled here, never built as a tree first (issue 4: a jansson tree per
 * response is about ten times slower than writing it). jansson still parses request bodies.
 *
 * Strings are escaped per RFC 8259 (quote, backslash and every control character); bytes that
 * are not valid UTF-8 (stray continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF, cut sequences) are replaced by U+FFFD, so the output is always valid UTF-8 JSON.
 * Money is an exact decimal string ("12.5"), never a float. Nesting is at most 64 deep. */
#ifndef KAM_HTTP_JSON_WRITER_H
#define KAM_HTTP_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/money.h"

struct kam_jw {
    char *data; /* the text so far, NUL-terminated; malloc'd, owned by the writer */
    size_t len, cap;
    size_t lim;        /* put's bound: min(cap, max + 1), or len once overflowed */
    size_t max;        /* the largest text the writer accepts; beyond it, overflow is set */
    bool overflow;     /* a write was refused: the text is incomplete */
    uint64_t has_item; /* bit d: the container at depth d already holds an item */
    int depth;
    bool after_key; /* the next value completes a key: no comma before it */
};

/* An empty writer that holds at most max bytes (0 = no limit). Allocates on first write. */
void kam_jw_init(struct kam_jw *w, size_t max);
/* Frees the text. */
void kam_jw_release(struct kam_jw *w);
/* Empties the writer for another document, keeping its buffer. */
void kam_jw_reset(struct kam_jw *w);
/* The text (malloc'd, the caller's, free() it), its length in *len; the writer is empty after. */
char *kam_jw_take(struct kam_jw *w, size_t *len);

void kam_jw_obj(struct kam_jw *w);
void kam_jw_obj_end(struct kam_jw *w);
void kam_jw_arr(struct kam_jw *w);
void kam_jw_arr_end(struct kam_jw *w);
/* An object member's name; the next call writes its value. */
void kam_jw_key(struct kam_jw *w, const char *key);
/* A member's name already written as JSON, its quotes and colon included ("code":), as
 * kam_jw_key wrote it: for names written over and over. text[0..len) is the name; it is read
 * in one fixed copy of KAM_JW_KEY_SLOT bytes, so text must have that many (len < the slot). */
#define KAM_JW_KEY_SLOT 40
void kam_jw_key_text(struct kam_jw *w, const char text[KAM_JW_KEY_SLOT], size_t len);

void kam_jw_str(struct kam_jw *w, const char *s); /* NULL writes null */
void kam_jw_strn(struct kam_jw *w, const char *s, size_t len);
void kam_jw_int(struct kam_jw *w, int64_t v);
void kam_jw_double(struct kam_jw *w, double v); /* NaN and infinities write null */
void kam_jw_bool(struct kam_jw *w, bool v);
void kam_jw_null(struct kam_jw *w);
void kam_jw_money(struct kam_jw *w, kam_money v); /* "-12.5": kam_money_str */
/* Text that is already JSON (a value), copied as it is. */
void kam_jw_raw(struct kam_jw *w, const char *json, size_t len);

/* Shorthands for a member: key then value. */
void kam_jw_kstr(struct kam_jw *w, const char *key, const char *s);
void kam_jw_kint(struct kam_jw *w, const char *key, int64_t v);

#endif
