/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: OPC UA binary over TCP (UA-TCP / UA Secure Conversation): transport
 * messages (Hello, Acknowledge, Error, ReverseHello), secure channel open and
 * close, and the service requests and responses carried in MSG chunks when the
 * channel is not encrypted: service type, request/response header, node ids
 * read and written, values written, session identity tokens, server
 * application descriptions and endpoint security. */
/* specification: OPC 10000-6 (UA Part 6: Mappings) 1.04/1.05, section 5.2
 * (binary encoding of the built-in types), 6.7 (UA Secure Conversation:
 * message chunks, security headers, sequence header) and 7.1 (OPC UA
 * Connection Protocol: HEL/ACK/ERR/RHE); OPC 10000-4 (Services) sections 5.4
 * to 5.13 and 7 (request/response header, identity tokens, endpoint and
 * application descriptions); service encoding ids from the NodeIds.csv of the
 * UA nodeset, status codes from StatusCode.csv. */
/*
 * Message header (Part 6 section 7.1.2.2), every message and chunk:
 *   0       1       2       3       4       5       6       7
 *  +-------+-------+-------+-------+-------+-------+-------+-------+
 *  |  MessageType (3 ASCII bytes)  | chunk |  MessageSize (LE32)    |
 *  +-------+-------+-------+-------+-------+-------+-------+-------+
 *  MessageType HEL ACK ERR RHE OPN MSG CLO; chunk 'F' final, 'C' intermediate,
 *  'A' abort; MessageSize counts the whole chunk, header included.
 *
 * HEL: ProtocolVersion, ReceiveBufferSize, SendBufferSize, MaxMessageSize,
 *      MaxChunkCount (UInt32 each), EndpointUrl (String)
 * ACK: the same five UInt32, no URL.  ERR: Error (StatusCode), Reason (String).
 * RHE: ServerUri (String), EndpointUrl (String).
 *
 * OPN (section 6.7.2.2, asymmetric security header):
 *  | header | SecureChannelId (4) | SecurityPolicyUri (ByteString) |
 *  | SenderCertificate (ByteString) | ReceiverCertificateThumbprint (ByteString) |
 *  | SequenceNumber (4) | RequestId (4) | body ...        (encrypted unless #None)
 * MSG / CLO (section 6.7.2.3, symmetric security header):
 *  | header | SecureChannelId (4) | TokenId (4) |
 *  | SequenceNumber (4) | RequestId (4) | body ...   (encrypted with SignAndEncrypt)
 * Body of the first chunk of a message: the NodeId of the service's
 * DefaultBinary encoding, then the request or response structure, which
 * starts with the RequestHeader or ResponseHeader.
 *
 * String / ByteString: Int32 length (-1 = null) then the bytes.  Arrays: Int32
 * count (-1 = null) then the elements.  NodeId: an encoding byte, then
 *   0 two-byte (id:1), 1 four-byte (ns:1 id:2), 2 numeric (ns:2 id:4),
 *   3 string (ns:2 String), 4 guid (ns:2 16 bytes), 5 opaque (ns:2 ByteString).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "sbuf.h"
#include "tok.h"

#define OPCUA_PORT 4840
#define OPCUA_HDR_LEN 8

/* Message types (Part 6 table 50), as the 24-bit big-endian ASCII value. */
#define OPCUA_HEL 0x48454c
#define OPCUA_ACK 0x41434b
#define OPCUA_ERR 0x455252
#define OPCUA_RHE 0x524845
#define OPCUA_OPN 0x4f504e
#define OPCUA_MSG 0x4d5347
#define OPCUA_CLO 0x434c4f

#define OPCUA_CHUNK_FINAL 'F'
#define OPCUA_CHUNK_INTERMEDIATE 'C'
#define OPCUA_CHUNK_ABORT 'A'

/* Smallest message of each type: header plus its fixed fields (Part 6 7.1.2). */
#define OPCUA_HEL_MIN 32 /* 8 + 5 * UInt32 + String length */
#define OPCUA_ACK_MIN 28 /* 8 + 5 * UInt32 */
#define OPCUA_ERR_MIN 16 /* 8 + StatusCode + String length */
#define OPCUA_RHE_MIN 16 /* 8 + 2 String lengths */
#define OPCUA_OPN_MIN 24 /* 8 + SecureChannelId + 3 ByteString lengths */
#define OPCUA_SYM_MIN 16 /* 8 + SecureChannelId + TokenId */

#define OPCUA_POLICY_NONE "http://opcfoundation.org/UA/SecurityPolicy#None"

/* NodeId encodings (Part 6 section 5.2.2.9, table 6). */
#define UA_NODEID_TWO_BYTE 0
#define UA_NODEID_FOUR_BYTE 1
#define UA_NODEID_NUMERIC 2
#define UA_NODEID_STRING 3
#define UA_NODEID_GUID 4
#define UA_NODEID_BYTESTRING 5
#define UA_EXPANDED_NAMESPACE_URI 0x80
#define UA_EXPANDED_SERVER_INDEX 0x40

/* ExtensionObject body encodings (Part 6 section 5.2.2.15). */
#define UA_EXTOBJ_NO_BODY 0
#define UA_EXTOBJ_BINARY 1
#define UA_EXTOBJ_XML 2

/* Variant encoding byte (Part 6 section 5.2.2.16). */
#define UA_VARIANT_TYPE_MASK 0x3f
#define UA_VARIANT_ARRAY_DIMENSIONS 0x40
#define UA_VARIANT_ARRAY 0x80

/* Built-in type ids (Part 6 table 1). */
#define UA_BOOLEAN 1
#define UA_SBYTE 2
#define UA_BYTE 3
#define UA_INT16 4
#define UA_UINT16 5
#define UA_INT32 6
#define UA_UINT32 7
#define UA_INT64 8
#define UA_UINT64 9
#define UA_FLOAT 10
#define UA_DOUBLE 11
#define UA_STRING 12
#define UA_DATETIME 13
#define UA_GUID 14
#define UA_BYTESTRING 15
#define UA_XMLELEMENT 16
#define UA_NODEID 17
#define UA_EXPANDEDNODEID 18
#define UA_STATUSCODE 19
#define UA_QUALIFIEDNAME 20
#define UA_LOCALIZEDTEXT 21
#define UA_EXTENSIONOBJECT 22
#define UA_DATAVALUE 23
#define UA_VARIANT 24
#define UA_DIAGNOSTICINFO 25

/* DataValue mask (Part 6 section 5.2.2.17). */
#define UA_DV_VALUE 0x01
#define UA_DV_STATUS 0x02
#define UA_DV_SOURCE_TS 0x04
#define UA_DV_SERVER_TS 0x08
#define UA_DV_SOURCE_PICO 0x10
#define UA_DV_SERVER_PICO 0x20

/* DiagnosticInfo mask (Part 6 section 5.2.2.12). */
#define UA_DI_SYMBOLIC_ID 0x01
#define UA_DI_NAMESPACE 0x02
#define UA_DI_LOCALIZED_TEXT 0x04
#define UA_DI_LOCALE 0x08
#define UA_DI_ADDITIONAL_INFO 0x10
#define UA_DI_INNER_STATUS 0x20
#define UA_DI_INNER_DIAG 0x40

/* LocalizedText mask (Part 6 section 5.2.2.14). */
#define UA_LT_LOCALE 0x01
#define UA_LT_TEXT 0x02

/* DefaultBinary encoding ids of the services (NodeIds.csv). */
#define UA_SERVICE_FAULT 397
#define UA_FIND_SERVERS_REQ 422
#define UA_GET_ENDPOINTS_REQ 428
#define UA_GET_ENDPOINTS_RESP 431
#define UA_FIND_SERVERS_RESP 425
#define UA_OPEN_SECURE_CHANNEL_REQ 446
#define UA_OPEN_SECURE_CHANNEL_RESP 449
#define UA_CLOSE_SECURE_CHANNEL_REQ 452
#define UA_CREATE_SESSION_REQ 461
#define UA_CREATE_SESSION_RESP 464
#define UA_ACTIVATE_SESSION_REQ 467
#define UA_ACTIVATE_SESSION_RESP 470
#define UA_CLOSE_SESSION_REQ 473
#define UA_ADD_NODES_REQ 488
#define UA_DELETE_NODES_REQ 500
#define UA_BROWSE_REQ 527
#define UA_TRANSLATE_BROWSE_PATHS_REQ 554
#define UA_REGISTER_NODES_REQ 560
#define UA_READ_REQ 631
#define UA_READ_RESP 634
#define UA_HISTORY_READ_REQ 664
#define UA_WRITE_REQ 673
#define UA_WRITE_RESP 676
#define UA_CALL_REQ 712
#define UA_CREATE_MONITORED_ITEMS_REQ 751
#define UA_CREATE_SUBSCRIPTION_REQ 787
#define UA_PUBLISH_REQ 826

/* User identity token encodings (NodeIds.csv; Part 4 section 7.36). */
#define UA_ANONYMOUS_IDENTITY_TOKEN 321
#define UA_USERNAME_IDENTITY_TOKEN 324
#define UA_X509_IDENTITY_TOKEN 327
#define UA_ISSUED_IDENTITY_TOKEN 940

/* Address spaces of non-numeric node ids (see node_addr), above the 16-bit
 * namespace index. */
#define UA_NODE_SPACE_STRING 0x10000u
#define UA_NODE_SPACE_GUID 0x20000u
#define UA_NODE_SPACE_OPAQUE 0x30000u

/* Attribute id of the Value attribute (Part 6 A.1). */
#define UA_ATTRIBUTE_VALUE 13

/* DateTime: 100 ns ticks since 1601-01-01; this many ticks to 1970-01-01. */
#define UA_DATETIME_UNIX_EPOCH 116444736000000000LL

#define UA_STATUS_SEVERITY_BAD 0x80000000u
#define UA_STATUS_CODE_MASK 0xffff0000u

/* Per-flow knowledge of the channel's security (from the OPN messages). */
enum opcua_policy {
    POLICY_UNKNOWN = 0, /* no OPN seen (capture started mid-channel) */
    POLICY_NONE,        /* SecurityPolicy#None: everything in the clear */
    POLICY_SECURE,      /* any other policy: bodies signed, maybe encrypted */
};

/* MessageSecurityMode (Part 4 section 7.15). */
#define UA_MODE_INVALID 0
#define UA_MODE_NONE 1
#define UA_MODE_SIGN 2
#define UA_MODE_SIGN_AND_ENCRYPT 3

/* A service: the encoding ids of its request and response (Part 4, NodeIds.csv).
 * function_code is the request's id for both, so a pair shares it. */
