#!/bin/bash
# Import integration tests: good and bad files through the real kam binary, checking messages,
# exit codes and that a failed import leaves the database exactly as it was.
. "$(dirname "$0")/lib.sh"

DB=$WORK/t.db
run --db "$DB" init
expect_rc "init" 0

cat >accounts.csv <<'CSV'
code,name,role,region,owner,uscc,parent
A1,上海华东精密机械有限公司,distributor,华东,rep-east-1,91350100M000100Y43,
A2,"Bright Electronics Co., Ltd.",end_user,华南,rep-west-1,,A3
A3,深圳集团,end_user,华南,rep-west-1,,
CSV
run --db "$DB" import accounts accounts.csv
expect_rc "accounts import" 0
expect_out "accounts import" "3 rows read, 3 inserted"
expect_eq "parent set from a later row" "$(sql "$DB" "select p.code from accounts a join accounts p on p.id=a.parent where a.code='A2'")" "A3"
expect_eq "chinese name kept" "$(sql "$DB" "select name from accounts where code='A1'")" "上海华东精密机械有限公司"

cat >products.csv <<'CSV'
sku,name,category,list_price,std_cost
P1,螺丝,hardware,2.5,1.2
P2,Widget,hardware,10,6
CSV
run --db "$DB" import products products.csv
expect_rc "products import" 0

cat >orders.csv <<'CSV'
order_id,line_no,date,account,product,quantity,unit_price
O1,1,2024-01-05,A1,P1,10,2.5
O1,2,2024-01-05,A1,P2,1,9.9999
O2,1,2024-02-10 13:45:00,A2,P2,3,10
O3,1,2024-02-11,A2,P2,-1,10
CSV
run --db "$DB" import orders orders.csv
expect_rc "orders import" 0
expect_out "orders import" "4 rows read, 4 inserted"
expect_eq "amount derived exactly" "$(sql "$DB" "select amount from v_order_lines where order_id='O1' and line_no=2")" "99999"
expect_eq "time of day kept" "$(sql "$DB" "select date from v_order_lines where order_id='O2'")" "2024-02-10 13:45:00"
expect_eq "rollup A2 Feb net of return" "$(sql "$DB" "select revenue, lines from account_months m join accounts a on a.id=m.account where a.code='A2' and month=202402")" "200000|2"
expect_eq "cost from standard cost" "$(sql "$DB" "select cost from v_order_lines where order_id='O1' and line_no=1")" "120000"

BASE=$(digest "$DB")
BASE_DATA=$(digest_data "$DB")
AUDITED=$(sql "$DB" "select count(*) from audit_log where action='import.orders'")
run --db "$DB" import orders orders.csv
expect_out "re-import" "0 inserted, 0 updated, 4 unchanged"
expect_unchanged "re-import" "$DB" "$BASE"

