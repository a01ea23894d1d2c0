/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the normalized OT message every dissector fills (DESIGN section 3),
 * and the bounded detail tape that carries protocol-specific fields to the
 * event writer without the dissector knowing JSON. */
#ifndef OT_OTMSG_H
#define OT_OTMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum ot_proto {
    OT_PROTO_NONE = 0,
    OT_PROTO_MODBUS,
    OT_PROTO_DNP3,
    OT_PROTO_IEC104,
    OT_PROTO_S7COMM,
    OT_PROTO_MMS,
    OT_PROTO_GOOSE,
    OT_PROTO_ENIP,
    OT_PROTO_BACNET,
    OT_PROTO_OPCUA,
    OT_PROTO_MQTT,
    OT_PROTO_PROFINET_DCP,
    OT_PROTO_COUNT,
};

/* Operation classes (DESIGN section 3): what rules and baselines reason on. */
enum ot_op {
    OT_OP_OTHER = 0,
    OT_OP_READ,
    OT_OP_WRITE,
    OT_OP_CONTROL,    /* start/stop/restart/operate/select */
    OT_OP_PROGRAM,    /* download/upload/firmware */
    OT_OP_DIAGNOSTIC,
    OT_OP_DISCOVERY,
    OT_OP_TIME_SYNC,
    OT_OP_AUTH,
    OT_OP_FILE,
    OT_OP_COUNT,
};

enum ot_dir {
    OT_DIR_REQUEST = 0, /* sent by the client / master */
    OT_DIR_RESPONSE,    /* sent by the server / outstation */
};

/* How the engine pairs a message with its partner. */
enum ot_pair {
    OT_PAIR_NONE = 0, /* a record of its own (unsolicited, actterm, confirm, U-frame) */
    OT_PAIR_KEYED,    /* request/response matched on the flow by txn_key */
};

/* Caps on one message; each bounds what a single PDU can make us store. */
#define OT_MAX_RANGES 16     /* address ranges per message (multi-item reads) */
#define OT_MAX_VALUES 32     /* values written per message: a 123-register write keeps 32 */
#define OT_IDENT_LEN 64      /* one identity string, NUL included */
#define OT_DETAIL_MAX_KV 96  /* detail tape entries, begin/end markers included */
#define OT_DETAIL_STR 2048   /* bytes of string data in the detail tape */

/* A range of object addresses in one address space.  `space` is a static
 * name for output ("holding_register", "DB", "ioa"); `space_id` a number
 * unique within the protocol that baselines and rules key on. */
struct ot_range {
    const char *space;
    uint32_t space_id;
    uint32_t count;
    uint64_t start;
};

/* A value written to (or read back from) one address. */
struct ot_value {
    uint32_t space_id;
    uint64_t addr;
    double value;
};

/* Device identity revealed by the protocol; empty strings are absent. */
struct ot_identity {
    char vendor[OT_IDENT_LEN];
    char product[OT_IDENT_LEN];
    char model[OT_IDENT_LEN];
    char firmware[OT_IDENT_LEN];
    char serial[OT_IDENT_LEN];
    char name[OT_IDENT_LEN];
    /* which end revealed it: true when the response sender (server) did */
    bool from_server;
    bool present;
};

enum ot_kv_type {
    OT_KV_U64 = 1,
    OT_KV_I64,
    OT_KV_DBL,
    OT_KV_BOOL,
    OT_KV_STR,       /* bytes in the string arena; the writer escapes them */
    OT_KV_HEX,       /* bytes in the string arena, written as a hex string */
    OT_KV_OBJ_BEGIN, /* opens an object; closed by OT_KV_END */
    OT_KV_ARR_BEGIN, /* opens an array (members have key NULL); closed by OT_KV_END */
    OT_KV_END,
};

/* key_len when the length of the key was not known where it was added (a
 * key passed through a function that was not inlined): the writer counts. */
#define OT_KEY_LEN_UNKNOWN UINT16_MAX

struct ot_kv {
    const char *key; /* static string; NULL inside arrays */
    uint8_t type;
    uint16_t len;     /* OT_KV_STR/HEX only: bytes in the arena */
    uint16_t key_len; /* strlen(key), or OT_KEY_LEN_UNKNOWN */
    union {
        uint64_t u;
        int64_t i;
        double d;
        uint32_t off; /* OT_KV_STR/HEX: offset in the arena */
    } v;
};

/* Protocol detail as a flat tape of typed entries.  Adding never fails: when
 * the tape or arena is full the entry is dropped and `truncated` set, while
 * objects and arrays stay balanced (an END always has a slot reserved). */
struct ot_detail {
    uint16_t n;
    uint16_t depth;   /* open objects/arrays that have a slot reserved for END */
    uint16_t skipped; /* open objects/arrays that were dropped: their ENDs are too */
    uint16_t str_used;
    bool truncated;
    struct ot_kv kv[OT_DETAIL_MAX_KV];
    char str[OT_DETAIL_STR];
};

struct ot_msg {
    enum ot_proto proto;
    enum ot_dir dir;
    enum ot_pair pair;
    uint32_t txn_key;         /* with OT_PAIR_KEYED: equal in a request and its response */