struct opcua_service {
    uint32_t req;
    uint32_t resp;
    const char *name;
    enum ot_op op;
};

static const struct opcua_service opcua_services[] = {
    {410, 413, "TestStack", OT_OP_DIAGNOSTIC},
    {416, 419, "TestStackEx", OT_OP_DIAGNOSTIC},
    {422, 425, "FindServers", OT_OP_DISCOVERY},
    {12208, 12209, "FindServersOnNetwork", OT_OP_DISCOVERY},
    {428, 431, "GetEndpoints", OT_OP_DISCOVERY},
    {437, 440, "RegisterServer", OT_OP_OTHER},
    {12211, 12212, "RegisterServer2", OT_OP_OTHER},
    /* Opening a channel is where client and server authenticate each other
     * (certificates, policy and mode are agreed): AUTH, like CreateSession. */
    {446, 449, "OpenSecureChannel", OT_OP_AUTH},
    {452, 455, "CloseSecureChannel", OT_OP_AUTH},
    {461, 464, "CreateSession", OT_OP_AUTH},
    {467, 470, "ActivateSession", OT_OP_AUTH},
    {473, 476, "CloseSession", OT_OP_AUTH},
    {479, 482, "Cancel", OT_OP_OTHER},
    /* Node management changes the server's address space: a write. */
    {488, 491, "AddNodes", OT_OP_WRITE},
    {494, 497, "AddReferences", OT_OP_WRITE},
    {500, 503, "DeleteNodes", OT_OP_WRITE},
    {506, 509, "DeleteReferences", OT_OP_WRITE},
    {527, 530, "Browse", OT_OP_READ},
    {533, 536, "BrowseNext", OT_OP_READ},
    {554, 557, "TranslateBrowsePathsToNodeIds", OT_OP_READ},
    {560, 563, "RegisterNodes", OT_OP_READ},
    {566, 569, "UnregisterNodes", OT_OP_READ},
    {615, 618, "QueryFirst", OT_OP_READ},
    {621, 624, "QueryNext", OT_OP_READ},
    {631, 634, "Read", OT_OP_READ},
    {664, 667, "HistoryRead", OT_OP_READ},
    {673, 676, "Write", OT_OP_WRITE},
    {700, 703, "HistoryUpdate", OT_OP_WRITE},
    {712, 715, "Call", OT_OP_CONTROL},
    {751, 754, "CreateMonitoredItems", OT_OP_READ},
    {763, 766, "ModifyMonitoredItems", OT_OP_READ},
    {769, 772, "SetMonitoringMode", OT_OP_READ},
    {775, 778, "SetTriggering", OT_OP_READ},
    {781, 784, "DeleteMonitoredItems", OT_OP_READ},
    {787, 790, "CreateSubscription", OT_OP_READ},
    {793, 796, "ModifySubscription", OT_OP_READ},
    {799, 802, "SetPublishingMode", OT_OP_READ},
    {826, 829, "Publish", OT_OP_READ},
    {832, 835, "Republish", OT_OP_READ},
    {841, 844, "TransferSubscriptions", OT_OP_READ},
    {847, 850, "DeleteSubscriptions", OT_OP_READ},
    {15903, 21001, "SessionlessInvoke", OT_OP_OTHER},
    {0, 0, NULL, OT_OP_OTHER},
};

static const struct ot_tok opcua_msg_types[] = {
    {OPCUA_HEL, "HEL"}, {OPCUA_ACK, "ACK"}, {OPCUA_ERR, "ERR"}, {OPCUA_RHE, "RHE"},
    {OPCUA_OPN, "OPN"}, {OPCUA_MSG, "MSG"}, {OPCUA_CLO, "CLO"}, {0, NULL},
};

static const struct ot_tok opcua_security_modes[] = {
    {UA_MODE_INVALID, "Invalid"},
    {UA_MODE_NONE, "None"},
    {UA_MODE_SIGN, "Sign"},
    {UA_MODE_SIGN_AND_ENCRYPT, "SignAndEncrypt"},
    {0, NULL},
};

/* SecurityTokenRequestType (Part 4 section 5.5.2.2). */
static const struct ot_tok opcua_request_types[] = {
    {0, "issue"},
    {1, "renew"},
    {0, NULL},
};

/* UserTokenType (Part 4 section 7.37). */
static const struct ot_tok opcua_user_token_types[] = {
    {0, "anonymous"}, {1, "username"}, {2, "certificate"}, {3, "issued"}, {0, NULL},
};

static const struct ot_tok opcua_identity_tokens[] = {
    {UA_ANONYMOUS_IDENTITY_TOKEN, "anonymous"},
    {UA_USERNAME_IDENTITY_TOKEN, "username"},
    {UA_X509_IDENTITY_TOKEN, "certificate"},
    {UA_ISSUED_IDENTITY_TOKEN, "issued"},
    {0, NULL},
};

/* The status codes an analyst meets most (StatusCode.csv), by their upper 16
 * bits; the lower bits are info flags. */
static const struct ot_tok opcua_status_codes[] = {
    {0x80010000, "BadUnexpectedError"},
    {0x80020000, "BadInternalError"},
    {0x80030000, "BadOutOfMemory"},
    {0x80040000, "BadResourceUnavailable"},
    {0x80050000, "BadCommunicationError"},
    {0x80060000, "BadEncodingError"},
    {0x80070000, "BadDecodingError"},
    {0x80080000, "BadEncodingLimitsExceeded"},
    {0x80090000, "BadUnknownResponse"},
    {0x800a0000, "BadTimeout"},
    {0x800b0000, "BadServiceUnsupported"},
    {0x800c0000, "BadShutdown"},
    {0x800d0000, "BadServerNotConnected"},
    {0x800e0000, "BadServerHalted"},
    {0x800f0000, "BadNothingToDo"},
    {0x80100000, "BadTooManyOperations"},
    {0x80110000, "BadDataTypeIdUnknown"},
    {0x80120000, "BadCertificateInvalid"},
    {0x80130000, "BadSecurityChecksFailed"},
    {0x80140000, "BadCertificateTimeInvalid"},
    {0x80150000, "BadCertificateIssuerTimeInvalid"},
    {0x80160000, "BadCertificateHostNameInvalid"},
    {0x80170000, "BadCertificateUriInvalid"},
    {0x80180000, "BadCertificateUseNotAllowed"},
    {0x80190000, "BadCertificateIssuerUseNotAllowed"},
    {0x801a0000, "BadCertificateUntrusted"},
    {0x801b0000, "BadCertificateRevocationUnknown"},
    {0x801c0000, "BadCertificateIssuerRevocationUnknown"},
    {0x801d0000, "BadCertificateRevoked"},
    {0x801e0000, "BadCertificateIssuerRevoked"},
    {0x801f0000, "BadUserAccessDenied"},
    {0x80200000, "BadIdentityTokenInvalid"},
    {0x80210000, "BadIdentityTokenRejected"},
    {0x80220000, "BadSecureChannelIdInvalid"},
    {0x80230000, "BadInvalidTimestamp"},
    {0x80240000, "BadNonceInvalid"},
    {0x80250000, "BadSessionIdInvalid"},
    {0x80260000, "BadSessionClosed"},
    {0x80270000, "BadSessionNotActivated"},
    {0x80280000, "BadSubscriptionIdInvalid"},
    {0x802a0000, "BadRequestHeaderInvalid"},
    {0x802b0000, "BadTimestampsToReturnInvalid"},
    {0x802c0000, "BadRequestCancelledByClient"},
    {0x80310000, "BadNoCommunication"},
    {0x80320000, "BadWaitingForInitialData"},
    {0x80330000, "BadNodeIdInvalid"},
    {0x80340000, "BadNodeIdUnknown"},
    {0x80350000, "BadAttributeIdInvalid"},
    {0x80360000, "BadIndexRangeInvalid"},
    {0x80370000, "BadIndexRangeNoData"},
    {0x80380000, "BadDataEncodingInvalid"},
    {0x80390000, "BadDataEncodingUnsupported"},
    {0x803a0000, "BadNotReadable"},
    {0x803b0000, "BadNotWritable"},
    {0x803c0000, "BadOutOfRange"},
    {0x803d0000, "BadNotSupported"},
    {0x803e0000, "BadNotFound"},
    {0x803f0000, "BadObjectDeleted"},
    {0x80400000, "BadNotImplemented"},
    {0x80410000, "BadMonitoringModeInvalid"},
    {0x80420000, "BadMonitoredItemIdInvalid"},
    {0x80430000, "BadMonitoredItemFilterInvalid"},
    {0x80530000, "BadRequestTypeInvalid"},
    {0x80540000, "BadSecurityModeRejected"},
    {0x80550000, "BadSecurityPolicyRejected"},
    {0x80560000, "BadTooManySessions"},
    {0x80570000, "BadUserSignatureInvalid"},
    {0x80580000, "BadApplicationSignatureInvalid"},
    {0x80590000, "BadNoValidCertificates"},
    {0x805a0000, "BadRequestCancelledByRequest"},
    {0x805b0000, "BadParentNodeIdInvalid"},
    {0x805c0000, "BadReferenceNotAllowed"},
    {0x805d0000, "BadNodeIdRejected"},
    {0x805e0000, "BadNodeIdExists"},
    {0x805f0000, "BadNodeClassInvalid"},
    {0x80600000, "BadBrowseNameInvalid"},
    {0x80690000, "BadNoDeleteRights"},
    {0x80710000, "BadHistoryOperationInvalid"},
    {0x80720000, "BadHistoryOperationUnsupported"},
    {0x80730000, "BadWriteNotSupported"},
    {0x80740000, "BadTypeMismatch"},
    {0x80750000, "BadMethodInvalid"},
    {0x80760000, "BadArgumentsMissing"},
    {0x80770000, "BadTooManySubscriptions"},
    {0x80780000, "BadTooManyPublishRequests"},
    {0x80790000, "BadNoSubscription"},
    {0x807a0000, "BadSequenceNumberUnknown"},
    {0x807b0000, "BadMessageNotAvailable"},
    {0x807c0000, "BadInsufficientClientProfile"},
    {0x807d0000, "BadTcpServerTooBusy"},
    {0x807e0000, "BadTcpMessageTypeInvalid"},
    {0x807f0000, "BadTcpSecureChannelUnknown"},
    {0x80800000, "BadTcpMessageTooLarge"},
    {0x80810000, "BadTcpNotEnoughResources"},
    {0x80820000, "BadTcpInternalError"},
    {0x80830000, "BadTcpEndpointUrlInvalid"},
    {0x80840000, "BadRequestInterrupted"},
    {0x80850000, "BadRequestTimeout"},
    {0x80860000, "BadSecureChannelClosed"},
    {0x80870000, "BadSecureChannelTokenUnknown"},
    {0x80880000, "BadSequenceNumberInvalid"},
    {0x80ab0000, "BadInvalidArgument"},
    {0x80ac0000, "BadConnectionRejected"},
    {0x80ad0000, "BadDisconnect"},
    {0x80ae0000, "BadConnectionClosed"},
    {0x80af0000, "BadInvalidState"},
    {0x80b80000, "BadRequestTooLarge"},
    {0x80b90000, "BadResponseTooLarge"},
    {0x80be0000, "BadProtocolVersionUnsupported"},
    {0x80db0000, "BadTooManyMonitoredItems"},
    {0x80e60000, "BadSecurityModeInsufficient"},
    {0x80ee0000, "BadServerTooBusy"},
    {0, NULL},
};

