/* The engine tests' fixture: a demo company of n accounts (one year of orders) in a fresh
 * database under $TMPDIR, made once per test group and removed after it. */
#ifndef KAM_TESTS_ENGINE_DEMO_DB_H
#define KAM_TESTS_ENGINE_DEMO_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/demo.h"
#include "store/store.h"

static char demo_dir[256], demo_path[300];

/* 0 on success, the database at demo_path; -1 (with a line on stderr) otherwise. */
static int demo_db_create(const char *name, int accounts)
{
    struct kam_demo_opts o;
    struct kam_demo_report rep;
    struct kam_store *st = NULL;
    struct kam_err err;
    const char *tmp = getenv("TMPDIR");
    snprintf(demo_dir, sizeof(demo_dir), "%s/kam-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    if (mkdtemp(demo_dir) == NULL)
        return -1;
    snprintf(demo_path, sizeof(demo_path), "%s/kam.db", demo_dir);
    kam_demo_opts_default(&o);
    o.accounts = accounts;
    o.years = 1;
    if (kam_store_open(demo_path, KAM_STORE_CREATE, &st, &err) != KAM_OK)
        return -1;
    enum kam_rc rc = kam_demo_generate(st, &o, &rep, &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        fprintf(stderr, "demo: %s\n", err.msg);
    return rc == KAM_OK ? 0 : -1;
}

static void demo_db_remove(void)
{
    char p[320];
    static const char *const files[] = {"kam.db", "kam.db-wal", "kam.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", demo_dir, files[i]);
        unlink(p);
    }
    rmdir(demo_dir);
}

#endif
