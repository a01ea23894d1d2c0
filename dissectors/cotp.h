/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: TPKT (RFC 1006) and COTP (ISO 8073 class 0) shared by the S7comm
 * and MMS dissectors, which both ride ISO-on-TCP port 102. */
#ifndef OT_COTP_H
#define OT_COTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "otmsg.h"

/* COTP TPDU codes (ISO 8073 section 13.1, high nibble of the code byte). */
#define COTP_CR 0xe0 /* connection request */
#define COTP_CC 0xd0 /* connection confirm */
#define COTP_DR 0x80 /* disconnect request */
#define COTP_DC 0xc0 /* disconnect confirm */
#define COTP_DT 0xf0 /* data */
#define COTP_ED 0x10 /* expedited data */
#define COTP_AK 0x60 /* data acknowledgement */
#define COTP_ER 0x70 /* TPDU error */

#define COTP_TSAP_MAX 32 /* a TSAP longer than this is kept cut */

struct cotp {
    uint8_t code;     /* one of COTP_* */
    bool eot;         /* DT: last data unit of a TSDU */
    uint8_t tpdu_nr;  /* DT: sequence number */
    uint16_t dst_ref; /* CR/CC/DR */
    uint16_t src_ref;
    uint8_t tpdu_size; /* CR/CC: the 0xc0 parameter (log2 of size), 0 if absent */
    uint8_t src_tsap_len;
    uint8_t dst_tsap_len;
    uint8_t src_tsap[COTP_TSAP_MAX];
    uint8_t dst_tsap[COTP_TSAP_MAX];
    uint8_t class_option; /* CR/CC: class (high nibble) and options */
    uint8_t reason;       /* DR: disconnect reason; ER: reject cause */
};

/* pdu_len for ISO-on-TCP: the TPKT length (version 3, reserved 0, length
 * >= 7), 0 when fewer than 4 bytes are there, OT_PDU_NOT_MINE otherwise. */
size_t tpkt_pdu_len(const uint8_t *p, size_t len);

/* Reads a TPKT header and a COTP header from c, leaving c on the COTP user
 * data (for DT: the S7 or ISO session bytes).  Returns false (and c failed)
 * on a malformed header (CUR_INVALID) or when c holds fewer bytes than the
 * TPKT length (CUR_TRUNC).  Bytes after the TPKT length are cut off c. */
bool cotp_parse(struct cur *c, struct cotp *out);

/* Writes the COTP fields into the detail tape under "cotp". */
void cotp_detail(const struct cotp *t, struct ot_detail *d);

/* Reassembles a TSDU that spans several DT TPDUs (EOT clear) into a bounded
 * per-flow-direction buffer. */
#define COTP_REASM_MAX 8192 /* an S7 PDU is at most 960 bytes; MMS rarely exceeds 8 KB */
struct cotp_reasm {
    size_t len;
    bool overflow; /* the TSDU exceeded COTP_REASM_MAX: dropped, counted by the caller */
    bool dropping; /* internal: discarding DTs up to the EOT of an oversized TSDU */
    uint8_t buf[COTP_REASM_MAX];
};

/* Adds the user data of one DT TPDU.  Returns a pointer to the complete TSDU
 * (and its length in *out_len) when this DT carries EOT: either the payload
 * itself (no earlier fragments: zero copy) or the reassembly buffer, which
 * stays valid until the next call.  Returns NULL while more fragments are
 * needed or after an overflow.  r->overflow is set from the DT that overflows
 * through the DT carrying that TSDU's EOT, and cleared by the next call.  A
 * non-DT TPDU (CR, DR, ...) discards any partial TSDU and returns NULL.  The
 * struct starts zeroed (flow state). */
const uint8_t *cotp_reasm_add(struct cotp_reasm *r, const struct cotp *t, const uint8_t *p,
                              size_t n, size_t *out_len);

#endif
