#!/usr/bin/python3
"""qtest-smoke.py - the qtest server end to end: build/qomu started the
way QEMU's libqtest starts QEMU, driven over its two sockets.

libqtest listens on /tmp/qtest-PID.sock (qtest) and /tmp/qtest-PID.qmp
(QMP), starts the VMM with "-qtest unix:SOCK -qtest-log /dev/null
-chardev socket,path=QMP,id=char0 -mon chardev=char0,mode=control
-display none -audio none ... -accel qtest" and accepts both connections;
the VMM connects to both as a client.  This script does the same with the
standard library only, and checks: the PCI host bridge's ID through
0xcf8/0xcfc, the clock commands, FAIL for malformed commands (the machine
lives on), IRQ interception with a real device (the serial port's THR
empty interrupt is ISA IRQ 4), the three ways of choosing the accelerator,
the launch through a symlink named qemu-system-x86_64 (QEMU's
"progname: " prefix is the basename), exit status 0 on SIGTERM, and
-audio's accepted forms.

Follows scripts/run-tests.sh's protocol: "PASS|FAIL <test>" lines, then
"qtest-smoke: N passed, N failed"; exit 0 or 1 (77: no qomu).
Environment: QOMU (the binary, default build/qomu).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

NAME = "qtest-smoke"
HERE = os.path.dirname(os.path.abspath(__file__))
QOMU = os.environ.get("QOMU",
                      os.path.join(HERE, "..", "..", "build", "qomu"))
TIMEOUT = 20

passed = 0
failed = 0


def result(test, why=None):
    global passed, failed
    if why is None:
        print(f"PASS {test}")
        passed += 1
    else:
        print(f"FAIL {test}: {why}")
        failed += 1


class Qtest:
    """A VMM started as libqtest starts it, with both connections."""

    def __init__(self, binary, extra):
        tag = f"{os.getpid()}-{id(self)}"
        self.sock_path = f"/tmp/qtest-{tag}.sock"
        self.qmp_path = f"/tmp/qtest-{tag}.qmp"
        for p in (self.sock_path, self.qmp_path):
            if os.path.exists(p):
                os.unlink(p)
        self.lsock = self._listen(self.sock_path)
        self.lqmp = self._listen(self.qmp_path)
        self.args = [binary, "-qtest", f"unix:{self.sock_path}",
                     "-qtest-log", "/dev/null",
                     "-chardev", f"socket,path={self.qmp_path},id=char0",
                     "-mon", "chardev=char0,mode=control",
                     "-display", "none", "-audio", "none"] + extra
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.fd, _ = self.lsock.accept()
        self.fd.settimeout(TIMEOUT)
        self.qmp, _ = self.lqmp.accept()
        self.qmp.settimeout(TIMEOUT)
        self.rfile = self.fd.makefile("r")
        self.qfile = self.qmp.makefile("r")
        self.irqs = []

    @staticmethod
    def _listen(path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(1)
        s.settimeout(TIMEOUT)
        return s

    def cmd(self, line):
        """Send one command; its reply (IRQ lines are collected)."""
        self.fd.sendall((line + "\n").encode())
        while True:
            reply = self.rfile.readline()
            if not reply:
                raise EOFError("qtest connection closed")
            reply = reply.rstrip("\n")
            if reply.startswith("IRQ "):
                self.irqs.append(reply)
                continue
            return reply

    def qmp_cmd(self, execute):
        self.qmp.sendall(json.dumps({"execute": execute}).encode() + b"\n")
        while True:
            msg = json.loads(self.qfile.readline())
            if "event" not in msg:
                return msg

    def terminate(self):
        """SIGTERM (what libqtest's qtest_quit sends); the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.stderr = err
        for s in (self.rfile, self.qfile, self.fd, self.qmp, self.lsock,
                  self.lqmp):
            s.close()
        for p in (self.sock_path, self.qmp_path):
            if os.path.exists(p):
                os.unlink(p)
        return self.proc.returncode


def expect(test, got, want):
    result(test, None if got == want else f"got {got!r}, want {want!r}")


def session(binary, extra, label):
    """The libqtest-style session: QMP, PCI ID, clock, FAILs, IRQs."""
    q = Qtest(binary, extra)
    greeting = json.loads(q.qfile.readline())
    result(f"{label}/qmp-greeting",
           None if "QMP" in greeting else f"got {greeting!r}")
    expect(f"{label}/qmp-capabilities", q.qmp_cmd("qmp_capabilities"),
           {"return": {}})
    expect(f"{label}/endianness", q.cmd("endianness"), "OK little")
    expect(f"{label}/outl-cf8", q.cmd("outl 0xcf8 0x80000000"), "OK")
    expect(f"{label}/inl-cfc-8086-1237", q.cmd("inl 0xcfc"),
           "OK 0x12378086")
    # The virtual clock starts at 0 and moves only on command.
    expect(f"{label}/clock-step", q.cmd("clock_step 1000"), "OK 1000")
    expect(f"{label}/clock-set", q.cmd("clock_set 5000"), "OK 5000")
    expect(f"{label}/clock-set-back", q.cmd("clock_set 10"), "OK 5000")
    # Malformed: FAIL, the machine goes on.
    for line, want in (("inb 0x10000", "FAIL inb: port 0x10000 is out of "
                        "range (at most 0xffff)"),
                       ("outb 0x80", "FAIL usage: outb ADDR VALUE"),
                       ("read 0 0", "FAIL read: SIZE must be at least 1"),
                       ("frobnicate", "FAIL Unknown command 'frobnicate'"),
                       ("irq_intercept_in nowhere", "FAIL Unknown device"),
                       ("write 0 2 0xzz", "FAIL write: DATA has a character "
                        "that is not a hex digit: 'z'")):
        expect(f"{label}/fail/{line.split()[0]}", q.cmd(line), want)
    expect(f"{label}/alive-after-fails", q.cmd("inl 0xcfc"),
           "OK 0x12378086")
    expect(f"{label}/memory", [q.cmd("writeq 0x1000 0x1122334455667788"),
                               q.cmd("read 0x1000 8"),
                               q.cmd("b64read 0x1000 8")],
           ["OK", "OK 0x8877665544332211", "OK iHdmVUQzIhE="])
    # A device raising its ISA IRQ: the serial port (IRQ 4), THR empty.
    expect(f"{label}/irq-intercept", q.cmd("irq_intercept_in ioapic"), "OK")
    q.cmd("outb 0x3fc 0x08")            # MCR: OUT2 (IRQ enable)
    q.cmd("outb 0x3f9 0x02")            # IER: THR empty
    q.cmd("endianness")
    raised = list(q.irqs)
    q.cmd("outb 0x3f9 0x00")
    q.cmd("endianness")
    expect(f"{label}/irq-serial", q.irqs, raised + ["IRQ lower 4"]
           if raised == ["IRQ raise 4"] else ["IRQ raise 4", "IRQ lower 4"])
    q.irqs.clear()
    expect(f"{label}/set-irq-in",
           [q.cmd("set_irq_in ioapic unnamed-gpio-in 14 1"), q.irqs],
           ["OK", ["IRQ raise 14"]])
    expect(f"{label}/qmp-status", q.qmp_cmd("query-status")["return"]
           ["status"], "prelaunch")
    expect(f"{label}/sigterm-exit-0", q.terminate(), 0)
    return q


def run(args):
    return subprocess.run(args, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TIMEOUT)


def main():
    if not os.access(QOMU, os.X_OK):
        print(f"{NAME}: skipped: {QOMU} not built")
        return 77
    tmp = tempfile.mkdtemp(prefix="qtest-smoke-")
    try:
        # The brief's line: -machine pc,accel=qtest
        session(QOMU, ["-machine", "pc,accel=qtest", "-nodefaults", "-S",
                       "-device", "isa-serial"], "machine-accel")
        # QEMU 7.2 libqtest's: -machine pc ... -accel qtest
        session(QOMU, ["-machine", "pc", "-nodefaults", "-S",
                       "-device", "isa-serial", "-accel", "qtest"],
                "accel-option")
        # No accelerator: -qtest makes it qtest
        session(QOMU, ["-machine", "pc", "-nodefaults", "-S",
                       "-device", "isa-serial"], "default-accel")
        # Through a symlink named as QEMU's binary
        link = os.path.join(tmp, "qemu-system-x86_64")
        os.symlink(os.path.abspath(QOMU), link)
        q = session(link, ["-machine", "pc", "-nodefaults", "-S",
                           "-device", "isa-serial", "-accel", "qtest"],
                    "symlink")
        expect("symlink/terminating-prefix",
               q.stderr.startswith("qemu-system-x86_64: terminating on "
                                   "signal 15"), True)
        r = run([link, "-qtest", f"unix:{tmp}/nonexistent", "-machine",
                 "pc", "-nodefaults", "-display", "none", "-S"])
        expect("symlink/connect-fails", (r.returncode, r.stderr),
               (1, f"qemu-system-x86_64: Failed to connect to "
                   f"'{tmp}/nonexistent': No such file or directory\n"
                   f"qemu-system-x86_64: Failed to initialize device for "
                   f"qtest: \"unix:{tmp}/nonexistent\"\n"))
        # -audio: QEMU 7.2's syntax, the "none" driver only
        r = run([QOMU, "-audio", "help"])
        expect("audio/help", (r.returncode, r.stdout),
               (0, "Available audio drivers:\nnone\n"))
        for arg, msg in (("foo", "Parameter 'driver' does not accept value "
                          "'foo'"),
                         ("alsa", "Unknown audio driver `alsa'"),
                         ("none,bogus=1", "Parameter 'bogus' is unexpected"),
                         ("none,model=sb16", "Unknown sound card name "
                          "`sb16'\nValid sound card names (comma "
                          "separated):")):
            r = run([QOMU, "-audio", arg, "-machine", "none",
                     "-accel", "dummy"])
            expect(f"audio/{arg}", (r.returncode, r.stderr),
                   (1, f"qomu: -audio {arg}: {msg}\n"))
        r = run([QOMU, "-qtest-log"])
        expect("qtest-log/needs-argument", (r.returncode, r.stderr),
               (1, "qomu: -qtest-log: requires an argument\n"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{NAME}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
