/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: MMS (ISO 9506, the IEC 61850 client/server and ICCP/TASE.2
 * protocol) over ISO-on-TCP port 102: TPKT/COTP with DT reassembly, the ISO
 * session SPDU, the presentation PPDU, ACSE and the MMS PDU; one record per
 * MMS PDU (or per ACSE association/release/abort that carries none). */
/* specification: ISO 9506-2:2003 (MMS protocol) sections 7 (MMSpdu), 10-15,
 * 19-21 (services); ITU-T X.225 (ISO 8327-1) section 8.3 (SPDU structure,
 * SI codes, PGI/PI codes); ITU-T X.226 (ISO 8823-1) section 8.2 (CP, CPA,
 * CPR, ARU, ARP, User-data, PDV-list); ITU-T X.227 (ISO 8650-1) section 9
 * (ACSE APDUs); RFC 1006 and ISO 8073 class 0 (cotp.c). */
/*
 * One TPKT on TCP 102 (the engine frames it with tpkt_pdu_len):
 *  +------+------+--------+-----------------------------------------------+
 *  | TPKT | COTP | DT EOT | TSDU (reassembled over DTs without EOT)       |
 *  +------+------+--------+-----------------------------------------------+
 * TSDU = ISO session SPDU(s):
 *  +-----+-----+------------------+-------------------------------------+
 *  | SI  | LI  | parameters (LI)  | user information (DT only)          |
 *  +-----+-----+------------------+-------------------------------------+
 *   LI = 0xff: a 2-octet length follows.  Data: GIVE-TOKENS (01 00) then
 *   DATA TRANSFER (01 00) then the PPDU.  CONNECT/ACCEPT/FINISH/DISCONNECT/
 *   ABORT carry the PPDU in the User Data parameter (PGI 193 = 0xc1).
 * PPDU (BER):  CP-type / CPA-PPDU  SET { [0] mode, [2] normal-mode { ...,
 *                  user-data } }
 *              user-data = fully-encoded-data [APPLICATION 1] SEQUENCE OF
 *                  PDV-list SEQUENCE { pcid INTEGER, [0] single-ASN1-type }
 * single-ASN1-type holds an ACSE APDU (AARQ [APPLICATION 0] ... ABRT
 *   [APPLICATION 4], whose user-information [30] EXTERNAL wraps the MMS PDU)
 *   or the MMS PDU itself:
 * MMSpdu ::= CHOICE { confirmed-RequestPDU [0], confirmed-ResponsePDU [1],
 *   confirmed-ErrorPDU [2], unconfirmed-PDU [3], rejectPDU [4],
 *   cancel-RequestPDU [5] .. cancel-ErrorPDU [7], initiate-RequestPDU [8] ..
 *   initiate-ErrorPDU [10], conclude-RequestPDU [11] .. conclude-ErrorPDU [13] }
 *
 * function_code: a confirmed service's CHOICE tag (0..77); unconfirmed
 * services 0x100 + tag (informationReport 256); PDUs without a service
 * 0x200 + the MMSpdu request tag (initiate 520, cancel 517, conclude 523,
 * reject 516); ACSE without MMS 0x300 + APDU tag (associate 768, release
 * 770, abort 772).  exception_code: ServiceError errorClass << 8 | code;
 * a DataAccessError in a read/write result 0x1000 + code; a reject
 * 0x2000 + (reason tag << 8 | code).
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ber.h"
#include "cotp.h"
#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "tok.h"

#define MMS_PORT 102

/* Session SPDU identifiers (X.225 section 8.3, table 11). */
#define SES_DT 0x01 /* DATA TRANSFER; also GIVE TOKENS (category 0) */
#define SES_PT 0x02 /* PLEASE TOKENS */
#define SES_EX 0x05
#define SES_NF 0x08
#define SES_FN 0x09
#define SES_DN 0x0a
#define SES_RF 0x0c
#define SES_CN 0x0d
#define SES_AC 0x0e
#define SES_AB 0x19
#define SES_AA 0x1a
#define SES_TD 0x21

/* Session parameter codes (X.225 section 8.3). */
#define SES_PGI_CONNECT_ACCEPT 0x05
#define SES_PI_REASON 0x32
#define SES_PGI_USER_DATA 0xc1          /* 193 */
#define SES_PGI_EXTENDED_USER_DATA 0xc2 /* 194 */
#define SES_LEN_EXTENDED 0xff

/* Presentation (X.226 section 8.2). */
#define PRES_CP_TYPE 0x31  /* CP-type / CPA-PPDU: SET */
#define PRES_NORMAL_MODE 2 /* [2] normal-mode-parameters */
#define PRES_CPR_PROVIDER_REASON 10
#define PRES_FULLY_ENCODED 1  /* [APPLICATION 1] fully-encoded-data */
#define PRES_SIMPLY_ENCODED 0 /* [APPLICATION 0] simply-encoded-data */
#define PRES_SINGLE_ASN1 0    /* PDV-list presentation-data-values [0] */
#define BER_UNIV_INTEGER 2
#define BER_UNIV_BIT_STRING 3
#define BER_UNIV_OID 6
#define BER_UNIV_EXTERNAL 8
#define BER_UNIV_SEQUENCE 16
#define BER_UNIV_SET 17
#define BER_UNIV_VISIBLE_STRING 26
#define BER_UNIV_GRAPHIC_STRING 25

/* ACSE APDUs (X.227 section 9), [APPLICATION n]. */
#define ACSE_AARQ 0
#define ACSE_AARE 1
#define ACSE_RLRQ 2
#define ACSE_RLRE 3
#define ACSE_ABRT 4
#define ACSE_USER_INFORMATION 30
#define ACSE_AUTH_VALUE 12
#define ACSE_MECHANISM 11

/* MMSpdu CHOICE tags (ISO 9506-2 section 7). */
#define MMS_CONFIRMED_REQUEST 0
#define MMS_CONFIRMED_RESPONSE 1
#define MMS_CONFIRMED_ERROR 2
#define MMS_UNCONFIRMED 3
#define MMS_REJECT 4
#define MMS_CANCEL_REQUEST 5
#define MMS_CANCEL_RESPONSE 6
#define MMS_CANCEL_ERROR 7
#define MMS_INITIATE_REQUEST 8
#define MMS_INITIATE_RESPONSE 9
#define MMS_INITIATE_ERROR 10
#define MMS_CONCLUDE_REQUEST 11
#define MMS_CONCLUDE_RESPONSE 12
#define MMS_CONCLUDE_ERROR 13

/* Confirmed services used by name below (ISO 9506-2 section 7.2). */
#define MMS_SVC_STATUS 0
#define MMS_SVC_GET_NAME_LIST 1
#define MMS_SVC_IDENTIFY 2
#define MMS_SVC_READ 4
#define MMS_SVC_WRITE 5
#define MMS_SVC_GET_VARIABLE_ACCESS_ATTRIBUTES 6
#define MMS_SVC_DEFINE_NAMED_VARIABLE_LIST 11
#define MMS_SVC_GET_NAMED_VARIABLE_LIST_ATTRIBUTES 12
#define MMS_SVC_DELETE_NAMED_VARIABLE_LIST 13
#define MMS_SVC_INITIATE_DOWNLOAD_SEQUENCE 26
#define MMS_SVC_DOWNLOAD_SEGMENT 27
#define MMS_SVC_TERMINATE_DOWNLOAD_SEQUENCE 28
#define MMS_SVC_INITIATE_UPLOAD_SEQUENCE 29
#define MMS_SVC_UPLOAD_SEGMENT 30
#define MMS_SVC_TERMINATE_UPLOAD_SEQUENCE 31
#define MMS_SVC_REQUEST_DOMAIN_DOWNLOAD 32
#define MMS_SVC_REQUEST_DOMAIN_UPLOAD 33
#define MMS_SVC_LOAD_DOMAIN_CONTENT 34
#define MMS_SVC_STORE_DOMAIN_CONTENT 35
#define MMS_SVC_DELETE_DOMAIN 36
#define MMS_SVC_GET_DOMAIN_ATTRIBUTES 37
#define MMS_SVC_CREATE_PROGRAM_INVOCATION 38
#define MMS_SVC_DELETE_PROGRAM_INVOCATION 39
#define MMS_SVC_START 40
#define MMS_SVC_KILL 44
#define MMS_SVC_GET_PROGRAM_INVOCATION_ATTRIBUTES 45
#define MMS_SVC_OBTAIN_FILE 46
#define MMS_SVC_FILE_OPEN 72
#define MMS_SVC_FILE_READ 73
#define MMS_SVC_FILE_CLOSE 74
#define MMS_SVC_FILE_RENAME 75
#define MMS_SVC_FILE_DELETE 76
#define MMS_SVC_FILE_DIRECTORY 77
#define MMS_SVC_EXT 79 /* [79] service-ext after the service */

/* Unconfirmed services (ISO 9506-2 section 7.3). */
#define MMS_UNCONF_INFORMATION_REPORT 0

/* ObjectName CHOICE (ISO 9506-2 section 7.5.1). */
#define MMS_OBJ_VMD_SPECIFIC 0
#define MMS_OBJ_DOMAIN_SPECIFIC 1
#define MMS_OBJ_AA_SPECIFIC 2

/* Function codes of PDUs that carry no service (see the header comment). */
#define MMS_FC_UNCONFIRMED_BASE 0x100
#define MMS_FC_PDU_BASE 0x200
#define MMS_FC_ACSE_BASE 0x300
#define MMS_FC_REJECT (MMS_FC_PDU_BASE + MMS_REJECT)
#define MMS_FC_CANCEL (MMS_FC_PDU_BASE + MMS_CANCEL_REQUEST)
#define MMS_FC_INITIATE (MMS_FC_PDU_BASE + MMS_INITIATE_REQUEST)
#define MMS_FC_CONCLUDE (MMS_FC_PDU_BASE + MMS_CONCLUDE_REQUEST)
#define MMS_FC_ASSOCIATE (MMS_FC_ACSE_BASE + ACSE_AARQ)
#define MMS_FC_RELEASE (MMS_FC_ACSE_BASE + ACSE_RLRQ)
#define MMS_FC_ABORT (MMS_FC_ACSE_BASE + ACSE_ABRT)

