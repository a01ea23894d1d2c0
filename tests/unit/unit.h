/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a tiny TAP unit-test harness: FAIL_IF / FAIL_IF_NOT / PASS and a
 * {name, fn} table run by UNIT_MAIN. */
#ifndef OT_UNIT_H
#define OT_UNIT_H

#include <stdio.h>
#include <stdlib.h>

struct unit_test {
    const char *name;
    int (*fn)(void);
};

#define FAIL_IF(expr)                                                              \
    do {                                                                           \
        if (expr) {                                                                \
            printf("# %s:%d: failed: %s\n", __FILE__, __LINE__, #expr);            \
            return 1;                                                              \
        }                                                                          \
    } while (0)

#define FAIL_IF_NOT(expr) FAIL_IF(!(expr))
#define PASS return 0

/* Runs every test in the NULL-terminated table, printing TAP. */
#define UNIT_MAIN(table)                                                           \
    int main(void)                                                                 \
    {                                                                              \
        int n = 0, failed = 0;                                                     \
        while ((table)[n].name)                                                    \
            n++;                                                                   \
        printf("1..%d\n", n);                                                      \
        for (int i = 0; i < n; i++) {                                              \
            int r = (table)[i].fn();                                               \
            printf("%s %d - %s\n", r ? "not ok" : "ok", i + 1, (table)[i].name);   \
            failed += r != 0;                                                      \
        }                                                                          \
        return failed ? 1 : 0;                                                     \
    }

#endif
