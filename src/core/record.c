/* The column tables of the data model and the code checks that belong to it. Adding a field:
 * add it here and to the numbered store migration; import, export and views follow. */
#include "core/record.h"

#include <string.h>

const char *const kam_role_names[] = {
    "end_user", "distributor", "dealer", "wholesaler", "agent", "supplier", "internal", NULL,
};

const char *const kam_level_names[] = {"ordinary", "partner", "strategic_alliance", NULL};

static const struct kam_column account_cols[KAM_ACC_NCOLS] = {
    [KAM_ACC_CODE] = {"code", KAM_V_TEXT, KAM_COL_KEY | KAM_COL_REQUIRED, NULL, NULL},
    [KAM_ACC_NAME] = {"name", KAM_V_TEXT, KAM_COL_REQUIRED, NULL, NULL},
    [KAM_ACC_ROLE] = {"role", KAM_V_ENUM, 0, kam_role_names, NULL, "end_user"},
    [KAM_ACC_USCC] = {"uscc", KAM_V_TEXT, KAM_COL_USCC, NULL, NULL},
    [KAM_ACC_INDUSTRY] = {"industry", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_ACC_REGION] = {"region", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_ACC_COUNTRY] = {"country", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_ACC_CITY] = {"city", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_ACC_PARENT] = {"parent", KAM_V_REF, 0, NULL, "accounts"},
    [KAM_ACC_OWNER] = {"owner", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_ACC_STATUS] = {"status", KAM_V_TEXT, 0, NULL, NULL, "active"},
    [KAM_ACC_LEVEL] = {"level", KAM_V_ENUM, 0, kam_level_names, NULL, "ordinary"},
    [KAM_ACC_REGISTERED_CAPITAL] = {"registered_capital", KAM_V_MONEY, KAM_COL_NONNEG, NULL, NULL},
    [KAM_ACC_EMPLOYEES] = {"employees", KAM_V_INT, KAM_COL_NONNEG, NULL, NULL},
    [KAM_ACC_ANNUAL_REVENUE] = {"annual_revenue", KAM_V_MONEY, 0, NULL, NULL},
    [KAM_ACC_FOUNDED] = {"founded", KAM_V_INT, KAM_COL_YEAR, NULL, NULL},
    [KAM_ACC_WEBSITE] = {"website", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_ACC_ADDRESS] = {"address", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_ACC_EST_ANNUAL_PURCHASES] = {"est_annual_purchases", KAM_V_MONEY, KAM_COL_NONNEG, NULL,
                                      NULL},
    [KAM_ACC_CREDIT_LIMIT] = {"credit_limit", KAM_V_MONEY, KAM_COL_NONNEG, NULL, NULL},
    [KAM_ACC_JUSTIFICATION] = {"justification", KAM_V_TEXT, 0, NULL, NULL},
};

static const struct kam_column contact_cols[KAM_CON_NCOLS] = {
    [KAM_CON_ACCOUNT] = {"account", KAM_V_REF, KAM_COL_KEY | KAM_COL_REQUIRED, NULL, "accounts"},
    [KAM_CON_NAME] = {"name", KAM_V_TEXT, KAM_COL_KEY | KAM_COL_REQUIRED, NULL, NULL},
    [KAM_CON_TITLE] = {"title", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_CON_DEPARTMENT] = {"department", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_CON_PHONE] = {"phone", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_CON_EMAIL] = {"email", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_CON_REPORTS_TO] = {"reports_to", KAM_V_TEXT, 0, NULL, NULL},
};

static const struct kam_column product_cols[KAM_PRO_NCOLS] = {
    [KAM_PRO_SKU] = {"sku", KAM_V_TEXT, KAM_COL_KEY | KAM_COL_REQUIRED, NULL, NULL},
    [KAM_PRO_NAME] = {"name", KAM_V_TEXT, KAM_COL_REQUIRED, NULL, NULL},
    [KAM_PRO_CATEGORY] = {"category", KAM_V_TEXT, 0, NULL, NULL},
    [KAM_PRO_LIST_PRICE] = {"list_price", KAM_V_MONEY, KAM_COL_NONNEG, NULL, NULL},
    [KAM_PRO_STD_COST] = {"std_cost", KAM_V_MONEY, KAM_COL_NONNEG, NULL, NULL},
};

static const struct kam_column payment_cols[KAM_PAY_NCOLS] = {
    [KAM_PAY_INVOICE] = {"invoice", KAM_V_TEXT, KAM_COL_KEY | KAM_COL_REQUIRED, NULL, NULL},
    [KAM_PAY_ACCOUNT] = {"account", KAM_V_REF, KAM_COL_REQUIRED, NULL, "accounts"},
    [KAM_PAY_AMOUNT] = {"amount", KAM_V_MONEY, KAM_COL_REQUIRED, NULL, NULL},
    [KAM_PAY_ISSUED] = {"issued", KAM_V_DATE, KAM_COL_REQUIRED, NULL, NULL},
    [KAM_PAY_DUE] = {"due", KAM_V_DATE, KAM_COL_REQUIRED, NULL, NULL},
    [KAM_PAY_PAID] = {"paid", KAM_V_DATE, 0, NULL, NULL},
    [KAM_PAY_PAID_AMOUNT] = {"paid_amount", KAM_V_MONEY, 0, NULL, NULL},
};

const struct kam_table kam_accounts = {"accounts", "account", account_cols, KAM_ACC_NCOLS};
const struct kam_table kam_contacts = {"contacts", "contact", contact_cols, KAM_CON_NCOLS};
const struct kam_table kam_products = {"products", "product", product_cols, KAM_PRO_NCOLS};
const struct kam_table kam_payments = {"payments", "payment", payment_cols, KAM_PAY_NCOLS};

int kam_enum_index(const char *const *names, const char *s, size_t len)
{
    for (int i = 0; names[i] != NULL; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

int kam_table_col(const struct kam_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

enum kam_rc kam_uscc_check(const char *s, size_t len, struct kam_err *err)
{
    /* GB 32100-2015: 31 characters (no I, O, Z, S, V); weights 3^i mod 31; the 18th character
     * is (31 - sum mod 31) mod 31. */
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0, values[18];

    if (len != 18)
        return kam_err_set(err, KAM_ERR_INVALID, "must have 18 characters, has %zu", len);
    for (size_t i = 0; i < 18; i++) {
        const char *p = s[i] ? strchr(alphabet, s[i]) : NULL;
        if (p == NULL)
            return kam_err_set(err, KAM_ERR_INVALID, "character %zu is not allowed", i + 1);
        values[i] = (int)(p - alphabet);
    }
    for (int i = 0; i < 17; i++)
        sum += values[i] * weights[i];
    int check = (31 - sum % 31) % 31;
    if (values[17] != check)
        return kam_err_set(err, KAM_ERR_INVALID, "check character is '%c', expected '%c'", s[17],
                           alphabet[check]);
    return KAM_OK;
}