/* Fixed pairing keys for exchanges that have no invokeID; confirmed
 * services use the invokeID (31 bits) plus a bit for which end asked, since
 * in ICCP both ends send requests on one association. */
#define MMS_KEY_INITIATE 0xfffffff1u
#define MMS_KEY_CONCLUDE 0xfffffff2u
#define MMS_KEY_CANCEL 0xfffffff3u
#define MMS_KEY_RELEASE 0xfffffff4u
#define MMS_KEY_SERVER_ASKED 0x80000000u

#define MMS_EXC_DATA_ACCESS 0x1000
#define MMS_EXC_REJECT 0x2000

static const struct ot_func mms_services[] = {
    {0, "status", OT_OP_READ},
    {1, "getNameList", OT_OP_DISCOVERY},
    {2, "identify", OT_OP_DISCOVERY},
    {3, "rename", OT_OP_WRITE},
    {4, "read", OT_OP_READ},
    {5, "write", OT_OP_WRITE},
    {6, "getVariableAccessAttributes", OT_OP_READ},
    {7, "defineNamedVariable", OT_OP_WRITE},
    {8, "defineScatteredAccess", OT_OP_WRITE},
    {9, "getScatteredAccessAttributes", OT_OP_READ},
    {10, "deleteVariableAccess", OT_OP_WRITE},
    {11, "defineNamedVariableList", OT_OP_WRITE},
    {12, "getNamedVariableListAttributes", OT_OP_READ},
    {13, "deleteNamedVariableList", OT_OP_WRITE},
    {14, "defineNamedType", OT_OP_WRITE},
    {15, "getNamedTypeAttributes", OT_OP_READ},
    {16, "deleteNamedType", OT_OP_WRITE},
    {17, "input", OT_OP_READ},
    {18, "output", OT_OP_WRITE},
    {19, "takeControl", OT_OP_OTHER},
    {20, "relinquishControl", OT_OP_OTHER},
    {21, "defineSemaphore", OT_OP_WRITE},
    {22, "deleteSemaphore", OT_OP_WRITE},
    {23, "reportSemaphoreStatus", OT_OP_READ},
    {24, "reportPoolSemaphoreStatus", OT_OP_READ},
    {25, "reportSemaphoreEntryStatus", OT_OP_READ},
    {26, "initiateDownloadSequence", OT_OP_PROGRAM},
    {27, "downloadSegment", OT_OP_PROGRAM},
    {28, "terminateDownloadSequence", OT_OP_PROGRAM},
    {29, "initiateUploadSequence", OT_OP_PROGRAM},
    {30, "uploadSegment", OT_OP_PROGRAM},
    {31, "terminateUploadSequence", OT_OP_PROGRAM},
    {32, "requestDomainDownload", OT_OP_PROGRAM},
    {33, "requestDomainUpload", OT_OP_PROGRAM},
    {34, "loadDomainContent", OT_OP_PROGRAM},
    {35, "storeDomainContent", OT_OP_PROGRAM},
    {36, "deleteDomain", OT_OP_PROGRAM},
    {37, "getDomainAttributes", OT_OP_READ},
    {38, "createProgramInvocation", OT_OP_PROGRAM},
    {39, "deleteProgramInvocation", OT_OP_PROGRAM},
    {40, "start", OT_OP_CONTROL},
    {41, "stop", OT_OP_CONTROL},
    {42, "resume", OT_OP_CONTROL},
    {43, "reset", OT_OP_CONTROL},
    {44, "kill", OT_OP_CONTROL},
    {45, "getProgramInvocationAttributes", OT_OP_READ},
    {46, "obtainFile", OT_OP_FILE},
    {47, "defineEventCondition", OT_OP_WRITE},
    {48, "deleteEventCondition", OT_OP_WRITE},
    {49, "getEventConditionAttributes", OT_OP_READ},
    {50, "reportEventConditionStatus", OT_OP_READ},
    {51, "alterEventConditionMonitoring", OT_OP_WRITE},
    {52, "triggerEvent", OT_OP_CONTROL},
    {53, "defineEventAction", OT_OP_WRITE},
    {54, "deleteEventAction", OT_OP_WRITE},
    {55, "getEventActionAttributes", OT_OP_READ},
    {56, "reportEventActionStatus", OT_OP_READ},
    {57, "defineEventEnrollment", OT_OP_WRITE},
    {58, "deleteEventEnrollment", OT_OP_WRITE},
    {59, "alterEventEnrollment", OT_OP_WRITE},
    {60, "reportEventEnrollmentStatus", OT_OP_READ},
    {61, "getEventEnrollmentAttributes", OT_OP_READ},
    {62, "acknowledgeEventNotification", OT_OP_OTHER},
    {63, "getAlarmSummary", OT_OP_READ},
    {64, "getAlarmEnrollmentSummary", OT_OP_READ},
    {65, "readJournal", OT_OP_READ},
    {66, "writeJournal", OT_OP_WRITE},
    {67, "initializeJournal", OT_OP_WRITE},
    {68, "reportJournalStatus", OT_OP_READ},
    {69, "createJournal", OT_OP_WRITE},
    {70, "deleteJournal", OT_OP_WRITE},
    {71, "getCapabilityList", OT_OP_DISCOVERY},
    {72, "fileOpen", OT_OP_FILE},
    {73, "fileRead", OT_OP_FILE},
    {74, "fileClose", OT_OP_FILE},
    {75, "fileRename", OT_OP_FILE},
    {76, "fileDelete", OT_OP_FILE},
    {77, "fileDirectory", OT_OP_FILE},
    {MMS_FC_UNCONFIRMED_BASE + 0, "informationReport", OT_OP_READ},
    {MMS_FC_UNCONFIRMED_BASE + 1, "unsolicitedStatus", OT_OP_OTHER},
    {MMS_FC_UNCONFIRMED_BASE + 2, "eventNotification", OT_OP_OTHER},
    {MMS_FC_REJECT, "reject", OT_OP_OTHER},
    {MMS_FC_CANCEL, "cancel", OT_OP_OTHER},
    {MMS_FC_INITIATE, "initiate", OT_OP_OTHER},
    {MMS_FC_CONCLUDE, "conclude", OT_OP_OTHER},
    {MMS_FC_ASSOCIATE, "associate", OT_OP_OTHER},
    {MMS_FC_RELEASE, "release", OT_OP_OTHER},
    {MMS_FC_ABORT, "abort", OT_OP_OTHER},
    {0, NULL, 0},
};

static const struct ot_tok mms_pdu_names[] = {
    {MMS_CONFIRMED_REQUEST, "confirmed-RequestPDU"},
    {MMS_CONFIRMED_RESPONSE, "confirmed-ResponsePDU"},
    {MMS_CONFIRMED_ERROR, "confirmed-ErrorPDU"},
    {MMS_UNCONFIRMED, "unconfirmed-PDU"},
    {MMS_REJECT, "rejectPDU"},
    {MMS_CANCEL_REQUEST, "cancel-RequestPDU"},
    {MMS_CANCEL_RESPONSE, "cancel-ResponsePDU"},
    {MMS_CANCEL_ERROR, "cancel-ErrorPDU"},
    {MMS_INITIATE_REQUEST, "initiate-RequestPDU"},
    {MMS_INITIATE_RESPONSE, "initiate-ResponsePDU"},
    {MMS_INITIATE_ERROR, "initiate-ErrorPDU"},
    {MMS_CONCLUDE_REQUEST, "conclude-RequestPDU"},
    {MMS_CONCLUDE_RESPONSE, "conclude-ResponsePDU"},
    {MMS_CONCLUDE_ERROR, "conclude-ErrorPDU"},
    {0, NULL},
};

static const struct ot_tok ses_spdu_names[] = {
    {SES_DT, "DT"}, {SES_PT, "PT"}, {SES_EX, "EX"}, {SES_NF, "NF"}, {SES_FN, "FN"},
    {SES_DN, "DN"}, {SES_RF, "RF"}, {SES_CN, "CN"}, {SES_AC, "AC"}, {SES_AB, "AB"},
    {SES_AA, "AA"}, {SES_TD, "TD"}, {0, NULL},
};

static const struct ot_tok acse_apdu_names[] = {
    {ACSE_AARQ, "AARQ"}, {ACSE_AARE, "AARE"}, {ACSE_RLRQ, "RLRQ"},
    {ACSE_RLRE, "RLRE"}, {ACSE_ABRT, "ABRT"}, {0, NULL},
};

/* AARE result (X.227 9.1 Associate-result). */
static const struct ot_tok acse_results[] = {
    {0, "accepted"},
    {1, "rejected-permanent"},
    {2, "rejected-transient"},
    {0, NULL},
};

/* ServiceError errorClass alternatives (ISO 9506-2 section 7.4). */
static const struct ot_tok mms_error_classes[] = {
    {0, "vmd-state"},       {1, "application-reference"},
    {2, "definition"},      {3, "resource"},
    {4, "service"},         {5, "service-preempt"},
    {6, "time-resolution"}, {7, "access"},
    {8, "initiate"},        {9, "conclude"},
    {10, "cancel"},         {11, "file"},
    {12, "others"},         {0, NULL},
};

/* DataAccessError (ISO 9506-2 section 14.4.3). */
static const struct ot_tok mms_data_access_errors[] = {
    {0, "object-invalidated"},
    {1, "hardware-fault"},
    {2, "temporarily-unavailable"},
    {3, "object-access-denied"},
    {4, "object-undefined"},
    {5, "invalid-address"},
    {6, "type-unsupported"},
    {7, "type-inconsistent"},
    {8, "object-attribute-inconsistent"},
    {9, "object-access-unsupported"},
    {10, "object-non-existent"},
    {11, "object-value-invalid"},
    {0, NULL},
};

