/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: a real Modbus/TCP stack (libmodbus) as a test peer: a server that
 * answers a bounded number of requests from a fixed register map, and a client
 * that runs a fixed script of requests, one of them provoking an exception.
 * tests/peers/capture-modbus-peer.sh runs both on 127.0.0.1 under tcpdump to make
 * tests/pcaps/modbus-libmodbus.pcap. */
/* specification: libmodbus 3.1 API (modbus_tcp_listen(3), modbus_reply(3), ...);
 * MODBUS Application Protocol V1.1b3 for the function codes exercised. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <modbus.h>

/* The server's map: 100 of each object type from address 0; anything at or beyond
 * MAP_SIZE is answered with exception 02 (illegal data address) by modbus_reply. */
#define MAP_SIZE 100
/* The server stops after this many requests, or when the client goes away. */
#define SERVER_MAX_REQUESTS 64
/* Neither side may outlive a stuck peer: SIGALRM ends the process. */
#define PEER_TIMEOUT_SEC 20
#define UNIT_ID 1

static void usage(void)
{
    fprintf(stderr, "usage: modbus-libmodbus server PORT [MAX_REQUESTS]\n"
                    "       modbus-libmodbus client PORT\n");
    exit(2);
}

static void fill_map(modbus_mapping_t *m)
{
    for (int i = 0; i < MAP_SIZE; i++) {
        m->tab_bits[i] = (uint8_t)(i % 2);
        m->tab_input_bits[i] = (uint8_t)(i % 3 == 0);
        m->tab_registers[i] = (uint16_t)(i * 10);
        m->tab_input_registers[i] = (uint16_t)(1000 + i);
    }
}

static int run_server(int port, int max_requests)
{
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    if (ctx == NULL) {
        fprintf(stderr, "server: modbus_new_tcp: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_mapping_t *map = modbus_mapping_new_start_address(0, MAP_SIZE, 0, MAP_SIZE, 0,
                                                             MAP_SIZE, 0, MAP_SIZE);
    if (map == NULL) {
        fprintf(stderr, "server: modbus_mapping_new: %s\n", modbus_strerror(errno));
        modbus_free(ctx);
        return 1;
    }
    fill_map(map);
    int ls = modbus_tcp_listen(ctx, 1);
    if (ls == -1) {
        fprintf(stderr, "server: listen on 127.0.0.1:%d: %s\n", port, modbus_strerror(errno));
        modbus_mapping_free(map);
        modbus_free(ctx);
        return 1;
    }
    /* the capture script waits for this line before starting the client */
    printf("listening 127.0.0.1:%d\n", port);
    fflush(stdout);
    int status = 0;
    if (modbus_tcp_accept(ctx, &ls) == -1) {
        fprintf(stderr, "server: accept: %s\n", modbus_strerror(errno));
        status = 1;
    }
    int served = 0;
    while (status == 0 && served < max_requests) {
        uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
        int rc = modbus_receive(ctx, query);
        if (rc == -1)
            break; /* the client closed the connection (or timed out) */
        if (rc == 0)
            continue; /* not for us */
        if (modbus_reply(ctx, query, rc, map) == -1) {
            fprintf(stderr, "server: reply: %s\n", modbus_strerror(errno));
            status = 1;
        }
        served++;
    }
    printf("served %d requests\n", served);
    close(ls);
    modbus_close(ctx);
    modbus_mapping_free(map);
    modbus_free(ctx);
    return status;
}

static int failures;

static void check(const char *what, int rc, int want_errno)
{
    if (want_errno == 0 && rc != -1) {
        printf("ok   %s\n", what);
        return;
    }
    if (want_errno != 0 && rc == -1 && errno == want_errno) {
        printf("ok   %s (expected: %s)\n", what, modbus_strerror(errno));
        return;
    }
    printf("FAIL %s: rc %d, %s\n", what, rc, rc == -1 ? modbus_strerror(errno) : "no error");
    failures++;
}

static int run_client(int port)
{
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    if (ctx == NULL) {
        fprintf(stderr, "client: modbus_new_tcp: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, UNIT_ID);
    modbus_set_response_timeout(ctx, 2, 0);
    if (modbus_connect(ctx) == -1) {
        fprintf(stderr, "client: connect 127.0.0.1:%d: %s\n", port, modbus_strerror(errno));
        modbus_free(ctx);
        return 1;
    }
    uint8_t bits[32];
    uint16_t regs[32];
    uint8_t id[MODBUS_MAX_PDU_LENGTH];
    static const uint16_t wregs[4] = {0x000A, 0x0102, 0xBEEF, 0xFFFF};
    static const uint8_t wbits[12] = {1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1};
    static const uint16_t rw[2] = {0x0007, 0x0008};

    check("FC1 read coils 0..15", modbus_read_bits(ctx, 0, 16, bits), 0);
    check("FC2 read discrete inputs 0..7", modbus_read_input_bits(ctx, 0, 8, bits), 0);
    check("FC3 read holding registers 0..9", modbus_read_registers(ctx, 0, 10, regs), 0);
    check("FC4 read input registers 0..7", modbus_read_input_registers(ctx, 0, 8, regs), 0);
    check("FC5 write single coil 3", modbus_write_bit(ctx, 3, 1), 0);
    check("FC6 write single register 5", modbus_write_register(ctx, 5, 0x1234), 0);
    check("FC16 write registers 10..13", modbus_write_registers(ctx, 10, 4, wregs), 0);
    check("FC15 write coils 20..31", modbus_write_bits(ctx, 20, 12, wbits), 0);
    check("FC22 mask write register 5", modbus_mask_write_register(ctx, 5, 0x00F2, 0x0025), 0);
    check("FC23 write 30..31, read 0..3",
          modbus_write_and_read_registers(ctx, 30, 2, rw, 0, 4, regs), 0);
    check("FC17 report server id", modbus_report_slave_id(ctx, (int)sizeof(id), id), 0);
    check("FC3 read holding registers 500..501",
          modbus_read_registers(ctx, 500, 2, regs), EMBXILADD);
    check("FC3 read holding registers 0..1", modbus_read_registers(ctx, 0, 2, regs), 0);
    modbus_close(ctx);
    modbus_free(ctx);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    int port = atoi(argv[2]);
    if (port <= 0 || port > 65535)
        usage();
    alarm(PEER_TIMEOUT_SEC);
    if (strcmp(argv[1], "server") == 0) {
        int max = argc > 3 ? atoi(argv[3]) : SERVER_MAX_REQUESTS;
        if (max <= 0)
            usage();
        return run_server(port, max);
    }
    if (strcmp(argv[1], "client") == 0)
        return run_client(port);
    usage();
    return 2;
}
