#!/bin/bash
# The value matrix and whitespace end to end on a small portfolio worked by hand (the example of
# docs/method-matrix.md): quadrants, counts and sums, thresholds (medians with ties, given
# values), every potential measure, gaps and their worth by role, industry and tier, --json,
# --csv, bad options, an empty database, that nothing is written; and on the demo company that
# every quadrant has accounts.
. "$(dirname "$0")/lib.sh"

DB=$WORK/a.db
run --db "$DB" init
cat >accounts.csv <<'CSV'
code,name,role,industry,est_annual_purchases
A,Alpha,distributor,machinery,2000
B,Beta,distributor,machinery,1000
C,Gamma,distributor,,
D,Delta,end_user,machinery,500
E,Epsilon,end_user,chemicals,3000
F,Zeta,dealer,,800
CSV
# Categories x (cost 60 %), y (75 %), z (50 %) of the list price.
cat >products.csv <<'CSV'
sku,name,category,list_price,std_cost
P1,One,x,10,6
P2,Two,y,20,15
P3,Three,z,10,5
CSV
# 2023 is the previous window, 2024 the window (as of 2024-12-31, F's last order).
cat >orders.csv <<'CSV'
order_id,line_no,date,account,product,quantity,unit_price
F0,1,2023-02-01,F,P3,10,10
D0,1,2023-03-01,D,P2,20,20
E0,1,2023-04-01,E,P2,10,20
B0,1,2023-05-01,B,P1,50,10
A0,1,2023-06-01,A,P1,80,10
A1,1,2024-03-01,A,P1,100,10
A1,2,2024-03-01,A,P2,20,20
A1,3,2024-03-01,A,P3,20,10
B1,1,2024-04-01,B,P1,50,10
C1,1,2024-05-01,C,P1,25,10
C1,2,2024-05-01,C,P2,2,20
D1,1,2024-06-01,D,P2,10,20
E1,1,2024-07-01,E,P1,10,10
E1,2,2024-07-01,E,P2,30,20
F1,1,2024-12-31,F,P3,5,10
CSV
import_all "$DB" accounts products orders
BASE=$(digest "$DB")

# --- value matrix, defaults: window margin against wallet headroom ---
# Window revenue / margin: A 1600/600, B 500/200, C 290/110, D 200/50, E 700/190, F 50/25.
# Headroom = estimate - revenue: A 400, B 500, C unknown, D 300, E 2300, F 750.
# Placed A B D E F: median margin 190 (E ties: high), median headroom 500 (B ties: high).
run --db "$DB" matrix --json
expect_rc "matrix" 0
cp "$OUT" m.json
Q="' '.join(a['code'] for q in ('core', 'potential', 'direct', 'inferior', 'unplaced') for a in j['quadrants'][q]['items'])"
expect_eq "thresholds are the medians" "$(json m.json "(j['current']['threshold'], j['potential']['threshold'], j['current']['threshold_from'])")" "('190', '500', 'median')"
expect_eq "axes" "$(json m.json "(j['current']['measure'], j['potential']['measure'], j['potential']['unit'])")" "('margin', 'wallet', 'money')"
expect_eq "quadrants (ties at the median are high)" "$(json m.json "$Q")" "B E F A D C"
expect_eq "counts per quadrant" "$(json m.json "[j['quadrants'][q]['accounts'] for q in ('core', 'potential', 'direct', 'inferior', 'unplaced')]")" "[2, 1, 1, 1, 1]"
expect_eq "core sums" "$(json m.json "(j['quadrants']['core']['revenue'], j['quadrants']['core']['margin'])")" "('1200', '390')"
expect_eq "unplaced: C has no estimate" "$(json m.json "(j['unplaced'], j['placed'], j['quadrants']['unplaced']['items'][0]['potential'], j['quadrants']['unplaced']['revenue'])")" "(1, 5, None, '290')"
expect_eq "an account's values" "$(json m.json "[(a['current'], a['potential']) for a in j['quadrants']['core']['items']]")" "[('200', '500'), ('190', '2300')]"

