/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: what the dissector unit tests share: running a table entry's
 * parse() on a byte array, reading the message it filled (the detail tape by
 * key, the function, ranges, values, anomaly), and the checks every
 * dissector gets (each prefix of a valid PDU refused).  Each check takes the
 * message it reads, so a test keeps its own. */
#ifndef OT_DISSECTOR_CHECK_H
#define OT_DISSECTOR_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors.h"

/* --- running a dissector --------------------------------------------------- */

/* The context of n bytes of a TCP PDU claimed bytes long (claimed > n: the
 * engine's reassembly buffer cut it) between a client on port 40000 and a
 * server on server_port; flow_state may be NULL. */
struct ot_ctx tcp_ctx(uint16_t server_port, bool to_server, size_t n, size_t claimed,
                      void *flow_state);

/* Resets m for d's protocol and runs d->parse over p[0..n) with ctx. */
enum ot_parse dissect(const struct ot_dissector *d, const struct ot_ctx *ctx, const uint8_t *p,
                      size_t n, struct ot_msg *m);

/* --- PDUs written by the tests ---------------------------------------------- */

/* Reads hex digit pairs into out, at most cap bytes; other characters
 * (spaces between fields) are skipped.  Returns the bytes written. */
size_t unhex(const char *hex, uint8_t *out, size_t cap);

/* A PDU of a test's table of samples. */
struct sample {
    const uint8_t *p;
    size_t n;
};
#define SAMPLE(array) ((struct sample){(array), sizeof(array)})

/* A PDU built by hand, a field at a time, into a test's own array
 * ({array, sizeof(array), 0}); a byte that would overflow it is dropped (the
 * PDU then comes out short). */
struct pdu_buf {
    uint8_t *b;
    size_t cap;
    size_t n;
};

void put_u8(struct pdu_buf *w, uint8_t v);
void put_be16(struct pdu_buf *w, uint16_t v);
void put_be32(struct pdu_buf *w, uint32_t v);
void put_le16(struct pdu_buf *w, uint16_t v);
void put_le32(struct pdu_buf *w, uint32_t v);
void put_le64(struct pdu_buf *w, uint64_t v);

/* --- the detail tape, by key ----------------------------------------------- */

/* kv_u64() of a key that is absent or not an unsigned number. */
#define NO_KEY UINT64_MAX

/* The first entry with this key, at any depth, or NULL. */
const struct ot_kv *kv_find(const struct ot_msg *m, const char *key);
/* The entry with this key after nth others (nth 0: the first), or NULL. */
const struct ot_kv *kv_find_nth(const struct ot_msg *m, const char *key, size_t nth);
uint64_t kv_u64(const struct ot_msg *m, const char *key);
bool kv_u64_is(const struct ot_msg *m, const char *key, uint64_t want);
bool kv_i64_is(const struct ot_msg *m, const char *key, int64_t want);
/* Within 1e-6 of want. */
bool kv_dbl_is(const struct ot_msg *m, const char *key, double want);
/* 1 or 0 for a boolean entry, -1 when the key is absent or not a boolean. */
int kv_bool(const struct ot_msg *m, const char *key);
bool kv_bool_is(const struct ot_msg *m, const char *key, bool want);
/* The string entry `key` holds exactly the bytes of want. */
bool kv_str(const struct ot_msg *m, const char *key, const char *want);
/* The same for an entry written as hex (the raw bytes are compared). */
bool kv_hex(const struct ot_msg *m, const char *key, const char *want);
/* The entry nth places after the array `key` opens is the string want. */
bool kv_arr_str(const struct ot_msg *m, const char *key, size_t nth, const char *want);
/* Number of direct members of the array `key`; SIZE_MAX when there is none. */
size_t kv_arr_len(const struct ot_msg *m, const char *key);
/* Some string entry, whatever its key, is exactly want. */
bool kv_any_str(const struct ot_msg *m, const char *want);
/* The string arena holds s anywhere (a secret that must not be there). */
bool arena_has(const struct ot_msg *m, const char *s);

/* --- the tape's shape ------------------------------------------------------ */

/* Every OBJ/ARR_BEGIN has its END and no END closes more than was opened. */
bool tape_nests(const struct ot_msg *m);
/* tape_nests(), and the writer has nothing left open and dropped no object
 * or array for want of room. */
bool tape_balanced(const struct ot_msg *m);
/* The same two for a detail block filled outside a message. */
const struct ot_kv *detail_find(const struct ot_detail *d, const char *key);
bool detail_nests(const struct ot_detail *d);

/* --- the normalized fields ------------------------------------------------- */

bool anomaly_is(const struct ot_msg *m, const char *want);
/* name NULL: the code has no name. */
bool function_is(const struct ot_msg *m, uint32_t code, const char *name, enum ot_op op);
/* Range i is exactly this one. */
bool range_is(const struct ot_msg *m, size_t i, const char *space, uint32_t space_id,
              uint64_t start, uint32_t count);
/* Some range is exactly this one. */
bool has_range(const struct ot_msg *m, const char *space, uint32_t space_id, uint64_t start,
               uint32_t count);
bool value_is(const struct ot_msg *m, size_t i, uint32_t space_id, uint64_t addr, double v);
bool has_value(const struct ot_msg *m, uint32_t space_id, uint64_t addr, double v);

/* --- every prefix of a PDU -------------------------------------------------- */

/* A test's parse of n bytes with its own context and flow state, into the
 * message the test reads. */
typedef enum ot_parse (*parse_fn)(const uint8_t *p, size_t n);
/* Whether what a parse of a cut PDU returned, and left in m, is acceptable. */
typedef bool (*cut_check_fn)(enum ot_parse r, const struct ot_msg *m);

/* The cut PDU is refused: OT_PARSE_TRUNC or OT_PARSE_INVALID. */
bool refused(enum ot_parse r, const struct ot_msg *m);
/* Refused, and the tape it left nests (tape_nests) or is balanced. */
bool refused_nested(enum ot_parse r, const struct ot_msg *m);
bool refused_balanced(enum ot_parse r, const struct ot_msg *m);

/* Whether ok holds for the parse of each proper prefix of the n-byte PDU at
 * p, as the capture would cut it. */
bool each_prefix(parse_fn parse, const uint8_t *p, size_t n, cut_check_fn ok,
                 const struct ot_msg *m);
/* The same for the prefixes from `from` bytes on of a PDU whose 16-bit
 * big-endian length sits at p[2] (TPKT, GOOSE), rewritten in p to the
 * prefix's own length: short PDUs whose header agrees. */
bool each_prefix_relabelled(parse_fn parse, uint8_t *p, size_t from, size_t n, cut_check_fn ok,
                            const struct ot_msg *m);

#endif
