/* `kam team`, `kam user`, `kam token`, `kam audit`: the users of the coming HTTP API, their teams
 * and API tokens, and the audit log.
 *
 * Every write goes through io/users.c, which records it in the audit log with the actor: here
 * the OS user ($USER, else "cli"), since whoever runs the CLI owns the database file anyway.
 * Passwords are never arguments (they would show in ps and the shell history): they come from
 * standard input with --password-stdin, or from a prompt without echo at a terminal. A token is
 * printed once, alone on standard output, so that `TOKEN=$(kam token create rep-east-1)` works.
 * docs/users.md. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/access.h"
#include "io/users.h"

/* The options of these commands; each action says which it takes. */
enum opt_flags {
    OPT_ROLE = 1u << 0,
    OPT_TEAM = 1u << 1,
    OPT_NAME = 1u << 2,
    OPT_PASSWORD_STDIN = 1u << 3,
    OPT_JSON = 1u << 4,
    OPT_LIMIT = 1u << 5,
};

struct opts {
    unsigned given;
    const char *role, *team, *name;
    int64_t limit;
};

static const struct option long_opts[] = {
    {"role", required_argument, NULL, 'r'},
    {"team", required_argument, NULL, 't'},
    {"name", required_argument, NULL, 'n'},
    {"password-stdin", no_argument, NULL, 'p'},
    {"json", no_argument, NULL, 'j'},
    {"limit", required_argument, NULL, 'l'},
    {0},
};

/* Parses the options of command cmd into o; positional arguments are left at argv[optind..].
 * 0, or the exit code of a usage error. */
static int parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
{
    int c;
    char *end;

    memset(o, 0, sizeof(*o));
    o->limit = 50;
    while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            o->given |= OPT_ROLE;
            o->role = optarg;
            break;
        case 't':
            o->given |= OPT_TEAM;
            o->team = optarg;
            break;
        case 'n':
            o->given |= OPT_NAME;
            o->name = optarg;
            break;
        case 'p':
            o->given |= OPT_PASSWORD_STDIN;
            break;
        case 'j':
            o->given |= OPT_JSON;
            break;
        case 'l':
            o->given |= OPT_LIMIT;
            o->limit = strtoll(optarg, &end, 10);
            if (*end || !*optarg || o->limit < 0)
                return kam_cli_usage(cmd, "--limit '%s' is not a whole number >= 0", optarg);
            break;
        default:
            return kam_cli_usage(cmd, "unknown option");
        }
    }
    return 0;
}

/* Refuses options the action does not take. */
static int check_opts(const char *cmd, const char *action, const struct opts *o, unsigned allowed)
{
    static const char *const names[] = {"--role",           "--team", "--name",
                                        "--password-stdin", "--json", "--limit"};
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((o->given & ~allowed) & (1u << i))
            return kam_cli_usage(cmd, "%s%s%s does not take %s", cmd, action ? " " : "",
                                 action ? action : "", names[i]);
    return 0;
}

/* --- passwords ---------------------------------------------------------------------------- */

/* Reads one line (without its end) from f into buf (n bytes); false at end of input before any
 * character. A line longer than the buffer is read to its end and marked by *too_long. */
static bool read_line(FILE *f, char *buf, size_t n, size_t *len, bool *too_long)
{
    int ch;
    size_t i = 0;
    bool any = false;

    *too_long = false;
    while ((ch = fgetc(f)) != EOF && ch != '\n') {
        any = true;
        if (i + 1 < n)
            buf[i++] = (char)ch;
        else
            *too_long = true;
    }
    if (i > 0 && buf[i - 1] == '\r')
        i--;
    buf[i] = '\0';
    *len = i;
    return any || ch == '\n';
}

/* Prompts on the terminal with echo off. */
static bool prompt(const char *text, char *buf, size_t n, size_t *len, bool *too_long)
{
    struct termios old, quiet;
    bool ok, restore = tcgetattr(STDIN_FILENO, &old) == 0;

    fprintf(stderr, "%s", text);
    fflush(stderr);
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ok = read_line(stdin, buf, n, len, too_long);
    if (restore)
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH,
                        &old); /* best effort: the terminal is the user's */
    fputc('\n', stderr);
    return ok;
}

/* The new password into buf: from standard input with --password-stdin, else from a prompt
 * (typed twice) at a terminal. 0, or an exit code after saying why not. */
