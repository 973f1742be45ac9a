/* The records of kam's data model described as tables of typed columns.
 *
 * One description drives the store schema checks, CSV import (a column's name is its CSV
 * header), CSV/JSON export and the terminal views, so a field is added in one place. Order lines,
 * the high-volume record, also have a plain struct (core/order.h) for the import's hot path.
 * DOMAIN.md: "Scope" (roles), "Relationship levels", "Tags". */
#ifndef KAM_CORE_RECORD_H
#define KAM_CORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/money.h"

enum kam_vtype {
    KAM_V_TEXT,
    KAM_V_INT,   /* whole number */
    KAM_V_MONEY, /* kam_money, 4 decimals */
    KAM_V_DATE,  /* ISO 8601 text, time of day kept when given */
    KAM_V_ENUM,  /* text out of col->enum_names */
    KAM_V_REF,   /* text natural key of another record, stored as its id */
};

enum kam_col_flags {
    KAM_COL_KEY = 1u << 0,      /* natural key (or part of it) */
    KAM_COL_REQUIRED = 1u << 1, /* must be given when the record is created */
    KAM_COL_USCC = 1u << 2,     /* checked as a unified social credit code */
    KAM_COL_YEAR = 1u << 3,     /* an INT that must be a plausible year */
    KAM_COL_NONNEG = 1u << 4,   /* a number that must not be negative */
};

struct kam_column {
    const char *name;
    enum kam_vtype type;
    unsigned flags;
    const char *const *enum_names; /* KAM_V_ENUM: NULL-terminated; the first is the default */
    const char *ref;               /* KAM_V_REF: the table referred to */
    const char *def;               /* the value an empty cell stands for; NULL = none (null) */
};

struct kam_table {
    const char *name;     /* "accounts" */
    const char *singular; /* "account" */
    const struct kam_column *cols;
    size_t ncols;
};

/* A column value. Text is borrowed (s, len); numbers, money, and resolved references (the id)
 * are in i. */
struct kam_value {
    bool null;
    int64_t i;
    const char *s;
    size_t len;
};

enum kam_account_col {
    KAM_ACC_CODE,
    KAM_ACC_NAME,
    KAM_ACC_ROLE,
    KAM_ACC_USCC,
    KAM_ACC_INDUSTRY,
    KAM_ACC_REGION,
    KAM_ACC_COUNTRY,
    KAM_ACC_CITY,
    KAM_ACC_PARENT,
    KAM_ACC_OWNER,
    KAM_ACC_STATUS,
    KAM_ACC_LEVEL,
    KAM_ACC_REGISTERED_CAPITAL,
    KAM_ACC_EMPLOYEES,
    KAM_ACC_ANNUAL_REVENUE,
    KAM_ACC_FOUNDED,
    KAM_ACC_WEBSITE,
    KAM_ACC_ADDRESS,
    KAM_ACC_EST_ANNUAL_PURCHASES,
    KAM_ACC_CREDIT_LIMIT,
    KAM_ACC_JUSTIFICATION,
    KAM_ACC_NCOLS
};

enum kam_contact_col {
    KAM_CON_ACCOUNT,
    KAM_CON_NAME,
    KAM_CON_TITLE,
    KAM_CON_DEPARTMENT,
    KAM_CON_PHONE,
    KAM_CON_EMAIL,
    KAM_CON_REPORTS_TO,
    KAM_CON_NCOLS
};

enum kam_product_col {
    KAM_PRO_SKU,
    KAM_PRO_NAME,
    KAM_PRO_CATEGORY,
    KAM_PRO_LIST_PRICE,
    KAM_PRO_STD_COST,
    KAM_PRO_NCOLS
};

enum kam_payment_col {
    KAM_PAY_INVOICE,
    KAM_PAY_ACCOUNT,
    KAM_PAY_AMOUNT,
    KAM_PAY_ISSUED,
    KAM_PAY_DUE,
    KAM_PAY_PAID,
    KAM_PAY_PAID_AMOUNT,
    KAM_PAY_NCOLS
};

extern const struct kam_table kam_accounts;
extern const struct kam_table kam_contacts;
extern const struct kam_table kam_products;
extern const struct kam_table kam_payments;

/* Supply-chain roles and relationship levels, NULL-terminated, default first. */
extern const char *const kam_role_names[];
extern const char *const kam_level_names[];

/* Index of name in a NULL-terminated list, or -1. */
int kam_enum_index(const char *const *names, const char *s, size_t len);
/* Index of the column called name, or -1. */
int kam_table_col(const struct kam_table *t, const char *name);

/* Checks an 18-character unified social credit code (GB 32100-2015): alphabet and check digit.
 * KAM_ERR_INVALID with the reason. */
KAM_MUST_CHECK enum kam_rc kam_uscc_check(const char *s, size_t len, struct kam_err *err);

#endif
