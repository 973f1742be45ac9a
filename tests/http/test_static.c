/* The web UI's files in memory (src/http/static.c): what is loaded from a directory, what a URL
 * finds, and what is refused, on a real temporary directory. */
#include "http/static.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char root[64];

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    char path[256];
    (void)state;
    snprintf(root, sizeof(root), "/tmp/kam-static-XXXXXX");
    if (mkdtemp(root) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/assets", root);
    mkdir(path, 0700);
    put("index.html", "<!doctype html><title>kam</title>");
    put("favicon.svg", "<svg/>");
    put(".secret", "hidden files are not part of the UI");
    /* A script big and repetitive enough to be worth compressing. */
    char big[8192];
    for (size_t i = 0; i + 1 < sizeof(big); i++)
        big[i] = "console.log('kam');\n"[i % 20];
    big[sizeof(big) - 1] = '\0';
    put("assets/index-abc123.js", big);
    put("assets/index-abc123.css", "body{margin:0}");
    snprintf(path, sizeof(path), "%s/assets/link.js", root);
    if (symlink("/etc/passwd", path) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_load_and_find(void **state)
{
    struct kam_static_site site;
    struct kam_err err;
    (void)state;
    kam_err_clear(&err);
    assert_int_equal(kam_static_load(root, &site, &err), KAM_OK);
    /* index.html, favicon.svg and the two assets: not the hidden file, not the link. */
    assert_int_equal(site.n, 4);

    const struct kam_static_file *f = kam_static_find(&site, "/");
    assert_non_null(f);
    assert_string_equal(f->path, "/index.html");
    assert_string_equal(f->type, "text/html; charset=utf-8");
    assert_false(f->immutable);
    assert_int_equal(strlen(f->etag), 18); /* a quoted 16-digit hash */

    f = kam_static_find(&site, "/assets/index-abc123.js");
    assert_non_null(f);
    assert_string_equal(f->type, "text/javascript; charset=utf-8");
    assert_true(f->immutable);
    assert_non_null(f->gz); /* repetitive text: compressed */
    assert_true(f->gz_len < f->len / 10);

    f = kam_static_find(&site, "/assets/index-abc123.css");
    assert_non_null(f);
    assert_null(f->gz); /* too small to be worth it */
    assert_string_equal(kam_static_find(&site, "/favicon.svg")->type, "image/svg+xml");
    kam_static_release(&site);
}

static void test_app_paths_and_refusals(void **state)
{
    struct kam_static_site site;
    struct kam_err err;
    (void)state;
    kam_err_clear(&err);
    assert_int_equal(kam_static_load(root, &site, &err), KAM_OK);
    /* Pages of the app, an account code with a dot among them, get index.html. */
    static const char *const pages[] = {"/accounts", "/accounts/C000001", "/accounts/A.B-01",
                                        "/admin/audit"};
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        const struct kam_static_file *f = kam_static_find(&site, pages[i]);
        assert_non_null(f);
        assert_string_equal(f->path, "/index.html");
    }
    /* Missing assets and files with a type are not pages; parent paths, hidden files and
     * symbolic links are never found. */
    static const char *const none[] = {
        "/assets/missing.js",    "/assets/x",       "/robots.txt", "/logo.png", "/../etc/passwd",
        "/assets/../index.html", "/assets/link.js", "relative",    ""};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        if (kam_static_find(&site, none[i]) != NULL)
            fail_msg("%s was found", none[i]);
    }
    /* A hidden file was not loaded: its name is just another page of the app. */
    assert_string_equal(kam_static_find(&site, "/.secret")->path, "/index.html");
    kam_static_release(&site);
}

static void test_load_errors(void **state)
{
    struct kam_static_site site;
    struct kam_err err;
    char path[256];
    (void)state;
    kam_err_clear(&err);
    assert_int_equal(kam_static_load("/nonexistent/kam-web", &site, &err), KAM_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/kam-web"));
    assert_int_equal(site.n, 0);

    /* A directory without index.html is not a built UI. */
    snprintf(path, sizeof(path), "%s/assets", root);
    kam_err_clear(&err);
    assert_int_equal(kam_static_load(path, &site, &err), KAM_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no index.html"));
    assert_int_equal(site.n, 0);
}

static void test_types(void **state)
{
    (void)state;
    assert_string_equal(kam_static_type("a.woff2"), "font/woff2");
    assert_string_equal(kam_static_type("a.json"), "application/json");
    assert_string_equal(kam_static_type("a.JS"), "application/octet-stream");
    assert_string_equal(kam_static_type("noext"), "application/octet-stream");
    assert_string_equal(kam_static_type("dir.d/noext"), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_find),
        cmocka_unit_test(test_app_paths_and_refusals),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_types),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
