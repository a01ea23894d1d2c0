/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the path of one packet through a worker: decode, flow, nDPI,
 * reassembly and dissection; timeouts and stats on packet time. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "detect-rules.h"
#include "detect.h"
#include "event.h"
#include "inventory.h"
#include "log.h"
#include "output.h"
#include "worker.h"

#define TICK_USEC 1000000 /* timeouts are checked once per second of packet time */

static void on_flow_end(void *arg, struct flow *f, enum flow_end why)
{
    struct worker *w = arg;
    dissect_flow_end(w, f);
    appid_flow_end(w, f);
    detect_flow_end(w, f);
    event_flow(w, f, why);
    dissect_release(w, f);
    appid_release(w, f);
    w->stats.flows_ended++;
}

int worker_init(struct worker *w, const struct conf *conf, struct output *out,
                struct output_queue *queue, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    w->conf = conf;
    w->out = out;
    w->queue = queue;
    w->sensor_json_len = jw_quote(w->sensor_json, sizeof(w->sensor_json), conf->sensor_name);
    const uint32_t timeouts[FT_COUNT] = {
        [FT_TCP] = conf->timeout_tcp,
        [FT_TCP_NEW] = conf->timeout_tcp_new,
        [FT_TCP_CLOSED] = conf->timeout_tcp_closed,
        [FT_UDP] = conf->timeout_udp,
        [FT_OTHER] = conf->timeout_other,
    };
    w->flows = flow_table_new(conf->max_flows, timeouts, on_flow_end, w);
    size_t dstate = 0;
    for (size_t i = 0; ot_dissectors[i]; i++)
        if (ot_dissectors[i]->flow_state_size > dstate)
            dstate = ot_dissectors[i]->flow_state_size;
    w->dstate_size = dstate;
    if (!w->flows || jw_init(&w->jw, 1 << 17) != 0 ||
        pool_init(&w->reasm_pool, conf->reasm_buffers, sizeof(size_t) + conf->reasm_max_pdu) != 0 ||
        pool_init(&w->dstate_pool, conf->dissect_flows, dstate ? dstate : 1) != 0 ||
        pool_init(&w->ends_pool, conf->dissect_flows, sizeof(struct flow_ends)) != 0 ||
        pool_init(&w->txn_pool, conf->pending_max + 1, sizeof(struct txn)) != 0) {
        snprintf(err, errlen, "cannot allocate the worker's pools (flow.max_flows %u, "
                 "reassembly.buffers %u x %u bytes): lower them", conf->max_flows,
                 conf->reasm_buffers, conf->reasm_max_pdu);
        worker_fini(w);
        return -1;
    }
    if (alert_init(w) != 0) {
        snprintf(err, errlen, "cannot allocate the alert aggregation table");
        worker_fini(w);
        return -1;
    }
    if (appid_init(w, err, errlen) != 0) {
        worker_fini(w);
        return -1;
    }
    if (inventory_init(w, err, errlen) != 0) {
        worker_fini(w);
        return -1;
    }
    if (dedup_init(&w->span_dedup, conf->dedup_slots, conf->dedup_window_us) != 0 ||
        dedup_init(&w->red_dedup, conf->dedup_slots,
                   (uint64_t)conf->redundancy_window_ms * 1000) != 0) {
        snprintf(err, errlen, "cannot allocate the duplicate-frame tables (decode.dedup.slots %u)",
                 conf->dedup_slots);
        worker_fini(w);
        return -1;
    }
    return 0;
}

void worker_fini(struct worker *w)
{
    flow_table_free(w->flows);
    w->flows = NULL;
    inventory_fini(w);
    appid_fini(w);
    rules_worker_fini(w);
    alert_fini(w);
    pool_fini(&w->reasm_pool);
    pool_fini(&w->dstate_pool);
    pool_fini(&w->ends_pool);
    pool_fini(&w->txn_pool);
    jw_fini(&w->jw);
    dedup_fini(&w->span_dedup);
    dedup_fini(&w->red_dedup);
}

static enum flow_timeout timeout_class(const struct flow *f)
{
    if (f->key.proto == IPPROTO_TCP) {
        if (f->closed)
            return FT_TCP_CLOSED;
        /* established once the server answered: SYN-ACK, or mid-stream data
         * from both sides */
        return (f->tcp_seen & TCP_ACK) && f->pkts[1] ? FT_TCP : FT_TCP_NEW;
    }
    return f->key.proto == IPPROTO_UDP ? FT_UDP : FT_OTHER;
}

