/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: BACnet/IP on UDP 47808: the BACnet Virtual Link Layer (BVLC functions,
 * BBMD and foreign-device management), the network layer (NPDU addressing and
 * network-layer messages) and the application layer (every APDU type, confirmed and
 * unconfirmed services named, object / property / value / priority of the common
 * services, device identity from I-Am, Who-Am-I and ReadProperty(Multiple) of the
 * device object, Error / Reject / Abort). */
/* specification: ANSI/ASHRAE Standard 135-2020, BACnet: Annex J (BACnet/IP, J.2
 * BVLL messages), clause 6 (network layer protocol, 6.2 NPDU, 6.4 network layer
 * messages), clause 20 (20.1 APDU encoding, 20.2 tag encoding of application and
 * context values), clause 21 (ASN.1 productions: services, BACnetObjectType,
 * BACnetPropertyIdentifier, error classes and codes, reject and abort reasons). */
/*
 * BVLC (Annex J.2)
 * +------+----------+-----------+
 * | 0x81 | function | length    |
 * | (1)  | (1)      | BE (2)    |
 * +------+----------+-----------+
 * NPDU (6.2)
 * +---------+---------+----------------+----------------+-----+----------+
 * | version | control | DNET DLEN DADR | SNET SLEN SADR | hop | msg type |
 * | 1 (1)   | (1)     | if bit 5       | if bit 3       | (1) | if bit 7 |
 * +---------+---------+----------------+----------------+-----+----------+
 * Forwarded-NPDU: original source IP (4) and port (2) precede the NPDU.
 * NPDU control: bit 7 network layer message, 5 DNET present, 3 SNET present,
 *               2 expecting reply, 1-0 priority; bits 6 and 4 reserved.
 *
 * APDU (20.1): byte 0 = type (high nibble) | flags
 *   0 Confirmed-Request  SEG MOR SA | max segs / max APDU | invoke id | [seq | window] |
 *                      service | ...
 *   1 Unconfirmed-Request          | service | ...
 *   2 SimpleACK    | invoke id | service
 *   3 ComplexACK   SEG MOR | invoke id | [seq | window] | service | ...
 *   4 SegmentACK   NAK SRV | invoke id | seq | window
 *   5 Error        | invoke id | service | error class, error code (application enumerated)
 *   6 Reject       | invoke id | reason
 *   7 Abort        SRV | invoke id | reason
 * Tag (20.2.1): number (high nibble, 15 = next byte) | class (bit 3: context) |
 *   length/value/type (bits 2-0: 5 = a length byte follows, 254/255 a 16/32-bit
 *   length; context 6/7 = opening/closing tag; application boolean: the value).
 *
 * function_code: the confirmed service choice (0-255) for Confirmed-Request,
 * SimpleACK, ComplexACK and Error (and for Reject / Abort / SegmentACK when the
 * flow remembers the request; otherwise they carry none); BACNET_FUNC_UNCONFIRMED
 * (0x100) + the choice for Unconfirmed-Request; BACNET_FUNC_BVLC (0x200) + the
 * function for BVLC messages without an NPDU; BACNET_FUNC_NETWORK (0x300) + the
 * message type for network layer messages.
 * Ranges: space "bacnet_object", space_id = object type, start = instance, count 1
 *   (Who-Is: device instances low..high).
 * Values (WriteProperty, WritePropertyMultiple): space_id = object type, addr =
 *   instance for present-value, (property << 32) | instance for other properties.
 * exception_code: the error code of an Error PDU; 0x10000 + reason for Reject;
 *   0x20000 + reason for Abort; 0x30000 + reason for Reject-Message-To-Network;
 *   the result code of a BVLC-Result NAK.
 * Pairing: confirmed requests with their ACK / Error / Reject / server Abort on the
 *   invoke id and both ends' network addresses; BVLC management requests with
 *   BVLC-Result and the table ACKs.
 */
#include <math.h>
#include <netinet/in.h>
#include <string.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"
#include "sbuf.h"
#include "tok.h"

#define BACNET_PORT 47808
#define BVLC_TYPE_BIP 0x81
#define BVLC_HEADER_LEN 4

/* BVLC functions (J.2) */
#define BVLC_RESULT 0x00
#define BVLC_WRITE_BDT 0x01
#define BVLC_READ_BDT 0x02
#define BVLC_READ_BDT_ACK 0x03
#define BVLC_FORWARDED_NPDU 0x04
#define BVLC_REGISTER_FOREIGN_DEVICE 0x05
#define BVLC_READ_FDT 0x06
#define BVLC_READ_FDT_ACK 0x07
#define BVLC_DELETE_FDT_ENTRY 0x08
#define BVLC_DISTRIBUTE_BROADCAST 0x09
#define BVLC_ORIGINAL_UNICAST 0x0a
#define BVLC_ORIGINAL_BROADCAST 0x0b
#define BVLC_SECURE_BVLL 0x0c
#define BVLC_BDT_ENTRY_LEN 10 /* IP, port, broadcast distribution mask */
#define BVLC_FDT_ENTRY_LEN 10 /* IP, port, time-to-live, seconds remaining */

/* NPDU (6.2) */
#define NPDU_VERSION 1
#define NPDU_NETWORK_MESSAGE 0x80
#define NPDU_RESERVED 0x50
#define NPDU_DNET 0x20
#define NPDU_SNET 0x08
#define NPDU_EXPECTING_REPLY 0x04
#define NPDU_PRIORITY 0x03
#define NPDU_PROPRIETARY_MESSAGE 0x80

/* Network layer messages (6.4) */
#define NL_WHO_IS_ROUTER 0x00
#define NL_I_AM_ROUTER 0x01
#define NL_I_COULD_BE_ROUTER 0x02
#define NL_REJECT_MESSAGE 0x03
#define NL_ROUTER_BUSY 0x04
#define NL_ROUTER_AVAILABLE 0x05
#define NL_INITIALIZE_ROUTING_TABLE 0x06
#define NL_INITIALIZE_ROUTING_TABLE_ACK 0x07
#define NL_ESTABLISH_CONNECTION 0x08
#define NL_DISCONNECT_CONNECTION 0x09
#define NL_WHAT_IS_NETWORK_NUMBER 0x12
#define NL_NETWORK_NUMBER_IS 0x13

/* APDU types (20.1.1) */
#define APDU_CONFIRMED_REQUEST 0
#define APDU_UNCONFIRMED_REQUEST 1
#define APDU_SIMPLE_ACK 2
#define APDU_COMPLEX_ACK 3
#define APDU_SEGMENT_ACK 4
#define APDU_ERROR 5
#define APDU_REJECT 6
#define APDU_ABORT 7
#define APDU_SEG 0x08 /* segmented message */
#define APDU_MOR 0x04 /* more follows */
#define APDU_SA 0x02  /* segmented response accepted */
#define APDU_NAK 0x02 /* SegmentACK */
#define APDU_SRV 0x01 /* SegmentACK, Abort: sent by the server */

/* Confirmed services (21, BACnetConfirmedServiceChoice) */
#define SVC_ACKNOWLEDGE_ALARM 0
#define SVC_CONFIRMED_COV_NOTIFICATION 1
#define SVC_CONFIRMED_EVENT_NOTIFICATION 2
#define SVC_SUBSCRIBE_COV 5
#define SVC_ATOMIC_READ_FILE 6
#define SVC_ATOMIC_WRITE_FILE 7
#define SVC_ADD_LIST_ELEMENT 8
#define SVC_REMOVE_LIST_ELEMENT 9
#define SVC_CREATE_OBJECT 10
#define SVC_DELETE_OBJECT 11
#define SVC_READ_PROPERTY 12
#define SVC_READ_PROPERTY_MULTIPLE 14
#define SVC_WRITE_PROPERTY 15
#define SVC_WRITE_PROPERTY_MULTIPLE 16
#define SVC_DEVICE_COMMUNICATION_CONTROL 17
#define SVC_CONFIRMED_PRIVATE_TRANSFER 18
#define SVC_CONFIRMED_TEXT_MESSAGE 19
#define SVC_REINITIALIZE_DEVICE 20
#define SVC_READ_RANGE 26
#define SVC_LIFE_SAFETY_OPERATION 27
#define SVC_SUBSCRIBE_COV_PROPERTY 28

/* Unconfirmed services (BACnetUnconfirmedServiceChoice) */
#define USVC_I_AM 0
#define USVC_I_HAVE 1
#define USVC_UNCONFIRMED_COV_NOTIFICATION 2
#define USVC_UNCONFIRMED_EVENT_NOTIFICATION 3
#define USVC_UNCONFIRMED_PRIVATE_TRANSFER 4
#define USVC_UNCONFIRMED_TEXT_MESSAGE 5
#define USVC_TIME_SYNCHRONIZATION 6
#define USVC_WHO_HAS 7
#define USVC_WHO_IS 8
#define USVC_UTC_TIME_SYNCHRONIZATION 9
#define USVC_WRITE_GROUP 10
#define USVC_UNCONFIRMED_COV_NOTIFICATION_MULTIPLE 11
#define USVC_WHO_AM_I 13
#define USVC_YOU_ARE 14

/* Application tags (20.2.1.4) */
#define APP_NULL 0
#define APP_BOOLEAN 1
#define APP_UNSIGNED 2
#define APP_SIGNED 3
#define APP_REAL 4
#define APP_DOUBLE 5
#define APP_OCTET_STRING 6
#define APP_CHARACTER_STRING 7
#define APP_BIT_STRING 8
#define APP_ENUMERATED 9
#define APP_DATE 10
#define APP_TIME 11
#define APP_OBJECT_ID 12
#define TAG_EXTENDED_NUMBER 15
#define TAG_CONTEXT 0x08
#define TAG_LVT_EXTENDED 5
#define TAG_LVT_OPEN 6
#define TAG_LVT_CLOSE 7
#define TAG_LEN_16 254
#define TAG_LEN_32 255
#define CHARSET_UTF8 0
#define CHARSET_UCS2 4
#define CHARSET_ISO8859_1 5

/* Object types and properties the dissector acts on */
#define OBJ_DEVICE 8
#define OBJID_INSTANCE_MASK 0x3fffff
#define OBJID_TYPE_SHIFT 22
#define PROP_APPLICATION_SOFTWARE_VERSION 12
#define PROP_DESCRIPTION 28
#define PROP_FIRMWARE_REVISION 44
#define PROP_MODEL_NAME 70
#define PROP_OBJECT_NAME 77
#define PROP_PRESENT_VALUE 85
#define PROP_VENDOR_IDENTIFIER 120
#define PROP_VENDOR_NAME 121
#define PROP_SERIAL_NUMBER 372

#define BACNET_FUNC_UNCONFIRMED 0x100
#define BACNET_FUNC_BVLC 0x200
#define BACNET_FUNC_NETWORK 0x300
#define BACNET_EXC_REJECT 0x10000
#define BACNET_EXC_ABORT 0x20000
#define BACNET_EXC_NETWORK_REJECT 0x30000
#define BACNET_KEY_BVLC 0xb0c00000u /* the one pending BVLC management request of a flow */