# A changed row updates the line and moves the rollup.
sed 's/^O2,1,2024-02-10 13:45:00,A2,P2,3,10$/O2,1,2024-03-10,A2,P2,4,10/' orders.csv >changed.csv
run --db "$DB" import orders changed.csv
expect_out "changed row" "0 inserted, 1 updated, 3 unchanged"
expect_eq "rollup left the old month" "$(sql "$DB" "select revenue from account_months m join accounts a on a.id=m.account where a.code='A2' and month=202402")" "-100000"
expect_eq "rollup moved to the new month" "$(sql "$DB" "select revenue from account_months m join accounts a on a.id=m.account where a.code='A2' and month=202403")" "400000"
# What the import keeps beside the rollup for the lists (schema 6) equals what the rollup gives
# now: the order lines per month, and each account's revenue over all time and over the twelve
# months up to the last month with orders.
kept_totals_match() { # NAME
    local window="(select t, (t / 100 * 12 + t % 100 - 12) / 12 * 100 + (t / 100 * 12 + t % 100 - 12) % 12 + 1 as f from (select max(month) as t from account_months where lines != 0))"
    expect_eq "$1: lines per month kept" \
        "$(sql "$DB" "select group_concat(month || ':' || lines, ' ') from month_lines")" \
        "$(sql "$DB" "select group_concat(month || ':' || n, ' ') from (select month, sum(lines) as n from account_months group by month having n != 0 order by month)")"
    expect_eq "$1: account revenues kept" \
        "$(sql "$DB" "select group_concat(account || ':' || total || ':' || ttm || ':' || ttm_to, ' ') from account_revenue")" \
        "$(sql "$DB" "select group_concat(x, ' ') from (select m.account || ':' || sum(m.revenue) || ':' || sum(case when m.month between w.f and w.t then m.revenue else 0 end) || ':' || w.t as x from account_months m, $window w group by m.account order by m.account)")"
}
kept_totals_match "changed row"
run --db "$DB" import orders orders.csv
expect_out "changed back" "1 updated"
kept_totals_match "changed back"
# The data is as it was; the audit log keeps both imports that wrote (none for the re-import
# that changed nothing).
expect_eq "changed back: the data as before" "$(digest_data "$DB")" "$BASE_DATA"
expect_eq "changed back: two imports audited" \
    "$(sql "$DB" "select count(*) from audit_log where action='import.orders'")" "$((AUDITED + 2))"

# --- bad input: each leaves the database as it was ----------------------------------------
BASE=$(digest "$DB")
bad_case() { # NAME FILE EXPECTED_EXIT EXPECTED_MESSAGE [ARGS...]
    local name=$1 file=$2 code=$3 msg=$4
    shift 4
    run --db "$DB" import orders "$file" "$@"
    expect_rc "$name" "$code"
    expect_err "$name" "$msg"
    expect_unchanged "$name" "$DB" "$BASE"
}

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,A1,P1,12,3x,2\n' >fields.csv
bad_case "wrong field count" fields.csv 2 "fields.csv:2: has 8 fields, the header has 7"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,A1,P1,"12,3x",2\n' >number.csv
bad_case "bad number" number.csv 2 "number.csv:2: field quantity: is not a number (12,3x)"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-02-30,A1,P1,1,2\n' >date.csv
bad_case "bad date" date.csv 2 "date.csv:2: field date: is not a calendar date (2024-02-30)"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,NOPE,P1,1,2\n' >acct.csv
bad_case "unknown account" acct.csv 2 "acct.csv:2: field account: unknown account (import accounts first, or use --create-missing) (NOPE)"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,A1,P1,1,2\nX2,1,2024-01-05,A1,P1,1,2\nX1,1,2024-01-06,A1,P1,1,2\n' >dup.csv
bad_case "duplicate key" dup.csv 2 "dup.csv:4: duplicate order line: order 'X1' line 1 is earlier in the file"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nO1,3,2024-01-05,A1,P1,1,2\nO1,3,2024-01-06,A1,P1,1,2\n' >dup2.csv
bad_case "duplicate new line of an existing order" dup2.csv 2 "dup2.csv:3: duplicate order line: the same key is on line 2"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nO2,1,2024-02-10 13:45:00,A2,P2,3,10\nO1,5,2024-01-05,A3,P1,1,2\n' >moved.csv
bad_case "a line for another account than its order" moved.csv 2 "moved.csv:3: field account: order 'O1' belongs to another account (all lines of an order belong to one account) (A3)"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nO9,70000,2024-01-05,A1,P1,1,2\n' >lineno.csv
bad_case "line number out of range" lineno.csv 2 "lineno.csv:2: field line_no: must be within 1..65535 (70000)"

printf 'order_id,line_no,date,account,product,unit_price\nX1,1,2024-01-05,A1,P1,2\n' >missing.csv
bad_case "missing column" missing.csv 2 "missing column 'quantity'"

