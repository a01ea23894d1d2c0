/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: lookups in value-to-name tables. */
#include <stddef.h>

#include "tok.h"

const char *ot_tok_name(const struct ot_tok *t, uint32_t v)
{
    for (; t && t->s; t++)
        if (t->v == v)
            return t->s;
    return NULL;
}

const struct ot_func *ot_func_find(const struct ot_func *t, uint32_t code)
{
    for (; t && t->name; t++)
        if (t->code == code)
            return t;
    return NULL;
}
