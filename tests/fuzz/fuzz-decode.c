/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for the packet decoder.  Byte 0 of the input
 * picks a link type (every one decode_packet knows, and one it does not), the
 * rest is one captured frame.  Beyond the sanitizers, checks what the rest of
 * the engine relies on: every pointer the decoder hands out lies inside the
 * frame with its length, and the lengths agree with each other. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the last one, DLT_USER0, is not decoded */
static const int links[] = {
    LINK_ETHERNET, LINK_NULL, LINK_LOOP,      LINK_RAW,        LINK_DLT_RAW, LINK_DLT_RAW_OPENBSD,
    LINK_IPV4,     LINK_IPV6, LINK_LINUX_SLL, LINK_LINUX_SLL2, 147};

/* [p, p + n) lies within [base, base + len). */
static void inside(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
    if (!p) {
        if (n)
            abort();
        return;
    }
    if (p < base || n > len || (size_t)(p - base) > len - n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int link = links[data[0] % (sizeof(links) / sizeof(links[0]))];
    const uint8_t *frame = data + 1;
    uint32_t caplen = (uint32_t)(size - 1);
    struct packet p;
    /* the decoder resets only what later stages test: start from garbage */
    memset(&p, 0xa5, sizeof(p));
    enum decode_err e = decode_packet(&p, link, frame, caplen);
    if ((unsigned)e >= DEC_COUNT || !decode_err_names[e])
        abort();
    if (decode_link_supported(link) != (link != 147))
        abort();
    if (p.data != frame || p.caplen != caplen)
        abort();
    inside(frame, caplen, p.l2_payload, p.l2_payload_len);
    if (p.vlan_count > PKT_MAX_VLAN)
        abort();
    if (p.ip_version) {
        if (p.ip_version != 4 && p.ip_version != 6)
            abort();
        inside(frame, caplen, p.l3, p.l3_len);
    }
    inside(frame, caplen, p.payload, p.payload_len);
    if (e == DEC_OK && p.ip_version) {
        /* the payload is inside the IP packet, and never more than the wire had */
        if (p.payload)
            inside(p.l3, p.l3_len, p.payload, p.payload_len);
        if (p.payload_len > p.payload_wire_len)
            abort();
    }
    if (e == DEC_OK && p.ip_version && (p.l4proto == 6 || p.l4proto == 17) && !p.payload)
        abort();
    return 0;
}
