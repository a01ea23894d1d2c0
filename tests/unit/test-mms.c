/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: unit tests for the MMS dissector (dissectors/mms.c) through
 * mms_dissector.parse/pdu_len/probe: TPKT/COTP reassembly, session,
 * presentation, ACSE, and the MMS PDUs of every class. */
#include <string.h>

#include "dissector-check.h"
#include "dissectors.h"
#include "unit.h"

extern const struct ot_dissector mms_dissector;

/* Captures (../shared/pcaps/iec61850/mms): iec61850_read.pcap frames 4, 8,
 * 12, 14, 16; iec61850_write.pcap frame 12; the ICCP capture
 * (8d7c7db0-....pcap) frames 14, 26, 35, 38, 68; mms-stopRequest.pcap
 * frame 16; Sample_File_MMS_and_GOOSE.pcap frames 124, 126, 129, 139, 140. */
static const char cr_mms[] = "030000130ee00000000600c1020002c2020001";
static const char cn_initiate[] =
    "030000bb02f0800db20506130100160102140200023302000134020001c19c318199a0038001"
    "01a28191810400000001820400000001a423300f0201010604520100013004060251013010"
    "020103060528ca22020130040602510188020600615a3058020101a053605180020780a107"
    "060528ca220203a20606042bce0f02a303020117be35283306025101020103a02aa8288002"
    "7530810203e8820203e8830105a417800101810305fb00820d03ffffffffffffffffffffff00";
static const char ac_initiate[] =
    "0300009e02f0800e95050613010016010214020002c187318184a003800101a27d800207808304"
    "00000002a512300780010081025101300780010081025101615d305b020101a056615480020780"
    "a107060528ca220101a203020100a305a103020100a40406022902a503020102be2e282c020103"
    "a027a92580027d00810114820114830104a416800101810305fb00820c036e1d00000000006400"
    "0198";
static const char read_req[] =
    "0300002a02f08001000100611d301b020103a016a014020100a40f800100a10aa0083006a00480026d75";
static const char read_resp[] = "0300001d02f080010001006110300e020103a009a107020100a402a100";
static const char conclude_req[] = "0300001602f0800100010061093007020103a0028b00";
static const char write_req[] =
    "0300002a02f08001000100611d301b020103a016a014020100a50fa0083006a00480026d75a003850100";
static const char identify_resp[] =
    "0300004602f0800100010061393037020103a032a130020101a22b8015415245564120542644"
    "20436f72706f726174696f6e810b652d7465727261636f6d6d8205322e332e31";
static const char gnl_req[] =
    "0300002d02f080010001006120301e020103a019a01702021151a111a003800102a10a81084b49"
    "524b4c414e44";
static const char gnl_resp[] =
    "0300004902f08001000100613c303a020103a035a13302021151a12da0281a12454d535f414e41"
    "4c4f475f494343505f494e1a12454d535f5354415455535f494343505f494e810100";
static const char stop_raw[] =
    "0300002802f080a01f020101bf29198017523339353032343339374170706c69636174696f6e5f31";
static const char gvaa_req[] =
    "0300004202f0800100010061353033020103a02ea02c020304a273a625a023a1211a0e41413145"
    "315130314650324c44301a0f4c4c4e30244252247263625f423032";
static const char error_resp[] =
    "0300002202f0800100010061153013020103a00ea20c800304a273a205a003870102";
static const char read_fail[] =
    "0300002202f0800100010061153013020103a00ea10c020304a274a405a10380010a";
static const char rlrq[] = "0300001902f0800910c10e610c300a020101a0056203800101";
static const char rlre[] = "0300001902f0800a10c10e610c300a020101a0056303800101";
static const char s7_cr[] = "0300001611e00000000100c1020100c2020102c0010a";
static const char s7_dt[] = "0300001902f08032010000000000080000f0000001000101e0";

static uint8_t buf[70000];
static size_t buf_len;
static struct ot_msg msg;
static uint8_t state[1 << 15];

static void load(const char *hex)
{
    buf_len = unhex(hex, buf, sizeof(buf));
}

static enum ot_parse run_at(const uint8_t *p, size_t n, bool to_server)
{
    struct ot_ctx ctx = tcp_ctx(102, to_server, n, n, state);
    return dissect(&mms_dissector, &ctx, p, n, &msg);
}

