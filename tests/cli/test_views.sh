#!/bin/bash
# The read-side commands on a small hand-made portfolio whose figures are computed by hand:
# accounts (filters, sort, JSON), account (360 view), tag, export (round trip), summary, help.
. "$(dirname "$0")/lib.sh"

DB=$WORK/v.db
run --db "$DB" init --currency EUR
expect_out "init with currency" "currency EUR"
run --db "$DB" init --currency euro
expect_rc "bad currency" 1

cat >accounts.csv <<'CSV'
code,name,role,region,owner,industry
A,Alpha 阿尔法,distributor,华东,rep-east-1,retail
B,Beta,end_user,华东,rep-east-2,retail
C,Gamma 伽马,dealer,西南,rep-west-1,food
D,Delta,end_user,西南,rep-west-1,food
E,Epsilon,agent,华北,rep-east-1,food
CSV
cat >products.csv <<'CSV'
sku,name,category,list_price,std_cost
P1,One,x,10,6
P2,Two,y,100,50
CSV
cat >contacts.csv <<'CSV'
account,name,title,phone,email,reports_to
A,王伟,采购经理,13800000000,wang@example.cn,李娜
A,李娜,总经理,13900000000,li@example.cn,
CSV
# Net revenue: A 600, B 250 (50 of it in 2023), C 100, D 60, E 30 (a return of 10) = 1040;
# the top 20 % is A (600 / 1040 = 57.692 %), and A + B (850 >= 832) reach 80 %.
cat >orders.csv <<'CSV'
order_id,line_no,date,account,product,quantity,unit_price
1,1,2024-01-10,A,P2,6,100
2,1,2024-02-10,B,P2,2,100
3,1,2024-03-10,C,P1,10,10
4,1,2024-04-10,D,P1,6,10
5,1,2024-05-10,E,P1,4,10
6,1,2024-06-10,E,P1,-1,10
7,1,2023-01-10,B,P1,5,10
CSV
cat >payments.csv <<'CSV'
invoice,account,amount,issued,due,paid,paid_amount
INV1,A,600,2024-01-10,2024-02-09,2024-02-01,600
INV2,A,250,2024-03-01,2024-03-31,,
INV3,A,100,2024-05-01,2024-06-30,2024-06-01,40
INV4,A,80,2024-04-01,2024-05-01,2024-04-20,
CSV
import_all "$DB" accounts products contacts orders payments

run --db "$DB" accounts
expect_rc "accounts" 0
expect_out "accounts count" "5 accounts"
expect_out "accounts wide names" "Alpha 阿尔法"
run --db "$DB" accounts --region 西南 --json
expect_eq "filter by region" "$(python3 -c "import json,sys; print(','.join(a['code'] for a in json.load(open('$OUT'))['items']))")" "D,C"
run --db "$DB" accounts --role end_user --json
expect_eq "filter by role" "$(python3 -c "import json; print(','.join(a['code'] for a in json.load(open('$OUT'))['items']))")" "B,D"
run --db "$DB" accounts --owner rep-east-1 --sort revenue --json
expect_eq "filter by owner, sort by revenue" "$(python3 -c "import json; print(','.join(a['code']+':'+a['ttm_revenue'] for a in json.load(open('$OUT'))['items']))")" "A:600,E:30"
run --db "$DB" accounts --search alpha --json
expect_eq "text search, case-insensitive" "$(python3 -c "import json; print(json.load(open('$OUT'))['total'])")" "1"
run --db "$DB" accounts --sort revenue --limit 2 --json
expect_eq "limit" "$(python3 -c "import json; print(','.join(a['code'] for a in json.load(open('$OUT'))['items']))")" "A,B"
# Chinese names sort by pinyin (阿 a, 北 bei, 上 shang), not by code point (上 < 北 < 阿), and
# before Latin names, as the Chinese collation of ICU orders them; Latin ignores case.
printf 'code,name\nZ1,上海华东\nZ2,北京燕山\nZ3,阿里物流\nZ4,Zeta\nZ5,alpha\n' >names.csv
DBN=$WORK/names.db
run --db "$DBN" init
run --db "$DBN" import accounts names.csv
run --db "$DBN" accounts --json
expect_eq "names sort like a person reads them" "$(python3 -c "import json; print(','.join(a['name'] for a in json.load(open('$OUT'))['items']))")" "阿里物流,北京燕山,上海华东,alpha,Zeta"
# The order comes from the stored sort key (schema 5), which every write of a name keeps: a
# rename with kam edit, a re-import with a new name, a record added one at a time.
run --db "$DBN" edit Z5 name=Omega
printf 'code,name\nZ4,波士顿\n' >rename.csv
run --db "$DBN" import accounts rename.csv
run --db "$DBN" add account code=Z6 name=成都
run --db "$DBN" accounts --json
expect_eq "renamed names sort by their new keys" "$(python3 -c "import json; print(','.join(a['name'] for a in json.load(open('$OUT'))['items']))")" "阿里物流,北京燕山,波士顿,成都,上海华东,Omega"
expect_eq "the key is the collation's order" "$(sqlite3 "$DBN" "SELECT group_concat(code) FROM (SELECT code FROM accounts ORDER BY name_key, code)")" "Z3,Z2,Z4,Z6,Z1,Z5"
run --db "$DB" accounts --sort size
expect_rc "bad sort" 1
run --db "$DB" accounts --role boss
expect_rc "bad role" 1

