/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the normalized OT message (dissectors/otmsg.c):
 * reset, range merging and caps, value caps, identity strings, names, and
 * the bounds of the detail tape (kv slots, string arena, balanced
 * objects/arrays when either overflows). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector-check.h"
#include "otmsg.h"
#include "unit.h"

static struct ot_msg msg;

/* Every string entry lies inside the used part of the arena. */
static bool strings_in_arena(const struct ot_detail *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct ot_kv *kv = &d->kv[i];
        if (kv->type != OT_KV_STR && kv->type != OT_KV_HEX)
            continue;
        if (kv->v.off > d->str_used || kv->len > d->str_used - kv->v.off)
            return false;
    }
    return d->str_used <= OT_DETAIL_STR;
}

static int test_reset(void)
{
    memset(&msg, 0x5a, sizeof(msg));
    ot_msg_reset(&msg, OT_PROTO_DNP3);
    FAIL_IF_NOT(msg.proto == OT_PROTO_DNP3);
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_NONE && msg.txn_key == 0);
    FAIL_IF(msg.has_function || msg.function || msg.has_unit);
    FAIL_IF_NOT(msg.op_class == OT_OP_OTHER);
    FAIL_IF_NOT(msg.n_ranges == 0 && !msg.ranges_truncated);
    FAIL_IF_NOT(msg.n_values == 0 && !msg.values_truncated);
    FAIL_IF(msg.has_exception || msg.exception || msg.exception_code);
    FAIL_IF(msg.anomaly);
    FAIL_IF(msg.identity.present || msg.identity.from_server);
    FAIL_IF(msg.identity.vendor[0] || msg.identity.product[0] || msg.identity.model[0]);
    FAIL_IF(msg.identity.firmware[0] || msg.identity.serial[0] || msg.identity.name[0]);
    FAIL_IF(msg.detail.n || msg.detail.depth || msg.detail.skipped || msg.detail.str_used);
    FAIL_IF(msg.detail.truncated);
    PASS;
}

static int test_function_and_exception(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    ot_msg_set_function(&msg, 16, "write_multiple_registers", OT_OP_WRITE);
    FAIL_IF_NOT(msg.has_function && msg.function_code == 16 && msg.op_class == OT_OP_WRITE);
    FAIL_IF_NOT(strcmp(msg.function, "write_multiple_registers") == 0);
    ot_msg_set_exception(&msg, 2, "illegal_data_address");
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 2);
    FAIL_IF_NOT(strcmp(msg.exception, "illegal_data_address") == 0);
    ot_msg_set_exception(&msg, 99, NULL);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 99 && msg.exception == NULL);
    PASS;
}

static int test_range_merge(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    ot_msg_add_range(&msg, "holding_register", 3, 100, 10);
    ot_msg_add_range(&msg, "holding_register", 3, 110, 5); /* contiguous: merges */
    FAIL_IF_NOT(msg.n_ranges == 1);
    FAIL_IF_NOT(msg.ranges[0].start == 100 && msg.ranges[0].count == 15);
    ot_msg_add_range(&msg, "holding_register", 3, 116, 1); /* a gap: no merge */
    FAIL_IF_NOT(msg.n_ranges == 2);
    ot_msg_add_range(&msg, "coil", 1, 117, 4); /* adjacent, other space: no merge */
    FAIL_IF_NOT(msg.n_ranges == 3);
    ot_msg_add_range(&msg, "coil", 1, 117, 4); /* overlapping, not contiguous: no merge */
    FAIL_IF_NOT(msg.n_ranges == 4);
    ot_msg_add_range(&msg, "coil", 1, 110, 7); /* before the last one: no merge */
    FAIL_IF_NOT(msg.n_ranges == 5);
    FAIL_IF_NOT(strcmp(msg.ranges[3].space, "coil") == 0 && msg.ranges[3].space_id == 1);
    /* only the last range merges */
    ot_msg_add_range(&msg, "holding_register", 3, 117, 1);
    FAIL_IF_NOT(msg.n_ranges == 6);
    /* a merged count never wraps */
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    ot_msg_add_range(&msg, "ioa", 1, 0, UINT32_MAX - 1);
    ot_msg_add_range(&msg, "ioa", 1, UINT32_MAX - 1, 1);
    FAIL_IF_NOT(msg.n_ranges == 1 && msg.ranges[0].count == UINT32_MAX);
    ot_msg_add_range(&msg, "ioa", 1, UINT32_MAX, 1);
    FAIL_IF_NOT(msg.n_ranges == 2 && msg.ranges[0].count == UINT32_MAX);
    FAIL_IF_NOT(msg.ranges[1].start == UINT32_MAX && msg.ranges[1].count == 1);
    /* 64-bit starts */
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    ot_msg_add_range(&msg, "file_record", 6, (uint64_t)0xffff << 16 | 5, 3);
    ot_msg_add_range(&msg, "file_record", 6, (uint64_t)0xffff << 16 | 8, 2);
    FAIL_IF_NOT(msg.n_ranges == 1 && msg.ranges[0].count == 5);
    PASS;
}

