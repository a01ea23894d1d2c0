// SPDX-License-Identifier: BSD-3-Clause
// summary: a BACnet/IP device and client from @bacnet-js/client, for capture-node-peer.sh.
//
// Usage: node bacnet-bacnet-js.js server|client
//   server: a device (instance 1234, vendor 999) on 127.0.0.2:47808 answering
//           Who-Is with I-Am, ReadProperty and ReadPropertyMultiple of its device
//           object and of analog-value 1 (present-value, writable at any priority),
//           WriteProperty, DeviceCommunicationControl, ReinitializeDevice and
//           SubscribeCOV (then an unconfirmed COV notification); errors for unknown
//           objects and read-only properties; the library itself rejects services
//           it has no handler for.  Prints "listening"; runs until SIGTERM.
//   client: 127.0.0.1:47809, runs the fixed script below and prints one
//           "step NAME ok|error" line per step; exits 0 when every step answered
//           as expected.  Who-Is is sent to the device's address (a loopback
//           socket bound to one address receives no broadcast).  The device is
//           on 127.0.0.2: the library drops unconfirmed requests (I-Am, COV
//           notifications) whose sender is 127.0.0.1 port 47808, as its own.
// tests/peers/check-peers.py checks that the sensor reports these steps: keep the
// two in step.
'use strict';
const bacnetjs = require('@bacnet-js/client');

const Bacnet = bacnetjs.default;
const {ObjectType: OT, PropertyIdentifier: PI, ApplicationTag: AT, ErrorClass, ErrorCode} =
    bacnetjs;

const mode = process.argv[2];
const DEVICE = 1234, VENDOR = 999;
const device = {address: '127.0.0.2:47808'};

