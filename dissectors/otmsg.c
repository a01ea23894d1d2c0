/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: filling the normalized OT message and its bounded detail tape. */
#include <string.h>

#include "otmsg.h"

static const char *const proto_names[OT_PROTO_COUNT] = {
    [OT_PROTO_NONE] = "none",     [OT_PROTO_MODBUS] = "modbus",
    [OT_PROTO_DNP3] = "dnp3",     [OT_PROTO_IEC104] = "iec104",
    [OT_PROTO_S7COMM] = "s7comm", [OT_PROTO_MMS] = "mms",
    [OT_PROTO_GOOSE] = "goose",   [OT_PROTO_ENIP] = "enip",
    [OT_PROTO_BACNET] = "bacnet", [OT_PROTO_OPCUA] = "opcua",
    [OT_PROTO_MQTT] = "mqtt",     [OT_PROTO_PROFINET_DCP] = "profinet_dcp",
};

static const char *const op_names[OT_OP_COUNT] = {
    [OT_OP_OTHER] = "OTHER",       [OT_OP_READ] = "READ",
    [OT_OP_WRITE] = "WRITE",       [OT_OP_CONTROL] = "CONTROL",
    [OT_OP_PROGRAM] = "PROGRAM",   [OT_OP_DIAGNOSTIC] = "DIAGNOSTIC",
    [OT_OP_DISCOVERY] = "DISCOVERY", [OT_OP_TIME_SYNC] = "TIME_SYNC",
    [OT_OP_AUTH] = "AUTH",         [OT_OP_FILE] = "FILE",
};

const char *ot_proto_name(enum ot_proto p)
{
    return (unsigned)p < OT_PROTO_COUNT ? proto_names[p] : "none";
}

const char *ot_op_name(enum ot_op op)
{
    return (unsigned)op < OT_OP_COUNT ? op_names[op] : "OTHER";
}

int ot_proto_from_name(const char *name)
{
    for (int i = 1; i < OT_PROTO_COUNT; i++)
        if (strcmp(proto_names[i], name) == 0)
            return i;
    return -1;
}

int ot_op_from_name(const char *name)
{
    for (int i = 0; i < OT_OP_COUNT; i++)
        if (strcmp(op_names[i], name) == 0)
            return i;
    return -1;
}

void ot_msg_reset(struct ot_msg *m, enum ot_proto proto)
{
    /* Only the header is cleared: the arrays are read up to their counts, and
     * clearing 5 KB per PDU would be the most expensive thing we do. */
    memset(m, 0, offsetof(struct ot_msg, ranges));
    m->proto = proto;
    m->n_values = 0;
    m->values_truncated = false;
    m->has_exception = false;
    m->exception_code = 0;
    m->exception = NULL;
    m->anomaly = NULL;
    m->identity.present = false;
    m->identity.from_server = false;
    m->identity.vendor[0] = m->identity.product[0] = m->identity.model[0] = '\0';
    m->identity.firmware[0] = m->identity.serial[0] = m->identity.name[0] = '\0';
    m->detail.n = 0;
    m->detail.depth = 0;
    m->detail.skipped = 0;
    m->detail.str_used = 0;
    m->detail.truncated = false;
}

void ot_msg_set_function(struct ot_msg *m, uint32_t code, const char *name, enum ot_op op)
{
    m->has_function = true;
    m->function_code = code;
    m->function = name;
    m->op_class = op;
}

void ot_msg_add_range(struct ot_msg *m, const char *space, uint32_t space_id, uint64_t start,
                      uint32_t count)
{
    if (m->n_ranges > 0) {
        struct ot_range *last = &m->ranges[m->n_ranges - 1];
        if (last->space_id == space_id && last->start + last->count == start &&
            UINT32_MAX - last->count >= count) {
            last->count += count;
            return;
        }
    }
    if (m->n_ranges >= OT_MAX_RANGES) {
        m->ranges_truncated = true;
        return;
    }
    m->ranges[m->n_ranges++] = (struct ot_range){space, space_id, count, start};
}

void ot_msg_add_value(struct ot_msg *m, uint32_t space_id, uint64_t addr, double value)
{
    if (m->n_values >= OT_MAX_VALUES) {
        m->values_truncated = true;
        return;
    }
    m->values[m->n_values++] = (struct ot_value){space_id, addr, value};
}

