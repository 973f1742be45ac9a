/* Background jobs of `kam serve` (docs/api.md, "Background jobs"): a bounded table of jobs
 * in memory and one worker thread that runs them one at a time on its own store connection.
 *
 * A route queues a job (kam_jobs_submit) and answers 202 with its URL; the worker runs the job's
 * function, which tells its progress (kam_job_progress) and writes its answer as a handler
 * would: a status and a JSON body, a problem when it failed. GET /api/v1/jobs/{id} reads it.
 * Jobs live only in the server's memory: a restart forgets them (what they stored stays). */
#ifndef KAM_HTTP_JOBS_H
#define KAM_HTTP_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

#define KAM_JOBS_MAX 64 /* jobs in the table, queued, running and finished */
#define KAM_JOBS_KEEP_SECONDS                                                                      \
    3600 /* a finished job is kept this long (or until its slot is                                 \
          * needed by a new job: the oldest finished goes first) */

struct kam_jobs;
struct kam_job;

/* What a job does, on the worker thread: reads and writes through st (the worker's connection)
 * as actor (the owner's username), with arg (the text given to kam_jobs_submit); writes its
 * answer into resp (status and body, as a handler does; a problem when it failed). */
typedef void (*kam_job_fn)(struct kam_job *job, struct kam_store *st, const char *actor,
                           const char *arg, struct kam_http_resp *resp);

/* The registry, with its worker thread started; it runs jobs on st, which it takes (closed by
 * kam_jobs_free). NULL when the thread cannot start (st is closed then). */
struct kam_jobs *kam_jobs_new(struct kam_store *st);

enum kam_jobs_submit {
    KAM_JOBS_QUEUED,   /* *id is the new job's */
    KAM_JOBS_BUSY,     /* exclusive, and a job of the kind is queued or running: *id is that job */
    KAM_JOBS_FULL,     /* every slot holds a queued or running job */
    KAM_JOBS_STOPPING, /* the server is stopping */
};

/* Queues a job of kind (a static string, "scoring.run") for owner running fn with arg (copied;
 * at most 63 bytes, NULL: ""). With exclusive, only one job of the kind is queued or running at
 * a time. */
enum kam_jobs_submit kam_jobs_submit(struct kam_jobs *js, const char *kind, bool exclusive,
                                     const char *owner, kam_job_fn fn, const char *arg,
                                     int64_t *id);

/* The same with a payload (an import's file and options) that the job takes over: freed with
 * payload_free once the job has run, or when it is dropped unrun, or at once when it is not
 * queued. The job's function reads it with kam_job_payload. */
enum kam_jobs_submit kam_jobs_submit_payload(struct kam_jobs *js, const char *kind, bool exclusive,
                                             const char *owner, kam_job_fn fn, const char *arg,
                                             void *payload, void (*payload_free)(void *),
                                             int64_t *id);
void *kam_job_payload(struct kam_job *job);

/* Tells how far the job is: done of total in phase (a static string), percent (0 to 100) of
 * the whole job. Thread-safe. false when the job should stop at this safe point (the server is
 * stopping and its shutdown budget is spent). */
bool kam_job_progress(struct kam_job *job, const char *phase, int64_t done, int64_t total,
                      double percent);

enum kam_jobs_cancel {
    KAM_JOBS_CANCEL_ASKED,   /* queued: cancelled now; running: it stops at its next safe point */
    KAM_JOBS_CANCEL_OVER,    /* it is finished already */
    KAM_JOBS_CANCEL_UNKNOWN, /* no such job, or who may not read it */
};

/* Asks job id to stop, for who (its owner or an admin). A job that stops ends "cancelled" with
 * a problem naming who; one that was storing already when asked finishes as it would have. */
enum kam_jobs_cancel kam_jobs_cancel_one(struct kam_jobs *js, int64_t id,
                                         const struct kam_user *who);

/* The answer to a request that submitted a job: 202 with its URL (also the Location) when r is
 * KAM_JOBS_QUEUED; 409 naming the job of the kind that runs (what: "a scoring run") when BUSY;
 * 503 when the table is full or the server stops. */
void kam_http_job_queued(struct kam_http_resp *resp, enum kam_jobs_submit r, int64_t id,
                         const char *what);

/* Writes job id as JSON (docs/api.md) if viewer may read it (its owner, or an admin); false
 * when there is no such job or the viewer may not read it (the caller answers the same 404). */
bool kam_jobs_write(struct kam_jobs *js, int64_t id, const struct kam_user *viewer,
                    struct kam_jw *w);
/* Writes {"items": [...], "total": n}: the jobs viewer may read, newest first, without their
 * result or problem. */
void kam_jobs_write_list(struct kam_jobs *js, const struct kam_user *viewer, struct kam_jw *w);

/* Shutdown, in this order: refuse new jobs and fail the queued ones (quiesce); while
 * kam_jobs_busy, the running job may finish; kam_jobs_cancel asks it to stop at its next safe
 * point; kam_jobs_free waits for it, stops the worker and frees everything (NULL: nothing). */
void kam_jobs_quiesce(struct kam_jobs *js);
bool kam_jobs_busy(struct kam_jobs *js);
void kam_jobs_cancel(struct kam_jobs *js);
void kam_jobs_free(struct kam_jobs *js);

#endif
