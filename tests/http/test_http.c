/* The HTTP API against a real server: each test starts `kam serve` (the built binary, argv[1])
 * on a free loopback port over a demo database, talks to it with libcurl, and stops it with
 * SIGTERM, checking that it shuts down cleanly (exit 0; under ASan that also means no leak).
 *
 * Every wait is bounded: the server's first line within 20 s, /health within 50 tries, each
 * curl call within 20 s, the shutdown within 15 s. Expected counts per role come from
 * `kam accounts --json` (the CLI sees everything), not from the server under test. */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>

#include "http/http.h"
#include "store/store.h"

static const char *KAM; /* the kam binary */
static char dir[PATH_MAX], db[PATH_MAX + 16];
static char token[128];                 /* an API token of rep-east-1 */
static int n_all, n_east, n_rep_east_1; /* accounts: all, owned in team east, rep-east-1's */
static char west_code[32];              /* an account of rep-west-1 */
static char own_code[32];               /* an account of rep-east-1 */
static char edit_code[32];              /* another of rep-east-1's, for the PATCH tests */
static char cli_net[64];                /* net_revenue of `kam summary --json` */
static json_int_t cli_accounts;         /* counts.accounts of `kam summary --json` */
#define UNSCORED "Z000001"              /* rep-east-1's account added after the scoring run */

/* --- running things ------------------------------------------------------------------------- */

/* Runs a shell command line; its stdout into out (may be NULL). The exit status. */
static int run(const char *input, char *out, size_t n, const char *fmt, ...)
{
    char cmd[2 * PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, input ? "w" : "r");
    if (p == NULL)
        return -1;
    if (input) {
        fputs(input, p);
    } else if (out) {
        size_t len = fread(out, 1, n - 1, p);
        out[len] = '\0';
    } else {
        char buf[4096];
        while (fread(buf, 1, sizeof(buf), p) > 0)
            ;
    }
    return pclose(p);
}

struct server {
    pid_t pid;
    int port;
    char base[64];
    char cainfo[PATH_MAX + 16]; /* HTTPS: the certificate to trust; "" for plain HTTP */
};

/* The last lines the server wrote to its log, on stderr: the log goes with the test's directory,
 * and a server that died (a sanitizer's report, an assertion) has said why there. */
static void show_log_tail(void)
{
    char path[PATH_MAX + 16], buf[8192];
    snprintf(path, sizeof(path), "%s/serve.log", dir);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return;
    if (fseek(fp, 0, SEEK_END) == 0 && ftell(fp) > (long)sizeof(buf) - 1)
        fseek(fp, -(long)sizeof(buf) + 1, SEEK_END);
    else
        rewind(fp);
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    fprintf(stderr, "--- the end of %s ---\n%s\n---\n", path, buf);
}

/* Starts kam serve with extra options; fails the test when it does not come up. */
static void server_start(struct server *s, const char *extra)
{
    int fds[2];
    char log[PATH_MAX + 32], line[512] = "";
    size_t len = 0;

    assert_int_equal(pipe(fds), 0);
    snprintf(log, sizeof(log), "%s/serve.log", dir);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        char cmd[4 * PATH_MAX];
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        snprintf(cmd, sizeof(cmd), "exec '%s' --db '%s' serve --listen 127.0.0.1:0 %s 2>>'%s'", KAM,
                 db, extra ? extra : "", log);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    /* The first line says where it listens. */
    for (int i = 0; i < 200 && !strchr(line, '\n'); i++) {
        struct pollfd pf = {fds[0], POLLIN, 0};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        ssize_t r = read(fds[0], line + len, sizeof(line) - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        line[len] = '\0';
    }
    close(fds[0]);
    const char *p = strstr(line, "://127.0.0.1:");
    bool https = p != NULL && p >= line + 5 && strncmp(p - 5, "https", 5) == 0;
    if (p == NULL) {
        show_log_tail();
        fail_msg("kam serve did not start: '%s' (see %s)", line, log);
    }
    s->port = atoi(p + strlen("://127.0.0.1:"));
    snprintf(s->base, sizeof(s->base), "%s://127.0.0.1:%d", https ? "https" : "http", s->port);
}

/* Stops the server with SIGTERM; it must exit 0 within 15 s. */
static void server_stop(struct server *s)
{
    int status = 0;
    pid_t r = 0;
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 150 && (r = waitpid(s->pid, &status, WNOHANG)) == 0; i++)
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    if (r == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        s->pid = 0;
        fail_msg("kam serve did not stop within 15 s of SIGTERM");
    }
    s->pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        show_log_tail();
        fail_msg("kam serve ended with status %d (signal %d), see %s/serve.log",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, dir);
    }
}

/* --- the client ------------------------------------------------------------------------------ */

struct resp {
    long status;
    char *body;
    size_t len;
    char headers[16384];
    size_t hlen;
    long connects; /* new connections this request needed */
    json_t *json;  /* the body parsed, when it is JSON */
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct resp *r = ctx;
    r->body = realloc(r->body, r->len + size * n + 1);
    memcpy(r->body + r->len, p, size * n);
    r->len += size * n;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct resp *r = ctx;
    size_t len = size * n;
    if (r->hlen + len < sizeof(r->headers)) {
        memcpy(r->headers + r->hlen, p, len);
        r->hlen += len;
        r->headers[r->hlen] = '\0';
    }
    return len;
}

static void resp_free(struct resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

/* The value of header name in r (case-insensitive), copied into buf; NULL when absent. */
static const char *header(const struct resp *r, const char *name, char *buf, size_t n)
{
    size_t nl = strlen(name);
    for (const char *l = r->headers; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r\n");
            snprintf(buf, n, "%.*s", (int)len, v);
            return buf;
        }
    }
    return NULL;
}

/* One request on handle h (reused: keep-alive) with a body of len bytes (binary allowed);
 * headers is a NULL-terminated list. */
static void req_n(CURL *h, struct resp *r, const struct server *s, const char *method,
                  const char *path, const char *body, size_t len, const char *const *headers)
{
    char url[1024];
    struct curl_slist *hl = NULL;
    resp_free(r);
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (s->cainfo[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, s->cainfo);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    for (const char *const *p = headers; p && *p; p++)
        hl = curl_slist_append(hl, *p);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    CURLcode c = curl_easy_perform(h);
    curl_slist_free_all(hl);
    if (c != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(c));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->connects);
    if (r->body)
        r->json = json_loadb(r->body, r->len, 0, NULL);
}

/* The same with a NUL-terminated body (or none). */
static void req(CURL *h, struct resp *r, const struct server *s, const char *method,
                const char *path, const char *body, const char *const *headers)
{
    req_n(h, r, s, method, path, body, body ? strlen(body) : 0, headers);
}

static void wait_healthy(CURL *h, const struct server *s)
{
    struct resp r = {0};
    for (int i = 0; i < 50; i++) {
        char url[128];
        snprintf(url, sizeof(url), "%s/api/v1/health", s->base);
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
        if (s->cainfo[0])
            curl_easy_setopt(h, CURLOPT_CAINFO, s->cainfo);
        long code = 0;
        if (curl_easy_perform(h) == CURLE_OK &&
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200) {
            resp_free(&r);
            return;
        }
        resp_free(&r);
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    fail_msg("the server did not answer /api/v1/health");
}

/* --- fixture: one server per test ----------------------------------------------------------- */

struct fx {
    struct server s;
    CURL *h;
    struct resp r;
};

static int setup_with(void **state, const char *extra)
{
    struct fx *f = calloc(1, sizeof(*f));
    *state = f;
    f->h = curl_easy_init();
    server_start(&f->s, extra);
    wait_healthy(f->h, &f->s);
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, "--threads 2");
}

static int setup_no_kept(void **state)
{
    return setup_with(state, "--threads 2 --no-kept-answers");
}

static int teardown(void **state)
{
    struct fx *f = *state;
    resp_free(&f->r);
    curl_easy_cleanup(f->h);
    server_stop(&f->s);
    free(f);
    return 0;
}

static const char *const JSON[] = {"Content-Type: application/json", NULL};

/* Signs in; the cookie header line into cookie and the CSRF token into csrf (may be NULL). */
static void login(struct fx *f, const char *user, char *cookie, size_t n, char *csrf, size_t cn)
{
    char body[256], sc[512];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"kam-demo\"}", user);
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session", body, JSON);
    if (f->r.status != 200)
        fail_msg("login of %s: %ld %s", user, f->r.status, f->r.body ? f->r.body : "");
    assert_non_null(header(&f->r, "Set-Cookie", sc, sizeof(sc)));
    snprintf(cookie, n, "Cookie: %.*s", (int)strcspn(sc, ";"), sc);
    if (csrf)
        snprintf(csrf, cn, "%s", json_string_value(json_object_get(f->r.json, "csrf_token")));
}

static const char *problem_type(const struct resp *r)
{
    return json_string_value(json_object_get(r->json, "type"));
}

static void check_problem(const struct resp *r, long status, const char *type)
{
    char ct[128];
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body ? r->body : "");
    assert_non_null(header(r, "Content-Type", ct, sizeof(ct)));
    assert_string_equal(ct, "application/problem+json");
    assert_non_null(r->json);
    assert_string_equal(problem_type(r), type);
    assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
    assert_non_null(json_string_value(json_object_get(r->json, "title")));
}

/* A code outside the user's scope is answered exactly as one that does not exist: the same 404
 * problem, word for word but for the code. fmt is the path with %s where the code goes. */
static void expect_hidden(struct fx *f, const char *method, const char *fmt, const char *body,
                          const char *const *h)
{
    char path[256], other[1024];
    snprintf(path, sizeof(path), fmt, west_code);
    req(f->h, &f->r, &f->s, method, path, body, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    snprintf(other, sizeof(other), "%s", f->r.body);
    snprintf(path, sizeof(path), fmt, "C999999");
    req(f->h, &f->r, &f->s, method, path, body, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    char *p = strstr(other, west_code);
    assert_non_null(p);
    assert_int_equal(strlen(west_code), strlen("C999999"));
    memcpy(p, "C999999", strlen("C999999"));
    assert_string_equal(other, f->r.body);
}

/* --- the tests ------------------------------------------------------------------------------- */

static void test_health_and_security_headers(void **state)
{
    struct fx *f = *state;
    char v[256];
    static const char *const paths[] = {"/api/v1/health", "/api/v1/nowhere", "/api/v1/accounts"};
    for (size_t i = 0; i < 3; i++) {
        req(f->h, &f->r, &f->s, "GET", paths[i], NULL, NULL);
        assert_non_null(header(&f->r, "Content-Security-Policy", v, sizeof(v)));
        assert_non_null(strstr(v, "default-src 'self'"));
        assert_non_null(strstr(v, "frame-ancestors 'none'"));
        assert_string_equal(header(&f->r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
        assert_string_equal(header(&f->r, "X-Frame-Options", v, sizeof(v)), "DENY");
        assert_string_equal(header(&f->r, "Cache-Control", v, sizeof(v)), "no-store");
    }
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "status")), "ok");
}

/* Request headers up to 12 KB in all are read; over it the answer is a 431 problem before any
 * handler runs (a sign-in creates no session); over the connection's 16 KB libmicrohttpd
 * answers 431 itself. The server goes on. */
static void test_header_size(void **state)
{
    struct fx *f = *state;
    static char pad[20100];
    const char *headers[] = {pad, NULL};
    memcpy(pad, "X-Pad: ", 7);
    memset(pad + 7, 'a', 12000);
    pad[7 + 12000] = '\0';
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, headers);
    assert_int_equal(f->r.status, 200);
    memset(pad + 7, 'a', 13000);
    pad[7 + 13000] = '\0';
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, headers);
    check_problem(&f->r, 431, "urn:kam:problem:headers-too-large");
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\": \"admin\", \"password\": \"kam-demo\"}", headers);
    check_problem(&f->r, 431, "urn:kam:problem:headers-too-large");
    memset(pad + 7, 'a', 20000);
    pad[7 + 20000] = '\0';
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, headers);
    assert_int_equal(f->r.status, 431);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(f->r.status, 200);
}

static void test_login_and_cookie(void **state)
{
    struct fx *f = *state;
    char sc[512], cookie[256];
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\":\"rep-east-1\",\"password\":\"kam-demo\"}", JSON);
    assert_int_equal(f->r.status, 200);
    assert_non_null(header(&f->r, "Set-Cookie", sc, sizeof(sc)));
    assert_true(strncmp(sc, "kam_session=", 12) == 0);
    assert_non_null(strstr(sc, "; HttpOnly"));
    assert_non_null(strstr(sc, "; SameSite=Strict"));
    assert_non_null(strstr(sc, "; Path=/"));
    assert_null(strstr(sc, "Secure")); /* plain HTTP in this slice */
    json_t *u = json_object_get(f->r.json, "user");
    assert_string_equal(json_string_value(json_object_get(u, "username")), "rep-east-1");
    assert_string_equal(json_string_value(json_object_get(u, "role")), "rep");
    assert_string_equal(json_string_value(json_object_get(u, "team")), "east");
    assert_null(json_object_get(u, "password_hash"));
    assert_true(strlen(json_string_value(json_object_get(f->r.json, "csrf_token"))) >= 43);

    snprintf(cookie, sizeof(cookie), "Cookie: %.*s", (int)strcspn(sc, ";"), sc);
    const char *const h[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/session", NULL, h);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "auth")), "cookie");
    /* A made-up session id is refused. */
    const char *const bad[] = {"Cookie: kam_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                               NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/session", NULL, bad);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/session", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

static void test_login_refused_alike(void **state)
{
    struct fx *f = *state;
    char detail[512];
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\":\"rep-east-1\",\"password\":\"wrong-password\"}", JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    assert_null(header(&f->r, "Set-Cookie", detail, sizeof(detail)));
    snprintf(detail, sizeof(detail), "%s", json_string_value(json_object_get(f->r.json, "detail")));
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\":\"nobody\",\"password\":\"kam-demo\"}", JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    assert_string_equal(json_string_value(json_object_get(f->r.json, "detail")), detail);
    /* Missing and mistyped fields are named. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session", "{\"username\":1}", JSON);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    json_t *errs = json_object_get(f->r.json, "errors");
    assert_int_equal(json_array_size(errs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "field")),
                        "username");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 1), "field")),
                        "password");
}

static void test_login_rate_limit_per_user(void **state)
{
    struct fx *f = *state;
    char v[64];
    for (int i = 0; i < 5; i++) {
        req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
            "{\"username\":\"rep-west-1\",\"password\":\"guess-guess\"}", JSON);
        assert_int_equal(f->r.status, 401);
    }
    /* Now even the right password waits. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\":\"rep-west-1\",\"password\":\"kam-demo\"}", JSON);
    check_problem(&f->r, 429, "urn:kam:problem:rate-limited");
    assert_non_null(header(&f->r, "Retry-After", v, sizeof(v)));
    assert_true(atoi(v) >= 1 && atoi(v) <= 60);
}

static void test_login_rate_limit_per_address(void **state)
{
    struct fx *f = *state;
    char body[128];
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof(body), "{\"username\":\"guess-%d\",\"password\":\"x-x-x-x-x\"}", i);
        req(f->h, &f->r, &f->s, "POST", "/api/v1/session", body, JSON);
        assert_int_equal(f->r.status, 401);
    }
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\":\"director\",\"password\":\"kam-demo\"}", JSON);
    check_problem(&f->r, 429, "urn:kam:problem:rate-limited");
}

static void test_csrf_for_cookie_writes(void **state)
{
    struct fx *f = *state;
    char cookie[256], csrf[128], hdr[160], v[256];
    login(f, "manager-east", cookie, sizeof(cookie), csrf, sizeof(csrf));
    const char *const none[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "DELETE", "/api/v1/session", NULL, none);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    const char *const wrong[] = {cookie, "X-CSRF-Token: not-the-token", NULL};
    req(f->h, &f->r, &f->s, "DELETE", "/api/v1/session", NULL, wrong);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/session", NULL, none);
    assert_int_equal(f->r.status, 200); /* still signed in */

    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const right[] = {cookie, hdr, NULL};
    req(f->h, &f->r, &f->s, "DELETE", "/api/v1/session", NULL, right);
    assert_int_equal(f->r.status, 204);
    assert_int_equal(f->r.len, 0);
    assert_non_null(header(&f->r, "Set-Cookie", v, sizeof(v)));
    assert_non_null(strstr(v, "Max-Age=0"));
    req(f->h, &f->r, &f->s, "GET", "/api/v1/session", NULL, none);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

static void test_bearer_needs_no_csrf(void **state)
{
    struct fx *f = *state;
    char auth[200];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    const char *const h[] = {auth, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/session", NULL, h);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "auth")), "bearer");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(f->r.json, "user"), "username")),
        "rep-east-1");
    req(f->h, &f->r, &f->s, "DELETE", "/api/v1/session", NULL, h);
    assert_int_equal(f->r.status, 204);
    const char *const bad[] = {"Authorization: Bearer kam_nottherightsizeatall", NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts", NULL, bad);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    const char *const basic[] = {"Authorization: Basic YWRtaW46a2FtLWRlbW8=", NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts", NULL, basic);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

static void test_account_list_per_role(void **state)
{
    struct fx *f = *state;
    const struct {
        const char *user;
        int want;
    } cases[] = {
        {"director", n_all},          {"admin", n_all},
        {"manager-east", n_east},     {"manager-west", n_all - n_east},
        {"rep-east-1", n_rep_east_1}, {"viewer-east", n_east},
    };
    char cookie[256];
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        login(f, cases[k].user, cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=500", NULL, h);
        assert_int_equal(f->r.status, 200);
        json_t *items = json_object_get(f->r.json, "items");
        if ((int)json_integer_value(json_object_get(f->r.json, "total")) != cases[k].want ||
            (int)json_array_size(items) != cases[k].want)
            fail_msg("%s: total %lld, %zu items, want %d", cases[k].user,
                     (long long)json_integer_value(json_object_get(f->r.json, "total")),
                     json_array_size(items), cases[k].want);
        assert_true(json_is_null(json_object_get(f->r.json, "next")));
        /* A rep asking for another owner's accounts gets none. */
        if (strcmp(cases[k].user, "rep-east-1") == 0) {
            req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?owner=rep-west-1", NULL, h);
            assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), 0);
        }
    }
}

/* The number of lines of a CSV body (every line ends in a newline). */
static size_t csv_lines(const struct resp *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->len; i++)
        n += r->body[i] == '\n';
    return n;
}

/* The export of GET /exports/accounts: the list's rows under the same scope, as CSV in UTF-8
 * or GB18030, or xlsx; bad parameters named; nobody signed in, 401. */
