/* Unit tests for src/core/record.c: the unified social credit code check (GB 32100-2015), enum
 * and column look-ups, and the shape of the column tables themselves. */
#include "core/record.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

/* Check characters computed by hand (GB 32100-2015):
 *   alphabet  0123456789ABCDEFGHJKLMNPQRTUWXY  (value = position: A=10 ... H=17 J=18 K=19 L=20
 *             M=21 N=22 P=23 Q=24 R=25 T=26 U=27 W=28 X=29 Y=30; no I O Z S V)
 *   weights   1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28  (3^i mod 31)
 *   check     (31 - sum mod 31) mod 31
 *
 * 91350100M000100Y4?: 9*1 + 1*3 + 3*9 + 5*27 + 0 + 1*26 + 0 + 0 + M(21)*20 + 0 + 0 + 0 + 1*8
 *   + 0 + 0 + Y(30)*30 + 4*28 = 9+3+27+135+26+420+8+900+112 = 1640; 1640 = 52*31 + 28;
 *   31 - 28 = 3 -> '3'.
 * 91110000600037341?: 9 + 3 + 9 + 27 + 6*20 + 3*8 + 7*24 + 3*10 + 4*30 + 1*28
 *   = 9+3+9+27+120+24+168+30+120+28 = 538; 538 = 17*31 + 11; 31 - 11 = 20 -> 'L'.
 * 91440300MA5EUBCL3?: 9 + 3 + 4*9 + 4*27 + 3*26 + M(21)*20 + A(10)*29 + 5*25 + E(14)*13
 *   + U(27)*8 + B(11)*24 + C(12)*10 + L(20)*30 + 3*28
 *   = 9+3+36+108+78+420+290+125+182+216+264+120+600+84 = 2535; 2535 = 81*31 + 24;
 *   31 - 24 = 7 -> '7'.
 * 12100000400000398?: 1 + 2*3 + 1*9 + 4*20 + 3*10 + 9*30 + 8*28 = 1+6+9+80+30+270+224 = 620
 *   = 20*31 + 0; (31 - 0) mod 31 = 0 -> '0'.
 * 5131000050412296X?: 5 + 1*3 + 3*9 + 1*27 + 5*20 + 4*25 + 1*13 + 2*8 + 2*24 + 9*10 + 6*30
 *   + X(29)*28 = 5+3+27+27+100+100+13+16+48+90+180+812 = 1421; 1421 = 45*31 + 26;
 *   31 - 26 = 5 -> '5'.
 * 10000000000000000?: 1; 31 - 1 = 30 -> 'Y' (the last letter).
 * 00000000000000000?: 0 -> '0'. */
static void test_uscc(void **state)
{
    static const struct case_ {
        const char *name;
        const char *s;
        size_t len; /* 0: strlen(s) */
        enum kam_rc rc;
    } cases[] = {
        {"company in Fuzhou, check digit 3", "91350100M000100Y43", 0, KAM_OK},
        {"check character is a letter (L)", "91110000600037341L", 0, KAM_OK},
        {"letters in the organisation code, check 7", "91440300MA5EUBCL37", 0, KAM_OK},
        {"sum divisible by 31 gives check 0", "121000004000003980", 0, KAM_OK},
        {"X inside the code, check 5", "5131000050412296X5", 0, KAM_OK},
        {"check character is the last letter Y", "10000000000000000Y", 0, KAM_OK},
        {"all zeros", "000000000000000000", 0, KAM_OK},
        {"length counts, not the terminator", "91350100M000100Y43 and more", 18, KAM_OK},

        {"empty", "", 0, KAM_ERR_INVALID},
        {"17 characters (check missing)", "91350100M000100Y4", 0, KAM_ERR_INVALID},
        {"19 characters", "91350100M000100Y430", 0, KAM_ERR_INVALID},
        {"old 15-digit registration number", "110108000000016", 0, KAM_ERR_INVALID},
        {"wrong check digit", "91350100M000100Y44", 0, KAM_ERR_INVALID},
        {"wrong check letter", "91110000600037341K", 0, KAM_ERR_INVALID},
        {"adjacent characters swapped", "19350100M000100Y43", 0, KAM_ERR_INVALID},
        {"one character changed", "91350100M000200Y43", 0, KAM_ERR_INVALID},
        {"forbidden letter I", "91350100I000100Y43", 0, KAM_ERR_INVALID},
        {"forbidden letter O", "91350100O000100Y43", 0, KAM_ERR_INVALID},
        {"forbidden letter Z", "91350100Z000100Y43", 0, KAM_ERR_INVALID},
        {"forbidden letter S", "91350100S000100Y43", 0, KAM_ERR_INVALID},
        {"forbidden letter V", "91350100V000100Y43", 0, KAM_ERR_INVALID},
        {"forbidden letter as the check character", "91350100M000100Y4I", 0, KAM_ERR_INVALID},
        {"lower-case letter", "91350100m000100Y43", 0, KAM_ERR_INVALID},
        {"lower-case check letter", "91110000600037341l", 0, KAM_ERR_INVALID},
        {"blank inside", "91350100 000100Y43", 0, KAM_ERR_INVALID},
        {"leading blank, 18 characters", " 1350100M000100Y43", 0, KAM_ERR_INVALID},
        {"hyphen", "91350100-000100Y43", 0, KAM_ERR_INVALID},
        {"NUL byte inside",
         "91350100"
         "\0"
         "000100Y43",
         18, KAM_ERR_INVALID},
        {"non-ASCII byte",
         "91350100\xc3"
         "000100Y43",
         0, KAM_ERR_INVALID},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->s);
        struct kam_err err = {0};
        enum kam_rc rc = kam_uscc_check(c->s, len, &err);

        EXPECT(c, rc == c->rc, "rc %s, want %s (%s)", kam_rc_name(rc), kam_rc_name(c->rc), err.msg);
        if (c->rc != KAM_OK)
            EXPECT(c, err.code == c->rc && err.msg[0] != '\0', "err not filled");
        EXPECT(c, kam_uscc_check(c->s, len, NULL) == c->rc, "with NULL err");
    }
    assert_int_equal(failures, 0);
}

