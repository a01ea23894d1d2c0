/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: application identification of every flow with nDPI.  Packets are
 * fed until nDPI's answer is final (or ndpi.max_packets), then no more; the
 * per-flow nDPI state comes from a pool sized with the flow table.  What nDPI
 * allocates inside a flow on top of it (an unfinished TLS handshake is kept
 * whole: tens of KB a connection) is counted and held to ndpi.max_memory_mb:
 * beyond it a flow gets nDPI's guess at once, and a flow nDPI is done with
 * gives its handshake buffer back at once instead of at its end. */
#include <malloc.h>
#include <ndpi/ndpi_api.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "worker.h"

/* Bytes nDPI holds, all workers (each has its own module; the allocator is
 * global).  Counted by what the allocator really reserved, on both sides: a
 * pointer nDPI got elsewhere and frees here cannot tear the count apart. */
static atomic_long ndpi_bytes;
/* what the modules themselves hold after start-up (tables, automata) */
static long ndpi_module_bytes;

static void *counted_malloc(size_t size)
{
    void *p = malloc(size);
    if (p)
        atomic_fetch_add_explicit(&ndpi_bytes, (long)malloc_usable_size(p), memory_order_relaxed);
    return p;
}

static void counted_free(void *p)
{
    if (!p)
        return;
    atomic_fetch_sub_explicit(&ndpi_bytes, (long)malloc_usable_size(p), memory_order_relaxed);
    free(p);
}

static bool over_budget(const struct worker *w)
{
    long in_flows = atomic_load_explicit(&ndpi_bytes, memory_order_relaxed) - ndpi_module_bytes;
    return in_flows > (long)w->conf->ndpi_max_memory_mb * 1000000;
}

/* The buffers nDPI reassembles a handshake in, freed as nDPI itself frees
 * them at the flow's end: once nDPI is done with a flow nothing reads them. */
static void release_handshake(struct ndpi_flow_struct *n)
{
    if (n->l4_proto == IPPROTO_TCP && n->l4.tcp.tls.message.buffer) {
        ndpi_free(n->l4.tcp.tls.message.buffer);
        memset(&n->l4.tcp.tls.message, 0, sizeof(n->l4.tcp.tls.message));
    } else if (n->l4_proto == IPPROTO_UDP && n->l4.udp.quic_reasm_buf) {
        ndpi_free(n->l4.udp.quic_reasm_buf);
        n->l4.udp.quic_reasm_buf = NULL;
        n->l4.udp.quic_reasm_buf_len = 0;
    }
}

int appid_init(struct worker *w, char *err, size_t errlen)
{
    if (!w->conf->ndpi_enabled)
        return 0;
    /* workers start one after the other, before any packet */
    set_ndpi_malloc(counted_malloc);
    set_ndpi_free(counted_free);
    long before = atomic_load(&ndpi_bytes);
    w->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
    if (!w->ndpi) {
        snprintf(err, errlen, "nDPI: cannot initialise the detection module");
        return -1;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(w->ndpi, &all);
    ndpi_finalize_initialization(w->ndpi);
    ndpi_module_bytes += atomic_load(&ndpi_bytes) - before;
    if (pool_init(&w->ndpi_pool, w->conf->max_flows, ndpi_detection_get_sizeof_ndpi_flow_struct()) !=
        0) {
        snprintf(err, errlen, "nDPI: cannot allocate flow state for %u flows", w->conf->max_flows);
        return -1;
    }
    return 0;
}

void appid_fini(struct worker *w)
{
    if (w->ndpi)
        ndpi_exit_detection_module(w->ndpi);
    w->ndpi = NULL;
    pool_fini(&w->ndpi_pool);
}

static void record(struct flow *f, ndpi_protocol proto)
{
    f->ndpi_master = proto.master_protocol;
    f->ndpi_app = proto.app_protocol;
}

void appid_packet(struct worker *w, struct flow *f, const struct packet *p)
{
    if (!w->ndpi || f->ndpi_done || p->l3_len > 0xffff)
        return;
    if (!f->ndpi) {
        f->ndpi = pool_take(&w->ndpi_pool);
        if (!f->ndpi) {
            w->stats.ndpi_no_state++;
            f->ndpi_done = true;
            return;
        }
        memset(f->ndpi, 0, ndpi_detection_get_sizeof_ndpi_flow_struct());
    }
    bool give_up = over_budget(w);
    if (give_up) {
        w->stats.ndpi_over_memory++;
    } else {
        record(f, ndpi_detection_process_packet(w->ndpi, f->ndpi, p->l3, (unsigned short)p->l3_len,
                                                p->ts_usec / 1000));
        f->ndpi_packets++;
        if (f->ndpi_app != NDPI_PROTOCOL_UNKNOWN && !ndpi_extra_dissection_possible(w->ndpi, f->ndpi))
            f->ndpi_done = true;
        else
            give_up = f->ndpi_packets >= w->conf->ndpi_max_packets;
    }
    if (give_up) {
        if (f->ndpi_app == NDPI_PROTOCOL_UNKNOWN) {
            uint8_t guessed = 0;
            record(f, ndpi_detection_giveup(w->ndpi, f->ndpi, 1, &guessed));
        }
        f->ndpi_done = true;
    }
    if (f->ndpi_done)
        release_handshake(f->ndpi);
}

void appid_flow_end(struct worker *w, struct flow *f)
{
    if (!f->ndpi || f->ndpi_done)
        return;
    if (f->ndpi_app == NDPI_PROTOCOL_UNKNOWN) {
        uint8_t guessed = 0;
        record(f, ndpi_detection_giveup(w->ndpi, f->ndpi, 1, &guessed));
    }
    f->ndpi_done = true;
}

void appid_release(struct worker *w, struct flow *f)
{
    if (!f->ndpi)
        return;
    ndpi_free_flow_data(f->ndpi);
    pool_put(&w->ndpi_pool, f->ndpi);
    f->ndpi = NULL;
}

const char *appid_name(const struct worker *w, const struct flow *f)
{
    if (!w->ndpi)
        return NULL;
    uint16_t id = f->ndpi_app != NDPI_PROTOCOL_UNKNOWN ? f->ndpi_app : f->ndpi_master;
    if (id == NDPI_PROTOCOL_UNKNOWN)
        return NULL;
    /* the lower-case name, as EVE's app_proto spells protocols */
    static __thread char name[64];
    const char *n = ndpi_get_proto_name(w->ndpi, id);
    size_t i = 0;
    for (; n && n[i] && i < sizeof(name) - 1; i++)
        name[i] = (char)((n[i] >= 'A' && n[i] <= 'Z') ? n[i] + 32 : n[i]);
    name[i] = '\0';
    return name;
}

void appid_write_meta(const struct worker *w, const struct flow *f, struct jsonw *jw)
{
    if (!w->ndpi || !f->ndpi)
        return;
    ndpi_risk risk = f->ndpi->risk;
    if (risk) {
        jw_key(jw, "risks");
        jw_arr_begin(jw);
        for (int r = 0; r < NDPI_MAX_RISK && r < 64; r++)
            if (risk & (UINT64_C(1) << r))
                jw_str(jw, ndpi_risk2str((ndpi_risk_enum)r));
        jw_arr_end(jw);
    }
    if (f->ndpi->host_server_name[0]) {
        jw_key(jw, "server_name");
        jw_strn(jw, f->ndpi->host_server_name,
                strnlen(f->ndpi->host_server_name, sizeof(f->ndpi->host_server_name)));
    }
}
