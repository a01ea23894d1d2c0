/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of request/response pairing through a real worker:
 * requests sent to a broadcast or multicast address are records of their own
 * (their answers come from many hosts, in flows of their own), layer 2
 * requests (PROFINET DCP) pair with the response between the same two
 * stations, EtherNet/IP replies pair with the request of their own service,
 * and a BACnet/IP flow whose every datagram misstates its BVLC length is
 * still dissected and paired. */
#include "engine.h"
#include "unit.h"

static const uint8_t mac_a[6] = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x01};
static const uint8_t mac_b[6] = {0x00, 0x80, 0xf4, 0x00, 0x00, 0x02};
static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_pn_mcast[6] = {0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00};

/* Sends a UDP/TCP frame with the given Ethernet ends. */
static void send_macs(struct engine *e, const struct frame_spec *s, const uint8_t *src,
                      const uint8_t *dst, const void *payload, size_t n)
{
    uint8_t buf[2048];
    size_t len = frame_build(buf, s, payload, n);
    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    e->ts += 1000;
    worker_packet(&e->w, LINK_ETHERNET, e->ts, buf, (uint32_t)len, (uint32_t)len);
}

/* Sends an Ethernet frame of ethertype 0x8892 (PROFINET). */
static void send_l2(struct engine *e, const uint8_t *src, const uint8_t *dst, const uint8_t *pdu,
                    size_t n)
{
    uint8_t buf[256];
    memset(buf, 0, sizeof buf);
    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    buf[12] = 0x88;
    buf[13] = 0x92;
    memcpy(buf + 14, pdu, n);
    size_t len = 14 + n < 60 ? 60 : 14 + n;
    e->ts += 1000;
    worker_packet(&e->w, LINK_ETHERNET, e->ts, buf, (uint32_t)len, (uint32_t)len);
}

static json_t *proto_event(const struct engine *e, const char *type, size_t k)
{
    size_t i;
    json_t *ev;
    json_array_foreach(e->events, i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "event_type")), type) == 0 && k-- == 0)
            return json_object_get(ev, type);
    }
    return NULL;
}

static json_t *event_n(const struct engine *e, const char *type, size_t k)
{
    size_t i;
    json_t *ev;
    json_array_foreach(e->events, i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "event_type")), type) == 0 && k-- == 0)
            return ev;
    }
    return NULL;
}

static bool is_paired(json_t *m)
{
    return m && json_object_get(m, "request") && json_object_get(m, "response");
}

static bool str_is(json_t *o, const char *a, const char *b, const char *want)
{
    json_t *x = o ? json_object_get(o, a) : NULL;
    json_t *v = x && b ? json_object_get(x, b) : x;
    return v && json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* An EtherNet/IP ListIdentity request (no data) with sender context ctx. */
static size_t list_identity(uint8_t *b, uint8_t ctx, uint16_t length)
{
    memset(b, 0, 24 + length);
    b[0] = 0x63;
    b[2] = (uint8_t)length;
    b[12] = ctx;
    return 24 + length;
}

/* A ListIdentity reply: one identity item (1756-ENBT/A). */
static size_t list_identity_reply(uint8_t *b, uint8_t ctx)
{
    static const uint8_t item[] = {0x01, 0x00, 0x0c, 0x00, 0x2d, 0x00, 0x01, 0x00, 0x00, 0x02, 0xaf,
                                   0x12, 0x0a, 0x01, 0x01, 0xa4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x3a, 0x00, 0x04, 0x03, 0x30,
                                   0x00, 0x8e, 0x4d, 0x52, 0x00, 0x0b, 0x31, 0x37, 0x35, 0x36, 0x2d,
                                   0x45, 0x4e, 0x42, 0x54, 0x2f, 0x41, 0x03};
    size_t n = list_identity(b, ctx, sizeof item);
    memcpy(b + 24, item, sizeof item);
    return n;
}

static int broadcast_request_alone(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, NULL) != 0);
    uint8_t b[128];
    /* a broadcast ListIdentity, answered by one device from its own flow */
    struct frame_spec q = {0x0a000001, 0xffffffff, 50000, 44818, 17, 0, 0, 0, 0};
    struct frame_spec r = {0x0a000002, 0x0a000001, 44818, 50000, 17, 0, 0, 0, 0};
    send_macs(&e, &q, mac_a, mac_bcast, b, list_identity(b, 7, 0));
    send_macs(&e, &r, mac_b, mac_a, b, list_identity_reply(b, 7));
    /* a unicast one, answered in its flow */
    struct frame_spec uq = {0x0a000001, 0x0a000002, 50001, 44818, 17, 0, 0, 0, 0};
    struct frame_spec ur = {0x0a000002, 0x0a000001, 44818, 50001, 17, 0, 0, 0, 0};
    send_macs(&e, &uq, mac_a, mac_b, b, list_identity(b, 8, 0));
    send_macs(&e, &ur, mac_b, mac_a, b, list_identity_reply(b, 8));
    /* a ListIdentity to a multicast group, without an Ethernet broadcast */
    struct frame_spec mq = {0x0a000001, 0xe0000001, 50002, 44818, 17, 0, 0, 0, 0};
    send_macs(&e, &mq, mac_a, mac_b, b, list_identity(b, 9, 0));
    engine_finish(&e);
    FAIL_IF_NOT(engine_count(&e, "enip", NULL, NULL, 0) == 4);
    /* in order: the broadcast request at once (not held until the end) */
    json_t *m = proto_event(&e, "enip", 0);
    FAIL_IF_NOT(str_is(m, "direction", NULL, "request") && !json_object_get(m, "unanswered"));
    FAIL_IF_NOT(str_is(event_n(&e, "enip", 0), "dest_ip", NULL, "255.255.255.255"));
    m = proto_event(&e, "enip", 1);
    FAIL_IF_NOT(str_is(m, "direction", NULL, "response") && !is_paired(m));
    FAIL_IF_NOT(is_paired(proto_event(&e, "enip", 2)));
    m = proto_event(&e, "enip", 3);
    FAIL_IF_NOT(str_is(m, "direction", NULL, "request") && !json_object_get(m, "unanswered"));
    engine_stop(&e);
    PASS;
}

