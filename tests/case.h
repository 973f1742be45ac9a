/* Table-driven test helpers shared by the cmocka suites: every failing case of a table is
 * reported with its name, then the test fails once (cmocka's asserts would stop at the first).
 * Include after <cmocka.h>. */
#ifndef KAM_TESTS_CASE_H
#define KAM_TESTS_CASE_H

static int failures;

#define EXPECT(c, cond, fmt, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("case '%s': " fmt "\n", (c)->name, ##__VA_ARGS__);                         \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

#endif
