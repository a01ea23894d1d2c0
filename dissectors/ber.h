/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a bounded BER (X.690) TLV reader over the cursor, shared by every
 * ASN.1 user (GOOSE, MMS, ISO presentation/ACSE). */
#ifndef OT_BER_H
#define OT_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

#define BER_MAX_DEPTH 16 /* nesting that a walker may follow: bounds recursion on hostile input */

#define BER_CLASS_UNIVERSAL 0x00
#define BER_CLASS_APPLICATION 0x40
#define BER_CLASS_CONTEXT 0x80
#define BER_CLASS_PRIVATE 0xc0

struct ber_tlv {
    uint8_t cls;        /* BER_CLASS_* */
    bool constructed;
    uint32_t tag;       /* tag number (high-tag-number form decoded, capped at 2^28) */
    size_t len;         /* content length (indefinite form: not supported, cursor fails INVALID) */
    struct cur content; /* a child cursor over exactly the content */
};

/* Reads one TLV from c. Returns false (c failed) when it is truncated or malformed. */
bool ber_read(struct cur *c, struct ber_tlv *out);

/* Content decoders; each reads the whole content cursor of a primitive TLV. */
bool ber_uint(struct ber_tlv *t, uint64_t *out);  /* INTEGER as unsigned, <= 8 content bytes */
bool ber_int(struct ber_tlv *t, int64_t *out);    /* INTEGER two's complement, <= 8 bytes */
bool ber_bool(struct ber_tlv *t, bool *out);

#endif
