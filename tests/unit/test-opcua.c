/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the OPC UA binary dissector (dissectors/opcua.c),
 * through its public table entry: framing, probe, transport messages, secure
 * channel open (None and secured), services with their node ids, values,
 * identity and security detail, chunking, abort chunks, encrypted channels,
 * lying lengths, caps and truncation at every byte.  Arrays named after a
 * capture frame are copied from ../shared/pcaps/opcua; the others are built
 * here field by field. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "registry-private.h"
#include "unit.h"

static struct ot_msg msg;
/* Flow state, as the engine would keep it for one flow. */
static uint8_t state[1024];

static enum ot_parse parse_full(const uint8_t *p, size_t n, bool to_server, size_t claimed,
                                bool with_state)
{
    struct ot_ctx ctx = tcp_ctx(4840, to_server, n, claimed, with_state ? state : NULL);
    return dissect(&opcua_dissector, &ctx, p, n, &msg);
}

static enum ot_parse cli(const uint8_t *p, size_t n)
{
    return parse_full(p, n, true, n, true);
}

static enum ot_parse srv(const uint8_t *p, size_t n)
{
    return parse_full(p, n, false, n, true);
}

/* A client message with no flow behind it. */
static enum ot_parse cli_stateless(const uint8_t *p, size_t n)
{
    return parse_full(p, n, true, n, false);
}

static void new_flow(void)
{
    memset(state, 0, sizeof(state));
}

/* --- a builder for hand-made messages ------------------------------------- */

static uint8_t msg_bytes[8192];
static struct pdu_buf B = {msg_bytes, sizeof(msg_bytes), 0};

static void str(const char *s)
{
    put_le32(&B, (uint32_t)strlen(s));
    for (; *s; s++)
        put_u8(&B, (uint8_t)*s);
}

static void null_str(void)
{
    put_le32(&B, 0xffffffff);
}

/* Starts a message: type ("MSG"), chunk type, size patched by done(). */
static void begin(const char *type, char chunk)
{
    B.n = 0;
    put_u8(&B, (uint8_t)type[0]);
    put_u8(&B, (uint8_t)type[1]);
    put_u8(&B, (uint8_t)type[2]);
    put_u8(&B, (uint8_t)chunk);
    put_le32(&B, 0);
}

static size_t done(void)
{
    B.b[4] = (uint8_t)B.n;
    B.b[5] = (uint8_t)(B.n >> 8);
    B.b[6] = (uint8_t)(B.n >> 16);
    B.b[7] = (uint8_t)(B.n >> 24);
    return B.n;
}

/* Symmetric security header and sequence header of a MSG chunk. */
static void sym(uint32_t channel, uint32_t token, uint32_t seq, uint32_t req)
{
    put_le32(&B, channel);
    put_le32(&B, token);
    put_le32(&B, seq);
    put_le32(&B, req);
}

static void nodeid4(uint8_t ns, uint16_t id)
{
    put_u8(&B, 1);
    put_u8(&B, ns);
    put_le16(&B, id);
}

static void nodeid_str(uint16_t ns, const char *s)
{
    put_u8(&B, 3);
    put_le16(&B, ns);
    str(s);
}

static void request_header(uint32_t handle)
{
    put_u8(&B, 0); /* authenticationToken: two-byte NodeId 0 */
    put_u8(&B, 0);
    put_le64(&B, 132000000000000000ull); /* timestamp */
    put_le32(&B, handle);
    put_le32(&B, 0);    /* returnDiagnostics */
    null_str();         /* auditEntryId */
    put_le32(&B, 1000); /* timeoutHint */
    put_u8(&B, 0);      /* additionalHeader: null ExtensionObject */
    put_u8(&B, 0);
    put_u8(&B, 0);
}

static void response_header(uint32_t handle, uint32_t result)
{
    put_le64(&B, 132000000000000000ull);
    put_le32(&B, handle);
    put_le32(&B, result);
    put_u8(&B, 0); /* serviceDiagnostics */
    null_str();    /* stringTable: null array */
    put_u8(&B, 0); /* additionalHeader */
    put_u8(&B, 0);
    put_u8(&B, 0);
}

/* A MSG with a request of `service` after `body` fills it. */
static void msg_req(uint32_t req, uint16_t service)
{
    begin("MSG", 'F');
    sym(5, 1, req + 1, req);
    nodeid4(0, service);
    request_header(req);
}

static void msg_rsp(uint32_t req, uint16_t service, uint32_t result)
{
    begin("MSG", 'F');
    sym(5, 1, req + 100, req);
    nodeid4(0, service);
    response_header(req, result);
}

/* python_opcua-client-server_minimal.pcap frame 7 */
static const uint8_t hel[] = {
    0x48, 0x45, 0x4c, 0x46, 0x4a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00,
    0x00, 0x00, 0x6f, 0x70, 0x63, 0x2e, 0x74, 0x63, 0x70, 0x3a, 0x2f, 0x2f, 0x6c, 0x6f, 0x63,
    0x61, 0x6c, 0x68, 0x6f, 0x73, 0x74, 0x3a, 0x34, 0x38, 0x34, 0x30, 0x2f, 0x66, 0x72, 0x65,
    0x65, 0x6f, 0x70, 0x63, 0x75, 0x61, 0x2f, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x2f,
};

