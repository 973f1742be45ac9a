/* The web UI's files, served by `kam serve` at / (docs/web.md).
 *
 * The built UI (web/dist, a few files of a few hundred KB) is read into memory once, when the
 * server starts: every answer is then a lookup in a sorted table, and no request path ever
 * reaches the file system, so "..", symbolic links and files added later cannot be served.
 * Text files are also kept gzip-compressed, for browsers that accept it. */
#ifndef KAM_HTTP_STATIC_H
#define KAM_HTTP_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct kam_static_file {
    char *path;       /* "/index.html", "/assets/index-3f2a1b.js" */
    const char *type; /* Content-Type */
    char *data;
    size_t len;
    char *gz; /* gzip-compressed data, NULL when not smaller or not text */
    size_t gz_len;
    char etag[24];  /* "\"<16 hex digits>\"": a hash of the content */
    bool immutable; /* under /assets/: the name carries a content hash, cached for a year */
};

struct kam_static_site {
    struct kam_static_file *files; /* sorted by path */
    size_t n;
    size_t bytes;
};

/* Reads every regular file under root (not following symbolic links) into *site. At most
 * KAM_STATIC_MAX_FILES files and KAM_STATIC_MAX_BYTES bytes in all. KAM_ERR_NOT_FOUND when root
 * has no index.html; KAM_ERR_IO with the path otherwise. */
#define KAM_STATIC_MAX_FILES 4096
#define KAM_STATIC_MAX_BYTES (256u * 1024 * 1024)
KAM_MUST_CHECK enum kam_rc kam_static_load(const char *root, struct kam_static_site *site,
                                           struct kam_err *err);
void kam_static_release(struct kam_static_site *site);

/* The file that answers a GET of url (the path, without its query): the file itself, or, for
 * a path of the single-page app (its last segment has no '.'), index.html so that the app's
 * router shows the page. NULL: nothing (404). */
const struct kam_static_file *kam_static_find(const struct kam_static_site *site, const char *url);

/* The Content-Type for a file name, by its extension; application/octet-stream when unknown. */
const char *kam_static_type(const char *name);

#endif
