/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: Siemens S7comm (S7-300/400 "S7 protocol", protocol id 0x32) and
 * the header of S7comm-plus (S7-1200/1500, protocol id 0x72) over
 * ISO-on-TCP port 102: COTP connection setup with the S7 TSAP (rack, slot),
 * jobs and their acknowledgements (setup communication, read/write var with
 * every S7ANY item, block download/upload, PI services, PLC stop), userdata
 * (mode transitions, programmer commands, cyclic data, block functions, CPU
 * functions with SZL reads and the module identity they reveal, security,
 * time functions, NC programming), header and item error codes. */
/* specification: Siemens publishes no specification of the S7 protocol.  The
 * layouts below follow the public reverse-engineering of it: the Wireshark
 * S7comm and S7comm-plus dissector documentation (T. Wiens), snap7's
 * documentation of the telegrams, and for the SZL contents Siemens' "System
 * Software for S7-300/400 System and Standard Functions" reference manual,
 * chapter "System Status Lists (SSL)": SSL-ID W#16#xy11 (module
 * identification) and W#16#xy1C (component identification).  TPKT and COTP
 * are in cotp.c (RFC 1006, ISO 8073). */
/*
 * S7comm header (10 bytes; 12 in Ack and Ack_Data, which add the error):
 *   0      1      2      3      4      5      6      7      8      9     10     11
 *  +------+------+------+------+------+------+------+------+------+------+------+------+
 *  | 0x32 |ROSCTR| redundancy  |  PDU ref    | param length| data length |errcls|errcod|
 *  +------+------+------+------+------+------+------+------+------+------+------+------+
 *  then the parameter part (param length bytes), then the data part.
 *  ROSCTR: 1 job, 2 ack, 3 ack_data, 7 userdata.
 *
 * Job / Ack_Data parameter: function (1) and what the function carries:
 *  0xf0 setup communication: reserved(1) max AmQ calling(2) max AmQ called(2) PDU length(2)
 *  0x04/0x05 read/write var:  item count(1), items:
 *       +------+------+------+------+------+------+------+------+------+------+------+------+
 *       | 0x12 | len  |syntax|tsize |   length    |  DB number  | area |  address (bits)    |
 *       +------+------+------+------+------+------+------+------+------+------+------+------+
 *       len = 10 for syntax id 0x10 (S7ANY); address = byte address << 3 | bit
 *     data items (write var job, read var ack_data):
 *       return code(1) transport size(1) length(2, in bits for sizes 3, 4, 5) data, and a
 *       fill byte after an odd length except after the last item
 *     write var ack_data data: one return code per item
 *  0x1a-0x1f download / upload: status(1) 2 bytes(1c/1f: error code) 4 bytes(upload id)
 *       [0x1a-0x1d: filename length(1) filename "_0A00001P" = '_', block type "0A" (DB),
 *        block number "00001", destination filesystem 'P']  [0x1a: length(1) "1" load
 *        memory length(6 digits) MC7 length(6 digits)]
 *  0x28 PI service: 7 bytes, parameter block length(2), parameter block,
 *       service name length(1), service name ("_INSE", "P_PROGRAM", ...)
 *  0x29 PLC stop: 5 bytes, service name length(1), service name ("P_PROGRAM")
 *
 * Userdata parameter:
 *  +------+------+------+------+------+------+------+------+------+------+------+------+
 *  |   head 00 01 12    | plen |method| type |subfn | seq  | dur  | ldu  | error code  |
 *  +------+------+------+------+------+------+------+------+------+------+------+------+
 *  type = type (high nibble: 0 push, 4 request, 8 response) | function group (low nibble);
 *  the last 4 bytes only when plen is 8 (responses).  Data: return code(1) transport
 *  size(1) length(2) then the group's data (read SZL: SZL id(2) index(2) [response:
 *  record length(2) record count(2) records]).
 *
 * S7comm-plus frame (inside one COTP TSDU):
 *  +------+-------+-------------+-----------------------+------------------+------+-------+------+
 *  | 0x72 |version| data length | [V3: digest len, digest] data ...       | 0x72 |version| 0000 |
 *  +------+-------+-------------+-----------------------+------------------+------+-------+------+
 *  data: opcode(1: 0x31 request, 0x32 response, 0x33 notification) reserved(2) function(2)
 *        reserved(2) sequence number(2) [request: session id(4)] transport flags(1) ...
 *  A frame without the trailer is continued in the next TSDU.  Version 0xff is a
 *  keep-alive (sequence(1) reserved(1)), 0xfe an extended keep-alive.
 */
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cotp.h"
#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "sbuf.h"
#include "tok.h"

#define S7_TCP_PORT 102 /* RFC 1006 ISO-on-TCP */

#define S7_PROTO_ID 0x32
#define S7P_PROTO_ID 0x72

#define S7_ROSCTR_JOB 0x01
#define S7_ROSCTR_ACK 0x02
#define S7_ROSCTR_ACK_DATA 0x03
#define S7_ROSCTR_USERDATA 0x07

/* Job functions (first byte of the parameter part). */
#define S7_FUNC_CPU_SERVICES 0x00
#define S7_FUNC_READ_VAR 0x04
#define S7_FUNC_WRITE_VAR 0x05
#define S7_FUNC_REQUEST_DOWNLOAD 0x1a
#define S7_FUNC_DOWNLOAD_BLOCK 0x1b
#define S7_FUNC_DOWNLOAD_ENDED 0x1c
#define S7_FUNC_START_UPLOAD 0x1d
#define S7_FUNC_UPLOAD 0x1e
#define S7_FUNC_END_UPLOAD 0x1f
#define S7_FUNC_PI_SERVICE 0x28
#define S7_FUNC_PLC_STOP 0x29
#define S7_FUNC_SETUP_COMMUNICATION 0xf0

/* Header error classes (Ack, Ack_Data). */
#define S7_ERRCLS_NONE 0x00
#define S7_ERRCLS_APPLICATION_RELATIONSHIP 0x81
#define S7_ERRCLS_OBJECT_DEFINITION 0x82
#define S7_ERRCLS_NO_RESOURCES 0x83
#define S7_ERRCLS_SERVICE_PROCESSING 0x84
#define S7_ERRCLS_SUPPLIES 0x85
#define S7_ERRCLS_ACCESS 0x87

/* Variable specification of a read/write var item. */
#define S7_VAR_SPEC 0x12
#define S7_SYNTAX_S7ANY 0x10
#define S7_S7ANY_LEN 10 /* syntax id, tsize, length, DB, area, address */

/* Memory areas of an S7ANY item. */
#define S7_AREA_SYSINFO_200 0x03
#define S7_AREA_SYSFLAGS_200 0x05
#define S7_AREA_ANALOG_IN_200 0x06
#define S7_AREA_ANALOG_OUT_200 0x07
#define S7_AREA_COUNTER 0x1c
#define S7_AREA_TIMER 0x1d
#define S7_AREA_IEC_COUNTER_200 0x1e
#define S7_AREA_IEC_TIMER_200 0x1f
#define S7_AREA_PERIPHERAL 0x80
#define S7_AREA_INPUTS 0x81
#define S7_AREA_OUTPUTS 0x82
#define S7_AREA_FLAGS 0x83
#define S7_AREA_DB 0x84
#define S7_AREA_DI 0x85
#define S7_AREA_LOCAL 0x86
#define S7_AREA_PREVIOUS_LOCAL 0x87

/* Transport sizes of an S7ANY item (the element type). */
#define S7_TS_BIT 0x01
#define S7_TS_BYTE 0x02
#define S7_TS_CHAR 0x03
#define S7_TS_WORD 0x04
#define S7_TS_INT 0x05
#define S7_TS_DWORD 0x06
#define S7_TS_DINT 0x07
#define S7_TS_REAL 0x08
#define S7_TS_DATE 0x09
#define S7_TS_TOD 0x0a
#define S7_TS_TIME 0x0b
#define S7_TS_S5TIME 0x0c
#define S7_TS_DATE_AND_TIME 0x0f
#define S7_TS_COUNTER 0x1c
#define S7_TS_TIMER 0x1d
#define S7_TS_IEC_TIMER 0x1e
#define S7_TS_IEC_COUNTER 0x1f
#define S7_TS_HS_COUNTER 0x20

/* Transport sizes of a data item: for these three the length is in bits. */
#define S7_DTS_BIT 0x03
#define S7_DTS_BYTE_WORD_DWORD 0x04
#define S7_DTS_INTEGER 0x05

/* Return codes of a data item. */
#define S7_RC_RESERVED 0x00
#define S7_RC_HARDWARE_FAULT 0x01
#define S7_RC_ACCESS_DENIED 0x03
#define S7_RC_ADDRESS_OUT_OF_RANGE 0x05
#define S7_RC_TYPE_NOT_SUPPORTED 0x06
#define S7_RC_TYPE_INCONSISTENT 0x07
#define S7_RC_OBJECT_DOES_NOT_EXIST 0x0a
#define S7_RC_SUCCESS 0xff

/* Block types, written in a filename as two hex digits ("0A" = DB). */
#define S7_BLOCK_OB 0x08
#define S7_BLOCK_CMOD 0x09
#define S7_BLOCK_DB 0x0a
#define S7_BLOCK_SDB 0x0b
#define S7_BLOCK_FC 0x0c
#define S7_BLOCK_SFC 0x0d
#define S7_BLOCK_FB 0x0e
#define S7_BLOCK_SFB 0x0f
#define S7_FILENAME_LEN 9   /* '_' type(2) number(5) filesystem(1) */
#define S7_BLOCK_NAME_LEN 8 /* in a PI parameter block: without the leading '_' */

/* Userdata. */
#define S7_UD_HEAD 0x000112
#define S7_UD_TYPE_PUSH 0x0
#define S7_UD_TYPE_NC_PUSH 0x3
#define S7_UD_TYPE_REQUEST 0x4
#define S7_UD_TYPE_NC_REQUEST 0x7
#define S7_UD_TYPE_RESPONSE 0x8
#define S7_UD_TYPE_NC_RESPONSE 0xb
#define S7_UD_LAST_DATA_UNIT_NO 0x01

#define S7_UD_GROUP_MODE_TRANSITION 0x0
#define S7_UD_GROUP_PROGRAMMER 0x1
#define S7_UD_GROUP_CYCLIC 0x2
#define S7_UD_GROUP_BLOCK 0x3
#define S7_UD_GROUP_CPU 0x4
#define S7_UD_GROUP_SECURITY 0x5
#define S7_UD_GROUP_PBC 0x6
#define S7_UD_GROUP_TIME 0x7
#define S7_UD_GROUP_NC_PROGRAMMING 0xf

#define S7_UD_BLOCK_LIST 0x01
#define S7_UD_BLOCK_LIST_TYPE 0x02
#define S7_UD_BLOCK_INFO 0x03
#define S7_UD_CPU_READ_SZL 0x01
#define S7_UD_SEC_PASSWORD 0x01
#define S7_UD_TIME_READ 0x01
#define S7_UD_TIME_SET 0x02
#define S7_UD_TIME_READ_FOLLOWING 0x03
#define S7_UD_TIME_SET2 0x04

