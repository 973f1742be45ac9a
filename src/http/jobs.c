/* The job registry of `kam serve` and its two routes, GET /api/v1/jobs and
 * GET /api/v1/jobs/{id} (docs/api.md, "Background jobs").
 *
 * A fixed table of KAM_JOBS_MAX slots under one mutex, and one worker thread that takes the
 * oldest queued job, runs it outside the lock on the worker's own store connection and keeps
 * its answer (status and JSON text) in the slot. One worker, not several: the jobs are scoring
 * runs and imports, each one write transaction that a second worker would only queue behind on
 * the database's write lock (and a run already reads with one thread per core). An import's
 * file travels as the job's payload, freed once the job has run. A finished
 * job stays readable for KAM_JOBS_KEEP_SECONDS, or until its slot is the oldest finished one
 * and a new job needs it.
 *
 * A job is cancelled on request (DELETE /api/v1/jobs/{id}, its owner or an admin): a queued one
 * at once, a running one at its next safe point (a scoring run before it stores anything, so
 * it is rolled back whole); one that already stores finishes. The shutdown stops a running job
 * the same way.
 *
 * What it does not do: keep jobs across restarts (they are the server's memory, not the
 * database's) or run jobs in parallel. DOMAIN.md: none, this is plumbing. */
#include "http/jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum job_state { QUEUED, RUNNING, DONE, FAILED, CANCELLED };

static const char *const state_names[] = {"queued", "running", "done", "failed", "cancelled"};

struct kam_job {
    struct kam_jobs *js;
    int64_t id; /* 0: a free slot */
    const char *kind;
    bool exclusive;
    char owner[KAM_LOGIN_MAX + 1];
    char arg[64];
    void *payload; /* kam_jobs_submit_payload's, freed once the job has run or is dropped */
    void (*payload_free)(void *payload);
    kam_job_fn fn;
    enum job_state state;
    char cancelled_by[KAM_LOGIN_MAX + 1]; /* "" unless someone asked it to stop */
    /* Progress, written by kam_job_progress under the lock. */
    const char *phase; /* NULL until the job tells one */
    int64_t done, total;
    double percent;
    /* Wall-clock times for people, monotonic seconds for durations and expiry. */
    time_t created, started, finished;
    double started_mono, finished_mono;
    /* The answer once finished: its status and JSON text (the result or a problem). */
    int status;
    char *body;
};