static const struct ot_func bvlc_functions[] = {
    {BVLC_RESULT, "BVLC-Result", OT_OP_OTHER},
    {BVLC_WRITE_BDT, "Write-Broadcast-Distribution-Table", OT_OP_WRITE},
    {BVLC_READ_BDT, "Read-Broadcast-Distribution-Table", OT_OP_READ},
    {BVLC_READ_BDT_ACK, "Read-Broadcast-Distribution-Table-Ack", OT_OP_READ},
    {BVLC_FORWARDED_NPDU, "Forwarded-NPDU", OT_OP_OTHER},
    {BVLC_REGISTER_FOREIGN_DEVICE, "Register-Foreign-Device", OT_OP_OTHER},
    {BVLC_READ_FDT, "Read-Foreign-Device-Table", OT_OP_READ},
    {BVLC_READ_FDT_ACK, "Read-Foreign-Device-Table-Ack", OT_OP_READ},
    {BVLC_DELETE_FDT_ENTRY, "Delete-Foreign-Device-Table-Entry", OT_OP_WRITE},
    {BVLC_DISTRIBUTE_BROADCAST, "Distribute-Broadcast-To-Network", OT_OP_OTHER},
    {BVLC_ORIGINAL_UNICAST, "Original-Unicast-NPDU", OT_OP_OTHER},
    {BVLC_ORIGINAL_BROADCAST, "Original-Broadcast-NPDU", OT_OP_OTHER},
    {BVLC_SECURE_BVLL, "Secure-BVLL", OT_OP_AUTH},
    {0, NULL, 0},
};

static const struct ot_tok bvlc_results[] = {
    {0x0000, "successful completion"},
    {0x0010, "Write-Broadcast-Distribution-Table NAK"},
    {0x0020, "Read-Broadcast-Distribution-Table NAK"},
    {0x0030, "Register-Foreign-Device NAK"},
    {0x0040, "Read-Foreign-Device-Table NAK"},
    {0x0050, "Delete-Foreign-Device-Table-Entry NAK"},
    {0x0060, "Distribute-Broadcast-To-Network NAK"},
    {0, NULL},
};

static const struct ot_func network_messages[] = {
    {0x00, "Who-Is-Router-To-Network", OT_OP_DISCOVERY},
    {0x01, "I-Am-Router-To-Network", OT_OP_DISCOVERY},
    {0x02, "I-Could-Be-Router-To-Network", OT_OP_OTHER},
    {0x03, "Reject-Message-To-Network", OT_OP_OTHER},
    {0x04, "Router-Busy-To-Network", OT_OP_OTHER},
    {0x05, "Router-Available-To-Network", OT_OP_OTHER},
    {0x06, "Initialize-Routing-Table", OT_OP_WRITE},
    {0x07, "Initialize-Routing-Table-Ack", OT_OP_READ},
    {0x08, "Establish-Connection-To-Network", OT_OP_OTHER},
    {0x09, "Disconnect-Connection-To-Network", OT_OP_OTHER},
    {0x0a, "Challenge-Request", OT_OP_AUTH},
    {0x0b, "Security-Payload", OT_OP_AUTH},
    {0x0c, "Security-Response", OT_OP_AUTH},
    {0x0d, "Request-Key-Update", OT_OP_AUTH},
    {0x0e, "Update-Key-Set", OT_OP_AUTH},
    {0x0f, "Update-Distribution-Key", OT_OP_AUTH},
    {0x10, "Request-Master-Key", OT_OP_AUTH},
    {0x11, "Set-Master-Key", OT_OP_AUTH},
    {0x12, "What-Is-Network-Number", OT_OP_DISCOVERY},
    {0x13, "Network-Number-Is", OT_OP_DISCOVERY},
    {0, NULL, 0},
};

static const struct ot_tok reject_message_reasons[] = {
    {0, "other"},
    {1, "not directly connected to DNET"},
    {2, "router busy"},
    {3, "unknown network layer message type"},
    {4, "message too long"},
    {5, "security error"},
    {6, "addressing error"},
    {0, NULL},
};

static const struct ot_tok apdu_types[] = {
    {APDU_CONFIRMED_REQUEST, "confirmed_request"},
    {APDU_UNCONFIRMED_REQUEST, "unconfirmed_request"},
    {APDU_SIMPLE_ACK, "simple_ack"},
    {APDU_COMPLEX_ACK, "complex_ack"},
    {APDU_SEGMENT_ACK, "segment_ack"},
    {APDU_ERROR, "error"},
    {APDU_REJECT, "reject"},
    {APDU_ABORT, "abort"},
    {0, NULL},
};

static const struct ot_func confirmed_services[] = {
    {0, "acknowledgeAlarm", OT_OP_WRITE},
    {1, "confirmedCOVNotification", OT_OP_OTHER},
    {2, "confirmedEventNotification", OT_OP_OTHER},
    {3, "getAlarmSummary", OT_OP_READ},
    {4, "getEnrollmentSummary", OT_OP_READ},
    {5, "subscribeCOV", OT_OP_READ},
    {6, "atomicReadFile", OT_OP_FILE},
    {7, "atomicWriteFile", OT_OP_PROGRAM}, /* program and firmware downloads use it */
    {8, "addListElement", OT_OP_WRITE},
    {9, "removeListElement", OT_OP_WRITE},
    {10, "createObject", OT_OP_WRITE},
    {11, "deleteObject", OT_OP_WRITE},
    {12, "readProperty", OT_OP_READ},
    {13, "readPropertyConditional", OT_OP_READ},
    {14, "readPropertyMultiple", OT_OP_READ},
    {15, "writeProperty", OT_OP_WRITE},
    {16, "writePropertyMultiple", OT_OP_WRITE},
    {17, "deviceCommunicationControl", OT_OP_CONTROL},
    {18, "confirmedPrivateTransfer", OT_OP_OTHER},
    {19, "confirmedTextMessage", OT_OP_OTHER},
    {20, "reinitializeDevice", OT_OP_CONTROL},
    {21, "vtOpen", OT_OP_OTHER},
    {22, "vtClose", OT_OP_OTHER},
    {23, "vtData", OT_OP_OTHER},
    {24, "authenticate", OT_OP_AUTH},
    {25, "requestKey", OT_OP_AUTH},
    {26, "readRange", OT_OP_READ},
    {27, "lifeSafetyOperation", OT_OP_CONTROL},
    {28, "subscribeCOVProperty", OT_OP_READ},
    {29, "getEventInformation", OT_OP_READ},
    {30, "subscribeCOVPropertyMultiple", OT_OP_READ},
    {31, "confirmedCOVNotificationMultiple", OT_OP_OTHER},
    {32, "confirmedAuditNotification", OT_OP_OTHER},
    {33, "auditLogQuery", OT_OP_READ},
    {0, NULL, 0},
};

static const struct ot_func unconfirmed_services[] = {
    {0, "i-Am", OT_OP_DISCOVERY},
    {1, "i-Have", OT_OP_DISCOVERY},
    {2, "unconfirmedCOVNotification", OT_OP_OTHER},
    {3, "unconfirmedEventNotification", OT_OP_OTHER},
    {4, "unconfirmedPrivateTransfer", OT_OP_OTHER},
    {5, "unconfirmedTextMessage", OT_OP_OTHER},
    {6, "timeSynchronization", OT_OP_TIME_SYNC},
    {7, "who-Has", OT_OP_DISCOVERY},
    {8, "who-Is", OT_OP_DISCOVERY},
    {9, "utcTimeSynchronization", OT_OP_TIME_SYNC},
    {10, "writeGroup", OT_OP_WRITE},
    {11, "unconfirmedCOVNotificationMultiple", OT_OP_OTHER},
    {12, "unconfirmedAuditNotification", OT_OP_OTHER},
    {13, "who-Am-I", OT_OP_DISCOVERY},
    {14, "you-Are", OT_OP_WRITE},
    {0, NULL, 0},
};

static const struct ot_tok object_types[] = {
    {0, "analog-input"},
    {1, "analog-output"},
    {2, "analog-value"},
    {3, "binary-input"},
    {4, "binary-output"},
    {5, "binary-value"},
    {6, "calendar"},
    {7, "command"},
    {8, "device"},
    {9, "event-enrollment"},
    {10, "file"},
    {11, "group"},
    {12, "loop"},
    {13, "multi-state-input"},
    {14, "multi-state-output"},
    {15, "notification-class"},
    {16, "program"},
    {17, "schedule"},
    {18, "averaging"},
    {19, "multi-state-value"},
    {20, "trend-log"},
    {21, "life-safety-point"},
    {22, "life-safety-zone"},
    {23, "accumulator"},
    {24, "pulse-converter"},
    {25, "event-log"},
    {26, "global-group"},
    {27, "trend-log-multiple"},
    {28, "load-control"},
    {29, "structured-view"},
    {30, "access-door"},
    {31, "timer"},
    {32, "access-credential"},
    {33, "access-point"},
    {34, "access-rights"},
    {35, "access-user"},
    {36, "access-zone"},
    {37, "credential-data-input"},
    {39, "bitstring-value"},
    {40, "characterstring-value"},
    {41, "date-pattern-value"},
    {42, "date-value"},
    {43, "datetime-pattern-value"},
    {44, "datetime-value"},
    {45, "integer-value"},
    {46, "large-analog-value"},
    {47, "octetstring-value"},
    {48, "positive-integer-value"},
    {49, "time-pattern-value"},
    {50, "time-value"},
    {51, "notification-forwarder"},
    {52, "alert-enrollment"},
    {53, "channel"},
    {54, "lighting-output"},
    {55, "binary-lighting-output"},
    {56, "network-port"},
    {57, "elevator-group"},
    {58, "escalator"},
    {59, "lift"},
    {60, "staging"},
    {61, "audit-log"},
    {62, "audit-reporter"},
    {63, "color"},
    {64, "color-temperature"},
    {0, NULL},
};

/* The property identifiers met in most traffic (the standard defines ~500). */
static const struct ot_tok property_ids[] = {
    {4, "active-text"},
    {8, "all"},
    {11, "apdu-timeout"},
    {12, "application-software-version"},
    {17, "notification-class"},
    {22, "cov-increment"},
    {28, "description"},
    {30, "device-address-binding"},
    {36, "event-state"},
    {44, "firmware-revision"},
    {45, "high-limit"},
    {46, "inactive-text"},
    {56, "local-date"},
    {57, "local-time"},
    {58, "location"},
    {59, "low-limit"},
    {62, "max-apdu-length-accepted"},
    {65, "max-pres-value"},
    {69, "min-pres-value"},
    {70, "model-name"},
    {74, "number-of-states"},
    {75, "object-identifier"},
    {76, "object-list"},
    {77, "object-name"},
    {79, "object-type"},
    {80, "optional"},
    {81, "out-of-service"},
    {85, "present-value"},
    {87, "priority-array"},
    {96, "protocol-object-types-supported"},
    {97, "protocol-services-supported"},
    {98, "protocol-version"},
    {103, "reliability"},
    {104, "relinquish-default"},
    {105, "required"},
    {107, "segmentation-supported"},
    {110, "state-text"},
    {111, "status-flags"},
    {112, "system-status"},
    {117, "units"},
    {120, "vendor-identifier"},
    {121, "vendor-name"},
    {131, "log-buffer"},
    {139, "protocol-revision"},
    {141, "record-count"},
    {155, "database-revision"},
    {167, "max-segments-accepted"},
    {371, "property-list"},
    {372, "serial-number"},
    {0, NULL},
};

static const struct ot_tok error_classes[] = {
    {0, "device"},   {1, "object"}, {2, "property"},      {3, "resources"}, {4, "security"},
    {5, "services"}, {6, "vt"},     {7, "communication"}, {0, NULL},
};