/* RejectPDU rejectReason alternatives (ISO 9506-2 section 7.1.4). */
static const struct ot_tok mms_reject_pdus[] = {
    {1, "confirmed-requestPDU"},
    {2, "confirmed-responsePDU"},
    {3, "confirmed-errorPDU"},
    {4, "unconfirmedPDU"},
    {5, "pdu-error"},
    {6, "cancel-requestPDU"},
    {7, "cancel-responsePDU"},
    {8, "cancel-errorPDU"},
    {9, "conclude-requestPDU"},
    {10, "conclude-responsePDU"},
    {11, "conclude-errorPDU"},
    {0, NULL},
};

/* GetNameList objectClass (ISO 9506-2 section 10.5.1). */
static const struct ot_tok mms_object_classes[] = {
    {0, "namedVariable"}, {1, "scatteredAccess"},    {2, "namedVariableList"},
    {3, "namedType"},     {4, "semaphore"},          {5, "eventCondition"},
    {6, "eventAction"},   {7, "eventEnrollment"},    {8, "journal"},
    {9, "domain"},        {10, "programInvocation"}, {11, "operatorStation"},
    {12, "dataExchange"}, {13, "accessControlList"}, {0, NULL},
};

/* Caps. */
#define MMS_MAX_VARIABLES 16   /* object names listed per PDU: a 1000-name read stays small */
#define MMS_MAX_IDENTIFIERS 16 /* getNameList response names listed */
#define MMS_MAX_DATA_VALUES 8  /* Data values shown per read/write/report */
#define MMS_MAX_NAME 129       /* domain/item text (ObjectReference, IEC 61850-7-2: 129) */
#define MMS_MAX_TEXT 64        /* identity strings, file names, AP titles */
#define MMS_MAX_PDVS 4         /* PDV-list entries walked: one is the norm */
#define MMS_MAX_SES_PARAMS 32  /* session parameters walked per SPDU */
#define MMS_PROBE_MAX_TPDUS 4  /* TPKTs the probe looks through (CR, empty DTs ...) */

struct mms_flow {
    struct cotp_reasm reasm[2]; /* [0] client to server, [1] server to client */
};

/* What the layers under MMS found in one TSDU. */
struct mms_layers {
    uint8_t spdu;
    bool has_user;
    struct cur user; /* the PPDU */
    uint64_t pcid;
    bool has_pcid;
    bool has_acse;
    struct cur acse; /* the ACSE APDU TLV */
    uint32_t acse_apdu;
    bool acse_rejected;
    bool has_mms;
    struct cur mms; /* the MMS PDU TLV */
    bool raw_mms;   /* MMS directly in COTP, no session (seen in mms-stopRequest.pcap) */
    const char *ppdu;
    bool has_reason;
    uint8_t ses_reason; /* REFUSE reason code (PI 50) */
    bool ses_trailing;  /* bytes after a category 1 SPDU */
};

static bool is_mms_pdu_tag(uint8_t b)
{
    /* context class [0]..[13]: constructed, or the primitive NULL/Unsigned32
     * forms of cancel (85, 86) and conclude (8b, 8c) */
    if ((b & 0xe0) == 0xa0)
        return (b & 0x1f) <= MMS_CONCLUDE_ERROR;
    return b == 0x85 || b == 0x86 || b == 0x8b || b == 0x8c;
}

/* X.225 8.2.5: LI is one octet, or 0xff and two octets. */
static size_t ses_len(struct cur *c)
{
    size_t l = cur_u8(c);
    if (l == SES_LEN_EXTENDED)
        l = cur_be16(c);
    return l;
}

/* Walks the parameters of a category 1 SPDU, finding User Data. */
static bool ses_params(struct cur p, struct mms_layers *l)
{
    for (unsigned i = 0; cur_left(&p) > 0; i++) {
        if (i >= MMS_MAX_SES_PARAMS)
            return false;
        uint8_t code = cur_u8(&p);
        size_t len = ses_len(&p);
        struct cur v = cur_sub(&p, len);
        if (!cur_ok(&p))
            return false;
        if (code == SES_PGI_USER_DATA || code == SES_PGI_EXTENDED_USER_DATA) {
            l->user = v;
            l->has_user = len > 0;
        } else if (code == SES_PI_REASON && len > 0) {
            l->has_reason = true;
            l->ses_reason = cur_u8(&v);
        }
    }
    return true;
}

/* Reads the session layer of a TSDU.  Returns false when the bytes are not
 * a session SPDU (or MMS directly). */
static bool ses_parse(struct cur *s, struct mms_layers *l)
{
    uint8_t si = cur_peek_u8(s);
    if (!cur_ok(s) || cur_left(s) == 0)
        return false;
    if (is_mms_pdu_tag(si)) {
        l->raw_mms = true;
        l->spdu = 0;
        l->user = cur_rest(s);
        l->has_user = true;
        return true;
    }
    cur_skip(s, 1);
    size_t li = ses_len(s);
    struct cur params = cur_sub(s, li);
    if (!cur_ok(s))
        return false;
    if (si == SES_DT || si == SES_PT) {
        /* Category 0 (GIVE/PLEASE TOKENS) then category 2 (DATA TRANSFER);
         * a lone DT is tolerated when a PPDU follows directly. */
        uint8_t next = cur_peek_u8(s);
        if (cur_left(s) >= 2 && (next == SES_DT || next == SES_TD || next == SES_EX)) {
            cur_skip(s, 1);
            size_t li2 = ses_len(s);
            cur_skip(s, li2);
            if (!cur_ok(s))
                return false;
            si = next;
        } else if (si == SES_PT) {
            l->spdu = si;
            return true; /* a token request alone */
        }
        l->spdu = si;
        l->user = cur_rest(s);
        l->has_user = cur_left(&l->user) > 0;
        return true;
    }
    if (!ot_tok_name(ses_spdu_names, si))
        return false;
    l->spdu = si;
    if (!ses_params(params, l))
        return false;
    l->ses_trailing = cur_left(s) > 0;
    return true;
}

/* Walks a PDV-list SEQUENCE (X.226 8.2 "PDV-list"), keeping the first
 * ACSE or MMS value found. */
static bool pres_pdv(struct cur pdv, struct mms_layers *l)
{
    struct ber_tlv t;
    while (cur_left(&pdv) > 0) {
        if (!ber_read(&pdv, &t))
            return false;
        if (ber_is(&t, BER_CLASS_UNIVERSAL, false, BER_UNIV_INTEGER)) {
            uint64_t id;
            if (ber_uint(&t, &id) && !l->has_pcid) {
                l->pcid = id;
                l->has_pcid = true;
            }
        } else if (ber_is(&t, BER_CLASS_CONTEXT, true, PRES_SINGLE_ASN1)) {
            uint8_t b = cur_peek_u8(&t.content);
            if ((b & 0xe0) == (BER_CLASS_APPLICATION | 0x20) && !l->has_acse && !l->has_mms) {
                l->has_acse = true;
                l->acse = t.content;
            } else if (is_mms_pdu_tag(b) && !l->has_mms && !l->has_acse) {
                l->has_mms = true;
                l->mms = t.content;
            }
        }
    }
    return true;
}

/* User-data (X.226 8.2): fully-encoded-data, a SEQUENCE OF PDV-list. */
static bool pres_user_data(struct ber_tlv *t, struct mms_layers *l)
{
    if (!ber_is(t, BER_CLASS_APPLICATION, true, PRES_FULLY_ENCODED))
        return ber_is(t, BER_CLASS_APPLICATION, false, PRES_SIMPLY_ENCODED);
    for (unsigned i = 0; cur_left(&t->content) > 0; i++) {
        struct ber_tlv pdv;
        if (i >= MMS_MAX_PDVS || !ber_read(&t->content, &pdv))
            return false;
        if (!ber_is(&pdv, BER_CLASS_UNIVERSAL, true, BER_UNIV_SEQUENCE))
            return false;
        if (!pres_pdv(pdv.content, l))
            return false;
    }
    return true;
}

/* Reads the PPDU in l->user. */
static bool pres_parse(struct mms_layers *l, struct ot_msg *out)
{
    struct cur c = l->user;
    struct ber_tlv t;
    if (!ber_read(&c, &t))
        return false;
    if (ber_is(&t, BER_CLASS_UNIVERSAL, true, BER_UNIV_SET)) {
        /* CP-type (CONNECT) or CPA-PPDU (ACCEPT): SET { [0] mode-selector,
         * [2] normal-mode-parameters SEQUENCE { ..., user-data } } */
        l->ppdu = l->spdu == SES_AC ? "CPA" : "CP";
        while (cur_left(&t.content) > 0) {
            struct ber_tlv m;
            if (!ber_read(&t.content, &m))
                return false;
            if (!ber_is(&m, BER_CLASS_CONTEXT, true, PRES_NORMAL_MODE))
                continue;
            while (cur_left(&m.content) > 0) {
                struct ber_tlv u;
                if (!ber_read(&m.content, &u))
                    return false;
                if (u.cls == BER_CLASS_APPLICATION && !pres_user_data(&u, l))
                    return false;
            }
        }
        return true;
    }
    if (ber_is(&t, BER_CLASS_UNIVERSAL, true, BER_UNIV_SEQUENCE)) {
        /* CPR-PPDU normal mode, or ARP-PPDU: fields then maybe user-data */
        l->ppdu = l->spdu == SES_RF ? "CPR" : "ARP";
        while (cur_left(&t.content) > 0) {
            struct ber_tlv u;
            if (!ber_read(&t.content, &u))
                return false;
            if (ber_is(&u, BER_CLASS_CONTEXT, false, PRES_CPR_PROVIDER_REASON)) {
                uint64_t r;
                if (ber_uint(&u, &r))
                    ot_kv_u64(&out->detail, "presentation_provider_reason", r);
            } else if (u.cls == BER_CLASS_APPLICATION && !pres_user_data(&u, l)) {
                return false;
            }
        }
        return true;
    }
    if (ber_is(&t, BER_CLASS_CONTEXT, true, 0)) {
        /* ARU-PPDU normal-mode-parameters [0] { ..., user-data } */
        l->ppdu = "ARU";
        while (cur_left(&t.content) > 0) {
            struct ber_tlv u;
            if (!ber_read(&t.content, &u))
                return false;
            if (u.cls == BER_CLASS_APPLICATION && !pres_user_data(&u, l))
                return false;
        }
        return true;
    }
    if (t.cls == BER_CLASS_APPLICATION)
        return pres_user_data(&t, l); /* CPC-type / TD: User-data */
    return false;
}