struct kam_jobs {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a job queued, or the worker told to end */
    pthread_t worker;
    struct kam_store *st; /* the worker's connection */
    struct kam_job slots[KAM_JOBS_MAX];
    int64_t next_id;
    struct kam_job *running;
    bool closing; /* no new jobs */
    bool cancel;  /* the running job stops at its next safe point */
    bool end;     /* the worker returns once nothing is queued */
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the worker ------------------------------------------------------------------------------- */

/* The oldest queued job (ids grow with time), NULL when none. Under the lock. */
static struct kam_job *next_queued(struct kam_jobs *js)
{
    struct kam_job *best = NULL;
    for (size_t i = 0; i < KAM_JOBS_MAX; i++) {
        struct kam_job *j = &js->slots[i];
        if (j->id != 0 && j->state == QUEUED && (best == NULL || j->id < best->id))
            best = j;
    }
    return best;
}

static bool may_read(const struct kam_job *j, const struct kam_user *viewer);

/* Records a job's answer. Under the lock. */
static void finish(struct kam_job *j, int status, char *body)
{
    j->status = status;
    j->body = body;
    j->state = status < 400 ? DONE : FAILED;
    /* Asked to stop and stopped (a job that was already storing ends done). */
    if (j->cancelled_by[0] && status >= 400) {
        char text[256];
        snprintf(text, sizeof(text),
                 "{\"type\":\"urn:kam:problem:cancelled\",\"title\":\"Cancelled\",\"status\":"
                 "409,\"detail\":\"cancelled by %s: nothing of the job was stored\"}",
                 j->cancelled_by);
        free(j->body);
        j->body = kam_xstrdup(text);
        j->status = 409;
        j->state = CANCELLED;
    }
    j->finished = time(NULL);
    j->finished_mono = mono();
}

/* Frees the job's payload, if it has one. Under the lock, or on the worker for the running job
 * (nobody else touches it then). */
static void free_payload(struct kam_job *j)
{
    if (j->payload != NULL && j->payload_free != NULL)
        j->payload_free(j->payload);
    j->payload = NULL;
}

static void run_one(struct kam_jobs *js, struct kam_job *j)
{
    struct kam_http_resp resp = {.status = 200};
    size_t len = 0;
    kam_jw_init(&resp.body, 0);
    /* The job's fields read here are set at submit and never change while it runs. */
    j->fn(j, js->st, j->owner, j->arg, &resp);
    free_payload(j);        /* a 64 MB import body need not wait an hour for its slot to go */
    if (resp.body.overflow) /* the writer has no limit; kept for when one is set */
        kam_problem(&resp, 500, "the answer is too large", NULL, 0);
    char *text = kam_jw_take(&resp.body, &len);
    pthread_mutex_lock(&js->lock);
    finish(j, resp.status, text);
    js->running = NULL;
    pthread_mutex_unlock(&js->lock);
}

static void *work(void *arg)
{
    struct kam_jobs *js = arg;
    pthread_mutex_lock(&js->lock);
    for (;;) {
        struct kam_job *j = next_queued(js);
        if (j == NULL && js->end)
            break;
        if (j == NULL) {
            pthread_cond_wait(&js->wake, &js->lock);
            continue;
        }
        j->state = RUNNING;
        j->started = time(NULL);
        j->started_mono = mono();
        js->running = j;
        pthread_mutex_unlock(&js->lock);
        run_one(js, j);
        pthread_mutex_lock(&js->lock);
    }
    pthread_mutex_unlock(&js->lock);
    return NULL;
}

struct kam_jobs *kam_jobs_new(struct kam_store *st)
{
    struct kam_jobs *js = kam_xcalloc(1, sizeof(*js));
    js->st = st;
    js->next_id = 1;
    for (size_t i = 0; i < KAM_JOBS_MAX; i++)
        js->slots[i].js = js;
    pthread_mutex_init(&js->lock, NULL);
    pthread_cond_init(&js->wake, NULL);
    if (pthread_create(&js->worker, NULL, work, js) != 0) {
        pthread_cond_destroy(&js->wake);
        pthread_mutex_destroy(&js->lock);
        kam_store_close(st);
        free(js);
        return NULL;
    }
    return js;
}

/* --- queueing --------------------------------------------------------------------------------- */

/* Frees a slot's answer and marks it free. Under the lock. */
static void drop(struct kam_job *j)
{
    free(j->body);
    free_payload(j);
    struct kam_jobs *js = j->js;
    memset(j, 0, sizeof(*j));
    j->js = js;
}

/* Drops the finished jobs older than KAM_JOBS_KEEP_SECONDS. Under the lock. */
static void expire(struct kam_jobs *js)
{
    double now = mono();
    for (size_t i = 0; i < KAM_JOBS_MAX; i++) {
        struct kam_job *j = &js->slots[i];
        if (j->id != 0 && j->state >= DONE && now - j->finished_mono > KAM_JOBS_KEEP_SECONDS)
            drop(j);
    }
}

/* A slot for a new job: a free one, else the one of the oldest finished job (dropped); NULL
 * when every slot holds a queued or running job. Under the lock. */
static struct kam_job *free_slot(struct kam_jobs *js)
{
    struct kam_job *oldest = NULL;
    for (size_t i = 0; i < KAM_JOBS_MAX; i++) {
        struct kam_job *j = &js->slots[i];
        if (j->id == 0)
            return j;
        if (j->state >= DONE && (oldest == NULL || j->finished_mono < oldest->finished_mono))
            oldest = j;
    }
    if (oldest != NULL)
        drop(oldest);
    return oldest;
}

/* The queued or running job of kind, NULL when none. Under the lock. */
static struct kam_job *active_of(struct kam_jobs *js, const char *kind)
{
    for (size_t i = 0; i < KAM_JOBS_MAX; i++) {
        struct kam_job *j = &js->slots[i];
        if (j->id != 0 && j->state <= RUNNING && strcmp(j->kind, kind) == 0)
            return j;
    }
    return NULL;
}

enum kam_jobs_submit kam_jobs_submit_payload(struct kam_jobs *js, const char *kind, bool exclusive,
                                             const char *owner, kam_job_fn fn, const char *arg,
                                             void *payload, void (*payload_free)(void *),
                                             int64_t *id)
{
    enum kam_jobs_submit r = KAM_JOBS_QUEUED;
    struct kam_job *j;
    *id = 0;
    pthread_mutex_lock(&js->lock);
    expire(js);
    if (js->closing) {
        r = KAM_JOBS_STOPPING;
    } else if (exclusive && (j = active_of(js, kind)) != NULL) {
        *id = j->id;
        r = KAM_JOBS_BUSY;
    } else if ((j = free_slot(js)) == NULL) {
        r = KAM_JOBS_FULL;
    } else {
        j->id = js->next_id++;
        j->kind = kind;
        j->exclusive = exclusive;
        snprintf(j->owner, sizeof(j->owner), "%s", owner);
        snprintf(j->arg, sizeof(j->arg), "%s", arg ? arg : "");
        j->payload = payload;
        j->payload_free = payload_free;
        payload = NULL;
        j->fn = fn;
        j->state = QUEUED;
        j->created = time(NULL);
        *id = j->id;
        pthread_cond_signal(&js->wake);
    }
    pthread_mutex_unlock(&js->lock);
    if (payload != NULL && payload_free != NULL) /* not queued */
        payload_free(payload);
    return r;
}

enum kam_jobs_submit kam_jobs_submit(struct kam_jobs *js, const char *kind, bool exclusive,
                                     const char *owner, kam_job_fn fn, const char *arg, int64_t *id)
{
    return kam_jobs_submit_payload(js, kind, exclusive, owner, fn, arg, NULL, NULL, id);
}

void *kam_job_payload(struct kam_job *job)
{
    return job->payload;
}

bool kam_job_progress(struct kam_job *job, const char *phase, int64_t done, int64_t total,
                      double percent)
{
    struct kam_jobs *js = job->js;
    pthread_mutex_lock(&js->lock);
    /* Readers report chunks as they end, not in order: never let the numbers go back. */
    if (job->phase != phase || done > job->done) {
        job->phase = phase;
        job->done = done;
    }
    job->total = total;
    if (percent > job->percent)
        job->percent = percent;
    bool go_on = !js->cancel && !job->cancelled_by[0];
    pthread_mutex_unlock(&js->lock);
    return go_on;
}

/* --- shutdown --------------------------------------------------------------------------------- */

void kam_jobs_quiesce(struct kam_jobs *js)
{
    static const char stopped[] =
        "{\"type\":\"urn:kam:problem:unavailable\",\"title\":\"Service Unavailable\","
        "\"status\":503,\"detail\":\"the server stopped before the job started: submit it "
        "again\"}";
    pthread_mutex_lock(&js->lock);
    js->closing = true;
    for (size_t i = 0; i < KAM_JOBS_MAX; i++)
        if (js->slots[i].id != 0 && js->slots[i].state == QUEUED)
            finish(&js->slots[i], 503, kam_xstrdup(stopped));
    pthread_mutex_unlock(&js->lock);
}

bool kam_jobs_busy(struct kam_jobs *js)
{
    pthread_mutex_lock(&js->lock);
    bool busy = js->running != NULL;
    pthread_mutex_unlock(&js->lock);
    return busy;
}

void kam_jobs_cancel(struct kam_jobs *js)
{
    pthread_mutex_lock(&js->lock);
    js->cancel = true;
    pthread_mutex_unlock(&js->lock);
}

void kam_jobs_free(struct kam_jobs *js)
{
    if (js == NULL)
        return;
    pthread_mutex_lock(&js->lock);
    js->closing = js->end = true;
    pthread_cond_signal(&js->wake);
    pthread_mutex_unlock(&js->lock);
    pthread_join(js->worker, NULL);
    for (size_t i = 0; i < KAM_JOBS_MAX; i++)
        drop(&js->slots[i]);
    kam_store_close(js->st);
    pthread_cond_destroy(&js->wake);
    pthread_mutex_destroy(&js->lock);
    free(js);
}

enum kam_jobs_cancel kam_jobs_cancel_one(struct kam_jobs *js, int64_t id,
                                         const struct kam_user *who)
{
    enum kam_jobs_cancel r = KAM_JOBS_CANCEL_UNKNOWN;
    pthread_mutex_lock(&js->lock);
    for (size_t i = 0; i < KAM_JOBS_MAX; i++) {
        struct kam_job *j = &js->slots[i];
        if (j->id != id || !may_read(j, who))
            continue;
        if (j->state >= DONE) {
            r = KAM_JOBS_CANCEL_OVER;
        } else {
            snprintf(j->cancelled_by, sizeof(j->cancelled_by), "%s", who->username);
            if (j->state == QUEUED) /* never started: nothing to roll back */
                finish(j, 409, NULL);
            r = KAM_JOBS_CANCEL_ASKED;
        }
        break;
    }
    pthread_mutex_unlock(&js->lock);
    return r;
}

/* --- reading ---------------------------------------------------------------------------------- */

static bool may_read(const struct kam_job *j, const struct kam_user *viewer)
{
    return j->id != 0 &&
           (viewer->role == KAM_ROLE_ADMIN || strcmp(j->owner, viewer->username) == 0);
}

static void time_field(struct kam_jw *w, const char *key, time_t t)
{
    char buf[32];
    struct tm tm;
    if (t == 0) {
        kam_jw_kstr(w, key, NULL);
        return;
    }
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    kam_jw_kstr(w, key, buf);
}

/* One job as JSON; with full, its result or problem too. Under the lock. */
static void write_job(struct kam_jw *w, const struct kam_job *j, bool full)
{
    char url[48];
    snprintf(url, sizeof(url), "/api/v1/jobs/%lld", (long long)j->id);
    kam_jw_obj(w);
    kam_jw_kint(w, "job", j->id);
    kam_jw_kstr(w, "kind", j->kind);
    kam_jw_kstr(w, "url", url);
    kam_jw_kstr(w, "owner", j->owner);
    kam_jw_kstr(w, "state", state_names[j->state]);
    kam_jw_kstr(w, "phase", j->phase);
    kam_jw_kint(w, "done", j->done);
    kam_jw_kint(w, "total", j->total);
    kam_jw_key(w, "percent");
    kam_jw_double(w, j->state == DONE ? 100.0 : j->percent);
    /* The time it has run: 0 while queued, growing while it runs. */
    kam_jw_key(w, "seconds");
    kam_jw_double(w, j->state == QUEUED    ? 0
                     : j->state == RUNNING ? mono() - j->started_mono
                     : j->started_mono > 0 ? j->finished_mono - j->started_mono
                                           : 0);
    time_field(w, "created_at", j->created);
    time_field(w, "started_at", j->started);
    time_field(w, "finished_at", j->finished);
    kam_jw_key(w, "status");
    if (j->state >= DONE)
        kam_jw_int(w, j->status);
    else
        kam_jw_null(w);
    if (full) {
        kam_jw_key(w, "result");
        if (j->state == DONE && j->body)
            kam_jw_raw(w, j->body, strlen(j->body));
        else
            kam_jw_null(w);
        kam_jw_key(w, "problem");
        if ((j->state == FAILED || j->state == CANCELLED) && j->body)
            kam_jw_raw(w, j->body, strlen(j->body));
        else
            kam_jw_null(w);
    }
    kam_jw_obj_end(w);
}

bool kam_jobs_write(struct kam_jobs *js, int64_t id, const struct kam_user *viewer,
                    struct kam_jw *w)
{
    bool found = false;
    pthread_mutex_lock(&js->lock);
    expire(js);
    for (size_t i = 0; i < KAM_JOBS_MAX && !found; i++) {
        const struct kam_job *j = &js->slots[i];
        if (j->id == id && may_read(j, viewer)) {
            write_job(w, j, true);
            found = true;
        }
    }
    pthread_mutex_unlock(&js->lock);
    return found;
}

static int newest_first(const void *a, const void *b)
{
    const struct kam_job *x = *(const struct kam_job *const *)a;
    const struct kam_job *y = *(const struct kam_job *const *)b;
    return (x->id < y->id) - (x->id > y->id);
}

void kam_jobs_write_list(struct kam_jobs *js, const struct kam_user *viewer, struct kam_jw *w)
{
    const struct kam_job *mine[KAM_JOBS_MAX];
    size_t n = 0;
    pthread_mutex_lock(&js->lock);
    expire(js);
    for (size_t i = 0; i < KAM_JOBS_MAX; i++)
        if (may_read(&js->slots[i], viewer))
            mine[n++] = &js->slots[i];
    qsort(mine, n, sizeof(mine[0]), newest_first);
    kam_jw_obj(w);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        write_job(w, mine[i], false);
    kam_jw_arr_end(w);
    kam_jw_kint(w, "total", (int64_t)n);
    kam_jw_obj_end(w);
    pthread_mutex_unlock(&js->lock);
}

/* --- the routes ------------------------------------------------------------------------------- */

/* GET /jobs/{id}: a job another user owns is answered exactly as one that does not exist. */
/* The path's job id (a whole number from 1), 0 when it is not one. */
static int64_t path_job_id(const struct kam_http_req *req)
{
    const char *s = req->params[0];
    char *end;
    errno = 0;
    long long id = strtoll(s, &end, 10);
    return *s != '\0' && *end == '\0' && errno == 0 && id > 0 ? (int64_t)id : 0;
}

/* The 404 of a job that does not exist, or is not the caller's: one answer for both. */
static void no_such_job(const struct kam_http_req *req, struct kam_http_resp *resp)
{
    char detail[160];
    snprintf(detail, sizeof(detail),
             "there is no job '%.40s' of yours: finished jobs are kept for an hour",
             req->params[0]);
    kam_problem(resp, 404, detail, NULL, 0);
}

void kam_http_job_get(struct kam_http_req *req, struct kam_http_resp *resp)
{
    int64_t id = path_job_id(req);
    if (id == 0 || !kam_jobs_write(kam_http_server_jobs(req->srv), id, &req->user, &resp->body))
        no_such_job(req, resp);
}

void kam_http_job_delete(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jobs *js = kam_http_server_jobs(req->srv);
    int64_t id = path_job_id(req);
    enum kam_jobs_cancel r =
        id > 0 ? kam_jobs_cancel_one(js, id, &req->user) : KAM_JOBS_CANCEL_UNKNOWN;
    if (r == KAM_JOBS_CANCEL_UNKNOWN)
        no_such_job(req, resp);
    else if (r == KAM_JOBS_CANCEL_OVER)
        kam_problem(resp, 409, "the job is over: there is nothing to cancel", NULL, 0);
    else if (!kam_jobs_write(js, id, &req->user, &resp->body))
        no_such_job(req, resp);
}

void kam_http_job_queued(struct kam_http_resp *resp, enum kam_jobs_submit r, int64_t id,
                         const char *what)
{
    char detail[200];
    if (r == KAM_JOBS_BUSY) {
        snprintf(detail, sizeof(detail),
                 "%s is already queued or running: /api/v1/jobs/%lld; wait for it to end, then "
                 "run again",
                 what, (long long)id);
        kam_problem(resp, 409, detail, NULL, 0);
        return;
    }
    if (r != KAM_JOBS_QUEUED) {
        kam_problem(resp, 503,
                    r == KAM_JOBS_STOPPING ? "the server is stopping: submit the job again later"
                                           : "too many jobs are queued: try again later",
                    NULL, 0);
        return;
    }
    resp->status = 202;
    snprintf(resp->location, sizeof(resp->location), "/api/v1/jobs/%lld", (long long)id);
    kam_jw_obj(&resp->body);
    kam_jw_kint(&resp->body, "job", id);
    kam_jw_kstr(&resp->body, "url", resp->location);
    kam_jw_kstr(&resp->body, "state", "queued");
    kam_jw_obj_end(&resp->body);
}

void kam_http_jobs_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    kam_jobs_write_list(kam_http_server_jobs(req->srv), &req->user, &resp->body);
}