/* Caps. */
/* Largest chunk accepted by pdu_len: stacks negotiate chunk sizes of 8 KB to a
 * few MB (HEL ReceiveBufferSize); a larger size is garbage or an attempt to
 * make the engine buffer without bound. */
#define OPCUA_MAX_CHUNK (16u * 1024 * 1024)
/* Bytes of one wire string copied into the detail (URIs, names, reasons). */
#define OPCUA_MAX_STR 256
/* Node ids listed in the detail of one message (the detail tape is shared). */
#define OPCUA_MAX_DETAIL_NODES 16
/* Items (nodes to read/write/browse, methods, monitored items) walked in one
 * request: a 100,000-item Read would otherwise cost a loop per item. */
#define OPCUA_MAX_ITEMS 256
/* Elements of one array skipped (strings, extension objects, variants): bounds
 * the work a hostile array count can cause. */
#define OPCUA_MAX_SKIP 4096
/* Nesting of Variant / DataValue / DiagnosticInfo inside one another: the
 * encoding is recursive and a hostile message can nest without end. */
#define OPCUA_MAX_DEPTH 4
/* Endpoints described in one GetEndpoints/CreateSession response. */
#define OPCUA_MAX_ENDPOINTS 8
/* Bytes of a string / opaque node id kept when formatting a node id. */
#define OPCUA_MAX_NODEID_STR 48

/* Chunk reassembly bookkeeping per direction: only the first chunk of a
 * multi-chunk message names the service, so it is kept until the final one. */
struct opcua_chunks {
    bool active;
    uint32_t request_id;
    uint32_t service; /* encoding id named by the first chunk, 0 when unknown */
    uint32_t count;
};

struct opcua_flow {
    uint8_t policy[2]; /* enum opcua_policy, per direction (0 = from the client) */
    uint8_t mode;      /* MessageSecurityMode from the OPN request, 0 = unknown */
    struct opcua_chunks chunks[2];
    uint32_t encrypted[2]; /* chunks left opaque, per direction */
    uint32_t aborted;      /* 'A' chunks */
};

/* A String or ByteString borrowed from the packet; len -1 is null. */
struct ua_str {
    const uint8_t *p;
    int32_t len;
};

struct ua_nodeid {
    uint8_t enc;
    uint16_t ns;
    uint32_t num;     /* numeric identifier (encodings 0-2) */
    const uint8_t *p; /* string, guid or opaque identifier */
    size_t n;
};

/* State of one body parse. */
struct ua {
    struct ot_msg *out;
    bool capped;      /* a cap stopped the walk: what follows is not parsed */
    bool policy_none; /* the channel is known to use SecurityPolicy#None */
    uint32_t n_nodes; /* node ids (or writes, or calls) recorded in this message */
};

static const struct opcua_service *service_by_req(uint32_t id)
{
    for (const struct opcua_service *s = opcua_services; s->name; s++)
        if (s->req == id)
            return s;
    return NULL;
}

static const struct opcua_service *service_by_resp(uint32_t id)
{
    for (const struct opcua_service *s = opcua_services; s->name; s++)
        if (s->resp == id)
            return s;
    return NULL;
}

static const char *status_name(uint32_t code)
{
    if (code == 0)
        return "Good";
    return ot_tok_name(opcua_status_codes, code & UA_STATUS_CODE_MASK);
}

static bool msg_type_valid(uint32_t t)
{
    return ot_tok_name(opcua_msg_types, t) != NULL;
}

static size_t msg_type_min(uint32_t t)
{
    switch (t) {
        case OPCUA_HEL: return OPCUA_HEL_MIN;
        case OPCUA_ACK: return OPCUA_ACK_MIN;
        case OPCUA_ERR: return OPCUA_ERR_MIN;
        case OPCUA_RHE: return OPCUA_RHE_MIN;
        case OPCUA_OPN: return OPCUA_OPN_MIN;
        default: return OPCUA_SYM_MIN;
    }
}

/* Checks a message header: known type, chunk type allowed for it, sane size. */
static bool header_valid(uint32_t type, uint8_t chunk, uint32_t size)
{
    if (!msg_type_valid(type))
        return false;
    if (type != OPCUA_MSG) {
        /* Part 6 6.7.2.2: the chunk type is only meaningful for MSG; it is
         * always 'F' for the other message types. */
        if (chunk != OPCUA_CHUNK_FINAL)
            return false;
    } else if (chunk != OPCUA_CHUNK_FINAL && chunk != OPCUA_CHUNK_INTERMEDIATE &&
               chunk != OPCUA_CHUNK_ABORT) {
        return false;
    }
    return size >= msg_type_min(type) && size <= OPCUA_MAX_CHUNK;
}

/* --- built-in types ------------------------------------------------------ */

/* Reads a String/ByteString: length -1 is null, below -1 is invalid. */
static struct ua_str rd_str(struct cur *c)
{
    struct ua_str s = {NULL, -1};
    int32_t len = (int32_t)cur_le32(c);
    if (!cur_ok(c))
        return s;
    if (len < -1) {
        cur_fail(c, CUR_INVALID);
        return s;
    }
    if (len > 0) {
        s.p = cur_bytes(c, (size_t)len);
        if (!s.p)
            return s;
    }
    s.len = len;
    return s;
}

static void skip_str(struct cur *c)
{
    (void)rd_str(c);
}

static void kv_str(struct ot_detail *d, const char *key, struct ua_str s)
{
    if (s.len < 0)
        return;
    ot_kv_str(d, key, s.p, (size_t)s.len < OPCUA_MAX_STR ? (size_t)s.len : OPCUA_MAX_STR);
}

static bool str_equals(struct ua_str s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len < 0 || (size_t)s.len != n)
        return false;
    struct cur c = cur_init(s.p, (size_t)s.len);
    for (size_t i = 0; i < n; i++)
        if (cur_u8(&c) != (uint8_t)lit[i])
            return false;
    return true;
}

/* Reads an array length: -1 (null) reads as 0; below -1 is invalid. */
static uint32_t rd_count(struct cur *c)
{
    int32_t n = (int32_t)cur_le32(c);
    if (!cur_ok(c))
        return 0;
    if (n < -1) {
        cur_fail(c, CUR_INVALID);
        return 0;
    }
    return n < 0 ? 0 : (uint32_t)n;
}

/* Stops the walk because a cap was reached (not a protocol error). */
static void cap_hit(struct ua *u, struct cur *c)
{
    u->capped = true;
    cur_fail(c, CUR_INVALID);
}

/* Stops the walk at nesting level `depth` beyond OPCUA_MAX_DEPTH; returns
 * true when it did. */
static bool too_deep(struct ua *u, struct cur *c, unsigned depth)
{
    if (depth <= OPCUA_MAX_DEPTH)
        return false;
    cap_hit(u, c);
    return true;
}

/* Reads a NodeId; with `expanded`, an ExpandedNodeId (namespace URI and
 * server index flags). */
static struct ua_nodeid rd_nodeid(struct cur *c, bool expanded)
{
    struct ua_nodeid id = {0, 0, 0, NULL, 0};
    uint8_t b = cur_u8(c);
    uint8_t flags = b & (UA_EXPANDED_NAMESPACE_URI | UA_EXPANDED_SERVER_INDEX);
    if (flags && !expanded) {
        cur_fail(c, CUR_INVALID);
        return id;
    }
    id.enc = b & (uint8_t)~flags;
    switch (id.enc) {
        case UA_NODEID_TWO_BYTE: id.num = cur_u8(c); break;
        case UA_NODEID_FOUR_BYTE:
            id.ns = cur_u8(c);
            id.num = cur_le16(c);
            break;
        case UA_NODEID_NUMERIC:
            id.ns = cur_le16(c);
            id.num = cur_le32(c);
            break;
        case UA_NODEID_STRING:
        case UA_NODEID_BYTESTRING: {
            id.ns = cur_le16(c);
            struct ua_str s = rd_str(c);
            id.p = s.p;
            id.n = s.len > 0 ? (size_t)s.len : 0;
            break;
        }
        case UA_NODEID_GUID:
            id.ns = cur_le16(c);
            id.p = cur_bytes(c, 16);
            id.n = 16;
            break;
        default: cur_fail(c, CUR_INVALID); return id;
    }
    if (flags & UA_EXPANDED_NAMESPACE_URI)
        skip_str(c);
    if (flags & UA_EXPANDED_SERVER_INDEX)
        cur_skip(c, 4);
    return id;
}

static bool nodeid_numeric(const struct ua_nodeid *id)
{
    return id->enc <= UA_NODEID_NUMERIC;
}

/* Formats a node id the way the OPC UA text notation does (Part 6 5.3.1.10):
 * "i=2258", "ns=2;s=Temperature", "ns=1;g=...", "ns=1;b=...". */
static void fmt_nodeid(struct sbuf *b, const struct ua_nodeid *id)
{
    if (id->ns != 0) {
        sb_str(b, "ns=");
        sb_dec(b, id->ns, 1);
        sb_str(b, ";");
    }
    switch (id->enc) {
        case UA_NODEID_STRING: {
            sb_str(b, "s=");
            struct cur c =
                cur_init(id->p, id->n < OPCUA_MAX_NODEID_STR ? id->n : OPCUA_MAX_NODEID_STR);
            while (cur_left(&c) > 0 && b->n + 1 < b->cap)
                sb_ascii(b, cur_u8(&c));
            break;
        }
        case UA_NODEID_GUID:
            sb_str(b, "g=");
            sb_hex_bytes(b, id->p, id->n);
            break;
        case UA_NODEID_BYTESTRING:
            sb_str(b, "b=");
            sb_hex_bytes(b, id->p,
                         id->n < OPCUA_MAX_NODEID_STR / 2 ? id->n : OPCUA_MAX_NODEID_STR / 2);
            break;
        default:
            sb_str(b, "i=");
            sb_dec(b, id->num, 1);
            break;
    }
}

