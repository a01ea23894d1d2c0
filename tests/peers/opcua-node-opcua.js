// SPDX-License-Identifier: BSD-3-Clause
// summary: an OPC UA server and client from node-opcua, for capture-node-peer.sh.
//
// Usage: node opcua-node-opcua.js server|client
//   server: OPCUAServer on opc.tcp://127.0.0.1:4840 (bound to 127.0.0.1), security
//           policies None and Basic256Sha256 (modes None, Sign, SignAndEncrypt),
//           anonymous allowed and user "operator" / "s3cret"; Objects/Device holds
//           a Double variable ns=1;s=Temperature and a method ns=1;s=Reset(UInt32).
//           Prints "listening"; runs until SIGTERM.
//   client: four sessions, one connection each, running the fixed script below and
//           printing "step NAME ok|error"; exits 0 when every step succeeded:
//             1. None, anonymous: browse Objects, read, write 42.5, call Reset(3),
//                a subscription with a monitored item (two data changes), close
//             2. None, user name "operator": read, write 17.25, close
//             3. Basic256Sha256 Sign, anonymous: read, close
//             4. Basic256Sha256 SignAndEncrypt, user name: read, write 99, close
//           Each connection first asks GetEndpoints over security None.
// The certificates (made at start, self-signed) live in $OPCUA_PEER_DIR (a temp
// folder of capture-node-peer.sh).  tests/peers/check-peers.py checks the sensor
// reports these steps: keep the two in step.
'use strict';
const path = require('path');
const os = require('os');
const opcua = require('node-opcua');

const mode = process.argv[2];
const dir = process.env.OPCUA_PEER_DIR || path.join(os.tmpdir(), 'opcua-peer');
const url = 'opc.tcp://127.0.0.1:4840';
const user = {userName: 'operator', password: 's3cret'};

