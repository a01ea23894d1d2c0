/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: PROFINET DCP (Discovery and basic Configuration Protocol) on
 * ethertype 0x8892: Identify, Hello, Get and Set requests and responses with
 * their blocks (IP parameters, name of station, vendor string, vendor/device
 * id, role, alias, DHCP, control: signal, reset to factory).  The other frames
 * of the PROFINET RT ethertype (cyclic I/O data, alarms, PTCP, fragments) are
 * consumed without a record. */
/* specification: IEC 61158-6-10:2014 (PROFINET IO application layer protocol)
 * section 4.3 (DCP: DCP-PDU syntax 4.3.1.3, field coding 4.3.1.4: ServiceID,
 * ServiceType, Xid, ResponseDelay, DCPDataLength, Option/Suboption, BlockInfo,
 * BlockQualifier, BlockError), section 4.2.2 (FrameID ranges of the RT
 * protocol, table "FrameID range"). */
/*
 * The bytes after the ethertype (the engine strips any 802.1Q tag):
 *   0        1        2        3
 *  +--------+--------+--------+--------+
 *  |     FrameID     |ServiceI|ServiceT|  FrameID 0xfefc Hello, 0xfefd Get/Set,
 *  +--------+--------+--------+--------+  0xfefe Identify request (multicast),
 *  |               Xid                 |  0xfeff Identify response
 *  +--------+--------+--------+--------+
 *  |  ResponseDelay  |  DCPDataLength  |  then DCPDataLength bytes of blocks;
 *  +--------+--------+--------+--------+  Ethernet padding may follow
 *
 * Block (all but Get requests, which list bare Option/Suboption pairs):
 *  +--------+--------+--------+--------+--------+--------+------------+-----+
 *  | Option |Suboptio| DCPBlockLength  | BlockInfo or    | data ...   | pad |
 *  +--------+--------+--------+--------+ BlockQualifier  +------------+-----+
 *  BlockInfo (2) opens the data of responses and of Hello; BlockQualifier (2)
 *  opens the data of Set requests; Identify request (filter) blocks and the
 *  Control/Response blocks of Set/Get responses (Option, Suboption,
 *  BlockError) have neither.  DCPBlockLength counts what follows it, pad
 *  excluded; a block of odd length is followed by one pad byte.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define PN_ETHERTYPE 0x8892

/* FrameIDs (IEC 61158-6-10 section 4.2.2). */
#define PN_FRAME_DCP_HELLO 0xfefc
#define PN_FRAME_DCP_GET_SET 0xfefd
#define PN_FRAME_DCP_IDENTIFY_REQ 0xfefe
#define PN_FRAME_DCP_IDENTIFY_RES 0xfeff
#define PN_FRAME_RT_CLASS_3_FIRST 0x0100 /* isochronous cyclic data */
#define PN_FRAME_RT_CLASS_3_LAST 0x0fff
#define PN_FRAME_RT_CLASS_1_FIRST 0x8000 /* cyclic data, RT_CLASS_1/2 and UDP */
#define PN_FRAME_RT_CLASS_1_LAST 0xfbff

#define DCP_HDR_LEN 10 /* ServiceID .. DCPDataLength */

/* ServiceID (4.3.1.4.1). */
#define DCP_SERVICE_GET 3
#define DCP_SERVICE_SET 4
#define DCP_SERVICE_IDENTIFY 5
#define DCP_SERVICE_HELLO 6

/* ServiceType (4.3.1.4.2): bits 0-1 selection (0 request, 1 response success),
 * bit 2 "ServiceID not supported". */
#define DCP_TYPE_REQUEST 0x00
#define DCP_TYPE_RESPONSE 0x01
#define DCP_TYPE_NOT_SUPPORTED 0x04

