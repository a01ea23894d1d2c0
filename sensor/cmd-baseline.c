/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the review commands (DESIGN section 4): `otsensor inventory FILE`
 * prints the asset inventory of a baseline file as a table (--json, --csv);
 * `otsensor baseline show FILE` what was learned, `baseline diff OLD NEW`
 * what changed, `baseline relearn FILE DEVICE...` puts devices back into
 * learning (the file is rewritten atomically). */
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "inventory.h"

#define EXIT_USAGE 1

static void cmd_usage(FILE *out)
{
    fprintf(out,
            "usage: otsensor inventory BASELINE.json [--json|--csv]\n"
            "       otsensor baseline show BASELINE.json\n"
            "       otsensor baseline diff OLD.json NEW.json\n"
            "       otsensor baseline relearn BASELINE.json DEVICE...\n"
            "\n"
            "DEVICE is an IP address, a MAC address or #ID (the id in the file).\n"
            "relearn puts each device back into learning (auto mode then learns it\n"
            "again until it is stable); the file is rewritten atomically.\n");
}

static struct baseline *load(const char *path)
{
    struct bl_config c;
    bl_config_defaults(&c);
    c.mode = BL_MODE_LEARN; /* reviewing says nothing and changes nothing */
    char err[BL_ERRBUF];
    bool missing;
    struct baseline *b = bl_load(path, &c, &missing, err, sizeof(err));
    if (!b)
        fprintf(stderr, "otsensor: %s\n", err);
    return b;
}

static int inventory_cmd(int argc, char **argv)
{
    enum bl_table_fmt fmt = BL_TABLE_TEXT;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            fmt = BL_TABLE_JSON;
        else if (strcmp(argv[i], "--csv") == 0)
            fmt = BL_TABLE_CSV;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cmd_usage(stdout);
            return 0;
        } else if (!path && argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "otsensor inventory: unexpected argument '%s'\n", argv[i]);
            cmd_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!path) {
        cmd_usage(stderr);
        return EXIT_USAGE;
    }
    struct baseline *b = load(path);
    if (!b)
        return EXIT_USAGE;
    bl_print_inventory(b, stdout, fmt);
    bl_free(b);
    return 0;
}

int cmd_baseline(int argc, char **argv)
{
    if (strcmp(argv[0], "inventory") == 0)
        return inventory_cmd(argc, argv);
    const char *sub = argc > 1 ? argv[1] : "";
    if (strcmp(sub, "show") == 0 && argc == 3) {
        struct baseline *b = load(argv[2]);
        if (!b)
            return EXIT_USAGE;
        bl_print_show(b, stdout);
        bl_free(b);
        return 0;
    }
    if (strcmp(sub, "diff") == 0 && argc == 4) {
        struct baseline *a = load(argv[2]);
        struct baseline *b = a ? load(argv[3]) : NULL;
        if (b)
            bl_print_diff(a, b, stdout);
        bl_free(a);
        bl_free(b);
        return b ? 0 : EXIT_USAGE;
    }
    if (strcmp(sub, "relearn") == 0 && argc >= 4) {
        struct baseline *b = load(argv[2]);
        if (!b)
            return EXIT_USAGE;
        for (int i = 3; i < argc; i++) {
            uint32_t id = bl_device_lookup(b, argv[i]);
            if (id == BL_NONE || b->dev[id].key.kind != BL_DEV_HOST) {
                fprintf(stderr, "otsensor: %s: no device %s (give an IP, a MAC or #ID from "
                        "`otsensor inventory %s`)\n", argv[2], argv[i], argv[2]);
                bl_free(b);
                return EXIT_USAGE;
            }
            bl_device_relearn(b, id, b->updated);
            char label[64];
            bl_device_label(b, id, label, sizeof(label));
            printf("%s: back to learning\n", label);
        }
        char err[BL_ERRBUF];
        int rc = bl_save(b, argv[2], err, sizeof(err));
        if (rc)
            fprintf(stderr, "otsensor: %s\n", err);
        bl_free(b);
        return rc ? 2 : 0;
    }
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
        cmd_usage(stdout);
        return 0;
    }
    cmd_usage(stderr);
    return EXIT_USAGE;
}
