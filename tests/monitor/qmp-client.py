#!/usr/bin/python3
"""qmp-client.py - drive qomu the way QEMU's own Python QMP library does.

QEMU's qemu.qmp (python/qemu/qmp: QMPClient, and the legacy
QEMUMonitorProtocol that qmp-shell uses) is not packaged for Debian and
cannot be installed here, so this is a stdlib-only client that makes the
same moves and the same checks, step for step:
  - reads the greeting as one line and validates it as its Greeting model
    does ('QMP' an object; 'version' an object, 'capabilities' an array),
    and qmp-shell's "Connected to QEMU {major}.{minor}.{micro}" fields;
  - negotiates with qmp_capabilities, asking for 'oob' only if offered;
  - executes with ids "__qmp#00000", "__qmp#00001"..., routes replies by
    id and events by the 'event' key, and checks each reply has 'return'
    or an 'error' with string 'class' and 'desc' (its ErrorResponse);
  - fills qmp-shell's completion from query-commands and runs an HMP
    command as qmp-shell -H does (human-monitor-command).

  qmp-client.py SOCKET        exit 0 on success, 1 with a message.
"""
import asyncio
import json
import sys


class QMPError(Exception):
    pass


class Client:
    def __init__(self):
        self.next_id = 0
        self.events = []

    async def connect(self, path):
        self.reader, self.writer = await asyncio.open_unix_connection(
            path, limit=10 * 1024 * 1024)
        greeting = await self.recv()
        qmp = greeting['QMP']
        if not isinstance(qmp, dict):
            raise QMPError("'QMP' must be a JSON object")
        if not isinstance(qmp['version'], dict):
            raise QMPError("'version' must be a JSON object")
        if not isinstance(qmp['capabilities'], list):
            raise QMPError("'capabilities' must be a JSON array")
        self.greeting = greeting
        args = {}
        if 'oob' in qmp['capabilities']:
            args['enable'] = ['oob']
        await self.send({'execute': 'qmp_capabilities', 'arguments': args})
        reply = await self.recv()
        if 'return' not in reply or 'error' in reply:
            raise QMPError(f"negotiation failed: {reply}")

    async def recv(self):
        line = await asyncio.wait_for(self.reader.readline(), 10)
        if not line:
            raise EOFError("server hung up")
        return json.loads(line)

    async def send(self, msg):
        self.writer.write(json.dumps(msg).encode() + b'\n')
        await self.writer.drain()

    async def execute(self, cmd, arguments=None):
        exec_id = f"__qmp#{self.next_id:05d}"
        self.next_id += 1
        msg = {'execute': cmd, 'id': exec_id}
        if arguments is not None:
            msg['arguments'] = arguments
        await self.send(msg)
        while True:
            reply = await self.recv()
            if 'event' in reply:
                self.events.append(reply)
                continue
            if reply.get('id') != exec_id:
                raise QMPError(f"unroutable reply {reply}")
            if 'error' in reply:
                err = reply['error']
                if not isinstance(err.get('class'), str) or \
                        not isinstance(err.get('desc'), str):
                    raise QMPError(f"bad error reply {reply}")
                raise QMPError(f"{err['class']}: {err['desc']}")
            if 'return' not in reply:
                raise QMPError(f"bad reply {reply}")
            return reply['return']


def check(cond, what):
    if not cond:
        raise QMPError(what)


async def main(path):
    c = Client()
    await c.connect(path)
    ver = c.greeting['QMP']['version']['qemu']
    print("Connected to QEMU {major}.{minor}.{micro}".format(**ver))
    names = [cmd['name'] for cmd in await c.execute('query-commands')]
    for need in ('qom-list', 'qom-get', 'qom-set', 'stop', 'cont', 'quit',
                 'human-monitor-command'):
        check(need in names, f"query-commands lacks {need}")
    props = await c.execute('qom-list', {'path': '/machine'})
    check({'name': 'unattached', 'type': 'child<container>'} in props,
          "qom-list /machine")
    cpus = await c.execute('query-cpus-fast')
    check(len(cpus) >= 1 and all(cpu['thread-id'] > 0 for cpu in cpus),
          "query-cpus-fast thread ids")
    check(await c.execute('qom-get', {'path': cpus[0]['qom-path'],
                                      'property': 'realized'}) is True,
          "realized")
    try:
        await c.execute('qom-get', {'path': '/nosuch', 'property': 'x'})
        raise QMPError("qom-get /nosuch succeeded")
    except QMPError as e:
        check(str(e) == "DeviceNotFound: Device '/nosuch' not found", str(e))
    out = await c.execute('human-monitor-command',
                          {'command-line': 'info status'})
    check(out == "VM status: paused (prelaunch)\r\n", repr(out))
    await c.execute('cont')
    await c.execute('stop')
    check([e['event'] for e in c.events] == ['RESUME', 'STOP'],
          f"events {c.events}")
    check(all(set(e['timestamp']) == {'seconds', 'microseconds'}
              for e in c.events), "timestamps")
    # SHUTDOWN precedes quit's reply, as with QEMU
    await c.execute('quit')
    check(c.events[-1]['event'] == 'SHUTDOWN' and c.events[-1]['data'] ==
          {'guest': False, 'reason': 'host-qmp-quit'}, f"{c.events[-1]}")
    print("ok")


if __name__ == '__main__':
    try:
        asyncio.run(main(sys.argv[1]))
    except Exception as e:          # report, fail
        print(f"qmp-client: {type(e).__name__}: {e}")
        sys.exit(1)