/* Options and suboptions (4.3.1.4.6 to 4.3.1.4.20). */
#define DCP_OPT_IP 0x01
#define DCP_SUB_IP_MAC 0x01
#define DCP_SUB_IP_PARAMETER 0x02
#define DCP_SUB_IP_FULL_SUITE 0x03
#define DCP_OPT_DEVICE 0x02
#define DCP_SUB_DEV_VENDOR 0x01 /* manufacturer specific: DeviceVendorValue */
#define DCP_SUB_DEV_NAME_OF_STATION 0x02
#define DCP_SUB_DEV_ID 0x03
#define DCP_SUB_DEV_ROLE 0x04
#define DCP_SUB_DEV_OPTIONS 0x05
#define DCP_SUB_DEV_ALIAS 0x06
#define DCP_SUB_DEV_INSTANCE 0x07
#define DCP_SUB_DEV_OEM_ID 0x08
#define DCP_SUB_DEV_GATEWAY 0x09
#define DCP_OPT_DHCP 0x03
#define DCP_SUB_DHCP_HOST_NAME 12
#define DCP_SUB_DHCP_CLIENT_ID 61
#define DCP_SUB_DHCP_CONTROL 255
#define DCP_OPT_LLDP 0x04
#define DCP_OPT_CONTROL 0x05
#define DCP_SUB_CTRL_START 0x01
#define DCP_SUB_CTRL_STOP 0x02
#define DCP_SUB_CTRL_SIGNAL 0x03
#define DCP_SUB_CTRL_RESPONSE 0x04
#define DCP_SUB_CTRL_FACTORY_RESET 0x05
#define DCP_SUB_CTRL_RESET_TO_FACTORY 0x06
#define DCP_OPT_DEVICE_INITIATIVE 0x06
#define DCP_OPT_ALL_SELECTOR 0xff

/* BlockInfo of the IP parameter (4.3.1.4.12). */
#define DCP_IP_INFO_SET 0x0001
#define DCP_IP_INFO_DHCP 0x0002
#define DCP_IP_INFO_CONFLICT 0x0080

static const struct ot_func dcp_services[] = {
    {DCP_SERVICE_GET, "Get", OT_OP_READ},
    /* Set changes a device's name, IP address or state (signal, reset): a
     * command to the device, not a data write. */
    {DCP_SERVICE_SET, "Set", OT_OP_CONTROL},
    {DCP_SERVICE_IDENTIFY, "Identify", OT_OP_DISCOVERY},
    {DCP_SERVICE_HELLO, "Hello", OT_OP_DISCOVERY},
    {0, NULL, 0},
};

static const struct ot_tok dcp_options[] = {
    {DCP_OPT_IP, "ip"},
    {DCP_OPT_DEVICE, "device_properties"},
    {DCP_OPT_DHCP, "dhcp"},
    {DCP_OPT_LLDP, "lldp"},
    {DCP_OPT_CONTROL, "control"},
    {DCP_OPT_DEVICE_INITIATIVE, "device_initiative"},
    {DCP_OPT_ALL_SELECTOR, "all_selector"},
    {0, NULL},
};

/* Option << 8 | Suboption. */
static const struct ot_tok dcp_suboptions[] = {
    {DCP_OPT_IP << 8 | DCP_SUB_IP_MAC, "mac_address"},
    {DCP_OPT_IP << 8 | DCP_SUB_IP_PARAMETER, "ip_parameter"},
    {DCP_OPT_IP << 8 | DCP_SUB_IP_FULL_SUITE, "full_ip_suite"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_VENDOR, "manufacturer_specific"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_NAME_OF_STATION, "name_of_station"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_ID, "device_id"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_ROLE, "device_role"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_OPTIONS, "device_options"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_ALIAS, "alias_name"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_INSTANCE, "device_instance"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_OEM_ID, "oem_device_id"},
    {DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_GATEWAY, "standard_gateway"},
    {DCP_OPT_DHCP << 8 | DCP_SUB_DHCP_HOST_NAME, "host_name"},
    {DCP_OPT_DHCP << 8 | 43, "vendor_specific"},
    {DCP_OPT_DHCP << 8 | 54, "server_identifier"},
    {DCP_OPT_DHCP << 8 | 55, "parameter_request_list"},
    {DCP_OPT_DHCP << 8 | 60, "class_identifier"},
    {DCP_OPT_DHCP << 8 | DCP_SUB_DHCP_CLIENT_ID, "client_identifier"},
    {DCP_OPT_DHCP << 8 | 81, "fqdn"},
    {DCP_OPT_DHCP << 8 | 97, "uuid_client_identifier"},
    {DCP_OPT_DHCP << 8 | DCP_SUB_DHCP_CONTROL, "control_dhcp"},
    {DCP_OPT_CONTROL << 8 | DCP_SUB_CTRL_START, "start_transaction"},
    {DCP_OPT_CONTROL << 8 | DCP_SUB_CTRL_STOP, "end_transaction"},
    {DCP_OPT_CONTROL << 8 | DCP_SUB_CTRL_SIGNAL, "signal"},
    {DCP_OPT_CONTROL << 8 | DCP_SUB_CTRL_RESPONSE, "response"},
    {DCP_OPT_CONTROL << 8 | DCP_SUB_CTRL_FACTORY_RESET, "factory_reset"},
    {DCP_OPT_CONTROL << 8 | DCP_SUB_CTRL_RESET_TO_FACTORY, "reset_to_factory"},
    {DCP_OPT_DEVICE_INITIATIVE << 8 | 0x01, "device_initiative"},
    {DCP_OPT_ALL_SELECTOR << 8 | 0xff, "all_selector"},
    {0, NULL},
};