static void kv_nodeid(struct ot_detail *d, const char *key, const struct ua_nodeid *id)
{
    char buf[96];
    struct sbuf b = sb_init(buf, sizeof(buf));
    fmt_nodeid(&b, id);
    ot_kv_str(d, key, buf, b.n);
}

/* The address of a node for ranges and values: numeric ids are themselves
 * (space "node", space_id = namespace index); string, guid and opaque ids,
 * the usual form on PLC servers ("ns=3;s=\"DB1\".speed"), are the 64-bit
 * FNV-1a hash of their identifier in a space of their own, space_id =
 * namespace index | kind << 16, so baselines can still learn which nodes a
 * client touches and which values it writes. */
static const char *node_addr(const struct ua_nodeid *id, uint32_t *space_id, uint64_t *addr)
{
    if (nodeid_numeric(id)) {
        *space_id = id->ns;
        *addr = id->num;
        return "node";
    }
    uint64_t h = 0xcbf29ce484222325ull;
    struct cur c = cur_init(id->p, id->n);
    while (cur_left(&c) > 0) {
        h ^= cur_u8(&c);
        h *= 0x100000001b3ull;
    }
    *addr = h;
    switch (id->enc) {
        case UA_NODEID_STRING:
            *space_id = (uint32_t)id->ns | UA_NODE_SPACE_STRING;
            return "node_string";
        case UA_NODEID_GUID: *space_id = (uint32_t)id->ns | UA_NODE_SPACE_GUID; return "node_guid";
        default: *space_id = (uint32_t)id->ns | UA_NODE_SPACE_OPAQUE; return "node_opaque";
    }
}

/* Adds a node touched by the request to the message's address ranges, and
 * returns its address. */
static void add_node_range(struct ua *u, const struct ua_nodeid *id, uint32_t *space_id,
                           uint64_t *addr)
{
    const char *space = node_addr(id, space_id, addr);
    ot_msg_add_range(u->out, space, *space_id, *addr, 1);
}

/* Records a node touched by the request once the element naming it has been
 * read whole (nothing when `c` has failed): its address range, and its text
 * form in the open "nodes" array of the detail, up to OPCUA_MAX_DETAIL_NODES. */
static void note_node(struct ua *u, const struct cur *c, const struct ua_nodeid *id)
{
    if (!cur_ok(c))
        return;
    uint32_t space_id;
    uint64_t addr;
    add_node_range(u, id, &space_id, &addr);
    if (u->n_nodes++ < OPCUA_MAX_DETAIL_NODES)
        kv_nodeid(&u->out->detail, NULL, id);
}

static void skip_qualified_name(struct cur *c)
{
    cur_skip(c, 2);
    skip_str(c);
}

static void skip_localized_text(struct cur *c)
{
    uint8_t mask = cur_u8(c);
    if (mask & UA_LT_LOCALE)
        skip_str(c);
    if (mask & UA_LT_TEXT)
        skip_str(c);
}

/* Reads a LocalizedText, returning its text (null when absent). */
static struct ua_str rd_localized_text(struct cur *c)
{
    struct ua_str text = {NULL, -1};
    uint8_t mask = cur_u8(c);
    if (mask & UA_LT_LOCALE)
        skip_str(c);
    if (mask & UA_LT_TEXT)
        text = rd_str(c);
    return text;
}

/* Skips an ExtensionObject, returning its type id. */
static struct ua_nodeid skip_extobj(struct cur *c)
{
    struct ua_nodeid type = rd_nodeid(c, false);
    uint8_t enc = cur_u8(c);
    if (enc == UA_EXTOBJ_BINARY || enc == UA_EXTOBJ_XML)
        skip_str(c);
    else if (enc != UA_EXTOBJ_NO_BODY)
        cur_fail(c, CUR_INVALID);
    return type;
}

static void skip_diaginfo(struct ua *u, struct cur *c, unsigned depth)
{
    if (too_deep(u, c, depth))
        return;
    uint8_t mask = cur_u8(c);
    if (mask & UA_DI_SYMBOLIC_ID)
        cur_skip(c, 4);
    if (mask & UA_DI_NAMESPACE)
        cur_skip(c, 4);
    if (mask & UA_DI_LOCALE)
        cur_skip(c, 4);
    if (mask & UA_DI_LOCALIZED_TEXT)
        cur_skip(c, 4);
    if (mask & UA_DI_ADDITIONAL_INFO)
        skip_str(c);
    if (mask & UA_DI_INNER_STATUS)
        cur_skip(c, 4);
    if (mask & UA_DI_INNER_DIAG)
        skip_diaginfo(u, c, depth + 1);
}

static void skip_variant(struct ua *u, struct cur *c, unsigned depth);
static void skip_datavalue(struct ua *u, struct cur *c, unsigned depth);

/* Size of a fixed-size built-in type, 0 for variable-size ones. */
static size_t builtin_size(uint8_t type)
{
    switch (type) {
        case UA_BOOLEAN:
        case UA_SBYTE:
        case UA_BYTE: return 1;
        case UA_INT16:
        case UA_UINT16: return 2;
        case UA_INT32:
        case UA_UINT32:
        case UA_FLOAT:
        case UA_STATUSCODE: return 4;
        case UA_INT64:
        case UA_UINT64:
        case UA_DOUBLE:
        case UA_DATETIME: return 8;
        case UA_GUID: return 16;
        default: return 0;
    }
}

static void skip_builtin(struct ua *u, struct cur *c, uint8_t type, unsigned depth)
{
    size_t size = builtin_size(type);
    if (size) {
        cur_skip(c, size);
        return;
    }
    switch (type) {
        case UA_STRING:
        case UA_BYTESTRING:
        case UA_XMLELEMENT: skip_str(c); break;
        case UA_NODEID: (void)rd_nodeid(c, false); break;
        case UA_EXPANDEDNODEID: (void)rd_nodeid(c, true); break;
        case UA_QUALIFIEDNAME: skip_qualified_name(c); break;
        case UA_LOCALIZEDTEXT: skip_localized_text(c); break;
        case UA_EXTENSIONOBJECT: (void)skip_extobj(c); break;
        case UA_DATAVALUE: skip_datavalue(u, c, depth + 1); break;
        case UA_VARIANT: skip_variant(u, c, depth + 1); break;
        case UA_DIAGNOSTICINFO: skip_diaginfo(u, c, depth + 1); break;
        default:
            cur_fail(c, CUR_INVALID); /* Part 6 5.2.2.16: ids above 25 are reserved */
            break;
    }
}

/* Skips `n` elements of a built-in type. */
static void skip_builtin_array(struct ua *u, struct cur *c, uint8_t type, uint32_t n,
                               unsigned depth)
{
    size_t size = builtin_size(type);
    if (size) {
        if (n > cur_left(c) / size)
            cur_fail(c, CUR_TRUNC);
        else
            cur_skip(c, (size_t)n * size);
        return;
    }
    if (n > OPCUA_MAX_SKIP) {
        cap_hit(u, c);
        return;
    }
    for (uint32_t i = 0; i < n && cur_ok(c); i++)
        skip_builtin(u, c, type, depth);
}

static void skip_str_array(struct ua *u, struct cur *c)
{
    skip_builtin_array(u, c, UA_STRING, rd_count(c), 0);
}

static void skip_variant(struct ua *u, struct cur *c, unsigned depth)
{
    if (too_deep(u, c, depth))
        return;
    uint8_t mask = cur_u8(c);
    uint8_t type = mask & UA_VARIANT_TYPE_MASK;
    if (type == 0) /* null variant: nothing follows */
        return;
    if (mask & UA_VARIANT_ARRAY)
        skip_builtin_array(u, c, type, rd_count(c), depth);
    else
        skip_builtin(u, c, type, depth);
    if (mask & UA_VARIANT_ARRAY_DIMENSIONS)
        skip_builtin_array(u, c, UA_INT32, rd_count(c), depth);
}

/* Skips the fields of a DataValue that follow its value: status and
 * timestamps, as `mask` announces them. */
static void skip_datavalue_tail(struct cur *c, uint8_t mask)
{
    if (mask & UA_DV_STATUS)
        cur_skip(c, 4);
    if (mask & UA_DV_SOURCE_TS)
        cur_skip(c, 8);
    if (mask & UA_DV_SOURCE_PICO)
        cur_skip(c, 2);
    if (mask & UA_DV_SERVER_TS)
        cur_skip(c, 8);
    if (mask & UA_DV_SERVER_PICO)
        cur_skip(c, 2);
}

static void skip_datavalue(struct ua *u, struct cur *c, unsigned depth)
{
    if (too_deep(u, c, depth))
        return;
    uint8_t mask = cur_u8(c);
    if (mask & UA_DV_VALUE)
        skip_variant(u, c, depth + 1);
    skip_datavalue_tail(c, mask);
}

/* Reads a scalar numeric or boolean Variant as a double; any other variant is
 * skipped and reported as not simple. */
static bool rd_variant_scalar(struct ua *u, struct cur *c, double *v)
{
    uint8_t mask = cur_peek_u8(c);
    uint8_t type = mask & UA_VARIANT_TYPE_MASK;
    if (mask & (UA_VARIANT_ARRAY | UA_VARIANT_ARRAY_DIMENSIONS) || type > UA_DOUBLE || type == 0) {
        skip_variant(u, c, 0);
        return false;
    }
    cur_skip(c, 1);
    switch (type) {
        case UA_BOOLEAN: *v = cur_u8(c) ? 1 : 0; break;
        case UA_SBYTE: *v = (int8_t)cur_u8(c); break;
        case UA_BYTE: *v = cur_u8(c); break;
        case UA_INT16: *v = (int16_t)cur_le16(c); break;
        case UA_UINT16: *v = cur_le16(c); break;
        case UA_INT32: *v = (int32_t)cur_le32(c); break;
        case UA_UINT32: *v = cur_le32(c); break;
        case UA_INT64: *v = (double)(int64_t)cur_le64(c); break;
        case UA_UINT64: *v = (double)cur_le64(c); break;
        case UA_FLOAT: {
            uint32_t bits = cur_le32(c);
            float f;
            memcpy(&f, &bits, sizeof(f));
            *v = f;
            break;
        }
        default: { /* UA_DOUBLE */
            uint64_t bits = cur_le64(c);
            double d;
            memcpy(&d, &bits, sizeof(d));
            *v = d;
            break;
        }
    }
    return cur_ok(c);
}

static int64_t datetime_to_unix_us(int64_t t)
{
    return (t - UA_DATETIME_UNIX_EPOCH) / 10;
}

/* --- request / response headers (Part 4 sections 7.28, 7.29) -------------- */

