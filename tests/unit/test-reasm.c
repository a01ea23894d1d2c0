/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests of TCP reassembly and PDU framing through a real
 * worker: split PDUs, several PDUs per segment, retransmissions, reordering,
 * gaps, resynchronisation and oversized PDUs. */
#include "engine.h"
#include "unit.h"

/* A Modbus read-holding-registers request and its response, tid t. */
static size_t request(uint8_t *b, uint16_t t)
{
    const uint8_t r[12] = {0, 0, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2};
    memcpy(b, r, 12);
    put16(b, t);
    return 12;
}

/* n requests back to back, tids 1 to n. */
static void requests(uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        request(b + 12 * i, (uint16_t)(i + 1));
}

static size_t response(uint8_t *b, uint16_t t)
{
    const uint8_t r[13] = {0, 0, 0, 0, 0, 7, 1, 3, 4, 0, 1, 0, 2};
    memcpy(b, r, 13);
    put16(b, t);
    return 13;
}

static struct frame_spec cli = {0x0a000001, 0x0a000002, 40000, 502, 6, 0x18, 1, 1, 0};
static struct frame_spec srv = {0x0a000002, 0x0a000001, 502, 40000, 6, 0x18, 1, 1, 0};

static void handshake(struct engine *e)
{
    struct frame_spec syn = cli, synack = srv, ack = cli;
    syn.flags = 0x02;
    syn.seq = 0;
    synack.flags = 0x12;
    synack.seq = 0;
    ack.flags = 0x10;
    engine_send(e, &syn, NULL, 0, 100);
    engine_send(e, &synack, NULL, 0, 100);
    engine_send(e, &ack, NULL, 0, 100);
}

/* Starts the engine and opens the client's connection. */
static int connected(struct engine *e, void (*tune)(struct conf *))
{
    if (engine_start(e, tune) != 0)
        return -1;
    handshake(e);
    return 0;
}

/* client sends bytes [off, off+n) of its stream */
static void client_bytes(struct engine *e, const uint8_t *stream, uint32_t off, size_t n)
{
    struct frame_spec s = cli;
    s.seq = 1 + off;
    engine_send(e, &s, stream + off, n, 100);
}

/* The server answers tids 1 to n, in order. */
static void server_replies(struct engine *e, uint16_t n)
{
    struct frame_spec s = srv;
    for (uint16_t t = 1; t <= n; t++) {
        uint8_t b[16];
        size_t len = response(b, t);
        engine_send(e, &s, b, len, 100);
        s.seq += (uint32_t)len;
    }
}

static size_t paired(const struct engine *e)
{
    size_t n = 0, i;
    json_t *ev;
    json_array_foreach(e->events, i, ev)
    {
        json_t *m = json_object_get(ev, "modbus");
        if (m && json_object_get(m, "request") && json_object_get(m, "response"))
            n++;
    }
    return n;
}

static int split_pdu(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[12];
    requests(st, 1);
    client_bytes(&e, st, 0, 5); /* shorter than the MBAP header */
    client_bytes(&e, st, 5, 4);
    client_bytes(&e, st, 9, 3);
    server_replies(&e, 1);
    engine_finish(&e);
    FAIL_IF_NOT(paired(&e) == 1);
    FAIL_IF_NOT(engine_count(&e, "modbus", NULL, NULL, 0) == 1);
    engine_stop(&e);
    PASS;
}

static int several_per_segment(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[36];
    requests(st, 3);
    client_bytes(&e, st, 0, 36);
    server_replies(&e, 3);
    engine_finish(&e);
    FAIL_IF_NOT(paired(&e) == 3);
    engine_stop(&e);
    PASS;
}

static int retransmission_not_redelivered(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[24];
    requests(st, 2);
    client_bytes(&e, st, 0, 12);
    client_bytes(&e, st, 0, 12); /* again */
    client_bytes(&e, st, 6, 18); /* overlaps: 6 old bytes, 12 new */
    engine_finish(&e);
    /* two requests, both unanswered, each once */
    FAIL_IF_NOT(engine_count(&e, "modbus", NULL, NULL, 0) == 2);
    json_t *st_ev = engine_first(&e, "stats");
    FAIL_IF_NOT(json_path_int(json_object_get(st_ev, "stats"), "tcp", "retransmitted_bytes") == 18);
    engine_stop(&e);
    PASS;
}