/* A PROFINET DCP frame: FrameID, service, type, xid, one block. */
static size_t dcp(uint8_t *b, uint16_t frame, uint8_t svc, uint8_t type, uint32_t xid,
                  const uint8_t *block, size_t n)
{
    put16(b, frame);
    b[2] = svc;
    b[3] = type;
    put32(b + 4, xid);
    put16(b + 8, 1);
    put16(b + 10, (uint16_t)n);
    memcpy(b + 12, block, n);
    return 12 + n;
}

static int layer2_pairing(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, NULL) != 0);
    uint8_t b[128];
    /* Set IP from a to b, and b's answer */
    static const uint8_t set_ip[] = {0x01, 0x02, 0x00, 0x0e, 0x00, 0x01, 192, 168, 0,
                                     10,   255,  255,  255,  0,    192,  168, 0,   1};
    static const uint8_t set_ok[] = {0x05, 0x04, 0x00, 0x03, 0x01, 0x02, 0x00, 0x00};
    send_l2(&e, mac_a, mac_b, b, dcp(b, 0xfefd, 4, 0, 0x01000001, set_ip, sizeof set_ip));
    /* an answer with the same Xid between other stations pairs with nothing */
    send_l2(&e, mac_a, mac_a, b, dcp(b, 0xfefd, 4, 1, 0x01000001, set_ok, sizeof set_ok));
    send_l2(&e, mac_b, mac_a, b, dcp(b, 0xfefd, 4, 1, 0x01000001, set_ok, sizeof set_ok));
    /* a multicast Identify: a record of its own, its answers too */
    static const uint8_t all[] = {0xff, 0xff, 0x00, 0x00};
    send_l2(&e, mac_a, mac_pn_mcast, b, dcp(b, 0xfefe, 5, 0, 0x02, all, sizeof all));
    /* a Get nobody answers */
    static const uint8_t get[] = {0x02, 0x02};
    send_l2(&e, mac_a, mac_b, b, dcp(b, 0xfefd, 3, 0, 0x03, get, sizeof get));
    engine_finish(&e);
    FAIL_IF_NOT(engine_count(&e, "profinet_dcp", NULL, NULL, 0) == 4);
    /* the lone answer (between a and a), then the pair, written as the request went */
    json_t *ev = event_n(&e, "profinet_dcp", 0);
    FAIL_IF_NOT(!is_paired(json_object_get(ev, "profinet_dcp")));
    ev = event_n(&e, "profinet_dcp", 1);
    json_t *m = json_object_get(ev, "profinet_dcp");
    FAIL_IF_NOT(is_paired(m) && str_is(m, "function", NULL, "Set"));
    FAIL_IF_NOT(str_is(ev, "ether", "src_mac", "00:1b:21:00:00:01"));
    FAIL_IF_NOT(str_is(ev, "ether", "dest_mac", "00:80:f4:00:00:02"));
    FAIL_IF_NOT(str_is(m, "response", "service_type", "response_success"));
    ev = event_n(&e, "profinet_dcp", 2);
    m = json_object_get(ev, "profinet_dcp");
    FAIL_IF_NOT(str_is(m, "function", NULL, "Identify") && !json_object_get(m, "unanswered"));
    /* the unanswered Get, at the end, with its own frame's addresses */
    ev = event_n(&e, "profinet_dcp", 3);
    m = json_object_get(ev, "profinet_dcp");
    FAIL_IF_NOT(str_is(m, "function", NULL, "Get") &&
                json_is_true(json_object_get(m, "unanswered")));
    FAIL_IF_NOT(str_is(ev, "ether", "src_mac", "00:1b:21:00:00:01"));
    FAIL_IF_NOT(str_is(ev, "ether", "dest_mac", "00:80:f4:00:00:02"));
    engine_stop(&e);
    PASS;
}