static const struct ot_tok error_codes[] = {
    {0, "other"},
    {1, "authentication-failed"},
    {2, "configuration-in-progress"},
    {3, "device-busy"},
    {4, "dynamic-creation-not-supported"},
    {5, "file-access-denied"},
    {6, "incompatible-security-levels"},
    {7, "inconsistent-parameters"},
    {8, "inconsistent-selection-criterion"},
    {9, "invalid-data-type"},
    {10, "invalid-file-access-method"},
    {11, "invalid-file-start-position"},
    {12, "invalid-operator-name"},
    {13, "invalid-parameter-data-type"},
    {14, "invalid-time-stamp"},
    {15, "key-generation-error"},
    {16, "missing-required-parameter"},
    {17, "no-objects-of-specified-type"},
    {18, "no-space-for-object"},
    {19, "no-space-to-add-list-element"},
    {20, "no-space-to-write-property"},
    {21, "no-vt-sessions-available"},
    {22, "property-is-not-a-list"},
    {23, "object-deletion-not-permitted"},
    {24, "object-identifier-already-exists"},
    {25, "operational-problem"},
    {26, "password-failure"},
    {27, "read-access-denied"},
    {28, "security-not-supported"},
    {29, "service-request-denied"},
    {30, "timeout"},
    {31, "unknown-object"},
    {32, "unknown-property"},
    {34, "unknown-vt-class"},
    {35, "unknown-vt-session"},
    {36, "unsupported-object-type"},
    {37, "value-out-of-range"},
    {38, "vt-session-already-closed"},
    {39, "vt-session-termination-failure"},
    {40, "write-access-denied"},
    {41, "character-set-not-supported"},
    {42, "invalid-array-index"},
    {43, "cov-subscription-failed"},
    {44, "not-cov-property"},
    {45, "optional-functionality-not-supported"},
    {46, "invalid-configuration-data"},
    {47, "datatype-not-supported"},
    {48, "duplicate-name"},
    {49, "duplicate-object-id"},
    {50, "property-is-not-an-array"},
    {51, "abort-buffer-overflow"},
    {52, "abort-invalid-apdu-in-this-state"},
    {53, "abort-preempted-by-higher-priority-task"},
    {54, "abort-segmentation-not-supported"},
    {55, "abort-proprietary"},
    {56, "abort-other"},
    {57, "invalid-tag"},
    {58, "network-down"},
    {59, "reject-buffer-overflow"},
    {60, "reject-inconsistent-parameters"},
    {61, "reject-invalid-parameter-data-type"},
    {62, "reject-invalid-tag"},
    {63, "reject-missing-required-parameter"},
    {64, "reject-parameter-out-of-range"},
    {65, "reject-too-many-arguments"},
    {66, "reject-undefined-enumeration"},
    {67, "reject-unrecognized-service"},
    {68, "reject-proprietary"},
    {69, "reject-other"},
    {70, "unknown-device"},
    {71, "unknown-route"},
    {72, "value-not-initialized"},
    {73, "invalid-event-state"},
    {74, "no-alarm-configured"},
    {80, "parameter-out-of-range"},
    {82, "busy"},
    {83, "communication-disabled"},
    {0, NULL},
};

static const struct ot_tok reject_reasons[] = {
    {0, "other"},
    {1, "buffer-overflow"},
    {2, "inconsistent-parameters"},
    {3, "invalid-parameter-data-type"},
    {4, "invalid-tag"},
    {5, "missing-required-parameter"},
    {6, "parameter-out-of-range"},
    {7, "too-many-arguments"},
    {8, "undefined-enumeration"},
    {9, "unrecognized-service"},
    {0, NULL},
};

static const struct ot_tok abort_reasons[] = {
    {0, "other"},
    {1, "buffer-overflow"},
    {2, "invalid-apdu-in-this-state"},
    {3, "preempted-by-higher-priority-task"},
    {4, "segmentation-not-supported"},
    {5, "security-error"},
    {6, "insufficient-security"},
    {7, "window-size-out-of-range"},
    {8, "application-exceeded-reply-time"},
    {9, "out-of-resources"},
    {10, "tsm-timeout"},
    {11, "apdu-too-long"},
    {0, NULL},
};

static const struct ot_tok segmentation_names[] = {
    {0, "segmented-both"},
    {1, "segmented-transmit"},
    {2, "segmented-receive"},
    {3, "no-segmentation"},
    {0, NULL},
};

static const struct ot_tok dcc_names[] = {
    {0, "enable"},
    {1, "disable"},
    {2, "disable-initiation"},
    {0, NULL},
};

static const struct ot_tok reinit_names[] = {
    {0, "coldstart"},     {1, "warmstart"},        {2, "start-backup"},
    {3, "end-backup"},    {4, "start-restore"},    {5, "end-restore"},
    {6, "abort-restore"}, {7, "activate-changes"}, {0, NULL},
};

static const struct ot_tok priority_names[] = {
    {0, "normal"}, {1, "urgent"}, {2, "critical-equipment"}, {3, "life-safety"}, {0, NULL},
};

static const struct ot_tok app_tag_names[] = {
    {APP_NULL, "null"},
    {APP_BOOLEAN, "boolean"},
    {APP_UNSIGNED, "unsigned"},
    {APP_SIGNED, "signed"},
    {APP_REAL, "real"},
    {APP_DOUBLE, "double"},
    {APP_OCTET_STRING, "octet-string"},
    {APP_CHARACTER_STRING, "character-string"},
    {APP_BIT_STRING, "bit-string"},
    {APP_ENUMERATED, "enumerated"},
    {APP_DATE, "date"},
    {APP_TIME, "time"},
    {APP_OBJECT_ID, "object-identifier"},
    {0, NULL},
};

/* A few well-known BACnet vendor ids (ASHRAE keeps the registry). */
static const struct ot_tok bacnet_vendors[] = {
    {0, "ASHRAE"},
    {2, "Trane"},
    {5, "Johnson Controls"},
    {7, "Siemens"},
    {8, "Delta Controls"},
    {10, "Schneider Electric"},
    {16, "Carrier"},
    {17, "Honeywell"},
    {18, "Alerton"},
    {24, "Automated Logic"},
    {28, "KMC Controls"},
    {35, "Reliable Controls"},
    {36, "Tridium"},
    {178, "LOYTEC"},
    {222, "WAGO"},
    {245, "Contemporary Controls"},
    {260, "BACnet Stack at SourceForge"},
    {343, "Distech Controls"},
    {364, "Distech Controls"},
    {0, NULL},
};

/* Caps */
#define BAC_PENDING 16     /* confirmed requests remembered per flow to name Reject/Abort */
#define BAC_MAX_TAGS 512   /* tags read in one service: bounds every walk on hostile data */
#define BAC_MAX_DEPTH 16   /* opening-tag nesting followed */
#define BAC_MAX_OBJECTS 64 /* objects walked in a ReadPropertyMultiple / WritePropertyMultiple */
#define BAC_OBJ_DETAIL 6   /* of which written in the detail tape */
#define BAC_PROP_DETAIL 8  /* properties written per object */
#define BAC_STR_MAX 64     /* bytes of a character string kept */
#define BAC_LIST_DETAIL 8  /* networks, BDT / FDT entries written */
#define BAC_ADDR_MAX 8     /* bytes of a DADR/SADR kept for pairing (BACnet/IP: 6) */
#define BAC_ADDR_DETAIL 16 /* bytes of a DADR/SADR written in the detail tape */

struct bac_pending {
    uint32_t key;
    uint8_t service;
    bool valid;
};

struct bacnet_flow {
    struct bac_pending pend[BAC_PENDING];
    uint8_t next;
};

struct bac_addr {
    bool present;
    uint16_t net;
    uint8_t len;
    uint8_t adr[BAC_ADDR_MAX];
};

/* The state of one parse. */
struct bacx {
    struct ot_msg *out;
    struct ot_detail *d;
    const struct ot_ctx *ctx;
    struct bac_addr src, dst;
    bool partial;        /* one segment of a segmented message: a value may be cut */
    bool commit_pending; /* a confirmed request to remember once the parse succeeded */
    unsigned anomalies;
    uint32_t pend_key;
    uint8_t pend_service;
};

enum btag_kind {
    BT_APP,
    BT_CTX,
    BT_OPEN,
    BT_CLOSE,
};

struct btag {
    uint8_t kind;
    uint8_t num;
    uint8_t lvt;
    struct cur val; /* the content of a primitive value */
};

/* A decoded primitive application value. */
struct bvalue {
    bool present;
    uint8_t app;
    bool has_num;
    double num;
    bool has_objid;
    uint32_t objid;
    uint8_t charset;
    size_t str_n;
    char str[BAC_STR_MAX];
};

static void anomaly(struct bacx *x, const char *what)
{
    x->anomalies++;
    if (!x->out->anomaly)
        x->out->anomaly = what;
}

/* Service data that does not decode: an anomaly, unless the APDU is one
 * segment of several (its data continues in the next one). */
static void bad_service_data(struct bacx *x)
{
    if (!x->partial)
        anomaly(x, "bacnet_bad_service_data");
}

/* Reads one tag and, for a primitive, its content (20.2.1). */
static bool tag_read(struct cur *c, struct btag *t)
{
    uint8_t b = cur_u8(c);
    uint8_t num = b >> 4;
    if (num == TAG_EXTENDED_NUMBER)
        num = cur_u8(c);
    bool context = (b & TAG_CONTEXT) != 0;
    t->num = num;
    t->lvt = b & 7;
    t->val = cur_init(NULL, 0);
    if (context && t->lvt == TAG_LVT_OPEN) {
        t->kind = BT_OPEN;
    } else if (context && t->lvt == TAG_LVT_CLOSE) {
        t->kind = BT_CLOSE;
    } else {
        t->kind = context ? BT_CTX : BT_APP;
        if (!context && num == APP_BOOLEAN)
            return cur_ok(c); /* the value is the length field (20.2.3) */
        size_t len = t->lvt;
        if (t->lvt == TAG_LVT_EXTENDED) {
            len = cur_u8(c);
            if (len == TAG_LEN_16)
                len = cur_be16(c);
            else if (len == TAG_LEN_32)
                len = cur_be32(c);
        }
        t->val = cur_sub(c, len);
    }
    return cur_ok(c);
}

/* Consumes the next tag when it has the given kind and number. */
static bool tag_take(struct cur *c, uint8_t kind, uint8_t num, struct btag *t)
{
    struct cur k = *c;
    if (cur_left(&k) == 0 || !tag_read(&k, t) || t->kind != kind || t->num != num)
        return false;
    *c = k;
    return true;
}

static bool open_tag(struct cur *c, uint8_t num)
{
    struct btag t;
    return tag_take(c, BT_OPEN, num, &t);
}

static bool close_tag(struct cur *c, uint8_t num)
{
    struct btag t;
    return tag_take(c, BT_CLOSE, num, &t);
}

static uint64_t val_unsigned(struct cur v)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 8 && cur_left(&v) > 0; i++)
        r = r << 8 | cur_u8(&v);
    return r;
}

static int64_t val_signed(struct cur v)
{
    size_t n = cur_left(&v);
    uint64_t r = val_unsigned(v);
    if (n > 0 && n < 8 && (r >> (8 * n - 1) & 1))
        r |= ~(uint64_t)0 << (8 * n);
    return (int64_t)r;
}

/* An unsigned (or enumerated) value tagged `kind` (context or application)
 * with the given number. */
