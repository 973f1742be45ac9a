/* Commands that change or move data: init, import, export, demo, tag. Each write runs in one
 * transaction; on any error the database is left as it was. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "io/demo.h"
#include "io/export.h"
#include "io/import.h"
#include "util/money.h"

#define MAX_SHOWN_ERRORS 100

int kam_cmd_init(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"currency", required_argument, NULL, 'c'}, {0}};
    const char *currency = "CNY";
    struct kam_err err;
    char cur[16];
    int c, code = 0;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'c')
            return kam_cli_usage("init", "unknown option");
        currency = optarg;
    }
    if (strlen(currency) != 3 || strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return kam_cli_usage("init", "currency '%s' is not an ISO 4217 code such as CNY", currency);
    struct kam_store *st = kam_cli_open(cli, KAM_STORE_CREATE, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    if (st->ops->meta_get(st, "currency", cur, sizeof(cur), &err) == KAM_OK) {
        printf("%s is already initialised (currency %s)\n", cli->db, cur);
    } else if (st->ops->meta_set(st, "currency", currency, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
    } else {
        printf("initialised %s (schema %d, currency %s)\n", cli->db, KAM_SCHEMA_VERSION, currency);
    }
    kam_store_close(st);
    return code;
}

struct import_out {
    int64_t shown;
    int64_t total;
};

static void print_error(void *ctx, const char *file, int64_t line, const char *field,
                        const char *msg)
{
    struct import_out *o = ctx;
    if (o->total++ >= MAX_SHOWN_ERRORS)
        return;
    o->shown++;
    if (field[0])
        fprintf(stderr, "%s:%lld: field %s: %s\n", file, (long long)line, field, msg);
    else
        fprintf(stderr, "%s:%lld: %s\n", file, (long long)line, msg);
}

int kam_cmd_import(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"map", required_argument, NULL, 'm'},
        {"map-file", required_argument, NULL, 'M'},
        {"date-format", required_argument, NULL, 'd'},
        {"encoding", required_argument, NULL, 'e'},
        {"reject-file", required_argument, NULL, 'r'},
        {"dry-run", no_argument, NULL, 'n'},
        {"create-missing", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {0},
    };
    struct kam_import_opts o = {0};
    struct kam_import_report rep;
    struct import_out out = {0, 0};
    struct kam_err err;
    bool json = false;
    int c, code = 0;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            o.map = optarg;
            break;
        case 'M':
            o.map_file = optarg;
            break;
        case 'd':
            o.date_format = optarg;
            break;
        case 'e':
            o.encoding = optarg;
            break;
        case 'r':
            o.reject_path = optarg;
            break;
        case 'n':
            o.dry_run = true;
            break;
        case 'c':
            o.create_missing = true;
            break;
        case 'j':
            json = true;
            break;
        default:
            return kam_cli_usage("import", "unknown option");
        }
    }
    if (argc - optind != 2)
        return kam_cli_usage("import", "expected KIND and FILE");
    if (!kam_import_kind_parse(argv[optind], &o.kind))
        return kam_cli_usage("import",
                             "unknown kind '%s' (accounts, contacts, products, orders, payments)",
                             argv[optind]);
    o.path = argv[optind + 1];
    o.actor = kam_cli_actor(); /* audited as an import through the API is */
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    enum kam_rc rc = kam_import_run(st, &o, print_error, &out, &rep, &err);
    kam_store_close(st);
    if (out.total > out.shown)
        fprintf(stderr, "... and %lld more errors (%lld in all)\n",
                (long long)(out.total - out.shown), (long long)out.total);
    if (rc != KAM_OK) {
        if (err.line > 0) {
            fprintf(stderr, "%s:%lld: %s\n", o.path, (long long)err.line, err.msg);
            return kam_rc_exit_code(rc);
        }
        fprintf(stderr, "kam import: %s: %s\n", o.path, err.msg);
        return kam_rc_exit_code(rc);
    }
    double rate = rep.seconds > 0 ? (double)rep.rows / rep.seconds : 0;
    if (json) {
        json_t *j =
            json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:b,s:f,s:f}", "file", o.path,
                      "kind", kam_import_kind_name(o.kind), "rows", (json_int_t)rep.rows,
                      "inserted", (json_int_t)rep.inserted, "updated", (json_int_t)rep.updated,
                      "unchanged", (json_int_t)rep.unchanged, "rejected", (json_int_t)rep.rejected,
                      "created_accounts", (json_int_t)rep.created_accounts, "created_products",
                      (json_int_t)rep.created_products, "dry_run", o.dry_run, "written",
                      rep.written, "seconds", rep.seconds, "rows_per_second", rate);
        kam_cli_json(j);
        return 0;
    }
    printf("%s%s: %lld rows read, %lld inserted, %lld updated, %lld unchanged, %lld rejected",
           o.dry_run ? "dry run, nothing written: " : "", o.path, (long long)rep.rows,
           (long long)rep.inserted, (long long)rep.updated, (long long)rep.unchanged,
           (long long)rep.rejected);
    if (o.create_missing)
        printf(", %lld accounts and %lld products created", (long long)rep.created_accounts,
               (long long)rep.created_products);
    printf("; %.2f s, %.0f rows/s\n", rep.seconds, rate);
    if (rep.rejected > 0 && o.reject_path)
        printf("rejected rows are in %s with their reasons\n", o.reject_path);
    return 0;
}

