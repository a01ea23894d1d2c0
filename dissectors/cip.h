/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: CIP (Common Industrial Protocol) explicit messages: requests and
 * responses through the Message Router, Multiple_Service_Packet, Unconnected_Send,
 * Connection Manager and Logix tag services.  A helper module of the EtherNet/IP
 * dissector (enip.c); any other CIP transport can reuse it. */
#ifndef OT_CIP_H
#define OT_CIP_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "dissectors.h"
#include "otmsg.h"

/* Requests of one flow still waiting for their response: bounds what a peer
 * that never answers can make us remember (older entries are overwritten). */
#define CIP_PENDING 8
/* Embedded services of one Multiple_Service_Packet remembered to name the
 * members of its response; later members are named generically. */
#define CIP_MSP_TRACK 16

/* Address spaces (struct ot_range.space_id) the CIP helper reports:
 *   an object class: space_id = class id (0..0xffff), start = instance << 16 |
 *                attribute (attribute 0 = the whole instance; instance 0 = the class
 *                itself), count = 1; the space is named after the class for the
 *                common ones ("identity", "message_router", "assembly",
 *                "connection_manager", "file", "tcpip_interface", ...), "cip_class"
 *                for the others (the request's detail says "class");
 *   "cip_tag":   space_id = CIP_SPACE_TAG, start = FNV-1a 32-bit hash of the
 *                lower-cased tag name (as written in detail "symbol"), count = 1.
 * Values written (ot_msg_add_value) use the same space_id and start as addr. */
#define CIP_SPACE_TAG 0x10000u

/* What a request leaves for its response (a CIP response carries no path). */
struct cip_svc_note {
    uint16_t cls;
    uint16_t attr;
    uint8_t service;
    uint8_t ns; /* object namespace, private to cip.c */
};

struct cip_note {
    uint32_t key;  /* the transaction key: the transport's, with the service mixed in */
    uint32_t base; /* the transport's key (sender context, connection and sequence) */
    bool valid;
    bool via_ucs; /* the request was unwrapped from an Unconnected_Send */
    uint8_t n_msp;
    struct cip_svc_note top;
    struct cip_svc_note msp[CIP_MSP_TRACK];
    /* a successful Forward_Open reply: the connection ids of both directions */
    bool fwd_open;
    uint32_t ot_id, to_id;
};

struct cip_flow {
    struct cip_note pend[CIP_PENDING];
    uint8_t next;
};

/* Parses one CIP message (request or response, told by bit 0x80 of the
 * service) from c, which must cover exactly the message.  Fills out: function
 * (the service code without the response bit; an Unconnected_Send request is
 * reported as the message it carries), op class, dir, ranges, values,
 * exception (general status), identity (Identity object replies) and a "cip"
 * object in the detail tape.  base is the transport's pairing key; note->key
 * receives the transaction key to pair on: base with the service mixed in (the
 * service a response carries is its request's, so a reply never pairs with a
 * request of another service; an Unconnected_Send the Connection Manager
 * refuses gets the key of the message it carried).  fs (may be NULL) is only
 * read: it names the services of a response from its request.  *note also
 * receives what cip_commit() should remember once the caller has decided to
 * commit.  Returns OT_PARSE_OK, or OT_PARSE_TRUNC when c ends inside the
 * service/status header (what follows the header is parsed leniently: errors
 * there set out->anomaly). */
enum ot_parse cip_parse(struct cur *c, const struct cip_flow *fs, uint32_t base, struct ot_msg *out,
                        struct cip_note *note);

/* Remembers a request's note, or forgets the request a response answered. */
void cip_commit(struct cip_flow *fs, const struct cip_note *note, bool response, uint32_t key);

/* The transaction key of the oldest request still waiting on base (for an
 * answer that carries no CIP message, such as an encapsulation error):
 * false when fs knows none. */
bool cip_pending_key(const struct cip_flow *fs, uint32_t base, uint32_t *key);

/* Reads the Identity object attributes 1-7 in Get_Attributes_All order (vendor
 * id, device type, product code, revision, status, serial number, product
 * name) from c into out->identity and the detail tape (the currently open
 * object).  Used for CIP Identity replies and EtherNet/IP ListIdentity items. */
void cip_identity(struct cur *c, struct ot_msg *out);

/* Name of a CIP vendor id for the common ones, or NULL. */
const char *cip_vendor_name(uint32_t id);

#endif