/* Writes an OID (inside an explicit tag) as dotted text. */
static void kv_oid_in(struct ot_detail *d, const char *key, struct ber_tlv *outer)
{
    struct cur c = outer->content;
    struct ber_tlv t;
    char buf[MMS_MAX_TEXT];
    if (!ber_read(&c, &t))
        return;
    if (ber_is(&t, BER_CLASS_UNIVERSAL, false, BER_UNIV_OID)) {
        size_t n = ber_oid_text(&t, buf, sizeof(buf));
        if (n)
            ot_kv_str(d, key, buf, n);
    }
}

static void kv_int_in(struct ot_detail *d, const char *key, struct ber_tlv *outer)
{
    struct cur c = outer->content;
    struct ber_tlv t;
    int64_t v;
    if (ber_read(&c, &t) && ber_is(&t, BER_CLASS_UNIVERSAL, false, BER_UNIV_INTEGER) &&
        ber_int(&t, &v))
        ot_kv_i64(d, key, v);
}

/* EXTERNAL (X.690 8.18) in ACSE user-information: the MMS PDU is the
 * single-ASN1-type [0] encoding. */
static void acse_user_info(struct ber_tlv *ui, struct mms_layers *l)
{
    struct ber_tlv ext, t;
    struct cur c = ui->content;
    if (!ber_read(&c, &ext) || !ber_is(&ext, BER_CLASS_UNIVERSAL, true, BER_UNIV_EXTERNAL))
        return;
    while (cur_left(&ext.content) > 0) {
        if (!ber_read(&ext.content, &t))
            return;
        if (ber_is(&t, BER_CLASS_CONTEXT, true, 0) && is_mms_pdu_tag(cur_peek_u8(&t.content))) {
            l->has_mms = true;
            l->mms = t.content;
            return;
        }
    }
}

/* Parses the ACSE APDU in l->acse; sets l->mms when the APDU carries an
 * MMS PDU in its user-information. */
static bool acse_parse(struct mms_layers *l, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    struct cur c = l->acse;
    struct ber_tlv apdu;
    if (!ber_read(&c, &apdu) || apdu.cls != BER_CLASS_APPLICATION || !apdu.constructed)
        return false;
    const char *name = ot_tok_name(acse_apdu_names, apdu.tag);
    if (!name)
        return false;
    l->acse_apdu = apdu.tag;
    ot_kv_obj(d, "acse");
    ot_kv_cstr(d, "apdu", name);
    bool ok = true;
    while (cur_left(&apdu.content) > 0) {
        struct ber_tlv t;
        if (!ber_read(&apdu.content, &t)) {
            ok = false;
            break;
        }
        if (t.cls != BER_CLASS_CONTEXT)
            continue;
        if (t.tag == ACSE_USER_INFORMATION && t.constructed) {
            acse_user_info(&t, l);
            continue;
        }
        switch (apdu.tag) {
            case ACSE_AARQ:
                /* [1] application-context-name, [2]/[3] called AP title / AE
                 * qualifier, [6]/[7] calling; [11] mechanism, [12] auth value */
                if (t.tag == 1 && t.constructed)
                    kv_oid_in(d, "application_context", &t);
                else if (t.tag == 2 && t.constructed)
                    kv_oid_in(d, "called_ap_title", &t);
                else if (t.tag == 3 && t.constructed)
                    kv_int_in(d, "called_ae_qualifier", &t);
                else if (t.tag == 6 && t.constructed)
                    kv_oid_in(d, "calling_ap_title", &t);
                else if (t.tag == 7 && t.constructed)
                    kv_int_in(d, "calling_ae_qualifier", &t);
                else if (t.tag == ACSE_MECHANISM && !t.constructed) {
                    char buf[MMS_MAX_TEXT];
                    size_t n = ber_oid_text(&t, buf, sizeof(buf));
                    if (n)
                        ot_kv_str(d, "authentication_mechanism", buf, n);
                } else if (t.tag == ACSE_AUTH_VALUE && t.constructed) {
                    /* Authentication-value: [0] charstring (a password), [1]
                     * bitstring, [2] external, [3] other.  Never the value. */
                    static const char *const kinds[] = {"password", "bitstring", "external",
                                                        "other"};
                    struct ber_tlv v;
                    struct cur vc = t.content;
                    if (ber_read(&vc, &v) && v.tag < 4)
                        ot_kv_cstr(d, "authentication", kinds[v.tag]);
                }
                break;
            case ACSE_AARE:
                /* [1] application-context-name, [2] result, [3] diagnostic,
                 * [4]/[5] responding AP title / AE qualifier */
                if (t.tag == 1 && t.constructed) {
                    kv_oid_in(d, "application_context", &t);
                } else if (t.tag == 2 && t.constructed) {
                    struct cur rc = t.content;
                    struct ber_tlv r;
                    int64_t v;
                    if (ber_read(&rc, &r) && ber_int(&r, &v)) {
                        const char *rn = ot_tok_name(acse_results, (uint32_t)v);
                        ot_kv_i64(d, "result", v);
                        if (rn)
                            ot_kv_cstr(d, "result_name", rn);
                        l->acse_rejected = v != 0;
                    }
                } else if (t.tag == 3 && t.constructed) {
                    struct cur dc = t.content;
                    struct ber_tlv src;
                    if (ber_read(&dc, &src) && src.constructed) {
                        ot_kv_cstr(d, "diagnostic_source",
                                   src.tag == 1 ? "acse-service-user" : "acse-service-provider");
                        kv_int_in(d, "diagnostic", &src);
                    }
                } else if (t.tag == 4 && t.constructed) {
                    kv_oid_in(d, "responding_ap_title", &t);
                } else if (t.tag == 5 && t.constructed) {
                    kv_int_in(d, "responding_ae_qualifier", &t);
                }
                break;
            default: {
                /* RLRQ/RLRE reason [0], ABRT abort-source [0] */
                int64_t v;
                if (t.tag == 0 && !t.constructed && ber_int(&t, &v))
                    ot_kv_i64(d, apdu.tag == ACSE_ABRT ? "abort_source" : "reason", v);
                break;
            }
        }
    }
    ot_kv_end(d);
    return ok;
}

/* Formats an ObjectName (ISO 9506-2 7.5.1) TLV as "item" (vmd- or
 * aa-specific) or "domain/item"; returns the length, 0 when malformed. */
static size_t object_name_text(struct ber_tlv *t, char *buf, size_t cap)
{
    struct cur c = t->content;
    size_t n = 0, k;
    if (t->cls != BER_CLASS_CONTEXT)
        return 0;
    if ((t->tag == MMS_OBJ_VMD_SPECIFIC || t->tag == MMS_OBJ_AA_SPECIFIC) && !t->constructed) {
        k = cur_left(&c) < cap - 1 ? cur_left(&c) : cap - 1;
        cur_copy(&c, buf, k);
        n = k;
    } else if (t->tag == MMS_OBJ_DOMAIN_SPECIFIC && t->constructed) {
        struct ber_tlv dom, item;
        if (!ber_read(&c, &dom) || !ber_read(&c, &item) || dom.constructed || item.constructed)
            return 0;
        k = cur_left(&dom.content) < cap - 2 ? cur_left(&dom.content) : cap - 2;
        cur_copy(&dom.content, buf, k);
        n = k;
        buf[n++] = '/';
        k = cur_left(&item.content) < cap - 1 - n ? cur_left(&item.content) : cap - 1 - n;
        cur_copy(&item.content, buf + n, k);
        n += k;
    } else {
        return 0;
    }
    buf[n] = '\0';
    return n;
}

/* Adds one ObjectName to the open `variables` array, within the cap. */
static bool add_object_name(struct ot_detail *d, struct ber_tlv *t, unsigned *count)
{
    char buf[MMS_MAX_NAME + 1];
    size_t n = object_name_text(t, buf, sizeof(buf));
    if (n == 0)
        return false;
    if ((*count)++ < MMS_MAX_VARIABLES)
        ot_kv_str(d, NULL, buf, n);
    return true;
}

/* Reads an explicit wrapper holding one ObjectName. */
static bool add_wrapped_name(struct ot_detail *d, struct ber_tlv *outer, unsigned *count)
{
    struct cur c = outer->content;
    struct ber_tlv t;
    if (!ber_read(&c, &t))
        return false;
    return add_object_name(d, &t, count);
}

/* A SEQUENCE OF SEQUENCE { variableSpecification, alternateAccess [5] }
 * (listOfVariable); names go to the open array. */
static bool list_of_variable(struct ot_detail *d, struct cur c, unsigned *count)
{
    while (cur_left(&c) > 0) {
        struct ber_tlv item, spec;
        if (!ber_read(&c, &item) || !ber_is(&item, BER_CLASS_UNIVERSAL, true, BER_UNIV_SEQUENCE))
            return false;
        if (!ber_read(&item.content, &spec))
            return false;
        /* VariableSpecification: name [0] ObjectName; address [1] and the
         * others carry no name */
        if (ber_is(&spec, BER_CLASS_CONTEXT, true, 0)) {
            if (!add_wrapped_name(d, &spec, count))
                return false;
        } else {
            (*count)++;
        }
    }
    return cur_ok(&c);
}

