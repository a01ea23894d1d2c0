/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: fixed-size object pools. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pool.h"

int pool_init(struct pool *p, uint32_t count, size_t obj_size)
{
    memset(p, 0, sizeof(*p));
    /* room for the free-list link, and alignment for any member */
    obj_size = (obj_size < sizeof(void *) ? sizeof(void *) : obj_size);
    obj_size = (obj_size + 15) & ~(size_t)15;
    size_t bytes = (size_t)count * obj_size;
    if (count == 0 || bytes / count != obj_size)
        return -1;
    /* an anonymous mapping: pages cost memory only once touched */
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return -1;
    p->mem = mem;
    p->obj_size = obj_size;
    p->count = count;
    return 0;
}

void pool_fini(struct pool *p)
{
    if (p->mem)
        munmap(p->mem, (size_t)p->count * p->obj_size);
    p->mem = NULL;
}

void *pool_take(struct pool *p)
{
    void *obj;
    if (p->free_list) {
        obj = p->free_list;
        memcpy(&p->free_list, obj, sizeof(void *));
    } else if (p->next_fresh < p->count) {
        /* hand out untouched objects in order, so pages fill one at a time */
        obj = p->mem + (size_t)p->next_fresh++ * p->obj_size;
    } else {
        p->exhausted++;
        return NULL;
    }
    p->used++;
    if (p->used > p->high_water)
        p->high_water = p->used;
    return obj;
}

void pool_put(struct pool *p, void *obj)
{
    if (!obj)
        return;
    memcpy(obj, &p->free_list, sizeof(void *));
    p->free_list = obj;
    p->used--;
}
