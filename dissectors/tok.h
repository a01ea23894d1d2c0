/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: value-to-name tables (tcpdump's struct tok), ending in {0, NULL}. */
#ifndef OT_TOK_H
#define OT_TOK_H

#include <stdint.h>

struct ot_tok {
    uint32_t v;
    const char *s;
};

/* Returns the name for v, or NULL when the table has none. */
const char *ot_tok_name(const struct ot_tok *t, uint32_t v);

/* A table entry that also carries an operation class (enum ot_op). */
struct ot_func {
    uint32_t code;
    const char *name;
    int op; /* enum ot_op */
};

/* Returns the entry for code, or NULL. */
const struct ot_func *ot_func_find(const struct ot_func *t, uint32_t code);

#endif
