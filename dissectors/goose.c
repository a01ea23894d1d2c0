/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: IEC 61850 GOOSE publications (ethertype 0x88B8): the frame
 * header and the BER goosePdu, one record per frame.  Keeps no state per
 * publisher: the detection layer tracks stNum/sqNum per gocbRef from the
 * fields written here. */
/* specification: IEC 61850-8-1:2011 annex A (GOOSE protocol), section 8.1.3.7
 * (UtcTime), annex C (frame format, APPID, reserved 1 simulation bit);
 * ISO 9506-2 section 14.4.1 (Data, the type of allData members). */
/*
 * The bytes after the ethertype (the engine strips any 802.1Q tag):
 *   0        1        2        3
 *  +--------+--------+--------+--------+
 *  |      APPID      |     Length      |  Length counts from APPID to the end
 *  +--------+--------+--------+--------+  of the APDU (>= 8); Ethernet padding
 *  |   Reserved 1    |   Reserved 2    |  may follow.  Reserved 1 bit 15:
 *  +--------+--------+--------+--------+  simulated frame (edition 2)
 *  | goosePdu [APPLICATION 1] IMPLICIT SEQUENCE {                       |
 *  |   gocbRef [0] VisibleString, timeAllowedtoLive [1] INTEGER,         |
 *  |   datSet [2] VisibleString, goID [3] VisibleString OPTIONAL,        |
 *  |   t [4] UtcTime, stNum [5] INTEGER, sqNum [6] INTEGER,              |
 *  |   simulation [7] BOOLEAN DEFAULT FALSE (edition 1: test),           |
 *  |   confRev [8] INTEGER, ndsCom [9] BOOLEAN DEFAULT FALSE,            |
 *  |   numDatSetEntries [10] INTEGER, allData [11] SEQUENCE OF Data,     |
 *  |   security [12] ANY OPTIONAL (edition 1) }                         |
 *  +--------------------------------------------------------------------+
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ber.h"
#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define GOOSE_ETHERTYPE 0x88b8
#define GOOSE_HDR_LEN 8 /* APPID, Length, Reserved 1, Reserved 2 */
#define GOOSE_RESERVED1_SIMULATED 0x8000

#define GOOSE_TAG_PDU 1 /* goosePdu [APPLICATION 1] */

/* goosePdu field tags (IEC 61850-8-1 annex A, IECGoosePdu). */
#define GOOSE_GOCB_REF 0
#define GOOSE_TIME_ALLOWED_TO_LIVE 1
#define GOOSE_DAT_SET 2
#define GOOSE_GO_ID 3
#define GOOSE_T 4
#define GOOSE_ST_NUM 5
#define GOOSE_SQ_NUM 6
#define GOOSE_SIMULATION 7
#define GOOSE_CONF_REV 8
#define GOOSE_NDS_COM 9
#define GOOSE_NUM_DAT_SET_ENTRIES 10
#define GOOSE_ALL_DATA 11
#define GOOSE_SECURITY 12

#define GOOSE_FUNC_PDU 1

static const struct ot_func goose_funcs[] = {
    {GOOSE_FUNC_PDU, "goosePdu", OT_OP_OTHER},
    {0, NULL, 0},
};

/* Fields a publisher must send (the others default or are optional). */
#define GOOSE_REQUIRED                                                                             \
    (1u << GOOSE_GOCB_REF | 1u << GOOSE_TIME_ALLOWED_TO_LIVE | 1u << GOOSE_DAT_SET |               \
     1u << GOOSE_T | 1u << GOOSE_ST_NUM | 1u << GOOSE_SQ_NUM | 1u << GOOSE_CONF_REV |              \
     1u << GOOSE_NUM_DAT_SET_ENTRIES | 1u << GOOSE_ALL_DATA)

/* Caps. */
#define GOOSE_MAX_REF 129       /* VisibleString129 (IEC 61850-8-1 ed2): longer is cut */
#define GOOSE_MAX_DATA_VALUES 8 /* allData members shown: a 1000-entry data set stays small */

/* Reads an INTEGER field into the detail tape; a bad encoding is an anomaly. */
static bool field_uint(struct ber_tlv *t, struct ot_msg *out, const char *key, uint64_t *v)
{
    if (t->constructed || !ber_uint(t, v)) {
        out->anomaly = "bad_field_encoding";
        return false;
    }
    ot_kv_u64(&out->detail, key, *v);
    return true;
}

static void field_bool(struct ber_tlv *t, struct ot_msg *out, const char *key)
{
    bool b;
    if (t->constructed || !ber_bool(t, &b)) {
        out->anomaly = "bad_field_encoding";
        return;
    }
    ot_kv_bool(&out->detail, key, b);
}

static void field_str(struct ber_tlv *t, struct ot_msg *out, const char *key)
{
    if (t->constructed) {
        out->anomaly = "bad_field_encoding";
        return;
    }
    /* VisibleString holds 0x20..0x7e only (X.680 section 41): anything else
     * in a reference is binary passed off as a name */
    struct cur v = t->content;
    while (cur_left(&v) > 0) {
        uint8_t ch = cur_u8(&v);
        if (ch < 0x20 || ch > 0x7e) {
            out->anomaly = "bad_field_encoding";
            break;
        }
    }
    ber_kv_str(&out->detail, key, t, GOOSE_MAX_REF);
}

static void field_time(struct ber_tlv *t, struct ot_msg *out)
{
    struct ber_utc u;
    char iso[BER_ISO_TIME_LEN];
    if (t->constructed || !ber_utc_time(t, &u)) {
        out->anomaly = "bad_field_encoding";
        return;
    }
    size_t n = ber_utc_iso(&u, iso, sizeof(iso));
    ot_kv_str(&out->detail, "t", iso, n);
    ot_kv_u64(&out->detail, "t_quality", u.quality);
}

