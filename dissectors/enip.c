/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: EtherNet/IP: the encapsulation protocol on TCP and UDP 44818 (sessions,
 * ListIdentity discovery, SendRRData / SendUnitData carrying CIP explicit messages,
 * decoded by cip.c) and CIP implicit I/O on UDP 2222 (counted per connection in flow
 * state, summarised when the flow ends, no record per frame). */
/* specification: ODVA, The CIP Networks Library Vol. 2, EtherNet/IP Adaptation of
 * CIP, edition 1: 2-3 (encapsulation header), 2-4 (commands), 2-5 (command status
 * codes), 2-6 (common packet format, CPF), 2-7 (item type ids), 3-2.2 (implicit
 * messages on UDP port 2222). */
/*
 * Encapsulation header (all fields little-endian), followed by `length` bytes
 * +---------+---------+----------------+----------------+--------------------+----------------+
 * | command | length  | session handle | status         | sender context     | options        |
 * | 2       | 2       | 4              | 4              | 8                  | 4 (must be 0)  |
 * +---------+---------+----------------+----------------+--------------------+----------------+
 * SendRRData / SendUnitData data:
 *   interface handle (4) | timeout (2) | CPF
 * Common packet format (CPF):
 *   item count (2) | { type id (2) | length (2) | item data (length) } ...
 *   SendRRData:   null address item (0x0000)       | unconnected data item (0x00b2): CIP
 *   SendUnitData: connected address item (0x00a1)  | connected data item (0x00b1):
 *                 connection id (4)                  sequence count (2) | CIP
 * ListIdentity reply item 0x000c: encapsulation version (2) | socket address (16,
 *   big-endian sin_family, sin_port, sin_addr, zero) | Identity attributes 1-7 | state (1)
 * Implicit I/O datagram on UDP 2222: a CPF with no encapsulation header
 *   count 2 | sequenced address item 0x8002: connection id (4), sequence (4) |
 *             connected data item 0x00b1: I/O data
 *
 * function_code: the CIP service (without the response bit) for SendRRData and
 * SendUnitData carrying CIP; otherwise ENIP_FUNC_ENCAP + the encapsulation command
 * (0x163 ListIdentity, 0x165 RegisterSession ...), clear of CIP services (< 0x80).
 * Pairing: ListIdentity, ListServices, ListInterfaces, RegisterSession and unknown
 * commands on a hash of command and sender context; SendRRData on the same with the
 * CIP service mixed in (cip.h); SendUnitData on the connected data item's sequence
 * count, which a class 3 target echoes, the connection and the CIP service.  The
 * two directions of a connection carry different connection ids: both are
 * reduced to the O->T id a Forward_Open reply of the flow announced (unknown
 * connections pair on the sequence count and service alone).
 */
#include <string.h>

#include "cip.h"
#include "dissectors.h"
#include "sbuf.h"

/* Encapsulation commands (Vol. 2 2-3.2) */
#define ENIP_NOP 0x0000
#define ENIP_LIST_SERVICES 0x0004
#define ENIP_LIST_IDENTITY 0x0063
#define ENIP_LIST_INTERFACES 0x0064
#define ENIP_REGISTER_SESSION 0x0065
#define ENIP_UNREGISTER_SESSION 0x0066
#define ENIP_SEND_RR_DATA 0x006f
#define ENIP_SEND_UNIT_DATA 0x0070
#define ENIP_INDICATE_STATUS 0x0072
#define ENIP_CANCEL 0x0073
#define ENIP_START_DTLS 0x00c8

#define ENIP_HEADER_LEN 24
#define ENIP_MAX_LENGTH 65511 /* Vol. 2 2-3.1: 65535 minus the header */
#define ENIP_PORT_IO 2222
#define ENIP_FUNC_ENCAP 0x100

/* Common packet format item type ids (Vol. 2 2-7) */
#define CPF_NULL_ADDRESS 0x0000
#define CPF_LIST_IDENTITY 0x000c
#define CPF_CONNECTED_ADDRESS 0x00a1
#define CPF_CONNECTED_DATA 0x00b1
#define CPF_UNCONNECTED_DATA 0x00b2
#define CPF_LIST_SERVICES 0x0100
#define CPF_SOCKADDR_OT 0x8000
#define CPF_SOCKADDR_TO 0x8001
#define CPF_SEQUENCED_ADDRESS 0x8002

