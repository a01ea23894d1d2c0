/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: application identification of every flow with nDPI.  Packets are
 * fed until nDPI's answer is final (or ndpi.max_packets), then no more; the
 * per-flow nDPI state comes from a pool sized with the flow table. */
#include <ndpi/ndpi_api.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "worker.h"

int appid_init(struct worker *w, char *err, size_t errlen)
{
    if (!w->conf->ndpi_enabled)
        return 0;
    w->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
    if (!w->ndpi) {
        snprintf(err, errlen, "nDPI: cannot initialise the detection module");
        return -1;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(w->ndpi, &all);
    ndpi_finalize_initialization(w->ndpi);
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
    ndpi_protocol proto = ndpi_detection_process_packet(w->ndpi, f->ndpi, p->l3,
                                                         (unsigned short)p->l3_len,
                                                         p->ts_usec / 1000);
    record(f, proto);
    f->ndpi_packets++;
    bool known = proto.app_protocol != NDPI_PROTOCOL_UNKNOWN;
    if ((known && !ndpi_extra_dissection_possible(w->ndpi, f->ndpi)) ||
        f->ndpi_packets >= w->conf->ndpi_max_packets) {
        if (!known) {
            uint8_t guessed = 0;
            record(f, ndpi_detection_giveup(w->ndpi, f->ndpi, 1, &guessed));
        }
        f->ndpi_done = true;
    }
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