static void test_export_accounts(void **state)
{
    struct fx *f = *state;
    char cookie[256], v[256];
    static const char *const users[] = {"rep-east-1", "viewer-east"};
    for (size_t k = 0; k < 2; k++) {
        login(f, users[k], cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=1", NULL, h);
        json_int_t total = json_integer_value(json_object_get(f->r.json, "total"));
        assert_true(total > 0);
        req(f->h, &f->r, &f->s, "GET", "/api/v1/exports/accounts", NULL, h);
        assert_int_equal(f->r.status, 200);
        assert_string_equal(header(&f->r, "Content-Type", v, sizeof(v)), "text/csv; charset=utf-8");
        assert_string_equal(header(&f->r, "Content-Disposition", v, sizeof(v)),
                            "attachment; filename=\"accounts.csv\"");
        assert_int_equal(csv_lines(&f->r), total + 1); /* the header, then their accounts */
        assert_true(strncmp(f->r.body, "code,name,", 10) == 0);
        assert_non_null(strstr(f->r.body, ",ttm_revenue,total_revenue\n"));
        assert_non_null(strstr(f->r.body, own_code));
        assert_null(strstr(f->r.body, west_code)); /* another team's account is not there */
    }
    /* The rep again: GB18030 is the UTF-8 file converted. */
    login(f, "rep-east-1", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/exports/accounts?sort=revenue", NULL, h);
    assert_int_equal(f->r.status, 200);
    size_t ulen = f->r.len;
    char *utf8 = malloc(ulen + 1);
    memcpy(utf8, f->r.body, ulen + 1);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/exports/accounts?sort=revenue&encoding=gb18030", NULL,
        h);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(header(&f->r, "Content-Type", v, sizeof(v)), "text/csv; charset=GB18030");
    size_t ol = f->r.len * 2 + 16, il = f->r.len;
    char *back = malloc(ol), *in = f->r.body, *out = back;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &il, &out, &ol) != (size_t)-1);
    iconv_close(cd);
    assert_int_equal((size_t)(out - back), ulen);
    assert_memory_equal(back, utf8, ulen);
    free(back);
    free(utf8);
    /* The filters of the list: another owner's accounts are none of the rep's; a limit. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/exports/accounts?owner=rep-west-1", NULL, h);
    assert_int_equal(f->r.status, 200);
    assert_int_equal(csv_lines(&f->r), 1);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/exports/accounts?limit=1", NULL, h);
    assert_int_equal(csv_lines(&f->r), 2);
    /* xlsx: a zip file. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/exports/accounts?format=xlsx", NULL, h);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(header(&f->r, "Content-Type", v, sizeof(v)),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(header(&f->r, "Content-Disposition", v, sizeof(v)),
                        "attachment; filename=\"accounts.xlsx\"");
    assert_true(f->r.len > 1000 && memcmp(f->r.body, "PK", 2) == 0);
    /* Bad values name their parameter. */
    static const char *const bad[][2] = {{"/api/v1/exports/accounts?format=pdf", "format"},
                                         {"/api/v1/exports/accounts?encoding=latin1", "encoding"},
                                         {"/api/v1/exports/accounts?sort=size", "sort"},
                                         {"/api/v1/exports/accounts?page=2", "page"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req(f->h, &f->r, &f->s, "GET", bad[i][0], NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(f->r.json, "errors"), 0), "field")),
                            bad[i][1]);
    }
    req(f->h, &f->r, &f->s, "GET", "/api/v1/exports/accounts", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

static void test_account_get_scope(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[128], other[512];
    login(f, "rep-east-1", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", own_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "code")), own_code);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "owner")), "rep-east-1");
    /* The version is the ETag too, for If-Match on a PATCH. */
    char etag[64];
    assert_non_null(header(&f->r, "ETag", etag, sizeof(etag)));
    assert_string_equal(etag, "\"1\"");

    /* Another team's account and a code that does not exist: the same answer. */
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", west_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    assert_null(header(&f->r, "ETag", etag, sizeof(etag)));
    snprintf(other, sizeof(other), "%s", f->r.body);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/C999999", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    /* Only the code differs in the two answers. */
    char *p = strstr(other, west_code);
    assert_non_null(p);
    memcpy(p, "C999999", strlen("C999999"));
    assert_string_equal(other, f->r.body);
    /* The director reads it. */
    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", west_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    assert_int_equal(f->r.status, 200);
}

static void test_pagination(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[128];
    json_t *seen = json_object();
    int pages = 0;
    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    for (int page = 1; page <= 100; page++) {
        snprintf(path, sizeof(path), "/api/v1/accounts?per_page=30&page=%d&sort=revenue", page);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        assert_int_equal(f->r.status, 200);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), n_all);
        json_t *items = json_object_get(f->r.json, "items"), *it;
        size_t i;
        int want = n_all - (page - 1) * 30 < 30 ? n_all - (page - 1) * 30 : 30;
        assert_int_equal(json_array_size(items), want);
        json_array_foreach(items, i, it)
        {
            json_object_set_new(seen, json_string_value(json_object_get(it, "code")), json_true());
            /* Every item carries the version a PATCH needs. */
            assert_true(json_is_integer(json_object_get(it, "version")));
            assert_true(json_integer_value(json_object_get(it, "version")) >= 1);
        }
        pages++;
        json_t *next = json_object_get(f->r.json, "next");
        if (json_is_null(next))
            break;
        char num[16];
        snprintf(num, sizeof(num), "%d", page + 1);
        assert_string_equal(json_string_value(next), num);
    }
    assert_int_equal(pages, (n_all + 29) / 30);
    assert_int_equal(json_object_size(seen), n_all);
    json_decref(seen);
    /* Past the end: an empty page, the same total. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=30&page=99", NULL, h);
    assert_int_equal(json_array_size(json_object_get(f->r.json, "items")), 0);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), n_all);
}

static void test_bad_query(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *query, *field;
    } cases[] = {
        {"per_page=501", "per_page"}, {"per_page=0", "per_page"}, {"page=abc", "page"},
        {"page=-1", "page"},          {"sort=size", "sort"},      {"role=king", "role"},
        {"colour=red", "colour"},     {"limit=1e3", "limit"},
    };
    char cookie[256], path[128];
    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        snprintf(path, sizeof(path), "/api/v1/accounts?%s", cases[k].query);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        json_t *e = json_array_get(json_object_get(f->r.json, "errors"), 0);
        if (e == NULL || strcmp(json_string_value(json_object_get(e, "field")), cases[k].field))
            fail_msg("?%s: %s", cases[k].query, f->r.body);
    }
}

static void test_unknown_path_and_wrong_method(void **state)
{
    struct fx *f = *state;
    char v[128];
    req(f->h, &f->r, &f->s, "GET", "/api/v1/nowhere", NULL, NULL);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    /* Never a file outside the web root: a refusal, or (when the server has the web UI) its
     * page, which a single-page application answers for every path that is not an asset. */
    req(f->h, &f->r, &f->s, "GET", "/../etc/passwd", NULL, NULL);
    assert_true(f->r.status == 404 || f->r.status == 400 || f->r.status == 200);
    assert_true(f->r.body == NULL || strstr(f->r.body, "root:") == NULL);
    if (f->r.status == 200) {
        assert_non_null(header(&f->r, "Content-Type", v, sizeof(v)));
        assert_non_null(strstr(v, "text/html"));
    }
    req(f->h, &f->r, &f->s, "PUT", "/api/v1/health", "{}", JSON);
    check_problem(&f->r, 405, "urn:kam:problem:method-not-allowed");
    assert_string_equal(header(&f->r, "Allow", v, sizeof(v)), "GET");
    req(f->h, &f->r, &f->s, "PATCH", "/api/v1/session", NULL, NULL);
    check_problem(&f->r, 405, "urn:kam:problem:method-not-allowed");
    assert_string_equal(header(&f->r, "Allow", v, sizeof(v)), "POST, GET, DELETE");
}

static void test_body_limits_and_types(void **state)
{
    struct fx *f = *state;
    size_t big = 2 * 1024 * 1024;
    char *body = malloc(big + 1);
    memset(body, 'a', big);
    body[0] = '"';
    body[big - 1] = '"';
    body[big] = '\0';
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session", body, JSON);
    free(body);
    check_problem(&f->r, 413, "urn:kam:problem:too-large");

    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\": \"x\",\n \"password\": ", JSON);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    const char *detail = json_string_value(json_object_get(f->r.json, "detail"));
    assert_non_null(strstr(detail, "line 2, column"));
    assert_non_null(strstr(detail, "byte"));

    req(f->h, &f->r, &f->s, "POST", "/api/v1/session", "[1, 2]", JSON);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");

    const char *const text[] = {"Content-Type: text/plain", NULL};
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\":\"director\",\"password\":\"kam-demo\"}", text);
    check_problem(&f->r, 415, "urn:kam:problem:unsupported-media-type");
    const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session", "username=director", form);
    check_problem(&f->r, 415, "urn:kam:problem:unsupported-media-type");
    /* Invalid UTF-8 in a string: refused by the parser, answered as valid JSON. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\":\"\xff\xfe\",\"password\":\"kam-demo\"}", JSON);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
}

/* A money string of the API ("-12.5") in ten-thousandths, exact. */
static long long money_of(const json_t *v)
{
    const char *s = json_string_value(v);
    assert_non_null(s);
    bool neg = *s == '-';
    long long whole = 0, frac = 0;
    int decimals = 0;
    for (s += neg; *s && *s != '.'; s++)
        whole = whole * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s && decimals < 4; s++, decimals++)
            frac = frac * 10 + (*s - '0');
    for (; decimals < 4; decimals++)
        frac *= 10;
    return (neg ? -1 : 1) * (whole * 10000 + frac);
}

/* The total of GET /accounts?per_page=1&QUERY as the user of h. */
static json_int_t list_total(struct fx *f, const char *const *h, const char *query)
{
    char path[200];
    snprintf(path, sizeof(path), "/api/v1/accounts?per_page=1%s", query);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    assert_int_equal(f->r.status, 200);
    return json_integer_value(json_object_get(f->r.json, "total"));
}

/* The scope member of the answer in f->r is kind, with key = value when key is not NULL. */
static void check_scope(const struct fx *f, const char *kind, const char *key, const char *value)
{
    json_t *scope = json_object_get(f->r.json, "scope");
    assert_string_equal(json_string_value(json_object_get(scope, "kind")), kind);
    if (key != NULL)
        assert_string_equal(json_string_value(json_object_get(scope, key)), value);
}

static void test_summary_per_role(void **state)
{
    struct fx *f = *state;
    char cookie[256];
    static const char *const allowed[] = {"director", "admin"};
    for (size_t k = 0; k < 2; k++) {
        login(f, allowed[k], cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/summary", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: status %ld: %s", allowed[k], f->r.status, f->r.body ? f->r.body : "");
        assert_non_null(f->r.json);
        check_scope(f, "all", NULL, NULL);
        /* The same figures as the CLI, money as the same exact decimal string. */
        json_t *net = json_object_get(f->r.json, "net_revenue");
        assert_true(json_is_string(net));
        assert_string_equal(json_string_value(net), cli_net);
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(f->r.json, "counts"), "accounts")),
            cli_accounts);
        json_t *top = json_object_get(f->r.json, "top_accounts");
        assert_int_equal(json_array_size(top), 10);
        assert_true(json_is_string(json_object_get(json_array_get(top, 0), "revenue")));
        assert_true(json_is_string(
            json_object_get(json_object_get(f->r.json, "pareto"), "population_revenue")));
    }
    /* Everyone else: the summary of the accounts GET /accounts lists to them (its count, the sum
     * of their total_revenue, the top accounts among them), not the director's. */
    static const struct {
        const char *user, *kind, *key, *value;
    } scoped[] = {
        {"rep-east-1", "own", "user", "rep-east-1"},
        {"manager-east", "team", "team", "east"},
        {"viewer-east", "team", "team", "east"},
    };
    for (size_t k = 0; k < sizeof(scoped) / sizeof(scoped[0]); k++) {
        login(f, scoped[k].user, cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=500", NULL, h);
        assert_int_equal(f->r.status, 200);
        json_t *list = json_incref(f->r.json), *it;
        json_int_t total = json_integer_value(json_object_get(list, "total"));
        long long net = 0;
        size_t i;
        json_array_foreach(json_object_get(list, "items"), i, it) net +=
            money_of(json_object_get(it, "total_revenue"));
        req(f->h, &f->r, &f->s, "GET", "/api/v1/summary", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: status %ld: %s", scoped[k].user, f->r.status, f->r.body);
        check_scope(f, scoped[k].kind, scoped[k].key, scoped[k].value);
        json_int_t accounts =
            json_integer_value(json_object_get(json_object_get(f->r.json, "counts"), "accounts"));
        if (accounts != total || accounts == 0 || accounts >= cli_accounts)
            fail_msg("%s: %lld accounts, the list %lld, the CLI %lld", scoped[k].user,
                     (long long)accounts, (long long)total, (long long)cli_accounts);
        assert_int_equal(money_of(json_object_get(f->r.json, "net_revenue")), net);
        assert_string_not_equal(json_string_value(json_object_get(f->r.json, "net_revenue")),
                                cli_net);
        json_t *top = json_object_get(f->r.json, "top_accounts"), *t;
        assert_int_equal(json_array_size(top), total < 10 ? (size_t)total : 10);
        json_array_foreach(top, i, t)
        {
            const char *code = json_string_value(json_object_get(t, "code"));
            bool listed = false;
            size_t j;
            json_array_foreach(json_object_get(list, "items"), j, it) listed |=
                strcmp(json_string_value(json_object_get(it, "code")), code) == 0;
            if (!listed)
                fail_msg("%s: top account %s is not in the user's list", scoped[k].user, code);
        }
        json_decref(list);
    }
    /* A rep's API token: the rep's own accounts, as with the cookie. */
    char bearer[192];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", token);
    const char *const hb[] = {bearer, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/summary", NULL, hb);
    assert_int_equal(f->r.status, 200);
    check_scope(f, "own", "user", "rep-east-1");
    /* Nobody signed in. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/summary", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

static void test_openapi_matches_route_table(void **state)
{
    struct fx *f = *state;
    req(f->h, &f->r, &f->s, "GET", "/api/v1/openapi.json", NULL, NULL);
    assert_int_equal(f->r.status, 200);
    json_t *doc = f->r.json, *paths = json_object_get(doc, "paths");
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *schemes = json_object_get(json_object_get(doc, "components"), "securitySchemes");
    assert_non_null(json_object_get(schemes, "cookie"));
    assert_non_null(json_object_get(schemes, "bearer"));
    assert_non_null(
        json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Problem"));
    /* Every route is in the document, with its parameters and security... */
    for (size_t i = 0; i < kam_http_route_count; i++) {
        const struct kam_http_route *r = &kam_http_routes[i];
        char m[16];
        size_t k;
        for (k = 0; r->method[k]; k++)
            m[k] = (char)tolower((unsigned char)r->method[k]);
        m[k] = '\0';
        json_t *op = json_object_get(json_object_get(paths, r->pattern), m);
        if (op == NULL)
            fail_msg("%s %s is not in openapi.json", r->method, r->pattern);
        json_t *params = json_object_get(op, "parameters"), *p;
        size_t want = 0;
        for (const char *b = strchr(r->pattern, '{'); b; b = strchr(b + 1, '{'))
            want++;
        for (const struct kam_http_param *q = r->query; q && q->name; q++) {
            bool found = false;
            json_array_foreach(params, k, p) found =
                found || (strcmp(json_string_value(json_object_get(p, "name")), q->name) == 0 &&
                          strcmp(json_string_value(json_object_get(p, "in")), "query") == 0);
            if (!found)
                fail_msg("%s %s: query parameter %s missing", r->method, r->pattern, q->name);
            want++;
        }
        assert_int_equal(json_array_size(params), want);
        assert_int_equal(json_array_size(json_object_get(op, "security")),
                         (r->flags & KAM_ROUTE_PUBLIC) ? 0 : 2);
        char st[8];
        snprintf(st, sizeof(st), "%d", r->status);
        assert_non_null(json_object_get(json_object_get(op, "responses"), st));
    }
    /* ... and the document has nothing else. */
    const char *path;
    json_t *item;
    size_t ops = 0;
    json_object_foreach(paths, path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            (void)op;
            bool found = false;
            for (size_t i = 0; i < kam_http_route_count; i++)
                found = found || (strcmp(kam_http_routes[i].pattern, path) == 0 &&
                                  strcasecmp(kam_http_routes[i].method, method) == 0);
            if (!found)
                fail_msg("openapi.json has %s %s, the route table does not", method, path);
            ops++;
        }
    }
    assert_int_equal(ops, kam_http_route_count);
}

static void test_keep_alive(void **state)
{
    struct fx *f = *state;
    char v[64];
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(f->r.status, 200);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(f->r.status, 200);
    assert_int_equal(f->r.connects, 0); /* the second request reused the connection */
    const char *c = header(&f->r, "Connection", v, sizeof(v));
    assert_true(c == NULL || strcasecmp(c, "close") != 0);
}

/* --- scoring routes -------------------------------------------------------------------------- */

/* Runs kam with args and parses its standard output as JSON (NULL when it fails). */
static json_t *cli_json(const char *fmt, ...)
{
    static char out[1 << 20];
    char args[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    if (run(NULL, out, sizeof(out), "'%s' --db '%s' %s 2>/dev/null", KAM, db, args) != 0)
        return NULL;
    return json_loads(out, 0, NULL);
}

/* A count from the database, read with the sqlite3 shell (the CLI's JSON of a long audit log
 * would outgrow cli_json's buffer). */
static long long db_count(const char *sql)
{
    char out[64] = "";
    if (run(NULL, out, sizeof(out), "sqlite3 -batch -noheader '%s' \"%s\"", db, sql) != 0)
        fail_msg("sqlite3: %s", sql);
    return atoll(out);
}

/* Answers kept by the server's threads (KAM_ROUTE_KEPT) are the same bytes as built, per user
 * and query, and never outlive a change: by this server (a PATCH answered by either thread), by
 * another program (the sqlite3 shell), or of the caller's token (revoked by the CLI). */
static void get_city(struct fx *f, CURL *h, const char *const *hdr, const char *path, char *out,
                     size_t n)
{
    req(h, &f->r, &f->s, "GET", path, NULL, hdr);
    if (f->r.status != 200)
        fail_msg("GET %s: %ld %s", path, f->r.status, f->r.body ? f->r.body : "");
    const char *c = json_string_value(json_object_get(f->r.json, "city"));
    snprintf(out, n, "%s", c ? c : "(null)");
}

static void test_kept_answers(void **state)
{
    struct fx *f = *state;
    CURL *h2 = curl_easy_init(); /* a second connection: libmicrohttpd may give it the other
                                  * thread */
    char auth[256], cookie[256], path[128], city[64], v[64], body[256];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    const char *const rep[] = {auth, NULL};
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", own_code);

    /* Asked twice on each connection: the same bytes and ETag. */
    get_city(f, f->h, rep, path, city, sizeof(city));
    char *first = strdup(f->r.body);
    char etag[64];
    assert_non_null(header(&f->r, "ETag", etag, sizeof(etag)));
    for (int i = 0; i < 3; i++) {
        req(i == 1 ? h2 : f->h, &f->r, &f->s, "GET", path, NULL, rep);
        assert_int_equal(f->r.status, 200);
        assert_string_equal(f->r.body, first);
        assert_string_equal(header(&f->r, "ETag", v, sizeof(v)), etag);
        assert_non_null(header(&f->r, "Content-Security-Policy", v, sizeof(v)));
    }
    free(first);

    /* Another program writes: both connections see it at once. */
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE accounts SET city = 'Kept-A' WHERE code = '%s'", own_code);
    (void)db_count(sql);
    get_city(f, f->h, rep, path, city, sizeof(city));
    assert_string_equal(city, "Kept-A");
    get_city(f, h2, rep, path, city, sizeof(city));
    assert_string_equal(city, "Kept-A");

    /* This server writes (on one connection's thread): the other connection sees it too. */
    json_int_t version = json_integer_value(json_object_get(f->r.json, "version"));
    snprintf(body, sizeof(body), "{\"version\": %lld, \"city\": \"Kept-B\"}", (long long)version);
    const char *const rep_json[] = {auth, "Content-Type: application/json", NULL};
    req(f->h, &f->r, &f->s, "PATCH", path, body, rep_json);
    assert_int_equal(f->r.status, 200);
    get_city(f, h2, rep, path, city, sizeof(city));
    assert_string_equal(city, "Kept-B");
    get_city(f, f->h, rep, path, city, sizeof(city));
    assert_string_equal(city, "Kept-B");

    /* The same query by other users on the same connection: each gets their own answer. */
    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    const char *const dir_h[] = {cookie, NULL};
    for (int round = 0; round < 2; round++) {
        assert_int_equal(list_total(f, rep, ""), n_rep_east_1);
        assert_int_equal(list_total(f, dir_h, ""), n_all);
    }
    /* The query is part of the key: another limit, another page. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=3", NULL, rep);
    assert_int_equal(json_array_size(json_object_get(f->r.json, "items")), 3);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=2", NULL, rep);
    assert_int_equal(json_array_size(json_object_get(f->r.json, "items")), 2);

    /* A revoked token gets 401, not what was kept for it. */
    char tok[128], id[32], out[256];
    if (run(NULL, tok, sizeof(tok), "'%s' --db '%s' token create rep-east-1 2>/dev/null", KAM,
            db) != 0)
        fail_msg("token create");
    tok[strcspn(tok, "\n")] = '\0';
    char auth2[256];
    snprintf(auth2, sizeof(auth2), "Authorization: Bearer %s", tok);
    const char *const rep2[] = {auth2, NULL};
    get_city(f, f->h, rep2, path, city, sizeof(city));
    get_city(f, f->h, rep2, path, city, sizeof(city));
    assert_string_equal(city, "Kept-B");
    snprintf(id, sizeof(id), "%lld", db_count("SELECT id FROM tokens ORDER BY id DESC LIMIT 1"));
    if (run(NULL, out, sizeof(out), "'%s' --db '%s' token revoke %s 2>&1", KAM, db, id) != 0)
        fail_msg("token revoke %s: %s", id, out);
    req(f->h, &f->r, &f->s, "GET", path, NULL, rep2);
    assert_int_equal(f->r.status, 401);

    /* A disabled user gets 401 too (enabled again for the other tests). */
    if (run(NULL, tok, sizeof(tok), "'%s' --db '%s' token create viewer-east 2>/dev/null", KAM,
            db) != 0)
        fail_msg("token create");
    tok[strcspn(tok, "\n")] = '\0';
    snprintf(auth2, sizeof(auth2), "Authorization: Bearer %s", tok);
    get_city(f, f->h, rep2, path, city, sizeof(city));
    get_city(f, f->h, rep2, path, city, sizeof(city));
    if (run(NULL, out, sizeof(out), "'%s' --db '%s' user disable viewer-east 2>&1", KAM, db) != 0)
        fail_msg("user disable: %s", out);
    req(f->h, &f->r, &f->s, "GET", path, NULL, rep2);
    long disabled = f->r.status;
    if (run(NULL, out, sizeof(out), "'%s' --db '%s' user enable viewer-east 2>&1", KAM, db) != 0)
        fail_msg("user enable: %s", out);
    assert_int_equal(disabled, 401);
    curl_easy_cleanup(h2);
}

/* The number of audit entries. */
static size_t audit_count(void)
{
    return (size_t)db_count("SELECT count(*) FROM audit_log");
}

/* The newest audit entry (the caller decrefs). */
static json_t *audit_newest(void)
{
    json_t *a = cli_json("audit --limit 1 --json");
    json_t *e = json_incref(json_array_get(a, 0));
    json_decref(a);
    return e;
}

static int rating_line(void *ctx, int64_t account_id, const char *name, double value,
                       const char *note)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 1024 - len, "%lld %s %.17g %s;", (long long)account_id, name, value,
             note ? note : "-");
    return 0;
}

static int id_row(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                  const char *created_at, const char *updated_at)
{
    (void)vals, (void)version, (void)created_at, (void)updated_at;
    *(int64_t *)ctx = id;
    return 0;
}

/* Every rating of account code, as text, read from the database directly (no CLI command lists
 * ratings; not through the server under test). */
static void ratings_of(const char *code, char out[1024])
{
    struct kam_store *st = NULL;
    struct kam_err err;
    int64_t id = 0;
    out[0] = '\0';
    kam_err_clear(&err);
    if (kam_store_open(db, 0, &st, &err) != KAM_OK)
        fail_msg("opening %s: %s", db, err.msg);
    if (st->ops->account_get_scoped(st, code, NULL, id_row, &id, &err) != KAM_OK ||
        st->ops->rating_each(st, id, rating_line, out, &err) != KAM_OK) {
        kam_store_close(st);
        fail_msg("reading the ratings of %s: %s", code, err.msg);
    }
    kam_store_close(st);
}