run --db "$DB" matrix
expect_out "table: the thresholds" "high when >= 190.00 (median)"
expect_out "table: unplaced count" "unplaced   potential or current value unknown        1"
expect_out "table: core row" "core       high current, high potential              2         1,200.00           390.00"
run --db "$DB" matrix --quadrant direct --limit 1
expect_out "one quadrant" "direct (high current, low potential), accounts: 1"
if grep -q "^core (" "$OUT"; then bad "--quadrant filters the lists" "core listed"; else ok "--quadrant filters the lists"; fi
run --db "$DB" matrix --csv
expect_eq "CSV: header and rows" "$(head -3 "$OUT" | tr '\n' '|')" "code,name,current,potential,quadrant|A,Alpha,600,400,direct|B,Beta,200,500,core|"
expect_eq "CSV: unplaced row has no potential" "$(grep '^C,' "$OUT")" "C,Gamma,110,,unplaced"
expect_eq "CSV: one row per account" "$(($(wc -l <"$OUT") - 1))" "6"
run --db "$DB" matrix --csv --quadrant potential
expect_eq "CSV: filtered by quadrant" "$(tail -n +2 "$OUT")" "F,Zeta,25,750,potential"

# Given thresholds: E's 190 < 200 is low, A's 400 >= 400 is high.
run --db "$DB" matrix --current-threshold 200 --potential-threshold 400 --json
expect_eq "given thresholds" "$(json "$OUT" "$Q + ' ' + j['current']['threshold_from']")" "A B E F D C given"

# Potential whitespace (below): worth A 0, B 220, C 180, D 100, E 0, F 0; every account placed.
# Six margins: median (110 + 190) / 2 = 150; worths: (0 + 100) / 2 = 50.
run --db "$DB" matrix --potential whitespace --json
cp "$OUT" mw.json
expect_eq "whitespace potential: even-count medians" "$(json mw.json "(j['current']['threshold'], j['potential']['threshold'], j['unplaced'])")" "('150', '50', 0)"
expect_eq "whitespace potential: quadrants" "$(json mw.json "$Q")" "B C D A E F"
# Growth: A +100 %, B 0, C none before (unplaced), D -50 %, E +250 %, F -50 %; median 0.
run --db "$DB" matrix --potential growth --json
expect_eq "growth potential" "$(json "$OUT" "($Q, j['potential']['threshold'], j['potential']['unit'])")" "('A B E D F C', 0.0, 'number')"
run --db "$DB" matrix --current margin_pct --potential growth --csv
expect_eq "a ratio as current value" "$(grep '^A,' "$OUT")" "A,Alpha,0.375,1,core"
expect_unchanged "matrix and its options" "$DB" "$BASE"

# --- bad options ---
run --db "$DB" matrix --current margn
expect_rc "unknown metric" 1
expect_err "unknown metric named" "--current takes a metric (see docs/method-metrics.md), not 'margn'"
run --db "$DB" matrix --quadrant vip
expect_rc "unknown quadrant" 1
expect_err "unknown quadrant named" "--quadrant takes core, potential, direct, inferior or unplaced, not 'vip'"
run --db "$DB" matrix --potential size
expect_rc "unknown potential" 1
expect_err "unknown potential named" "--potential takes wallet, growth, whitespace or rating:NAME, not 'size'"
run --db "$DB" matrix --potential rating:charm
expect_rc "unknown rating" 2
expect_err "unknown rating named with the model's ratings" "the default model has no rating 'charm'; its ratings: "
expect_err "the ratings listed" "growth_potential"
run --db "$DB" matrix --current-threshold abc
expect_rc "threshold not a number" 1
expect_err "threshold named" "--current-threshold 'abc' is not an amount of money"
run --db "$DB" matrix --potential growth --potential-threshold 10x
expect_rc "ratio threshold not a number" 1
expect_err "ratio threshold named" "--potential-threshold '10x' is not a number"
run --db "$DB" matrix --as-of 2024-13-01
expect_rc "bad as-of" 1
expect_err "bad as-of, no stray line or field" "kam: --as-of '2024-13-01': "
run --db "$DB" matrix --window 0
expect_rc "bad window" 1
run --db "$DB" matrix extra
expect_rc "extra argument" 1
run --db "$DB" whitespace --peers size
expect_rc "unknown peers" 1
expect_err "unknown peers named" "--peers takes role, industry or tier, not 'size'"
run --db "$DB" whitespace --min-share 120
expect_rc "share over 100 %" 1
expect_err "share named" "--min-share takes a percentage 0..100, not '120'"
run --db "$DB" whitespace --below abc
expect_rc "bad fraction" 1
run --db "$DB" whitespace Z
expect_rc "unknown account" 2
expect_err "unknown account named" "account 'Z' does not exist"
run --db "$DB" whitespace A B
expect_rc "two accounts" 1
expect_unchanged "refused commands" "$DB" "$BASE"