/* python_opcua-client-server_minimal.pcap frame 9 */
static const uint8_t ack[] = {
    0x41, 0x43, 0x4b, 0x46, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* python_opcua-client-server_minimal.pcap frame 11 */
static const uint8_t opn_req[] = {
    0x4f, 0x50, 0x4e, 0x46, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00,
    0x00, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x6f, 0x70, 0x63, 0x66, 0x6f, 0x75, 0x6e,
    0x64, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2e, 0x6f, 0x72, 0x67, 0x2f, 0x55, 0x41, 0x2f, 0x53,
    0x65, 0x63, 0x75, 0x72, 0x69, 0x74, 0x79, 0x50, 0x6f, 0x6c, 0x69, 0x63, 0x79, 0x23, 0x4e,
    0x6f, 0x6e, 0x65, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0xbe, 0x01, 0x00, 0x00, 0x64, 0x7c, 0xf1, 0xa8, 0xe9,
    0x73, 0xd5, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
    0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xee, 0x36, 0x00,
};

/* python_opcua-client-server_minimal.pcap frame 13 */
static const uint8_t opn_rsp[] = {
    0x4f, 0x50, 0x4e, 0x46, 0x87, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00,
    0x00, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x6f, 0x70, 0x63, 0x66, 0x6f, 0x75, 0x6e,
    0x64, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2e, 0x6f, 0x72, 0x67, 0x2f, 0x55, 0x41, 0x2f, 0x53,
    0x65, 0x63, 0x75, 0x72, 0x69, 0x74, 0x79, 0x50, 0x6f, 0x6c, 0x69, 0x63, 0x79, 0x23, 0x4e,
    0x6f, 0x6e, 0x65, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0xc1, 0x01, 0x7e, 0x94, 0xf1, 0xa8, 0xe9, 0x73, 0xd5,
    0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x1a,
    0x94, 0xf1, 0xa8, 0xe9, 0x73, 0xd5, 0x01, 0x80, 0xee, 0x36, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* python_opcua-client-server_minimal.pcap frame 15 */
static const uint8_t create_session_req[] = {
    0x4d, 0x53, 0x47, 0x46, 0x1f, 0x01, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0xcd, 0x01, 0x00, 0x00, 0x38, 0xb2,
    0xf1, 0xa8, 0xe9, 0x73, 0xd5, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
    0xff, 0xff, 0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x75, 0x72, 0x6e,
    0x3a, 0x66, 0x72, 0x65, 0x65, 0x6f, 0x70, 0x63, 0x75, 0x61, 0x3a, 0x63, 0x6c, 0x69, 0x65, 0x6e,
    0x74, 0x1e, 0x00, 0x00, 0x00, 0x75, 0x72, 0x6e, 0x3a, 0x66, 0x72, 0x65, 0x65, 0x6f, 0x70, 0x63,
    0x75, 0x61, 0x2e, 0x67, 0x69, 0x74, 0x68, 0x75, 0x62, 0x2e, 0x69, 0x6f, 0x3a, 0x63, 0x6c, 0x69,
    0x65, 0x6e, 0x74, 0x02, 0x12, 0x00, 0x00, 0x00, 0x50, 0x75, 0x72, 0x65, 0x20, 0x50, 0x79, 0x74,
    0x68, 0x6f, 0x6e, 0x20, 0x43, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x2a, 0x00,
    0x00, 0x00, 0x6f, 0x70, 0x63, 0x2e, 0x74, 0x63, 0x70, 0x3a, 0x2f, 0x2f, 0x6c, 0x6f, 0x63, 0x61,
    0x6c, 0x68, 0x6f, 0x73, 0x74, 0x3a, 0x34, 0x38, 0x34, 0x30, 0x2f, 0x66, 0x72, 0x65, 0x65, 0x6f,
    0x70, 0x63, 0x75, 0x61, 0x2f, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x2f, 0x1b, 0x00, 0x00, 0x00,
    0x50, 0x75, 0x72, 0x65, 0x20, 0x50, 0x79, 0x74, 0x68, 0x6f, 0x6e, 0x20, 0x43, 0x6c, 0x69, 0x65,
    0x6e, 0x74, 0x20, 0x53, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x31, 0x20, 0x00, 0x00, 0x00, 0xc5,
    0x44, 0xde, 0x72, 0x93, 0xe5, 0x17, 0x0a, 0xae, 0xad, 0xb0, 0xab, 0xec, 0x73, 0x2f, 0x03, 0x5e,
    0x0b, 0x82, 0xfe, 0xd6, 0x7c, 0x1c, 0x47, 0x28, 0xb2, 0xa9, 0xb3, 0x95, 0x3f, 0x0a, 0x88, 0xff,
    0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x40, 0x77, 0x4b, 0x41, 0x00, 0x00, 0x00, 0x00,
};

/* python_opcua-client-server_minimal.pcap frame 17 */
static const uint8_t create_session_rsp[] = {
    0x4d, 0x53, 0x47, 0x46, 0x6a, 0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0xd0, 0x01, 0x72, 0xd2, 0xf1, 0xa8,
    0xe9, 0x73, 0xd5, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0xec, 0x03,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x77, 0x4b, 0x41, 0x20, 0x00, 0x00, 0x00, 0x66, 0x4e,
    0x80, 0x1e, 0xd5, 0x46, 0xfa, 0x9a, 0xca, 0x0d, 0x08, 0x2d, 0x04, 0xbd, 0xa2, 0x8c, 0xf6, 0x90,
    0xb2, 0x2c, 0xea, 0xd9, 0xa8, 0xa4, 0xb2, 0x2b, 0xac, 0x52, 0x3b, 0x91, 0xcf, 0xbf, 0xff, 0xff,
    0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x6f, 0x70, 0x63, 0x2e, 0x74, 0x63,
    0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x34, 0x38,
    0x34, 0x30, 0x2f, 0x66, 0x72, 0x65, 0x65, 0x6f, 0x70, 0x63, 0x75, 0x61, 0x2f, 0x73, 0x65, 0x72,
    0x76, 0x65, 0x72, 0x2f, 0x1b, 0x00, 0x00, 0x00, 0x75, 0x72, 0x6e, 0x3a, 0x66, 0x72, 0x65, 0x65,
    0x6f, 0x70, 0x63, 0x75, 0x61, 0x3a, 0x70, 0x79, 0x74, 0x68, 0x6f, 0x6e, 0x3a, 0x73, 0x65, 0x72,
    0x76, 0x65, 0x72, 0x25, 0x00, 0x00, 0x00, 0x75, 0x72, 0x6e, 0x3a, 0x66, 0x72, 0x65, 0x65, 0x6f,
    0x70, 0x63, 0x75, 0x61, 0x2e, 0x67, 0x69, 0x74, 0x68, 0x75, 0x62, 0x2e, 0x69, 0x6f, 0x3a, 0x70,
    0x79, 0x74, 0x68, 0x6f, 0x6e, 0x3a, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x02, 0x17, 0x00, 0x00,
    0x00, 0x46, 0x72, 0x65, 0x65, 0x4f, 0x70, 0x63, 0x55, 0x61, 0x20, 0x50, 0x79, 0x74, 0x68, 0x6f,
    0x6e, 0x20, 0x53, 0x65, 0x72, 0x76, 0x65, 0x72, 0x02, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x6f, 0x70, 0x63, 0x2e,
    0x74, 0x63, 0x70, 0x3a, 0x2f, 0x2f, 0x30, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x30, 0x3a, 0x34, 0x38,
    0x34, 0x30, 0x2f, 0x66, 0x72, 0x65, 0x65, 0x6f, 0x70, 0x63, 0x75, 0x61, 0x2f, 0x73, 0x65, 0x72,
    0x76, 0x65, 0x72, 0x2f, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00,
    0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x6f, 0x70, 0x63, 0x66, 0x6f, 0x75, 0x6e, 0x64, 0x61,
    0x74, 0x69, 0x6f, 0x6e, 0x2e, 0x6f, 0x72, 0x67, 0x2f, 0x55, 0x41, 0x2f, 0x53, 0x65, 0x63, 0x75,
    0x72, 0x69, 0x74, 0x79, 0x50, 0x6f, 0x6c, 0x69, 0x63, 0x79, 0x23, 0x4e, 0x6f, 0x6e, 0x65, 0x03,
    0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x61, 0x6e, 0x6f, 0x6e, 0x79, 0x6d, 0x6f, 0x75, 0x73,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x1a, 0x00, 0x00, 0x00, 0x63, 0x65, 0x72, 0x74, 0x69, 0x66, 0x69, 0x63, 0x61, 0x74, 0x65, 0x5f,
    0x62, 0x61, 0x73, 0x69, 0x63, 0x32, 0x35, 0x36, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x02, 0x00,
    0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08, 0x00,
    0x00, 0x00, 0x75, 0x73, 0x65, 0x72, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x41, 0x00, 0x00, 0x00, 0x68, 0x74,
    0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x6f, 0x70, 0x63, 0x66, 0x6f, 0x75, 0x6e, 0x64, 0x61, 0x74, 0x69,
    0x6f, 0x6e, 0x2e, 0x6f, 0x72, 0x67, 0x2f, 0x55, 0x41, 0x2d, 0x50, 0x72, 0x6f, 0x66, 0x69, 0x6c,
    0x65, 0x2f, 0x54, 0x72, 0x61, 0x6e, 0x73, 0x70, 0x6f, 0x72, 0x74, 0x2f, 0x75, 0x61, 0x74, 0x63,
    0x70, 0x2d, 0x75, 0x61, 0x73, 0x63, 0x2d, 0x75, 0x61, 0x62, 0x69, 0x6e, 0x61, 0x72, 0x79, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x77,
    0x77, 0x77, 0x2e, 0x77, 0x33, 0x2e, 0x6f, 0x72, 0x67, 0x2f, 0x32, 0x30, 0x30, 0x30, 0x2f, 0x30,
    0x39, 0x2f, 0x78, 0x6d, 0x6c, 0x64, 0x73, 0x69, 0x67, 0x23, 0x72, 0x73, 0x61, 0x2d, 0x73, 0x68,
    0x61, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
};

/* python_opcua-client-server_minimal.pcap frame 19 */
static const uint8_t activate_req[] = {
    0x4d, 0x53, 0x47, 0x46, 0x9c, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0xd3, 0x01, 0x02, 0x00, 0x00, 0xec,
    0x03, 0x00, 0x00, 0xe0, 0x04, 0xf2, 0xa8, 0xe9, 0x73, 0xd5, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00,
    0x00, 0x00, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x77, 0x77, 0x77, 0x2e, 0x77, 0x33, 0x2e,
    0x6f, 0x72, 0x67, 0x2f, 0x32, 0x30, 0x30, 0x30, 0x2f, 0x30, 0x39, 0x2f, 0x78, 0x6d, 0x6c, 0x64,
    0x73, 0x69, 0x67, 0x23, 0x72, 0x73, 0x61, 0x2d, 0x73, 0x68, 0x61, 0x31, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x65, 0x6e, 0x01, 0x00,
    0x41, 0x01, 0x01, 0x0d, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x61, 0x6e, 0x6f, 0x6e, 0x79,
    0x6d, 0x6f, 0x75, 0x73, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* python_opcua-client-server_minimal.pcap frame 21 */
static const uint8_t activate_rsp[] = {
    0x4d, 0x53, 0x47, 0x46, 0x60, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0xd6, 0x01, 0x86, 0x18, 0xf2, 0xa8,
    0xe9, 0x73, 0xd5, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x44, 0x8b, 0x41, 0x86, 0x44, 0x40, 0x64, 0x4c,
    0xa4, 0xdb, 0xa5, 0xd4, 0x22, 0xe1, 0x9e, 0x32, 0x42, 0x26, 0x1b, 0x36, 0xcc, 0xc8, 0xe4, 0x16,
    0x00, 0x46, 0x17, 0x82, 0xd1, 0x94, 0x39, 0xe3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* python_opcua-client-server_minimal.pcap frame 23 */
static const uint8_t browse_req[] = {
    0x4d, 0x53, 0x47, 0x46, 0x65, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00,
    0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0f, 0x02, 0x02, 0x00,
    0x00, 0xec, 0x03, 0x00, 0x00, 0x76, 0x2d, 0xf2, 0xa8, 0xe9, 0x73, 0xd5, 0x01, 0x04, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xe8, 0x03, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x54, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x21, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00,
};

/* python_opcua-client-server_minimal.pcap frame 35 */
static const uint8_t close_session_req[] = {
    0x4d, 0x53, 0x47, 0x46, 0x3f, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
    0x07, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0xd9, 0x01, 0x02, 0x00, 0x00, 0xec,
    0x03, 0x00, 0x00, 0x54, 0xd6, 0xf2, 0xa8, 0xe9, 0x73, 0xd5, 0x01, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};

/* python_opcua-client-server_minimal.pcap frame 39 */
static const uint8_t clo[] = {
    0x43, 0x4c, 0x4f, 0x46, 0x3e, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0xc4, 0x01, 0x02, 0x00, 0x00, 0xec,
    0x03, 0x00, 0x00, 0x6e, 0xf3, 0xf2, 0xa8, 0xe9, 0x73, 0xd5, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* opcua_with-gap_with-handshake.pcap frame 350 */
static const uint8_t write_req[] = {
    0x4d, 0x53, 0x47, 0x46, 0x6d, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00,
    0x15, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x02, 0x04, 0x01, 0x00, 0x70,
    0xf9, 0x3e, 0x4d, 0x38, 0x0f, 0xc4, 0x98, 0x6a, 0x46, 0x24, 0xf2, 0xff, 0x6f, 0xa6, 0x8a, 0x1a,
    0xa2, 0x8c, 0xee, 0xde, 0x0c, 0xd6, 0x01, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
    0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01,
    0x00, 0x0a, 0x00, 0x00, 0x00, 0x74, 0x68, 0x65, 0x2e, 0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0x0d,
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x01, 0x06, 0x01, 0x00, 0x00, 0x00,
};

/* opcua_with-gap_with-handshake.pcap frame 352 */
static const uint8_t write_rsp[] = {
    0x4d, 0x53, 0x47, 0x46, 0x40, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00,
    0x0b, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0xa4, 0x02, 0x5a, 0x5f, 0x94, 0xee,
    0xde, 0x0c, 0xd6, 0x01, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x34, 0x80, 0xff, 0xff, 0xff, 0xff,
};

/* opcua_with-gap_with-handshake.pcap frame 382 */
static const uint8_t call_req[] = {
    0x4d, 0x53, 0x47, 0x46, 0x69, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
    0x00, 0x18, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0xc8, 0x02, 0x04, 0x01,
    0x00, 0x70, 0xf9, 0x3e, 0x4d, 0x38, 0x0f, 0xc4, 0x98, 0x6a, 0x46, 0x24, 0xf2, 0xff, 0x6f,
    0xa6, 0x8a, 0x62, 0x96, 0xb4, 0xee, 0xde, 0x0c, 0xd6, 0x01, 0x19, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x55, 0x01, 0x01, 0x4d, 0xf4, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x0c,
    0x00, 0x00, 0x00, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x53, 0x65, 0x72, 0x76, 0x65, 0x72,
};

/* --- tests ---------------------------------------------------------------- */

static int test_table_entry(void)
{
    FAIL_IF_NOT(strcmp(opcua_dissector.name, "opcua") == 0);
    FAIL_IF_NOT(opcua_dissector.proto == OT_PROTO_OPCUA);
    FAIL_IF_NOT(opcua_dissector.l4 == 6);
    FAIL_IF_NOT(opcua_dissector.ports[0] == 4840 && opcua_dissector.ports[1] == 0);
    FAIL_IF_NOT(opcua_dissector.heuristic);
    FAIL_IF_NOT(opcua_dissector.pdu_len && opcua_dissector.probe);
    FAIL_IF_NOT(opcua_dissector.flow_state_size > 0);
    FAIL_IF_NOT(opcua_dissector.flow_state_size <= sizeof(state));
    PASS;
}

static int test_pdu_len(void)
{
    FAIL_IF_NOT(opcua_dissector.pdu_len(hel, sizeof(hel)) == sizeof(hel));
    FAIL_IF_NOT(opcua_dissector.pdu_len(hel, 8) == sizeof(hel)); /* may exceed len */
    FAIL_IF_NOT(opcua_dissector.pdu_len(hel, 7) == 0);
    FAIL_IF_NOT(opcua_dissector.pdu_len(hel, 0) == 0);
    FAIL_IF_NOT(opcua_dissector.pdu_len(create_session_rsp, sizeof(create_session_rsp)) ==
                sizeof(create_session_rsp));
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    FAIL_IF_NOT(opcua_dissector.pdu_len(http, sizeof(http) - 1) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(opcua_dissector.pdu_len(http, 3) == OT_PDU_NOT_MINE);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc};
    FAIL_IF_NOT(opcua_dissector.pdu_len(tls, sizeof(tls)) == OT_PDU_NOT_MINE);
    /* A chunk type other than F/C/A, a C on a HEL, a size under the minimum
     * of the type, a size over the cap. */
    static const uint8_t bad_chunk[] = {'M', 'S', 'G', 'X', 16, 0, 0, 0};
    static const uint8_t hel_c[] = {'H', 'E', 'L', 'C', 32, 0, 0, 0};
    static const uint8_t small[] = {'H', 'E', 'L', 'F', 31, 0, 0, 0};
    static const uint8_t tiny[] = {'M', 'S', 'G', 'F', 7, 0, 0, 0};
    static const uint8_t huge[] = {'M', 'S', 'G', 'F', 0x01, 0x00, 0x00, 0x01};
    static const uint8_t ok_c[] = {'M', 'S', 'G', 'C', 0x00, 0x00, 0x01, 0x00};
    FAIL_IF_NOT(opcua_dissector.pdu_len(bad_chunk, 8) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(opcua_dissector.pdu_len(hel_c, 8) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(opcua_dissector.pdu_len(small, 8) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(opcua_dissector.pdu_len(tiny, 8) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(opcua_dissector.pdu_len(huge, 8) == OT_PDU_NOT_MINE);
    FAIL_IF_NOT(opcua_dissector.pdu_len(ok_c, 8) == 65536);
    PASS;
}

static int test_probe(void)
{
    FAIL_IF_NOT(opcua_dissector.probe(hel, sizeof(hel), true) == OT_PROBE_YES);
    FAIL_IF_NOT(opcua_dissector.probe(hel, 4, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(opcua_dissector.probe(hel, 20, true) == OT_PROBE_NEED_MORE);
    FAIL_IF_NOT(opcua_dissector.probe(opn_req, sizeof(opn_req), true) == OT_PROBE_YES);
    static const uint8_t http[] = "GET /index.html HTTP/1.1\r\n\r\n";
    FAIL_IF_NOT(opcua_dissector.probe(http, sizeof(http) - 1, true) == OT_PROBE_NO);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
    FAIL_IF_NOT(opcua_dissector.probe(tls, sizeof(tls), true) == OT_PROBE_NO);
    /* A HEL whose buffers are below the 8192 bytes Part 6 requires. */
    uint8_t h[sizeof(hel)];
    memcpy(h, hel, sizeof(h));
    h[12] = 0x10; /* ReceiveBufferSize 0x10 */
    h[13] = 0;
    h[14] = 0;
    FAIL_IF_NOT(opcua_dissector.probe(h, sizeof(h), true) == OT_PROBE_NO);
    PASS;
}

static int test_hello_ack(void)
{
    new_flow();
    FAIL_IF_NOT(cli(hel, sizeof(hel)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_function && strcmp(msg.function, "Hello") == 0);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED && msg.txn_key == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_OTHER);
    FAIL_IF_NOT(kv_str(&msg, "message_type", "HEL"));
    FAIL_IF_NOT(kv_str(&msg, "endpoint_url", "opc.tcp://localhost:4840/freeopcua/server/"));
    FAIL_IF_NOT(kv_u64(&msg, "receive_buffer_size") == 65536);
    uint32_t code = msg.function_code;
    FAIL_IF_NOT(srv(ack, sizeof(ack)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == code && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == 0);
    FAIL_IF_NOT(kv_str(&msg, "message_type", "ACK") && kv_find(&msg, "endpoint_url") == NULL);
    PASS;
}

static int test_error_and_reverse_hello(void)
{
    begin("ERR", 'F');
    put_le32(&B, 0x807e0000);
    str("bad message type");
    size_t n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x807e0000);
    FAIL_IF_NOT(msg.exception && strcmp(msg.exception, "BadTcpMessageTypeInvalid") == 0);
    FAIL_IF_NOT(kv_str(&msg, "reason", "bad message type") && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(each_prefix(cli_stateless, B.b, n, refused, &msg));
    /* A reason longer than the message: a lying length. */
    B.b[12] = 0xff;
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_INVALID);

    begin("RHE", 'F');
    str("urn:server");
    str("opc.tcp://plc:4840");
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.function, "ReverseHello") == 0 && msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(kv_str(&msg, "server_uri", "urn:server") &&
                kv_str(&msg, "endpoint_url", "opc.tcp://plc:4840"));
    PASS;
}

static int test_open_secure_channel_none(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 446 && strcmp(msg.function, "OpenSecureChannel") == 0);
    FAIL_IF_NOT(msg.op_class == OT_OP_AUTH && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == 1);
    FAIL_IF_NOT(kv_str(&msg, "security_policy", "http://opcfoundation.org/UA/SecurityPolicy#None"));
    FAIL_IF_NOT(kv_bool_is(&msg, "security_policy_none", true));
    FAIL_IF_NOT(kv_str(&msg, "security_mode", "None") && kv_str(&msg, "request_type", "issue"));
    FAIL_IF_NOT(kv_u64(&msg, "service_node_id") == 446 && kv_u64(&msg, "request_handle") == 1);
    FAIL_IF_NOT(srv(opn_rsp, sizeof(opn_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 446 && msg.dir == OT_DIR_RESPONSE && msg.txn_key == 1);
    FAIL_IF_NOT(kv_u64(&msg, "service_node_id") == 449 && kv_u64(&msg, "channel_id") == 9);
    FAIL_IF_NOT(kv_u64(&msg, "token_id") == 14 && kv_u64(&msg, "service_result") == 0);
    FAIL_IF(msg.has_exception);
    /* The flow now knows the channel is in the clear. */
    struct ot_detail d = {0};
    opcua_dissector.flow_summary(state, &d);
    FAIL_IF_NOT(d.n >= 2 && d.kv[0].type == OT_KV_STR &&
                memcmp(d.str + d.kv[0].v.off, "None", 4) == 0);
    PASS;
}

static int test_create_session(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(cli(create_session_req, sizeof(create_session_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 461 && msg.op_class == OT_OP_AUTH && msg.txn_key == 2);
    FAIL_IF_NOT(msg.identity.present && !msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.name, "Pure Python Client") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.product, "urn:freeopcua.github.io:client") == 0);
    FAIL_IF_NOT(kv_str(&msg, "session_name", "Pure Python Client Session1"));
    FAIL_IF_NOT(srv(create_session_rsp, sizeof(create_session_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 461 && msg.dir == OT_DIR_RESPONSE && msg.txn_key == 2);
    FAIL_IF_NOT(msg.identity.present && msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.name, "FreeOpcUa Python Server") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.product, "urn:freeopcua.github.io:python:server") == 0);
    FAIL_IF_NOT(kv_u64(&msg, "endpoint_count") == 1 &&
                kv_bool_is(&msg, "endpoint_security_none", true));
    FAIL_IF_NOT(kv_bool_is(&msg, "anonymous_allowed", true) && kv_any_str(&msg, "username"));
    FAIL_IF_NOT(kv_str(&msg, "session_id", "i=14"));
    FAIL_IF(msg.anomaly || msg.detail.truncated);
    PASS;
}

static int test_activate_session_anonymous(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(cli(activate_req, sizeof(activate_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 467 && strcmp(msg.function, "ActivateSession") == 0);
    FAIL_IF_NOT(kv_str(&msg, "identity_token", "anonymous"));
    FAIL_IF_NOT(srv(activate_rsp, sizeof(activate_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 467 && msg.dir == OT_DIR_RESPONSE && !msg.has_exception);
    PASS;
}

/* An ActivateSessionRequest carrying a UserNameIdentityToken. */
static size_t build_activate_username(void)
{
    msg_req(7, 467);
    null_str(); /* clientSignature */
    null_str();
    put_le32(&B, 0); /* clientSoftwareCertificates */
    null_str();      /* localeIds */
    nodeid4(0, 324);
    put_u8(&B, 1); /* binary body */
    size_t len_at = B.n;
    put_le32(&B, 0);
    size_t body = B.n;
    str("username_basic256");
    str("operator");
    str("s3cr3t-pa55");
    null_str(); /* encryptionAlgorithm: the password is in clear */
    uint32_t blen = (uint32_t)(B.n - body);
    B.b[len_at] = (uint8_t)blen;
    B.b[len_at + 1] = (uint8_t)(blen >> 8);
    null_str(); /* userTokenSignature */
    null_str();
    return done();
}

static int test_activate_session_username(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK); /* policy None */
    size_t n = build_activate_username();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "identity_token", "username"));
    FAIL_IF_NOT(kv_str(&msg, "user_name", "operator"));
    FAIL_IF_NOT(kv_bool_is(&msg, "password_present", true) &&
                !kv_bool_is(&msg, "password_encrypted", true));
    FAIL_IF(arena_has(&msg, "s3cr3t")); /* never the password */
    /* Without a None policy seen, the user name is not reported. */
    new_flow();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "identity_token", "username") && kv_find(&msg, "user_name") == NULL);
    FAIL_IF(arena_has(&msg, "s3cr3t"));
    /* Certificate and issued tokens are named. */
    msg_req(8, 467);
    null_str();
    null_str();
    put_le32(&B, 0);
    null_str();
    nodeid4(0, 327);
    put_u8(&B, 0); /* no body */
    null_str();
    null_str();
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_str(&msg, "identity_token", "certificate"));
    PASS;
}

static int test_read(void)
{
    new_flow();
    msg_req(11, 631);
    put_le64(&B, 0); /* maxAge */
    put_le32(&B, 2); /* timestampsToReturn */
    put_le32(&B, 3);
    nodeid4(0, 2258);
    put_le32(&B, 13);
    null_str();
    put_le16(&B, 0);
    null_str();
    nodeid_str(3, "\"DB1\".speed");
    put_le32(&B, 13);
    null_str();
    put_le16(&B, 0);
    null_str();
    put_u8(&B, 2); /* numeric encoding */
    put_le16(&B, 1);
    put_le32(&B, 100000);
    put_le32(&B, 13);
    null_str();
    put_le16(&B, 0);
    null_str();
    size_t n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 631 && msg.op_class == OT_OP_READ && msg.txn_key == 11);
    FAIL_IF_NOT(kv_u64(&msg, "node_count") == 3);
    FAIL_IF_NOT(kv_any_str(&msg, "i=2258") && kv_any_str(&msg, "ns=3;s=\"DB1\".speed"));
    FAIL_IF_NOT(kv_any_str(&msg, "ns=1;i=100000"));
    FAIL_IF_NOT(msg.n_ranges == 3);
    FAIL_IF_NOT(strcmp(msg.ranges[0].space, "node") == 0 && msg.ranges[0].space_id == 0 &&
                msg.ranges[0].start == 2258 && msg.ranges[0].count == 1);
    FAIL_IF_NOT(strcmp(msg.ranges[1].space, "node_string") == 0 &&
                msg.ranges[1].space_id == (3 | 0x10000));
    FAIL_IF_NOT(msg.ranges[2].space_id == 1 && msg.ranges[2].start == 100000);
    FAIL_IF_NOT(each_prefix(cli_stateless, B.b, n, refused, &msg));
    /* The same request handed over cut (the engine's buffer was smaller):
     * what is there is reported. */
    FAIL_IF_NOT(parse_full(B.b, n - 10, true, n, true) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_bool_is(&msg, "truncated", true) && msg.n_ranges == 2);

    msg_rsp(11, 634, 0);
    put_le32(&B, 1);
    put_u8(&B, 1);
    put_u8(&B, 6);
    put_le32(&B, 42);
    put_le32(&B, 0xffffffff);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 631 && msg.dir == OT_DIR_RESPONSE && msg.txn_key == 11);
    FAIL_IF(msg.has_exception);
    PASS;
}

static int test_write(void)
{
    new_flow();
    FAIL_IF_NOT(cli(write_req, sizeof(write_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 673 && msg.op_class == OT_OP_WRITE);
    FAIL_IF_NOT(kv_str(&msg, "node_id", "ns=1;s=the.answer"));
    FAIL_IF_NOT(msg.n_values == 1 && msg.values[0].value == 1.0);
    FAIL_IF_NOT(msg.values[0].space_id == (1 | 0x10000));
    FAIL_IF_NOT(msg.n_ranges == 1 && msg.ranges[0].start == msg.values[0].addr);
    FAIL_IF_NOT(srv(write_rsp, sizeof(write_rsp)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 673 && kv_u64(&msg, "bad_results") == 1);
    FAIL_IF_NOT(kv_str(&msg, "first_bad_result", "BadNodeIdUnknown"));

    /* Numeric node ids, Double and Boolean values, a String value (not a
     * number: no value), and a non-Value attribute. */
    msg_req(12, 673);
    put_le32(&B, 4);
    nodeid4(2, 7);
    put_le32(&B, 13);
    null_str();
    put_u8(&B, 1);
    put_u8(&B, 11);
    put_le64(&B, 0x4059000000000000ull); /* 100.0 */
    nodeid4(2, 8);
    put_le32(&B, 13);
    null_str();
    put_u8(&B, 0x01 | 0x04);
    put_u8(&B, 1);
    put_u8(&B, 1);
    put_le64(&B, 132000000000000000ull);
    nodeid4(2, 9);
    put_le32(&B, 13);
    null_str();
    put_u8(&B, 1);
    put_u8(&B, 12);
    str("text");
    nodeid4(2, 10);
    put_le32(&B, 4); /* BrowseName... written */
    null_str();
    put_u8(&B, 1);
    put_u8(&B, 6);
    put_le32(&B, 5);
    size_t n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.n_values == 2);
    FAIL_IF_NOT(msg.values[0].space_id == 2 && msg.values[0].addr == 7 &&
                msg.values[0].value == 100.0);
    FAIL_IF_NOT(msg.values[1].addr == 8 && msg.values[1].value == 1.0);
    FAIL_IF_NOT(msg.n_ranges == 1 && msg.ranges[0].start == 7 && msg.ranges[0].count == 4);
    FAIL_IF_NOT(kv_u64(&msg, "attribute_id") == 4);
    FAIL_IF(msg.anomaly);
    FAIL_IF_NOT(each_prefix(cli_stateless, B.b, n, refused, &msg));
    PASS;
}

static int test_browse_call_and_others(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(cli(browse_req, sizeof(browse_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 527 && msg.op_class == OT_OP_READ);
    FAIL_IF_NOT(kv_any_str(&msg, "i=84") && msg.n_ranges == 1 && msg.ranges[0].start == 84);
    FAIL_IF_NOT(cli(call_req, sizeof(call_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 712 && msg.op_class == OT_OP_CONTROL);
    FAIL_IF_NOT(kv_str(&msg, "method_id", "ns=1;i=62541") && kv_str(&msg, "object_id", "i=85"));
    FAIL_IF_NOT(cli(close_session_req, sizeof(close_session_req)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 473 && msg.op_class == OT_OP_AUTH);
    FAIL_IF_NOT(kv_bool_is(&msg, "delete_subscriptions", true));
    FAIL_IF_NOT(cli(clo, sizeof(clo)) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 452 && kv_str(&msg, "message_type", "CLO"));
    FAIL_IF_NOT(msg.pair == OT_PAIR_NONE); /* no response to CloseSecureChannel */

    /* Discovery and subscription services by id. */
    static const struct {
        uint16_t id;
        uint32_t code;
        enum ot_op op;
    } svc[] = {
        {428, 428, OT_OP_DISCOVERY}, {431, 428, OT_OP_DISCOVERY}, {422, 422, OT_OP_DISCOVERY},
        {787, 787, OT_OP_READ},      {826, 826, OT_OP_READ},      {829, 826, OT_OP_READ},
        {751, 751, OT_OP_READ},      {488, 488, OT_OP_WRITE},     {500, 500, OT_OP_WRITE},
        {664, 664, OT_OP_READ},      {700, 700, OT_OP_WRITE},     {437, 437, OT_OP_OTHER},
    };
    for (size_t i = 0; i < sizeof(svc) / sizeof(svc[0]); i++) {
        bool response = svc[i].id != svc[i].code;
        if (response)
            msg_rsp(20, svc[i].id, 0);
        else
            msg_req(20, svc[i].id);
        put_le32(&B, 0); /* an empty first array, enough for these bodies */
        put_le32(&B, 0);
        size_t n = done();
        FAIL_IF_NOT(parse_full(B.b, n, !response, n, true) == OT_PARSE_OK);
        FAIL_IF_NOT(msg.function_code == svc[i].code && msg.op_class == svc[i].op);
        FAIL_IF_NOT(msg.dir == (response ? OT_DIR_RESPONSE : OT_DIR_REQUEST));
    }
    PASS;
}

static int test_faults(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    msg_rsp(30, 397, 0x80340000);
    size_t n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 397 && strcmp(msg.function, "ServiceFault") == 0);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x80340000);
    FAIL_IF_NOT(strcmp(msg.exception, "BadNodeIdUnknown") == 0);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == 30);
    /* A bad service result in an ordinary response; info bits do not hide
     * the name. */
    msg_rsp(31, 470, 0x801f0400);
    put_le32(&B, 0xffffffff);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 467 && msg.has_exception);
    FAIL_IF_NOT(strcmp(msg.exception, "BadUserAccessDenied") == 0);
    /* Uncertain is not an exception. */
    msg_rsp(32, 634, 0x40000000);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK && !msg.has_exception);
    PASS;
}

static int test_chunks(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    /* First chunk of a Read response: names the service. */
    begin("MSG", 'C');
    sym(5, 1, 50, 40);
    nodeid4(0, 634);
    response_header(40, 0);
    put_le32(&B, 1000);
    size_t n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_NONE);
    begin("MSG", 'C');
    sym(5, 1, 51, 40);
    put_le32(&B, 0x12345678);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_NONE);
    begin("MSG", 'F');
    sym(5, 1, 52, 40);
    put_le32(&B, 0x9abcdef0);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 631 && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == 40);
    FAIL_IF_NOT(kv_u64(&msg, "chunk_count") == 3);
    /* The next final chunk is a message of its own again. */
    msg_rsp(41, 634, 0);
    put_le32(&B, 0);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK && kv_u64(&msg, "chunk_count") == NO_KEY);

    /* A message aborted by the server after its first chunk. */
    begin("MSG", 'C');
    sym(5, 1, 60, 42);
    nodeid4(0, 664 + 3);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_NONE);
    begin("MSG", 'A');
    sym(5, 1, 61, 42);
    put_le32(&B, 0x80b90000);
    str("response too large");
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 664 && msg.has_exception);
    FAIL_IF_NOT(strcmp(msg.exception, "BadResponseTooLarge") == 0);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.txn_key == 42);
    FAIL_IF_NOT(kv_str(&msg, "chunk_type", "abort") &&
                kv_str(&msg, "reason", "response too large"));
    /* A client abort answers nothing. */
    begin("MSG", 'A');
    sym(5, 1, 62, 43);
    put_le32(&B, 0x80ab0000);
    null_str();
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK && msg.pair == OT_PAIR_NONE && msg.has_exception);
    /* Without flow state, intermediate chunks are consumed all the same. */
    begin("MSG", 'C');
    sym(5, 1, 70, 44);
    nodeid4(0, 631);
    n = done();
    FAIL_IF_NOT(parse_full(B.b, n, true, n, false) == OT_PARSE_NONE);
    PASS;
}

static int test_encrypted(void)
{
    new_flow();
    /* OPN with a secure policy: everything after the certificates is
     * encrypted. */
    begin("OPN", 'F');
    put_le32(&B, 0);
    str("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
    str("CERTIFICATE-BYTES");
    str("01234567890123456789");
    for (int i = 0; i < 64; i++)
        put_u8(&B, (uint8_t)(i * 37 + 11));
    size_t n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.function_code == 446 && msg.op_class == OT_OP_AUTH);
    FAIL_IF_NOT(kv_bool_is(&msg, "encrypted", true) &&
                !kv_bool_is(&msg, "security_policy_none", true));
    FAIL_IF_NOT(kv_str(&msg, "security_policy",
                       "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"));
    FAIL_IF_NOT(kv_u64(&msg, "sender_certificate_length") == 17);
    FAIL_IF_NOT(msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK && kv_bool_is(&msg, "encrypted", true));
    /* Encrypted MSG bodies: counted, named "encrypted", never parsed. */
    static const uint8_t noise[] = {0xa6, 0xed, 0x52, 0x39, 0x93, 0xb6, 0x2a, 0xe7, 0xdf, 0x7d,
                                    0x01, 0x4b, 0x2f, 0xdb, 0x14, 0xb7, 0x5c, 0x34, 0xcc, 0xaf};
    begin("MSG", 'F');
    put_le32(&B, 2);
    put_le32(&B, 2);
    for (size_t i = 0; i < sizeof(noise); i++)
        put_u8(&B, noise[i]);
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(strcmp(msg.function, "encrypted") == 0 && msg.op_class == OT_OP_OTHER);
    FAIL_IF_NOT(kv_bool_is(&msg, "encrypted", true) && msg.pair == OT_PAIR_NONE &&
                msg.n_ranges == 0);
    FAIL_IF_NOT(kv_u64(&msg, "secure_channel_id") == 2 && kv_u64(&msg, "request_id") == NO_KEY);
    B.b[3] = 'C';
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_NONE);
    B.b[3] = 'F';
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK && kv_bool_is(&msg, "encrypted", true));
    /* A short encrypted chunk (no room for a sequence header). */
    begin("MSG", 'F');
    put_le32(&B, 2);
    put_le32(&B, 2);
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK && kv_bool_is(&msg, "encrypted", true));
    struct ot_detail d = {0};
    opcua_dissector.flow_summary(state, &d);
    bool found = false;
    for (size_t i = 0; i < d.n; i++)
        if (d.kv[i].key && strcmp(d.kv[i].key, "encrypted_to_server") == 0)
            found = d.kv[i].v.u == 4; /* OPN, MSG, C chunk, short MSG */
    FAIL_IF_NOT(found);
    /* With Sign only, a readable body still parses on the secured channel. */
    msg_req(9, 631);
    put_le64(&B, 0);
    put_le32(&B, 0);
    put_le32(&B, 1);
    nodeid4(0, 2258);
    put_le32(&B, 13);
    null_str();
    put_le16(&B, 0);
    null_str();
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK && msg.function_code == 631);
    FAIL_IF_NOT(msg.n_ranges == 1 && !kv_bool_is(&msg, "encrypted", true));
    PASS;
}

