/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: CIP explicit messages (Message Router requests and responses): services
 * named per object class, request paths (EPATH), Multiple_Service_Packet unpacked,
 * Unconnected_Send unwrapped, Connection Manager Forward_Open/Forward_Close, Logix
 * tag services, Identity object replies.  A helper module of enip.c. */
/* specification: ODVA, The CIP Networks Library Vol. 1, Common Industrial Protocol,
 * edition 3: 2-4 (Message Router request/response format), 3-5.5 (Connection
 * Manager services: Forward_Open, Large_Forward_Open, Forward_Close,
 * Unconnected_Send), 4-4 and Appendix A (common services, Multiple_Service_Packet),
 * Appendix B (general status codes), Appendix C (EPATH segments), 5-2 (Identity
 * object), 5-42 (File object).  Rockwell Automation 1756-PM020 (Logix 5000 Data
 * Access: Read/Write Tag, fragmented and Read-Modify-Write tag services). */
/*
 * Message Router request
 * +---------+---------------+------------+--------+
 * | service | path words(1) | path (2*n) | data   |
 * +---------+---------------+------------+--------+
 * Message Router response
 * +---------------+----------+------------+-------------+---------------+------+
 * | service|0x80  | reserved | general    | add'l words | add'l status  | data |
 * | (1)           | (1)      | status (1) | (1)         | (2*n)         | ...  |
 * +---------------+----------+------------+-------------+---------------+------+
 *
 * EPATH segment type byte (padded EPATH: every segment is an even number of bytes)
 *   0 0 0 E pppp   port segment: E = extended link address (size byte follows),
 *                  pppp = port (15: a 16-bit port follows), then the link address
 *   0 0 1 LLL FF   logical: LLL 0 class, 1 instance, 2 member, 3 connection point,
 *                  4 attribute, 5 special (electronic key), 6 service, 7 extended;
 *                  FF 0 8-bit value, 1 pad + 16-bit, 2 pad + 32-bit
 *   0 1 0 sssss    network segment (bit 4 set: a size in words follows)
 *   0 1 1 nnnnn    symbolic segment of n bytes
 *   1 0 0 10001    0x91 ANSI extended symbol: size byte, symbol, pad to even
 *
 * Multiple_Service_Packet data: count (2) | offsets (2 * count, from the count) |
 *   embedded requests (or responses) back to back.
 * Unconnected_Send data: priority/tick (1) | timeout ticks (1) | message size (2) |
 *   message | pad when size is odd | route path words (1) | reserved (1) | route path
 */
#include <math.h>
#include <string.h>

#include "cip.h"
#include "sbuf.h"
#include "tok.h"

#define CIP_RESPONSE 0x80

/* Common services (Vol. 1 Appendix A) */
#define CIP_SVC_GET_ATTRIBUTES_ALL 0x01
#define CIP_SVC_SET_ATTRIBUTES_ALL 0x02
#define CIP_SVC_GET_ATTRIBUTE_LIST 0x03
#define CIP_SVC_SET_ATTRIBUTE_LIST 0x04
#define CIP_SVC_MULTIPLE_SERVICE_PACKET 0x0a
#define CIP_SVC_GET_ATTRIBUTE_SINGLE 0x0e
#define CIP_SVC_SET_ATTRIBUTE_SINGLE 0x10
#define CIP_SVC_OBJECT_SPECIFIC 0x4b /* 0x4b-0x63: meaning depends on the class */

/* Connection Manager (class 0x06) services */
#define CIP_CM_FORWARD_CLOSE 0x4e
#define CIP_CM_UNCONNECTED_SEND 0x52
#define CIP_CM_FORWARD_OPEN 0x54
#define CIP_CM_LARGE_FORWARD_OPEN 0x5b

/* Logix tag services (symbolic paths, Symbol object 0x6b) */
#define LOGIX_READ_TAG 0x4c
#define LOGIX_WRITE_TAG 0x4d
#define LOGIX_READ_MODIFY_WRITE_TAG 0x4e
#define LOGIX_READ_TAG_FRAGMENTED 0x52
#define LOGIX_WRITE_TAG_FRAGMENTED 0x53
#define LOGIX_TYPE_STRUCT 0x02a0 /* abbreviated structure type: a 16-bit handle follows */

/* Classes */
#define CIP_CLASS_IDENTITY 0x01
#define CIP_CLASS_CONNECTION_MANAGER 0x06
#define CIP_CLASS_FILE 0x37
#define CIP_CLASS_MODBUS 0x44
#define CIP_CLASS_PCCC 0x67
#define CIP_CLASS_SYMBOL 0x6b
#define CIP_CLASS_TEMPLATE 0x6c

/* Identity object attributes */
#define CIP_ID_VENDOR 1
#define CIP_ID_DEVICE_TYPE 2
#define CIP_ID_PRODUCT_CODE 3
#define CIP_ID_REVISION 4
#define CIP_ID_SERIAL 6
#define CIP_ID_PRODUCT_NAME 7

/* General status (Vol. 1 Appendix B) */
#define CIP_GS_SUCCESS 0x00
#define CIP_GS_CONNECTION_FAILURE 0x01
#define CIP_GS_PARTIAL_TRANSFER 0x06 /* a fragmented read in progress, not an error */

/* EPATH segment types (Appendix C) */
#define SEG_TYPE_MASK 0xe0
#define SEG_PORT 0x00
#define SEG_LOGICAL 0x20
#define SEG_NETWORK 0x40
#define SEG_SYMBOLIC 0x60
#define SEG_DATA 0x80
#define SEG_DATA_SIMPLE 0x80
#define SEG_DATA_ANSI_SYMBOL 0x91
#define SEG_PORT_EXTENDED_LINK 0x10
#define SEG_PORT_EXTENDED_PORT 0x0f
#define SEG_NETWORK_SIZED 0x10
#define LOGICAL_CLASS 0
#define LOGICAL_INSTANCE 1
#define LOGICAL_MEMBER 2
#define LOGICAL_CONNECTION_POINT 3
#define LOGICAL_ATTRIBUTE 4
#define LOGICAL_SPECIAL 5
#define LOGICAL_SERVICE 6
#define ELECTRONIC_KEY_FORMAT 4

/* Object namespaces: where an object-specific service code (>= 0x4b) is looked up. */
enum cip_ns {
    NS_GENERIC = 0,
    NS_CM,
    NS_LOGIX,
    NS_TEMPLATE,
    NS_FILE,
    NS_PCCC,
    NS_MODBUS,
};

static const struct ot_func cip_common_services[] = {
    {0x01, "Get_Attributes_All", OT_OP_READ},
    {0x02, "Set_Attributes_All", OT_OP_WRITE},
    {0x03, "Get_Attribute_List", OT_OP_READ},
    {0x04, "Set_Attribute_List", OT_OP_WRITE},
    {0x05, "Reset", OT_OP_CONTROL},
    {0x06, "Start", OT_OP_CONTROL},
    {0x07, "Stop", OT_OP_CONTROL},
    {0x08, "Create", OT_OP_WRITE},
    {0x09, "Delete", OT_OP_WRITE},
    {0x0a, "Multiple_Service_Packet", OT_OP_OTHER},
    {0x0d, "Apply_Attributes", OT_OP_WRITE},
    {0x0e, "Get_Attribute_Single", OT_OP_READ},
    {0x10, "Set_Attribute_Single", OT_OP_WRITE},
    {0x11, "Find_Next_Object_Instance", OT_OP_READ},
    {0x14, "Error_Response", OT_OP_OTHER},
    {0x15, "Restore", OT_OP_WRITE},
    {0x16, "Save", OT_OP_OTHER},
    {0x17, "No_Operation", OT_OP_OTHER},
    {0x18, "Get_Member", OT_OP_READ},
    {0x19, "Set_Member", OT_OP_WRITE},
    {0x1a, "Insert_Member", OT_OP_WRITE},
    {0x1b, "Remove_Member", OT_OP_WRITE},
    {0x1c, "GroupSync", OT_OP_OTHER},
    {0, NULL, 0},
};