/* The fields both headers carry: timestamp and requestHandle. */
static void kv_header_common(struct ot_detail *d, int64_t ts, uint32_t handle)
{
    if (ts > 0)
        ot_kv_i64(d, "timestamp_us", datetime_to_unix_us(ts));
    ot_kv_u64(d, "request_handle", handle);
}

static void rd_request_header(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    (void)rd_nodeid(c, false); /* authenticationToken: a session secret, never copied */
    int64_t ts = (int64_t)cur_le64(c);
    uint32_t handle = cur_le32(c);
    cur_skip(c, 4); /* returnDiagnostics */
    struct ua_str audit = rd_str(c);
    uint32_t timeout = cur_le32(c);
    (void)skip_extobj(c); /* additionalHeader */
    if (!cur_ok(c))
        return;
    kv_header_common(d, ts, handle);
    ot_kv_u64(d, "timeout_hint", timeout);
    kv_str(d, "audit_entry_id", audit);
}

static void rd_response_header(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    int64_t ts = (int64_t)cur_le64(c);
    uint32_t handle = cur_le32(c);
    uint32_t result = cur_le32(c);
    skip_diaginfo(u, c, 0);
    skip_str_array(u, c); /* stringTable */
    (void)skip_extobj(c); /* additionalHeader */
    if (!cur_ok(c))
        return;
    kv_header_common(d, ts, handle);
    ot_kv_u64(d, "service_result", result);
    if (result & UA_STATUS_SEVERITY_BAD)
        ot_msg_set_exception(u->out, result, status_name(result));
}

/* --- service bodies -------------------------------------------------------- */

/* ApplicationDescription (Part 4 section 7.1); with `ident`, the application
 * names the sender in the message identity; with `emit`, it goes in the detail. */
static void rd_application_description(struct ua *u, struct cur *c, bool ident, bool from_server,
                                       bool emit)
{
    struct ua_str uri = rd_str(c);
    struct ua_str product = rd_str(c);
    struct ua_str name = rd_localized_text(c);
    uint32_t type = cur_le32(c);
    skip_str(c);          /* gatewayServerUri */
    skip_str(c);          /* discoveryProfileUri */
    skip_str_array(u, c); /* discoveryUrls */
    if (!cur_ok(c))
        return;
    struct ot_detail *d = &u->out->detail;
    if (emit) {
        kv_str(d, "application_uri", uri);
        kv_str(d, "product_uri", product);
        kv_str(d, "application_name", name);
        ot_kv_u64(d, "application_type", type);
    }
    if (!ident || u->out->identity.present)
        return;
    struct ot_identity *id = &u->out->identity;
    if (product.len > 0)
        ot_ident_set(id->product, product.p, (size_t)product.len);
    if (name.len > 0)
        ot_ident_set(id->name, name.p, (size_t)name.len);
    else if (uri.len > 0)
        ot_ident_set(id->name, uri.p, (size_t)uri.len);
    id->present = id->product[0] != '\0' || id->name[0] != '\0';
    id->from_server = from_server;
}

/* EndpointDescription[] (Part 4 section 7.10): the server's identity from the
 * first one, and each endpoint's security mode, policy and token types. */
static void rd_endpoints(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    uint32_t n = rd_count(c);
    bool any_none = false;
    uint32_t all_tokens = 0; /* bit per UserTokenType offered by any endpoint */
    ot_kv_u64(d, "endpoint_count", n);
    ot_kv_arr(d, "endpoints");
    for (uint32_t i = 0; i < n && cur_ok(c); i++) {
        if (i >= OPCUA_MAX_ENDPOINTS) {
            cap_hit(u, c);
            break;
        }
        ot_kv_obj(d, NULL);
        struct ua_str url = rd_str(c);
        if (i == 0)
            kv_str(d, "endpoint_url", url);
        rd_application_description(u, c, true, true, i == 0);
        skip_str(c); /* serverCertificate */
        uint32_t mode = cur_le32(c);
        struct ua_str policy = rd_str(c);
        if (cur_ok(c)) {
            const char *mode_name = ot_tok_name(opcua_security_modes, mode);
            if (mode_name)
                ot_kv_cstr(d, "security_mode", mode_name);
            else
                ot_kv_u64(d, "security_mode", mode);
            kv_str(d, "security_policy", policy);
            if (mode == UA_MODE_NONE || str_equals(policy, OPCUA_POLICY_NONE))
                any_none = true;
        }
        uint32_t n_tokens = rd_count(c);
        uint32_t tokens = 0;
        for (uint32_t t = 0; t < n_tokens && cur_ok(c); t++) {
            if (t >= OPCUA_MAX_ITEMS) {
                cap_hit(u, c);
                break;
            }
            skip_str(c); /* policyId */
            uint32_t token_type = cur_le32(c);
            skip_str(c); /* issuedTokenType */
            skip_str(c); /* issuerEndpointUrl */
            skip_str(c); /* securityPolicyUri */
            if (cur_ok(c) && token_type < 32)
                tokens |= 1u << token_type;
        }
        /* Each token type once: servers list one policy per security policy. */
        ot_kv_arr(d, "user_token_types");
        for (const struct ot_tok *t = opcua_user_token_types; t->s; t++)
            if (tokens & 1u << t->v)
                ot_kv_cstr(d, NULL, t->s);
        ot_kv_end(d);
        all_tokens |= tokens;
        skip_str(c);    /* transportProfileUri */
        cur_skip(c, 1); /* securityLevel */
        ot_kv_end(d);
    }
    ot_kv_end(d);
    if (any_none)
        ot_kv_bool(d, "endpoint_security_none", true);
    if (all_tokens & 1u) /* UserTokenType Anonymous */
        ot_kv_bool(d, "anonymous_allowed", true);
}

static void rd_create_session_req(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    ot_kv_obj(d, "client");
    rd_application_description(u, c, true, false, true);
    ot_kv_end(d);
    skip_str(c); /* serverUri */
    struct ua_str url = rd_str(c);
    struct ua_str session = rd_str(c);
    if (!cur_ok(c))
        return;
    kv_str(d, "endpoint_url", url);
    kv_str(d, "session_name", session);
}

static void rd_create_session_resp(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    struct ua_nodeid session = rd_nodeid(c, false);
    (void)rd_nodeid(c, false); /* authenticationToken: a secret */
    cur_skip(c, 8);            /* revisedSessionTimeout */
    skip_str(c);               /* serverNonce */
    skip_str(c);               /* serverCertificate */
    if (!cur_ok(c))
        return;
    kv_nodeid(d, "session_id", &session);
    rd_endpoints(u, c);
}

/* ActivateSessionRequest (Part 4 section 5.6.3): the user identity token. */
static void rd_activate_session_req(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    skip_str(c);              /* clientSignature.algorithm */
    skip_str(c);              /* clientSignature.signature */
    uint32_t n = rd_count(c); /* clientSoftwareCertificates: 2 ByteStrings each */
    skip_builtin_array(u, c, UA_BYTESTRING, n > UINT32_MAX / 2 ? UINT32_MAX : n * 2, 0);
    skip_str_array(u, c); /* localeIds */
    struct ua_nodeid type = rd_nodeid(c, false);
    uint8_t enc = cur_u8(c);
    if (!cur_ok(c))
        return;
    const char *token =
        nodeid_numeric(&type) && type.ns == 0 ? ot_tok_name(opcua_identity_tokens, type.num) : NULL;
    if (enc == UA_EXTOBJ_NO_BODY && type.num == 0) {
        /* A null token means anonymous (Part 4 section 5.6.3.2). */
        ot_kv_cstr(d, "identity_token", "anonymous");
        return;
    }
    if (enc != UA_EXTOBJ_BINARY) {
        if (enc != UA_EXTOBJ_XML && enc != UA_EXTOBJ_NO_BODY)
            cur_fail(c, CUR_INVALID);
        if (token)
            ot_kv_cstr(d, "identity_token", token);
        return;
    }
    struct ua_str body = rd_str(c);
    if (!cur_ok(c))
        return;
    if (token)
        ot_kv_cstr(d, "identity_token", token);
    else
        kv_nodeid(d, "identity_token_type", &type);
    if (!token || type.num != UA_USERNAME_IDENTITY_TOKEN || body.len <= 0)
        return;
    /* UserNameIdentityToken: policyId, userName, password, encryptionAlgorithm. */
    struct cur t = cur_init(body.p, (size_t)body.len);
    skip_str(&t);
    struct ua_str user = rd_str(&t);
    struct ua_str password = rd_str(&t); /* never copied */
    struct ua_str alg = rd_str(&t);
    if (!cur_ok(&t))
        return;
    if (u->policy_none)
        kv_str(d, "user_name", user);
    ot_kv_bool(d, "password_present", password.len > 0);
    ot_kv_bool(d, "password_encrypted", alg.len > 0);
}

/* Reads one element of a request's item array and records what it touches,
 * once the whole element has been read. */
typedef void (*ua_item_fn)(struct ua *u, struct cur *c);

/* Walks the `n` elements of a request's item array, whose count the caller
 * has just read (nothing is emitted when the cursor failed there): the count
 * under `count_key`, then the array `array_key` the elements fill, at most
 * OPCUA_MAX_ITEMS of them. */
static void rd_items(struct ua *u, struct cur *c, uint32_t n, const char *count_key,
                     const char *array_key, ua_item_fn item)
{
    struct ot_detail *d = &u->out->detail;
    if (!cur_ok(c))
        return;
    ot_kv_u64(d, count_key, n);
    ot_kv_arr(d, array_key);
    for (uint32_t i = 0; i < n && cur_ok(c); i++) {
        if (i >= OPCUA_MAX_ITEMS) {
            cap_hit(u, c);
            break;
        }
        item(u, c);
    }
    ot_kv_end(d);
}

/* The common item array: elements naming nodes, listed as "nodes". */
static void rd_node_items(struct ua *u, struct cur *c, ua_item_fn item)
{
    uint32_t n = rd_count(c);
    rd_items(u, c, n, "node_count", "nodes", item);
}

/* ReadValueId (Part 4 section 7.24): the node; the attribute, index range
 * and data encoding are skipped. */
static struct ua_nodeid rd_read_value_id(struct cur *c)
{
    struct ua_nodeid id = rd_nodeid(c, false);
    cur_skip(c, 4);         /* attributeId */
    skip_str(c);            /* indexRange */
    skip_qualified_name(c); /* dataEncoding */
    return id;
}

static void rd_read_item(struct ua *u, struct cur *c)
{
    struct ua_nodeid id = rd_read_value_id(c);
    note_node(u, c, &id);
}

/* ReadRequest (Part 4 section 5.10.2): ReadValueId[] node ids. */
static void rd_read_req(struct ua *u, struct cur *c)
{
    cur_skip(c, 8); /* maxAge */
    cur_skip(c, 4); /* timestampsToReturn */
    rd_node_items(u, c, rd_read_item);
}