/* VariableAccessSpecification CHOICE (ISO 9506-2 14.3): listOfVariable
 * [0] or variableListName [1]; writes the `variables` array. */
static bool vas_parse(struct ot_msg *out, struct ber_tlv *t)
{
    struct ot_detail *d = &out->detail;
    unsigned count = 0;
    bool ok;
    if (t->cls != BER_CLASS_CONTEXT || !t->constructed)
        return false;
    ot_kv_arr(d, "variables");
    if (t->tag == 0)
        ok = list_of_variable(d, t->content, &count);
    else if (t->tag == 1)
        ok = add_wrapped_name(d, t, &count);
    else
        ok = false;
    ot_kv_end(d);
    if (t->tag == 1)
        ot_kv_bool(d, "variable_list", true);
    ot_kv_u64(d, "variable_count", count);
    return ok;
}

static void set_data_access_error(struct ot_msg *out, int64_t code)
{
    if (code < 0 || out->has_exception)
        return;
    ot_msg_set_exception(out, MMS_EXC_DATA_ACCESS + (uint32_t)(code & 0xfff),
                         ot_tok_name(mms_data_access_errors, (uint32_t)code));
}

/* A SEQUENCE OF Data / AccessResult into `data`, with the counters. */
static bool data_list(struct ot_msg *out, struct cur c, bool access_results)
{
    struct ber_data_out r;
    if (!ber_data_list(c, &out->detail, "data", MMS_MAX_DATA_VALUES, access_results, &r))
        return false;
    ot_kv_u64(&out->detail, "data_count", r.count);
    if (r.cut)
        ot_kv_bool(&out->detail, "data_truncated", true);
    if (access_results)
        set_data_access_error(out, r.first_failure);
    return true;
}

/* FileName ::= SEQUENCE OF GraphicString (ISO 9506-2 19.1): components
 * joined with '/'. */
static void kv_file_name(struct ot_detail *d, const char *key, struct cur c)
{
    char buf[MMS_MAX_TEXT];
    size_t n = 0;
    while (cur_left(&c) > 0) {
        struct ber_tlv t;
        if (!ber_read(&c, &t) || t.constructed)
            return;
        if (n > 0 && n < sizeof(buf) - 1)
            buf[n++] = '/';
        size_t k = cur_left(&t.content);
        if (k > sizeof(buf) - 1 - n)
            k = sizeof(buf) - 1 - n;
        cur_copy(&t.content, buf + n, k);
        n += k;
    }
    ot_kv_str(d, key, buf, n);
}

/* The names a domain, program or file service request carries. */
static void svc_names(struct ot_detail *d, uint32_t svc, struct ber_tlv *s)
{
    bool program = svc == MMS_SVC_CREATE_PROGRAM_INVOCATION ||
                   svc == MMS_SVC_DELETE_PROGRAM_INVOCATION ||
                   svc == MMS_SVC_GET_PROGRAM_INVOCATION_ATTRIBUTES ||
                   (svc >= MMS_SVC_START && svc <= MMS_SVC_KILL);
    const char *id_key = program ? "program_invocation" : "domain_id";
    if (!s->constructed) {
        /* [n] IMPLICIT Identifier or Integer32 */
        switch (svc) {
            case MMS_SVC_DOWNLOAD_SEGMENT:
            case MMS_SVC_INITIATE_UPLOAD_SEQUENCE:
            case MMS_SVC_DELETE_DOMAIN:
            case MMS_SVC_GET_DOMAIN_ATTRIBUTES:
            case MMS_SVC_DELETE_PROGRAM_INVOCATION:
            case MMS_SVC_GET_PROGRAM_INVOCATION_ATTRIBUTES:
                ber_kv_str(d, id_key, s, MMS_MAX_TEXT);
                break;
            case MMS_SVC_UPLOAD_SEGMENT:
            case MMS_SVC_TERMINATE_UPLOAD_SEQUENCE: {
                uint64_t v;
                if (ber_uint(s, &v))
                    ot_kv_u64(d, "ulsm_id", v);
                break;
            }
            case MMS_SVC_FILE_READ:
            case MMS_SVC_FILE_CLOSE: {
                uint64_t v;
                if (ber_uint(s, &v))
                    ot_kv_u64(d, "frsm_id", v);
                break;
            }
            default: break;
        }
        return;
    }
    if (svc == MMS_SVC_FILE_DELETE) {
        kv_file_name(d, "file_name", s->content);
        return;
    }
    struct cur c = s->content;
    while (cur_left(&c) > 0) {
        struct ber_tlv t;
        if (!ber_read(&c, &t) || t.cls != BER_CLASS_CONTEXT)
            return;
        switch (svc) {
            case MMS_SVC_FILE_OPEN:
            case MMS_SVC_FILE_DIRECTORY:
                if (t.tag == 0 && t.constructed)
                    kv_file_name(d, "file_name", t.content);
                break;
            case MMS_SVC_FILE_RENAME:
                if (t.constructed)
                    kv_file_name(d, t.tag == 0 ? "file_name" : "new_file_name", t.content);
                break;
            case MMS_SVC_OBTAIN_FILE:
                if (t.tag == 1 && t.constructed)
                    kv_file_name(d, "source_file", t.content);
                else if (t.tag == 2 && t.constructed)
                    kv_file_name(d, "file_name", t.content);
                break;
            default:
                /* domainName / programInvocationName [0] of the domain
                 * and program services (26..45; elsewhere [0] is another
                 * thing, an ObjectName's vmd-specific alternative ...);
                 * fileName [4] in requestDomainDownload and
                 * loadDomainContent, [1] in requestDomainUpload and
                 * storeDomainContent */
                if (t.tag == 0 && !t.constructed && svc >= MMS_SVC_INITIATE_DOWNLOAD_SEQUENCE &&
                    svc <= MMS_SVC_GET_PROGRAM_INVOCATION_ATTRIBUTES) {
                    ber_kv_str(d, id_key, &t, MMS_MAX_TEXT);
                } else if (t.constructed &&
                           ((t.tag == 4 && (svc == MMS_SVC_REQUEST_DOMAIN_DOWNLOAD ||
                                            svc == MMS_SVC_LOAD_DOMAIN_CONTENT)) ||
                            (t.tag == 1 && (svc == MMS_SVC_REQUEST_DOMAIN_UPLOAD ||
                                            svc == MMS_SVC_STORE_DOMAIN_CONTENT)))) {
                    kv_file_name(d, "file_name", t.content);
                }
                break;
        }
    }
}

/* GetNameList-Request (ISO 9506-2 10.5.1). */
static bool get_name_list_req(struct ot_detail *d, struct cur c)
{
    while (cur_left(&c) > 0) {
        struct ber_tlv t, in;
        if (!ber_read(&c, &t) || t.cls != BER_CLASS_CONTEXT)
            return false;
        if (t.tag == 2 && !t.constructed) {
            ber_kv_str(d, "continue_after", &t, MMS_MAX_TEXT);
            continue;
        }
        if (!t.constructed || !ber_read(&t.content, &in))
            return false;
        if (t.tag == 0 && in.tag == 0 && !in.constructed) {
            uint64_t v;
            if (ber_uint(&in, &v)) {
                const char *n = ot_tok_name(mms_object_classes, (uint32_t)v);
                if (n)
                    ot_kv_cstr(d, "object_class", n);
                else
                    ot_kv_u64(d, "object_class_code", v);
            }
        } else if (t.tag == 1) {
            static const char *const scopes[] = {"vmd", "domain", "aa"};
            if (in.tag < 3)
                ot_kv_cstr(d, "object_scope", scopes[in.tag]);
            if (in.tag == 1 && !in.constructed)
                ber_kv_str(d, "domain_id", &in, MMS_MAX_TEXT);
        }
    }
    return true;
}