static const struct ot_func cip_cm_services[] = {
    {0x4e, "Forward_Close", OT_OP_OTHER},         {0x52, "Unconnected_Send", OT_OP_OTHER},
    {0x54, "Forward_Open", OT_OP_OTHER},          {0x56, "Get_Connection_Data", OT_OP_READ},
    {0x57, "Search_Connection_Data", OT_OP_READ}, {0x5a, "Get_Connection_Owner", OT_OP_READ},
    {0x5b, "Large_Forward_Open", OT_OP_OTHER},    {0, NULL, 0},
};

static const struct ot_func cip_logix_services[] = {
    {0x4c, "Read_Tag", OT_OP_READ},
    {0x4d, "Write_Tag", OT_OP_WRITE},
    {0x4e, "Read_Modify_Write_Tag", OT_OP_WRITE},
    {0x52, "Read_Tag_Fragmented", OT_OP_READ},
    {0x53, "Write_Tag_Fragmented", OT_OP_WRITE},
    {0x55, "Get_Instance_Attribute_List", OT_OP_READ},
    {0, NULL, 0},
};

static const struct ot_func cip_template_services[] = {
    {0x4c, "Read_Template", OT_OP_READ},
    {0, NULL, 0},
};

/* File object: EDS files, but also program and firmware images. */
static const struct ot_func cip_file_services[] = {
    {0x4b, "Initiate_Upload", OT_OP_PROGRAM},
    {0x4c, "Initiate_Download", OT_OP_PROGRAM},
    {0x4d, "Initiate_Partial_Read", OT_OP_PROGRAM},
    {0x4e, "Initiate_Partial_Write", OT_OP_PROGRAM},
    {0x4f, "Upload_Transfer", OT_OP_PROGRAM},
    {0x50, "Download_Transfer", OT_OP_PROGRAM},
    {0x51, "Clear_File", OT_OP_PROGRAM},
    {0, NULL, 0},
};

static const struct ot_func cip_pccc_services[] = {
    {0x4b, "Execute_PCCC", OT_OP_OTHER},
    {0, NULL, 0},
};

static const struct ot_func cip_modbus_services[] = {
    {0x4b, "Read_Discrete_Inputs", OT_OP_READ}, {0x4c, "Read_Coils", OT_OP_READ},
    {0x4d, "Read_Input_Registers", OT_OP_READ}, {0x4e, "Read_Holding_Registers", OT_OP_READ},
    {0x4f, "Write_Coils", OT_OP_WRITE},         {0x50, "Write_Holding_Registers", OT_OP_WRITE},
    {0x51, "Modbus_Passthrough", OT_OP_OTHER},  {0, NULL, 0},
};

static const struct ot_tok cip_class_names[] = {
    {0x01, "Identity"},
    {0x02, "Message Router"},
    {0x03, "DeviceNet"},
    {0x04, "Assembly"},
    {0x05, "Connection"},
    {0x06, "Connection Manager"},
    {0x07, "Register"},
    {0x08, "Discrete Input Point"},
    {0x09, "Discrete Output Point"},
    {0x0a, "Analog Input Point"},
    {0x0b, "Analog Output Point"},
    {0x0e, "Presence Sensing"},
    {0x0f, "Parameter"},
    {0x10, "Parameter Group"},
    {0x12, "Group"},
    {0x29, "Control Supervisor"},
    {0x2a, "AC/DC Drive"},
    {0x37, "File"},
    {0x39, "Safety Supervisor"},
    {0x3a, "Safety Validator"},
    {0x41, "Event Log"},
    {0x43, "Time Sync"},
    {0x44, "Modbus"},
    {0x47, "Device Level Ring"},
    {0x48, "QoS"},
    {0x5d, "CIP Security"},
    {0x5e, "EtherNet/IP Security"},
    {0x5f, "Certificate Management"},
    {0x67, "PCCC"},
    {0x6b, "Symbol"},
    {0x6c, "Template"},
    {0xf0, "ControlNet"},
    {0xf4, "Port"},
    {0xf5, "TCP/IP Interface"},
    {0xf6, "Ethernet Link"},
    {0, NULL},
};

/* Address space names (cip.h) of the common classes, lower_snake_case. */
static const struct ot_tok cip_class_spaces[] = {
    {0x01, "identity"},
    {0x02, "message_router"},
    {0x03, "devicenet"},
    {0x04, "assembly"},
    {0x05, "connection"},
    {0x06, "connection_manager"},
    {0x07, "register"},
    {0x08, "discrete_input_point"},
    {0x09, "discrete_output_point"},
    {0x0a, "analog_input_point"},
    {0x0b, "analog_output_point"},
    {0x0e, "presence_sensing"},
    {0x0f, "parameter"},
    {0x10, "parameter_group"},
    {0x12, "group"},
    {0x29, "control_supervisor"},
    {0x2a, "ac_dc_drive"},
    {0x37, "file"},
    {0x39, "safety_supervisor"},
    {0x3a, "safety_validator"},
    {0x41, "event_log"},
    {0x43, "time_sync"},
    {0x44, "modbus"},
    {0x47, "device_level_ring"},
    {0x48, "qos"},
    {0x5d, "cip_security"},
    {0x5e, "ethernetip_security"},
    {0x5f, "certificate_management"},
    {0x67, "pccc"},
    {0x6b, "symbol"},
    {0x6c, "template"},
    {0xf0, "controlnet"},
    {0xf4, "port"},
    {0xf5, "tcpip_interface"},
    {0xf6, "ethernet_link"},
    {0, NULL},
};

static const struct ot_tok cip_general_status[] = {
    {0x00, "success"},
    {0x01, "connection failure"},
    {0x02, "resource unavailable"},
    {0x03, "invalid parameter value"},
    {0x04, "path segment error"},
    {0x05, "path destination unknown"},
    {0x06, "partial transfer"},
    {0x07, "connection lost"},
    {0x08, "service not supported"},
    {0x09, "invalid attribute value"},
    {0x0a, "attribute list error"},
    {0x0b, "already in requested mode/state"},
    {0x0c, "object state conflict"},
    {0x0d, "object already exists"},
    {0x0e, "attribute not settable"},
    {0x0f, "privilege violation"},
    {0x10, "device state conflict"},
    {0x11, "reply data too large"},
    {0x12, "fragmentation of a primitive value"},
    {0x13, "not enough data"},
    {0x14, "attribute not supported"},
    {0x15, "too much data"},
    {0x16, "object does not exist"},
    {0x17, "service fragmentation sequence not in progress"},
    {0x18, "no stored attribute data"},
    {0x19, "store operation failure"},
    {0x1a, "routing failure, request packet too large"},
    {0x1b, "routing failure, response packet too large"},
    {0x1c, "missing attribute list entry data"},
    {0x1d, "invalid attribute value list"},
    {0x1e, "embedded service error"},
    {0x1f, "vendor specific error"},
    {0x20, "invalid parameter"},
    {0x21, "write-once value or medium already written"},
    {0x22, "invalid reply received"},
    {0x23, "buffer overflow"},
    {0x24, "message format error"},
    {0x25, "key failure in path"},
    {0x26, "path size invalid"},
    {0x27, "unexpected attribute in list"},
    {0x28, "invalid member id"},
    {0x29, "member not settable"},
    {0x2a, "group 2 only server general failure"},
    {0x2b, "unknown Modbus error"},
    {0x2c, "attribute not gettable"},
    {0, NULL},
};

/* Connection Manager extended status (general status 0x01), Vol. 1 3-5.6. */
static const struct ot_tok cip_cm_ext_status[] = {
    {0x0100, "connection in use or duplicate forward open"},
    {0x0103, "transport class and trigger combination not supported"},
    {0x0106, "ownership conflict"},
    {0x0107, "target connection not found"},
    {0x0108, "invalid network connection parameter"},
    {0x0109, "invalid connection size"},
    {0x0110, "target for connection not configured"},
    {0x0111, "RPI not supported"},
    {0x0112, "RPI value(s) not acceptable"},
    {0x0113, "out of connections"},
    {0x0114, "vendor id or product code mismatch"},
    {0x0115, "device type mismatch"},
    {0x0116, "revision mismatch"},
    {0x0117, "invalid produced or consumed application path"},
    {0x0118, "invalid or inconsistent configuration application path"},
    {0x0119, "non-listen only connection not opened"},
    {0x011a, "target object out of connections"},
    {0x011b, "RPI is smaller than the production inhibit time"},
    {0x0203, "connection timed out"},
    {0x0204, "unconnected request timed out"},
    {0x0205, "parameter error in unconnected request"},
    {0x0206, "message too large for unconnected send"},
    {0x0207, "unconnected acknowledged without reply"},
    {0x0301, "no buffer memory available"},
    {0x0302, "network bandwidth not available for data"},
    {0x0311, "port not available"},
    {0x0312, "link address not valid"},
    {0x0315, "invalid segment in connection path"},
    {0x0316, "forward close connection path mismatch"},
    {0x031c, "miscellaneous"},
    {0, NULL},
};

