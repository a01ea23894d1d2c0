/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: IEC 60870-5-104 (telecontrol over TCP/IP, port 2404): APCI framing
 * (I, S and U formats), send-sequence tracking per direction, and the
 * IEC 60870-5-101 ASDU: type identification, variable structure qualifier,
 * cause of transmission, common address, information objects with their
 * values, commanded values and select/execute qualifiers. */
/* specification: IEC 60870-5-104:2006 (ed. 2) section 5 (APCI: 5.1 I format,
 * 5.2 S format, 5.3 U format), section 7 (selected ASDUs, field sizes),
 * section 9.6 (k/w and sequence numbers); IEC 60870-5-101:2003 (ed. 2)
 * section 7.2 (ASDU: 7.2.1 type identification, 7.2.2 variable structure
 * qualifier, 7.2.3 cause of transmission, 7.2.4 common address, 7.2.5
 * information object address), 7.2.6 (information elements), 7.3 (ASDU
 * definitions per type). */
/*
 * APDU (IEC 60870-5-104 section 5):
 *   0        1        2        3        4        5        6
 *  +--------+--------+--------+--------+--------+--------+----------------+
 *  |  0x68  | length | ctrl 1 | ctrl 2 | ctrl 3 | ctrl 4 | ASDU (I only)  |
 *  +--------+--------+--------+--------+--------+--------+----------------+
 *  length counts the four control octets and the ASDU: 4..253.
 *
 *  I format: ctrl1 bit0 = 0   N(S) = ctrl1 >> 1 | ctrl2 << 7   (15 bits)
 *                             N(R) = ctrl3 >> 1 | ctrl4 << 7,  ctrl3 bit0 = 0
 *  S format: ctrl1 = 0x01, ctrl2 = 0, N(R) as in I format;     length 4
 *  U format: ctrl1 bits 1..0 = 11, exactly one function bit of
 *              7 TESTFR con, 6 TESTFR act, 5 STOPDT con, 4 STOPDT act,
 *              3 STARTDT con, 2 STARTDT act;  ctrl2..ctrl4 = 0;  length 4
 *
 * ASDU (IEC 60870-5-101 section 7.2, sizes fixed by 104 section 7):
 *  +---------+-------+-----------+-----------+----------------+-----------------+
 *  | type id |  VSQ  |    COT    | originator| common address | information     |
 *  |   (1)   |  (1)  | cause (1) |  addr (1) |  (2, LE)       | objects ...     |
 *  +---------+-------+-----------+-----------+----------------+-----------------+
 *  VSQ: bit7 SQ, bits 6..0 number of objects (SQ=1) or elements (SQ=0)
 *  COT: bit7 T (test), bit6 P/N (negative confirm), bits 5..0 cause
 *  SQ=0: n x [ IOA (3, LE) | element ]        SQ=1: IOA (3, LE) | n x element
 *  (elements at consecutive addresses IOA, IOA+1, ...)
 *  element: information element(s) [quality] [time tag CP24Time2a (3) or
 *           CP56Time2a (7)]
 *
 * function_code of a record: the type id (1..255) for an I-format APDU; for
 * APCI-only APDUs a code outside the type-id byte, so the two can never
 * collide: 0x100 | U function bits (ctrl1 >> 2: 0x101 STARTDT act, 0x102
 * STARTDT con, 0x104 STOPDT act, 0x108 STOPDT con, 0x110 TESTFR act, 0x120
 * TESTFR con -- the low byte is Wireshark's iec60870_104.utype) and 0x200 for
 * an S-format APDU.
 */
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define IEC104_PORT 2404
#define IEC104_START 0x68
#define IEC104_APDU_MIN 4   /* the four control octets */
#define IEC104_APDU_MAX 253 /* 104 section 5: the APDU is at most 255 octets */
#define IEC104_APCI_LEN 6
#define IEC104_ASDU_HDR_LEN 6 /* type, VSQ, COT(2), CA(2) (104 section 7) */
#define IEC104_IOA_LEN 3
#define IEC104_SEQ_MOD 0x8000 /* N(S)/N(R) are 15-bit counters */

/* U-format function bits, as ctrl1 >> 2 (104 section 5.3). */
#define IEC104_U_STARTDT_ACT 0x01
#define IEC104_U_STARTDT_CON 0x02
#define IEC104_U_STOPDT_ACT 0x04
#define IEC104_U_STOPDT_CON 0x08
#define IEC104_U_TESTFR_ACT 0x10
#define IEC104_U_TESTFR_CON 0x20

/* function_code space of APCI-only APDUs (see the header comment). */
#define IEC104_FC_U_BASE 0x100
#define IEC104_FC_S 0x200

/* Type identifications (101 section 7.2.1.1, 104 section 7). */
#define IEC104_M_SP_NA_1 1
#define IEC104_M_SP_TA_1 2
#define IEC104_M_DP_NA_1 3
#define IEC104_M_DP_TA_1 4
#define IEC104_M_ST_NA_1 5
#define IEC104_M_ST_TA_1 6
#define IEC104_M_BO_NA_1 7
#define IEC104_M_BO_TA_1 8
#define IEC104_M_ME_NA_1 9
#define IEC104_M_ME_TA_1 10
#define IEC104_M_ME_NB_1 11
#define IEC104_M_ME_TB_1 12
#define IEC104_M_ME_NC_1 13
#define IEC104_M_ME_TC_1 14
#define IEC104_M_IT_NA_1 15
#define IEC104_M_IT_TA_1 16
#define IEC104_M_EP_TA_1 17
#define IEC104_M_EP_TB_1 18
#define IEC104_M_EP_TC_1 19
#define IEC104_M_PS_NA_1 20
#define IEC104_M_ME_ND_1 21
#define IEC104_M_SP_TB_1 30
#define IEC104_M_DP_TB_1 31
#define IEC104_M_ST_TB_1 32
#define IEC104_M_BO_TB_1 33
#define IEC104_M_ME_TD_1 34
#define IEC104_M_ME_TE_1 35
#define IEC104_M_ME_TF_1 36
#define IEC104_M_IT_TB_1 37
#define IEC104_M_EP_TD_1 38
#define IEC104_M_EP_TE_1 39
#define IEC104_M_EP_TF_1 40
#define IEC104_C_SC_NA_1 45
#define IEC104_C_DC_NA_1 46
#define IEC104_C_RC_NA_1 47
#define IEC104_C_SE_NA_1 48
#define IEC104_C_SE_NB_1 49
#define IEC104_C_SE_NC_1 50
#define IEC104_C_BO_NA_1 51
#define IEC104_C_SC_TA_1 58
#define IEC104_C_DC_TA_1 59
#define IEC104_C_RC_TA_1 60
#define IEC104_C_SE_TA_1 61
#define IEC104_C_SE_TB_1 62
#define IEC104_C_SE_TC_1 63
#define IEC104_C_BO_TA_1 64
#define IEC104_M_EI_NA_1 70
#define IEC104_C_IC_NA_1 100
#define IEC104_C_CI_NA_1 101
#define IEC104_C_RD_NA_1 102
#define IEC104_C_CS_NA_1 103
#define IEC104_C_TS_NA_1 104
#define IEC104_C_RP_NA_1 105
#define IEC104_C_CD_NA_1 106
#define IEC104_C_TS_TA_1 107
#define IEC104_P_ME_NA_1 110
#define IEC104_P_ME_NB_1 111
#define IEC104_P_ME_NC_1 112
#define IEC104_P_AC_NA_1 113
#define IEC104_F_FR_NA_1 120
#define IEC104_F_SR_NA_1 121
#define IEC104_F_SC_NA_1 122
#define IEC104_F_LS_NA_1 123
#define IEC104_F_AF_NA_1 124
#define IEC104_F_SG_NA_1 125
#define IEC104_F_DR_TA_1 126
#define IEC104_F_SC_NB_1 127
#define IEC104_TYPE_LIMIT 128 /* type ids above 127 are private range (101 7.2.1.1) */

