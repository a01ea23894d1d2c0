/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: DNP3 over TCP and UDP port 20000: link frames and their CRCs,
 * transport reassembly of application fragments (bounded, per direction, in
 * flow state), application function codes and IIN, object headers walked for
 * the points they touch, CROB and analog output commands with their values,
 * and group 0 device attributes as device identity. */
/* specification: IEEE Std 1815-2012 (DNP3): clause 9 (data link layer: frame
 * format, control octet, CRC), clause 8 (transport function: header and
 * reception rules), clause 4.2 (application fragment: control, function codes,
 * internal indications, object headers, qualifier codes), 5.5.4 (device
 * attribute data types), Annex A (object library: sizes of each group and
 * variation). */
/*
 * Link frame (clause 9.2): a 10-octet header, then user data in blocks of 16
 * octets (the last one 1..16), each followed by its own CRC.
 *
 *  +------+------+-----+-----+-----------+-----------+-----------+
 *  | 0x05 | 0x64 | LEN | CTL | DEST (le) | SRC (le)  | CRC (le)  |
 *  +------+------+-----+-----+-----------+-----------+-----------+
 *  | user data, 16 octets            | CRC (le) | ... | 1..16 | CRC |
 *  +---------------------------------+----------+-----+-------+-----+
 *  LEN (5..255) counts CTL, DEST, SRC and the user data, not the CRCs.
 *  CRC: CRC-16/DNP, polynomial 0x3D65 (reflected 0xA6BC), init 0, inverted.
 *
 *  CTL:   7     6     5        4         3..0
 *       +-----+-----+--------+---------+----------+
 *       | DIR | PRM | FCB/ - | FCV/DFC | FUNCTION |   DIR=1: sent by the master
 *       +-----+-----+--------+---------+----------+   PRM=1: primary (FCB, FCV)
 *
 * Transport header, the first user data octet (clause 8.2):
 *       +-----+-----+----------+
 *       | FIN | FIR | SEQ (6)  |   then the segment of the application fragment
 *       +-----+-----+----------+
 *
 * Application fragment (clause 4.2.2):
 *  +----+----+------+------+----------------------------------------+
 *  | AC | FC | IIN1 | IIN2 | object headers, each with its objects  |
 *  +----+----+------+------+----------------------------------------+
 *  IIN1/IIN2 in responses (FC 129..131) only.
 *  AC:  FIR(7) FIN(6) CON(5) UNS(4) SEQ(3..0)
 *
 * Object header:
 *  +-------+-----------+-----------+----------------------------+
 *  | group | variation | qualifier | range: 0, 1, 2, 4 or 8 oct |
 *  +-------+-----------+-----------+----------------------------+
 *  qualifier: reserved(7) | prefix code (6..4) | range specifier code (3..0)
 *  then `count` objects, each preceded by its index or size when the prefix
 *  code says so.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define DNP3_PORT 20000

/* Link layer (clause 9.2). */
#define DNP3_START_1 0x05
#define DNP3_START_2 0x64
#define DNP3_LINK_HEADER_LEN 10 /* start(2) length control dest(2) src(2) crc(2) */
#define DNP3_LINK_CRC_SPAN 8    /* octets of the header covered by its CRC */
#define DNP3_LINK_MIN_LENGTH 5  /* LEN counts control, dest and src at least */
#define DNP3_BLOCK_LEN 16       /* user data octets per CRC block */
#define DNP3_CRC_LEN 2
#define DNP3_MAX_USER_DATA 250 /* LEN 255 minus control, dest, src */

#define DNP3_LINK_DIR 0x80
#define DNP3_LINK_PRM 0x40
#define DNP3_LINK_FCB 0x20
#define DNP3_LINK_FCV 0x10 /* primary frames */
#define DNP3_LINK_DFC 0x10 /* secondary frames */
#define DNP3_LINK_FUNC_MASK 0x0f
/* Link-only records report function_code 0x100 + PRM * 0x10 + link function,
 * so they never collide with application function codes (REQUEST_LINK_STATUS
 * 9 is not FREEZE_CLEAR 9) nor primary with secondary codes. */
#define DNP3_LINK_CODE_BASE 0x100
#define DNP3_LINK_CODE_PRM 0x10

/* Primary (PRM=1) link functions. */
#define DNP3_LINK_RESET_LINK_STATES 0
#define DNP3_LINK_RESET_USER_PROCESS 1 /* obsolete since DNP3-2007 */
#define DNP3_LINK_TEST_LINK_STATES 2
#define DNP3_LINK_CONFIRMED_USER_DATA 3
#define DNP3_LINK_UNCONFIRMED_USER_DATA 4
#define DNP3_LINK_REQUEST_LINK_STATUS 9
/* Secondary (PRM=0) link functions. */
#define DNP3_LINK_ACK 0
#define DNP3_LINK_NACK 1
#define DNP3_LINK_LINK_STATUS 11
#define DNP3_LINK_NOT_FUNCTIONING 14 /* obsolete */
#define DNP3_LINK_NOT_SUPPORTED 15

/* Addresses 0xfffd..0xffff are broadcasts (clause 9.2). */
#define DNP3_ADDR_BROADCAST_MIN 0xfffd

/* Transport header (clause 8.2). */
#define DNP3_TH_FIN 0x80
#define DNP3_TH_FIR 0x40
#define DNP3_TH_SEQ_MASK 0x3f

/* Application control (clause 4.2.2.4). */
#define DNP3_AC_FIR 0x80
#define DNP3_AC_FIN 0x40
#define DNP3_AC_CON 0x20
#define DNP3_AC_UNS 0x10
#define DNP3_AC_SEQ_MASK 0x0f

/* Application function codes (clause 4.2.2.5). */
#define DNP3_FC_CONFIRM 0
#define DNP3_FC_READ 1
#define DNP3_FC_WRITE 2
#define DNP3_FC_SELECT 3
#define DNP3_FC_OPERATE 4
#define DNP3_FC_DIRECT_OPERATE 5
#define DNP3_FC_DIRECT_OPERATE_NR 6
#define DNP3_FC_IMMED_FREEZE 7
#define DNP3_FC_IMMED_FREEZE_NR 8
#define DNP3_FC_FREEZE_CLEAR 9
#define DNP3_FC_FREEZE_CLEAR_NR 10
#define DNP3_FC_FREEZE_AT_TIME 11
#define DNP3_FC_FREEZE_AT_TIME_NR 12
#define DNP3_FC_COLD_RESTART 13
#define DNP3_FC_WARM_RESTART 14
#define DNP3_FC_INITIALIZE_DATA 15
#define DNP3_FC_INITIALIZE_APPL 16
#define DNP3_FC_START_APPL 17
#define DNP3_FC_STOP_APPL 18
#define DNP3_FC_SAVE_CONFIG 19
#define DNP3_FC_ENABLE_UNSOLICITED 20
#define DNP3_FC_DISABLE_UNSOLICITED 21
#define DNP3_FC_ASSIGN_CLASS 22
#define DNP3_FC_DELAY_MEASURE 23
#define DNP3_FC_RECORD_CURRENT_TIME 24
#define DNP3_FC_OPEN_FILE 25
#define DNP3_FC_CLOSE_FILE 26
#define DNP3_FC_DELETE_FILE 27
#define DNP3_FC_GET_FILE_INFO 28
#define DNP3_FC_AUTHENTICATE_FILE 29
#define DNP3_FC_ABORT_FILE 30
#define DNP3_FC_ACTIVATE_CONFIG 31
#define DNP3_FC_AUTHENTICATION_REQUEST 32
#define DNP3_FC_AUTHENTICATION_REQUEST_NR 33
#define DNP3_FC_RESPONSE_MIN 128 /* 128..255 are response codes, reserved or not */
#define DNP3_FC_RESPONSE 129
#define DNP3_FC_UNSOLICITED_RESPONSE 130
#define DNP3_FC_AUTHENTICATION_RESPONSE 131

/* Qualifier (clause 4.2.2.7): prefix code and range specifier code. */
#define DNP3_QUAL_RESERVED 0x80
#define DNP3_QUAL_PREFIX(q) (((q) >> 4) & 0x07)
#define DNP3_QUAL_RANGE(q) ((q)&0x0f)

#define DNP3_PREFIX_NONE 0
#define DNP3_PREFIX_INDEX_1 1
#define DNP3_PREFIX_INDEX_2 2
#define DNP3_PREFIX_INDEX_4 3
#define DNP3_PREFIX_SIZE_1 4
#define DNP3_PREFIX_SIZE_2 5
#define DNP3_PREFIX_SIZE_4 6

#define DNP3_RANGE_START_STOP_1 0
#define DNP3_RANGE_START_STOP_2 1
#define DNP3_RANGE_START_STOP_4 2
#define DNP3_RANGE_VIRTUAL_1 3 /* virtual addresses: obsolete, same layout as 0..2 */
#define DNP3_RANGE_VIRTUAL_2 4
#define DNP3_RANGE_VIRTUAL_4 5
#define DNP3_RANGE_ALL 6 /* no range field: all objects */
#define DNP3_RANGE_COUNT_1 7
#define DNP3_RANGE_COUNT_2 8
#define DNP3_RANGE_COUNT_4 9
#define DNP3_RANGE_FREE_FORMAT 0x0b /* 1-octet count, objects of variable size */