: >empty.csv
bad_case "empty file" empty.csv 2 "the file is empty"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,A1,P1,1,2\nX2,1,"2024-01-05,A1,P1,1,2\n' >midrow.csv
bad_case "file stops mid-row" midrow.csv 2 "midrow.csv:3: the file ends inside a quoted field"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,A1,P1,1,2\nX2,1,2024-01-05,A1,P1,1\n' >short.csv
bad_case "file stops mid-row without quote" short.csv 2 "short.csv:3: has 6 fields, the header has 7"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,A1,P1,1,2\nX2,1,2024-01-0\xb5,A1,P1,1,2\n' >latin.csv
bad_case "wrong encoding" latin.csv 2 "latin.csv:3: invalid UTF-8"

printf 'order_id,line_no,date,account,product,quantity,unit_price\nX1,1,2024-01-05,A1,P1,1,2\nX2,1,2024-01-05,A1,P1,1,2\n' >ok.csv
bad_case "unknown map field" ok.csv 1 "unknown field 'qty'" --map qty=quantity
bad_case "mapped header absent" ok.csv 2 "the header has no column 'Menge'" --map quantity=Menge
bad_case "bad date format" ok.csv 1 "unsupported conversion" --date-format '%Q'
bad_case "unknown encoding" ok.csv 1 "unknown encoding 'latin9'" --encoding latin9

# Many errors: the first 100 in full, then a count.
{ echo 'order_id,line_no,date,account,product,quantity,unit_price'
  for i in $(seq 1 150); do echo "Y$i,1,2024-01-05,A1,P1,x,2"; done; } >many.csv
bad_case "150 bad rows" many.csv 2 "... and 50 more errors (150 in all)"
expect_eq "100 errors shown" "$(grep -c 'field quantity' "$ERR")" "100"

# Header only: nothing to do, nothing written.
printf 'order_id,line_no,date,account,product,quantity,unit_price\n' >header.csv
run --db "$DB" import orders header.csv
expect_rc "header only" 0
expect_out "header only" "0 rows read"
expect_unchanged "header only" "$DB" "$BASE"

# Dry run: validates, reports, writes nothing.
run --db "$DB" import orders ok.csv --dry-run
expect_rc "dry run" 0
expect_out "dry run" "dry run, nothing written"
expect_out "dry run" "2 inserted"
expect_unchanged "dry run" "$DB" "$BASE"

# --- embedded newlines and quotes, long fields ----------------------------------------------
printf 'code,name,address\nQ1,"Quote ""Co""","line one\nline two\nline three"\nQ2,Plain,"a, b"\nQ3,,x\n' >quotes.csv
run --db "$DB" import accounts quotes.csv
expect_rc "embedded newlines" 2
expect_err "line numbers count embedded newlines" "quotes.csv:6: field name: is required but empty"
printf 'code,name,address\nQ1,"Quote ""Co""","line one\nline two"\nQ2,Plain,"a, b"\n' >quotes.csv
run --db "$DB" import accounts quotes.csv
expect_rc "embedded quotes" 0
expect_eq "quotes kept" "$(sql "$DB" "select name from accounts where code='Q1'")" 'Quote "Co"'
expect_eq "newline kept" "$(sql "$DB" "select length(address) from accounts where code='Q1'")" "17"

python3 -c "
import sys
print('code,name,justification')
print('L1,Long,' + 'x' * 1000000)" >big.csv
run --db "$DB" import accounts big.csv
expect_rc "1 MB field" 0
expect_eq "1 MB field stored whole" "$(sql "$DB" "select length(justification) from accounts where code='L1'")" "1000000"
BASE=$(digest "$DB")
python3 -c "
print('code,name,justification')
print('L2,Long,' + 'y' * 2000000)" >huge.csv
run --db "$DB" import accounts huge.csv
expect_rc "2 MB field" 2
expect_err "2 MB field" "huge.csv:2: a field is longer than 1 MiB"
expect_unchanged "2 MB field" "$DB" "$BASE"