static enum ot_parse run(const char *hex, bool to_server)
{
    memset(state, 0, sizeof(state));
    load(hex);
    return run_at(buf, buf_len, to_server);
}

/* Wraps an MMS PDU (hex) in TPKT, COTP DT, session GT+DT and a
 * presentation PDV with context 3, all in short-form lengths. */
static void wrap(const char *mms_hex)
{
    uint8_t pdu[100];
    size_t n = unhex(mms_hex, pdu, sizeof(pdu));
    size_t pdv = 3 + 2 + n;
    size_t total = 4 + 3 + 4 + 2 + 2 + pdv;
    size_t k = 0;
    static const uint8_t head[] = {0x02, 0xf0, 0x80, 0x01, 0x00, 0x01, 0x00};
    buf[k++] = 3;
    buf[k++] = 0;
    buf[k++] = (uint8_t)(total >> 8);
    buf[k++] = (uint8_t)total;
    memcpy(buf + k, head, sizeof(head));
    k += sizeof(head);
    buf[k++] = 0x61;
    buf[k++] = (uint8_t)(pdv + 2);
    buf[k++] = 0x30;
    buf[k++] = (uint8_t)pdv;
    buf[k++] = 0x02;
    buf[k++] = 0x01;
    buf[k++] = 0x03;
    buf[k++] = 0xa0;
    buf[k++] = (uint8_t)n;
    memcpy(buf + k, pdu, n);
    buf_len = k + n;
}

static enum ot_parse run_wrapped(const char *mms_hex, bool to_server)
{
    memset(state, 0, sizeof(state));
    wrap(mms_hex);
    return run_at(buf, buf_len, to_server);
}

static int test_pdu_len(void)
{
    load(read_req);
    FAIL_IF_NOT(mms_dissector.pdu_len(buf, 3) == 0);
    FAIL_IF_NOT(mms_dissector.pdu_len(buf, 4) == buf_len);
    FAIL_IF_NOT(mms_dissector.pdu_len(buf, buf_len) == buf_len);
    FAIL_IF_NOT(mms_dissector.pdu_len((const uint8_t *)"GET / HTTP/1.1\r\n", 16) ==
                OT_PDU_NOT_MINE);
    FAIL_IF_NOT(mms_dissector.flow_state_size <= sizeof(state));
    FAIL_IF_NOT(mms_dissector.ports[0] == 102);
    PASS;
}

static int test_probe(void)
{
    const struct ot_dissector *d = &mms_dissector;
    load(cr_mms);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_YES);
    FAIL_IF_NOT(d->probe(buf, 2, true) == OT_PROBE_NEED_MORE);
    load(s7_cr);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_NO);
    load(s7_dt);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_NO);
    load(cn_initiate);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_YES);
    FAIL_IF_NOT(d->probe(buf, 20, true) == OT_PROBE_YES); /* a cut first segment */
    load(read_req);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_YES);
    load(stop_raw);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_YES);
    /* CR then the CONNECT in one buffer: the DT decides */
    size_t n = unhex(cr_mms, buf, sizeof(buf));
    n += unhex(s7_dt, buf + n, sizeof(buf) - n);
    FAIL_IF_NOT(d->probe(buf, n, true) == OT_PROBE_NO);
    /* an S7-looking called TSAP (0200) from an ISO calling TSAP (0002), as
     * in mms-stopRequest.pcap: the CR alone cannot tell, the DT decides */
    static const char iso_cr_s7_tsap[] = "030000130ee00000000600c1020002c2020200";
    load(iso_cr_s7_tsap);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_NEED_MORE);
    n = unhex(iso_cr_s7_tsap, buf, sizeof(buf));
    n += unhex(stop_raw, buf + n, sizeof(buf) - n);
    FAIL_IF_NOT(d->probe(buf, n, true) == OT_PROBE_YES);
    n = unhex(iso_cr_s7_tsap, buf, sizeof(buf));
    n += unhex(s7_dt, buf + n, sizeof(buf) - n);
    FAIL_IF_NOT(d->probe(buf, n, true) == OT_PROBE_NO);
    /* the same called TSAP from an S7 calling TSAP (0100): S7 */
    static const char s7_cr_0100[] = "030000130ee00000000600c1020100c2020200";
    load(s7_cr_0100);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_NO);
    /* S7comm-plus: SIMATIC text TSAP */
    static const char plus_cr[] =
        "030000231ee00000000100c1020600c20f53494d415449432d524f4f542d4553c0010a";
    load(plus_cr);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_NO);
    /* not TPKT at all */
    FAIL_IF_NOT(d->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, true) == OT_PROBE_NO);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1};
    FAIL_IF_NOT(d->probe(tls, sizeof(tls), true) == OT_PROBE_NO);
    /* a DT with random session bytes */
    static const char junk_dt[] = "0300000b02f080ee00ff00";
    load(junk_dt);
    FAIL_IF_NOT(d->probe(buf, buf_len, true) == OT_PROBE_NO);
    PASS;
}