/* Userdata function codes (function_code of a userdata record):
 *   S7_UD_FUNCTION_BASE + function group * 0x100 + subfunction
 * e.g. 0x1401 = CPU functions / read SZL, 0x1702 = time functions / set clock.
 * Job functions use 0x00-0xff and the COTP connection records
 * S7_COTP_FUNCTION_BASE + TPDU code, so no two kinds collide. */
#define S7_UD_FUNCTION_BASE 0x1000
#define S7_COTP_FUNCTION_BASE 0x2000

/* System status lists (SZL / SSL): the partial list number is the low byte
 * of the SZL id, the extract the high byte. */
#define S7_SZL_MODULE_ID 0x11    /* module identification */
#define S7_SZL_COMPONENT_ID 0x1c /* component identification */
#define S7_SZL_11_RECORD_LEN 28  /* index(2) MlfB(20) BGTyp(2) Ausbg(2) Ausbe(2) */
#define S7_SZL_1C_RECORD_LEN 34  /* index(2) text(32) */
#define S7_SZL_MLFB_LEN 20
#define S7_SZL_1C_TEXT_LEN 32
#define S7_SZL11_MODULE 0x0001
#define S7_SZL11_BASIC_HARDWARE 0x0006
#define S7_SZL11_BASIC_FIRMWARE 0x0007
#define S7_SZL1C_PLC_NAME 0x0001
#define S7_SZL1C_MODULE_NAME 0x0002
#define S7_SZL1C_PLANT_ID 0x0003
#define S7_SZL1C_SERIAL 0x0005
#define S7_SZL1C_MODULE_TYPE_NAME 0x0007
#define S7_SZL1C_MEMORY_CARD_SERIAL 0x0008
#define S7_SZL1C_LOCATION_ID 0x000b

/* S7 TSAPs: first byte = connection type, second = rack * 32 + slot. */
#define S7_TSAP_PG 0x01
#define S7_TSAP_OP 0x02
#define S7_TSAP_S7_BASIC 0x03
#define S7_TSAP_SLOTS 32

/* S7comm-plus. */
#define S7P_V1 0x01
#define S7P_V2 0x02
#define S7P_V3 0x03
#define S7P_EXT_KEEP_ALIVE 0xfe
#define S7P_KEEP_ALIVE 0xff
#define S7P_OPCODE_REQUEST 0x31
#define S7P_OPCODE_RESPONSE 0x32
#define S7P_OPCODE_NOTIFICATION 0x33
#define S7P_OPCODE_RESPONSE2 0x02
#define S7P_TRAILER_LEN 4
#define S7P_FN_ERROR 0x04b1
#define S7P_FN_EXPLORE 0x04bb
#define S7P_FN_CREATE_OBJECT 0x04ca
#define S7P_FN_DELETE_OBJECT 0x04d4
#define S7P_FN_SET_VARIABLE 0x04f2
#define S7P_FN_GET_VARIABLE 0x04fc
#define S7P_FN_ADD_LINK 0x0506
#define S7P_FN_REMOVE_LINK 0x051a
#define S7P_FN_GET_LINK 0x0524
#define S7P_FN_SET_MULTI_VARIABLES 0x0542
#define S7P_FN_GET_MULTI_VARIABLES 0x054c
#define S7P_FN_BEGIN_SEQUENCE 0x0556
#define S7P_FN_END_SEQUENCE 0x0560
#define S7P_FN_INVOKE 0x056b
#define S7P_FN_SET_VAR_SUBSTREAMED 0x057c
#define S7P_FN_GET_VAR_SUBSTREAMED 0x0586
#define S7P_FN_GET_VARIABLES_ADDRESS 0x0590
#define S7P_FN_ABORT 0x059a
#define S7P_FN_ERROR2 0x05a9
#define S7P_FN_INIT_SSL 0x05b3
/* S7comm-plus function codes: S7P_FUNCTION_BASE + function id (0x104ca =
 * CreateObject); frames without a function id: S7P_SYSTEM_BASE + opcode
 * (0x20033 notification) or + version byte (0x200ff keep-alive). */
#define S7P_FUNCTION_BASE 0x10000
#define S7P_SYSTEM_BASE 0x20000

/* Transaction keys (txn_key): the top two bits say which kind pairs.  A job
 * pairs with its Ack / Ack_Data on the PDU reference, with one bit for the
 * side that sent the job (a PLC sends its own jobs during a download).
 * Userdata pair on (group, subfunction, PDU reference): the PDU reference is
 * echoed, the sequence number is not (requests carry 0, the responses in the
 * shared captures 0, 1 or 2). */
#define S7_KEY_JOB 0x00000000u      /* | 0x10000 if the PLC sent the job | PDU ref */
#define S7_KEY_USERDATA 0x40000000u /* | group << 24 | subfunction << 16 | PDU ref */
#define S7_KEY_PLUS 0x80000000u     /* | (function & 0x3fff) << 16 | sequence number */
#define S7_KEY_COTP 0xc0000102u     /* CR and CC: one connection setup per flow */
#define S7_KEY_SERVER_JOB 0x10000u

/* Address spaces: an S7ANY item is area << 16 | DB number; a program block
 * (download, upload, PI service, block info) S7_SPACE_BLOCK | block type. */
#define S7_SPACE_BLOCK 0x01000000u

static const struct ot_tok s7_rosctr_names[] = {
    {S7_ROSCTR_JOB, "job"},
    {S7_ROSCTR_ACK, "ack"},
    {S7_ROSCTR_ACK_DATA, "ack_data"},
    {S7_ROSCTR_USERDATA, "userdata"},
    {0, NULL},
};

static const struct ot_func s7_job_funcs[] = {
    {S7_FUNC_CPU_SERVICES, "cpu_services", OT_OP_OTHER},
    {S7_FUNC_READ_VAR, "read_var", OT_OP_READ},
    {S7_FUNC_WRITE_VAR, "write_var", OT_OP_WRITE},
    {S7_FUNC_REQUEST_DOWNLOAD, "download_request", OT_OP_PROGRAM},
    {S7_FUNC_DOWNLOAD_BLOCK, "download_block", OT_OP_PROGRAM},
    {S7_FUNC_DOWNLOAD_ENDED, "download_ended", OT_OP_PROGRAM},
    {S7_FUNC_START_UPLOAD, "upload_start", OT_OP_PROGRAM},
    {S7_FUNC_UPLOAD, "upload", OT_OP_PROGRAM},
    {S7_FUNC_END_UPLOAD, "upload_end", OT_OP_PROGRAM},
    {S7_FUNC_PI_SERVICE, "pi_service", OT_OP_CONTROL},
    {S7_FUNC_PLC_STOP, "plc_stop", OT_OP_CONTROL},
    {S7_FUNC_SETUP_COMMUNICATION, "setup_communication", OT_OP_OTHER},
    {0, NULL, 0},
};

static const struct ot_tok s7_error_class_names[] = {
    {S7_ERRCLS_NONE, "no_error"},
    {S7_ERRCLS_APPLICATION_RELATIONSHIP, "application_relationship"},
    {S7_ERRCLS_OBJECT_DEFINITION, "object_definition"},
    {S7_ERRCLS_NO_RESOURCES, "no_resources"},
    {S7_ERRCLS_SERVICE_PROCESSING, "error_on_service_processing"},
    {S7_ERRCLS_SUPPLIES, "error_on_supplies"},
    {S7_ERRCLS_ACCESS, "access_error"},
    {0, NULL},
};

/* Full error codes (class << 8 | code in a header; the parameter error code
 * of userdata and block functions) worth naming on their own. */
static const struct ot_tok s7_error_code_names[] = {
    {0x0110, "invalid_block_type_number"},
    {0x0112, "invalid_parameter"},
    {0x011a, "pg_resource_error"},
    {0x011b, "plc_resource_error"},
    {0x011c, "protocol_error"},
    {0x011f, "user_buffer_too_short"},
    {0x01c0, "version_mismatch"},
    {0x01f0, "not_implemented"},
    {0x8001, "invalid_cpu_state"},
    {0x8500, "pdu_size_error"},
    {0xd081, "not_permitted_in_current_mode"},
    {0xd0a1, "not_permitted_in_protection_level"},
    {0xd209, "block_not_found"},
    {0xd210, "invalid_block_number"},
    {0xd241, "not_permitted_in_protection_level"},
    {0xd401, "invalid_szl_id"},
    {0xd402, "invalid_szl_index"},
    {0xd602, "incorrect_password"},
    {0xd603, "already_legitimized"},
    {0xd604, "already_enabled"},
    {0xd605, "password_does_not_exist"},
    {0xd801, "invalid_tag_address"},
    {0xd802, "job_does_not_exist"},
    {0xdc01, "invalid_date_time"},
    {0, NULL},
};

static const struct ot_tok s7_return_code_names[] = {
    {S7_RC_RESERVED, "reserved"},
    {S7_RC_HARDWARE_FAULT, "hardware_fault"},
    {S7_RC_ACCESS_DENIED, "access_denied"},
    {S7_RC_ADDRESS_OUT_OF_RANGE, "address_out_of_range"},
    {S7_RC_TYPE_NOT_SUPPORTED, "data_type_not_supported"},
    {S7_RC_TYPE_INCONSISTENT, "data_type_inconsistent"},
    {S7_RC_OBJECT_DOES_NOT_EXIST, "object_does_not_exist"},
    {S7_RC_SUCCESS, "success"},
    {0, NULL},
};

/* Area names double as the range space names. */
static const struct ot_tok s7_area_names[] = {
    {S7_AREA_SYSINFO_200, "sysinfo_200"},
    {S7_AREA_SYSFLAGS_200, "sysflags_200"},
    {S7_AREA_ANALOG_IN_200, "analog_inputs_200"},
    {S7_AREA_ANALOG_OUT_200, "analog_outputs_200"},
    {S7_AREA_COUNTER, "counter"},
    {S7_AREA_TIMER, "timer"},
    {S7_AREA_IEC_COUNTER_200, "iec_counter_200"},
    {S7_AREA_IEC_TIMER_200, "iec_timer_200"},
    {S7_AREA_PERIPHERAL, "peripheral"},
    {S7_AREA_INPUTS, "inputs"},
    {S7_AREA_OUTPUTS, "outputs"},
    {S7_AREA_FLAGS, "flags"},
    {S7_AREA_DB, "DB"},
    {S7_AREA_DI, "DI"},
    {S7_AREA_LOCAL, "local"},
    {S7_AREA_PREVIOUS_LOCAL, "previous_local"},
    {0, NULL},
};

