/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: Modbus/TCP: the MBAP header and every public function code of the
 * Modbus application protocol (reads, writes, diagnostics, file records,
 * FIFO, device identification), exception responses, user-defined codes and
 * Schneider Electric UMAS carried in function code 90. */
/* specification: MODBUS Application Protocol Specification V1.1b3 (2012):
 * section 4.1 (PDU), 5 (function code categories), 6.1-6.21 (function
 * codes), 7 (exception responses), Annex A (reserved codes); MODBUS
 * Messaging on TCP/IP Implementation Guide V1.0b (2006) section 3.1.3 (MBAP
 * header).  UMAS has no public specification: its layout follows the
 * published reverse-engineering work on it (session key, then a one-byte
 * UMAS function code; responses carry 0xfe/0xfd in that byte). */
/*
 * Modbus/TCP ADU (Messaging on TCP/IP V1.0b section 3.1.3):
 *   0       1       2       3       4       5       6       7
 *  +-------+-------+-------+-------+-------+-------+-------+-------+-------
 *  | transaction id| protocol id=0 |    length     |unit id| func  | data..
 *  +-------+-------+-------+-------+-------+-------+-------+-------+-------
 *  |<------------------- MBAP header (7) ------------------>|<--- PDU --->
 *  length counts the unit id and the PDU: 2 .. 254 (PDU at most 253 bytes).
 *  An exception response sets bit 7 of the function code and carries one
 *  byte: the exception code.
 *
 * Function 43 / MEI 14, Read Device Identification (V1.1b3 section 6.21):
 *  request:  mei=0x0e | read dev id code | object id
 *  response: mei=0x0e | read dev id code | conformity | more follows |
 *            next object id | number of objects | { id | len | value }...
 *
 * Function 90, Schneider UMAS:
 *  +------+-------------+------------------------------+---------
 *  | 0x5a | session key | UMAS code (resp: 0xfe / 0xfd) | data ...
 *  +------+-------------+------------------------------+---------
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define MODBUS_TCP_PORT 502
#define MBAP_HDR_LEN 6      /* transaction id, protocol id, length: what `length` excludes */
#define MBAP_PROTOCOL_ID 0  /* Messaging on TCP/IP section 3.1.3: 0 = MODBUS protocol */
#define MBAP_LENGTH_MIN 2   /* unit id and a function code */
#define MBAP_LENGTH_MAX 254 /* unit id and the largest PDU, 253 bytes (V1.1b3 section 4.1) */

/* Public function codes (V1.1b3 section 5.1, table on page 11). */
#define MODBUS_FC_READ_COILS 0x01
#define MODBUS_FC_READ_DISCRETE_INPUTS 0x02
#define MODBUS_FC_READ_HOLDING_REGISTERS 0x03
#define MODBUS_FC_READ_INPUT_REGISTERS 0x04
#define MODBUS_FC_WRITE_SINGLE_COIL 0x05
#define MODBUS_FC_WRITE_SINGLE_REGISTER 0x06
#define MODBUS_FC_READ_EXCEPTION_STATUS 0x07
#define MODBUS_FC_DIAGNOSTICS 0x08
#define MODBUS_FC_GET_COMM_EVENT_COUNTER 0x0b
#define MODBUS_FC_GET_COMM_EVENT_LOG 0x0c
#define MODBUS_FC_WRITE_MULTIPLE_COILS 0x0f
#define MODBUS_FC_WRITE_MULTIPLE_REGISTERS 0x10
#define MODBUS_FC_REPORT_SERVER_ID 0x11
#define MODBUS_FC_READ_FILE_RECORD 0x14
#define MODBUS_FC_WRITE_FILE_RECORD 0x15
#define MODBUS_FC_MASK_WRITE_REGISTER 0x16
#define MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS 0x17
#define MODBUS_FC_READ_FIFO_QUEUE 0x18
#define MODBUS_FC_ENCAPSULATED_INTERFACE_TRANSPORT 0x2b
#define MODBUS_FC_UMAS 0x5a          /* Schneider Electric, in the reserved range (Annex A) */
#define MODBUS_FC_EXCEPTION_BIT 0x80 /* set in an exception response (section 7) */
#define MODBUS_FC_MASK 0x7f

/* User-defined function codes (V1.1b3 section 5.1). */
#define MODBUS_FC_USER_DEFINED_1_FIRST 65
#define MODBUS_FC_USER_DEFINED_1_LAST 72
#define MODBUS_FC_USER_DEFINED_2_FIRST 100
#define MODBUS_FC_USER_DEFINED_2_LAST 110

/* Quantity limits of the requests (V1.1b3 sections 6.1-6.17). */
#define MODBUS_MAX_READ_BITS 0x07d0          /* FC 1, 2: 2000 coils / inputs */
#define MODBUS_MAX_READ_REGISTERS 0x007d     /* FC 3, 4, 23 read part: 125 registers */
#define MODBUS_MAX_WRITE_BITS 0x07b0         /* FC 15: 1968 coils */
#define MODBUS_MAX_WRITE_REGISTERS 0x007b    /* FC 16: 123 registers */
#define MODBUS_MAX_RW_WRITE_REGISTERS 0x0079 /* FC 23 write part: 121 registers */
#define MODBUS_MAX_FIFO_COUNT 31             /* FC 24 (section 6.18) */
#define MODBUS_ADDRESS_SPACE 0x10000         /* protocol addresses are 16 bits, 0-based */

#define MODBUS_COIL_ON 0xff00 /* FC 5 (section 6.5): the only two legal output values */
#define MODBUS_COIL_OFF 0x0000

/* File records (sections 6.14, 6.15). */
#define MODBUS_FILE_REFERENCE_TYPE 6
#define MODBUS_FILE_SUBREQ_LEN 7 /* reference type, file number, record number, length */
#define MODBUS_FILE_MAX_RECORD 0x270f
#define MODBUS_FILE_READ_BC_MIN 0x07
#define MODBUS_FILE_READ_BC_MAX 0xf5
#define MODBUS_FILE_WRITE_BC_MIN 0x09
#define MODBUS_FILE_WRITE_BC_MAX 0xfb

/* Function 43 MEI types (section 6.19) and Read Device Identification (6.21). */
#define MODBUS_MEI_CANOPEN_GENERAL_REFERENCE 0x0d
#define MODBUS_MEI_READ_DEVICE_IDENTIFICATION 0x0e
#define MODBUS_READ_DEVICE_ID_BASIC 1
#define MODBUS_READ_DEVICE_ID_SPECIFIC 4
#define MODBUS_MORE_FOLLOWS_NO 0x00
#define MODBUS_MORE_FOLLOWS_YES 0xff
#define MODBUS_OBJ_VENDOR_NAME 0x00
#define MODBUS_OBJ_PRODUCT_CODE 0x01
#define MODBUS_OBJ_MAJOR_MINOR_REVISION 0x02
#define MODBUS_OBJ_VENDOR_URL 0x03
#define MODBUS_OBJ_PRODUCT_NAME 0x04
#define MODBUS_OBJ_MODEL_NAME 0x05
#define MODBUS_OBJ_USER_APPLICATION_NAME 0x06

