/* The HTTP server of `kam serve` on libmicrohttpd: threads, store connections, the request
 * cycle, the checks every route shares, the response headers and the access log.
 *
 * The request cycle: libmicrohttpd calls on_request once when the headers are in (a context is
 * made; a declared body over the route's limit, --max-body or for a CSV file --max-import-body,
 * is refused with 413 at once), then once per piece of body (kept up to the limit), then once
 * more with nothing left, when the request is answered.
 * Answering on that later call, not the first, is what keeps the connection alive for the next
 * request (a response queued on the first call closes it). Then, for every route: match in the
 * route table (404, 405 with Allow), unknown query parameters (400), body type (415), the user
 * (401, 403 for CSRF or role), then the handler writes its JSON with the streaming writer.
 *
 * Threads: a pool of --threads threads, each with its own store connection opened on its first
 * request (SQLite connections are not used by two threads at once) and closed at shutdown.
 * Background jobs (jobs.h) run on one more thread with its own connection, opened at start.
 * Shutdown: SIGINT or SIGTERM stops accepting and refuses new jobs (queued ones fail), lets the
 * requests in flight and the running job finish within one budget of 10 s, then asks a job
 * still running to stop at its next safe point (a scoring run rolls back: it is one
 * transaction, and running it again is cheap beside a server that will not stop), and closes
 * everything.
 *
 * The web UI: with a web root, a GET or HEAD outside /api/ is answered from the files loaded at
 * start (static.h): hashed assets cached for a year, the rest revalidated by ETag, paths of the
 * app answered with index.html. Not here: TLS, HTTP/2, compressing API answers. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http/http.h"
#include "http/jobs.h"
#include "http/kept.h"
#include "http/static.h"

#define MAX_THREADS      64
#define SHUTDOWN_SECONDS 10
#define IDLE_SECONDS     30 /* a keep-alive connection idle this long is closed */
/* Each connection's memory for its request line, headers and reading (libmicrohttpd's pool, 32 KB
 * by default): libmicrohttpd zeroes the pool after every request, which was a quarter of the cost
 * of answering one account. Request headers over HEADERS_MAX in all are refused with a 431 before
 * any handler runs: close to the pool's size libmicrohttpd would read the request but find no
 * room for the answer's headers and close the connection without one (after the handler had
 * run, a sign-in say). Beyond the pool libmicrohttpd answers 431 itself. */
#define CONNECTION_MEMORY (16 * 1024)
#define HEADERS_MAX       (12 * 1024)

struct kam_http_server {
    struct kam_store *main; /* borrowed: the connection the others are opened from */
    const struct kam_http_config *cfg;
    struct kam_ratelimit *rl;
    pthread_mutex_t lock; /* guards stores and nstores */
    struct kam_store *stores[MAX_THREADS + 1];
    struct kam_kept *kept[MAX_THREADS + 1]; /* each store's thread's kept answers */
    size_t nstores;
    atomic_int inflight;
    atomic_uint_fast64_t writes; /* requests other than GET and HEAD answered: cache keys */
    struct kam_static_site site; /* the web UI; no files when there is none */
    struct kam_jobs *jobs;
};

/* This thread's store connection, and which server it belongs to. */
static _Thread_local struct kam_store *tl_store;
static _Thread_local struct kam_kept *tl_kept;
static _Thread_local struct kam_http_server *tl_srv;

/* One request's state, from its headers to its log line. */
struct ctx {
    struct kam_arena arena;
    char *body;
    size_t len, cap;
    bool too_large;
    bool headers_too_large; /* over HEADERS_MAX: 431 */
    size_t limit;           /* the largest body this request's route takes */
    struct timespec start;
    const char *method, *url; /* libmicrohttpd's, valid until the request completes */
    int status;
    size_t bytes;
    char user[KAM_LOGIN_MAX + 1];
    bool tls; /* the server speaks HTTPS */
};

