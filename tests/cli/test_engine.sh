#!/bin/bash
# The identification engine end to end on a small portfolio whose figures are worked by hand:
# metrics, pareto, rfm, the scoring model (show, validate, set, list), ratings, pins, score
# runs, explain and changes; and that refused input leaves the database as it was.
. "$(dirname "$0")/lib.sh"

DB=$WORK/e.db
run --db "$DB" init
cat >accounts.csv <<'CSV'
code,name,role,est_annual_purchases
A,Alpha,distributor,4000
B,Beta,end_user,
C,Gamma,dealer,
D,Delta,end_user,
CSV
# The small portfolio's orders (lib.sh). A: 3 purchase orders (Jan, Nov, Dec 2024), one return
# order; B: one order in Dec 2023; C: one order; D: none. As of 2024-12-31 (the last order day),
# window 12 months.
write_small_orders
cat >payments.csv <<'CSV'
invoice,account,amount,issued,due,paid,paid_amount
I1,A,300,2024-01-10,2024-02-10,2024-02-01,300
I2,A,200,2024-11-05,2024-12-05,,
CSV
import_all "$DB" accounts products orders payments

run --db "$DB" metrics --json
expect_rc "metrics" 0
cp "$OUT" m.json
expect_eq "as of the last order day" "$(json m.json "j['as_of']")" "2024-12-31"
# A: 100 + 100 + 200 + 100 - 50 = 450 in the window; cost 60 + 75 + 120 + 60 - 30 = 285.
A="[a for a in j['items'] if a['code'] == 'A'][0]"
expect_eq "A revenue" "$(json m.json "$A['revenue']")" "450"
expect_eq "A margin" "$(json m.json "$A['margin']")" "165"
expect_eq "A purchase orders (the return order is not one)" "$(json m.json "$A['orders']")" "3"
expect_eq "A recency" "$(json m.json "$A['recency_days']")" "0"
expect_eq "A products and categories" "$(json m.json "($A['products'], $A['categories'])")" "(2, 2)"
expect_eq "A returns rate 50 / 500" "$(json m.json "$A['returns_rate']")" "0.1"
expect_eq "A overdue invoice" "$(json m.json "($A['overdue'], $A['max_days_overdue'])")" "('200', 26)"
expect_eq "A on-time rate" "$(json m.json "$A['on_time_rate']")" "0.5"
expect_eq "A share of wallet 450 / 4000" "$(json m.json "$A['share_of_wallet']")" "0.1125"
expect_eq "B revenue in the previous window only: growth -100 %" "$(json m.json "[(a['revenue'], a['revenue_total'], a['growth']) for a in j['items'] if a['code'] == 'B'][0]")" "('0', '200', -1.0)"
expect_eq "D has no purchase" "$(json m.json "[(a['orders_total'], a['recency_days'], a['stage']) for a in j['items'] if a['code'] == 'D'][0]")" "(0, None, 'none')"
expect_eq "metrics stored" "$(sql "$DB" "select count(*) from account_metrics")" "4"
run --db "$DB" metrics --csv
expect_out "metrics CSV header" "code,name,revenue,revenue_prev"
run --db "$DB" metrics --window 0
expect_rc "bad window" 1
run --db "$DB" metrics --as-of 2024-02-30
expect_rc "impossible as-of" 1
expect_err "impossible as-of, no stray line or field" "kam: --as-of '2024-02-30': is not a calendar date"

run --db "$DB" pareto --json
cp "$OUT" p.json
# Net all-time: A 450, B 200, C 10; D 0 is outside the population. k = ceil(0.6) = 1.
# ABC: A while the share ranked before is < 80 %: A (0 %), B (68.2 %); C (98.5 %) is C.
expect_eq "pareto population and top share" "$(json p.json "(j['population'], j['top20_k'], round(j['top20_share'], 6))")" "(3, 1, 0.681818)"
expect_eq "pareto accounts to 80 %" "$(json p.json "j['accounts_to_80']")" "2"
expect_eq "pareto ABC" "$(json p.json "' '.join(a['code'] + a['class'] for a in j['accounts'])")" "AA BA CC Dnone"
run --db "$DB" pareto --abc 95,80
expect_rc "ABC limits out of order" 1
run --db "$DB" rfm --as-of 2025-01-01 --json
cp "$OUT" r.json
expect_eq "rfm recency and frequency" "$(json r.json "' '.join('%s:%s:%s' % (a['code'], a['recency'], a['frequency']) for a in j['accounts'])")" "A:1:3 B:383:1 C:185:1 D:-1:0"

