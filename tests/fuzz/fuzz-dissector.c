/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for one dissector, chosen at compile time with
 * -DFUZZ_DISSECTOR=<name>_dissector, or for every dissector in the table when
 * that is not defined (the corpus replay in make check).  Runs probe, pdu_len
 * and parse on the input and on every prefix of its first PDU, with flow
 * state that persists across the PDUs of one input, as across a flow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors.h"
#include "registry-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ot_msg msg;
static uint8_t state[1 << 16];

static void parse_one(const struct ot_dissector *d, const uint8_t *p, size_t n, bool to_server,
                      size_t claimed)
{
    struct ot_ctx ctx = {
        .ts_usec = 1000000,
        .to_server = to_server,
        .l4 = d->l4,
        .src_port = to_server ? 40000 : d->ports[0],
        .dst_port = to_server ? d->ports[0] : 40000,
        .pdu_truncated = claimed > n,
        .pdu_len = claimed,
        .flow_state = d->flow_state_size ? state : NULL,
    };
    struct cur c = cur_init(p, n);
    ot_msg_reset(&msg, d->proto);
    (void)d->parse(&c, &ctx, &msg);
}

static void fuzz_one(const struct ot_dissector *d, const uint8_t *data, size_t size)
{
    if (d->flow_state_size > sizeof(state))
        abort(); /* the harness must hold the largest flow state */
    memset(state, 0, d->flow_state_size);
    /* The first byte picks the direction, the rest is the stream. */
    bool to_server = size > 0 && (data[0] & 1);
    if (size > 0) {
        data++;
        size--;
    }
    if (d->probe)
        (void)d->probe(data, size, to_server);
    if (!d->pdu_len) {
        for (size_t cut = 0; cut <= size; cut++)
            parse_one(d, data, cut, to_server, cut);
        return;
    }
    size_t off = 0;
    int first = 1;
    while (off < size) {
        size_t len = d->pdu_len(data + off, size - off);
        if (len == OT_PDU_NOT_MINE) {
            off++;
            continue;
        }
        if (len == 0)
            break;
        size_t have = len < size - off ? len : size - off;
        if (first) {
            for (size_t cut = 0; cut < have; cut++)
                parse_one(d, data + off, cut, to_server, len);
            first = 0;
        }
        parse_one(d, data + off, have, to_server, len);
        if (len > size - off)
            break;
        off += len;
        to_server = !to_server;
    }
    if (d->flow_summary) {
        static struct ot_detail detail;
        detail.n = detail.depth = detail.skipped = detail.str_used = 0;
        d->flow_summary(state, &detail);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_DISSECTOR
    fuzz_one(&FUZZ_DISSECTOR, data, size);
#else
    for (size_t i = 0; ot_dissectors[i]; i++)
        fuzz_one(ot_dissectors[i], data, size);
#endif
    return 0;
}
