/* Top-share computation on the net basis. Integer sums throughout: with binary floating point,
 * accounts whose returns cancel their purchases exactly come out as tiny positive numbers and
 * enter the population by mistake (see ../shared/data/README.md). */
#include "core/pareto.h"

#include <math.h>
#include <stdlib.h>

static int by_value_desc(const void *a, const void *b)
{
    kam_money x = *(const kam_money *)a, y = *(const kam_money *)b;
    return (x < y) - (x > y);
}

void kam_pareto_top_share(kam_money *values, size_t n, double fraction, struct kam_top_share *out)
{
    size_t pop = 0;

    if (n > 1)
        qsort(values, n, sizeof(*values), by_value_desc);
    while (pop < n && values[pop] > 0)
        pop++;
    out->population = (int64_t)pop;
    out->total = 0;
    for (size_t i = 0; i < pop; i++)
        out->total += values[i];
    /* ceil on an exact product: 0.2 * 4317 must give 864, not 863.4 rounded the wrong way. */
    out->k = (int64_t)ceil(fraction * (double)pop - 1e-9);
    if (out->k > (int64_t)pop)
        out->k = (int64_t)pop;
    out->top = 0;
    for (int64_t i = 0; i < out->k; i++)
        out->top += values[i];
    out->share = out->total > 0 ? (double)out->top / (double)out->total : 0.0;
    out->k80 = 0;
    if (out->total > 0) {
        __int128 run = 0, target = (__int128)out->total * 8; /* run*10 >= total*8 */
        for (size_t i = 0; i < pop; i++) {
            run += values[i];
            if (run * 10 >= target) {
                out->k80 = (int64_t)i + 1;
                break;
            }
        }
    }
}