# --- the scoring model ---
run --db "$DB" model show --json
expect_rc "default model" 0
cp "$OUT" model.json
expect_eq "default model stored as version 1" "$(sql "$DB" "select version || name from models")" "1default"
BASE=$(digest "$DB")
python3 - model.json >bad.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m['indicators'][0]['source'] = 'metric:revnue'
print(json.dumps(m))
PY
run --db "$DB" model set bad.json
expect_rc "unknown metric refused" 2
expect_err "the message names the JSON path" "indicators[0].source"
expect_unchanged "refused model" "$DB" "$BASE"
run --db "$DB" model validate bad.json
expect_rc "validate refuses it too" 2
printf '{"format": 1,' >broken.json
run --db "$DB" model validate broken.json
expect_err "bad JSON names line and column" "line 1, column"
python3 - model.json >m2.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m['name'] = 'tuned'
m['tiers'] = {'method': 'rank', 'cuts': [25, 25, 25]}
print(json.dumps(m))
PY
run --db "$DB" model set m2.json
expect_out "model stored" "version 2"
run --db "$DB" model list --json
expect_eq "two versions" "$(python3 -c "import json,sys; print([m['name'] for m in json.load(open(sys.argv[1]))['items']])" "$OUT")" "['default', 'tuned']"

# --- ratings, pins, scoring runs ---
run --db "$DB" rate A key_people_access 6
expect_rc "rating out of range" 2
run --db "$DB" rate Z key_people_access 3
expect_rc "unknown account" 2
run --db "$DB" rate C nosuch 3
expect_err "unknown rating names the model's ratings" "key_people_access"
run --db "$DB" score --json
expect_rc "score" 0
cp "$OUT" s1.json
# Rank shares 25/25/25 of 4 accounts: one each, but B and D score the same (no window revenue,
# no ratings) and a tie at a cut goes to the better tier: A key, C major, B and D ordinary.
expect_eq "first run: ties share the better tier" "$(json s1.json "(j['run'], j['model_version'], [j['tiers'][t] for t in ('key', 'major', 'ordinary', 'small')])")" "(1, 2, [1, 1, 2, 0])"
# The run is audited in its own transaction: the newest entry, keyed by the run id printed.
run --db "$DB" audit --json
cp "$OUT" audit1.json
expect_eq "audit: the scoring run" "$(json audit1.json "(j[0]['action'], j[0]['entity'], j[0]['key'], j[0]['actor'])")" "('score.run', 'run', '$(json s1.json "j['run']")', '${USER:-cli}')"
expect_eq "audit: what the run did" "$(json audit1.json "sorted(j[0]['after'].items())")" "$(json s1.json "sorted({'as_of': j['as_of'], 'model_version': j['model_version'], 'accounts': j['accounts']}.items())")"
run --db "$DB" explain A --json
cp "$OUT" x.json
expect_eq "A is the key account" "$(json x.json "j['tier']")" "key"
expect_eq "contributions add up to the score" "$(json x.json "abs(sum(i['contribution'] for i in j['items']) - j['score']) < 1e-6")" "True"
expect_eq "explanation names every indicator" "$(json x.json "len(j['items'])")" "10"
for r in key_people_access relationship_state strategic_value growth_potential; do
    run --db "$DB" rate C $r 5
    expect_rc "rate C $r" 0
done
run --db "$DB" pin B small
expect_rc "pin" 0
# Every write of the engine is audited in its own transaction, with before and after; the
# refused ones above left no entry.
USER=analyst "$KAM" --db "$DB" rate C growth_potential 4 --note "second look" >/dev/null
run --db "$DB" audit --json
cp "$OUT" audit.json
expect_eq "audit: the rating changes, newest first" "$(json audit.json "[(e['action'], e['key'], e['actor']) for e in j[:2]]")" "[('rating.set', 'C/growth_potential', 'analyst'), ('pin.set', 'B', '${USER:-cli}')]"
expect_eq "audit: before and after of a rating" "$(json audit.json "(j[0]['before'], j[0]['after'])")" "({'note': None, 'value': 5}, {'note': 'second look', 'value': 4})"
expect_eq "audit: no entry for refused writes" "$(json audit.json "sorted(set(e['action'] for e in j if not e['action'].startswith('import.')))")" "['model.set', 'pin.set', 'rating.set', 'score.run']"
expect_eq "audit: the set-up's imports, by the OS user" "$(json audit.json "sorted(set((e['action'], e['actor']) for e in j if e['action'].startswith('import.')))")" \
    "[('import.accounts', '${USER:-cli}'), ('import.orders', '${USER:-cli}'), ('import.payments', '${USER:-cli}'), ('import.products', '${USER:-cli}')]"