/* The field of the first entry of a problem's errors. */
static const char *problem_field(const struct resp *r)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(r->json, "errors"), 0), "field"));
}

/* Runs before test_scoring_runs_and_changes, which scores UNSCORED. */
static void test_score_explanation(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[128];
    login(f, "rep-east-1", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    snprintf(path, sizeof(path), "/api/v1/accounts/%s/score", own_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    /* The same explanation as the CLI's. */
    json_t *cli = cli_json("explain %s --json", own_code);
    assert_non_null(cli);
    static const char *const same[] = {
        "account", "model_version", "method", "score", "tier",    "computed",       "pinned",
        "to_next", "items",         "as_of",  "stage", "history", "would_move_most"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        json_t *a = json_object_get(f->r.json, same[i]), *b = json_object_get(cli, same[i]);
        if (a == NULL || b == NULL)
            fail_msg("'%s' missing: server %p, cli %p", same[i], (void *)a, (void *)b);
        if (json_is_number(a) && json_is_number(b)) {
            double d = json_number_value(a) - json_number_value(b);
            assert_true(d < 1e-9 && d > -1e-9);
        } else if (strcmp(same[i], "items") == 0 || strcmp(same[i], "would_move_most") == 0 ||
                   strcmp(same[i], "history") == 0) {
            assert_int_equal(json_array_size(a), json_array_size(b));
            assert_true(json_array_size(a) > 0);
        } else if (!json_equal(a, b)) {
            fail_msg("'%s' differs from kam explain --json", same[i]);
        }
    }
    json_decref(cli);

    /* Another team's account and a code that does not exist: the same answer. */
    expect_hidden(f, "GET", "/api/v1/accounts/%s/score", NULL, h);
    /* Visible but never scored. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/" UNSCORED "/score", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    assert_non_null(
        strstr(json_string_value(json_object_get(f->r.json, "detail")), "not scored yet"));
    req(f->h, &f->r, &f->s, "GET", path, NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

/* The refusals every account write route gives, for a PUT of good to path: not signed in 401, a
 * viewer 403, a rep without the CSRF header 403. Leaves rep-east-1 signed in: cookie and the
 * CSRF header line for the caller's further requests. */
static void write_refusals(struct fx *f, const char *path, const char *good, char *cookie,
                           size_t ncookie, char *hdr, size_t nhdr)
{
    char csrf[128];
    req(f->h, &f->r, &f->s, "PUT", path, good, JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    login(f, "viewer-east", cookie, ncookie, csrf, sizeof(csrf));
    snprintf(hdr, nhdr, "X-CSRF-Token: %s", csrf);
    const char *const hv[] = {cookie, hdr, JSON[0], NULL};
    req(f->h, &f->r, &f->s, "PUT", path, good, hv);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");

    login(f, "rep-east-1", cookie, ncookie, csrf, sizeof(csrf));
    snprintf(hdr, nhdr, "X-CSRF-Token: %s", csrf);
    const char *const nocsrf[] = {cookie, JSON[0], NULL};
    req(f->h, &f->r, &f->s, "PUT", path, good, nocsrf);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
}

static void test_rating_put(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], path[160], before[1024], after[1024];
    const char *good = "{\"value\": 4, \"note\": \"met the buyer\"}";
    snprintf(path, sizeof(path), "/api/v1/accounts/%s/ratings/growth_potential", own_code);
    ratings_of(own_code, before);
    size_t audits = audit_count();

    /* Refusals: nobody, a viewer, no CSRF header, out of scope, bad values, bad body. */
    write_refusals(f, path, good, cookie, sizeof(cookie), hdr, sizeof(hdr));
    const char *const h[] = {cookie, hdr, JSON[0], NULL};
    char west[160];
    snprintf(west, sizeof(west), "/api/v1/accounts/%s/ratings/growth_potential", west_code);
    req(f->h, &f->r, &f->s, "PUT", west, good, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    static const struct {
        const char *name, *body, *field;
        long status;
    } bad[] = {
        {"growth_potential", "{\"value\": 9}", "value", 422},
        {"growth_potential", "{\"value\": 0.5}", "value", 422},
        {"no_such_rating", "{\"value\": 3}", "name", 422},
        {"growth_potential", "{\"value\": \"4\"}", "value", 400},
        {"growth_potential", "{\"note\": \"no value\"}", "value", 400},
        {"growth_potential", "{\"value\": 3, \"note\": 7}", "note", 400},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        char p2[160];
        snprintf(p2, sizeof(p2), "/api/v1/accounts/%s/ratings/%s", own_code, bad[k].name);
        req(f->h, &f->r, &f->s, "PUT", p2, bad[k].body, h);
        check_problem(&f->r, bad[k].status,
                      bad[k].status == 422 ? "urn:kam:problem:unprocessable"
                                           : "urn:kam:problem:bad-request");
        if (problem_field(&f->r) == NULL || strcmp(problem_field(&f->r), bad[k].field) != 0)
            fail_msg("%s: %s", bad[k].body, f->r.body);
    }
    /* Nothing was written, nor audited. */
    ratings_of(own_code, after);
    assert_string_equal(after, before);
    assert_int_equal(audit_count(), audits);

    /* Set, then clear: each audited with before and after. */
    req(f->h, &f->r, &f->s, "PUT", path, good, h);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "value")), 4);
    ratings_of(own_code, after);
    assert_non_null(strstr(after, "growth_potential 4 met the buyer;"));
    json_t *e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "rating.set");
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "rep-east-1");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "after"), "value")), 4);
    json_decref(e);
    req(f->h, &f->r, &f->s, "PUT", path, "{\"value\": null}", h);
    assert_int_equal(f->r.status, 200);
    assert_true(json_is_null(json_object_get(f->r.json, "value")));
    ratings_of(own_code, after);
    assert_null(strstr(after, "growth_potential"));
    e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "rating.clear");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "before"), "note")),
                        "met the buyer");
    assert_true(json_object_get(e, "after") == NULL || json_is_null(json_object_get(e, "after")));
    json_decref(e);
    assert_int_equal(audit_count(), audits + 2);
}

struct pin_of {
    int64_t id;
    char tier[16];
};

static int pin_line(void *ctx, int64_t account_id, const char *tier)
{
    struct pin_of *p = ctx;
    if (account_id == p->id)
        snprintf(p->tier, sizeof(p->tier), "%s", tier);
    return 0;
}

/* The pinned tier of account code ("" when none), read from the database directly (not through
 * the server under test). */
static void pin_of(const char *code, char out[16])
{
    struct kam_store *st = NULL;
    struct kam_err err;
    struct pin_of p = {0, ""};
    kam_err_clear(&err);
    if (kam_store_open(db, 0, &st, &err) != KAM_OK)
        fail_msg("opening %s: %s", db, err.msg);
    if (st->ops->account_get_scoped(st, code, NULL, id_row, &p.id, &err) != KAM_OK ||
        st->ops->pin_each(st, pin_line, &p, &err) != KAM_OK) {
        kam_store_close(st);
        fail_msg("reading the pin of %s: %s", code, err.msg);
    }
    kam_store_close(st);
    snprintf(out, 16, "%s", p.tier);
}

static void test_pin_put(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], path[160], west[160], before[16], after[16];
    const char *good = "{\"tier\": \"key\"}";
    snprintf(path, sizeof(path), "/api/v1/accounts/%s/pin", own_code);
    snprintf(west, sizeof(west), "/api/v1/accounts/%s/pin", west_code);
    pin_of(own_code, before);
    size_t audits = audit_count();

    /* Refusals: nobody, a viewer, no CSRF header, out of scope, bad bodies. */
    write_refusals(f, path, good, cookie, sizeof(cookie), hdr, sizeof(hdr));
    const char *const h[] = {cookie, hdr, JSON[0], NULL};
    /* Another team's account and a code that does not exist: the same answer. */
    expect_hidden(f, "PUT", "/api/v1/accounts/%s/pin", good, h);
    static const struct {
        const char *body;
        long status;
    } bad[] = {
        {"{\"tier\": \"huge\"}", 422},
        {"{\"tier\": \"none\"}", 422},
        {"{\"tier\": \"\"}", 422},
        {"{\"tier\": 1}", 400},
        {"{}", 400},
        {"{\"tier\": [\"key\"]}", 400},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        req(f->h, &f->r, &f->s, "PUT", path, bad[k].body, h);
        check_problem(&f->r, bad[k].status,
                      bad[k].status == 422 ? "urn:kam:problem:unprocessable"
                                           : "urn:kam:problem:bad-request");
        if (problem_field(&f->r) == NULL || strcmp(problem_field(&f->r), "tier") != 0)
            fail_msg("%s: %s", bad[k].body, f->r.body);
    }
    req(f->h, &f->r, &f->s, "PUT", path, "{\"tier\": ", h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    /* Nothing was written, nor audited. */
    pin_of(own_code, after);
    assert_string_equal(after, before);
    assert_int_equal(audit_count(), audits);

    /* Pin, then unpin: each audited with before and after. */
    req(f->h, &f->r, &f->s, "PUT", path, good, h);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_string_equal(json_string_value(json_object_get(f->r.json, "account")), own_code);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "tier")), "key");
    pin_of(own_code, after);
    assert_string_equal(after, "key");
    json_t *e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "pin.set");
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "rep-east-1");
    assert_string_equal(json_string_value(json_object_get(e, "key")), own_code);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "after"), "tier")),
                        "key");
    json_decref(e);
    req(f->h, &f->r, &f->s, "PUT", path, "{\"tier\": null}", h);
    assert_int_equal(f->r.status, 200);
    assert_true(json_is_null(json_object_get(f->r.json, "tier")));
    pin_of(own_code, after);
    assert_string_equal(after, "");
    e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "pin.clear");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "before"), "tier")),
                        "key");
    assert_true(json_object_get(e, "after") == NULL || json_is_null(json_object_get(e, "after")));
    json_decref(e);
    assert_int_equal(audit_count(), audits + 2);
}

static void test_model_routes(void **state)
{
    struct fx *f = *state;
    char cookie[256], csrf[128], hdr[160];
    json_t *stored = cli_json("model show --json"), *list = cli_json("model list --json");
    assert_non_null(stored);
    size_t versions = json_array_size(json_object_get(list, "items"));
    json_decref(list);
    char *text = json_dumps(stored, JSON_COMPACT);
    size_t audits = audit_count();

    /* Anyone signed in reads it, as stored. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/model", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    login(f, "viewer-east", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const hv[] = {cookie, hdr, JSON[0], NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/model", NULL, hv);
    assert_int_equal(f->r.status, 200);
    assert_true(json_equal(json_object_get(f->r.json, "model"), stored));
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")), versions);

    /* Validation, by anyone: stores nothing. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/model/validate", text, hv);
    assert_int_equal(f->r.status, 200);
    assert_true(json_is_true(json_object_get(f->r.json, "valid")));
    req(f->h, &f->r, &f->s, "POST", "/api/v1/model/validate",
        "{\"format\": 1, \"name\": \"x\", \"method\": \"points\", \"window_months\": 12}", hv);
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_string_equal(problem_field(&f->r), "indicators");
    req(f->h, &f->r, &f->s, "POST", "/api/v1/model/validate", text, JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");

    /* Storing: admin only. */
    req(f->h, &f->r, &f->s, "PUT", "/api/v1/model", text, hv);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    login(f, "director", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    req(f->h, &f->r, &f->s, "PUT", "/api/v1/model", text, hv);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    req(f->h, &f->r, &f->s, "PUT", "/api/v1/model", text, JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    login(f, "admin", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    json_t *broken = json_deep_copy(stored);
    json_object_set_new(broken, "window_months", json_string("twelve"));
    char *btext = json_dumps(broken, JSON_COMPACT);
    req(f->h, &f->r, &f->s, "PUT", "/api/v1/model", btext, hv);
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_string_equal(problem_field(&f->r), "window_months");
    free(btext);
    json_decref(broken);
    /* Nothing stored, nothing audited. */
    list = cli_json("model list --json");
    assert_int_equal(json_array_size(json_object_get(list, "items")), versions);
    json_decref(list);
    assert_int_equal(audit_count(), audits);

    req(f->h, &f->r, &f->s, "PUT", "/api/v1/model", text, hv);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")), versions + 1);
    list = cli_json("model list --json");
    assert_int_equal(json_array_size(json_object_get(list, "items")), versions + 1);
    json_decref(list);
    json_t *e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "model.set");
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "admin");
    json_decref(e);
    free(text);
    json_decref(stored);
}

static int64_t history_len(const char *code)
{
    json_t *x = cli_json("explain %s --json", code);
    int64_t n = x ? (int64_t)json_array_size(json_object_get(x, "history")) : 0;
    json_decref(x);
    return n;
}

static void test_scoring_runs_and_changes(void **state)
{
    struct fx *f = *state;
    char cookie[256], csrf[128], hdr[160];
    int64_t runs = history_len(own_code);
    assert_true(runs >= 1);
    size_t audits = audit_count();

    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    static const char *const refused[] = {"manager-east", "rep-east-1", "viewer-east"};
    for (size_t k = 0; k < 3; k++) {
        login(f, refused[k], cookie, sizeof(cookie), csrf, sizeof(csrf));
        snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
        const char *const h[] = {cookie, hdr, NULL};
        req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs", NULL, h);
        check_problem(&f->r, 403, "urn:kam:problem:forbidden");
        req(f->h, &f->r, &f->s, "GET", "/api/v1/changes", NULL, h); /* within their scope */
        assert_int_equal(f->r.status, 200);
        check_scope(f, k == 1 ? "own" : "team", NULL, NULL);
    }
    login(f, "director", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const h[] = {cookie, hdr, NULL};
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs?as_of=2025-13-01", NULL, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "as_of");
    assert_int_equal(history_len(own_code), runs); /* nothing stored */
    assert_int_equal(audit_count(), audits);       /* nor audited */

    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs", NULL, h);
    if (f->r.status != 201)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), n_all);
    json_int_t run = json_integer_value(json_object_get(f->r.json, "run"));
    json_t *tiers = json_object_get(f->r.json, "tiers");
    assert_int_equal(json_integer_value(json_object_get(tiers, "key")) +
                         json_integer_value(json_object_get(tiers, "major")) +
                         json_integer_value(json_object_get(tiers, "ordinary")) +
                         json_integer_value(json_object_get(tiers, "small")),
                     n_all);
    assert_non_null(json_object_get(json_object_get(f->r.json, "phases"), "metrics"));
    /* As of the last order day, every account's kept activity serves (the imports kept it). */
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "kept_activity")), n_all);
    assert_int_equal(history_len(own_code), runs + 1);
    assert_true(history_len(UNSCORED) == 1);
    /* Audited as the director's, with what the run did. */
    json_t *e = audit_newest();
    char key[24];
    snprintf(key, sizeof(key), "%lld", (long long)run);
    assert_string_equal(json_string_value(json_object_get(e, "action")), "score.run");
    assert_string_equal(json_string_value(json_object_get(e, "entity")), "run");
    assert_string_equal(json_string_value(json_object_get(e, "key")), key);
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "director");
    json_t *after = json_object_get(e, "after");
    assert_string_equal(json_string_value(json_object_get(after, "as_of")),
                        json_string_value(json_object_get(f->r.json, "as_of")));
    assert_int_equal(json_integer_value(json_object_get(after, "model_version")),
                     json_integer_value(json_object_get(f->r.json, "model_version")));
    assert_int_equal(json_integer_value(json_object_get(after, "accounts")), n_all);
    json_decref(e);

    /* The changes of that run against the one before, as kam changes --json. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/changes", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *cli = cli_json("changes --json");
    assert_non_null(cli);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "run")), run);
    assert_int_equal(json_integer_value(json_object_get(cli, "run")), run);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "previous_run")),
                     json_integer_value(json_object_get(cli, "previous_run")));
    assert_int_equal(json_array_size(json_object_get(f->r.json, "items")),
                     json_array_size(json_object_get(cli, "items")));
    assert_true(json_array_size(json_object_get(f->r.json, "items")) >= 1); /* UNSCORED is new */
    check_scope(f, "all", NULL, NULL);
    size_t all_changes = json_array_size(json_object_get(f->r.json, "items"));
    json_decref(cli);

    /* A rep's changes: the rep's accounts only, UNSCORED (theirs, new in this run) among them. */
    login(f, "rep-east-1", cookie, sizeof(cookie), NULL, 0);
    const char *const hr[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=500", NULL, hr);
    json_t *mine = json_incref(json_object_get(f->r.json, "items")), *it, *a;
    req(f->h, &f->r, &f->s, "GET", "/api/v1/changes", NULL, hr);
    assert_int_equal(f->r.status, 200);
    check_scope(f, "own", "user", "rep-east-1");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "run")), run);
    json_t *items = json_object_get(f->r.json, "items");
    assert_true(json_array_size(items) < all_changes);
    bool unscored = false;
    size_t i, j;
    json_array_foreach(items, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        bool listed = false;
        json_array_foreach(mine, j, a) listed |=
            strcmp(json_string_value(json_object_get(a, "code")), code) == 0;
        if (!listed)
            fail_msg("a rep's change of %s, not the rep's account", code);
        unscored |= strcmp(code, UNSCORED) == 0;
    }
    assert_true(unscored);
    json_decref(mine);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/changes", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

/* --- analyses -------------------------------------------------------------------------------- */

