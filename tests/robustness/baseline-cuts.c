/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a baseline file cut at every byte is refused cleanly: for each
 * prefix of FILE, bl_load must refuse it with a message naming the file
 * (a prefix that is the whole JSON document, short of trailing white space,
 * must load instead).  Run under the sanitizers in make check, so a cut that
 * made the loader over-read or leak fails too.
 *   usage: baseline-cuts FILE      prints "N cuts refused, M loaded" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: baseline-cuts FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    static char data[1 << 22];
    size_t size = fread(data, 1, sizeof(data), f);
    fclose(f);
    size_t end = size; /* the document without trailing white space */
    while (end > 0 && strchr(" \t\r\n", data[end - 1]))
        end--;
    /* in memory when there is a tmpfs: thousands of small files */
    char dir[64];
    snprintf(dir, sizeof(dir), "%s/baseline-cuts.XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir))
        return 2;
    char path[sizeof(dir) + 16];
    snprintf(path, sizeof(path), "%s/cut.json", dir);
    struct bl_config cfg;
    bl_config_defaults(&cfg);
    cfg.max_devices = cfg.max_conversations = cfg.max_points = 16;
    unsigned refused = 0, loaded = 0, bad = 0;
    for (size_t k = 0; k <= size; k++) {
        FILE *o = fopen(path, "wb");
        if (!o || fwrite(data, 1, k, o) != k)
            return 2;
        fclose(o);
        char err[BL_ERRBUF] = "";
        bool missing;
        struct baseline *b = bl_load(path, &cfg, &missing, err, sizeof(err));
        if (b) {
            loaded++;
            if (k < end) {
                printf("a cut at byte %zu loaded\n", k);
                bad++;
            }
            bl_free(b);
        } else {
            refused++;
            if (k >= end || missing || strncmp(err, path, strlen(path)) != 0) {
                printf("a cut at byte %zu: %s\n", k, err);
                bad++;
            }
        }
    }
    unlink(path);
    rmdir(dir);
    printf("%u cuts refused, %u loaded\n", refused, loaded);
    return bad ? 1 : 0;
}