/* Causes of transmission (101 section 7.2.3). */
#define IEC104_COT_PER_CYC 1
#define IEC104_COT_BACK 2
#define IEC104_COT_SPONT 3
#define IEC104_COT_INIT 4
#define IEC104_COT_REQ 5
#define IEC104_COT_ACT 6
#define IEC104_COT_ACTCON 7
#define IEC104_COT_DEACT 8
#define IEC104_COT_DEACTCON 9
#define IEC104_COT_ACTTERM 10
#define IEC104_COT_RETREM 11
#define IEC104_COT_RETLOC 12
#define IEC104_COT_FILE 13
#define IEC104_COT_INROGEN 20
#define IEC104_COT_INRO16 36
#define IEC104_COT_REQCOGEN 37
#define IEC104_COT_REQCO4 41
#define IEC104_COT_UNKNOWN_TYPE 44
#define IEC104_COT_UNKNOWN_CAUSE 45
#define IEC104_COT_UNKNOWN_CA 46
#define IEC104_COT_UNKNOWN_IOA 47

#define IEC104_COT_CAUSE_MASK 0x3f
#define IEC104_COT_PN 0x40
#define IEC104_COT_TEST 0x80
#define IEC104_VSQ_SQ 0x80
#define IEC104_VSQ_NUM_MASK 0x7f

/* Command qualifiers (101 sections 7.2.6.4, 7.2.6.16, 7.2.6.17, 7.2.6.39). */
#define IEC104_SE_SELECT 0x80 /* S/E bit of SCO/DCO/RCO/QOS: 1 = select, 0 = execute */
#define IEC104_QOS_QL_MASK 0x7f
#define IEC104_QU_SHIFT 2
#define IEC104_QU_MASK 0x1f
#define IEC104_QUALITY_MASK 0xf0 /* IV NT SB BL of SIQ/DIQ/QDS (OV is bit 0 of QDS) */
#define IEC104_QDS_MASK 0xf1
#define IEC104_CP56_IV 0x80 /* minute octet bit 7: time invalid */
#define IEC104_CP56_SU 0x80 /* hour octet bit 7: summer time */

/* Operation classes by type id. */
static const struct ot_func iec104_types[] = {
    {IEC104_M_SP_NA_1, "M_SP_NA_1", OT_OP_READ},
    {IEC104_M_SP_TA_1, "M_SP_TA_1", OT_OP_READ},
    {IEC104_M_DP_NA_1, "M_DP_NA_1", OT_OP_READ},
    {IEC104_M_DP_TA_1, "M_DP_TA_1", OT_OP_READ},
    {IEC104_M_ST_NA_1, "M_ST_NA_1", OT_OP_READ},
    {IEC104_M_ST_TA_1, "M_ST_TA_1", OT_OP_READ},
    {IEC104_M_BO_NA_1, "M_BO_NA_1", OT_OP_READ},
    {IEC104_M_BO_TA_1, "M_BO_TA_1", OT_OP_READ},
    {IEC104_M_ME_NA_1, "M_ME_NA_1", OT_OP_READ},
    {IEC104_M_ME_TA_1, "M_ME_TA_1", OT_OP_READ},
    {IEC104_M_ME_NB_1, "M_ME_NB_1", OT_OP_READ},
    {IEC104_M_ME_TB_1, "M_ME_TB_1", OT_OP_READ},
    {IEC104_M_ME_NC_1, "M_ME_NC_1", OT_OP_READ},
    {IEC104_M_ME_TC_1, "M_ME_TC_1", OT_OP_READ},
    {IEC104_M_IT_NA_1, "M_IT_NA_1", OT_OP_READ},
    {IEC104_M_IT_TA_1, "M_IT_TA_1", OT_OP_READ},
    {IEC104_M_EP_TA_1, "M_EP_TA_1", OT_OP_READ},
    {IEC104_M_EP_TB_1, "M_EP_TB_1", OT_OP_READ},
    {IEC104_M_EP_TC_1, "M_EP_TC_1", OT_OP_READ},
    {IEC104_M_PS_NA_1, "M_PS_NA_1", OT_OP_READ},
    {IEC104_M_ME_ND_1, "M_ME_ND_1", OT_OP_READ},
    {IEC104_M_SP_TB_1, "M_SP_TB_1", OT_OP_READ},
    {IEC104_M_DP_TB_1, "M_DP_TB_1", OT_OP_READ},
    {IEC104_M_ST_TB_1, "M_ST_TB_1", OT_OP_READ},
    {IEC104_M_BO_TB_1, "M_BO_TB_1", OT_OP_READ},
    {IEC104_M_ME_TD_1, "M_ME_TD_1", OT_OP_READ},
    {IEC104_M_ME_TE_1, "M_ME_TE_1", OT_OP_READ},
    {IEC104_M_ME_TF_1, "M_ME_TF_1", OT_OP_READ},
    {IEC104_M_IT_TB_1, "M_IT_TB_1", OT_OP_READ},
    {IEC104_M_EP_TD_1, "M_EP_TD_1", OT_OP_READ},
    {IEC104_M_EP_TE_1, "M_EP_TE_1", OT_OP_READ},
    {IEC104_M_EP_TF_1, "M_EP_TF_1", OT_OP_READ},
    {IEC104_C_SC_NA_1, "C_SC_NA_1", OT_OP_CONTROL},
    {IEC104_C_DC_NA_1, "C_DC_NA_1", OT_OP_CONTROL},
    {IEC104_C_RC_NA_1, "C_RC_NA_1", OT_OP_CONTROL},
    {IEC104_C_SE_NA_1, "C_SE_NA_1", OT_OP_WRITE},
    {IEC104_C_SE_NB_1, "C_SE_NB_1", OT_OP_WRITE},
    {IEC104_C_SE_NC_1, "C_SE_NC_1", OT_OP_WRITE},
    {IEC104_C_BO_NA_1, "C_BO_NA_1", OT_OP_CONTROL},
    {IEC104_C_SC_TA_1, "C_SC_TA_1", OT_OP_CONTROL},
    {IEC104_C_DC_TA_1, "C_DC_TA_1", OT_OP_CONTROL},
    {IEC104_C_RC_TA_1, "C_RC_TA_1", OT_OP_CONTROL},
    {IEC104_C_SE_TA_1, "C_SE_TA_1", OT_OP_WRITE},
    {IEC104_C_SE_TB_1, "C_SE_TB_1", OT_OP_WRITE},
    {IEC104_C_SE_TC_1, "C_SE_TC_1", OT_OP_WRITE},
    {IEC104_C_BO_TA_1, "C_BO_TA_1", OT_OP_CONTROL},
    {IEC104_M_EI_NA_1, "M_EI_NA_1", OT_OP_OTHER},
    {IEC104_C_IC_NA_1, "C_IC_NA_1", OT_OP_READ},
    {IEC104_C_CI_NA_1, "C_CI_NA_1", OT_OP_READ},
    {IEC104_C_RD_NA_1, "C_RD_NA_1", OT_OP_READ},
    {IEC104_C_CS_NA_1, "C_CS_NA_1", OT_OP_TIME_SYNC},
    {IEC104_C_TS_NA_1, "C_TS_NA_1", OT_OP_DIAGNOSTIC},
    {IEC104_C_RP_NA_1, "C_RP_NA_1", OT_OP_CONTROL},
    {IEC104_C_CD_NA_1, "C_CD_NA_1", OT_OP_TIME_SYNC},
    {IEC104_C_TS_TA_1, "C_TS_TA_1", OT_OP_DIAGNOSTIC},
    {IEC104_P_ME_NA_1, "P_ME_NA_1", OT_OP_WRITE},
    {IEC104_P_ME_NB_1, "P_ME_NB_1", OT_OP_WRITE},
    {IEC104_P_ME_NC_1, "P_ME_NC_1", OT_OP_WRITE},
    {IEC104_P_AC_NA_1, "P_AC_NA_1", OT_OP_WRITE},
    {IEC104_F_FR_NA_1, "F_FR_NA_1", OT_OP_FILE},
    {IEC104_F_SR_NA_1, "F_SR_NA_1", OT_OP_FILE},
    {IEC104_F_SC_NA_1, "F_SC_NA_1", OT_OP_FILE},
    {IEC104_F_LS_NA_1, "F_LS_NA_1", OT_OP_FILE},
    {IEC104_F_AF_NA_1, "F_AF_NA_1", OT_OP_FILE},
    {IEC104_F_SG_NA_1, "F_SG_NA_1", OT_OP_FILE},
    {IEC104_F_DR_TA_1, "F_DR_TA_1", OT_OP_FILE},
    {IEC104_F_SC_NB_1, "F_SC_NB_1", OT_OP_FILE},
    {0, NULL, 0},
};