/* DeviceRoleDetails bits (4.3.1.4.16). */
static const struct ot_tok dcp_roles[] = {
    {0x01, "io_device"}, {0x02, "io_controller"}, {0x04, "io_multidevice"}, {0x08, "io_supervisor"},
    {0, NULL},
};

/* BlockError of a Control/Response block (4.3.1.4.9). */
static const struct ot_tok dcp_block_errors[] = {
    {0, "no_error"},
    {1, "option_not_supported"},
    {2, "suboption_not_supported"},
    {3, "suboption_not_set"},
    {4, "resource_error"},
    {5, "set_not_possible_local_reasons"},
    {6, "set_not_possible_in_operation"},
    {0, NULL},
};

/* Caps. */
/* Blocks walked in one PDU: a 1500-byte frame holds at most 375 empty
 * blocks; the cap bounds the loop and the detail. */
#define DCP_MAX_BLOCKS 64
/* Blocks listed by name in the detail (the tape is shared). */
#define DCP_MAX_DETAIL_BLOCKS 16
/* Bytes of one station name / vendor string copied into the detail
 * (NameOfStation is at most 240 octets, 4.3.1.4.14). */
#define DCP_MAX_STR 240
#define DCP_MAX_NAME_OF_STATION 240 /* 4.3.1.4.14: longer is flagged (a parser overflow probe) */

/* How the data of a block begins (see the diagram). */
enum block_head {
    HEAD_NONE,      /* Identify request filter blocks */
    HEAD_INFO,      /* BlockInfo: responses, Hello */
    HEAD_QUALIFIER, /* BlockQualifier: Set requests */
};

static void kv_ipv4(struct ot_detail *d, const char *key, struct cur *c)
{
    char buf[16];
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t b = cur_u8(c);
        if (i)
            buf[o++] = '.';
        if (b >= 100)
            buf[o++] = (char)('0' + b / 100);
        if (b >= 10)
            buf[o++] = (char)('0' + b / 10 % 10);
        buf[o++] = (char)('0' + b % 10);
    }
    if (cur_ok(c))
        ot_kv_str(d, key, buf, o);
}

static void kv_mac(struct ot_detail *d, const char *key, struct cur *c)
{
    static const char hex[] = "0123456789abcdef";
    char buf[17];
    size_t o = 0;
    for (int i = 0; i < 6; i++) {
        uint8_t b = cur_u8(c);
        if (i)
            buf[o++] = ':';
        buf[o++] = hex[b >> 4];
        buf[o++] = hex[b & 15];
    }
    if (cur_ok(c))
        ot_kv_str(d, key, buf, o);
}

static void kv_text(struct ot_detail *d, const char *key, struct cur *c)
{
    size_t n = cur_left(c);
    const uint8_t *p = cur_bytes(c, n);
    ot_kv_str(d, key, p, n < DCP_MAX_STR ? n : DCP_MAX_STR);
}

/* Decodes the data of one block (cursor `b` holds exactly its data, after
 * any BlockInfo/BlockQualifier) into the detail and identity.  `ident`:
 * the block describes the sender (responses and Hello), not a value being
 * set or a filter. */