static int reordered_segments(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[36];
    requests(st, 3);
    client_bytes(&e, st, 24, 12); /* third, then second, then first */
    client_bytes(&e, st, 12, 12);
    client_bytes(&e, st, 0, 12);
    server_replies(&e, 3);
    engine_finish(&e);
    FAIL_IF_NOT(paired(&e) == 3);
    json_t *s = json_object_get(engine_first(&e, "stats"), "stats");
    FAIL_IF_NOT(json_path_int(s, "tcp", "reordered_segments") == 2);
    FAIL_IF_NOT(json_path_int(s, "tcp", "gaps") == 0);
    engine_stop(&e);
    PASS;
}

static int gap_then_resync(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[48];
    requests(st, 4);
    client_bytes(&e, st, 0, 18); /* request 1 and half of 2 */
    /* bytes 18..30 never arrive; the server acknowledges past them */
    struct frame_spec ack = srv;
    ack.flags = 0x10;
    ack.ack = 1 + 48;
    client_bytes(&e, st, 30, 18); /* second half of 3, and 4 */
    engine_send(&e, &ack, NULL, 0, 100);
    engine_finish(&e);
    /* request 1 and 4 survive; 2 and 3 were cut by the hole */
    FAIL_IF_NOT(engine_count(&e, "modbus", "modbus", "transaction_id", 1) == 1);
    FAIL_IF_NOT(engine_count(&e, "modbus", "modbus", "transaction_id", 4) == 1);
    FAIL_IF_NOT(engine_count(&e, "modbus", NULL, NULL, 0) == 2);
    json_t *s = json_object_get(engine_first(&e, "stats"), "stats");
    FAIL_IF_NOT(json_path_int(s, "tcp", "gaps") == 1);
    FAIL_IF_NOT(json_path_int(s, "tcp", "partial_pdus_dropped") == 1);
    engine_stop(&e);
    PASS;
}

static int garbage_between_pdus(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[12 + 7 + 12];
    request(st, 1);
    memcpy(st + 12, "\xde\xad\xbe\xef\x99\x00\x08", 7);
    request(st + 19, 2);
    client_bytes(&e, st, 0, 12);
    client_bytes(&e, st, 12, sizeof(st) - 12);
    engine_finish(&e);
    FAIL_IF_NOT(engine_count(&e, "modbus", NULL, NULL, 0) == 2);
    json_t *s = json_object_get(engine_first(&e, "stats"), "stats");
    FAIL_IF_NOT(json_path_int(json_object_get(s, "dissect"), "modbus", "resync_bytes") == 7);
    engine_stop(&e);
    PASS;
}

static void small_pdus(struct conf *c)
{
    c->reasm_max_pdu = 512;
}

static int oversized_pdu_cut(void)
{
    struct engine e;
    FAIL_IF(engine_start(&e, small_pdus) != 0);
    /* MQTT: CONNECT, a PUBLISH of 2005 bytes (longer than reassembly.max_pdu,
     * 512 here) over several segments, then PINGREQ: the PUBLISH is parsed
     * from its first 512 bytes and the PDU after it is still found */
    static uint8_t st[17 + 2008 + 2];
    static const uint8_t connect[17] = {0x10, 0x0f, 0,  4, 'M', 'Q', 'T', 'T', 4,
                                        2,    0,    60, 0, 3,   'a', 'b', 'c'};
    memcpy(st, connect, 17);
    uint8_t *pub = st + 17;
    pub[0] = 0x30;
    pub[1] = 0xd5; /* remaining length 2005, as a varint */
    pub[2] = 0x0f;
    pub[3] = 0;
    pub[4] = 3;
    memcpy(pub + 5, "t/1", 3);
    memset(pub + 8, 'x', 2000);
    st[17 + 2008] = 0xc0;
    st[17 + 2008 + 1] = 0;
    struct frame_spec c = {0x0a000001, 0x0a000003, 40001, 1883, 6, 0x18, 1, 1, 0};
    for (size_t off = 0; off < sizeof(st); off += 700) {
        size_t n = sizeof(st) - off < 700 ? sizeof(st) - off : 700;
        c.seq = 1 + (uint32_t)off;
        engine_send(&e, &c, st + off, n, 100);
    }
    engine_finish(&e);
    FAIL_IF_NOT(engine_count(&e, "mqtt", NULL, NULL, 0) == 3);
    FAIL_IF_NOT(engine_count(&e, "mqtt", "mqtt", "function_code", 3) == 1);
    FAIL_IF_NOT(engine_count(&e, "mqtt", "mqtt", "function_code", 12) == 1);
    json_t *s = json_object_get(engine_first(&e, "stats"), "stats");
    FAIL_IF_NOT(json_path_int(json_object_get(s, "dissect"), "mqtt", "oversized") == 1);
    engine_stop(&e);
    PASS;
}