/* U-format functions, keyed by function_code (0x100 | ctrl1 >> 2). */
static const struct ot_func iec104_u_funcs[] = {
    {IEC104_FC_U_BASE | IEC104_U_STARTDT_ACT, "STARTDT_ACT", OT_OP_OTHER},
    {IEC104_FC_U_BASE | IEC104_U_STARTDT_CON, "STARTDT_CON", OT_OP_OTHER},
    {IEC104_FC_U_BASE | IEC104_U_STOPDT_ACT, "STOPDT_ACT", OT_OP_OTHER},
    {IEC104_FC_U_BASE | IEC104_U_STOPDT_CON, "STOPDT_CON", OT_OP_OTHER},
    {IEC104_FC_U_BASE | IEC104_U_TESTFR_ACT, "TESTFR_ACT", OT_OP_DIAGNOSTIC},
    {IEC104_FC_U_BASE | IEC104_U_TESTFR_CON, "TESTFR_CON", OT_OP_DIAGNOSTIC},
    {0, NULL, 0},
};

/* Causes of transmission (101 section 7.2.3; 14-19, 42-43 reserved, 48-63
 * private range). */
static const struct ot_tok iec104_causes[] = {
    {IEC104_COT_PER_CYC, "per/cyc"},
    {IEC104_COT_BACK, "back"},
    {IEC104_COT_SPONT, "spont"},
    {IEC104_COT_INIT, "init"},
    {IEC104_COT_REQ, "req"},
    {IEC104_COT_ACT, "act"},
    {IEC104_COT_ACTCON, "actcon"},
    {IEC104_COT_DEACT, "deact"},
    {IEC104_COT_DEACTCON, "deactcon"},
    {IEC104_COT_ACTTERM, "actterm"},
    {IEC104_COT_RETREM, "retrem"},
    {IEC104_COT_RETLOC, "retloc"},
    {IEC104_COT_FILE, "file"},
    {IEC104_COT_INROGEN, "inrogen"},
    {21, "inro1"},
    {22, "inro2"},
    {23, "inro3"},
    {24, "inro4"},
    {25, "inro5"},
    {26, "inro6"},
    {27, "inro7"},
    {28, "inro8"},
    {29, "inro9"},
    {30, "inro10"},
    {31, "inro11"},
    {32, "inro12"},
    {33, "inro13"},
    {34, "inro14"},
    {35, "inro15"},
    {IEC104_COT_INRO16, "inro16"},
    {IEC104_COT_REQCOGEN, "reqcogen"},
    {38, "reqco1"},
    {39, "reqco2"},
    {40, "reqco3"},
    {IEC104_COT_REQCO4, "reqco4"},
    {IEC104_COT_UNKNOWN_TYPE, "unknown_type"},
    {IEC104_COT_UNKNOWN_CAUSE, "unknown_cause"},
    {IEC104_COT_UNKNOWN_CA, "unknown_asdu_address"},
    {IEC104_COT_UNKNOWN_IOA, "unknown_ioa"},
    {0, NULL},
};

/* Information element layouts (101 section 7.3): what follows each IOA. */
enum elem {
    EL_UNKNOWN = 0, /* type id without a standard layout */
    EL_SIQ,         /* single-point information with quality */
    EL_DIQ,         /* double-point information with quality */
    EL_VTI_QDS,     /* step position + QDS */
    EL_BSI_QDS,     /* bitstring of 32 bits + QDS */
    EL_NVA_QDS,     /* normalized value + QDS */
    EL_SVA_QDS,     /* scaled value + QDS */
    EL_R32_QDS,     /* short floating point + QDS */
    EL_BCR,         /* binary counter reading */
    EL_SEP,         /* event of protection equipment + CP16Time2a elapsed time */
    EL_SPE_QDP,     /* start events + QDP + CP16Time2a relay duration */
    EL_OCI_QDP,     /* output circuit information + QDP + CP16Time2a operating time */
    EL_SCD_QDS,     /* status and status change detection + QDS */
    EL_NVA,         /* normalized value without quality */
    EL_SCO,         /* single command */
    EL_DCO,         /* double command */
    EL_RCO,         /* regulating step command */
    EL_NVA_QOS,     /* set-point normalized + qualifier of set-point command */
    EL_SVA_QOS,     /* set-point scaled + QOS */
    EL_R32_QOS,     /* set-point short float + QOS */
    EL_BSI,         /* bitstring of 32 bits (command) */
    EL_COI,         /* cause of initialization */
    EL_QOI,         /* qualifier of interrogation */
    EL_QCC,         /* counter interrogation qualifier */
    EL_NONE,        /* no element (read command; clock sync has only its time tag) */
    EL_FBP,         /* fixed test bit pattern */
    EL_QRP,         /* qualifier of reset process */
    EL_CP16,        /* delay acquisition: CP16Time2a */
    EL_TSC,         /* test sequence counter */
    EL_NVA_QPM,     /* parameter normalized + qualifier of parameter of measured values */
    EL_SVA_QPM,     /* parameter scaled + QPM */
    EL_R32_QPM,     /* parameter short float + QPM */
    EL_QPA,         /* qualifier of parameter activation */
    EL_F_FR,        /* file ready: NOF LOF FRQ */
    EL_F_SR,        /* section ready: NOF NOS LOF SRQ */
    EL_F_SC,        /* call/select: NOF NOS SCQ */
    EL_F_LS,        /* last section/segment: NOF NOS LSQ CHS */
    EL_F_AF,        /* ack file/section: NOF NOS AFQ */
    EL_F_SG,        /* segment: NOF NOS LOS, then LOS octets */
    EL_F_DR,        /* directory: NOF LOF SOF (+ CP56Time2a) */
    EL_F_SC_NB,     /* query log: NOF, CP56Time2a start, CP56Time2a stop */
    EL_COUNT,
};

enum time_tag {
    TT_NONE = 0,
    TT_CP24, /* CP24Time2a: ms (2), minutes (1) */
    TT_CP56, /* CP56Time2a: ms (2), min, hour, day, month, year */
};

static const uint8_t elem_size[EL_COUNT] = {
    [EL_SIQ] = 1,     [EL_DIQ] = 1,     [EL_VTI_QDS] = 2, [EL_BSI_QDS] = 5, [EL_NVA_QDS] = 3,
    [EL_SVA_QDS] = 3, [EL_R32_QDS] = 5, [EL_BCR] = 5,     [EL_SEP] = 3,     [EL_SPE_QDP] = 4,
    [EL_OCI_QDP] = 4, [EL_SCD_QDS] = 5, [EL_NVA] = 2,     [EL_SCO] = 1,     [EL_DCO] = 1,
    [EL_RCO] = 1,     [EL_NVA_QOS] = 3, [EL_SVA_QOS] = 3, [EL_R32_QOS] = 5, [EL_BSI] = 4,
    [EL_COI] = 1,     [EL_QOI] = 1,     [EL_QCC] = 1,     [EL_NONE] = 0,    [EL_FBP] = 2,
    [EL_QRP] = 1,     [EL_CP16] = 2,    [EL_TSC] = 2,     [EL_NVA_QPM] = 3, [EL_SVA_QPM] = 3,
    [EL_R32_QPM] = 5, [EL_QPA] = 1,     [EL_F_FR] = 6,    [EL_F_SR] = 7,    [EL_F_SC] = 4,
    [EL_F_LS] = 5,    [EL_F_AF] = 4,    [EL_F_SG] = 4,    [EL_F_DR] = 6,    [EL_F_SC_NB] = 16,
};