static void rd_block_data(struct ot_msg *out, struct cur *b, uint8_t opt, uint8_t sub, bool ident,
                          bool set)
{
    struct ot_detail *d = &out->detail;
    struct ot_identity *id = &out->identity;
    switch (opt << 8 | sub) {
        case DCP_OPT_IP << 8 | DCP_SUB_IP_MAC: kv_mac(d, "mac_address", b); break;
        case DCP_OPT_IP << 8 | DCP_SUB_IP_PARAMETER:
        case DCP_OPT_IP << 8 | DCP_SUB_IP_FULL_SUITE:
            kv_ipv4(d, "ip", b);
            kv_ipv4(d, "netmask", b);
            kv_ipv4(d, "gateway", b);
            if (sub == DCP_SUB_IP_FULL_SUITE && cur_left(b) >= 4)
                kv_ipv4(d, "dns", b);
            break;
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_VENDOR: {
            size_t n = cur_left(b);
            const uint8_t *p = cur_bytes(b, n);
            ot_kv_str(d, "type_of_station", p, n < DCP_MAX_STR ? n : DCP_MAX_STR);
            if (ident && n > 0) {
                ot_ident_set(id->product, p, n);
                id->present = true;
            }
            break;
        }
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_NAME_OF_STATION: {
            size_t n = cur_left(b);
            const uint8_t *p = cur_bytes(b, n);
            ot_kv_str(d, set ? "set_name_of_station" : "name_of_station", p,
                      n < DCP_MAX_STR ? n : DCP_MAX_STR);
            if (n > DCP_MAX_NAME_OF_STATION) {
                ot_kv_u64(d, "name_of_station_length", n);
                if (!out->anomaly)
                    out->anomaly = "name_of_station_too_long";
            }
            if (ident && n > 0) {
                ot_ident_set(id->name, p, n);
                id->present = true;
            }
            break;
        }
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_ID:
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_OEM_ID: {
            bool oem = sub == DCP_SUB_DEV_OEM_ID;
            uint16_t vendor = cur_be16(b);
            uint16_t device = cur_be16(b);
            if (!cur_ok(b))
                break;
            ot_kv_u64(d, oem ? "oem_vendor_id" : "vendor_id", vendor);
            ot_kv_u64(d, oem ? "oem_device_id" : "device_id", device);
            break;
        }
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_ROLE: {
            uint8_t role = cur_u8(b);
            if (!cur_ok(b))
                break;
            ot_kv_u64(d, "device_role", role);
            ot_kv_arr(d, "device_roles");
            for (const struct ot_tok *t = dcp_roles; t->s; t++)
                if (role & t->v)
                    ot_kv_cstr(d, NULL, t->s);
            ot_kv_end(d);
            break;
        }
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_OPTIONS:
            /* Option/Suboption pairs the device supports. */
            ot_kv_u64(d, "device_options_count", cur_left(b) / 2);
            break;
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_ALIAS: kv_text(d, "alias_name", b); break;
        case DCP_OPT_DEVICE << 8 | DCP_SUB_DEV_INSTANCE: {
            uint8_t hi = cur_u8(b);
            uint8_t lo = cur_u8(b);
            if (cur_ok(b))
                ot_kv_u64(d, "device_instance", (uint32_t)hi << 8 | lo);
            break;
        }
        case DCP_OPT_DHCP << 8 | DCP_SUB_DHCP_HOST_NAME: kv_text(d, "dhcp_host_name", b); break;
        case DCP_OPT_CONTROL << 8 | DCP_SUB_CTRL_SIGNAL: {
            uint16_t v = cur_be16(b);
            if (cur_ok(b))
                ot_kv_u64(d, "signal_value", v);
            break;
        }
        case DCP_OPT_DEVICE_INITIATIVE << 8 | 0x01: {
            uint16_t v = cur_be16(b);
            if (cur_ok(b))
                ot_kv_bool(d, "issue_hello", v & 1);
            break;
        }
        default: break;
    }
}

/* The name of a block for the detail. */
static const char *block_name(uint8_t opt, uint8_t sub)
{
    const char *name = ot_tok_name(dcp_suboptions, (uint32_t)opt << 8 | sub);
    if (name)
        return name;
    name = ot_tok_name(dcp_options, opt);
    return name ? name : (opt >= 0x80 ? "manufacturer_specific" : "unknown");
}

/* A Control/Response block of a Set or Get response (4.3.1.4.9): the block
 * answered and its BlockError. */
static void rd_result(struct ot_msg *out, struct cur *b)
{
    struct ot_detail *d = &out->detail;
    uint8_t ropt = cur_u8(b);
    uint8_t rsub = cur_u8(b);
    uint8_t err = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_cstr(d, "suboption", block_name(ropt, rsub));
    ot_kv_u64(d, "block_error", err);
    if (err != 0 && !out->has_exception)
        ot_msg_set_exception(out, err, ot_tok_name(dcp_block_errors, err));
}

/* First walk over the blocks of the DCP data: checks every block length
 * against DCPDataLength (fails the cursor as invalid otherwise) and lists the
 * blocks in the detail, with the BlockQualifier of Set requests and the
 * result of Control/Response blocks. */