static int read_password(const char *cmd, const struct opts *o, char *buf, size_t n, size_t *len)
{
    bool too_long = false;

    if (o->given & OPT_PASSWORD_STDIN) {
        if (!read_line(stdin, buf, n, len, &too_long)) {
            fprintf(stderr, "kam: no password on standard input\n");
            return 2;
        }
    } else if (isatty(STDIN_FILENO)) {
        static char again[KAM_PASSWORD_MAX + 2];
        size_t len2;
        bool long2;
        if (!prompt("new password: ", buf, n, len, &too_long) ||
            !prompt("again: ", again, sizeof(again), &len2, &long2)) {
            fprintf(stderr, "kam: no password given\n");
            return 2;
        }
        bool same = *len == len2 && memcmp(buf, again, len2) == 0;
        memset(again, 0, sizeof(again));
        if (!same) {
            fprintf(stderr, "kam: the two passwords differ; nothing was changed\n");
            return 2;
        }
    } else {
        return kam_cli_usage(cmd, "give the password on standard input with --password-stdin "
                                  "(never as an argument)");
    }
    if (too_long) {
        fprintf(stderr, "kam: password is longer than %d bytes\n", KAM_PASSWORD_MAX);
        return 2;
    }
    return 0;
}

/* --- kam team ----------------------------------------------------------------------------- */

static int print_team(void *ctx, int64_t id, const char *name, int64_t users)
{
    json_t *arr = ctx;
    if (arr != NULL)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:I}", "id", (json_int_t)id, "name", name,
                                             "users", (json_int_t)users));
    else
        printf("%-24s %lld user%s\n", name, (long long)users, users == 1 ? "" : "s");
    return 0;
}

int kam_cmd_team(struct kam_cli *cli, int argc, char **argv)
{
    struct opts o;
    struct kam_err err;
    int code = parse_opts("team", argc, argv, &o);
    if (code != 0)
        return code;
    int n = argc - optind;
    char **a = argv + optind;
    bool add = n == 2 && strcmp(a[0], "add") == 0, list = n == 1 && strcmp(a[0], "list") == 0;
    if (!add && !list)
        return kam_cli_usage("team", "expected add NAME or list");
    if ((code = check_opts("team", a[0], &o, list ? OPT_JSON : 0)) != 0)
        return code;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc;
    if (add) {
        rc = kam_users_team_add(st, kam_cli_actor(), a[1], NULL, &err);
        if (rc == KAM_OK)
            printf("added team '%s'\n", a[1]);
    } else {
        json_t *arr = (o.given & OPT_JSON) ? json_array() : NULL;
        rc = st->ops->team_list(st, print_team, arr, &err);
        if (arr != NULL && rc == KAM_OK)
            kam_cli_json(arr);
        else
            json_decref(arr);
    }
    kam_store_close(st);
    return rc == KAM_OK ? 0 : kam_cli_fail(&err);
}

/* --- kam user ----------------------------------------------------------------------------- */

static int print_user(void *ctx, const struct kam_user *u)
{
    json_t *arr = ctx;
    if (arr != NULL) {
        json_array_append_new(arr, kam_users_user_json(u));
        return 0;
    }
    printf("%-20s %-9s %-12s %-9s %s\n", u->username, kam_role_name(u->role),
           u->team[0] ? u->team : "-", u->disabled ? "disabled" : "active", u->display_name);
    return 0;
}

static int user_add(struct kam_store *st, char **a, const struct opts *o, struct kam_err *err)
{
    static char pw[KAM_PASSWORD_MAX + 2];
    struct kam_user u = {0};
    size_t len = 0;
    int code;

    if (o->role == NULL)
        return kam_cli_usage("user", "user add needs --role (admin, director, manager, rep or "
                                     "viewer)");
    /* Everything that does not need the password is checked before asking for it. */
    if (kam_access_check_login("username", a[1], err) != KAM_OK ||
        kam_role_parse(o->role, &u.role, err) != KAM_OK ||
        (o->team != NULL && kam_access_check_login("team name", o->team, err) != KAM_OK))
        return kam_cli_fail(err);
    if (o->name != NULL && strlen(o->name) > KAM_DISPLAY_NAME_MAX) {
        kam_err_set(err, KAM_ERR_INVALID, "--name is longer than %d bytes", KAM_DISPLAY_NAME_MAX);
        return kam_cli_fail(err);
    }
    snprintf(u.username, sizeof(u.username), "%s", a[1]);
    snprintf(u.team, sizeof(u.team), "%s", o->team ? o->team : "");
    snprintf(u.display_name, sizeof(u.display_name), "%s", o->name ? o->name : "");
    if ((code = read_password("user", o, pw, sizeof(pw), &len)) != 0)
        return code;
    enum kam_rc rc = kam_users_add(st, kam_cli_actor(), &u, pw, len, NULL, err);
    memset(pw, 0, sizeof(pw));
    if (rc != KAM_OK)
        return kam_cli_fail(err);
    printf("added user '%s' (%s%s%s)\n", u.username, kam_role_name(u.role),
           u.team[0] ? ", team " : "", u.team);
    return 0;
}

