#!/bin/bash
# The periodic review end to end on a small portfolio worked by hand: the ratings import (header
# mapping, line-numbered errors, all-or-nothing, --dry-run, reject file, clearing, the model's
# scales), `kam review` (each of the four reasons, filters, JSON and CSV, no run yet) and
# `kam lifecycle` (stages, the rule's reason, counts and revenue shares).
. "$(dirname "$0")/lib.sh"

DB=$WORK/r.db
run --db "$DB" init
cat >accounts.csv <<'CSV'
code,name,role,justification
A,Alpha,distributor,
B,Beta,end_user,"framework agreement, renewed every year"
C,Gamma,dealer,
D,Delta,end_user,
CSV
# The small portfolio's orders (lib.sh), as of 2024-12-31 (the last order day). A: Jan, Nov, Dec
# 2024 and a return; B: Dec 2023 only; C: June 2024 only; D: nothing.
write_small_orders
import_all "$DB" accounts products orders

# --- review before any scoring run ---
run --db "$DB" review
expect_rc "review without a run: not found" 2
expect_err "review says what to do" "run 'kam score' first"

# --- lifecycle ---
run --db "$DB" lifecycle --json
expect_rc "lifecycle" 0
cp "$OUT" l.json
# A: trailing Jul-Dec 200 + 100 - 50 = 250 against 200 in Jan-Jun: +25 %, formation. C: one
# purchase 6 months back: dormant. B: 12 months back: lost. D: never bought: none.
expect_eq "stage of every account" "$(json l.json "' '.join(i['code'] + ':' + i['stage'] for i in j['items'])")" "A:formation C:dormant B:lost D:none"
expect_eq "the rule's reason" "$(json l.json "j['items'][0]['reason']")" "last 6 months 250.00 vs 200.00 before (+25.0 %): at or above +20 %"
expect_eq "lost reason" "$(json l.json "[i['reason'] for i in j['items'] if i['code'] == 'B'][0]")" "no purchase for 12 months (lost after 12)"
expect_eq "counts add up" "$(json l.json "sum(s['accounts'] for s in j['stages'])")" "4"
# Window revenue (12 months): A 450, C 10, total 460.
expect_eq "revenue share per stage" "$(json l.json "[(s['revenue'], round(s['revenue_share'], 4)) for s in j['stages'] if s['stage'] in ('formation', 'dormant')]")" "[('450', 0.9783), ('10', 0.0217)]"
run --db "$DB" lifecycle --stage lost --csv
expect_rc "lifecycle csv" 0
expect_eq "csv: header and the lost account only" "$(cut -d, -f1,3 "$OUT" | tr '\n' ' ')" "code,stage B,lost "
run --db "$DB" lifecycle
expect_out "table of stages" "formation           1             450.00    97.8%"
run --db "$DB" lifecycle --stage grown
expect_rc "unknown stage" 1
expect_err "names the stages" "--stage takes new, exploration"
run --db "$DB" lifecycle --limit x
expect_rc "bad limit" 1

# --- ratings import ---
cat >ratings.csv <<'CSV'
account,rating,value,note
A,key_people_access,4,met the CEO
A,relationship_state,5,
C,strategic_value,3,new market
CSV
run --db "$DB" import ratings ratings.csv --json
expect_rc "import ratings" 0
expect_eq "three inserted" "$(json "$OUT" "(j['kind'], j['inserted'], j['updated'], j['unchanged'])")" "('ratings', 3, 0, 0)"
expect_eq "stored with their notes" "$(sql "$DB" "select name || '=' || value || ':' || ifnull(note, '-') from ratings order by account, name" | tr '\n' ' ')" "key_people_access=4.0:met the CEO relationship_state=5.0:- strategic_value=3.0:new market "
run --db "$DB" import ratings ratings.csv --json
expect_eq "the same file again changes nothing" "$(json "$OUT" "(j['inserted'], j['updated'], j['unchanged'])")" "(0, 0, 3)"
# Header mapping, a changed value, a cleared rating (empty value), clearing one that is not there,
# and a file without a note column: the stored note stays.
printf 'Kunde,Merkmal,Wert\nA,key_people_access,5\nA,relationship_state,\nD,fulfilment,\n' >mapped.csv
run --db "$DB" import ratings mapped.csv --map account=Kunde,rating=Merkmal,value=Wert --json
expect_rc "mapped headers" 0
expect_eq "one updated, one cleared, one absent" "$(json "$OUT" "(j['inserted'], j['updated'], j['unchanged'])")" "(0, 2, 1)"
expect_eq "value changed, note kept, rating cleared" "$(sql "$DB" "select name || '=' || value || ':' || ifnull(note, '-') from ratings where account = (select id from accounts where code = 'A')")" "key_people_access=5.0:met the CEO"