/* Diagnostics sub-functions (section 6.8.1) that change the server's state. */
#define MODBUS_DIAG_RESTART_COMMUNICATIONS_OPTION 0x0001
#define MODBUS_DIAG_FORCE_LISTEN_ONLY_MODE 0x0004

/* UMAS response status, in the place of the UMAS function code. */
#define UMAS_RESPONSE_OK 0xfe
#define UMAS_RESPONSE_ERROR 0xfd

/* Address spaces (space_id: what baselines and rules key on). */
#define MODBUS_SPACE_COIL 1
#define MODBUS_SPACE_DISCRETE_INPUT 2
#define MODBUS_SPACE_HOLDING_REGISTER 3
#define MODBUS_SPACE_INPUT_REGISTER 4
#define MODBUS_SPACE_FILE_RECORD 6 /* start = file number << 16 | record number */

/* Indexed by function code (below 0x80): modbus_func answers every PDU,
 * and a search of the list cost 24 instructions a message. */
static const struct ot_func modbus_funcs[MODBUS_FC_MASK + 1] = {
    [MODBUS_FC_READ_COILS] = {MODBUS_FC_READ_COILS, "read_coils", OT_OP_READ},
    [MODBUS_FC_READ_DISCRETE_INPUTS] = {MODBUS_FC_READ_DISCRETE_INPUTS, "read_discrete_inputs",
                                        OT_OP_READ},
    [MODBUS_FC_READ_HOLDING_REGISTERS] = {MODBUS_FC_READ_HOLDING_REGISTERS,
                                          "read_holding_registers", OT_OP_READ},
    [MODBUS_FC_READ_INPUT_REGISTERS] = {MODBUS_FC_READ_INPUT_REGISTERS, "read_input_registers",
                                        OT_OP_READ},
    [MODBUS_FC_WRITE_SINGLE_COIL] = {MODBUS_FC_WRITE_SINGLE_COIL, "write_single_coil", OT_OP_WRITE},
    [MODBUS_FC_WRITE_SINGLE_REGISTER] = {MODBUS_FC_WRITE_SINGLE_REGISTER, "write_single_register",
                                         OT_OP_WRITE},
    [MODBUS_FC_READ_EXCEPTION_STATUS] = {MODBUS_FC_READ_EXCEPTION_STATUS, "read_exception_status",
                                         OT_OP_DIAGNOSTIC},
    [MODBUS_FC_DIAGNOSTICS] = {MODBUS_FC_DIAGNOSTICS, "diagnostics", OT_OP_DIAGNOSTIC},
    [MODBUS_FC_GET_COMM_EVENT_COUNTER] = {MODBUS_FC_GET_COMM_EVENT_COUNTER,
                                          "get_comm_event_counter", OT_OP_DIAGNOSTIC},
    [MODBUS_FC_GET_COMM_EVENT_LOG] = {MODBUS_FC_GET_COMM_EVENT_LOG, "get_comm_event_log",
                                      OT_OP_DIAGNOSTIC},
    [MODBUS_FC_WRITE_MULTIPLE_COILS] = {MODBUS_FC_WRITE_MULTIPLE_COILS, "write_multiple_coils",
                                        OT_OP_WRITE},
    [MODBUS_FC_WRITE_MULTIPLE_REGISTERS] = {MODBUS_FC_WRITE_MULTIPLE_REGISTERS,
                                            "write_multiple_registers", OT_OP_WRITE},
    [MODBUS_FC_REPORT_SERVER_ID] = {MODBUS_FC_REPORT_SERVER_ID, "report_server_id",
                                    OT_OP_DISCOVERY},
    [MODBUS_FC_READ_FILE_RECORD] = {MODBUS_FC_READ_FILE_RECORD, "read_file_record", OT_OP_FILE},
    [MODBUS_FC_WRITE_FILE_RECORD] = {MODBUS_FC_WRITE_FILE_RECORD, "write_file_record", OT_OP_FILE},
    [MODBUS_FC_MASK_WRITE_REGISTER] = {MODBUS_FC_MASK_WRITE_REGISTER, "mask_write_register",
                                       OT_OP_WRITE},
    [MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS] = {MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS,
                                                 "read_write_multiple_registers", OT_OP_WRITE},
    [MODBUS_FC_READ_FIFO_QUEUE] = {MODBUS_FC_READ_FIFO_QUEUE, "read_fifo_queue", OT_OP_READ},
    /* MEI 14 (the common case) is discovery; other MEI types are set while parsing */
    [MODBUS_FC_ENCAPSULATED_INTERFACE_TRANSPORT] = {MODBUS_FC_ENCAPSULATED_INTERFACE_TRANSPORT,
                                                    "encapsulated_interface_transport",
                                                    OT_OP_DISCOVERY},
    /* the UMAS code decides the class; OTHER for responses and exceptions */
    [MODBUS_FC_UMAS] = {MODBUS_FC_UMAS, "umas", OT_OP_OTHER},
};

static const struct ot_func modbus_func_user_defined = {0, "user_defined", OT_OP_OTHER};
static const struct ot_func modbus_func_unknown = {0, "unknown", OT_OP_OTHER};

/* Exception codes (section 7); 7 is the Negative Acknowledge of the older
 * Modicon reference (PI-MBUS-300) that some devices still send. */
static const struct ot_tok modbus_exceptions[] = {
    {0x01, "illegal_function"},
    {0x02, "illegal_data_address"},
    {0x03, "illegal_data_value"},
    {0x04, "server_device_failure"},
    {0x05, "acknowledge"},
    {0x06, "server_device_busy"},
    {0x07, "negative_acknowledge"},
    {0x08, "memory_parity_error"},
    {0x0a, "gateway_path_unavailable"},
    {0x0b, "gateway_target_device_failed_to_respond"},
    {0, NULL},
};

