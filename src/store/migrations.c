/* Schema of the SQLite store, as numbered migrations. Never edit a released migration: add the
 * next one. Money columns hold kam_money (units of 1/10000); months are yyyymm integers; dates
 * are ISO 8601 text.
 *
 * Order lines have no secondary index: a line's id is its order's id * 65536 + line_no, so the
 * natural key (order_id, line_no) is found through the small orders table and a line insert is
 * one append to the table's b-tree. All lines of an order belong to the order's account, so
 * orders(account) finds an account's lines as id ranges. Order lines declare no foreign keys:
 * the import resolves every account and product in the same transaction, and an engine check
 * of the same two references per line would cost 15 % of the import's time. Column names equal the
 * names in core/record.c, which the import and export use as CSV headers. */
#include "store/migrations.h"

const struct kam_migration kam_sqlite_migrations[] = {
    {1, "accounts, contacts, products, order lines with rollups, payments, tags",
     "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
     "CREATE TABLE accounts(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  code TEXT NOT NULL UNIQUE,\n"
     "  name TEXT NOT NULL,\n"
     "  role TEXT NOT NULL DEFAULT 'end_user' CHECK (role IN ('end_user','distributor','dealer',"
     "'wholesaler','agent','supplier','internal')),\n"
     "  uscc TEXT,\n"
     "  industry TEXT, region TEXT, country TEXT, city TEXT,\n"
     "  parent INTEGER REFERENCES accounts(id),\n"
     "  owner TEXT,\n"
     "  status TEXT NOT NULL DEFAULT 'active',\n"
     "  level TEXT NOT NULL DEFAULT 'ordinary' CHECK (level IN ('ordinary','partner',"
     "'strategic_alliance')),\n"
     "  registered_capital INTEGER, employees INTEGER, annual_revenue INTEGER, founded INTEGER,\n"
     "  website TEXT, address TEXT,\n"
     "  est_annual_purchases INTEGER, credit_limit INTEGER,\n"
     "  justification TEXT,\n"
     "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
     "  version INTEGER NOT NULL DEFAULT 1);\n"
     "CREATE INDEX accounts_owner ON accounts(owner);\n"
     "CREATE INDEX accounts_region ON accounts(region);\n"
     "CREATE INDEX accounts_parent ON accounts(parent);\n"
     "CREATE TABLE contacts(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  account INTEGER NOT NULL REFERENCES accounts(id),\n"
     "  name TEXT NOT NULL,\n"
     "  title TEXT, department TEXT, phone TEXT, email TEXT, reports_to TEXT,\n"
     "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
     "  version INTEGER NOT NULL DEFAULT 1,\n"
     "  UNIQUE (account, name));\n"
     "CREATE TABLE products(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  sku TEXT NOT NULL UNIQUE,\n"
     "  name TEXT NOT NULL,\n"
     "  category TEXT, list_price INTEGER, std_cost INTEGER,\n"
     "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
     "  version INTEGER NOT NULL DEFAULT 1);\n"
     "CREATE TABLE orders(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  order_id TEXT NOT NULL UNIQUE,\n"
     "  account INTEGER NOT NULL REFERENCES accounts(id));\n"
     "CREATE INDEX orders_account ON orders(account);\n"
     "CREATE TABLE order_lines(\n"
     "  id INTEGER PRIMARY KEY CHECK (id > 0),\n"
     "  line_no INTEGER NOT NULL CHECK (line_no BETWEEN 1 AND 65535 AND id % 65536 = line_no),\n"
     "  account INTEGER NOT NULL,\n"
     "  product INTEGER NOT NULL,\n"
     "  date TEXT NOT NULL,\n"
     "  quantity INTEGER NOT NULL, unit_price INTEGER NOT NULL, amount INTEGER NOT NULL,\n"
     "  cost INTEGER, discount INTEGER NOT NULL DEFAULT 0,\n"
     "  channel TEXT, region TEXT);\n"
     "CREATE VIEW v_order_lines AS SELECT l.id, o.order_id, l.line_no, a.code AS account,\n"
     "  p.sku AS product, l.date, l.quantity, l.unit_price, l.amount, l.cost, l.discount,\n"
     "  l.channel, l.region FROM orders o\n"
     "  JOIN order_lines l ON l.id BETWEEN o.id * 65536 AND o.id * 65536 + 65535\n"
     "  JOIN accounts a ON a.id = l.account JOIN products p ON p.id = l.product;\n"
     "CREATE TABLE account_months(\n"
     "  account INTEGER NOT NULL, month INTEGER NOT NULL,\n"
     "  revenue INTEGER NOT NULL, cost INTEGER NOT NULL, costed_revenue INTEGER NOT NULL,\n"
     "  quantity INTEGER NOT NULL, returns INTEGER NOT NULL, discount INTEGER NOT NULL,\n"
     "  lines INTEGER NOT NULL,\n"
     "  PRIMARY KEY (account, month)) WITHOUT ROWID;\n"
     "CREATE TABLE payments(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  invoice TEXT NOT NULL UNIQUE,\n"
     "  account INTEGER NOT NULL REFERENCES accounts(id),\n"
     "  amount INTEGER NOT NULL,\n"
     "  issued TEXT NOT NULL, due TEXT NOT NULL, paid TEXT, paid_amount INTEGER,\n"
     "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
     "  version INTEGER NOT NULL DEFAULT 1);\n"
     "CREATE INDEX payments_account ON payments(account);\n"
     "CREATE TABLE tags(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, color TEXT);\n"
     "CREATE TABLE account_tags(\n"
     "  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
     "  tag INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,\n"
     "  PRIMARY KEY (account, tag)) WITHOUT ROWID;\n"
     "CREATE INDEX account_tags_tag ON account_tags(tag);\n"},
    {2, "order days, account products, ratings, scoring models, runs, scores, metrics",
     /* An order's day (days since 1970-01-01 of its earliest line) and whether it is a
      * purchase (a line with quantity > 0): frequency and recency without the lines. The
      * orders index covers them, so a scan by account reads no table page. */
     "ALTER TABLE orders ADD COLUMN day INTEGER NOT NULL DEFAULT 0;\n"
     "ALTER TABLE orders ADD COLUMN purchase INTEGER NOT NULL DEFAULT 0;\n"
     "UPDATE orders SET\n"
     "  day = coalesce((SELECT min(CAST(julianday(substr(l.date, 1, 10)) - 2440587.5 AS INTEGER))\n"
     "    FROM order_lines l WHERE l.id BETWEEN orders.id * 65536 AND orders.id * 65536 + 65535), "
     "0),\n"
     "  purchase = coalesce((SELECT max(l.quantity > 0) FROM order_lines l\n"
     "    WHERE l.id BETWEEN orders.id * 65536 AND orders.id * 65536 + 65535), 0);\n"
     "DROP INDEX orders_account;\n"
     "CREATE INDEX orders_account ON orders(account, day, purchase);\n"
     /* What each account buys: the rollup of its lines by product, kept by the import like
      * account_months. first_month is the first month with a purchase line of the product. */
     "CREATE TABLE account_products(\n"
     "  account INTEGER NOT NULL, product INTEGER NOT NULL, first_month INTEGER NOT NULL,\n"
     "  revenue INTEGER NOT NULL, cost INTEGER NOT NULL, costed_revenue INTEGER NOT NULL,\n"
     "  quantity INTEGER NOT NULL, returns INTEGER NOT NULL, discount INTEGER NOT NULL,\n"
     "  lines INTEGER NOT NULL,\n"
     "  PRIMARY KEY (account, product)) WITHOUT ROWID;\n"
     "INSERT INTO account_products SELECT account, product,\n"
     "  coalesce(min(CASE WHEN quantity > 0\n"
     "    THEN CAST(substr(date, 1, 4) || substr(date, 6, 2) AS INTEGER) END), 0),\n"
     "  sum(amount), coalesce(sum(cost), 0), sum(CASE WHEN cost IS NOT NULL THEN amount ELSE 0 "
     "END),\n"
     "  sum(quantity), sum(CASE WHEN quantity < 0 THEN amount ELSE 0 END), sum(discount), "
     "count(*)\n"
     "  FROM order_lines GROUP BY account, product;\n"
     /* Static ratings people give an account per indicator of the scoring model. */
     "CREATE TABLE ratings(\n"
     "  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
     "  name TEXT NOT NULL, value REAL NOT NULL, note TEXT,\n"
     "  updated_at TEXT NOT NULL,\n"
     "  PRIMARY KEY (account, name)) WITHOUT ROWID;\n"
     /* Scoring models: every saved version is kept; the largest is the current one. */
     "CREATE TABLE models(\n"
     "  version INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL,\n"
     "  created_at TEXT NOT NULL);\n"
     /* A pinned account keeps this tier whatever its score. */
     "CREATE TABLE tier_pins(\n"
     "  account INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,\n"
     "  tier TEXT NOT NULL CHECK (tier IN ('key', 'major', 'ordinary', 'small')));\n"
     "CREATE TABLE score_runs(\n"
     "  id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, window_months INTEGER NOT NULL,\n"
     "  model_version INTEGER NOT NULL REFERENCES models(version),\n"
     "  started_at TEXT NOT NULL, seconds REAL NOT NULL, accounts INTEGER NOT NULL);\n"
     /* One row per account and run: the score and tier history. */
     "CREATE TABLE scores(\n"
     "  run INTEGER NOT NULL REFERENCES score_runs(id) ON DELETE CASCADE,\n"
     "  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,\n"
     "  score REAL NOT NULL, tier TEXT NOT NULL, computed TEXT NOT NULL,\n"
     "  pinned INTEGER NOT NULL, to_next REAL, stage TEXT NOT NULL,\n"
     "  PRIMARY KEY (run, account)) WITHOUT ROWID;\n"
     "CREATE INDEX scores_account ON scores(account, run);\n"
     /* The latest metrics of every account (kam metrics, kam score), and the explanation of
      * its latest score: per indicator raw value, points, weight, contribution, source. */
     "CREATE TABLE account_metrics(\n"
     "  account INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,\n"
     "  as_of TEXT NOT NULL, window_months INTEGER NOT NULL,\n"
     "  revenue INTEGER NOT NULL, revenue_prev INTEGER NOT NULL, revenue_total INTEGER NOT NULL,\n"
     "  margin INTEGER NOT NULL, margin_pct REAL, margin_total INTEGER NOT NULL, growth REAL,\n"
     "  orders INTEGER NOT NULL, orders_total INTEGER NOT NULL, lines INTEGER NOT NULL,\n"
     "  avg_order_value INTEGER NOT NULL, first_purchase TEXT, last_purchase TEXT,\n"
     "  recency_days INTEGER, tenure_months INTEGER NOT NULL, active_ratio REAL,\n"
     "  products INTEGER NOT NULL, categories INTEGER NOT NULL, repeat_rate REAL,\n"
     "  returns_rate REAL, discount_rate REAL, on_time_rate REAL,\n"
     "  overdue INTEGER NOT NULL, max_days_overdue INTEGER NOT NULL,\n"
     "  receivables INTEGER NOT NULL, dso REAL, share_of_wallet REAL, share_of_total REAL,\n"
     "  stage TEXT NOT NULL, explanation TEXT);\n"},
    {3, "teams, users, API tokens, audit log",
     "CREATE TABLE teams(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
     /* accounts.owner holds a username; it is not a foreign key, so that accounts can be
      * imported before their owners have logins. password_hash is libsodium's Argon2id string
      * (algorithm, parameters and salt included). */
     "CREATE TABLE users(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  username TEXT NOT NULL UNIQUE,\n"
     "  display_name TEXT,\n"
     "  role TEXT NOT NULL CHECK (role IN ('admin','director','manager','rep','viewer')),\n"
     "  team INTEGER REFERENCES teams(id),\n"
     "  password_hash TEXT NOT NULL,\n"
     "  disabled INTEGER NOT NULL DEFAULT 0,\n"
     "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
     "  version INTEGER NOT NULL DEFAULT 1);\n"
     "CREATE INDEX users_team ON users(team);\n"
     /* API tokens: only the BLAKE2b hash of a token is kept; the token itself is shown once.
      * user_id, not user: USER is a reserved word in PostgreSQL. */
     "CREATE TABLE tokens(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
     "  name TEXT,\n"
     "  token_hash BLOB NOT NULL UNIQUE,\n"
     "  created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT);\n"
     "CREATE INDEX tokens_user ON tokens(user_id);\n"
     /* Who did what when: before and after are JSON objects of the changed record (never a
      * password hash or token), NULL for a creation or a removal. */
     "CREATE TABLE audit_log(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,\n"
     "  entity TEXT NOT NULL, entity_key TEXT,\n"
     "  before TEXT, after TEXT);\n"},
    {4, "browser sessions",
     /* The HTTP server's sign-ins: only the BLAKE2b hashes of the session id (the cookie) and of
      * its CSRF token are kept, so a copy of the database signs nobody in. A session ends at
      * expires_at or when it is deleted (sign-out); deleting a user's row is not done (users
      * are disabled), but the cascade keeps the table clean if it ever is. */
     "CREATE TABLE sessions(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  id_hash BLOB NOT NULL UNIQUE,\n"
     "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
     "  csrf_hash BLOB NOT NULL,\n"
     "  created_at TEXT NOT NULL, expires_at TEXT NOT NULL, last_seen_at TEXT NOT NULL);\n"
     "CREATE INDEX sessions_user ON sessions(user_id);\n"
     "CREATE INDEX sessions_expires ON sessions(expires_at);\n"},
    {5, "account name sort keys",
     /* The ICU sort key of each account's name (kam_name_key, registered by store_sqlite.c on
      * every connection kam opens), so that a list page in name order is an index range:
      * accounts_region and accounts_owner are replaced by the same with the key after them. */
     "ALTER TABLE accounts ADD COLUMN name_key BLOB;\n"
     "UPDATE accounts SET name_key = kam_name_key(name);\n"
     "DROP INDEX accounts_region;\n"
     "DROP INDEX accounts_owner;\n"
     "CREATE INDEX accounts_name_key ON accounts(name_key, code);\n"
     "CREATE INDEX accounts_region ON accounts(region, name_key, code);\n"
     "CREATE INDEX accounts_owner ON accounts(owner, name_key, code);\n"},
    {6, "order lines per month, account revenues",
     /* What every account list read from the rollup, kept by the import beside it
      * (rollup_totals): the order lines of each month of the database (its first and last
      * month were a scan of the whole rollup), and each account's all-time revenue and its
      * revenue over the twelve months up to ttm_to, the last month with orders (two sums over
      * its cells per listed account). month_lines holds the months whose lines are not 0;
      * account_revenue the accounts with cells. The window's first month in SQL:
      * kam_month_add(t, -11) through v = months since year 0 of t, minus 12. */
     "CREATE TABLE month_lines(month INTEGER PRIMARY KEY, lines INTEGER NOT NULL);\n"
     "INSERT INTO month_lines SELECT month, sum(lines) FROM account_months GROUP BY month\n"
     "  HAVING sum(lines) != 0;\n"
     "CREATE TABLE account_revenue(account INTEGER PRIMARY KEY, total INTEGER NOT NULL,\n"
     "  ttm INTEGER NOT NULL, ttm_to INTEGER NOT NULL);\n"
     "INSERT INTO account_revenue(account, total, ttm, ttm_to)\n"
     "  SELECT m.account, sum(m.revenue),\n"
     "    sum(CASE WHEN m.month BETWEEN w.f AND w.t THEN m.revenue ELSE 0 END), w.t\n"
     "  FROM account_months m, (SELECT t, CASE WHEN t = 0 THEN 0 ELSE\n"
     "    (t / 100 * 12 + t % 100 - 12) / 12 * 100 + (t / 100 * 12 + t % 100 - 12) % 12 + 1\n"
     "    END AS f FROM (SELECT coalesce(max(month), 0) AS t FROM month_lines)) w\n"
     "  GROUP BY m.account;\n"},
    {7, "kept activity of each account",
     /* What the metrics read of an account's orders and products, kept beside its revenue by
      * rollup_totals (struct kam_metrics_activity): NULL until its next import computes it.
      * meta 'catalogue' counts the changes of a product's category, which change the
      * categories counts: activity computed under another count is not used. */
     "ALTER TABLE account_revenue ADD COLUMN orders_total INTEGER;\n"
     "ALTER TABLE account_revenue ADD COLUMN first_purchase INTEGER;\n"
     "ALTER TABLE account_revenue ADD COLUMN last_purchase INTEGER;\n"
     "ALTER TABLE account_revenue ADD COLUMN window_orders INTEGER;\n"
     "ALTER TABLE account_revenue ADD COLUMN products INTEGER;\n"
     "ALTER TABLE account_revenue ADD COLUMN repeats INTEGER;\n"
     "ALTER TABLE account_revenue ADD COLUMN categories INTEGER;\n"
     "ALTER TABLE account_revenue ADD COLUMN max_first_month INTEGER;\n"
     "INSERT OR IGNORE INTO meta(key, value) VALUES ('catalogue', '0');\n"
     "CREATE TRIGGER products_catalogue AFTER UPDATE OF category ON products\n"
     "  WHEN old.category IS NOT new.category BEGIN\n"
     "  UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'catalogue';\n"
     "END;\n"},
    {8, "score history by run only",
     /* A scoring run appends its rows at the end of the key (run, account); the index by
      * (account, run) made every run write a second b-tree, about a third of storing a run. An
      * account's history is one seek per run. Without the index a cascade of the accounts
      * foreign key would scan the whole history, so scores.account has no foreign key any
      * more: a trigger deletes an account's history with it (a seek per run), whoever deletes
      * it, so that an account given the id later never inherits it. */
     "CREATE TABLE scores_by_run(\n"
     "  run INTEGER NOT NULL REFERENCES score_runs(id) ON DELETE CASCADE,\n"
     "  account INTEGER NOT NULL,\n"
     "  score REAL NOT NULL, tier TEXT NOT NULL, computed TEXT NOT NULL,\n"
     "  pinned INTEGER NOT NULL, to_next REAL, stage TEXT NOT NULL,\n"
     "  PRIMARY KEY (run, account)) WITHOUT ROWID;\n"
     "INSERT INTO scores_by_run SELECT run, account, score, tier, computed, pinned, to_next,\n"
     "  stage FROM scores;\n"
     "DROP TABLE scores;\n"
     "ALTER TABLE scores_by_run RENAME TO scores;\n"
     "CREATE TRIGGER accounts_history AFTER DELETE ON accounts BEGIN\n"
     "  DELETE FROM scores WHERE run IN (SELECT id FROM score_runs) AND account = old.id;\n"
     "END;\n"},
};

const int kam_sqlite_migration_count =
    (int)(sizeof(kam_sqlite_migrations) / sizeof(kam_sqlite_migrations[0]));
