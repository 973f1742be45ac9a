#!/bin/bash
# Exports for Excel: `kam export KIND --encoding gb18030 | --xlsx FILE` and `kam accounts --csv |
# --xlsx FILE` on a small portfolio with Chinese names; the refusals write nothing.
. "$(dirname "$0")/lib.sh"

DB=$WORK/x.db
run --db "$DB" init
cat >accounts.csv <<'CSV'
code,name,role,region,owner,credit_limit
A,华东贸易有限公司,distributor,华东,rep-east-1,1234.5
B,"Beta, Ltd.",end_user,华东,rep-east-2,
C,西南食品厂,dealer,西南,rep-west-1,80000
CSV
cat >products.csv <<'CSV'
sku,name,category,list_price,std_cost
P1,螺丝,五金,10,6
CSV
cat >orders.csv <<'CSV'
order_id,line_no,date,account,product,quantity,unit_price
1,1,2024-01-10,A,P1,6,100.25
2,1,2024-02-10,B,P1,2,100
3,1,2024-03-10,C,P1,10,10
CSV
import_all "$DB" accounts products orders

# xlsx_cells FILE: "sheet-name|header|cells" of the first sheet, each cell as ref=type:value.
xlsx_cells() {
    python3 - "$1" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
sheet = z.read('xl/worksheets/sheet1.xml').decode()
name = re.search(r'<sheet name="([^"]*)"', z.read('xl/workbook.xml').decode()).group(1)
cells = []
for ref, attrs, body in re.findall(r'<c r="([A-Z]+[0-9]+)"([^>]*)>(.*?)</c>', sheet):
    if 'inlineStr' in attrs:
        cells.append(ref + '=s:' + re.sub(r'<[^>]+>', '', body))
    else:
        cells.append(ref + '=n:' + re.search(r'<v>([^<]*)</v>', body).group(1))
print(name + '|' + ' '.join(cells))
PY
}

# --- CSV: UTF-8 as before, GB18030 converts back byte for byte ----------------------------------
for k in accounts products orders; do
    "$KAM" --db "$DB" export "$k" >"$k.utf8"
    run --db "$DB" export "$k" --encoding utf-8
    if cmp -s "$OUT" "$k.utf8"; then ok "$k: --encoding utf-8 is the default CSV"; else bad "$k utf-8" "differs"; fi
    run --db "$DB" export "$k" --encoding GB18030
    expect_rc "$k: gb18030" 0
    if iconv -f GB18030 -t UTF-8 "$OUT" | cmp -s - "$k.utf8"; then ok "$k: GB18030 converts back"; else bad "$k gb18030" "differs"; fi
done
expect_eq "the CSV as it always was" "$(sed -n 2p products.utf8)" "P1,螺丝,五金,10,6"
run --db "$DB" export accounts --encoding gb18030 --output acc-gb.csv
expect_rc "gb18030 to a file" 0
if iconv -f GB18030 -t UTF-8 acc-gb.csv | cmp -s - accounts.utf8; then ok "gb18030 file converts back"; else bad "gb18030 file" "differs"; fi
expect_eq "a GB18030 name is not UTF-8" "$(grep -c '华东贸易' acc-gb.csv)" "0"
expect_eq "GB18030 is shorter: two bytes a Chinese character" "$([ "$(wc -c <acc-gb.csv)" -lt "$(wc -c <accounts.utf8)" ] && echo yes)" "yes"

# --- xlsx -----------------------------------------------------------------------------------------
run --db "$DB" export accounts --xlsx acc.xlsx
expect_rc "export accounts --xlsx" 0
expect_eq "no temporary file left" "$(ls acc.xlsx* | tr '\n' ' ')" "acc.xlsx "
cells=$(xlsx_cells acc.xlsx)
expect_eq "sheet named after the kind" "${cells%%|*}" "accounts"
case "$cells" in *"A1=s:code B1=s:name C1=s:role"*) ok "xlsx header" ;; *) bad "xlsx header" "$cells" ;; esac
case "$cells" in *"B2=s:华东贸易有限公司"*) ok "xlsx Chinese name as text" ;; *) bad "xlsx name" "$cells" ;; esac
case "$cells" in *"=n:1234.5 "*) ok "xlsx money as a number" ;; *) bad "xlsx money" "$cells" ;; esac
case "$cells" in *"B3=s:Beta, Ltd."*) ok "xlsx comma kept" ;; *) bad "xlsx comma" "$cells" ;; esac
python3 - acc.xlsx <<'PY' && ok "xlsx header bold, money with two decimals" || bad "xlsx styles" "see styles.xml"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
styles = z.read('xl/styles.xml').decode()
assert '#,##0.00' in styles and '<b/>' in styles, styles
PY
run --db "$DB" export orders --xlsx orders.xlsx
expect_rc "export orders --xlsx" 0
cells=$(xlsx_cells orders.xlsx)
case "$cells" in *"C2=s:2024-01-10 D2=s:A E2=s:P1 F2=n:6 G2=n:100.25 H2=n:601.5 "*) ok "xlsx order line: date text, numbers" ;; *) bad "xlsx orders" "$cells" ;; esac

