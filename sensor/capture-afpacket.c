/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: AF_PACKET capture with a TPACKET_V3 ring per worker, joined in a
 * PACKET_FANOUT group: the kernel writes frames into blocks of a ring shared
 * with us, the worker reads each frame where it lies (no copy), and hands
 * the block back as soon as its frames are processed.
 * specification: Linux Documentation/networking/packet_mmap.rst (TPACKET_V3,
 * PACKET_FANOUT); linux/if_packet.h.
 *
 * One block of the ring, as the kernel fills it:
 *
 *   +--------------------------------+  <- block start (block_status at bh1)
 *   | struct tpacket_block_desc      |     TP_STATUS_KERNEL: the kernel's;
 *   |   version, offset_to_priv,     |     TP_STATUS_USER: ours until we
 *   |   bh1: block_status, num_pkts, |     store TP_STATUS_KERNEL again
 *   |        offset_to_first_pkt ... |
 *   +--------------------------------+  <- + offset_to_first_pkt
 *   | struct tpacket3_hdr            |     tp_next_offset, tp_sec, tp_nsec,
 *   |   (+ struct sockaddr_ll)       |     tp_snaplen, tp_len, tp_status,
 *   |   ... frame at + tp_mac ...    |     tp_mac, hv1.tp_vlan_tci/tpid
 *   +--------------------------------+  <- + tp_next_offset
 *   | next frame ...                 |
 *
 * Ownership passes with block_status: read with acquire (the frames the
 * kernel wrote are visible once we see TP_STATUS_USER), written back with
 * release (our reads are done before the kernel may reuse the block), as
 * libpcap's pcap-linux.c does.  The kernel takes the outer VLAN tag out of
 * the frame (tp_vlan_tci, TP_STATUS_VLAN_VALID); it is given back to the
 * decoder beside the bytes. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture-private.h"
#include "log.h"

#define AFP_ETH_P_ALL 0x0003      /* every protocol (linux/if_ether.h clashes with decode.h) */
#define RING_MIN_BLOCKS 4         /* below this, ENOMEM is an error rather than a smaller ring */
#define RING_WANT_BLOCKS 64       /* automatic geometry: at least this many blocks ... */
#define RING_MIN_BLOCK_SIZE 65536 /* ... unless the blocks would get smaller than this */
#define RING_SHRINK_PCT 95        /* on ENOMEM the ring is retried at this share (libpcap: 95%) */

/* a frame's bounds, checked against the block even though the kernel wrote them */
static bool frame_ok(uint32_t off, const struct tpacket3_hdr *h, uint32_t block_size)
{
    if (off > block_size || block_size - off < sizeof(*h))
        return false;
    uint32_t room = block_size - off;
    return h->tp_mac <= room && h->tp_snaplen <= room - h->tp_mac;
}

static int set_ring(struct live_worker *lw, uint32_t tov_ms)
{
    struct tpacket_req3 req;
    memset(&req, 0, sizeof(req));
    req.tp_block_size = lw->block_size;
    req.tp_block_nr = lw->block_nr;
    req.tp_frame_size = lw->frame_size;
    req.tp_frame_nr = (lw->block_size / lw->frame_size) * lw->block_nr;
    req.tp_retire_blk_tov = tov_ms;
    return setsockopt(lw->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req));
}

static void unset_ring(struct live_worker *lw)
{
    struct tpacket_req3 req;
    memset(&req, 0, sizeof(req));
    (void)setsockopt(lw->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req));
}

/* Creates and maps the ring; on ENOMEM (no room for the ring, or for its
 * mapping) shrinks it and tries again, as libpcap does. */