static bool tag_unsigned(struct cur *c, uint8_t kind, uint8_t num, uint64_t *v)
{
    struct btag t;
    if (!tag_take(c, kind, num, &t))
        return false;
    size_t n = cur_left(&t.val);
    *v = val_unsigned(t.val);
    return n >= 1 && n <= 8;
}

/* An object identifier tagged `kind` (context or application) with the given
 * number. */
static bool tag_objid(struct cur *c, uint8_t kind, uint8_t num, uint32_t *objid)
{
    struct btag t;
    if (!tag_take(c, kind, num, &t) || cur_left(&t.val) != 4)
        return false;
    *objid = cur_be32(&t.val);
    return true;
}

/* Copies a character string as printable ASCII (UCS-2 folded, others kept). */
static void char_string(struct cur s, struct bvalue *v)
{
    struct sbuf b = sb_init(v->str, sizeof v->str);
    v->charset = cur_u8(&s);
    while (cur_left(&s) > 0 && b.n + 1 < b.cap) {
        uint32_t ch = cur_u8(&s);
        if (v->charset == CHARSET_UCS2) {
            ch = ch << 8 | cur_u8(&s);
            if (ch == 0)
                break;
        }
        sb_ascii(&b, ch);
    }
    v->str_n = b.n;
}

static void app_value(const struct btag *t, struct bvalue *v)
{
    v->present = true;
    v->app = t->num;
    struct cur c = t->val;
    switch (t->num) {
        case APP_BOOLEAN:
            v->has_num = true;
            v->num = t->lvt ? 1 : 0;
            break;
        case APP_UNSIGNED:
        case APP_ENUMERATED:
            if (cur_left(&c) >= 1 && cur_left(&c) <= 8) {
                v->has_num = true;
                v->num = (double)val_unsigned(c);
            }
            break;
        case APP_SIGNED:
            if (cur_left(&c) >= 1 && cur_left(&c) <= 8) {
                v->has_num = true;
                v->num = (double)val_signed(c);
            }
            break;
        case APP_REAL:
            if (cur_left(&c) == 4) {
                uint32_t u = cur_be32(&c);
                float f;
                memcpy(&f, &u, sizeof f);
                v->has_num = isfinite(f);
                v->num = f;
            }
            break;
        case APP_DOUBLE:
            if (cur_left(&c) == 8) {
                uint64_t u = cur_be64(&c);
                double dv;
                memcpy(&dv, &u, sizeof dv);
                v->has_num = isfinite(dv);
                v->num = dv;
            }
            break;
        case APP_CHARACTER_STRING:
            if (cur_left(&c) >= 1)
                char_string(c, v);
            break;
        case APP_OBJECT_ID:
            if (cur_left(&c) == 4) {
                v->has_objid = true;
                v->objid = cur_be32(&c);
            }
            break;
        default: break;
    }
}

/* Reads the value between opening and closing tag `num`: the first primitive
 * application value at its top level lands in v, the rest is skipped.  False
 * when the tags do not balance (or the walk hits a cap). */
static bool enclosed_value(struct cur *c, uint8_t num, struct bvalue *v)
{
    memset(v, 0, offsetof(struct bvalue, str));
    v->str[0] = '\0';
    if (!open_tag(c, num))
        return false;
    int depth = 1;
    for (unsigned n = 0; depth > 0; n++) {
        struct btag t;
        if (n >= BAC_MAX_TAGS || cur_left(c) == 0 || !tag_read(c, &t))
            return false;
        if (t.kind == BT_OPEN) {
            if (++depth > BAC_MAX_DEPTH)
                return false;
        } else if (t.kind == BT_CLOSE) {
            depth--;
            if (depth == 0 && t.num != num)
                return false;
        } else if (t.kind == BT_APP && depth == 1 && !v->present) {
            app_value(&t, v);
        }
    }
    return true;
}

static void emit_value(struct bacx *x, const struct bvalue *v)
{
    if (!v->present)
        return;
    const char *tn = ot_tok_name(app_tag_names, v->app);
    if (tn)
        ot_kv_cstr(x->d, "value_type", tn);
    if (v->has_num)
        ot_kv_dbl(x->d, "value", v->num);
    else if (v->app == APP_CHARACTER_STRING)
        ot_kv_str(x->d, "value", v->str, v->str_n);
    else if (v->has_objid)
        ot_kv_u64(x->d, "value", v->objid);
}

static uint64_t value_addr(uint32_t instance, uint32_t prop)
{
    return prop == PROP_PRESENT_VALUE ? instance : (uint64_t)prop << 32 | instance;
}

static void emit_object(struct bacx *x, uint32_t objid, bool range)
{
    uint32_t type = objid >> OBJID_TYPE_SHIFT;
    uint32_t inst = objid & OBJID_INSTANCE_MASK;
    ot_kv_u64(x->d, "object_type", type);
    const char *name = ot_tok_name(object_types, type);
    if (name)
        ot_kv_cstr(x->d, "object_type_name", name);
    ot_kv_u64(x->d, "instance", inst);
    if (range)
        ot_msg_add_range(x->out, "bacnet_object", type, inst, 1);
}

static void emit_property(struct bacx *x, uint32_t prop)
{
    ot_kv_u64(x->d, "property", prop);
    const char *name = ot_tok_name(property_ids, prop);
    if (name)
        ot_kv_cstr(x->d, "property_name", name);
}

static void set_vendor(struct bacx *x, uint64_t vendor)
{
    const char *name = vendor <= UINT32_MAX ? ot_tok_name(bacnet_vendors, (uint32_t)vendor) : NULL;
    if (name && x->out->identity.vendor[0] == '\0') {
        ot_ident_set(x->out->identity.vendor, (const uint8_t *)name, strlen(name));
        x->out->identity.present = true;
    }
}

/* A device object property read back: the device's identity. */
static void identity_property(struct bacx *x, uint32_t objid, uint32_t prop, const struct bvalue *v)
{
    if (objid >> OBJID_TYPE_SHIFT != OBJ_DEVICE || !v->present)
        return;
    struct ot_identity *id = &x->out->identity;
    char *dst = NULL;
    switch (prop) {
        case PROP_VENDOR_NAME: dst = id->vendor; break;
        case PROP_MODEL_NAME: dst = id->model; break;
        case PROP_FIRMWARE_REVISION: dst = id->firmware; break;
        case PROP_OBJECT_NAME: dst = id->name; break;
        case PROP_SERIAL_NUMBER: dst = id->serial; break;
        case PROP_VENDOR_IDENTIFIER:
            if (v->has_num)
                set_vendor(x, (uint64_t)v->num);
            id->from_server = true;
            return;
        default: return;
    }
    if (v->app != APP_CHARACTER_STRING)
        return;
    ot_ident_set(dst, (const uint8_t *)v->str, v->str_n);
    id->present = true;
    id->from_server = true;
}

/* [0] objectIdentifier, [1] propertyIdentifier, [2] propertyArrayIndex OPTIONAL:
 * the head of ReadProperty, WriteProperty, ReadRange, Add/RemoveListElement. */
static bool object_property(struct bacx *x, struct cur *c, uint32_t *objid, uint32_t *prop)
{
    uint64_t p, idx;
    if (!tag_objid(c, BT_CTX, 0, objid))
        return false;
    emit_object(x, *objid, true);
    if (!tag_unsigned(c, BT_CTX, 1, &p))
        return false;
    *prop = (uint32_t)p;
    emit_property(x, *prop);
    if (tag_unsigned(c, BT_CTX, 2, &idx))
        ot_kv_u64(x->d, "array_index", idx);
    return true;
}

static void read_property_ack(struct bacx *x, struct cur *c)
{
    uint32_t objid, prop;
    struct bvalue v;
    if (!object_property(x, c, &objid, &prop) || !enclosed_value(c, 3, &v)) {
        bad_service_data(x);
        return;
    }
    emit_value(x, &v);
    identity_property(x, objid, prop, &v);
}

static void write_property(struct bacx *x, struct cur *c)
{
    uint32_t objid, prop;
    struct bvalue v;
    uint64_t prio;
    if (!object_property(x, c, &objid, &prop) || !enclosed_value(c, 3, &v)) {
        bad_service_data(x);
        return;
    }
    emit_value(x, &v);
    if (v.app == APP_NULL && v.present)
        ot_kv_bool(x->d, "relinquish", true); /* NULL releases the priority slot */
    if (tag_unsigned(c, BT_CTX, 4, &prio))
        ot_kv_u64(x->d, "priority", prio);
    if (v.has_num)
        ot_msg_add_value(x->out, objid >> OBJID_TYPE_SHIFT,
                         value_addr(objid & OBJID_INSTANCE_MASK, prop), v.num);
}

/* ReadPropertyMultiple / WritePropertyMultiple and their ACK:
 *   request: { [0] object, [1] ( { [0] prop [1] index } ) }
 *   ack:     { [0] object, [1] ( { [2] prop [3] index ([4] value | [5] error) } ) }
 *   write:   { [0] object, [1] ( { [0] prop [1] index [2] value [3] priority } ) } */
enum multi_kind {
    MULTI_READ,
    MULTI_READ_ACK,
    MULTI_WRITE,
};

static void property_multiple(struct bacx *x, struct cur *c, enum multi_kind kind)
{
    uint8_t t_prop = kind == MULTI_READ_ACK ? 2 : 0;
    uint8_t t_idx = kind == MULTI_READ_ACK ? 3 : 1;
    unsigned nobj = 0;
    bool bad = false;
    ot_kv_arr(x->d, "objects");
    while (cur_left(c) > 0 && !bad) {
        uint32_t objid;
        if (nobj >= BAC_MAX_OBJECTS) {
            ot_kv_end(x->d);
            ot_kv_bool(x->d, "objects_truncated", true);
            return;
        }
        if (!tag_objid(c, BT_CTX, 0, &objid) || !open_tag(c, 1)) {
            bad = true;
            break;
        }
        bool show = nobj < BAC_OBJ_DETAIL;
        nobj++;
        if (show) {
            ot_kv_obj(x->d, NULL);
            emit_object(x, objid, true);
            ot_kv_arr(x->d, "properties");
        } else {
            ot_msg_add_range(x->out, "bacnet_object", objid >> OBJID_TYPE_SHIFT,
                             objid & OBJID_INSTANCE_MASK, 1);
        }
        unsigned nprop = 0;
        for (unsigned guard = 0; !close_tag(c, 1); guard++) {
            uint64_t prop, idx;
            if (guard >= BAC_MAX_TAGS || !tag_unsigned(c, BT_CTX, t_prop, &prop)) {
                bad = true;
                break;
            }
            if (show && nprop++ < BAC_PROP_DETAIL)
                ot_kv_u64(x->d, NULL, prop);
            (void)tag_unsigned(c, BT_CTX, t_idx, &idx);
            if (kind == MULTI_READ)
                continue;
            struct bvalue v;
            if (kind == MULTI_READ_ACK) {
                if (enclosed_value(c, 4, &v)) {
                    identity_property(x, objid, (uint32_t)prop, &v);
                } else if (!enclosed_value(c, 5, &v)) {
                    bad = true;
                    break;
                }
                continue;
            }
            uint64_t prio;
            if (!enclosed_value(c, 2, &v)) {
                bad = true;
                break;
            }
            (void)tag_unsigned(c, BT_CTX, 3, &prio);
            if (v.has_num)
                ot_msg_add_value(x->out, objid >> OBJID_TYPE_SHIFT,
                                 value_addr(objid & OBJID_INSTANCE_MASK, (uint32_t)prop), v.num);
        }
        if (show) {
            ot_kv_end(x->d);
            ot_kv_end(x->d);
        }
    }
    ot_kv_end(x->d);
    if (bad)
        bad_service_data(x);
}