static const uint8_t time_size[] = {[TT_NONE] = 0, [TT_CP24] = 3, [TT_CP56] = 7};

/* Layout of each standard type id (101 section 7.3); zero = not standard. */
static const struct {
    uint8_t elem; /* enum elem */
    uint8_t time; /* enum time_tag */
} iec104_layout[IEC104_TYPE_LIMIT] = {
    [IEC104_M_SP_NA_1] = {EL_SIQ, TT_NONE},     [IEC104_M_SP_TA_1] = {EL_SIQ, TT_CP24},
    [IEC104_M_DP_NA_1] = {EL_DIQ, TT_NONE},     [IEC104_M_DP_TA_1] = {EL_DIQ, TT_CP24},
    [IEC104_M_ST_NA_1] = {EL_VTI_QDS, TT_NONE}, [IEC104_M_ST_TA_1] = {EL_VTI_QDS, TT_CP24},
    [IEC104_M_BO_NA_1] = {EL_BSI_QDS, TT_NONE}, [IEC104_M_BO_TA_1] = {EL_BSI_QDS, TT_CP24},
    [IEC104_M_ME_NA_1] = {EL_NVA_QDS, TT_NONE}, [IEC104_M_ME_TA_1] = {EL_NVA_QDS, TT_CP24},
    [IEC104_M_ME_NB_1] = {EL_SVA_QDS, TT_NONE}, [IEC104_M_ME_TB_1] = {EL_SVA_QDS, TT_CP24},
    [IEC104_M_ME_NC_1] = {EL_R32_QDS, TT_NONE}, [IEC104_M_ME_TC_1] = {EL_R32_QDS, TT_CP24},
    [IEC104_M_IT_NA_1] = {EL_BCR, TT_NONE},     [IEC104_M_IT_TA_1] = {EL_BCR, TT_CP24},
    [IEC104_M_EP_TA_1] = {EL_SEP, TT_CP24},     [IEC104_M_EP_TB_1] = {EL_SPE_QDP, TT_CP24},
    [IEC104_M_EP_TC_1] = {EL_OCI_QDP, TT_CP24}, [IEC104_M_PS_NA_1] = {EL_SCD_QDS, TT_NONE},
    [IEC104_M_ME_ND_1] = {EL_NVA, TT_NONE},     [IEC104_M_SP_TB_1] = {EL_SIQ, TT_CP56},
    [IEC104_M_DP_TB_1] = {EL_DIQ, TT_CP56},     [IEC104_M_ST_TB_1] = {EL_VTI_QDS, TT_CP56},
    [IEC104_M_BO_TB_1] = {EL_BSI_QDS, TT_CP56}, [IEC104_M_ME_TD_1] = {EL_NVA_QDS, TT_CP56},
    [IEC104_M_ME_TE_1] = {EL_SVA_QDS, TT_CP56}, [IEC104_M_ME_TF_1] = {EL_R32_QDS, TT_CP56},
    [IEC104_M_IT_TB_1] = {EL_BCR, TT_CP56},     [IEC104_M_EP_TD_1] = {EL_SEP, TT_CP56},
    [IEC104_M_EP_TE_1] = {EL_SPE_QDP, TT_CP56}, [IEC104_M_EP_TF_1] = {EL_OCI_QDP, TT_CP56},
    [IEC104_C_SC_NA_1] = {EL_SCO, TT_NONE},     [IEC104_C_DC_NA_1] = {EL_DCO, TT_NONE},
    [IEC104_C_RC_NA_1] = {EL_RCO, TT_NONE},     [IEC104_C_SE_NA_1] = {EL_NVA_QOS, TT_NONE},
    [IEC104_C_SE_NB_1] = {EL_SVA_QOS, TT_NONE}, [IEC104_C_SE_NC_1] = {EL_R32_QOS, TT_NONE},
    [IEC104_C_BO_NA_1] = {EL_BSI, TT_NONE},     [IEC104_C_SC_TA_1] = {EL_SCO, TT_CP56},
    [IEC104_C_DC_TA_1] = {EL_DCO, TT_CP56},     [IEC104_C_RC_TA_1] = {EL_RCO, TT_CP56},
    [IEC104_C_SE_TA_1] = {EL_NVA_QOS, TT_CP56}, [IEC104_C_SE_TB_1] = {EL_SVA_QOS, TT_CP56},
    [IEC104_C_SE_TC_1] = {EL_R32_QOS, TT_CP56}, [IEC104_C_BO_TA_1] = {EL_BSI, TT_CP56},
    [IEC104_M_EI_NA_1] = {EL_COI, TT_NONE},     [IEC104_C_IC_NA_1] = {EL_QOI, TT_NONE},
    [IEC104_C_CI_NA_1] = {EL_QCC, TT_NONE},     [IEC104_C_RD_NA_1] = {EL_NONE, TT_NONE},
    [IEC104_C_CS_NA_1] = {EL_NONE, TT_CP56},    [IEC104_C_TS_NA_1] = {EL_FBP, TT_NONE},
    [IEC104_C_RP_NA_1] = {EL_QRP, TT_NONE},     [IEC104_C_CD_NA_1] = {EL_CP16, TT_NONE},
    [IEC104_C_TS_TA_1] = {EL_TSC, TT_CP56},     [IEC104_P_ME_NA_1] = {EL_NVA_QPM, TT_NONE},
    [IEC104_P_ME_NB_1] = {EL_SVA_QPM, TT_NONE}, [IEC104_P_ME_NC_1] = {EL_R32_QPM, TT_NONE},
    [IEC104_P_AC_NA_1] = {EL_QPA, TT_NONE},     [IEC104_F_FR_NA_1] = {EL_F_FR, TT_NONE},
    [IEC104_F_SR_NA_1] = {EL_F_SR, TT_NONE},    [IEC104_F_SC_NA_1] = {EL_F_SC, TT_NONE},
    [IEC104_F_LS_NA_1] = {EL_F_LS, TT_NONE},    [IEC104_F_AF_NA_1] = {EL_F_AF, TT_NONE},
    [IEC104_F_SG_NA_1] = {EL_F_SG, TT_NONE},    [IEC104_F_DR_TA_1] = {EL_F_DR, TT_CP56},
    [IEC104_F_SC_NB_1] = {EL_F_SC_NB, TT_NONE},
};

/* Caps. */
/* Information objects written into the detail tape per ASDU: an ASDU holds
 * up to 127 objects (VSQ), each costing up to 8 tape entries; the rest are
 * counted (objects_total) and still feed the address ranges. */
#define IEC104_MAX_DETAIL_OBJECTS 10
/* Octets of an ASDU of unknown layout kept as hex (a 249-octet ASDU would
 * eat an eighth of the string arena for bytes nobody can decode). */
#define IEC104_MAX_RAW 64
/* Frames the probe walks in one payload (it sees a bounded first segment). */
#define IEC104_PROBE_FRAMES 8

#define IEC104_ADDR_SPACE "ioa"
#define IEC104_ADDR_SPACE_ID 1

/* Per-flow state: expected send sequence numbers per direction (index 1 =
 * sent by the flow's client, the controlling station as a rule) and counters
 * for the flow event. */