/* Object groups this file decodes beyond their size. */
#define DNP3_G_DEVICE_ATTRIBUTE 0
#define DNP3_G_CROB 12
#define DNP3_G_ANALOG_OUTPUT_BLOCK 41
#define DNP3_G_TIME 50
#define DNP3_G_CLASS 60
#define DNP3_G_FILE 70
#define DNP3_G_OCTET_STRING 110
#define DNP3_G_VIRTUAL_TERMINAL_EVENT 113
#define DNP3_G_AUTHENTICATION 120

/* Device attribute variations (group 0) that identify the device (Annex A.1). */
#define DNP3_ATTR_SOFTWARE_VERSION 242
#define DNP3_ATTR_USER_ASSIGNED_ID 246
#define DNP3_ATTR_USER_ASSIGNED_DEVICE_NAME 247
#define DNP3_ATTR_SERIAL_NUMBER 248
#define DNP3_ATTR_PRODUCT_NAME_AND_MODEL 250
#define DNP3_ATTR_MANUFACTURER_NAME 252

/* Device attribute data type codes (5.5.4.3). */
#define DNP3_DT_VSTR 1
#define DNP3_DT_UINT 2
#define DNP3_DT_INT 3
#define DNP3_DT_FLT 4
#define DNP3_DT_OSTR 5
#define DNP3_DT_BSTR 6
#define DNP3_DT_TIME 7
#define DNP3_DT_UNCD 8
#define DNP3_DT_U8BS8LIST 254
#define DNP3_DT_U8BS8EXLIST 255 /* its length is 256 + the length octet */

/* CROB control code (Annex A.12.1). */
#define DNP3_CROB_OP_TYPE_MASK 0x0f
#define DNP3_CROB_QUEUE 0x10 /* obsolete */
#define DNP3_CROB_CLEAR 0x20
#define DNP3_CROB_TCC_SHIFT 6
#define DNP3_CROB_STATUS_MASK 0x7f

/* IIN2 bits that report a failed request (clause 4.2.2.6). */
#define DNP3_IIN_ERRORS 0x0037

/* Special object sizes in dnp3_obj_sizes[]; plain values 1..15 are octets. */
#define DNP3_SZ_UNKNOWN 0      /* layout unknown: the walk stops */
#define DNP3_SZ_BITS1 0xf1     /* packed, one bit per point */
#define DNP3_SZ_BITS2 0xf2     /* packed, two bits per point */
#define DNP3_SZ_VARIATION 0xf3 /* the variation is the size in octets */
#define DNP3_SZ_ATTRIBUTE 0xf4 /* group 0: data type, length, value */
#define DNP3_SZ_FREE 0xf5      /* variable: walkable only behind a size prefix */
#define DNP3_SZ_NONE 0xf6      /* no object data (class objects) */

/* Primary link functions (clause 9.2). */
static const struct ot_func dnp3_link_primary_funcs[] = {
    {DNP3_LINK_RESET_LINK_STATES, "RESET_LINK_STATES", OT_OP_OTHER},
    {DNP3_LINK_RESET_USER_PROCESS, "RESET_USER_PROCESS", OT_OP_OTHER},
    {DNP3_LINK_TEST_LINK_STATES, "TEST_LINK_STATES", OT_OP_DIAGNOSTIC},
    {DNP3_LINK_CONFIRMED_USER_DATA, "CONFIRMED_USER_DATA", OT_OP_OTHER},
    {DNP3_LINK_UNCONFIRMED_USER_DATA, "UNCONFIRMED_USER_DATA", OT_OP_OTHER},
    {DNP3_LINK_REQUEST_LINK_STATUS, "REQUEST_LINK_STATUS", OT_OP_DIAGNOSTIC},
    {0, NULL, 0},
};

/* Secondary link functions (clause 9.2). */
static const struct ot_func dnp3_link_secondary_funcs[] = {
    {DNP3_LINK_ACK, "ACK", OT_OP_OTHER},
    {DNP3_LINK_NACK, "NACK", OT_OP_OTHER},
    {DNP3_LINK_LINK_STATUS, "LINK_STATUS", OT_OP_DIAGNOSTIC},
    {DNP3_LINK_NOT_FUNCTIONING, "NOT_FUNCTIONING", OT_OP_OTHER},
    {DNP3_LINK_NOT_SUPPORTED, "NOT_SUPPORTED", OT_OP_OTHER},
    {0, NULL, 0},
};

/* Application function codes (clause 4.2.2.5). */
static const struct ot_func dnp3_funcs[] = {
    {DNP3_FC_CONFIRM, "CONFIRM", OT_OP_OTHER},
    {DNP3_FC_READ, "READ", OT_OP_READ},
    {DNP3_FC_WRITE, "WRITE", OT_OP_WRITE},
    {DNP3_FC_SELECT, "SELECT", OT_OP_CONTROL},
    {DNP3_FC_OPERATE, "OPERATE", OT_OP_CONTROL},
    {DNP3_FC_DIRECT_OPERATE, "DIRECT_OPERATE", OT_OP_CONTROL},
    {DNP3_FC_DIRECT_OPERATE_NR, "DIRECT_OPERATE_NR", OT_OP_CONTROL},
    {DNP3_FC_IMMED_FREEZE, "IMMED_FREEZE", OT_OP_CONTROL},
    {DNP3_FC_IMMED_FREEZE_NR, "IMMED_FREEZE_NR", OT_OP_CONTROL},
    {DNP3_FC_FREEZE_CLEAR, "FREEZE_CLEAR", OT_OP_CONTROL},
    {DNP3_FC_FREEZE_CLEAR_NR, "FREEZE_CLEAR_NR", OT_OP_CONTROL},
    {DNP3_FC_FREEZE_AT_TIME, "FREEZE_AT_TIME", OT_OP_CONTROL},
    {DNP3_FC_FREEZE_AT_TIME_NR, "FREEZE_AT_TIME_NR", OT_OP_CONTROL},
    {DNP3_FC_COLD_RESTART, "COLD_RESTART", OT_OP_CONTROL},
    {DNP3_FC_WARM_RESTART, "WARM_RESTART", OT_OP_CONTROL},
    {DNP3_FC_INITIALIZE_DATA, "INITIALIZE_DATA", OT_OP_CONTROL},
    {DNP3_FC_INITIALIZE_APPL, "INITIALIZE_APPL", OT_OP_CONTROL},
    {DNP3_FC_START_APPL, "START_APPL", OT_OP_CONTROL},
    {DNP3_FC_STOP_APPL, "STOP_APPL", OT_OP_CONTROL},
    {DNP3_FC_SAVE_CONFIG, "SAVE_CONFIG", OT_OP_PROGRAM},
    {DNP3_FC_ENABLE_UNSOLICITED, "ENABLE_UNSOLICITED", OT_OP_CONTROL},
    {DNP3_FC_DISABLE_UNSOLICITED, "DISABLE_UNSOLICITED", OT_OP_CONTROL},
    {DNP3_FC_ASSIGN_CLASS, "ASSIGN_CLASS", OT_OP_WRITE},
    {DNP3_FC_DELAY_MEASURE, "DELAY_MEASURE", OT_OP_TIME_SYNC},
    {DNP3_FC_RECORD_CURRENT_TIME, "RECORD_CURRENT_TIME", OT_OP_TIME_SYNC},
    {DNP3_FC_OPEN_FILE, "OPEN_FILE", OT_OP_FILE},
    {DNP3_FC_CLOSE_FILE, "CLOSE_FILE", OT_OP_FILE},
    {DNP3_FC_DELETE_FILE, "DELETE_FILE", OT_OP_FILE},
    {DNP3_FC_GET_FILE_INFO, "GET_FILE_INFO", OT_OP_FILE},
    {DNP3_FC_AUTHENTICATE_FILE, "AUTHENTICATE_FILE", OT_OP_FILE},
    {DNP3_FC_ABORT_FILE, "ABORT_FILE", OT_OP_FILE},
    {DNP3_FC_ACTIVATE_CONFIG, "ACTIVATE_CONFIG", OT_OP_PROGRAM},
    {DNP3_FC_AUTHENTICATION_REQUEST, "AUTHENTICATION_REQUEST", OT_OP_AUTH},
    {DNP3_FC_AUTHENTICATION_REQUEST_NR, "AUTHENTICATION_REQUEST_NR", OT_OP_AUTH},
    {DNP3_FC_RESPONSE, "RESPONSE", OT_OP_OTHER},
    {DNP3_FC_UNSOLICITED_RESPONSE, "UNSOLICITED_RESPONSE", OT_OP_OTHER},
    {DNP3_FC_AUTHENTICATION_RESPONSE, "AUTHENTICATION_RESPONSE", OT_OP_AUTH},
    {0, NULL, 0},
};

/* Internal indications, as the 16-bit value IIN1 << 8 | IIN2 (clause 4.2.2.6). */
static const struct ot_tok dnp3_iin_names[] = {
    {0x0100, "broadcast"},
    {0x0200, "class_1_events"},
    {0x0400, "class_2_events"},
    {0x0800, "class_3_events"},
    {0x1000, "need_time"},
    {0x2000, "local_control"},
    {0x4000, "device_trouble"},
    {0x8000, "device_restart"},
    {0x0001, "no_func_code_support"},
    {0x0002, "object_unknown"},
    {0x0004, "parameter_error"},
    {0x0008, "event_buffer_overflow"},
    {0x0010, "already_executing"},
    {0x0020, "config_corrupt"},
    {0x0040, "reserved_2"},
    {0x0080, "reserved_1"},
    {0, NULL},
};

