/* Who is asking: sign-in and sign-out with a session cookie, bearer tokens, the CSRF check and
 * the rate limit on failed sign-ins (docs/api.md "Authentication").
 *
 * A session id is 32 random bytes (libsodium), sent once in the cookie as base64url; the store
 * keeps only its BLAKE2b hash, like API tokens (io/auth.c), so the database signs nobody in. The
 * login answer carries a second random value, the CSRF token, whose hash is stored with the
 * session: a cookie-authenticated write must send it back in X-CSRF-Token, which a page of
 * another site cannot read (the cookie is also SameSite=Strict). Bearer tokens are not sent by
 * browsers on their own, so they need no CSRF token. Passwords are checked by kam_users_login,
 * which answers alike for unknown users, wrong passwords and disabled users.
 *
 * Not here (yet): TLS (the Secure cookie attribute comes with it), sliding expiry, a session
 * list per user. */
#include "http/http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "io/users.h"

#define COOKIE          "kam_session"
#define SESSION_SECONDS (12 * 3600) /* a working day; then sign in again */
#define TOUCH_SECONDS   300         /* last_seen_at is refreshed at most this often */
#define ID_BYTES        32
#define ID_TEXT         44 /* base64url of 32 bytes without padding (43) + NUL */

/* --- the rate limit on failed sign-ins -------------------------------------------------------- */

/* At most LIMIT_FAILURES failed sign-ins per LIMIT_SECONDS for one username and for one client
 * address; then 429 until the window ends. The table has a fixed number of slots, so memory is
 * bounded whatever an attacker sends: a key is hashed (keyed SipHash, so its slot cannot be
 * chosen from outside) into one slot, and a newer key takes a slot over from an older one
 * whose window has ended, or when the slot's count is lower. An attacker who could flood one
 * slot would at worst reset a counter early; the cost of each guess (Argon2id) remains. */
#define LIMIT_FAILURES 5
#define LIMIT_SECONDS  60
#define LIMIT_SLOTS    4096

struct slot {
    uint64_t key;
    int64_t start; /* monotonic seconds when the window began */
    int failures;
};

struct kam_ratelimit {
    pthread_mutex_t lock;
    unsigned char seed[crypto_shorthash_KEYBYTES];
    struct slot slots[LIMIT_SLOTS];
};

struct kam_ratelimit *kam_ratelimit_new(void)
{
    struct kam_ratelimit *rl = kam_xcalloc(1, sizeof(*rl));
    pthread_mutex_init(&rl->lock, NULL);
    randombytes_buf(rl->seed, sizeof(rl->seed));
    return rl;
}