static void rd_blocks(struct ot_msg *out, struct cur *c, enum block_head head)
{
    struct ot_detail *d = &out->detail;
    unsigned n = 0;
    ot_kv_arr(d, "blocks");
    while (cur_left(c) > 0) {
        if (n >= DCP_MAX_BLOCKS) {
            out->anomaly = "too_many_blocks";
            break;
        }
        uint8_t opt = cur_u8(c);
        uint8_t sub = cur_u8(c);
        uint16_t len = cur_be16(c);
        struct cur b = cur_sub(c, len);
        /* 4.3.1.3: a block overrunning DCPDataLength, or too short for its
         * BlockInfo / BlockQualifier (a Control/Response block has neither:
         * Option, Suboption, BlockError). */
        bool is_result = opt == DCP_OPT_CONTROL && sub == DCP_SUB_CTRL_RESPONSE;
        if (!cur_ok(c) || (head != HEAD_NONE && !is_result && len < 2)) {
            cur_fail(c, CUR_INVALID);
            break;
        }
        if ((len & 1) && cur_left(c) > 0)
            cur_skip(c, 1); /* padding to an even length */
        if (n++ >= DCP_MAX_DETAIL_BLOCKS)
            continue;
        ot_kv_obj(d, NULL);
        ot_kv_cstr(d, "option", block_name(opt, sub));
        if (is_result)
            rd_result(out, &b);
        else if (head == HEAD_QUALIFIER)
            ot_kv_u64(d, "qualifier", cur_be16(&b));
        ot_kv_end(d);
    }
    ot_kv_end(d);
}

/* Second walk, over blocks rd_blocks validated: the decoded fields. */
static void rd_block_fields(struct ot_msg *out, struct cur c, enum block_head head, bool ident,
                            bool set)
{
    struct ot_detail *d = &out->detail;
    for (unsigned n = 0; cur_left(&c) > 0 && cur_ok(&c) && n < DCP_MAX_BLOCKS; n++) {
        uint8_t opt = cur_u8(&c);
        uint8_t sub = cur_u8(&c);
        uint16_t len = cur_be16(&c);
        struct cur b = cur_sub(&c, len);
        if (!cur_ok(&c))
            break;
        if ((len & 1) && cur_left(&c) > 0)
            cur_skip(&c, 1);
        if (opt == DCP_OPT_CONTROL && sub == DCP_SUB_CTRL_RESPONSE)
            continue; /* listed with the blocks */
        uint16_t info = 0;
        if (head != HEAD_NONE) {
            info = cur_be16(&b);
            if (!cur_ok(&b))
                break;
        }
        if (head == HEAD_INFO && opt == DCP_OPT_IP && sub == DCP_SUB_IP_PARAMETER) {
            ot_kv_bool(d, "ip_set", info & DCP_IP_INFO_SET);
            ot_kv_bool(d, "ip_set_by_dhcp", info & DCP_IP_INFO_DHCP);
            if (info & DCP_IP_INFO_CONFLICT)
                ot_kv_bool(d, "ip_conflict", true);
        }
        rd_block_data(out, &b, opt, sub, ident, set);
    }
}

static enum ot_probe pndcp_probe(const uint8_t *p, size_t len, bool to_server)
{
    (void)to_server;
    struct cur c = cur_init(p, len);
    if (len < 2 + DCP_HDR_LEN)
        return OT_PROBE_NEED_MORE;
    uint16_t frame = cur_be16(&c);
    uint8_t service = cur_u8(&c);
    if (frame < PN_FRAME_DCP_HELLO || frame > PN_FRAME_DCP_IDENTIFY_RES)
        return OT_PROBE_NO;
    return ot_func_find(dcp_services, service) ? OT_PROBE_YES : OT_PROBE_NO;
}

