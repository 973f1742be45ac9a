// The DuckDB side of bench/run-score (docs/benchmarks.md, "Scoring speed").
//
// usage: node aggregate.mjs DIR [RUNS]   (DIR holds orders.csv and products.csv from gen_orders)
//
// 1. load (timed as load_seconds): products.csv and orders.csv into in-memory tables, each line
//    with amount = quantity × unit_price and cost = quantity × the product's std_cost, both as
//    DECIMAL(18,4) (exact, int64 underneath, like kam's money in 1/10000);
// 2. aggregate (timed as aggregate_seconds): the per-account aggregation kam score needs, as a
//    DuckDB user would write it: one GROUP BY account (revenue, margin, orders = count distinct
//    order_id, first and last date, lines) and one GROUP BY account, month (the monthly series;
//    month as the integer yyyymm, which DuckDB groups about 1.4 times as fast as
//    date_trunc('month', date) at 10M lines), both materialised with CREATE TABLE AS so nothing
//    is skipped lazily. Runs RUNS times (default 1) on the same loaded lines, dropping the result
//    tables in between; aggregate_seconds is the median run, aggregate_runs all of them;
// 3. not timed: checksums over the results (total revenue and margin, and the margin of the
//    accounts whose margin is positive, which is kam's `pareto --by margin` total), which
//    run-score compares with kam's own totals.
// Prints one JSON object on stdout. Threads: DuckDB's default (all cores).
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const dir = process.argv[2];
const runs = process.argv.length > 3 ? Number(process.argv[3]) : 1;
if (!dir || process.argv.length > 4 || !Number.isInteger(runs) || runs < 1) {
    console.error('usage: node aggregate.mjs DIR [RUNS]   (DIR/orders.csv, DIR/products.csv)');
    process.exit(2);
}
for (const f of ['orders.csv', 'products.csv']) {
    if (!existsSync(join(dir, f))) {
        console.error(`aggregate.mjs: ${join(dir, f)} is missing`);
        process.exit(1);
    }
}
// SQL string literal.
const lit = (s) => `'${s.replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();

async function one(sql) {
    const reader = await con.runAndReadAll(sql);
    return reader.getRowObjectsJS()[0];
}
async function timed(sql) {
    const t0 = performance.now();
    await con.run(sql);
    return (performance.now() - t0) / 1000;
}

const load_seconds =
    (await timed(`
    CREATE TABLE products AS
    SELECT sku, std_cost
    FROM read_csv(${lit(join(dir, 'products.csv'))}, header = true, auto_detect = false,
                  columns = {'sku': 'VARCHAR', 'name': 'VARCHAR', 'category': 'VARCHAR',
                             'list_price': 'DECIMAL(18,4)', 'std_cost': 'DECIMAL(18,4)'})`)) +
    (await timed(`
    CREATE TABLE lines AS
    SELECT o.order_id, o.account, o.date, o.quantity,
           CAST(o.quantity * o.unit_price AS DECIMAL(18,4)) AS amount,
           CAST(o.quantity * p.std_cost AS DECIMAL(18,4)) AS cost
    FROM read_csv(${lit(join(dir, 'orders.csv'))}, header = true, auto_detect = false,
                  columns = {'order_id': 'VARCHAR', 'line_no': 'INTEGER', 'date': 'DATE',
                             'account': 'VARCHAR', 'product': 'VARCHAR', 'quantity': 'INTEGER',
                             'unit_price': 'DECIMAL(18,4)', 'channel': 'VARCHAR',
                             'region': 'VARCHAR'}) o
    JOIN products p ON p.sku = o.product`));

const aggregate = async () => {
    await con.run('DROP TABLE IF EXISTS per_account; DROP TABLE IF EXISTS per_month');
    const accounts = await timed(`
    CREATE TABLE per_account AS
    SELECT account,
           sum(amount) AS revenue,
           sum(amount) - sum(cost) AS margin,
           count(DISTINCT order_id) AS orders,
           min(date) AS first_date,
           max(date) AS last_date,
           count(*) AS lines
    FROM lines
    GROUP BY account`);
    const months = await timed(`
    CREATE TABLE per_month AS
    SELECT account,
           year(date) * 100 + month(date) AS month,
           sum(amount) AS revenue,
           sum(amount) - sum(cost) AS margin,
           count(*) AS lines
    FROM lines
    GROUP BY ALL`);
    return { total: accounts + months, accounts, months };
};
const all = [];
for (let i = 0; i < runs; i++)
    all.push(await aggregate());
// The median run; of an even count, the slower middle one.
const median = [...all].sort((x, y) => x.total - y.total)[runs >> 1];

// Not timed: sizes and checksums. Money as exact decimal strings.
const chk = await one(`
    SELECT (SELECT count(*) FROM lines) AS lines,
           (SELECT count(*) FROM per_account) AS accounts,
           (SELECT count(*) FROM per_month) AS months_rows,
           (SELECT CAST(sum(revenue) AS VARCHAR) FROM per_account) AS revenue,
           (SELECT CAST(sum(margin) AS VARCHAR) FROM per_account) AS margin,
           (SELECT CAST(sum(margin) AS VARCHAR) FROM per_account WHERE margin > 0)
               AS positive_margin,
           (SELECT count(*) FROM per_account WHERE margin > 0) AS positive_margin_accounts,
           (SELECT CAST(sum(revenue) AS VARCHAR) FROM per_month) AS months_revenue,
           (SELECT sum(orders) FROM per_account) AS orders,
           (SELECT sum(lines) FROM per_account) AS account_lines,
           (SELECT CAST(min(first_date) AS VARCHAR) FROM per_account) AS first_date,
           (SELECT CAST(max(last_date) AS VARCHAR) FROM per_account) AS last_date,
           current_setting('threads') AS threads,
           version() AS duckdb`);
const n = (v) => Number(v);
if (chk.revenue !== chk.months_revenue || n(chk.account_lines) !== n(chk.lines)) {
    console.error('aggregate.mjs: the two GROUP BYs disagree:', JSON.stringify(chk));
    process.exit(1);
}
const round = (s) => Math.round(s * 1e4) / 1e4;
console.log(JSON.stringify({
    duckdb: chk.duckdb,
    threads: n(chk.threads),
    lines: n(chk.lines),
    accounts: n(chk.accounts),
    months_rows: n(chk.months_rows),
    orders: n(chk.orders),
    first_date: chk.first_date,
    last_date: chk.last_date,
    revenue: chk.revenue,
    margin: chk.margin,
    positive_margin: chk.positive_margin,
    positive_margin_accounts: n(chk.positive_margin_accounts),
    load_seconds: round(load_seconds),
    aggregate_seconds: round(median.total),
    accounts_seconds: round(median.accounts),
    months_seconds: round(median.months),
    aggregate_runs: all.map((r) => round(r.total)),
}));
con.closeSync();
instance.closeSync();