static const struct ot_func enip_commands[] = {
    {ENIP_NOP, "NOP", OT_OP_OTHER},
    {ENIP_LIST_SERVICES, "ListServices", OT_OP_DISCOVERY},
    {ENIP_LIST_IDENTITY, "ListIdentity", OT_OP_DISCOVERY},
    {ENIP_LIST_INTERFACES, "ListInterfaces", OT_OP_DISCOVERY},
    {ENIP_REGISTER_SESSION, "RegisterSession", OT_OP_OTHER},
    {ENIP_UNREGISTER_SESSION, "UnRegisterSession", OT_OP_OTHER},
    {ENIP_SEND_RR_DATA, "SendRRData", OT_OP_OTHER},
    {ENIP_SEND_UNIT_DATA, "SendUnitData", OT_OP_OTHER},
    {ENIP_INDICATE_STATUS, "IndicateStatus", OT_OP_OTHER},
    {ENIP_CANCEL, "Cancel", OT_OP_OTHER},
    {ENIP_START_DTLS, "StartDTLS", OT_OP_AUTH},
    {0, NULL, 0},
};

static const struct ot_tok enip_status[] = {
    {0x0000, "success"},
    {0x0001, "invalid or unsupported command"},
    {0x0002, "insufficient memory"},
    {0x0003, "incorrect data"},
    {0x0064, "invalid session handle"},
    {0x0065, "invalid length"},
    {0x0069, "unsupported protocol revision"},
    {0x006a, "encapsulated CIP service not allowed on this port"},
    {0, NULL},
};

static const struct ot_tok cpf_types[] = {
    {CPF_NULL_ADDRESS, "null_address"},
    {CPF_LIST_IDENTITY, "cip_identity"},
    {0x0086, "cip_security_information"},
    {0x0087, "enip_capability"},
    {0x0088, "enip_usage"},
    {CPF_CONNECTED_ADDRESS, "connected_address"},
    {CPF_CONNECTED_DATA, "connected_data"},
    {CPF_UNCONNECTED_DATA, "unconnected_data"},
    {CPF_LIST_SERVICES, "list_services"},
    {CPF_SOCKADDR_OT, "sockaddr_info_ot"},
    {CPF_SOCKADDR_TO, "sockaddr_info_to"},
    {CPF_SEQUENCED_ADDRESS, "sequenced_address"},
    {0x8003, "unconnected_message_udp"},
    {0, NULL},
};

/* Caps */
#define ENIP_MAX_ITEMS 8    /* CPF items walked: real messages carry 2-4 */
#define ENIP_IO_MAX_ITEMS 3 /* items of an implicit I/O datagram (2, or 3 with a sockaddr) */
#define ENIP_IO_CONNS                                                                              \
    12                      /* I/O connections counted per flow, others only summed; 12            \
                             * summaries of 7 entries fit the 96-entry detail tape */
#define ENIP_ITEMS_DETAIL 4 /* identity / service items written in the detail tape */
#define ENIP_CONN_PAIRS 8   /* Forward_Open connection id pairs remembered per flow (newest) */

struct enip_io_conn {
    uint32_t connection_id;
    uint32_t frames;
    uint32_t first_seq;
    uint32_t last_seq;
    uint32_t seq_gaps; /* forward jumps of more than one in the sequence number */
    bool has_seq;
};

/* The connection ids of both directions of a connection (Forward_Open reply). */
struct enip_conn_pair {
    uint32_t ot_id;
    uint32_t to_id;
    bool valid;
};

struct enip_flow {
    struct cip_flow cip;
    struct enip_conn_pair pairs[ENIP_CONN_PAIRS];
    uint8_t next_pair;
    uint8_t n_conn;
    uint32_t untracked_frames; /* I/O frames of connections past ENIP_IO_CONNS */
    struct enip_io_conn conn[ENIP_IO_CONNS];
};

static bool command_known(uint16_t cmd)
{
    return ot_func_find(enip_commands, cmd) != NULL;
}