/* Diagnostics sub-function codes (section 6.8.1). */
static const struct ot_func modbus_diag_subfuncs[] = {
    {0x00, "return_query_data", OT_OP_DIAGNOSTIC},
    {MODBUS_DIAG_RESTART_COMMUNICATIONS_OPTION, "restart_communications_option", OT_OP_CONTROL},
    {0x02, "return_diagnostic_register", OT_OP_DIAGNOSTIC},
    {0x03, "change_ascii_input_delimiter", OT_OP_DIAGNOSTIC},
    {MODBUS_DIAG_FORCE_LISTEN_ONLY_MODE, "force_listen_only_mode", OT_OP_CONTROL},
    {0x0a, "clear_counters_and_diagnostic_register", OT_OP_DIAGNOSTIC},
    {0x0b, "return_bus_message_count", OT_OP_DIAGNOSTIC},
    {0x0c, "return_bus_communication_error_count", OT_OP_DIAGNOSTIC},
    {0x0d, "return_bus_exception_error_count", OT_OP_DIAGNOSTIC},
    {0x0e, "return_server_message_count", OT_OP_DIAGNOSTIC},
    {0x0f, "return_server_no_response_count", OT_OP_DIAGNOSTIC},
    {0x10, "return_server_nak_count", OT_OP_DIAGNOSTIC},
    {0x11, "return_server_busy_count", OT_OP_DIAGNOSTIC},
    {0x12, "return_bus_character_overrun_count", OT_OP_DIAGNOSTIC},
    {0x14, "clear_overrun_counter_and_flag", OT_OP_DIAGNOSTIC},
    {0, NULL, 0},
};

/* MEI types of function 43 (section 6.19). */
static const struct ot_tok modbus_mei_types[] = {
    {MODBUS_MEI_CANOPEN_GENERAL_REFERENCE, "canopen_general_reference"},
    {MODBUS_MEI_READ_DEVICE_IDENTIFICATION, "read_device_identification"},
    {0, NULL},
};

/* Basic and regular device identification objects (section 6.21). */
static const struct ot_tok modbus_device_objects[] = {
    {MODBUS_OBJ_VENDOR_NAME, "vendor_name"},
    {MODBUS_OBJ_PRODUCT_CODE, "product_code"},
    {MODBUS_OBJ_MAJOR_MINOR_REVISION, "major_minor_revision"},
    {MODBUS_OBJ_VENDOR_URL, "vendor_url"},
    {MODBUS_OBJ_PRODUCT_NAME, "product_name"},
    {MODBUS_OBJ_MODEL_NAME, "model_name"},
    {MODBUS_OBJ_USER_APPLICATION_NAME, "user_application_name"},
    {0, NULL},
};

/* UMAS function codes, as published by the reverse-engineering work on it. */
static const struct ot_func umas_funcs[] = {
    {0x01, "init_comm", OT_OP_DISCOVERY},
    {0x02, "read_id", OT_OP_DISCOVERY},
    {0x03, "read_project_info", OT_OP_DISCOVERY},
    {0x04, "read_plc_info", OT_OP_DISCOVERY},
    {0x06, "read_card_info", OT_OP_DISCOVERY},
    {0x0a, "repeat", OT_OP_DIAGNOSTIC},
    {0x10, "take_plc_reservation", OT_OP_AUTH},
    {0x11, "release_plc_reservation", OT_OP_AUTH},
    {0x12, "keep_alive", OT_OP_AUTH},
    {0x20, "read_memory_block", OT_OP_READ},
    {0x22, "read_variables", OT_OP_READ},
    {0x23, "write_variables", OT_OP_WRITE},
    {0x24, "read_coils_registers", OT_OP_READ},
    {0x25, "write_coils_registers", OT_OP_WRITE},
    {0x30, "initialize_upload", OT_OP_PROGRAM},
    {0x31, "upload_block", OT_OP_PROGRAM},
    {0x32, "end_strategy_upload", OT_OP_PROGRAM},
    {0x33, "initialize_download", OT_OP_PROGRAM},
    {0x34, "download_block", OT_OP_PROGRAM},
    {0x35, "end_strategy_download", OT_OP_PROGRAM},
    {0x39, "read_ethernet_master_data", OT_OP_READ},
    {0x40, "start_plc", OT_OP_CONTROL},
    {0x41, "stop_plc", OT_OP_CONTROL},
    {0x50, "monitor_plc", OT_OP_READ},
    {0x58, "check_plc", OT_OP_DIAGNOSTIC},
    {0x70, "read_io_object", OT_OP_READ},
    {0x71, "write_io_object", OT_OP_WRITE},
    {0x73, "get_status_module", OT_OP_DIAGNOSTIC},
    {UMAS_RESPONSE_ERROR, "response_error", OT_OP_OTHER},
    {UMAS_RESPONSE_OK, "response_ok", OT_OP_OTHER},
    {0, NULL, 0},
};

/* Caps on what one PDU copies into the detail tape.  The PDU itself is at
 * most 253 bytes, so these bound tape slots and arena bytes, not time. */
#define MODBUS_DETAIL_REGISTERS 32 /* a 125-register response would take 125 tape slots */
#define MODBUS_DETAIL_BYTES 64     /* opaque data (bit maps, unknown codes) kept as hex */
#define MODBUS_DETAIL_OBJECTS 16   /* identification objects: 5 slots each, up to ~80 fit a PDU */
#define MODBUS_DETAIL_SUBREQS 8    /* file sub-requests: 35 fit a PDU, 6 slots each */
#define MODBUS_DETAIL_TEXT 64      /* a printable run taken from Report Server ID data */
/* PDUs the probe walks in one segment: pipelined polls put several in one
 * segment; more than this says nothing new and only costs time. */
#define MODBUS_PROBE_MAX_PDUS 8

struct modbus_space {
    const char *name;
    uint32_t id;
};

static const struct modbus_space space_coil = {"coil", MODBUS_SPACE_COIL};
static const struct modbus_space space_discrete_input = {"discrete_input",
                                                         MODBUS_SPACE_DISCRETE_INPUT};
static const struct modbus_space space_holding = {"holding_register",
                                                  MODBUS_SPACE_HOLDING_REGISTER};
static const struct modbus_space space_input = {"input_register", MODBUS_SPACE_INPUT_REGISTER};
static const struct modbus_space space_file = {"file_record", MODBUS_SPACE_FILE_RECORD};

