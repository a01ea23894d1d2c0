/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: libFuzzer target for the baseline file loader: the input is
 * written to a file and loaded with bl_load, as -b does.  A file that loads
 * must survive a round trip: saved again (bl_save), reloaded, and giving the
 * same JSON at the precision the file keeps (a number in the input may carry
 * more digits than bl_save writes); one that does not load must say why,
 * naming the file. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char in[96], out[96];

static void remove_files(void)
{
    unlink(in);
    unlink(out);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bl_config cfg;
    char err[BL_ERRBUF];
    bool missing;
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/fuzz-baseline.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(in, sizeof(in), "%s/in.json", dir);
        snprintf(out, sizeof(out), "%s/out.json", dir);
        atexit(remove_files);
        bl_config_defaults(&cfg);
        /* small tables: the loader raises the caps to what the file holds */
        cfg.max_devices = 16;
        cfg.max_conversations = 16;
        cfg.max_points = 16;
    }
    FILE *f = fopen(in, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    err[0] = '\0';
    struct baseline *b = bl_load(in, &cfg, &missing, err, sizeof(err));
    if (!b) {
        if (missing || strncmp(err, in, strlen(in)) != 0)
            abort();
        return 0;
    }
    json_t *j1 = bl_to_json(b);
    if (!j1 || bl_save(b, out, err, sizeof(err)) != 0)
        abort();
    struct baseline *b2 = bl_load(out, &cfg, &missing, err, sizeof(err));
    if (!b2) {
        fprintf(stderr, "a saved baseline does not load again: %s\n", err);
        abort();
    }
    json_t *j2 = bl_to_json(b2);
    const size_t as_saved = JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(BL_FILE_DIGITS);
    char *s1 = json_dumps(j1, as_saved);
    char *s2 = json_dumps(j2, as_saved);
    if (!s1 || !s2 || strcmp(s1, s2) != 0) {
        fprintf(stderr, "round trip differs:\n%s\n%s\n", s1, s2);
        abort();
    }
    free(s1);
    free(s2);
    json_decref(j1);
    json_decref(j2);
    bl_free(b2);
    bl_free(b);
    return 0;
}