static const struct ot_tok s7_tsize_names[] = {
    {S7_TS_BIT, "BIT"},
    {S7_TS_BYTE, "BYTE"},
    {S7_TS_CHAR, "CHAR"},
    {S7_TS_WORD, "WORD"},
    {S7_TS_INT, "INT"},
    {S7_TS_DWORD, "DWORD"},
    {S7_TS_DINT, "DINT"},
    {S7_TS_REAL, "REAL"},
    {S7_TS_DATE, "DATE"},
    {S7_TS_TOD, "TOD"},
    {S7_TS_TIME, "TIME"},
    {S7_TS_S5TIME, "S5TIME"},
    {S7_TS_DATE_AND_TIME, "DATE_AND_TIME"},
    {S7_TS_COUNTER, "COUNTER"},
    {S7_TS_TIMER, "TIMER"},
    {S7_TS_IEC_TIMER, "IEC_TIMER"},
    {S7_TS_IEC_COUNTER, "IEC_COUNTER"},
    {S7_TS_HS_COUNTER, "HS_COUNTER"},
    {0, NULL},
};

static const struct ot_tok s7_syntax_names[] = {
    {S7_SYNTAX_S7ANY, "S7ANY"}, {0x13, "PBC_R_ID"},  {0x15, "ALARM_LOCKFREE"},
    {0x16, "ALARM_IND"},        {0x19, "ALARM_ACK"}, {0x1a, "ALARM_QUERYREQ"},
    {0x1c, "NOTIFY_IND"},       {0x82, "NCK"},       {0xa2, "DRIVEESANY"},
    {0xb0, "DBREAD"},           {0xb2, "1200SYM"},   {0, NULL},
};

static const struct ot_tok s7_block_names[] = {
    {S7_BLOCK_OB, "OB"},   {S7_BLOCK_CMOD, "CMod"}, {S7_BLOCK_DB, "DB"},
    {S7_BLOCK_SDB, "SDB"}, {S7_BLOCK_FC, "FC"},     {S7_BLOCK_SFC, "SFC"},
    {S7_BLOCK_FB, "FB"},   {S7_BLOCK_SFB, "SFB"},   {0, NULL},
};

/* Range space names of program blocks. */
static const struct ot_tok s7_block_spaces[] = {
    {S7_BLOCK_OB, "block_OB"},   {S7_BLOCK_CMOD, "block_CMod"}, {S7_BLOCK_DB, "block_DB"},
    {S7_BLOCK_SDB, "block_SDB"}, {S7_BLOCK_FC, "block_FC"},     {S7_BLOCK_SFC, "block_SFC"},
    {S7_BLOCK_FB, "block_FB"},   {S7_BLOCK_SFB, "block_SFB"},   {0, NULL},
};

/* PI services and what they do.  P_PROGRAM is refined by its argument. */
enum s7_pi_kind {
    S7_PI_GENERIC = 0, /* parameter block kept as text (or hex) */
    S7_PI_BLOCKS,      /* parameter block: count, reserved, 8-byte block names */
    S7_PI_PROGRAM,     /* P_PROGRAM: none = hot restart, "C" = cold restart */
};

struct s7_pi_service {
    const char *name;
    const char *action;
    enum s7_pi_kind kind;
};

static const struct s7_pi_service s7_pi_services[] = {
    {"_INSE", "activate_block", S7_PI_BLOCKS},
    {"_DELE", "delete_block", S7_PI_BLOCKS},
    {"P_PROGRAM", "program_control", S7_PI_PROGRAM},
    {"_MODU", "copy_ram_to_rom", S7_PI_GENERIC},
    {"_GARB", "compress_memory", S7_PI_GENERIC},
    {"_N_LOGIN_", "nc_login", S7_PI_GENERIC},
    {"_N_LOGOUT", "nc_logout", S7_PI_GENERIC},
    {"_N_CANCEL", "nc_cancel_alarm", S7_PI_GENERIC},
    {"_N_DASAVE", "nc_save_sram_to_flash", S7_PI_GENERIC},
    {"_N_F_OPEN", "nc_open_file", S7_PI_GENERIC},
    {"_N_F_OPER", "nc_open_file_read_only", S7_PI_GENERIC},
    {"_N_F_CLOS", "nc_close_file", S7_PI_GENERIC},
    {"_N_F_DELE", "nc_delete_file", S7_PI_GENERIC},
    {"_N_F_DELR", "nc_delete_file_forced", S7_PI_GENERIC},
    {"_N_F_COPY", "nc_copy_file", S7_PI_GENERIC},
    {"_N_F_RENA", "nc_rename_file", S7_PI_GENERIC},
    {"_N_F_PROT", "nc_protect_file", S7_PI_GENERIC},
    {"_N_F_XFER", "nc_select_file_for_upload", S7_PI_GENERIC},
    {"_N_SELECT", "nc_select_program", S7_PI_GENERIC},
    {"_N_EXTERN", "nc_select_external_program", S7_PI_GENERIC},
    {"_N_NEWPWD", "nc_new_password", S7_PI_GENERIC},
    {"_N_CONFIG", "nc_reconfigure", S7_PI_GENERIC},
    {"_N_DELVAR", "nc_delete_data_block", S7_PI_GENERIC},
    {NULL, NULL, S7_PI_GENERIC},
};

/* Userdata functions: S7_UD_FUNCTION_BASE | group << 8 | subfunction. */
#define UD(group, sub) (S7_UD_FUNCTION_BASE | (group) << 8 | (sub))
static const struct ot_func s7_ud_funcs[] = {
    {UD(S7_UD_GROUP_PROGRAMMER, 0x01), "request_diag_data_type1", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_PROGRAMMER, 0x02), "vartab", OT_OP_READ},
    {UD(S7_UD_GROUP_PROGRAMMER, 0x0c), "erase", OT_OP_PROGRAM},
    {UD(S7_UD_GROUP_PROGRAMMER, 0x0e), "read_diag_data", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_PROGRAMMER, 0x0f), "remove_diag_data", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_PROGRAMMER, 0x10), "forces", OT_OP_WRITE},
    {UD(S7_UD_GROUP_PROGRAMMER, 0x13), "request_diag_data_type2", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CYCLIC, 0x01), "cyclic_transfer", OT_OP_READ},
    {UD(S7_UD_GROUP_CYCLIC, 0x04), "cyclic_unsubscribe", OT_OP_OTHER},
    {UD(S7_UD_GROUP_CYCLIC, 0x05), "cyclic_change_driven_transfer", OT_OP_READ},
    {UD(S7_UD_GROUP_CYCLIC, 0x07), "cyclic_change_driven_transfer_modify", OT_OP_READ},
    {UD(S7_UD_GROUP_CYCLIC, 0x08), "cyclic_rdrec", OT_OP_READ},
    {UD(S7_UD_GROUP_BLOCK, S7_UD_BLOCK_LIST), "list_blocks", OT_OP_DISCOVERY},
    {UD(S7_UD_GROUP_BLOCK, S7_UD_BLOCK_LIST_TYPE), "list_blocks_of_type", OT_OP_DISCOVERY},
    {UD(S7_UD_GROUP_BLOCK, S7_UD_BLOCK_INFO), "get_block_info", OT_OP_READ},
    {UD(S7_UD_GROUP_CPU, S7_UD_CPU_READ_SZL), "read_szl", OT_OP_DISCOVERY},
    {UD(S7_UD_GROUP_CPU, 0x02), "message_service", OT_OP_OTHER},
    {UD(S7_UD_GROUP_CPU, 0x03), "diagnostic_message", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x05), "alarm8_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x06), "notify_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x07), "alarm8_lock", OT_OP_OTHER},
    {UD(S7_UD_GROUP_CPU, 0x08), "alarm8_unlock", OT_OP_OTHER},
    {UD(S7_UD_GROUP_CPU, 0x09), "scan_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x0b), "alarm_ack", OT_OP_OTHER},
    {UD(S7_UD_GROUP_CPU, 0x0c), "alarm_ack_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x0d), "alarm_lock_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x0e), "alarm_unlock_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x11), "alarm_sq_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x12), "alarm_s_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x13), "alarm_query", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_CPU, 0x16), "notify8_indication", OT_OP_DIAGNOSTIC},
    {UD(S7_UD_GROUP_SECURITY, S7_UD_SEC_PASSWORD), "plc_password", OT_OP_AUTH},
    {UD(S7_UD_GROUP_TIME, S7_UD_TIME_READ), "read_clock", OT_OP_READ},
    {UD(S7_UD_GROUP_TIME, S7_UD_TIME_SET), "set_clock", OT_OP_TIME_SYNC},
    {UD(S7_UD_GROUP_TIME, S7_UD_TIME_READ_FOLLOWING), "read_clock_following", OT_OP_READ},
    {UD(S7_UD_GROUP_TIME, S7_UD_TIME_SET2), "set_clock", OT_OP_TIME_SYNC},
    {UD(S7_UD_GROUP_NC_PROGRAMMING, 0x01), "nc_download_request", OT_OP_PROGRAM},
    {UD(S7_UD_GROUP_NC_PROGRAMMING, 0x02), "nc_download_block", OT_OP_PROGRAM},
    {UD(S7_UD_GROUP_NC_PROGRAMMING, 0x03), "nc_download_continue", OT_OP_PROGRAM},
    {UD(S7_UD_GROUP_NC_PROGRAMMING, 0x04), "nc_download_ended", OT_OP_PROGRAM},
    {UD(S7_UD_GROUP_NC_PROGRAMMING, 0x06), "nc_upload_start", OT_OP_PROGRAM},
    {UD(S7_UD_GROUP_NC_PROGRAMMING, 0x07), "nc_upload", OT_OP_PROGRAM},
    {UD(S7_UD_GROUP_NC_PROGRAMMING, 0x08), "nc_upload_continue", OT_OP_PROGRAM},
    {0, NULL, 0},
};

/* A subfunction not in the table above takes its group's name and class; in
 * the mode transition group the subfunction is the new operating mode. */
static const struct ot_func s7_ud_groups[] = {
    {S7_UD_GROUP_MODE_TRANSITION, "mode_transition", OT_OP_CONTROL},
    {S7_UD_GROUP_PROGRAMMER, "programmer_commands", OT_OP_DIAGNOSTIC},
    {S7_UD_GROUP_CYCLIC, "cyclic_data", OT_OP_READ},
    {S7_UD_GROUP_BLOCK, "block_functions", OT_OP_DISCOVERY},
    {S7_UD_GROUP_CPU, "cpu_functions", OT_OP_DIAGNOSTIC},
    {S7_UD_GROUP_SECURITY, "security", OT_OP_AUTH},
    {S7_UD_GROUP_PBC, "pbc_bsend_brecv", OT_OP_OTHER},
    {S7_UD_GROUP_TIME, "time_functions", OT_OP_OTHER},
    {S7_UD_GROUP_NC_PROGRAMMING, "nc_programming", OT_OP_PROGRAM},
    {0, NULL, 0},
};

static const struct ot_tok s7_ud_type_names[] = {
    {S7_UD_TYPE_PUSH, "push"},
    {S7_UD_TYPE_NC_PUSH, "nc_push"},
    {S7_UD_TYPE_REQUEST, "request"},
    {S7_UD_TYPE_NC_REQUEST, "nc_request"},
    {S7_UD_TYPE_RESPONSE, "response"},
    {S7_UD_TYPE_NC_RESPONSE, "nc_response"},
    {0, NULL},
};