struct iec104_flow {
    uint16_t next_ns[2];
    bool ns_known[2];
    uint32_t i_frames;
    uint32_t s_frames;
    uint32_t u_frames;
    uint32_t ns_gaps;
};

/* What one information element yields beyond its detail entries. */
struct elem_val {
    bool has_value;
    double value;
    const char *anomaly;
};

static int32_t s16(uint16_t v)
{
    return v >= 0x8000 ? (int32_t)v - 0x10000 : (int32_t)v;
}

static int64_t s32(uint32_t v)
{
    return v >= 0x80000000u ? (int64_t)v - 0x100000000LL : (int64_t)v;
}

/* IEEE 754 single from its bits (C11 6.5.2.3: reading another union member
 * reinterprets the bytes). */
static float f32(uint32_t bits)
{
    union {
        uint32_t u;
        float f;
    } v = {.u = bits};
    return v.f;
}

/* The detail helpers write nothing when d is NULL (objects past the cap). */
static void kv_u(struct ot_detail *d, const char *key, uint64_t v)
{
    if (d)
        ot_kv_u64(d, key, v);
}

static void kv_i(struct ot_detail *d, const char *key, int64_t v)
{
    if (d)
        ot_kv_i64(d, key, v);
}

static void kv_b(struct ot_detail *d, const char *key, bool v)
{
    if (d)
        ot_kv_bool(d, key, v);
}

/* Quality bits are written only when some are set: most objects carry none. */
static void kv_quality(struct ot_detail *d, uint8_t q)
{
    if (q)
        kv_u(d, "quality", q);
}

