/* `kam serve`: the HTTP JSON API on the database (src/http, docs/api.md) and the web UI at /
 * (docs/web.md). Prints the address it serves, and the demo logins when the database has the
 * demo users, then serves until SIGINT or SIGTERM. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"

#include <sys/stat.h>

#ifndef KAM_WEB_DIR
#define KAM_WEB_DIR "web/dist"
#endif

struct ready {
    const struct kam_cli *cli;
    const struct kam_http_config *cfg;
    bool demo;
};

static void on_ready(void *ctx, unsigned port)
{
    const struct ready *r = ctx;
    const char *scheme = r->cfg->tls_cert ? "https" : "http";
    printf("kam: serving %s on %s://%s:%u/\n", r->cli->db, scheme, r->cfg->host, port);
    if (r->demo)
        printf("demo logins (password kam-demo): admin, director, manager-east, manager-west, "
               "rep-east-1, rep-east-2, rep-west-1\n");
    if (r->cfg->web_root)
        printf("web UI: %s://%s:%u/ (from %s)\n", scheme, r->cfg->host, port, r->cfg->web_root);
    else
        printf("no web UI (build it with 'make', or give --web DIR)\n");
    printf("try: curl %s%s://%s:%u/api/v1/health\n", r->cfg->tls_cert ? "--cacert CERT " : "",
           scheme, r->cfg->host, port);
    fflush(stdout);
}

int kam_cmd_serve(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"max-body", required_argument, NULL, 'b'},
        {"web", required_argument, NULL, 'w'},
        {"no-web", no_argument, NULL, 'n'},
        {"max-import-body", required_argument, NULL, 'i'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"no-kept-answers", no_argument, NULL, 'K'},
        {0},
    };
    struct kam_http_config cfg;
    struct kam_user u;
    struct kam_err err;
    int c, code = 0;
    char *end;
    bool no_web = false;

    kam_http_config_default(&cfg);
    kam_err_clear(&err);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (kam_http_parse_listen(optarg, &cfg, &err) != KAM_OK)
                return kam_cli_usage("serve", "%s", err.msg);
            break;
        case 't': {
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64)
                return kam_cli_usage("serve", "--threads '%s' is not a number from 1 to 64",
                                     optarg);
            cfg.threads = (unsigned)n;
            break;
        }
        case 'b': {
            long long n = strtoll(optarg, &end, 10);
            if (*end || n < 1 || n > 1024LL * 1024 * 1024)
                return kam_cli_usage(
                    "serve", "--max-body '%s' is not a size from 1 to 1 GB in bytes", optarg);
            cfg.max_body = (size_t)n;
            break;
        }
        case 'i': {
            long long n = strtoll(optarg, &end, 10);
            if (*end || n < 1 || n > 1024LL * 1024 * 1024)
                return kam_cli_usage("serve",
                                     "--max-import-body '%s' is not a size from 1 to 1 GB in bytes",
                                     optarg);
            cfg.max_import_body = (size_t)n;
            break;
        }
        case 'w':
            cfg.web_root = optarg;
            break;
        case 'n':
            no_web = true;
            break;
        case 'c':
            cfg.tls_cert = optarg;
            break;
        case 'k':
            cfg.tls_key = optarg;
            break;
        case 'K':
            cfg.no_kept_answers = true;
            break;
        default:
            return kam_cli_usage("serve", "unknown option");
        }
    }
    if (optind != argc)
        return kam_cli_usage("serve", "unexpected argument '%s'", argv[optind]);
    if ((cfg.tls_cert == NULL) != (cfg.tls_key == NULL))
        return kam_cli_usage("serve", "HTTPS needs both --tls-cert FILE and --tls-key FILE");
    cfg.db_path = cli->db;
    /* The UI built beside the sources is served when it is there; --web names another. */
    struct stat sb;
    if (no_web)
        cfg.web_root = NULL;
    else if (cfg.web_root == NULL && stat(KAM_WEB_DIR "/index.html", &sb) == 0)
        cfg.web_root = KAM_WEB_DIR;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    struct ready r = {cli, &cfg, false};
    r.demo = st->ops->user_get(st, "director", &u, &err) == KAM_OK &&
             st->ops->user_get(st, "rep-east-1", &u, &err) == KAM_OK;
    kam_err_clear(&err);
    enum kam_rc rc = kam_http_serve(st, &cfg, on_ready, &r, &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    fprintf(stderr, "kam: stopped\n");
    return 0;
}