/* Whether two JSON values agree: numbers within 1e-9 (relative), anything else exactly. */
static bool same_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        double d = x - y, m = x < 0 ? -x : x;
        return (d < 0 ? -d : d) <= 1e-9 * (m > 1 ? m : 1);
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_value(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a) && json_is_object(b)) {
        const char *k;
        json_t *v;
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach((json_t *)a, k,
                            v) if (!same_value(v, json_object_get(b, k))) return false;
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

/* Fails unless every key of keys is in both and agrees. */
static void same_keys(const json_t *server, const json_t *cli, const char *const *keys,
                      const char *what)
{
    for (const char *const *k = keys; *k; k++) {
        json_t *a = json_object_get(server, *k), *b = json_object_get(cli, *k);
        if (a == NULL || b == NULL)
            fail_msg("%s: '%s' missing: server %p, cli %p", what, *k, (void *)a, (void *)b);
        if (!same_value(a, b))
            fail_msg("%s: '%s' differs from the CLI's", what, *k);
    }
}

/* The portfolio analyses: admin and director only, the CLI's figures on the same database. */
static void test_analyses_per_role(void **state)
{
    struct fx *f = *state;
    char cookie[256];
    /* Every analysis answers every signed-in user within their scope (test_trend_tiers_scoped,
     * test_portfolio_analyses_scoped check the figures); nobody signed in gets 401. */
    static const char *const paths[] = {"/api/v1/review",          "/api/v1/analyses/matrix",
                                        "/api/v1/analyses/pareto", "/api/v1/analyses/lifecycle",
                                        "/api/v1/analyses/trend",  "/api/v1/analyses/tiers"};
    const size_t npaths = sizeof(paths) / sizeof(paths[0]);
    static const char *const scoped[] = {"rep-east-1", "manager-east", "viewer-east"};
    for (size_t k = 0; k < 3; k++) {
        login(f, scoped[k], cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        for (size_t i = 0; i < npaths; i++) {
            req(f->h, &f->r, &f->s, "GET", paths[i], NULL, h);
            if (f->r.status != 200)
                fail_msg("%s: %s: status %ld: %s", scoped[k], paths[i], f->r.status, f->r.body);
            check_scope(f, k == 0 ? "own" : "team", NULL, NULL);
        }
    }
    char bearer[192];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", token);
    const char *const hb[] = {bearer, NULL};
    for (size_t i = 0; i < npaths; i++) {
        req(f->h, &f->r, &f->s, "GET", paths[i], NULL, hb);
        assert_int_equal(f->r.status, 200);
        check_scope(f, "own", "user", "rep-east-1");
        req(f->h, &f->r, &f->s, "GET", paths[i], NULL, NULL);
        check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    }

    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    /* Pareto, by revenue and by margin. */
    static const char *const pareto_keys[] = {
        "as_of",          "by",   "population", "total",   "top20_k", "top20_value", "top20_share",
        "accounts_to_80", "gini", "abc_limits", "classes", "curve",   NULL};
    static const struct {
        const char *path, *args;
    } pareto[] = {
        {"/api/v1/analyses/pareto", "pareto --json"},
        {"/api/v1/analyses/pareto?by=margin&abc=70,90", "pareto --by margin --abc 70,90 --json"},
        {"/api/v1/analyses/pareto?as_of=2025-06-30", "pareto --as-of 2025-06-30 --json"},
    };
    for (size_t i = 0; i < sizeof(pareto) / sizeof(pareto[0]); i++) {
        req(f->h, &f->r, &f->s, "GET", pareto[i].path, NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: status %ld: %s", pareto[i].path, f->r.status, f->r.body);
        json_t *cli = cli_json("%s", pareto[i].args);
        assert_non_null(cli);
        same_keys(f->r.json, cli, pareto_keys, pareto[i].path);
        assert_true(json_is_string(json_object_get(f->r.json, "total")));
        assert_null(json_object_get(f->r.json, "accounts")); /* the per-account list is the CLI's */
        json_decref(cli);
    }
    static const struct {
        const char *path, *field;
    } bad[] = {
        {"/api/v1/analyses/pareto?by=profit", "by"},
        {"/api/v1/analyses/pareto?abc=95,80", "abc"},
        {"/api/v1/analyses/pareto?as_of=2025-13-01", "as_of"},
        {"/api/v1/analyses/lifecycle?limit=-1", "limit"},
        {"/api/v1/analyses/lifecycle?as_of=yesterday", "as_of"},
        {"/api/v1/review?limit=x", "limit"},
        {"/api/v1/review?as_of=2025-01-01", "as_of"}, /* not a parameter of the review */
        {"/api/v1/analyses/matrix?as_of=2025-02-30", "as_of"},
        {"/api/v1/analyses/matrix?current=nothing", "current"},
        {"/api/v1/analyses/trend?months=0", "months"},
        {"/api/v1/analyses/trend?months=121", "months"},
        {"/api/v1/analyses/tiers?as_of=2025-01-01", "as_of"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req(f->h, &f->r, &f->s, "GET", bad[i].path, NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        assert_string_equal(problem_field(&f->r), bad[i].field);
    }

    /* Lifecycle: the counts per stage; the per-account list only with limit. */
    static const char *const life_keys[] = {"as_of",         "window_months", "accounts",
                                            "total_revenue", "stages",        NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/lifecycle", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *cli = cli_json("lifecycle --json");
    assert_non_null(cli);
    same_keys(f->r.json, cli, life_keys, "lifecycle");
    assert_null(json_object_get(f->r.json, "items"));
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), n_all);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/lifecycle?limit=5", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *items = json_object_get(f->r.json, "items"), *all = json_object_get(cli, "items");
    assert_int_equal(json_array_size(items), 5);
    for (size_t i = 0; i < 5; i++)
        if (!same_value(json_array_get(items, i), json_array_get(all, i)))
            fail_msg("lifecycle item %zu differs from the CLI's", i);
    json_decref(cli);

    /* Trend and tiers: the same figures as kam trend and kam tiers, and the scope they cover. */
    static const struct {
        const char *path, *args;
    } same[] = {
        {"/api/v1/analyses/trend", "trend --json"},
        {"/api/v1/analyses/trend?months=3", "trend --months 3 --json"},
        {"/api/v1/analyses/tiers", "tiers --json"},
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        req(f->h, &f->r, &f->s, "GET", same[i].path, NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: status %ld: %s", same[i].path, f->r.status, f->r.body);
        cli = cli_json("%s", same[i].args);
        assert_non_null(cli);
        json_t *scope = json_object_get(f->r.json, "scope");
        assert_string_equal(json_string_value(json_object_get(scope, "kind")), "all");
        json_object_del(f->r.json, "scope"); /* the CLI's answer has none */
        if (!same_value(f->r.json, cli))
            fail_msg("%s differs from kam %s", same[i].path, same[i].args);
        json_decref(cli);
    }
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/trend?months=3", NULL, h);
    assert_int_equal(json_array_size(json_object_get(f->r.json, "items")), 3);

    /* RFM: kam rfm --json's segments and accounts (every one with limit=0, the first 5 else). */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/rfm?limit=0", NULL, h);
    if (f->r.status != 200)
        fail_msg("rfm: status %ld: %s", f->r.status, f->r.body);
    cli = cli_json("rfm --json");
    assert_non_null(cli);
    static const char *const rfm_same[] = {"as_of", "segments", "accounts"};
    for (size_t k = 0; k < 3; k++)
        if (!same_value(json_object_get(f->r.json, rfm_same[k]), json_object_get(cli, rfm_same[k])))
            fail_msg("rfm: '%s' differs from kam rfm --json", rfm_same[k]);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts_total")),
                     json_array_size(json_object_get(cli, "accounts")));
    json_t *all_rfm = json_incref(json_object_get(f->r.json, "accounts"));
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/rfm?limit=5", NULL, h);
    json_t *five = json_object_get(f->r.json, "accounts");
    assert_int_equal(json_array_size(five), 5);
    for (size_t k = 0; k < 5; k++)
        assert_true(json_equal(json_array_get(five, k), json_array_get(all_rfm, k)));
    json_decref(all_rfm);
    json_decref(cli);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/rfm?limit=-1", NULL, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "limit");

    /* A rep's RFM covers the rep's accounts only. */
    char rc_cookie[256];
    login(f, "rep-east-1", rc_cookie, sizeof(rc_cookie), NULL, 0);
    const char *const hr[] = {rc_cookie, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=1", NULL, hr);
    json_int_t rep_total = json_integer_value(json_object_get(f->r.json, "total"));
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/rfm", NULL, hr);
    assert_int_equal(f->r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts_total")), rep_total);
    json_int_t segsum = 0;
    const char *sk;
    json_t *sv;
    json_object_foreach(json_object_get(f->r.json, "segments"), sk, sv) segsum +=
        json_integer_value(sv);
    assert_int_equal(segsum, rep_total);

    /* Review: the candidates of the latest run, as kam review --json. */
    static const char *const review_keys[] = {"run",      "as_of", "previous_run", "previous_as_of",
                                              "accounts", "rules", "counts",       "items",
                                              NULL};
    static const struct {
        const char *path, *args;
    } review[] = {
        {"/api/v1/review", "review --json"},
        {"/api/v1/review?limit=2", "review --limit 2 --json"},
    };
    for (size_t i = 0; i < 2; i++) {
        req(f->h, &f->r, &f->s, "GET", review[i].path, NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: status %ld: %s", review[i].path, f->r.status, f->r.body);
        cli = cli_json("%s", review[i].args);
        assert_non_null(cli);
        same_keys(f->r.json, cli, review_keys, review[i].path);
        assert_true(json_array_size(json_object_get(f->r.json, "items")) > 0);
        json_decref(cli);
    }

    /* The value matrix with the default options, every quadrant's accounts in the CLI's order. */
    static const char *const matrix_keys[] = {"as_of",     "window_months", "accounts",
                                              "placed",    "unplaced",      "current",
                                              "potential", "quadrants",     NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/matrix", NULL, h);
    if (f->r.status != 200)
        fail_msg("matrix: status %ld: %s", f->r.status, f->r.body);
    cli = cli_json("matrix --json");
    assert_non_null(cli);
    same_keys(f->r.json, cli, matrix_keys, "matrix");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), n_all);
    /* limit: at most that many items per quadrant, the first ones of the full list; the counts
     * and sums stay those of every account. */
    json_t *full = json_incref(f->r.json);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/matrix?limit=3", NULL, h);
    assert_int_equal(f->r.status, 200);
    const char *qname;
    json_t *qv;
    json_object_foreach(json_object_get(full, "quadrants"), qname, qv)
    {
        json_t *cut = json_object_get(json_object_get(f->r.json, "quadrants"), qname);
        json_t *all_items = json_object_get(qv, "items"), *items = json_object_get(cut, "items");
        size_t want = json_array_size(all_items) < 3 ? json_array_size(all_items) : 3;
        assert_int_equal(json_array_size(items), want);
        for (size_t k = 0; k < want; k++)
            assert_true(json_equal(json_array_get(items, k), json_array_get(all_items, k)));
        assert_true(json_equal(json_object_get(cut, "accounts"), json_object_get(qv, "accounts")));
        assert_true(json_equal(json_object_get(cut, "revenue"), json_object_get(qv, "revenue")));
    }
    json_decref(full);
    json_decref(cli);

    /* points: the curve thinned evenly in rank, first and last kept; 0 gives every account. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/pareto?points=0", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *every = json_incref(json_object_get(f->r.json, "curve"));
    json_int_t pop = json_integer_value(json_object_get(f->r.json, "population"));
    assert_int_equal(json_array_size(every), pop);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/pareto?points=10", NULL, h);
    json_t *ten = json_object_get(f->r.json, "curve");
    assert_int_equal(json_array_size(ten), 10);
    assert_true(json_equal(json_array_get(ten, 0), json_array_get(every, 0)));
    assert_true(json_equal(json_array_get(ten, 9), json_array_get(every, (size_t)pop - 1)));
    json_decref(every);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/pareto?points=1", NULL, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "points");
}

/* Trend and tiers within the caller's scope: a rep's, a manager's and a viewer's figures are
 * those of the accounts GET /accounts lists to the same user (tiers: the list's count per tier
 * of the latest run; trend: the twelve months sum the list's trailing twelve-month revenue), and
 * a rep's differ from the director's. */
static void test_trend_tiers_scoped(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *user, *kind, *key, *value;
    } cases[] = {
        {"director", "all", NULL, NULL},
        {"rep-east-1", "own", "user", "rep-east-1"},
        {"manager-east", "team", "team", "east"},
        {"viewer-east", "team", "team", "east"},
    };
    json_int_t all_scored = 0;
    long long all_revenue = 0;
    char cookie[256], query[64];
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        login(f, cases[k].user, cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/tiers", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: tiers: status %ld: %s", cases[k].user, f->r.status, f->r.body);
        check_scope(f, cases[k].kind, cases[k].key, cases[k].value);
        json_t *tiers = json_incref(f->r.json), *t;
        json_int_t scored = json_integer_value(json_object_get(tiers, "accounts")), sum = 0;
        size_t i;
        json_array_foreach(json_object_get(tiers, "tiers"), i, t)
        {
            const char *name = json_string_value(json_object_get(t, "tier"));
            json_int_t n = json_integer_value(json_object_get(t, "accounts"));
            snprintf(query, sizeof(query), "&tier=%s", name);
            if (list_total(f, h, query) != n)
                fail_msg("%s: tier %s: %lld accounts, the list has %lld", cases[k].user, name,
                         (long long)n,
                         (long long)json_integer_value(json_object_get(f->r.json, "total")));
            sum += n;
        }
        json_decref(tiers);
        assert_int_equal(sum, scored);
        assert_true(scored <= list_total(f, h, "")); /* UNSCORED is in no run */

        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/trend?months=12", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: trend: status %ld: %s", cases[k].user, f->r.status, f->r.body);
        check_scope(f, cases[k].kind, cases[k].key, cases[k].value);
        long long revenue = 0;
        json_array_foreach(json_object_get(f->r.json, "items"), i, t) revenue +=
            money_of(json_object_get(t, "revenue"));
        req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=500", NULL, h);
        assert_int_equal(f->r.status, 200);
        long long ttm = 0;
        json_array_foreach(json_object_get(f->r.json, "items"), i, t) ttm +=
            money_of(json_object_get(t, "ttm_revenue"));
        if (revenue != ttm)
            fail_msg("%s: trend sums %lld, the accounts' ttm_revenue %lld", cases[k].user, revenue,
                     ttm);
        if (k == 0) {
            all_scored = scored;
            all_revenue = revenue;
        } else if (scored >= all_scored || scored == 0 || revenue == all_revenue) {
            fail_msg("%s: %lld accounts, revenue %lld: not a part of the director's %lld, %lld",
                     cases[k].user, (long long)scored, revenue, (long long)all_scored, all_revenue);
        }
    }
    /* A rep's API token: the rep's own accounts, as with the cookie. */
    char bearer[192];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", token);
    const char *const hb[] = {bearer, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/tiers", NULL, hb);
    assert_int_equal(f->r.status, 200);
    check_scope(f, "own", "user", "rep-east-1");
}

/* Pareto, lifecycle, matrix and review within the caller's scope: the portfolio of the accounts
 * GET /accounts lists to the same user (lifecycle and matrix: all of them, per stage and per
 * quadrant; Pareto: the same population and total as the user's summary, whose figures are of
 * the same accounts; review: the scored ones, as many as the user's tiers count, candidates
 * among them only), not the director's. */
/* The matrix's axes and thresholds as `kam matrix` takes them: the director's answer (every
 * account) has the CLI's counts; a bad axis, threshold or peers is a 400 naming the parameter. */
static void test_matrix_axes(void **state)
{
    struct fx *f = *state;
    char cookie[256];
    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "GET",
        "/api/v1/analyses/matrix?limit=0&current=revenue&potential=growth&current_threshold=100000",
        NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *cli =
        cli_json("matrix --current revenue --potential growth --current-threshold 100000 --json");
    assert_non_null(cli);
    const char *q;
    json_t *v;
    json_object_foreach(json_object_get(cli, "quadrants"), q, v) assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(f->r.json, "quadrants"), q), "accounts")),
        json_integer_value(json_object_get(v, "accounts")));
    json_decref(cli);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(f->r.json, "current"), "threshold_from")),
        "given");
    static const struct {
        const char *query, *field;
    } bad[] = {{"current=bogus", "current"},
               {"current_threshold=abc", "current_threshold"},
               {"peers=city", "peers"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/analyses/matrix?%s", bad[i].query);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        assert_string_equal(problem_field(&f->r), bad[i].field);
    }
}

/* An account's cross-sell gaps: the director's answer is the CLI's (both see every account); a
 * rep cannot read another team's; a bad option is a 400 naming it. */
static void test_whitespace(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[160];
    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    snprintf(path, sizeof(path), "/api/v1/accounts/%s/whitespace?peers=industry", own_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *cli = cli_json("whitespace %s --peers industry --json", own_code);
    assert_non_null(cli);
    static const char *const same[] = {"code", "peers", "group", "worth", "as_of"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        assert_string_equal(json_string_value(json_object_get(f->r.json, same[i])),
                            json_string_value(json_object_get(cli, same[i])));
    assert_int_equal(json_array_size(json_object_get(f->r.json, "gaps")),
                     json_array_size(json_object_get(cli, "gaps")));
    json_decref(cli);
    char rcookie[256];
    login(f, "rep-east-1", rcookie, sizeof(rcookie), NULL, 0);
    const char *const rh[] = {rcookie, NULL};
    expect_hidden(f, "GET", "/api/v1/accounts/%s/whitespace", NULL, rh);
    static const struct {
        const char *query, *field;
    } bad[] = {{"peers=city", "peers"}, {"min_share=150", "min_share"}, {"below=x", "below"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(path, sizeof(path), "/api/v1/accounts/%s/whitespace?%s", own_code, bad[i].query);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        assert_string_equal(problem_field(&f->r), bad[i].field);
    }
}

static void test_portfolio_analyses_scoped(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *user, *kind, *key, *value;
    } cases[] = {
        {"director", "all", NULL, NULL},
        {"rep-east-1", "own", "user", "rep-east-1"},
        {"manager-east", "team", "team", "east"},
        {"viewer-east", "team", "team", "east"},
    };
    json_int_t all_population = 0;
    char cookie[256];
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        login(f, cases[k].user, cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        json_int_t total = list_total(f, h, "");
        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/lifecycle", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: lifecycle: status %ld: %s", cases[k].user, f->r.status, f->r.body);
        check_scope(f, cases[k].kind, cases[k].key, cases[k].value);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), total);
        json_int_t staged = 0;
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(f->r.json, "stages"), i, st) staged +=
            json_integer_value(json_object_get(st, "accounts"));
        assert_int_equal(staged, total);

        req(f->h, &f->r, &f->s, "GET", "/api/v1/summary", NULL, h);
        assert_int_equal(f->r.status, 200);
        json_t *sum = json_incref(json_object_get(f->r.json, "pareto"));
        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/pareto", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: pareto: status %ld: %s", cases[k].user, f->r.status, f->r.body);
        check_scope(f, cases[k].kind, cases[k].key, cases[k].value);
        json_int_t population = json_integer_value(json_object_get(f->r.json, "population"));
        assert_int_equal(population, json_integer_value(json_object_get(sum, "population")));
        assert_string_equal(json_string_value(json_object_get(f->r.json, "total")),
                            json_string_value(json_object_get(sum, "population_revenue")));
        assert_int_equal(json_array_size(json_object_get(f->r.json, "curve")), population);
        json_decref(sum);

        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/matrix", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: matrix: status %ld: %s", cases[k].user, f->r.status, f->r.body);
        check_scope(f, cases[k].kind, cases[k].key, cases[k].value);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), total);
        json_int_t quadrants = 0;
        const char *q;
        json_object_foreach(json_object_get(f->r.json, "quadrants"), q, st) quadrants +=
            json_integer_value(json_object_get(st, "accounts"));
        assert_int_equal(quadrants, total);

        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/tiers", NULL, h);
        assert_int_equal(f->r.status, 200);
        json_int_t scored = json_integer_value(json_object_get(f->r.json, "accounts"));
        req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=500", NULL, h);
        json_t *list = json_incref(json_object_get(f->r.json, "items")), *it;
        req(f->h, &f->r, &f->s, "GET", "/api/v1/review", NULL, h);
        if (f->r.status != 200)
            fail_msg("%s: review: status %ld: %s", cases[k].user, f->r.status, f->r.body);
        check_scope(f, cases[k].kind, cases[k].key, cases[k].value);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), scored);
        json_array_foreach(json_object_get(f->r.json, "items"), i, st)
        {
            const char *code = json_string_value(json_object_get(st, "code"));
            bool listed = false;
            size_t j;
            json_array_foreach(list, j, it) listed |=
                strcmp(json_string_value(json_object_get(it, "code")), code) == 0;
            if (!listed)
                fail_msg("%s: review candidate %s is not in the user's list", cases[k].user, code);
        }
        json_decref(list);
        if (k == 0)
            all_population = population;
        else if (population == 0 || population >= all_population)
            fail_msg("%s: a population of %lld, the director's %lld", cases[k].user,
                     (long long)population, (long long)all_population);
    }
}