static int make_ring(struct live *l, struct live_worker *lw, char *err, size_t errlen)
{
    uint32_t wanted = lw->block_nr;
    for (;;) {
        if (set_ring(lw, l->conf->afp_block_tov_ms) == 0) {
            lw->ring_len = (size_t)lw->block_size * lw->block_nr;
            lw->ring = mmap(NULL, lw->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                            lw->fd, 0);
            if (lw->ring != MAP_FAILED)
                break;
            lw->ring = NULL;
            int e = errno;
            unset_ring(lw);
            errno = e;
        }
        if (errno != ENOMEM || lw->block_nr <= RING_MIN_BLOCKS) {
            snprintf(err, errlen,
                     "%s: cannot set up the TPACKET_V3 ring (%u blocks of %u bytes, "
                     "frame size %u): %s",
                     l->iface, lw->block_nr, lw->block_size, lw->frame_size, strerror(errno));
            return -1;
        }
        uint32_t next = (uint32_t)((uint64_t)lw->block_nr * RING_SHRINK_PCT / 100);
        lw->block_nr = next < lw->block_nr ? next : lw->block_nr - 1;
        if (lw->block_nr < RING_MIN_BLOCKS)
            lw->block_nr = RING_MIN_BLOCKS;
    }
    if (lw->block_nr != wanted)
        ot_warn("%s: worker %d: not enough memory for a ring of %u blocks; using %u (%zu MB)",
                l->iface, lw->index, wanted, lw->block_nr, lw->ring_len >> 20);
    return 0;
}

static int fanout_mode(uint32_t conf_fanout)
{
    switch (conf_fanout) {
        case CONF_FANOUT_CPU: return PACKET_FANOUT_CPU;
        case CONF_FANOUT_LB: return PACKET_FANOUT_LB;
        default: return PACKET_FANOUT_HASH;
    }
}

/* Joins the fanout group.  The first socket gets a group id the kernel
 * knows to be unused (PACKET_FANOUT_FLAG_UNIQUEID) unless one is
 * configured; the others join it.  No PACKET_FANOUT_FLAG_DEFRAG: the
 * kernel would hand us reassembled datagrams where a file replay sees
 * fragments, and the events must not depend on the engine. */
