/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for the IOC list loader: byte 0 bit 0 picks the
 * CSV form (a .csv file name), else one indicator a line; bit 1 names the
 * list (NAME=FILE); the rest is the
 * file, written to a temporary file and loaded with ioc_load as --ioc does.
 * The lists are built and looked up with addresses and names taken from the
 * input itself, so what was loaded is also matched; problems must name the
 * file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char path[2][96];

static void remove_files(void)
{
    unlink(path[0]);
    unlink(path[1]);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rules_problems pr;
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/fuzz-ioc.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path[0], sizeof(path[0]), "%s/list.txt", dir);
        snprintf(path[1], sizeof(path[1]), "%s/list.csv", dir);
        atexit(remove_files);
    }
    if (size < 1)
        return 0;
    const char *p = path[data[0] & 1];
    FILE *f = fopen(p, "wb");
    if (!f)
        abort();
    if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
        abort();
    fclose(f);
    memset(&pr, 0, sizeof(pr));
    /* byte 0 bit 1: the list named on the command line (NAME=FILE) */
    char spec[128];
    snprintf(spec, sizeof(spec), "%s%s", (data[0] & 2) ? "blocklist=" : "", p);
    struct ioc *c = ioc_new();
    long n = ioc_load(c, spec, &pr);
    if (n < -1 || pr.n > RULES_MAX_PROBLEMS || pr.n > pr.total)
        abort();
    for (unsigned i = 0; i < pr.n; i++)
        if (!strstr(pr.p[i].where, "list."))
            abort();
    if (ioc_build(c) == 0) {
        /* look up every 16-byte window as an address, and every line as a name */
        struct ioc_hit hit;
        for (size_t off = 1; off + 16 <= size && off < 1 + 64 * 16; off += 16) {
            (void)ioc_match_ip(c, data + off, 4, &hit);
            (void)ioc_match_ip(c, data + off, 6, &hit);
        }
        char name[256];
        size_t i = 1;
        while (i < size) {
            size_t k = 0;
            while (i < size && data[i] != '\n' && k < sizeof(name) - 1)
                name[k++] = (char)data[i++];
            name[k] = '\0';
            i++;
            if (ioc_match_domain(c, name, &hit) &&
                (!hit.list || !hit.indicator || !hit.description))
                abort();
        }
        (void)ioc_count(c);
        (void)ioc_lists(c);
    }
    ioc_free(c);
    return 0;
}
