/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the baseline every throughput figure is a ratio against: a bare
 * pcap_next_ex loop over a file, touching one byte per packet. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: pcap-loop FILE\n");
        return 1;
    }
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "%s\n", errbuf);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned long long n = 0, sum = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        n++;
        sum += h->caplen ? d[0] : 0;
    }
    pcap_close(p);
    printf("%llu packets (%llu)\n", n, sum);
    return 0;
}