/* HistoryReadValueId (Part 4 section 5.10.3). */
static void rd_history_read_item(struct ua *u, struct cur *c)
{
    struct ua_nodeid id = rd_nodeid(c, false);
    skip_str(c);            /* indexRange */
    skip_qualified_name(c); /* dataEncoding */
    skip_str(c);            /* continuationPoint */
    note_node(u, c, &id);
}

/* HistoryReadRequest (Part 4 section 5.10.3): HistoryReadValueId[] node ids. */
static void rd_history_read_req(struct ua *u, struct cur *c)
{
    (void)skip_extobj(c); /* historyReadDetails */
    cur_skip(c, 4);       /* timestampsToReturn */
    cur_skip(c, 1);       /* releaseContinuationPoints */
    rd_node_items(u, c, rd_history_read_item);
}

/* WriteValue (Part 4 section 5.10.4): a simple scalar value written to the
 * Value attribute becomes a message value; the first
 * OPCUA_MAX_DETAIL_NODES / 2 writes are listed. */
static void rd_write_item(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    struct ua_nodeid id = rd_nodeid(c, false);
    uint32_t attr = cur_le32(c);
    skip_str(c); /* indexRange */
    uint8_t mask = cur_u8(c);
    double v = 0;
    bool simple = false;
    if (mask & UA_DV_VALUE)
        simple = rd_variant_scalar(u, c, &v);
    skip_datavalue_tail(c, mask);
    if (!cur_ok(c))
        return;
    uint32_t space_id;
    uint64_t addr;
    add_node_range(u, &id, &space_id, &addr);
    if (simple && attr == UA_ATTRIBUTE_VALUE)
        ot_msg_add_value(u->out, space_id, addr, v);
    if (u->n_nodes++ >= OPCUA_MAX_DETAIL_NODES / 2)
        return;
    ot_kv_obj(d, NULL);
    kv_nodeid(d, "node_id", &id);
    if (attr != UA_ATTRIBUTE_VALUE)
        ot_kv_u64(d, "attribute_id", attr);
    if (simple)
        ot_kv_dbl(d, "value", v);
    ot_kv_end(d);
}

/* WriteRequest (Part 4 section 5.10.4): WriteValue[]. */
static void rd_write_req(struct ua *u, struct cur *c)
{
    uint32_t n = rd_count(c);
    rd_items(u, c, n, "node_count", "writes", rd_write_item);
}

/* BrowseDescription (Part 4 section 5.8.2). */
static void rd_browse_item(struct ua *u, struct cur *c)
{
    struct ua_nodeid id = rd_nodeid(c, false);
    cur_skip(c, 4);            /* browseDirection */
    (void)rd_nodeid(c, false); /* referenceTypeId */
    cur_skip(c, 1 + 4 + 4);    /* includeSubtypes, nodeClassMask, resultMask */
    note_node(u, c, &id);
}

/* BrowseRequest (Part 4 section 5.8.2): BrowseDescription[] node ids. */
static void rd_browse_req(struct ua *u, struct cur *c)
{
    (void)rd_nodeid(c, false); /* view.viewId */
    cur_skip(c, 8);            /* view.timestamp */
    cur_skip(c, 4);            /* view.viewVersion */
    cur_skip(c, 4);            /* requestedMaxReferencesPerNode */
    rd_node_items(u, c, rd_browse_item);
}

/* A bare NodeId (RegisterNodesRequest, Part 4 section 5.9.5). */
static void rd_node_item(struct ua *u, struct cur *c)
{
    struct ua_nodeid id = rd_nodeid(c, false);
    note_node(u, c, &id);
}

/* DeleteNodesItem (Part 4 section 5.7.4): the node and a Boolean. */
static void rd_delete_nodes_item(struct ua *u, struct cur *c)
{
    struct ua_nodeid id = rd_nodeid(c, false);
    cur_skip(c, 1); /* deleteTargetReferences */
    note_node(u, c, &id);
}

/* AddNodesItem (Part 4 section 5.7.2): the parent and requested node ids. */
static void rd_add_nodes_item(struct ua *u, struct cur *c)
{
    struct ua_nodeid parent = rd_nodeid(c, true);
    (void)rd_nodeid(c, false); /* referenceTypeId */
    struct ua_nodeid requested = rd_nodeid(c, true);
    skip_qualified_name(c);   /* browseName */
    cur_skip(c, 4);           /* nodeClass */
    (void)skip_extobj(c);     /* nodeAttributes */
    (void)rd_nodeid(c, true); /* typeDefinition */
    note_node(u, c, &parent);
    if (requested.enc != UA_NODEID_TWO_BYTE || requested.num != 0)
        note_node(u, c, &requested);
}

/* CallMethodRequest (Part 4 section 5.11.2): object and method of the call;
 * the first OPCUA_MAX_DETAIL_NODES / 2 calls are listed. */
static void rd_call_item(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    struct ua_nodeid object = rd_nodeid(c, false);
    struct ua_nodeid method = rd_nodeid(c, false);
    uint32_t n_args = rd_count(c);
    skip_builtin_array(u, c, UA_VARIANT, n_args, 0);
    if (!cur_ok(c))
        return;
    uint32_t space_id;
    uint64_t addr;
    add_node_range(u, &method, &space_id, &addr);
    if (u->n_nodes++ >= OPCUA_MAX_DETAIL_NODES / 2)
        return;
    ot_kv_obj(d, NULL);
    kv_nodeid(d, "object_id", &object);
    kv_nodeid(d, "method_id", &method);
    ot_kv_u64(d, "argument_count", n_args);
    ot_kv_end(d);
}

/* CallRequest (Part 4 section 5.11.2): CallMethodRequest[]. */
static void rd_call_req(struct ua *u, struct cur *c)
{
    uint32_t n = rd_count(c);
    rd_items(u, c, n, "method_count", "methods", rd_call_item);
}

/* MonitoredItemCreateRequest (Part 4 section 5.12.2): the monitored node,
 * then the monitoring mode and parameters. */
static void rd_monitored_item(struct ua *u, struct cur *c)
{
    struct ua_nodeid id = rd_read_value_id(c);
    cur_skip(c, 4);       /* monitoringMode */
    cur_skip(c, 4 + 8);   /* clientHandle, samplingInterval */
    (void)skip_extobj(c); /* filter */
    cur_skip(c, 4 + 1);   /* queueSize, discardOldest */
    note_node(u, c, &id);
}

/* CreateMonitoredItemsRequest (Part 4 section 5.12.2): the monitored nodes. */
static void rd_create_monitored_items_req(struct ua *u, struct cur *c)
{
    uint32_t sub = cur_le32(c);
    cur_skip(c, 4); /* timestampsToReturn */
    uint32_t n = rd_count(c);
    if (cur_ok(c))
        ot_kv_u64(&u->out->detail, "subscription_id", sub);
    rd_items(u, c, n, "node_count", "nodes", rd_monitored_item);
}

/* WriteResponse: how many of the results are bad. */
static void rd_status_results(struct ua *u, struct cur *c)
{
    uint32_t n = rd_count(c);
    uint32_t bad = 0;
    uint32_t first_bad = 0;
    if (n > OPCUA_MAX_SKIP) {
        cap_hit(u, c);
        return;
    }
    for (uint32_t i = 0; i < n && cur_ok(c); i++) {
        uint32_t s = cur_le32(c);
        if (cur_ok(c) && (s & UA_STATUS_SEVERITY_BAD)) {
            if (bad++ == 0)
                first_bad = s;
        }
    }
    if (!cur_ok(c))
        return;
    ot_kv_u64(&u->out->detail, "result_count", n);
    if (bad) {
        ot_kv_u64(&u->out->detail, "bad_results", bad);
        const char *name = status_name(first_bad);
        if (name)
            ot_kv_cstr(&u->out->detail, "first_bad_result", name);
    }
}

static void rd_open_secure_channel_req(struct ua *u, struct cur *c, uint8_t *mode_out)
{
    struct ot_detail *d = &u->out->detail;
    uint32_t version = cur_le32(c);
    uint32_t type = cur_le32(c);
    uint32_t mode = cur_le32(c);
    struct ua_str nonce = rd_str(c);
    uint32_t lifetime = cur_le32(c);
    if (!cur_ok(c))
        return;
    ot_kv_u64(d, "client_protocol_version", version);
    const char *tn = ot_tok_name(opcua_request_types, type);
    if (tn)
        ot_kv_cstr(d, "request_type", tn);
    else
        ot_kv_u64(d, "request_type", type);
    const char *mn = ot_tok_name(opcua_security_modes, mode);
    if (mn)
        ot_kv_cstr(d, "security_mode", mn);
    else
        ot_kv_u64(d, "security_mode", mode);
    ot_kv_u64(d, "client_nonce_length", nonce.len > 0 ? (uint64_t)nonce.len : 0);
    ot_kv_u64(d, "requested_lifetime", lifetime);
    if (mode <= UA_MODE_SIGN_AND_ENCRYPT)
        *mode_out = (uint8_t)mode;
}

static void rd_open_secure_channel_resp(struct ua *u, struct cur *c)
{
    struct ot_detail *d = &u->out->detail;
    uint32_t version = cur_le32(c);
    uint32_t channel = cur_le32(c);
    uint32_t token = cur_le32(c);
    cur_skip(c, 8); /* createdAt */
    uint32_t lifetime = cur_le32(c);
    if (!cur_ok(c))
        return;
    ot_kv_u64(d, "server_protocol_version", version);
    ot_kv_u64(d, "channel_id", channel);
    ot_kv_u64(d, "token_id", token);
    ot_kv_u64(d, "revised_lifetime", lifetime);
}