/* Last: kam metrics stores the metrics anew (dropping the stored explanations). */
static void test_account_metrics(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[128], csv[PATH_MAX + 16];
    /* An account of rep-east-1 added now: no metrics stored for it yet. */
    snprintf(csv, sizeof(csv), "%s/nometrics.csv", dir);
    FILE *cf = fopen(csv, "w");
    assert_non_null(cf);
    fprintf(cf, "code,name,owner\nZ000002,No Metrics Co,rep-east-1\n");
    fclose(cf);
    assert_int_equal(run(NULL, NULL, 0, "'%s' --db '%s' import accounts '%s'", KAM, db, csv), 0);

    login(f, "rep-east-1", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/Z000002/metrics", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    assert_non_null(
        strstr(json_string_value(json_object_get(f->r.json, "detail")), "no metrics yet"));

    /* The CLI computes and stores them; the route answers what it stored. */
    json_t *cli = cli_json("metrics --json");
    assert_non_null(cli);
    json_t *item = NULL, *it;
    size_t i;
    json_array_foreach(json_object_get(cli, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "code")), own_code) == 0)
            item = it;
    }
    assert_non_null(item);
    snprintf(path, sizeof(path), "/api/v1/accounts/%s/metrics", own_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_string_equal(json_string_value(json_object_get(f->r.json, "account")), own_code);
    assert_true(same_value(json_object_get(f->r.json, "as_of"), json_object_get(cli, "as_of")));
    assert_true(same_value(json_object_get(f->r.json, "window_months"),
                           json_object_get(cli, "window_months")));
    assert_true(json_is_string(json_object_get(f->r.json, "revenue"))); /* money: exact */
    const char *k;
    json_t *v;
    size_t n = 0;
    json_object_foreach(f->r.json, k, v)
    {
        if (strcmp(k, "account") == 0 || strcmp(k, "as_of") == 0 || strcmp(k, "window_months") == 0)
            continue;
        if (!same_value(v, json_object_get(item, k)))
            fail_msg("metric '%s' differs from kam metrics --json", k);
        n++;
    }
    assert_true(n >= 20);
    json_decref(cli);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/Z000002/metrics", NULL, h);
    assert_int_equal(f->r.status, 200);

    /* Another team's account and a code that does not exist: the same answer. */
    expect_hidden(f, "GET", "/api/v1/accounts/%s/metrics", NULL, h);
    req(f->h, &f->r, &f->s, "GET", path, NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
}

/* --- PATCH /accounts/{code} ----------------------------------------------------------------- */

struct stored_account {
    int64_t version;
    char region[64], owner[64], credit_limit[32];
};

static int stored_row(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                      const char *created_at, const char *updated_at)
{
    struct stored_account *a = ctx;
    char buf[40];
    (void)id, (void)created_at, (void)updated_at;
    a->version = version;
    snprintf(a->region, sizeof(a->region), "%.*s", (int)vals[KAM_ACC_REGION].len,
             vals[KAM_ACC_REGION].null ? "" : vals[KAM_ACC_REGION].s);
    snprintf(a->owner, sizeof(a->owner), "%.*s", (int)vals[KAM_ACC_OWNER].len,
             vals[KAM_ACC_OWNER].null ? "" : vals[KAM_ACC_OWNER].s);
    snprintf(a->credit_limit, sizeof(a->credit_limit), "%s",
             vals[KAM_ACC_CREDIT_LIMIT].null
                 ? "null"
                 : kam_money_str(vals[KAM_ACC_CREDIT_LIMIT].i, buf, sizeof(buf)));
    return 0;
}

/* Account code as stored, read from the database directly (not through the server under
 * test). */
static struct stored_account stored(const char *code)
{
    struct kam_store *st = NULL;
    struct kam_err err;
    struct stored_account a = {0};
    kam_err_clear(&err);
    if (kam_store_open(db, 0, &st, &err) != KAM_OK)
        fail_msg("opening %s: %s", db, err.msg);
    if (st->ops->account_get_scoped(st, code, NULL, stored_row, &a, &err) != KAM_OK) {
        kam_store_close(st);
        fail_msg("reading account %s: %s", code, err.msg);
    }
    kam_store_close(st);
    return a;
}

/* Refusals before any write: nobody, a viewer, no CSRF header, another team's account (the 404
 * of a missing code), and bodies the handler or the rules refuse, each naming its field. The
 * account, its version and the audit log stay as they were. */
static void test_account_patch_refused(void **state)
{
    struct fx *f = *state;
    char cookie[256], csrf[128], hdr[160], path[128], west[128], body[256];
    struct stored_account before = stored(edit_code);
    size_t audits = audit_count();
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", edit_code);
    snprintf(west, sizeof(west), "/api/v1/accounts/%s", west_code);
    snprintf(body, sizeof(body), "{\"version\": %lld, \"region\": \"西北\"}",
             (long long)before.version);

    req(f->h, &f->r, &f->s, "PATCH", path, body, JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    login(f, "viewer-east", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const hv[] = {cookie, hdr, JSON[0], NULL};
    req(f->h, &f->r, &f->s, "PATCH", path, body, hv);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    login(f, "rep-east-1", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const nocsrf[] = {cookie, JSON[0], NULL};
    req(f->h, &f->r, &f->s, "PATCH", path, body, nocsrf);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");

    /* Another team's account and a code that does not exist: the same answer. */
    const char *const h[] = {cookie, hdr, JSON[0], NULL};
    expect_hidden(f, "PATCH", "/api/v1/accounts/%s", "{\"version\": 1, \"region\": \"西北\"}", h);

    static const struct {
        const char *name, *body, *field;
        long status;
    } bad[] = {
        {"not JSON", "{\"version\": 1, \"region\": ", "body", 400},
        {"not an object", "[1]", "body", 400},
        {"unknown field", "{\"version\": 1, \"colour\": \"red\"}", "colour", 400},
        {"the code", "{\"version\": 1, \"code\": \"X1\"}", "code", 400},
        {"text as a number", "{\"version\": 1, \"region\": 5}", "region", 400},
        {"money as a number", "{\"version\": 1, \"credit_limit\": 100}", "credit_limit", 400},
        {"money not a decimal", "{\"version\": 1, \"credit_limit\": \"lots\"}", "credit_limit",
         400},
        {"whole number as text", "{\"version\": 1, \"employees\": \"9\"}", "employees", 400},
        {"no version", "{\"region\": \"西北\"}", "version", 400},
        {"version not a number", "{\"version\": \"1\", \"region\": \"西北\"}", "version", 400},
        {"unknown level", "{\"version\": 1, \"level\": \"gold\"}", "level", 422},
        {"empty name", "{\"version\": 1, \"name\": \"\"}", "name", 422},
        {"not a year", "{\"version\": 1, \"founded\": 99}", "founded", 422},
        {"negative credit", "{\"version\": 1, \"credit_limit\": \"-5\"}", "credit_limit", 422},
        {"parent unknown", "{\"version\": 1, \"parent\": \"C999999\"}", "parent", 422},
        {"parent outside the scope", "{\"version\": 1, \"parent\": \"WEST\"}", "parent", 422},
        {"owner outside the scope", "{\"version\": 1, \"owner\": \"rep-west-1\"}", "owner", 422},
        {"no owner", "{\"version\": 1, \"owner\": null}", "owner", 422},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        char b[256];
        const char *w = strstr(bad[k].body, "WEST");
        if (w)
            snprintf(b, sizeof(b), "%.*s%s%s", (int)(w - bad[k].body), bad[k].body, west_code,
                     w + 4);
        else
            snprintf(b, sizeof(b), "%s", bad[k].body);
        req(f->h, &f->r, &f->s, "PATCH", path, b, h);
        if (f->r.status != bad[k].status)
            fail_msg("%s: status %ld: %s", bad[k].name, f->r.status, f->r.body);
        check_problem(&f->r, bad[k].status,
                      bad[k].status == 422 ? "urn:kam:problem:unprocessable"
                                           : "urn:kam:problem:bad-request");
        if (problem_field(&f->r) == NULL || strcmp(problem_field(&f->r), bad[k].field) != 0)
            fail_msg("%s: %s", bad[k].name, f->r.body);
    }
    /* Every field at fault is listed, not only the first. */
    req(f->h, &f->r, &f->s, "PATCH", path, "{\"colour\": 1, \"region\": 5}", h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_int_equal(json_array_size(json_object_get(f->r.json, "errors")), 3);
    /* A malformed If-Match, and one that contradicts the body. */
    const char *const weak[] = {cookie, hdr, JSON[0], "If-Match: W/\"1\"", NULL};
    req(f->h, &f->r, &f->s, "PATCH", path, "{\"region\": \"西北\"}", weak);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "If-Match");
    const char *const two[] = {cookie, hdr, JSON[0], "If-Match: \"7\"", NULL};
    req(f->h, &f->r, &f->s, "PATCH", path, "{\"version\": 1, \"region\": \"西北\"}", two);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "version");

    /* Nothing was written, nor audited. */
    struct stored_account after = stored(edit_code);
    assert_int_equal(after.version, before.version);
    assert_string_equal(after.region, before.region);
    assert_string_equal(after.owner, before.owner);
    assert_string_equal(after.credit_limit, before.credit_limit);
    assert_int_equal(audit_count(), audits);
}

/* Two writers read the same version: the first wins, the second gets 409 naming the version now
 * stored, and the database keeps the first change. The answer is the account as GET gives it,
 * with its new version as ETag; the audit entry holds only the changed fields. */
static void test_account_patch_versions(void **state)
{
    struct fx *f = *state;
    char cookie[256], csrf[128], hdr[160], path[128], body[256], etag[64], want[64];
    struct stored_account before = stored(edit_code);
    size_t audits = audit_count();
    long long v = (long long)before.version;
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", edit_code);
    login(f, "rep-east-1", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const h[] = {cookie, hdr, JSON[0], NULL};

    snprintf(body, sizeof(body),
             "{\"version\": %lld, \"region\": \"西北\", \"credit_limit\": \"1200.5\", "
             "\"owner\": \"rep-east-1\"}",
             v);
    req(f->h, &f->r, &f->s, "PATCH", path, body, h);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")), v + 1);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "region")), "西北");
    assert_string_equal(json_string_value(json_object_get(f->r.json, "credit_limit")), "1200.5");
    assert_string_equal(json_string_value(json_object_get(f->r.json, "code")), edit_code);
    snprintf(want, sizeof(want), "\"%lld\"", v + 1);
    assert_string_equal(header(&f->r, "ETag", etag, sizeof(etag)), want);

    /* The second writer read the same version. */
    snprintf(body, sizeof(body), "{\"version\": %lld, \"region\": \"东北\"}", v);
    req(f->h, &f->r, &f->s, "PATCH", path, body, h);
    check_problem(&f->r, 409, "urn:kam:problem:conflict");
    char says[64];
    snprintf(says, sizeof(says), "version %lld, not %lld", v + 1, v);
    assert_non_null(strstr(json_string_value(json_object_get(f->r.json, "detail")), says));
    struct stored_account now = stored(edit_code);
    assert_int_equal(now.version, v + 1);
    assert_string_equal(now.region, "西北");
    assert_string_equal(now.credit_limit, "1200.5");

    /* One audit entry, with only what changed (the owner was already rep-east-1). */
    assert_int_equal(audit_count(), audits + 1);
    json_t *e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "account.update");
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "rep-east-1");
    assert_string_equal(json_string_value(json_object_get(e, "entity")), "account");
    assert_string_equal(json_string_value(json_object_get(e, "key")), edit_code);
    json_t *eb = json_object_get(e, "before"), *ea = json_object_get(e, "after");
    assert_int_equal(json_object_size(eb), 2);
    assert_int_equal(json_object_size(ea), 2);
    assert_string_equal(json_string_value(json_object_get(eb, "region")), before.region);
    assert_string_equal(json_string_value(json_object_get(ea, "region")), "西北");
    assert_string_equal(json_string_value(json_object_get(ea, "credit_limit")), "1200.5");
    json_decref(e);

    /* If-Match carries the version instead: the ETag of a GET. */
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    assert_non_null(header(&f->r, "ETag", etag, sizeof(etag)));
    char im[96];
    snprintf(im, sizeof(im), "If-Match: %s", etag);
    const char *const hm[] = {cookie, hdr, JSON[0], im, NULL};
    req(f->h, &f->r, &f->s, "PATCH", path, "{\"credit_limit\": null}", hm);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_true(json_is_null(json_object_get(f->r.json, "credit_limit")));
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")), v + 2);
    req(f->h, &f->r, &f->s, "PATCH", path, "{\"credit_limit\": \"1\"}", hm); /* now stale */
    check_problem(&f->r, 409, "urn:kam:problem:conflict");
    now = stored(edit_code);
    assert_int_equal(now.version, v + 2);
    assert_string_equal(now.credit_limit, "null");
    /* A PATCH that changes nothing writes nothing: same version, no audit entry. */
    snprintf(body, sizeof(body), "{\"version\": %lld, \"region\": \"西北\"}", v + 2);
    req(f->h, &f->r, &f->s, "PATCH", path, body, h);
    assert_int_equal(f->r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")), v + 2);
    assert_int_equal(audit_count(), audits + 2);
    /* The list shows the new version too. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=500", NULL, h);
    json_t *it;
    size_t i;
    bool found = false;
    json_array_foreach(json_object_get(f->r.json, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "code")), edit_code) == 0) {
            assert_int_equal(json_integer_value(json_object_get(it, "version")), v + 2);
            found = true;
        }
    }
    assert_true(found);
}

/* A manager may hand an account to a member of the team, not outside it. */
static void test_account_patch_owner_within_team(void **state)
{
    struct fx *f = *state;
    char cookie[256], csrf[128], hdr[160], path[128], body[256];
    struct stored_account before = stored(edit_code);
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", edit_code);
    login(f, "manager-east", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const h[] = {cookie, hdr, JSON[0], NULL};
    snprintf(body, sizeof(body), "{\"version\": %lld, \"owner\": \"rep-west-1\"}",
             (long long)before.version);
    req(f->h, &f->r, &f->s, "PATCH", path, body, h);
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_string_equal(problem_field(&f->r), "owner");
    snprintf(body, sizeof(body), "{\"version\": %lld, \"owner\": \"rep-east-2\"}",
             (long long)before.version);
    req(f->h, &f->r, &f->s, "PATCH", path, body, h);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_string_equal(stored(edit_code).owner, "rep-east-2");
    /* And back, so that the account stays rep-east-1's for the other tests. */
    snprintf(body, sizeof(body), "{\"version\": %lld, \"owner\": \"rep-east-1\"}",
             (long long)before.version + 1);
    req(f->h, &f->r, &f->s, "PATCH", path, body, h);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(stored(edit_code).owner, "rep-east-1");
}

/* --- GET /audit ------------------------------------------------------------------------------ */

/* Admin only; newest first; the filters and pages agree with the CLI's view of the log; before
 * and after are JSON objects. Runs after the PATCH tests, which leave account.update entries. */
static void test_audit_route(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[256];
    static const char *const refused[] = {"director", "manager-east", "rep-east-1", "viewer-east"};
    for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
        login(f, refused[k], cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/audit", NULL, h);
        check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    }
    req(f->h, &f->r, &f->s, "GET", "/api/v1/audit", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");

    login(f, "admin", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    json_t *cli = cli_json("audit --limit 0 --json");
    size_t n = json_array_size(cli);
    assert_true(n >= 5);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/audit?per_page=500", NULL, h);
    if (f->r.status != 200)
        fail_msg("status %ld: %s", f->r.status, f->r.body ? f->r.body : "");
    json_t *items = json_object_get(f->r.json, "items");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), n);
    assert_int_equal(json_array_size(items), n);
    assert_true(json_is_null(json_object_get(f->r.json, "next")));
    /* The same entries as the CLI's, newest first. */
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array_get(items, i), *b = json_array_get(cli, i);
        static const char *const same[] = {"id", "at", "actor", "action", "entity", "key"};
        for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++)
            if (!json_equal(json_object_get(a, same[k]), json_object_get(b, same[k])))
                fail_msg("entry %zu: '%s' differs from kam audit --json", i, same[k]);
        if (i > 0)
            assert_true(json_integer_value(json_object_get(a, "id")) <
                        json_integer_value(json_object_get(json_array_get(items, i - 1), "id")));
    }
    json_decref(cli);

    /* The PATCH tests' entries: by action, key and actor, with before and after as objects. */
    snprintf(path, sizeof(path), "/api/v1/audit?action=account.update&key=%s&actor=rep-east-1",
             edit_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    assert_int_equal(f->r.status, 200);
    items = json_object_get(f->r.json, "items");
    assert_true(json_array_size(items) >= 2);
    json_t *it;
    size_t i;
    json_array_foreach(items, i, it)
    {
        assert_string_equal(json_string_value(json_object_get(it, "action")), "account.update");
        assert_string_equal(json_string_value(json_object_get(it, "entity")), "account");
        assert_string_equal(json_string_value(json_object_get(it, "key")), edit_code);
        assert_true(json_is_object(json_object_get(it, "before")));
        assert_true(json_is_object(json_object_get(it, "after")));
    }
    /* The oldest of them set the region and the credit limit. */
    json_t *first = json_array_get(items, json_array_size(items) - 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(first, "after"), "region")), "西北");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/audit?entity=account&actor=nobody", NULL, h);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), 0);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/audit?since=2999-01-01", NULL, h);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), 0);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/audit?since=2000-01-01&per_page=500", NULL, h);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), n);

    /* Pages: two entries each, all of them once, newest first. */
    size_t seen = 0;
    json_int_t last = INT64_MAX;
    for (int page = 1; page <= 100; page++) {
        snprintf(path, sizeof(path), "/api/v1/audit?per_page=2&page=%d", page);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        assert_int_equal(f->r.status, 200);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), n);
        json_array_foreach(json_object_get(f->r.json, "items"), i, it)
        {
            assert_true(json_integer_value(json_object_get(it, "id")) < last);
            last = json_integer_value(json_object_get(it, "id"));
            seen++;
        }
        if (json_is_null(json_object_get(f->r.json, "next")))
            break;
    }
    assert_int_equal(seen, n);

    static const struct {
        const char *query, *field;
    } bad[] = {
        {"since=yesterday", "since"},
        {"since=2025-02-30", "since"},
        {"since=2025-01-01T10:00", "since"},
        {"per_page=501", "per_page"},
        {"page=0", "page"},
        {"who=admin", "who"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        snprintf(path, sizeof(path), "/api/v1/audit?%s", bad[k].query);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        if (problem_field(&f->r) == NULL || strcmp(problem_field(&f->r), bad[k].field) != 0)
            fail_msg("?%s: %s", bad[k].query, f->r.body);
    }
}

/* --- the account list by tier and stage ------------------------------------------------------ */

static int latest_run(void *ctx, const struct kam_run *run)
{
    *(int64_t *)ctx = run->id;
    return 1;
}

static int score_tier(void *ctx, const struct kam_score_row *row)
{
    snprintf(ctx, 16, "%s", row->tier);
    return 0;
}

/* The tier of account code in the latest scoring run ("" when not scored), read from the
 * database directly (not through the server under test). */
static void tier_of(const char *code, char out[16])
{
    struct kam_store *st = NULL;
    struct kam_err err;
    int64_t id = 0, run = 0;
    out[0] = '\0';
    kam_err_clear(&err);
    if (kam_store_open(db, 0, &st, &err) != KAM_OK)
        fail_msg("opening %s: %s", db, err.msg);
    if (st->ops->account_get_scoped(st, code, NULL, id_row, &id, &err) != KAM_OK ||
        st->ops->run_list(st, 1, latest_run, &run, &err) != KAM_OK ||
        st->ops->score_each(st, run, id, score_tier, out, &err) != KAM_OK) {
        kam_store_close(st);
        fail_msg("reading the tier of %s: %s", code, err.msg);
    }
    kam_store_close(st);
}

/* The accounts of one tier (or stage) of the latest run, within the caller's scope: the tiers
 * partition the scored accounts, each listed account has that tier in the run's scores, and a rep
 * sees only their own. */
static void test_account_list_tier_and_stage(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[160];
    static const char *const tiers[] = {"key", "major", "ordinary", "small"};
    static const char *const users[] = {"director", "rep-east-1"};
    for (size_t u = 0; u < 2; u++) {
        login(f, users[u], cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=1", NULL, h);
        json_int_t all = json_integer_value(json_object_get(f->r.json, "total")), sum = 0;
        for (size_t t = 0; t < 4; t++) {
            snprintf(path, sizeof(path), "/api/v1/accounts?tier=%s&per_page=500", tiers[t]);
            req(f->h, &f->r, &f->s, "GET", path, NULL, h);
            assert_int_equal(f->r.status, 200);
            json_t *items = json_object_get(f->r.json, "items"), *it;
            size_t i;
            sum += json_integer_value(json_object_get(f->r.json, "total"));
            json_array_foreach(items, i, it)
            {
                if (u == 1)
                    assert_string_equal(json_string_value(json_object_get(it, "owner")),
                                        "rep-east-1");
                if (i >= 2)
                    continue; /* the first two are enough to check the tier */
                char tier[16];
                tier_of(json_string_value(json_object_get(it, "code")), tier);
                assert_string_equal(tier, tiers[t]);
            }
        }
        /* Every scored account has one tier; UNSCORED (rep-east-1's) may not be scored yet. */
        assert_true(sum == all || sum == all - 1);
        /* Stages partition them too. */
        json_int_t stages = 0;
        static const char *const names[] = {"none",      "new",     "exploration", "formation",
                                            "stability", "decline", "dormant",     "lost"};
        for (size_t k = 0; k < 8; k++) {
            snprintf(path, sizeof(path), "/api/v1/accounts?stage=%s&per_page=1", names[k]);
            req(f->h, &f->r, &f->s, "GET", path, NULL, h);
            assert_int_equal(f->r.status, 200);
            stages += json_integer_value(json_object_get(f->r.json, "total"));
        }
        assert_int_equal(stages, sum);
    }
    const char *const h[] = {cookie, NULL};
    static const struct {
        const char *query, *field;
    } bad[] = {{"tier=gold", "tier"}, {"tier=KEY", "tier"}, {"stage=thriving", "stage"}};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        snprintf(path, sizeof(path), "/api/v1/accounts?%s", bad[k].query);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        assert_string_equal(problem_field(&f->r), bad[k].field);
    }
}

/* --- imports --------------------------------------------------------------------------------- */

/* These tests add accounts: they run last, after every test that counts the demo's. */

/* Every audit entry, counted with the CLI (no limit). */
static size_t audit_total(void)
{
    return audit_count();
}

/* The record counts of GET /summary as text ("accounts contacts products lines payments"), to
 * compare the database before and after a refused import. */
static void counts_of(struct fx *f, const char *const *h, char out[128])
{
    req(f->h, &f->r, &f->s, "GET", "/api/v1/summary", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *c = json_object_get(f->r.json, "counts");
    snprintf(out, 128, "%lld %lld %lld %lld %lld",
             (long long)json_integer_value(json_object_get(c, "accounts")),
             (long long)json_integer_value(json_object_get(c, "contacts")),
             (long long)json_integer_value(json_object_get(c, "products")),
             (long long)json_integer_value(json_object_get(c, "order_lines")),
             (long long)json_integer_value(json_object_get(c, "payments")));
}

/* Signs in as the director; h gets the cookie and CSRF header lines, the CSV content type. */
struct importer {
    char cookie[256], csrf[128], csrf_h[160];
    const char *h[4];
};

static void importer_login(struct fx *f, struct importer *im, const char *user)
{
    login(f, user, im->cookie, sizeof(im->cookie), im->csrf, sizeof(im->csrf));
    snprintf(im->csrf_h, sizeof(im->csrf_h), "X-CSRF-Token: %s", im->csrf);
    im->h[0] = im->cookie;
    im->h[1] = im->csrf_h;
    im->h[2] = "Content-Type: text/csv";
    im->h[3] = NULL;
}

static void post_csv(struct fx *f, const struct importer *im, const char *path, const char *csv,
                     size_t len)
{
    req_n(f->h, &f->r, &f->s, "POST", path, csv, len, im->h);
}

static void expect_status(const struct resp *r, long status)
{
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body ? r->body : "");
}

static void test_import_accounts(void **state)
{
    struct fx *f = *state;
    struct importer im;
    static const char csv[] = "code,name,owner,region\n"
                              "IMP001,Import One,rep-east-1,East\n"
                              "IMP002,\"Import, Two\",rep-east-1,East\n";
    importer_login(f, &im, "director");
    size_t audits = audit_total();
    /* The analyses are kept per server thread between requests: they must see every write,
     * through this server (the import below) or another connection (the CLI, at the end). */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/lifecycle", NULL, im.h);
    expect_status(&f->r, 200);
    json_int_t before = json_integer_value(json_object_get(f->r.json, "accounts"));
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/lifecycle", NULL, im.h);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), before);

    /* A dry run reads and reports, and writes nothing: no account, no audit entry. */
    post_csv(f, &im, "/api/v1/imports/accounts?dry_run=true", csv, strlen(csv));
    expect_status(&f->r, 200);
    assert_true(json_is_false(json_object_get(f->r.json, "written")));
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "inserted")), 2);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/IMP001", NULL, im.h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    assert_int_equal(audit_total(), audits);

    post_csv(f, &im, "/api/v1/imports/accounts", csv, strlen(csv));
    expect_status(&f->r, 200);
    assert_true(json_is_true(json_object_get(f->r.json, "written")));
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "rows")), 2);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "inserted")), 2);
    assert_int_equal(json_array_size(json_object_get(f->r.json, "errors")), 0);
    assert_true(json_is_null(json_object_get(f->r.json, "rejects_csv")));
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/IMP002", NULL, im.h);
    expect_status(&f->r, 200);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "name")), "Import, Two");
    assert_string_equal(json_string_value(json_object_get(f->r.json, "owner")), "rep-east-1");
    for (int k = 0; k < 3; k++) { /* whichever thread answers */
        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/lifecycle", NULL, im.h);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), before + 2);
    }
    /* One audit entry, in the import's transaction, with the counts. */
    assert_int_equal(audit_total(), audits + 1);
    json_t *e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "import.accounts");
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "director");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "after"), "inserted")),
                     2);
    json_decref(e);

    /* Again: the same file changes nothing (upsert by code), as with the CLI. */
    post_csv(f, &im, "/api/v1/imports/accounts", csv, strlen(csv));
    expect_status(&f->r, 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "unchanged")), 2);
    /* A write through another connection (the CLI) is seen too. */
    char csv_path[PATH_MAX + 16];
    snprintf(csv_path, sizeof(csv_path), "%s/cli-import.csv", dir);
    FILE *cf = fopen(csv_path, "w");
    assert_non_null(cf);
    fprintf(cf, "code,name,owner\nIMP003,Import Three,rep-east-1\n");
    fclose(cf);
    assert_int_equal(
        run(NULL, NULL, 0, "'%s' --db '%s' import accounts '%s' >/dev/null", KAM, db, csv_path), 0);
    for (int k = 0; k < 3; k++) {
        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/lifecycle", NULL, im.h);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "accounts")), before + 3);
    }
}