static int user_passwd(struct kam_store *st, char **a, const struct opts *o, struct kam_err *err)
{
    static char pw[KAM_PASSWORD_MAX + 2];
    struct kam_user u;
    size_t len = 0;
    int code;

    /* An unknown user is told before the password is asked for. */
    if (st->ops->user_get(st, a[1], &u, err) != KAM_OK)
        return kam_cli_fail(err);
    memset(&u, 0, sizeof(u));
    if ((code = read_password("user", o, pw, sizeof(pw), &len)) != 0)
        return code;
    enum kam_rc rc = kam_users_passwd(st, kam_cli_actor(), a[1], pw, len, err);
    memset(pw, 0, sizeof(pw));
    if (rc != KAM_OK)
        return kam_cli_fail(err);
    printf("changed the password of '%s'\n", a[1]);
    return 0;
}

static int user_disable(struct kam_store *st, char **a, bool disable, struct kam_err *err)
{
    bool changed = false;
    if (kam_users_set_disabled(st, kam_cli_actor(), a[1], disable, &changed, err) != KAM_OK)
        return kam_cli_fail(err);
    printf("%s '%s'%s\n", disable ? "disabled" : "enabled", a[1], changed ? "" : " (already)");
    return 0;
}

int kam_cmd_user(struct kam_cli *cli, int argc, char **argv)
{
    static const struct action {
        const char *name;
        int args; /* after the action */
        unsigned opts;
    } actions[] = {
        {"add", 1, OPT_ROLE | OPT_TEAM | OPT_NAME | OPT_PASSWORD_STDIN},
        {"passwd", 1, OPT_PASSWORD_STDIN},
        {"disable", 1, 0},
        {"enable", 1, 0},
        {"list", 0, OPT_JSON},
    };
    const struct action *act = NULL;
    struct opts o;
    struct kam_err err;
    int code = parse_opts("user", argc, argv, &o);
    if (code != 0)
        return code;
    int n = argc - optind;
    char **a = argv + optind;
    for (size_t i = 0; n > 0 && i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(a[0], actions[i].name) == 0)
            act = &actions[i];
    if (act == NULL)
        return kam_cli_usage("user", n > 0 ? "unknown action '%s'" : "expected an action%s",
                             n > 0 ? a[0] : "");
    if (n != act->args + 1)
        return kam_cli_usage("user", "user %s takes %s", act->name,
                             act->args ? "one USERNAME" : "no argument");
    if ((code = check_opts("user", act->name, &o, act->opts)) != 0)
        return code;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    if (strcmp(act->name, "add") == 0) {
        code = user_add(st, a, &o, &err);
    } else if (strcmp(act->name, "passwd") == 0) {
        code = user_passwd(st, a, &o, &err);
    } else if (strcmp(act->name, "list") == 0) {
        json_t *arr = (o.given & OPT_JSON) ? json_array() : NULL;
        enum kam_rc rc = st->ops->user_list(st, print_user, arr, &err);
        if (arr != NULL && rc == KAM_OK)
            kam_cli_json(arr);
        else
            json_decref(arr);
        code = rc == KAM_OK ? 0 : kam_cli_fail(&err);
    } else {
        code = user_disable(st, a, strcmp(act->name, "disable") == 0, &err);
    }
    kam_store_close(st);
    return code;
}

/* --- kam token ---------------------------------------------------------------------------- */

static int print_token(void *ctx, const struct kam_token *t)
{
    json_t *arr = ctx;
    if (arr != NULL) {
        json_array_append_new(arr, kam_users_token_json(t));
        return 0;
    }
    printf("%-6lld %-20s %-20s %-20s %s\n", (long long)t->id, t->username,
           t->name[0] ? t->name : "-", t->created_at,
           t->revoked_at[0]     ? "revoked"
           : t->last_used_at[0] ? t->last_used_at
                                : "never used");
    return 0;
}