/* Parses the service named by `type` (an encoding id in namespace 0). */
static void rd_service_body(struct ua *u, struct cur *c, uint32_t type, bool request,
                            uint8_t *mode_out)
{
    if (request)
        rd_request_header(u, c);
    else
        rd_response_header(u, c);
    if (!cur_ok(c))
        return;
    switch (type) {
        case UA_OPEN_SECURE_CHANNEL_REQ: rd_open_secure_channel_req(u, c, mode_out); break;
        case UA_OPEN_SECURE_CHANNEL_RESP: rd_open_secure_channel_resp(u, c); break;
        case UA_CREATE_SESSION_REQ: rd_create_session_req(u, c); break;
        case UA_CREATE_SESSION_RESP: rd_create_session_resp(u, c); break;
        case UA_ACTIVATE_SESSION_REQ: rd_activate_session_req(u, c); break;
        case UA_GET_ENDPOINTS_REQ:
        case UA_FIND_SERVERS_REQ: {
            struct ua_str url = rd_str(c);
            if (cur_ok(c))
                kv_str(&u->out->detail, "endpoint_url", url);
            break;
        }
        case UA_GET_ENDPOINTS_RESP: rd_endpoints(u, c); break;
        case UA_FIND_SERVERS_RESP: {
            uint32_t n = rd_count(c);
            if (n > 0 && cur_ok(c))
                rd_application_description(u, c, true, true, true);
            break;
        }
        case UA_READ_REQ: rd_read_req(u, c); break;
        case UA_HISTORY_READ_REQ: rd_history_read_req(u, c); break;
        case UA_WRITE_REQ: rd_write_req(u, c); break;
        case UA_WRITE_RESP: rd_status_results(u, c); break;
        case UA_BROWSE_REQ: rd_browse_req(u, c); break;
        case UA_REGISTER_NODES_REQ: rd_node_items(u, c, rd_node_item); break;
        case UA_DELETE_NODES_REQ: rd_node_items(u, c, rd_delete_nodes_item); break;
        case UA_ADD_NODES_REQ: rd_node_items(u, c, rd_add_nodes_item); break;
        case UA_CALL_REQ: rd_call_req(u, c); break;
        case UA_CREATE_MONITORED_ITEMS_REQ: rd_create_monitored_items_req(u, c); break;
        case UA_CLOSE_SESSION_REQ: {
            uint8_t del = cur_u8(c);
            if (cur_ok(c))
                ot_kv_bool(&u->out->detail, "delete_subscriptions", del != 0);
            break;
        }
        case UA_CREATE_SUBSCRIPTION_REQ: {
            uint64_t bits = cur_le64(c);
            double interval;
            memcpy(&interval, &bits, sizeof(interval));
            if (cur_ok(c))
                ot_kv_dbl(&u->out->detail, "requested_publishing_interval", interval);
            break;
        }
        default: break; /* the service is named; its body is not needed */
    }
}

/* --- messages ------------------------------------------------------------- */

/* The service type of a message body: fills function, direction and
 * exception; returns false when the NodeId does not name a known service
 * (the body is then opaque: encrypted, or not OPC UA). */
static bool name_service(struct ot_msg *out, const struct ua_nodeid *type, bool *request)
{
    if (!nodeid_numeric(type) || type->ns != 0)
        return false;
    ot_kv_u64(&out->detail, "service_node_id", type->num);
    if (type->num == UA_SERVICE_FAULT) {
        ot_msg_set_function(out, UA_SERVICE_FAULT, "ServiceFault", OT_OP_OTHER);
        ot_kv_cstr(&out->detail, "service", "ServiceFault");
        *request = false;
        return true;
    }
    const struct opcua_service *s = service_by_req(type->num);
    *request = s != NULL;
    if (!s)
        s = service_by_resp(type->num);
    if (!s)
        return false;
    ot_msg_set_function(out, s->req, s->name, s->op);
    return true;
}

static void mark_encrypted(struct ot_msg *out, struct opcua_flow *fs, int dir)
{
    ot_msg_set_function(out, 0, "encrypted", OT_OP_OTHER);
    out->pair = OT_PAIR_NONE;
    ot_kv_bool(&out->detail, "encrypted", true);
    if (fs && fs->encrypted[dir] < UINT32_MAX)
        fs->encrypted[dir]++;
}

static enum ot_parse parse_hello(struct cur *c, struct ot_msg *out, uint32_t type)
{
    struct ot_detail *d = &out->detail;
    uint32_t version = cur_le32(c);
    uint32_t rbs = cur_le32(c);
    uint32_t sbs = cur_le32(c);
    uint32_t mms = cur_le32(c);
    uint32_t mcc = cur_le32(c);
    struct ua_str url = {NULL, -1};
    if (type == OPCUA_HEL)
        url = rd_str(c);
    if (!cur_ok(c))
        return OT_PARSE_INVALID;
    /* HEL and ACK pair on a fixed key: a channel has one handshake, and
     * request ids of the secure conversation start at 1 (Part 6 6.7.2.4). */
    out->pair = OT_PAIR_KEYED;
    out->txn_key = 0;
    out->dir = type == OPCUA_HEL ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    ot_msg_set_function(out, OPCUA_HEL, "Hello", OT_OP_OTHER);
    ot_kv_u64(d, "protocol_version", version);
    ot_kv_u64(d, "receive_buffer_size", rbs);
    ot_kv_u64(d, "send_buffer_size", sbs);
    ot_kv_u64(d, "max_message_size", mms);
    ot_kv_u64(d, "max_chunk_count", mcc);
    kv_str(d, "endpoint_url", url);
    return OT_PARSE_OK;
}

static enum ot_parse parse_error(struct cur *c, struct ot_msg *out)
{
    uint32_t err = cur_le32(c);
    struct ua_str reason = rd_str(c);
    if (!cur_ok(c))
        return OT_PARSE_INVALID;
    /* ERR answers the HEL (or ends the connection later); it pairs with a
     * pending HEL and is a record of its own otherwise. */
    out->pair = OT_PAIR_KEYED;
    out->txn_key = 0;
    out->dir = OT_DIR_RESPONSE;
    ot_msg_set_function(out, OPCUA_HEL, "Hello", OT_OP_OTHER);
    ot_kv_u64(&out->detail, "error", err);
    kv_str(&out->detail, "reason", reason);
    ot_msg_set_exception(out, err, status_name(err));
    return OT_PARSE_OK;
}

static enum ot_parse parse_reverse_hello(struct cur *c, struct ot_msg *out)
{
    struct ua_str server = rd_str(c);
    struct ua_str url = rd_str(c);
    if (!cur_ok(c))
        return OT_PARSE_INVALID;
    out->dir = OT_DIR_RESPONSE; /* sent by the server (Part 6 7.1.2.6) */
    ot_msg_set_function(out, OPCUA_RHE, "ReverseHello", OT_OP_OTHER);
    kv_str(&out->detail, "server_uri", server);
    kv_str(&out->detail, "endpoint_url", url);
    return OT_PARSE_OK;
}

/* Parses a service body after the sequence header (sequence number `seq`,
 * request id `req`); `fs` may be NULL.  With `may_be_encrypted`, a body whose
 * type id names no known service is taken for an encrypted one. */
static enum ot_parse parse_service(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out,
                                   struct opcua_flow *fs, int dir, bool may_be_encrypted,
                                   uint32_t seq, uint32_t req, uint8_t *mode_out)
{
    struct ot_detail *d = &out->detail;
    struct cur body = cur_rest(c);
    struct ua_nodeid type = rd_nodeid(&body, false);
    bool request = false;
    bool known = cur_ok(&body) && name_service(out, &type, &request);
    if (!known && may_be_encrypted) {
        mark_encrypted(out, fs, dir);
        return OT_PARSE_OK;
    }
    if (!cur_ok(&body))
        return OT_PARSE_INVALID;
    ot_kv_u64(d, "sequence_number", seq);
    ot_kv_u64(d, "request_id", req);
    out->pair = OT_PAIR_KEYED;
    out->txn_key = req;
    if (!known) {
        /* A service we do not know, on a channel known to be in the clear. */
        ot_msg_set_function(out, nodeid_numeric(&type) ? type.num : 0, NULL, OT_OP_OTHER);
        kv_nodeid(d, "service_type_id", &type);
        out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        return OT_PARSE_OK;
    }
    out->dir = request ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    struct ua u = {out, false, false, 0};
    u.policy_none = fs && (fs->policy[0] == POLICY_NONE || fs->policy[1] == POLICY_NONE);
    if (type.num == UA_SERVICE_FAULT) {
        rd_response_header(&u, &body);
        if (!out->has_exception)
            ot_msg_set_exception(out, 0, "ServiceFault");
        return OT_PARSE_OK;
    }
    const struct opcua_service *s = request ? service_by_req(type.num) : service_by_resp(type.num);
    ot_kv_cstr(d, "service", s->name);
    ot_kv_cstr(d, "service_type", request ? "request" : "response");
    if (type.num == UA_CLOSE_SECURE_CHANNEL_REQ)
        out->pair = OT_PAIR_NONE; /* Part 6 6.7.6: the server just closes the socket */
    rd_service_body(&u, &body, type.num, request, mode_out);
    if (!cur_ok(&body)) {
        if (u.capped || (ctx->pdu_truncated && body.err == CUR_TRUNC))
            ot_kv_bool(d, "truncated", true);
        else
            out->anomaly = "service_body_invalid";
    }
    return OT_PARSE_OK;
}

static enum ot_parse parse_open(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out,
                                struct opcua_flow *fs, int dir)
{
    struct ot_detail *d = &out->detail;
    uint32_t channel = cur_le32(c);
    struct ua_str policy = rd_str(c);
    struct ua_str cert = rd_str(c);
    struct ua_str thumb = rd_str(c);
    if (!cur_ok(c))
        return OT_PARSE_INVALID;
    bool none = str_equals(policy, OPCUA_POLICY_NONE);
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    ot_kv_u64(d, "secure_channel_id", channel);
    kv_str(d, "security_policy", policy);
    if (none)
        ot_kv_bool(d, "security_policy_none", true);
    ot_kv_u64(d, "sender_certificate_length", cert.len > 0 ? (uint64_t)cert.len : 0);
    ot_kv_u64(d, "receiver_thumbprint_length", thumb.len > 0 ? (uint64_t)thumb.len : 0);
    uint8_t mode = 0;
    enum ot_parse r = OT_PARSE_OK;
    if (!none) {
        /* Part 6 6.7.4: with any other policy the rest of the OPN (sequence
         * header included) is asymmetrically encrypted. */
        mark_encrypted(out, fs, dir);
        ot_msg_set_function(out, UA_OPEN_SECURE_CHANNEL_REQ, "OpenSecureChannel", OT_OP_AUTH);
    } else {
        uint32_t seq = cur_le32(c);
        uint32_t req = cur_le32(c);
        if (!cur_ok(c))
            return OT_PARSE_INVALID;
        r = parse_service(c, ctx, out, fs, dir, false, seq, req, &mode);
    }
    if (r == OT_PARSE_OK && fs) {
        if (policy.len > 0)
            fs->policy[dir] = none ? POLICY_NONE : POLICY_SECURE;
        if (mode)
            fs->mode = mode;
    }
    return r;
}