# --- accounts validation -----------------------------------------------------------------------
printf 'code,name,role,uscc,founded,credit_limit\nB1,x,boss,91350100M000100Y44,19x,-5\n' >acc_bad.csv
run --db "$DB" import accounts acc_bad.csv
expect_rc "account fields" 2
expect_err "enum" "field role: is not one of: end_user distributor"
expect_err "uscc check digit" "field uscc: check character is '4', expected '3'"
expect_err "year" "field founded: is not a number (19x)"
expect_err "negative limit" "field credit_limit: must not be negative (-5)"
expect_unchanged "account fields" "$DB" "$BASE"

printf 'code,name,parent\nC1,x,C2\nC2,y,C1\n' >cycle.csv
run --db "$DB" import accounts cycle.csv
expect_rc "parent cycle" 2
expect_err "parent cycle" "cycle"
expect_unchanged "parent cycle" "$DB" "$BASE"

printf 'code,name,parent\nC1,x,GHOST\n' >ghost.csv
run --db "$DB" import accounts ghost.csv
expect_rc "unknown parent" 2
expect_err "unknown parent" "ghost.csv:2: field parent: unknown account (GHOST)"
expect_unchanged "unknown parent" "$DB" "$BASE"

printf 'invoice,account,amount,issued,due,paid,paid_amount\nI1,A1,100,2024-03-01,2024-02-01,,\nI2,A1,100,2024-03-01,2024-04-01,2024-02-28,100\nI3,A1,1x0,2024-03-01,2024-04-01,,\n' >pay_bad.csv
run --db "$DB" import payments pay_bad.csv
expect_rc "payment dates" 2
expect_err "due before issue" "pay_bad.csv:2: field due: is before the issue date 2024-03-01 (2024-02-01)"
expect_err "paid before issue" "pay_bad.csv:3: field paid: is before the issue date 2024-03-01 (2024-02-28)"
expect_err "bad amount" "pay_bad.csv:4: field amount: is not a number (1x0)"
expect_unchanged "payment dates" "$DB" "$BASE"

# --- reject file: valid rows in, invalid rows out with reasons ------------------------------
printf 'order_id,line_no,date,account,product,quantity,unit_price\nR1,1,2024-04-01,A1,P1,1,2\nR2,1,2024-04-01,NOPE,P1,1,2\nR3,1,2024-04-01,A1,P1,"1,5",2\nR4,1,2024-04-02,A3,P2,2,10\n' >mixed.csv
run --db "$DB" import orders mixed.csv --reject-file rejects.csv
expect_rc "reject file" 0
expect_out "reject file" "4 rows read, 2 inserted, 0 updated, 0 unchanged, 2 rejected"
expect_eq "valid rows imported" "$(sql "$DB" "select group_concat(order_id) from (select order_id from v_order_lines where order_id like 'R%' order by 1)")" "R1,R4"
expect_eq "reject file rows" "$(wc -l <rejects.csv | tr -d ' ')" "3"
expect_eq "reject header" "$(head -1 rejects.csv)" "order_id,line_no,date,account,product,quantity,unit_price,reject_reason"
expect_eq "reject row keeps the original" "$(sed -n 3p rejects.csv)" 'R3,1,2024-04-01,A1,P1,"1,5",2,"quantity: is not a number (1,5)"'

# --- mapping, date formats, GB18030 -------------------------------------------------------------
printf 'Beleg;Pos\nx\n' >/dev/null
printf 'Invoice,Datum,Kunde,Artikel,Menge,Preis\nM1,03/15/2024 09:30,A1,P1,2,2.5\nM2,3/1/2024 17:05,A1,P2,1,10\n' >mapped.csv
run --db "$DB" import orders mapped.csv --map 'order_id=Invoice,date=Datum,account=Kunde,product=Artikel,quantity=Menge,unit_price=Preis' --date-format '%m/%d/%Y %H:%M'
expect_rc "map and date format" 0
expect_eq "date parsed with format" "$(sql "$DB" "select date from v_order_lines where order_id='M2'")" "2024-03-01 17:05:00"
expect_eq "line numbers by position" "$(sql "$DB" "select line_no from v_order_lines where order_id='M1'")" "1"
printf 'order_id=Invoice\ndate=Datum\naccount=Kunde\nproduct=Artikel\nquantity=Menge\nunit_price=Preis\n' >map.txt
run --db "$DB" import orders mapped.csv --map-file map.txt --date-format '%m/%d/%Y %H:%M'
expect_out "map file, re-import" "2 unchanged"

