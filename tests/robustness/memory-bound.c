/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: prints what the configured caps let the packet path use at most,
 * term by term, in bytes: the pools (flows with their hash buckets and nDPI
 * state, reassembly buffers, dissector state, pending requests), the
 * inventory's tables (devices, conversations, written points), the detection
 * state, the in-flight window of each enabled network sink and the output
 * queue, each as count x object size.  robustness.test and make soak
 * add this to the resident size of the sensor on an empty capture (libraries,
 * nDPI's tables, fixed buffers) and check that a flood stays under the sum.
 * What nDPI allocates inside the flows it inspects (a TLS handshake it
 * reassembles) counts as ndpi.max_memory_mb plus one packet's growth past it.
 * Not counted: the HTTP API's copies of recent events (docs/robustness.md,
 * section 3).
 *   usage: memory-bound [CONFIG.yaml]     (default: the embedded defaults) */
#include <ndpi/ndpi_api.h>
#include <stdio.h>
#include <stdlib.h>

#include "baseline.h"
#include "conf.h"
#include "rules.h"
#include "worker.h"

/* pool.c rounds objects up to 16 bytes */
static size_t obj(size_t size)
{
    return (size + 15) & ~(size_t)15;
}

static size_t total;

/* libotrules rounds its tables up to a power of two, at least 16 */
static uint64_t pow2(uint64_t n)
{
    uint64_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

static void term(const char *name, const char *formula, uint64_t count, size_t size)
{
    uint64_t bytes = count * size;
    total += bytes;
    printf("%-18s %12llu  %s = %llu x %zu\n", name, (unsigned long long)bytes, formula,
           (unsigned long long)count, size);
}

int main(int argc, char **argv)
{
    static struct conf c;
    static struct conf_problems problems;
    conf_defaults(&c);
    if (argc > 1 && conf_load_file(&c, argv[1], &problems) != 0) {
        for (unsigned i = 0; i < problems.n; i++)
            fprintf(stderr, "%s:%u: %s\n", problems.p[i].file, problems.p[i].line,
                    problems.p[i].msg);
        return 1;
    }
    uint64_t buckets = 1;
    while (buckets < c.max_flows && buckets < (1u << 30))
        buckets <<= 1;
    size_t dstate = 1;
    for (size_t i = 0; ot_dissectors[i]; i++)
        if (ot_dissectors[i]->flow_state_size > dstate)
            dstate = ot_dissectors[i]->flow_state_size;
    term("flows", "flow.max_flows x struct flow", c.max_flows, obj(sizeof(struct flow)));
    term("flow_buckets", "2^ceil(log2(max_flows)) x pointer", buckets, sizeof(void *));
    if (c.ndpi_enabled) {
        term("ndpi_flows", "flow.max_flows x nDPI flow", c.max_flows,
             obj(ndpi_detection_get_sizeof_ndpi_flow_struct()));
        /* past the budget, a handshake buffer grows by a packet and 2 KB, copied */
        term("ndpi_in_flows", "ndpi.max_memory_mb + 2 x 66 KB", 1,
             (size_t)c.ndpi_max_memory_mb * 1000000 + 2 * 66 * 1024);
    }
    term("reassembly", "reassembly.buffers x (max_pdu + 8)", c.reasm_buffers,
         obj(sizeof(size_t) + c.reasm_max_pdu));
    term("dissector_state", "dissect.flows x largest state", c.dissect_flows, obj(dstate));
    term("flow_ends", "dissect.flows x struct flow_ends", c.dissect_flows,
         obj(sizeof(struct flow_ends)));
    term("pending", "(dissect.pending.max + 1) x struct txn", (uint64_t)c.pending_max + 1,
         obj(sizeof(struct txn)));
    if (c.inventory_enabled) {
        const struct bl_config *b = &c.baseline;
        term("devices", "inventory.max_devices x device", b->max_devices, bl_device_bytes(b));
        term("conversations", "max_conversations x conversation", b->max_conversations,
             bl_conv_bytes(b));
        /* + its hash: up to 4 buckets of 4 bytes per point */
        term("points", "max_points x point", b->max_points, sizeof(struct bl_point) + 16);
    }
    /* the detection state: entry sizes as rules/track.c and rules/condition.c
     * declare them (private there), rounded up */
    term("rule_thresholds", "2 x pow2(rules.state.thresholds) x entry",
         2 * pow2(c.rules_thresholds), 32 + 4 * TRACK_MAX_DISTINCT);
    term("rule_once", "pow2(rules.state.conversations) x 8", pow2(c.rules_conversations), 8);
    term("rule_goose", "pow2(rules.state.goose) x entry", pow2(c.rules_goose), 48);
    term("rule_arp", "pow2(rules.state.arp) x entry", pow2(c.rules_arp), 40);
    term("rule_certs", "pow2(rules.state.certificates) x entry", pow2(c.rules_certificates), 128);
    /* sent, not yet acknowledged: at most 64 MB per network sink (output-redis.c,
     * output-syslog.c) */
    if (c.redis_enabled)
        term("redis_window", "in-flight window (fixed)", 1, 64u << 20);
    if (c.syslog_enabled)
        term("syslog_window", "in-flight window (fixed)", 1, 64u << 20);
    term("output_queue", "outputs.queue_kb x 1024", c.output_queue_kb, 1024);
    printf("%-18s %12zu\n", "total", total);
    return 0;
}