/* Operating modes announced in a mode transition (the subfunction). */
static const struct ot_tok s7_mode_names[] = {
    {0x00, "stop"},   {0x01, "warm_restart"},
    {0x02, "run"},    {0x03, "hot_restart"},
    {0x04, "hold"},   {0x06, "cold_restart"},
    {0x09, "run_r"},  {0x0b, "link_up"},
    {0x0c, "update"}, {0, NULL},
};

static const struct ot_tok s7_connection_types[] = {
    {S7_TSAP_PG, "pg"},
    {S7_TSAP_OP, "op"},
    {S7_TSAP_S7_BASIC, "s7_basic"},
    {0, NULL},
};

static const struct ot_tok s7p_version_names[] = {
    {S7P_V1, "V1"},
    {S7P_V2, "V2"},
    {S7P_V3, "V3"},
    {S7P_EXT_KEEP_ALIVE, "ext_keep_alive"},
    {S7P_KEEP_ALIVE, "keep_alive"},
    {0, NULL},
};

static const struct ot_tok s7p_opcode_names[] = {
    {S7P_OPCODE_REQUEST, "request"},
    {S7P_OPCODE_RESPONSE, "response"},
    {S7P_OPCODE_NOTIFICATION, "notification"},
    {S7P_OPCODE_RESPONSE2, "response2"},
    {0, NULL},
};

static const struct ot_func s7p_funcs[] = {
    {S7P_FUNCTION_BASE | S7P_FN_ERROR, "error", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_EXPLORE, "explore", OT_OP_DISCOVERY},
    {S7P_FUNCTION_BASE | S7P_FN_CREATE_OBJECT, "create_object", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_DELETE_OBJECT, "delete_object", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_SET_VARIABLE, "set_variable", OT_OP_WRITE},
    {S7P_FUNCTION_BASE | S7P_FN_GET_VARIABLE, "get_variable", OT_OP_READ},
    {S7P_FUNCTION_BASE | S7P_FN_ADD_LINK, "add_link", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_REMOVE_LINK, "remove_link", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_GET_LINK, "get_link", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_SET_MULTI_VARIABLES, "set_multi_variables", OT_OP_WRITE},
    {S7P_FUNCTION_BASE | S7P_FN_GET_MULTI_VARIABLES, "get_multi_variables", OT_OP_READ},
    {S7P_FUNCTION_BASE | S7P_FN_BEGIN_SEQUENCE, "begin_sequence", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_END_SEQUENCE, "end_sequence", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_INVOKE, "invoke", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_SET_VAR_SUBSTREAMED, "set_var_substreamed", OT_OP_WRITE},
    {S7P_FUNCTION_BASE | S7P_FN_GET_VAR_SUBSTREAMED, "get_var_substreamed", OT_OP_READ},
    {S7P_FUNCTION_BASE | S7P_FN_GET_VARIABLES_ADDRESS, "get_variables_address", OT_OP_READ},
    {S7P_FUNCTION_BASE | S7P_FN_ABORT, "abort", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_ERROR2, "error", OT_OP_OTHER},
    {S7P_FUNCTION_BASE | S7P_FN_INIT_SSL, "init_ssl", OT_OP_OTHER},
    {S7P_SYSTEM_BASE | S7P_OPCODE_NOTIFICATION, "notification", OT_OP_OTHER},
    {S7P_SYSTEM_BASE | S7P_EXT_KEEP_ALIVE, "ext_keep_alive", OT_OP_OTHER},
    {S7P_SYSTEM_BASE | S7P_KEEP_ALIVE, "keep_alive", OT_OP_OTHER},
    {0, NULL, 0},
};

/* Caps. */
/* Items parsed from one read/write var job.  S7-300/400 CPUs refuse more
 * than 20 items in one job, and a 960-byte PDU holds at most 78; the item
 * count byte could claim 255.  Items past the cap are counted, not parsed. */
#define S7_MAX_ITEMS 20
/* Items described one by one in the detail tape (each takes 9 entries of
 * the 96); the ranges carry every parsed item. */
#define S7_MAX_DETAIL_ITEMS 8
/* Elements of one write var item kept as values: a 200-byte write keeps 8. */
#define S7_MAX_VALUES_PER_ITEM 8
/* Blocks named in one PI service parameter block (_INSE / _DELE lists). */
#define S7_MAX_PI_BLOCKS 8
/* PI parameter bytes copied into the detail tape. */
#define S7_MAX_PI_ARGUMENT 64
/* SZL records walked in one response (a 960-byte PDU holds 34 records of 28 bytes). */
#define S7_MAX_SZL_RECORDS 40
/* Jobs remembered per flow to name a bare Ack (which carries no function):
 * the negotiated max AmQ is 1-3 in practice; more in flight lose the name. */
#define S7_MAX_PENDING_JOBS 8
/* TPKTs the probe looks through for the first non-empty DT (some stacks send
 * an empty DT without EOT before each PDU). */
#define S7_PROBE_MAX_TPDUS 4

struct s7_pending_job {
    uint32_t key; /* the job's txn_key */
    uint8_t func;
    bool used;
};

/* Per-flow state.  Index 0 of the per-direction arrays is client to server. */
struct s7_flow {
    struct cotp_reasm reasm[2];
    struct s7_pending_job jobs[S7_MAX_PENDING_JOBS];
    uint8_t next_job;
    bool szl_more[2];    /* a read SZL response said "more data units follow" */
    bool plus_frag[2];   /* an S7comm-plus frame without trailer is being continued */
    bool plus_integrity; /* a V3 (integrity-protected) frame was seen on this flow */
};

/* A parsed read/write var item. */
struct s7_item {
    uint8_t syntax_id;
    bool s7any;
    uint8_t tsize;
    uint8_t area;
    uint16_t length;
    uint16_t db;
    uint32_t address; /* bit address: byte << 3 | bit */
};

static int hex_digit(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Reads n ASCII decimal digits; false (value undefined) if one is not a digit. */
static bool read_decimal(struct cur *c, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = cur_u8(c);
        if (ch < '0' || ch > '9')
            ok = false;
        else if (v < 100000000)
            v = v * 10 + (uint32_t)(ch - '0');
    }
    *out = v;
    return ok && cur_ok(c);
}

/* Copies wire text into a detail string after the identity cleaning (stop at
 * NUL, drop trailing spaces, replace the unprintable). */
static void kv_text(struct ot_detail *d, const char *key, const uint8_t *p, size_t n)
{
    char buf[OT_IDENT_LEN];
    ot_ident_set(buf, p, n);
    if (buf[0])
        ot_kv_cstr(d, key, buf);
}

static bool printable(const uint8_t *p, size_t n)
{
    struct cur c = cur_init(p, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = cur_u8(&c);
        if (ch < 0x20 || ch > 0x7e)
            return false;
    }
    return true;
}

/* Decodes a block name "0A00001P" (type, number, filesystem; `n` is 7 or 8
 * bytes) into the detail tape and a block range. */
static void block_name(struct cur *c, size_t n, struct ot_msg *out, bool in_array)
{
    struct cur b = cur_sub(c, n);
    int hi = hex_digit(cur_u8(&b));
    int lo = hex_digit(cur_u8(&b));
    uint32_t number = 0;
    bool have_number = read_decimal(&b, 5, &number);
    uint8_t fs = n > 7 ? cur_u8(&b) : 0;
    if (!cur_ok(&b) || hi < 0 || lo < 0)
        return;
    uint8_t type = (uint8_t)(hi << 4 | lo);
    const char *tname = ot_tok_name(s7_block_names, type);
    const char *space = ot_tok_name(s7_block_spaces, type);
    struct ot_detail *d = &out->detail;
    if (in_array)
        ot_kv_obj(d, NULL);
    ot_kv_cstr(d, "block_type", tname ? tname : "unknown");
    if (have_number)
        ot_kv_u64(d, "block_number", number);
    if (fs >= 0x20 && fs < 0x7f)
        ot_kv_str(d, "dest_filesystem", &fs, 1);
    if (in_array)
        ot_kv_end(d);
    if (have_number)
        ot_msg_add_range(out, space ? space : "block_unknown", S7_SPACE_BLOCK | type, number, 1);
}

/* Filename of a download/upload job: length(1) then "_0A00001P". */
static void block_filename(struct cur *p, struct ot_msg *out)
{
    size_t flen = cur_u8(p);
    const uint8_t *name = cur_bytes(p, flen);
    if (!name)
        return;
    ot_kv_str(&out->detail, "filename", name, flen);
    struct cur f = cur_init(name, flen);
    uint8_t ident = cur_u8(&f);
    if (flen >= S7_FILENAME_LEN && (ident == '_' || ident == '$'))
        block_name(&f, S7_FILENAME_LEN - 1, out, false);
}

static uint32_t item_space_id(const struct s7_item *it)
{
    return (uint32_t)it->area << 16 | it->db;
}

/* Bytes per element of a transport size (BIT: the byte that holds the bit). */
static unsigned tsize_bytes(uint8_t tsize)
{
    switch (tsize) {
        case S7_TS_WORD:
        case S7_TS_INT:
        case S7_TS_DATE:
        case S7_TS_S5TIME:
        case S7_TS_COUNTER:
        case S7_TS_TIMER:
        case S7_TS_IEC_COUNTER: return 2;
        case S7_TS_DWORD:
        case S7_TS_DINT:
        case S7_TS_REAL:
        case S7_TS_TOD:
        case S7_TS_TIME:
        case S7_TS_IEC_TIMER:
        case S7_TS_HS_COUNTER: return 4;
        case S7_TS_DATE_AND_TIME: return 8;
        default: return 1;
    }
}

/* Reads the items of a read/write var job into items[] (at most
 * S7_MAX_ITEMS), their ranges into out and their description into the
 * detail tape.  Returns how many were parsed. */