static enum ot_parse pndcp_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    (void)ctx; /* ethertype dissector: no flow state, no direction */
    struct ot_detail *d = &out->detail;
    uint16_t frame = cur_be16(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    if (frame < PN_FRAME_DCP_HELLO || frame > PN_FRAME_DCP_IDENTIFY_RES) {
        /* Cyclic RT data (RT_CLASS_3 0x0100-0x0fff, RT_CLASS_1/2/UDP
         * 0x8000-0xfbff), alarms (0xfc01, 0xfe01), PTCP and fragments: not
         * DCP, no record per frame.  The engine counts the frames per sender
         * MAC with the ethertype. */
        return OT_PARSE_NONE;
    }
    uint8_t service = cur_u8(c);
    uint8_t type = cur_u8(c);
    uint32_t xid = cur_be32(c);
    uint16_t delay = cur_be16(c);
    uint16_t data_len = cur_be16(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    const struct ot_func *f = ot_func_find(dcp_services, service);
    if (!f)
        return OT_PARSE_INVALID;
    if (data_len > cur_left(c))
        return OT_PARSE_TRUNC;
    struct cur data = cur_sub(c, data_len); /* Ethernet padding may follow */

    bool response = (type & 0x03) == DCP_TYPE_RESPONSE;
    if ((type & 0x03) > DCP_TYPE_RESPONSE)
        return OT_PARSE_INVALID; /* 4.3.1.4.2: selection values 2 and 3 are reserved */
    ot_msg_set_function(out, service, f->name, (enum ot_op)f->op);
    out->dir = response ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
    if (service != DCP_SERVICE_HELLO) {
        /* Hello is unanswered; the others answer on the Xid (4.3.1.4.3) and
         * the service (a tool may use one Xid for an Identify and the Set
         * that follows).  The engine pairs layer 2 requests sent to one
         * station with the response between the same two stations. */
        out->pair = OT_PAIR_KEYED;
        out->txn_key = (xid * 16777619u) ^ service;
    }
    ot_kv_u64(d, "frame_id", frame);
    ot_kv_cstr(d, "service_type",
               !response                         ? "request"
               : (type & DCP_TYPE_NOT_SUPPORTED) ? "response_not_supported"
                                                 : "response_success");
    ot_kv_u64(d, "xid", xid);
    if (service == DCP_SERVICE_IDENTIFY && !response)
        ot_kv_u64(d, "response_delay", delay);
    ot_kv_u64(d, "dcp_data_length", data_len);
    if (type & DCP_TYPE_NOT_SUPPORTED)
        ot_msg_set_exception(out, type, "service_not_supported");

    /* The FrameID each service uses (4.3.1.3). */
    uint16_t want = service == DCP_SERVICE_HELLO      ? PN_FRAME_DCP_HELLO
                    : service != DCP_SERVICE_IDENTIFY ? PN_FRAME_DCP_GET_SET
                    : response                        ? PN_FRAME_DCP_IDENTIFY_RES
                                                      : PN_FRAME_DCP_IDENTIFY_REQ;
    /* Identify requests may also be sent unicast on the Get/Set FrameID. */
    if (frame != want && !(service == DCP_SERVICE_IDENTIFY && frame == PN_FRAME_DCP_GET_SET))
        out->anomaly = "frame_id_service_mismatch";

    if (service == DCP_SERVICE_GET && !response) {
        /* A Get request lists bare Option/Suboption pairs (4.3.1.3). */
        ot_kv_arr(d, "blocks");
        for (unsigned n = 0; cur_left(&data) >= 2 && n < DCP_MAX_BLOCKS; n++) {
            uint8_t opt = cur_u8(&data);
            uint8_t sub = cur_u8(&data);
            if (n >= DCP_MAX_DETAIL_BLOCKS)
                continue;
            ot_kv_obj(d, NULL);
            ot_kv_cstr(d, "option", block_name(opt, sub));
            ot_kv_end(d);
        }
        ot_kv_end(d);
        if (cur_left(&data) == 1)
            out->anomaly = "odd_get_request_length";
        return OT_PARSE_OK;
    }

    enum block_head head = response || service == DCP_SERVICE_HELLO ? HEAD_INFO
                           : service == DCP_SERVICE_SET             ? HEAD_QUALIFIER
                                                                    : HEAD_NONE;
    bool ident = response || service == DCP_SERVICE_HELLO;
    bool set = service == DCP_SERVICE_SET && !response;
    struct cur copy = data;
    rd_blocks(out, &data, head);
    if (!cur_ok(&data))
        return OT_PARSE_INVALID;
    rd_block_fields(out, copy, head, ident, set);
    if (out->identity.present)
        out->identity.from_server = true;
    return OT_PARSE_OK;
}

const struct ot_dissector pndcp_dissector = {
    .name = "profinet_dcp",
    .proto = OT_PROTO_PROFINET_DCP,
    .l4 = 0,
    .ports = {0},
    .ethertype = PN_ETHERTYPE,
    .probe = pndcp_probe,
    .pdu_len = NULL,
    .parse = pndcp_parse,
    .flow_state_size = 0,
    .flow_summary = NULL,
    .heuristic = false,
};