void kam_ratelimit_free(struct kam_ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static int64_t now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static uint64_t key_of(const struct kam_ratelimit *rl, const char *kind, const char *value)
{
    unsigned char h[crypto_shorthash_BYTES];
    char buf[200];
    uint64_t k;
    int n = snprintf(buf, sizeof(buf), "%s:%s", kind, value);
    crypto_shorthash(h, (const unsigned char *)buf, (unsigned long long)(n < 0 ? 0 : n), rl->seed);
    memcpy(&k, h, sizeof(k));
    return k | 1; /* 0 marks a free slot */
}

/* Seconds until key may try again, 0 when it may now. */
static int limit_wait(struct kam_ratelimit *rl, uint64_t key, int64_t now)
{
    int wait = 0;
    pthread_mutex_lock(&rl->lock);
    struct slot *s = &rl->slots[key % LIMIT_SLOTS];
    if (s->key == key && now - s->start < LIMIT_SECONDS && s->failures >= LIMIT_FAILURES)
        wait = (int)(LIMIT_SECONDS - (now - s->start));
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

static void limit_fail(struct kam_ratelimit *rl, uint64_t key, int64_t now)
{
    pthread_mutex_lock(&rl->lock);
    struct slot *s = &rl->slots[key % LIMIT_SLOTS];
    if (s->key == key && now - s->start < LIMIT_SECONDS) {
        s->failures++;
    } else if (s->key == key || s->key == 0 || now - s->start >= LIMIT_SECONDS ||
               s->failures <= 1) {
        s->key = key;
        s->start = now;
        s->failures = 1;
    }
    pthread_mutex_unlock(&rl->lock);
}

/* --- helpers -----------------------------------------------------------------------------------
 */

void kam_http_user_json(struct kam_jw *w, const struct kam_user *u)
{
    kam_jw_obj(w);
    kam_jw_kstr(w, "username", u->username);
    kam_jw_kstr(w, "display_name", u->display_name[0] ? u->display_name : NULL);
    kam_jw_kstr(w, "role", kam_role_name(u->role));
    kam_jw_kstr(w, "team", u->team[0] ? u->team : NULL);
    kam_jw_obj_end(w);
}

bool kam_http_body_json(struct kam_http_req *req, struct kam_http_resp *resp, json_t **out)
{
    json_error_t je;
    char detail[400];
    *out = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (*out == NULL) {
        snprintf(detail, sizeof(detail),
                 "the body is not valid JSON: line %d, column %d (byte %d): %s", je.line, je.column,
                 je.position, je.text);
        struct kam_problem_field f = {"body", detail};
        kam_problem(resp, 400, detail, &f, 1);
        return false;
    }
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        struct kam_problem_field f = {"body", "must be a JSON object"};
        kam_problem(resp, 400, "the body must be a JSON object", &f, 1);
        return false;
    }
    return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ" of now + seconds, UTC. */
static void utc_text(char out[21], int64_t seconds)
{
    time_t t = time(NULL) + (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void hash_text(const char *text, unsigned char out[KAM_SESSION_HASH_BYTES])
{
    crypto_generichash(out, KAM_SESSION_HASH_BYTES, (const unsigned char *)text, strlen(text), NULL,
                       0);
}

/* A new random value as base64url text and its hash. */
static void random_id(char text[ID_TEXT], unsigned char hash[KAM_SESSION_HASH_BYTES])
{
    unsigned char raw[ID_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(text, ID_TEXT, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hash_text(text, hash);
    sodium_memzero(raw, sizeof(raw));
}

static void unauthenticated(struct kam_http_resp *resp, const char *detail)
{
    kam_problem(resp, 401, detail, NULL, 0);
    resp->www_authenticate = true;
}

/* --- authentication of every other request --------------------------------------------------- */

static bool is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

bool kam_http_authenticate(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    const char *authz = kam_http_header(req, "Authorization");

    kam_err_clear(&err);
    if (authz != NULL) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            unauthenticated(resp, "the Authorization header takes 'Bearer kam_...' (an API token)");
            return false;
        }
        const char *token = authz + 7;
        while (*token == ' ')
            token++;
        if (kam_users_token_auth(req->st, token, &req->user, &err) != KAM_OK) {
            if (err.code == KAM_ERR_AUTH || err.code == KAM_ERR_INVALID ||
                err.code == KAM_ERR_NOT_FOUND)
                unauthenticated(resp, "the API token is not valid (unknown, revoked, or its user "
                                      "is disabled)");
            else
                kam_problem_err(resp, &err);
            return false;
        }
        req->auth = KAM_HTTP_AUTH_BEARER;
    } else {
        const char *sid = kam_http_cookie(req, COOKIE);
        unsigned char hash[KAM_SESSION_HASH_BYTES];
        if (sid == NULL || strlen(sid) != ID_TEXT - 1) {
            unauthenticated(resp, "sign in first (POST /api/v1/session) or send an API token");
            return false;
        }
        hash_text(sid, hash);
        enum kam_rc rc = req->st->ops->session_find(req->st, hash, &req->session, &err);
        if (rc == KAM_OK)
            rc = req->st->ops->user_get(req->st, req->session.username, &req->user, &err);
        if (rc == KAM_OK && req->user.disabled)
            rc = KAM_ERR_NOT_FOUND;
        if (rc == KAM_ERR_NOT_FOUND) {
            unauthenticated(resp, "the session has ended or expired: sign in again");
            return false;
        }
        if (rc != KAM_OK) {
            kam_problem_err(resp, &err);
            return false;
        }
        req->auth = KAM_HTTP_AUTH_COOKIE;
        if (is_write(req->method)) {
            const char *csrf = kam_http_header(req, "X-CSRF-Token");
            unsigned char got[KAM_SESSION_HASH_BYTES];
            if (csrf == NULL) {
                kam_problem(resp, 403,
                            "a write with the session cookie needs the header X-CSRF-Token (the "
                            "csrf_token of the sign-in answer)",
                            NULL, 0);
                return false;
            }
            hash_text(csrf, got);
            if (sodium_memcmp(got, req->session.csrf_hash, sizeof(got)) != 0) {
                kam_problem(resp, 403, "the X-CSRF-Token header does not match the session", NULL,
                            0);
                return false;
            }
        }
        /* last_seen_at is for people reading the sessions table; writing it on every request
         * would make every read a write. */
        char stale[21];
        utc_text(stale, -TOUCH_SECONDS);
        if (strcmp(req->session.last_seen_at, stale) < 0 &&
            req->st->ops->session_touch(req->st, req->session.id, &err) != KAM_OK)
            fprintf(stderr, "kam: session last seen: %s\n", err.msg); /* not worth failing */
    }
    kam_scope_init(&req->scope, req->user.role, req->user.username, req->user.team);
    return true;
}

/* --- the session routes ---------------------------------------------------------------------- */

static const char *string_member(json_t *body, const char *name, struct kam_problem_field *f,
                                 size_t *nf)
{
    json_t *v = json_object_get(body, name);
    if (json_is_string(v))
        return json_string_value(v);
    f[*nf].field = name;
    f[*nf].message = v == NULL ? "is required" : "must be a string";
    (*nf)++;
    return NULL;
}

void kam_http_session_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_ratelimit *rl = kam_http_server_ratelimit(req->srv);
    struct kam_problem_field f[2];
    struct kam_session ses = {0};
    struct kam_user u;
    struct kam_err err;
    char sid[ID_TEXT], csrf[ID_TEXT];
    size_t nf = 0;
    json_t *body = NULL;
    int64_t id;

    kam_err_clear(&err);
    if (!kam_http_body_json(req, resp, &body))
        return;
    const char *username = string_member(body, "username", f, &nf);
    const char *password = string_member(body, "password", f, &nf);
    if (nf > 0) {
        kam_problem(resp, 400, "the sign-in takes {\"username\": ..., \"password\": ...}", f, nf);
        goto out;
    }
    int64_t now = now_mono();
    uint64_t kuser = key_of(rl, "user", username), kaddr = key_of(rl, "addr", req->client);
    int wait = limit_wait(rl, kuser, now);
    int wait_addr = limit_wait(rl, kaddr, now);
    if (wait_addr > wait)
        wait = wait_addr;
    if (wait > 0) {
        char detail[160];
        snprintf(detail, sizeof(detail), "too many failed sign-ins: try again in %d seconds", wait);
        kam_problem(resp, 429, detail, NULL, 0);
        resp->retry_after = wait;
        goto out;
    }
    if (kam_users_login(req->st, username, password, strlen(password), &u, &err) != KAM_OK) {
        if (err.code == KAM_ERR_AUTH) {
            limit_fail(rl, kuser, now);
            limit_fail(rl, kaddr, now);
            unauthenticated(resp, err.msg);
        } else {
            kam_problem_err(resp, &err);
        }
        goto out;
    }
    random_id(sid, ses.hash);
    random_id(csrf, ses.csrf_hash);
    ses.user_id = u.id;
    utc_text(ses.expires_at, SESSION_SECONDS);
    /* Expired sessions go when someone signs in: no timer thread needed. */
    if (req->st->ops->session_purge(req->st, NULL, &err) != KAM_OK ||
        req->st->ops->session_add(req->st, &ses, &id, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        goto out;
    }
    snprintf(resp->set_cookie, sizeof(resp->set_cookie),
             COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", sid, SESSION_SECONDS,
             kam_http_server_tls(req->srv) ? "; Secure" : "");
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_key(w, "user");
    kam_http_user_json(w, &u);
    kam_jw_kstr(w, "csrf_token", csrf);
    kam_jw_kstr(w, "expires_at", ses.expires_at);
    kam_jw_obj_end(w);
out:
    sodium_memzero(sid, sizeof(sid));
    json_decref(body);
}

void kam_http_session_get(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_key(w, "user");
    kam_http_user_json(w, &req->user);
    kam_jw_kstr(w, "auth", req->auth == KAM_HTTP_AUTH_COOKIE ? "cookie" : "bearer");
    kam_jw_key(w, "expires_at");
    if (req->auth == KAM_HTTP_AUTH_COOKIE)
        kam_jw_str(w, req->session.expires_at);
    else
        kam_jw_null(w);
    kam_jw_obj_end(w);
}

void kam_http_session_delete(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    kam_err_clear(&err);
    /* With a bearer token there is no session: nothing to end (revoke tokens with kam token
     * revoke). */
    if (req->auth == KAM_HTTP_AUTH_COOKIE &&
        req->st->ops->session_end(req->st, req->session.hash, NULL, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    if (req->auth == KAM_HTTP_AUTH_COOKIE)
        snprintf(resp->set_cookie, sizeof(resp->set_cookie),
                 COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                 kam_http_server_tls(req->srv) ? "; Secure" : "");
}