/* Which side is the client.  A dissector's server port decides first: OT
 * captures often start mid-connection, and fuzzed or scanning traffic sets
 * odd flags; then the SYN sender; then the side not on a well-known port. */
static bool packet_from_client(const struct packet *p)
{
    for (size_t i = 0; ot_dissectors[i]; i++) {
        const struct ot_dissector *d = ot_dissectors[i];
        for (size_t k = 0; k < 4 && d->ports[k]; k++) {
            if (p->dport == d->ports[k])
                return true;
            if (p->sport == d->ports[k])
                return false;
        }
    }
    if (p->l4proto == IPPROTO_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
        return true;
    if (p->l4proto == IPPROTO_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
        return false;
    return !(p->sport < 1024 && p->dport >= 1024);
}

static void flow_start(struct worker *w, struct flow *f, const struct packet *p)
{
    bool from_client = packet_from_client(p);
    bool src_is_a = memcmp(p->src.b, f->key.a.b, 16) == 0 && p->sport == f->key.port_a;
    f->client_is_a = from_client == src_is_a;
    f->vlan_count = p->vlan_count;
    memcpy(f->vlan, p->vlan, sizeof(f->vlan));
    f->has_ether = p->has_ether;
    f->tunnel = p->tunnel;
    memcpy(from_client ? f->client_mac : f->server_mac, p->src_mac, 6);
    memcpy(from_client ? f->server_mac : f->client_mac, p->dst_mac, 6);
    int family = f->key.ip_version == 6 ? AF_INET6 : AF_INET;
    inet_ntop(family, f->key.a.b, f->ip_text[0], sizeof(f->ip_text[0]));
    inet_ntop(family, f->key.b.b, f->ip_text[1], sizeof(f->ip_text[1]));
    event_format_mac(f->mac_text[0], f->client_mac);
    event_format_mac(f->mac_text[1], f->server_mac);
    w->stats.flows_created++;
}

static void tick(struct worker *w)
{
    flow_expire(w->flows, w->now);
    dissect_expire(w);
    detect_tick(w);
    alert_tick(w);
    event_publish_metrics(w, false);
    if (w->conf->stats_interval && w->now >= w->next_stats) {
        event_stats(w, false);
        w->next_stats = w->now + (uint64_t)w->conf->stats_interval * 1000000;
    }
}

static void advance_clock(struct worker *w, uint64_t ts)
{
    if (!w->started) {
        w->started = true;
        w->now = ts;
        w->next_tick = ts + TICK_USEC;
        w->next_stats = ts + (uint64_t)w->conf->stats_interval * 1000000;
        return;
    }
    /* packet time never runs backwards for the engine: a reordered capture
     * keeps the newest time seen */
    if (ts > w->now)
        w->now = ts;
    if (w->now >= w->next_tick) {
        tick(w);
        w->next_tick = w->now + TICK_USEC;
    }
}

static void ip_packet(struct worker *w, struct packet *p, const struct flow_probe *probe)
{
    bool created;
    struct flow *f = flow_lookup(w->flows, p, probe, &created);
    if (created)
        flow_start(w, f, p);
    else
        detect_prefetch(w, f, p);
    int dir = flow_dir(f, p);
    f->pkts[dir]++;
    f->bytes[dir] += p->wirelen;
    if (p->l4proto == IPPROTO_TCP) {
        f->tcp_seen |= p->tcp_flags;
        if (p->tcp_flags & TCP_SYN) {
            /* the stream starts here, whether or not a dissector takes the
             * flow later: bytes that arrive out of order before the first
             * payload is probed are then still put in place */
            f->stream[dir].next_seq = p->seq + 1;
            f->stream[dir].seq_known = true;
        }
        if (p->tcp_flags & TCP_FIN)
            f->fin[dir] = true;
        if ((p->tcp_flags & TCP_RST) || (f->fin[0] && f->fin[1]))
            f->closed = true;
    }
    flow_touch(w->flows, f, p->ts_usec, timeout_class(f));
    dissect_seen(w, f);
    appid_packet(w, f, p);
    detect_packet(w, f, dir, p);
    if (f->dissector && p->l4proto == IPPROTO_TCP)
        reasm_ack(w, f, dir, p);
    if (p->payload_len == 0 && !(p->tcp_flags & (TCP_SYN | TCP_FIN)))
        return;
    if (!f->dissector && !f->dissect_done && p->payload_len > 0 && dissect_select(w, f, dir, p))
        return;
    if (!f->dissector)
        return;
    event_prefetch_ends(w, f);
    if (p->l4proto == IPPROTO_TCP)
        reasm_segment(w, f, dir, p);
    else if (p->payload_len > 0)
        frame_datagram(w, f, dir, p->payload, p->payload_len);
}

/* A SPAN copy, or the second copy of a PRP/HSR frame: counted and dropped
 * before any flow or device sees it twice.  probe: the packet's flow, if
 * any, whose bucket was asked for: the flow itself is asked for while the
 * duplicate table's line is on its way (both tables are larger than the
 * caches; the two misses overlap instead of following each other). */
static bool duplicate(struct worker *w, const struct packet *p, const struct flow_probe *probe)
{
    if (p->red) {
        w->stats.redundancy_frames++;
        if (dedup_check(&w->red_dedup, dedup_red_key(p), p->ts_usec)) {
            w->stats.redundancy_duplicates++;
            return true;
        }
    }
    uint64_t key = w->span_dedup.window ? dedup_frame_key(p) : 0;
    dedup_prefetch(&w->span_dedup, key);
    if (probe)
        flow_prefetch(w->flows, probe);
    if (w->span_dedup.window && dedup_check(&w->span_dedup, key, p->ts_usec)) {
        w->stats.span_duplicates++;
        return true;
    }
    if (p->tunnel.type)
        w->stats.tunnels[p->tunnel.type]++;
    return false;
}

/* tag_bytes: wire bytes before the mirrored frame that are not in the
 * data (a VLAN tag the capture took out). */
static void process(struct worker *w, struct packet *p, enum decode_err e, uint32_t tag_bytes)
{
    struct flow_probe probe;
    bool ip = e == DEC_OK && p->ip_version;
    if (ip)
        flow_probe(w->flows, p, &probe);
    if (e != DEC_OK)
        w->stats.decode_errors[e]++;
    else if (duplicate(w, p, ip ? &probe : NULL))
        return;
    if (e == DEC_OK && p->tunnel.type) {
        /* the flow counts the mirrored frame's bytes, not the tunnel's: a
         * conversation gives the same flow mirrored locally or remotely */
        uint32_t outer = p->tunnel_overhead + tag_bytes;
        p->wirelen = p->wirelen > outer ? p->wirelen - outer : 0;
    }
    w->pkt = p;
    if (ip)
        ip_packet(w, p, &probe);
    else if (e == DEC_OK && !p->ip_version && p->l2_payload) {
        detect_packet(w, NULL, 0, p);
        dissect_l2(w, p);
    }
    w->pkt = NULL;
}

void worker_packet_vlan(struct worker *w, uint64_t ts_usec, const uint8_t *data, uint32_t caplen,
                        uint32_t wirelen, uint16_t tpid, uint16_t tci)
{
    struct packet p;
    advance_clock(w, ts_usec);
    w->stats.packets++;
    w->stats.bytes += wirelen + 4;
    p.ts_usec = ts_usec;
    p.wirelen = wirelen + 4;
    process(w, &p, decode_packet_vlan(&p, data, caplen, tpid, tci), 4);
}

void worker_clock(struct worker *w, uint64_t ts_usec)
{
    if (!w->started || ts_usec > w->now)
        advance_clock(w, ts_usec);
}

void worker_packet(struct worker *w, int linktype, uint64_t ts_usec, const uint8_t *data,
                   uint32_t caplen, uint32_t wirelen)
{
    struct packet p;
    advance_clock(w, ts_usec);
    w->stats.packets++;
    w->stats.bytes += wirelen;
    p.ts_usec = ts_usec;
    p.wirelen = wirelen;
    process(w, &p, decode_packet(&p, linktype, data, caplen), 0);
}

void worker_input_start(struct worker *w)
{
    dedup_clear(&w->span_dedup);
    dedup_clear(&w->red_dedup);
}

void worker_finish(struct worker *w)
{
    flow_flush(w->flows);
    dissect_flush(w);
    detect_finish(w);
    alert_flush(w);
    event_stats(w, true);
    event_publish_metrics(w, true);
}