/* Address spaces of the points an object header touches; space_id is the group. */
static const struct ot_tok dnp3_spaces[] = {
    {0, "device_attribute"},
    {1, "binary_input"},
    {2, "binary_input"},
    {3, "double_bit_input"},
    {4, "double_bit_input"},
    {10, "binary_output"},
    {11, "binary_output"},
    {12, "binary_output"},
    {13, "binary_output"},
    {20, "counter"},
    {21, "counter"},
    {22, "counter"},
    {23, "counter"},
    {30, "analog_input"},
    {31, "analog_input"},
    {32, "analog_input"},
    {33, "analog_input"},
    {34, "analog_input_deadband"},
    {40, "analog_output"},
    {41, "analog_output"},
    {42, "analog_output"},
    {43, "analog_output"},
    {50, "time"},
    {51, "time"},
    {52, "time"},
    {60, "class"},
    {70, "file"},
    {80, "iin"},
    {101, "bcd"},
    {102, "unsigned_integer"},
    {110, "octet_string"},
    {111, "octet_string"},
    {112, "virtual_terminal"},
    {113, "virtual_terminal"},
    {120, "authentication"},
    {121, "security_statistic"},
    {122, "security_statistic"},
    {0, NULL},
};

/* CROB operation type (Annex A.12.1, control code bits 0..3). */
static const struct ot_tok dnp3_crob_op_types[] = {
    {0, "NUL"}, {1, "PULSE_ON"}, {2, "PULSE_OFF"}, {3, "LATCH_ON"}, {4, "LATCH_OFF"}, {0, NULL},
};

/* CROB trip-close code (control code bits 6..7). */
static const struct ot_tok dnp3_crob_tcc[] = {
    {0, "NUL"}, {1, "CLOSE"}, {2, "TRIP"}, {3, "RESERVED"}, {0, NULL},
};

/* Command status of CROB and analog output objects (Annex A). */
#define DNP3_EXC_COMMAND_STATUS 0x100
static const struct ot_tok dnp3_command_status[] = {
    {0, "SUCCESS"},
    {1, "TIMEOUT"},
    {2, "NO_SELECT"},
    {3, "FORMAT_ERROR"},
    {4, "NOT_SUPPORTED"},
    {5, "ALREADY_ACTIVE"},
    {6, "HARDWARE_ERROR"},
    {7, "LOCAL"},
    {8, "TOO_MANY_OBJS"},
    {9, "NOT_AUTHORIZED"},
    {10, "AUTOMATION_INHIBIT"},
    {11, "PROCESSING_LIMITED"},
    {12, "OUT_OF_RANGE"},
    {13, "DOWNSTREAM_LOCAL"},
    {14, "ALREADY_COMPLETE"},
    {15, "BLOCKED"},
    {16, "CANCELLED"},
    {17, "BLOCKED_OTHER_MASTER"},
    {18, "DOWNSTREAM_FAIL"},
    {126, "RESERVED"},
    {127, "UNDEFINED"},
    {0, NULL},
};

/* Device attribute variations of group 0 (Annex A.1). */
static const struct ot_tok dnp3_attr_names[] = {
    {196, "config_id"},
    {197, "config_version"},
    {198, "config_build_date"},
    {199, "config_last_change_date"},
    {200, "config_digest"},
    {201, "config_digest_algorithm"},
    {202, "master_resource_id"},
    {203, "device_location_altitude"},
    {204, "device_location_longitude"},
    {205, "device_location_latitude"},
    {206, "user_assigned_secondary_operator_name"},
    {207, "user_assigned_primary_operator_name"},
    {208, "user_assigned_system_name"},
    {209, "secure_auth_version"},
    {210, "num_security_stats_per_assoc"},
    {211, "user_specific_attributes"},
    {212, "num_master_defined_data_set_proto"},
    {213, "num_outstation_defined_data_set_proto"},
    {214, "num_master_defined_data_sets"},
    {215, "num_outstation_defined_data_sets"},
    {216, "max_binary_output_per_request"},
    {217, "local_timing_accuracy"},
    {218, "duration_of_time_accuracy"},
    {219, "supports_analog_output_events"},
    {220, "max_analog_output_index"},
    {221, "num_analog_outputs"},
    {222, "supports_binary_output_events"},
    {223, "max_binary_output_index"},
    {224, "num_binary_outputs"},
    {225, "supports_frozen_counter_events"},
    {226, "supports_frozen_counters"},
    {227, "supports_counter_events"},
    {228, "max_counter_index"},
    {229, "num_counters"},
    {230, "supports_frozen_analog_inputs"},
    {231, "supports_analog_input_events"},
    {232, "max_analog_input_index"},
    {233, "num_analog_inputs"},
    {234, "supports_double_bit_binary_input_events"},
    {235, "max_double_bit_binary_input_index"},
    {236, "num_double_bit_binary_inputs"},
    {237, "supports_binary_input_events"},
    {238, "max_binary_input_index"},
    {239, "num_binary_inputs"},
    {240, "max_tx_fragment_size"},
    {241, "max_rx_fragment_size"},
    {242, "device_manufacturer_software_version"},
    {243, "device_manufacturer_hardware_version"},
    {244, "user_assigned_owner_name"},
    {245, "user_assigned_location"},
    {246, "user_assigned_id"},
    {247, "user_assigned_device_name"},
    {248, "device_serial_number"},
    {249, "device_subset_and_conformance"},
    {250, "product_name_and_model"},
    {252, "device_manufacturers_name"},
    {254, "all_attributes_request"},
    {255, "list_of_attribute_variations"},
    {0, NULL},
};

static const struct ot_tok dnp3_attr_types[] = {
    {DNP3_DT_VSTR, "VSTR"},
    {DNP3_DT_UINT, "UINT"},
    {DNP3_DT_INT, "INT"},
    {DNP3_DT_FLT, "FLT"},
    {DNP3_DT_OSTR, "OSTR"},
    {DNP3_DT_BSTR, "BSTR"},
    {DNP3_DT_TIME, "TIME"},
    {DNP3_DT_UNCD, "UNCD"},
    {DNP3_DT_U8BS8LIST, "U8BS8LIST"},
    {DNP3_DT_U8BS8EXLIST, "U8BS8EXLIST"},
    {0, NULL},
};

/* Octets per object of each group and variation (Annex A).  Groups 0, 60,
 * 70, 110..113 and 120 are sized in dnp3_obj_size() itself. */
struct dnp3_obj_size {
    uint8_t group;
    uint8_t var;
    uint8_t size;
};

/* (kept one line per group: one line per variation would be 130 lines) */
/* clang-format off */
static const struct dnp3_obj_size dnp3_obj_sizes[] = {
    {1, 1, DNP3_SZ_BITS1}, {1, 2, 1},
    {2, 1, 1}, {2, 2, 7}, {2, 3, 3},
    {3, 1, DNP3_SZ_BITS2}, {3, 2, 1},
    {4, 1, 1}, {4, 2, 7}, {4, 3, 3},
    {10, 1, DNP3_SZ_BITS1}, {10, 2, 1},
    {11, 1, 1}, {11, 2, 7},
    {12, 1, 11}, {12, 2, 11}, {12, 3, DNP3_SZ_BITS1},
    {13, 1, 1}, {13, 2, 7},
    {20, 1, 5}, {20, 2, 3}, {20, 3, 5}, {20, 4, 3},
    {20, 5, 4}, {20, 6, 2}, {20, 7, 4}, {20, 8, 2},
    {21, 1, 5}, {21, 2, 3}, {21, 3, 5}, {21, 4, 3}, {21, 5, 11}, {21, 6, 9},
    {21, 7, 11}, {21, 8, 9}, {21, 9, 4}, {21, 10, 2}, {21, 11, 4}, {21, 12, 2},
    {22, 1, 5}, {22, 2, 3}, {22, 3, 5}, {22, 4, 3},
    {22, 5, 11}, {22, 6, 9}, {22, 7, 11}, {22, 8, 9},
    {23, 1, 5}, {23, 2, 3}, {23, 3, 5}, {23, 4, 3},
    {23, 5, 11}, {23, 6, 9}, {23, 7, 11}, {23, 8, 9},
    {30, 1, 5}, {30, 2, 3}, {30, 3, 4}, {30, 4, 2}, {30, 5, 5}, {30, 6, 9},
    {31, 1, 5}, {31, 2, 3}, {31, 3, 11}, {31, 4, 9},
    {31, 5, 4}, {31, 6, 2}, {31, 7, 5}, {31, 8, 9},
    {32, 1, 5}, {32, 2, 3}, {32, 3, 11}, {32, 4, 9},
    {32, 5, 5}, {32, 6, 9}, {32, 7, 11}, {32, 8, 15},
    {33, 1, 5}, {33, 2, 3}, {33, 3, 11}, {33, 4, 9},
    {33, 5, 5}, {33, 6, 9}, {33, 7, 11}, {33, 8, 15},
    {34, 1, 2}, {34, 2, 4}, {34, 3, 4},
    {40, 1, 5}, {40, 2, 3}, {40, 3, 5}, {40, 4, 9},
    {41, 1, 5}, {41, 2, 3}, {41, 3, 5}, {41, 4, 9},
    {42, 1, 5}, {42, 2, 3}, {42, 3, 11}, {42, 4, 9},
    {42, 5, 5}, {42, 6, 9}, {42, 7, 11}, {42, 8, 15},
    {43, 1, 5}, {43, 2, 3}, {43, 3, 11}, {43, 4, 9},
    {43, 5, 5}, {43, 6, 9}, {43, 7, 11}, {43, 8, 15},
    {50, 1, 6}, {50, 2, 10}, {50, 3, 6}, {50, 4, 11},
    {51, 1, 6}, {51, 2, 6},
    {52, 1, 2}, {52, 2, 2},
    {80, 1, DNP3_SZ_BITS1},
    {81, 1, 3},
    {101, 1, 2}, {101, 2, 4}, {101, 3, 8},
    {102, 1, 1},
    {120, 3, 6}, {120, 4, 2},
    {121, 1, 7},
    {122, 1, 7}, {122, 2, 13},
};
/* clang-format on */

