/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a bounded BER (X.690) TLV reader over the cursor, shared by every
 * ASN.1 user (GOOSE, MMS, ISO presentation/ACSE). */
#ifndef OT_BER_H
#define OT_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "otmsg.h"

#define BER_MAX_DEPTH 16 /* nesting that a walker may follow: bounds recursion on hostile input */

#define BER_CLASS_UNIVERSAL 0x00
#define BER_CLASS_APPLICATION 0x40
#define BER_CLASS_CONTEXT 0x80
#define BER_CLASS_PRIVATE 0xc0

struct ber_tlv {
    uint8_t cls; /* BER_CLASS_* */
    bool constructed;
    uint32_t tag;       /* tag number (high-tag-number form decoded, capped at 2^28) */
    size_t len;         /* content length (indefinite form: not supported, cursor fails INVALID) */
    struct cur content; /* a child cursor over exactly the content */
};

/* Reads one TLV from c. Returns false (c failed) when it is truncated or malformed. */
bool ber_read(struct cur *c, struct ber_tlv *out);

/* Content decoders; each reads the whole content cursor of a primitive TLV. */
bool ber_uint(struct ber_tlv *t, uint64_t *out); /* INTEGER as unsigned, <= 8 content bytes */
bool ber_int(struct ber_tlv *t, int64_t *out);   /* INTEGER two's complement, <= 8 bytes */
bool ber_bool(struct ber_tlv *t, bool *out);

/* True when t has this class, form and tag number. */
bool ber_is(const struct ber_tlv *t, uint8_t cls, bool constructed, uint32_t tag);

/* Walks every TLV in c (a copy: c is not moved), into constructed contents
 * up to BER_MAX_DEPTH levels below c.  Returns false when an element is
 * malformed, a child overruns its parent, or nesting goes deeper. */
bool ber_check(struct cur c);

/* BIT STRING content: the unused-bit count (0..7; 0 when empty) and a cursor
 * over the bit octets.  Returns false on a bad unused count. */
bool ber_bitstring(struct ber_tlv *t, uint8_t *unused, struct cur *bits);

/* Writes a BIT STRING as '0'/'1' characters (first bit first), at most cap-1
 * bits, NUL-terminated.  Returns the number of characters, or 0 (and "" in
 * buf) when malformed. */
size_t ber_bits_text(struct ber_tlv *t, char *buf, size_t cap);

/* Writes an OBJECT IDENTIFIER content in dotted form ("1.0.9506.2.3"),
 * NUL-terminated, cut at cap-1.  Returns the length, or 0 when malformed
 * (an arc over 64 bits, a truncated arc, empty content). */
size_t ber_oid_text(struct ber_tlv *t, char *buf, size_t cap);

/* Copies a primitive string's content (VisibleString, GraphicString,
 * OCTET STRING ...) into the detail tape, cut at max bytes. */
void ber_kv_str(struct ot_detail *d, const char *key, struct ber_tlv *t, size_t max);

/* IEC 61850-8-1 section 8.1.3.7 UtcTime / ISO 9506 UtcTime: 8 octets,
 * seconds since 1970-01-01 (32 bits), fraction of a second (24 bits, units
 * of 2^-24 s), time quality (8 bits). */
struct ber_utc {
    uint32_t secs;
    uint32_t frac; /* 24 bits */
    uint8_t quality;
};
bool ber_utc_time(struct ber_tlv *t, struct ber_utc *out);
/* Writes "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (30 bytes with the NUL); returns
 * its length, or 0 when cap is too small. */
#define BER_ISO_TIME_LEN 31
size_t ber_utc_iso(const struct ber_utc *u, char *buf, size_t cap);

/* MMS Data values (ISO 9506-2 section 14.4.1 "Data"): the value type used by
 * MMS read/write/informationReport and by GOOSE allData.  Walks the SEQUENCE
 * OF Data content in c, counts its top-level elements into out->count, writes
 * at most max_items of them (nested structure members included) as an array
 * `key` of {"type", "value"} objects (structures and arrays as {"type",
 * "items": [...]}) into d, and sets out->cut when values were left out.  With
 * access_results the elements are AccessResult (a [0] failure carries a
 * DataAccessError code: {"type":"failure","value":code}) and out->first_failure
 * gets the first failure code (or stays -1).  Returns false when the encoding
 * is malformed or nests deeper than BER_MAX_DEPTH. */
#define BER_DATA_TEXT_MAX 64 /* bytes of one string/octet value kept in the detail */
struct ber_data_out {
    uint32_t count;
    bool cut;
    int64_t first_failure;
};
bool ber_data_list(struct cur c, struct ot_detail *d, const char *key, unsigned max_items,
                   bool access_results, struct ber_data_out *out);

#endif