/* True when c starts an implicit I/O datagram: item count 2 or 3 (no
 * encapsulation command has these codes) and an address item first. */
static bool io_shape(const struct cur *c)
{
    uint16_t count = (uint16_t)(cur_peek_at(c, 0) | cur_peek_at(c, 1) << 8);
    uint16_t type = (uint16_t)(cur_peek_at(c, 2) | cur_peek_at(c, 3) << 8);
    return cur_left(c) >= 4 && count >= 2 && count <= ENIP_IO_MAX_ITEMS &&
           (type == CPF_SEQUENCED_ADDRESS || type == CPF_CONNECTED_ADDRESS);
}

/* Length of the implicit I/O CPF at c, 0 when more bytes are needed. */
static size_t io_len(struct cur *c)
{
    uint16_t count = cur_le16(c);
    size_t total = 2;
    for (unsigned i = 0; i < count; i++) {
        cur_skip(c, 2);
        size_t n = cur_le16(c);
        cur_skip(c, n);
        if (!cur_ok(c))
            return 0;
        total += 4 + n;
    }
    return total;
}

static size_t enip_pdu_len(const uint8_t *p, size_t len)
{
    struct cur c = cur_init(p, len);
    if (len < 2)
        return 0;
    uint16_t first = (uint16_t)(cur_peek_at(&c, 0) | cur_peek_at(&c, 1) << 8);
    if (first >= 2 && first <= ENIP_IO_MAX_ITEMS) {
        if (len < 4)
            return 0;
        return io_shape(&c) ? io_len(&c) : OT_PDU_NOT_MINE;
    }
    /* An unknown command is framed (and reported) when the rest of its header
     * holds: options 0, a sane length, and status 0 (a request) or one of the
     * codes of 2-3.3 (a target refusing the command).  A header found by
     * chance inside a PDU is the engine's to skip: it resumes only where PDUs
     * tile a segment exactly. */
    bool known = command_known(first);
    if (!known && len >= 12) {
        struct cur st = cur_init(p, len);
        cur_skip(&st, 8);
        if (!ot_tok_name(enip_status, cur_le32(&st)))
            return OT_PDU_NOT_MINE;
    }
    if (len < ENIP_HEADER_LEN)
        return 0;
    cur_skip(&c, 2);
    uint16_t length = cur_le16(&c);
    cur_skip(&c, 16);
    /* options: a receiver discards a non-zero value (2-3.7) */
    if (cur_le32(&c) != 0 || length > ENIP_MAX_LENGTH)
        return OT_PDU_NOT_MINE;
    return ENIP_HEADER_LEN + (size_t)length;
}

static enum ot_probe enip_probe(const uint8_t *p, size_t len, bool to_server)
{
    struct cur c = cur_init(p, len);
    if (len < 4)
        return OT_PROBE_NEED_MORE;
    if (io_shape(&c)) {
        size_t n = io_len(&c);
        return n == len ? OT_PROBE_YES : OT_PROBE_NO;
    }
    uint16_t cmd = cur_le16(&c);
    uint16_t length = cur_le16(&c);
    if (!command_known(cmd) || length > ENIP_MAX_LENGTH)
        return OT_PROBE_NO;
    if (len < ENIP_HEADER_LEN)
        return OT_PROBE_NEED_MORE;
    uint32_t session = cur_le32(&c);
    uint32_t status = cur_le32(&c);
    cur_skip(&c, 8);
    if (cur_le32(&c) != 0)
        return OT_PROBE_NO;
    if (to_server && status != 0)
        return OT_PROBE_NO;
    switch (cmd) {
        case ENIP_REGISTER_SESSION:
            if (length != 4 || (to_server && session != 0))
                return OT_PROBE_NO;
            break;
        case ENIP_LIST_IDENTITY:
        case ENIP_LIST_SERVICES:
        case ENIP_LIST_INTERFACES:
        case ENIP_UNREGISTER_SESSION:
            if (to_server && length != 0)
                return OT_PROBE_NO;
            break;
        case ENIP_SEND_RR_DATA:
        case ENIP_SEND_UNIT_DATA:
            if (length < 8)
                return OT_PROBE_NO;
            break;
        case ENIP_NOP:
            /* zeros everywhere: too easily random bytes for a first payload */
            return OT_PROBE_NO;
        default: break;
    }
    return OT_PROBE_YES;
}