/* An application fragment is reassembled up to this many octets.  2048 is
 * the usual default: a device that sends longer fragments must let them be
 * configured, and few do.  Bounds the flow state (two buffers per flow) and
 * what a peer can make us hold: a longer fragment is an anomaly and is
 * dropped. */
#define DNP3_MAX_APDU 2048

/* Object headers walked per fragment.  Legitimate fragments carry a few
 * dozen; a 2048-octet fragment of 3-octet "all objects" headers would be 680.
 * Bounds the work (and the detail) one hostile fragment can cost. */
#define DNP3_MAX_OBJECT_HEADERS 128

/* Objects visited one by one in one header (index- or size-prefixed objects,
 * commands, attributes).  Each takes at least one octet, so a 2048-octet
 * fragment cannot legitimately hold more; bounds CPU against hostile counts
 * (a 4-octet count can claim 4 billion objects). */
#define DNP3_MAX_POINTS_PER_HEADER 2048

/* Object headers described in the detail tape, and per header the points
 * (CROB, analog output, attribute) described; the tape holds 96 entries, so
 * more would only be cut off there. */
#define DNP3_MAX_DETAIL_OBJECTS 8
#define DNP3_MAX_DETAIL_POINTS 4

/* Tape entries an object header's description takes (object, fields, points
 * array), the most one point takes (a CROB), and what is kept free for the
 * summary after the objects (object_count, unparsed): a header or point is
 * described only when it fits, so the summary always does. */
#define DNP3_DETAIL_HEADER_KV 10
#define DNP3_DETAIL_POINT_KV 13
#define DNP3_DETAIL_RESERVE_KV 3

/* CRC-16/DNP lookup table: polynomial 0x3D65, bit-reflected (0xA6BC). */
static const uint16_t dnp3_crc_table[256] = {
    0x0000, 0x365e, 0x6cbc, 0x5ae2, 0xd978, 0xef26, 0xb5c4, 0x839a, 0xff89, 0xc9d7, 0x9335, 0xa56b,
    0x26f1, 0x10af, 0x4a4d, 0x7c13, 0xb26b, 0x8435, 0xded7, 0xe889, 0x6b13, 0x5d4d, 0x07af, 0x31f1,
    0x4de2, 0x7bbc, 0x215e, 0x1700, 0x949a, 0xa2c4, 0xf826, 0xce78, 0x29af, 0x1ff1, 0x4513, 0x734d,
    0xf0d7, 0xc689, 0x9c6b, 0xaa35, 0xd626, 0xe078, 0xba9a, 0x8cc4, 0x0f5e, 0x3900, 0x63e2, 0x55bc,
    0x9bc4, 0xad9a, 0xf778, 0xc126, 0x42bc, 0x74e2, 0x2e00, 0x185e, 0x644d, 0x5213, 0x08f1, 0x3eaf,
    0xbd35, 0x8b6b, 0xd189, 0xe7d7, 0x535e, 0x6500, 0x3fe2, 0x09bc, 0x8a26, 0xbc78, 0xe69a, 0xd0c4,
    0xacd7, 0x9a89, 0xc06b, 0xf635, 0x75af, 0x43f1, 0x1913, 0x2f4d, 0xe135, 0xd76b, 0x8d89, 0xbbd7,
    0x384d, 0x0e13, 0x54f1, 0x62af, 0x1ebc, 0x28e2, 0x7200, 0x445e, 0xc7c4, 0xf19a, 0xab78, 0x9d26,
    0x7af1, 0x4caf, 0x164d, 0x2013, 0xa389, 0x95d7, 0xcf35, 0xf96b, 0x8578, 0xb326, 0xe9c4, 0xdf9a,
    0x5c00, 0x6a5e, 0x30bc, 0x06e2, 0xc89a, 0xfec4, 0xa426, 0x9278, 0x11e2, 0x27bc, 0x7d5e, 0x4b00,
    0x3713, 0x014d, 0x5baf, 0x6df1, 0xee6b, 0xd835, 0x82d7, 0xb489, 0xa6bc, 0x90e2, 0xca00, 0xfc5e,
    0x7fc4, 0x499a, 0x1378, 0x2526, 0x5935, 0x6f6b, 0x3589, 0x03d7, 0x804d, 0xb613, 0xecf1, 0xdaaf,
    0x14d7, 0x2289, 0x786b, 0x4e35, 0xcdaf, 0xfbf1, 0xa113, 0x974d, 0xeb5e, 0xdd00, 0x87e2, 0xb1bc,
    0x3226, 0x0478, 0x5e9a, 0x68c4, 0x8f13, 0xb94d, 0xe3af, 0xd5f1, 0x566b, 0x6035, 0x3ad7, 0x0c89,
    0x709a, 0x46c4, 0x1c26, 0x2a78, 0xa9e2, 0x9fbc, 0xc55e, 0xf300, 0x3d78, 0x0b26, 0x51c4, 0x679a,
    0xe400, 0xd25e, 0x88bc, 0xbee2, 0xc2f1, 0xf4af, 0xae4d, 0x9813, 0x1b89, 0x2dd7, 0x7735, 0x416b,
    0xf5e2, 0xc3bc, 0x995e, 0xaf00, 0x2c9a, 0x1ac4, 0x4026, 0x7678, 0x0a6b, 0x3c35, 0x66d7, 0x5089,
    0xd313, 0xe54d, 0xbfaf, 0x89f1, 0x4789, 0x71d7, 0x2b35, 0x1d6b, 0x9ef1, 0xa8af, 0xf24d, 0xc413,
    0xb800, 0x8e5e, 0xd4bc, 0xe2e2, 0x6178, 0x5726, 0x0dc4, 0x3b9a, 0xdc4d, 0xea13, 0xb0f1, 0x86af,
    0x0535, 0x336b, 0x6989, 0x5fd7, 0x23c4, 0x159a, 0x4f78, 0x7926, 0xfabc, 0xcce2, 0x9600, 0xa05e,
    0x6e26, 0x5878, 0x029a, 0x34c4, 0xb75e, 0x8100, 0xdbe2, 0xedbc, 0x91af, 0xa7f1, 0xfd13, 0xcb4d,
    0x48d7, 0x7e89, 0x246b, 0x1235,
};

/* Reassembly of one direction's application fragment (clause 8.2). */
struct dnp3_reasm {
    bool active;     /* a FIR segment opened a fragment that has not finished */
    bool seen_fir;   /* a FIR segment was seen: later orphans are out of sequence */
    bool discarding; /* the fragment was dropped: its remaining segments go quietly */
    uint8_t seq;     /* transport sequence of the last segment taken */
    uint16_t src;    /* link addresses of the fragment being reassembled */
    uint16_t dst;
    uint16_t segments;
    uint16_t len;
    uint8_t buf[DNP3_MAX_APDU];
};

/* Flow state: one reassembler per link direction (index 0: DIR set, the
 * master's fragments; 1: the outstation's). */
struct dnp3_flow {
    struct dnp3_reasm side[2];
};

/* The link header, decoded. */
struct dnp3_link {
    uint8_t length;
    uint8_t ctl;
    uint8_t func;
    uint16_t dst;
    uint16_t src;
    bool dir; /* sent by the master */
    bool prm; /* primary frame */
};

/* State of one walk over the object headers of an application fragment. */
struct dnp3_walk {
    struct cur *c;
    struct ot_msg *out;
    uint8_t fc;
    bool response; /* a response: every object header carries its objects */
    bool command;  /* SELECT/OPERATE/DIRECT_OPERATE(_NR): g12/g41 carry set-points */
    bool identity; /* sent by the outstation: group 0 attributes identify it */
    unsigned headers;
    bool unparsed;
};

/* Computes the CRC over the next n octets of c (c is a copy: the caller's
 * cursor does not move). */
static uint16_t dnp3_crc(struct cur c, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n && cur_ok(&c); i++)
        crc = (uint16_t)((crc >> 8) ^ dnp3_crc_table[(crc ^ cur_u8(&c)) & 0xff]);
    return (uint16_t)~crc;
}

/* Octets of a whole link frame whose LEN field is `length` (>= 5). */
static size_t dnp3_frame_len(uint8_t length)
{
    size_t user = (size_t)length - DNP3_LINK_MIN_LENGTH;
    size_t blocks = (user + DNP3_BLOCK_LEN - 1) / DNP3_BLOCK_LEN;
    return DNP3_LINK_HEADER_LEN + user + blocks * DNP3_CRC_LEN;
}