static int test_connection_tpdus(void)
{
    FAIL_IF_NOT(run(cr_mms, true) == OT_PARSE_NONE);
    static const char cc[] = "0300001611d01801000400c1020002c2020200c0010a";
    FAIL_IF_NOT(run(cc, false) == OT_PARSE_NONE);
    static const char dr[] = "0300000b06800001000280";
    FAIL_IF_NOT(run(dr, false) == OT_PARSE_NONE);
    PASS;
}

static int test_initiate(void)
{
    FAIL_IF_NOT(run(cn_initiate, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 520, "initiate", OT_OP_OTHER));
    FAIL_IF_NOT(msg.dir == OT_DIR_REQUEST && msg.pair == OT_PAIR_KEYED);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(kv_str(&msg, "spdu", "CN") && kv_str(&msg, "ppdu", "CP"));
    FAIL_IF_NOT(kv_str(&msg, "apdu", "AARQ") &&
                kv_str(&msg, "application_context", "1.0.9506.2.3"));
    FAIL_IF_NOT(kv_str(&msg, "pdu_type", "initiate-RequestPDU"));
    FAIL_IF_NOT(kv_find(&msg, "initiate") && kv_find(&msg, "initiate")->type == OT_KV_OBJ_BEGIN);
    FAIL_IF_NOT(kv_str(&msg, "parameter_cbb", "11111011000"));
    FAIL_IF_NOT(kv_find(&msg, "max_serv_outstanding_calling")->v.i == 1000);
    FAIL_IF_NOT(kv_find(&msg, "version_number")->v.i == 1);
    FAIL_IF_NOT(tape_nests(&msg));

    FAIL_IF_NOT(run(ac_initiate, false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 520, "initiate", OT_OP_OTHER));
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == key);
    FAIL_IF_NOT(kv_str(&msg, "apdu", "AARE") && kv_str(&msg, "result_name", "accepted"));
    FAIL_IF_NOT(kv_str(&msg, "pdu_type", "initiate-ResponsePDU") && !msg.has_exception);
    FAIL_IF_NOT(tape_nests(&msg));
    PASS;
}