void kam_http_config_default(struct kam_http_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->host, sizeof(cfg->host), "127.0.0.1");
    cfg->port = 8080;
    cfg->threads = 2;
    cfg->max_body = 1024 * 1024;
    cfg->max_import_body = 64 * 1024 * 1024;
}

enum kam_rc kam_http_parse_listen(const char *s, struct kam_http_config *cfg, struct kam_err *err)
{
    const char *colon = strrchr(s, ':');
    struct in_addr a;
    char host[64], *end;
    if (colon == NULL || (size_t)(colon - s) >= sizeof(host) || colon == s)
        return kam_err_set(err, KAM_ERR_USAGE, "--listen '%s' is not ADDRESS:PORT", s);
    snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
    if (inet_pton(AF_INET, host, &a) != 1)
        return kam_err_set(err, KAM_ERR_USAGE,
                           "--listen '%s': '%s' is not an IPv4 address such as 127.0.0.1", s, host);
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535)
        return kam_err_set(err, KAM_ERR_USAGE, "--listen '%s': the port is 0 to 65535", s);
    snprintf(cfg->host, sizeof(cfg->host), "%s", host);
    cfg->port = (unsigned)port;
    return KAM_OK;
}

struct kam_ratelimit *kam_http_server_ratelimit(struct kam_http_server *srv)
{
    return srv->rl;
}

bool kam_http_server_tls(const struct kam_http_server *srv)
{
    return srv->cfg->tls_cert != NULL;
}

uint64_t kam_http_server_writes(struct kam_http_server *srv)
{
    return atomic_load(&srv->writes);
}

struct kam_jobs *kam_http_server_jobs(struct kam_http_server *srv)
{
    return srv->jobs;
}

/* --- what handlers may ask about the request ------------------------------------------------- */

