/* Terminal text helpers for UTF-8: display width (CJK characters take two columns) and padding,
 * so that tables with Chinese names line up. */
#ifndef KAM_UTIL_TEXT_H
#define KAM_UTIL_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Columns that s takes on a terminal. */
size_t kam_text_width(const char *s);
/* Writes s to f cut to at most width columns (ending with "…" when cut) and padded with spaces
 * to exactly width columns; right-aligned when right is non-zero. */
void kam_text_pad(FILE *f, const char *s, size_t width, int right);

#endif