static size_t parse_items(struct cur *p, size_t count, struct s7_item *items, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    size_t n = count < S7_MAX_ITEMS ? count : S7_MAX_ITEMS;
    ot_kv_arr(d, "items");
    for (size_t i = 0; i < n; i++) {
        struct s7_item *it = &items[i];
        *it = (struct s7_item){0};
        uint8_t spec = cur_u8(p);
        size_t alen = cur_u8(p);
        struct cur a = cur_sub(p, alen);
        if (!cur_ok(p))
            break;
        if (spec != S7_VAR_SPEC || alen < 1) {
            cur_fail(p, CUR_INVALID);
            break;
        }
        it->syntax_id = cur_u8(&a);
        if (it->syntax_id == S7_SYNTAX_S7ANY && alen >= S7_S7ANY_LEN) {
            it->s7any = true;
            it->tsize = cur_u8(&a);
            it->length = cur_be16(&a);
            it->db = cur_be16(&a);
            it->area = cur_u8(&a);
            it->address = cur_be24(&a) & 0x7ffff; /* 16-bit byte address and 3-bit bit */
        }
        const char *area = ot_tok_name(s7_area_names, it->area);
        bool numbered = it->area == S7_AREA_COUNTER || it->area == S7_AREA_TIMER ||
                        it->area == S7_AREA_IEC_COUNTER_200 || it->area == S7_AREA_IEC_TIMER_200;
        if (it->s7any) {
            uint64_t start;
            uint32_t bytes;
            if (numbered) {
                /* timers and counters are numbered, not byte-addressed */
                start = it->address;
                bytes = it->length;
            } else {
                start = it->address >> 3;
                bytes = it->tsize == S7_TS_BIT ? (it->length + 7u) / 8u
                                               : (uint32_t)it->length * tsize_bytes(it->tsize);
            }
            ot_msg_add_range(out, area ? area : "unknown_area", item_space_id(it), start, bytes);
        }
        if (i >= S7_MAX_DETAIL_ITEMS)
            continue;
        ot_kv_obj(d, NULL);
        const char *syntax = ot_tok_name(s7_syntax_names, it->syntax_id);
        ot_kv_cstr(d, "syntax_id", syntax ? syntax : "unknown");
        if (it->s7any) {
            const char *ts = ot_tok_name(s7_tsize_names, it->tsize);
            ot_kv_cstr(d, "transport_size", ts ? ts : "unknown");
            ot_kv_u64(d, "length", it->length);
            ot_kv_u64(d, "db_number", it->db);
            ot_kv_cstr(d, "area", area ? area : "unknown");
            if (numbered) {
                ot_kv_u64(d, "number", it->address);
            } else {
                ot_kv_u64(d, "byte_address", it->address >> 3);
                ot_kv_u64(d, "bit_address", it->address & 7);
            }
        }
        ot_kv_end(d);
    }
    ot_kv_end(d);
    if (count > n)
        ot_kv_bool(d, "items_truncated", true);
    return cur_ok(p) ? n : 0;
}

static double f32_value(uint32_t bits)
{
    union {
        uint32_t u;
        float f;
    } x = {.u = bits};
    return x.f;
}

/* Keeps the first elements of one write var data item as values, at the
 * item's bit addresses (byte << 3 | bit, the S7ANY address form). */
static void item_values(struct cur *v, const struct s7_item *it, struct ot_msg *out)
{
    if (!it->s7any || it->tsize == S7_TS_DATE_AND_TIME)
        return;
    unsigned esize = tsize_bytes(it->tsize);
    uint32_t space = item_space_id(it);
    for (unsigned k = 0; k < S7_MAX_VALUES_PER_ITEM && cur_left(v) >= esize; k++) {
        uint64_t addr = it->address + (uint64_t)k * esize * 8;
        double val;
        switch (it->tsize) {
            case S7_TS_BIT: val = cur_u8(v) & 1; break;
            case S7_TS_INT: val = (int16_t)cur_be16(v); break;
            case S7_TS_DINT:
            case S7_TS_TIME: val = (int32_t)cur_be32(v); break;
            case S7_TS_REAL: val = f32_value(cur_be32(v)); break;
            default:
                if (esize == 1)
                    val = cur_u8(v);
                else if (esize == 2)
                    val = cur_be16(v);
                else
                    val = cur_be32(v);
                break;
        }
        if (isfinite(val))
            ot_msg_add_value(out, space, addr, val);
        if (it->tsize == S7_TS_BIT)
            break;
    }
}

/* Length in bytes of a data item whose length field says `len`. */
static size_t data_item_bytes(uint8_t dts, uint16_t len)
{
    if (dts == S7_DTS_BIT || dts == S7_DTS_BYTE_WORD_DWORD || dts == S7_DTS_INTEGER)
        return ((size_t)len + 7) / 8;
    return len;
}

/* Walks `count` data items (write var job, read var ack_data), keeping the
 * values of a write and the return codes of a response. */
static void parse_data_items(struct cur *dc, size_t count, const struct s7_item *items,
                             bool response, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    bool failed = false;
    if (response)
        ot_kv_arr(d, "return_codes");
    for (size_t i = 0; i < count; i++) {
        uint8_t rc = cur_u8(dc);
        uint8_t dts = cur_u8(dc);
        uint16_t len = cur_be16(dc);
        /* a failed item of a response carries no data, whatever its length
         * says (snap7 answers 0a 00 00 04 with nothing after it) */
        size_t nbytes = response && rc != S7_RC_SUCCESS ? 0 : data_item_bytes(dts, len);
        struct cur v = cur_sub(dc, nbytes);
        if (!cur_ok(dc))
            break;
        /* a fill byte follows an odd length, except after the last item */
        if ((nbytes & 1) && i + 1 < count && cur_left(dc) > 0)
            cur_skip(dc, 1);
        if (response) {
            ot_kv_u64(d, NULL, rc);
            if (rc != S7_RC_SUCCESS && !failed && !out->has_exception) {
                failed = true;
                const char *rn = ot_tok_name(s7_return_code_names, rc);
                ot_msg_set_exception(out, rc, rn ? rn : "unknown_return_code");
            }
        } else if (items) {
            item_values(&v, &items[i], out);
        }
    }
    if (response)
        ot_kv_end(d);
}

/* Write var ack_data: one return code byte per item. */
static void parse_write_return_codes(struct cur *dc, size_t count, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    ot_kv_arr(d, "return_codes");
    for (size_t i = 0; i < count && cur_ok(dc); i++) {
        uint8_t rc = cur_u8(dc);
        if (!cur_ok(dc))
            break;
        ot_kv_u64(d, NULL, rc);
        if (rc != S7_RC_SUCCESS && !out->has_exception) {
            const char *rn = ot_tok_name(s7_return_code_names, rc);
            ot_msg_set_exception(out, rc, rn ? rn : "unknown_return_code");
        }
    }
    ot_kv_end(d);
}

static const struct s7_pi_service *pi_lookup(const uint8_t *name, size_t n)
{
    for (const struct s7_pi_service *s = s7_pi_services; s->name; s++) {
        size_t k = 0;
        struct cur c = cur_init(name, n);
        while (s->name[k] && k < n && (char)cur_u8(&c) == s->name[k])
            k++;
        if (!s->name[k] && k == n)
            return s;
    }
    return NULL;
}

/* PI service job: 7 bytes, parameter block, service name. */
static void parse_pi_service(struct cur *p, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    cur_skip(p, 7);
    size_t plen = cur_be16(p);
    struct cur pb = cur_sub(p, plen);
    size_t slen = cur_u8(p);
    const uint8_t *svc = cur_bytes(p, slen);
    if (!svc)
        return;
    ot_kv_str(d, "pi_service", svc, slen);
    const struct s7_pi_service *s = pi_lookup(svc, slen);
    const char *action = s ? s->action : NULL;
    struct cur sc = cur_init(svc, slen);
    if (!s && slen >= 3 && cur_u8(&sc) == '_' && cur_u8(&sc) == 'N' && cur_u8(&sc) == '_')
        action = "nc_service";
    enum s7_pi_kind kind = s ? s->kind : S7_PI_GENERIC;
    const uint8_t *arg = cur_bytes(&pb, plen);
    struct cur a = cur_init(arg, plen);
    if (kind == S7_PI_BLOCKS) {
        /* _INSE / _DELE: number of blocks(1) unknown(1) then 8-byte block names */
        size_t nblocks = cur_u8(&a);
        cur_skip(&a, 1);
        ot_kv_u64(d, "block_count", nblocks);
        ot_kv_arr(d, "blocks");
        for (size_t i = 0; i < nblocks && i < S7_MAX_PI_BLOCKS; i++) {
            if (cur_left(&a) < S7_BLOCK_NAME_LEN)
                break;
            block_name(&a, S7_BLOCK_NAME_LEN, out, true);
        }
        ot_kv_end(d);
    } else if (kind == S7_PI_PROGRAM) {
        /* P_PROGRAM: no argument is a (hot) restart to RUN, "C" a cold restart */
        uint8_t first = cur_peek_u8(&a);
        action = plen == 0 ? "hot_restart" : first == 'C' ? "cold_restart" : "program_control";
    }
    if (action)
        ot_kv_cstr(d, "pi_action", action);
    if (plen > 0 && kind != S7_PI_BLOCKS) {
        size_t n = plen < S7_MAX_PI_ARGUMENT ? plen : S7_MAX_PI_ARGUMENT;
        if (printable(arg, n))
            ot_kv_str(d, "pi_argument", arg, n);
        else
            ot_kv_hex(d, "pi_argument_hex", arg, n);
    }
}

/* Setup Communication parameters, the same in the job and its ack: reserved
 * byte, max AmQ calling, max AmQ called, PDU length. */
static void parse_setup_communication(struct cur *p, struct ot_detail *d)
{
    cur_skip(p, 1);
    ot_kv_u64(d, "max_amq_calling", cur_be16(p));
    ot_kv_u64(d, "max_amq_called", cur_be16(p));
    ot_kv_u64(d, "pdu_length", cur_be16(p));
}

/* The parameter part of a job (ROSCTR 1) after the function byte. */
static void parse_job(struct cur *p, struct cur *dc, uint8_t func, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    struct s7_item items[S7_MAX_ITEMS];
    switch (func) {
        case S7_FUNC_SETUP_COMMUNICATION: parse_setup_communication(p, d); break;
        case S7_FUNC_READ_VAR:
        case S7_FUNC_WRITE_VAR: {
            size_t count = cur_u8(p);
            ot_kv_u64(d, "item_count", count);
            size_t n = parse_items(p, count, items, out);
            if (func == S7_FUNC_WRITE_VAR && cur_ok(p))
                parse_data_items(dc, n, items, false, out);
            break;
        }
        case S7_FUNC_REQUEST_DOWNLOAD:
        case S7_FUNC_DOWNLOAD_BLOCK:
        case S7_FUNC_DOWNLOAD_ENDED:
        case S7_FUNC_START_UPLOAD:
        case S7_FUNC_UPLOAD:
        case S7_FUNC_END_UPLOAD: {
            ot_kv_u64(d, "function_status", cur_u8(p));
            uint16_t err = cur_be16(p);
            uint32_t id = cur_be32(p);
            if ((func == S7_FUNC_DOWNLOAD_ENDED || func == S7_FUNC_END_UPLOAD) && err)
                ot_kv_u64(d, "error_code", err);
            if (func >= S7_FUNC_START_UPLOAD)
                ot_kv_u64(d, "upload_id", id);
            if (func <= S7_FUNC_START_UPLOAD)
                block_filename(p, out);
            if (func == S7_FUNC_REQUEST_DOWNLOAD && cur_left(p) > 0) {
                /* part 2: "1", load memory length (6 digits), MC7 code length (6 digits) */
                size_t l2 = cur_u8(p);
                struct cur p2 = cur_sub(p, l2);
                uint32_t load = 0, mc7 = 0;
                cur_skip(&p2, 1);
                if (l2 >= 13 && read_decimal(&p2, 6, &load) && read_decimal(&p2, 6, &mc7)) {
                    ot_kv_u64(d, "load_memory_length", load);
                    ot_kv_u64(d, "mc7_length", mc7);
                }
            }
            break;
        }
        case S7_FUNC_PI_SERVICE: parse_pi_service(p, out); break;
        case S7_FUNC_PLC_STOP: {
            cur_skip(p, 5);
            size_t slen = cur_u8(p);
            const uint8_t *svc = cur_bytes(p, slen);
            if (svc)
                ot_kv_str(d, "pi_service", svc, slen);
            break;
        }
        default: break;
    }
}