/* COV notifications: [0] process id, [1] initiating device, [2] monitored
 * object, [3] time remaining, [4] list of values. */
static void cov_notification(struct bacx *x, struct cur *c)
{
    uint64_t pid, remaining;
    uint32_t dev, obj;
    if (!tag_unsigned(c, BT_CTX, 0, &pid) || !tag_objid(c, BT_CTX, 1, &dev) ||
        !tag_objid(c, BT_CTX, 2, &obj)) {
        bad_service_data(x);
        return;
    }
    ot_kv_u64(x->d, "subscriber_process_id", pid);
    ot_kv_u64(x->d, "initiating_device", dev & OBJID_INSTANCE_MASK);
    emit_object(x, obj, true);
    if (tag_unsigned(c, BT_CTX, 3, &remaining))
        ot_kv_u64(x->d, "time_remaining", remaining);
}

/* Event notifications: [0] process id, [1] initiating device, [2] event object. */
static void event_notification(struct bacx *x, struct cur *c)
{
    uint64_t pid;
    uint32_t dev, obj;
    if (!tag_unsigned(c, BT_CTX, 0, &pid) || !tag_objid(c, BT_CTX, 1, &dev) ||
        !tag_objid(c, BT_CTX, 2, &obj))
        return;
    ot_kv_u64(x->d, "initiating_device", dev & OBJID_INSTANCE_MASK);
    emit_object(x, obj, true);
}

/* AtomicReadFile / AtomicWriteFile requests (14.1, 14.2). */
static void atomic_file(struct bacx *x, struct cur *c, bool write)
{
    uint32_t objid;
    if (!tag_objid(c, BT_APP, APP_OBJECT_ID, &objid)) {
        bad_service_data(x);
        return;
    }
    emit_object(x, objid, true);
    bool stream = open_tag(c, 0);
    if (!stream && !open_tag(c, 1))
        return;
    ot_kv_cstr(x->d, "access", stream ? "stream" : "record");
    struct btag t;
    if (!tag_take(c, BT_APP, APP_SIGNED, &t))
        return;
    ot_kv_i64(x->d, stream ? "file_start_position" : "file_start_record", val_signed(t.val));
    if (!write || !stream) {
        uint64_t count;
        if (tag_unsigned(c, BT_APP, APP_UNSIGNED, &count))
            ot_kv_u64(x->d, write ? "record_count" : "requested_count", count);
        if (!write)
            return;
    }
    if (tag_take(c, BT_APP, APP_OCTET_STRING, &t))
        ot_kv_u64(x->d, "data_length", cur_left(&t.val));
}

static void atomic_read_file_ack(struct bacx *x, struct cur *c)
{
    struct btag t;
    if (!tag_take(c, BT_APP, APP_BOOLEAN, &t))
        return;
    ot_kv_bool(x->d, "end_of_file", t.lvt != 0);
    bool stream = open_tag(c, 0);
    if (!stream && !open_tag(c, 1))
        return;
    if (!tag_take(c, BT_APP, APP_SIGNED, &t))
        return;
    ot_kv_i64(x->d, stream ? "file_start_position" : "file_start_record", val_signed(t.val));
    if (!stream)
        (void)tag_take(c, BT_APP, APP_UNSIGNED, &t);
    if (tag_take(c, BT_APP, APP_OCTET_STRING, &t))
        ot_kv_u64(x->d, "data_length", cur_left(&t.val));
}

static void create_object(struct bacx *x, struct cur *c)
{
    uint64_t type;
    uint32_t objid;
    if (!open_tag(c, 0))
        return;
    if (tag_unsigned(c, BT_CTX, 0, &type)) {
        ot_kv_u64(x->d, "object_type", type);
        const char *name = type <= UINT32_MAX ? ot_tok_name(object_types, (uint32_t)type) : NULL;
        if (name)
            ot_kv_cstr(x->d, "object_type_name", name);
    } else if (tag_objid(c, BT_CTX, 1, &objid)) {
        emit_object(x, objid, true);
    }
}

/* DeviceCommunicationControl and ReinitializeDevice: the password is a secret;
 * only its presence and length are reported. */
static void password(struct bacx *x, struct cur *c, uint8_t num)
{
    struct btag t;
    if (tag_take(c, BT_CTX, num, &t)) {
        ot_kv_bool(x->d, "password_present", true);
        ot_kv_u64(x->d, "password_length", cur_left(&t.val) > 0 ? cur_left(&t.val) - 1 : 0);
    }
}

static void device_communication_control(struct bacx *x, struct cur *c)
{
    uint64_t duration, state;
    if (tag_unsigned(c, BT_CTX, 0, &duration))
        ot_kv_u64(x->d, "time_duration", duration);
    if (!tag_unsigned(c, BT_CTX, 1, &state)) {
        bad_service_data(x);
        return;
    }
    ot_kv_u64(x->d, "enable_disable", state);
    const char *name = state <= 2 ? ot_tok_name(dcc_names, (uint32_t)state) : NULL;
    if (name)
        ot_kv_cstr(x->d, "enable_disable_name", name);
    password(x, c, 2);
}

static void reinitialize_device(struct bacx *x, struct cur *c)
{
    uint64_t state;
    if (!tag_unsigned(c, BT_CTX, 0, &state)) {
        bad_service_data(x);
        return;
    }
    ot_kv_u64(x->d, "reinitialized_state", state);
    const char *name = state <= 7 ? ot_tok_name(reinit_names, (uint32_t)state) : NULL;
    if (name)
        ot_kv_cstr(x->d, "reinitialized_state_name", name);
    password(x, c, 1);
}

static void private_transfer(struct bacx *x, struct cur *c)
{
    uint64_t vendor, number;
    if (tag_unsigned(c, BT_CTX, 0, &vendor) && tag_unsigned(c, BT_CTX, 1, &number)) {
        ot_kv_u64(x->d, "vendor_id", vendor);
        ot_kv_u64(x->d, "service_number", number);
    }
}

static void i_am(struct bacx *x, struct cur *c)
{
    uint32_t objid;
    uint64_t max_apdu, seg, vendor;
    if (!tag_objid(c, BT_APP, APP_OBJECT_ID, &objid) ||
        !tag_unsigned(c, BT_APP, APP_UNSIGNED, &max_apdu) ||
        !tag_unsigned(c, BT_APP, APP_ENUMERATED, &seg) ||
        !tag_unsigned(c, BT_APP, APP_UNSIGNED, &vendor)) {
        anomaly(x, "bacnet_bad_service_data");
        return;
    }
    emit_object(x, objid, true);
    ot_kv_u64(x->d, "max_apdu_length_accepted", max_apdu);
    ot_kv_u64(x->d, "segmentation_supported", seg);
    const char *sname = seg <= 3 ? ot_tok_name(segmentation_names, (uint32_t)seg) : NULL;
    if (sname)
        ot_kv_cstr(x->d, "segmentation_supported_name", sname);
    ot_kv_u64(x->d, "vendor_id", vendor);
    set_vendor(x, vendor);
    x->out->identity.from_server = true;
}

static void i_have(struct bacx *x, struct cur *c)
{
    uint32_t dev, obj;
    struct btag t;
    if (!tag_objid(c, BT_APP, APP_OBJECT_ID, &dev) || !tag_objid(c, BT_APP, APP_OBJECT_ID, &obj)) {
        anomaly(x, "bacnet_bad_service_data");
        return;
    }
    ot_kv_u64(x->d, "device_instance", dev & OBJID_INSTANCE_MASK);
    emit_object(x, obj, true);
    if (tag_take(c, BT_APP, APP_CHARACTER_STRING, &t)) {
        struct bvalue v;
        char_string(t.val, &v);
        ot_kv_str(x->d, "object_name", v.str, v.str_n);
    }
}

static void who_is(struct bacx *x, struct cur *c)
{
    uint64_t low, high;
    if (cur_left(c) == 0)
        return;
    if (!tag_unsigned(c, BT_CTX, 0, &low) || !tag_unsigned(c, BT_CTX, 1, &high)) {
        anomaly(x, "bacnet_bad_service_data");
        return;
    }
    ot_kv_u64(x->d, "low_limit", low);
    ot_kv_u64(x->d, "high_limit", high);
    if (low <= high && high <= OBJID_INSTANCE_MASK)
        ot_msg_add_range(x->out, "bacnet_object", OBJ_DEVICE, low, (uint32_t)(high - low + 1));
}

static void who_has(struct bacx *x, struct cur *c)
{
    uint64_t low, high;
    uint32_t objid;
    struct btag t;
    if (tag_unsigned(c, BT_CTX, 0, &low) && tag_unsigned(c, BT_CTX, 1, &high)) {
        ot_kv_u64(x->d, "low_limit", low);
        ot_kv_u64(x->d, "high_limit", high);
    }
    if (tag_objid(c, BT_CTX, 2, &objid)) {
        emit_object(x, objid, true);
    } else if (tag_take(c, BT_CTX, 3, &t)) {
        struct bvalue v;
        char_string(t.val, &v);
        ot_kv_str(x->d, "object_name", v.str, v.str_n);
    }
}

/* Date and time of a time synchronization (20.2.12, 20.2.13), 255 = unspecified. */
static void time_sync(struct bacx *x, struct cur *c)
{
    struct btag d, t;
    if (!tag_take(c, BT_APP, APP_DATE, &d) || !tag_take(c, BT_APP, APP_TIME, &t) ||
        cur_left(&d.val) != 4 || cur_left(&t.val) != 4) {
        anomaly(x, "bacnet_bad_service_data");
        return;
    }
    uint8_t f[8];
    cur_copy(&d.val, f, 4);
    cur_copy(&t.val, f + 4, 4);
    char s[32];
    struct sbuf b = sb_init(s, sizeof s);
    sb_dec(&b, f[0] == 255 ? 0 : 1900u + f[0], 4);
    sb_putc(&b, '-');
    sb_dec(&b, f[1], 2);
    sb_putc(&b, '-');
    sb_dec(&b, f[2], 2);
    sb_putc(&b, 'T');
    sb_dec(&b, f[4], 2);
    sb_putc(&b, ':');
    sb_dec(&b, f[5], 2);
    sb_putc(&b, ':');
    sb_dec(&b, f[6], 2);
    sb_putc(&b, '.');
    sb_dec(&b, f[7], 2);
    ot_kv_str(x->d, "time", s, b.n);
}

/* The next character string, when there is one, into the identity field dst. */
static void ident_string(struct cur *c, struct ot_identity *id, char dst[OT_IDENT_LEN])
{
    struct btag t;
    struct bvalue v;
    if (!tag_take(c, BT_APP, APP_CHARACTER_STRING, &t))
        return;
    char_string(t.val, &v);
    ot_ident_set(dst, (const uint8_t *)v.str, v.str_n);
    id->present = true;
}

/* Who-Am-I (16.11): vendor id, model name, serial number: an unconfigured
 * device introducing itself. */
static void who_am_i(struct bacx *x, struct cur *c)
{
    uint64_t vendor;
    if (!tag_unsigned(c, BT_APP, APP_UNSIGNED, &vendor))
        return;
    ot_kv_u64(x->d, "vendor_id", vendor);
    set_vendor(x, vendor);
    struct ot_identity *id = &x->out->identity;
    ident_string(c, id, id->model);
    ident_string(c, id, id->serial);
    id->from_server = true;
}