# Malformed lines: every problem named with its line and field, nothing written.
sql "$DB" "select * from ratings order by account, name" >ratings.before
run --db "$DB" export accounts --json
cp "$OUT" export.before
BASE=$(digest "$DB")
cat >bad.csv <<'CSV'
account,rating,value,note
C,growth_potential,4,fine on its own
Z,key_people_access,4,
A,key_poeple_access,4,
A,growth_potential,6,
A,fulfilment,x,
,strategic_value,3,
C,strategic_value,2,
C,strategic_value,1,
CSV
run --db "$DB" import ratings bad.csv
expect_rc "invalid rows" 2
expect_err "unknown account" "bad.csv:3: field account: unknown account (import accounts first) (Z)"
expect_err "unknown rating, with the model's ratings" "bad.csv:4: field rating: is not a rating of the default model; its ratings: growth_potential, key_people_access"
expect_err "value outside the scale" "bad.csv:5: field value: is outside 1..5, the scale of rating 'growth_potential' in the default model (6)"
expect_err "not a number" "bad.csv:6: field value: is not a number (x)"
expect_err "required account" "bad.csv:7: field account: is required but empty"
expect_err "duplicate key" "bad.csv:9: duplicate rating: the same key is on line 8"
expect_err "summary" "6 invalid rows, nothing was imported"
expect_unchanged "malformed file" "$DB" "$BASE"
sql "$DB" "select * from ratings order by account, name" >ratings.after
expect_eq "ratings as before" "$(cmp -s ratings.before ratings.after && echo same)" "same"
run --db "$DB" export accounts --json
expect_eq "export as before" "$(cmp -s "$OUT" export.before && echo same)" "same"

# A missing column, a dry run, a reject file.
printf 'account,rating\nA,fulfilment\n' >novalue.csv
run --db "$DB" import ratings novalue.csv
expect_rc "missing value column" 2
expect_err "names the column" "missing column 'value'"
expect_unchanged "missing column" "$DB" "$BASE"
run --db "$DB" import ratings bad.csv --dry-run --reject-file rej.csv --json
expect_rc "dry run" 0
# The valid rows: C growth_potential is new, C strategic_value (3 before) is updated.
expect_eq "dry run counts" "$(json "$OUT" "(j['inserted'], j['updated'], j['rejected'], j['written'])")" "(1, 1, 6, False)"
expect_unchanged "dry run" "$DB" "$BASE"
run --db "$DB" import ratings bad.csv --reject-file rej.csv --json
expect_rc "reject file" 0
expect_eq "valid rows in, invalid rows out" "$(json "$OUT" "(j['inserted'], j['updated'], j['rejected'])")" "(1, 1, 6)"
expect_eq "reject file: header, six rows" "$(head -1 rej.csv) $(tail -n +2 rej.csv | wc -l | tr -d ' ')" "account,rating,value,note,reject_reason 6"
expect_eq "reject reason" "$(grep '^A,growth_potential' rej.csv)" "A,growth_potential,6,,\"value: is outside 1..5, the scale of rating 'growth_potential' in the default model (6)\""
expect_eq "C's ratings" "$(sql "$DB" "select name || '=' || value from ratings where account = (select id from accounts where code = 'C') order by name" | tr '\n' ' ')" "growth_potential=4.0 strategic_value=2.0 "

# The scale is the current model's: a stored model with a 0..10 key_people_access.
run --db "$DB" model show --json
python3 - "$OUT" >ten.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for r in m['ratings']:
    if r['name'] == 'key_people_access':
        r['min'], r['max'] = 0, 10
for i in m['indicators']:
    if i['source'] == 'rating:key_people_access':
        i['linear'] = {'min': 0, 'max': 10}
m['tiers'] = {'method': 'rank', 'cuts': [25, 25, 25]}
print(json.dumps(m))
PY
run --db "$DB" model set ten.json
expect_rc "model with a 0..10 scale" 0
printf 'account,rating,value\nC,key_people_access,7\nD,key_people_access,10.5\n' >ten.csv
run --db "$DB" import ratings ten.csv
expect_err "the stored model's scale" "ten.csv:3: field value: is outside 0..10, the scale of rating 'key_people_access' in model version 2 (10.5)"
printf 'account,rating,value\nC,key_people_access,7\n' >ten.csv
run --db "$DB" import ratings ten.csv
expect_rc "7 is on the 0..10 scale" 0