# --- the account list -------------------------------------------------------------------------------
run --db "$DB" accounts --region 华东 --sort revenue --json
codes=$(json "$OUT" "','.join(a['code'] + ':' + a['ttm_revenue'] for a in j['items'])")
run --db "$DB" accounts --region 华东 --sort revenue --csv
expect_rc "accounts --csv" 0
cp "$OUT" list.csv
expect_eq "accounts --csv: the listed accounts with ttm revenue" "$(python3 -c "
import csv; print(','.join(r['code'] + ':' + r['ttm_revenue'] for r in csv.DictReader(open('list.csv'))))")" "$codes"
expect_eq "accounts --csv header ends in the revenues" "$(head -1 list.csv | grep -o 'justification,ttm_revenue,total_revenue$')" "justification,ttm_revenue,total_revenue"
run --db "$DB" accounts --region 华东 --sort revenue --csv --encoding gb18030
if iconv -f GB18030 -t UTF-8 "$OUT" | cmp -s - list.csv; then ok "accounts --csv gb18030 converts back"; else bad "accounts gb18030" "differs"; fi
run --db "$DB" accounts --region 华东 --sort revenue --limit 1 --xlsx list.xlsx
expect_rc "accounts --xlsx" 0
expect_out "accounts --xlsx says where" "1 account written to list.xlsx"
cells=$(xlsx_cells list.xlsx)
case "$cells" in *"A2=s:A B2=s:华东贸易有限公司"*"=n:601.5 "*) ok "accounts --xlsx: the first account, revenue a number" ;; *) bad "accounts xlsx" "$cells" ;; esac
case "$cells" in *"A3="*) bad "accounts xlsx limit" "$cells" ;; *) ok "accounts --xlsx: the limit holds" ;; esac

# --- refusals write nothing ---------------------------------------------------------------------------
refuse() { # NAME CODE TEXT ARGS...: kam ARGS fails with CODE, says TEXT, leaves no out.* file
    local name=$1 code=$2 text=$3
    shift 3
    rm -f out.*
    run --db "$DB" "$@"
    expect_rc "$name" "$code"
    expect_err "$name" "$text"
    expect_eq "$name: nothing written" "$(ls out.* 2>/dev/null | wc -l)" "0"
}
refuse "unknown encoding" 1 "unknown encoding 'latin1'" export accounts --encoding latin1 --output out.csv
refuse "--xlsx without a file" 1 "--xlsx needs a value" export accounts --xlsx
refuse "--xlsx then an option" 1 "--xlsx needs a file name" export accounts --xlsx --json
refuse "--xlsx with --json" 1 "takes no --json" export accounts --json --xlsx out.xlsx
refuse "--encoding with --json" 1 "JSON is always UTF-8" export accounts --json --encoding gb18030 --output out.json
refuse "unwritable xlsx" 3 "cannot write '/nonexistent/dir/out.xlsx'" export accounts --xlsx /nonexistent/dir/out.xlsx
refuse "unwritable gb18030" 3 "cannot write" export orders --encoding gb18030 --output /nonexistent/dir/out.csv
refuse "accounts: unknown encoding" 1 "unknown encoding 'big5'" accounts --csv --encoding big5
refuse "accounts: --encoding without --csv" 1 "--encoding is for --csv" accounts --encoding gb18030
refuse "accounts: two formats" 1 "choose one of --json, --csv and --xlsx" accounts --csv --xlsx out.xlsx
refuse "accounts: --xlsx without a file" 1 "--xlsx needs a value" accounts --xlsx
refuse "accounts: unwritable xlsx" 3 "cannot write '/nonexistent/out.xlsx'" accounts --xlsx /nonexistent/out.xlsx
chmod 555 "$WORK" 2>/dev/null
if [ "$(id -u)" -ne 0 ]; then
    refuse "read-only directory" 3 "Permission denied" export accounts --xlsx out.xlsx
fi
chmod 755 "$WORK"

finish