printf 'code,name,city\nG1,北京燕山石化有限公司,北京\n' | iconv -f UTF-8 -t GB18030 >gb.csv
BASE=$(digest "$DB")
run --db "$DB" import accounts gb.csv
expect_rc "GB18030 read as UTF-8" 2
expect_err "GB18030 read as UTF-8" "try --encoding gb18030"
expect_unchanged "GB18030 read as UTF-8" "$DB" "$BASE"
run --db "$DB" import accounts gb.csv --encoding gb18030
expect_rc "GB18030" 0
expect_eq "GB18030 decoded" "$(sql "$DB" "select name || '/' || city from accounts where code='G1'")" "北京燕山石化有限公司/北京"
printf '\xef\xbb\xbfcode,name\nBOM1,With BOM\n' >bom.csv
run --db "$DB" import accounts bom.csv
expect_rc "UTF-8 BOM" 0
expect_eq "UTF-8 BOM" "$(sql "$DB" "select name from accounts where code='BOM1'")" "With BOM"

# --- CRLF files, gzip, create-missing --------------------------------------------------------
printf 'order_id,date,account,product,quantity,amount,account_name,product_name,category\r\nN1,2024-05-01,NEW1,NP1,2,7.5,New Customer,New Thing,misc\r\nN1,2024-05-01,NEW1,NP1,1,2.5,New Customer,New Thing,misc\r\n' | gzip >crlf.csv.gz
run --db "$DB" import orders crlf.csv.gz --create-missing
expect_rc "gzip CRLF create-missing" 0
expect_out "created references counted" "1 accounts and 1 products created"
expect_eq "created account" "$(sql "$DB" "select name from accounts where code='NEW1'")" "New Customer"
expect_eq "unit price derived" "$(sql "$DB" "select line_no, unit_price from v_order_lines where order_id='N1' order by line_no")" "1|37500
2|25000"

# --- found in review: each once a way to lose or corrupt data ---------------------------------
printf 'code,name,role,level,status\nE1,Empty defaults,,,\nE2,Given,dealer,partner,paused\n' >defaults.csv
run --db "$DB" import accounts defaults.csv --reject-file defaults-rejects.csv
expect_out "empty role, level and status" "2 rows read, 2 inserted"
expect_eq "empty cells take the defaults" "$(sql "$DB" "select role || '/' || level || '/' || status from accounts where code = 'E1'")" "end_user/ordinary/active"

printf 'order_id,line_no,date,account,product,quantity,unit_price,account_name,product_name\nO1,7,2024-01-05,NEWACC,NEWPROD,1,2,New,New\nW9,1,2024-01-05,A1,P1,1,2,,\nW9,1,2024-01-05,A1,NEWPROD2,1,2,,New 2\n' >create_bad.csv
run --db "$DB" import orders create_bad.csv --create-missing --reject-file create-rejects.csv
expect_out "rejected rows create nothing" "3 rows read, 1 inserted, 0 updated, 0 unchanged, 2 rejected, 0 accounts and 0 products created"
expect_eq "no account or product from a rejected row" "$(sql "$DB" "select count(*) from accounts where code = 'NEWACC'") $(sql "$DB" "select count(*) from products where sku in ('NEWPROD', 'NEWPROD2')")" "0 0"
expect_err "conflict before creating" "create_bad.csv:2: field account: order 'O1' belongs to another account"
expect_err "duplicate before creating" "create_bad.csv:4: duplicate order line: order 'W9' line 1 is earlier in the file"

