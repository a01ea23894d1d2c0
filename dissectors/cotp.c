/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: TPKT framing and COTP TPDU headers (ISO-on-TCP, port 102), and a
 * bounded reassembler for TSDUs spanning several DT TPDUs; shared by the
 * S7comm and MMS dissectors. */
/* specification: RFC 1006 (ISO transport services on top of TCP) section 6;
 * ISO/IEC 8073:1997 (= ITU-T X.224) section 13 (TPDU structure and coding),
 * 13.3.4 (CR parameters), 13.5 (DR), 13.7 (DT), 13.12 (ER). */
/*
 * TPKT (RFC 1006 section 6):
 *   0        1        2        3
 *  +--------+--------+--------+--------+
 *  |vrsn = 3|reserved| packet length   |  length counts these 4 bytes too
 *  +--------+--------+--------+--------+
 *
 * COTP fixed part, then the variable part (parameters), then user data:
 *  +----+------+------------------------------------------+-----------+
 *  | LI | code | fixed part / parameters (LI - 1 bytes)    | user data |
 *  +----+------+------------------------------------------+-----------+
 *  LI counts the header after itself (not the user data).
 *
 *  CR/CC: code (hi nibble E/D, lo nibble CDT) | dst-ref(2) | src-ref(2) | class/option(1)
 *         then parameters: code(1) len(1) value(len)
 *           0xc0 TPDU size (log2), 0xc1 calling (source) TSAP, 0xc2 called (destination) TSAP
 *  DR:    0x80 | dst-ref(2) | src-ref(2) | reason(1) | parameters
 *  DC:    0xc0 | dst-ref(2) | src-ref(2) | parameters
 *  DT:    0xf0 | EOT(bit 7) + TPDU-NR(7 bits)             (classes 0 and 1, LI = 2)
 *         0xf0 | dst-ref(2) | EOT + TPDU-NR | parameters  (classes 2-4, normal format)
 *  ER:    0x70 | dst-ref(2) | reject cause(1) | parameters (0xc1: the invalid TPDU)
 */
#include <stddef.h>
#include <stdint.h>

#include "cotp.h"
#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define TPKT_VERSION 3
#define TPKT_HDR_LEN 4
#define COTP_DT_MIN_LEN 3 /* LI, code, EOT/NR: the smallest TPDU */

/* TPDU codes not in cotp.h (ISO 8073 table 8). */
#define COTP_EA 0x20 /* expedited data acknowledgement */
#define COTP_RJ 0x50 /* reject */

/* Parameter codes in the variable part (ISO 8073 section 13.3.4). */
#define COTP_PARAM_TPDU_SIZE 0xc0
#define COTP_PARAM_CALLING_TSAP 0xc1 /* the source TSAP (in ER: the invalid TPDU) */
#define COTP_PARAM_CALLED_TSAP 0xc2  /* the destination TSAP */

#define COTP_LI_RESERVED 255 /* ISO 8073 section 13.2.1: LI 255 is reserved */
#define COTP_DT_EOT 0x80

static const struct ot_tok cotp_type_names[] = {
    {COTP_CR, "CR"}, {COTP_CC, "CC"}, {COTP_DR, "DR"}, {COTP_DC, "DC"},
    {COTP_DT, "DT"}, {COTP_ED, "ED"}, {COTP_AK, "AK"}, {COTP_EA, "EA"},
    {COTP_RJ, "RJ"}, {COTP_ER, "ER"}, {0, NULL},
};

/* Disconnect reasons (ISO 8073 section 13.5.3 e). */
static const struct ot_tok cotp_dr_reasons[] = {
    {0x00, "not_specified"},
    {0x01, "congestion_at_tsap"},
    {0x02, "session_entity_not_attached"},
    {0x03, "address_unknown"},
    {0x80, "normal"},
    {0x81, "remote_congestion"},
    {0x82, "negotiation_failed"},
    {0x83, "duplicate_source_reference"},
    {0x84, "mismatched_references"},
    {0x85, "protocol_error"},
    {0x87, "reference_overflow"},
    {0x88, "connection_refused"},
    {0x8a, "header_or_parameter_length_invalid"},
    {0, NULL},
};

/* Reject causes of an ER TPDU (ISO 8073 section 13.12.3). */
static const struct ot_tok cotp_er_causes[] = {
    {0x00, "not_specified"},
    {0x01, "invalid_parameter_code"},
    {0x02, "invalid_tpdu_type"},
    {0x03, "invalid_parameter_value"},
    {0, NULL},
};