/* Error PDU: error class and error code are the first two application
 * enumerated values, at the top level or inside the service's error choice. */
static void error_pdu(struct bacx *x, struct cur *c)
{
    uint64_t cls = 0, code = 0;
    int found = 0;
    for (unsigned n = 0; n < BAC_MAX_TAGS && found < 2 && cur_left(c) > 0; n++) {
        struct btag t;
        if (!tag_read(c, &t))
            break;
        if (t.kind == BT_APP && t.num == APP_ENUMERATED) {
            if (found++ == 0)
                cls = val_unsigned(t.val);
            else
                code = val_unsigned(t.val);
        }
    }
    if (found < 2) {
        anomaly(x, "bacnet_bad_error");
        return;
    }
    ot_kv_u64(x->d, "error_class", cls);
    const char *cname = cls <= 7 ? ot_tok_name(error_classes, (uint32_t)cls) : NULL;
    if (cname)
        ot_kv_cstr(x->d, "error_class_name", cname);
    ot_kv_u64(x->d, "error_code", code);
    const char *name = code <= UINT32_MAX ? ot_tok_name(error_codes, (uint32_t)code) : NULL;
    if (name)
        ot_kv_cstr(x->d, "error_code_name", name);
    ot_msg_set_exception(x->out, code <= UINT32_MAX ? (uint32_t)code : UINT32_MAX, name);
}

static void confirmed_request(struct bacx *x, uint8_t svc, struct cur *c)
{
    uint32_t objid, prop;
    switch (svc) {
        case SVC_READ_PROPERTY:
        case SVC_READ_RANGE:
        case SVC_ADD_LIST_ELEMENT:
        case SVC_REMOVE_LIST_ELEMENT:
            if (!object_property(x, c, &objid, &prop))
                bad_service_data(x);
            break;
        case SVC_WRITE_PROPERTY: write_property(x, c); break;
        case SVC_READ_PROPERTY_MULTIPLE: property_multiple(x, c, MULTI_READ); break;
        case SVC_WRITE_PROPERTY_MULTIPLE: property_multiple(x, c, MULTI_WRITE); break;
        case SVC_SUBSCRIBE_COV:
        case SVC_SUBSCRIBE_COV_PROPERTY: {
            uint64_t pid;
            if (tag_unsigned(c, BT_CTX, 0, &pid) && tag_objid(c, BT_CTX, 1, &objid)) {
                ot_kv_u64(x->d, "subscriber_process_id", pid);
                emit_object(x, objid, true);
            }
            break;
        }
        case SVC_CONFIRMED_COV_NOTIFICATION: cov_notification(x, c); break;
        case SVC_CONFIRMED_EVENT_NOTIFICATION: event_notification(x, c); break;
        case SVC_ACKNOWLEDGE_ALARM: {
            uint64_t pid;
            if (tag_unsigned(c, BT_CTX, 0, &pid) && tag_objid(c, BT_CTX, 1, &objid))
                emit_object(x, objid, true);
            break;
        }
        case SVC_ATOMIC_READ_FILE: atomic_file(x, c, false); break;
        case SVC_ATOMIC_WRITE_FILE: atomic_file(x, c, true); break;
        case SVC_CREATE_OBJECT: create_object(x, c); break;
        case SVC_DELETE_OBJECT:
            if (tag_objid(c, BT_APP, APP_OBJECT_ID, &objid))
                emit_object(x, objid, true);
            else
                bad_service_data(x);
            break;
        case SVC_DEVICE_COMMUNICATION_CONTROL: device_communication_control(x, c); break;
        case SVC_REINITIALIZE_DEVICE: reinitialize_device(x, c); break;
        case SVC_CONFIRMED_PRIVATE_TRANSFER: private_transfer(x, c); break;
        case SVC_LIFE_SAFETY_OPERATION: {
            uint64_t pid, op;
            struct btag t;
            if (tag_unsigned(c, BT_CTX, 0, &pid) && tag_take(c, BT_CTX, 1, &t) &&
                tag_unsigned(c, BT_CTX, 2, &op)) {
                ot_kv_u64(x->d, "operation", op);
                if (tag_objid(c, BT_CTX, 3, &objid))
                    emit_object(x, objid, true);
            }
            break;
        }
        default: break;
    }
}

static void complex_ack(struct bacx *x, uint8_t svc, struct cur *c)
{
    uint32_t objid, prop;
    switch (svc) {
        case SVC_READ_PROPERTY: read_property_ack(x, c); break;
        case SVC_READ_PROPERTY_MULTIPLE: property_multiple(x, c, MULTI_READ_ACK); break;
        case SVC_READ_RANGE:
            if (!object_property(x, c, &objid, &prop))
                bad_service_data(x);
            break;
        case SVC_ATOMIC_READ_FILE: atomic_read_file_ack(x, c); break;
        case SVC_CREATE_OBJECT:
            if (tag_objid(c, BT_APP, APP_OBJECT_ID, &objid))
                emit_object(x, objid, true);
            break;
        case SVC_CONFIRMED_PRIVATE_TRANSFER: private_transfer(x, c); break;
        default: break;
    }
}

static void unconfirmed_request(struct bacx *x, uint8_t svc, struct cur *c)
{
    switch (svc) {
        case USVC_I_AM: i_am(x, c); break;
        case USVC_I_HAVE: i_have(x, c); break;
        case USVC_UNCONFIRMED_COV_NOTIFICATION: cov_notification(x, c); break;
        case USVC_UNCONFIRMED_EVENT_NOTIFICATION: event_notification(x, c); break;
        case USVC_UNCONFIRMED_PRIVATE_TRANSFER: private_transfer(x, c); break;
        case USVC_TIME_SYNCHRONIZATION:
        case USVC_UTC_TIME_SYNCHRONIZATION: time_sync(x, c); break;
        case USVC_WHO_HAS: who_has(x, c); break;
        case USVC_WHO_IS: who_is(x, c); break;
        case USVC_WRITE_GROUP: {
            uint64_t group, prio;
            if (tag_unsigned(c, BT_CTX, 0, &group) && tag_unsigned(c, BT_CTX, 1, &prio)) {
                ot_kv_u64(x->d, "group_number", group);
                ot_kv_u64(x->d, "write_priority", prio);
            }
            break;
        }
        case USVC_WHO_AM_I: who_am_i(x, c); break;
        case USVC_YOU_ARE: {
            uint64_t vendor;
            if (tag_unsigned(c, BT_APP, APP_UNSIGNED, &vendor))
                ot_kv_u64(x->d, "vendor_id", vendor);
            break;
        }
        default: break;
    }
}

/* The pairing key: the invoke id and the two ends' network addresses, the
 * server's first, so that a request (DNET/DADR = server) and its answer
 * (SNET/SADR = server) hash alike. */
static uint32_t fnv_addr(uint32_t h, const struct bac_addr *a)
{
    h = (h ^ (a->present ? 1u : 0u)) * 16777619u;
    h = (h ^ (a->net & 0xff)) * 16777619u;
    h = (h ^ (a->net >> 8)) * 16777619u;
    for (unsigned i = 0; i < a->len && i < BAC_ADDR_MAX; i++)
        h = (h ^ a->adr[i]) * 16777619u;
    return h;
}

static uint32_t txn_key(const struct bacx *x, uint8_t invoke, bool from_server)
{
    const struct bac_addr *server = from_server ? &x->src : &x->dst;
    const struct bac_addr *client = from_server ? &x->dst : &x->src;
    uint32_t h = 2166136261u;
    h = (h ^ invoke) * 16777619u;
    h = fnv_addr(h, server);
    h = fnv_addr(h, client);
    return h & 0x7fffffffu; /* clear of BACNET_KEY_BVLC */
}

static const struct bac_pending *pending_find(const struct bacnet_flow *fs, uint32_t key)
{
    if (!fs)
        return NULL;
    for (unsigned i = 0; i < BAC_PENDING; i++)
        if (fs->pend[i].valid && fs->pend[i].key == key)
            return &fs->pend[i];
    return NULL;
}

/* Names a Reject / Abort / SegmentACK after the request it answers. */
static void function_from_pending(struct bacx *x, uint32_t key)
{
    const struct bac_pending *p = pending_find(x->ctx->flow_state, key);
    if (!p)
        return;
    const struct ot_func *f = ot_func_find(confirmed_services, p->service);
    ot_msg_set_function(x->out, p->service, f ? f->name : NULL,
                        f ? (enum ot_op)f->op : OT_OP_OTHER);
}

static void set_service(struct bacx *x, uint8_t svc, bool unconfirmed)
{
    const struct ot_func *f =
        ot_func_find(unconfirmed ? unconfirmed_services : confirmed_services, svc);
    ot_kv_u64(x->d, "service", svc);
    if (f)
        ot_kv_cstr(x->d, "service_name", f->name);
    ot_msg_set_function(x->out, unconfirmed ? BACNET_FUNC_UNCONFIRMED + svc : svc,
                        f ? f->name : NULL, f ? (enum ot_op)f->op : OT_OP_OTHER);
}

/* Sequence number and proposed window of a segmented APDU (20.1.2.4). */
struct bseg {
    uint8_t seq;
    uint8_t window;
};

/* Reads the segment fields when b0 (the APDU's first byte) marks it
 * segmented; zeros otherwise. */
static struct bseg rd_segment(struct cur *c, uint8_t b0)
{
    struct bseg s = {0, 0};
    if (b0 & APDU_SEG) {
        s.seq = cur_u8(c);
        s.window = cur_u8(c);
    }
    return s;
}

static void kv_segment(struct ot_detail *d, uint8_t b0, struct bseg s)
{
    if (!(b0 & APDU_SEG))
        return;
    ot_kv_bool(d, "segmented", true);
    ot_kv_bool(d, "more_follows", (b0 & APDU_MOR) != 0);
    ot_kv_u64(d, "sequence_number", s.seq);
    ot_kv_u64(d, "window_size", s.window);
}