/* An abort chunk (Part 6 6.7.3): Error and Reason after the sequence header. */
static enum ot_parse parse_abort(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out,
                                 struct opcua_flow *fs, int dir, uint32_t seq, uint32_t req)
{
    struct ot_detail *d = &out->detail;
    uint32_t err = cur_le32(c);
    struct ua_str reason = rd_str(c);
    if (!cur_ok(c))
        return OT_PARSE_INVALID;
    struct opcua_chunks *ch = fs ? &fs->chunks[dir] : NULL;
    bool pending = ch && ch->active && ch->request_id == req;
    bool request = true;
    struct ua_nodeid t = {UA_NODEID_NUMERIC, 0, pending ? ch->service : 0, NULL, 0};
    if (!pending || !name_service(out, &t, &request))
        ot_msg_set_function(out, t.num, NULL, OT_OP_OTHER);
    if (pending)
        ch->active = false;
    ot_kv_u64(d, "sequence_number", seq);
    ot_kv_u64(d, "request_id", req);
    /* A server abort answers the request; a client abort cancels its own
     * request and nothing will answer it. */
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
    out->pair = ctx->to_server ? OT_PAIR_NONE : OT_PAIR_KEYED;
    out->txn_key = req;
    ot_kv_cstr(d, "chunk_type", "abort");
    ot_kv_u64(d, "error", err);
    kv_str(d, "reason", reason);
    ot_msg_set_exception(out, err, status_name(err));
    if (fs && fs->aborted < UINT32_MAX)
        fs->aborted++;
    return OT_PARSE_OK;
}

/* A non-final chunk: only the first one of a message names the service, so
 * it is kept in flow state until the final chunk; nothing is emitted. */
static enum ot_parse parse_intermediate(struct cur *c, struct opcua_flow *fs, int dir,
                                        bool may_be_encrypted, uint32_t req)
{
    if (!fs)
        return OT_PARSE_NONE;
    struct opcua_chunks *ch = &fs->chunks[dir];
    if (ch->active && ch->request_id == req) {
        if (ch->count < UINT32_MAX)
            ch->count++;
        return OT_PARSE_NONE;
    }
    struct cur body = cur_rest(c);
    struct ua_nodeid type = rd_nodeid(&body, false);
    bool numeric = cur_ok(&body) && nodeid_numeric(&type) && type.ns == 0;
    bool known = numeric && (type.num == UA_SERVICE_FAULT || service_by_req(type.num) ||
                             service_by_resp(type.num));
    if (!known && may_be_encrypted) {
        if (fs->encrypted[dir] < UINT32_MAX)
            fs->encrypted[dir]++;
        return OT_PARSE_NONE;
    }
    ch->active = true;
    ch->request_id = req;
    ch->count = 1;
    ch->service = numeric ? type.num : 0;
    return OT_PARSE_NONE;
}

static enum ot_parse parse_symmetric(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out,
                                     struct opcua_flow *fs, int dir, uint8_t chunk)
{
    struct ot_detail *d = &out->detail;
    uint32_t channel = cur_le32(c);
    uint32_t token = cur_le32(c);
    if (!cur_ok(c))
        return OT_PARSE_INVALID;
    ot_kv_u64(d, "secure_channel_id", channel);
    ot_kv_u64(d, "token_id", token);
    out->dir = ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;

    uint8_t policy = POLICY_UNKNOWN;
    uint8_t mode = 0;
    if (fs) {
        policy = fs->policy[dir] != POLICY_UNKNOWN ? fs->policy[dir] : fs->policy[!dir];
        mode = fs->mode;
    }
    /* Part 6 6.7.2.3: with SignAndEncrypt everything after the security
     * header is encrypted, the sequence header included. */
    if (policy == POLICY_SECURE && mode == UA_MODE_SIGN_AND_ENCRYPT) {
        if (chunk == OPCUA_CHUNK_INTERMEDIATE) {
            if (fs->encrypted[dir] < UINT32_MAX)
                fs->encrypted[dir]++;
            return OT_PARSE_NONE;
        }
        mark_encrypted(out, fs, dir);
        return OT_PARSE_OK;
    }
    bool may_be_encrypted = policy != POLICY_NONE;

    uint32_t seq = cur_le32(c);
    uint32_t req = cur_le32(c);
    if (!cur_ok(c)) {
        if (!may_be_encrypted)
            return OT_PARSE_INVALID;
        mark_encrypted(out, fs, dir);
        return OT_PARSE_OK;
    }
    if (chunk == OPCUA_CHUNK_INTERMEDIATE)
        return parse_intermediate(c, fs, dir, may_be_encrypted, req);
    if (chunk == OPCUA_CHUNK_ABORT) {
        enum ot_parse r = parse_abort(c, ctx, out, fs, dir, seq, req);
        if (r != OT_PARSE_OK && may_be_encrypted) {
            mark_encrypted(out, fs, dir);
            return OT_PARSE_OK;
        }
        return r;
    }

    struct opcua_chunks *ch = fs ? &fs->chunks[dir] : NULL;
    if (ch && ch->active && ch->request_id == req) {
        /* The final chunk of a multi-chunk message: its body continues the
         * first chunk's, so only the service named there is reported. */
        struct ua_nodeid t = {UA_NODEID_NUMERIC, 0, ch->service, NULL, 0};
        bool request = true;
        uint32_t count = ch->count + 1;
        ch->active = false;
        if (!name_service(out, &t, &request))
            ot_msg_set_function(out, t.num, NULL, OT_OP_OTHER);
        else
            out->dir = request ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        ot_kv_u64(d, "sequence_number", seq);
        ot_kv_u64(d, "request_id", req);
        ot_kv_u64(d, "chunk_count", count);
        out->pair = t.num == UA_CLOSE_SECURE_CHANNEL_REQ ? OT_PAIR_NONE : OT_PAIR_KEYED;
        out->txn_key = req;
        return OT_PARSE_OK;
    }
    uint8_t unused_mode = 0; /* only an OPN body sets the mode */
    return parse_service(c, ctx, out, fs, dir, may_be_encrypted, seq, req, &unused_mode);
}

/* --- dissector entry points ----------------------------------------------- */

static size_t opcua_pdu_len(const uint8_t *p, size_t len)
{
    struct cur c = cur_init(p, len);
    if (len < OPCUA_HDR_LEN) {
        /* Reject early what cannot become a valid header. */
        uint32_t t = 0;
        for (size_t i = 0; i < 3 && i < len; i++)
            t = t << 8 | cur_u8(&c);
        if (len >= 3 && !msg_type_valid(t))
            return OT_PDU_NOT_MINE;
        return 0;
    }
    uint32_t type = cur_be24(&c);
    uint8_t chunk = cur_u8(&c);
    uint32_t size = cur_le32(&c);
    if (!header_valid(type, chunk, size))
        return OT_PDU_NOT_MINE;
    return size;
}

static enum ot_probe opcua_probe(const uint8_t *p, size_t len, bool to_server)
{
    (void)to_server; /* with reverse connect the server sends first (RHE) */
    if (len < OPCUA_HDR_LEN)
        return OT_PROBE_NEED_MORE;
    struct cur c = cur_init(p, len);
    uint32_t type = cur_be24(&c);
    uint8_t chunk = cur_u8(&c);
    uint32_t size = cur_le32(&c);
    if (!header_valid(type, chunk, size))
        return OT_PROBE_NO;
    if (type == OPCUA_HEL) {
        /* Part 6 7.1.2.3: buffers of at least 8192 bytes, and an endpoint URL
         * (opc.tcp://...) that fits in the message. */
        if (len < OPCUA_HEL_MIN)
            return OT_PROBE_NEED_MORE;
        cur_skip(&c, 4);
        uint32_t rbs = cur_le32(&c);
        uint32_t sbs = cur_le32(&c);
        cur_skip(&c, 8);
        int32_t url = (int32_t)cur_le32(&c);
        if (rbs < 8192 || sbs < 8192 || url < -1 || (url > 0 && (uint32_t)url > size - 32))
            return OT_PROBE_NO;
    }
    return OT_PROBE_YES;
}

static enum ot_parse opcua_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    struct opcua_flow *fs = ctx->flow_state;
    int dir = ctx->to_server ? 0 : 1;
    if (cur_left(c) < OPCUA_HDR_LEN)
        return OT_PARSE_TRUNC;
    uint32_t type = cur_be24(c);
    uint8_t chunk = cur_u8(c);
    uint32_t size = cur_le32(c);
    if (!header_valid(type, chunk, size))
        return OT_PARSE_NOT_MINE;
    size_t body_len = size - OPCUA_HDR_LEN;
    if (body_len > cur_left(c)) {
        if (!ctx->pdu_truncated)
            return OT_PARSE_TRUNC;
        body_len = cur_left(c);
    }
    struct cur m = cur_sub(c, body_len);

    ot_kv_cstr(&out->detail, "message_type", ot_tok_name(opcua_msg_types, type));
    if (chunk != OPCUA_CHUNK_FINAL && chunk != OPCUA_CHUNK_ABORT)
        ot_kv_cstr(&out->detail, "chunk_type", "intermediate");
    ot_kv_u64(&out->detail, "message_size", size);

    switch (type) {
        case OPCUA_HEL:
        case OPCUA_ACK: return parse_hello(&m, out, type);
        case OPCUA_ERR: return parse_error(&m, out);
        case OPCUA_RHE: return parse_reverse_hello(&m, out);
        case OPCUA_OPN: return parse_open(&m, ctx, out, fs, dir);
        default: /* MSG, CLO */ return parse_symmetric(&m, ctx, out, fs, dir, chunk);
    }
}

static void opcua_flow_summary(const void *state, struct ot_detail *out)
{
    const struct opcua_flow *fs = state;
    static const char *const policies[] = {"unknown", "None", "secure"};
    uint8_t p = fs->policy[0] != POLICY_UNKNOWN ? fs->policy[0] : fs->policy[1];
    ot_kv_cstr(out, "security_policy", policies[p <= POLICY_SECURE ? p : 0]);
    if (fs->mode) {
        const char *mn = ot_tok_name(opcua_security_modes, fs->mode);
        if (mn)
            ot_kv_cstr(out, "security_mode", mn);
    }
    ot_kv_u64(out, "encrypted_to_server", fs->encrypted[0]);
    ot_kv_u64(out, "encrypted_to_client", fs->encrypted[1]);
    if (fs->aborted)
        ot_kv_u64(out, "aborted_chunks", fs->aborted);
}

const struct ot_dissector opcua_dissector = {
    .name = "opcua",
    .proto = OT_PROTO_OPCUA,
    .l4 = IPPROTO_TCP,
    .ports = {OPCUA_PORT, 0},
    .ethertype = 0,
    .probe = opcua_probe,
    .pdu_len = opcua_pdu_len,
    .parse = opcua_parse,
    .flow_state_size = sizeof(struct opcua_flow),
    .flow_summary = opcua_flow_summary,
    .heuristic = true,
};
