/* Numbered schema migrations of the SQLite store. Migration i (1-based) takes the schema from
 * version i-1 to i; each runs in its own transaction and is recorded in schema_migrations. */
#ifndef KAM_STORE_MIGRATIONS_H
#define KAM_STORE_MIGRATIONS_H

struct kam_migration {
    int version;
    const char *description;
    const char *sql;
};

extern const struct kam_migration kam_sqlite_migrations[];
extern const int kam_sqlite_migration_count;

#endif
