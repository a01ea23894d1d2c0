#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""modbus-pymodbus: a second real Modbus/TCP stack (pymodbus 3.0, Debian's
python3-pymodbus) as a test peer.

Usage: modbus-pymodbus.py server PORT     serve 127.0.0.1:PORT until killed (or 20 s)
       modbus-pymodbus.py client PORT     run the fixed script, exit 0 when every
                                          step gave what it should

tests/peers/capture-modbus-peer.sh pymodbus runs both under tcpdump to make
tests/pcaps/modbus-pymodbus.pcap.  Beyond what the libmodbus peer covers, the
pymodbus server answers read device identification (FC43/14) from a real
identity object, diagnostics (FC8), read exception status (FC7) and get comm
event counter (FC11).
"""

import asyncio
import logging
import signal
import sys

from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                ModbusSlaveContext)
from pymodbus.device import ModbusDeviceIdentification

SERVE_SEC = 20  # the server never outlives a stuck capture
UNIT = 1
SIZE = 100      # 100 objects of each type from address 0; beyond: exception 02


def identity():
    return ModbusDeviceIdentification(info_name={
        "VendorName": "otsensor test peer",
        "ProductCode": "PYMB-1",
        "MajorMinorRevision": "3.0.0",
        "VendorUrl": "https://github.com/pymodbus-dev/pymodbus",
        "ProductName": "pymodbus server",
        "ModelName": "pymodbus TCP",
        "UserApplicationName": "capture-modbus-peer",
    })


def server(port):
    from pymodbus.server import StartAsyncTcpServer
    slave = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(SIZE)]),
        co=ModbusSequentialDataBlock(0, [i % 2 for i in range(SIZE)]),
        hr=ModbusSequentialDataBlock(0, [i * 10 for i in range(SIZE)]),
        ir=ModbusSequentialDataBlock(0, [1000 + i for i in range(SIZE)]),
        zero_mode=True)
    context = ModbusServerContext(slaves=slave, single=True)

    async def run():
        srv = await StartAsyncTcpServer(context=context, identity=identity(),
                                        address=("127.0.0.1", port), defer_start=True,
                                        allow_reuse_address=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        task = asyncio.create_task(srv.serve_forever())
        await asyncio.sleep(0.2)
        print("listening 127.0.0.1:%d" % port, flush=True)
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait([task, waiter], timeout=SERVE_SEC,
                           return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        close = srv.server_close()
        if asyncio.iscoroutine(close):
            await close
        task.cancel()
    asyncio.run(run())
    return 0


def client(port):
    from pymodbus.client import ModbusTcpClient
    from pymodbus.mei_message import ReadDeviceInformationRequest
    from pymodbus.other_message import GetCommEventCounterRequest, ReportSlaveIdRequest
    from pymodbus.pdu import ExceptionResponse

    c = ModbusTcpClient("127.0.0.1", port=port, timeout=2)
    if not c.connect():
        print("client: cannot connect to 127.0.0.1:%d" % port)
        return 1
    failures = 0

    def step(what, fn, want_exception=None):
        nonlocal failures
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 -- a peer failure is reported, not raised
            print("FAIL %s: %s" % (what, e))
            failures += 1
            return
        is_exc = isinstance(r, ExceptionResponse)
        if want_exception is None and not is_exc and not r.isError():
            print("ok   %s" % what)
        elif want_exception is not None and is_exc and r.exception_code == want_exception:
            print("ok   %s (expected exception %d)" % (what, want_exception))
        else:
            print("FAIL %s: %s" % (what, r))
            failures += 1

    s = UNIT
    step("FC1 read coils 0..15", lambda: c.read_coils(0, 16, slave=s))
    step("FC2 read discrete inputs 0..7", lambda: c.read_discrete_inputs(0, 8, slave=s))
    step("FC3 read holding registers 0..9", lambda: c.read_holding_registers(0, 10, slave=s))
    step("FC4 read input registers 0..7", lambda: c.read_input_registers(0, 8, slave=s))
    step("FC5 write single coil 3", lambda: c.write_coil(3, True, slave=s))
    step("FC6 write single register 5", lambda: c.write_register(5, 0x1234, slave=s))
    step("FC15 write coils 20..31",
         lambda: c.write_coils(20, [True, False, True, True, False, False, True, True, True,
                                    False, False, True], slave=s))
    step("FC16 write registers 10..13",
         lambda: c.write_registers(10, [0x000A, 0x0102, 0xBEEF, 0xFFFF], slave=s))
    step("FC22 mask write register 5", lambda: c.mask_write_register(5, 0x00F2, 0x0025, slave=s))
    step("FC23 read 0..3, write 30..31",
         lambda: c.readwrite_registers(read_address=0, read_count=4, write_address=30,
                                       write_registers=[7, 8], slave=s))
    step("FC7 read exception status", lambda: c.read_exception_status(slave=s))
    step("FC8/0 return query data", lambda: c.diag_query_data(0xA537, slave=s))
    step("FC8/11 return bus message count", lambda: c.diag_read_bus_message_count(slave=s))
    step("FC11 get comm event counter", lambda: c.execute(GetCommEventCounterRequest(slave=s)))
    step("FC17 report server id", lambda: c.execute(ReportSlaveIdRequest(slave=s)))
    step("FC43/14 read device id basic",
         lambda: c.execute(ReadDeviceInformationRequest(read_code=1, object_id=0, slave=s)))
    step("FC43/14 read device id regular",
         lambda: c.execute(ReadDeviceInformationRequest(read_code=2, object_id=0, slave=s)))
    step("FC3 read holding registers 500..501",
         lambda: c.read_holding_registers(500, 2, slave=s), want_exception=2)
    step("FC3 read holding registers 0..1", lambda: c.read_holding_registers(0, 2, slave=s))
    c.close()
    return 1 if failures else 0


def main(argv):
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    if len(argv) != 3 or argv[1] not in ("server", "client") or not argv[2].isdigit():
        sys.stderr.write("usage: modbus-pymodbus.py server|client PORT\n")
        return 2
    port = int(argv[2])
    return server(port) if argv[1] == "server" else client(port)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