static void test_import_refused_unchanged(void **state)
{
    struct fx *f = *state;
    struct importer im;
    char before[128], after[128];
    /* Line 3 has no code: the valid lines around it must not be written either. */
    static const char csv[] = "code,name,owner\n"
                              "IMP010,Valid Before,rep-east-1\n"
                              ",Missing Code,rep-east-1\n"
                              "IMP011,Valid After,rep-east-1\n";
    importer_login(f, &im, "director");
    counts_of(f, im.h, before);
    size_t audits = audit_total();

    post_csv(f, &im, "/api/v1/imports/accounts", csv, strlen(csv));
    check_problem(&f->r, 422, "urn:kam:problem:invalid");
    json_t *err = json_array_get(json_object_get(f->r.json, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(err, "line")), 3);
    assert_int_equal(json_integer_value(json_object_get(err, "column")), 1);
    assert_string_equal(json_string_value(json_object_get(err, "field")), "code");
    assert_non_null(json_string_value(json_object_get(err, "message")));
    json_t *report = json_object_get(f->r.json, "report");
    assert_true(json_is_false(json_object_get(report, "written")));
    assert_int_equal(json_integer_value(json_object_get(report, "rejected")), 1);
    assert_int_equal(json_integer_value(json_object_get(report, "inserted")), 0);

    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/IMP010", NULL, im.h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    counts_of(f, im.h, after);
    assert_string_equal(before, after);
    assert_int_equal(audit_total(), audits);

    /* reject=true: the valid rows go in, the invalid one comes back as the reject file. */
    post_csv(f, &im, "/api/v1/imports/accounts?reject=true", csv, strlen(csv));
    expect_status(&f->r, 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "inserted")), 2);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "rejected")), 1);
    const char *rej = json_string_value(json_object_get(f->r.json, "rejects_csv"));
    assert_non_null(rej);
    assert_non_null(strstr(rej, "code,name,owner,reject_reason\n"));
    assert_non_null(strstr(rej, ",Missing Code,rep-east-1,"));
    assert_null(strstr(rej, "Valid"));
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/IMP011", NULL, im.h);
    expect_status(&f->r, 200);
}

/* Orders go through the import's reader thread: the columns still name the right field. */
static void test_import_orders_rejects(void **state)
{
    struct fx *f = *state;
    struct importer im;
    static const char csv[] = "order_id,date,account,product,quantity,unit_price\n"
                              "IMPO1,2024-03-01,IMPACC,IMPPROD,2,10.5\n"
                              "IMPO2,2024-03-02,IMPACC,IMPPROD,x,10.5\n";
    importer_login(f, &im, "admin");
    post_csv(f, &im, "/api/v1/imports/orders?reject=true&create_missing=true", csv, strlen(csv));
    expect_status(&f->r, 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "inserted")), 1);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "rejected")), 1);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "created_accounts")), 1);
    json_t *err = json_array_get(json_object_get(f->r.json, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(err, "line")), 3);
    assert_int_equal(json_integer_value(json_object_get(err, "column")), 5);
    assert_string_equal(json_string_value(json_object_get(err, "field")), "quantity");
    assert_non_null(
        strstr(json_string_value(json_object_get(f->r.json, "rejects_csv")), "IMPO2,2024-03-02"));
    json_t *e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "import.orders");
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "admin");
    json_decref(e);
}

static void test_import_gb18030(void **state)
{
    struct fx *f = *state;
    struct importer im;
    static const char utf8[] = "code,name,owner,region\nIMPGB1,华东贸易有限公司,rep-east-1,华东\n";
    char gb[256], *in = (char *)utf8, *out = gb;
    size_t il = strlen(utf8), ol = sizeof(gb);
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &il, &out, &ol) != (size_t)-1);
    iconv_close(cd);
    size_t len = (size_t)(out - gb);
    assert_true(len < strlen(utf8)); /* two bytes a character, not three */
    importer_login(f, &im, "director");

    /* Read as UTF-8, the bytes are refused, naming the line and the option. */
    post_csv(f, &im, "/api/v1/imports/accounts", gb, len);
    check_problem(&f->r, 422, "urn:kam:problem:encoding");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(f->r.json, "errors"), 0), "line")),
                     2);

    post_csv(f, &im, "/api/v1/imports/accounts?encoding=gb18030", gb, len);
    expect_status(&f->r, 200);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/IMPGB1", NULL, im.h);
    expect_status(&f->r, 200);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "name")), "华东贸易有限公司");
    assert_string_equal(json_string_value(json_object_get(f->r.json, "region")), "华东");

    /* The charset of the Content-Type says the same; disagreeing with ?encoding is a 400. */
    const char *const h[] = {im.cookie, im.csrf_h, "Content-Type: text/csv; charset=GB18030", NULL};
    req_n(f->h, &f->r, &f->s, "POST", "/api/v1/imports/accounts?dry_run=true", gb, len, h);
    expect_status(&f->r, 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "unchanged")), 1);
    req_n(f->h, &f->r, &f->s, "POST", "/api/v1/imports/accounts?encoding=utf-8", gb, len, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
}

static void test_import_refusals(void **state)
{
    struct fx *f = *state;
    struct importer im;
    static const char csv[] = "code,name\nIMPREP,Rep's Own\n";
    size_t audits = audit_total();

    /* A rep may not import, by cookie or token. */
    importer_login(f, &im, "rep-east-1");
    post_csv(f, &im, "/api/v1/imports/accounts", csv, strlen(csv));
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    char bearer[192];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", token);
    const char *const hb[] = {bearer, "Content-Type: text/csv", NULL};
    req(f->h, &f->r, &f->s, "POST", "/api/v1/imports/accounts", csv, hb);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    login(f, "manager-east", im.cookie, sizeof(im.cookie), im.csrf, sizeof(im.csrf));
    snprintf(im.csrf_h, sizeof(im.csrf_h), "X-CSRF-Token: %s", im.csrf);
    post_csv(f, &im, "/api/v1/imports/accounts", csv, strlen(csv));
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");

    importer_login(f, &im, "director");
    /* Not CSV: 415, JSON included. */
    static const char *const types[] = {"Content-Type: application/json",
                                        "Content-Type: text/plain",
                                        "Content-Type: multipart/form-data; boundary=x"};
    for (size_t i = 0; i < 3; i++) {
        const char *const h[] = {im.cookie, im.csrf_h, types[i], NULL};
        req(f->h, &f->r, &f->s, "POST", "/api/v1/imports/accounts", csv, h);
        check_problem(&f->r, 415, "urn:kam:problem:unsupported-media-type");
    }
    /* Bad options: 400 naming them; an unknown kind: 404. */
    static const char *const bad[] = {
        "/api/v1/imports/accounts?dry_run=yes",
        "/api/v1/imports/accounts?reject=1",
        "/api/v1/imports/accounts?encoding=latin1",
        "/api/v1/imports/accounts?date_format=%25Q",
        "/api/v1/imports/accounts?map=nosuchfield%3Dcode",
        "/api/v1/imports/accounts?delimiter=%3B",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        post_csv(f, &im, bad[i], csv, strlen(csv));
        if (f->r.status != 400)
            fail_msg("%s: status %ld: %s", bad[i], f->r.status, f->r.body ? f->r.body : "");
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    }
    post_csv(f, &im, "/api/v1/imports/widgets", csv, strlen(csv));
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/imports/accounts", NULL, im.h);
    check_problem(&f->r, 405, "urn:kam:problem:method-not-allowed");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/IMPREP", NULL, im.h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    assert_int_equal(audit_total(), audits);
}

/* Input meant to break the reader: a clear problem each time, and the database unchanged. */
static void test_import_hostile(void **state)
{
    struct fx *f = *state;
    struct importer im;
    char before[128], after[128];
    importer_login(f, &im, "director");
    counts_of(f, im.h, before);
    size_t audits = audit_total();

    /* Binary garbage, NUL bytes and all. */
    char garbage[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof(garbage); i++) {
        x = x * 1103515245u + 12345u;
        garbage[i] = (char)(x >> 16);
    }
    post_csv(f, &im, "/api/v1/imports/accounts", garbage, sizeof(garbage));
    expect_status(&f->r, 422);
    assert_non_null(json_string_value(json_object_get(f->r.json, "detail")));

    /* One line of 1.5 MB: over --max-body (1 MB), under --max-import-body; the field is over
     * the reader's 1 MiB. */
    size_t big = 1536 * 1024;
    char *line = malloc(big + 64);
    int n = snprintf(line, 64, "code,name\nIMPBIG,");
    memset(line + n, 'a', big);
    line[n + big] = '\n';
    post_csv(f, &im, "/api/v1/imports/accounts", line, (size_t)n + big + 1);
    free(line);
    check_problem(&f->r, 422, "urn:kam:problem:too-large");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(f->r.json, "errors"), 0), "line")),
                     2);

    /* A quote never closed. */
    static const char open_quote[] = "code,name\nIMPQ1,fine\nIMPQ2,\"never closed\nIMPQ3,x\n";
    post_csv(f, &im, "/api/v1/imports/accounts", open_quote, strlen(open_quote));
    check_problem(&f->r, 422, "urn:kam:problem:invalid");
    assert_non_null(strstr(json_string_value(json_object_get(f->r.json, "detail")), "quote"));
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(f->r.json, "errors"), 0), "line")),
                     3);

    /* Nothing at all, and a header only missing the code. */
    post_csv(f, &im, "/api/v1/imports/accounts", "", 0);
    check_problem(&f->r, 422, "urn:kam:problem:invalid");
    post_csv(f, &im, "/api/v1/imports/accounts", "name\nx\n", 7);
    check_problem(&f->r, 422, "urn:kam:problem:invalid");
    assert_non_null(strstr(json_string_value(json_object_get(f->r.json, "detail")), "code"));

    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/IMPQ1", NULL, im.h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    counts_of(f, im.h, after);
    assert_string_equal(before, after);
    assert_int_equal(audit_total(), audits);
}

static int setup_small_import(void **state)
{
    return setup_with(state, "--threads 2 --max-import-body 4096");
}

/* --max-import-body bounds the import route only. */
static void test_import_body_limit(void **state)
{
    struct fx *f = *state;
    struct importer im;
    char *csv = malloc(8192);
    size_t len = (size_t)snprintf(csv, 8192, "code,name\n");
    for (int i = 0; len < 5000; i++)
        len += (size_t)snprintf(csv + len, 8192 - len, "IMPL%04d,Limit %d\n", i, i);
    importer_login(f, &im, "director");
    post_csv(f, &im, "/api/v1/imports/accounts?dry_run=true", csv, len);
    check_problem(&f->r, 413, "urn:kam:problem:too-large");
    assert_non_null(strstr(json_string_value(json_object_get(f->r.json, "detail")), "4096"));
    post_csv(f, &im, "/api/v1/imports/accounts?dry_run=true", csv, 2000);
    expect_status(&f->r, 200);
    free(csv);
}

/* --- background jobs ------------------------------------------------------------------------- */

/* Signs in as user and fills h (cookie, CSRF header, NULL) for cookie writes. */
static void cookie_headers(struct fx *f, const char *user, char cookie[256], char hdr[160],
                           const char *h[3])
{
    char csrf[128];
    login(f, user, cookie, 256, csrf, sizeof(csrf));
    snprintf(hdr, 160, "X-CSRF-Token: %s", csrf);
    h[0] = cookie;
    h[1] = hdr;
    h[2] = NULL;
}

/* POST /scoring/runs?async=true, which must answer 202; the job's URL into url (the Location,
 * checked against the body). */
static void queue_run(struct fx *f, const char *const *h, char url[64])
{
    char loc[128];
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs?async=true", NULL, h);
    if (f->r.status != 202)
        fail_msg("status %ld, want 202: %s", f->r.status, f->r.body ? f->r.body : "");
    assert_non_null(header(&f->r, "Location", loc, sizeof(loc)));
    assert_true(strncmp(loc, "/api/v1/jobs/", 13) == 0);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "url")), loc);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "state")), "queued");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "job")), atoll(loc + 13));
    snprintf(url, 64, "%.63s", loc);
}

static const char *job_state(const struct resp *r)
{
    return json_string_value(json_object_get(r->json, "state"));
}

/* Polls the job at url every 50 ms for at most 30 s until it is over (phase NULL) or running
 * in phase; its last answer is in f->r. */
static void job_wait(struct fx *f, const char *url, const char *const *h, const char *phase)
{
    for (int i = 0; i < 600; i++) {
        req(f->h, &f->r, &f->s, "GET", url, NULL, h);
        if (f->r.status != 200)
            fail_msg("GET %s: %ld %s", url, f->r.status, f->r.body ? f->r.body : "");
        const char *st = job_state(&f->r);
        const char *ph = json_string_value(json_object_get(f->r.json, "phase"));
        if (phase == NULL && st && (strcmp(st, "done") == 0 || strcmp(st, "failed") == 0))
            return;
        if (phase != NULL && st && strcmp(st, "running") == 0 && ph && strcmp(ph, phase) == 0)
            return;
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    fail_msg("job %s did not get %s within 30 s: %s", url, phase ? phase : "done", f->r.body);
}

/* Takes the database's write lock on a connection of our own: a job's storing transaction then
 * waits for it (the store's busy timeout is 5 s), so the job stays running meanwhile. */
static struct kam_store *write_lock(void)
{
    struct kam_store *st = NULL;
    struct kam_err err;
    kam_err_clear(&err);
    if (kam_store_open(db, 0, &st, &err) != KAM_OK || st->ops->begin(st, &err) != KAM_OK)
        fail_msg("taking the write lock of %s: %s", db, err.msg);
    return st;
}

static void write_unlock(struct kam_store *st)
{
    struct kam_err err;
    if (st->ops->rollback(st, &err) != KAM_OK)
        fail_msg("rollback: %s", err.msg);
    kam_store_close(st);
}

static void test_scoring_job(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], url[64], bearer[200];
    const char *h[3];
    cookie_headers(f, "director", cookie, hdr, h);

    /* A synchronous run first: the job must give the same figures. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs", NULL, h);
    assert_int_equal(f->r.status, 201);
    json_t *sync = json_incref(f->r.json);
    int64_t runs = history_len(own_code);

    queue_run(f, h, url);
    job_wait(f, url, h, NULL);
    json_t *job = f->r.json;
    assert_string_equal(job_state(&f->r), "done");
    assert_int_equal(json_integer_value(json_object_get(job, "status")), 201);
    assert_string_equal(json_string_value(json_object_get(job, "owner")), "director");
    assert_string_equal(json_string_value(json_object_get(job, "kind")), "scoring.run");
    assert_int_equal(json_integer_value(json_object_get(job, "total")), n_all);
    assert_int_equal(json_integer_value(json_object_get(job, "done")), n_all);
    assert_true(json_number_value(json_object_get(job, "percent")) == 100.0);
    assert_true(json_is_null(json_object_get(job, "problem")));
    json_t *res = json_object_get(job, "result");
    static const char *const same[] = {"model_version", "as_of",          "accounts",     "tiers",
                                       "pin_differs",   "missing_values", "kept_activity"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        if (!json_equal(json_object_get(res, same[i]), json_object_get(sync, same[i])))
            fail_msg("the job's %s differs from the synchronous run's", same[i]);
    json_int_t run = json_integer_value(json_object_get(res, "run"));
    assert_int_equal(run, json_integer_value(json_object_get(sync, "run")) + 1);
    assert_non_null(json_object_get(json_object_get(res, "phases"), "store"));
    json_decref(sync);
    /* Stored: the account's history and the changes know the run. */
    assert_int_equal(history_len(own_code), runs + 1);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/changes", NULL, h);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "run")), run);

    /* The owner's list, newest first, without the results. */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/jobs", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *first = json_array_get(json_object_get(f->r.json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "url")), url);
    assert_null(json_object_get(first, "result"));
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")),
                     json_array_size(json_object_get(f->r.json, "items")));

    /* A rep reads neither the job nor it in the list; an admin reads both. */
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", token);
    const char *const rep[] = {bearer, NULL};
    req(f->h, &f->r, &f->s, "GET", url, NULL, rep);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/jobs", NULL, rep);
    assert_int_equal(f->r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), 0);
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs?async=true", NULL, rep);
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/jobs/999999", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/jobs/x1", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/jobs", NULL, NULL);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    char acookie[256], ahdr[160];
    const char *ah[3];
    cookie_headers(f, "admin", acookie, ahdr, ah);
    req(f->h, &f->r, &f->s, "GET", url, NULL, ah);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "owner")), "director");

    /* A bad as_of or async is refused at once: no job. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs?async=true&as_of=2025-13-01", NULL, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "as_of");
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs?async=yes", NULL, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "async");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/jobs", NULL, h);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(f->r.json, "items"), 0), "url")),
                        url);
    assert_int_equal(history_len(own_code), runs + 1);
}

/* One scoring job at a time: while one waits for the write lock, a second is 409 naming it. */
static void test_scoring_job_one_at_a_time(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], url[64], again[64];
    const char *h[3];
    cookie_headers(f, "director", cookie, hdr, h);
    int64_t runs = history_len(own_code);

    struct kam_store *lock = write_lock();
    queue_run(f, h, url);
    job_wait(f, url, h, "store");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "done")), 0);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), n_all);
    double pct = json_number_value(json_object_get(f->r.json, "percent"));
    assert_true(pct > 0 && pct < 100);
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs?async=true", NULL, h);
    check_problem(&f->r, 409, "urn:kam:problem:conflict");
    assert_non_null(strstr(json_string_value(json_object_get(f->r.json, "detail")), url));
    write_unlock(lock);

    job_wait(f, url, h, NULL);
    assert_string_equal(job_state(&f->r), "done");
    assert_int_equal(history_len(own_code), runs + 1);
    /* Once it is over, the next one is taken. */
    queue_run(f, h, again);
    assert_string_not_equal(again, url);
    job_wait(f, again, h, NULL);
    assert_string_equal(job_state(&f->r), "done");
}

/* DELETE /jobs/{id}: someone else's job is a 404, a job already storing when asked finishes
 * done (a run is stopped only before it writes), a finished one is a 409. */
static void test_scoring_job_cancel(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], url[64], other[256], ohdr[160];
    const char *h[3], *oh[3];
    cookie_headers(f, "director", cookie, hdr, h);
    cookie_headers(f, "rep-east-1", other, ohdr, oh);
    int64_t runs = history_len(own_code);

    struct kam_store *lock = write_lock();
    queue_run(f, h, url);
    job_wait(f, url, h, "store");
    req(f->h, &f->r, &f->s, "DELETE", url, NULL, oh);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    req(f->h, &f->r, &f->s, "DELETE", url, NULL, h);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(job_state(&f->r), "running");
    write_unlock(lock);
    job_wait(f, url, h, NULL);
    assert_string_equal(job_state(&f->r), "done");
    assert_int_equal(history_len(own_code), runs + 1);
    req(f->h, &f->r, &f->s, "DELETE", url, NULL, h);
    check_problem(&f->r, 409, "urn:kam:problem:conflict");
    req(f->h, &f->r, &f->s, "DELETE", "/api/v1/jobs/999999", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
}

/* SIGTERM while a job runs: the server waits for it (within its 10 s budget), the run is
 * stored, and the server exits 0. */
static void test_scoring_job_at_shutdown(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], url[64];
    const char *h[3];
    int status;
    cookie_headers(f, "director", cookie, hdr, h);
    int64_t runs = history_len(own_code);

    struct kam_store *lock = write_lock();
    queue_run(f, h, url);
    job_wait(f, url, h, "store");
    kill(f->s.pid, SIGTERM);
    nanosleep(&(struct timespec){0, 500 * 1000 * 1000}, NULL);
    assert_int_equal(waitpid(f->s.pid, &status, WNOHANG), 0); /* still waiting for the job */
    write_unlock(lock);
    server_stop(&f->s); /* a second SIGTERM: still exit 0 within 15 s */
    assert_int_equal(history_len(own_code), runs + 1);
}

/* A job that fails for real: scoring a database without accounts. The problem is the one the
 * synchronous run answers. */
static void test_scoring_job_fails(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], url[64];
    const char *h[3];
    cookie_headers(f, "boss", cookie, hdr, h);
    queue_run(f, h, url);
    job_wait(f, url, h, NULL);
    assert_string_equal(job_state(&f->r), "failed");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "status")), 404);
    assert_true(json_is_null(json_object_get(f->r.json, "result")));
    json_t *p = json_object_get(f->r.json, "problem");
    assert_string_equal(json_string_value(json_object_get(p, "type")), "urn:kam:problem:not-found");
    assert_non_null(strstr(json_string_value(json_object_get(p, "detail")), "no accounts"));
    req(f->h, &f->r, &f->s, "POST", "/api/v1/scoring/runs", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
}

/* A server on an empty database (kam init) with one director, boss. */
static int setup_empty(void **state)
{
    char saved[sizeof(db)], empty[PATH_MAX + 16];
    snprintf(empty, sizeof(empty), "%s/empty.db", dir);
    if (access(empty, F_OK) != 0 &&
        (run(NULL, NULL, 0, "'%s' --db '%s' init >/dev/null", KAM, empty) != 0 ||
         run("kam-demo\n", NULL, 0,
             "'%s' --db '%s' user add boss --role director --password-stdin >/dev/null", KAM,
             empty) != 0))
        return -1;
    memcpy(saved, db, sizeof(db));
    snprintf(db, sizeof(db), "%s", empty);
    int r = setup_with(state, "--threads 2");
    memcpy(db, saved, sizeof(db));
    return r;
}