/* A segment ahead of a hole, too long for the out-of-order store of a
 * 512-byte buffer, and cut by the capture: the store taken for it goes back
 * to the pool (found by fuzz-reasm: it stayed taken after the flow ended,
 * and a few such flows used up every reassembly buffer). */
static int ooo_store_too_small_returned(void)
{
    struct engine e;
    FAIL_IF(connected(&e, small_pdus) != 0);
    static uint8_t st[12 + 12 + 12 * 25];
    requests(st, 27);
    client_bytes(&e, st, 0, 12);
    /* bytes 12..23 never come; the capture keeps 288 of the next 300 */
    static uint8_t frame[64 + sizeof(st)];
    struct frame_spec s = cli;
    s.seq = 1 + 24;
    size_t len = frame_build(frame, &s, st + 24, 12 * 25);
    e.ts += 100;
    worker_packet(&e.w, LINK_ETHERNET, e.ts, frame, (uint32_t)len - 12, (uint32_t)len);
    FAIL_IF_NOT(e.w.stats.tcp_gaps == 2);
    engine_finish(&e);
    FAIL_IF_NOT(e.w.reasm_pool.used == 0);
    FAIL_IF_NOT(engine_count(&e, "modbus", NULL, NULL, 0) == 25);
    engine_stop(&e);
    PASS;
}

/* The first request one byte per segment: the bytes held while no probe
 * can decide are probed together (it used to give up after four segments,
 * so a session sent in 1-byte segments was never dissected). */
static int first_pdu_one_byte_segments(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[24];
    requests(st, 2);
    for (uint32_t i = 0; i < 24; i++)
        client_bytes(&e, st, i, 1);
    server_replies(&e, 2);
    engine_finish(&e);
    FAIL_IF_NOT(paired(&e) == 2);
    engine_stop(&e);
    PASS;
}

/* The first request's segments out of order, before a dissector took the
 * flow: the one ahead is kept and put in its place (it used to be probed
 * alone and lost, and the request with it). */
static int first_pdu_out_of_order(void)
{
    struct engine e;
    FAIL_IF(connected(&e, NULL) != 0);
    uint8_t st[12];
    requests(st, 1);
    client_bytes(&e, st, 8, 4);
    client_bytes(&e, st, 0, 4);
    client_bytes(&e, st, 4, 4);
    client_bytes(&e, st, 0, 8); /* a retransmission over the held bytes */
    server_replies(&e, 1);
    engine_finish(&e);
    FAIL_IF_NOT(paired(&e) == 1);
    FAIL_IF_NOT(engine_count(&e, "modbus", NULL, NULL, 0) == 1);
    FAIL_IF_NOT(e.w.reasm_pool.used == 0);
    engine_stop(&e);
    PASS;
}

static const struct unit_test tests[] = {
    {"split_pdu", split_pdu},
    {"several_per_segment", several_per_segment},
    {"retransmission_not_redelivered", retransmission_not_redelivered},
    {"reordered_segments", reordered_segments},
    {"gap_then_resync", gap_then_resync},
    {"garbage_between_pdus", garbage_between_pdus},
    {"oversized_pdu_cut", oversized_pdu_cut},
    {"ooo_store_too_small_returned", ooo_store_too_small_returned},
    {"first_pdu_one_byte_segments", first_pdu_one_byte_segments},
    {"first_pdu_out_of_order", first_pdu_out_of_order},
    {NULL, NULL},
};

UNIT_MAIN(tests)