static int test_range_cap(void)
{
    ot_msg_reset(&msg, OT_PROTO_S7COMM);
    for (uint64_t i = 0; i < 3 * OT_MAX_RANGES; i++)
        ot_msg_add_range(&msg, "DB", 1, i * 10, 1); /* never contiguous */
    FAIL_IF_NOT(msg.n_ranges == OT_MAX_RANGES);
    FAIL_IF_NOT(msg.ranges_truncated);
    FAIL_IF_NOT(msg.ranges[OT_MAX_RANGES - 1].start == (OT_MAX_RANGES - 1) * 10);
    /* when full, a contiguous range still merges into the last one */
    ot_msg_reset(&msg, OT_PROTO_S7COMM);
    for (uint64_t i = 0; i < OT_MAX_RANGES; i++)
        ot_msg_add_range(&msg, "DB", 1, i * 10, 1);
    FAIL_IF(msg.ranges_truncated);
    ot_msg_add_range(&msg, "DB", 1, (OT_MAX_RANGES - 1) * 10 + 1, 4);
    FAIL_IF(msg.ranges_truncated);
    FAIL_IF_NOT(msg.ranges[OT_MAX_RANGES - 1].count == 5);
    /* reset clears the count and the flag */
    ot_msg_reset(&msg, OT_PROTO_S7COMM);
    FAIL_IF_NOT(msg.n_ranges == 0 && !msg.ranges_truncated);
    PASS;
}

static int test_value_cap(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    for (uint64_t i = 0; i < OT_MAX_VALUES; i++)
        ot_msg_add_value(&msg, 3, i, (double)i * 1.5);
    FAIL_IF_NOT(msg.n_values == OT_MAX_VALUES && !msg.values_truncated);
    ot_msg_add_value(&msg, 3, 999, 1.0);
    FAIL_IF_NOT(msg.n_values == OT_MAX_VALUES && msg.values_truncated);
    FAIL_IF_NOT(msg.values[OT_MAX_VALUES - 1].addr == OT_MAX_VALUES - 1);
    FAIL_IF_NOT(msg.values[5].space_id == 3 && msg.values[5].value == 7.5);
    for (int i = 0; i < 1000; i++)
        ot_msg_add_value(&msg, 3, 1, 1.0);
    FAIL_IF_NOT(msg.n_values == OT_MAX_VALUES);
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    FAIL_IF_NOT(msg.n_values == 0 && !msg.values_truncated);
    PASS;
}

static int test_ident(void)
{
    char dst[OT_IDENT_LEN];
    ot_ident_set(dst, (const uint8_t *)"Schneider Electric  ", 20);
    FAIL_IF_NOT(strcmp(dst, "Schneider Electric") == 0); /* trailing spaces dropped */
    static const uint8_t ctl[] = {'A', 0x01, 'B', 0x7f, 0xff, 'C'};
    ot_ident_set(dst, ctl, sizeof(ctl));
    FAIL_IF_NOT(strcmp(dst, "A?B??C") == 0); /* unprintable bytes replaced */
    static const uint8_t nul[] = {'X', 'Y', 0x00, 'Z'};
    ot_ident_set(dst, nul, sizeof(nul));
    FAIL_IF_NOT(strcmp(dst, "XY") == 0); /* stops at a NUL */
    uint8_t longs[200];
    memset(longs, 'w', sizeof(longs));
    ot_ident_set(dst, longs, sizeof(longs));
    FAIL_IF_NOT(strlen(dst) == OT_IDENT_LEN - 1);
    ot_ident_set(dst, NULL, 10);
    FAIL_IF_NOT(dst[0] == '\0');
    ot_ident_set(dst, longs, 0);
    FAIL_IF_NOT(dst[0] == '\0');
    ot_ident_set(dst, (const uint8_t *)"    ", 4);
    FAIL_IF_NOT(dst[0] == '\0');
    PASS;
}