/* Checks the start octets, the length and the CRC of the 10-octet header at
 * c's position without moving c. */
static bool dnp3_header_ok(const struct cur *c)
{
    struct cur h = *c;
    uint16_t want = dnp3_crc(h, DNP3_LINK_CRC_SPAN);
    uint16_t start = cur_be16(&h);
    uint8_t length = cur_u8(&h);
    cur_skip(&h, DNP3_LINK_CRC_SPAN - 3);
    uint16_t crc = cur_le16(&h);
    return cur_ok(&h) && start == (DNP3_START_1 << 8 | DNP3_START_2) &&
           length >= DNP3_LINK_MIN_LENGTH && crc == want;
}

/* Reads an unsigned little-endian field of 1, 2 or 4 octets. */
static uint32_t dnp3_le(struct cur *c, unsigned n)
{
    switch (n) {
        case 1: return cur_u8(c);
        case 2: return cur_le16(c);
        default: return cur_le32(c);
    }
}

/* Octets of an index or size prefix (prefix code 1..6), 0 for none. */
static unsigned dnp3_prefix_len(uint8_t prefix)
{
    static const uint8_t len[8] = {0, 1, 2, 4, 1, 2, 4, 0};
    return len[prefix & 7];
}

/* Size class of an object (DNP3_SZ_*, or octets 1..15). */
static uint8_t dnp3_obj_size(uint8_t group, uint8_t var)
{
    if (group == DNP3_G_DEVICE_ATTRIBUTE)
        return DNP3_SZ_ATTRIBUTE;
    if (group == DNP3_G_CLASS)
        return DNP3_SZ_NONE;
    if (group >= DNP3_G_OCTET_STRING && group <= DNP3_G_VIRTUAL_TERMINAL_EVENT)
        return var ? DNP3_SZ_VARIATION : DNP3_SZ_UNKNOWN;
    for (size_t i = 0; i < sizeof(dnp3_obj_sizes) / sizeof(dnp3_obj_sizes[0]); i++)
        if (dnp3_obj_sizes[i].group == group && dnp3_obj_sizes[i].var == var)
            return dnp3_obj_sizes[i].size;
    if (group == DNP3_G_FILE || group == DNP3_G_AUTHENTICATION)
        return DNP3_SZ_FREE;
    return DNP3_SZ_UNKNOWN;
}

/* Whether the objects of a header follow it (clause 4.2.2.7): requests that
 * only name points (READ, freezes, class assignment, unsolicited enables)
 * carry headers alone, and so do "all objects" headers and class objects. */
static bool dnp3_has_data(uint8_t fc, bool response, uint8_t group, uint8_t range)
{
    if (range == DNP3_RANGE_ALL || group == DNP3_G_CLASS)
        return false;
    if (response)
        return true;
    switch (fc) {
        case DNP3_FC_READ:
        case DNP3_FC_IMMED_FREEZE:
        case DNP3_FC_IMMED_FREEZE_NR:
        case DNP3_FC_FREEZE_CLEAR:
        case DNP3_FC_FREEZE_CLEAR_NR:
        case DNP3_FC_ENABLE_UNSOLICITED:
        case DNP3_FC_DISABLE_UNSOLICITED:
        case DNP3_FC_ASSIGN_CLASS: return false;
        case DNP3_FC_FREEZE_AT_TIME:
        case DNP3_FC_FREEZE_AT_TIME_NR:
            return group == DNP3_G_TIME; /* the time-and-interval object; the rest name points */
        default: return true;
    }
}

static const char *dnp3_space(uint8_t group)
{
    const char *s = ot_tok_name(dnp3_spaces, group);
    return s ? s : "object";
}

/* Adds the points [start, start + count) of a group.  Class objects and
 * device attributes have no points: their address is the class number and
 * the attribute variation, added once per header by the caller. */
static void dnp3_add_points(struct ot_msg *out, uint8_t group, uint64_t start, uint64_t count)
{
    if (count == 0 || group == DNP3_G_DEVICE_ATTRIBUTE || group == DNP3_G_CLASS)
        return;
    ot_msg_add_range(out, dnp3_space(group), group, start,
                     count > UINT32_MAX ? UINT32_MAX : (uint32_t)count);
}

/* Whether `need` more detail entries fit, the summary's reserve kept. */
static bool dnp3_room(const struct ot_detail *d, unsigned need)
{
    return (size_t)d->n + d->depth + need + DNP3_DETAIL_RESERVE_KV <= OT_DETAIL_MAX_KV;
}

/* Sets the walk's anomaly (the first one wins) and stops it. */
static bool dnp3_stop(struct dnp3_walk *w, const char *anomaly)
{
    if (anomaly && !w->out->anomaly)
        w->out->anomaly = anomaly;
    w->unparsed = true;
    return false;
}

static void dnp3_detail_link(struct ot_detail *d, const struct dnp3_link *lk, const char *name)
{
    ot_kv_obj(d, "link");
    ot_kv_u64(d, "len", lk->length);
    ot_kv_u64(d, "ctl", lk->ctl);
    ot_kv_bool(d, "dir", lk->dir);
    ot_kv_bool(d, "prm", lk->prm);
    if (lk->prm) {
        ot_kv_bool(d, "fcb", lk->ctl & DNP3_LINK_FCB);
        ot_kv_bool(d, "fcv", lk->ctl & DNP3_LINK_FCV);
    } else {
        ot_kv_bool(d, "dfc", lk->ctl & DNP3_LINK_DFC);
    }
    ot_kv_u64(d, "func", lk->func);
    if (name)
        ot_kv_cstr(d, "function", name);
    ot_kv_u64(d, "dst", lk->dst);
    ot_kv_u64(d, "src", lk->src);
    ot_kv_end(d);
    if (lk->dst >= DNP3_ADDR_BROADCAST_MIN)
        ot_kv_bool(d, "broadcast", true);
}

/* Reads one device attribute (group 0 object): data type, length, value. */
static bool dnp3_attribute(struct dnp3_walk *w, uint8_t var, bool detail)
{
    struct ot_detail *d = &w->out->detail;
    uint8_t type = cur_u8(w->c);
    size_t len = cur_u8(w->c);
    if (type == DNP3_DT_U8BS8EXLIST)
        len += 256;
    struct cur v = cur_sub(w->c, len);
    if (!cur_ok(w->c))
        return dnp3_stop(w, "object_truncated");
    const uint8_t *p = cur_bytes(&v, len);

    if (w->identity && type == DNP3_DT_VSTR) {
        struct ot_identity *id = &w->out->identity;
        char *dst = NULL;
        switch (var) {
            case DNP3_ATTR_MANUFACTURER_NAME: dst = id->vendor; break;
            case DNP3_ATTR_PRODUCT_NAME_AND_MODEL: dst = id->product; break;
            case DNP3_ATTR_SOFTWARE_VERSION: dst = id->firmware; break;
            case DNP3_ATTR_SERIAL_NUMBER: dst = id->serial; break;
            case DNP3_ATTR_USER_ASSIGNED_DEVICE_NAME: dst = id->name; break;
            case DNP3_ATTR_USER_ASSIGNED_ID:
                /* a name of last resort: the device name (247) wins */
                if (id->name[0] == '\0')
                    dst = id->name;
                break;
            default: break;
        }
        if (dst && len > 0) {
            ot_ident_set(dst, p, len);
            id->present = true;
            id->from_server = true;
        }
    }
    if (!detail)
        return true;

    ot_kv_obj(d, NULL);
    ot_kv_u64(d, "variation", var);
    const char *name = ot_tok_name(dnp3_attr_names, var);
    if (name)
        ot_kv_cstr(d, "attribute", name);
    const char *tname = ot_tok_name(dnp3_attr_types, type);
    if (tname)
        ot_kv_cstr(d, "data_type", tname);
    else
        ot_kv_u64(d, "data_type", type);
    struct cur vc = cur_init(p, len);
    if (type == DNP3_DT_VSTR) {
        ot_kv_str(d, "value", p, len);
    } else if ((type == DNP3_DT_UINT || type == DNP3_DT_INT) && len >= 1 && len <= 8) {
        uint64_t u = 0;
        for (size_t i = 0; i < len; i++)
            u |= (uint64_t)cur_u8(&vc) << (8 * i);
        if (type == DNP3_DT_INT && len < 8 && (u >> (8 * len - 1)) & 1)
            u |= ~(uint64_t)0 << (8 * len); /* sign extension */
        if (type == DNP3_DT_INT)
            ot_kv_i64(d, "value", (int64_t)u);
        else
            ot_kv_u64(d, "value", u);
    } else if (type == DNP3_DT_FLT && len == 4) {
        uint32_t u = cur_le32(&vc);
        float f;
        memcpy(&f, &u, sizeof(f));
        ot_kv_dbl(d, "value", f);
    } else if (type == DNP3_DT_FLT && len == 8) {
        uint64_t u = cur_le64(&vc);
        double f;
        memcpy(&f, &u, sizeof(f));
        ot_kv_dbl(d, "value", f);
    } else {
        ot_kv_hex(d, "value", p, len);
    }
    ot_kv_end(d);
    return true;
}

/* A control the outstation answers with a non-zero status (LOCAL,
 * NOT_AUTHORIZED, ...) did not happen: the record says so at its top, as
 * an exception (0x100 + status, apart from the IIN-derived codes). */