void ot_msg_set_exception(struct ot_msg *m, uint32_t code, const char *name)
{
    m->has_exception = true;
    m->exception_code = code;
    m->exception = name;
}

void ot_ident_set(char dst[OT_IDENT_LEN], const uint8_t *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; p && i < n && o < OT_IDENT_LEN - 1; i++) {
        uint8_t ch = p[i];
        if (ch == '\0')
            break;
        dst[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
}

/* Reserves a slot for an entry and fills its key and type (the caller its
 * value, and len for bytes: the fewer stores, the cheaper the parse path),
 * or drops it when the tape is full (truncated); the slots of pending ENDs
 * stay free. */
static struct ot_kv *kv_take(struct ot_detail *d, const char *key, uint16_t key_len, uint8_t type,
                             size_t extra)
{
    if (d->skipped > 0 || (size_t)d->n + 1 + d->depth + extra > OT_DETAIL_MAX_KV) {
        d->truncated = true;
        return NULL;
    }
    struct ot_kv *kv = &d->kv[d->n++];
    kv->key = key;
    kv->type = type;
    kv->key_len = key_len;
    return kv;
}

void ot_kv_put_u64(struct ot_detail *d, const char *key, uint16_t key_len, uint64_t v)
{
    struct ot_kv *kv = kv_take(d, key, key_len, OT_KV_U64, 0);
    if (kv)
        kv->v.u = v;
}

void ot_kv_put_i64(struct ot_detail *d, const char *key, uint16_t key_len, int64_t v)
{
    struct ot_kv *kv = kv_take(d, key, key_len, OT_KV_I64, 0);
    if (kv)
        kv->v.i = v;
}

void ot_kv_put_dbl(struct ot_detail *d, const char *key, uint16_t key_len, double v)
{
    struct ot_kv *kv = kv_take(d, key, key_len, OT_KV_DBL, 0);
    if (kv)
        kv->v.d = v;
}

void ot_kv_put_bool(struct ot_detail *d, const char *key, uint16_t key_len, bool v)
{
    struct ot_kv *kv = kv_take(d, key, key_len, OT_KV_BOOL, 0);
    if (kv)
        kv->v.u = v;
}

static void kv_bytes(struct ot_detail *d, const char *key, uint16_t key_len, uint8_t type,
                     const void *p, size_t n)
{
    size_t room = OT_DETAIL_STR - d->str_used;
    if (n > room) {
        n = room;
        d->truncated = true;
    }
    struct ot_kv *kv = kv_take(d, key, key_len, type, 0);
    if (!kv)
        return;
    if (n > 0)
        memcpy(d->str + d->str_used, p, n);
    kv->v.u = 0;
    kv->v.off = d->str_used;
    kv->len = (uint16_t)n;
    d->str_used = (uint16_t)(d->str_used + n);
}

void ot_kv_put_str(struct ot_detail *d, const char *key, uint16_t key_len, const void *p, size_t n)
{
    kv_bytes(d, key, key_len, OT_KV_STR, p, n);
}

void ot_kv_put_hex(struct ot_detail *d, const char *key, uint16_t key_len, const void *p, size_t n)
{
    kv_bytes(d, key, key_len, OT_KV_HEX, p, n);
}

static void kv_open(struct ot_detail *d, const char *key, uint16_t key_len, uint8_t type)
{
    /* one more slot for this entry's own END */
    struct ot_kv *kv = kv_take(d, key, key_len, type, 1);
    if (kv) {
        kv->len = 0;
        kv->v.u = 0;
        d->depth++;
    } else {
        d->skipped++;
    }
}

void ot_kv_put_obj(struct ot_detail *d, const char *key, uint16_t key_len)
{
    kv_open(d, key, key_len, OT_KV_OBJ_BEGIN);
}

void ot_kv_put_arr(struct ot_detail *d, const char *key, uint16_t key_len)
{
    kv_open(d, key, key_len, OT_KV_ARR_BEGIN);
}

void ot_kv_end(struct ot_detail *d)
{
    if (d->skipped > 0) {
        d->skipped--;
        return;
    }
    if (d->depth == 0)
        return; /* unbalanced END: a dissector bug, ignored rather than corrupting the tape */
    d->depth--;
    d->kv[d->n++] = (struct ot_kv){.type = OT_KV_END};
}