static enum ot_parse apdu(struct bacx *x, struct cur *c)
{
    struct ot_msg *out = x->out;
    struct ot_detail *d = x->d;
    uint8_t b0 = cur_u8(c);
    uint8_t type = b0 >> 4;
    if (!cur_ok(c)) {
        anomaly(x, "bacnet_empty_apdu");
        return OT_PARSE_INVALID;
    }
    const char *tname = ot_tok_name(apdu_types, type);
    if (!tname) {
        anomaly(x, "bacnet_bad_apdu_type");
        return OT_PARSE_INVALID;
    }
    ot_kv_u64(d, "apdu_type", type);
    ot_kv_cstr(d, "apdu_type_name", tname);
    switch (type) {
        case APDU_CONFIRMED_REQUEST: {
            uint8_t b1 = cur_u8(c);
            uint8_t invoke = cur_u8(c);
            struct bseg seg = rd_segment(c, b0);
            uint8_t svc = cur_u8(c);
            if (!cur_ok(c))
                break;
            ot_kv_u64(d, "invoke_id", invoke);
            ot_kv_u64(d, "max_segments", (b1 >> 4) & 7);
            ot_kv_u64(d, "max_apdu", b1 & 0x0f);
            kv_segment(d, b0, seg);
            if (b0 & APDU_SA)
                ot_kv_bool(d, "segmented_response_accepted", true);
            set_service(x, svc, false);
            out->dir = OT_DIR_REQUEST;
            uint32_t key = txn_key(x, invoke, false);
            if ((b0 & APDU_SEG) && seg.seq > 0)
                return OT_PARSE_OK; /* a continuation segment: a record of its own */
            out->pair = OT_PAIR_KEYED;
            out->txn_key = key;
            x->partial = x->partial || (b0 & APDU_MOR) != 0;
            confirmed_request(x, svc, c);
            x->commit_pending = true;
            x->pend_key = key;
            x->pend_service = svc;
            return OT_PARSE_OK;
        }
        case APDU_UNCONFIRMED_REQUEST: {
            uint8_t svc = cur_u8(c);
            if (!cur_ok(c))
                break;
            set_service(x, svc, true);
            /* sent by the device that owns the data: I-Am, I-Have, notifications */
            out->dir = svc == USVC_I_AM || svc == USVC_I_HAVE ||
                               svc == USVC_UNCONFIRMED_COV_NOTIFICATION ||
                               svc == USVC_UNCONFIRMED_EVENT_NOTIFICATION ||
                               svc == USVC_UNCONFIRMED_COV_NOTIFICATION_MULTIPLE ||
                               svc == USVC_WHO_AM_I
                           ? OT_DIR_RESPONSE
                           : OT_DIR_REQUEST;
            unconfirmed_request(x, svc, c);
            return OT_PARSE_OK;
        }
        case APDU_SIMPLE_ACK:
        case APDU_ERROR: {
            uint8_t invoke = cur_u8(c);
            uint8_t svc = cur_u8(c);
            if (!cur_ok(c))
                break;
            ot_kv_u64(d, "invoke_id", invoke);
            set_service(x, svc, false);
            out->dir = OT_DIR_RESPONSE;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = txn_key(x, invoke, true);
            if (type == APDU_ERROR)
                error_pdu(x, c);
            return OT_PARSE_OK;
        }
        case APDU_COMPLEX_ACK: {
            uint8_t invoke = cur_u8(c);
            struct bseg seg = rd_segment(c, b0);
            uint8_t svc = cur_u8(c);
            if (!cur_ok(c))
                break;
            ot_kv_u64(d, "invoke_id", invoke);
            kv_segment(d, b0, seg);
            set_service(x, svc, false);
            out->dir = OT_DIR_RESPONSE;
            if ((b0 & APDU_SEG) && seg.seq > 0)
                return OT_PARSE_OK;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = txn_key(x, invoke, true);
            x->partial = x->partial || (b0 & APDU_MOR) != 0;
            complex_ack(x, svc, c);
            return OT_PARSE_OK;
        }
        case APDU_SEGMENT_ACK: {
            uint8_t invoke = cur_u8(c);
            uint8_t seq = cur_u8(c);
            uint8_t window = cur_u8(c);
            if (!cur_ok(c))
                break;
            bool srv = (b0 & APDU_SRV) != 0;
            ot_kv_u64(d, "invoke_id", invoke);
            ot_kv_u64(d, "sequence_number", seq);
            ot_kv_u64(d, "window_size", window);
            ot_kv_bool(d, "negative_ack", (b0 & APDU_NAK) != 0);
            ot_kv_bool(d, "sent_by_server", srv);
            out->dir = srv ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
            function_from_pending(x, txn_key(x, invoke, srv));
            return OT_PARSE_OK;
        }
        case APDU_REJECT:
        case APDU_ABORT: {
            uint8_t invoke = cur_u8(c);
            uint8_t reason = cur_u8(c);
            if (!cur_ok(c))
                break;
            bool reject = type == APDU_REJECT;
            bool srv = reject || (b0 & APDU_SRV) != 0;
            const char *rname = ot_tok_name(reject ? reject_reasons : abort_reasons, reason);
            ot_kv_u64(d, "invoke_id", invoke);
            ot_kv_u64(d, reject ? "reject_reason" : "abort_reason", reason);
            if (rname)
                ot_kv_cstr(d, reject ? "reject_reason_name" : "abort_reason_name", rname);
            if (!reject)
                ot_kv_bool(d, "sent_by_server", srv);
            ot_msg_set_exception(out, (reject ? BACNET_EXC_REJECT : BACNET_EXC_ABORT) + reason,
                                 rname);
            uint32_t key = txn_key(x, invoke, srv);
            function_from_pending(x, key);
            out->dir = srv ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
            if (srv) {
                out->pair = OT_PAIR_KEYED;
                out->txn_key = key;
            }
            return OT_PARSE_OK;
        }
        default: break;
    }
    anomaly(x, "bacnet_truncated_apdu");
    return OT_PARSE_INVALID;
}

static void network_list(struct bacx *x, struct cur *c, const char *key)
{
    ot_kv_arr(x->d, key);
    for (unsigned i = 0; cur_left(c) >= 2 && i < 256; i++) {
        uint16_t net = cur_be16(c);
        if (i < BAC_LIST_DETAIL)
            ot_kv_u64(x->d, NULL, net);
    }
    ot_kv_end(x->d);
}

static enum ot_parse network_message(struct bacx *x, struct cur *c)
{
    struct ot_msg *out = x->out;
    struct ot_detail *d = x->d;
    uint8_t type = cur_u8(c);
    if (!cur_ok(c)) {
        anomaly(x, "bacnet_truncated_npdu");
        return OT_PARSE_INVALID;
    }
    ot_kv_u64(d, "message_type", type);
    if (type >= NPDU_PROPRIETARY_MESSAGE) {
        uint16_t vendor = cur_be16(c);
        if (!cur_ok(c)) {
            anomaly(x, "bacnet_truncated_npdu");
            return OT_PARSE_INVALID;
        }
        ot_kv_u64(d, "vendor_id", vendor);
        ot_msg_set_function(out, BACNET_FUNC_NETWORK + type, NULL, OT_OP_OTHER);
        out->dir = x->ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
        return OT_PARSE_OK;
    }
    const struct ot_func *f = ot_func_find(network_messages, type);
    if (f)
        ot_kv_cstr(d, "message_type_name", f->name);
    ot_msg_set_function(out, BACNET_FUNC_NETWORK + type, f ? f->name : NULL,
                        f ? (enum ot_op)f->op : OT_OP_OTHER);
    out->dir = OT_DIR_REQUEST;
    switch (type) {
        case NL_WHO_IS_ROUTER:
            if (cur_left(c) >= 2)
                ot_kv_u64(d, "network", cur_be16(c));
            break;
        case NL_I_AM_ROUTER:
        case NL_ROUTER_BUSY:
        case NL_ROUTER_AVAILABLE:
            out->dir = OT_DIR_RESPONSE;
            network_list(x, c, "networks");
            break;
        case NL_I_COULD_BE_ROUTER:
            out->dir = OT_DIR_RESPONSE;
            if (cur_left(c) >= 3) {
                ot_kv_u64(d, "network", cur_be16(c));
                ot_kv_u64(d, "performance_index", cur_u8(c));
            }
            break;
        case NL_REJECT_MESSAGE: {
            uint8_t reason = cur_u8(c);
            uint16_t net = cur_be16(c);
            out->dir = OT_DIR_RESPONSE;
            if (!cur_ok(c)) {
                anomaly(x, "bacnet_truncated_npdu");
                break;
            }
            const char *rname = ot_tok_name(reject_message_reasons, reason);
            ot_kv_u64(d, "reject_reason", reason);
            if (rname)
                ot_kv_cstr(d, "reject_reason_name", rname);
            ot_kv_u64(d, "network", net);
            ot_msg_set_exception(out, BACNET_EXC_NETWORK_REJECT + reason, rname);
            break;
        }
        case NL_INITIALIZE_ROUTING_TABLE:
        case NL_INITIALIZE_ROUTING_TABLE_ACK: {
            uint8_t ports = cur_u8(c);
            if (!cur_ok(c))
                break;
            ot_kv_u64(d, "port_count", ports);
            /* with no ports the request only asks for the table */
            if (type == NL_INITIALIZE_ROUTING_TABLE && ports == 0)
                out->op_class = OT_OP_READ;
            if (type == NL_INITIALIZE_ROUTING_TABLE_ACK)
                out->dir = OT_DIR_RESPONSE;
            ot_kv_arr(d, "networks");
            for (unsigned i = 0; i < ports; i++) {
                uint16_t net = cur_be16(c);
                cur_skip(c, 1); /* port id */
                cur_skip(c, cur_u8(c));
                if (!cur_ok(c)) {
                    anomaly(x, "bacnet_truncated_npdu");
                    break;
                }
                if (i < BAC_LIST_DETAIL)
                    ot_kv_u64(d, NULL, net);
            }
            ot_kv_end(d);
            break;
        }
        case NL_NETWORK_NUMBER_IS:
            out->dir = OT_DIR_RESPONSE;
            if (cur_left(c) >= 3) {
                ot_kv_u64(d, "network", cur_be16(c));
                ot_kv_u64(d, "network_number_status", cur_u8(c));
            }
            break;
        case NL_ESTABLISH_CONNECTION:
        case NL_DISCONNECT_CONNECTION:
            if (cur_left(c) >= 2)
                ot_kv_u64(d, "network", cur_be16(c));
            break;
        default: break;
    }
    return OT_PARSE_OK;
}

/* Reads NET, LEN, ADR; returns the address bytes (borrowed) and their count. */
static const uint8_t *read_addr(struct cur *c, struct bac_addr *a, size_t *n)
{
    a->present = true;
    a->net = cur_be16(c);
    *n = cur_u8(c);
    struct cur adr = cur_sub(c, *n);
    struct cur all = adr;
    const uint8_t *p = cur_bytes(&all, *n);
    a->len = (uint8_t)(*n < BAC_ADDR_MAX ? *n : BAC_ADDR_MAX);
    cur_copy(&adr, a->adr, a->len);
    return p;
}

static enum ot_parse npdu(struct bacx *x, struct cur *c)
{
    struct ot_detail *d = x->d;
    uint8_t version = cur_u8(c);
    uint8_t control = cur_u8(c);
    if (!cur_ok(c)) {
        anomaly(x, "bacnet_truncated_npdu");
        return OT_PARSE_INVALID;
    }
    if (version != NPDU_VERSION) {
        anomaly(x, "bacnet_bad_npdu_version");
        return OT_PARSE_INVALID;
    }
    const uint8_t *dadr = NULL, *sadr = NULL;
    size_t dlen = 0, slen = 0;
    if (control & NPDU_DNET)
        dadr = read_addr(c, &x->dst, &dlen);
    if (control & NPDU_SNET)
        sadr = read_addr(c, &x->src, &slen);
    uint8_t hop = (control & NPDU_DNET) ? cur_u8(c) : 0;
    if (!cur_ok(c)) {
        anomaly(x, "bacnet_truncated_npdu");
        return OT_PARSE_INVALID;
    }
    ot_kv_obj(d, "npdu");
    ot_kv_u64(d, "control", control);
    if (x->dst.present) {
        ot_kv_u64(d, "dnet", x->dst.net);
        ot_kv_hex(d, "dadr", dadr, dlen < BAC_ADDR_DETAIL ? dlen : BAC_ADDR_DETAIL);
        ot_kv_u64(d, "hop_count", hop);
    }
    if (x->src.present) {
        ot_kv_u64(d, "snet", x->src.net);
        ot_kv_hex(d, "sadr", sadr, slen < BAC_ADDR_DETAIL ? slen : BAC_ADDR_DETAIL);
        if (slen == 0)
            anomaly(x, "bacnet_empty_sadr"); /* 6.2.2: SLEN 0 is invalid */
    }
    if (control & NPDU_EXPECTING_REPLY)
        ot_kv_bool(d, "expecting_reply", true);
    ot_kv_u64(d, "network_priority", control & NPDU_PRIORITY);
    ot_kv_cstr(d, "network_priority_name", ot_tok_name(priority_names, control & NPDU_PRIORITY));
    ot_kv_end(d);
    if (control & NPDU_RESERVED)
        anomaly(x, "bacnet_npdu_reserved_bits");
    if (control & NPDU_NETWORK_MESSAGE)
        return network_message(x, c);
    return apdu(x, c);
}

