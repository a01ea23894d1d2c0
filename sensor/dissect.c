/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: choosing a dissector for a flow (port table, then probes), running
 * it on each PDU, and pairing requests with responses into one record. */
#include <netinet/in.h>
#include <string.h>

#include "detect.h"
#include "event.h"
#include "output.h"
#include "worker.h"

#define PROBE_TRIES 4 /* payload packets (or full holds) a flow may take to be recognised */

static bool l4_matches(const struct ot_dissector *d, uint8_t l4)
{
    return d->l4 == l4 || (d->l4 == OT_L4_BOTH && (l4 == IPPROTO_TCP || l4 == IPPROTO_UDP));
}

static bool port_matches(const struct conf_dissector *cd, uint16_t port)
{
    for (size_t k = 0; k < CONF_MAX_PORTS && cd->ports[k]; k++)
        if (cd->ports[k] == port)
            return true;
    return false;
}

/* The flows holding dissector state, least recently seen first. */
static void dstate_append(struct worker *w, struct flow *f)
{
    dlist_append(&w->dstate_flows, &f->dstate_link);
    f->dstate_listed = f->last_ts;
}

void dissect_relist(struct worker *w, struct flow *f)
{
    dlist_unlink(&w->dstate_flows, &f->dstate_link);
    dstate_append(w, f);
}

/* Dissector state for f: from the pool, or else from the flow that has
 * been idle longest, if that is past dissect.reclaim_idle.  That flow is
 * ended (its unanswered requests and its flow event written); should it
 * speak again it comes back as a new flow and is dissected again, where
 * without this a flood of connections that each send one PDU and go quiet
 * would leave every new industrial flow undissected until flow.timeout.tcp. */
static void *take_dstate(struct worker *w)
{
    void *s = pool_take(&w->dstate_pool);
    if (s)
        return s;
    struct flow *idle = dlist_first(&w->dstate_flows, struct flow, dstate_link);
    uint64_t min_idle = (uint64_t)w->conf->dissect_reclaim_idle * 1000000;
    if (!idle || min_idle == 0 || idle->last_ts + min_idle > w->now)
        return NULL;
    flow_end_now(w->flows, idle, FLOW_END_RECLAIMED);
    w->stats.dissect_reclaimed++;
    return pool_take(&w->dstate_pool);
}

static void attach(struct worker *w, struct flow *f, const struct ot_dissector *d)
{
    if (d->flow_state_size) {
        f->dstate = take_dstate(w);
        if (!f->dstate) {
            w->stats.dissect_no_state++;
            f->dissect_done = true;
            return;
        }
        memset(f->dstate, 0, d->flow_state_size);
        dstate_append(w, f);
    }
    f->dissector = d;
    f->dissect_done = true;
    w->stats.proto[d->proto].flows++;
    /* records repeat the flow's ends: keep their text (none: written each time) */
    f->ends = pool_take(&w->ends_pool);
    if (f->ends)
        f->ends->len[0] = f->ends->len[1] = 0;
}

/* Probes one candidate set over the bytes seen so far. */
static const struct ot_dissector *probe_all(struct worker *w, const struct packet *p, int dir,
                                            const uint8_t *data, size_t len, bool *need_more)
{
    bool to_server = dir == 0;
    /* a segment the capture cut (snaplen) will never show more */
    bool cut = p->payload_wire_len > p->payload_len;
    /* the server's port first: a dissector registered there must confirm */
    uint16_t server_port = to_server ? p->dport : p->sport;
    for (size_t i = 0; ot_dissectors[i]; i++) {
        const struct ot_dissector *d = ot_dissectors[i];
        const struct conf_dissector *cd = &w->conf->dissector[d->proto];
        if (!cd->enabled || !l4_matches(d, p->l4proto) || !port_matches(cd, server_port))
            continue;
        enum ot_probe r = d->probe ? d->probe(data, len, to_server) : OT_PROBE_YES;
        if (r == OT_PROBE_YES || (r == OT_PROBE_NEED_MORE && cut))
            return d;
        /* on its own port a protocol gets a few packets to show itself: a
         * capture that starts mid-PDU begins with bytes no probe accepts */
        *need_more = true;
    }
    for (size_t i = 0; ot_dissectors[i]; i++) {
        const struct ot_dissector *d = ot_dissectors[i];
        const struct conf_dissector *cd = &w->conf->dissector[d->proto];
        if (!cd->enabled || !cd->heuristic || !d->probe || !l4_matches(d, p->l4proto))
            continue;
        enum ot_probe r = d->probe(data, len, to_server);
        if (r == OT_PROBE_YES)
            return d;
        *need_more |= r == OT_PROBE_NEED_MORE;
    }
    return NULL;
}