static int test_lying_lengths(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    /* A node count far beyond the message: capped, the record kept. */
    msg_req(50, 631);
    put_le64(&B, 0);
    put_le32(&B, 0);
    put_le32(&B, 0x7fffffff);
    nodeid4(0, 1);
    put_le32(&B, 13);
    null_str();
    put_le16(&B, 0);
    null_str();
    size_t n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK && msg.function_code == 631);
    FAIL_IF_NOT(msg.anomaly != NULL || kv_bool_is(&msg, "truncated", true));
    /* A string length beyond the message in a service body: reported as an
     * anomaly on the record. */
    msg_req(51, 428);
    put_le32(&B, 5000);
    str("x");
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK && msg.anomaly != NULL);
    /* A negative length other than -1. */
    msg_req(52, 428);
    put_le32(&B, 0xfffffff0);
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK && msg.anomaly != NULL);
    /* A policy URI length beyond the OPN: invalid. */
    uint8_t o[sizeof(opn_req)];
    memcpy(o, opn_req, sizeof(o));
    o[12] = 0xf0;
    FAIL_IF_NOT(cli(o, sizeof(o)) == OT_PARSE_INVALID);
    /* A reserved NodeId encoding as the service type on a clear channel. */
    begin("MSG", 'F');
    sym(5, 1, 1, 1);
    put_u8(&B, 0x0f);
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_INVALID);
    /* An unknown service on a clear channel: reported by its id. */
    msg_req(53, 9999);
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK && msg.function_code == 9999 && msg.function == NULL);
    PASS;
}