run --db "$DB" rate C growth_potential 5
run --db "$DB" score --json
cp "$OUT" s2.json
run --db "$DB" audit --json
expect_eq "audit: the second run, newest" "$(json "$OUT" "(j[0]['action'], j[0]['key'])")" "('score.run', '$(json s2.json "j['run']")')"
expect_eq "pinned account flagged" "$(json s2.json "j['pin_differs']")" "1"
run --db "$DB" changes --json
cp "$OUT" c.json
expect_eq "C rated to the top: the first change" "$(json c.json "(j['items'][0]['code'], j['items'][0]['from'], j['items'][0]['to'])")" "('C', 'major', 'key')"
expect_eq "A and the pinned B go down" "$(json c.json "' '.join(i['code'] + ':' + i['to'] for i in j['items'][1:])")" "A:major B:small"
# The default model excludes an unrated relationship or potential rating (missing rule
# "exclude"): rating C does not hand A, B and D the mean of C's ratings, so A's score stays as it
# was and A goes down only because C overtook it.
expect_eq "rating C leaves A's score as it was" "$(json c.json "[round(i['score_from'] - i['score_to'], 9) for i in j['items'] if i['code'] == 'A'][0]")" "0.0"
expect_eq "runs compared" "$(json c.json "(j['run'], j['previous_run'])")" "(2, 1)"
run --db "$DB" explain C
expect_out "explain table" "would move it most"
expect_out "explain history" "history:"
run --db "$DB" explain D --json
expect_eq "D explained" "$(json "$OUT" "j['tier']")" "ordinary"
expect_eq "history kept per run" "$(sql "$DB" "select count(*) from scores")" "8"

# --- kept activity (schema 7): what the import keeps of each account's orders and products
# serves the metrics without reading them, and gives what reading them gives ---
KA=$WORK/ka.db
run --db "$KA" init
write_small_orders
printf 'code,name\nA,Alpha\nB,Beta\nC,Gamma\nD,Delta\n' >ka_accounts.csv
run --db "$KA" import accounts ka_accounts.csv
import_all "$KA" products orders
# as_rows NAME [ARGS...]: `kam metrics --json ARGS` on the database and on a copy without the
# kept activity (its orders and products read) give the same accounts.
as_rows() {
    local name=$1
    shift
    run --db "$KA" metrics --json "$@"
    cp "$OUT" kept.json
    cp "$KA" rows.db
    sql rows.db "update account_revenue set products = null"
    run --db rows.db metrics --json "$@"
    expect_rc "$name: metrics from the orders" 0
    expect_eq "$name: the same metrics" "$(json kept.json "j['items']")" "$(json "$OUT" "j['items']")"
}
ka_score() { # NAME DB EXPECTED: accounts served by their kept activity in a scoring run
    cp "$2" ka_score.db
    run --db ka_score.db score --json
    expect_eq "$1: kept activity served" "$(json "$OUT" "j['kept_activity']")" "$3"
}
expect_eq "A kept: 3 purchase orders, 2 products in 2 categories, first and last day" \
    "$(sql "$KA" "select orders_total, window_orders, products, repeats, categories, max_first_month, date(first_purchase * 86400, 'unixepoch'), date(last_purchase * 86400, 'unixepoch') from account_revenue a join accounts c on c.id = a.account where c.code = 'A'")" \
    "3|3|2|1|2|202401|2024-01-10|2024-12-31"
as_rows "imported"
ka_score "imported" "$KA" 4
cp "$KA" nulls.db
sql nulls.db "update account_revenue set products = null"
ka_score "not kept (before schema 7)" nulls.db 0
as_rows "as of an earlier day" --as-of 2024-11-30
as_rows "another window" --window 6
# A line's day moves within its month: no sum of a cell changes, A's first purchase does.
sed -i 's/^A1,1,2024-01-10/A1,1,2024-01-03/; s/^A1,2,2024-01-10/A1,2,2024-01-03/' orders.csv
run --db "$KA" import orders orders.csv
expect_out "a day moved" "2 updated"
expect_eq "A's first purchase moved" "$(sql "$KA" "select date(first_purchase * 86400, 'unixepoch') from account_revenue a join accounts c on c.id = a.account where c.code = 'A'")" "2024-01-03"
as_rows "a day moved"
# A product changes its category: the categories counts follow (P2 joins P1's category x).
sed -i 's/^P2,Two,y,/P2,Two,x,/' products.csv
run --db "$KA" import products products.csv
expect_rc "category changed" 0
run --db "$KA" metrics --json
expect_eq "A buys one category now" "$(json "$OUT" "[a['categories'] for a in j['items'] if a['code'] == 'A'][0]")" "1"
as_rows "a category changed"
ka_score "a category changed" "$KA" 4
# A category changed by another program (no import after it): nothing kept is used.
sql "$KA" "update products set category = 'z' where sku = 'P1'"
ka_score "changed behind kam's back" "$KA" 0
run --db "$KA" metrics --json
expect_eq "A's categories read from its products" "$(json "$OUT" "[a['categories'] for a in j['items'] if a['code'] == 'A'][0]")" "2"

# --- the score history goes with its account, whoever deletes it (schema 8: a trigger, no
# foreign key) ---
run --db "$KA" score
D_ID=$(sql "$KA" "select id from accounts where code = 'D'")
expect_eq "D has a history" "$(sql "$KA" "select count(*) from scores where account = $D_ID")" "1"
sql "$KA" "pragma foreign_keys = on; delete from accounts where code = 'D'"
expect_eq "deleted by another program: no history left" "$(sql "$KA" "select count(*) from scores where account = $D_ID")" "0"
expect_eq "the others keep theirs" "$(sql "$KA" "select count(*) from scores")" "3"

finish
