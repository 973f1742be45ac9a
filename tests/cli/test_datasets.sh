#!/bin/bash
# The real public datasets of ../shared/data against their published reference facts, and a
# kill -9 in the middle of a large import.
. "$(dirname "$0")/lib.sh"

RETAIL=$SHARED/data/online_retail/online_retail.csv.gz
CRM=$SHARED/data/crm_sales_opportunities
RETAIL_MAP='order_id=InvoiceNo,product=StockCode,product_name=Description,quantity=Quantity,date=InvoiceDate,unit_price=UnitPrice,account=CustomerID,country=Country'
# --- Online Retail, a deterministic sample: kam's per-customer net revenue equals an exact
# Decimal computation over the same rows -------------------------------------------------------
DB=$WORK/sample.db
gzip -dc "$RETAIL" | head -n 20001 >sample.csv
run --db "$DB" init
run --db "$DB" import orders sample.csv --map "$RETAIL_MAP" --create-missing --reject-file sample-rejects.csv
expect_rc "retail sample import" 0
python3 - sample.csv >expected.txt <<'PY'
import csv, sys
from decimal import Decimal
rev = {}
for r in csv.DictReader(open(sys.argv[1], newline='')):
    if r['CustomerID']:
        rev[r['CustomerID']] = rev.get(r['CustomerID'], Decimal(0)) + Decimal(r['Quantity']) * Decimal(r['UnitPrice'])
for k in sorted(rev):
    print(k, rev[k].normalize() if rev[k] != 0 else 0)
PY
"$KAM" --db "$DB" accounts --json >accounts.json
python3 - accounts.json >actual.txt <<'PY'
import json, sys
from decimal import Decimal
for a in sorted(json.load(open(sys.argv[1]))['items'], key=lambda a: a['code']):
    v = Decimal(a['total_revenue'])
    print(a['code'], v.normalize() if v != 0 else 0)
PY
expect_eq "sample: customers" "$(wc -l <actual.txt | tr -d ' ')" "$(wc -l <expected.txt | tr -d ' ')"
if cmp -s expected.txt actual.txt; then ok "sample: every customer's net revenue is exact"; else bad "sample: net revenue" "$(diff expected.txt actual.txt | head -5)"; fi
expect_eq "sample: rows without a customer rejected" "$(($(wc -l <sample-rejects.csv) - 1))" "$(python3 -c "
import csv,sys; print(sum(1 for r in csv.DictReader(open('sample.csv', newline='')) if not r['CustomerID']))")"

# --- Online Retail, the whole file: the reference facts of ../shared/data/README.md ----------
DB=$WORK/retail.db
run --db "$DB" init
run --db "$DB" import orders "$RETAIL" --map "$RETAIL_MAP" --create-missing --reject-file rejects.csv --json
expect_rc "retail import" 0
cp "$OUT" report.json
expect_eq "rows read" "$(json report.json "j['rows']")" "541909"
expect_eq "rows with a customer imported" "$(json report.json "j['inserted']")" "406829"
expect_eq "rows without a customer rejected" "$(json report.json "j['rejected']")" "135080"
expect_eq "customers created" "$(json report.json "j['created_accounts']")" "4372"
expect_eq "reject reasons" "$(tail -n +2 rejects.csv | grep -vc 'account: is required but empty$')" "0"
"$KAM" --db "$DB" summary --json >summary.json
expect_eq "net revenue of all customers" "$(json summary.json "j['net_revenue']")" "8300065.814"
expect_eq "customers with net revenue > 0" "$(json summary.json "j['pareto']['population']")" "4317"
expect_eq "their net revenue" "$(json summary.json "j['pareto']['population_revenue']")" "8313294.954"
expect_eq "top 20 % is k = 864" "$(json summary.json "j['pareto']['top_k']")" "864"
expect_eq "top 20 % share" "$(json summary.json "'%.3f' % (100 * j['pareto']['top_share'])")" "73.463"
expect_eq "customers to reach 80 %" "$(json summary.json "j['pareto']['accounts_to_80']")" "1178"
expect_eq "Gini coefficient" "$(json summary.json "'%.4f' % j['pareto']['gini']")" "0.7028"
expect_eq "top 5 by net revenue" "$(json summary.json "' '.join(a['code'] + '=' + a['revenue'] for a in j['top_accounts'][:5])")" \
    "14646=279489.02 18102=256438.49 17450=187482.17 14911=132572.62 12415=123725.45"
