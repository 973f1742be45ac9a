/* The progress callback of a scoring run (kam_engine_score_with, src/engine/score_run.c) on a
 * demo database of more than one chunk (4,096 accounts): what it is told in each phase, that
 * the run's figures are those of kam_engine_score, and that a stop asked in the metrics phase
 * or in the middle of storing stores nothing (the shutdown of kam serve relies on it). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "io/demo.h"

#include "demo_db.h"

#define ACCOUNTS 4500 /* two chunks of the metrics pass, four progress steps of storing */

/* What the callback saw; readers call it from several threads. */
struct seen {
    pthread_mutex_t lock;
    size_t calls[3], max_done[3], total[3];
    bool backwards; /* a phase before one already told */
    int last_phase;
    int stop_phase; /* stop when told this phase with done >= stop_at; -1 never */
    size_t stop_at;
};

static int on_progress(void *ctx, enum kam_score_phase phase, size_t done, size_t total)
{
    struct seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    s->calls[phase]++;
    if (done > s->max_done[phase])
        s->max_done[phase] = done;
    s->total[phase] = total;
    s->backwards = s->backwards || (int)phase < s->last_phase;
    s->last_phase = (int)phase;
    int stop = (int)phase == s->stop_phase && done >= s->stop_at;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static struct kam_store *open_db(void)
{
    struct kam_store *st = NULL;
    struct kam_err err;
    if (kam_store_open(demo_path, 0, &st, &err) != KAM_OK)
        fail_msg("opening %s: %s", demo_path, err.msg);
    return st;
}

static int count_run(void *ctx, const struct kam_run *run)
{
    (void)run;
    ++*(int64_t *)ctx;
    return 0;
}

static int64_t runs(struct kam_store *st)
{
    struct kam_err err;
    int64_t n = 0;
    if (st->ops->run_list(st, 1000, count_run, &n, &err) != KAM_OK)
        fail_msg("listing runs: %s", err.msg);
    return n;
}

static void seen_init(struct seen *s, int stop_phase, size_t stop_at)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    s->stop_phase = stop_phase;
    s->stop_at = stop_at;
}

static void test_progress_told(void **state)
{
    struct kam_store *st = open_db();
    struct kam_score_outcome plain, told;
    struct kam_err err;
    struct seen s;
    (void)state;
    seen_init(&s, -1, 0);
    assert_int_equal(kam_engine_score(st, "test", NULL, &plain, &err), KAM_OK);
    struct kam_score_opts o = {NULL, on_progress, &s};
    assert_int_equal(kam_engine_score_with(st, "test", &o, &told, &err), KAM_OK);
    /* Metrics: the start, then once per chunk, up to every account. */
    assert_int_equal(s.calls[KAM_SCORE_METRICS], 1 + (ACCOUNTS + 4095) / 4096);
    assert_int_equal(s.max_done[KAM_SCORE_METRICS], ACCOUNTS);
    assert_int_equal(s.calls[KAM_SCORE_SCORES], 1);
    /* Storing: before the transaction, every 1024 accounts, and once stored. */
    assert_int_equal(s.calls[KAM_SCORE_STORE], 1 + (ACCOUNTS - 1) / 1024 + 1);
    assert_int_equal(s.max_done[KAM_SCORE_STORE], ACCOUNTS);
    for (int p = 0; p < 3; p++)
        assert_int_equal(s.total[p], ACCOUNTS);
    assert_false(s.backwards);
    /* The same run as without a callback. */
    assert_int_equal(told.run, plain.run + 1);
    assert_int_equal(told.accounts, plain.accounts);
    assert_memory_equal(told.tiers, plain.tiers, sizeof(told.tiers));
    assert_int_equal(told.missing, plain.missing);
    assert_string_equal(kam_score_phase_name(KAM_SCORE_STORE), "store");
    pthread_mutex_destroy(&s.lock);
    kam_store_close(st);
}

/* A stop asked at each kind of safe point: the run fails and nothing is stored; the next run
 * (the transaction was rolled back) goes through. */
static void test_stop_stores_nothing(void **state)
{
    static const struct {
        const char *name;
        int phase;
        size_t at;
    } cases[] = {
        {"after the first chunk read", KAM_SCORE_METRICS, 1},
        {"before the storing transaction", KAM_SCORE_STORE, 0},
        {"half way through storing", KAM_SCORE_STORE, 2048},
    };
    struct kam_store *st = open_db();
    struct kam_score_outcome out;
    struct kam_err err;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct seen s;
        seen_init(&s, cases[i].phase, cases[i].at);
        int64_t before = runs(st);
        struct kam_score_opts o = {NULL, on_progress, &s};
        if (kam_engine_score_with(st, "test", &o, &out, &err) != KAM_ERR_STORE)
            fail_msg("%s: the run was not stopped", cases[i].name);
        assert_non_null(strstr(err.msg, "stopped"));
        if (runs(st) != before)
            fail_msg("%s: a run was stored", cases[i].name);
        pthread_mutex_destroy(&s.lock);
    }
    int64_t before = runs(st);
    assert_int_equal(kam_engine_score(st, "test", NULL, &out, &err), KAM_OK);
    assert_int_equal(runs(st), before + 1);
    kam_store_close(st);
}

static int group_setup(void **state)
{
    (void)state;
    return demo_db_create("progress", ACCOUNTS);
}

static int group_teardown(void **state)
{
    (void)state;
    demo_db_remove();
    return 0;
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_told),
        cmocka_unit_test(test_stop_stores_nothing),
    };
    return cmocka_run_group_tests_name("engine score progress", tests, group_setup, group_teardown);
}
