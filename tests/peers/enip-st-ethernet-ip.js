// SPDX-License-Identifier: BSD-3-Clause
// summary: an EtherNet/IP scanner from st-ethernet-ip against an OpENer adapter, for
// capture-enip-peer.sh.
//
// Usage: node enip-st-ethernet-ip.js client ADAPTER_IP SCANNER_IP
//   Runs the fixed script below against the adapter (OpENer's POSIX sample
//   application: Identity, TCP/IP, assemblies 100 input / 150 output / 151 config /
//   154 explicit, 32, 32, 10 and 32 bytes), printing one "step NAME ok|refused|error"
//   line per step; exits 0 when every step answered as expected.
//     1. list_identity: st-ethernet-ip's Browser broadcasts ListIdentity (UDP 44818)
//     2. unconnected (SendRRData): RegisterSession, Get_Attribute_Single Identity
//        vendor id (1/1/1) and product name (1/1/7), Set_Attribute_Single of the
//        explicit assembly's data (4/154/3) to 32 bytes 0x00..0x1f, read it back,
//        a Logix Read Tag and Write Tag of "Temperature" (refused: OpENer has no
//        tags), UnRegisterSession
//     3. connected (SendUnitData): RegisterSession, Forward_Open to the Message
//        Router, Get_Attribute_Single Identity product name, Forward_Close
//     4. implicit I/O: a Forward_Open from st-ethernet-ip's I/O scanner for the
//        assemblies 150 -> 100 (config 151) at RPI 50 ms, then cyclic UDP 2222
//        for about a second
// tests/peers/check-peers.py checks that the sensor reports these steps: keep the
// two in step.
'use strict';
const enip = require('st-ethernet-ip');

const [mode, adapter, scanner] = process.argv.slice(2);
let failed = 0;

async function step(name, fn, expect) {
    try {
        const r = await fn();
        if (expect === 'refused') {
            failed++;
            console.log('step ' + name + ' unexpectedly ok');
            return r;
        }
        let shown = '';
        if (Buffer.isBuffer(r))
            shown = ' ' + r.toString('hex');
        else if (r !== undefined && r !== true)
            shown = ' ' + JSON.stringify(r);
        console.log('step ' + name + ' ok' + shown.slice(0, 200));
        return r;
    } catch (e) {
        if (expect !== 'refused')
            failed++;
        console.log('step ' + name + (expect === 'refused' ? ' refused ' : ' error ') +
                    (e && e.message ? e.message : JSON.stringify(e)));
        return null;
    }
}

const timeout = (ms, what) =>
    new Promise((resolve, reject) => setTimeout(() => reject(new Error(what)), ms));

async function client() {
    await step('list_identity', () => Promise.race([
        new Promise((resolve) => {
            const b = new enip.Browser(44818 + 1000, scanner, true, 300);
            b.on('New Device', (d) => {
                b.stop();
                b.socket.close();
                resolve({productName: d.productName, vendorID: d.vendorID,
                         serialNumber: d.serialNumber});
            });
        }),
        timeout(3000, 'no ListIdentity reply'),
    ]));

    const plc = new enip.Controller(false);
    await step('register_session', () => plc.connect(adapter, Buffer.from([]), false));
    await step('get_vendor_id', () => plc.getAttributeSingle(0x01, 1, 1));
    await step('get_product_name', () => plc.getAttributeSingle(0x01, 1, 7));
    const data = Buffer.alloc(32);
    for (let i = 0; i < data.length; i++)
        data[i] = i;
    await step('set_assembly_154', () => plc.setAttributeSingle(0x04, 154, 3, data));
    await step('get_assembly_154', () => plc.getAttributeSingle(0x04, 154, 3));
    const tag = new enip.Tag('Temperature', null, enip.EthernetIP.CIP.DataTypes.Types.DINT);
    await step('read_tag', () => Promise.race([plc.readTag(tag), timeout(3000, 'timeout')]),
               'refused');
    tag.value = 1234;
    await step('write_tag', () => Promise.race([plc.writeTag(tag), timeout(3000, 'timeout')]),
               'refused');
    await step('unregister_session', () => plc.disconnect());

    const conn = new enip.Controller(true);
    await step('forward_open', () => conn.connect(adapter, Buffer.from([]), false));
    await step('connected_get_product_name', () => conn.getAttributeSingle(0x01, 1, 7));
    await step('forward_close', () => conn.disconnect());

    await step('io_connection', () => new Promise((resolve, reject) => {
        const io = new enip.IO.Scanner(2222, scanner);
        const c = io.addConnection({
            configInstance: {assembly: 151, size: 10, data: Buffer.alloc(10)},
            outputInstance: {assembly: 150, size: 32},
            inputInstance: {assembly: 100, size: 32},
        }, 50, adapter);
        const t0 = Date.now();
        const poll = setInterval(() => {
            if (c.connected && Date.now() - t0 > 1000) {
                clearInterval(poll);
                resolve(true);
            } else if (Date.now() - t0 > 5000) {
                clearInterval(poll);
                reject(new Error('I/O connection not established'));
            }
        }, 100);
    }));
    console.log(failed ? 'FAILED ' + failed : 'done');
    process.exit(failed ? 1 : 0);
}

if (mode === 'client' && adapter && scanner) {
    client().catch((e) => {
        console.log('client failed: ' + e.stack);
        process.exit(1);
    });
} else {
    console.error('usage: enip-st-ethernet-ip.js client ADAPTER_IP SCANNER_IP');
    process.exit(2);
}