static void dnp3_command_refused(struct dnp3_walk *w, uint8_t status)
{
    if (status != 0 && w->response && !w->out->has_exception)
        ot_msg_set_exception(w->out, DNP3_EXC_COMMAND_STATUS + status,
                             ot_tok_name(dnp3_command_status, status));
}

static void dnp3_command_status_kv(struct dnp3_walk *w, uint8_t status)
{
    const char *st = ot_tok_name(dnp3_command_status, status);
    if (st)
        ot_kv_cstr(&w->out->detail, "status", st);
    else
        ot_kv_u64(&w->out->detail, "status", status);
}

/* Reads one CROB (g12v1, pattern control block g12v2) of point `index`. */
static bool dnp3_crob(struct dnp3_walk *w, uint64_t index, bool detail)
{
    struct ot_detail *d = &w->out->detail;
    uint8_t code = cur_u8(w->c);
    uint8_t count = cur_u8(w->c);
    uint32_t on_time = cur_le32(w->c);
    uint32_t off_time = cur_le32(w->c);
    uint8_t status = cur_u8(w->c) & DNP3_CROB_STATUS_MASK;
    if (!cur_ok(w->c))
        return dnp3_stop(w, "object_truncated");
    if (w->command)
        ot_msg_add_value(w->out, DNP3_G_CROB, index, code);
    dnp3_command_refused(w, status);
    if (!detail)
        return true;
    ot_kv_obj(d, NULL);
    ot_kv_u64(d, "index", index);
    ot_kv_u64(d, "control_code", code);
    const char *op = ot_tok_name(dnp3_crob_op_types, code & DNP3_CROB_OP_TYPE_MASK);
    if (op)
        ot_kv_cstr(d, "op_type", op);
    else
        ot_kv_u64(d, "op_type", code & DNP3_CROB_OP_TYPE_MASK);
    ot_kv_cstr(d, "tcc", ot_tok_name(dnp3_crob_tcc, code >> DNP3_CROB_TCC_SHIFT));
    if (code & DNP3_CROB_CLEAR)
        ot_kv_bool(d, "clear", true);
    if (code & DNP3_CROB_QUEUE)
        ot_kv_bool(d, "queue", true);
    ot_kv_u64(d, "count", count);
    ot_kv_u64(d, "on_time", on_time);
    ot_kv_u64(d, "off_time", off_time);
    dnp3_command_status_kv(w, status);
    ot_kv_end(d);
    return true;
}

/* Reads one analog output block (g41v1..4) of point `index`. */
static bool dnp3_analog_output(struct dnp3_walk *w, uint8_t var, uint64_t index, bool detail)
{
    struct ot_detail *d = &w->out->detail;
    double value;
    switch (var) {
        case 1: value = (int32_t)cur_le32(w->c); break;
        case 2: value = (int16_t)cur_le16(w->c); break;
        case 3: {
            uint32_t u = cur_le32(w->c);
            float f;
            memcpy(&f, &u, sizeof(f));
            value = f;
            break;
        }
        default: {
            uint64_t u = cur_le64(w->c);
            memcpy(&value, &u, sizeof(value));
            break;
        }
    }
    uint8_t status = cur_u8(w->c) & DNP3_CROB_STATUS_MASK;
    if (!cur_ok(w->c))
        return dnp3_stop(w, "object_truncated");
    if (w->command)
        ot_msg_add_value(w->out, DNP3_G_ANALOG_OUTPUT_BLOCK, index, value);
    dnp3_command_refused(w, status);
    if (!detail)
        return true;
    ot_kv_obj(d, NULL);
    ot_kv_u64(d, "index", index);
    ot_kv_dbl(d, "value", value);
    dnp3_command_status_kv(w, status);
    ot_kv_end(d);
    return true;
}

/* Walks the objects of one header that carries them.  `ranged`: indexes run
 * from `start`; otherwise they come from an index prefix, or (counted objects
 * without one) are 0..count-1.  Returns false when the walk must stop. */
static bool dnp3_objects(struct dnp3_walk *w, uint8_t group, uint8_t var, uint8_t prefix,
                         bool ranged, uint64_t start, uint64_t count, bool detail)
{
    struct ot_detail *d = &w->out->detail;
    uint8_t size = dnp3_obj_size(group, var);
    unsigned plen = dnp3_prefix_len(prefix);
    bool indexed = prefix >= DNP3_PREFIX_INDEX_1 && prefix <= DNP3_PREFIX_INDEX_4;
    bool sized = prefix >= DNP3_PREFIX_SIZE_1 && prefix <= DNP3_PREFIX_SIZE_4;

    if (prefix > DNP3_PREFIX_SIZE_4 || (ranged && prefix != DNP3_PREFIX_NONE))
        return dnp3_stop(w, "bad_qualifier");
    if ((size == DNP3_SZ_UNKNOWN || size == DNP3_SZ_FREE || size == DNP3_SZ_NONE) && !sized)
        return dnp3_stop(w, NULL); /* layout unknown: nothing after it can be found */

    /* Packed bits and fixed-size objects under a range or count: skipped in
     * one step, without visiting the objects. */
    bool packed = size == DNP3_SZ_BITS1 || size == DNP3_SZ_BITS2;
    bool decode = (group == DNP3_G_CROB && (var == 1 || var == 2)) ||
                  group == DNP3_G_ANALOG_OUTPUT_BLOCK || size == DNP3_SZ_ATTRIBUTE;
    if (packed || (!indexed && !sized && !decode)) {
        if (packed && prefix != DNP3_PREFIX_NONE)
            return dnp3_stop(w, "bad_qualifier");
        uint64_t octets;
        if (packed)
            octets = (count * (size == DNP3_SZ_BITS1 ? 1 : 2) + 7) / 8;
        else if (size == DNP3_SZ_VARIATION)
            octets = count * var;
        else
            octets = count * size;
        if (octets > cur_left(w->c))
            return dnp3_stop(w, "object_truncated");
        cur_skip(w->c, (size_t)octets);
        dnp3_add_points(w->out, group, ranged ? start : 0, count);
        return true;
    }

    if (count > cur_left(w->c))
        return dnp3_stop(w, "object_truncated"); /* every object takes an octet or more */
    if (count > DNP3_MAX_POINTS_PER_HEADER)
        return dnp3_stop(w, "too_many_points");
    if (detail && decode)
        ot_kv_arr(d, "points");
    unsigned described = 0;
    bool ok = true;
    for (uint64_t i = 0; i < count && ok; i++) {
        uint64_t index = ranged ? start + i : i;
        size_t osize = size;
        if (indexed)
            index = dnp3_le(w->c, plen);
        else if (sized)
            osize = dnp3_le(w->c, plen);
        else if (size == DNP3_SZ_VARIATION)
            osize = var;
        if (!cur_ok(w->c)) {
            ok = dnp3_stop(w, "object_truncated");
            break;
        }
        bool point_detail =
            detail && described < DNP3_MAX_DETAIL_POINTS && dnp3_room(d, DNP3_DETAIL_POINT_KV);
        if (sized) {
            cur_skip(w->c, osize);
        } else if (group == DNP3_G_CROB) {
            ok = dnp3_crob(w, index, point_detail);
        } else if (group == DNP3_G_ANALOG_OUTPUT_BLOCK) {
            ok = dnp3_analog_output(w, var, index, point_detail);
        } else if (size == DNP3_SZ_ATTRIBUTE) {
            ok = dnp3_attribute(w, var, point_detail);
        } else {
            cur_skip(w->c, osize);
        }
        if (ok && !cur_ok(w->c))
            ok = dnp3_stop(w, "object_truncated");
        if (!ok)
            break;
        described += point_detail && decode;
        if (indexed || ranged || !sized)
            dnp3_add_points(w->out, group, index, 1);
    }
    if (detail && decode)
        ot_kv_end(d);
    return ok;
}

/* Walks one object header and its objects.  Returns false when the walk must
 * stop (the rest of the fragment cannot be located). */