/* The parameter and data parts of an Ack_Data (ROSCTR 3) after the function. */
static void parse_ack_data(struct cur *p, struct cur *dc, uint8_t func, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    switch (func) {
        case S7_FUNC_SETUP_COMMUNICATION: parse_setup_communication(p, d); break;
        case S7_FUNC_READ_VAR:
        case S7_FUNC_WRITE_VAR: {
            size_t count = cur_u8(p);
            ot_kv_u64(d, "item_count", count);
            if (!cur_ok(p))
                break;
            size_t n = count < S7_MAX_ITEMS ? count : S7_MAX_ITEMS;
            if (func == S7_FUNC_READ_VAR)
                parse_data_items(dc, n, NULL, true, out);
            else
                parse_write_return_codes(dc, n, out);
            break;
        }
        case S7_FUNC_DOWNLOAD_BLOCK:
        case S7_FUNC_UPLOAD:
            ot_kv_u64(d, "function_status", cur_u8(p));
            if (cur_left(dc) >= 4) {
                ot_kv_u64(d, "block_data_length", cur_be16(dc));
                cur_skip(dc, 2);
            }
            break;
        case S7_FUNC_START_UPLOAD: {
            ot_kv_u64(d, "function_status", cur_u8(p));
            cur_skip(p, 2);
            ot_kv_u64(d, "upload_id", cur_be32(p));
            size_t blen = cur_u8(p);
            struct cur b = cur_sub(p, blen);
            uint32_t length = 0;
            if (blen > 0 && blen <= 9 && read_decimal(&b, blen, &length))
                ot_kv_u64(d, "block_length", length);
            break;
        }
        default: break;
    }
}

/* Fills the identity from an SZL 0x..11 (module identification) record. */
static void szl11_record(struct cur *r, struct ot_msg *out)
{
    uint16_t index = cur_be16(r);
    const uint8_t *mlfb = cur_bytes(r, S7_SZL_MLFB_LEN);
    cur_skip(r, 2); /* BGTyp */
    uint16_t ausbg = cur_be16(r);
    uint16_t ausbe = cur_be16(r);
    if (!cur_ok(r))
        return;
    struct ot_identity *id = &out->identity;
    if ((index == S7_SZL11_MODULE || index == S7_SZL11_BASIC_HARDWARE) && !id->model[0])
        ot_ident_set(id->model, mlfb, S7_SZL_MLFB_LEN);
    if (index == S7_SZL11_BASIC_FIRMWARE && (ausbg >> 8) == 'V') {
        /* firmware: 'V', major in Ausbg, minor and patch in Ausbe: V3.2.6 */
        char fw[OT_IDENT_LEN];
        struct sbuf b = sb_init(fw, sizeof(fw));
        sb_putc(&b, 'V');
        sb_dec(&b, ausbg & 0xff, 1);
        sb_putc(&b, '.');
        sb_dec(&b, ausbe >> 8, 1);
        sb_putc(&b, '.');
        sb_dec(&b, ausbe & 0xff, 1);
        ot_ident_set(id->firmware, (const uint8_t *)fw, b.n);
    }
}

/* Fills the identity from an SZL 0x..1c (component identification) record. */
static void szl1c_record(struct cur *r, struct ot_msg *out)
{
    uint16_t index = cur_be16(r);
    const uint8_t *text = cur_bytes(r, S7_SZL_1C_TEXT_LEN);
    if (!text)
        return;
    struct ot_identity *id = &out->identity;
    struct ot_detail *d = &out->detail;
    switch (index) {
        case S7_SZL1C_PLC_NAME: ot_ident_set(id->name, text, S7_SZL_1C_TEXT_LEN); break;
        case S7_SZL1C_MODULE_NAME: ot_ident_set(id->product, text, S7_SZL_1C_TEXT_LEN); break;
        case S7_SZL1C_PLANT_ID: kv_text(d, "plant_id", text, S7_SZL_1C_TEXT_LEN); break;
        case S7_SZL1C_SERIAL: ot_ident_set(id->serial, text, S7_SZL_1C_TEXT_LEN); break;
        case S7_SZL1C_MODULE_TYPE_NAME:
            kv_text(d, "module_type_name", text, S7_SZL_1C_TEXT_LEN);
            break;
        case S7_SZL1C_MEMORY_CARD_SERIAL:
            kv_text(d, "memory_card_serial", text, S7_SZL_1C_TEXT_LEN);
            break;
        case S7_SZL1C_LOCATION_ID: kv_text(d, "location_id", text, S7_SZL_1C_TEXT_LEN); break;
        default: break;
    }
}

/* Read SZL response data after the return code header: SZL id, index,
 * record length, record count, records. */