/* The detail of a confirmed service request. */
static bool svc_request(struct ot_msg *out, uint32_t svc, struct ber_tlv *s)
{
    struct ot_detail *d = &out->detail;
    struct cur c = s->content;
    struct ber_tlv t;
    unsigned count = 0;
    switch (svc) {
        case MMS_SVC_READ: {
            /* SEQUENCE { specificationWithResult [0] DEFAULT FALSE,
             * variableAccessSpecification [1] } */
            bool vas = false;
            while (cur_left(&c) > 0) {
                if (!ber_read(&c, &t))
                    return false;
                if (ber_is(&t, BER_CLASS_CONTEXT, true, 1)) {
                    struct ber_tlv v;
                    if (!ber_read(&t.content, &v) || !vas_parse(out, &v))
                        return false;
                    vas = true;
                }
            }
            return vas; /* what is read is not optional */
        }
        case MMS_SVC_WRITE:
            /* SEQUENCE { variableAccessSpecification, listOfData [0] } */
            if (!ber_read(&c, &t) || !vas_parse(out, &t))
                return false;
            if (!ber_read(&c, &t) || !ber_is(&t, BER_CLASS_CONTEXT, true, 0))
                return false;
            return data_list(out, t.content, false);
        case MMS_SVC_GET_VARIABLE_ACCESS_ATTRIBUTES:
        case MMS_SVC_GET_NAMED_VARIABLE_LIST_ATTRIBUTES:
            /* CHOICE { name [0] ObjectName, address [1] } / ObjectName */
            if (!ber_read(&c, &t))
                return false;
            ot_kv_arr(d, "variables");
            bool ok;
            if (svc == MMS_SVC_GET_VARIABLE_ACCESS_ATTRIBUTES)
                ok = t.tag != 0 || add_wrapped_name(d, &t, &count);
            else
                ok = add_object_name(d, &t, &count);
            ot_kv_end(d);
            return ok;
        case MMS_SVC_DEFINE_NAMED_VARIABLE_LIST:
            /* SEQUENCE { variableListName ObjectName, listOfVariable [0] } */
            if (!ber_read(&c, &t))
                return false;
            {
                char buf[MMS_MAX_NAME + 1];
                size_t n = object_name_text(&t, buf, sizeof(buf));
                if (n == 0)
                    return false;
                ot_kv_str(d, "variable_list_name", buf, n);
            }
            if (!ber_read(&c, &t) || !ber_is(&t, BER_CLASS_CONTEXT, true, 0))
                return false;
            ot_kv_arr(d, "variables");
            ok = list_of_variable(d, t.content, &count);
            ot_kv_end(d);
            ot_kv_u64(d, "variable_count", count);
            return ok;
        case MMS_SVC_DELETE_NAMED_VARIABLE_LIST:
            /* SEQUENCE { scopeOfDelete [0], listOfVariableListName [1], domainName [2] } */
            ok = true;
            while (cur_left(&c) > 0 && ok) {
                if (!ber_read(&c, &t))
                    return false;
                if (ber_is(&t, BER_CLASS_CONTEXT, true, 1)) {
                    ot_kv_arr(d, "variables");
                    while (cur_left(&t.content) > 0 && ok) {
                        struct ber_tlv name;
                        ok = ber_read(&t.content, &name) && add_object_name(d, &name, &count);
                    }
                    ot_kv_end(d);
                } else if (ber_is(&t, BER_CLASS_CONTEXT, false, 2)) {
                    ber_kv_str(d, "domain_id", &t, MMS_MAX_TEXT);
                }
            }
            return ok;
        case MMS_SVC_GET_NAME_LIST: return get_name_list_req(d, c);
        default: svc_names(d, svc, s); return true;
    }
}

/* The detail of a confirmed service response. */
static bool svc_response(struct ot_msg *out, const struct ot_ctx *ctx, uint32_t svc,
                         struct ber_tlv *s)
{
    struct ot_detail *d = &out->detail;
    struct cur c = s->content;
    struct ber_tlv t;
    switch (svc) {
        case MMS_SVC_READ:
            /* SEQUENCE { variableAccessSpecification [0] OPTIONAL,
             * listOfAccessResult [1] } */
            while (cur_left(&c) > 0) {
                if (!ber_read(&c, &t))
                    return false;
                if (ber_is(&t, BER_CLASS_CONTEXT, true, 0)) {
                    struct ber_tlv v;
                    if (!ber_read(&t.content, &v) || !vas_parse(out, &v))
                        return false;
                } else if (ber_is(&t, BER_CLASS_CONTEXT, true, 1)) {
                    if (!data_list(out, t.content, true))
                        return false;
                }
            }
            return true;
        case MMS_SVC_WRITE: {
            /* SEQUENCE OF CHOICE { failure [0] DataAccessError, success [1] NULL } */
            uint64_t ok = 0, failed = 0;
            while (cur_left(&c) > 0) {
                if (!ber_read(&c, &t) || t.cls != BER_CLASS_CONTEXT || t.constructed)
                    return false;
                if (t.tag == 0) {
                    int64_t code;
                    failed++;
                    if (ber_int(&t, &code))
                        set_data_access_error(out, code);
                } else {
                    ok++;
                }
            }
            ot_kv_u64(d, "success_count", ok);
            ot_kv_u64(d, "failure_count", failed);
            return true;
        }
        case MMS_SVC_IDENTIFY: {
            /* SEQUENCE { vendorName [0], modelName [1], revision [2], ... } */
            static const char *const keys[] = {"vendor_name", "model_name", "revision"};
            while (cur_left(&c) > 0) {
                if (!ber_read(&c, &t))
                    return false;
                if (t.cls != BER_CLASS_CONTEXT || t.constructed || t.tag > 2)
                    continue;
                struct cur v = t.content;
                size_t n = cur_left(&v);
                const uint8_t *p = cur_bytes(&v, n);
                char *dst = t.tag == 0   ? out->identity.vendor
                            : t.tag == 1 ? out->identity.model
                                         : out->identity.firmware;
                ot_ident_set(dst, p, p ? n : 0);
                ber_kv_str(d, keys[t.tag], &t, MMS_MAX_TEXT);
                out->identity.present = true;
            }
            /* the identified end is the one answering */
            out->identity.from_server = !ctx->to_server;
            return true;
        }
        case MMS_SVC_GET_NAME_LIST: {
            /* SEQUENCE { listOfIdentifier [0], moreFollows [1] DEFAULT TRUE } */
            uint64_t n = 0;
            while (cur_left(&c) > 0) {
                if (!ber_read(&c, &t))
                    return false;
                if (ber_is(&t, BER_CLASS_CONTEXT, true, 0)) {
                    ot_kv_arr(d, "identifiers");
                    bool ok = true;
                    while (cur_left(&t.content) > 0) {
                        struct ber_tlv id;
                        if (!ber_read(&t.content, &id) || id.constructed) {
                            ok = false;
                            break;
                        }
                        if (n++ < MMS_MAX_IDENTIFIERS)
                            ber_kv_str(d, NULL, &id, MMS_MAX_NAME);
                    }
                    ot_kv_end(d);
                    if (!ok)
                        return false;
                    ot_kv_u64(d, "identifier_count", n);
                } else if (ber_is(&t, BER_CLASS_CONTEXT, false, 1)) {
                    bool more;
                    if (ber_bool(&t, &more))
                        ot_kv_bool(d, "more_follows", more);
                }
            }
            return true;
        }
        case MMS_SVC_STATUS:
            /* SEQUENCE { vmdLogicalStatus [0], vmdPhysicalStatus [1], ... } */
            while (cur_left(&c) > 0) {
                uint64_t v;
                if (!ber_read(&c, &t))
                    return false;
                if (t.cls == BER_CLASS_CONTEXT && !t.constructed && t.tag < 2 && ber_uint(&t, &v))
                    ot_kv_u64(d, t.tag == 0 ? "logical_status" : "physical_status", v);
            }
            return true;
        case MMS_SVC_GET_NAMED_VARIABLE_LIST_ATTRIBUTES:
            /* SEQUENCE { mmsDeletable [0], listOfVariable [1] } */
            while (cur_left(&c) > 0) {
                if (!ber_read(&c, &t))
                    return false;
                if (ber_is(&t, BER_CLASS_CONTEXT, true, 1)) {
                    unsigned count = 0;
                    ot_kv_arr(d, "variables");
                    bool ok = list_of_variable(d, t.content, &count);
                    ot_kv_end(d);
                    ot_kv_u64(d, "variable_count", count);
                    if (!ok)
                        return false;
                }
            }
            return true;
        case MMS_SVC_FILE_OPEN:
        case MMS_SVC_INITIATE_UPLOAD_SEQUENCE:
            /* SEQUENCE { frsmID / ulsmID [0], ... } */
            if (ber_read(&c, &t) && ber_is(&t, BER_CLASS_CONTEXT, false, 0)) {
                uint64_t v;
                if (ber_uint(&t, &v))
                    ot_kv_u64(d, svc == MMS_SVC_FILE_OPEN ? "frsm_id" : "ulsm_id", v);
            }
            return true;
        case MMS_SVC_FILE_READ:
        case MMS_SVC_UPLOAD_SEGMENT:
            /* SEQUENCE { fileData / loadData [0], moreFollows [1] } */
            while (cur_left(&c) > 0) {
                if (!ber_read(&c, &t))
                    return false;
                if (t.cls == BER_CLASS_CONTEXT && t.tag == 0)
                    ot_kv_u64(d, "data_len", t.len);
                else if (ber_is(&t, BER_CLASS_CONTEXT, false, 1)) {
                    bool more;
                    if (ber_bool(&t, &more))
                        ot_kv_bool(d, "more_follows", more);
                }
            }
            return true;
        default: return true;
    }
}

/* ServiceError (ISO 9506-2 7.4): errorClass [0] CHOICE { class [n] INTEGER }. */
static bool service_error(struct ot_msg *out, struct cur c)
{
    struct ot_detail *d = &out->detail;
    while (cur_left(&c) > 0) {
        struct ber_tlv t, cls;
        if (!ber_read(&c, &t))
            return false;
        if (ber_is(&t, BER_CLASS_CONTEXT, true, 0)) {
            int64_t code = 0;
            if (!ber_read(&t.content, &cls) || cls.constructed)
                return false;
            ber_int(&cls, &code);
            const char *name = ot_tok_name(mms_error_classes, cls.tag);
            ot_kv_cstr(d, "error_class", name ? name : "unknown");
            ot_kv_i64(d, "error_code", code);
            ot_msg_set_exception(out, (cls.tag & 0xff) << 8 | (uint32_t)(code & 0xff), name);
        } else if (ber_is(&t, BER_CLASS_CONTEXT, false, 1)) {
            int64_t v;
            if (ber_int(&t, &v))
                ot_kv_i64(d, "additional_code", v);
        } else if (ber_is(&t, BER_CLASS_CONTEXT, false, 2)) {
            ber_kv_str(d, "additional_description", &t, MMS_MAX_TEXT);
        }
    }
    return true;
}

