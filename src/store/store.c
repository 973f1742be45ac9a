/* Backend-independent entry points of the store. Only SQLite exists today; a "postgres://"
 * path will select the PostgreSQL backend when it is added. */
#include "store/store.h"

enum kam_rc kam_store_open(const char *path, unsigned flags, struct kam_store **out,
                           struct kam_err *err)
{
    return kam_store_open_sqlite(path, flags, out, err);
}

void kam_store_close(struct kam_store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

int kam_month_add(int yyyymm, int n)
{
    int idx = (yyyymm / 100) * 12 + (yyyymm % 100 - 1) + n;
    return (idx / 12) * 100 + idx % 12 + 1;
}