static int test_names(void)
{
    for (int p = 1; p < OT_PROTO_COUNT; p++)
        FAIL_IF_NOT(ot_proto_from_name(ot_proto_name((enum ot_proto)p)) == p);
    for (int o = 0; o < OT_OP_COUNT; o++)
        FAIL_IF_NOT(ot_op_from_name(ot_op_name((enum ot_op)o)) == o);
    FAIL_IF_NOT(strcmp(ot_proto_name(OT_PROTO_MODBUS), "modbus") == 0);
    FAIL_IF_NOT(strcmp(ot_op_name(OT_OP_CONTROL), "CONTROL") == 0);
    FAIL_IF_NOT(strcmp(ot_proto_name((enum ot_proto)999), "none") == 0);
    FAIL_IF_NOT(strcmp(ot_op_name((enum ot_op)999), "OTHER") == 0);
    FAIL_IF_NOT(ot_proto_from_name("nope") == -1);
    FAIL_IF_NOT(ot_op_from_name("read") == -1); /* names are case-sensitive */
    FAIL_IF_NOT(ot_proto_from_name("none") == -1);
    PASS;
}

static int test_detail_basic(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    struct ot_detail *d = &msg.detail;
    ot_kv_u64(d, "u", 42);
    ot_kv_i64(d, "i", -7);
    ot_kv_dbl(d, "d", 2.5);
    ot_kv_bool(d, "b", true);
    ot_kv_str(d, "s", "abc", 3);
    ot_kv_cstr(d, "c", "hello");
    ot_kv_cstr(d, "n", NULL);
    ot_kv_hex(d, "h", "\x01\x02", 2);
    ot_kv_obj(d, "o");
    ot_kv_arr(d, "a");
    ot_kv_u64(d, NULL, 1);
    ot_kv_end(d);
    ot_kv_end(d);
    FAIL_IF_NOT(d->n == 13);
    FAIL_IF_NOT(d->kv[0].type == OT_KV_U64 && d->kv[0].v.u == 42);
    FAIL_IF_NOT(d->kv[1].type == OT_KV_I64 && d->kv[1].v.i == -7);
    FAIL_IF_NOT(d->kv[2].type == OT_KV_DBL && d->kv[2].v.d == 2.5);
    FAIL_IF_NOT(d->kv[3].type == OT_KV_BOOL && d->kv[3].v.u == 1);
    FAIL_IF_NOT(d->kv[4].type == OT_KV_STR && d->kv[4].len == 3);
    FAIL_IF_NOT(memcmp(d->str + d->kv[4].v.off, "abc", 3) == 0);
    FAIL_IF_NOT(d->kv[5].len == 5 && memcmp(d->str + d->kv[5].v.off, "hello", 5) == 0);
    FAIL_IF_NOT(d->kv[6].type == OT_KV_STR && d->kv[6].len == 0);
    FAIL_IF_NOT(d->kv[7].type == OT_KV_HEX && d->kv[7].len == 2);
    FAIL_IF_NOT(d->kv[8].type == OT_KV_OBJ_BEGIN && d->kv[9].type == OT_KV_ARR_BEGIN);
    FAIL_IF_NOT(d->kv[10].key == NULL && d->kv[11].type == OT_KV_END);
    FAIL_IF_NOT(d->kv[12].type == OT_KV_END);
    FAIL_IF_NOT(d->str_used == 10);
    FAIL_IF(d->truncated);
    FAIL_IF_NOT(tape_balanced(&msg) && strings_in_arena(d));
    /* an END with nothing open is ignored, not written */
    ot_kv_end(d);
    FAIL_IF_NOT(d->n == 13 && tape_balanced(&msg));
    PASS;
}

