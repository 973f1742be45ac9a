/* The portfolio within a scope (kam_engine_portfolio with opts.scope, src/engine/engine.c) on a
 * demo database of more than one chunk (4,096 accounts): it holds exactly the accounts the
 * account list gives to the scope, each with the metrics, stage and series of the whole
 * portfolio's computation (but the share of the total, which is of the scoped set), and one
 * reader and four readers compute the same. The scope's accounts are scattered over the ids,
 * which makes its chunks end early: this is what checks that the readers still cover them all. */
#include <math.h>
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

#define ACCOUNTS 4500 /* two chunks of the metrics pass */

static struct kam_store *open_db(void)
{
    struct kam_store *st = NULL;
    struct kam_err err;
    if (kam_store_open(demo_path, 0, &st, &err) != KAM_OK)
        fail_msg("opening %s: %s", demo_path, err.msg);
    return st;
}

/* The portfolio of scope (NULL: every account) with `readers` reader threads. */
static void compute(struct kam_store *st, const struct kam_scope *scope, const char *readers,
                    struct kam_portfolio *p)
{
    struct kam_engine_opts o = {.scope = scope};
    struct kam_err err;
    setenv("KAM_ENGINE_READERS", readers, 1);
    if (kam_engine_portfolio(st, &o, p, &err) != KAM_OK)
        fail_msg("portfolio: %s", err.msg);
    unsetenv("KAM_ENGINE_READERS");
}

static int count_listed(void *ctx, int64_t id, const struct kam_value *vals, kam_money ttm,
                        kam_money total)
{
    (void)id, (void)vals, (void)ttm, (void)total;
    ++*(size_t *)ctx;
    return 0;
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Account i of s has the figures of the same account in all, but its share of the total. */
static void same_account(const struct kam_portfolio *s, size_t i, const struct kam_portfolio *all)
{
    ptrdiff_t j = kam_portfolio_find(all, s->codes[i]);
    assert_true(j >= 0);
    assert_int_equal(all->ids[j], s->ids[i]);
    for (size_t k = 0; k < kam_metric_count; k++) {
        if (strcmp(kam_metric_defs[k].name, "share_of_total") == 0)
            continue;
        if (!same_double(kam_metric_value(&s->m[i], k), kam_metric_value(&all->m[j], k)))
            fail_msg("%s: metric %s differs", s->codes[i], kam_metric_defs[k].name);
    }
    assert_int_equal(s->stage[i].stage, all->stage[j].stage);
    assert_memory_equal(&s->series[i * KAM_ENGINE_SERIES], &all->series[j * KAM_ENGINE_SERIES],
                        KAM_ENGINE_SERIES * sizeof(*s->series));
}

static void test_scoped_portfolio(void **state)
{
    struct kam_store *st = open_db();
    struct kam_portfolio all, one, four;
    struct kam_scope scope;
    struct kam_err err;
    (void)state;

    kam_scope_init(&scope, KAM_ROLE_REP, "rep-east-1", NULL);
    struct kam_account_query q = {.scope = &scope};
    size_t listed = 0;
    assert_int_equal(st->ops->account_list(st, &q, count_listed, &listed, &err), KAM_OK);
    assert_true(listed > 0 && listed < ACCOUNTS);

    compute(st, NULL, "4", &all);
    compute(st, &scope, "1", &one);
    compute(st, &scope, "4", &four);
    assert_int_equal(all.n, ACCOUNTS);
    assert_int_equal(one.n, listed);
    assert_int_equal(four.n, listed);
    double share = 0;
    for (size_t i = 0; i < one.n; i++) {
        same_account(&one, i, &all);
        assert_int_equal(four.ids[i], one.ids[i]);
        assert_memory_equal(&four.m[i], &one.m[i], sizeof(one.m[i]));
        if (one.m[i].revenue > 0)
            share += one.m[i].share_of_total;
    }
    assert_true(fabs(share - 1.0) < 1e-9); /* shares of the scoped set */
    kam_portfolio_release(&all);
    kam_portfolio_release(&one);
    kam_portfolio_release(&four);

    /* The ALL scope is every account, and a scope without accounts is NOT_FOUND. */
    kam_scope_init(&scope, KAM_ROLE_DIRECTOR, "director", NULL);
    compute(st, &scope, "2", &all);
    assert_int_equal(all.n, ACCOUNTS);
    kam_portfolio_release(&all);
    kam_scope_init(&scope, KAM_ROLE_REP, "nobody", NULL);
    struct kam_engine_opts o = {.scope = &scope};
    assert_int_equal(kam_engine_portfolio(st, &o, &all, &err), KAM_ERR_NOT_FOUND);
    kam_store_close(st);
}

static int group_setup(void **state)
{
    (void)state;
    return demo_db_create("scope", ACCOUNTS);
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
        cmocka_unit_test(test_scoped_portfolio),
    };
    return cmocka_run_group_tests_name("engine portfolio scope", tests, group_setup,
                                       group_teardown);
}