# Every customer's net revenue, to the last decimal, against exact Decimal sums over the file.
python3 - "$RETAIL" >expected-all.txt <<'PY'
import csv, gzip, sys
from decimal import Decimal
rev = {}
for r in csv.DictReader(gzip.open(sys.argv[1], 'rt', newline='', encoding='utf-8')):
    if r['CustomerID']:
        rev[r['CustomerID']] = rev.get(r['CustomerID'], Decimal(0)) + Decimal(r['Quantity']) * Decimal(r['UnitPrice'])
for k in sorted(rev):
    print(k, rev[k].normalize() if rev[k] != 0 else 0)
PY
"$KAM" --db "$DB" accounts --json >all.json
python3 - all.json >actual-all.txt <<'PY'
import json, sys
from decimal import Decimal
for a in sorted(json.load(open(sys.argv[1]))['items'], key=lambda a: a['code']):
    v = Decimal(a['total_revenue'])
    print(a['code'], v.normalize() if v != 0 else 0)
PY
expect_eq "every customer listed" "$(wc -l <actual-all.txt | tr -d ' ')" "4372"
if cmp -s expected-all.txt actual-all.txt; then ok "every customer's net revenue is exact"; else bad "per-customer net revenue" "$(diff expected-all.txt actual-all.txt | head -5)"; fi
"$KAM" --db "$DB" accounts --search 16446 --json >a.json
expect_eq "a huge cancelled order nets out (16446)" "$(json a.json "j['items'][0]['total_revenue']")" "2.9"
"$KAM" --db "$DB" accounts --search 12346 --json >a.json
expect_eq "a huge cancelled order nets out (12346)" "$(json a.json "j['items'][0]['total_revenue']")" "0"
# kam pareto and kam rfm reproduce the reference facts (net basis; RFM on the purchase basis).
"$KAM" --db "$DB" pareto --json >pareto.json
expect_eq "pareto: customers with net revenue > 0" "$(json pareto.json "j['population']")" "4317"
expect_eq "pareto: their net revenue" "$(json pareto.json "j['total']")" "8313294.954"
expect_eq "pareto: top 20 % is k = 864" "$(json pareto.json "j['top20_k']")" "864"
expect_eq "pareto: top 20 % share" "$(json pareto.json "'%.3f' % (100 * j['top20_share'])")" "73.463"
expect_eq "pareto: customers to reach 80 %" "$(json pareto.json "j['accounts_to_80']")" "1178"
expect_eq "pareto: Gini" "$(json pareto.json "'%.4f' % j['gini']")" "0.7028"
expect_eq "pareto: curve ends at 1" "$(json pareto.json "(len(j['curve']), j['curve'][-1]['y'])")" "(4317, 1.0)"
expect_eq "pareto: ABC A is the accounts to 80 %" "$(json pareto.json "j['classes']['A']['accounts']")" "1178"
expect_eq "pareto: ABC covers the population" "$(json pareto.json "sum(c['accounts'] for c in j['classes'].values())")" "4317"
"$KAM" --db "$DB" rfm --as-of 2011-12-10 --json >rfm.json
expect_eq "rfm: recency and frequency of the reference top 10" "$(json rfm.json "' '.join('%s:%d:%d' % (a['code'], a['recency'], a['frequency']) for a in sorted((a for a in j['accounts'] if a['code'] in '14646 18102 17450 16446 14911 12415 14156 17511 16029 12346'.split()), key=lambda a: '14646 18102 17450 16446 14911 12415 14156 17511 16029 12346'.split().index(a['code'])))")" \
    "14646:2:74 18102:1:60 17450:9:46 16446:1:2 14911:2:201 12415:25:21 14156:10:55 17511:3:31 16029:39:63 12346:326:1"
