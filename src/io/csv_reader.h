/* Streaming CSV reader: RFC 4180 parsing by libcsv, transparent gzip by zlib, GB18030/GBK to
 * UTF-8 by iconv, and the line number where each row starts.
 *
 * Rows are handed to a callback one at a time; the field buffers are reused, so nothing is
 * allocated per row. It does not interpret fields: that is the import's job. */
#ifndef KAM_IO_CSV_READER_H
#define KAM_IO_CSV_READER_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct kam_csv_row {
    const char *const *fields; /* NUL-terminated UTF-8, borrowed for the callback */
    const size_t *lens;
    size_t n;
    int64_t line; /* physical line where the row starts, 1-based */
};

/* Return non-zero to stop reading (the reader then returns KAM_OK). */
typedef int (*kam_csv_row_fn)(void *ctx, const struct kam_csv_row *row);

#define KAM_CSV_MAX_FIELD (1024 * 1024)

/* Reads path (plain or gzip) in the given encoding (NULL, "utf-8", "gb18030", "gbk"; a UTF-8
 * BOM is skipped). Errors name the line: KAM_ERR_IO (cannot read), KAM_ERR_ENCODING (invalid
 * bytes for the encoding), KAM_ERR_INVALID (malformed CSV, file ends inside a quoted field),
 * KAM_ERR_TOO_LARGE (a field over KAM_CSV_MAX_FIELD bytes), KAM_ERR_USAGE (unknown encoding). */
KAM_MUST_CHECK enum kam_rc kam_csv_read(const char *path, const char *encoding, kam_csv_row_fn fn,
                                        void *ctx, struct kam_err *err);
/* The same for the len bytes at data (borrowed; plain text, never gzip), such as an HTTP
 * request body. */
KAM_MUST_CHECK enum kam_rc kam_csv_read_mem(const char *data, size_t len, const char *encoding,
                                            kam_csv_row_fn fn, void *ctx, struct kam_err *err);

#endif