/* Records a protocol violation; the first one found is the one reported. */
static void set_anomaly(struct ot_msg *out, const char *what)
{
    if (!out->anomaly)
        out->anomaly = what;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Returns the table entry for a function code (without the exception bit);
 * never NULL: user-defined and unknown codes get an entry of their own. */
static const struct ot_func *modbus_func(uint8_t fc)
{
    if (fc <= MODBUS_FC_MASK && modbus_funcs[fc].name)
        return &modbus_funcs[fc];
    if ((fc >= MODBUS_FC_USER_DEFINED_1_FIRST && fc <= MODBUS_FC_USER_DEFINED_1_LAST) ||
        (fc >= MODBUS_FC_USER_DEFINED_2_FIRST && fc <= MODBUS_FC_USER_DEFINED_2_LAST))
        return &modbus_func_user_defined;
    return &modbus_func_unknown;
}

/* Adds the range [start, start + qty) unless it is empty; flags a range that
 * runs past the 16-bit address space (the request can only be refused). */
static void add_range(struct ot_msg *out, const struct modbus_space *sp, uint16_t start,
                      uint32_t qty)
{
    if ((uint32_t)start + qty > MODBUS_ADDRESS_SPACE)
        set_anomaly(out, "address_out_of_range");
    if (qty > 0)
        ot_msg_add_range(out, sp->name, sp->id, start, qty);
}

static void check_quantity(struct ot_msg *out, uint32_t qty, uint32_t max)
{
    if (qty == 0 || qty > max)
        set_anomaly(out, "quantity_out_of_range");
}

/* Returns a cursor over the `count` bytes a byte-count field announces, cut
 * to what the PDU holds; a count that disagrees with the bytes left in the
 * PDU (the MBAP length) is reported as byte_count_mismatch. */
static struct cur counted(struct cur *b, size_t count, struct ot_msg *out)
{
    size_t left = cur_left(b);
    if (count != left)
        set_anomaly(out, "byte_count_mismatch");
    return cur_sub(b, min_size(count, left));
}

/* Copies the rest of c (at most MODBUS_DETAIL_BYTES of it) as hex under key. */
static void detail_hex_rest(struct cur *c, struct ot_detail *d, const char *key)
{
    size_t n = cur_left(c);
    const uint8_t *q = cur_bytes(c, n);
    ot_kv_hex(d, key, q, min_size(n, MODBUS_DETAIL_BYTES));
}

/* Puts the first MODBUS_DETAIL_REGISTERS 16-bit values of c under
 * "registers" and consumes all whole registers. */
static void detail_registers(struct cur *c, struct ot_detail *d)
{
    ot_kv_arr(d, "registers");
    for (size_t i = 0; cur_left(c) >= 2; i++) {
        uint16_t v = cur_be16(c);
        if (i < MODBUS_DETAIL_REGISTERS)
            ot_kv_u64(d, NULL, v);
    }
    ot_kv_end(d);
}

/* FC 1-4 request (sections 6.1-6.4) and FC 15, 16 response (sections 6.11,
 * 6.12, the request's start and quantity echoed): starting address, quantity. */
static void parse_start_quantity(struct cur *b, struct ot_msg *out, const struct modbus_space *sp,
                                 uint32_t max_qty)
{
    uint16_t start = cur_be16(b);
    uint16_t qty = cur_be16(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "quantity", qty);
    check_quantity(out, qty, max_qty);
    add_range(out, sp, start, qty);
}

/* FC 1, 2 response: byte count, then the bits packed 8 to a byte. */
static void parse_read_bits_response(struct cur *b, struct ot_msg *out, const char *key)
{
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    struct cur s = counted(b, bc, out);
    /* 2000 bits are 250 bytes; a response carries at least one bit */
    if (bc == 0 || bc > (MODBUS_MAX_READ_BITS + 7) / 8)
        set_anomaly(out, "byte_count_out_of_range");
    detail_hex_rest(&s, &out->detail, key);
}

/* FC 3, 4, 23 response: byte count (2 x N), then N registers. */
static void parse_read_registers_response(struct cur *b, struct ot_msg *out)
{
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    struct cur s = counted(b, bc, out);
    if (bc == 0 || bc % 2 != 0 || bc > 2 * MODBUS_MAX_READ_REGISTERS)
        set_anomaly(out, "byte_count_out_of_range");
    detail_registers(&s, &out->detail);
    if (cur_left(&s) > 0)
        cur_skip(&s, cur_left(&s)); /* an odd byte, already reported */
}

/* FC 5, 6 request and (identical) response: address, value. */
static void parse_write_single(struct cur *b, struct ot_msg *out, uint8_t fc)
{
    uint16_t addr = cur_be16(b);
    uint16_t value = cur_be16(b);
    if (!cur_ok(b))
        return;
    if (fc == MODBUS_FC_WRITE_SINGLE_REGISTER) {
        add_range(out, &space_holding, addr, 1);
        ot_msg_add_value(out, MODBUS_SPACE_HOLDING_REGISTER, addr, value);
        return;
    }
    add_range(out, &space_coil, addr, 1);
    if (value == MODBUS_COIL_ON || value == MODBUS_COIL_OFF) {
        ot_msg_add_value(out, MODBUS_SPACE_COIL, addr, value == MODBUS_COIL_ON ? 1 : 0);
        return;
    }
    /* section 6.5: any other value is illegal; keep it for the analyst */
    set_anomaly(out, "invalid_coil_value");
    ot_kv_u64(&out->detail, "output_value", value);
}

/* The values written to `qty` holding registers from `start`: 16 bits each,
 * as far as s holds them and the message has room. */
static void add_register_values(struct cur *s, struct ot_msg *out, uint16_t start, uint32_t qty)
{
    for (uint32_t i = 0; i < qty && cur_left(s) >= 2 && !out->values_truncated; i++)
        ot_msg_add_value(out, MODBUS_SPACE_HOLDING_REGISTER, (uint64_t)start + i, cur_be16(s));
}

/* The values written to `qty` coils from `start`: bits packed 8 to a byte,
 * lowest first. */
static void add_coil_values(struct cur *s, struct ot_msg *out, uint16_t start, uint32_t qty)
{
    for (uint32_t i = 0; i < qty && cur_left(s) > 0 && !out->values_truncated; i += 8) {
        uint8_t bits = cur_u8(s);
        for (uint32_t j = 0; j < 8 && i + j < qty; j++)
            ot_msg_add_value(out, MODBUS_SPACE_COIL, (uint64_t)start + i + j, bits >> j & 1);
    }
}

/* FC 15 request (section 6.11): start, quantity, byte count, bits packed 8
 * to a byte; FC 16 request (section 6.12): the same with registers. */
static void parse_write_multiple_request(struct cur *b, struct ot_msg *out, bool coils)
{
    uint16_t start = cur_be16(b);
    uint16_t qty = cur_be16(b);
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "quantity", qty);
    ot_kv_u64(&out->detail, "byte_count", bc);
    check_quantity(out, qty, coils ? MODBUS_MAX_WRITE_BITS : MODBUS_MAX_WRITE_REGISTERS);
    if (bc != (coils ? (qty + 7u) / 8u : 2u * qty))
        set_anomaly(out, "byte_count_mismatch");
    add_range(out, coils ? &space_coil : &space_holding, start, qty);
    struct cur s = counted(b, bc, out);
    if (coils)
        add_coil_values(&s, out, start, qty);
    else
        add_register_values(&s, out, start, qty);
    cur_skip(&s, cur_left(&s));
}

/* FC 8 request and response: sub-function, data (section 6.8).  The
 * sub-function decides the operation class: a restart or listen-only order
 * is a control action, not a diagnostic read. */