/* --- the demo database, once ----------------------------------------------------------------- */

static int group_setup(void **state)
{
    static char out[1 << 20];
    const char *tmp = getenv("TMPDIR");
    (void)state;
    snprintf(dir, sizeof(dir), "%s/kam-http-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(db, sizeof(db), "%s/kam.db", dir);
    if (run(NULL, NULL, 0, "'%s' --db '%s' demo --seed 1 --accounts 200", KAM, db) != 0 ||
        run("kam-demo\n", NULL, 0,
            "'%s' --db '%s' user add viewer-east --role viewer --team east --password-stdin "
            ">/dev/null",
            KAM, db) != 0 ||
        run(NULL, token, sizeof(token), "'%s' --db '%s' token create rep-east-1 2>/dev/null", KAM,
            db) != 0)
        return -1;
    token[strcspn(token, "\n")] = '\0';
    /* One scoring run, then an account that came after it (unscored, rep-east-1's). */
    char csv[PATH_MAX + 16];
    snprintf(csv, sizeof(csv), "%s/unscored.csv", dir);
    FILE *cf = fopen(csv, "w");
    if (cf == NULL)
        return -1;
    fprintf(cf, "code,name,owner\n%s,Unscored Co,rep-east-1\n", UNSCORED);
    fclose(cf);
    if (run(NULL, NULL, 0, "'%s' --db '%s' score", KAM, db) != 0 ||
        run(NULL, NULL, 0, "'%s' --db '%s' import accounts '%s'", KAM, db, csv) != 0 ||
        run(NULL, out, sizeof(out), "'%s' --db '%s' accounts --json", KAM, db) != 0)
        return -1;
    json_t *all = json_loads(out, 0, NULL), *it;
    size_t i;
    json_array_foreach(json_object_get(all, "items"), i, it)
    {
        const char *owner = json_string_value(json_object_get(it, "owner"));
        const char *code = json_string_value(json_object_get(it, "code"));
        n_all++;
        if (owner && (strcmp(owner, "rep-east-1") == 0 || strcmp(owner, "rep-east-2") == 0 ||
                      strcmp(owner, "manager-east") == 0))
            n_east++;
        if (owner && strcmp(owner, "rep-east-1") == 0) {
            n_rep_east_1++;
            if (own_code[0] && !edit_code[0])
                snprintf(edit_code, sizeof(edit_code), "%s", own_code);
            snprintf(own_code, sizeof(own_code), "%s", code);
        }
        if (owner && strcmp(owner, "rep-west-1") == 0)
            snprintf(west_code, sizeof(west_code), "%s", code);
    }
    json_decref(all);
    /* The summary's expectation comes from the CLI, not from the server under test. */
    if (run(NULL, out, sizeof(out), "'%s' --db '%s' summary --json", KAM, db) != 0)
        return -1;
    json_t *sum = json_loads(out, 0, NULL);
    const char *net = json_string_value(json_object_get(sum, "net_revenue"));
    snprintf(cli_net, sizeof(cli_net), "%s", net ? net : "");
    cli_accounts = json_integer_value(json_object_get(json_object_get(sum, "counts"), "accounts"));
    json_decref(sum);
    if (!cli_net[0] || cli_accounts != 201) /* the demo's 200 and UNSCORED */
        return -1;
    if (n_all != 201 || n_east == 0 || n_rep_east_1 == 0 || n_east == n_all || !west_code[0] ||
        !edit_code[0])
        return -1;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    run(NULL, NULL, 0, "rm -rf '%s'", dir);
    return 0;
}

/* Users, teams and tokens for the administrator: who may, what each route answers, that a
 * disabled user and a revoked token are refused at once, a new password works, and that an
 * admin cannot lock themselves out. */
static void test_users_admin(void **state)
{
    struct fx *f = *state;
    char cookie[256], csrf[128], hdr[160], body[512], bearer[192];
    static const char *const refused[] = {"director", "manager-east", "rep-east-1", "viewer-east"};
    static const char *const paths[] = {"/api/v1/users", "/api/v1/teams", "/api/v1/tokens"};
    for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
        login(f, refused[k], cookie, sizeof(cookie), csrf, sizeof(csrf));
        snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
        const char *const h[] = {cookie, hdr, JSON[0], NULL};
        for (size_t i = 0; i < 3; i++) {
            req(f->h, &f->r, &f->s, "GET", paths[i], NULL, h);
            check_problem(&f->r, 403, "urn:kam:problem:forbidden");
        }
        req(f->h, &f->r, &f->s, "POST", "/api/v1/tokens", "{\"user\": \"rep-east-1\"}", h);
        check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    }
    size_t audits = audit_count();

    login(f, "admin", cookie, sizeof(cookie), csrf, sizeof(csrf));
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const h[] = {cookie, hdr, JSON[0], NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/users", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *cli = cli_json("user list --json");
    assert_int_equal(json_array_size(json_object_get(f->r.json, "items")), json_array_size(cli));
    json_decref(cli);
    assert_null(strstr(f->r.body, "argon2")); /* never a hash */

    /* A team, then a user in it who signs in. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/teams", "{\"name\": \"north\"}", h);
    assert_int_equal(f->r.status, 201);
    req(f->h, &f->r, &f->s, "POST", "/api/v1/teams", "{\"name\": \"north\"}", h);
    check_problem(&f->r, 409, "urn:kam:problem:exists");
    const char *nu = "{\"username\": \"rep-north\", \"display_name\": \"北区\", \"role\": \"rep\", "
                     "\"team\": \"north\", \"password\": \"a-long-password-1\"}";
    req(f->h, &f->r, &f->s, "POST", "/api/v1/users", nu, h);
    if (f->r.status != 201)
        fail_msg("add user: %ld %s", f->r.status, f->r.body);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "team")), "north");
    int64_t version = json_integer_value(json_object_get(f->r.json, "version"));
    req(f->h, &f->r, &f->s, "POST", "/api/v1/users", nu, h);
    check_problem(&f->r, 409, "urn:kam:problem:exists");
    static const struct {
        const char *body, *field;
        long status;
    } bad[] = {
        {"{\"username\": \"x1\", \"role\": \"boss\", \"password\": \"a-long-password-1\"}", "role",
         422},
        {"{\"username\": \"x2\", \"role\": \"rep\", \"team\": \"nowhere\", \"password\": "
         "\"a-long-password-1\"}",
         "team", 422},
        {"{\"username\": \"x3\", \"role\": \"rep\", \"password\": \"short\"}", "password", 422},
        {"{\"username\": \"x4\", \"role\": \"rep\", \"password\": \"a-long-password-1\", "
         "\"admin\": true}",
         "admin", 400},
        {"{\"username\": 4, \"role\": \"rep\", \"password\": \"a-long-password-1\"}", "username",
         400},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req(f->h, &f->r, &f->s, "POST", "/api/v1/users", bad[i].body, h);
        if (f->r.status != bad[i].status)
            fail_msg("%s: %ld %s", bad[i].body, f->r.status, f->r.body);
        assert_string_equal(problem_field(&f->r), bad[i].field);
    }
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\": \"rep-north\", \"password\": \"a-long-password-1\"}", JSON);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(f->r.json, "user"), "role")), "rep");

    /* Disabled at the version read: they cannot sign in; a stale version is a conflict. */
    snprintf(body, sizeof(body), "{\"version\": %lld, \"disabled\": true}", (long long)version);
    req(f->h, &f->r, &f->s, "PATCH", "/api/v1/users/rep-north", body, h);
    assert_int_equal(f->r.status, 200);
    assert_true(json_is_true(json_object_get(f->r.json, "disabled")));
    req(f->h, &f->r, &f->s, "PATCH", "/api/v1/users/rep-north", body, h);
    check_problem(&f->r, 409, "urn:kam:problem:conflict");
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\": \"rep-north\", \"password\": \"a-long-password-1\"}", JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    snprintf(body, sizeof(body), "{\"version\": %lld, \"disabled\": false}",
             (long long)version + 1);
    req(f->h, &f->r, &f->s, "PATCH", "/api/v1/users/rep-north", body, h);
    assert_int_equal(f->r.status, 200);
    req(f->h, &f->r, &f->s, "PATCH", "/api/v1/users/nobody", body, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    req(f->h, &f->r, &f->s, "PATCH", "/api/v1/users/admin", "{\"version\": 1, \"role\": \"rep\"}",
        h);
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");

    /* A new password: the old one no longer works. */
    req(f->h, &f->r, &f->s, "PUT", "/api/v1/users/rep-north/password", "{\"password\": \"x\"}", h);
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    req(f->h, &f->r, &f->s, "PUT", "/api/v1/users/rep-north/password",
        "{\"password\": \"another-long-one\"}", h);
    assert_int_equal(f->r.status, 204);
    req(f->h, &f->r, &f->s, "POST", "/api/v1/session",
        "{\"username\": \"rep-north\", \"password\": \"a-long-password-1\"}", JSON);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");

    /* A token: its text once, then a bearer that works until it is revoked. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/tokens", "{\"user\": \"rep-east-1\", \"name\": \"t\"}",
        h);
    assert_int_equal(f->r.status, 201);
    const char *text = json_string_value(json_object_get(f->r.json, "token"));
    assert_non_null(text);
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", text);
    int64_t id = json_integer_value(json_object_get(f->r.json, "id"));
    const char *const hb[] = {bearer, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=1", NULL, hb);
    assert_int_equal(f->r.status, 200);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/tokens?user=rep-east-1", NULL, h);
    assert_int_equal(f->r.status, 200);
    assert_true(json_array_size(json_object_get(f->r.json, "items")) >= 1);
    assert_null(strstr(f->r.body, "\"token\"")); /* listed without its text */
    req(f->h, &f->r, &f->s, "GET", "/api/v1/tokens?user=nobody", NULL, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/tokens/%lld", (long long)id);
    req(f->h, &f->r, &f->s, "DELETE", path, NULL, h);
    assert_int_equal(f->r.status, 204);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=1", NULL, hb);
    check_problem(&f->r, 401, "urn:kam:problem:unauthenticated");
    req(f->h, &f->r, &f->s, "DELETE", "/api/v1/tokens/999999", NULL, h);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    req(f->h, &f->r, &f->s, "DELETE", "/api/v1/tokens/x", NULL, h);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");

    /* Audited: team, user, two updates, password, token, revocation. */
    assert_int_equal(audit_count(), audits + 7);

    /* A user whose scope holds no account: every analysis answers (empty, or 404 for those that
     * need accounts), none fails. */
    req(f->h, &f->r, &f->s, "POST", "/api/v1/tokens", "{\"user\": \"rep-north\"}", h);
    assert_int_equal(f->r.status, 201);
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s",
             json_string_value(json_object_get(f->r.json, "token")));
    static const char *const empty[] = {
        "/api/v1/summary",         "/api/v1/analyses/trend",  "/api/v1/analyses/tiers",
        "/api/v1/analyses/rfm",    "/api/v1/analyses/pareto", "/api/v1/analyses/lifecycle",
        "/api/v1/analyses/matrix", "/api/v1/review",          "/api/v1/changes",
        "/api/v1/accounts",        "/api/v1/exports/accounts"};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        req(f->h, &f->r, &f->s, "GET", empty[i], NULL, hb);
        if (f->r.status != 200 && f->r.status != 404)
            fail_msg("%s for a user without accounts: %ld %s", empty[i], f->r.status,
                     f->r.body ? f->r.body : "");
    }
    req(f->h, &f->r, &f->s, "GET", "/api/v1/summary", NULL, hb);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(f->r.json, "counts"), "accounts")), 0);
}

/* One account's 360 view: the CLI's `kam account --json`, within the scope. */
static void test_account_view(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[160];
    login(f, "rep-east-1", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    snprintf(path, sizeof(path), "/api/v1/accounts/%s/view", own_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    if (f->r.status != 200)
        fail_msg("%s: %ld %s", path, f->r.status, f->r.body);
    json_t *cli = cli_json("account %s --json", own_code);
    assert_non_null(cli);
    /* The API adds the account's place in the value matrix of the caller's scope, which the
     * CLI (every account) cannot say: it must be where GET /analyses/matrix puts it. */
    json_t *pos = json_incref(json_object_get(f->r.json, "matrix"));
    assert_non_null(pos);
    json_object_del(f->r.json, "matrix");
    if (!same_value(f->r.json, cli))
        fail_msg("the view differs from kam account %s --json", own_code);
    json_decref(cli);
    assert_int_equal(json_array_size(json_object_get(f->r.json, "months")), 12);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/matrix?limit=0", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *items =
        json_object_get(json_object_get(json_object_get(f->r.json, "quadrants"),
                                        json_string_value(json_object_get(pos, "quadrant"))),
                        "items");
    bool found = false;
    json_t *it;
    size_t k;
    json_array_foreach(items, k, it) found =
        found || strcmp(json_string_value(json_object_get(it, "code")), own_code) == 0;
    if (!found)
        fail_msg("%s is not in quadrant %s of the matrix", own_code,
                 json_string_value(json_object_get(pos, "quadrant")));
    json_decref(pos);

    snprintf(path, sizeof(path), "/api/v1/accounts/%s/view?months=36&as_of=2025-06-30", own_code);
    req(f->h, &f->r, &f->s, "GET", path, NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *months = json_object_get(f->r.json, "months");
    assert_int_equal(json_array_size(months), 36);
    assert_string_equal(json_string_value(json_object_get(json_array_get(months, 35), "month")),
                        "2025-06");
    cli = cli_json("account %s --months 36 --as-of 2025-06-30 --json", own_code);
    json_object_del(f->r.json, "matrix");
    assert_true(same_value(f->r.json, cli));
    json_decref(cli);

    /* Another team's account reads exactly like a code that does not exist. */
    expect_hidden(f, "GET", "/api/v1/accounts/%s/view", NULL, h);

    static const struct {
        const char *query, *field;
    } bad[] = {{"months=0", "months"}, {"months=121", "months"}, {"as_of=2025-02-30", "as_of"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(path, sizeof(path), "/api/v1/accounts/%s/view?%s", own_code, bad[i].query);
        req(f->h, &f->r, &f->s, "GET", path, NULL, h);
        check_problem(&f->r, 400, "urn:kam:problem:bad-request");
        assert_string_equal(problem_field(&f->r), bad[i].field);
    }
}

/* --- concurrent writers and readers ----------------------------------------------------------- */

#define RACE_MS 2500 /* how long the writers and readers run at once */

struct racer {
    const struct server *s;
    const char *code; /* writers: the account this one edits */
    bool writer;
    int id;
    long done, errors;
    char last_error[256];
    char city[64]; /* writers: the last value written */
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One request from a racing thread: its own handle, no cmocka calls (they are not thread-safe). */
static long race_req(CURL *h, struct resp *r, const struct server *s, const char *method,
                     const char *path, const char *body)
{
    char url[512], auth[192];
    struct curl_slist *hl = NULL;
    resp_free(r);
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    hl = curl_slist_append(hl, auth);
    if (body) {
        hl = curl_slist_append(hl, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    CURLcode c = curl_easy_perform(h);
    curl_slist_free_all(hl);
    if (c != CURLE_OK)
        return -1;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->body)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

static void *race(void *arg)
{
    struct racer *x = arg;
    CURL *h = curl_easy_init();
    struct resp r = {0};
    char path[160], body[256];
    int64_t end = now_ms() + RACE_MS;
    while (now_ms() < end) {
        long st;
        if (x->writer) {
            /* Read the version, write at it: nobody else writes this account, so every PATCH
             * must win. */
            snprintf(path, sizeof(path), "/api/v1/accounts/%s", x->code);
            st = race_req(h, &r, x->s, "GET", path, NULL);
            if (st == 200) {
                json_int_t v = json_integer_value(json_object_get(r.json, "version"));
                snprintf(x->city, sizeof(x->city), "w%d-%ld", x->id, x->done);
                snprintf(body, sizeof(body), "{\"version\": %lld, \"city\": \"%s\"}", (long long)v,
                         x->city);
                st = race_req(h, &r, x->s, "PATCH", path, body);
            }
        } else {
            snprintf(path, sizeof(path),
                     x->done % 2 ? "/api/v1/accounts?per_page=50&sort=revenue"
                                 : "/api/v1/accounts/%s",
                     x->code);
            st = race_req(h, &r, x->s, "GET", path, NULL);
        }
        if (st == 200) {
            x->done++;
        } else {
            x->errors++;
            snprintf(x->last_error, sizeof(x->last_error), "%ld %.200s", st, r.body ? r.body : "");
        }
    }
    resp_free(&r);
    curl_easy_cleanup(h);
    return NULL;
}

/* Two writers (each on its own account) and two readers at once for a bounded time: no error,
 * no lost write (each account's version grew by its writer's successes, its city is the last
 * one written), one audit entry per write. */
static void test_concurrent_writers_readers(void **state)
{
    struct fx *f = *state;
    char bearer[192];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", token);
    const char *const hb[] = {bearer, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=3", NULL, hb);
    assert_int_equal(f->r.status, 200);
    json_t *items = json_object_get(f->r.json, "items");
    assert_true(json_array_size(items) >= 3);
    char codes[3][32];
    json_int_t versions[2];
    for (size_t i = 0; i < 3; i++)
        snprintf(codes[i], sizeof(codes[i]), "%s",
                 json_string_value(json_object_get(json_array_get(items, i), "code")));
    for (size_t i = 0; i < 2; i++)
        versions[i] = json_integer_value(json_object_get(json_array_get(items, i), "version"));
    long long audits = db_count("SELECT count(*) FROM audit_log WHERE action='account.update'");

    struct racer x[4] = {
        {.s = &f->s, .code = codes[0], .writer = true, .id = 0},
        {.s = &f->s, .code = codes[1], .writer = true, .id = 1},
        {.s = &f->s, .code = codes[2], .writer = false, .id = 2},
        {.s = &f->s, .code = codes[0], .writer = false, .id = 3},
    };
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, race, &x[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    long writes = 0;
    for (int i = 0; i < 4; i++) {
        if (x[i].errors)
            fail_msg("racer %d: %ld errors, the last: %s", i, x[i].errors, x[i].last_error);
        assert_true(x[i].done > 0);
        if (x[i].writer)
            writes += x[i].done;
    }
    for (int i = 0; i < 2; i++) {
        char path[160];
        snprintf(path, sizeof(path), "/api/v1/accounts/%s", codes[i]);
        req(f->h, &f->r, &f->s, "GET", path, NULL, hb);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")),
                         versions[i] + x[i].done);
        assert_string_equal(json_string_value(json_object_get(f->r.json, "city")), x[i].city);
    }
    assert_int_equal(db_count("SELECT count(*) FROM audit_log WHERE action='account.update'"),
                     audits + writes);
}

/* --- imports as background jobs ------------------------------------------------------------- */

/* ?async=true: 202 with the job's URL; the job's result is the synchronous report (40,000 rows:
 * its progress counted rows against the file's lines), a refused file ends failed with the
 * 422 and its line-numbered errors, and nothing of it is written; others cannot see the job. */
static void test_import_async(void **state)
{
    struct fx *f = *state;
    struct importer im;
    char cookie[256], hdr[160], url[64], loc[64];
    const char *rh[3];
    enum { ROWS = 40000 };
    importer_login(f, &im, "director");
    cookie_headers(f, "rep-east-1", cookie, hdr, rh);
    size_t audits = audit_total();
    long long products = db_count("SELECT count(*) FROM products");

    size_t cap = 32 + (size_t)ROWS * 64, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv + len, cap - len, "sku,name,list_price\n");
    for (int i = 0; i < ROWS; i++)
        len += (size_t)snprintf(csv + len, cap - len, "ASYNC%05d,Async product %d,%d.25\n", i, i,
                                i % 100);
    post_csv(f, &im, "/api/v1/imports/products?async=true", csv, len);
    free(csv);
    expect_status(&f->r, 202);
    snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(f->r.json, "url")));
    assert_string_equal(header(&f->r, "Location", loc, sizeof(loc)), url);
    assert_string_equal(json_string_value(json_object_get(f->r.json, "state")), "queued");
    req(f->h, &f->r, &f->s, "GET", url, NULL, rh);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    job_wait(f, url, im.h, NULL);
    assert_string_equal(job_state(&f->r), "done");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "status")), 200);
    json_t *result = json_object_get(f->r.json, "result");
    assert_int_equal(json_integer_value(json_object_get(result, "inserted")), ROWS);
    assert_true(json_is_true(json_object_get(result, "written")));
    assert_string_equal(json_string_value(json_object_get(f->r.json, "phase")), "rows");
    assert_true(json_integer_value(json_object_get(f->r.json, "done")) >= 32768);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), ROWS);
    assert_int_equal(db_count("SELECT count(*) FROM products"), products + ROWS);
    assert_int_equal(audit_total(), audits + 1);

    static const char bad[] = "sku,name,list_price\nASYNC-BAD,,1\nASYNC-OK,fine,2\n";
    post_csv(f, &im, "/api/v1/imports/products?async=true", bad, strlen(bad));
    expect_status(&f->r, 202);
    snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(f->r.json, "url")));
    job_wait(f, url, im.h, NULL);
    assert_string_equal(job_state(&f->r), "failed");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "status")), 422);
    json_t *e = json_array_get(json_object_get(json_object_get(f->r.json, "problem"), "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(e, "line")), 2);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "name");
    assert_int_equal(db_count("SELECT count(*) FROM products WHERE sku = 'ASYNC-OK'"), 0);
    post_csv(f, &im, "/api/v1/imports/products?async=maybe", bad, strlen(bad));
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
}

/* --- the account list's latest run and quadrant --------------------------------------------- */

/* Each list item carries its tier, score and stage of the latest run (those of kam explain), and
 * ?quadrant= lists exactly the accounts GET /analyses/matrix puts there, within the scope; the
 * pages of a filtered list join up to its total. */
static void test_list_tier_and_quadrant(void **state)
{
    struct fx *f = *state;
    char cookie[256], path[160];
    static const char *const users[] = {"director", "rep-east-1"};
    for (size_t u = 0; u < 2; u++) {
        login(f, users[u], cookie, sizeof(cookie), NULL, 0);
        const char *const h[] = {cookie, NULL};
        req(f->h, &f->r, &f->s, "GET", "/api/v1/analyses/matrix?limit=0", NULL, h);
        assert_int_equal(f->r.status, 200);
        json_t *matrix = json_incref(json_object_get(f->r.json, "quadrants"));
        const char *qname;
        json_t *qv;
        json_object_foreach(matrix, qname, qv)
        {
            json_int_t want = json_integer_value(json_object_get(qv, "accounts")), seen = 0;
            for (int page = 1; page < 100; page++) {
                snprintf(path, sizeof(path), "/api/v1/accounts?quadrant=%s&per_page=7&page=%d",
                         qname, page);
                req(f->h, &f->r, &f->s, "GET", path, NULL, h);
                assert_int_equal(f->r.status, 200);
                assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), want);
                json_t *it;
                size_t i;
                json_array_foreach(json_object_get(f->r.json, "items"), i, it)
                {
                    bool in = false;
                    json_t *m;
                    size_t k;
                    json_array_foreach(json_object_get(qv, "items"), k, m) in =
                        in || strcmp(json_string_value(json_object_get(m, "code")),
                                     json_string_value(json_object_get(it, "code"))) == 0;
                    if (!in)
                        fail_msg("%s: %s is listed but not in the matrix's quadrant", users[u],
                                 json_string_value(json_object_get(it, "code")));
                    seen++;
                }
                if (json_is_null(json_object_get(f->r.json, "next")))
                    break;
            }
            assert_int_equal(seen, want);
        }
        json_decref(matrix);
    }
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?quadrant=middle", NULL,
        (const char *const[]){cookie, NULL});
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");

    /* The latest run's tier, score and stage, as kam explain says; all three or none (an
     * account that came after the run). */
    login(f, "rep-east-1", cookie, sizeof(cookie), NULL, 0);
    const char *const h[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts?per_page=500", NULL, h);
    assert_int_equal(f->r.status, 200);
    json_t *it;
    size_t i;
    bool saw_own = false;
    json_array_foreach(json_object_get(f->r.json, "items"), i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        bool none = json_is_null(json_object_get(it, "tier"));
        assert_int_equal(none, json_is_null(json_object_get(it, "score")));
        assert_int_equal(none, json_is_null(json_object_get(it, "stage")));
        if (strcmp(code, own_code) == 0) {
            saw_own = true;
            char sql[512];
            snprintf(sql, sizeof(sql),
                     "SELECT count(*) FROM scores s JOIN accounts a ON a.id = s.account WHERE "
                     "s.run = (SELECT max(id) FROM score_runs) AND a.code = '%s' AND s.tier = "
                     "'%s' AND s.stage = '%s' AND abs(s.score - %.17g) < 1e-9",
                     own_code, json_string_value(json_object_get(it, "tier")),
                     json_string_value(json_object_get(it, "stage")),
                     json_number_value(json_object_get(it, "score")));
            assert_int_equal(db_count(sql), 1);
        }
    }
    assert_true(saw_own);
}