/* Initiate-RequestPDU / Initiate-ResponsePDU (ISO 9506-2 8.2). */
static bool initiate(struct ot_msg *out, struct cur c)
{
    static const char *const keys[] = {"local_detail", "max_serv_outstanding_calling",
                                       "max_serv_outstanding_called",
                                       "data_structure_nesting_level"};
    struct ot_detail *d = &out->detail;
    ot_kv_obj(d, "initiate");
    bool ok = true;
    while (ok && cur_left(&c) > 0) {
        struct ber_tlv t;
        if (!ber_read(&c, &t) || t.cls != BER_CLASS_CONTEXT) {
            ok = false;
            break;
        }
        if (t.tag < 4 && !t.constructed) {
            int64_t v;
            if (ber_int(&t, &v))
                ot_kv_i64(d, keys[t.tag], v);
        } else if (t.tag == 4 && t.constructed) {
            /* mmsInitRequestDetail: version [0], parameterCBB [1],
             * servicesSupported [2] */
            while (cur_left(&t.content) > 0) {
                struct ber_tlv x;
                if (!ber_read(&t.content, &x) || x.cls != BER_CLASS_CONTEXT || x.constructed) {
                    ok = false;
                    break;
                }
                if (x.tag == 0) {
                    int64_t v;
                    if (ber_int(&x, &v))
                        ot_kv_i64(d, "version_number", v);
                } else if (x.tag == 1) {
                    char bits[24];
                    size_t n = ber_bits_text(&x, bits, sizeof(bits));
                    ot_kv_str(d, "parameter_cbb", bits, n);
                } else if (x.tag == 2) {
                    uint8_t unused;
                    struct cur bits;
                    if (ber_bitstring(&x, &unused, &bits)) {
                        size_t n = cur_left(&bits);
                        const uint8_t *p = cur_bytes(&bits, n);
                        ot_kv_hex(d, "services_supported", p, p ? n : 0);
                    }
                }
            }
        }
    }
    ot_kv_end(d);
    return ok;
}

static void set_function(struct ot_msg *out, uint32_t code)
{
    const struct ot_func *f = ot_func_find(mms_services, code);
    ot_msg_set_function(out, code, f ? f->name : NULL, f ? (enum ot_op)f->op : OT_OP_OTHER);
}

static uint32_t invoke_key(uint64_t invoke, bool client_asked)
{
    return (uint32_t)(invoke & 0x7fffffffu) | (client_asked ? 0 : MMS_KEY_SERVER_ASKED);
}

/* Confirmed-Request/ResponsePDU: SEQUENCE { invokeID, [listOfModifier],
 * service, [79] service-ext }.  Returns false when the header is malformed;
 * a malformed service body only sets an anomaly. */
static bool confirmed(struct ot_msg *out, const struct ot_ctx *ctx, struct cur c, bool request)
{
    struct ber_tlv t;
    uint64_t invoke;
    if (!ber_read(&c, &t) || !ber_is(&t, BER_CLASS_UNIVERSAL, false, BER_UNIV_INTEGER) ||
        !ber_uint(&t, &invoke))
        return false;
    ot_kv_u64(&out->detail, "invoke_id", invoke);
    out->dir = request ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    out->pair = OT_PAIR_KEYED;
    out->txn_key = invoke_key(invoke, request ? ctx->to_server : !ctx->to_server);
    if (cur_left(&c) == 0) {
        out->anomaly = "missing_service";
        return true;
    }
    if (!ber_read(&c, &t))
        return false;
    if (request && ber_is(&t, BER_CLASS_UNIVERSAL, true, BER_UNIV_SEQUENCE)) {
        ot_kv_bool(&out->detail, "modifiers", true);
        if (!ber_read(&c, &t))
            return false;
    }
    if (t.cls != BER_CLASS_CONTEXT || t.tag == MMS_SVC_EXT) {
        /* still a response to pair (iec61850_write.pcap answers a write with
         * an empty SEQUENCE) */
        out->anomaly = "bad_service_tag";
        return true;
    }
    set_function(out, t.tag);
    bool ok = request ? svc_request(out, t.tag, &t) : svc_response(out, ctx, t.tag, &t);
    if (!ok)
        out->anomaly = "malformed_service";
    return true;
}

/* Parses one MMS PDU TLV from c into out. */
static bool mms_pdu(struct ot_msg *out, const struct ot_ctx *ctx, struct cur c)
{
    struct ot_detail *d = &out->detail;
    struct ber_tlv pdu, t;
    if (!ber_read(&c, &pdu) || pdu.cls != BER_CLASS_CONTEXT)
        return false;
    const char *name = ot_tok_name(mms_pdu_names, pdu.tag);
    if (!name)
        return false;
    /* Every constructed content must be well-formed BER within the nesting
     * cap before any of it is believed (bounds the recursion in Data). */
    if (pdu.constructed && !ber_check(pdu.content))
        return false;
    ot_kv_cstr(d, "pdu_type", name);
    if (cur_left(&c) > 0)
        out->anomaly = "trailing_bytes";
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    switch (pdu.tag) {
        case MMS_CONFIRMED_REQUEST:
        case MMS_CONFIRMED_RESPONSE:
            if (!pdu.constructed)
                return false;
            return confirmed(out, ctx, pdu.content, pdu.tag == MMS_CONFIRMED_REQUEST);
        case MMS_CONFIRMED_ERROR: {
            /* SEQUENCE { invokeID [0], modifierPosition [1], serviceError [2] } */
            uint64_t invoke = 0;
            bool have = false;
            if (!pdu.constructed)
                return false;
            while (cur_left(&pdu.content) > 0) {
                if (!ber_read(&pdu.content, &t))
                    return false;
                if (ber_is(&t, BER_CLASS_CONTEXT, false, 0) && ber_uint(&t, &invoke)) {
                    have = true;
                    ot_kv_u64(d, "invoke_id", invoke);
                } else if (ber_is(&t, BER_CLASS_CONTEXT, true, 2) &&
                           !service_error(out, t.content)) {
                    out->anomaly = "malformed_service";
                }
            }
            if (!have)
                return false;
            out->dir = OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = invoke_key(invoke, !ctx->to_server);
            return true;
        }
        case MMS_UNCONFIRMED:
            /* SEQUENCE { service CHOICE { informationReport [0], ... } } */
            if (!pdu.constructed || !ber_read(&pdu.content, &t) || t.cls != BER_CLASS_CONTEXT)
                return false;
            set_function(out, MMS_FC_UNCONFIRMED_BASE + t.tag);
            if (t.tag == MMS_UNCONF_INFORMATION_REPORT && t.constructed) {
                /* SEQUENCE { variableAccessSpecification, listOfAccessResult [0] } */
                struct ber_tlv v, list;
                if (!ber_read(&t.content, &v) || !vas_parse(out, &v) ||
                    !ber_read(&t.content, &list) || !ber_is(&list, BER_CLASS_CONTEXT, true, 0) ||
                    !data_list(out, list.content, true))
                    out->anomaly = "malformed_service";
            }
            return true;
        case MMS_REJECT: {
            /* SEQUENCE { originalInvokeID [0] OPTIONAL, rejectReason CHOICE } */
            uint64_t invoke = 0;
            bool have = false;
            if (!pdu.constructed)
                return false;
            set_function(out, MMS_FC_REJECT);
            while (cur_left(&pdu.content) > 0) {
                if (!ber_read(&pdu.content, &t) || t.cls != BER_CLASS_CONTEXT || t.constructed)
                    return false;
                int64_t v = 0;
                ber_int(&t, &v);
                if (t.tag == 0) {
                    invoke = (uint64_t)v;
                    have = true;
                    ot_kv_u64(d, "original_invoke_id", invoke);
                } else {
                    const char *n = ot_tok_name(mms_reject_pdus, t.tag);
                    ot_kv_cstr(d, "reject_pdu", n ? n : "unknown");
                    ot_kv_i64(d, "reject_reason", v);
                    ot_msg_set_exception(out, MMS_EXC_REJECT + ((t.tag & 0xf) << 8 | (v & 0xff)),
                                         "reject");
                    /* A rejected confirmed request is answered by this reject. */
                    if (have && t.tag == 1) {
                        out->dir = OT_DIR_RESPONSE;
                        out->pair = OT_PAIR_KEYED;
                        out->txn_key = invoke_key(invoke, !ctx->to_server);
                    }
                }
            }
            return true;
        }
        case MMS_CANCEL_REQUEST:
        case MMS_CANCEL_RESPONSE:
        case MMS_CANCEL_ERROR: {
            uint64_t invoke;
            set_function(out, MMS_FC_CANCEL);
            out->dir = pdu.tag == MMS_CANCEL_REQUEST ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = MMS_KEY_CANCEL;
            if (pdu.tag == MMS_CANCEL_ERROR) {
                /* SEQUENCE { originalInvokeID [0], serviceError [1] } */
                if (!pdu.constructed)
                    return false;
                while (cur_left(&pdu.content) > 0) {
                    if (!ber_read(&pdu.content, &t))
                        return false;
                    if (ber_is(&t, BER_CLASS_CONTEXT, false, 0) && ber_uint(&t, &invoke))
                        ot_kv_u64(d, "original_invoke_id", invoke);
                    else if (ber_is(&t, BER_CLASS_CONTEXT, true, 1))
                        service_error(out, t.content);
                }
                return true;
            }
            if (pdu.constructed || !ber_uint(&pdu, &invoke))
                return false;
            ot_kv_u64(d, "original_invoke_id", invoke);
            return true;
        }
        case MMS_INITIATE_REQUEST:
        case MMS_INITIATE_RESPONSE:
        case MMS_INITIATE_ERROR:
            set_function(out, MMS_FC_INITIATE);
            out->dir = pdu.tag == MMS_INITIATE_REQUEST ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = MMS_KEY_INITIATE;
            if (!pdu.constructed)
                return false;
            if (pdu.tag == MMS_INITIATE_ERROR)
                return service_error(out, pdu.content);
            return initiate(out, pdu.content);
        default: /* conclude request/response (NULL) and error (ServiceError) */
            set_function(out, MMS_FC_CONCLUDE);
            out->dir = pdu.tag == MMS_CONCLUDE_REQUEST ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = MMS_KEY_CONCLUDE;
            if (pdu.tag == MMS_CONCLUDE_ERROR)
                return pdu.constructed && service_error(out, pdu.content);
            if (pdu.constructed || pdu.len != 0)
                out->anomaly = "conclude_not_null";
            return true;
    }
}