async function server() {
    const serverCertificateManager = new opcua.OPCUACertificateManager({
        rootFolder: path.join(dir, 'server-pki'),
        automaticallyAcceptUnknownCertificate: true,
    });
    await serverCertificateManager.initialize();
    const srv = new opcua.OPCUAServer({
        port: 4840,
        host: '127.0.0.1',
        hostname: '127.0.0.1',
        serverCertificateManager,
        securityPolicies: [opcua.SecurityPolicy.None, opcua.SecurityPolicy.Basic256Sha256],
        securityModes: [opcua.MessageSecurityMode.None, opcua.MessageSecurityMode.Sign,
                        opcua.MessageSecurityMode.SignAndEncrypt],
        allowAnonymous: true,
        userManager: {
            isValidUser: (u, p) => u === user.userName && p === user.password,
        },
        buildInfo: {productName: 'otsensor-peer', manufacturerName: 'node-opcua'},
    });
    await srv.initialize();
    const as = srv.engine.addressSpace;
    const ns = as.getOwnNamespace();
    const device = ns.addObject({
        organizedBy: as.rootFolder.objects,
        browseName: 'Device',
        nodeId: 's=Device',
    });
    let temperature = 20.0;
    ns.addVariable({
        componentOf: device,
        browseName: 'Temperature',
        nodeId: 's=Temperature',
        dataType: 'Double',
        minimumSamplingInterval: 50,
        accessLevel: 'CurrentRead | CurrentWrite',
        userAccessLevel: 'CurrentRead | CurrentWrite',
        value: {
            get: () => new opcua.Variant({dataType: opcua.DataType.Double, value: temperature}),
            set: (v) => {
                temperature = v.value;
                console.log('write Temperature ' + temperature);
                return opcua.StatusCodes.Good;
            },
        },
    });
    const reset = ns.addMethod(device, {
        browseName: 'Reset',
        nodeId: 's=Reset',
        inputArguments: [{name: 'level', dataType: opcua.DataType.UInt32}],
        outputArguments: [{name: 'done', dataType: opcua.DataType.Boolean}],
    });
    reset.bindMethod(async (args, context) => { // eslint-disable-line no-unused-vars
        console.log('call Reset ' + args[0].value);
        return {
            statusCode: opcua.StatusCodes.Good,
            outputArguments: [{dataType: opcua.DataType.Boolean, value: true}],
        };
    });
    await srv.start();
    console.log('listening ' + srv.getEndpointUrl());
    const stop = async () => {
        await srv.shutdown(100);
        process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

let failed = 0;

async function step(name, fn) {
    try {
        const r = await fn();
        let shown = '';
        if (r && r.statusCode)
            shown = ' ' + r.statusCode.name;
        else if (Array.isArray(r))
            shown = ' ' + r.map((x) => (x && x.name) || String(x)).join(',');
        else if (r && r.name)
            shown = ' ' + r.name;
        console.log('step ' + name + ' ok' + shown);
        return r;
    } catch (e) {
        failed++;
        console.log('step ' + name + ' error ' + e.message);
        return null;
    }
}

const temp = 'ns=1;s=Temperature';
const readTemp = (s) => s.read({nodeId: temp, attributeId: opcua.AttributeIds.Value});
const writeTemp = (s, v) =>
    s.write({
        nodeId: temp,
        attributeId: opcua.AttributeIds.Value,
        value: {value: {dataType: opcua.DataType.Double, value: v}},
    });

async function session(tag, securityMode, securityPolicy, identity, body) {
    const clientCertificateManager = new opcua.OPCUACertificateManager({
        rootFolder: path.join(dir, 'client-pki'),
        automaticallyAcceptUnknownCertificate: true,
    });
    const client = opcua.OPCUAClient.create({
        applicationName: 'otsensor-peer-client',
        endpointMustExist: false,
        securityMode,
        securityPolicy,
        clientCertificateManager,
        connectionStrategy: {maxRetry: 1, initialDelay: 200, maxDelay: 500},
    });
    if (!(await step(tag + '_connect', () => client.connect(url).then(() => true))))
        return;
    const s = await step(tag + '_create_session', () => client.createSession(identity));
    if (s) {
        await body(s);
        await step(tag + '_close_session', () => s.close().then(() => true));
    }
    await client.disconnect();
}

async function client() {
    const M = opcua.MessageSecurityMode, P = opcua.SecurityPolicy;
    const anonymous = {type: opcua.UserTokenType.Anonymous};
    const named = {type: opcua.UserTokenType.UserName, ...user};

    await session('s1', M.None, P.None, anonymous, async (s) => {
        await step('s1_browse_objects', () => s.browse('ns=0;i=85'));
        await step('s1_read', () => readTemp(s));
        await step('s1_write', () => writeTemp(s, 42.5));
        await step('s1_call', () =>
            s.call({
                objectId: 'ns=1;s=Device',
                methodId: 'ns=1;s=Reset',
                inputArguments: [{dataType: opcua.DataType.UInt32, value: 3}],
            }));
        await step('s1_subscription', async () => {
            const sub = opcua.ClientSubscription.create(s, {
                requestedPublishingInterval: 100,
                requestedLifetimeCount: 100,
                requestedMaxKeepAliveCount: 10,
                maxNotificationsPerPublish: 10,
                publishingEnabled: true,
                priority: 1,
            });
            const item = opcua.ClientMonitoredItem.create(
                sub, {nodeId: temp, attributeId: opcua.AttributeIds.Value},
                {samplingInterval: 50, discardOldest: true, queueSize: 5},
                opcua.TimestampsToReturn.Both);
            let changes = 0;
            const seen = new Promise((resolve, reject) => {
                const t = setTimeout(() => reject(new Error('no data change')), 5000);
                item.on('changed', (dv) => {
                    console.log('changed ' + dv.value.value);
                    if (++changes === 2) {
                        clearTimeout(t);
                        resolve();
                    }
                });
            });
            await new Promise((r) => setTimeout(r, 400));
            await writeTemp(s, 43.5);
            await seen;
            await sub.terminate();
            return true;
        });
    });
    await session('s2', M.None, P.None, named, async (s) => {
        await step('s2_read', () => readTemp(s));
        await step('s2_write', () => writeTemp(s, 17.25));
    });
    await session('s3', M.Sign, P.Basic256Sha256, anonymous, async (s) => {
        await step('s3_read', () => readTemp(s));
    });
    await session('s4', M.SignAndEncrypt, P.Basic256Sha256, named, async (s) => {
        await step('s4_read', () => readTemp(s));
        await step('s4_write', () => writeTemp(s, 99));
    });
    console.log(failed ? 'FAILED ' + failed : 'done');
    process.exit(failed ? 1 : 0);
}

if (mode === 'server') {
    server().catch((e) => {
        console.log('server failed: ' + e.stack);
        process.exit(1);
    });
} else if (mode === 'client') {
    client().catch((e) => {
        console.log('client failed: ' + e.stack);
        process.exit(1);
    });
} else {
    console.error('usage: opcua-node-opcua.js server|client');
    process.exit(2);
}