/* Walks the goosePdu content.  Returns false when the BER structure is
 * malformed (the frame is then INVALID); field-level problems only set
 * out->anomaly. */
static bool goose_pdu(struct cur pdu, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    uint32_t seen = 0;
    uint64_t entries = 0, v;
    bool have_entries = false;
    struct ber_data_out data = {0, false, -1};
    bool have_data = false;

    while (cur_left(&pdu) > 0) {
        struct ber_tlv t;
        if (!ber_read(&pdu, &t))
            return false;
        if (t.cls != BER_CLASS_CONTEXT || t.tag > GOOSE_SECURITY) {
            out->anomaly = "unknown_field";
            continue;
        }
        if (seen & (1u << t.tag)) {
            out->anomaly = "duplicate_field";
            continue;
        }
        seen |= 1u << t.tag;
        switch (t.tag) {
            case GOOSE_GOCB_REF: field_str(&t, out, "gocb_ref"); break;
            case GOOSE_TIME_ALLOWED_TO_LIVE: field_uint(&t, out, "time_allowed_to_live", &v); break;
            case GOOSE_DAT_SET: field_str(&t, out, "dat_set"); break;
            case GOOSE_GO_ID: field_str(&t, out, "go_id"); break;
            case GOOSE_T: field_time(&t, out); break;
            case GOOSE_ST_NUM: field_uint(&t, out, "st_num", &v); break;
            case GOOSE_SQ_NUM: field_uint(&t, out, "sq_num", &v); break;
            case GOOSE_SIMULATION: field_bool(&t, out, "simulation"); break;
            case GOOSE_CONF_REV: field_uint(&t, out, "conf_rev", &v); break;
            case GOOSE_NDS_COM: field_bool(&t, out, "nds_com"); break;
            case GOOSE_NUM_DAT_SET_ENTRIES:
                have_entries = field_uint(&t, out, "num_dat_set_entries", &entries);
                break;
            case GOOSE_ALL_DATA:
                if (!t.constructed)
                    return false;
                if (!ber_data_list(t.content, d, "data", GOOSE_MAX_DATA_VALUES, false, &data))
                    return false;
                have_data = true;
                ot_kv_u64(d, "data_count", data.count);
                if (data.cut)
                    ot_kv_bool(d, "data_truncated", true);
                break;
            default: /* GOOSE_SECURITY: opaque (edition 1 reserved it for signatures) */
                ot_kv_u64(d, "security_len", t.len);
                break;
        }
    }
    if ((seen & GOOSE_REQUIRED) != GOOSE_REQUIRED)
        out->anomaly = "missing_field";
    else if (have_entries && have_data && entries != data.count)
        out->anomaly = "num_dat_set_entries_mismatch";
    return cur_ok(&pdu);
}

static enum ot_parse goose_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    (void)ctx;
    uint16_t appid = cur_be16(c);
    size_t length = cur_be16(c);
    uint16_t reserved1 = cur_be16(c);
    uint16_t reserved2 = cur_be16(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    if (length < GOOSE_HDR_LEN)
        return OT_PARSE_INVALID;
    if (length - GOOSE_HDR_LEN > cur_left(c))
        return OT_PARSE_TRUNC; /* a frame cut by the capture length */
    /* Bytes past Length are Ethernet padding. */
    struct cur apdu = cur_sub(c, length - GOOSE_HDR_LEN);

    struct ber_tlv pdu;
    if (!ber_read(&apdu, &pdu) || !ber_is(&pdu, BER_CLASS_APPLICATION, true, GOOSE_TAG_PDU))
        return OT_PARSE_INVALID; /* Length is complete, so a short TLV is a lie */

    const struct ot_func *f = ot_func_find(goose_funcs, GOOSE_FUNC_PDU);
    ot_msg_set_function(out, f->code, f->name, (enum ot_op)f->op);
    out->dir = OT_DIR_RESPONSE; /* published by the IED */
    out->pair = OT_PAIR_NONE;
    out->has_unit = true;
    out->unit = appid;

    ot_kv_bool(&out->detail, "simulated", (reserved1 & GOOSE_RESERVED1_SIMULATED) != 0);
    if (reserved1 & ~GOOSE_RESERVED1_SIMULATED)
        ot_kv_u64(&out->detail, "reserved1", reserved1);
    if (reserved2)
        ot_kv_u64(&out->detail, "reserved2", reserved2);
    if (!goose_pdu(pdu.content, out))
        return OT_PARSE_INVALID;
    if (cur_left(&apdu) > 0)
        out->anomaly = "trailing_bytes";
    return OT_PARSE_OK;
}

static enum ot_probe goose_probe(const uint8_t *p, size_t len, bool to_server)
{
    (void)to_server;
    struct cur c = cur_init(p, len);
    if (len < GOOSE_HDR_LEN + 2)
        return OT_PROBE_NEED_MORE;
    cur_skip(&c, 2); /* APPID */
    size_t length = cur_be16(&c);
    cur_skip(&c, 4);
    uint8_t tag = cur_u8(&c);
    if (length < GOOSE_HDR_LEN + 2 || tag != (BER_CLASS_APPLICATION | 0x20 | GOOSE_TAG_PDU))
        return OT_PROBE_NO;
    return OT_PROBE_YES;
}

const struct ot_dissector goose_dissector = {
    .name = "goose",
    .proto = OT_PROTO_GOOSE,
    .l4 = 0,
    .ports = {0},
    .ethertype = GOOSE_ETHERTYPE,
    .probe = goose_probe,
    .pdu_len = NULL,
    .parse = goose_parse,
    .flow_state_size = 0,
    .flow_summary = NULL,
    .heuristic = false,
};