static size_t put_dec(char *b, size_t o, unsigned v, unsigned width)
{
    for (unsigned i = width; i > 0; i--) {
        b[o + i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + width;
}

/* CP56Time2a (101 section 7.2.6.18) as "YYYY-MM-DDTHH:MM:SS.mmm".  The
 * century is not on the wire: years 0..69 are 20xx, 70..127 are 1900 + y,
 * which also reads the years since 1900 some stacks send (109 = 2009, seen in
 * 090813_diverse.pcap) as Wireshark does.  Other fields are written as they
 * are, even out of range, since a bad time tag is itself evidence. */
static void kv_cp56(struct ot_detail *d, const char *key, struct cur *e)
{
    unsigned ms = cur_le16(e);
    uint8_t min = cur_u8(e);
    uint8_t hour = cur_u8(e);
    uint8_t day = cur_u8(e);
    uint8_t month = cur_u8(e);
    uint8_t year = cur_u8(e);
    if (!d || !cur_ok(e))
        return;
    char b[24];
    unsigned y = year & 0x7f;
    size_t o = put_dec(b, 0, y < 70 ? 2000 + y : 1900 + y, 4);
    b[o++] = '-';
    o = put_dec(b, o, month & 0x0f, 2);
    b[o++] = '-';
    o = put_dec(b, o, day & 0x1f, 2);
    b[o++] = 'T';
    o = put_dec(b, o, hour & 0x1f, 2);
    b[o++] = ':';
    o = put_dec(b, o, min & 0x3f, 2);
    b[o++] = ':';
    o = put_dec(b, o, ms / 1000, 2);
    b[o++] = '.';
    o = put_dec(b, o, ms % 1000, 3);
    ot_kv_str(d, key, b, o);
    if (min & IEC104_CP56_IV)
        ot_kv_bool(d, "time_invalid", true);
    if (hour & IEC104_CP56_SU)
        ot_kv_bool(d, "summer_time", true);
}

/* CP24Time2a (101 section 7.2.6.19): minutes and milliseconds of the hour,
 * written as "MM:SS.mmm". */
static void kv_cp24(struct ot_detail *d, struct cur *e)
{
    unsigned ms = cur_le16(e);
    uint8_t min = cur_u8(e);
    if (!d || !cur_ok(e))
        return;
    char b[12];
    size_t o = put_dec(b, 0, min & 0x3f, 2);
    b[o++] = ':';
    o = put_dec(b, o, ms / 1000, 2);
    b[o++] = '.';
    o = put_dec(b, o, ms % 1000, 3);
    ot_kv_str(d, "time", b, o);
    if (min & IEC104_CP56_IV)
        ot_kv_bool(d, "time_invalid", true);
}

/* A short float value; a NaN or infinity has no JSON number, so it is kept
 * as its bit pattern and flagged. */
static void r32_value(struct ot_detail *d, uint32_t bits, struct elem_val *v)
{
    float f = f32(bits);
    if (!isfinite(f)) {
        kv_u(d, "value_raw", bits);
        v->anomaly = "non_finite_float";
        return;
    }
    if (d)
        ot_kv_dbl(d, "value", f);
    v->has_value = true;
    v->value = f;
}

/* S/E and the qualifier of a command (SCO, DCO, RCO, QOS). */
static void kv_select(struct ot_detail *d, uint8_t q)
{
    if (d)
        ot_kv_cstr(d, "se", (q & IEC104_SE_SELECT) ? "select" : "execute");
}

/* The value of a set-point command or parameter: normalized, scaled or
 * short float. */
static void setpoint_value(struct cur *e, uint8_t el, struct ot_detail *d, struct elem_val *v)
{
    if (el == EL_R32_QOS || el == EL_R32_QPM) {
        r32_value(d, cur_le32(e), v);
        return;
    }
    int32_t w = s16(cur_le16(e));
    v->has_value = true;
    if (el == EL_NVA_QOS || el == EL_NVA_QPM) {
        v->value = w / 32768.0; /* 101 7.2.6.6: F16 fraction */
        if (d)
            ot_kv_dbl(d, "value", v->value);
    } else {
        v->value = w;
        kv_i(d, "value", w);
    }
}

static void kv_nof(struct ot_detail *d, struct cur *e)
{
    kv_u(d, "nof", cur_le16(e));
}

/* Decodes one information element of layout `el` from e, writing its detail
 * entries into d (NULL: past the detail cap, decode only) and its value into
 * v.  e is the element's own sub-cursor, except for EL_F_SG whose segment
 * length is on the wire: it reads from the ASDU cursor. */
static void decode_elem(struct cur *e, uint8_t el, struct ot_detail *d, struct elem_val *v)
{
    uint8_t b, q;
    uint16_t w;
    uint32_t u;

    switch (el) {
    case EL_SIQ:
        b = cur_u8(e);
        kv_u(d, "value", b & 0x01); /* SPI */
        kv_quality(d, b & IEC104_QUALITY_MASK);
        break;
    case EL_DIQ:
        b = cur_u8(e);
        kv_u(d, "value", b & 0x03); /* DPI: 0 indeterminate, 1 off, 2 on, 3 indeterminate */
        kv_quality(d, b & IEC104_QUALITY_MASK);
        break;
    case EL_VTI_QDS:
        b = cur_u8(e);
        q = cur_u8(e);
        kv_i(d, "value", (b & 0x40) ? (int64_t)(b & 0x7f) - 0x80 : (b & 0x7f));
        if (b & 0x80)
            kv_b(d, "transient", true);
        kv_quality(d, q & IEC104_QDS_MASK);
        break;
    case EL_BSI_QDS:
        u = cur_le32(e);
        q = cur_u8(e);
        kv_u(d, "value", u);
        kv_quality(d, q & IEC104_QDS_MASK);
        break;
    case EL_NVA_QDS:
    case EL_NVA:
        w = cur_le16(e);
        q = el == EL_NVA ? 0 : cur_u8(e);
        if (d)
            ot_kv_dbl(d, "value", s16(w) / 32768.0); /* 101 7.2.6.6: F16 fraction */
        kv_quality(d, q & IEC104_QDS_MASK);
        break;
    case EL_SVA_QDS:
        w = cur_le16(e);
        q = cur_u8(e);
        kv_i(d, "value", s16(w));
        kv_quality(d, q & IEC104_QDS_MASK);
        break;
    case EL_R32_QDS:
        u = cur_le32(e);
        q = cur_u8(e);
        r32_value(d, u, v);
        /* monitored values stay in the detail; a NaN there is odd, not hostile */
        v->has_value = false;
        v->anomaly = NULL;
        kv_quality(d, q & IEC104_QDS_MASK);
        break;
    case EL_BCR:
        u = cur_le32(e);
        b = cur_u8(e);
        kv_i(d, "value", s32(u));
        kv_u(d, "seq", b & 0x1f);
        kv_quality(d, b & 0xe0); /* IV CA CY */
        break;
    case EL_SEP:
        b = cur_u8(e);
        w = cur_le16(e);
        kv_u(d, "value", b & 0x03); /* ES: event state */
        kv_quality(d, b & 0xf8);    /* IV NT SB BL EI */
        kv_u(d, "elapsed_ms", w);
        break;
    case EL_SPE_QDP:
    case EL_OCI_QDP:
        b = cur_u8(e);
        q = cur_u8(e);
        w = cur_le16(e);
        kv_u(d, "value", b);
        kv_quality(d, q & 0xf8);
        kv_u(d, el == EL_SPE_QDP ? "duration_ms" : "operating_ms", w);
        break;
    case EL_SCD_QDS:
        u = cur_le32(e);
        q = cur_u8(e);
        kv_u(d, "value", u & 0xffff); /* ST: status bits */
        kv_u(d, "cd", u >> 16);       /* CD: change detection */
        kv_quality(d, q & IEC104_QDS_MASK);
        break;
    case EL_SCO:
    case EL_DCO:
    case EL_RCO:
        b = cur_u8(e);
        v->has_value = true;
        v->value = el == EL_SCO ? (b & 0x01) : (b & 0x03);
        kv_u(d, "value", (uint64_t)v->value);
        kv_select(d, b);
        kv_u(d, "qu", (b >> IEC104_QU_SHIFT) & IEC104_QU_MASK);
        /* DCS and RCS 0 and 3 are "not permitted" (101 7.2.6.16/17) */
        if (el != EL_SCO && ((b & 0x03) == 0 || (b & 0x03) == 3))
            v->anomaly = el == EL_DCO ? "dcs_not_permitted" : "rcs_not_permitted";
        break;
    case EL_NVA_QOS:
    case EL_SVA_QOS:
    case EL_R32_QOS:
    case EL_NVA_QPM:
    case EL_SVA_QPM:
    case EL_R32_QPM:
        setpoint_value(e, el, d, v);
        q = cur_u8(e);
        if (el == EL_NVA_QOS || el == EL_SVA_QOS || el == EL_R32_QOS) {
            kv_select(d, q);
            kv_u(d, "ql", q & IEC104_QOS_QL_MASK);
        } else {
            kv_u(d, "qpm", q); /* KPA bits 0-5, LPC bit 6, POP bit 7 */
        }
        break;
    case EL_BSI:
        u = cur_le32(e);
        v->has_value = true;
        v->value = u;
        kv_u(d, "value", u);
        break;
    case EL_COI:
        b = cur_u8(e);
        kv_u(d, "coi", b & 0x7f); /* 0 power on, 1 local reset, 2 remote reset */
        if (b & 0x80)
            kv_b(d, "local_param_change", true);
        break;
    case EL_QOI:
        kv_u(d, "qoi", cur_u8(e)); /* 20 station, 21..36 group 1..16 */
        break;
    case EL_QCC:
        b = cur_u8(e);
        kv_u(d, "rqt", b & 0x3f);
        kv_u(d, "frz", b >> 6);
        break;
    case EL_FBP:
        kv_u(d, "fbp", cur_le16(e));
        break;
    case EL_QRP:
        kv_u(d, "qrp", cur_u8(e)); /* 1 general reset, 2 reset pending time-tagged info */
        break;
    case EL_CP16:
        kv_u(d, "delay_ms", cur_le16(e));
        break;
    case EL_TSC:
        kv_u(d, "tsc", cur_le16(e));
        break;
    case EL_QPA:
        kv_u(d, "qpa", cur_u8(e));
        break;
    case EL_F_FR:
        kv_nof(d, e);
        kv_u(d, "lof", cur_le24(e));
        kv_u(d, "frq", cur_u8(e));
        break;
    case EL_F_SR:
        kv_nof(d, e);
        kv_u(d, "nos", cur_u8(e));
        kv_u(d, "lof", cur_le24(e));
        kv_u(d, "srq", cur_u8(e));
        break;
    case EL_F_SC:
        kv_nof(d, e);
        kv_u(d, "nos", cur_u8(e));
        kv_u(d, "scq", cur_u8(e));
        break;
    case EL_F_LS:
        kv_nof(d, e);
        kv_u(d, "nos", cur_u8(e));
        kv_u(d, "lsq", cur_u8(e));
        kv_u(d, "chs", cur_u8(e));
        break;
    case EL_F_AF:
        kv_nof(d, e);
        kv_u(d, "nos", cur_u8(e));
        kv_u(d, "afq", cur_u8(e));
        break;
    case EL_F_SG: {
        kv_nof(d, e);
        kv_u(d, "nos", cur_u8(e));
        size_t los = cur_u8(e);
        kv_u(d, "los", los);
        cur_skip(e, los); /* segment bytes: file content, not decoded */
        break;
    }
    case EL_F_DR:
        kv_nof(d, e);
        kv_u(d, "lof", cur_le24(e));
        kv_u(d, "sof", cur_u8(e));
        break;
    case EL_F_SC_NB:
        kv_nof(d, e);
        kv_cp56(d, "range_start", e);
        kv_cp56(d, "range_stop", e);
        break;
    default: /* EL_NONE */
        break;
    }
}

/* FNV-1a over the fields an activation and its confirmation share (the
 * confirmation mirrors type, originator, common address and IOA: 101 7.2.3). */
static uint32_t txn_hash(uint8_t family, uint8_t type, uint8_t oa, uint16_t ca, uint32_t ioa)
{
    const uint8_t k[8] = {family,
                          type,
                          oa,
                          (uint8_t)ca,
                          (uint8_t)(ca >> 8),
                          (uint8_t)ioa,
                          (uint8_t)(ioa >> 8),
                          (uint8_t)(ioa >> 16)};
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof(k); i++) {
        h ^= k[i];
        h *= 16777619u;
    }
    return h;
}

/* Direction and pairing from the cause of transmission (101 section 7.2.3):
 * act/deact come from the controlling station and are answered by
 * actcon/deactcon (or a mirror with cause 44..47); actterm and everything in
 * monitor direction stand alone. */
static void set_direction(struct ot_msg *out, const struct ot_ctx *ctx, uint8_t type,
                          uint8_t cot, uint8_t oa, uint16_t ca, uint32_t ioa)
{
    uint8_t cause = cot & IEC104_COT_CAUSE_MASK;
    bool negative = cot & IEC104_COT_PN;
    uint8_t family = 0; /* 1: act/actcon, 2: deact/deactcon, 3: read/req */

    out->dir = OT_DIR_RESPONSE;
    out->pair = OT_PAIR_NONE;
    switch (cause) {
    case IEC104_COT_ACT:
    case IEC104_COT_DEACT:
        out->dir = OT_DIR_REQUEST;
        family = cause == IEC104_COT_ACT ? 1 : 2;
        /* P/N is significant in confirmations only, else zero (101 7.2.3) */
        if (negative && !out->anomaly)
            out->anomaly = "negative_bit_on_request";
        break;
    case IEC104_COT_ACTCON:
        family = 1;
        if (negative)
            ot_msg_set_exception(out, cause, "negative_confirm");
        break;
    case IEC104_COT_DEACTCON:
        family = 2;
        if (negative)
            ot_msg_set_exception(out, cause, "negative_confirm");
        break;
    case IEC104_COT_UNKNOWN_TYPE:
    case IEC104_COT_UNKNOWN_CAUSE:
    case IEC104_COT_UNKNOWN_CA:
    case IEC104_COT_UNKNOWN_IOA:
        /* the mirror of a refused activation, or of a refused read */
        family = type == IEC104_C_RD_NA_1 ? 3 : 1;
        ot_msg_set_exception(out, cause, ot_tok_name(iec104_causes, cause));
        break;
    case IEC104_COT_REQ:
        /* a read command asks; the monitored data of that object answering
         * it (any type, cause req) is its response (IEC 60870-5-5, read
         * procedure) */
        if (type == IEC104_C_RD_NA_1)
            out->dir = OT_DIR_REQUEST;
        family = 3;
        break;
    case IEC104_COT_FILE:
        /* file transfer runs both ways: the sender decides */
        out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        break;
    default:
        if (!ot_tok_name(iec104_causes, cause))
            out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        break;
    }
    if (family) {
        out->pair = OT_PAIR_KEYED;
        /* a read is answered by another type: the key leaves the type out */
        out->txn_key = txn_hash(family, family == 3 ? 0 : type, oa, ca, ioa);
    }
}

/* Parses the ASDU in a (the rest of an I-format APDU) into out.  Returns
 * OT_PARSE_INVALID when the ASDU is shorter than its header or than its
 * objects need (the APDU length is whole, so the count lies). */
static enum ot_parse parse_asdu(struct cur *a, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    uint8_t type = cur_u8(a);
    uint8_t vsq = cur_u8(a);
    uint8_t cot = cur_u8(a);
    uint8_t oa = cur_u8(a);
    uint16_t ca = cur_le16(a);
    if (!cur_ok(a)) {
        out->anomaly = "short_asdu";
        return OT_PARSE_INVALID;
    }
    bool sq = vsq & IEC104_VSQ_SQ;
    unsigned n = vsq & IEC104_VSQ_NUM_MASK;
    uint8_t cause = cot & IEC104_COT_CAUSE_MASK;

    const struct ot_func *f = ot_func_find(iec104_types, type);
    ot_msg_set_function(out, type, f ? f->name : NULL, f ? (enum ot_op)f->op : OT_OP_OTHER);
    out->has_unit = true;
    out->unit = ca;

    ot_kv_bool(d, "sq", sq);
    ot_kv_u64(d, "numix", n);
    ot_kv_u64(d, "cot", cause);
    const char *cname = ot_tok_name(iec104_causes, cause);
    if (cname)
        ot_kv_cstr(d, "cause", cname);
    ot_kv_bool(d, "negative", cot & IEC104_COT_PN);
    ot_kv_bool(d, "test", cot & IEC104_COT_TEST);
    ot_kv_u64(d, "oa", oa);

    uint8_t el = type < IEC104_TYPE_LIMIT ? iec104_layout[type].elem : EL_UNKNOWN;
    uint32_t first_ioa = 0;

    if (el == EL_UNKNOWN) {
        /* No layout: only the first IOA has a known place. */
        out->anomaly = "unknown_type_id";
        if (n > 0 && cur_left(a) >= IEC104_IOA_LEN) {
            first_ioa = cur_le24(a);
            ot_msg_add_range(out, IEC104_ADDR_SPACE, IEC104_ADDR_SPACE_ID, first_ioa,
                             sq ? n : 1);
        }
        size_t raw = cur_left(a);
        ot_kv_hex(d, "raw", cur_bytes(a, raw < IEC104_MAX_RAW ? raw : IEC104_MAX_RAW),
                  raw < IEC104_MAX_RAW ? raw : IEC104_MAX_RAW);
        set_direction(out, ctx, type, cot, oa, ca, first_ioa);
        return OT_PARSE_OK;
    }

    size_t esize = (size_t)elem_size[el] + time_size[iec104_layout[type].time];
    /* Commanded values are recorded on the activation only; confirmations
     * mirror them. */
    bool commanded = cause == IEC104_COT_ACT && f &&
                     (f->op == OT_OP_CONTROL || f->op == OT_OP_WRITE);
    uint32_t ioa = 0;

    ot_kv_arr(d, "objects");
    for (unsigned i = 0; i < n; i++) {
        if (!sq || i == 0)
            ioa = cur_le24(a);
        else
            ioa = (ioa + 1) & 0xffffff;
        if (i == 0)
            first_ioa = ioa;
        /* F_SG_NA_1 carries its segment length inside the element */
        struct cur e = el == EL_F_SG ? *a : cur_sub(a, esize);
        if (!cur_ok(a) || !cur_ok(&e))
            break;
        struct ot_detail *od = i < IEC104_MAX_DETAIL_OBJECTS ? d : NULL;
        struct elem_val v = {false, 0.0, NULL};
        if (od) {
            ot_kv_obj(od, NULL);
            ot_kv_u64(od, "ioa", ioa);
        }
        decode_elem(&e, el, od, &v);
        if (iec104_layout[type].time == TT_CP56)
            kv_cp56(od, "time", &e);
        else if (iec104_layout[type].time == TT_CP24)
            kv_cp24(od, &e);
        if (od)
            ot_kv_end(od);
        if (el == EL_F_SG) {
            if (!cur_ok(&e)) {
                cur_fail(a, CUR_TRUNC);
                break;
            }
            *a = e;
        }
        if (v.anomaly && !out->anomaly)
            out->anomaly = v.anomaly;
        if (!sq)
            ot_msg_add_range(out, IEC104_ADDR_SPACE, IEC104_ADDR_SPACE_ID, ioa, 1);
        if (commanded && v.has_value)
            ot_msg_add_value(out, IEC104_ADDR_SPACE_ID, ioa, v.value);
    }
    ot_kv_end(d);
    if (!cur_ok(a)) {
        out->anomaly = "asdu_length_mismatch";
        return OT_PARSE_INVALID;
    }
    if (sq && n > 0)
        ot_msg_add_range(out, IEC104_ADDR_SPACE, IEC104_ADDR_SPACE_ID, first_ioa, n);
    if (n > IEC104_MAX_DETAIL_OBJECTS)
        ot_kv_u64(d, "objects_total", n);
    if (cur_left(a) > 0) {
        ot_kv_u64(d, "trailing_bytes", cur_left(a));
        out->anomaly = "asdu_length_mismatch";
    }
    set_direction(out, ctx, type, cot, oa, ca, first_ioa);
    return OT_PARSE_OK;
}

/* True when the control field fits the APDU length (104 sections 5.1-5.3). */
static bool apci_consistent(size_t alen, uint8_t c1, uint8_t c2, uint8_t c3, uint8_t c4)
{
    if ((c1 & 0x01) == 0) /* I format */
        return (c3 & 0x01) == 0;
    if (alen != IEC104_APDU_MIN)
        return false;
    if ((c1 & 0x03) == 0x01) /* S format */
        return c1 == 0x01 && c2 == 0 && (c3 & 0x01) == 0;
    uint8_t fn = c1 >> 2; /* U format: exactly one function */
    return fn != 0 && (fn & (fn - 1)) == 0 && c2 == 0 && c3 == 0 && c4 == 0;
}

static size_t iec104_pdu_len(const uint8_t *p, size_t len)
{
    struct cur c = cur_init(p, len);
    uint8_t start = cur_u8(&c);
    size_t alen = cur_u8(&c);
    if (!cur_ok(&c))
        return start == IEC104_START || len == 0 ? 0 : OT_PDU_NOT_MINE;
    if (start != IEC104_START || alen < IEC104_APDU_MIN || alen > IEC104_APDU_MAX)
        return OT_PDU_NOT_MINE;
    return 2 + alen;
}

/* Walks up to IEC104_PROBE_FRAMES APDUs: each must start with 0x68, have a
 * length of 4..253 and a control field consistent with it; an I format must
 * carry an ASDU of a standard type with a defined cause. */
static enum ot_probe iec104_probe(const uint8_t *p, size_t len, bool to_server)
{
    struct cur c = cur_init(p, len);
    unsigned frames = 0;
    (void)to_server;

    if (len == 0)
        return OT_PROBE_NEED_MORE;
    while (cur_left(&c) > 0 && frames < IEC104_PROBE_FRAMES) {
        if (cur_peek_u8(&c) != IEC104_START)
            return OT_PROBE_NO;
        if (cur_left(&c) < IEC104_APCI_LEN)
            return frames ? OT_PROBE_YES : OT_PROBE_NEED_MORE;
        size_t alen = cur_peek_at(&c, 1);
        uint8_t c1 = cur_peek_at(&c, 2);
        if (alen < IEC104_APDU_MIN || alen > IEC104_APDU_MAX ||
            !apci_consistent(alen, c1, cur_peek_at(&c, 3), cur_peek_at(&c, 4),
                             cur_peek_at(&c, 5)))
            return OT_PROBE_NO;
        if ((c1 & 0x01) == 0) {
            if (alen < IEC104_APDU_MIN + IEC104_ASDU_HDR_LEN)
                return OT_PROBE_NO;
            if (cur_left(&c) < IEC104_APCI_LEN + 3)
                return frames ? OT_PROBE_YES : OT_PROBE_NEED_MORE;
            uint8_t type = cur_peek_at(&c, 6);
            uint8_t cause = cur_peek_at(&c, 8) & IEC104_COT_CAUSE_MASK;
            if (!ot_func_find(iec104_types, type) || cause == 0 ||
                cause > IEC104_COT_UNKNOWN_IOA)
                return OT_PROBE_NO;
        }
        frames++;
        if (2 + alen > cur_left(&c))
            break; /* the rest of this APDU is in a later segment */
        cur_skip(&c, 2 + alen);
    }
    return OT_PROBE_YES;
}

/* Moves the expected send sequence of one direction past an I-format APDU
 * with send sequence ns; returns the signed distance from the expected
 * number (0: in order; negative: a repeat or replay). */
static int track_ns(struct iec104_flow *fs, int dix, unsigned ns)
{
    int gap = 0;
    if (fs->ns_known[dix] && ns != fs->next_ns[dix]) {
        /* signed distance modulo 2^15 */
        gap = (int)((ns - fs->next_ns[dix] + IEC104_SEQ_MOD / 2) % IEC104_SEQ_MOD) -
              IEC104_SEQ_MOD / 2;
        fs->ns_gaps++;
    }
    fs->next_ns[dix] = (uint16_t)((ns + 1) % IEC104_SEQ_MOD);
    fs->ns_known[dix] = true;
    fs->i_frames++;
    return gap;
}

/* An APDU the capture cut (the stream itself has it whole): when its
 * control field is there and consistent, an I format still moves the send
 * sequence, so that the next APDU is not reported as a gap. */
static void track_cut_apdu(struct cur h, size_t alen, const struct ot_ctx *ctx)
{
    struct iec104_flow *fs = ctx->flow_state;
    uint8_t c1 = cur_u8(&h);
    uint8_t c2 = cur_u8(&h);
    uint8_t c3 = cur_u8(&h);
    uint8_t c4 = cur_u8(&h);
    if (!fs || !cur_ok(&h) || !apci_consistent(alen, c1, c2, c3, c4) || (c1 & 0x01) != 0)
        return;
    track_ns(fs, ctx->to_server ? 1 : 0, (unsigned)(c1 >> 1) | (unsigned)c2 << 7);
}

static enum ot_parse iec104_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct iec104_flow *fs = ctx->flow_state;
    struct ot_detail *d = &out->detail;
    uint8_t start = cur_u8(c);
    size_t alen = cur_u8(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    if (start != IEC104_START)
        return OT_PARSE_NOT_MINE;
    if (alen < IEC104_APDU_MIN || alen > IEC104_APDU_MAX) {
        out->anomaly = "invalid_apdu_length";
        return OT_PARSE_INVALID;
    }
    struct cur head = *c;
    struct cur a = cur_sub(c, alen);
    if (!cur_ok(&a)) {
        track_cut_apdu(head, alen, ctx);
        return OT_PARSE_TRUNC;
    }
    uint8_t c1 = cur_u8(&a);
    uint8_t c2 = cur_u8(&a);
    uint8_t c3 = cur_u8(&a);
    uint8_t c4 = cur_u8(&a);
    if (!apci_consistent(alen, c1, c2, c3, c4)) {
        out->anomaly = "invalid_control_field";
        return OT_PARSE_INVALID;
    }
    unsigned nr = (unsigned)(c3 >> 1) | (unsigned)c4 << 7;
    int dix = ctx->to_server ? 1 : 0;

    if ((c1 & 0x03) == 0x03) { /* U format */
        const struct ot_func *f = ot_func_find(iec104_u_funcs, IEC104_FC_U_BASE | c1 >> 2);
        if (!f)
            return OT_PARSE_INVALID; /* apci_consistent admits one of the six bits only */
        ot_msg_set_function(out, f->code, f->name, (enum ot_op)f->op);
        /* act from either end is the request, con its answer */
        out->dir = (f->code & (IEC104_U_STARTDT_ACT | IEC104_U_STOPDT_ACT |
                               IEC104_U_TESTFR_ACT))
                       ? OT_DIR_REQUEST
                       : OT_DIR_RESPONSE;
        ot_kv_cstr(d, "apci_type", "U");
        ot_kv_cstr(d, "utype", f->name);
        if (fs)
            fs->u_frames++;
        return OT_PARSE_OK;
    }
    if ((c1 & 0x03) == 0x01) { /* S format */
        ot_msg_set_function(out, IEC104_FC_S, "S", OT_OP_OTHER);
        out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        ot_kv_cstr(d, "apci_type", "S");
        ot_kv_u64(d, "rx", nr);
        if (fs)
            fs->s_frames++;
        return OT_PARSE_OK;
    }

    /* I format.  The APCI is whole and consistent here, so the send sequence
     * is committed even if the ASDU turns out malformed: the peer counted
     * this frame, and a skipped update would report a false gap next. */
    unsigned ns = (unsigned)(c1 >> 1) | (unsigned)c2 << 7;
    ot_kv_cstr(d, "apci_type", "I");
    ot_kv_u64(d, "tx", ns);
    ot_kv_u64(d, "rx", nr);
    if (fs) {
        int gap = track_ns(fs, dix, ns);
        if (gap != 0) {
            ot_kv_i64(d, "ns_gap", gap);
            out->anomaly = "sequence_gap";
        }
    }
    const char *gap_anomaly = out->anomaly;
    enum ot_parse r = parse_asdu(&a, ctx, out);
    /* a sequence gap outranks what the ASDU found: it is the rarer signal */
    if (gap_anomaly)
        out->anomaly = gap_anomaly;
    return r;
}

static void iec104_flow_summary(const void *flow_state, struct ot_detail *out)
{
    const struct iec104_flow *fs = flow_state;
    ot_kv_u64(out, "i_frames", fs->i_frames);
    ot_kv_u64(out, "s_frames", fs->s_frames);
    ot_kv_u64(out, "u_frames", fs->u_frames);
    ot_kv_u64(out, "ns_gaps", fs->ns_gaps);
}

const struct ot_dissector iec104_dissector = {
    .name = "iec104",
    .proto = OT_PROTO_IEC104,
    .l4 = IPPROTO_TCP,
    .ports = {IEC104_PORT, 0},
    .ethertype = 0,
    .probe = iec104_probe,
    .pdu_len = iec104_pdu_len,
    .parse = iec104_parse,
    .flow_state_size = sizeof(struct iec104_flow),
    .flow_summary = iec104_flow_summary,
    .heuristic = true,
};
