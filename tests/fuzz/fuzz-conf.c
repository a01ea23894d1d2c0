/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for the configuration loader: the input is
 * written to a file and loaded with conf_load_file over the defaults, as -c
 * does.  Beyond the sanitizers, checks that every problem names the file,
 * that the count of problems agrees with the list, and that a file with no
 * problem leaves the values the engine sizes its pools with in range. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_file(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct conf c;
    static struct conf_problems problems;
    if (!path[0]) {
        snprintf(path, sizeof(path), "/tmp/fuzz-conf.XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(remove_file);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    conf_defaults(&c);
    memset(&problems, 0, sizeof(problems));
    unsigned n = conf_load_file(&c, path, &problems);
    if (problems.n > CONF_MAX_PROBLEMS || problems.n > n || (n > 0 && problems.n == 0))
        abort();
    for (unsigned i = 0; i < problems.n; i++)
        if (strcmp(problems.p[i].file, path) != 0 || !memchr(problems.p[i].msg, 0, CONF_STR))
            abort();
    if (n == 0) {
        if (c.max_flows < 16 || c.reasm_buffers < 1 || c.reasm_max_pdu < 512 ||
            c.dissect_flows < 1 || c.pending_max < 16 || c.pending_per_flow < 1)
            abort();
        if (!memchr(c.sensor_name, 0, sizeof(c.sensor_name)))
            abort();
    }
    return 0;
}