/* --- HTTPS -------------------------------------------------------------------------------------
 */

/* With --tls-cert and --tls-key the server speaks HTTPS only: its session cookie is Secure and
 * its answers carry Strict-Transport-Security; over plain HTTP it has neither. */
static void test_tls(void **state)
{
    struct fx *f = *state;
    char cert[PATH_MAX + 16], key[PATH_MAX + 16], extra[3 * PATH_MAX], cookie[512], v[512];

    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    assert_non_null(header(&f->r, "Set-Cookie", v, sizeof(v)));
    assert_null(strstr(v, "Secure"));
    assert_null(header(&f->r, "Strict-Transport-Security", v, sizeof(v)));
    server_stop(&f->s);

    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    assert_int_equal(run(NULL, NULL, 0,
                         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                         "-nodes -keyout '%s' -out '%s' -days 2 -subj /CN=127.0.0.1 -addext "
                         "subjectAltName=IP:127.0.0.1 2>/dev/null",
                         key, cert),
                     0);
    snprintf(f->s.cainfo, sizeof(f->s.cainfo), "%s", cert);
    snprintf(extra, sizeof(extra), "--threads 2 --tls-cert '%s' --tls-key '%s'", cert, key);
    server_start(&f->s, extra);
    assert_int_equal(strncmp(f->s.base, "https://", 8), 0);
    wait_healthy(f->h, &f->s);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(header(&f->r, "Strict-Transport-Security", v, sizeof(v)),
                        "max-age=31536000");
    login(f, "director", cookie, sizeof(cookie), NULL, 0);
    assert_non_null(strstr(header(&f->r, "Set-Cookie", v, sizeof(v)), "; Secure"));
    const char *const h[] = {cookie, NULL};
    req(f->h, &f->r, &f->s, "GET", "/api/v1/session", NULL, h);
    assert_int_equal(f->r.status, 200);

    /* Plain HTTP to the HTTPS port gets no answer. */
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/health", f->s.port);
    CURL *plain = curl_easy_init();
    struct resp pr = {0};
    curl_easy_setopt(plain, CURLOPT_URL, url);
    curl_easy_setopt(plain, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(plain, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(plain, CURLOPT_WRITEDATA, &pr);
    assert_int_not_equal(curl_easy_perform(plain), CURLE_OK);
    resp_free(&pr);
    curl_easy_cleanup(plain);
}

/* --- stopping under load ------------------------------------------------------------------------
 */

struct hammer {
    const struct server *s;
    atomic_bool stop;
    long done;
};

/* Requests on one keep-alive connection until told to stop; failures are expected once the
 * server stops, and are not counted. */
static void *hammer(void *arg)
{
    struct hammer *x = arg;
    CURL *h = curl_easy_init();
    struct resp r = {0};
    while (!atomic_load(&x->stop)) {
        if (race_req(h, &r, x->s, "GET", "/api/v1/accounts?per_page=5", NULL) == 200)
            x->done++;
        else
            nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    resp_free(&r);
    curl_easy_cleanup(h);
    return NULL;
}

/* SIGTERM while clients keep asking, again and again: each time the server stops accepting,
 * finishes what is in flight and exits 0. (libmicrohttpd 0.9.75 with epoll aborted now and then
 * here: its quiesce and a worker thread both removed the listen socket from the epoll set.) */
static void test_stop_under_load(void **state)
{
    struct fx *f = *state;
    server_stop(&f->s);
    for (int round = 0; round < 8; round++) {
        struct hammer x[3];
        pthread_t t[3];
        server_start(&f->s, "--threads 2");
        wait_healthy(f->h, &f->s);
        for (int i = 0; i < 3; i++) {
            x[i] = (struct hammer){.s = &f->s, .done = 0};
            atomic_init(&x[i].stop, false);
            assert_int_equal(pthread_create(&t[i], NULL, hammer, &x[i]), 0);
        }
        /* Until every client has had answers, then stop the server under them. */
        for (int k = 0; k < 400 && (x[0].done < 3 || x[1].done < 3 || x[2].done < 3); k++)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        server_stop(&f->s); /* SIGTERM; fails the test unless it exits 0 within 15 s */
        for (int i = 0; i < 3; i++) {
            atomic_store(&x[i].stop, true);
            pthread_join(t[i], NULL);
        }
    }
    server_start(&f->s, "--threads 2"); /* for the teardown */
    wait_healthy(f->h, &f->s);
}

/* --- the records around an account ------------------------------------------------------------ */

/* POST path with body as user (bearer of a fresh token would need the CLI: a cookie is enough);
 * the status. */
static long post_as(struct fx *f, const char *const *h, const char *method, const char *path,
                    const char *body)
{
    req(f->h, &f->r, &f->s, method, path, body, h);
    return f->r.status;
}

static const char *member(const struct resp *r, const char *name)
{
    return json_string_value(json_object_get(r->json, name));
}

/* Whether the problem's errors name field. */
static bool names_field(const struct resp *r, const char *field)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(r->json, "errors"), i,
                       e) if (strcmp(json_string_value(json_object_get(e, "field")), field) ==
                              0) return true;
    return false;
}

/* Create, list and delete through the API, as each role may: the import's rules (types,
 * references, the rollups an order line moves), create-only (409), the scope (a rep's new
 * account is theirs, another team's account is a 404), one audit entry per write, and nothing
 * written by a refused request. */
static void test_records(void **state)
{
    struct fx *f = *state;
    char cookie[256], hdr[160], rcookie[256], rhdr[160], vcookie[256], vhdr[160];
    const char *h[3], *rh[3], *vh[3];
    cookie_headers(f, "director", cookie, hdr, h);
    const char *const hj[] = {h[0], h[1], JSON[0], NULL};
    cookie_headers(f, "rep-east-1", rcookie, rhdr, rh);
    const char *const rj[] = {rh[0], rh[1], JSON[0], NULL};
    cookie_headers(f, "viewer-east", vcookie, vhdr, vh);
    const char *const vj[] = {vh[0], vh[1], JSON[0], NULL};
    long long accounts = db_count("SELECT count(*) FROM accounts");
    size_t audits = audit_count();

    /* An account: created with its fields typed by the import, then a duplicate is a 409. */
    assert_int_equal(post_as(f, hj, "POST", "/api/v1/accounts",
                             "{\"code\": \"API-1\", \"name\": \"接口客户\", \"region\": \"华东\", "
                             "\"owner\": \"rep-east-1\", \"credit_limit\": \"5000.25\", "
                             "\"employees\": 12}"),
                     201);
    assert_string_equal(member(&f->r, "name"), "接口客户");
    assert_string_equal(member(&f->r, "credit_limit"), "5000.25");
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "version")), 1);
    char loc[128];
    assert_string_equal(header(&f->r, "Location", loc, sizeof(loc)), "/api/v1/accounts/API-1");
    post_as(f, hj, "POST", "/api/v1/accounts", "{\"code\": \"API-1\", \"name\": \"again\"}");
    check_problem(&f->r, 409, "urn:kam:problem:exists");
    /* Wrong JSON types and unknown members: 400 naming each; the import's refusals: 422. */
    post_as(f, hj, "POST", "/api/v1/accounts",
            "{\"code\": \"API-2\", \"name\": \"x\", \"bogus\": 1, \"employees\": 1.5}");
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_true(names_field(&f->r, "bogus") && names_field(&f->r, "employees"));
    post_as(f, hj, "POST", "/api/v1/accounts",
            "{\"code\": \"API-2\", \"name\": \"x\", \"level\": \"huge\", \"uscc\": \"123\"}");
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_true(names_field(&f->r, "level") && names_field(&f->r, "uscc"));
    post_as(f, hj, "POST", "/api/v1/accounts", "{\"name\": \"no code\"}");
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_int_equal(db_count("SELECT count(*) FROM accounts"), accounts + 1);
    assert_int_equal(audit_count(), audits + 1);

    /* The account's records: a product (the catalogue), an order line, an invoice, a contact. */
    assert_int_equal(post_as(f, hj, "POST", "/api/v1/products",
                             "{\"sku\": \"API-P\", \"name\": \"接口产品\", \"list_price\": "
                             "\"12.3456\", \"std_cost\": \"7\"}"),
                     201);
    assert_string_equal(member(&f->r, "list_price"), "12.3456");
    assert_int_equal(post_as(f, hj, "POST", "/api/v1/accounts/API-1/orders",
                             "{\"order_id\": \"API-SO-1\", \"date\": \"2026-01-05\", \"product\": "
                             "\"API-P\", \"quantity\": \"3\", \"unit_price\": \"12.3456\"}"),
                     201);
    assert_string_equal(member(&f->r, "amount"), "37.0368");
    assert_string_equal(member(&f->r, "product_name"), "接口产品");
    post_as(f, hj, "POST", "/api/v1/accounts/API-1/orders",
            "{\"order_id\": \"API-SO-1\", \"date\": \"2026-01-05\", \"product\": \"API-P\", "
            "\"quantity\": \"3\", \"unit_price\": \"12.3456\"}");
    check_problem(&f->r, 409, "urn:kam:problem:exists");
    post_as(f, hj, "POST", "/api/v1/accounts/API-1/orders",
            "{\"order_id\": \"API-SO-2\", \"date\": \"2026-01-05\", \"product\": \"NOPE\", "
            "\"quantity\": \"3\", \"unit_price\": \"1\"}");
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_true(names_field(&f->r, "product"));
    post_as(f, hj, "POST", "/api/v1/accounts/API-1/orders",
            "{\"account\": \"C000001\", \"order_id\": \"API-SO-3\", \"date\": \"2026-01-05\", "
            "\"product\": \"API-P\", \"quantity\": \"1\", \"unit_price\": \"1\"}");
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    /* The rollups moved with the line: the account's revenue is the line's amount. */
    assert_int_equal(db_count("SELECT sum(revenue) FROM account_months m JOIN accounts a ON "
                              "a.id = m.account WHERE a.code = 'API-1'"),
                     370368);
    assert_int_equal(post_as(f, hj, "POST", "/api/v1/accounts/API-1/payments",
                             "{\"invoice\": \"API-INV-1\", \"amount\": \"37.04\", \"issued\": "
                             "\"2026-01-05\", \"due\": \"2026-02-04\"}"),
                     201);
    post_as(f, hj, "POST", "/api/v1/accounts/API-1/payments",
            "{\"invoice\": \"API-INV-2\", \"amount\": \"1\", \"issued\": \"2026-01-05\", "
            "\"due\": \"2025-12-01\"}");
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_true(names_field(&f->r, "due"));
    assert_int_equal(post_as(f, rj, "POST", "/api/v1/accounts/API-1/contacts",
                             "{\"name\": \"张三\", \"title\": \"采购经理\"}"),
                     201);
    assert_string_equal(member(&f->r, "account"), "API-1");
    static const struct {
        const char *path, *key, *want;
    } lists[] = {
        {"/api/v1/accounts/API-1/orders", "order_id", "API-SO-1"},
        {"/api/v1/accounts/API-1/payments", "invoice", "API-INV-1"},
        {"/api/v1/accounts/API-1/contacts", "name", "张三"},
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        req(f->h, &f->r, &f->s, "GET", lists[i].path, NULL, rh);
        assert_int_equal(f->r.status, 200);
        assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), 1);
        json_t *it = json_array_get(json_object_get(f->r.json, "items"), 0);
        assert_string_equal(json_string_value(json_object_get(it, lists[i].key)), lists[i].want);
    }

    /* The scope: a rep's new account without an owner is theirs; another owner, another
     * team's account, the catalogue are refused; a viewer writes nothing. */
    assert_int_equal(
        post_as(f, rj, "POST", "/api/v1/accounts", "{\"code\": \"API-R\", \"name\": \"rep's\"}"),
        201);
    assert_string_equal(member(&f->r, "owner"), "rep-east-1");
    post_as(f, rj, "POST", "/api/v1/accounts",
            "{\"code\": \"API-R2\", \"name\": \"x\", \"owner\": \"rep-west-1\"}");
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    assert_true(names_field(&f->r, "owner"));
    expect_hidden(f, "POST", "/api/v1/accounts/%s/contacts", "{\"name\": \"spy\"}", rj);
    expect_hidden(f, "GET", "/api/v1/accounts/%s/orders", NULL, rh);
    post_as(f, rj, "POST", "/api/v1/products", "{\"sku\": \"API-P2\", \"name\": \"x\"}");
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    post_as(f, vj, "POST", "/api/v1/accounts", "{\"code\": \"API-V\", \"name\": \"x\"}");
    check_problem(&f->r, 403, "urn:kam:problem:forbidden");
    assert_int_equal(db_count("SELECT count(*) FROM contacts WHERE name = 'spy'"), 0);

    /* Tags: add with a color, list, a bad color, remove. */
    assert_int_equal(post_as(f, rj, "PUT", "/api/v1/accounts/API-1/tags/接口",
                             "{\"color\": "
                             "\"#e6a23c\"}"),
                     200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), 1);
    post_as(f, rj, "PUT", "/api/v1/accounts/API-1/tags/bad", "{\"color\": \"red\"}");
    check_problem(&f->r, 422, "urn:kam:problem:unprocessable");
    req(f->h, &f->r, &f->s, "GET", "/api/v1/tags", NULL, rh);
    assert_int_equal(f->r.status, 200);
    assert_non_null(strstr(f->r.body, "\"name\":\"接口\""));
    assert_int_equal(post_as(f, rj, "DELETE", "/api/v1/accounts/API-1/tags/接口", NULL), 200);
    assert_int_equal(json_integer_value(json_object_get(f->r.json, "total")), 0);
    post_as(f, rj, "DELETE", "/api/v1/accounts/API-1/tags/接口", NULL);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");

    /* Delete: the version is required and checked; history stays (409); a fresh account goes,
     * with its audit entry. */
    post_as(f, rj, "DELETE", "/api/v1/accounts/API-R", NULL);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    post_as(f, rj, "DELETE", "/api/v1/accounts/API-R?version=2", NULL);
    check_problem(&f->r, 409, "urn:kam:problem:conflict");
    post_as(f, hj, "DELETE", "/api/v1/accounts/API-1?version=1", NULL);
    check_problem(&f->r, 409, "urn:kam:problem:conflict");
    assert_non_null(strstr(member(&f->r, "detail"), "1 orders, 1 invoices"));
    expect_hidden(f, "DELETE", "/api/v1/accounts/%s?version=1", NULL, rh);
    const char *const weak[] = {rh[0], rh[1], "If-Match: W/\"1\"", NULL};
    post_as(f, weak, "DELETE", "/api/v1/accounts/API-R", NULL);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "If-Match");
    const char *const both[] = {rh[0], rh[1], "If-Match: \"1\"", NULL};
    post_as(f, both, "DELETE", "/api/v1/accounts/API-R?version=2", NULL);
    check_problem(&f->r, 400, "urn:kam:problem:bad-request");
    assert_string_equal(problem_field(&f->r), "version");
    size_t before_delete = audit_count();
    const char *const im[] = {rh[0], rh[1], "If-Match: \"1\"", NULL};
    assert_int_equal(post_as(f, im, "DELETE", "/api/v1/accounts/API-R", NULL), 204);
    req(f->h, &f->r, &f->s, "GET", "/api/v1/accounts/API-R", NULL, rh);
    check_problem(&f->r, 404, "urn:kam:problem:not-found");
    assert_int_equal(audit_count(), before_delete + 1);
    json_t *e = audit_newest();
    assert_string_equal(json_string_value(json_object_get(e, "action")), "account.delete");
    json_decref(e);
    /* Every write above that succeeded left one entry: 2 accounts, a product, a line, an
     * invoice, a contact, a tag added and removed, a deletion. */
    assert_int_equal(audit_count(), audits + 9);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        T(test_health_and_security_headers),
        T(test_header_size),
        T(test_login_and_cookie),
        T(test_login_refused_alike),
        T(test_login_rate_limit_per_user),
        T(test_login_rate_limit_per_address),
        T(test_csrf_for_cookie_writes),
        T(test_bearer_needs_no_csrf),
        T(test_account_list_per_role),
        T(test_export_accounts),
        T(test_account_get_scope),
        T(test_pagination),
        T(test_bad_query),
        T(test_unknown_path_and_wrong_method),
        T(test_body_limits_and_types),
        T(test_summary_per_role),
        T(test_openapi_matches_route_table),
        T(test_keep_alive),
        T(test_kept_answers),
        cmocka_unit_test_setup_teardown(test_kept_answers, setup_no_kept, teardown),
        T(test_score_explanation),
        T(test_rating_put),
        T(test_pin_put),
        T(test_model_routes),
        T(test_scoring_runs_and_changes),
        T(test_scoring_job),
        T(test_scoring_job_one_at_a_time),
        T(test_scoring_job_at_shutdown),
        T(test_scoring_job_cancel),
        cmocka_unit_test_setup_teardown(test_scoring_job_fails, setup_empty, teardown),
        T(test_analyses_per_role),
        T(test_trend_tiers_scoped),
        T(test_portfolio_analyses_scoped),
        T(test_matrix_axes),
        T(test_whitespace),
        T(test_account_metrics),
        T(test_account_patch_refused),
        T(test_account_patch_versions),
        T(test_account_patch_owner_within_team),
        T(test_audit_route),
        T(test_account_list_tier_and_stage),
        T(test_users_admin),
        T(test_account_view),
        T(test_concurrent_writers_readers),
        T(test_stop_under_load),
        T(test_tls),
        T(test_list_tier_and_quadrant),
        /* Last: they add accounts the tests above count. */
        T(test_import_accounts),
        T(test_import_refused_unchanged),
        T(test_import_orders_rejects),
        T(test_import_gb18030),
        T(test_import_refusals),
        T(test_import_hostile),
        T(test_records),
        T(test_import_async),
        cmocka_unit_test_setup_teardown(test_import_body_limit, setup_small_import, teardown),
    };
    if (argc < 2) {
        fprintf(stderr, "usage: test_http PATH-TO-KAM\n");
        return 2;
    }
    KAM = argv[1];
    return cmocka_run_group_tests_name("http", tests, group_setup, group_teardown);
}