static void parse_diagnostics(struct cur *b, struct ot_msg *out)
{
    uint16_t sub = cur_be16(b);
    if (!cur_ok(b))
        return;
    const struct ot_func *f = ot_func_find(modbus_diag_subfuncs, sub);
    if (f)
        out->op_class = (enum ot_op)f->op;
    ot_kv_u64(&out->detail, "subfunction", sub);
    if (f)
        ot_kv_cstr(&out->detail, "subfunction_name", f->name);
    if (cur_left(b) == 2)
        ot_kv_u64(&out->detail, "data", cur_be16(b));
    else if (cur_left(b) > 0)
        detail_hex_rest(b, &out->detail, "data");
}

/* FC 11 response: status, event count (section 6.9). */
static void parse_event_counter_response(struct cur *b, struct ot_msg *out)
{
    uint16_t status = cur_be16(b);
    uint16_t count = cur_be16(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "status", status);
    ot_kv_u64(&out->detail, "event_count", count);
}

/* FC 12 response: byte count, status, event count, message count, events
 * (section 6.10). */
static void parse_event_log_response(struct cur *b, struct ot_msg *out)
{
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    struct cur s = counted(b, bc, out);
    uint16_t status = cur_be16(&s);
    uint16_t events = cur_be16(&s);
    uint16_t messages = cur_be16(&s);
    if (!cur_ok(&s)) {
        set_anomaly(out, "byte_count_out_of_range");
        return;
    }
    ot_kv_u64(&out->detail, "status", status);
    ot_kv_u64(&out->detail, "event_count", events);
    ot_kv_u64(&out->detail, "message_count", messages);
    if (cur_left(&s) > 0)
        detail_hex_rest(&s, &out->detail, "events");
}

/* FC 17 response: byte count, then device-specific data: a server id, a run
 * indicator and free text, in an order the spec leaves to the device
 * (section 6.13).  The raw bytes go out as hex, and the longest printable
 * run (most devices put their name there) as text. */
static void parse_report_server_id_response(struct cur *b, struct ot_msg *out)
{
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    struct cur s = counted(b, bc, out);
    size_t n = cur_left(&s);
    const uint8_t *q = cur_bytes(&s, n);
    ot_kv_hex(&out->detail, "server_id", q, min_size(n, MODBUS_DETAIL_BYTES));
    struct cur t = cur_init(q, n);
    size_t best_off = 0, best_len = 0, run_off = 0, run_len = 0;
    while (cur_left(&t) > 0) {
        size_t at = cur_off(&t);
        uint8_t ch = cur_u8(&t);
        if (ch >= 0x20 && ch < 0x7f) {
            if (run_len++ == 0)
                run_off = at;
            if (run_len > best_len) {
                best_len = run_len;
                best_off = run_off;
            }
        } else {
            run_len = 0;
        }
    }
    if (best_len >= 4) {
        struct cur r = cur_init(q, n);
        cur_skip(&r, best_off);
        const uint8_t *text = cur_bytes(&r, best_len);
        ot_kv_str(&out->detail, "server_id_text", text, min_size(best_len, MODBUS_DETAIL_TEXT));
    }
}

/* Reads file sub-request `i` (sections 6.14, 6.15: reference type, file
 * number, record number, record length), checks it, adds the records it
 * names as a range and, for the first MODBUS_DETAIL_SUBREQS, a detail entry.
 * Returns the address of its first record; its length in *rlen. */
static uint64_t file_subreq(struct cur *s, struct ot_msg *out, size_t i, uint16_t *rlen)
{
    struct ot_detail *d = &out->detail;
    uint8_t ref = cur_u8(s);
    uint16_t file = cur_be16(s);
    uint16_t rec = cur_be16(s);
    *rlen = cur_be16(s);
    if (ref != MODBUS_FILE_REFERENCE_TYPE)
        set_anomaly(out, "invalid_reference_type");
    if (file == 0 || rec > MODBUS_FILE_MAX_RECORD)
        set_anomaly(out, "address_out_of_range");
    uint64_t base = (uint64_t)file << 16 | rec;
    ot_msg_add_range(out, space_file.name, space_file.id, base, *rlen);
    if (i < MODBUS_DETAIL_SUBREQS) {
        ot_kv_obj(d, NULL);
        ot_kv_u64(d, "reference_type", ref);
        ot_kv_u64(d, "file_number", file);
        ot_kv_u64(d, "record_number", rec);
        ot_kv_u64(d, "record_length", *rlen);
        ot_kv_end(d);
    }
    return base;
}

/* FC 20 request: byte count, then 7-byte sub-requests (section 6.14). */
static void parse_read_file_request(struct cur *b, struct ot_msg *out)
{
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    if (bc < MODBUS_FILE_READ_BC_MIN || bc > MODBUS_FILE_READ_BC_MAX ||
        bc % MODBUS_FILE_SUBREQ_LEN != 0)
        set_anomaly(out, "byte_count_out_of_range");
    struct cur s = counted(b, bc, out);
    ot_kv_arr(&out->detail, "sub_requests");
    uint16_t rlen;
    for (size_t i = 0; cur_left(&s) >= MODBUS_FILE_SUBREQ_LEN; i++)
        (void)file_subreq(&s, out, i, &rlen);
    ot_kv_end(&out->detail);
    cur_skip(&s, cur_left(&s)); /* a partial sub-request, already reported */
}

/* FC 20 response: data length, then sub-responses: length, reference type,
 * record data (section 6.14). */
static void parse_read_file_response(struct cur *b, struct ot_msg *out)
{
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    if (bc < MODBUS_FILE_READ_BC_MIN || bc > MODBUS_FILE_READ_BC_MAX)
        set_anomaly(out, "byte_count_out_of_range");
    struct cur s = counted(b, bc, out);
    ot_kv_arr(&out->detail, "sub_responses");
    for (size_t i = 0; cur_left(&s) > 0; i++) {
        uint8_t flen = cur_u8(&s);
        struct cur r = cur_sub(&s, flen);
        uint8_t ref = cur_u8(&r);
        if (!cur_ok(&r)) {
            set_anomaly(out, "byte_count_mismatch");
            break;
        }
        if (ref != MODBUS_FILE_REFERENCE_TYPE)
            set_anomaly(out, "invalid_reference_type");
        if (i < MODBUS_DETAIL_SUBREQS) {
            ot_kv_obj(&out->detail, NULL);
            ot_kv_u64(&out->detail, "file_response_length", flen);
            ot_kv_u64(&out->detail, "reference_type", ref);
            detail_registers(&r, &out->detail);
            ot_kv_end(&out->detail);
        }
    }
    ot_kv_end(&out->detail);
    cur_skip(&s, cur_left(&s));
}

/* FC 21 request and (identical) response: data length, then sub-requests
 * with their record data (section 6.15). */