static uint32_t key_hash(uint16_t cmd, uint64_t v)
{
    uint32_t h = 2166136261u;
    h = (h ^ (cmd & 0xff)) * 16777619u;
    h = (h ^ (cmd >> 8)) * 16777619u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)(v >> (8 * i))) * 16777619u;
    return h;
}

/* The connection a SendUnitData belongs to, as its O->T connection id (the one
 * requests travel on), or 0 when no Forward_Open reply of the flow named it. */
static uint32_t conn_key(const struct enip_flow *fs, uint32_t conn, bool response)
{
    if (!fs)
        return 0;
    for (unsigned i = 0; i < ENIP_CONN_PAIRS; i++) {
        const struct enip_conn_pair *cp = &fs->pairs[i];
        if (cp->valid && (response ? cp->to_id : cp->ot_id) == conn)
            return cp->ot_id;
    }
    return 0;
}

static void conn_learn(struct enip_flow *fs, uint32_t ot_id, uint32_t to_id)
{
    unsigned slot = fs->next_pair % ENIP_CONN_PAIRS;
    for (unsigned i = 0; i < ENIP_CONN_PAIRS; i++)
        if (fs->pairs[i].valid && (fs->pairs[i].ot_id == ot_id || fs->pairs[i].to_id == to_id))
            fs->pairs[i].valid = false; /* a connection id reused */
    fs->pairs[slot] = (struct enip_conn_pair){ot_id, to_id, true};
    fs->next_pair = (uint8_t)((slot + 1) % ENIP_CONN_PAIRS);
}

/* Implicit I/O: counts the frame against its connection; emits nothing. */
static enum ot_parse parse_io(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    uint16_t count = cur_le16(c);
    bool has_conn = false, has_seq = false;
    uint32_t conn = 0, seq = 0;
    for (unsigned i = 0; i < count && i < ENIP_IO_MAX_ITEMS; i++) {
        uint16_t type = cur_le16(c);
        size_t n = cur_le16(c);
        struct cur item = cur_sub(c, n);
        if (!cur_ok(c))
            return OT_PARSE_TRUNC;
        if (type == CPF_SEQUENCED_ADDRESS && n == 8) {
            conn = cur_le32(&item);
            seq = cur_le32(&item);
            has_conn = has_seq = true;
        } else if (type == CPF_CONNECTED_ADDRESS && n == 4) {
            conn = cur_le32(&item);
            has_conn = true;
        } else if (type == CPF_SEQUENCED_ADDRESS || type == CPF_CONNECTED_ADDRESS) {
            out->anomaly = "enip_bad_address_item";
            return OT_PARSE_INVALID;
        }
    }
    if (!has_conn)
        return OT_PARSE_INVALID;
    struct enip_flow *fs = ctx->flow_state;
    if (!fs)
        return OT_PARSE_NONE;
    struct enip_io_conn *ic = NULL;
    for (unsigned i = 0; i < fs->n_conn && i < ENIP_IO_CONNS; i++)
        if (fs->conn[i].connection_id == conn)
            ic = &fs->conn[i];
    if (!ic && fs->n_conn < ENIP_IO_CONNS) {
        ic = &fs->conn[fs->n_conn++];
        memset(ic, 0, sizeof *ic);
        ic->connection_id = conn;
    }
    if (!ic) {
        if (fs->untracked_frames < UINT32_MAX)
            fs->untracked_frames++;
        return OT_PARSE_NONE;
    }
    if (ic->frames < UINT32_MAX)
        ic->frames++;
    if (has_seq) {
        if (!ic->has_seq) {
            ic->first_seq = ic->last_seq = seq;
            ic->has_seq = true;
        } else {
            int32_t diff = (int32_t)(seq - ic->last_seq); /* serial number arithmetic */
            if (diff > 1 && ic->seq_gaps < UINT32_MAX)
                ic->seq_gaps++;
            if (diff > 0)
                ic->last_seq = seq;
        }
    }
    return OT_PARSE_NONE;
}