printf 'order_id,date,account,product,quantity,unit_price\nY1,2024-05-01,A1,P1,1,2\nY1,2024-05-01,A1,P1,oops,2\nY1,2024-05-01,A1,P2,1,10\n' >positions.csv
run --db "$DB" import orders positions.csv --reject-file positions-rejects.csv
expect_eq "the reject file carries kam's line number" "$(sed -n 2p positions-rejects.csv)" "Y1,2024-05-01,A1,P1,oops,2,2,quantity: is not a number (oops)"
sed 's/,oops,/,5,/' positions-rejects.csv >positions-fixed.csv
run --db "$DB" import orders positions-fixed.csv
expect_out "a corrected reject file fills the gap" "1 rows read, 1 inserted, 0 updated"
expect_eq "no line overwritten" "$(sql "$DB" "select group_concat(line_no || ':' || quantity) from (select line_no, quantity from v_order_lines where order_id = 'Y1' order by line_no)")" "1:10000,2:50000,3:10000"
printf 'order_id,date,account,product,quantity,unit_price\nY2,2024-05-01,A1,P1,1,2\nY2,2024-05-01,A1,P1\nY2,2024-05-01,A1,P2,1,10\n' >positions2.csv
run --db "$DB" import orders positions2.csv --reject-file positions2-rejects.csv
expect_eq "a short row keeps its place too" "$(sql "$DB" "select group_concat(line_no) from (select line_no from v_order_lines where order_id = 'Y2' order by line_no)")" "1,3"
cp positions2-rejects.csv again.csv
run --db "$DB" import orders again.csv --reject-file again-rejects.csv
expect_rc "a reject file imports again" 0
expect_eq "and is rejected again with one reason column" "$(head -1 again-rejects.csv)" "order_id,date,account,product,quantity,unit_price,line_no,reject_reason"

BASE=$(digest "$DB")
printf 'order_id,line_no,date,account,product,quantity,unit_price\nZ1,1,2024-01-05,A1,P1,1,2000000000000\nZ2,1,2024-01-05,A1,P1,999999999999,999999999999\n' >huge_values.csv
run --db "$DB" import orders huge_values.csv
expect_rc "huge values" 2
expect_err "value over the line limit" "huge_values.csv:2: field unit_price: is too large (at most 1e12) (2000000000000)"
expect_err "product over the line limit" "huge_values.csv:3: field amount: quantity x unit_price does not fit"
expect_unchanged "huge values" "$DB" "$BASE"

printf 'code,name,parent\nPA,Parent A,\nPB,Parent B,\nCH,Child,PA\n' >parents.csv
run --db "$DB" import accounts parents.csv
printf 'code,name,parent\nPA,Parent A,\nPB,Parent B,\nCH,Child,PB\n' >parents2.csv
run --db "$DB" import accounts parents2.csv
expect_out "a changed parent is an update" "0 inserted, 1 updated, 2 unchanged"
printf 'code,name,parent\nC9,x,NOWHERE\n' >noparent.csv
run --db "$DB" import accounts noparent.csv
expect_err "parent errors are counted" "1 error, nothing was imported"

printf 'invoice,account,amount,issued,due\nSD1,A1,100,2024-01-05 09:30,2024-01-05\n' >sameday.csv
run --db "$DB" import payments sameday.csv
expect_rc "due the day it was issued" 0

printf 'order_id,line_no,date,account,product,quantity,unit_price," quantity"\nQ1,1,2024-01-05,A1,P1,1,2,3\n' >dupheader.csv
run --db "$DB" import orders dupheader.csv
expect_rc "a column named twice, once with blanks" 2
expect_err "a column named twice, once with blanks" "appears twice in the header"

# --- exit codes of the CLI itself -------------------------------------------------------------
run --db "$DB" import nonsense x.csv
expect_rc "unknown kind" 1
run --db "$DB" import orders does-not-exist.csv
expect_rc "missing file" 3
expect_err "missing file" "cannot open"
run --db "$WORK/none.db" summary
expect_rc "no database" 2
expect_err "no database" "does not exist"
run --db "$DB" frobnicate
expect_rc "unknown command" 1

finish