static bool dnp3_object_header(struct dnp3_walk *w)
{
    struct cur *c = w->c;
    struct ot_detail *d = &w->out->detail;
    uint8_t group = cur_u8(c);
    uint8_t var = cur_u8(c);
    uint8_t qual = cur_u8(c);
    if (!cur_ok(c))
        return dnp3_stop(w, "object_header_truncated");
    uint8_t prefix = DNP3_QUAL_PREFIX(qual);
    uint8_t range = DNP3_QUAL_RANGE(qual);
    bool detail = w->headers <= DNP3_MAX_DETAIL_OBJECTS && dnp3_room(d, DNP3_DETAIL_HEADER_KV);

    if (detail) {
        ot_kv_obj(d, NULL);
        ot_kv_u64(d, "group", group);
        ot_kv_u64(d, "variation", var);
        ot_kv_u64(d, "qualifier", qual);
    }
    bool ok = true;
    bool ranged = false;
    uint64_t start = 0, count = 0;
    switch (range) {
        case DNP3_RANGE_START_STOP_1:
        case DNP3_RANGE_START_STOP_2:
        case DNP3_RANGE_START_STOP_4:
        case DNP3_RANGE_VIRTUAL_1:
        case DNP3_RANGE_VIRTUAL_2:
        case DNP3_RANGE_VIRTUAL_4: {
            static const uint8_t octets[6] = {1, 2, 4, 1, 2, 4};
            unsigned n = octets[range];
            start = dnp3_le(c, n);
            uint64_t stop = dnp3_le(c, n);
            if (!cur_ok(c)) {
                ok = dnp3_stop(w, "object_header_truncated");
                break;
            }
            if (detail) {
                ot_kv_u64(d, "start", start);
                ot_kv_u64(d, "stop", stop);
            }
            if (stop < start) {
                ok = dnp3_stop(w, "bad_range");
                break;
            }
            count = stop - start + 1;
            ranged = true;
            break;
        }
        case DNP3_RANGE_ALL: break;
        case DNP3_RANGE_COUNT_1:
        case DNP3_RANGE_COUNT_2:
        case DNP3_RANGE_COUNT_4:
        case DNP3_RANGE_FREE_FORMAT:
            count = dnp3_le(c, range == DNP3_RANGE_COUNT_2   ? 2
                               : range == DNP3_RANGE_COUNT_4 ? 4
                                                             : 1);
            if (!cur_ok(c)) {
                ok = dnp3_stop(w, "object_header_truncated");
                break;
            }
            if (detail)
                ot_kv_u64(d, "count", count);
            break;
        default: ok = dnp3_stop(w, "bad_qualifier"); break;
    }
    if (ok && (qual & DNP3_QUAL_RESERVED))
        ok = dnp3_stop(w, "bad_qualifier");
    if (!ok) {
        if (detail)
            ot_kv_end(d);
        return false;
    }

    if (group == DNP3_G_DEVICE_ATTRIBUTE)
        ot_msg_add_range(w->out, dnp3_space(group), group, var, 1);
    else if (group == DNP3_G_CLASS && var >= 1 && var <= 4)
        ot_msg_add_range(w->out, dnp3_space(group), group, var - 1, 1); /* v1: class 0 */

    if (!dnp3_has_data(w->fc, w->response, group, range)) {
        if (range == DNP3_RANGE_FREE_FORMAT || prefix > DNP3_PREFIX_INDEX_4 ||
            (ranged && prefix != DNP3_PREFIX_NONE)) {
            ok = dnp3_stop(w, "bad_qualifier");
        } else if (ranged) {
            dnp3_add_points(w->out, group, start, count);
        } else if (prefix != DNP3_PREFIX_NONE) {
            /* a list of point indexes, without objects */
            unsigned plen = dnp3_prefix_len(prefix);
            if (count > cur_left(c) / plen)
                ok = dnp3_stop(w, "object_truncated");
            else if (count > DNP3_MAX_POINTS_PER_HEADER)
                ok = dnp3_stop(w, "too_many_points");
            for (uint64_t i = 0; ok && i < count; i++) {
                uint32_t index = dnp3_le(c, plen);
                if (!cur_ok(c))
                    ok = dnp3_stop(w, "object_truncated");
                else
                    dnp3_add_points(w->out, group, index, 1);
            }
        }
        /* a count without prefix in a request limits how many events to return */
    } else {
        ok = dnp3_objects(w, group, var, prefix, ranged, start, count, detail);
    }
    if (detail)
        ot_kv_end(d);
    return ok;
}

/* Walks every object header of the fragment at c, into out's ranges, values,
 * identity and detail.  Never fails: what cannot be walked is reported as
 * `unparsed` (and an anomaly when it broke the spec). */
static void dnp3_walk_objects(struct dnp3_walk *w)
{
    struct ot_detail *d = &w->out->detail;
    if (cur_left(w->c) == 0)
        return;
    ot_kv_arr(d, "objects");
    while (cur_left(w->c) > 0) {
        if (w->headers >= DNP3_MAX_OBJECT_HEADERS) {
            dnp3_stop(w, "too_many_objects");
            break;
        }
        w->headers++;
        if (!dnp3_object_header(w))
            break;
    }
    ot_kv_end(d);
    ot_kv_u64(d, "object_count", w->headers);
    if (w->unparsed)
        ot_kv_bool(d, "unparsed", true);
}

static uint32_t link_code(const struct dnp3_link *lk)
{
    return DNP3_LINK_CODE_BASE + (lk->prm ? DNP3_LINK_CODE_PRM : 0) + lk->func;
}

/* Fills out from one complete application fragment (borrowed from the frame
 * or the flow's reassembly buffer).  Returns OT_PARSE_OK: a fragment too
 * short for its header is a record with an anomaly. */
static enum ot_parse dnp3_parse_apdu(struct cur *a, const struct dnp3_link *lk, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    uint8_t ac = cur_u8(a);
    uint8_t fc = cur_u8(a);
    if (!cur_ok(a)) {
        const struct ot_func *lf = ot_func_find(dnp3_link_primary_funcs, lk->func);
        ot_msg_set_function(out, link_code(lk), lf ? lf->name : NULL, OT_OP_OTHER);
        if (!out->anomaly)
            out->anomaly = "apdu_too_short";
        return OT_PARSE_OK;
    }
    bool response = fc == DNP3_FC_RESPONSE || fc == DNP3_FC_UNSOLICITED_RESPONSE ||
                    fc == DNP3_FC_AUTHENTICATION_RESPONSE;
    const struct ot_func *f = ot_func_find(dnp3_funcs, fc);
    ot_msg_set_function(out, fc, f ? f->name : NULL, f ? (enum ot_op)f->op : OT_OP_OTHER);
    if (!f && !out->anomaly)
        out->anomaly = "reserved_function_code";
    /* Only masters send requests (and confirms), only outstations responses. */
    bool response_code = fc >= DNP3_FC_RESPONSE_MIN;
    if (response_code == lk->dir && !out->anomaly)
        out->anomaly = "direction_mismatch";

    /* A request and its response carry the same application sequence; the
     * address pair makes the key agree on both sides.  No-response requests
     * (_NR), confirms, unsolicited responses and the later fragments of a
     * multi-fragment response are records of their own. */
    switch (fc) {
        case DNP3_FC_CONFIRM:
        case DNP3_FC_DIRECT_OPERATE_NR:
        case DNP3_FC_IMMED_FREEZE_NR:
        case DNP3_FC_FREEZE_CLEAR_NR:
        case DNP3_FC_FREEZE_AT_TIME_NR:
        case DNP3_FC_AUTHENTICATION_REQUEST_NR:
        case DNP3_FC_UNSOLICITED_RESPONSE: out->pair = OT_PAIR_NONE; break;
        default:
            /* a reserved request code is still answered (IIN2 no_func_code_support) */
            out->pair =
                (response_code && (!f || !(ac & DNP3_AC_FIR))) ? OT_PAIR_NONE : OT_PAIR_KEYED;
            break;
    }
    out->txn_key = (uint32_t)(lk->src ^ lk->dst) << 4 | (ac & DNP3_AC_SEQ_MASK);

    ot_kv_obj(d, "application");
    ot_kv_u64(d, "ctl", ac);
    ot_kv_bool(d, "fir", ac & DNP3_AC_FIR);
    ot_kv_bool(d, "fin", ac & DNP3_AC_FIN);
    ot_kv_bool(d, "con", ac & DNP3_AC_CON);
    ot_kv_bool(d, "uns", ac & DNP3_AC_UNS);
    ot_kv_u64(d, "seq", ac & DNP3_AC_SEQ_MASK);
    ot_kv_end(d);

    if (response) {
        uint16_t iin = cur_be16(a); /* IIN1 then IIN2 */
        if (!cur_ok(a)) {
            if (!out->anomaly)
                out->anomaly = "iin_missing";
            return OT_PARSE_OK;
        }
        ot_kv_u64(d, "iin", iin);
        if (iin) {
            ot_kv_arr(d, "iin_flags");
            for (const struct ot_tok *t = dnp3_iin_names; t->s; t++)
                if (iin & t->v)
                    ot_kv_cstr(d, NULL, t->s);
            ot_kv_end(d);
        }
        if (iin & DNP3_IIN_ERRORS) {
            for (const struct ot_tok *t = dnp3_iin_names; t->s; t++) {
                if (iin & DNP3_IIN_ERRORS & t->v) {
                    ot_msg_set_exception(out, iin & DNP3_IIN_ERRORS, t->s);
                    break;
                }
            }
        }
    }

    struct dnp3_walk w = {
        .c = a,
        .out = out,
        .fc = fc,
        .response = response,
        .command = !response && fc >= DNP3_FC_SELECT && fc <= DNP3_FC_DIRECT_OPERATE_NR,
        .identity = response && !lk->dir,
    };
    dnp3_walk_objects(&w);
    return OT_PARSE_OK;
}

/* Fills the common fields of a record from its link header. */
static void dnp3_fill_link(struct ot_msg *out, const struct dnp3_link *lk)
{
    out->dir = lk->dir ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    out->pair = OT_PAIR_NONE;
    out->has_unit = true;
    out->unit = lk->dir ? lk->dst : lk->src; /* the outstation */
}

/* A record for the link frame itself: link-only functions, and user data
 * frames whose segment raised an anomaly without completing a fragment. */
static enum ot_parse dnp3_link_record(struct ot_msg *out, const struct dnp3_link *lk)
{
    const struct ot_func *lf =
        ot_func_find(lk->prm ? dnp3_link_primary_funcs : dnp3_link_secondary_funcs, lk->func);
    ot_msg_set_function(out, link_code(lk), lf ? lf->name : NULL,
                        lf ? (enum ot_op)lf->op : OT_OP_OTHER);
    if (!lf && !out->anomaly)
        out->anomaly = "unknown_link_function";
    return OT_PARSE_OK;
}