static void enip_flow_summary(const void *state, struct ot_detail *out)
{
    const struct enip_flow *fs = state;
    if (!fs || (fs->n_conn == 0 && fs->untracked_frames == 0))
        return;
    ot_kv_arr(out, "connections");
    for (unsigned i = 0; i < fs->n_conn && i < ENIP_IO_CONNS; i++) {
        const struct enip_io_conn *ic = &fs->conn[i];
        ot_kv_obj(out, NULL);
        ot_kv_u64(out, "connection_id", ic->connection_id);
        ot_kv_u64(out, "frames", ic->frames);
        if (ic->has_seq) {
            ot_kv_u64(out, "first_seq", ic->first_seq);
            ot_kv_u64(out, "last_seq", ic->last_seq);
            ot_kv_u64(out, "seq_gaps", ic->seq_gaps);
        }
        ot_kv_end(out);
    }
    ot_kv_end(out);
    if (fs->untracked_frames)
        ot_kv_u64(out, "untracked_frames", fs->untracked_frames);
}

static void kv_cpf_type(struct ot_detail *d, uint16_t type)
{
    const char *name = ot_tok_name(cpf_types, type);
    if (name)
        ot_kv_cstr(d, NULL, name);
    else
        ot_kv_u64(d, NULL, type);
}

/* A socket address (big-endian, Vol. 2 2-6.3.3) as "a.b.c.d:port". */
static void kv_sockaddr(struct ot_detail *d, const char *key, struct cur *c)
{
    cur_skip(c, 2); /* sin_family */
    uint16_t port = cur_be16(c);
    uint32_t addr = cur_be32(c);
    cur_skip(c, 8);
    if (!cur_ok(c))
        return;
    char t[24];
    struct sbuf b = sb_init(t, sizeof t);
    sb_ipv4_port(&b, addr, port);
    ot_kv_str(d, key, t, b.n);
}

/* ListIdentity reply item 0x000c. */
static void list_identity_item(struct cur *item, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    uint16_t version = cur_le16(item);
    ot_kv_u64(d, "encapsulation_version", version);
    kv_sockaddr(d, "socket_address", item);
    cip_identity(item, out);
    uint8_t state = cur_u8(item);
    if (cur_ok(item))
        ot_kv_u64(d, "state", state);
}

/* Reads item `i` of a Common Packet Format list (Vol. 2 2-6): its type id and
 * a cursor over its data.  With `cut` (the engine cut the PDU short) an item
 * running past the end keeps what is there, and a header cut short is no
 * anomaly.  Returns false, with the anomaly set, past ENIP_MAX_ITEMS or at
 * an item that does not fit. */
static bool cpf_item(struct cur *body, unsigned i, bool cut, struct ot_msg *out, uint16_t *type,
                     struct cur *item)
{
    if (i >= ENIP_MAX_ITEMS) {
        out->anomaly = "enip_too_many_items";
        return false;
    }
    *type = cur_le16(body);
    size_t n = cur_le16(body);
    if (cut && cur_ok(body) && n > cur_left(body))
        n = cur_left(body);
    *item = cur_sub(body, n);
    if (!cur_ok(body)) {
        if (!cut)
            out->anomaly = "enip_bad_item_length";
        return false;
    }
    return true;
}

/* The reply items of ListIdentity, ListServices and ListInterfaces. */
static void list_reply(struct cur *body, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    uint16_t count = cur_le16(body);
    if (!cur_ok(body)) {
        out->anomaly = "enip_bad_cpf";
        return;
    }
    ot_kv_u64(d, "item_count", count);
    ot_kv_arr(d, "items");
    uint16_t type;
    struct cur item;
    for (unsigned i = 0; i < count && cpf_item(body, i, false, out, &type, &item); i++) {
        if (i >= ENIP_ITEMS_DETAIL)
            continue;
        ot_kv_obj(d, NULL);
        ot_kv_u64(d, "type_id", type);
        const char *tname = ot_tok_name(cpf_types, type);
        if (tname)
            ot_kv_cstr(d, "type", tname);
        if (type == CPF_LIST_IDENTITY) {
            list_identity_item(&item, out);
        } else if (type == CPF_LIST_SERVICES) {
            uint16_t version = cur_le16(&item);
            uint16_t flags = cur_le16(&item);
            const uint8_t *name = cur_bytes(&item, 16);
            if (name) {
                ot_kv_u64(d, "version", version);
                ot_kv_u64(d, "capability_flags", flags);
                size_t nl = 0;
                struct cur nc = cur_init(name, 16);
                while (cur_left(&nc) > 0 && cur_u8(&nc) != 0)
                    nl++;
                ot_kv_str(d, "name", name, nl);
            }
        }
        ot_kv_end(d);
    }
    ot_kv_end(d);
}

