/* `kam serve`: the HTTP JSON API on libmicrohttpd (docs/api.md).
 *
 * One process serves one database: a pool of threads, each with its own store connection
 * (SQLite connections are not shared between threads), answering the routes of routes.c. */
#ifndef KAM_HTTP_SERVER_H
#define KAM_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

struct kam_http_config {
    char host[64];          /* IPv4 address to listen on, "127.0.0.1" */
    unsigned port;          /* 0: any free port (the ready callback tells which) */
    unsigned threads;       /* 1..64 */
    size_t max_body;        /* request bodies above this many bytes get 413 */
    size_t max_import_body; /* the same for the routes that take a CSV file (KAM_ROUTE_CSV) */
    const char *db_path;    /* for the log and the ready line */
    const char *web_root;   /* the built web UI served at / (static.h); NULL: the API only */
    /* PEM files of the certificate (chain) and its private key: both given, the server speaks
     * HTTPS only (GnuTLS through libmicrohttpd), its session cookie is Secure and its answers
     * carry Strict-Transport-Security. */
    const char *tls_cert, *tls_key;
    /* Build every answer afresh: no answers kept until the database changes (kept.h), for
     * measuring the cost of building them. */
    bool no_kept_answers;
};

/* Defaults: 127.0.0.1:8080, 2 threads, 1 MB bodies, 64 MB CSV files. */
void kam_http_config_default(struct kam_http_config *cfg);
/* "ADDR:PORT" into cfg. KAM_ERR_USAGE with the reason otherwise. */
KAM_MUST_CHECK enum kam_rc kam_http_parse_listen(const char *s, struct kam_http_config *cfg,
                                                 struct kam_err *err);

/* Serves st (borrowed; each thread opens its own connection from it with reopen) until SIGINT
 * or SIGTERM: then it stops accepting, lets the requests in flight finish (at most 10 s), closes
 * its connections and returns KAM_OK. ready (may be NULL) is called once the socket listens,
 * with the port. KAM_ERR_IO when it cannot listen. */
KAM_MUST_CHECK enum kam_rc kam_http_serve(struct kam_store *st, const struct kam_http_config *cfg,
                                          void (*ready)(void *ctx, unsigned port), void *ctx,
                                          struct kam_err *err);

#endif