/* Largest TPDU size code we accept (2^13 = 8192 bytes, ISO 8073 13.3.4 b);
 * larger codes are kept raw but a TSAP can never exceed the LI (254 bytes). */
#define COTP_TPDU_SIZE_MAX_CODE 13

size_t tpkt_pdu_len(const uint8_t *p, size_t len)
{
    struct cur c = cur_init(p, len);
    if (len < TPKT_HDR_LEN)
        return 0;
    uint8_t version = cur_u8(&c);
    uint8_t reserved = cur_u8(&c);
    size_t plen = cur_be16(&c);
    if (version != TPKT_VERSION || reserved != 0 || plen < TPKT_HDR_LEN + COTP_DT_MIN_LEN)
        return OT_PDU_NOT_MINE;
    /* Look at the COTP header when it is there, so random bytes starting with
     * 03 00 are rarely taken for a TPKT. */
    if (cur_left(&c) >= 1) {
        size_t li = cur_u8(&c);
        if (li < 2 || li == COTP_LI_RESERVED || li > plen - TPKT_HDR_LEN - 1)
            return OT_PDU_NOT_MINE;
    }
    if (cur_left(&c) >= 1) {
        uint8_t code = cur_u8(&c) & 0xf0;
        if (!ot_tok_name(cotp_type_names, code))
            return OT_PDU_NOT_MINE;
    }
    return plen;
}

/* Reads the parameters of the variable part (ISO 8073 section 13.2.3) from v,
 * keeping the ones CR/CC carry.  Parameters of other TPDUs are walked (so a
 * lying parameter length is caught) and skipped. */
static void cotp_params(struct cur *v, struct cotp *out, bool connect)
{
    while (cur_left(v) > 0) {
        uint8_t code = cur_u8(v);
        size_t plen = cur_u8(v);
        struct cur val = cur_sub(v, plen);
        if (!cur_ok(v))
            return;
        if (!connect)
            continue;
        switch (code) {
            case COTP_PARAM_TPDU_SIZE: out->tpdu_size = cur_u8(&val); break;
            case COTP_PARAM_CALLING_TSAP:
                out->src_tsap_len = (uint8_t)(plen < COTP_TSAP_MAX ? plen : COTP_TSAP_MAX);
                cur_copy(&val, out->src_tsap, out->src_tsap_len);
                break;
            case COTP_PARAM_CALLED_TSAP:
                out->dst_tsap_len = (uint8_t)(plen < COTP_TSAP_MAX ? plen : COTP_TSAP_MAX);
                cur_copy(&val, out->dst_tsap, out->dst_tsap_len);
                break;
            default: break;
        }
    }
}

bool cotp_parse(struct cur *c, struct cotp *out)
{
    *out = (struct cotp){0};
    uint8_t version = cur_u8(c);
    uint8_t reserved = cur_u8(c);
    size_t plen = cur_be16(c);
    if (!cur_ok(c))
        return false;
    if (version != TPKT_VERSION || reserved != 0 || plen < TPKT_HDR_LEN + COTP_DT_MIN_LEN) {
        cur_fail(c, CUR_INVALID);
        return false;
    }
    /* The engine hands over one TPKT; a shorter buffer is a cut packet.  Bytes
     * beyond the TPKT length are not ours: narrow the cursor to the packet
     * (only ever shrinks len, after cur_need proved the bytes are there). */
    if (!cur_need(c, plen - TPKT_HDR_LEN))
        return false;
    c->len = c->off + (plen - TPKT_HDR_LEN);

    size_t li = cur_u8(c);
    if (li < 2 || li == COTP_LI_RESERVED) {
        cur_fail(c, CUR_INVALID);
        return false;
    }
    struct cur h = cur_sub(c, li); /* the header after LI; c moves to the user data */
    if (!cur_ok(c))
        return false;
    uint8_t code = cur_u8(&h);
    out->code = code & 0xf0;
    switch (out->code) {
        case COTP_CR:
        case COTP_CC:
            out->dst_ref = cur_be16(&h);
            out->src_ref = cur_be16(&h);
            out->class_option = cur_u8(&h);
            cotp_params(&h, out, true);
            break;
        case COTP_DR:
            out->dst_ref = cur_be16(&h);
            out->src_ref = cur_be16(&h);
            out->reason = cur_u8(&h);
            cotp_params(&h, out, false);
            break;
        case COTP_DC:
            out->dst_ref = cur_be16(&h);
            out->src_ref = cur_be16(&h);
            cotp_params(&h, out, false);
            break;
        case COTP_DT:
        case COTP_ED: {
            /* Classes 0/1 carry only EOT/NR (LI 2); classes 2-4 put the
             * destination reference first (ISO 8073 sections 13.7.3, 13.8.3). */
            if (li > 2)
                out->dst_ref = cur_be16(&h);
            uint8_t nr = cur_u8(&h);
            out->eot = (nr & COTP_DT_EOT) != 0;
            out->tpdu_nr = nr & 0x7f;
            cotp_params(&h, out, false);
            break;
        }
        case COTP_AK:
        case COTP_EA:
        case COTP_RJ:
            out->dst_ref = cur_be16(&h);
            out->tpdu_nr = cur_u8(&h) & 0x7f;
            cur_skip(&h, cur_left(&h)); /* credit / extended formats: not needed */
            break;
        case COTP_ER:
            out->dst_ref = cur_be16(&h);
            out->reason = cur_u8(&h);
            cotp_params(&h, out, false);
            break;
        default: cur_fail(c, CUR_INVALID); return false;
    }
    if (!cur_ok(&h)) {
        /* The fixed part ran past LI: the header lies about its own length. */
        cur_fail(c, CUR_INVALID);
        return false;
    }
    return true;
}