expect_eq "rfm: last purchase of 14646" "$(json rfm.json "[a['last_purchase'] for a in j['accounts'] if a['code'] == '14646'][0]")" "2011-12-08"
expect_eq "rfm: every customer scored" "$(json rfm.json "sum(j['segments'].values())")" "4372"
# 4,372 accounts are two chunks of the engine: two reader threads must give what one gives.
KAM_ENGINE_READERS=1 "$KAM" --db "$DB" metrics --json >metrics-1.json
KAM_ENGINE_READERS=2 "$KAM" --db "$DB" metrics --json >metrics-2.json
expect_eq "metrics: every account" "$(json metrics-2.json "(j['accounts'], len(j['items']))")" "(4372, 4372)"
if cmp -s metrics-1.json metrics-2.json; then ok "metrics: two readers give what one gives"; else bad "metrics with two readers" "$(diff metrics-1.json metrics-2.json | head -5)"; fi
"$KAM" --db "$DB" pareto --by margin --json >margin.json
expect_eq "pareto by margin: no costs in the file, no population" "$(json margin.json "j['population']")" "0"
run --db "$DB" account 14646
expect_rc "360 view on real data" 0
expect_out "360 view monthly revenue" "2011-12"
BASE=$(digest "$DB")
run --db "$DB" import orders "$RETAIL" --map "$RETAIL_MAP" --create-missing --reject-file rejects.csv
expect_out "re-import changes nothing" "0 inserted, 0 updated, 406829 unchanged, 135080 rejected"
expect_unchanged "re-import" "$DB" "$BASE"

# --- CRM Sales Opportunities: accounts with subsidiary_of as parent, products ----------------
DB=$WORK/crm.db
run --db "$DB" init
run --db "$DB" import accounts "$CRM/accounts.csv" --map code=account,name=account,industry=sector,founded=year_established,annual_revenue=revenue,country=office_location,parent=subsidiary_of
expect_rc "CRM accounts" 0
expect_out "CRM accounts" "85 rows read, 85 inserted"
expect_eq "subsidiaries have their parent" "$(sql "$DB" "select count(*) from accounts where parent is not null")" "15"
expect_eq "parents resolved by code" "$(sql "$DB" "select count(*) from accounts a join accounts p on p.id = a.parent")" "15"
expect_eq "sector kept as written" "$(sql "$DB" "select count(*) from accounts where industry = 'technolgy'")" "12"
run --db "$DB" import products "$CRM/products.csv" --map sku=product,name=product,category=series,list_price=sales_price
expect_rc "CRM products" 0
expect_out "CRM products" "7 rows read, 7 inserted"
expect_eq "GTX Pro price" "$(sql "$DB" "select list_price from products where sku = 'GTX Pro'")" "48210000"
# The same file with its rows reversed: parents still resolve, nothing changes.
{ head -n 1 "$CRM/accounts.csv"; tail -n +2 "$CRM/accounts.csv" | tac; } >reversed.csv
BASE=$(digest "$DB")
run --db "$DB" import accounts reversed.csv --map code=account,name=account,industry=sector,founded=year_established,annual_revenue=revenue,country=office_location,parent=subsidiary_of
expect_out "reversed rows" "85 unchanged"
expect_unchanged "reversed rows" "$DB" "$BASE"
DB2=$WORK/crm2.db
run --db "$DB2" init
run --db "$DB2" import accounts reversed.csv --map code=account,name=account,industry=sector,founded=year_established,annual_revenue=revenue,country=office_location,parent=subsidiary_of
expect_eq "parents independent of row order" "$(sql "$DB2" "select a.code || '>' || p.code from accounts a join accounts p on p.id = a.parent order by 1" | sha256sum)" "$(sql "$DB" "select a.code || '>' || p.code from accounts a join accounts p on p.id = a.parent order by 1" | sha256sum)"

# --- kill -9 in the middle of an import leaves the database as it was ------------------------
DB=$WORK/kill.db
run --db "$DB" init
printf 'code,name\nK1,k\n' >k-accounts.csv
printf 'sku,name\nS1,s\n' >k-products.csv
run --db "$DB" import accounts k-accounts.csv
run --db "$DB" import products k-products.csv
awk 'BEGIN { print "order_id,line_no,date,account,product,quantity,unit_price";
             for (i = 1; i <= 3000000; i++) printf "O%07d,1,2024-01-01,K1,S1,1,2.5\n", i }' >k-orders.csv
BASE=$(digest "$DB")
"$KAM" --db "$DB" import orders k-orders.csv >/dev/null 2>&1 &
PID=$!
sleep 1.5
if kill -9 "$PID" 2>/dev/null; then
    wait "$PID" 2>/dev/null
    ok "kill -9: import was still running when killed"
else
    bad "kill -9" "the import finished before it could be killed: make the file bigger"
fi
expect_eq "kill -9: integrity" "$(sql "$DB" "pragma integrity_check")" "ok"
expect_unchanged "kill -9" "$DB" "$BASE"
expect_eq "kill -9: no order lines" "$(sql "$DB" "select count(*) from order_lines")" "0"

finish