/* SendRRData / SendUnitData: the CPF and the CIP message it carries. */
static enum ot_parse send_data(struct cur *body, uint16_t cmd, uint64_t sctx, bool cut,
                               const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    uint32_t ifh = cur_le32(body);
    uint16_t timeout = cur_le16(body);
    uint16_t count = cur_le16(body);
    if (!cur_ok(body)) {
        if (cut)
            return OT_PARSE_TRUNC;
        out->anomaly = "enip_bad_cpf";
        return OT_PARSE_INVALID;
    }
    ot_kv_u64(d, "interface_handle", ifh);
    ot_kv_u64(d, "timeout", timeout);
    ot_kv_u64(d, "item_count", count);
    bool has_conn = false, has_data = false, connected = false;
    uint32_t conn = 0;
    struct cur data = cur_init(NULL, 0);
    ot_kv_arr(d, "cpf_items");
    uint16_t type;
    struct cur item;
    for (unsigned i = 0; i < count && cpf_item(body, i, cut, out, &type, &item); i++) {
        kv_cpf_type(d, type);
        if (type == CPF_CONNECTED_ADDRESS && cur_left(&item) == 4) {
            conn = cur_le32(&item);
            has_conn = true;
        } else if ((type == CPF_UNCONNECTED_DATA || type == CPF_CONNECTED_DATA) && !has_data) {
            data = item;
            has_data = true;
            connected = type == CPF_CONNECTED_DATA;
        }
    }
    ot_kv_end(d);
    if (has_conn)
        ot_kv_u64(d, "connection_id", conn);
    struct enip_flow *fs = ctx->flow_state;
    if (!has_data) {
        if (cut)
            return OT_PARSE_TRUNC;
        if (out->anomaly)
            return OT_PARSE_INVALID;
        out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        return OT_PARSE_OK;
    }
    uint32_t key = key_hash(cmd, sctx);
    if (connected) {
        uint16_t seq = cur_le16(&data);
        if (!cur_ok(&data)) {
            out->anomaly = "enip_bad_connected_data";
            return cut ? OT_PARSE_TRUNC : OT_PARSE_INVALID;
        }
        ot_kv_u64(d, "sequence_count", seq);
        bool response = (cur_peek_u8(&data) & 0x80) != 0; /* the CIP service's response bit */
        uint32_t ckey = has_conn ? conn_key(fs, conn, response) : 0;
        key = key_hash(cmd, (uint64_t)ckey << 16 | seq);
    }
    struct cip_note note;
    enum ot_parse r = cip_parse(&data, fs ? &fs->cip : NULL, key, out, &note);
    if (r != OT_PARSE_OK) {
        if (!out->anomaly)
            out->anomaly = "cip_truncated_header";
        return cut ? OT_PARSE_TRUNC : OT_PARSE_INVALID;
    }
    out->pair = OT_PAIR_KEYED;
    out->txn_key = note.key;
    /* parse, then commit: everything above only read the flow state */
    if (fs) {
        cip_commit(&fs->cip, &note, out->dir == OT_DIR_RESPONSE, note.key);
        if (note.fwd_open)
            conn_learn(fs, note.ot_id, note.to_id);
    }
    return OT_PARSE_OK;
}