# --- review ---
# Ratings now: A key_people_access 5; C growth_potential 4, key_people_access 7, strategic 2.
# B (lost) pinned key. Rank shares 25/25/25 of 4 accounts: one account each, ties to the better
# tier. A has the most revenue and C the ratings: B's score gives ordinary.
run --db "$DB" pin B key
run --db "$DB" score --json
expect_rc "first run" 0
run --db "$DB" review --json
expect_rc "review" 0
cp "$OUT" v1.json
expect_eq "no previous run" "$(json v1.json "(j['run'], j['previous_run'])")" "(1, None)"
expect_eq "B: pinned above its score" "$(json v1.json "[(i['cause'], i['tier'], i['computed']) for i in j['items'] if i['code'] == 'B' and i['reason'] == 'below_tier'][0]")" "('pinned_above', 'key', 'ordinary')"
expect_eq "B: lost while key" "$(json v1.json "[i['cause'] for i in j['items'] if i['code'] == 'B' and i['reason'] == 'declining'][0]")" "stage_silent"
expect_eq "B has a justification, A (key by its score) none" "$(json v1.json "[i['code'] for i in j['items'] if i['reason'] == 'no_justification']")" "['A']"
expect_eq "the sentence" "$(json v1.json "[i['sentence'] for i in j['items'] if i['code'] == 'B' and i['reason'] == 'below_tier'][0]")" "pinned key, but its score $(json v1.json "'%.2f' % [i['score'] for i in j['items'] if i['code'] == 'B'][0]") gives ordinary: state why it stays key, or unpin it"
expect_eq "counts" "$(json v1.json "j['counts']")" "$(json v1.json "{r: len([i for i in j['items'] if i['reason'] == r]) for r in ('below_tier', 'declining', 'no_justification', 'promotion')}")"

# The second run: B unpinned and A pinned key while C is rated to the top; A keeps its pin
# without a justification.
run --db "$DB" pin B none
run --db "$DB" pin A key
for r in relationship_state growth_potential; do run --db "$DB" rate C $r 5; done
run --db "$DB" rate C strategic_value 5
run --db "$DB" rate C key_people_access 10
run --db "$DB" score --json
cp "$OUT" s2.json
run --db "$DB" explain A --json
cp "$OUT" xa.json
run --db "$DB" review --json
cp "$OUT" v2.json
expect_eq "compared with run 1" "$(json v2.json "(j['run'], j['previous_run'], j['previous_as_of'])")" "(2, 1, '2024-12-31')"
expect_eq "B fell from its pinned key tier" "$(json v2.json "[(i['cause'], i['previous_tier'], i['tier']) for i in j['items'] if i['code'] == 'B' and i['reason'] == 'below_tier'][0]")" "('fell', 'key', 'ordinary')"
expect_eq "A and C: key without a justification" "$(json v2.json "sorted(i['code'] for i in j['items'] if i['reason'] == 'no_justification')")" "['A', 'C']"
expect_eq "A's computed tier against its pin" "$(json v2.json "[i['cause'] for i in j['items'] if i['code'] == 'A' and i['reason'] == 'below_tier']")" "$(json xa.json "['pinned_above'] if j['computed'] != 'key' else []")"
run --db "$DB" review --reason no_justification,below_tier --limit 1 --json
expect_eq "filter and limit per reason" "$(json "$OUT" "[i['reason'] for i in j['items']]")" "['below_tier', 'no_justification']"
expect_eq "counts are before the filter" "$(json "$OUT" "j['counts'] == $(json v2.json "j['counts']")")" "True"
# Promotion: D pinned small while its score gives more, and, with a wide distance and scope,
# every unpinned account below key.
run --db "$DB" review --reason promotion --promotion-within 100 --scope small --json
cp "$OUT" p.json
expect_eq "near the next tier" "$(json p.json "sorted(i['code'] for i in j['items'] if i['cause'] == 'near_next')")" "$(json s2.json "None" >/dev/null; sql "$DB" "select group_concat(code) from (select a.code from scores s join accounts a on a.id = s.account where s.run = 2 and not s.pinned and s.computed <> 'key' order by a.code)" | python3 -c "import sys; print(sorted(sys.stdin.read().strip().split(',')))")"
run --db "$DB" review --csv
expect_rc "review csv" 0
expect_eq "csv header" "$(head -1 "$OUT")" "reason,cause,code,name,score,tier,computed,pinned,to_next,previous_tier,previous_score,stage,growth,sentence"
run --db "$DB" review
expect_out "table: the run and its predecessor" "Periodic review of scoring run 2 (as of 2024-12-31, 4 accounts) against run 1"
expect_out "table: a reason heading" "no_justification (2): a key account without a stated reason"
run --db "$DB" review --reason everything
expect_rc "unknown reason" 1
expect_err "names the reasons" "--reason takes below_tier, declining, no_justification or promotion"
run --db "$DB" review --decline-below 5
expect_rc "decline threshold above 0" 1
expect_err "says the range" "decline threshold 0.05 is outside -1 (exclusive) to 0"
run --db "$DB" review --scope vip
expect_rc "unknown scope" 1

finish