bool dissect_select(struct worker *w, struct flow *f, int dir, const struct packet *p)
{
    /* A TCP segment too short to tell (a TPKT header alone, half an MBAP
     * header) is held, and the next in-order segment is probed together with
     * it; when a dissector claims the flow, the held bytes are framed first. */
    const uint8_t *data = p->payload;
    size_t len = p->payload_len;
    bool tcp = p->l4proto == IPPROTO_TCP;
    bool held = tcp && reasm_hold_add(w, f, dir, p, &data, &len);
    if (!held) {
        data = p->payload;
        len = p->payload_len;
    }
    bool need_more = false;
    const struct ot_dissector *d = probe_all(w, p, dir, data, len, &need_more);
    if (d) {
        attach(w, f, d);
        if (f->dissector && tcp)
            return reasm_hold_release(w, f, dir, p);
        if (tcp)
            reasm_hold_drop(w, f); /* no state for it: the held bytes would pin buffers */
        return false;
    }
    /* Bytes held in order count as one try until the hold is full: a
     * protocol sent a byte per segment still gets its PDU header probed
     * whole (an S7 session in 1-byte segments went undissected). */
    bool growing = held && len > p->payload_len;
    if (!need_more || (!growing && ++f->probe_tries >= PROBE_TRIES)) {
        f->dissect_done = true;
        reasm_hold_drop(w, f);
    }
    return false;
}

/* The worker's list of pending requests, oldest first, drives timeouts. */
static struct txn *oldest_pending(struct worker *w)
{
    return dlist_first(&w->pending_by_age, struct txn, age);
}

/* A request waits in its flow's list, or (layer 2, no flow) in the worker's. */
static struct txn **pending_list(struct worker *w, struct flow *f)
{
    return f ? &f->pending : &w->l2_pending;
}

static uint32_t *pending_count(struct worker *w, struct flow *f)
{
    return f ? &f->n_pending : &w->n_l2_pending;
}

static void pending_unlink(struct worker *w, struct txn *t)
{
    struct txn **pp = pending_list(w, t->flow);
    while (*pp && *pp != t)
        pp = &(*pp)->flow_next;
    if (*pp)
        *pp = t->flow_next;
    (*pending_count(w, t->flow))--;
    dlist_unlink(&w->pending_by_age, &t->age);
}

/* Writes a record of a layer 2 exchange: its addresses are the request's
 * frame's (the response's, swapped, while the response is at hand). */
static void write_l2(struct worker *w, const struct txn *req, const struct ot_msg *resp, int dir)
{
    const struct packet *saved = w->pkt;
    struct packet ends;
    if (saved && resp) {
        ends = *saved;
    } else {
        memset(&ends, 0, sizeof ends);
        ends.has_ether = true;
        ends.vlan_count = req->l2_vlan_count;
        memcpy(ends.vlan, req->l2_vlan, sizeof ends.vlan);
    }
    memcpy(ends.src_mac, req->l2_src, 6);
    memcpy(ends.dst_mac, req->l2_dst, 6);
    w->pkt = &ends;
    event_transaction(w, NULL, req, resp, dir, w->now);
    w->pkt = saved;
}

/* Writes a request that will get no response, and frees it. */
static void write_unanswered(struct worker *w, struct txn *t)
{
    pending_unlink(w, t);
    if (t->flow)
        event_transaction(w, t->flow, t, NULL, 0, 0);
    else
        write_l2(w, t, NULL, 0);
    w->stats.proto[t->msg.proto].records++;
    pool_put(&w->txn_pool, t);
}

static struct txn *take_txn(struct worker *w)
{
    struct txn *t = pool_take(&w->txn_pool);
    struct txn *oldest = t ? NULL : oldest_pending(w);
    if (oldest) {
        w->stats.pending_evicted++;
        write_unanswered(w, oldest);
        t = pool_take(&w->txn_pool);
    }
    return t;
}