/* Session, presentation, ACSE, then MMS over one complete TSDU. */
static enum ot_parse mms_tsdu(struct cur s, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct ot_detail *d = &out->detail;
    struct mms_layers l = {0};
    if (!ses_parse(&s, &l))
        return OT_PARSE_INVALID;
    if (!l.raw_mms)
        ot_kv_cstr(d, "spdu", ot_tok_name(ses_spdu_names, l.spdu));
    if (l.has_reason)
        ot_kv_u64(d, "session_reason", l.ses_reason);
    if (l.ses_trailing)
        out->anomaly = "session_trailing_bytes";
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;

    if (!l.has_user) {
        /* No PPDU: only an abort or a refusal says something. */
        if (l.spdu == SES_AB) {
            set_function(out, MMS_FC_ABORT);
            return OT_PARSE_OK;
        }
        if (l.spdu == SES_RF) {
            set_function(out, MMS_FC_ASSOCIATE);
            ot_msg_set_exception(out, 0, "session_refused");
            out->dir = OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = MMS_KEY_INITIATE;
            return OT_PARSE_OK;
        }
        return OT_PARSE_NONE;
    }
    if (l.raw_mms) {
        l.has_mms = true;
        l.mms = l.user;
    } else {
        if (!pres_parse(&l, out))
            return OT_PARSE_INVALID;
        if (l.ppdu)
            ot_kv_cstr(d, "ppdu", l.ppdu);
        if (l.has_pcid)
            ot_kv_u64(d, "presentation_context_id", l.pcid);
        if (l.has_acse && !acse_parse(&l, out))
            return OT_PARSE_INVALID;
    }
    if (l.has_mms) {
        if (!mms_pdu(out, ctx, l.mms))
            return OT_PARSE_INVALID;
        if (l.acse_rejected && !out->has_exception)
            ot_msg_set_exception(out, 0, "association_rejected");
        return OT_PARSE_OK;
    }
    if (l.has_acse) {
        switch (l.acse_apdu) {
            case ACSE_AARQ:
            case ACSE_AARE:
                set_function(out, MMS_FC_ASSOCIATE);
                out->pair = OT_PAIR_KEYED;
                out->txn_key = MMS_KEY_INITIATE;
                out->dir = l.acse_apdu == ACSE_AARQ ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
                if (l.acse_rejected)
                    ot_msg_set_exception(out, 0, "association_rejected");
                break;
            case ACSE_RLRQ:
            case ACSE_RLRE:
                set_function(out, MMS_FC_RELEASE);
                out->pair = OT_PAIR_KEYED;
                out->txn_key = MMS_KEY_RELEASE;
                out->dir = l.acse_apdu == ACSE_RLRQ ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
                break;
            default: set_function(out, MMS_FC_ABORT); break;
        }
        return OT_PARSE_OK;
    }
    if (l.spdu == SES_AB) {
        set_function(out, MMS_FC_ABORT);
        return OT_PARSE_OK;
    }
    return OT_PARSE_INVALID; /* data that is neither ACSE nor MMS */
}

static enum ot_parse mms_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct cotp t;
    if (!cotp_parse(c, &t))
        return c->err == CUR_TRUNC ? OT_PARSE_TRUNC : OT_PARSE_INVALID;
    struct mms_flow *fs = ctx->flow_state;
    struct cotp_reasm *r = fs ? &fs->reasm[ctx->to_server ? 0 : 1] : NULL;
    size_t n = cur_left(c);
    const uint8_t *p = cur_bytes(c, n);
    size_t tlen = 0;
    const uint8_t *tsdu;
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;

    if (t.code != COTP_DT) {
        /* Connection management: nothing to report at the MMS level. */
        if (r)
            cotp_reasm_add(r, &t, NULL, 0, &tlen);
        return OT_PARSE_NONE;
    }
    if (r) {
        tsdu = cotp_reasm_add(r, &t, p, n, &tlen);
        if (!tsdu)
            return r->overflow ? OT_PARSE_INVALID : OT_PARSE_NONE;
    } else if (t.eot) {
        tsdu = p;
        tlen = n;
    } else {
        return OT_PARSE_NONE;
    }
    return mms_tsdu(cur_init(tsdu, tlen), ctx, out);
}

/* Judges the first bytes of a COTP DT's user data. */
static enum ot_probe probe_dt(struct cur c)
{
    if (cur_left(&c) == 0)
        return OT_PROBE_NEED_MORE;
    uint8_t b = cur_peek_u8(&c);
    if (b == 0x32 || b == 0x72)
        return OT_PROBE_NO; /* S7comm / S7comm-plus protocol id */
    if (is_mms_pdu_tag(b))
        return OT_PROBE_YES; /* MMS without session (mms-stopRequest.pcap) */
    if (cur_left(&c) < 3)
        return OT_PROBE_NEED_MORE;
    if (b == SES_DT)
        /* GIVE TOKENS 01 00 then DATA TRANSFER 01 .. */
        return cur_peek_at(&c, 1) == 0 && cur_peek_at(&c, 2) == SES_DT ? OT_PROBE_YES : OT_PROBE_NO;
    switch (b) {
        case SES_CN:
        case SES_AC:
        case SES_RF:
        case SES_FN:
        case SES_DN:
        case SES_AB:
        case SES_NF:
            /* a category 1 SPDU: its LI must fit what a TPKT can hold */
            return OT_PROBE_YES;
        default: return OT_PROBE_NO;
    }
}

/* Judges one TPKT at p: the S7 family (rack/slot or SIMATIC TSAPs, 0x32 /
 * 0x72 payloads) is not ours; an ISO session SPDU or an MMS PDU is.  *plen
 * gets the TPKT length (0 / OT_PDU_NOT_MINE as tpkt_pdu_len), *dt whether it
 * is a DT. */
static enum ot_probe probe_tpkt(const uint8_t *p, size_t len, size_t *plen, bool *dt)
{
    *dt = false;
    *plen = tpkt_pdu_len(p, len);
    if (*plen == 0)
        return OT_PROBE_NEED_MORE;
    if (*plen == OT_PDU_NOT_MINE)
        return OT_PROBE_NO;
    /* Read the header by hand: the first segment may hold only part of it. */
    struct cur c = cur_init(p, len < *plen ? len : *plen);
    cur_skip(&c, 4);
    size_t li = cur_u8(&c);
    struct cur h = cur_sub(&c, li);
    if (!cur_ok(&c))
        return OT_PROBE_NEED_MORE;
    uint8_t code = cur_u8(&h) & 0xf0;
    if (code == COTP_DT) {
        *dt = true;
        if (li != 2)
            return OT_PROBE_NO; /* class 0 DT only, on port 102 */
        return probe_dt(c);
    }
    if (code != COTP_CR && code != COTP_CC)
        return OT_PROBE_NEED_MORE; /* DR/ER/...: let the next TPKT decide */
    if (*plen > len)
        return OT_PROBE_NEED_MORE;
    struct cotp t;
    struct cur full = cur_init(p, *plen);
    if (!cotp_parse(&full, &t))
        return OT_PROBE_NO;
    /* S7 TSAPs: the called TSAP is two octets, the first 01 (PG), 02 (OP)
     * or 03 (other) with rack/slot; S7comm-plus uses SIMATIC-... text.  S7
     * clients never call from 00xx, ISO stacks do (mms-stopRequest.pcap
     * calls 0200 from 0002): then this TPDU cannot tell, the first DT does. */
    static const char simatic[] = "SIMATIC-";
    if (t.dst_tsap_len == 2 && t.dst_tsap[0] >= 0x01 && t.dst_tsap[0] <= 0x03)
        return t.src_tsap_len == 2 && t.src_tsap[0] == 0x00 ? OT_PROBE_NEED_MORE : OT_PROBE_NO;
    if (t.dst_tsap_len >= sizeof(simatic) - 1 &&
        memcmp(t.dst_tsap, simatic, sizeof(simatic) - 1) == 0)
        return OT_PROBE_NO;
    if (t.src_tsap_len >= sizeof(simatic) - 1 &&
        memcmp(t.src_tsap, simatic, sizeof(simatic) - 1) == 0)
        return OT_PROBE_NO;
    return OT_PROBE_YES;
}

/* Looks through the first TPKTs of a flow: a DT decides; a CR/CC without S7
 * TSAPs says yes unless a DT after it says otherwise. */
static enum ot_probe mms_probe(const uint8_t *p, size_t len, bool to_server)
{
    (void)to_server;
    struct cur c = cur_init(p, len);
    enum ot_probe verdict = OT_PROBE_NEED_MORE;
    for (unsigned i = 0; i < MMS_PROBE_MAX_TPDUS && cur_left(&c) > 0; i++) {
        size_t left = cur_left(&c);
        struct cur rc = c;
        const uint8_t *rest = cur_bytes(&rc, left);
        size_t plen;
        bool dt;
        enum ot_probe r = probe_tpkt(rest, left, &plen, &dt);
        if (r == OT_PROBE_NO || (dt && r == OT_PROBE_YES))
            return r;
        if (r == OT_PROBE_YES)
            verdict = OT_PROBE_YES;
        if (plen == 0 || plen == OT_PDU_NOT_MINE || plen > left)
            break;
        cur_skip(&c, plen); /* an empty DT, a DR ...: the next TPKT */
    }
    return verdict;
}

const struct ot_dissector mms_dissector = {
    .name = "mms",
    .proto = OT_PROTO_MMS,
    .l4 = IPPROTO_TCP,
    .ports = {MMS_PORT, 0},
    .ethertype = 0,
    .probe = mms_probe,
    .pdu_len = tpkt_pdu_len,
    .parse = mms_parse,
    .flow_state_size = sizeof(struct mms_flow),
    .flow_summary = NULL,
    .heuristic = false,
};