function server() {
    const c = new Bacnet({
        port: 47808,
        interface: '127.0.0.2',
        broadcastAddress: '127.255.255.255',
        apduTimeout: 2000,
    });
    let pv = 21.5;
    const props = {
        [OT.DEVICE + ':' + DEVICE]: {
            [PI.OBJECT_NAME]: [{type: AT.CHARACTER_STRING, value: 'ahu-controller-1'}],
            [PI.VENDOR_NAME]: [{type: AT.CHARACTER_STRING, value: 'otsensor test peers'}],
            [PI.VENDOR_IDENTIFIER]: [{type: AT.UNSIGNED_INTEGER, value: VENDOR}],
            [PI.MODEL_NAME]: [{type: AT.CHARACTER_STRING, value: 'bacnet-js-device'}],
            [PI.FIRMWARE_REVISION]: [{type: AT.CHARACTER_STRING, value: '3.3.2'}],
        },
        [OT.ANALOG_VALUE + ':1']: {
            [PI.OBJECT_NAME]: [{type: AT.CHARACTER_STRING, value: 'supply-air-setpoint'}],
            [PI.PRESENT_VALUE]: null, // computed
        },
    };
    const value = (oid, pid) => {
        const o = props[oid.type + ':' + oid.instance];
        if (!o)
            return {err: [ErrorClass.OBJECT, ErrorCode.UNKNOWN_OBJECT]};
        if (!(pid in o))
            return {err: [ErrorClass.PROPERTY, ErrorCode.UNKNOWN_PROPERTY]};
        if (oid.type === OT.ANALOG_VALUE && pid === PI.PRESENT_VALUE)
            return {v: [{type: AT.REAL, value: pv}]};
        return {v: o[pid]};
    };
    c.on('whoIs', (m) => {
        console.log('whoIs from ' + m.header.sender.address);
        c.iAmResponse(m.header.sender, DEVICE, bacnetjs.Segmentation.NO_SEGMENTATION, VENDOR);
    });
    c.on('readProperty', (m) => {
        const {objectId, property} = m.payload;
        const r = value(objectId, property.id);
        console.log('readProperty ' + objectId.type + ':' + objectId.instance + ' ' + property.id);
        if (r.err)
            c.errorResponse(m.header.sender, m.service, m.invokeId, r.err[0], r.err[1]);
        else
            c.readPropertyResponse(m.header.sender, m.invokeId, objectId, property, r.v);
    });
    c.on('readPropertyMultiple', (m) => {
        const values = m.payload.properties.map((spec) => ({
            objectId: spec.objectId,
            values: spec.properties.map((p) => {
                const r = value(spec.objectId, p.id);
                return {
                    property: {id: p.id, index: p.index},
                    value: r.err ? [{type: AT.ERROR, value: {errorClass: r.err[0], errorCode: r.err[1]}}]
                                 : r.v,
                };
            }),
        }));
        console.log('readPropertyMultiple');
        c.readPropertyMultipleResponse(m.header.sender, m.invokeId, values);
    });
    c.on('writeProperty', (m) => {
        const {objectId, value: w} = m.payload;
        console.log('writeProperty ' + objectId.type + ':' + objectId.instance + ' ' +
                    w.property.id + ' = ' + JSON.stringify(w.value.map((x) => x.value)));
        if (objectId.type === OT.ANALOG_VALUE && objectId.instance === 1 &&
            w.property.id === PI.PRESENT_VALUE) {
            pv = w.value[0].value;
            c.simpleAckResponse(m.header.sender, m.service, m.invokeId);
        } else {
            c.errorResponse(m.header.sender, m.service, m.invokeId, ErrorClass.PROPERTY,
                            ErrorCode.WRITE_ACCESS_DENIED);
        }
    });
    for (const ev of ['deviceCommunicationControl', 'reinitializeDevice']) {
        c.on(ev, (m) => {
            console.log(ev + ' ' + JSON.stringify(m.payload));
            c.simpleAckResponse(m.header.sender, m.service, m.invokeId);
        });
    }
    c.on('subscribeCov', (m) => {
        console.log('subscribeCov ' + JSON.stringify(m.payload));
        c.simpleAckResponse(m.header.sender, m.service, m.invokeId);
        const p = m.payload;
        setTimeout(() => c.unconfirmedCOVNotification(
            m.header.sender, p.subscriberProcessId, DEVICE, p.monitoredObjectId, 60,
            [{property: {id: PI.PRESENT_VALUE}, value: [{type: AT.REAL, value: pv}]},
             {property: {id: PI.STATUS_FLAGS},
              value: [{type: AT.BIT_STRING, value: {value: [0], bitsUsed: 4}}]}]), 50);
    });
    c.on('timeSync', (m) => console.log('timeSync ' + JSON.stringify(m.payload)));
    c.on('error', (e) => console.log('error ' + e.message));
    c.on('listening', () => console.log('listening'));
    const stop = () => {
        c.close();
        process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

let failed = 0;

// step NAME FN [EXPECT]: EXPECT 'error' when the device must refuse
async function step(name, fn, expect) {
    try {
        const r = await fn();
        if (expect === 'error') {
            failed++;
            console.log('step ' + name + ' unexpectedly ok');
        } else {
            let shown = '';
            if (r && r.values)
                shown = ' ' + JSON.stringify(r.values).slice(0, 160);
            console.log('step ' + name + ' ok' + shown);
        }
        return r;
    } catch (e) {
        if (expect !== 'error')
            failed++;
        console.log('step ' + name + (expect === 'error' ? ' refused ' : ' error ') + e.message);
        return null;
    }
}

async function client() {
    const c = new Bacnet({
        port: 47809,
        interface: '127.0.0.1',
        broadcastAddress: '127.255.255.255',
        apduTimeout: 2000,
    });
    c.on('error', (e) => console.log('error ' + e.message));
    await new Promise((r) => c.on('listening', r));
    const dev = {type: OT.DEVICE, instance: DEVICE};
    const av1 = {type: OT.ANALOG_VALUE, instance: 1};

    await step('who_is', () => new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no I-Am')), 2000);
        c.on('iAm', (m) => {
            clearTimeout(t);
            console.log('iAm ' + JSON.stringify(m.payload));
            resolve();
        });
        c.whoIs(device, {lowLimit: 1000, highLimit: 2000});
    }));
    await step('read_device_name', () => c.readProperty(device, dev, PI.OBJECT_NAME));
    await step('read_av1_pv', () => c.readProperty(device, av1, PI.PRESENT_VALUE));
    await step('write_av1_pv', () =>
        c.writeProperty(device, av1, PI.PRESENT_VALUE, [{type: AT.REAL, value: 23.5}],
                        {priority: 8}));
    await step('read_av1_pv_again', () => c.readProperty(device, av1, PI.PRESENT_VALUE));
    await step('read_multiple_device', () => c.readPropertyMultiple(device, [{
        objectId: dev,
        properties: [{id: PI.VENDOR_NAME}, {id: PI.MODEL_NAME}, {id: PI.FIRMWARE_REVISION}],
    }]));
    await step('read_unknown_object', () =>
        c.readProperty(device, {type: OT.ANALOG_INPUT, instance: 99}, PI.PRESENT_VALUE), 'error');
    await step('write_read_only', () =>
        c.writeProperty(device, dev, PI.OBJECT_NAME,
                        [{type: AT.CHARACTER_STRING, value: 'renamed'}], {}), 'error');
    await step('subscribe_cov', () => new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no COV notification')), 2000);
        c.on('covNotifyUnconfirmed', (m) => {
            clearTimeout(t);
            console.log('covNotifyUnconfirmed ' + JSON.stringify(m.payload).slice(0, 200));
            resolve();
        });
        c.subscribeCov(device, av1, 7, false, false, 60).catch(reject);
    }));
    await step('time_sync', () => c.timeSync(device, new Date(Date.UTC(2024, 0, 2, 3, 4, 5))));
    await step('device_communication_control', () =>
        c.deviceCommunicationControl(device, 1, bacnetjs.EnableDisable.DISABLE_INITIATION,
                                     {password: 'bacpw'}));
    await step('reinitialize_device', () =>
        c.reinitializeDevice(device, bacnetjs.ReinitializedState.WARMSTART, {password: 'bacpw'}));
    // no handler in the device: the library answers with a reject-style error
    await step('atomic_read_file', () =>
        c.readFile(device, {type: OT.FILE, instance: 1}, 0, 64), 'error');
    await new Promise((r) => setTimeout(r, 200));
    c.close();
    console.log(failed ? 'FAILED ' + failed : 'done');
    process.exit(failed ? 1 : 0);
}

if (mode === 'server')
    server();
else if (mode === 'client')
    client().catch((e) => {
        console.log('client failed: ' + e.stack);
        process.exit(1);
    });
else {
    console.error('usage: bacnet-bacnet-js.js server|client');
    process.exit(2);
}