static void keep_request(struct worker *w, struct flow *f, struct txn *t, int dir)
{
    struct txn **pp = pending_list(w, f);
    uint32_t *n = pending_count(w, f);
    if (*n >= w->conf->pending_per_flow) {
        w->stats.pending_evicted++;
        write_unanswered(w, *pp);
    }
    t->flow = f;
    t->dir = dir;
    t->ts = w->now;
    t->capture_gap = false;
    t->flow_next = NULL;
    while (*pp)
        pp = &(*pp)->flow_next;
    *pp = t;
    (*n)++;
    dlist_append(&w->pending_by_age, &t->age);
}

static struct txn *find_request(struct flow *f, uint32_t key)
{
    for (struct txn *t = f->pending; t; t = t->flow_next)
        if (t->msg.txn_key == key)
            return t;
    return NULL;
}

/* A group address (broadcast or multicast) answers from many hosts, each in
 * a flow of its own: a request sent there is a record of its own. */
static bool ip_group(const uint8_t *ip, uint8_t version)
{
    if (version == 4)
        return (ip[0] >= 224 && ip[0] <= 239) ||
               (ip[0] == 255 && ip[1] == 255 && ip[2] == 255 && ip[3] == 255);
    return version == 6 && ip[0] == 0xff;
}

/* The server end of f is a group: a multicast or broadcast IP address, or
 * the Ethernet broadcast (a subnet broadcast, x.y.z.255, is only known by it).
 * A multicast-bit MAC alone is not trusted: a synthetic capture may use one
 * for a unicast host. */
static bool server_is_group(const struct flow *f)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const struct ip_addr *srv = f->client_is_a ? &f->key.b : &f->key.a;
    return (f->has_ether && memcmp(f->server_mac, bcast, 6) == 0) ||
           ip_group(srv->b, f->key.ip_version);
}

static void handle_msg(struct worker *w, struct flow *f, int dir, struct txn *t)
{
    struct ot_msg *m = &t->msg;
    struct proto_stats *ps = &w->stats.proto[m->proto];
    if (m->anomaly)
        ps->anomalies++;
    detect_msg(w, f, dir, m);
    if (m->pair == OT_PAIR_KEYED && m->dir == OT_DIR_REQUEST && f &&
        !(dir == 0 && server_is_group(f))) {
        keep_request(w, f, t, dir);
        return;
    }
    struct txn *req = NULL;
    if (f && m->pair == OT_PAIR_KEYED && m->dir == OT_DIR_RESPONSE)
        req = find_request(f, m->txn_key);
    if (req)
        pending_unlink(w, req);
    event_transaction(w, f, req, m, dir, w->now);
    ps->records++;
    pool_put(&w->txn_pool, req);
    pool_put(&w->txn_pool, t);
}

/* Layer 2: no flow.  A keyed request sent to one station waits in the
 * worker's list for the response that comes back between the same two
 * stations; one sent to a group address is a record of its own. */
static void handle_l2(struct worker *w, const struct packet *p, struct txn *t)
{
    struct ot_msg *m = &t->msg;
    struct proto_stats *ps = &w->stats.proto[m->proto];
    int dir = m->dir == OT_DIR_REQUEST ? 0 : 1;
    if (m->anomaly)
        ps->anomalies++;
    detect_msg(w, NULL, dir, m);
    bool keyed = m->pair == OT_PAIR_KEYED && p->has_ether;
    if (keyed && m->dir == OT_DIR_REQUEST && !(p->dst_mac[0] & 1)) {
        memcpy(t->l2_src, p->src_mac, 6);
        memcpy(t->l2_dst, p->dst_mac, 6);
        t->l2_vlan_count = p->vlan_count;
        memcpy(t->l2_vlan, p->vlan, sizeof t->l2_vlan);
        keep_request(w, NULL, t, dir);
        return;
    }
    struct txn *req = NULL;
    if (keyed && m->dir == OT_DIR_RESPONSE)
        for (req = w->l2_pending; req; req = req->flow_next)
            if (req->msg.proto == m->proto && req->msg.txn_key == m->txn_key &&
                memcmp(req->l2_src, p->dst_mac, 6) == 0 && memcmp(req->l2_dst, p->src_mac, 6) == 0)
                break;
    if (req) {
        pending_unlink(w, req);
        write_l2(w, req, m, dir);
    } else {
        event_transaction(w, NULL, NULL, m, dir, w->now);
    }
    ps->records++;
    pool_put(&w->txn_pool, req);
    pool_put(&w->txn_pool, t);
}