# --- whitespace by role ---
# All-time category revenue: A x 1800 y 400 z 200; B x 1000; C x 250 y 40; D y 600;
# E x 100 y 800; F z 150. Distributors A B C: x bought by 3 of 3, median 1000 (C's 250 is
# exactly 25 %: no gap); y by 2 of 3, median (40 + 400) / 2 = 220: B (none) worth 220, C (40 <
# 55) worth 180; z by 1 of 3 only. End users D E: x by 1 of 2 = 50 %, median 100: D worth 100.
# F, the only dealer, has no peers to miss anything against.
run --db "$DB" whitespace --json
expect_rc "whitespace" 0
cp "$OUT" w.json
expect_eq "ranked by worth" "$(json w.json "' '.join('%s:%s:%d' % (a['code'], a['worth'], a['gaps']) for a in j['items'])")" "B:220:1 C:180:1 D:100:1 A:0:0 E:0:0 F:0:0"
expect_eq "groups" "$(json w.json "' '.join('%s=%d' % (g['group'], g['members']) for g in j['groups'])")" "role:distributor=3 role:end_user=2 role:dealer=1"
expect_eq "rule and basis" "$(json w.json "(j['min_share'], j['below'], j['revenue_basis'], j['categories'])")" "(0.5, 0.25, 'all-time', 3)"
run --db "$DB" whitespace C --json
cp "$OUT" c.json
expect_eq "C's gap: y" "$(json c.json "[(g['category'], g['peers'], g['buyers'], round(g['share'], 4), g['peer_median'], g['revenue'], g['worth']) for g in j['gaps']]")" "[('y', 3, 2, 0.6667, '220', '40', '180')]"
expect_eq "C's group and total" "$(json c.json "(j['group'], j['members'], j['worth'])")" "('role:distributor', 3, '180')"
run --db "$DB" whitespace D --csv
expect_eq "D's gap as CSV" "$(cat "$OUT" | tr '\n' '|')" "category,peers,buyers,share,peer_median,revenue,worth|x,2,1,0.5,100,0,100|"
run --db "$DB" whitespace F
expect_out "alone in its group" "peer group role:dealer (1 accounts, the account included); gaps: 0, worth 0.00"
run --db "$DB" whitespace B
expect_out "the header says all-time" "Category revenue is all-time net revenue"
expect_out "B's gap row" "y                         3   66.7%           220.00             0.00           220.00"
run --db "$DB" whitespace --csv
expect_eq "whitespace CSV" "$(head -2 "$OUT" | tr '\n' '|')" "code,name,group,gaps,worth|B,Beta,role:distributor,1,220|"
run --db "$DB" whitespace --limit 2
expect_eq "table limited" "$(grep -c 'role:' "$OUT")" "2"
# The rule's options: 70 % of the peers is more than 2 of 3 and 1 of 2; 10 % of 220 is 22 < 40.
run --db "$DB" whitespace --min-share 70 --json
expect_eq "--min-share 70" "$(json "$OUT" "sum(a['gaps'] for a in j['items'])")" "0"
run --db "$DB" whitespace --below 10 --json
expect_eq "--below 10" "$(json "$OUT" "' '.join('%s:%s' % (a['code'], a['worth']) for a in j['items'] if a['gaps'])")" "B:220 D:100"
# By industry: machinery A B D; C and F have none and fall back to their role. Machinery x:
# A 1800, B 1000 (2 of 3), median 1400: D worth 1400; y: A 400, D 600, median 500: B worth 500.
run --db "$DB" whitespace --peers industry --json
expect_eq "peers by industry" "$(json "$OUT" "' '.join('%s:%s:%s' % (a['code'], a['group'], a['worth']) for a in j['items'])")" "D:industry:machinery:1400 B:industry:machinery:500 A:industry:machinery:0 C:role:distributor:0 E:industry:chemicals:0 F:role:dealer:0"
# As of 2023-12-31 only products first bought by then count (C has none), but their revenue is
# all-time: distributors' x is A 1800 and B 1000, median 1400, and C misses it.
run --db "$DB" whitespace C --as-of 2023-12-31 --json
expect_eq "as of 2023: first purchases by then, all-time amounts" "$(json "$OUT" "[(g['category'], g['peer_median'], g['worth']) for g in j['gaps']]")" "[('x', '1400', '1400')]"
# Without a scoring run, tier peers are the role groups.
run --db "$DB" whitespace --peers tier
expect_out "no run yet" "(no scoring run yet: by role)"
expect_out "tier falls back to role" "role:distributor"
expect_unchanged "whitespace" "$DB" "$BASE"

