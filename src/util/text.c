/* Display width of UTF-8 text. East Asian wide ranges are hard-coded (the common CJK blocks and
 * full-width forms) instead of relying on wcwidth(), which depends on the process locale. */
#include "util/text.h"

#include <stdint.h>
#include <string.h>

static unsigned decode(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    int n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
    unsigned cp = s[0] & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *len = (size_t)i;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *len = (size_t)n;
    return cp;
}

static int cp_width(unsigned cp)
{
    if (cp == 0 || (cp >= 0x300 && cp <= 0x36f) || cp == 0x200b)
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
        (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
        (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
        (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
        (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
        (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
        return 2;
    return 1;
}

size_t kam_text_width(const char *s)
{
    size_t w = 0, len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
        w += (size_t)cp_width(decode(p, &len));
    return w;
}

void kam_text_pad(FILE *f, const char *s, size_t width, int right)
{
    size_t w = kam_text_width(s), len, used = 0;
    const unsigned char *p = (const unsigned char *)s;

    if (w <= width) {
        if (right)
            fprintf(f, "%*s", (int)(width - w), "");
        fputs(s, f);
        if (!right)
            fprintf(f, "%*s", (int)(width - w), "");
        return;
    }
    /* Cut: keep characters while they and the ellipsis fit. */
    while (*p) {
        int cw = cp_width(decode(p, &len));
        if (used + (size_t)cw + 1 > width)
            break;
        fwrite(p, 1, len, f);
        used += (size_t)cw;
        p += len;
    }
    fputs("\xe2\x80\xa6", f);
    used++;
    fprintf(f, "%*s", (int)(width - used), "");
}
