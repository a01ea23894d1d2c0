/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: fixed-size object pools sized at start-up; the packet path takes
 * and returns objects here instead of calling malloc.  The backing memory is
 * reserved at once but only touched as objects are used, so RSS follows use. */
#ifndef OT_POOL_H
#define OT_POOL_H

#include <stddef.h>
#include <stdint.h>

struct pool {
    uint8_t *mem;
    size_t obj_size;
    uint32_t count;
    uint32_t used;
    uint32_t high_water;
    uint32_t next_fresh; /* objects past this index were never handed out */
    void *free_list;     /* returned objects, linked through their first bytes */
    uint64_t exhausted;  /* takes that found the pool empty */
};

int pool_init(struct pool *p, uint32_t count, size_t obj_size);
void pool_fini(struct pool *p);
/* Returns an object (contents undefined), or NULL when all are in use. */
void *pool_take(struct pool *p);
void pool_put(struct pool *p, void *obj);

#endif