static int test_nesting_caps(void)
{
    new_flow();
    FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
    /* A Write whose value is a Variant nested in Variants far past the cap. */
    msg_req(60, 673);
    put_le32(&B, 2);
    nodeid4(0, 1);
    put_le32(&B, 13);
    null_str();
    put_u8(&B, 1);
    for (int i = 0; i < 200; i++)
        put_u8(&B, 24); /* Variant of Variant of ... */
    put_u8(&B, 6);
    put_le32(&B, 1);
    nodeid4(0, 2);
    put_le32(&B, 13);
    null_str();
    put_u8(&B, 1);
    put_u8(&B, 6);
    put_le32(&B, 2);
    size_t n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    FAIL_IF_NOT(kv_bool_is(&msg, "truncated", true));
    FAIL_IF_NOT(msg.n_values == 0);
    /* A DiagnosticInfo nested past the cap in a response header. */
    begin("MSG", 'F');
    sym(5, 1, 1, 61);
    nodeid4(0, 634);
    put_le64(&B, 0);
    put_le32(&B, 1);
    put_le32(&B, 0);
    for (int i = 0; i < 100; i++)
        put_u8(&B, 0x40);
    put_u8(&B, 0);
    n = done();
    FAIL_IF_NOT(srv(B.b, n) == OT_PARSE_OK);
    /* A Variant array of 1,000,000 strings in a 100-byte message. */
    msg_req(62, 673);
    put_le32(&B, 1);
    nodeid4(0, 1);
    put_le32(&B, 13);
    null_str();
    put_u8(&B, 1);
    put_u8(&B, 0x80 | 12);
    put_le32(&B, 1000000);
    str("a");
    n = done();
    FAIL_IF_NOT(cli(B.b, n) == OT_PARSE_OK);
    PASS;
}

