/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for the whole engine: the input is a pcap or
 * pcapng file, replayed through decode, flows, reassembly, every dissector,
 * the inventory, the built-in detections and the event writer (events are
 * built, then discarded).  Small pools, so eviction paths run too. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "decode.h"
#include "detect-rules.h"
#include "output.h"
#include "worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct conf conf;
static struct output out;
static struct worker w;
static int ready;

static int setup(void)
{
    char err[256];
    conf_defaults(&conf);
    conf.max_flows = 64;
    conf.reasm_buffers = 8;
    conf.reasm_max_pdu = 2048;
    conf.dissect_flows = 16;
    conf.pending_max = 32;
    conf.pending_per_flow = 4;
    conf.stats_interval = 10;
    out.want = EV_ALL; /* build every event; no sink keeps them */
    static struct rules_opts ropts; /* the built-in rules, no files */
    if (detect_rules_load(&conf, NULL, &ropts, false) != 0)
        return -1;
    if (worker_init(&w, &conf, &out, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        if (setup() != 0)
            return 0;
        ready = 1;
    }
    FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (!f)
        return 0;
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_fopen_offline(f, errbuf);
    if (!pc) {
        fclose(f);
        return 0;
    }
    int link = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *pkt;
    while (decode_link_supported(link) && pcap_next_ex(pc, &h, &pkt) == 1) {
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
        worker_packet(&w, link, ts, pkt, h->caplen, h->len);
    }
    pcap_close(pc);
    worker_finish(&w);
    return 0;
}
