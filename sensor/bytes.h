/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: big-endian reads for the engine's fixed-size headers, used only
 * after one length check has covered the whole header (the per-packet fast
 * path: one test instead of one per field, as the cursor would do). */
#ifndef OT_BYTES_H
#define OT_BYTES_H

#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

#endif