void dissect_pdu(struct worker *w, struct flow *f, int dir, const uint8_t *data, size_t len,
                 size_t claimed_len)
{
    const struct ot_dissector *d = f->dissector;
    struct proto_stats *ps = &w->stats.proto[d->proto];
    struct txn *t = take_txn(w);
    if (!t)
        return;
    f->pdus++;
    ps->pdus++;
    struct ot_ctx ctx = {
        .ts_usec = w->now,
        .to_server = dir == 0,
        .l4 = f->key.proto,
        .src_port = (dir == 0) == f->client_is_a ? f->key.port_a : f->key.port_b,
        .dst_port = (dir == 0) == f->client_is_a ? f->key.port_b : f->key.port_a,
        .pdu_truncated = claimed_len > len,
        .pdu_len = claimed_len,
        .flow_state = f->dstate,
    };
    struct cur c = cur_init(data, len);
    ot_msg_reset(&t->msg, d->proto);
    switch (d->parse(&c, &ctx, &t->msg)) {
        case OT_PARSE_OK:
            handle_msg(w, f, dir, t);
            return;
        case OT_PARSE_NONE:
            break;
        case OT_PARSE_TRUNC:
            ps->truncated++;
            f->parse_errors++;
            break;
        case OT_PARSE_INVALID:
        case OT_PARSE_NOT_MINE:
            ps->invalid++;
            f->parse_errors++;
            detect_parse_error(w, f, dir, d->proto);
            break;
    }
    pool_put(&w->txn_pool, t);
}

void dissect_l2(struct worker *w, const struct packet *p)
{
    for (size_t i = 0; ot_dissectors[i]; i++) {
        const struct ot_dissector *d = ot_dissectors[i];
        if (d->l4 != 0 || d->ethertype != p->ethertype || !w->conf->dissector[d->proto].enabled)
            continue;
        struct proto_stats *ps = &w->stats.proto[d->proto];
        struct txn *t = take_txn(w);
        if (!t)
            return;
        ps->pdus++;
        struct ot_ctx ctx = {.ts_usec = w->now, .to_server = false, .pdu_len = p->l2_payload_len};
        struct cur c = cur_init(p->l2_payload, p->l2_payload_len);
        ot_msg_reset(&t->msg, d->proto);
        enum ot_parse r = d->parse(&c, &ctx, &t->msg);
        if (r == OT_PARSE_OK) {
            handle_l2(w, p, t);
            return;
        }
        if (r == OT_PARSE_TRUNC)
            ps->truncated++;
        else if (r != OT_PARSE_NONE)
            ps->invalid++;
        if (r == OT_PARSE_INVALID || r == OT_PARSE_NOT_MINE)
            detect_parse_error(w, NULL, 0, d->proto);
        pool_put(&w->txn_pool, t);
        return;
    }
}

void dissect_flow_end(struct worker *w, struct flow *f)
{
    /* segments still held out of order may complete requests and responses */
    reasm_release(w, f);
    while (f->pending)
        write_unanswered(w, f->pending);
}

void dissect_release(struct worker *w, struct flow *f)
{
    if (f->dstate)
        dlist_unlink(&w->dstate_flows, &f->dstate_link);
    pool_put(&w->dstate_pool, f->dstate);
    f->dstate = NULL;
    pool_put(&w->ends_pool, f->ends);
    f->ends = NULL;
}

void dissect_gap(struct worker *w, struct flow *f, int dir)
{
    (void)w;
    for (struct txn *t = f->pending; t; t = t->flow_next)
        if (t->dir != dir)
            t->capture_gap = true;
}

void dissect_expire(struct worker *w)
{
    uint64_t limit = (uint64_t)w->conf->pending_timeout * 1000000;
    struct txn *t;
    while ((t = oldest_pending(w)) && t->ts + limit < w->now) {
        w->stats.pending_timed_out++;
        write_unanswered(w, t);
    }
}

void dissect_flush(struct worker *w)
{
    struct txn *t;
    while ((t = oldest_pending(w)))
        write_unanswered(w, t);
}