void cotp_detail(const struct cotp *t, struct ot_detail *d)
{
    const char *name = ot_tok_name(cotp_type_names, t->code);
    ot_kv_obj(d, "cotp");
    ot_kv_cstr(d, "type", name ? name : "unknown");
    switch (t->code) {
        case COTP_CR:
        case COTP_CC:
            ot_kv_u64(d, "dst_ref", t->dst_ref);
            ot_kv_u64(d, "src_ref", t->src_ref);
            ot_kv_u64(d, "class", t->class_option >> 4);
            if (t->tpdu_size)
                ot_kv_u64(d, "tpdu_size",
                          t->tpdu_size <= COTP_TPDU_SIZE_MAX_CODE ? 1u << t->tpdu_size : 0);
            if (t->src_tsap_len)
                ot_kv_hex(d, "src_tsap", t->src_tsap, t->src_tsap_len);
            if (t->dst_tsap_len)
                ot_kv_hex(d, "dst_tsap", t->dst_tsap, t->dst_tsap_len);
            break;
        case COTP_DR: {
            const char *r = ot_tok_name(cotp_dr_reasons, t->reason);
            ot_kv_u64(d, "dst_ref", t->dst_ref);
            ot_kv_u64(d, "src_ref", t->src_ref);
            ot_kv_u64(d, "reason_code", t->reason);
            if (r)
                ot_kv_cstr(d, "reason", r);
            break;
        }
        case COTP_DC:
            ot_kv_u64(d, "dst_ref", t->dst_ref);
            ot_kv_u64(d, "src_ref", t->src_ref);
            break;
        case COTP_DT:
        case COTP_ED:
            ot_kv_bool(d, "eot", t->eot);
            ot_kv_u64(d, "tpdu_nr", t->tpdu_nr);
            break;
        case COTP_ER: {
            const char *r = ot_tok_name(cotp_er_causes, t->reason);
            ot_kv_u64(d, "dst_ref", t->dst_ref);
            ot_kv_u64(d, "reject_cause_code", t->reason);
            if (r)
                ot_kv_cstr(d, "reject_cause", r);
            break;
        }
        default: ot_kv_u64(d, "dst_ref", t->dst_ref); break;
    }
    ot_kv_end(d);
}

const uint8_t *cotp_reasm_add(struct cotp_reasm *r, const struct cotp *t, const uint8_t *p,
                              size_t n, size_t *out_len)
{
    *out_len = 0;
    if (!r->dropping)
        r->overflow = false;
    if (t->code != COTP_DT) {
        /* A connect, disconnect or error ends any half-built TSDU. */
        r->len = 0;
        r->dropping = false;
        return NULL;
    }
    if (r->dropping) {
        /* Discarding the rest of an oversized TSDU; overflow stays set up to
         * and including its last DT so the caller can count it. */
        if (t->eot)
            r->dropping = false;
        return NULL;
    }
    if (t->eot && r->len == 0) {
        *out_len = n;
        return p; /* a TSDU in one TPDU: zero copy */
    }
    if (n > COTP_REASM_MAX - r->len) {
        r->len = 0;
        r->overflow = true;
        r->dropping = !t->eot;
        return NULL;
    }
    if (n > 0) {
        struct cur c = cur_init(p, n);
        cur_copy(&c, r->buf + r->len, n);
        r->len += n;
    }
    if (!t->eot)
        return NULL;
    *out_len = r->len;
    r->len = 0; /* the bytes stay in buf until the next call */
    return r->buf;
}