static int join_fanout(struct live *l, struct live_worker *lw, char *err, size_t errlen)
{
    int mode = fanout_mode(l->conf->afp_fanout);
    int arg;
    if (lw->index == 0 && l->conf->afp_fanout_id == 0) {
        arg = (mode | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
    } else {
        int id = l->conf->afp_fanout_id ? (int)l->conf->afp_fanout_id : l->fanout_group;
        arg = id | (mode << 16);
    }
    if (setsockopt(lw->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
        snprintf(err, errlen, "%s: worker %d: PACKET_FANOUT failed: %s%s", l->iface, lw->index,
                 strerror(errno),
                 errno == EINVAL || errno == EEXIST
                     ? " (another capture uses capture.afpacket.fanout_id with other settings?)"
                     : "");
        return -1;
    }
    if (lw->index == 0) {
        int v = 0;
        socklen_t len = sizeof(v);
        if (getsockopt(lw->fd, SOL_PACKET, PACKET_FANOUT, &v, &len) != 0) {
            snprintf(err, errlen, "%s: cannot read the fanout group id: %s", l->iface,
                     strerror(errno));
            return -1;
        }
        l->fanout_group = v & 0xffff;
    }
    return 0;
}

int afp_open(struct live *l, struct live_worker *lw, char *err, size_t errlen)
{
    const struct conf *c = l->conf;
    /* protocol 0: nothing is queued to the socket before bind() */
    lw->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (lw->fd < 0) {
        snprintf(err, errlen, "%s: cannot open a packet socket: %s%s", l->iface, strerror(errno),
                 errno == EPERM ? " (capture needs root or CAP_NET_RAW)" : "");
        return -1;
    }
    int v = TPACKET_V3;
    if (setsockopt(lw->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) != 0) {
        snprintf(err, errlen, "%s: this kernel has no TPACKET_V3: %s (use --capture pcap)",
                 l->iface, strerror(errno));
        return -1;
    }
    /* drop everything until every worker is in the fanout group */
    struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog none = {1, &drop};
    if (setsockopt(lw->fd, SOL_SOCKET, SO_ATTACH_FILTER, &none, sizeof(none)) != 0) {
        snprintf(err, errlen, "%s: cannot attach a filter: %s", l->iface, strerror(errno));
        return -1;
    }
    /* ring geometry: block size from the configuration (a power of two, a
     * multiple of the page size); frames are nominal in V3 (the kernel
     * packs them), but must divide the block */
    long page = sysconf(_SC_PAGESIZE);
    uint32_t bs = (uint32_t)page;
    while (bs < c->afp_block_kb * 1024u && bs < (1u << 30))
        bs <<= 1;
    uint64_t bytes = (uint64_t)l->buffer_mb << 20;
    if (c->afp_blocks == 0) {
        /* a block not full is handed over after its timeout, so a consumer
         * held up for T ms uses T / timeout blocks whatever the rate: keep
         * enough of them (smaller blocks) that a stall of a few hundred ms
         * at a low rate does not fill a small ring */
        while (bytes / bs < RING_WANT_BLOCKS && bs > RING_MIN_BLOCK_SIZE &&
               bs / 2 >= (uint32_t)page)
            bs >>= 1;
    }
    lw->block_size = bs;
    uint32_t fs = c->afp_frame_size;
    if (fs == 0) {
        /* room for the headers and a frame of snaplen bytes, a power of two */
        uint32_t need = TPACKET_ALIGN(sizeof(struct tpacket3_hdr) + sizeof(struct sockaddr_ll)) +
                        TPACKET_ALIGN(c->capture_snaplen < 65535 ? c->capture_snaplen : 65535);
        fs = TPACKET_ALIGNMENT;
        while (fs < need)
            fs <<= 1;
    }
    fs = TPACKET_ALIGN(fs);
    if (fs > bs)
        fs = bs;
    while (bs % fs)
        fs -= TPACKET_ALIGNMENT;
    lw->frame_size = fs;
    lw->block_nr = c->afp_blocks ? c->afp_blocks : (uint32_t)(bytes / bs);
    if (lw->block_nr < RING_MIN_BLOCKS)
        lw->block_nr = RING_MIN_BLOCKS;
    /* the kernel would try to allocate a ring of any size before failing,
     * pushing the rest of the machine out of memory: refuse a ring larger
     * than a quarter of it */
    long pages = sysconf(_SC_PHYS_PAGES);
    uint64_t ring = (uint64_t)lw->block_nr * bs;
    if (pages > 0 && ring > (uint64_t)pages * (uint64_t)page / 4) {
        snprintf(err, errlen,
                 "%s: a ring of %llu MB per worker is more than a quarter of the "
                 "memory: lower capture.buffer_mb or capture.afpacket.blocks",
                 l->iface, (unsigned long long)(ring >> 20));
        return -1;
    }
    if (make_ring(l, lw, err, errlen) != 0)
        return -1;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(AFP_ETH_P_ALL);
    sll.sll_ifindex = l->ifindex;
    if (bind(lw->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
        snprintf(err, errlen, "%s: cannot bind the packet socket: %s", l->iface, strerror(errno));
        return -1;
    }
    if (l->n > 1 && join_fanout(l, lw, err, errlen) != 0)
        return -1;
    if (lw->index == 0 && c->capture_promisc) {
        /* the membership lives as long as the socket: nothing to undo at exit */
        struct packet_mreq mr;
        memset(&mr, 0, sizeof(mr));
        mr.mr_ifindex = l->ifindex;
        mr.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(lw->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
            snprintf(err, errlen, "%s: cannot enter promiscuous mode: %s", l->iface,
                     strerror(errno));
            return -1;
        }
    }
    lw->link = LINK_ETHERNET;
    return 0;
}

int afp_activate(struct live *l, struct live_worker *lw, char *err, size_t errlen)
{
    int r;
    if (l->has_filter) {
        struct sock_fprog prog = {(unsigned short)l->filter.bf_len,
                                  (struct sock_filter *)(void *)l->filter.bf_insns};
        r = setsockopt(lw->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
    } else {
        int dummy = 0;
        r = setsockopt(lw->fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy));
    }
    if (r != 0) {
        snprintf(err, errlen, "%s: cannot set the capture filter: %s", l->iface, strerror(errno));
        return -1;
    }
    return 0;
}

/* The socket reported an error: ENETDOWN is the interface going down (it
 * comes back by itself when the interface is up again); anything else ends
 * the capture. */
static int socket_error(struct live_worker *lw, char *err, size_t errlen)
{
    int e = 0;
    socklen_t len = sizeof(e);
    if (getsockopt(lw->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
        e = errno;
    if (e == ENETDOWN || e == 0) {
        lw->netdown = e == ENETDOWN;
        return 0;
    }
    snprintf(err, errlen, "%s: worker %d: capture socket error: %s", lw->live->iface, lw->index,
             strerror(e));
    return -1;
}

int afp_dispatch(struct live_worker *lw, int timeout_ms, char *err, size_t errlen)
{
    uint8_t *block = lw->ring + (size_t)lw->cur * lw->block_size;
    struct tpacket_block_desc *bd = (struct tpacket_block_desc *)(void *)block;
    uint32_t status = __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
    if (!(status & TP_STATUS_USER)) {
        struct pollfd pfd = {.fd = lw->fd, .events = POLLIN | POLLERR, .revents = 0};
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno != EINTR) {
            snprintf(err, errlen, "%s: poll on the capture socket: %s", lw->live->iface,
                     strerror(errno));
            return -1;
        }
        if (r > 0 && (pfd.revents & POLLERR) && socket_error(lw, err, errlen) != 0)
            return -1;
        status = __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
        if (!(status & TP_STATUS_USER))
            return 0;
    }
    struct worker *w = &lw->w;
    bool skip_outgoing = lw->live->loopback;
    uint32_t n = bd->hdr.bh1.num_pkts;
    uint32_t off = bd->hdr.bh1.offset_to_first_pkt;
    uint32_t done = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)(const void *)(block + off);
        if (!frame_ok(off, h, lw->block_size))
            break;
        const uint8_t *frame = block + off + h->tp_mac;
        const struct sockaddr_ll *sll =
            (const struct sockaddr_ll *)(const void *)(block + off +
                                                       TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
        /* on loopback every frame is seen leaving and arriving: keep one
         * (libpcap does the same) */
        if (!(skip_outgoing && sll->sll_pkttype == PACKET_OUTGOING)) {
            uint64_t ts = (uint64_t)h->tp_sec * 1000000 + h->tp_nsec / 1000;
            if (h->tp_status & TP_STATUS_VLAN_VALID) {
                uint16_t tpid =
                    (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_VLAN;
                worker_packet_vlan(w, ts, frame, h->tp_snaplen, h->tp_len, tpid,
                                   h->hv1.tp_vlan_tci);
            } else {
                worker_packet(w, LINK_ETHERNET, ts, frame, h->tp_snaplen, h->tp_len);
            }
            lw->last_pkt_ts = ts;
            done++;
        }
        if (h->tp_next_offset == 0)
            break;
        off += h->tp_next_offset;
    }
    /* the block goes back to the kernel the moment its frames are done */
    __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    lw->cur = (lw->cur + 1) % lw->block_nr;
    atomic_fetch_add_explicit(&lw->seen, done, memory_order_relaxed);
    return (int)done;
}

void afp_kstats(struct live_worker *lw, uint64_t *packets, uint64_t *drops, uint64_t *freezes)
{
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof(st);
    memset(&st, 0, sizeof(st));
    /* reading resets the kernel's counters: each call returns what is new */
    if (getsockopt(lw->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0)
        return;
    *packets += st.tp_packets; /* includes the drops (af_packet.c adds them) */
    *drops += st.tp_drops;
    *freezes += st.tp_freeze_q_cnt;
}

void afp_close(struct live_worker *lw)
{
    if (lw->ring)
        munmap(lw->ring, lw->ring_len);
    lw->ring = NULL;
    if (lw->fd >= 0)
        close(lw->fd);
    lw->fd = -1;
}