const char *kam_http_query(const struct kam_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *kam_http_header(const struct kam_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *kam_http_cookie(const struct kam_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

/* --- the checks every route shares ----------------------------------------------------------- */

static struct kam_store *thread_store(struct kam_http_server *srv, struct kam_err *err)
{
    struct kam_store *st = NULL;
    struct kam_kept *kept = NULL;
    if (tl_srv == srv && tl_store != NULL)
        return tl_store;
    pthread_mutex_lock(&srv->lock);
    if (srv->nstores >= MAX_THREADS + 1)
        kam_err_set(err, KAM_ERR_STORE, "more server threads than store connections");
    else if (srv->main->ops->reopen(srv->main, &st, err) == KAM_OK) {
        kept = kam_xcalloc(1, sizeof(*kept));
        srv->kept[srv->nstores] = kept;
        srv->stores[srv->nstores++] = st;
    }
    pthread_mutex_unlock(&srv->lock);
    tl_store = st;
    tl_kept = kept;
    tl_srv = st ? srv : NULL;
    return st;
}

struct unknown_arg {
    const struct kam_http_route *route;
    const char *name; /* the first query parameter the route does not take */
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    struct unknown_arg *u = cls;
    (void)kind;
    (void)value;
    for (const struct kam_http_param *p = u->route->query; p && p->name; p++)
        if (strcmp(p->name, key) == 0)
            return MHD_YES;
    u->name = key;
    return MHD_NO;
}

/* --- kept answers (kept.h) ---------------------------------------------------------------------
 */

struct key_text {
    char *p;
    size_t len, cap;
    bool full; /* it did not fit: not kept */
};

static void key_add(struct key_text *k, const char *s, size_t n)
{
    char len[24];
    int m = snprintf(len, sizeof(len), "%zu:", n); /* lengths first: no separator can collide */
    if (k->full || k->len + (size_t)m + n > k->cap) {
        k->full = true;
        return;
    }
    memcpy(k->p + k->len, len, (size_t)m);
    memcpy(k->p + k->len + m, s, n);
    k->len += (size_t)m + n;
}

static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct key_text *k = cls;
    (void)kind;
    key_add(k, key, strlen(key));
    /* "?a" is not "?a=": no value is a '-', which no length starts with */
    if (value == NULL && !k->full && k->len < k->cap)
        k->p[k->len++] = '-';
    else
        key_add(k, value ? value : "", value ? strlen(value) : 0);
    return k->full ? MHD_NO : MHD_YES;
}

/* What a kept answer is kept under: the user, the path and the query as sent. */
static bool kept_key(const struct kam_http_req *req, struct MHD_Connection *conn,
                     struct key_text *k)
{
    char id[24];
    int n = snprintf(id, sizeof(id), "%lld", (long long)req->user.id);
    key_add(k, id, (size_t)n);
    key_add(k, req->path, strlen(req->path));
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, key_arg, k);
    return !k->full;
}

/* Whether the Content-Type type is want, with or without parameters (a charset). */
static bool is_type(const char *type, const char *want)
{
    size_t n = strlen(want);
    if (type == NULL || strncasecmp(type, want, n) != 0)
        return false;
    type += n;
    return *type == '\0' || *type == ';' || *type == ' ';
}

/* false after the 415 when the body is not of the type the route takes: a CSV file for the
 * import routes, else JSON (when there is a body, or the route needs one). */
static bool check_body_type(const struct kam_http_req *req, const struct ctx *c,
                            struct kam_http_resp *resp)
{
    const char *type = kam_http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (req->route->flags & KAM_ROUTE_CSV) {
        if (is_type(type, "text/csv"))
            return true;
        kam_problem(resp, 415, "the body must be a CSV file: send Content-Type: text/csv", NULL, 0);
        return false;
    }
    if ((c->len > 0 || (req->route->flags & KAM_ROUTE_BODY)) &&
        !is_type(type, "application/json")) {
        kam_problem(resp, 415, "the body must be JSON: send Content-Type: application/json", NULL,
                    0);
        return false;
    }
    return true;
}

/* The largest body the route of method and url takes: --max-import-body for a CSV file,
 * --max-body for anything else (unknown paths included). */
static size_t body_limit(const struct kam_http_server *srv, const char *method, const char *url,
                         struct kam_arena *arena)
{
    char allow[64];
    const struct kam_http_route *r =
        kam_http_route_match(method, url, arena, NULL, allow, sizeof(allow));
    return r && (r->flags & KAM_ROUTE_CSV) ? srv->cfg->max_import_body : srv->cfg->max_body;
}

/* Runs the request through the shared checks and its handler into resp. */
static void handle(struct kam_http_server *srv, struct MHD_Connection *conn, struct ctx *c,
                   struct kam_http_resp *resp)
{
    struct kam_http_req req = {
        .method = c->method, .path = c->url, .arena = &c->arena, .srv = srv, .conn = conn};
    struct kam_err err;
    char detail[256];

    kam_err_clear(&err);
    req.body = c->body ? c->body : "";
    req.body_len = c->len;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
                  req.client, sizeof(req.client));
    if (c->headers_too_large) {
        snprintf(detail, sizeof(detail), "the request's headers are larger than %d bytes in all",
                 HEADERS_MAX);
        kam_problem(resp, 431, detail, NULL, 0);
        return;
    }
    if (c->too_large) {
        snprintf(detail, sizeof(detail), "the body is larger than %zu bytes", c->limit);
        kam_problem(resp, 413, detail, NULL, 0);
        return;
    }
    req.route = kam_http_route_match(c->method, c->url, &c->arena, req.params, resp->allow,
                                     sizeof(resp->allow));
    if (req.route == NULL && resp->allow[0]) {
        snprintf(detail, sizeof(detail), "%s is not allowed on %.100s: use %s", c->method, c->url,
                 resp->allow);
        kam_problem(resp, 405, detail, NULL, 0);
        return;
    }
    if (req.route == NULL) {
        snprintf(detail, sizeof(detail), "there is nothing at %.180s", c->url);
        kam_problem(resp, 404, detail, NULL, 0);
        return;
    }
    struct unknown_arg u = {req.route, NULL};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, check_arg, &u);
    if (u.name) {
        snprintf(detail, sizeof(detail), "%s %s takes no query parameter '%.60s'",
                 req.route->method, req.route->pattern, u.name);
        struct kam_problem_field f = {u.name, "unknown query parameter"};
        kam_problem(resp, 400, detail, &f, 1);
        return;
    }
    if (!check_body_type(&req, c, resp))
        return;
    if ((req.st = thread_store(srv, &err)) == NULL) {
        fprintf(stderr, "kam: opening a store connection: %s\n", err.msg);
        kam_problem(resp, 503, "the server cannot reach its database", NULL, 0);
        return;
    }
    if (!(req.route->flags & KAM_ROUTE_PUBLIC)) {
        bool ok = kam_http_authenticate(&req, resp);
        snprintf(c->user, sizeof(c->user), "%s", req.user.username); /* "" when unknown */
        if (!ok)
            return;
        if (((req.route->flags & KAM_ROUTE_ALL_SCOPE) && req.scope.kind != KAM_SCOPE_ALL) ||
            (req.route->actions && !kam_access_may(req.user.role, req.route->actions))) {
            snprintf(detail, sizeof(detail), "the role '%s' may not %s %s",
                     kam_role_name(req.user.role), req.route->method, req.route->pattern);
            kam_problem(resp, 403, detail, NULL, 0);
            return;
        }
    }
    /* A read the thread answered before, with the database as it was then: the same bytes. */
    char key_buf[KAM_KEPT_KEY_MAX];
    struct key_text key = {key_buf, 0, sizeof(key_buf), false};
    struct kam_stamp now = {0};
    bool keep = (req.route->flags & KAM_ROUTE_KEPT) && strcmp(c->method, "GET") == 0 &&
                tl_kept != NULL && !srv->cfg->no_kept_answers && kept_key(&req, conn, &key) &&
                req.st->ops->stamp(req.st, &now, &err) == KAM_OK && now.known;
    if (keep) {
        const struct kam_kept_answer *a = kam_kept_find(tl_kept, &now, key.p, key.len);
        if (a != NULL) {
            resp->status = 200;
            resp->raw = kam_xmalloc(a->len ? a->len : 1);
            memcpy(resp->raw, a->body, a->len);
            resp->raw_len = a->len;
            resp->content_type = a->content_type;
            memcpy(resp->etag, a->etag, sizeof(resp->etag));
            return;
        }
    }
    resp->status = req.route->status;
    req.route->handler(&req, resp);
    if (keep && resp->status == 200 && resp->raw == NULL && !resp->body.overflow &&
        resp->set_cookie[0] == '\0' && resp->location[0] == '\0')
        kam_kept_put(tl_kept, &now, key.p, key.len, resp->body.data ? resp->body.data : "",
                     resp->body.len, resp->etag, resp->content_type);
}