# 12 months to the last order (2024-06): B's 2023 order is outside the window.
run --db "$DB" accounts --search Beta --json
expect_eq "trailing 12 months vs all time" "$(python3 -c "import json; a=json.load(open('$OUT'))['items'][0]; print(a['ttm_revenue'], a['total_revenue'])")" "200 250"

run --db "$DB" tag add A 战略客户 --color '#c00'
expect_rc "tag add" 0
run --db "$DB" tag add C 战略客户
run --db "$DB" tag add C export
run --db "$DB" tag list --json
expect_eq "tag list with counts" "$(python3 -c "import json; print(','.join(t['name']+':'+str(t['accounts']) for t in json.load(open('$OUT'))))")" "export:1,战略客户:2"
run --db "$DB" accounts --tag 战略客户 --json
expect_eq "filter by tag" "$(python3 -c "import json; print(','.join(a['code'] for a in json.load(open('$OUT'))['items']))")" "A,C"
run --db "$DB" tag rm C export
expect_rc "tag rm" 0
run --db "$DB" tag rm C export
expect_rc "tag rm absent" 2
expect_err "tag rm absent" "has no tag 'export'"
run --db "$DB" tag add ZZZ x
expect_rc "tag unknown account" 2
expect_err "tag unknown account" "account 'ZZZ' does not exist"

run --db "$DB" account A
expect_rc "account view" 0
expect_out "profile" "distributor"
expect_out "contacts" "王伟"
expect_out "tags" "战略客户"
expect_out "monthly revenue" "2024-01           600.00"
expect_out "top products" "P2"
expect_out "open receivables" "INV2"
expect_out "overdue days as of the last order" "overdue 71 days"
run --db "$DB" account A --json
expect_eq "360 JSON" "$(python3 -c "
import json; j=json.load(open('$OUT'))
print(len(j['contacts']), j['months'][-1]['month'], j['months'][6]['revenue'], [r['invoice']+':'+r['open'] for r in j['open_receivables']])")" "2 2024-06 600 ['INV2:250', 'INV3:60']"
run --db "$DB" account A --as-of 2024-12-31 --json
expect_eq "as-of moves the window" "$(python3 -c "import json; j=json.load(open('$OUT')); print(j['months'][-1]['month'], j['open_receivables'][0]['days_overdue'])")" "2024-12 275"
# Open as of a day: INV1 is open until its payment on 2024-02-01; the later invoices are not issued.
run --db "$DB" account A --as-of 2024-01-20 --json
expect_eq "receivables as of a day" "$(python3 -c "import json; j=json.load(open('$OUT')); print([r['invoice']+':'+r['open'] for r in j['open_receivables']])")" "['INV1:600']"
run --db "$DB" account NOPE
expect_rc "unknown account" 2
run --db "$DB" account A --months 3 --json
expect_eq "--months" "$(python3 -c "import json; j=json.load(open('$OUT')); print([m['month'] for m in j['months']])")" "['2024-04', '2024-05', '2024-06']"