/* Flat entries past the slots: the tape stops at its size, flags it, and
 * later entries (any type) are dropped. */
static int test_detail_kv_overflow(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    struct ot_detail *d = &msg.detail;
    for (int i = 0; i < 3 * OT_DETAIL_MAX_KV; i++)
        ot_kv_u64(d, "k", (uint64_t)i);
    FAIL_IF_NOT(d->n == OT_DETAIL_MAX_KV);
    FAIL_IF_NOT(d->truncated);
    FAIL_IF_NOT(d->kv[OT_DETAIL_MAX_KV - 1].v.u == OT_DETAIL_MAX_KV - 1);
    ot_kv_str(d, "s", "abc", 3);
    ot_kv_obj(d, "o");
    ot_kv_u64(d, "in", 1);
    ot_kv_end(d);
    FAIL_IF_NOT(d->n == OT_DETAIL_MAX_KV);
    FAIL_IF_NOT(tape_balanced(&msg));
    FAIL_IF_NOT(d->str_used == 0); /* a dropped string takes no arena */
    PASS;
}

/* Objects and arrays nested deep, with entries in each, far past the slots:
 * whatever is kept stays balanced, and the END of each kept BEGIN fits. */
static int test_detail_nested_overflow(void)
{
    for (int width = 0; width < 4; width++) {
        ot_msg_reset(&msg, OT_PROTO_MODBUS);
        struct ot_detail *d = &msg.detail;
        const int levels = OT_DETAIL_MAX_KV;
        for (int i = 0; i < levels; i++) {
            if (i % 2)
                ot_kv_arr(d, "a");
            else
                ot_kv_obj(d, "o");
            for (int w = 0; w < width; w++)
                ot_kv_u64(d, i % 2 ? NULL : "v", (uint64_t)w);
            FAIL_IF(d->n > OT_DETAIL_MAX_KV);
            FAIL_IF((size_t)d->n + d->depth > OT_DETAIL_MAX_KV);
        }
        FAIL_IF_NOT(d->truncated);
        FAIL_IF_NOT(d->skipped > 0);
        for (int i = 0; i < levels; i++) {
            ot_kv_end(d);
            ot_kv_u64(d, "after", 1); /* entries between ENDs compete for slots too */
            FAIL_IF(d->n > OT_DETAIL_MAX_KV);
        }
        FAIL_IF_NOT(d->n <= OT_DETAIL_MAX_KV);
        FAIL_IF_NOT(tape_balanced(&msg));
        /* the tape is usable again for flat entries once closed, if there is room */
        ot_kv_end(d);
        FAIL_IF_NOT(tape_balanced(&msg));
    }
    PASS;
}

/* An array of objects, like a list of identification objects, that runs out
 * of slots in the middle of an object. */
static int test_detail_array_of_objects(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    struct ot_detail *d = &msg.detail;
    ot_kv_u64(d, "transaction_id", 1);
    ot_kv_arr(d, "objects");
    for (int i = 0; i < 100; i++) {
        ot_kv_obj(d, NULL);
        ot_kv_u64(d, "object_id", (uint64_t)i);
        ot_kv_str(d, "value", "value-string", 12);
        ot_kv_end(d);
    }
    ot_kv_end(d);
    ot_kv_u64(d, "tail", 1);
    FAIL_IF_NOT(d->truncated);
    FAIL_IF_NOT(tape_balanced(&msg));
    FAIL_IF_NOT(strings_in_arena(d));
    FAIL_IF_NOT(d->kv[1].type == OT_KV_ARR_BEGIN);
    /* no object was kept without its END */
    for (size_t i = 0; i < d->n; i++)
        if (d->kv[i].type == OT_KV_OBJ_BEGIN)
            FAIL_IF_NOT(i + 3 < d->n && d->kv[i + 3].type == OT_KV_END);
    PASS;
}

/* The string arena: a string larger than what is left is cut to fit and
 * flagged; once full, strings keep their slot with zero bytes. */