/* --- libmicrohttpd's callbacks ---------------------------------------------------------------- */

/* On every answer. The API serves no pages: nothing of it may be framed, sniffed, cached or
 * loaded from elsewhere. The UI's pages run only their own scripts; Element Plus sets inline
 * styles, hence 'unsafe-inline' for styles alone. */
static void add_security_headers(struct MHD_Response *r, bool page, bool tls)
{
    /* Over HTTPS, browsers are told to come back only that way for a year. */
    if (tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(r, "Content-Security-Policy",
                            page ? "default-src 'self'; script-src 'self'; style-src 'self' "
                                   "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                                   "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                                 : "default-src 'self'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

static void add_headers(struct MHD_Response *r, const struct ctx *c,
                        const struct kam_http_resp *resp)
{
    char num[24];
    if (resp->status != 204)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                resp->content_type ? resp->content_type : "application/json");
    add_security_headers(r, false, c->tls);
    if (strncmp(c->url, "/api/", 5) == 0)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (resp->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie);
    if (resp->allow[0] && resp->status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->retry_after > 0) {
        snprintf(num, sizeof(num), "%d", resp->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num);
    }
    if (resp->www_authenticate)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"kam\"");
    if (resp->etag[0])
        MHD_add_response_header(r, "ETag", resp->etag);
    if (resp->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
    if (resp->disposition[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, resp->disposition);
}

/* Whether the request asks for a file of the web UI (when there is one). */
static bool wants_page(const struct kam_http_server *srv, const struct ctx *c)
{
    return srv->site.n > 0 && (strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0) &&
           strncmp(c->url, "/api/", 5) != 0 && strcmp(c->url, "/api") != 0;
}

static bool accepts_gzip(struct MHD_Connection *conn)
{
    const char *ae =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    return ae != NULL && strstr(ae, "gzip") != NULL;
}

/* A file of the web UI, from memory: 304 when the browser's copy is current. */
static enum MHD_Result answer_file(struct MHD_Connection *conn, struct ctx *c,
                                   const struct kam_static_file *f)
{
    const char *inm =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    bool fresh = inm != NULL && strstr(inm, f->etag) != NULL;
    bool gz = !fresh && f->gz != NULL && accepts_gzip(conn);
    size_t len = fresh ? 0 : gz ? f->gz_len : f->len;
    struct MHD_Response *r = MHD_create_response_from_buffer(len,
                                                             fresh ? (void *)""
                                                             : gz  ? f->gz
                                                                   : f->data,
                                                             MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, f->etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (f->gz != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (gz)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    add_security_headers(r, true, c->tls);
    c->status = fresh ? 304 : 200;
    c->bytes = len;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)c->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer(struct kam_http_server *srv, struct MHD_Connection *conn,
                              struct ctx *c)
{
    struct kam_http_resp resp = {.status = 200};
    size_t len = 0;
    char *text;

    if (wants_page(srv, c) && !c->too_large) {
        const struct kam_static_file *f = kam_static_find(&srv->site, c->url);
        if (f != NULL)
            return answer_file(conn, c, f);
    }
    kam_jw_init(&resp.body, 0);
    handle(srv, conn, c, &resp);
    /* Anything but a read may have written through this thread's connection, which the other
     * connections' data_version shows but this one's does not: kept results key on this. */
    if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0)
        atomic_fetch_add(&srv->writes, 1);
    if (resp.body.overflow) /* the writer has no limit; kept for when one is set */
        kam_problem(&resp, 500, "the answer is too large", NULL, 0);
    text = kam_jw_take(&resp.body, &len);
    if (resp.raw) { /* a file to download: its bytes instead of the (empty) JSON body */
        free(text);
        text = resp.raw;
        len = resp.raw_len;
    }
    if (resp.status == 204)
        len = 0;
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, text, free);
    if (r == NULL) {
        free(text);
        return MHD_NO;
    }
    add_headers(r, c, &resp);
    c->status = resp.status;
    c->bytes = len;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)resp.status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Adds a header's size, as sent ("Name: value\r\n"), to *(size_t *)cls. */
static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct kam_http_server *srv = cls;
    struct ctx *c = *con_cls;
    (void)version;

    if (c == NULL) {
        c = kam_xcalloc(1, sizeof(*c));
        kam_arena_init(&c->arena);
        clock_gettime(CLOCK_MONOTONIC, &c->start);
        c->method = method;
        c->url = url;
        c->tls = srv->cfg->tls_cert != NULL;
        *con_cls = c;
        atomic_fetch_add(&srv->inflight, 1);
        c->limit = body_limit(srv, method, url, &c->arena);
        size_t header_bytes = 0;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_size, &header_bytes);
        if (header_bytes > HEADERS_MAX) {
            c->headers_too_large = true;
            return answer(srv, conn, c);
        }
        /* A declared body over the limit is refused before it is sent (curl and browsers wait
         * for "100 Continue" and get the 413 instead). */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > c->limit) {
            c->too_large = true;
            return answer(srv, conn, c);
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        /* A chunked body has no declared length: it is counted as it comes and dropped once
         * over the limit, and the answer is 413 when it ends. */
        if (!c->too_large && c->len + *upload_size > c->limit) {
            c->too_large = true;
            free(c->body);
            c->body = NULL;
            c->len = c->cap = 0;
        }
        if (!c->too_large) {
            if (c->len + *upload_size + 1 > c->cap) {
                size_t cap = c->cap ? c->cap : 4096;
                while (cap < c->len + *upload_size + 1)
                    cap *= 2;
                /* A 64 MB file would otherwise end in a 128 MB buffer. */
                if (cap > c->limit + 1)
                    cap = c->limit + 1;
                c->body = kam_xrealloc(c->body, cap);
                c->cap = cap;
            }
            memcpy(c->body + c->len, upload, *upload_size);
            c->len += *upload_size;
            c->body[c->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(srv, conn, c);
}

/* One JSON line per request on stderr: method, path, status, bytes, microseconds, user. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct kam_http_server *srv = cls;
    struct ctx *c = *con_cls;
    struct timespec end;
    struct kam_jw w;
    (void)conn;

    if (c == NULL)
        return;
    clock_gettime(CLOCK_MONOTONIC, &end);
    int64_t us =
        (int64_t)(end.tv_sec - c->start.tv_sec) * 1000000 + (end.tv_nsec - c->start.tv_nsec) / 1000;
    kam_jw_init(&w, 4096);
    kam_jw_obj(&w);
    kam_jw_kstr(&w, "method", c->method);
    kam_jw_kstr(&w, "path", c->url);
    kam_jw_kint(&w, "status", c->status);
    kam_jw_kint(&w, "bytes", (int64_t)c->bytes);
    kam_jw_kint(&w, "us", us);
    kam_jw_kstr(&w, "user", c->user[0] ? c->user : NULL);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        kam_jw_kstr(&w, "end",
                    toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout" : "aborted");
    kam_jw_obj_end(&w);
    if (!w.overflow)
        fprintf(stderr, "%s\n", w.data);
    kam_jw_release(&w);
    free(c->body);
    kam_arena_release(&c->arena);
    free(c);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* --- serving ---------------------------------------------------------------------------------- */

/* The job registry with its own connection, opened here, before any request thread uses the
 * main connection to open theirs. */
static enum kam_rc start_jobs(struct kam_http_server *srv, struct kam_err *err)
{
    struct kam_store *jst = NULL;
    enum kam_rc rc = srv->main->ops->reopen(srv->main, &jst, err);
    if (rc != KAM_OK)
        return rc;
    srv->jobs = kam_jobs_new(jst);
    if (srv->jobs == NULL)
        return kam_err_set(err, KAM_ERR_IO, "cannot start the background job thread");
    return KAM_OK;
}

/* Waits, within one budget, for the requests in flight and the running job; then asks a job
 * still running to stop at its next safe point (kam_jobs_free waits for that). */
static void drain(struct kam_http_server *srv)
{
    kam_jobs_quiesce(srv->jobs);
    for (int i = 0; i < SHUTDOWN_SECONDS * 100 &&
                    (atomic_load(&srv->inflight) > 0 || kam_jobs_busy(srv->jobs));
         i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    if (kam_jobs_busy(srv->jobs)) {
        fprintf(stderr,
                "kam: the running job did not finish within %d s: stopping it at its next "
                "safe point (a scoring run is then rolled back)\n",
                SHUTDOWN_SECONDS);
        kam_jobs_cancel(srv->jobs);
    }
}

/* The PEM file at path into *out (malloc'd, NUL-terminated, at most 1 MB). */
static enum kam_rc read_pem(const char *path, char **out, struct kam_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kam_err_set(err, KAM_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    char *buf = kam_xmalloc(1024 * 1024 + 1);
    size_t n = fread(buf, 1, 1024 * 1024 + 1, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || n == 0 || n > 1024 * 1024 || memchr(buf, '\0', n) != NULL) {
        free(buf);
        return kam_err_set(err, KAM_ERR_IO, "%s is not a PEM file (empty, over 1 MB or binary)",
                           path);
    }
    buf[n] = '\0';
    *out = buf;
    return KAM_OK;
}

enum kam_rc kam_http_serve(struct kam_store *st, const struct kam_http_config *cfg,
                           void (*ready)(void *ctx, unsigned port), void *ctx, struct kam_err *err)
{
    struct kam_http_server srv = {.main = st, .cfg = cfg};
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    sigset_t sigs, old;
    enum kam_rc rc = KAM_OK;
    int sig = 0;
    char *cert = NULL, *key = NULL;

    if (cfg->threads < 1 || cfg->threads > MAX_THREADS)
        return kam_err_set(err, KAM_ERR_USAGE, "--threads is 1 to %d", MAX_THREADS);
    if (inet_pton(AF_INET, cfg->host, &sa.sin_addr) != 1)
        return kam_err_set(err, KAM_ERR_USAGE, "'%s' is not an IPv4 address", cfg->host);
    if (cfg->web_root != NULL && (rc = kam_static_load(cfg->web_root, &srv.site, err)) != KAM_OK)
        return rc;
    /* The signals are taken by sigwait below, never by a handler: the server's threads start
     * with them blocked, and this thread waits for them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    pthread_mutex_init(&srv.lock, NULL);
    atomic_init(&srv.inflight, 0);
    atomic_init(&srv.writes, 0);
    srv.rl = kam_ratelimit_new();
    /* After the signals are blocked: the worker thread inherits the mask. */
    if ((rc = start_jobs(&srv, err)) != KAM_OK)
        goto out;

    /* poll, not epoll (MHD_USE_AUTO's choice on Linux): with epoll and a thread pool,
     * libmicrohttpd 0.9.75's MHD_quiesce_daemon and a worker thread may both remove the listen
     * socket from the worker's epoll set, and the loser aborts the process ("Failed to remove
     * listen FD from epoll set"), now and then at SIGTERM under load. With poll, quiesce only
     * signals the workers. A few dozen connections per thread cost poll nothing that shows. */
    bool tls = cfg->tls_cert != NULL;
    if (tls && ((rc = read_pem(cfg->tls_cert, &cert, err)) != KAM_OK ||
                (rc = read_pem(cfg->tls_key, &key, err)) != KAM_OK))
        goto out;
    struct MHD_OptionItem tls_opts[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, cert},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0),
        (uint16_t)cfg->port, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 1 ? cfg->threads : 0),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)IDLE_SECONDS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (d == NULL) {
        rc = tls ? kam_err_set(err, KAM_ERR_IO,
                               "cannot serve HTTPS on %s:%u with %s and %s: the port is in use, "
                               "or they are not a PEM certificate and its private key",
                               cfg->host, cfg->port, cfg->tls_cert, cfg->tls_key)
                 : kam_err_set(err, KAM_ERR_IO, "cannot listen on %s:%u (in use, or not allowed)",
                               cfg->host, cfg->port);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (ready)
        ready(ctx, di ? di->port : cfg->port);
    while (sigwait(&sigs, &sig) != 0 || (sig != SIGINT && sig != SIGTERM))
        ;
    fprintf(stderr, "kam: %s: stopping (requests in flight finish first)\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    /* The listen socket becomes ours, but the server's threads may still use it until the
     * daemon stops: closing it earlier makes libmicrohttpd abort when it removes it from its
     * epoll set (its documentation says so). */
    MHD_socket ls = MHD_quiesce_daemon(d);
    drain(&srv);
    MHD_stop_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
out:
    kam_jobs_free(srv.jobs); /* after the daemon: no handler reads the jobs any more */
    for (size_t i = 0; i < srv.nstores; i++) {
        kam_store_close(srv.stores[i]);
        kam_kept_clear(srv.kept[i]);
        free(srv.kept[i]);
    }
    kam_ratelimit_free(srv.rl);
    kam_static_release(&srv.site);
    pthread_mutex_destroy(&srv.lock);
    free(cert);
    free(key);
    /* A second SIGINT or SIGTERM sent while stopping is pending: taken here, it does not kill
     * the process once the mask is restored (the stop is bounded anyway). */
    while (sigtimedwait(&sigs, NULL, &(struct timespec){0, 0}) > 0)
        ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