static void parse_write_file(struct cur *b, struct ot_msg *out)
{
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    if (bc < MODBUS_FILE_WRITE_BC_MIN || bc > MODBUS_FILE_WRITE_BC_MAX)
        set_anomaly(out, "byte_count_out_of_range");
    struct cur s = counted(b, bc, out);
    ot_kv_arr(&out->detail, "sub_requests");
    for (size_t i = 0; cur_left(&s) >= MODBUS_FILE_SUBREQ_LEN; i++) {
        uint16_t rlen;
        uint64_t base = file_subreq(&s, out, i, &rlen);
        if (2u * rlen > cur_left(&s)) {
            set_anomaly(out, "byte_count_mismatch");
            break;
        }
        struct cur r = cur_sub(&s, 2u * rlen);
        for (uint32_t j = 0; j < rlen && !out->values_truncated; j++)
            ot_msg_add_value(out, MODBUS_SPACE_FILE_RECORD, base + j, cur_be16(&r));
    }
    ot_kv_end(&out->detail);
    if (cur_left(&s) > 0)
        set_anomaly(out, "byte_count_mismatch");
    cur_skip(&s, cur_left(&s));
}

/* FC 22 request and (identical) response: address, AND mask, OR mask
 * (section 6.16).  The value written depends on the register's current
 * contents, so only the masks are kept. */
static void parse_mask_write(struct cur *b, struct ot_msg *out)
{
    uint16_t addr = cur_be16(b);
    uint16_t and_mask = cur_be16(b);
    uint16_t or_mask = cur_be16(b);
    if (!cur_ok(b))
        return;
    add_range(out, &space_holding, addr, 1);
    ot_kv_u64(&out->detail, "and_mask", and_mask);
    ot_kv_u64(&out->detail, "or_mask", or_mask);
}

/* FC 23 request: read start, read quantity, write start, write quantity,
 * byte count, registers (section 6.17).  The write range comes first, then
 * the read range; both are in detail as well since adjacent ranges merge. */
static void parse_read_write_request(struct cur *b, struct ot_msg *out)
{
    uint16_t rstart = cur_be16(b);
    uint16_t rqty = cur_be16(b);
    uint16_t wstart = cur_be16(b);
    uint16_t wqty = cur_be16(b);
    uint8_t bc = cur_u8(b);
    if (!cur_ok(b))
        return;
    struct ot_detail *d = &out->detail;
    ot_kv_u64(d, "read_start", rstart);
    ot_kv_u64(d, "read_quantity", rqty);
    ot_kv_u64(d, "write_start", wstart);
    ot_kv_u64(d, "write_quantity", wqty);
    ot_kv_u64(d, "byte_count", bc);
    check_quantity(out, rqty, MODBUS_MAX_READ_REGISTERS);
    check_quantity(out, wqty, MODBUS_MAX_RW_WRITE_REGISTERS);
    if (bc != 2u * wqty)
        set_anomaly(out, "byte_count_mismatch");
    add_range(out, &space_holding, wstart, wqty);
    add_range(out, &space_holding, rstart, rqty);
    struct cur s = counted(b, bc, out);
    add_register_values(&s, out, wstart, wqty);
    cur_skip(&s, cur_left(&s));
}