/* Device types (Vol. 1 6-7, the Identity object's attribute 2). */
static const struct ot_tok cip_device_types[] = {
    {0x00, "Generic Device (deprecated)"},
    {0x02, "AC Drive"},
    {0x03, "Motor Overload"},
    {0x04, "Limit Switch"},
    {0x05, "Inductive Proximity Switch"},
    {0x06, "Photoelectric Sensor"},
    {0x07, "General Purpose Discrete I/O"},
    {0x09, "Resolver"},
    {0x0c, "Communications Adapter"},
    {0x0e, "Programmable Logic Controller"},
    {0x10, "Position Controller"},
    {0x13, "DC Drive"},
    {0x15, "Contactor"},
    {0x16, "Motor Starter"},
    {0x17, "Soft Start"},
    {0x18, "Human-Machine Interface"},
    {0x1a, "Mass Flow Controller"},
    {0x1b, "Pneumatic Valve"},
    {0x1c, "Vacuum Pressure Gauge"},
    {0x1d, "Process Control Value"},
    {0x1e, "Residual Gas Analyzer"},
    {0x1f, "DC Power Generator"},
    {0x20, "RF Power Generator"},
    {0x21, "Turbomolecular Vacuum Pump"},
    {0x22, "Encoder"},
    {0x23, "Safety Discrete I/O Device"},
    {0x24, "Fluid Flow Controller"},
    {0x25, "CIP Motion Drive"},
    {0x26, "CompoNet Repeater"},
    {0x27, "Mass Flow Controller, Enhanced"},
    {0x28, "CIP Modbus Device"},
    {0x29, "CIP Modbus Translator"},
    {0x2a, "Safety Analog I/O Device"},
    {0x2b, "Generic Device (keyable)"},
    {0x2c, "Managed Ethernet Switch"},
    {0x2d, "CIP Motion Safety Drive Device"},
    {0x2e, "Safety Drive Device"},
    {0x2f, "CIP Motion Encoder"},
    {0x30, "CIP Motion Converter"},
    {0x31, "CIP Motion I/O"},
    {0x32, "ControlNet Physical Layer Component"},
    {0x33, "Circuit Breaker"},
    {0x34, "HART Device"},
    {0x35, "CIP-HART Translator"},
    {0xc8, "Embedded Component"},
    {0, NULL},
};

/* The vendor ids most often met on plant networks (ODVA's registry holds
 * over a thousand); the others are written as "vendor <id>". */
static const struct ot_tok cip_vendors[] = {
    {1, "Rockwell Automation/Allen-Bradley"},
    {5, "Rockwell Automation/Reliance Electric"},
    {8, "Molex"},
    {26, "Festo"},
    {40, "WAGO"},
    {44, "Yaskawa Electric America"},
    {46, "ABB"},
    {47, "Omron"},
    {48, "Turck"},
    {57, "Pepperl+Fuchs"},
    {68, "Eaton Electrical"},
    {90, "HMS Industrial Networks"},
    {108, "Beckhoff Automation"},
    {161, "Mitsubishi Electric"},
    {243, "Schneider Automation"},
    {283, "Hilscher"},
    {309, "ProSoft Technology"},
    {562, "Phoenix Contact"},
    {678, "Cognex"},
    {808, "SICK"},
    {887, "B&R Industrial Automation"},
    {991, "Moxa"},
    {0, NULL},
};

/* Logix / CIP elementary data types (Vol. 1 C-6.1). */
static const struct ot_tok cip_data_types[] = {
    {0xc1, "BOOL"},  {0xc2, "SINT"},         {0xc3, "INT"},      {0xc4, "DINT"},  {0xc5, "LINT"},
    {0xc6, "USINT"}, {0xc7, "UINT"},         {0xc8, "UDINT"},    {0xc9, "ULINT"}, {0xca, "REAL"},
    {0xcb, "LREAL"}, {0xd0, "STRING"},       {0xd1, "BYTE"},     {0xd2, "WORD"},  {0xd3, "DWORD"},
    {0xd4, "LWORD"}, {0xda, "SHORT_STRING"}, {0x02a0, "STRUCT"}, {0, NULL},
};

/* Caps */
#define CIP_MAX_DEPTH 3      /* UCS > MSP > member: bounds recursion on hostile nesting */
#define CIP_MAX_SEGMENTS 16  /* segments walked in one path */
#define CIP_MAX_MSP 64       /* MSP members walked (op class, ranges); a count above is noted */
#define CIP_MSP_DETAIL 8     /* MSP members written in the detail tape (it holds 96 entries) */
#define CIP_MAX_ATTR_LIST 32 /* attribute ids walked in a Get_Attribute_List */
#define CIP_ATTR_DETAIL 8    /* of which written in the detail tape */
#define CIP_TAG_MAX 96       /* bytes of a tag name kept (Logix names are at most 40 a segment) */
#define CIP_DATA_HEX 16      /* bytes of written data echoed as hex */
#define CIP_EXT_DETAIL 4     /* extended status words written in the detail tape */
#define CIP_CONN_POINTS 2    /* connection points kept from a connection path */

/* A bounded string builder for names and numbers (the dissectors use no stdio). */
/* A parsed request path. */
struct cip_path {
    uint32_t cls, inst, attr, member;
    bool has_cls, has_inst, has_attr, has_member;
    bool bad; /* an unknown, reserved or cut segment: the rest was not decoded */
    uint8_t n_cp;
    uint32_t cp[CIP_CONN_POINTS];
    bool has_port;
    uint16_t port;
    uint32_t link;         /* a one-byte link address (a slot on a backplane) */
    const uint8_t *link_p; /* an extended link address (often an IP address as text) */
    size_t link_n;
    bool has_key;
    uint16_t key_vendor, key_type, key_product;
    uint8_t key_major, key_minor;
    size_t tag_len;
    char tag[CIP_TAG_MAX];
};

/* The state of one cip_parse() call. */
struct cipx {
    struct ot_msg *out;
    struct ot_detail *d;
    const struct cip_note *pend; /* the request a response answers, or NULL */
    struct cip_note *note;       /* what a request leaves for its response */
    int quiet;                   /* > 0: members beyond CIP_MSP_DETAIL, no detail written */
    bool via_ucs;
    bool exc_set;
};

struct svc_res {
    uint8_t code;
    const char *name;
    enum ot_op op;
};

static void kv_u64(struct cipx *x, const char *key, uint64_t v)
{
    if (!x->quiet)
        ot_kv_u64(x->d, key, v);
}

static void kv_bool(struct cipx *x, const char *key, bool v)
{
    if (!x->quiet)
        ot_kv_bool(x->d, key, v);
}

static void kv_cstr(struct cipx *x, const char *key, const char *s)
{
    if (!x->quiet && s)
        ot_kv_cstr(x->d, key, s);
}

static void kv_str(struct cipx *x, const char *key, const void *p, size_t n)
{
    if (!x->quiet)
        ot_kv_str(x->d, key, p, n);
}

static void kv_hex(struct cipx *x, const char *key, const void *p, size_t n)
{
    if (!x->quiet)
        ot_kv_hex(x->d, key, p, n);
}

static void kv_obj(struct cipx *x, const char *key)
{
    if (!x->quiet)
        ot_kv_obj(x->d, key);
}

static void kv_arr(struct cipx *x, const char *key)
{
    if (!x->quiet)
        ot_kv_arr(x->d, key);
}

static void kv_end(struct cipx *x)
{
    if (!x->quiet)
        ot_kv_end(x->d);
}

static void anomaly(struct cipx *x, const char *what)
{
    if (!x->out->anomaly)
        x->out->anomaly = what;
}

static int op_rank(enum ot_op op)
{
    switch (op) {
        case OT_OP_CONTROL: return 4;
        case OT_OP_PROGRAM: return 3;
        case OT_OP_WRITE: return 2;
        case OT_OP_READ: return 1;
        default: return 0;
    }
}

