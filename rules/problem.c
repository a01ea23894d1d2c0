/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the problems a load reports, each with file:line:column. */
#include <stdarg.h>
#include <stdio.h>

#include "rules.h"

void rules_problem_add(struct rules_problems *pr, const char *where, unsigned line, unsigned col,
                       const char *fmt, ...)
{
    if (!pr)
        return;
    pr->total++;
    if (pr->n >= RULES_MAX_PROBLEMS)
        return;
    struct rules_problem *p = &pr->p[pr->n++];
    snprintf(p->where, sizeof(p->where), "%s", where ? where : "");
    p->line = line;
    p->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
    va_end(ap);
}

void rules_problem_format(const struct rules_problem *p, char *out, size_t outlen)
{
    if (p->line && p->col)
        snprintf(out, outlen, "%s:%u:%u: %s", p->where, p->line, p->col, p->msg);
    else if (p->line)
        snprintf(out, outlen, "%s:%u: %s", p->where, p->line, p->msg);
    else
        snprintf(out, outlen, "%s: %s", p->where, p->msg);
}