/* Every check character but the right one is rejected, for each valid base above. */
static void test_uscc_only_one_check(void **state)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const struct case_ {
        const char *name;
        const char *base;
        char check;
    } cases[] = {
        {"Fuzhou company", "91350100M000100Y4", '3'}, {"check L", "91110000600037341", 'L'},
        {"check 7", "91440300MA5EUBCL3", '7'},        {"check 0", "12100000400000398", '0'},
        {"check Y", "10000000000000000", 'Y'},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        char code[19];
        int accepted = 0;

        memcpy(code, c->base, 17);
        code[18] = '\0';
        for (const char *a = alphabet; *a; a++) {
            code[17] = *a;
            if (kam_uscc_check(code, 18, NULL) == KAM_OK) {
                accepted++;
                EXPECT(c, *a == c->check, "accepts check '%c'", *a);
            }
        }
        EXPECT(c, accepted == 1, "%d check characters accepted", accepted);
    }
    assert_int_equal(failures, 0);
}

static void test_enum_index(void **state)
{
    static const struct case_ {
        const char *name;
        const char *const *names;
        const char *s;
        size_t len; /* 0: strlen(s) */
        int want;
    } cases[] = {
        {"first role is the default", kam_role_names, "end_user", 0, 0},
        {"middle role", kam_role_names, "dealer", 0, 2},
        {"last role", kam_role_names, "internal", 0, 6},
        {"supplier", kam_role_names, "supplier", 0, 5},
        {"first level", kam_level_names, "ordinary", 0, 0},
        {"last level", kam_level_names, "strategic_alliance", 0, 2},
        {"length limits the text", kam_role_names, "dealerXYZ", 6, 2},
        {"unknown name", kam_role_names, "reseller", 0, -1},
        {"prefix of a name", kam_role_names, "deal", 0, -1},
        {"name with a suffix", kam_role_names, "dealers", 0, -1},
        {"different case", kam_role_names, "Dealer", 0, -1},
        {"empty text", kam_role_names, "", 0, -1},
        {"trailing NUL byte counts", kam_role_names, "dealer\0", 7, -1},
        {"a level is not a role", kam_role_names, "partner", 0, -1},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->s);
        int got = kam_enum_index(c->names, c->s, len);
        EXPECT(c, got == c->want, "got %d, want %d", got, c->want);
    }
    assert_int_equal(failures, 0);
}

static void test_table_col(void **state)
{
    static const struct case_ {
        const char *name;
        const struct kam_table *t;
        const char *col;
        int want;
    } cases[] = {
        {"account code", &kam_accounts, "code", KAM_ACC_CODE},
        {"account uscc", &kam_accounts, "uscc", KAM_ACC_USCC},
        {"last account column", &kam_accounts, "justification", KAM_ACC_JUSTIFICATION},
        {"account est_annual_purchases", &kam_accounts, "est_annual_purchases",
         KAM_ACC_EST_ANNUAL_PURCHASES},
        {"contact account", &kam_contacts, "account", KAM_CON_ACCOUNT},
        {"last contact column", &kam_contacts, "reports_to", KAM_CON_REPORTS_TO},
        {"product std_cost", &kam_products, "std_cost", KAM_PRO_STD_COST},
        {"payment paid_amount", &kam_payments, "paid_amount", KAM_PAY_PAID_AMOUNT},
        {"payment due", &kam_payments, "due", KAM_PAY_DUE},
        {"column of another table", &kam_accounts, "amount", -1},
        {"different case", &kam_accounts, "Code", -1},
        {"prefix of a column", &kam_accounts, "cod", -1},
        {"empty name", &kam_products, "", -1},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        int got = kam_table_col(c->t, c->col);
        EXPECT(c, got == c->want, "got %d, want %d", got, c->want);
    }
    assert_int_equal(failures, 0);
}