static int test_detail_arena_overflow(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    struct ot_detail *d = &msg.detail;
    static char big[OT_DETAIL_STR + 100];
    memset(big, 'x', sizeof(big));
    ot_kv_str(d, "first", big, 1000);
    FAIL_IF(d->truncated);
    FAIL_IF_NOT(d->str_used == 1000);
    ot_kv_obj(d, "o");
    ot_kv_str(d, "second", big, sizeof(big));
    FAIL_IF_NOT(d->truncated);
    FAIL_IF_NOT(d->str_used == OT_DETAIL_STR);
    FAIL_IF_NOT(d->kv[2].len == OT_DETAIL_STR - 1000);
    ot_kv_hex(d, "third", big, 10);
    FAIL_IF_NOT(d->kv[3].type == OT_KV_HEX && d->kv[3].len == 0);
    ot_kv_cstr(d, "fourth", "abc");
    ot_kv_end(d);
    FAIL_IF_NOT(d->str_used == OT_DETAIL_STR);
    FAIL_IF_NOT(tape_balanced(&msg));
    FAIL_IF_NOT(strings_in_arena(d));
    /* many small strings fill the arena exactly, then stop */
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    ot_kv_arr(d, "s");
    for (int i = 0; i < OT_DETAIL_MAX_KV; i++)
        ot_kv_str(d, NULL, big, OT_DETAIL_STR / 40);
    ot_kv_end(d);
    FAIL_IF_NOT(d->truncated);
    FAIL_IF_NOT(d->str_used <= OT_DETAIL_STR);
    FAIL_IF_NOT(tape_balanced(&msg));
    FAIL_IF_NOT(strings_in_arena(d));
    PASS;
}

/* Both limits at once: a long string per object until both run out. */
static int test_detail_both_limits(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    struct ot_detail *d = &msg.detail;
    static char s[300];
    memset(s, 'y', sizeof(s));
    for (int i = 0; i < 60; i++) {
        ot_kv_obj(d, "o");
        ot_kv_arr(d, "a");
        ot_kv_str(d, NULL, s, sizeof(s));
        ot_kv_end(d);
        ot_kv_hex(d, "h", s, sizeof(s));
        ot_kv_end(d);
    }
    FAIL_IF_NOT(d->truncated);
    FAIL_IF_NOT(d->n <= OT_DETAIL_MAX_KV && d->str_used <= OT_DETAIL_STR);
    FAIL_IF_NOT(tape_balanced(&msg));
    FAIL_IF_NOT(strings_in_arena(d));
    /* reset makes the tape whole again */
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    FAIL_IF(d->truncated || d->n || d->str_used);
    ot_kv_u64(d, "x", 1);
    FAIL_IF_NOT(d->n == 1 && !d->truncated);
    PASS;
}

/* A key's length goes with it on the tape (the writer then needs no
 * strlen); a key the compiler cannot see through is marked unknown, never
 * given a wrong length. */
static int test_detail_key_len(void)
{
    ot_msg_reset(&msg, OT_PROTO_MODBUS);
    struct ot_detail *d = &msg.detail;
    const char *volatile hidden = "transaction_id";
    ot_kv_u64(d, "quantity", 1);
    ot_kv_u64(d, hidden, 2);
    ot_kv_arr(d, NULL);
    ot_kv_end(d);
    FAIL_IF_NOT(d->kv[0].key_len == 8 || d->kv[0].key_len == OT_KEY_LEN_UNKNOWN);
    FAIL_IF_NOT(d->kv[1].key_len == OT_KEY_LEN_UNKNOWN);
    FAIL_IF_NOT(d->kv[2].key_len == 0 && d->kv[3].key_len == 0);
    PASS;
}

static const struct unit_test tests[] = {
    {"reset", test_reset},
    {"function_and_exception", test_function_and_exception},
    {"range_merge", test_range_merge},
    {"range_cap", test_range_cap},
    {"value_cap", test_value_cap},
    {"ident", test_ident},
    {"names", test_names},
    {"detail_basic", test_detail_basic},
    {"detail_kv_overflow", test_detail_kv_overflow},
    {"detail_nested_overflow", test_detail_nested_overflow},
    {"detail_array_of_objects", test_detail_array_of_objects},
    {"detail_arena_overflow", test_detail_arena_overflow},
    {"detail_both_limits", test_detail_both_limits},
    {"detail_key_len", test_detail_key_len},
    {NULL, NULL},
};

UNIT_MAIN(tests)
