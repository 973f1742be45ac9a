# Small assertion library for the CLI integration tests: each test runs the real kam binary on a
# real SQLite database in a private temporary directory.
set -u
KAM=${1:?usage: $0 PATH_TO_KAM}
KAM=$(cd "$(dirname "$KAM")" && pwd)/$(basename "$KAM")
SHARED=${KAM_SHARED:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}
SRC=${KAM_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kam-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
PASS=0
FAIL=0
OUT=$WORK/out
ERR=$WORK/err
RC=0

# run ARGS...: runs kam, keeps stdout, stderr and the exit code.
run() {
    "$KAM" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

ok() { PASS=$((PASS + 1)); printf 'ok   %s\n' "$1"; }
bad() {
    FAIL=$((FAIL + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
    sed 's/^/     stderr: /' "$ERR" | head -5
    sed 's/^/     stdout: /' "$OUT" | head -5
}

expect_rc() { # NAME CODE
    if [ "$RC" -eq "$2" ]; then ok "$1: exit $2"; else bad "$1" "exit $RC, expected $2"; fi
}
expect_err() { # NAME TEXT: stderr contains TEXT
    if grep -qF -- "$2" "$ERR"; then ok "$1: says '$2'"; else bad "$1" "stderr lacks '$2'"; fi
}
expect_out() { # NAME TEXT: stdout contains TEXT
    if grep -qF -- "$2" "$OUT"; then ok "$1: prints '$2'"; else bad "$1" "stdout lacks '$2'"; fi
}
expect_eq() { # NAME ACTUAL EXPECTED
    if [ "$2" = "$3" ]; then ok "$1: $3"; else bad "$1" "got '$2', expected '$3'"; fi
}
json() { # FILE PYTHON-EXPRESSION over j
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}
sql() { # DB QUERY
    sqlite3 -batch -noheader "$1" "$2"
}
digest() { # DB: a digest of the whole database content
    sqlite3 "$1" .dump | sha256sum | cut -c1-16
}
digest_data() { # DB: the same without the audit log (imports that write add entries to it)
    sqlite3 "$1" .dump | grep -v '^INSERT INTO audit_log' | sha256sum | cut -c1-16
}
expect_unchanged() { # NAME DB DIGEST_BEFORE
    local now
    now=$(digest "$2")
    if [ "$now" = "$3" ]; then ok "$1: database unchanged"; else bad "$1" "database changed"; fi
}
import_all() { # DB KIND...: imports KIND.csv for each KIND, each must succeed
    local db=$1 k
    shift
    for k in "$@"; do
        run --db "$db" import "$k" "$k.csv"
        expect_rc "import $k" 0
    done
}
write_small_orders() { # products.csv and orders.csv of the small portfolio worked by hand in
    # test_engine.sh and test_review.sh (each writes its own accounts.csv: A, B, C, D)
    cat >products.csv <<'CSV'
sku,name,category,list_price,std_cost
P1,One,x,10,6
P2,Two,y,20,15
CSV
    cat >orders.csv <<'CSV'
order_id,line_no,date,account,product,quantity,unit_price
A1,1,2024-01-10,A,P1,10,10
A1,2,2024-01-10,A,P2,5,20
A2,1,2024-11-05,A,P1,20,10
A3,1,2024-12-31,A,P1,10,10
AR,1,2024-12-01,A,P1,-5,10
B1,1,2023-12-15,B,P2,10,20
C1,1,2024-06-30,C,P1,1,10
CSV
}
finish() {
    printf '%d passed, %d failed\n' "$PASS" "$FAIL"
    [ "$FAIL" -eq 0 ]
}