/* The options of `kam export`. */
struct export_opts {
    enum kam_export_kind kind;
    const char *output, *xlsx;
    bool json, encoding_set;
    enum kam_export_encoding enc;
};

/* Parses export's options into *o: 0, or the exit code after a usage error. */
static int export_parse(int argc, char **argv, struct export_opts *o)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"encoding", required_argument, NULL, 'e'},
                                         {"xlsx", required_argument, NULL, 'x'},
                                         {0}};
    int c;

    /* ':' first: getopt reports a missing value as ':' and stays quiet, so the message is ours. */
    while ((c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
        if (c == 'j') {
            o->json = true;
        } else if (c == 'o') {
            o->output = optarg;
        } else if (c == 'e') {
            if (!kam_export_encoding_parse(optarg, &o->enc))
                return kam_cli_usage("export", "unknown encoding '%s' (use utf-8 or gb18030)",
                                     optarg);
            o->encoding_set = true;
        } else if (c == 'x') {
            if (optarg[0] == '\0' || optarg[0] == '-')
                return kam_cli_usage("export", "--xlsx needs a file name");
            o->xlsx = optarg;
        } else if (c == ':') {
            return kam_cli_usage("export", "%s needs a value", argv[optind - 1]);
        } else {
            return kam_cli_usage("export", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1 || !kam_export_kind_parse(argv[optind], &o->kind))
        return kam_cli_usage("export", "expected one of accounts, contacts, products, orders, "
                                       "payments");
    if (o->xlsx && (o->json || o->output || o->encoding_set))
        return kam_cli_usage("export", "--xlsx writes its own file: it takes no --json, --output "
                                       "or --encoding");
    if (o->json && o->encoding_set)
        return kam_cli_usage("export", "--encoding is for CSV: JSON is always UTF-8");
    return 0;
}

/* Writes the CSV or JSON export to o->output, or stdout. A file is written under a temporary
 * name and renamed, so a failed export never leaves a truncated file behind. */
static enum kam_rc export_stream(struct kam_store *st, const struct export_opts *o,
                                 struct kam_err *err)
{
    char tmp[4096];
    FILE *f = stdout;
    if (o->output) {
        snprintf(tmp, sizeof(tmp), "%s.tmp", o->output);
        f = fopen(tmp, "w");
        if (f == NULL)
            return kam_err_set(err, KAM_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
    }
    enum kam_rc rc = o->json ? kam_export(st, o->kind, true, f, err)
                             : kam_export_csv(st, o->kind, o->enc, f, err);
    if (o->output) {
        if (fclose(f) != 0 && rc == KAM_OK)
            rc = kam_err_set(err, KAM_ERR_IO, "cannot write '%s'", tmp);
        if (rc == KAM_OK && rename(tmp, o->output) != 0)
            rc = kam_err_set(err, KAM_ERR_IO, "cannot write '%s': %s", o->output, strerror(errno));
        if (rc != KAM_OK)
            remove(tmp);
    }
    return rc;
}

int kam_cmd_export(struct kam_cli *cli, int argc, char **argv)
{
    struct export_opts o = {.enc = KAM_ENCODING_UTF8};
    struct kam_err err;
    int code = export_parse(argc, argv, &o);

    if (code != 0)
        return code;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc =
        o.xlsx ? kam_export_xlsx(st, o.kind, o.xlsx, &err) : export_stream(st, &o, &err);
    kam_store_close(st);
    return rc == KAM_OK ? 0 : kam_cli_fail(&err);
}

int kam_cmd_demo(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'}, {"accounts", required_argument, NULL, 'a'}, {0}};
    struct kam_demo_opts o;
    struct kam_demo_report rep;
    struct kam_err err;
    char *end;
    int c, code = 0;

    kam_demo_opts_default(&o);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's') {
            o.seed = strtoull(optarg, &end, 10);
            if (*end || !*optarg)
                return kam_cli_usage("demo", "--seed '%s' is not a whole number", optarg);
        } else if (c == 'a') {
            long n = strtol(optarg, &end, 10);
            if (*end || n < 10 || n > KAM_DEMO_MAX_ACCOUNTS)
                return kam_cli_usage("demo", "--accounts must be between 10 and %d",
                                     KAM_DEMO_MAX_ACCOUNTS);
            o.accounts = (int)n;
        } else {
            return kam_cli_usage("demo", "unknown option");
        }
    }
    struct kam_store *st = kam_cli_open(cli, KAM_STORE_CREATE, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    char cur[16];
    if (st->ops->meta_get(st, "currency", cur, sizeof(cur), &err) != KAM_OK &&
        st->ops->meta_set(st, "currency", "CNY", &err) != KAM_OK) {
        kam_store_close(st);
        return kam_cli_fail(&err);
    }
    enum kam_rc rc = kam_demo_generate(st, &o, &rep, &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    printf("demo company (seed %llu) in %s: %lld accounts, %lld products, %lld contacts, "
           "%lld order lines, %lld payments\n",
           (unsigned long long)o.seed, cli->db, (long long)rep.accounts, (long long)rep.products,
           (long long)rep.contacts, (long long)rep.order_lines, (long long)rep.payments);
    printf("logins (password kam-demo): admin, director, manager-east, manager-west, rep-east-1, "
           "rep-east-2, rep-west-1\n");
    return 0;
}

static int print_tag(void *ctx, const char *name, const char *color, int64_t n)
{
    json_t *arr = ctx;
    if (arr) {
        json_array_append_new(arr, json_pack("{s:s,s:s?,s:I}", "name", name, "color",
                                             color[0] ? color : NULL, "accounts", (json_int_t)n));
        return 0;
    }
    printf("%-24s %-9s %lld\n", name, color, (long long)n);
    return 0;
}

static int take_id(void *ctx, int64_t id, const struct kam_value *vals)
{
    (void)vals;
    *(int64_t *)ctx = id;
    return 0;
}

int kam_cmd_tag(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"color", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'}, {0}};
    const char *color = NULL;
    bool json = false;
    struct kam_err err;
    int c, code = 0;
    int64_t id = 0;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'c')
            color = optarg;
        else if (c == 'j')
            json = true;
        else
            return kam_cli_usage("tag", "unknown option");
    }
    int n = argc - optind;
    char **a = argv + optind;
    if (n < 1 || (strcmp(a[0], "list") != 0 && n != 3) || (strcmp(a[0], "list") == 0 && n > 2))
        return kam_cli_usage("tag", "expected add CODE TAG, rm CODE TAG or list [CODE]");
    if (strcmp(a[0], "add") != 0 && strcmp(a[0], "rm") != 0 && strcmp(a[0], "list") != 0)
        return kam_cli_usage("tag", "unknown action '%s'", a[0]);
    if (n >= 2 && strcmp(a[0], "list") != 0 && (a[2][0] == '\0' || strlen(a[2]) > 64))
        return kam_cli_usage("tag", "a tag name has 1 to 64 bytes");
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc = KAM_OK;
    if (n >= 2)
        rc = st->ops->get(st, &kam_accounts, a[1], take_id, &id, &err);
    if (rc == KAM_OK && strcmp(a[0], "list") == 0) {
        json_t *arr = json ? json_array() : NULL;
        rc = st->ops->tag_list(st, id, print_tag, arr, &err);
        if (arr)
            kam_cli_json(arr);
    } else if (rc == KAM_OK) {
        rc = kam_engine_tag(st, kam_cli_actor(), NULL, a[1], a[2], color, strcmp(a[0], "add") == 0,
                            &err);
        if (rc == KAM_OK)
            printf("%s '%s' %s %s\n", strcmp(a[0], "add") == 0 ? "tagged" : "untagged", a[1],
                   strcmp(a[0], "add") == 0 ? "with" : "from", a[2]);
    }
    kam_store_close(st);
    return rc == KAM_OK ? 0 : kam_cli_fail(&err);
}