static bool is_table_name(const char *name)
{
    static const struct kam_table *const all[] = {&kam_accounts, &kam_contacts, &kam_products,
                                                  &kam_payments};
    for (size_t i = 0; i < NCASES(all); i++)
        if (strcmp(all[i]->name, name) == 0)
            return true;
    return false;
}

/* Column names become CSV headers, SQL column names and JSON keys: lower snake case. */
static bool is_snake_case(const char *s)
{
    if (*s < 'a' || *s > 'z')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static void test_tables(void **state)
{
    static const struct case_ {
        const char *name;
        const struct kam_table *t;
        const char *table, *singular;
        size_t ncols;
    } cases[] = {
        {"accounts table", &kam_accounts, "accounts", "account", KAM_ACC_NCOLS},
        {"contacts table", &kam_contacts, "contacts", "contact", KAM_CON_NCOLS},
        {"products table", &kam_products, "products", "product", KAM_PRO_NCOLS},
        {"payments table", &kam_payments, "payments", "payment", KAM_PAY_NCOLS},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        const struct kam_table *t = c->t;

        EXPECT(c, strcmp(t->name, c->table) == 0, "name '%s'", t->name);
        EXPECT(c, strcmp(t->singular, c->singular) == 0, "singular '%s'", t->singular);
        EXPECT(c, t->ncols == c->ncols, "ncols %zu, want %zu", t->ncols, c->ncols);
        EXPECT(c, t->ncols > 0 && (t->cols[0].flags & KAM_COL_KEY), "first column is not a key");
        for (size_t j = 0; j < t->ncols; j++) {
            const struct kam_column *col = &t->cols[j];

            EXPECT(c, col->name != NULL && is_snake_case(col->name), "column %zu name '%s'", j,
                   col->name ? col->name : "(null)");
            if (col->name == NULL)
                continue;
            EXPECT(c, kam_table_col(t, col->name) == (int)j, "'%s' not found at %zu", col->name, j);
            for (size_t k = 0; k < j; k++)
                EXPECT(c, t->cols[k].name == NULL || strcmp(t->cols[k].name, col->name) != 0,
                       "duplicate column '%s' at %zu and %zu", col->name, k, j);
            /* A natural key must be given when the record is created. */
            if (col->flags & KAM_COL_KEY)
                EXPECT(c, col->flags & KAM_COL_REQUIRED, "key column '%s' is optional", col->name);
            EXPECT(c, (col->type == KAM_V_ENUM) == (col->enum_names != NULL),
                   "column '%s': enum names and type disagree", col->name);
            EXPECT(c, (col->type == KAM_V_REF) == (col->ref != NULL),
                   "column '%s': ref and type disagree", col->name);
            if (col->ref != NULL)
                EXPECT(c, is_table_name(col->ref), "column '%s' refers to unknown table '%s'",
                       col->name, col->ref);
            if (col->flags & KAM_COL_USCC)
                EXPECT(c, col->type == KAM_V_TEXT, "uscc column '%s' is not text", col->name);
            if (col->flags & KAM_COL_YEAR)
                EXPECT(c, col->type == KAM_V_INT, "year column '%s' is not an INT", col->name);
            if (col->flags & KAM_COL_NONNEG)
                EXPECT(c, col->type == KAM_V_INT || col->type == KAM_V_MONEY,
                       "non-negative column '%s' is not a number", col->name);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_enum_lists(void **state)
{
    static const struct case_ {
        const char *name;
        const char *const *names;
        size_t n;
        const char *first;
    } cases[] = {
        {"supply-chain roles", kam_role_names, 7, "end_user"},
        {"relationship levels", kam_level_names, 3, "ordinary"},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        size_t n = 0;

        while (c->names[n] != NULL)
            n++;
        EXPECT(c, n == c->n, "%zu names, want %zu", n, c->n);
        EXPECT(c, n > 0 && strcmp(c->names[0], c->first) == 0, "default '%s'", c->names[0]);
        for (size_t j = 0; j < n; j++) {
            EXPECT(c, is_snake_case(c->names[j]), "name '%s'", c->names[j]);
            EXPECT(c, kam_enum_index(c->names, c->names[j], strlen(c->names[j])) == (int)j,
                   "'%s' duplicated or not found", c->names[j]);
        }
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uscc),       cmocka_unit_test(test_uscc_only_one_check),
        cmocka_unit_test(test_enum_index), cmocka_unit_test(test_table_col),
        cmocka_unit_test(test_tables),     cmocka_unit_test(test_enum_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