static int test_read_pair(void)
{
    FAIL_IF_NOT(run(read_req, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 4, "read", OT_OP_READ) && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && kv_u64_is(&msg, "invoke_id", 0));
    FAIL_IF_NOT(kv_arr_str(&msg, "variables", 0, "mu") && kv_u64_is(&msg, "variable_count", 1));
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(run(read_resp, false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 4, "read", OT_OP_READ) && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.txn_key == key && kv_u64_is(&msg, "data_count", 0));
    /* the same invokeID asked by the server is another transaction */
    FAIL_IF_NOT(run(read_req, false) == OT_PARSE_OK && msg.txn_key != key);
    FAIL_IF_NOT(run(read_resp, true) == OT_PARSE_OK);
    /* a failed read: DataAccessError 10 */
    FAIL_IF_NOT(run(read_fail, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == 0x1000 + 10);
    FAIL_IF_NOT(strcmp(msg.exception, "object-non-existent") == 0);
    PASS;
}

static int test_write(void)
{
    FAIL_IF_NOT(run(write_req, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 5, "write", OT_OP_WRITE));
    FAIL_IF_NOT(kv_arr_str(&msg, "variables", 0, "mu") && kv_u64_is(&msg, "data_count", 1));
    FAIL_IF_NOT(kv_str(&msg, "type", "integer") && kv_find(&msg, "value")->v.i == 0);
    /* write response: one success, one failure (object-access-denied) */
    FAIL_IF_NOT(run_wrapped("a10a020101a5058100800103", false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 5, "write", OT_OP_WRITE) && kv_u64_is(&msg, "failure_count", 1));
    FAIL_IF_NOT(msg.has_exception && strcmp(msg.exception, "object-access-denied") == 0);
    PASS;
}

static int test_discovery(void)
{
    FAIL_IF_NOT(run(identify_resp, false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 2, "identify", OT_OP_DISCOVERY) && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(msg.identity.present && msg.identity.from_server);
    FAIL_IF_NOT(strcmp(msg.identity.vendor, "AREVA T&D Corporation") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.model, "e-terracomm") == 0);
    FAIL_IF_NOT(strcmp(msg.identity.firmware, "2.3.1") == 0);
    FAIL_IF_NOT(kv_str(&msg, "vendor_name", "AREVA T&D Corporation"));

    /* in this ICCP capture the server asks: its requests pair with the
     * client's responses */
    FAIL_IF_NOT(run(gnl_req, false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 1, "getNameList", OT_OP_DISCOVERY) && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(kv_str(&msg, "object_class", "namedVariableList") &&
                kv_str(&msg, "domain_id", "KIRKLAND"));
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(run(gnl_resp, true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.txn_key == key);
    FAIL_IF_NOT(kv_arr_str(&msg, "identifiers", 1, "EMS_STATUS_ICCP_IN"));
    FAIL_IF_NOT(kv_u64_is(&msg, "identifier_count", 2));

    FAIL_IF_NOT(run(gvaa_req, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 6, "getVariableAccessAttributes", OT_OP_READ));
    FAIL_IF_NOT(kv_arr_str(&msg, "variables", 0, "AA1E1Q01FP2LD0/LLN0$BR$rcb_B02"));
    /* status request [0] IMPLICIT BOOLEAN, and its response */
    FAIL_IF_NOT(run_wrapped("a006020109800100", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0, "status", OT_OP_READ) && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(run_wrapped("a10b020109a006800100810102", false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 0, "status", OT_OP_READ) &&
                kv_u64_is(&msg, "physical_status", 2));
    PASS;
}

static int test_error_and_reject(void)
{
    FAIL_IF_NOT(run(error_resp, false) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(kv_u64_is(&msg, "invoke_id", 303731));
    FAIL_IF_NOT(msg.has_exception && msg.exception_code == (7u << 8 | 2));
    FAIL_IF_NOT(strcmp(msg.exception, "access") == 0 && kv_str(&msg, "error_class", "access"));
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(run(gvaa_req, true) == OT_PARSE_OK && msg.txn_key == key);

    /* reject of confirmed request 5: pairs with that request */
    FAIL_IF_NOT(run_wrapped("a406800105810101", false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 516, "reject", OT_OP_OTHER) && msg.has_exception);
    FAIL_IF_NOT(msg.pair == OT_PAIR_KEYED && msg.dir == OT_DIR_RESPONSE);
    FAIL_IF_NOT(kv_str(&msg, "reject_pdu", "confirmed-requestPDU"));
    key = msg.txn_key;
    FAIL_IF_NOT(run_wrapped("a0050201058200", true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.txn_key == key);
    /* a pdu-error reject has no partner */
    FAIL_IF_NOT(run_wrapped("a403850101", false) == OT_PARSE_OK && msg.pair == OT_PAIR_NONE);
    /* cancel */
    FAIL_IF_NOT(run_wrapped("850107", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 517, "cancel", OT_OP_OTHER) && msg.pair == OT_PAIR_KEYED);
    FAIL_IF_NOT(run_wrapped("860107", false) == OT_PARSE_OK && msg.dir == OT_DIR_RESPONSE);
    /* initiate-Error and conclude-Error */
    FAIL_IF_NOT(run_wrapped("aa05a003880101", false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 520, "initiate", OT_OP_OTHER) && msg.has_exception);
    FAIL_IF_NOT(run_wrapped("ad05a003890100", false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 523, "conclude", OT_OP_OTHER) && msg.has_exception);
    PASS;
}

static int test_control_program_file(void)
{
    FAIL_IF_NOT(run(stop_raw, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 41, "stop", OT_OP_CONTROL) && msg.dir == OT_DIR_REQUEST);
    FAIL_IF_NOT(kv_str(&msg, "program_invocation", "R395024397Application_1"));
    FAIL_IF_NOT(kv_find(&msg, "spdu") == NULL);
    /* kill [44] */
    FAIL_IF_NOT(run_wrapped("a00a020101bf2c0480025031", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 44, "kill", OT_OP_CONTROL) &&
                kv_str(&msg, "program_invocation", "P1"));
    /* initiateDownloadSequence [26] { domainName "DOM1" } */
    FAIL_IF_NOT(run_wrapped("a00d020102ba088004444f4d31a100", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 26, "initiateDownloadSequence", OT_OP_PROGRAM));
    FAIL_IF_NOT(kv_str(&msg, "domain_id", "DOM1"));
    /* deleteDomain [36] IMPLICIT Identifier (high tag, primitive) */
    FAIL_IF_NOT(run_wrapped("a00a0201039f2404444f4d31", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 36, "deleteDomain", OT_OP_PROGRAM) &&
                kv_str(&msg, "domain_id", "DOM1"));
    /* loadDomainContent [34] { domainName [0], fileName [4] } */
    FAIL_IF_NOT(run_wrapped("a015020104bf220f8004444f4d31a40719056c642e6f62", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 34, "loadDomainContent", OT_OP_PROGRAM));
    FAIL_IF_NOT(kv_str(&msg, "file_name", "ld.ob"));
    /* fileOpen [72] { fileName [0] { "/a" "b.cfg" }, initialPosition [1] } */
    FAIL_IF_NOT(run_wrapped("a016020105bf4810a00b19022f611905622e636667810100", true) ==
                OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 72, "fileOpen", OT_OP_FILE) &&
                kv_str(&msg, "file_name", "/a/b.cfg"));
    /* fileRead [73] IMPLICIT Integer32 */
    FAIL_IF_NOT(run_wrapped("a0070201069f490107", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 73, "fileRead", OT_OP_FILE) && kv_u64_is(&msg, "frsm_id", 7));
    /* fileDelete [76] FileName */
    FAIL_IF_NOT(run_wrapped("a00c020107bf4c061904782e6f62", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 76, "fileDelete", OT_OP_FILE) &&
                kv_str(&msg, "file_name", "x.ob"));
    /* a read without a constructed variableAccessSpecification [1] */
    FAIL_IF_NOT(run_wrapped("a00a02010ba4058001008100", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 4, "read", OT_OP_READ) && msg.anomaly &&
                strcmp(msg.anomaly, "malformed_service") == 0);
    /* reportEventEnrollmentStatus [60] ObjectName: its vmd-specific [0] is
     * no domain name */
    FAIL_IF_NOT(run_wrapped("a00b02010abf3c058003454531", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 60, "reportEventEnrollmentStatus", OT_OP_READ) &&
                !kv_find(&msg, "domain_id"));
    /* an unknown service [90] */
    FAIL_IF_NOT(run_wrapped("a006020108bf5a00", true) == OT_PARSE_OK);
    FAIL_IF_NOT(msg.has_function && msg.function_code == 90 && msg.function == NULL);
    /* a modifier list before the service */
    FAIL_IF_NOT(run_wrapped("a00702010930008200", true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 2, "identify", OT_OP_DISCOVERY) && kv_find(&msg, "modifiers"));
    PASS;
}

static int test_report_conclude_release(void)
{
    /* informationReport: variableListName "RPT", a visible-string and a
     * boolean */
    FAIL_IF_NOT(run_wrapped("a312a010a1058003525054a0078a026964830101", false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 256, "informationReport", OT_OP_READ) &&
                msg.pair == OT_PAIR_NONE);
    FAIL_IF_NOT(kv_arr_str(&msg, "variables", 0, "RPT") && kv_u64_is(&msg, "data_count", 2));
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE && tape_nests(&msg));

    FAIL_IF_NOT(run(conclude_req, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 523, "conclude", OT_OP_OTHER) && msg.pair == OT_PAIR_KEYED);
    uint32_t key = msg.txn_key;
    FAIL_IF_NOT(run_wrapped("8c00", false) == OT_PARSE_OK && msg.txn_key == key);

    FAIL_IF_NOT(run(rlrq, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 770, "release", OT_OP_OTHER) && kv_str(&msg, "spdu", "FN"));
    FAIL_IF_NOT(kv_str(&msg, "apdu", "RLRQ") && msg.dir == OT_DIR_REQUEST);
    key = msg.txn_key;
    FAIL_IF_NOT(run(rlre, false) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 770, "release", OT_OP_OTHER) && msg.txn_key == key);
    FAIL_IF_NOT(msg.dir == OT_DIR_RESPONSE);

    /* session ABORT without user data, and REFUSE */
    static const char ab[] = "0300000902f0801900";
    FAIL_IF_NOT(run(ab, true) == OT_PARSE_OK && function_is(&msg, 772, "abort", OT_OP_OTHER));
    static const char rf[] = "0300000c02f0800c03320102";
    FAIL_IF_NOT(run(rf, false) == OT_PARSE_OK && function_is(&msg, 768, "associate", OT_OP_OTHER));
    FAIL_IF_NOT(msg.has_exception && kv_u64_is(&msg, "session_reason", 2));
    /* GIVE TOKENS alone: nothing to say */
    static const char gt[] = "0300000902f0800100";
    FAIL_IF_NOT(run(gt, true) == OT_PARSE_NONE);
    PASS;
}

static int test_reassembly(void)
{
    /* the read request TSDU split over two DTs */
    uint8_t whole[64];
    size_t n = unhex(read_req, whole, sizeof(whole));
    const uint8_t *tsdu = whole + 7;
    size_t tlen = n - 7, first = 10;
    uint8_t a[32], b[64];
    memcpy(a, whole, 7);
    a[3] = (uint8_t)(7 + first);
    a[6] = 0x00; /* no EOT */
    memcpy(a + 7, tsdu, first);
    memcpy(b, whole, 7);
    b[3] = (uint8_t)(7 + tlen - first);
    memcpy(b + 7, tsdu + first, tlen - first);
    memset(state, 0, sizeof(state));
    FAIL_IF_NOT(run_at(a, 7 + first, true) == OT_PARSE_NONE);
    /* a server PDU in between does not disturb the client's buffer */
    load(read_resp);
    FAIL_IF_NOT(run_at(buf, buf_len, false) == OT_PARSE_OK);
    FAIL_IF_NOT(run_at(b, 7 + tlen - first, true) == OT_PARSE_OK);
    FAIL_IF_NOT(function_is(&msg, 4, "read", OT_OP_READ) && kv_arr_str(&msg, "variables", 0, "mu"));
    /* without flow state a fragment is not reassembled */
    struct ot_ctx ctx = {.to_server = true, .flow_state = NULL};
    struct cur c = cur_init(a, 7 + first);
    ot_msg_reset(&msg, OT_PROTO_MMS);
    FAIL_IF_NOT(mms_dissector.parse(&c, &ctx, &msg) == OT_PARSE_NONE);

    /* an oversized TSDU is dropped and reported as invalid */
    memset(state, 0, sizeof(state));
    size_t big = 9000;
    memset(buf, 0x41, big + 7);
    buf[0] = 3;
    buf[1] = 0;
    buf[2] = (uint8_t)((big + 7) >> 8);
    buf[3] = (uint8_t)(big + 7);
    buf[4] = 2;
    buf[5] = 0xf0;
    buf[6] = 0x00;
    FAIL_IF_NOT(run_at(buf, big + 7, true) == OT_PARSE_INVALID);
    buf[6] = 0x80;
    FAIL_IF_NOT(run_at(buf, big + 7, true) == OT_PARSE_INVALID);
    load(read_req);
    FAIL_IF_NOT(run_at(buf, buf_len, true) == OT_PARSE_OK);
    PASS;
}

/* A PDU on a new flow, from the client or the server. */
static enum ot_parse fresh_cli(const uint8_t *p, size_t n)
{
    memset(state, 0, sizeof(state));
    return run_at(p, n, true);
}

static enum ot_parse fresh_srv(const uint8_t *p, size_t n)
{
    memset(state, 0, sizeof(state));
    return run_at(p, n, false);
}

/* Any verdict, as long as the tape holds together. */
static bool nested(enum ot_parse r, const struct ot_msg *m)
{
    (void)r;
    return tape_nests(m);
}

static int check_prefixes(const char *hex, bool to_server)
{
    uint8_t p[300];
    size_t n = unhex(hex, p, sizeof(p));
    parse_fn parse = to_server ? fresh_cli : fresh_srv;
    if (!each_prefix(parse, p, n, refused_nested, &msg))
        return 1;
    /* the same cuts with the TPKT length fixed up: any verdict, no crash */
    if (!each_prefix_relabelled(parse, p, 7, n, nested, &msg))
        return 1;
    return 0;
}

static int test_truncated(void)
{
    FAIL_IF(check_prefixes(cn_initiate, true));
    FAIL_IF(check_prefixes(ac_initiate, false));
    FAIL_IF(check_prefixes(read_req, true));
    FAIL_IF(check_prefixes(write_req, true));
    FAIL_IF(check_prefixes(identify_resp, false));
    FAIL_IF(check_prefixes(gnl_resp, true));
    FAIL_IF(check_prefixes(error_resp, false));
    FAIL_IF(check_prefixes(stop_raw, true));
    FAIL_IF(check_prefixes(rlrq, true));
    FAIL_IF(check_prefixes(cr_mms, true));
    FAIL_IF(run("", true) != OT_PARSE_TRUNC);
    PASS;
}

static int test_lying_lengths(void)
{
    /* presentation PDV length past its parent */
    load(read_req);
    buf[14] = 0x7f;
    memset(state, 0, sizeof(state));
    FAIL_IF_NOT(run_at(buf, buf_len, true) == OT_PARSE_INVALID);
    /* MMS PDU long-form length of 4 octets of 0xff */
    FAIL_IF_NOT(run_wrapped("a084ffffffff", true) == OT_PARSE_INVALID);
    /* five length octets, indefinite length */
    FAIL_IF_NOT(run_wrapped("a08500000000010000", true) == OT_PARSE_INVALID);
    FAIL_IF_NOT(run_wrapped("a0800201000000", true) == OT_PARSE_INVALID);
    /* session LI longer than the TSDU */
    static const char ses_lie[] = "0300000b02f0800dff0010";
    FAIL_IF_NOT(run(ses_lie, true) == OT_PARSE_INVALID);
    /* not a session SPDU, not MMS */
    static const char junk[] = "0300000b02f080ee001122";
    FAIL_IF_NOT(run(junk, true) == OT_PARSE_INVALID);
    /* a confirmed request without invokeID */
    FAIL_IF_NOT(run_wrapped("a0028200", true) == OT_PARSE_INVALID);
    /* an empty DT (zero-length TSDU) */
    static const char empty[] = "0300000702f080";
    FAIL_IF_NOT(run(empty, true) == OT_PARSE_INVALID);
    PASS;
}

static int test_depth_bomb(void)
{
    /* read response whose first Data nests 40 structures */
    char hex[400];
    size_t depth = 40, k = 0;
    size_t inner = 2 * depth + 3; /* nested structures + boolean */
    size_t list = inner + 2;      /* listOfAccessResult [1] */
    size_t read = list + 2;       /* read [4] */
    size_t pdu = 3 + read + 2;    /* invokeID + read */
    static const char *const hx = "0123456789abcdef";
#define PUT(b)                                                                                     \
    do {                                                                                           \
        hex[k++] = hx[(b) >> 4];                                                                   \
        hex[k++] = hx[(b)&15];                                                                     \
    } while (0)
    FAIL_IF(pdu > 127);
    PUT(0xa1);
    PUT(pdu);
    PUT(0x02);
    PUT(0x01);
    PUT(0x01);
    PUT(0xa4);
    PUT(read);
    PUT(0xa1);
    PUT(list);
    for (size_t i = 0; i < depth; i++) {
        PUT(0xa2);
        PUT(2 * (depth - i - 1) + 3);
    }
    PUT(0x83);
    PUT(0x01);
    PUT(0x01);
#undef PUT
    hex[k] = '\0';
    FAIL_IF_NOT(run_wrapped(hex, false) == OT_PARSE_INVALID);
    FAIL_IF_NOT(tape_nests(&msg));
    PASS;
}

static const struct unit_test tests[] = {
    {"pdu_len", test_pdu_len},
    {"probe", test_probe},
    {"connection_tpdus", test_connection_tpdus},
    {"initiate", test_initiate},
    {"read_pair", test_read_pair},
    {"write", test_write},
    {"discovery", test_discovery},
    {"error_and_reject", test_error_and_reject},
    {"control_program_file", test_control_program_file},
    {"report_conclude_release", test_report_conclude_release},
    {"reassembly", test_reassembly},
    {"truncated", test_truncated},
    {"lying_lengths", test_lying_lengths},
    {"depth_bomb", test_depth_bomb},
    {NULL, NULL},
};

UNIT_MAIN(tests)