static void parse_szl_response(struct cur *b, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    uint16_t szl_id = cur_be16(b);
    uint16_t index = cur_be16(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(d, "szl_id", szl_id);
    ot_kv_u64(d, "szl_index", index);
    size_t rlen = cur_be16(b);
    size_t count = cur_be16(b);
    if (!cur_ok(b))
        return;
    ot_kv_u64(d, "szl_record_length", rlen);
    ot_kv_u64(d, "szl_record_count", count);
    uint8_t list = szl_id & 0xff;
    bool ident = (list == S7_SZL_MODULE_ID && rlen == S7_SZL_11_RECORD_LEN) ||
                 (list == S7_SZL_COMPONENT_ID && rlen == S7_SZL_1C_RECORD_LEN);
    if (!ident)
        return;
    for (size_t i = 0; i < count && i < S7_MAX_SZL_RECORDS; i++) {
        struct cur r = cur_sub(b, rlen);
        if (!cur_ok(b))
            break; /* the rest follows in the next data unit */
        if (list == S7_SZL_MODULE_ID)
            szl11_record(&r, out);
        else
            szl1c_record(&r, out);
    }
    struct ot_identity *id = &out->identity;
    if (!id->model[0] && !id->firmware[0] && !id->name[0] && !id->product[0] && !id->serial[0])
        return; /* a header-only extract (0x0f11) names nothing */
    ot_ident_set(id->vendor, (const uint8_t *)"Siemens", 7);
    id->present = true;
    id->from_server = true;
}

/* Formats a BCD DATE_AND_TIME (8 bytes) as "YYYY-MM-DDThh:mm:ss". */
static void clock_value(struct cur *b, struct ot_detail *d)
{
    uint8_t v[6];
    for (size_t i = 0; i < 6; i++) {
        uint8_t x = cur_u8(b);
        if ((x >> 4) > 9 || (x & 0xf) > 9)
            return;
        v[i] = (uint8_t)((x >> 4) * 10 + (x & 0xf));
    }
    if (!cur_ok(b))
        return;
    char s[24];
    struct sbuf sb = sb_init(s, sizeof(s));
    /* years 90-99 are 1990-1999, 00-89 are 2000-2089 */
    sb_dec(&sb, v[0] >= 90 ? 1900u + v[0] : 2000u + v[0], 1);
    static const char sep[] = "--T::";
    for (size_t i = 1; i < 6; i++) {
        sb_putc(&sb, sep[i - 1]);
        sb_dec(&sb, v[i], 2);
    }
    ot_kv_cstr(d, "clock", s);
}

/* Userdata (ROSCTR 7): parameter head, then the group's data. */
static void parse_userdata(struct cur *p, struct cur *dc, uint16_t pdu_ref, int didx,
                           struct s7_flow *fs, struct ot_msg *out, bool *szl_more)
{
    struct ot_detail *d = &out->detail;
    uint32_t head = cur_be24(p);
    size_t plen = cur_u8(p);
    uint8_t method = cur_u8(p);
    uint8_t tg = cur_u8(p);
    uint8_t sub = cur_u8(p);
    uint8_t seq = cur_u8(p);
    if (!cur_ok(p))
        return;
    if (plen < 4 || (head >> 8) != (S7_UD_HEAD >> 8))
        out->anomaly = "userdata_header";
    uint8_t type = tg >> 4;
    uint8_t group = tg & 0x0f;
    uint32_t code = UD((uint32_t)group, sub);
    const struct ot_func *f = ot_func_find(s7_ud_funcs, code);
    if (!f)
        f = ot_func_find(s7_ud_groups, group);
    ot_msg_set_function(out, code, f ? f->name : "unknown", f ? (enum ot_op)f->op : OT_OP_OTHER);

    const char *tname = ot_tok_name(s7_ud_type_names, type);
    ot_kv_cstr(d, "type", tname ? tname : "unknown");
    ot_kv_u64(d, "method", method);
    ot_kv_u64(d, "function_group", group);
    ot_kv_u64(d, "subfunction", sub);
    ot_kv_u64(d, "sequence_number", seq);
    if (group == S7_UD_GROUP_MODE_TRANSITION) {
        const char *mode = ot_tok_name(s7_mode_names, sub);
        ot_kv_cstr(d, "mode", mode ? mode : "unknown");
    }
    bool last = true;
    bool has_err = false;
    if (plen >= 8 && cur_left(p) >= 4) {
        ot_kv_u64(d, "data_unit_reference", cur_u8(p));
        last = cur_u8(p) != S7_UD_LAST_DATA_UNIT_NO;
        uint16_t err = cur_be16(p);
        has_err = true;
        ot_kv_bool(d, "last_data_unit", last);
        if (err) {
            const char *en = ot_tok_name(s7_error_code_names, err);
            ot_kv_u64(d, "error_code", err);
            ot_msg_set_exception(out, err, en ? en : "userdata_error");
        }
    }

    bool request = type == S7_UD_TYPE_REQUEST || type == S7_UD_TYPE_NC_REQUEST;
    bool response = type == S7_UD_TYPE_RESPONSE || type == S7_UD_TYPE_NC_RESPONSE;
    if (request || response) {
        out->dir = request ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        out->pair = OT_PAIR_KEYED;
        out->txn_key = S7_KEY_USERDATA | (uint32_t)group << 24 | (uint32_t)sub << 16 | pdu_ref;
    } else {
        /* pushes are unsolicited: from the PLC, records of their own */
        out->dir = OT_DIR_RESPONSE;
        out->pair = OT_PAIR_NONE;
    }

    if (cur_left(dc) < 4)
        return;
    uint8_t rc = cur_u8(dc);
    cur_skip(dc, 1); /* transport size */
    size_t len = cur_be16(dc);
    struct cur b = cur_sub(dc, len);
    if (!cur_ok(dc))
        return;
    ot_kv_u64(d, "return_code", rc);
    /* a response with nothing to return (set clock, password) says so with
     * "object does not exist" and no data, its parameter error code 0: that is
     * a success (Snap7's server and real CPUs answer this way) */
    bool empty_ok = has_err && rc == S7_RC_OBJECT_DOES_NOT_EXIST && len == 0;
    if (response && rc != S7_RC_SUCCESS && rc != S7_RC_RESERVED && !empty_ok &&
        !out->has_exception) {
        const char *rn = ot_tok_name(s7_return_code_names, rc);
        ot_msg_set_exception(out, rc, rn ? rn : "unknown_return_code");
    }
    if (group == S7_UD_GROUP_CPU && sub == S7_UD_CPU_READ_SZL) {
        if (request && len >= 4) {
            ot_kv_u64(d, "szl_id", cur_be16(&b));
            ot_kv_u64(d, "szl_index", cur_be16(&b));
        } else if (response) {
            /* a response after one that said "more follows" continues its
             * records without the SZL header */
            bool cont = fs && fs->szl_more[didx];
            if (cont)
                ot_kv_bool(d, "szl_continuation", true);
            else if (rc == S7_RC_SUCCESS)
                parse_szl_response(&b, out);
            *szl_more = !last;
        }
    } else if (group == S7_UD_GROUP_BLOCK && request && len >= 2) {
        if (sub == S7_UD_BLOCK_LIST_TYPE) {
            int hi = hex_digit(cur_u8(&b));
            int lo = hex_digit(cur_u8(&b));
            const char *bt =
                hi >= 0 && lo >= 0 ? ot_tok_name(s7_block_names, (uint32_t)(hi << 4 | lo)) : NULL;
            ot_kv_cstr(d, "block_type", bt ? bt : "unknown");
        } else if (sub == S7_UD_BLOCK_INFO && len >= S7_BLOCK_NAME_LEN) {
            block_name(&b, S7_BLOCK_NAME_LEN, out, false);
        }
    } else if (group == S7_UD_GROUP_SECURITY && request) {
        /* the (scrambled) password itself is never copied out */
        ot_kv_u64(d, "password_length", len);
    } else if (group == S7_UD_GROUP_TIME && len >= 10) {
        cur_skip(&b, 2); /* reserved, year high byte */
        clock_value(&b, d);
    }
}

/* Finds (and forgets) the pending job with this key; returns its function
 * or -1. */
static int job_take(struct s7_flow *fs, uint32_t key)
{
    if (!fs)
        return -1;
    for (size_t i = 0; i < S7_MAX_PENDING_JOBS; i++) {
        if (fs->jobs[i].used && fs->jobs[i].key == key) {
            fs->jobs[i].used = false;
            return fs->jobs[i].func;
        }
    }
    return -1;
}

static void job_put(struct s7_flow *fs, uint32_t key, uint8_t func)
{
    if (!fs)
        return;
    (void)job_take(fs, key);
    struct s7_pending_job *j = &fs->jobs[fs->next_job % S7_MAX_PENDING_JOBS];
    fs->next_job = (uint8_t)((fs->next_job + 1) % S7_MAX_PENDING_JOBS);
    j->key = key;
    j->func = func;
    j->used = true;
}

/* One S7comm PDU (a whole COTP TSDU).  Any shortfall inside is a lie of the
 * PDU's own lengths, hence INVALID. */
static enum ot_parse parse_s7(struct cur *s, const struct ot_ctx *ctx, struct s7_flow *fs,
                              struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    int didx = ctx->to_server ? 0 : 1;
    cur_skip(s, 1); /* protocol id */
    uint8_t rosctr = cur_u8(s);
    cur_skip(s, 2); /* redundancy identification */
    uint16_t pdu_ref = cur_be16(s);
    size_t plen = cur_be16(s);
    size_t dlen = cur_be16(s);
    bool has_error = rosctr == S7_ROSCTR_ACK || rosctr == S7_ROSCTR_ACK_DATA;
    uint8_t errcls = has_error ? cur_u8(s) : 0;
    uint8_t errcod = has_error ? cur_u8(s) : 0;
    if (!cur_ok(s))
        return OT_PARSE_INVALID;
    const char *rname = ot_tok_name(s7_rosctr_names, rosctr);
    if (!rname)
        return OT_PARSE_INVALID;
    struct cur p = cur_sub(s, plen);
    struct cur dc = cur_sub(s, dlen);
    if (!cur_ok(s))
        return OT_PARSE_INVALID;
    if (cur_left(s) > 0)
        out->anomaly = "trailing_bytes";

    ot_kv_cstr(d, "protocol", "s7comm");
    ot_kv_u64(d, "rosctr", rosctr);
    ot_kv_cstr(d, "rosctr_name", rname);
    ot_kv_u64(d, "pdu_ref", pdu_ref);
    ot_kv_u64(d, "param_length", plen);
    ot_kv_u64(d, "data_length", dlen);
    if (has_error) {
        ot_kv_u64(d, "error_class", errcls);
        ot_kv_u64(d, "error_code", errcod);
        if (errcls != S7_ERRCLS_NONE || errcod != 0) {
            uint32_t full = (uint32_t)errcls << 8 | errcod;
            const char *en = ot_tok_name(s7_error_code_names, full);
            if (!en)
                en = ot_tok_name(s7_error_class_names, errcls);
            ot_msg_set_exception(out, full, en ? en : "unknown_error_class");
        }
    }

    bool szl_more = false;
    uint32_t job_key = 0;
    int func = -1;
    if (rosctr == S7_ROSCTR_USERDATA) {
        parse_userdata(&p, &dc, pdu_ref, didx, fs, out, &szl_more);
    } else {
        /* the job's sender: the client, except for the jobs a PLC sends
         * during a download (download block, download ended) */
        bool job_from_client = rosctr == S7_ROSCTR_JOB ? ctx->to_server : !ctx->to_server;
        job_key = S7_KEY_JOB | (job_from_client ? 0 : S7_KEY_SERVER_JOB) | pdu_ref;
        out->pair = OT_PAIR_KEYED;
        out->txn_key = job_key;
        out->dir = rosctr == S7_ROSCTR_JOB ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        if (plen > 0)
            func = cur_u8(&p);
        if (func >= 0) {
            const struct ot_func *f = ot_func_find(s7_job_funcs, (uint32_t)func);
            ot_msg_set_function(out, (uint32_t)func, f ? f->name : "unknown",
                                f ? (enum ot_op)f->op : OT_OP_OTHER);
            if (rosctr == S7_ROSCTR_JOB)
                parse_job(&p, &dc, (uint8_t)func, out);
            else if (rosctr == S7_ROSCTR_ACK_DATA && !out->has_exception)
                parse_ack_data(&p, &dc, (uint8_t)func, out);
        }
    }
    if (!cur_ok(&p) || !cur_ok(&dc))
        return OT_PARSE_INVALID;

    /* commit */
    if (fs) {
        if (rosctr == S7_ROSCTR_USERDATA) {
            if (out->function_code == UD(S7_UD_GROUP_CPU, S7_UD_CPU_READ_SZL) &&
                out->dir == OT_DIR_RESPONSE)
                fs->szl_more[didx] = szl_more;
        } else if (rosctr == S7_ROSCTR_JOB && func >= 0) {
            job_put(fs, job_key, (uint8_t)func);
        } else {
            int jf = job_take(fs, job_key);
            if (func < 0 && jf >= 0) {
                const struct ot_func *f = ot_func_find(s7_job_funcs, (uint32_t)jf);
                ot_msg_set_function(out, (uint32_t)jf, f ? f->name : "unknown",
                                    f ? (enum ot_op)f->op : OT_OP_OTHER);
            }
        }
    }
    return OT_PARSE_OK;
}

/* One S7comm-plus frame (a whole COTP TSDU). */
static enum ot_parse parse_s7plus(struct cur *s, const struct ot_ctx *ctx, struct s7_flow *fs,
                                  struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    int didx = ctx->to_server ? 0 : 1;
    cur_skip(s, 1); /* protocol id */
    uint8_t version = cur_u8(s);
    if (!cur_ok(s))
        return OT_PARSE_INVALID;
    const char *vname = ot_tok_name(s7p_version_names, version);
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    out->pair = OT_PAIR_NONE;
    ot_kv_cstr(d, "protocol", "s7comm-plus");
    ot_kv_cstr(d, "version", vname ? vname : "unknown");

    if (version == S7P_KEEP_ALIVE) {
        ot_kv_u64(d, "keep_alive_sequence", cur_u8(s));
        cur_skip(s, 1);
        if (!cur_ok(s))
            return OT_PARSE_INVALID;
        ot_msg_set_function(out, S7P_SYSTEM_BASE | S7P_KEEP_ALIVE, "keep_alive", OT_OP_OTHER);
        return OT_PARSE_OK;
    }
    size_t dlen = cur_be16(s);
    struct cur body = cur_sub(s, dlen);
    if (!cur_ok(s))
        return OT_PARSE_INVALID;
    ot_kv_u64(d, "data_length", dlen);
    if (version == S7P_EXT_KEEP_ALIVE) {
        cur_skip(&body, 4);
        ot_kv_u64(d, "confirmed_bytes", cur_be32(&body));
        cur_skip(&body, 8);
        if (cur_left(&body) > 0) {
            size_t n = cur_left(&body);
            kv_text(d, "message", cur_bytes(&body, n), n);
        }
        ot_msg_set_function(out, S7P_SYSTEM_BASE | S7P_EXT_KEEP_ALIVE, "ext_keep_alive",
                            OT_OP_OTHER);
        return cur_ok(&body) ? OT_PARSE_OK : OT_PARSE_INVALID;
    }

    /* the trailer (72 vv 00 00) closes a frame; without it the data go on in
     * the next TSDU, whose bytes continue this frame's data part */
    bool has_trailer = cur_left(s) >= S7P_TRAILER_LEN && cur_peek_at(s, 0) == S7P_PROTO_ID &&
                       cur_peek_at(s, 1) == version;
    bool continuation = fs && fs->plus_frag[didx];
    if (has_trailer)
        cur_skip(s, S7P_TRAILER_LEN);
    if (cur_left(s) > 0)
        out->anomaly = "trailing_bytes";
    if (continuation) {
        fs->plus_frag[didx] = !has_trailer;
        return OT_PARSE_NONE;
    }

    bool integrity = version == S7P_V3 || (fs && fs->plus_integrity);
    if (version == S7P_V3) {
        /* the integrity part opens the data: digest length(1) and digest */
        size_t dg = cur_u8(&body);
        cur_skip(&body, dg);
        ot_kv_u64(d, "integrity_digest_length", dg);
    }
    uint8_t opcode = cur_u8(&body);
    if (!cur_ok(&body))
        return OT_PARSE_INVALID;
    const char *oname = ot_tok_name(s7p_opcode_names, opcode);
    ot_kv_cstr(d, "opcode", oname ? oname : "unknown");
    if (opcode == S7P_OPCODE_NOTIFICATION) {
        ot_msg_set_function(out, S7P_SYSTEM_BASE | S7P_OPCODE_NOTIFICATION, "notification",
                            OT_OP_OTHER);
        if (cur_left(&body) >= 4)
            ot_kv_u64(d, "subscription_object_id", cur_be32(&body));
        out->dir = OT_DIR_RESPONSE;
    } else if (opcode == S7P_OPCODE_REQUEST || opcode == S7P_OPCODE_RESPONSE ||
               opcode == S7P_OPCODE_RESPONSE2) {
        cur_skip(&body, 2);
        uint16_t fn = cur_be16(&body);
        cur_skip(&body, 2);
        uint16_t seq = cur_be16(&body);
        bool request = opcode == S7P_OPCODE_REQUEST;
        uint32_t session = request ? cur_be32(&body) : 0;
        uint8_t flags = cur_u8(&body);
        if (!cur_ok(&body))
            return OT_PARSE_INVALID;
        uint32_t code = S7P_FUNCTION_BASE | fn;
        const struct ot_func *f = ot_func_find(s7p_funcs, code);
        ot_msg_set_function(out, code, f ? f->name : "unknown",
                            f ? (enum ot_op)f->op : OT_OP_OTHER);
        ot_kv_u64(d, "function_id", fn);
        ot_kv_u64(d, "sequence_number", seq);
        if (request)
            ot_kv_u64(d, "session_id", session);
        ot_kv_u64(d, "transport_flags", flags);
        out->dir = request ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        out->pair = OT_PAIR_KEYED;
        out->txn_key = S7_KEY_PLUS | (uint32_t)(fn & 0x3fff) << 16 | seq;
    } else {
        out->anomaly = "unknown_opcode";
    }
    if (!has_trailer)
        ot_kv_bool(d, "fragmented", true);
    ot_kv_bool(d, "integrity_protected", integrity);

    /* commit */
    if (fs) {
        fs->plus_frag[didx] = !has_trailer;
        if (version == S7P_V3)
            fs->plus_integrity = true;
    }
    return OT_PARSE_OK;
}

/* COTP CR / CC: a record of its own, with the S7 TSAP decoded. */
static enum ot_parse parse_connect(const struct cotp *t, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    bool cr = t->code == COTP_CR;
    ot_msg_set_function(out, S7_COTP_FUNCTION_BASE | t->code,
                        cr ? "cotp_connection_request" : "cotp_connection_confirm", OT_OP_OTHER);
    out->dir = cr ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    out->pair = OT_PAIR_KEYED;
    out->txn_key = S7_KEY_COTP;
    cotp_detail(t, d);
    if (t->dst_tsap_len == 2) {
        struct cur c = cur_init(t->dst_tsap, t->dst_tsap_len);
        uint8_t type = cur_u8(&c);
        uint8_t rs = cur_u8(&c);
        const char *tn = ot_tok_name(s7_connection_types, type);
        if (tn)
            ot_kv_cstr(d, "connection_type", tn);
        ot_kv_u64(d, "rack", rs / S7_TSAP_SLOTS);
        ot_kv_u64(d, "slot", rs % S7_TSAP_SLOTS);
    } else if (t->dst_tsap_len > 2 && printable(t->dst_tsap, t->dst_tsap_len)) {
        /* S7comm-plus names its TSAP: "SIMATIC-ROOT-HMI", "SIMATIC-ROOT-ES" */
        ot_kv_str(d, "dst_tsap_name", t->dst_tsap, t->dst_tsap_len);
    }
    return OT_PARSE_OK;
}

static enum ot_parse s7_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct s7_flow *fs = ctx->flow_state;
    if (cur_left(c) > 0 && cur_peek_u8(c) != 3)
        return OT_PARSE_NOT_MINE; /* not a TPKT */
    /* with the whole TPKT at hand a short COTP header is a lie, not a cut */
    bool whole =
        cur_left(c) >= 4 && cur_left(c) >= (size_t)(cur_peek_at(c, 2) << 8 | cur_peek_at(c, 3));
    struct cotp t;
    if (!cotp_parse(c, &t))
        return c->err == CUR_TRUNC && !whole ? OT_PARSE_TRUNC : OT_PARSE_INVALID;
    out->proto = OT_PROTO_S7COMM;
    int didx = ctx->to_server ? 0 : 1;
    if (t.code == COTP_CR || t.code == COTP_CC) {
        if (fs)
            (void)cotp_reasm_add(&fs->reasm[didx], &t, NULL, 0, &(size_t){0});
        return parse_connect(&t, out);
    }
    size_t n = cur_left(c);
    const uint8_t *data = cur_bytes(c, n);
    size_t tlen = 0;
    const uint8_t *tsdu;
    if (fs) {
        tsdu = cotp_reasm_add(&fs->reasm[didx], &t, data ? data : (const uint8_t *)"", n, &tlen);
        if (fs->reasm[didx].overflow)
            return OT_PARSE_INVALID; /* a TSDU larger than COTP_REASM_MAX */
    } else {
        tsdu = t.code == COTP_DT && t.eot ? data : NULL;
        tlen = n;
    }
    if (!tsdu)
        return OT_PARSE_NONE; /* a fragment kept, or a TPDU without S7 payload */
    if (tlen == 0)
        return OT_PARSE_NONE;
    struct cur s = cur_init(tsdu, tlen);
    if (fs && tsdu == fs->reasm[didx].buf)
        ot_kv_bool(&out->detail, "cotp_reassembled", true);
    uint8_t pid = cur_peek_u8(&s);
    if (pid == S7_PROTO_ID)
        return parse_s7(&s, ctx, fs, out);
    if (pid == S7P_PROTO_ID)
        return parse_s7plus(&s, ctx, fs, out);
    return OT_PARSE_NOT_MINE;
}