int kam_cmd_token(struct kam_cli *cli, int argc, char **argv)
{
    struct opts o;
    struct kam_err err;
    char *end;
    int code = parse_opts("token", argc, argv, &o);
    if (code != 0)
        return code;
    int n = argc - optind;
    char **a = argv + optind;
    const char *act = n > 0 ? a[0] : "";
    bool create = strcmp(act, "create") == 0, revoke = strcmp(act, "revoke") == 0,
         list = strcmp(act, "list") == 0;
    if (!create && !revoke && !list)
        return kam_cli_usage("token", "expected create USERNAME, revoke ID or list [USERNAME]");
    if ((create || revoke) && n != 2)
        return kam_cli_usage("token", "token %s takes one %s", act, create ? "USERNAME" : "ID");
    if (list && n > 2)
        return kam_cli_usage("token", "token list takes at most one USERNAME");
    if ((code = check_opts("token", act, &o, create ? OPT_NAME : list ? OPT_JSON : 0)) != 0)
        return code;
    long long id = 0;
    if (revoke) {
        id = strtoll(a[1], &end, 10);
        if (*end || !*a[1] || id <= 0)
            return kam_cli_usage("token", "token id '%s' is not a whole number > 0", a[1]);
    }
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc;
    if (create) {
        char token[KAM_TOKEN_SIZE];
        int64_t tid = 0;
        rc = kam_users_token_create(st, kam_cli_actor(), a[1], o.name, token, &tid, &err);
        if (rc == KAM_OK) {
            fprintf(stderr,
                    "token %lld for '%s' (shown once: store it now; kam keeps only its "
                    "hash)\n",
                    (long long)tid, a[1]);
            printf("%s\n", token);
            memset(token, 0, sizeof(token));
        }
    } else if (revoke) {
        bool changed = false;
        rc = kam_users_token_revoke(st, kam_cli_actor(), id, &changed, &err);
        if (rc == KAM_OK)
            printf("revoked token %lld%s\n", id, changed ? "" : " (already)");
    } else {
        struct kam_user u = {0};
        json_t *arr = (o.given & OPT_JSON) ? json_array() : NULL;
        rc = n == 2 ? st->ops->user_get(st, a[1], &u, &err) : KAM_OK;
        if (rc == KAM_OK)
            rc = st->ops->token_each(st, u.id, print_token, arr, &err);
        if (arr != NULL && rc == KAM_OK)
            kam_cli_json(arr);
        else
            json_decref(arr);
    }
    kam_store_close(st);
    return rc == KAM_OK ? 0 : kam_cli_fail(&err);
}

/* --- kam audit ---------------------------------------------------------------------------- */

static void print_value(const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    printf("%s", s ? s : "-");
    free(s);
}

/* "field: old -> new" for each field that differs (updated_at and version left out: every
 * change moves them), or the created record's fields. A password change shows no field: the
 * hash is never logged. */
static void print_changes(const char *action, const char *before, const char *after)
{
    json_t *b = before ? json_loads(before, 0, NULL) : NULL;
    json_t *a = after ? json_loads(after, 0, NULL) : NULL;
    const char *key;
    json_t *v;
    bool first = true;

    if (b == NULL && a != NULL) {
        printf("created ");
        print_value(a);
    } else if (b != NULL && a == NULL) {
        printf("removed ");
        print_value(b);
    } else if (b != NULL) {
        json_object_foreach(a, key, v)
        {
            json_t *old = json_object_get(b, key);
            if (strcmp(key, "updated_at") == 0 || strcmp(key, "version") == 0 ||
                (old != NULL && json_equal(old, v)))
                continue;
            printf("%s%s: ", first ? "" : ", ", key);
            print_value(old);
            printf(" -> ");
            print_value(v);
            first = false;
        }
        if (first)
            printf("%s",
                   strcmp(action, "user.passwd") == 0 ? "password changed" : "no field changed");
    }
    json_decref(b);
    json_decref(a);
}

static json_t *json_text(const char *s)
{
    json_t *j = s ? json_loads(s, 0, NULL) : NULL;
    return j ? j : json_null();
}

static int print_audit(void *ctx, const struct kam_audit_entry *e)
{
    json_t *arr = ctx;
    if (arr != NULL) {
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:o,s:o}", "id",
                                             (json_int_t)e->id, "at", e->at, "actor", e->actor,
                                             "action", e->action, "entity", e->entity, "key",
                                             e->entity_key, "before", json_text(e->before), "after",
                                             json_text(e->after)));
        return 0;
    }
    printf("%-6lld %s  %-12s %-14s %s %s  ", (long long)e->id, e->at, e->actor, e->action,
           e->entity, e->entity_key ? e->entity_key : "-");
    print_changes(e->action, e->before, e->after);
    putchar('\n');
    return 0;
}

int kam_cmd_audit(struct kam_cli *cli, int argc, char **argv)
{
    struct opts o;
    struct kam_err err;
    int code = parse_opts("audit", argc, argv, &o);
    if (code != 0)
        return code;
    if (argc - optind != 0)
        return kam_cli_usage("audit", "unexpected argument '%s'", argv[optind]);
    if ((code = check_opts("audit", NULL, &o, OPT_LIMIT | OPT_JSON)) != 0)
        return code;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    json_t *arr = (o.given & OPT_JSON) ? json_array() : NULL;
    struct kam_audit_query q = {.limit = o.limit};
    enum kam_rc rc = st->ops->audit_list(st, &q, NULL, print_audit, arr, &err);
    if (arr != NULL && rc == KAM_OK)
        kam_cli_json(arr);
    else
        json_decref(arr);
    kam_store_close(st);
    return rc == KAM_OK ? 0 : kam_cli_fail(&err);
}