/* FNV-1a over the lower-cased tag name: the "cip_tag" range start. */
static uint32_t tag_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        h = (h ^ ch) * 16777619u;
    }
    return h;
}

static void tag_putc(struct cip_path *p, char ch)
{
    if (p->tag_len + 1 < CIP_TAG_MAX) {
        p->tag[p->tag_len++] = ch;
        p->tag[p->tag_len] = '\0';
    }
}

/* Appends a symbol read from sym (its whole length) to the tag name. */
static void tag_symbol(struct cip_path *p, struct cur *sym)
{
    if (p->tag_len > 0)
        tag_putc(p, '.');
    while (cur_left(sym) > 0) {
        uint8_t ch = cur_u8(sym);
        tag_putc(p, (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?');
    }
}

/* An element index after a symbol: "Tag[3]". */
static void tag_index(struct cip_path *p, uint32_t v)
{
    char t[12];
    struct sbuf b = sb_init(t, sizeof t);
    sb_dec(&b, v, 1);
    tag_putc(p, '[');
    for (size_t i = 0; i < b.n; i++)
        tag_putc(p, t[i]);
    tag_putc(p, ']');
}

static void seg_port(struct cur *c, uint8_t seg, struct cip_path *p)
{
    size_t used = 1;
    size_t link_n = 1;
    uint16_t port = seg & SEG_PORT_EXTENDED_PORT;
    if (seg & SEG_PORT_EXTENDED_LINK) {
        link_n = cur_u8(c);
        used++;
    }
    if (port == SEG_PORT_EXTENDED_PORT) {
        port = cur_le16(c);
        used += 2;
    }
    struct cur link = cur_sub(c, link_n);
    used += link_n;
    if (used & 1)
        cur_skip(c, 1);
    if (!cur_ok(c) || p->has_port)
        return;
    p->has_port = true;
    p->port = port;
    if (link_n == 1)
        p->link = cur_u8(&link);
    else
        p->link_p = cur_bytes(&link, link_n);
    p->link_n = link_n;
}

static void seg_logical(struct cur *c, uint8_t seg, struct cip_path *p)
{
    unsigned type = (seg >> 2) & 7;
    unsigned fmt = seg & 3;
    if (type == LOGICAL_SPECIAL) {
        /* the electronic key (format 4): vendor, device type, product, revision */
        if (fmt != 0 || cur_u8(c) != ELECTRONIC_KEY_FORMAT) {
            p->bad = true;
            return;
        }
        p->key_vendor = cur_le16(c);
        p->key_type = cur_le16(c);
        p->key_product = cur_le16(c);
        p->key_major = cur_u8(c);
        p->key_minor = cur_u8(c);
        p->has_key = cur_ok(c);
        return;
    }
    uint32_t v;
    switch (fmt) {
        case 0: v = cur_u8(c); break;
        case 1:
            cur_skip(c, 1);
            v = cur_le16(c);
            break;
        case 2:
            cur_skip(c, 1);
            v = cur_le32(c);
            break;
        default: p->bad = true; return;
    }
    if (!cur_ok(c))
        return;
    switch (type) {
        case LOGICAL_CLASS:
            if (!p->has_cls) {
                p->cls = v;
                p->has_cls = true;
            }
            break;
        case LOGICAL_INSTANCE:
            if (!p->has_inst) {
                p->inst = v;
                p->has_inst = true;
            }
            break;
        case LOGICAL_MEMBER:
            if (p->tag_len > 0) {
                tag_index(p, v);
            } else if (!p->has_member) {
                p->member = v;
                p->has_member = true;
            }
            break;
        case LOGICAL_CONNECTION_POINT:
            if (p->n_cp < CIP_CONN_POINTS)
                p->cp[p->n_cp++] = v;
            break;
        case LOGICAL_ATTRIBUTE:
            if (!p->has_attr) {
                p->attr = v;
                p->has_attr = true;
            }
            break;
        case LOGICAL_SERVICE: break;
        default: /* extended logical: not decoded */ p->bad = true; break;
    }
}

/* Parses a padded EPATH covering all of c.  Never fails: an unknown or cut
 * segment sets p->bad and ends the walk. */
static void path_parse(struct cur *c, struct cip_path *p)
{
    memset(p, 0, sizeof *p);
    unsigned n = 0;
    while (cur_ok(c) && cur_left(c) > 0 && !p->bad) {
        if (++n > CIP_MAX_SEGMENTS) {
            p->bad = true;
            break;
        }
        uint8_t seg = cur_u8(c);
        switch (seg & SEG_TYPE_MASK) {
            case SEG_PORT: seg_port(c, seg, p); break;
            case SEG_LOGICAL: seg_logical(c, seg, p); break;
            case SEG_NETWORK:
                if (seg & SEG_NETWORK_SIZED)
                    cur_skip(c, (size_t)cur_u8(c) * 2);
                else
                    cur_skip(c, 1);
                break;
            case SEG_SYMBOLIC: {
                size_t len = seg & 0x1f;
                if (len == 0) { /* extended string formats: not decoded */
                    p->bad = true;
                    break;
                }
                struct cur sym = cur_sub(c, len);
                if (cur_ok(c))
                    tag_symbol(p, &sym);
                if (!(len & 1) && cur_left(c) > 0 && cur_peek_u8(c) == 0)
                    cur_skip(c, 1); /* pad to an even segment */
                break;
            }
            case SEG_DATA:
                if (seg == SEG_DATA_ANSI_SYMBOL) {
                    size_t len = cur_u8(c);
                    struct cur sym = cur_sub(c, len);
                    if (cur_ok(c))
                        tag_symbol(p, &sym);
                    if (len & 1)
                        cur_skip(c, 1);
                } else if (seg == SEG_DATA_SIMPLE) {
                    cur_skip(c, (size_t)cur_u8(c) * 2);
                } else {
                    p->bad = true;
                }
                break;
            default: /* data types and reserved segments do not belong in a request path */
                p->bad = true;
                break;
        }
    }
    if (!cur_ok(c))
        p->bad = true;
}

static uint8_t path_ns(const struct cip_path *p)
{
    if (p->tag_len > 0)
        return NS_LOGIX;
    if (!p->has_cls)
        return NS_GENERIC;
    switch (p->cls) {
        case CIP_CLASS_CONNECTION_MANAGER: return NS_CM;
        case CIP_CLASS_SYMBOL: return NS_LOGIX;
        case CIP_CLASS_TEMPLATE: return NS_TEMPLATE;
        case CIP_CLASS_FILE: return NS_FILE;
        case CIP_CLASS_PCCC: return NS_PCCC;
        case CIP_CLASS_MODBUS: return NS_MODBUS;
        default: return NS_GENERIC;
    }
}

static const struct ot_func *svc_find(uint8_t svc, uint8_t ns)
{
    if (svc < CIP_SVC_OBJECT_SPECIFIC)
        return ot_func_find(cip_common_services, svc);
    switch (ns) {
        case NS_CM: return ot_func_find(cip_cm_services, svc);
        case NS_LOGIX: return ot_func_find(cip_logix_services, svc);
        case NS_TEMPLATE: return ot_func_find(cip_template_services, svc);
        case NS_FILE: return ot_func_find(cip_file_services, svc);
        case NS_PCCC: return ot_func_find(cip_pccc_services, svc);
        case NS_MODBUS: return ot_func_find(cip_modbus_services, svc);
        default: return NULL; /* object-specific service of a class we do not know */
    }
}

static void svc_name(uint8_t svc, uint8_t ns, struct svc_res *res)
{
    const struct ot_func *f = svc_find(svc, ns);
    res->code = svc;
    res->name = f ? f->name : NULL;
    res->op = f ? (enum ot_op)f->op : OT_OP_OTHER;
    /* a write to the File object replaces a program, firmware or EDS image */
    if (ns == NS_FILE && res->op == OT_OP_WRITE)
        res->op = OT_OP_PROGRAM;
}

static void emit_path(struct cipx *x, const struct cip_path *p)
{
    if (p->has_cls) {
        kv_u64(x, "class", p->cls);
        kv_cstr(x, "class_name", ot_tok_name(cip_class_names, p->cls));
    }
    if (p->has_inst)
        kv_u64(x, "instance", p->inst);
    if (p->has_attr)
        kv_u64(x, "attribute", p->attr);
    if (p->has_member)
        kv_u64(x, "member", p->member);
    if (p->tag_len > 0)
        kv_str(x, "symbol", p->tag, p->tag_len);
    if (p->n_cp > 0) {
        kv_arr(x, "connection_points");
        for (unsigned i = 0; i < p->n_cp; i++)
            kv_u64(x, NULL, p->cp[i]);
        kv_end(x);
    }
    if (p->has_port) {
        kv_u64(x, "port", p->port);
        if (p->link_p)
            kv_str(x, "link_address", p->link_p, p->link_n);
        else
            kv_u64(x, "link_address", p->link);
    }
    if (p->has_key) {
        kv_obj(x, "electronic_key");
        kv_u64(x, "vendor_id", p->key_vendor);
        kv_u64(x, "device_type", p->key_type);
        kv_u64(x, "product_code", p->key_product);
        kv_u64(x, "major_revision", p->key_major & 0x7f);
        kv_u64(x, "minor_revision", p->key_minor);
        kv_end(x);
    }
}

static uint64_t class_start(uint32_t inst, uint32_t attr)
{
    return (uint64_t)inst << 16 | (attr & 0xffff);
}

/* A range in the space of an object class (cip.h). */
static void add_class_range(struct cipx *x, uint32_t cls, uint32_t inst, uint32_t attr)
{
    const char *space = ot_tok_name(cip_class_spaces, cls);
    ot_msg_add_range(x->out, space ? space : "cip_class", cls, class_start(inst, attr), 1);
}

static void add_path_range(struct cipx *x, const struct cip_path *p)
{
    if (p->tag_len > 0)
        ot_msg_add_range(x->out, "cip_tag", CIP_SPACE_TAG, tag_hash(p->tag, p->tag_len), 1);
    else if (p->has_cls)
        add_class_range(x, p->cls, p->inst, p->attr);
}

/* Reads one element of a Logix/CIP elementary type as a number; false for
 * types that are not numbers. */
static bool read_typed(struct cur *c, uint16_t type, double *v)
{
    switch (type) {
        case 0xc1: /* BOOL */ *v = cur_u8(c) ? 1 : 0; break;
        case 0xc2: *v = (int8_t)cur_u8(c); break;
        case 0xc3: *v = (int16_t)cur_le16(c); break;
        case 0xc4: *v = (int32_t)cur_le32(c); break;
        case 0xc5: *v = (double)(int64_t)cur_le64(c); break;
        case 0xc6:
        case 0xd1: *v = cur_u8(c); break;
        case 0xc7:
        case 0xd2: *v = cur_le16(c); break;
        case 0xc8:
        case 0xd3: *v = cur_le32(c); break;
        case 0xc9:
        case 0xd4: *v = (double)cur_le64(c); break;
        case 0xca: {
            uint32_t u = cur_le32(c);
            float f;
            memcpy(&f, &u, sizeof f);
            *v = f;
            break;
        }
        case 0xcb: {
            uint64_t u = cur_le64(c);
            memcpy(v, &u, sizeof *v);
            break;
        }
        default: return false;
    }
    return cur_ok(c);
}

/* Logix Write_Tag / Write_Tag_Fragmented request data. */
static void logix_write(struct cipx *x, struct cur *data, const struct cip_path *p, bool frag)
{
    uint16_t type = cur_le16(data);
    if (type == LOGIX_TYPE_STRUCT) {
        uint16_t handle = cur_le16(data);
        if (cur_ok(data))
            kv_u64(x, "struct_handle", handle);
    }
    uint16_t elements = cur_le16(data);
    uint32_t offset = frag ? cur_le32(data) : 0;
    if (!cur_ok(data)) {
        anomaly(x, "cip_bad_write_tag");
        return;
    }
    kv_u64(x, "data_type", type);
    kv_cstr(x, "data_type_name", ot_tok_name(cip_data_types, type));
    kv_u64(x, "elements", elements);
    if (frag)
        kv_u64(x, "byte_offset", offset);
    uint32_t addr = p->tag_len > 0 ? tag_hash(p->tag, p->tag_len) : 0;
    uint32_t space = p->tag_len > 0 ? CIP_SPACE_TAG : p->cls;
    uint64_t start = p->tag_len > 0 ? addr : class_start(p->inst, p->attr);
    double v;
    for (unsigned i = 0; i < elements && i < OT_MAX_VALUES && cur_left(data) > 0; i++) {
        if (!read_typed(data, type, &v))
            break;
        if (isfinite(v))
            ot_msg_add_value(x->out, space, start, v);
    }
}

/* Forward_Open / Large_Forward_Open request (Vol. 1 3-5.5.2). */
static void forward_open_req(struct cipx *x, struct cur *data, bool large)
{
    uint8_t prio = cur_u8(data);
    uint8_t ticks = cur_u8(data);
    uint32_t ot_id = cur_le32(data);
    uint32_t to_id = cur_le32(data);
    uint16_t serial = cur_le16(data);
    uint16_t vendor = cur_le16(data);
    uint32_t orig = cur_le32(data);
    uint8_t mult = cur_u8(data);
    cur_skip(data, 3);
    uint32_t ot_rpi = cur_le32(data);
    uint32_t ot_par = large ? cur_le32(data) : cur_le16(data);
    uint32_t to_rpi = cur_le32(data);
    uint32_t to_par = large ? cur_le32(data) : cur_le16(data);
    uint8_t trigger = cur_u8(data);
    size_t words = cur_u8(data);
    struct cur pc = cur_sub(data, words * 2);
    if (!cur_ok(data)) {
        anomaly(x, "cip_bad_forward_open");
        return;
    }
    struct cip_path cp;
    path_parse(&pc, &cp);
    kv_obj(x, "forward_open");
    kv_u64(x, "priority_time_tick", prio);
    kv_u64(x, "timeout_ticks", ticks);
    kv_u64(x, "ot_connection_id", ot_id);
    kv_u64(x, "to_connection_id", to_id);
    kv_u64(x, "connection_serial", serial);
    kv_u64(x, "originator_vendor_id", vendor);
    kv_u64(x, "originator_serial", orig);
    kv_u64(x, "timeout_multiplier", mult);
    kv_u64(x, "ot_rpi", ot_rpi);
    kv_u64(x, "ot_network_parameters", ot_par);
    kv_u64(x, "to_rpi", to_rpi);
    kv_u64(x, "to_network_parameters", to_par);
    kv_u64(x, "transport_class", trigger & 0x0f);
    kv_u64(x, "transport_trigger", (trigger >> 4) & 0x07);
    kv_obj(x, "connection_path");
    emit_path(x, &cp);
    kv_end(x);
    kv_end(x);
    if (cp.bad)
        anomaly(x, "cip_bad_path");
    if (cp.has_cls && cp.tag_len == 0)
        add_class_range(x, cp.cls, cp.inst, 0);
}

/* Forward_Close request (Vol. 1 3-5.5.3). */
static void forward_close_req(struct cipx *x, struct cur *data)
{
    cur_skip(data, 2); /* priority/time tick, timeout ticks */
    uint16_t serial = cur_le16(data);
    uint16_t vendor = cur_le16(data);
    uint32_t orig = cur_le32(data);
    size_t words = cur_u8(data);
    cur_skip(data, 1);
    struct cur pc = cur_sub(data, words * 2);
    if (!cur_ok(data)) {
        anomaly(x, "cip_bad_forward_close");
        return;
    }
    struct cip_path cp;
    path_parse(&pc, &cp);
    kv_obj(x, "forward_close");
    kv_u64(x, "connection_serial", serial);
    kv_u64(x, "originator_vendor_id", vendor);
    kv_u64(x, "originator_serial", orig);
    kv_obj(x, "connection_path");
    emit_path(x, &cp);
    kv_end(x);
    kv_end(x);
}

/* Service-specific request data, after the path. */
static void req_data(struct cipx *x, uint8_t svc, uint8_t ns, const struct cip_path *p,
                     struct cur *data)
{
    if (svc == CIP_SVC_GET_ATTRIBUTE_LIST && p->tag_len == 0) {
        uint16_t n = cur_le16(data);
        if (!cur_ok(data)) {
            anomaly(x, "cip_bad_attribute_list");
            return;
        }
        kv_u64(x, "attribute_count", n);
        kv_arr(x, "attributes");
        for (unsigned i = 0; i < n && i < CIP_MAX_ATTR_LIST; i++) {
            uint16_t a = cur_le16(data);
            if (!cur_ok(data)) {
                anomaly(x, "cip_bad_attribute_list");
                break;
            }
            if (i < CIP_ATTR_DETAIL)
                kv_u64(x, NULL, a);
            if (p->has_cls)
                add_class_range(x, p->cls, p->inst, a);
        }
        kv_end(x);
        return;
    }
    if (svc == CIP_SVC_SET_ATTRIBUTE_LIST && p->tag_len == 0) {
        uint16_t n = cur_le16(data);
        uint16_t first = cur_le16(data);
        if (!cur_ok(data)) {
            anomaly(x, "cip_bad_attribute_list");
            return;
        }
        kv_u64(x, "attribute_count", n);
        kv_u64(x, "first_attribute", first);
        if (p->has_cls)
            add_class_range(x, p->cls, p->inst, first);
        return;
    }
    if ((svc == CIP_SVC_SET_ATTRIBUTE_SINGLE || svc == CIP_SVC_SET_ATTRIBUTES_ALL) &&
        ns != NS_LOGIX) {
        size_t n = cur_left(data);
        kv_u64(x, "data_length", n);
        struct cur v = *data;
        const uint8_t *q = cur_bytes(&v, n < CIP_DATA_HEX ? n : CIP_DATA_HEX);
        if (q)
            kv_hex(x, "data", q, n < CIP_DATA_HEX ? n : CIP_DATA_HEX);
        /* the attribute's type is not on the wire: small values are read as
         * unsigned integers, the common case for settable attributes */
        if (svc == CIP_SVC_SET_ATTRIBUTE_SINGLE && p->has_cls && (n == 1 || n == 2 || n == 4)) {
            v = *data;
            double val = n == 1 ? cur_u8(&v) : n == 2 ? cur_le16(&v) : cur_le32(&v);
            ot_msg_add_value(x->out, p->cls, class_start(p->inst, p->attr), val);
        }
        return;
    }
    switch (ns) {
        case NS_LOGIX:
            if (svc == LOGIX_READ_TAG || svc == LOGIX_READ_TAG_FRAGMENTED) {
                uint16_t elements = cur_le16(data);
                uint32_t offset = svc == LOGIX_READ_TAG_FRAGMENTED ? cur_le32(data) : 0;
                if (!cur_ok(data)) {
                    anomaly(x, "cip_bad_read_tag");
                    return;
                }
                kv_u64(x, "elements", elements);
                if (svc == LOGIX_READ_TAG_FRAGMENTED)
                    kv_u64(x, "byte_offset", offset);
            } else if (svc == LOGIX_WRITE_TAG || svc == LOGIX_WRITE_TAG_FRAGMENTED) {
                logix_write(x, data, p, svc == LOGIX_WRITE_TAG_FRAGMENTED);
            } else if (svc == LOGIX_READ_MODIFY_WRITE_TAG) {
                size_t size = cur_le16(data);
                const uint8_t *or_mask = cur_bytes(data, size);
                const uint8_t *and_mask = cur_bytes(data, size);
                if (!cur_ok(data) || size > 8) {
                    anomaly(x, "cip_bad_read_modify_write");
                    return;
                }
                kv_hex(x, "or_mask", or_mask, size);
                kv_hex(x, "and_mask", and_mask, size);
            }
            break;
        case NS_CM:
            if (svc == CIP_CM_FORWARD_OPEN || svc == CIP_CM_LARGE_FORWARD_OPEN)
                forward_open_req(x, data, svc == CIP_CM_LARGE_FORWARD_OPEN);
            else if (svc == CIP_CM_FORWARD_CLOSE)
                forward_close_req(x, data);
            break;
        case NS_MODBUS:
            if (svc >= 0x4b && svc <= 0x50) {
                uint16_t addr = cur_le16(data);
                uint16_t qty = cur_le16(data);
                if (cur_ok(data)) {
                    kv_u64(x, "modbus_address", addr);
                    kv_u64(x, "modbus_quantity", qty);
                }
            }
            break;
        case NS_FILE: kv_u64(x, "data_length", cur_left(data)); break;
        default: break;
    }
}

static enum ot_parse parse_request(struct cipx *x, struct cur *c, int depth,
                                   struct cip_svc_note *slot, struct svc_res *res);
static enum ot_parse parse_response(struct cipx *x, struct cur *c, int depth,
                                    const struct cip_svc_note *slot, struct svc_res *res);

/* Unconnected_Send: reports the message it carries.  Returns false (and has
 * written nothing) when the envelope or the message header is broken. */
static bool ucs_unwrap(struct cipx *x, struct cur *data, int depth, struct cip_svc_note *slot,
                       struct svc_res *res)
{
    uint8_t prio = cur_u8(data);
    uint8_t ticks = cur_u8(data);
    size_t size = cur_le16(data);
    struct cur msg = cur_sub(data, size);
    if (!cur_ok(data) || size < 2)
        return false;
    /* the pad after an odd-sized message is sometimes left out: the route path
     * that follows (size, reserved, words) has an even length */
    if ((size & 1) && (cur_left(data) & 1))
        cur_skip(data, 1);
    struct cip_path route;
    bool has_route = false;
    if (cur_left(data) >= 2) {
        size_t words = cur_u8(data);
        cur_skip(data, 1);
        struct cur rc = cur_sub(data, words * 2);
        if (cur_ok(data)) {
            path_parse(&rc, &route);
            has_route = true;
        }
    }
    if (parse_request(x, &msg, depth + 1, slot, res) != OT_PARSE_OK)
        return false;
    kv_obj(x, "unconnected_send");
    kv_u64(x, "priority_time_tick", prio);
    kv_u64(x, "timeout_ticks", ticks);
    if (has_route) {
        kv_obj(x, "route_path");
        emit_path(x, &route);
        kv_end(x);
    } else {
        anomaly(x, "cip_bad_route_path");
    }
    kv_end(x);
    return true;
}

/* Walks the members of a Multiple_Service_Packet (requests or responses).
 * Returns the highest op class of the members. */
static enum ot_op msp_walk(struct cipx *x, struct cur *data, int depth, bool response,
                           const struct cip_note *pend)
{
    struct cur base = *data; /* offsets count from the service count */
    uint16_t count = cur_le16(data);
    if (!cur_ok(data)) {
        anomaly(x, "cip_bad_msp");
        return OT_OP_OTHER;
    }
    size_t total = cur_left(&base);
    size_t walk = count < CIP_MAX_MSP ? count : CIP_MAX_MSP;
    uint16_t off[CIP_MAX_MSP];
    for (size_t i = 0; i < walk; i++)
        off[i] = cur_le16(data);
    if (!cur_ok(data)) {
        anomaly(x, "cip_bad_msp");
        return OT_OP_OTHER;
    }
    kv_u64(x, "service_count", count);
    enum ot_op op = OT_OP_OTHER;
    int best = -1;
    size_t min_off = 2 + 2 * (size_t)count;
    kv_arr(x, "services");
    for (size_t i = 0; i < walk; i++) {
        /* the last member walked runs to the end (members past the cap included) */
        size_t end = i + 1 < walk ? off[i + 1] : total;
        if (off[i] < min_off || end < off[i] || end > total) {
            anomaly(x, "cip_bad_msp_offset");
            break;
        }
        struct cur m = base;
        cur_skip(&m, off[i]);
        struct cur mc = cur_sub(&m, end - off[i]);
        bool q = i >= CIP_MSP_DETAIL;
        if (q)
            x->quiet++;
        kv_obj(x, NULL);
        struct svc_res r = {0, NULL, OT_OP_OTHER};
        enum ot_parse pr;
        if (response) {
            const struct cip_svc_note *slot =
                pend && i < pend->n_msp && i < CIP_MSP_TRACK ? &pend->msp[i] : NULL;
            pr = parse_response(x, &mc, depth + 1, slot, &r);
        } else {
            struct cip_svc_note *slot = i < CIP_MSP_TRACK ? &x->note->msp[i] : NULL;
            pr = parse_request(x, &mc, depth + 1, slot, &r);
            if (slot && pr == OT_PARSE_OK)
                x->note->n_msp = (uint8_t)(i + 1);
        }
        kv_end(x);
        if (q)
            x->quiet--;
        if (pr != OT_PARSE_OK) {
            anomaly(x, "cip_bad_msp_member");
            continue;
        }
        if (op_rank(r.op) > best) {
            best = op_rank(r.op);
            op = r.op;
        }
        min_off = end;
    }
    kv_end(x);
    if (walk < count)
        kv_bool(x, "services_truncated", true);
    return op;
}

static enum ot_parse parse_request(struct cipx *x, struct cur *c, int depth,
                                   struct cip_svc_note *slot, struct svc_res *res)
{
    uint8_t svc = cur_u8(c) & 0x7f;
    size_t words = cur_u8(c);
    struct cur pc = cur_sub(c, words * 2);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    struct cip_path p;
    path_parse(&pc, &p);
    if (p.bad)
        anomaly(x, "cip_bad_path");
    uint8_t ns = path_ns(&p);
    svc_name(svc, ns, res);
    if (slot) {
        slot->service = svc;
        slot->cls = p.has_cls ? (uint16_t)p.cls : 0;
        slot->attr = p.has_attr ? (uint16_t)p.attr : 0;
        slot->ns = ns;
    }
    struct cur data = cur_rest(c);

    if (ns == NS_CM && svc == CIP_CM_UNCONNECTED_SEND && depth < CIP_MAX_DEPTH) {
        struct cur save = data;
        if (ucs_unwrap(x, &data, depth, slot, res)) {
            if (depth == 0)
                x->via_ucs = true;
            return OT_PARSE_OK;
        }
        data = save;
        svc_name(svc, ns, res);
        anomaly(x, "cip_bad_unconnected_send");
    }

    kv_u64(x, "service", svc);
    kv_cstr(x, "service_name", res->name);
    emit_path(x, &p);
    if (svc == CIP_SVC_MULTIPLE_SERVICE_PACKET) {
        if (depth < CIP_MAX_DEPTH)
            res->op = msp_walk(x, &data, depth, false, NULL);
        else
            anomaly(x, "cip_nesting_too_deep");
        return OT_PARSE_OK;
    }
    if (svc != CIP_SVC_GET_ATTRIBUTE_LIST && svc != CIP_SVC_SET_ATTRIBUTE_LIST)
        add_path_range(x, &p);
    else if (p.tag_len > 0)
        add_path_range(x, &p);
    req_data(x, svc, ns, &p, &data);
    return OT_PARSE_OK;
}

/* The identity strings of the Identity object (Vol. 1 5A-2.2): the vendor by
 * name, "vendor N" when unknown; the revision as "major.minor" (two-digit
 * minor); the serial number as 0x and eight hex digits. */
static void fmt_vendor(char dst[OT_IDENT_LEN], uint16_t v)
{
    struct sbuf b = sb_init(dst, OT_IDENT_LEN);
    const char *name = cip_vendor_name(v);
    if (name) {
        sb_str(&b, name);
    } else {
        sb_str(&b, "vendor ");
        sb_dec(&b, v, 1);
    }
}

static void fmt_revision(char dst[OT_IDENT_LEN], uint8_t major, uint8_t minor)
{
    struct sbuf b = sb_init(dst, OT_IDENT_LEN);
    sb_dec(&b, major, 1);
    sb_putc(&b, '.');
    sb_dec(&b, minor, 2);
}

static void fmt_serial(char dst[OT_IDENT_LEN], uint32_t v)
{
    struct sbuf b = sb_init(dst, OT_IDENT_LEN);
    sb_str(&b, "0x");
    sb_hex(&b, v, 8);
}

/* An Identity object attribute read alone (Get_Attribute_Single). */
static void identity_attr(struct cipx *x, uint16_t attr, struct cur *data)
{
    struct ot_identity *id = &x->out->identity;
    switch (attr) {
        case CIP_ID_VENDOR: {
            uint16_t v = cur_le16(data);
            if (!cur_ok(data))
                return;
            fmt_vendor(id->vendor, v);
            kv_u64(x, "vendor_id", v);
            break;
        }
        case CIP_ID_DEVICE_TYPE: {
            uint16_t v = cur_le16(data);
            if (cur_ok(data)) {
                kv_u64(x, "device_type", v);
                kv_cstr(x, "device_type_name", ot_tok_name(cip_device_types, v));
            }
            return;
        }
        case CIP_ID_PRODUCT_CODE: {
            uint16_t v = cur_le16(data);
            if (cur_ok(data))
                kv_u64(x, "product_code", v);
            return;
        }
        case CIP_ID_REVISION: {
            uint8_t major = cur_u8(data);
            uint8_t minor = cur_u8(data);
            if (!cur_ok(data))
                return;
            fmt_revision(id->firmware, major, minor);
            kv_cstr(x, "revision", id->firmware);
            break;
        }
        case CIP_ID_SERIAL: {
            uint32_t v = cur_le32(data);
            if (!cur_ok(data))
                return;
            fmt_serial(id->serial, v);
            kv_u64(x, "serial_number", v);
            break;
        }
        case CIP_ID_PRODUCT_NAME: {
            size_t n = cur_u8(data);
            const uint8_t *s = cur_bytes(data, n);
            if (!s)
                return;
            ot_ident_set(id->product, s, n);
            kv_str(x, "product_name", s, n);
            break;
        }
        default: return;
    }
    id->present = true;
    id->from_server = true;
}

/* Service-specific response data. */
static void resp_data(struct cipx *x, uint8_t svc, uint8_t ns, const struct cip_svc_note *slot,
                      uint8_t gs, struct cur *data)
{
    bool ok = gs == CIP_GS_SUCCESS || gs == CIP_GS_PARTIAL_TRANSFER;
    if (ns == NS_CM && (svc == CIP_CM_FORWARD_OPEN || svc == CIP_CM_LARGE_FORWARD_OPEN)) {
        if (ok) {
            uint32_t ot_id = cur_le32(data);
            uint32_t to_id = cur_le32(data);
            uint16_t serial = cur_le16(data);
            uint16_t vendor = cur_le16(data);
            uint32_t orig = cur_le32(data);
            uint32_t ot_api = cur_le32(data);
            uint32_t to_api = cur_le32(data);
            if (!cur_ok(data)) {
                anomaly(x, "cip_bad_forward_open");
                return;
            }
            /* the transport pairs the connected messages of both directions */
            x->note->fwd_open = true;
            x->note->ot_id = ot_id;
            x->note->to_id = to_id;
            kv_obj(x, "forward_open");
            kv_u64(x, "ot_connection_id", ot_id);
            kv_u64(x, "to_connection_id", to_id);
            kv_u64(x, "connection_serial", serial);
            kv_u64(x, "originator_vendor_id", vendor);
            kv_u64(x, "originator_serial", orig);
            kv_u64(x, "ot_api", ot_api);
            kv_u64(x, "to_api", to_api);
            kv_end(x);
            return;
        }
    }
    if (ns == NS_CM && !ok &&
        (svc == CIP_CM_FORWARD_OPEN || svc == CIP_CM_LARGE_FORWARD_OPEN ||
         svc == CIP_CM_FORWARD_CLOSE)) {
        uint16_t serial = cur_le16(data);
        uint16_t vendor = cur_le16(data);
        uint32_t orig = cur_le32(data);
        if (cur_ok(data)) {
            kv_u64(x, "connection_serial", serial);
            kv_u64(x, "originator_vendor_id", vendor);
            kv_u64(x, "originator_serial", orig);
        }
        return;
    }
    if (!ok || !slot || slot->service != svc)
        return;
    if (slot->cls == CIP_CLASS_IDENTITY && svc == CIP_SVC_GET_ATTRIBUTES_ALL) {
        if (!x->quiet)
            cip_identity(data, x->out);
        return;
    }
    if (slot->cls == CIP_CLASS_IDENTITY && svc == CIP_SVC_GET_ATTRIBUTE_SINGLE) {
        identity_attr(x, slot->attr, data);
        return;
    }
    if (ns == NS_LOGIX && (svc == LOGIX_READ_TAG || svc == LOGIX_READ_TAG_FRAGMENTED)) {
        uint16_t type = cur_le16(data);
        if (cur_ok(data)) {
            kv_u64(x, "data_type", type);
            kv_cstr(x, "data_type_name", ot_tok_name(cip_data_types, type));
        }
    }
}

static enum ot_parse parse_response(struct cipx *x, struct cur *c, int depth,
                                    const struct cip_svc_note *slot, struct svc_res *res)
{
    uint8_t svc = cur_u8(c) & 0x7f;
    cur_skip(c, 1); /* reserved */
    uint8_t gs = cur_u8(c);
    size_t ext_words = cur_u8(c);
    struct cur ext = cur_sub(c, ext_words * 2);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    uint8_t ns = NS_GENERIC;
    if (slot && slot->service == svc)
        ns = slot->ns;
    else if (svc == CIP_CM_UNCONNECTED_SEND && depth == 0 && x->pend && x->pend->via_ucs)
        ns = NS_CM; /* the Connection Manager answered: the route failed */
    svc_name(svc, ns, res);
    kv_u64(x, "service", svc);
    kv_cstr(x, "service_name", res->name);
    kv_u64(x, "general_status", gs);
    kv_cstr(x, "general_status_name", ot_tok_name(cip_general_status, gs));
    uint16_t ext0 = 0;
    if (ext_words > 0) {
        kv_arr(x, "ext_status");
        for (size_t i = 0; i < ext_words; i++) {
            uint16_t e = cur_le16(&ext);
            if (i == 0)
                ext0 = e;
            if (i < CIP_EXT_DETAIL)
                kv_u64(x, NULL, e);
        }
        kv_end(x);
    }
    if (gs != CIP_GS_SUCCESS && gs != CIP_GS_PARTIAL_TRANSFER && !x->exc_set) {
        const char *name = NULL;
        if (gs == CIP_GS_CONNECTION_FAILURE && ext_words > 0)
            name = ot_tok_name(cip_cm_ext_status, ext0);
        if (!name)
            name = ot_tok_name(cip_general_status, gs);
        ot_msg_set_exception(x->out, gs, name);
        x->exc_set = true;
    }
    struct cur data = cur_rest(c);
    if (svc == CIP_SVC_MULTIPLE_SERVICE_PACKET) {
        if (depth >= CIP_MAX_DEPTH) {
            anomaly(x, "cip_nesting_too_deep");
        } else if (cur_left(&data) > 0) {
            const struct cip_note *pend = depth == 0 ? x->pend : NULL;
            res->op = msp_walk(x, &data, depth, true, pend);
        }
        return OT_PARSE_OK;
    }
    if (svc == CIP_CM_UNCONNECTED_SEND && ns == NS_CM && gs != CIP_GS_SUCCESS) {
        uint8_t remaining = cur_u8(&data);
        if (cur_ok(&data))
            kv_u64(x, "remaining_path_size", remaining);
        return OT_PARSE_OK;
    }
    resp_data(x, svc, ns, slot, gs, &data);
    return OT_PARSE_OK;
}

const char *cip_vendor_name(uint32_t id)
{
    return ot_tok_name(cip_vendors, id);
}

void cip_identity(struct cur *c, struct ot_msg *out)
{
    uint16_t vendor = cur_le16(c);
    uint16_t type = cur_le16(c);
    uint16_t product = cur_le16(c);
    uint8_t major = cur_u8(c);
    uint8_t minor = cur_u8(c);
    uint16_t status = cur_le16(c);
    uint32_t serial = cur_le32(c);
    size_t n = cur_u8(c);
    const uint8_t *name = cur_bytes(c, n);
    if (!cur_ok(c)) {
        if (!out->anomaly)
            out->anomaly = "cip_bad_identity";
        return;
    }
    struct ot_identity *id = &out->identity;
    struct ot_detail *d = &out->detail;
    fmt_vendor(id->vendor, vendor);
    fmt_revision(id->firmware, major, minor);
    fmt_serial(id->serial, serial);
    ot_ident_set(id->product, name, n);
    id->present = true;
    id->from_server = true;

    ot_kv_u64(d, "vendor_id", vendor);
    ot_kv_u64(d, "device_type", type);
    const char *tname = ot_tok_name(cip_device_types, type);
    if (tname)
        ot_kv_cstr(d, "device_type_name", tname);
    ot_kv_u64(d, "product_code", product);
    ot_kv_cstr(d, "revision", id->firmware);
    ot_kv_u64(d, "device_status", status);
    ot_kv_u64(d, "serial_number", serial);
    ot_kv_str(d, "product_name", name, n);
}

static const struct cip_note *pending_find(const struct cip_flow *fs, uint32_t key)
{
    if (!fs)
        return NULL;
    for (unsigned i = 0; i < CIP_PENDING; i++) {
        unsigned k = (fs->next + CIP_PENDING - 1 - i) % CIP_PENDING; /* newest first */
        if (fs->pend[k].valid && fs->pend[k].key == key)
            return &fs->pend[k];
    }
    return NULL;
}

/* The newest Unconnected_Send still waiting on the transport's key. */
static const struct cip_note *pending_ucs(const struct cip_flow *fs, uint32_t base)
{
    if (!fs)
        return NULL;
    for (unsigned i = 0; i < CIP_PENDING; i++) {
        unsigned k = (fs->next + CIP_PENDING - 1 - i) % CIP_PENDING;
        if (fs->pend[k].valid && fs->pend[k].via_ucs && fs->pend[k].base == base)
            return &fs->pend[k];
    }
    return NULL;
}

/* The transaction key: the transport's, with the service (without the
 * response bit) mixed in. */
static uint32_t txn_key(uint32_t base, uint8_t svc)
{
    uint32_t h = base * 16777619u;
    return (h ^ (svc & 0x7fu)) * 16777619u;
}

bool cip_pending_key(const struct cip_flow *fs, uint32_t base, uint32_t *key)
{
    if (!fs)
        return false;
    for (unsigned i = 0; i < CIP_PENDING; i++) {
        unsigned k = (fs->next + i) % CIP_PENDING; /* oldest first */
        if (fs->pend[k].valid && fs->pend[k].base == base) {
            *key = fs->pend[k].key;
            return true;
        }
    }
    return false;
}

enum ot_parse cip_parse(struct cur *c, const struct cip_flow *fs, uint32_t base, struct ot_msg *out,
                        struct cip_note *note)
{
    struct cipx x = {out, &out->detail, NULL, note, 0, false, false};
    memset(note, 0, sizeof *note);
    note->base = base;
    if (cur_left(c) == 0)
        return OT_PARSE_TRUNC;
    uint8_t svc = cur_peek_u8(c);
    bool response = (svc & CIP_RESPONSE) != 0;
    if (response) {
        note->key = txn_key(base, svc);
        x.pend = pending_find(fs, note->key);
        if (!x.pend && (svc & 0x7f) == CIP_CM_UNCONNECTED_SEND) {
            /* the Connection Manager answers for the message it could not route */
            x.pend = pending_ucs(fs, base);
            if (x.pend)
                note->key = x.pend->key;
        }
    }
    struct svc_res res = {0, NULL, OT_OP_OTHER};
    ot_kv_obj(x.d, "cip");
    enum ot_parse r = response ? parse_response(&x, c, 0, x.pend ? &x.pend->top : NULL, &res)
                               : parse_request(&x, c, 0, &note->top, &res);
    ot_kv_end(x.d);
    if (r != OT_PARSE_OK)
        return r;
    ot_msg_set_function(out, res.code, res.name, res.op);
    out->dir = response ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
    if (!response) {
        /* an Unconnected_Send is answered by the message it carries */
        note->key = txn_key(base, res.code);
        note->valid = true;
        note->via_ucs = x.via_ucs;
    }
    return OT_PARSE_OK;
}

void cip_commit(struct cip_flow *fs, const struct cip_note *note, bool response, uint32_t key)
{
    if (!fs)
        return;
    if (response) {
        for (unsigned i = 0; i < CIP_PENDING; i++)
            if (fs->pend[i].valid && fs->pend[i].key == key) {
                fs->pend[i].valid = false;
                break;
            }
        return;
    }
    if (!note || !note->valid)
        return;
    for (unsigned i = 0; i < CIP_PENDING; i++)
        if (fs->pend[i].valid && fs->pend[i].key == note->key)
            fs->pend[i].valid = false; /* a retransmission replaces its original */
    fs->pend[fs->next % CIP_PENDING] = *note;
    fs->next = (uint8_t)((fs->next + 1) % CIP_PENDING);
}