# --- ratings as potential; tiers from a scoring run (these write, on purpose) ---
run --db "$DB" rate A growth_potential 4
expect_rc "rate A" 0
run --db "$DB" rate D growth_potential 2
run --db "$DB" matrix --potential rating:growth_potential --json
# Placed A (600, 4) and D (50, 2): medians 325 and 3.
expect_eq "rating potential" "$(json "$OUT" "($Q, j['placed'], j['potential']['threshold'])")" "('A D B E C F', 2, 3.0)"
run --db "$DB" score
expect_rc "score" 0
run --db "$DB" whitespace --peers tier --json
expect_eq "tier peers from the latest run" "$(json "$OUT" "(j['run'], all(g['group'].startswith('tier:') for g in j['groups']), sum(g['members'] for g in j['groups']))")" "(1, True, 6)"

# --- an empty database ---
run --db "$WORK/empty.db" init
EMPTY=$(digest "$WORK/empty.db")
run --db "$WORK/empty.db" matrix
expect_rc "matrix on an empty database" 2
expect_err "empty database named" "there are no accounts: import some first"
run --db "$WORK/empty.db" whitespace --json
expect_rc "whitespace on an empty database" 2
expect_unchanged "empty database" "$WORK/empty.db" "$EMPTY"
run --db "$WORK/none.db" matrix
expect_rc "no database" 2

# --- the demo company: every quadrant has accounts ---
run --db "$WORK/demo.db" demo --seed 1
expect_rc "demo" 0
DEMO=$(digest "$WORK/demo.db")
for pot in wallet growth whitespace; do
    run --db "$WORK/demo.db" matrix --potential $pot --json
    expect_eq "demo, potential $pot: every quadrant non-empty" "$(json "$OUT" "all(j['quadrants'][q]['accounts'] > 0 for q in ('core', 'potential', 'direct', 'inferior'))")" "True"
done
run --db "$WORK/demo.db" whitespace --json
expect_eq "demo: some accounts have gaps" "$(json "$OUT" "sum(1 for a in j['items'] if a['gaps'] > 0) > 0")" "True"
expect_unchanged "demo analyses" "$WORK/demo.db" "$DEMO"

finish
