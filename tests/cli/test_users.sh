#!/bin/bash
# Users, teams, API tokens and the audit log (docs/users.md): every command, its errors (and
# that a refused command writes nothing), the audit entries, and that no password, password
# hash or token ever appears in `kam user list --json`, `kam token list --json` or the audit log.
# The suite's environment sets KAM_TEST_FAST_HASH=1; one case checks the default cost without it.
. "$(dirname "$0")/lib.sh"

DB=$WORK/u.db
export USER=tester
PW='correct horse 1'

# run_stdin TEXT ARGS...: runs kam with TEXT (and a newline) on standard input.
run_stdin() {
    local text=$1
    shift
    printf '%s\n' "$text" | "$KAM" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

run --db "$DB" init
expect_rc "init" 0
run --db "$DB" version
expect_out "schema 8" "schema 8"
expect_eq "migration 8 recorded" "$(sql "$DB" "SELECT max(version) FROM schema_migrations")" "8"

# --- teams ---
run --db "$DB" team add east
expect_rc "team add" 0
expect_out "team add" "added team 'east'"
run --db "$DB" team add west
expect_rc "team add west" 0
before=$(digest "$DB")
run --db "$DB" team add east
expect_rc "duplicate team" 2
expect_err "duplicate team" "team 'east' already exists"
run --db "$DB" team add "far east"
expect_rc "team name with a space" 2
expect_err "team name with a space" "team name 'far east' is not allowed"
run --db "$DB" team add
expect_rc "team add without a name" 1
run --db "$DB" team add east --json
expect_rc "team add does not take --json" 1
expect_unchanged "refused team commands" "$DB" "$before"

# --- users ---
run_stdin "$PW" --db "$DB" user add rep-east-1 --role rep --team east --name "张伟" --password-stdin
expect_rc "user add" 0
expect_out "user add" "added user 'rep-east-1' (rep, team east)"
run_stdin "$PW" --db "$DB" user add admin --role admin --password-stdin
expect_rc "user add admin" 0
run_stdin "$PW" --db "$DB" user add rep-west-1 --role rep --team west --password-stdin
expect_rc "user add west" 0
# Windows line ends: the \r is not part of the password.
printf '%s\r\n' "viewer-pass" | "$KAM" --db "$DB" user add viewer --role viewer --team east \
    --password-stdin >"$OUT" 2>"$ERR"
RC=$?
expect_rc "password with CRLF" 0

before=$(digest "$DB")
run_stdin "$PW" --db "$DB" user add bob --password-stdin
expect_rc "user add without --role" 1
expect_err "user add without --role" "needs --role"
run_stdin "$PW" --db "$DB" user add bob --role boss --password-stdin
expect_rc "unknown role" 2
expect_err "unknown role names the allowed ones" \
    "unknown role 'boss': use admin, director, manager, rep or viewer"
run_stdin "$PW" --db "$DB" user add bob --role rep --team north --password-stdin
expect_rc "unknown team" 2
expect_err "unknown team" "team 'north' does not exist"
run_stdin "$PW" --db "$DB" user add rep-east-1 --role rep --password-stdin
expect_rc "duplicate username" 2
expect_err "duplicate username" "user 'rep-east-1' already exists"
run_stdin "short" --db "$DB" user add bob --role rep --password-stdin
expect_rc "short password" 2
expect_err "short password" "password is too short (5 characters): use at least 8"
run_stdin "" --db "$DB" user add bob --role rep --password-stdin
expect_rc "empty password" 2
expect_err "empty password" "password is empty: use at least 8 characters"
"$KAM" --db "$DB" user add bob --role rep --password-stdin </dev/null >"$OUT" 2>"$ERR"
RC=$?
expect_rc "no password on stdin" 2
expect_err "no password on stdin" "no password on standard input"
run --db "$DB" user add bob --role rep </dev/null
expect_rc "no --password-stdin and no terminal" 1
expect_err "no --password-stdin and no terminal" "give the password on standard input"
run --db "$DB" user add bob --role rep --password "$PW"
expect_rc "password as an argument is refused" 1
run_stdin "$PW" --db "$DB" user add "-x" --role rep --password-stdin
expect_rc "username like an option" 1
run_stdin "$PW" --db "$DB" user add "bob smith" --role rep --password-stdin
expect_rc "username with a space" 2
expect_err "username with a space" "username 'bob smith' is not allowed"
run_stdin "$PW" --db "$DB" user list --role rep
expect_rc "user list does not take --role" 1
run --db "$DB" user frobnicate
expect_rc "unknown action" 1
expect_unchanged "refused user commands" "$DB" "$before"

run --db "$DB" user list
expect_rc "user list" 0
expect_out "user list table" "rep-east-1"
expect_out "user list display name" "张伟"
run --db "$DB" user list --json
expect_rc "user list --json" 0
expect_eq "user list order" "$(json "$OUT" "' '.join(u['username'] for u in j)")" \
    "admin rep-east-1 rep-west-1 viewer"
expect_eq "user fields" \
    "$(json "$OUT" "sorted(j[1].keys())")" \
    "['created_at', 'disabled', 'display_name', 'id', 'role', 'team', 'updated_at', 'username', 'version']"
expect_eq "user values" "$(json "$OUT" "(j[1]['role'], j[1]['team'], j[1]['display_name'], j[1]['version'], j[0]['team'])")" \
    "('rep', 'east', '张伟', 1, None)"
if grep -qE 'argon2|password|correct horse' "$OUT"; then
    bad "user list --json" "shows a password or its hash"
else
    ok "user list --json shows no password or hash"
fi

# --- passwd, disable, enable ---
old_hash=$(sql "$DB" "SELECT password_hash FROM users WHERE username = 'rep-east-1'")
run_stdin "a new password" --db "$DB" user passwd rep-east-1 --password-stdin
expect_rc "passwd" 0
expect_out "passwd" "changed the password of 'rep-east-1'"
new_hash=$(sql "$DB" "SELECT password_hash FROM users WHERE username = 'rep-east-1'")
if [ "$old_hash" != "$new_hash" ] && [ "${new_hash#\$argon2id\$}" != "$new_hash" ]; then
    ok "passwd stores a new Argon2id hash"
else
    bad "passwd" "hash '$new_hash'"
fi
expect_eq "passwd bumps the version" \
    "$(sql "$DB" "SELECT version FROM users WHERE username = 'rep-east-1'")" "2"
before=$(digest "$DB")
run_stdin "tiny" --db "$DB" user passwd rep-east-1 --password-stdin
expect_rc "weak new password" 2
expect_err "weak new password" "use at least 8"
run_stdin "$PW" --db "$DB" user passwd nobody --password-stdin
expect_rc "passwd of an unknown user" 2
expect_err "passwd of an unknown user" "user 'nobody' does not exist"
expect_unchanged "refused passwd" "$DB" "$before"

run --db "$DB" user disable rep-west-1
expect_rc "disable" 0
expect_out "disable" "disabled 'rep-west-1'"
run --db "$DB" user disable rep-west-1
expect_out "disable twice" "(already)"
run --db "$DB" user disable nobody
expect_rc "disable an unknown user" 2
run --db "$DB" user list --json
expect_eq "disabled shows" "$(json "$OUT" "[u['disabled'] for u in j if u['username'] == 'rep-west-1'][0]")" "True"

# --- tokens ---
run --db "$DB" token create rep-east-1 --name ci
expect_rc "token create" 0
TOKEN=$(cat "$OUT")
if [[ $TOKEN =~ ^kam_[A-Za-z0-9_-]{43}$ ]]; then ok "token shape"; else bad "token shape" "'$TOKEN'"; fi
expect_err "token shown once" "shown once"
expect_eq "token stored as a 32-byte hash" \
    "$(sql "$DB" "SELECT length(token_hash), typeof(token_hash) FROM tokens WHERE id = 1")" "32|blob"
expect_eq "token text not stored" \
    "$(sql "$DB" "SELECT count(*) FROM tokens WHERE instr(CAST(token_hash AS TEXT), '$TOKEN') > 0 OR name = '$TOKEN'")" "0"
expect_eq "stored hash is BLAKE2b-256 of the token" \
    "$(sql "$DB" "SELECT lower(hex(token_hash)) FROM tokens WHERE id = 1")" \
    "$(python3 -c "import hashlib,sys; print(hashlib.blake2b(sys.argv[1].encode(), digest_size=32).hexdigest())" "$TOKEN")"
run --db "$DB" token create rep-east-1
TOKEN2=$(cat "$OUT")
if [ "$TOKEN" != "$TOKEN2" ]; then ok "tokens differ"; else bad "tokens differ" "same token twice"; fi
before=$(digest "$DB")
run --db "$DB" token create nobody
expect_rc "token for an unknown user" 2
expect_err "token for an unknown user" "user 'nobody' does not exist"
run --db "$DB" token create rep-west-1
expect_rc "token for a disabled user" 2
expect_err "token for a disabled user" "is disabled"
run --db "$DB" token revoke abc
expect_rc "token revoke: not a number" 1
run --db "$DB" token revoke 99
expect_rc "token revoke: unknown" 2
expect_err "token revoke: unknown" "token 99 does not exist"
expect_unchanged "refused token commands" "$DB" "$before"

run --db "$DB" token list rep-east-1 --json
expect_rc "token list" 0
expect_eq "token list" "$(json "$OUT" "[(t['id'], t['user'], t['name'], t['revoked_at']) for t in j]")" \
    "[(1, 'rep-east-1', 'ci', None), (2, 'rep-east-1', None, None)]"
if grep -qF -e "$TOKEN" -e "$TOKEN2" -e hash "$OUT"; then
    bad "token list --json" "shows a token or its hash"
else
    ok "token list --json shows no token or hash"
fi
run --db "$DB" token revoke 1
expect_rc "token revoke" 0
expect_out "token revoke" "revoked token 1"
run --db "$DB" token revoke 1
expect_out "token revoke twice" "revoked token 1 (already)"
run --db "$DB" token list
expect_out "token list shows revoked" "revoked"

run --db "$DB" user enable rep-west-1
expect_rc "enable" 0

# --- the audit log ---
run --db "$DB" audit --json --limit 0
expect_rc "audit --json" 0
expect_eq "audit actions, oldest first" \
    "$(json "$OUT" "' '.join(e['action'] for e in reversed(j))")" \
    "team.add team.add user.add user.add user.add user.add user.passwd user.disable token.create token.create token.revoke user.enable"
expect_eq "audit actor is \$USER" "$(json "$OUT" "sorted(set(e['actor'] for e in j))")" "['tester']"
expect_eq "user.add has no before, an after" \
    "$(json "$OUT" "[(e['before'], e['after']['role'], e['after']['team']) for e in j if e['action'] == 'user.add'][-1]")" \
    "(None, 'rep', 'east')"
expect_eq "user.disable before and after" \
    "$(json "$OUT" "[(e['key'], e['before']['disabled'], e['after']['disabled']) for e in j if e['action'] == 'user.disable'][0]")" \
    "('rep-west-1', False, True)"
expect_eq "token.revoke before and after" \
    "$(json "$OUT" "[(e['key'], e['before']['revoked_at'] is None, e['after']['revoked_at'] is not None) for e in j if e['action'] == 'token.revoke'][0]")" \
    "('1', True, True)"
audit_dump=$(sql "$DB" "SELECT * FROM audit_log")
if grep -qF -e "$TOKEN" -e "$TOKEN2" -e "$PW" -e "a new password" -e argon2 -e hash <<<"$audit_dump"; then
    bad "audit log" "holds a password, hash or token"
else
    ok "audit log holds no password, hash or token"
fi
run --db "$DB" audit
expect_rc "audit table" 0
expect_out "audit table shows a change" "disabled: false -> true"
expect_out "audit table shows a password change" "password changed"
run --db "$DB" audit --limit 2 --json
expect_eq "audit --limit" "$(json "$OUT" "len(j)")" "2"
run --db "$DB" audit --limit -1
expect_rc "audit --limit negative" 1
run --db "$DB" audit extra
expect_rc "audit takes no argument" 1
unset USER
run --db "$DB" team add north
USER=tester
expect_eq "actor without \$USER is cli" "$(sql "$DB" "SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1")" "cli"

# --- password hash cost: interactive by default, the minimum only under KAM_TEST_FAST_HASH ---
printf '%s\n' "$PW" | env -u KAM_TEST_FAST_HASH "$KAM" --db "$DB" user add slow --role viewer \
    --password-stdin >"$OUT" 2>"$ERR"
RC=$?
expect_rc "user add at the default cost" 0
expect_eq "default cost is libsodium's interactive (64 MB)" \
    "$(sql "$DB" "SELECT password_hash LIKE '\$argon2id\$v=19\$m=65536,t=2,p=1\$%' FROM users WHERE username = 'slow'")" "1"
expect_eq "the test setting uses the minimum" \
    "$(sql "$DB" "SELECT password_hash LIKE '\$argon2id\$v=19\$m=8,t=1,p=1\$%' FROM users WHERE username = 'admin'")" "1"

# --- an older database is migrated: schema 2 plus data, then opened by this kam ---
OLD=$WORK/old.db
run --db "$OLD" init
printf 'code,name,owner\nA,Alpha,rep-east-1\n' >a.csv
run --db "$OLD" import accounts a.csv
sqlite3 "$OLD" "DROP TABLE sessions; DROP TABLE audit_log; DROP TABLE tokens; DROP TABLE users;
    DROP TABLE teams; DROP INDEX accounts_name_key; DROP INDEX accounts_region;
    DROP INDEX accounts_owner; ALTER TABLE accounts DROP COLUMN name_key;
    CREATE INDEX accounts_owner ON accounts(owner); CREATE INDEX accounts_region ON accounts(region);
    DROP TABLE month_lines; DROP TABLE account_revenue; DROP TRIGGER products_catalogue;
    DROP TRIGGER accounts_history;
    DELETE FROM schema_migrations WHERE version >= 3;"
run --db "$OLD" team add east
expect_rc "schema 2 database migrated" 0
expect_eq "after migration" "$(sql "$OLD" "SELECT max(version) FROM schema_migrations") $(sql "$OLD" "SELECT count(*) FROM accounts")" "8 1"
expect_eq "name sort keys filled by migration 5" "$(sql "$OLD" "SELECT count(*) FROM accounts WHERE length(name_key) > 0")" "1"

# --- the demo logins ---
DEMO=$WORK/demo.db
run --db "$DEMO" demo --accounts 10
expect_rc "demo" 0
expect_out "demo prints the logins" "logins (password kam-demo): admin, director"
run --db "$DEMO" user list --json
expect_eq "demo users" "$(json "$OUT" "' '.join(u['username'] + ':' + u['role'] + ':' + (u['team'] or '-') for u in j)")" \
    "admin:admin:- director:director:- manager-east:manager:east manager-west:manager:west rep-east-1:rep:east rep-east-2:rep:east rep-west-1:rep:west"
expect_eq "demo accounts owned by the reps" \
    "$(sql "$DEMO" "SELECT count(*) FROM accounts WHERE owner NOT IN ('rep-east-1', 'rep-east-2', 'rep-west-1')")" "0"
expect_eq "demo audit actor" "$(sql "$DEMO" "SELECT DISTINCT actor FROM audit_log")" "demo"
run_stdin "changed-by-admin" --db "$DEMO" user passwd rep-east-1 --password-stdin
h=$(sql "$DEMO" "SELECT password_hash FROM users WHERE username = 'rep-east-1'")
run --db "$DEMO" demo --accounts 10
expect_rc "demo again" 0
expect_eq "demo again keeps users and their passwords" \
    "$(sql "$DEMO" "SELECT count(*) FROM users") $(sql "$DEMO" "SELECT password_hash = '$h' FROM users WHERE username = 'rep-east-1'")" "7 1"

# --- docs/users.md has a row for every role the CLI accepts ---
for r in $("$KAM" help user | grep -o 'admin|director|manager|rep|viewer' | head -1 | tr '|' ' '); do
    if grep -q "^| \`$r\` |" "$SRC/docs/users.md"; then ok "docs/users.md documents role '$r'"
    else bad "docs/users.md" "no row for role '$r'"; fi
done

# --- help ---
for c in team user token audit; do
    run help "$c"
    expect_out "help $c" "usage: kam [--db PATH] $c"
done

finish