static enum ot_parse enip_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    if (io_shape(c))
        return parse_io(c, ctx, out);
    struct ot_detail *d = &out->detail;
    uint16_t cmd = cur_le16(c);
    size_t length = cur_le16(c);
    uint32_t session = cur_le32(c);
    uint32_t status = cur_le32(c);
    struct cur peek = *c;
    const uint8_t *ctxb = cur_bytes(&peek, 8);
    uint64_t sctx = cur_le64(c);
    uint32_t options = cur_le32(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    const struct ot_func *f = ot_func_find(enip_commands, cmd);
    if (options != 0 || length > ENIP_MAX_LENGTH)
        return OT_PARSE_NOT_MINE;
    bool cut = false;
    size_t blen = length;
    if (cur_left(c) < length) {
        if (!ctx->pdu_truncated)
            return OT_PARSE_TRUNC;
        blen = cur_left(c); /* longer than the reassembly buffer: parse what we have */
        cut = true;
    }
    struct cur body = cur_sub(c, blen);
    if (cur_left(c) > 0)
        out->anomaly = "enip_trailing_bytes";

    ot_msg_set_function(out, ENIP_FUNC_ENCAP + cmd, f ? f->name : NULL,
                        f ? (enum ot_op)f->op : OT_OP_OTHER);
    ot_kv_u64(d, "command", cmd);
    if (f)
        ot_kv_cstr(d, "command_name", f->name);
    ot_kv_u64(d, "length", length);
    ot_kv_u64(d, "session_handle", session);
    ot_kv_u64(d, "status", status);
    ot_kv_hex(d, "sender_context", ctxb, 8);
    if (cut)
        ot_kv_bool(d, "truncated", true);
    if (status != 0)
        ot_msg_set_exception(out, status, ot_tok_name(enip_status, status));
    uint32_t key = key_hash(cmd, sctx);
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;

    switch (cmd) {
        case ENIP_LIST_IDENTITY:
        case ENIP_LIST_SERVICES:
        case ENIP_LIST_INTERFACES:
            /* requests carry no data; replies may come on a flow of their own
             * (a broadcast request), so the shape decides, not the flow */
            out->dir = length == 0 && status == 0 ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = key;
            if (out->dir == OT_DIR_RESPONSE && length > 0)
                list_reply(&body, out);
            break;
        case ENIP_REGISTER_SESSION: {
            uint16_t version = cur_le16(&body);
            uint16_t flags = cur_le16(&body);
            if (cur_ok(&body)) {
                ot_kv_u64(d, "protocol_version", version);
                ot_kv_u64(d, "option_flags", flags);
            } else if (status == 0) {
                out->anomaly = "enip_bad_register_session";
            }
            out->dir = session == 0 && status == 0 ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = key;
            break;
        }
        case ENIP_SEND_RR_DATA:
        case ENIP_SEND_UNIT_DATA:
            if (status != 0 && length == 0) {
                /* an encapsulation error carries no CIP message: it answers the
                 * oldest request waiting on the same sender context */
                struct enip_flow *fs = ctx->flow_state;
                out->dir = OT_DIR_RESPONSE;
                out->pair = OT_PAIR_KEYED;
                out->txn_key = key;
                if (fs && cip_pending_key(&fs->cip, key, &out->txn_key))
                    cip_commit(&fs->cip, NULL, true, out->txn_key);
                break;
            }
            return send_data(&body, cmd, sctx, cut, ctx, out);
        case ENIP_NOP:
        case ENIP_UNREGISTER_SESSION:
        case ENIP_INDICATE_STATUS:
        case ENIP_CANCEL:
        case ENIP_START_DTLS: /* no reply */ break;
        default:
            /* a command 2-3.2 does not define: a target answers it with status
             * 0x0001 and the same sender context */
            out->anomaly = "unknown_command";
            out->pair = OT_PAIR_KEYED;
            out->txn_key = key;
            break;
    }
    return OT_PARSE_OK;
}

const struct ot_dissector enip_dissector = {
    .name = "enip",
    .proto = OT_PROTO_ENIP,
    .l4 = OT_L4_BOTH,
    .ports = {44818, ENIP_PORT_IO, 0},
    .ethertype = 0,
    .probe = enip_probe,
    .pdu_len = enip_pdu_len,
    .parse = enip_parse,
    .flow_state_size = sizeof(struct enip_flow),
    .flow_summary = enip_flow_summary,
    .heuristic = true,
};
