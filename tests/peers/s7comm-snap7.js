// SPDX-License-Identifier: BSD-3-Clause
// summary: an S7 server and client from node-snap7 (Snap7), for capture-node-peer.sh.
//
// Usage: node s7comm-snap7.js server|client [HOST]
//   server: S7Server bound to HOST (default 127.0.0.1) on ISO-TSAP port 102, with
//           DB1 (64 bytes), DB2 (16 bytes), merkers, inputs, outputs, timers and
//           counters registered; prints "listening", runs until SIGTERM.
//   client: S7Client connecting to rack 0 slot 2 and running the fixed script below,
//           one line per step on stdout ("step NAME ok|error TEXT"); exits 0 when
//           every step that the Snap7 server implements succeeded.
// tests/peers/check-peers.py checks that the sensor reports these same steps: keep
// the two in step.
'use strict';
const snap7 = require('node-snap7');

const mode = process.argv[2];
const host = process.argv[3] || '127.0.0.1';

function server() {
    const s = new snap7.S7Server();
    const db1 = Buffer.alloc(64);
    for (let i = 0; i < db1.length; i++)
        db1[i] = i;
    s.RegisterArea(s.srvAreaDB, 1, db1);
    s.RegisterArea(s.srvAreaDB, 2, Buffer.alloc(16));
    s.RegisterArea(s.srvAreaMK, Buffer.alloc(32));
    s.RegisterArea(s.srvAreaPE, Buffer.from([0x01, 0x02, 0x03, 0x04]));
    s.RegisterArea(s.srvAreaPA, Buffer.from([0x10, 0x20, 0x30, 0x40]));
    s.RegisterArea(s.srvAreaTM, Buffer.alloc(16));
    s.RegisterArea(s.srvAreaCT, Buffer.alloc(16));
    s.on('event', (ev) => console.log('event ' + s.EventText(ev)));
    if (s.StartTo(host) === false) {
        console.log('start failed: ' + s.ErrorText(s.LastError()));
        process.exit(1);
    }
    console.log('listening');
    const stop = () => {
        s.Stop();
        process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    setInterval(() => {}, 1000);
}

// A minimal DB block image (MC7 compact header, 8 bytes of body, footer), the
// shape S7Client.Download checks before it sends anything.
function dbBlock(num) {
    const head = 36, body = 8, foot = 42, size = head + body + foot;
    const b = Buffer.alloc(size);
    b.writeUInt16BE(0x7070, 0);
    b[2] = 0x01; // version
    b[3] = 0x01; // flags
    b[4] = 0x05; // language: DB
    b[5] = 0x0a; // sub-block type: DB
    b.writeUInt16BE(num, 6);
    b.writeUInt32BE(size, 8); // load memory length
    b.writeUInt16BE(body, 34); // MC7 length
    return b;
}

function client() {
    const c = new snap7.S7Client();
    let failed = 0;
    // step NAME FN EXPECT: EXPECT 'ok' (must succeed) or 'any' (the Snap7
    // server answers with an error: upload/download need a password there)
    function step(name, fn, expect) {
        let r;
        try {
            r = fn();
        } catch (e) {
            r = false;
            console.log('step ' + name + ' exception ' + e.message);
        }
        if (r === false) {
            const err = c.LastError();
            console.log('step ' + name + ' error ' + c.ErrorText(err));
            if (expect !== 'any')
                failed++;
            return null;
        }
        let shown = '';
        if (Buffer.isBuffer(r))
            shown = ' ' + r.toString('hex');
        else if (r !== true && r !== undefined)
            shown = ' ' + JSON.stringify(r);
        console.log('step ' + name + ' ok' + shown.slice(0, 200));
        return r;
    }

    step('connect', () => c.ConnectTo(host, 0, 2));
    console.log('pdu_length ' + c.PDULength());
    // DB1.DBW10 = 1234 (0x04D2), then read DB1.DBB0..15 back
    step('write_db1_dbw10', () => c.DBWrite(1, 10, 2, Buffer.from([0x04, 0xd2])));
    step('read_db1_0_16', () => c.DBRead(1, 0, 16));
    // MB5 = 0xAB; DB1.DBX20.3 = 1 (a bit write: start is in bits)
    step('write_mb5', () => c.MBWrite(5, 1, Buffer.from([0xab])));
    step('write_db1_dbx20_3', () =>
        c.WriteArea(c.S7AreaDB, 1, 20 * 8 + 3, 1, c.S7WLBit, Buffer.from([0x01])));
    step('read_multi', () => c.ReadMultiVars([
        {Area: c.S7AreaDB, WordLen: c.S7WLByte, DBNumber: 1, Start: 10, Amount: 2},
        {Area: c.S7AreaMK, WordLen: c.S7WLByte, Start: 5, Amount: 1},
        {Area: c.S7AreaPE, WordLen: c.S7WLByte, Start: 0, Amount: 4},
        {Area: c.S7AreaPA, WordLen: c.S7WLByte, Start: 0, Amount: 2},
        {Area: c.S7AreaCT, WordLen: c.S7WLCounter, Start: 0, Amount: 2},
        {Area: c.S7AreaTM, WordLen: c.S7WLTimer, Start: 0, Amount: 2},
    ]));
    // DB2.DBB0 = 0x11, DB2.DBW4 = 0x2222, QB1 = 0x55
    step('write_multi', () => c.WriteMultiVars([
        {Area: c.S7AreaDB, WordLen: c.S7WLByte, DBNumber: 2, Start: 0, Amount: 1,
         Data: Buffer.from([0x11])},
        {Area: c.S7AreaDB, WordLen: c.S7WLByte, DBNumber: 2, Start: 4, Amount: 2,
         Data: Buffer.from([0x22, 0x22])},
        {Area: c.S7AreaPA, WordLen: c.S7WLByte, Start: 1, Amount: 1, Data: Buffer.from([0x55])},
    ]));
    // SZL: module identification, component identification, the list of SZLs
    step('read_szl_0011', () => c.ReadSZL(0x0011, 0x0000));
    step('read_szl_001c', () => c.ReadSZL(0x001c, 0x0000));
    step('read_szl_list', () => c.ReadSZLList());
    step('order_code', () => c.GetOrderCode());
    step('cpu_info', () => c.GetCpuInfo());
    step('plc_status', () => c.PlcStatus());
    step('plc_stop', () => c.PlcStop());
    step('plc_status_stopped', () => c.PlcStatus());
    step('plc_hot_start', () => c.PlcHotStart());
    step('plc_cold_start', () => c.PlcColdStart());
    step('get_time', () => c.GetPlcDateTime());
    step('set_time', () => c.SetPlcDateTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))));
    step('list_blocks', () => c.ListBlocks());
    step('list_blocks_db', () => c.ListBlocksOfType(c.Block_DB));
    step('block_info_db1', () => c.GetAgBlockInfo(c.Block_DB, 1));
    step('upload_db1', () => c.Upload(c.Block_DB, 1, 1024), 'any');
    step('download_db5', () => c.Download(5, dbBlock(5)), 'any');
    step('delete_db5', () => c.Delete(c.Block_DB, 5), 'any');
    step('compress', () => c.Compress(2000), 'any');
    step('copy_ram_to_rom', () => c.CopyRamToRom(2000), 'any');
    step('set_password', () => c.SetSessionPassword('pass1234'), 'any');
    step('clear_password', () => c.ClearSessionPassword(), 'any');
    step('protection', () => c.GetProtection(), 'any');
    c.Disconnect();
    console.log(failed ? 'FAILED ' + failed : 'done');
    process.exit(failed ? 1 : 0);
}

if (mode === 'server')
    server();
else if (mode === 'client')
    client();
else {
    console.error('usage: s7comm-snap7.js server|client [HOST]');
    process.exit(2);
}
