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
};

const int kam_sqlite_migration_count =
    (int)(sizeof(kam_sqlite_migrations) / sizeof(kam_sqlite_migrations[0]));