/* A B/IP address (J.1.2: IPv4 address, UDP port) as "a.b.c.d:port". */
static void bvlc_address(struct bacx *x, struct cur *c, const char *key)
{
    uint32_t ip = cur_be32(c);
    uint16_t port = cur_be16(c);
    if (!cur_ok(c))
        return;
    char s[24];
    struct sbuf b = sb_init(s, sizeof s);
    sb_ipv4_port(&b, ip, port);
    ot_kv_str(x->d, key, s, b.n);
}

static void bvlc_entries(struct bacx *x, struct cur *c, const char *key)
{
    struct ot_detail *d = x->d;
    size_t n = cur_left(c) / BVLC_BDT_ENTRY_LEN;
    if (cur_left(c) % BVLC_BDT_ENTRY_LEN)
        anomaly(x, "bvlc_bad_table_length");
    ot_kv_u64(d, "entry_count", n);
    ot_kv_arr(d, key);
    for (size_t i = 0; i < n && i < BAC_LIST_DETAIL; i++) {
        struct cur e = cur_sub(c, BVLC_BDT_ENTRY_LEN);
        bvlc_address(x, &e, NULL); /* the broadcast mask / time left are not kept */
    }
    ot_kv_end(d);
}

/* A BVLC length that differs from the datagram is an anomaly parse() reports
 * (some stacks send a fixed length): such a datagram is still claimed when the
 * NPDU it carries starts well, so that its flow is dissected at all. */
static enum ot_probe bacnet_probe(const uint8_t *p, size_t len, bool to_server)
{
    (void)to_server;
    struct cur c = cur_init(p, len);
    if (len < BVLC_HEADER_LEN)
        return len > 0 && cur_peek_u8(&c) != BVLC_TYPE_BIP ? OT_PROBE_NO : OT_PROBE_NEED_MORE;
    uint8_t type = cur_u8(&c);
    uint8_t fn = cur_u8(&c);
    uint16_t blen = cur_be16(&c);
    if (type != BVLC_TYPE_BIP || !ot_func_find(bvlc_functions, fn) || blen < BVLC_HEADER_LEN)
        return OT_PROBE_NO;
    bool carries_npdu = fn == BVLC_FORWARDED_NPDU || fn == BVLC_DISTRIBUTE_BROADCAST ||
                        fn == BVLC_ORIGINAL_UNICAST || fn == BVLC_ORIGINAL_BROADCAST;
    if (blen != len && !carries_npdu)
        return OT_PROBE_NO;
    if (!carries_npdu)
        return OT_PROBE_YES;
    if (fn == BVLC_FORWARDED_NPDU)
        cur_skip(&c, 6);
    uint8_t version = cur_u8(&c);
    uint8_t control = cur_u8(&c);
    if (!cur_ok(&c))
        return blen == len ? OT_PROBE_NO : OT_PROBE_NEED_MORE;
    if (version != NPDU_VERSION)
        return OT_PROBE_NO;
    /* with a length that does not vouch for the datagram, the reserved
     * control bits must be clear too */
    if (blen != len && (control & NPDU_RESERVED))
        return OT_PROBE_NO;
    return OT_PROBE_YES;
}

/* The BVLC message after its header: the NPDU it carries, or the BVLL
 * management message itself. */
static enum ot_parse bvlc_body(struct bacx *x, uint8_t fn, const struct ot_func *f,
                               struct cur *body, bool cut)
{
    struct ot_msg *out = x->out;
    struct ot_detail *d = x->d;
    enum ot_parse r = OT_PARSE_OK;

    switch (fn) {
        case BVLC_FORWARDED_NPDU:
        case BVLC_DISTRIBUTE_BROADCAST:
        case BVLC_ORIGINAL_UNICAST:
        case BVLC_ORIGINAL_BROADCAST:
            if (!cur_ok(body)) {
                anomaly(x, "bvlc_bad_length");
                return cut ? OT_PARSE_TRUNC : OT_PARSE_INVALID;
            }
            x->partial = cut;
            r = npdu(x, body);
            if (r != OT_PARSE_OK && cut)
                r = OT_PARSE_TRUNC;
            break;
        default:
            ot_msg_set_function(out, BACNET_FUNC_BVLC + fn, f->name, (enum ot_op)f->op);
            out->dir = OT_DIR_REQUEST;
            out->pair = OT_PAIR_KEYED;
            out->txn_key = BACNET_KEY_BVLC;
            switch (fn) {
                case BVLC_RESULT: {
                    uint16_t code = cur_be16(body);
                    out->dir = OT_DIR_RESPONSE;
                    if (!cur_ok(body)) {
                        anomaly(x, "bvlc_bad_length");
                        return cut ? OT_PARSE_TRUNC : OT_PARSE_INVALID;
                    }
                    const char *name = ot_tok_name(bvlc_results, code);
                    ot_kv_u64(d, "result_code", code);
                    if (name)
                        ot_kv_cstr(d, "result_name", name);
                    if (code != 0)
                        ot_msg_set_exception(out, code, name);
                    break;
                }
                case BVLC_WRITE_BDT: bvlc_entries(x, body, "bdt"); break;
                case BVLC_READ_BDT_ACK:
                    out->dir = OT_DIR_RESPONSE;
                    bvlc_entries(x, body, "bdt");
                    break;
                case BVLC_READ_FDT_ACK:
                    out->dir = OT_DIR_RESPONSE;
                    bvlc_entries(x, body, "fdt");
                    break;
                case BVLC_REGISTER_FOREIGN_DEVICE: {
                    uint16_t ttl = cur_be16(body);
                    if (cur_ok(body))
                        ot_kv_u64(d, "time_to_live", ttl);
                    else
                        anomaly(x, "bvlc_bad_length");
                    break;
                }
                case BVLC_DELETE_FDT_ENTRY: bvlc_address(x, body, "fdt_entry"); break;
                case BVLC_SECURE_BVLL:
                    out->pair = OT_PAIR_NONE;
                    out->dir = x->ctx->to_server ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
                    break;
                default: /* Read-BDT, Read-FDT: no data */ break;
            }
            return OT_PARSE_OK;
    }
    return r;
}

/* Decodes one BVLC message from its body (the bytes after the header, of which
 * body_len are taken as the message); x is the parse state, set up here. */
static enum ot_parse bvlc_decode(struct bacx *x, const struct ot_ctx *ctx, struct ot_msg *out,
                                 struct cur after, uint8_t fn, size_t blen, size_t body_len,
                                 bool cut)
{
    const struct ot_func *f = ot_func_find(bvlc_functions, fn);
    memset(x, 0, sizeof *x);
    x->out = out;
    x->d = &out->detail;
    x->ctx = ctx;
    struct cur body = cur_sub(&after, body_len);
    if (cur_left(&after) > 0)
        anomaly(x, "bvlc_trailing_bytes");

    struct ot_detail *d = x->d;
    ot_kv_obj(d, "bvlc");
    ot_kv_u64(d, "function", fn);
    ot_kv_cstr(d, "function_name", f->name);
    ot_kv_u64(d, "length", blen);
    if (fn == BVLC_FORWARDED_NPDU)
        bvlc_address(x, &body, "original_source");
    ot_kv_end(d);
    if (cut)
        ot_kv_bool(d, "truncated", true);
    return bvlc_body(x, fn, f, &body, cut);
}

static enum ot_parse bacnet_parse(struct cur *c, const struct ot_ctx *ctx, struct ot_msg *out)
{
    uint8_t type = cur_u8(c);
    uint8_t fn = cur_u8(c);
    size_t blen = cur_be16(c);
    if (!cur_ok(c))
        return OT_PARSE_TRUNC;
    if (type != BVLC_TYPE_BIP)
        return OT_PARSE_NOT_MINE;
    if (!ot_func_find(bvlc_functions, fn)) {
        out->anomaly = "bvlc_unknown_function";
        return OT_PARSE_INVALID;
    }
    if (blen < BVLC_HEADER_LEN) {
        out->anomaly = "bvlc_bad_length";
        return OT_PARSE_INVALID;
    }
    size_t body_len = blen - BVLC_HEADER_LEN;
    size_t left = cur_left(c);
    struct bacx x;
    enum ot_parse r;
    if (left < body_len && ctx->pdu_truncated) {
        /* cut by the capture: decode what is there */
        r = bvlc_decode(&x, ctx, out, *c, fn, blen, left, true);
    } else if (left < body_len) {
        /* the length field lies (a datagram is whole): decode the datagram if
         * it holds together */
        r = bvlc_decode(&x, ctx, out, *c, fn, blen, left, false);
        if (r != OT_PARSE_OK || x.anomalies > 0)
            return OT_PARSE_TRUNC;
        out->anomaly = "bvlc_length_mismatch";
    } else if (left > body_len) {
        /* the datagram holds more than the length says: trailing bytes, or a
         * length field that cuts the message short (a stack sending a fixed
         * length).  The datagram is read whole when that decodes cleanly and
         * finds more than the declared length does. */
        r = bvlc_decode(&x, ctx, out, *c, fn, blen, body_len, false);
        bool clean = r == OT_PARSE_OK && x.anomalies == 1; /* the trailing bytes alone */
        uint16_t found = out->detail.n;
        ot_msg_reset(out, out->proto);
        r = bvlc_decode(&x, ctx, out, *c, fn, blen, left, false);
        if (r == OT_PARSE_OK && x.anomalies == 0 && (!clean || out->detail.n > found)) {
            out->anomaly = "bvlc_length_mismatch";
        } else {
            ot_msg_reset(out, out->proto);
            r = bvlc_decode(&x, ctx, out, *c, fn, blen, body_len, false);
        }
    } else {
        r = bvlc_decode(&x, ctx, out, *c, fn, blen, body_len, false);
    }
    cur_skip(c, cur_left(c));
    if (r != OT_PARSE_OK)
        return r;
    /* parse, then commit: remember the request for its Reject / Abort */
    struct bacnet_flow *fs = ctx->flow_state;
    if (fs && x.commit_pending) {
        unsigned slot = fs->next % BAC_PENDING;
        for (unsigned i = 0; i < BAC_PENDING; i++)
            if (fs->pend[i].valid && fs->pend[i].key == x.pend_key)
                slot = i;
        if (slot == fs->next % BAC_PENDING)
            fs->next = (uint8_t)((fs->next + 1) % BAC_PENDING);
        fs->pend[slot] = (struct bac_pending){x.pend_key, x.pend_service, true};
    }
    return OT_PARSE_OK;
}

const struct ot_dissector bacnet_dissector = {
    .name = "bacnet",
    .proto = OT_PROTO_BACNET,
    .l4 = IPPROTO_UDP,
    .ports = {BACNET_PORT, 0},
    .ethertype = 0,
    .probe = bacnet_probe,
    .pdu_len = NULL,
    .parse = bacnet_parse,
    .flow_state_size = sizeof(struct bacnet_flow),
    .flow_summary = NULL,
    .heuristic = true,
};