/* SendRRData around a CIP message, sender context ctx. */
static size_t send_rr(uint8_t *b, uint8_t ctx, const uint8_t *cip, size_t n)
{
    size_t len = 16 + n;
    memset(b, 0, 24 + 16);
    b[0] = 0x6f;
    b[2] = (uint8_t)len;
    b[4] = 0x11; /* session */
    b[12] = ctx;
    uint8_t *d = b + 24;
    d[6] = 2;     /* item count */
    d[12] = 0xb2; /* unconnected data item */
    d[14] = (uint8_t)n;
    memcpy(d + 16, cip, n);
    return 24 + len;
}

static int enip_reply_of_its_service(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, NULL) != 0);
    struct frame_spec cli = {0x0a000001, 0x0a000002, 40000, 44818, 6, 0x18, 1, 1, 0};
    struct frame_spec srv = {0x0a000002, 0x0a000001, 44818, 40000, 6, 0x18, 1, 1, 0};
    uint8_t b[128];
    static const uint8_t gas[] = {0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07};
    static const uint8_t sas[] = {0x10, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07, 0x01};
    static const uint8_t sas_ok[] = {0x90, 0x00, 0x00, 0x00};
    /* a Get_Attribute_Single that is never answered, then a Set_Attribute_Single
     * with the same sender context and its reply */
    size_t n = send_rr(b, 0, gas, sizeof gas);
    engine_send(&e, &cli, b, n, 100);
    cli.seq += (uint32_t)n;
    n = send_rr(b, 0, sas, sizeof sas);
    engine_send(&e, &cli, b, n, 100);
    n = send_rr(b, 0, sas_ok, sizeof sas_ok);
    engine_send(&e, &srv, b, n, 100);
    engine_finish(&e);
    FAIL_IF_NOT(engine_count(&e, "enip", NULL, NULL, 0) == 2);
    json_t *m = proto_event(&e, "enip", 0);
    FAIL_IF_NOT(is_paired(m) && str_is(m, "function", NULL, "Set_Attribute_Single"));
    m = proto_event(&e, "enip", 1);
    FAIL_IF_NOT(str_is(m, "function", NULL, "Get_Attribute_Single"));
    FAIL_IF_NOT(json_is_true(json_object_get(m, "unanswered")));
    engine_stop(&e);
    PASS;
}

static int bacnet_fixed_bvlc_length(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, NULL) != 0);
    /* bacnet_example.pcap frames 572, 573: BVLC length 17 in a 25-byte
     * request and in its 13-byte Error */
    static const uint8_t rq[] = {0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x00, 0x05, 0x01,
                                 0x14, 0x09, 0x06, 0x1d, 0x0b, 0x00, 0x44, 0x65, 0x6c,
                                 0x63, 0x61, 0x74, 0x74, 0x79, 0x37, 0x30};
    static const uint8_t er[] = {0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x50,
                                 0x01, 0x14, 0x91, 0x05, 0x91, 0x1a};
    struct frame_spec q = {0x0a000001, 0x0a000002, 47808, 47808, 17, 0, 0, 0, 0};
    struct frame_spec r = {0x0a000002, 0x0a000001, 47808, 47808, 17, 0, 0, 0, 0};
    engine_send(&e, &q, rq, sizeof rq, 100);
    engine_send(&e, &r, er, sizeof er, 100);
    engine_finish(&e);
    json_t *m = proto_event(&e, "bacnet", 0);
    FAIL_IF_NOT(engine_count(&e, "bacnet", NULL, NULL, 0) == 1 && is_paired(m));
    FAIL_IF_NOT(str_is(m, "function", NULL, "reinitializeDevice"));
    FAIL_IF_NOT(str_is(m, "request", "anomaly", "bvlc_length_mismatch"));
    FAIL_IF_NOT(str_is(m, "response", "anomaly", "bvlc_length_mismatch"));
    engine_stop(&e);
    PASS;
}

static const struct unit_test tests[] = {
    {"broadcast_request_alone", broadcast_request_alone},
    {"layer2_pairing", layer2_pairing},
    {"enip_reply_of_its_service", enip_reply_of_its_service},
    {"bacnet_fixed_bvlc_length", bacnet_fixed_bvlc_length},
    {NULL, NULL},
};

UNIT_MAIN(tests)