static int test_truncation(void)
{
    const struct sample all[] = {
        SAMPLE(hel),
        SAMPLE(ack),
        SAMPLE(opn_req),
        SAMPLE(opn_rsp),
        SAMPLE(create_session_req),
        SAMPLE(create_session_rsp),
        SAMPLE(activate_req),
        SAMPLE(activate_rsp),
        SAMPLE(browse_req),
        SAMPLE(close_session_req),
        SAMPLE(clo),
        SAMPLE(write_req),
        SAMPLE(write_rsp),
        SAMPLE(call_req),
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        FAIL_IF_NOT(each_prefix(cli_stateless, all[i].p, all[i].n, refused, &msg));
        /* And with the flow state of a clear channel, as the engine would
         * call it, every prefix handed over as cut by the engine parses or
         * is consumed without crashing. */
        new_flow();
        FAIL_IF_NOT(cli(opn_req, sizeof(opn_req)) == OT_PARSE_OK);
        for (size_t cut = 8; cut < all[i].n; cut++) {
            enum ot_parse r = parse_full(all[i].p, cut, true, all[i].n, true);
            FAIL_IF(r == OT_PARSE_NOT_MINE);
        }
    }
    FAIL_IF_NOT(parse_full(hel, 0, true, 0, true) == OT_PARSE_TRUNC);
    /* Not OPC UA at all. */
    static const uint8_t junk[] = "HTTP/1.1 200 OK\r\n\r\n";
    FAIL_IF_NOT(parse_full(junk, sizeof(junk) - 1, false, sizeof(junk) - 1, true) ==
                OT_PARSE_NOT_MINE);
    PASS;
}

static const struct unit_test tests[] = {
    {"table_entry", test_table_entry},
    {"pdu_len", test_pdu_len},
    {"probe", test_probe},
    {"hello_ack", test_hello_ack},
    {"error_and_reverse_hello", test_error_and_reverse_hello},
    {"open_secure_channel_none", test_open_secure_channel_none},
    {"create_session", test_create_session},
    {"activate_session_anonymous", test_activate_session_anonymous},
    {"activate_session_username", test_activate_session_username},
    {"read", test_read},
    {"write", test_write},
    {"browse_call_and_others", test_browse_call_and_others},
    {"faults", test_faults},
    {"chunks", test_chunks},
    {"encrypted", test_encrypted},
    {"lying_lengths", test_lying_lengths},
    {"nesting_caps", test_nesting_caps},
    {"truncation", test_truncation},
    {NULL, NULL},
};

UNIT_MAIN(tests)
