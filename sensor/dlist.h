/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: an intrusive doubly linked list with head and tail, oldest
 * first: the flow table's idle lists, the flows holding dissector state,
 * pending requests by age, the HTTP API's assets by last update.  Nodes
 * live inside the objects listed; nothing is allocated. */
#ifndef OT_DLIST_H
#define OT_DLIST_H

#include <stddef.h>

struct dlist_node {
    struct dlist_node *prev;
    struct dlist_node *next;
};

struct dlist {
    struct dlist_node *head; /* the oldest */
    struct dlist_node *tail; /* the youngest */
};

/* The object a node is the member `member` of. */
#define dlist_entry(node, type, member) ((type *)(void *)((char *)(node) - offsetof(type, member)))
/* The oldest object of a list, or NULL. */
#define dlist_first(list, type, member) \
    ((list)->head ? dlist_entry((list)->head, type, member) : (type *)NULL)

static inline void dlist_unlink(struct dlist *l, struct dlist_node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
    n->prev = n->next = NULL;
}

static inline void dlist_append(struct dlist *l, struct dlist_node *n)
{
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

#endif
