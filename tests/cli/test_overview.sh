#!/bin/bash
# `kam trend` and `kam tiers` on a small portfolio worked by hand: monthly net revenue, margin
# and lines (months without orders are zero), the window, --json, bad options; the tiers of the
# latest run with their window revenue, equal to the lifecycle's total, and the counts of the run
# before; nothing is written; the messages when there are no orders or no run.
. "$(dirname "$0")/lib.sh"

DB=$WORK/o.db
run --db "$DB" init
cat >accounts.csv <<'CSV'
code,name
A,Alpha
B,Beta
C,Gamma
CSV
cat >products.csv <<'CSV'
sku,name,category,list_price,std_cost
P1,One,x,10,6
P2,Two,y,20,15
CSV
# Costs from the products' std_cost unless the line gives one.
# 2024-03: A 100×10 + 20×20 = 1400, cost 600 + 300, and a return of 10×P1 (−100, cost −60).
# 2024-04: nothing.  2024-05: B 50×10 = 500, cost 300.  2024-06: nothing.
# 2024-07: C 2×20 = 40 with its own cost 30.
cat >orders.csv <<'CSV'
order_id,line_no,date,account,product,quantity,unit_price,cost
A1,1,2024-03-01,A,P1,100,10,
A1,2,2024-03-01,A,P2,20,20,
A2,1,2024-03-20,A,P1,-10,10,
B1,1,2024-05-01,B,P1,50,10,
C1,1,2024-07-31,C,P2,2,20,30
CSV
run --db "$DB" trend
expect_rc "trend before any order" 0
import_all "$DB" accounts products orders
BASE=$(digest "$DB")

run --db "$DB" trend --months 5 --json
expect_rc "trend --json" 0
cp "$OUT" trend.json
expect_eq "five months, the last with orders last" "$(json trend.json "[i['month'] for i in j['items']]")" \
    "['2024-03', '2024-04', '2024-05', '2024-06', '2024-07']"
expect_eq "monthly net revenue" "$(json trend.json "[i['revenue'] for i in j['items']]")" \
    "['1300', '0', '500', '0', '40']"
# March: revenue 1300 with costs 600 + 300 − 60 = 840: margin 460.
expect_eq "monthly margin" "$(json trend.json "[i['margin'] for i in j['items']]")" \
    "['460', '0', '200', '0', '10']"
expect_eq "monthly lines" "$(json trend.json "[i['lines'] for i in j['items']]")" "[3, 0, 1, 0, 1]"
expect_eq "returns" "$(json trend.json "j['items'][0]['returns']")" "-100"

run --db "$DB" trend --months 2
expect_rc "trend text" 0
expect_out "text: the last month" "2024-07"
expect_out "text: margin %" "25.0%"
if grep -q "2024-05" "$OUT"; then bad "text window" "2024-05 is outside two months"; else ok "text: two months only"; fi

for bad_months in 0 121 x -3; do
    run --db "$DB" trend --months "$bad_months"
    expect_rc "trend --months $bad_months" 1
    expect_err "trend --months $bad_months names it" "--months"
done
run --db "$DB" trend extra
expect_rc "trend with an argument" 1

run --db "$DB" tiers
expect_rc "tiers before a run" 2
expect_err "tiers before a run says what to do" "run 'kam score' first"
expect_unchanged "trend and tiers write nothing" "$DB" "$BASE"

run --db "$DB" score
expect_rc "score" 0
run --db "$DB" tiers --json
expect_rc "tiers --json" 0
cp "$OUT" tiers.json
expect_eq "every scored account in a tier" "$(json tiers.json "sum(t['accounts'] for t in j['tiers'])")" \
    "$(json tiers.json "j['accounts']")"
expect_eq "three accounts" "$(json tiers.json "j['accounts']")" "3"
expect_eq "tier revenue adds up" "$(json tiers.json "sum(float(t['revenue']) for t in j['tiers'])")" "1840.0"
run --db "$DB" lifecycle --json
expect_eq "the same window revenue as the lifecycle" "$(json tiers.json "j['revenue']")" \
    "$(json "$OUT" "j['total_revenue']")"
expect_eq "no previous run" "$(json tiers.json "[j['previous_run']] + [t['previous'] for t in j['tiers']]")" \
    "[None, None, None, None, None]"
SHARES=$(json tiers.json "round(sum(t['revenue_share'] for t in j['tiers']), 9)")
expect_eq "revenue shares sum to 1" "$SHARES" "1.0"

run --db "$DB" score
run --db "$DB" tiers --json
cp "$OUT" tiers2.json
expect_eq "the run before" "$(json tiers2.json "[j['run'], j['previous_run']]")" "[2, 1]"
expect_eq "its counts" "$(json tiers2.json "[t['previous'] for t in j['tiers']]")" \
    "$(json tiers.json "[t['accounts'] for t in j['tiers']]")"
run --db "$DB" tiers
expect_rc "tiers text" 0
expect_out "text header" "run 2 as of 2024-07-31: 3 accounts"
run --db "$DB" tiers --bogus
expect_rc "tiers --bogus" 1

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