/* Judges a whole CR / CC.  S7 calls TSAP 01xx (PG), 02xx (OP) or 03xx (S7
 * basic) with rack/slot in xx, S7comm-plus "SIMATIC-..." TSAPs.  ISO stacks
 * (MMS) mostly use 0001 / 0002, but not always: mms-stopRequest.pcap calls
 * 0200 from 0002.  S7 clients call from 01xx, 02xx, 10xx ..., never from
 * 00xx, so an S7-looking called TSAP with a 00xx (or no) calling TSAP is left
 * to the first DT (NEED_MORE here: "cannot tell from this TPDU"). */
static enum ot_probe probe_connect(const uint8_t *p, size_t plen)
{
    struct cur full = cur_init(p, plen);
    struct cotp t;
    if (!cotp_parse(&full, &t))
        return OT_PROBE_NO;
    struct cur dst = cur_init(t.dst_tsap, t.dst_tsap_len);
    struct cur src = cur_init(t.src_tsap, t.src_tsap_len);
    uint8_t type = cur_u8(&dst);
    uint8_t calling = cur_u8(&src);
    if (t.dst_tsap_len == 2 && type >= S7_TSAP_PG && type <= S7_TSAP_S7_BASIC)
        return t.src_tsap_len > 0 && calling != 0 ? OT_PROBE_YES : OT_PROBE_NEED_MORE;
    static const char simatic[] = "SIMATIC-";
    if (t.dst_tsap_len < sizeof(simatic) - 1)
        return OT_PROBE_NO;
    dst = cur_init(t.dst_tsap, t.dst_tsap_len);
    for (size_t k = 0; k < sizeof(simatic) - 1; k++)
        if ((char)cur_u8(&dst) != simatic[k])
            return OT_PROBE_NO;
    return OT_PROBE_YES;
}

/* Looks for S7 in the first bytes of a flow: a CR/CC with an S7 TSAP, or a
 * DT whose payload starts with 0x32 + a ROSCTR or 0x72 + a version.  ISO
 * session SPDUs and MMS PDUs, and anything not TPKT, are refused. */
static enum ot_probe s7_probe(const uint8_t *p, size_t len, bool to_server)
{
    (void)to_server;
    struct cur c = cur_init(p, len);
    for (size_t n = 0; n < S7_PROBE_MAX_TPDUS; n++) {
        size_t left = cur_left(&c);
        struct cur rc = c;
        const uint8_t *rest = cur_bytes(&rc, left);
        if (left == 0)
            return OT_PROBE_NEED_MORE;
        /* tpkt_pdu_len wants 4 bytes; fewer can still be refused */
        if (cur_peek_at(&c, 0) != 3 || (left >= 2 && cur_peek_at(&c, 1) != 0))
            return OT_PROBE_NO;
        size_t plen = tpkt_pdu_len(rest, left);
        if (plen == 0)
            return OT_PROBE_NEED_MORE;
        if (plen == OT_PDU_NOT_MINE)
            return OT_PROBE_NO;
        if (left < 6)
            return OT_PROBE_NEED_MORE;
        struct cur h = cur_init(rest, left < plen ? left : plen);
        cur_skip(&h, 4);
        size_t li = cur_u8(&h);
        uint8_t code = cur_peek_u8(&h) & 0xf0;
        if (code == COTP_CR || code == COTP_CC) {
            if (left < plen)
                return OT_PROBE_NEED_MORE;
            enum ot_probe r = probe_connect(rest, plen);
            if (r != OT_PROBE_NEED_MORE)
                return r;
            /* an ambiguous TSAP: the first DT decides.  NO rather than
             * NEED_MORE when none follows: the engine attaches a dissector
             * that says NEED_MORE on its port at once, and re-probes the
             * next packets of a flow every dissector of the port refused. */
            cur_skip(&c, plen);
            if (cur_left(&c) == 0)
                return OT_PROBE_NO;
            continue;
        }
        if (code != COTP_DT)
            return OT_PROBE_NO;
        cur_skip(&h, li);
        if (!cur_ok(&h))
            return left < plen ? OT_PROBE_NEED_MORE : OT_PROBE_NO;
        if (cur_left(&h) == 0) {
            if (left < plen)
                return OT_PROBE_NEED_MORE;
            /* an empty DT (a TSDU's first, empty fragment): look at the
             * next TPKT, or refuse for now (as above) */
            cur_skip(&c, plen);
            if (cur_left(&c) == 0)
                return OT_PROBE_NO;
            continue;
        }
        uint8_t pid = cur_u8(&h);
        if (cur_left(&h) == 0)
            return left < plen ? OT_PROBE_NEED_MORE : OT_PROBE_NO;
        uint8_t second = cur_u8(&h);
        if (pid == S7_PROTO_ID)
            return ot_tok_name(s7_rosctr_names, second) ? OT_PROBE_YES : OT_PROBE_NO;
        if (pid == S7P_PROTO_ID)
            return ot_tok_name(s7p_version_names, second) ? OT_PROBE_YES : OT_PROBE_NO;
        return OT_PROBE_NO;
    }
    return OT_PROBE_NO;
}

const struct ot_dissector s7comm_dissector = {
    .name = "s7comm",
    .proto = OT_PROTO_S7COMM,
    .l4 = IPPROTO_TCP,
    .ports = {S7_TCP_PORT, 0},
    .ethertype = 0,
    .probe = s7_probe,
    .pdu_len = tpkt_pdu_len,
    .parse = s7_parse,
    .flow_state_size = sizeof(struct s7_flow),
    .flow_summary = NULL,
    .heuristic = true,
};