/* Takes one transport segment (the cursor `seg`, over the frame's user data
 * after the transport header) into the direction's reassembler (clause 8.2
 * reception rules).  Sets *app over a complete fragment when this segment
 * finished one: `seg` itself, or the reassembly buffer, valid until the next
 * segment of that direction.  Returns an anomaly or NULL.  Touches flow
 * state: call only once the frame has been read whole. */
static const char *dnp3_transport(struct dnp3_reasm *r, const struct dnp3_link *lk, uint8_t th,
                                  struct cur *seg, struct cur *app, bool *have_app,
                                  uint16_t *segments)
{
    const char *anomaly = NULL;
    size_t seglen = cur_left(seg);
    uint8_t seq = th & DNP3_TH_SEQ_MASK;
    *have_app = false;
    *segments = 1;

    if (th & DNP3_TH_FIR) {
        if (r->active)
            anomaly = "transport_restart"; /* the fragment in progress is dropped */
        r->active = false;
        r->discarding = false;
        r->seen_fir = true;
        if (th & DNP3_TH_FIN) {
            *app = *seg;
            *have_app = true;
            return anomaly;
        }
        /* seglen <= 249 always fits the empty buffer */
        cur_copy(seg, r->buf, seglen);
        r->len = (uint16_t)seglen;
        r->seq = seq;
        r->src = lk->src;
        r->dst = lk->dst;
        r->segments = 1;
        r->active = true;
        return anomaly;
    }
    if (!r->active) {
        /* Before the first FIR this is the tail of a fragment that began
         * before the capture did; after a dropped fragment, the rest of it
         * (flagged once, when it was dropped); otherwise out of sequence. */
        bool quiet = !r->seen_fir || r->discarding;
        if (th & DNP3_TH_FIN)
            r->discarding = false;
        return quiet ? NULL : "transport_out_of_sequence";
    }
    if (r->src == lk->src && r->dst == lk->dst && seq == r->seq)
        return NULL; /* a repeated segment (link retry): discarded */
    if (r->src != lk->src || r->dst != lk->dst || seq != ((r->seq + 1) & DNP3_TH_SEQ_MASK)) {
        r->active = false;
        r->discarding = !(th & DNP3_TH_FIN);
        return "transport_out_of_sequence";
    }
    if (seglen > DNP3_MAX_APDU - (size_t)r->len) {
        r->active = false;
        r->discarding = !(th & DNP3_TH_FIN);
        return "apdu_overflow";
    }
    cur_copy(seg, r->buf + r->len, seglen);
    r->len = (uint16_t)(r->len + seglen);
    r->seq = seq;
    r->segments++;
    if (th & DNP3_TH_FIN) {
        r->active = false;
        *app = cur_init(r->buf, r->len);
        *have_app = true;
        *segments = r->segments;
    }
    return NULL;
}

/* parse(): one link frame.  Link-only frames are records of their own; user
 * data goes through transport reassembly, and a completed application
 * fragment becomes the record.  Middle segments return OT_PARSE_NONE. */
static enum ot_parse dnp3_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    struct dnp3_link lk;
    uint8_t user[DNP3_MAX_USER_DATA];

    uint16_t want = dnp3_crc(*c, DNP3_LINK_CRC_SPAN);
    uint16_t start = cur_be16(c);
    lk.length = cur_u8(c);
    lk.ctl = cur_u8(c);
    lk.dst = cur_le16(c);
    lk.src = cur_le16(c);
    uint16_t crc = cur_le16(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    if (start != (DNP3_START_1 << 8 | DNP3_START_2))
        return OT_PARSE_NOT_MINE;
    lk.func = lk.ctl & DNP3_LINK_FUNC_MASK;
    lk.dir = lk.ctl & DNP3_LINK_DIR;
    lk.prm = lk.ctl & DNP3_LINK_PRM;
    /* The link layer drops a frame whose header is bad: its LEN, addresses
     * and control cannot be trusted (pdu_len() framed only the header). */
    if (crc != want || lk.length < DNP3_LINK_MIN_LENGTH) {
        out->anomaly = crc != want ? "bad_header_crc" : "bad_length";
        return OT_PARSE_INVALID;
    }

    /* User data, without its CRCs. */
    size_t ulen = (size_t)lk.length - DNP3_LINK_MIN_LENGTH;
    bool bad_crc = false;
    for (size_t off = 0; off < ulen; off += DNP3_BLOCK_LEN) {
        size_t n = ulen - off < DNP3_BLOCK_LEN ? ulen - off : DNP3_BLOCK_LEN;
        struct cur blk = cur_sub(c, n);
        uint16_t block_want = dnp3_crc(blk, n);
        cur_copy(&blk, user + off, n);
        uint16_t block_crc = cur_le16(c);
        if (!cur_ok(c))
            return OT_PARSE_TRUNC;
        bad_crc |= block_crc != block_want;
    }

    const struct ot_func *lf =
        ot_func_find(lk.prm ? dnp3_link_primary_funcs : dnp3_link_secondary_funcs, lk.func);
    dnp3_fill_link(out, &lk);
    dnp3_detail_link(d, &lk, lf ? lf->name : NULL);
    if (bad_crc)
        out->anomaly = "bad_data_crc";

    bool user_data = lk.prm && (lk.func == DNP3_LINK_CONFIRMED_USER_DATA ||
                                lk.func == DNP3_LINK_UNCONFIRMED_USER_DATA);
    if (!user_data || ulen == 0) {
        if (user_data && !out->anomaly)
            out->anomaly = "missing_user_data";
        else if (ulen > 0 && !out->anomaly)
            out->anomaly = "unexpected_user_data";
        return dnp3_link_record(out, &lk);
    }

    /* Transport layer. */
    struct cur seg = cur_init(user, ulen);
    uint8_t th = cur_u8(&seg);
    ot_kv_obj(d, "transport");
    ot_kv_u64(d, "ctl", th);
    ot_kv_bool(d, "fir", th & DNP3_TH_FIR);
    ot_kv_bool(d, "fin", th & DNP3_TH_FIN);
    ot_kv_u64(d, "seq", th & DNP3_TH_SEQ_MASK);

    struct cur app;
    bool have_app = false;
    uint16_t segments = 1;
    const char *anomaly = NULL;
    if (ctx && ctx->flow_state) {
        struct dnp3_flow *fs = ctx->flow_state;
        struct dnp3_reasm *r = &fs->side[lk.dir ? 0 : 1];
        anomaly = dnp3_transport(r, &lk, th, &seg, &app, &have_app, &segments);
    } else if ((th & DNP3_TH_FIR) && (th & DNP3_TH_FIN)) {
        app = seg;
        have_app = true;
    }
    if (segments > 1)
        ot_kv_u64(d, "segments", segments);
    ot_kv_end(d);
    if (anomaly && !out->anomaly)
        out->anomaly = anomaly;
    if (!have_app)
        return out->anomaly ? dnp3_link_record(out, &lk) : OT_PARSE_NONE;
    return dnp3_parse_apdu(&app, &lk, out);
}

/* pdu_len(): one link frame, CRCs included.  A header whose CRC is wrong is
 * framed as its 10 octets alone: parse() reports it, and the stream
 * resynchronises right after it, as a DNP3 link layer hunting for the next
 * start octets does (its LEN cannot be trusted). */
static size_t dnp3_pdu_len(const uint8_t *p, size_t len)
{
    struct cur c = cur_init(p, len);
    if (len < 1)
        return 0;
    if (cur_u8(&c) != DNP3_START_1)
        return OT_PDU_NOT_MINE;
    if (len < 2)
        return 0;
    if (cur_u8(&c) != DNP3_START_2)
        return OT_PDU_NOT_MINE;
    if (len < 3)
        return 0;
    uint8_t length = cur_u8(&c);
    if (length < DNP3_LINK_MIN_LENGTH)
        return OT_PDU_NOT_MINE;
    if (len < DNP3_LINK_HEADER_LEN)
        return 0;
    struct cur h = cur_init(p, len);
    if (!dnp3_header_ok(&h))
        return DNP3_LINK_HEADER_LEN;
    return dnp3_frame_len(length);
}

/* probe(): the start octets, a plausible length and a valid header CRC. */
static enum ot_probe dnp3_probe(const uint8_t *p, size_t len, bool to_server)
{
    (void)to_server;
    struct cur c = cur_init(p, len);
    if (len >= DNP3_LINK_HEADER_LEN)
        return dnp3_header_ok(&c) ? OT_PROBE_YES : OT_PROBE_NO;
    if (len >= 1 && cur_u8(&c) != DNP3_START_1)
        return OT_PROBE_NO;
    if (len >= 2 && cur_u8(&c) != DNP3_START_2)
        return OT_PROBE_NO;
    if (len >= 3 && cur_u8(&c) < DNP3_LINK_MIN_LENGTH)
        return OT_PROBE_NO;
    return OT_PROBE_NEED_MORE;
}

const struct ot_dissector dnp3_dissector = {
    .name = "dnp3",
    .proto = OT_PROTO_DNP3,
    .l4 = OT_L4_BOTH,
    .ports = {DNP3_PORT, 0},
    .probe = dnp3_probe,
    .pdu_len = dnp3_pdu_len,
    .parse = dnp3_parse,
    .flow_state_size = sizeof(struct dnp3_flow),
    .heuristic = true,
};