    bool has_function;
    uint32_t function_code;   /* application-layer request code (DESIGN section 3) */
    const char *function;     /* static name, or NULL when unknown */
    enum ot_op op_class;

    bool has_unit;
    uint32_t unit;            /* unit id / station / common address */

    uint8_t n_ranges;
    bool ranges_truncated;
    struct ot_range ranges[OT_MAX_RANGES];

    uint8_t n_values;
    bool values_truncated;
    struct ot_value values[OT_MAX_VALUES];

    bool has_exception;
    uint32_t exception_code;
    const char *exception;    /* static name, or NULL */

    /* A protocol violation the message still parsed around (static string,
     * e.g. "byte_count_mismatch"); feeds the malformed_pdu detection. */
    const char *anomaly;

    struct ot_identity identity;
    struct ot_detail detail;
};

/* Makes the message empty without clearing its large arrays. */
void ot_msg_reset(struct ot_msg *m, enum ot_proto proto);

void ot_msg_set_function(struct ot_msg *m, uint32_t code, const char *name, enum ot_op op);
/* Adds a range; merges with the previous one when contiguous in the same space. */
void ot_msg_add_range(struct ot_msg *m, const char *space, uint32_t space_id, uint64_t start,
                      uint32_t count);
void ot_msg_add_value(struct ot_msg *m, uint32_t space_id, uint64_t addr, double value);
void ot_msg_set_exception(struct ot_msg *m, uint32_t code, const char *name);
/* Copies up to OT_IDENT_LEN-1 printable bytes of wire text into an identity
 * field; trailing spaces and NULs are dropped. */
void ot_ident_set(char dst[OT_IDENT_LEN], const uint8_t *p, size_t n);

/* The length of a key for the tape, so that the writer needs no strlen: a
 * literal key's is known at compile time once the wrappers below are
 * inlined (costs nothing); any other is left to the writer rather than
 * counted on the parse path, which runs whether records are written or not. */
static inline uint16_t ot_key_len(const char *key)
{
    if (!key)
        return 0;
    if (__builtin_constant_p(__builtin_strlen(key)) && __builtin_strlen(key) < OT_KEY_LEN_UNKNOWN)
        return (uint16_t)__builtin_strlen(key);
    return OT_KEY_LEN_UNKNOWN;
}

/* The entries, by key and its length (ot_key_len); the ot_kv_* wrappers
 * below are what dissectors call. */
void ot_kv_put_u64(struct ot_detail *d, const char *key, uint16_t key_len, uint64_t v);
void ot_kv_put_i64(struct ot_detail *d, const char *key, uint16_t key_len, int64_t v);
void ot_kv_put_dbl(struct ot_detail *d, const char *key, uint16_t key_len, double v);
void ot_kv_put_bool(struct ot_detail *d, const char *key, uint16_t key_len, bool v);
void ot_kv_put_str(struct ot_detail *d, const char *key, uint16_t key_len, const void *p, size_t n);
void ot_kv_put_hex(struct ot_detail *d, const char *key, uint16_t key_len, const void *p, size_t n);
void ot_kv_put_obj(struct ot_detail *d, const char *key, uint16_t key_len);
void ot_kv_put_arr(struct ot_detail *d, const char *key, uint16_t key_len);

static inline void ot_kv_u64(struct ot_detail *d, const char *key, uint64_t v)
{
    ot_kv_put_u64(d, key, ot_key_len(key), v);
}

static inline void ot_kv_i64(struct ot_detail *d, const char *key, int64_t v)
{
    ot_kv_put_i64(d, key, ot_key_len(key), v);
}

static inline void ot_kv_dbl(struct ot_detail *d, const char *key, double v)
{
    ot_kv_put_dbl(d, key, ot_key_len(key), v);
}

static inline void ot_kv_bool(struct ot_detail *d, const char *key, bool v)
{
    ot_kv_put_bool(d, key, ot_key_len(key), v);
}

/* Copies n bytes (borrowed wire bytes are fine) into the arena. */
static inline void ot_kv_str(struct ot_detail *d, const char *key, const void *p, size_t n)
{
    ot_kv_put_str(d, key, ot_key_len(key), p, n);
}

static inline void ot_kv_cstr(struct ot_detail *d, const char *key, const char *s)
{
    ot_kv_put_str(d, key, ot_key_len(key), s, s ? strlen(s) : 0);
}

static inline void ot_kv_hex(struct ot_detail *d, const char *key, const void *p, size_t n)
{
    ot_kv_put_hex(d, key, ot_key_len(key), p, n);
}

static inline void ot_kv_obj(struct ot_detail *d, const char *key)
{
    ot_kv_put_obj(d, key, ot_key_len(key));
}

static inline void ot_kv_arr(struct ot_detail *d, const char *key)
{
    ot_kv_put_arr(d, key, ot_key_len(key));
}

void ot_kv_end(struct ot_detail *d);

const char *ot_proto_name(enum ot_proto p);
const char *ot_op_name(enum ot_op op);
/* Returns the protocol or operation class for a name, or -1. */
int ot_proto_from_name(const char *name);
int ot_op_from_name(const char *name);

#endif