/* FC 24 response: byte count (16 bits), FIFO count, registers (section 6.18). */
static void parse_fifo_response(struct cur *b, struct ot_msg *out)
{
    uint16_t bc = cur_be16(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(&out->detail, "byte_count", bc);
    struct cur s = counted(b, bc, out);
    uint16_t count = cur_be16(&s);
    if (!cur_ok(&s)) {
        set_anomaly(out, "byte_count_out_of_range");
        return;
    }
    ot_kv_u64(&out->detail, "fifo_count", count);
    if (count > MODBUS_MAX_FIFO_COUNT)
        set_anomaly(out, "quantity_out_of_range");
    if (bc != 2u + 2u * count)
        set_anomaly(out, "byte_count_mismatch");
    detail_registers(&s, &out->detail);
    cur_skip(&s, cur_left(&s));
}

/* Copies one identification object into the identity; ModelName wins over
 * ProductName for the model, whatever their order. */
static void identity_object(struct ot_identity *id, uint8_t obj, const uint8_t *v, size_t n,
                            bool *have_model_name)
{
    switch (obj) {
        case MODBUS_OBJ_VENDOR_NAME: ot_ident_set(id->vendor, v, n); break;
        case MODBUS_OBJ_PRODUCT_CODE: ot_ident_set(id->product, v, n); break;
        case MODBUS_OBJ_MAJOR_MINOR_REVISION: ot_ident_set(id->firmware, v, n); break;
        case MODBUS_OBJ_PRODUCT_NAME:
            if (!*have_model_name)
                ot_ident_set(id->model, v, n);
            break;
        case MODBUS_OBJ_MODEL_NAME:
            ot_ident_set(id->model, v, n);
            *have_model_name = true;
            break;
        case MODBUS_OBJ_USER_APPLICATION_NAME: ot_ident_set(id->name, v, n); break;
        default: return;
    }
    id->present = true;
}

/* FC 43 / MEI 14 response: the object list (section 6.21). */
static void parse_device_id_response(struct cur *b, struct ot_msg *out)
{
    uint8_t code = cur_u8(b);
    uint8_t conformity = cur_u8(b);
    uint8_t more = cur_u8(b);
    uint8_t next = cur_u8(b);
    uint8_t nobj = cur_u8(b);
    if (!cur_ok(b))
        return;
    struct ot_detail *d = &out->detail;
    ot_kv_u64(d, "read_device_id_code", code);
    ot_kv_u64(d, "conformity_level", conformity);
    ot_kv_u64(d, "more_follows", more);
    ot_kv_u64(d, "next_object_id", next);
    ot_kv_u64(d, "number_of_objects", nobj);
    if (more != MODBUS_MORE_FOLLOWS_NO && more != MODBUS_MORE_FOLLOWS_YES)
        set_anomaly(out, "invalid_more_follows");
    bool have_model_name = false;
    out->identity.from_server = true;
    ot_kv_arr(d, "objects");
    for (size_t i = 0; i < nobj; i++) {
        uint8_t obj = cur_u8(b);
        uint8_t olen = cur_u8(b);
        const uint8_t *v = cur_bytes(b, olen);
        if (!cur_ok(b))
            break; /* the caller reports pdu_too_short */
        identity_object(&out->identity, obj, v, olen, &have_model_name);
        if (i >= MODBUS_DETAIL_OBJECTS)
            continue;
        ot_kv_obj(d, NULL);
        ot_kv_u64(d, "object_id", obj);
        const char *name = ot_tok_name(modbus_device_objects, obj);
        if (name)
            ot_kv_cstr(d, "object_name", name);
        ot_kv_str(d, "value", v, olen);
        ot_kv_end(d);
    }
    ot_kv_end(d);
}

/* FC 43 request and response: MEI type, then its own data (section 6.19). */
static void parse_mei(struct cur *b, struct ot_msg *out, bool request)
{
    uint8_t mei = cur_u8(b);
    if (!cur_ok(b))
        return;
    struct ot_detail *d = &out->detail;
    const char *name = ot_tok_name(modbus_mei_types, mei);
    ot_kv_u64(d, "mei_type", mei);
    if (name)
        ot_kv_cstr(d, "mei_name", name);
    if (mei != MODBUS_MEI_READ_DEVICE_IDENTIFICATION) {
        out->op_class = OT_OP_OTHER;
        if (cur_left(b) > 0)
            detail_hex_rest(b, d, "data");
        return;
    }
    if (!request) {
        parse_device_id_response(b, out);
        return;
    }
    uint8_t code = cur_u8(b);
    uint8_t obj = cur_u8(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(d, "read_device_id_code", code);
    ot_kv_u64(d, "object_id", obj);
    const char *oname = ot_tok_name(modbus_device_objects, obj);
    if (oname)
        ot_kv_cstr(d, "object_name", oname);
    if (code < MODBUS_READ_DEVICE_ID_BASIC || code > MODBUS_READ_DEVICE_ID_SPECIFIC)
        set_anomaly(out, "invalid_read_device_id_code");
}

/* FC 90 (UMAS) request and response: session key, UMAS code, data.  The
 * UMAS code of a request gives the operation class (a PLC stop is CONTROL, a
 * block download PROGRAM); a response only says ok / error. */
static void parse_umas(struct cur *b, struct ot_msg *out, bool request)
{
    uint8_t session = cur_u8(b);
    uint8_t code = cur_u8(b);
    if (!cur_ok(b))
        return;
    struct ot_detail *d = &out->detail;
    const struct ot_func *f = ot_func_find(umas_funcs, code);
    if (f && request && code != UMAS_RESPONSE_OK && code != UMAS_RESPONSE_ERROR)
        out->op_class = (enum ot_op)f->op;
    ot_kv_u64(d, "umas_session", session);
    ot_kv_u64(d, "umas_code", code);
    if (f)
        ot_kv_cstr(d, "umas_name", f->name);
    if (cur_left(b) > 0)
        detail_hex_rest(b, d, "data");
}

/* A function code with no layout we know: its data, bounded, as hex. */
static void parse_opaque(struct cur *b, struct ot_msg *out)
{
    if (cur_left(b) == 0)
        return;
    ot_kv_u64(&out->detail, "data_length", cur_left(b));
    detail_hex_rest(b, &out->detail, "data");
}

static void parse_request(struct cur *b, struct ot_msg *out, uint8_t fc)
{
    switch (fc) {
        case MODBUS_FC_READ_COILS:
            parse_start_quantity(b, out, &space_coil, MODBUS_MAX_READ_BITS);
            break;
        case MODBUS_FC_READ_DISCRETE_INPUTS:
            parse_start_quantity(b, out, &space_discrete_input, MODBUS_MAX_READ_BITS);
            break;
        case MODBUS_FC_READ_HOLDING_REGISTERS:
            parse_start_quantity(b, out, &space_holding, MODBUS_MAX_READ_REGISTERS);
            break;
        case MODBUS_FC_READ_INPUT_REGISTERS:
            parse_start_quantity(b, out, &space_input, MODBUS_MAX_READ_REGISTERS);
            break;
        case MODBUS_FC_WRITE_SINGLE_COIL:
        case MODBUS_FC_WRITE_SINGLE_REGISTER: parse_write_single(b, out, fc); break;
        case MODBUS_FC_READ_EXCEPTION_STATUS:
        case MODBUS_FC_GET_COMM_EVENT_COUNTER:
        case MODBUS_FC_GET_COMM_EVENT_LOG:
        case MODBUS_FC_REPORT_SERVER_ID: break; /* no data (sections 6.7, 6.9, 6.10, 6.13) */
        case MODBUS_FC_DIAGNOSTICS: parse_diagnostics(b, out); break;
        case MODBUS_FC_WRITE_MULTIPLE_COILS: parse_write_multiple_request(b, out, true); break;
        case MODBUS_FC_WRITE_MULTIPLE_REGISTERS: parse_write_multiple_request(b, out, false); break;
        case MODBUS_FC_READ_FILE_RECORD: parse_read_file_request(b, out); break;
        case MODBUS_FC_WRITE_FILE_RECORD: parse_write_file(b, out); break;
        case MODBUS_FC_MASK_WRITE_REGISTER: parse_mask_write(b, out); break;
        case MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS: parse_read_write_request(b, out); break;
        case MODBUS_FC_READ_FIFO_QUEUE: {
            uint16_t addr = cur_be16(b);
            if (cur_ok(b))
                add_range(out, &space_holding, addr, 1);
            break;
        }
        case MODBUS_FC_ENCAPSULATED_INTERFACE_TRANSPORT: parse_mei(b, out, true); break;
        case MODBUS_FC_UMAS: parse_umas(b, out, true); break;
        default: parse_opaque(b, out); break;
    }
}

static void parse_response(struct cur *b, struct ot_msg *out, uint8_t fc)
{
    switch (fc) {
        case MODBUS_FC_READ_COILS: parse_read_bits_response(b, out, "coil_status"); break;
        case MODBUS_FC_READ_DISCRETE_INPUTS:
            parse_read_bits_response(b, out, "input_status");
            break;
        case MODBUS_FC_READ_HOLDING_REGISTERS:
        case MODBUS_FC_READ_INPUT_REGISTERS:
        case MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS: parse_read_registers_response(b, out); break;
        case MODBUS_FC_WRITE_SINGLE_COIL:
        case MODBUS_FC_WRITE_SINGLE_REGISTER: parse_write_single(b, out, fc); break;
        case MODBUS_FC_READ_EXCEPTION_STATUS: {
            uint8_t status = cur_u8(b);
            if (cur_ok(b))
                ot_kv_u64(&out->detail, "exception_status", status);
            break;
        }
        case MODBUS_FC_DIAGNOSTICS: parse_diagnostics(b, out); break;
        case MODBUS_FC_GET_COMM_EVENT_COUNTER: parse_event_counter_response(b, out); break;
        case MODBUS_FC_GET_COMM_EVENT_LOG: parse_event_log_response(b, out); break;
        case MODBUS_FC_WRITE_MULTIPLE_COILS:
            parse_start_quantity(b, out, &space_coil, MODBUS_MAX_WRITE_BITS);
            break;
        case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
            parse_start_quantity(b, out, &space_holding, MODBUS_MAX_WRITE_REGISTERS);
            break;
        case MODBUS_FC_REPORT_SERVER_ID: parse_report_server_id_response(b, out); break;
        case MODBUS_FC_READ_FILE_RECORD: parse_read_file_response(b, out); break;
        case MODBUS_FC_WRITE_FILE_RECORD: parse_write_file(b, out); break;
        case MODBUS_FC_MASK_WRITE_REGISTER: parse_mask_write(b, out); break;
        case MODBUS_FC_READ_FIFO_QUEUE: parse_fifo_response(b, out); break;
        case MODBUS_FC_ENCAPSULATED_INTERFACE_TRANSPORT: parse_mei(b, out, false); break;
        case MODBUS_FC_UMAS: parse_umas(b, out, false); break;
        default: parse_opaque(b, out); break;
    }
}

/* Exception response: one byte, the exception code (section 7). */
static void parse_exception(struct cur *b, struct ot_msg *out, bool request)
{
    uint8_t code = cur_u8(b);
    if (!cur_ok(b))
        return;
    const char *name = ot_tok_name(modbus_exceptions, code);
    ot_msg_set_exception(out, code, name);
    if (!name)
        set_anomaly(out, "unknown_exception_code");
    if (request)
        set_anomaly(out, "exception_in_request");
}

/* parse(): c holds one PDU as framed by modbus_pdu_len (MBAP header first).
 * Returns NOT_MINE when the protocol id is not 0, INVALID when the MBAP
 * length cannot hold a function code or exceeds 254, TRUNC when c holds
 * fewer bytes than the MBAP length announces, OK otherwise: inner fields
 * that lie (byte counts, quantities, a PDU too short for its function) are
 * parsed around and reported in out->anomaly. */
static enum ot_parse modbus_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    uint16_t tid = cur_be16(c);
    uint16_t pid = cur_be16(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    if (pid != MBAP_PROTOCOL_ID)
        return OT_PARSE_NOT_MINE;
    uint16_t length = cur_be16(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    if (length < MBAP_LENGTH_MIN || length > MBAP_LENGTH_MAX)
        return OT_PARSE_INVALID;
    struct cur pdu = cur_sub(c, length);
    if (!cur_ok(c) || ctx->pdu_truncated)
        return OT_PARSE_TRUNC;

    uint8_t unit = cur_u8(&pdu);
    uint8_t fc = cur_u8(&pdu);
    bool request = ctx->to_server;
    uint8_t code = fc & MODBUS_FC_MASK;
    const struct ot_func *f = modbus_func(code);

    out->dir = request ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    out->pair = OT_PAIR_KEYED;
    out->txn_key = (uint32_t)tid | (uint32_t)unit << 16;
    out->has_unit = true;
    out->unit = unit;
    ot_msg_set_function(out, code, f->name, (enum ot_op)f->op);
    ot_kv_u64(&out->detail, "transaction_id", tid);
    ot_kv_u64(&out->detail, "length", length);

    if (fc & MODBUS_FC_EXCEPTION_BIT)
        parse_exception(&pdu, out, request);
    else if (request)
        parse_request(&pdu, out, code);
    else
        parse_response(&pdu, out, code);

    if (!cur_ok(&pdu))
        set_anomaly(out, "pdu_too_short");
    else if (cur_left(&pdu) > 0)
        set_anomaly(out, "trailing_bytes");
    return OT_PARSE_OK;
}

/* pdu_len(): 6 + the MBAP length, 0 while the 6 header bytes are not all
 * there, OT_PDU_NOT_MINE as soon as a byte rules Modbus out (protocol id not
 * 0, length outside 2..254): three fixed bytes and a bounded fourth make a
 * false resynchronisation on random bytes about one in 2^24. */
static size_t modbus_pdu_len(const uint8_t *p, size_t len)
{
    struct cur c = cur_init(p, len);
    /* judge each header byte that is already there: protocol id, length high */
    for (size_t at = 2; at < 5 && at < cur_left(&c); at++)
        if (cur_peek_at(&c, at) != 0)
            return OT_PDU_NOT_MINE;
    if (cur_left(&c) < MBAP_HDR_LEN)
        return 0;
    uint8_t length = cur_peek_at(&c, 5);
    if (length < MBAP_LENGTH_MIN || length > MBAP_LENGTH_MAX)
        return OT_PDU_NOT_MINE;
    return MBAP_HDR_LEN + (size_t)length;
}

/* True when an exception code is one the spec defines (section 7). */
static bool known_exception(uint8_t code)
{
    return ot_tok_name(modbus_exceptions, code) != NULL;
}

/* probe(): the first payload of one direction.  Every MBAP header in it must
 * carry protocol id 0 and a length of 2..254, the PDUs must tile the bytes
 * (a pipelined segment holds several; the last may continue in the next
 * segment), and the function code must fit the direction: below 0x80 from a
 * client, below 0x80 or an exception with a defined code from a server.
 * HTTP, TLS, DCE/RPC, ONC RPC or TPKT bytes fail the protocol id at once. */
static enum ot_probe modbus_probe(const uint8_t *p, size_t len, bool to_server)
{
    struct cur c = cur_init(p, len);
    if (cur_left(&c) == 0)
        return OT_PROBE_NEED_MORE;
    for (size_t n = 0; n < MODBUS_PROBE_MAX_PDUS && cur_left(&c) > 0; n++) {
        size_t left = cur_left(&c);
        /* cur_bytes(&c, 0) borrows the current position without moving */
        size_t plen = modbus_pdu_len(cur_bytes(&c, 0), left);
        if (plen == OT_PDU_NOT_MINE)
            return OT_PROBE_NO;
        if (plen == 0 || left < MBAP_HDR_LEN + 2) /* header or function code not there yet */
            return n == 0 ? OT_PROBE_NEED_MORE : OT_PROBE_YES;
        uint8_t fc = cur_peek_at(&c, MBAP_HDR_LEN + 1);
        if (fc & MODBUS_FC_EXCEPTION_BIT) {
            if (to_server || plen != MBAP_HDR_LEN + 3)
                return OT_PROBE_NO;
            if (left > MBAP_HDR_LEN + 2 && !known_exception(cur_peek_at(&c, MBAP_HDR_LEN + 2)))
                return OT_PROBE_NO;
        }
        if (plen > left)
            return OT_PROBE_YES; /* the PDU continues in the next segment */
        cur_skip(&c, plen);
    }
    return OT_PROBE_YES;
}

const struct ot_dissector modbus_dissector = {
    .name = "modbus",
    .proto = OT_PROTO_MODBUS,
    .l4 = IPPROTO_TCP,
    .ports = {MODBUS_TCP_PORT, 0},
    .ethertype = 0,
    .probe = modbus_probe,
    .pdu_len = modbus_pdu_len,
    .parse = modbus_parse,
    .flow_state_size = 0,
    .flow_summary = NULL,
    .heuristic = true,
};