# kam edit: profile fields at the version read, typed, audited; refusals write nothing.
V0=$(sql "$DB" "select version from accounts where code='A'")
run --db "$DB" edit A city=杭州 credit_limit=1200.5 employees=12
expect_rc "edit" 0
expect_out "edit: new version" "A: version $((V0 + 1))"
expect_eq "edit: the fields" "$(sql "$DB" "select city, credit_limit, employees from accounts where code='A'")" "杭州|12005000|12"
run --db "$DB" audit --limit 1 --json
expect_eq "edit: the audit entry" "$(python3 -c "import json; e=json.load(open('$OUT'))[0]; print(e['action'], e['key'], e['after']['city'], sorted(e['after']))")" "account.update A 杭州 ['city', 'credit_limit', 'employees']"
run --db "$DB" edit A city=杭州
expect_out "edit: no change" "nothing changed"
BASE=$(digest "$DB")
run --db "$DB" edit A city=x --version "$V0"
expect_rc "edit at a stale version" 2
expect_err "edit at a stale version says so" "changed by someone else"
run --db "$DB" edit A code=Z
expect_rc "edit the code" 1
run --db "$DB" edit A employees=many
expect_rc "edit a bad number" 1
expect_err "edit a bad number names it" "employees"
run --db "$DB" edit A role=boss
expect_rc "edit a bad role" 2
run --db "$DB" edit NOPE city=x
expect_rc "edit an unknown account" 2
run --db "$DB" edit A
expect_rc "edit without a field" 1
expect_unchanged "refused edits" "$DB" "$BASE"

run --db "$DB" summary --json
expect_eq "summary net revenue" "$(python3 -c "import json; print(json.load(open('$OUT'))['net_revenue'])")" "1040"
expect_eq "summary top 20 %" "$(python3 -c "import json; p=json.load(open('$OUT'))['pareto']; print(p['population'], p['top_k'], p['top_revenue'], round(p['top_share'], 6), p['accounts_to_80'])")" "5 1 600 0.576923 2"
run --db "$DB" summary
expect_out "summary text" "the top 20 % (1 accounts) bring 57.692 % of revenue"

# Export, then import the export into a new database: the same records.
for k in accounts contacts products orders payments; do
    run --db "$DB" export "$k" --output "$k-export.csv"
    expect_rc "export $k" 0
done
DB2=$WORK/v2.db
run --db "$DB2" init
for k in accounts products contacts orders payments; do
    run --db "$DB2" import "$k" "$k-export.csv"
    expect_rc "re-import export $k" 0
done
for k in accounts contacts products orders payments; do
    "$KAM" --db "$DB2" export "$k" >"$k-again.csv"
    if cmp -s "$k-export.csv" "$k-again.csv"; then ok "round trip $k"; else bad "round trip $k" "$(diff "$k-export.csv" "$k-again.csv" | head -3)"; fi
done
run --db "$DB" export orders --json
expect_eq "JSON export, exact money" "$(python3 -c "import json; o=json.load(open('$OUT')); print(len(o), o[0]['amount'], o[0]['cost'])")" "7 600 300"
run --db "$DB" export nothing
expect_rc "export unknown kind" 1
run --db "$DB" export accounts --output /nonexistent/dir/x.csv
expect_rc "export to an unwritable place" 3

run help
expect_rc "help" 0
expect_out "help lists exit codes" "2  invalid input"
# The command table, kam help and the README agree: every command is documented.
README=$SRC/README.md
for c in $(sed -n '/^commands:/,/^$/p' "$OUT" | awk 'NF > 1 { print $1 }'); do
    if grep -q "^|.*\`$c[ \`]" "$README"; then ok "README documents '$c'"; else bad "README" "no row for command '$c'"; fi
done
run help import
expect_out "help import" "--reject-file"
run version
expect_out "version" "kam "
run
expect_rc "no command" 1

finish
