#!/usr/bin/env python3
"""A minimal qemu-guest-agent client for bench scripts, for guests parvirt does not manage.

  qga.py SOCKET --wait SECONDS          wait until the agent answers guest-sync (the guest is up)
  qga.py SOCKET [--timeout S] -- CMD..  run CMD through guest-exec, print its stdout and stderr,
                                        exit with its exit code (what `parvirt guest exec` does)

SOCKET is the Unix socket of QEMU's agent chardev (server=on). The agent answers on a byte stream
of JSON objects; guest-sync-delimited makes it send 0xFF first, which resynchronises after a
client that left half a reply behind.
"""
import base64
import json
import socket
import sys
import time


class Agent:
    def __init__(self, path, timeout):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""
        self.dec = json.JSONDecoder()

    def close(self):
        self.s.close()

    def _next(self):
        while True:
            text = self.buf.lstrip(b"\xff \r\n\t")
            if text:
                try:
                    obj, end = self.dec.raw_decode(text.decode("utf-8"))
                    self.buf = text.decode("utf-8")[end:].encode("utf-8")
                    return obj
                except ValueError:
                    pass
            data = self.s.recv(65536)
            if not data:
                raise EOFError("agent socket closed")
            self.buf += data

    def sync(self):
        sid = int(time.time() * 1000) % 2**31
        self.s.sendall(json.dumps({"execute": "guest-sync-delimited", "arguments": {"id": sid}}).encode())
        while True:
            r = self._next()
            if r.get("return") == sid:
                return

    def call(self, cmd, args=None):
        msg = {"execute": cmd}
        if args is not None:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode())
        r = self._next()
        if "error" in r:
            raise RuntimeError("%s: %s" % (cmd, r["error"].get("desc", r["error"])))
        return r.get("return")


def wait(path, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            a = Agent(path, 2)
            try:
                a.sync()
                a.call("guest-ping")
                return 0
            finally:
                a.close()
        except (OSError, EOFError, ValueError, RuntimeError):
            time.sleep(0.2)
    print("qga.py: no answer from the agent on %s within %s s" % (path, seconds), file=sys.stderr)
    return 1


def run(path, timeout, argv):
    a = Agent(path, 30)
    try:
        a.sync()
        pid = a.call("guest-exec", {"path": argv[0], "arg": argv[1:], "capture-output": True})["pid"]
        deadline = time.time() + timeout
        while True:
            st = a.call("guest-exec-status", {"pid": pid})
            if st.get("exited"):
                break
            if time.time() > deadline:
                print("qga.py: %s did not finish within %s s" % (argv[0], timeout), file=sys.stderr)
                return 124
            time.sleep(0.05)
        sys.stdout.buffer.write(base64.b64decode(st.get("out-data", "")))
        sys.stdout.flush()
        sys.stderr.buffer.write(base64.b64decode(st.get("err-data", "")))
        sys.stderr.flush()
        if "exitcode" in st:
            return st["exitcode"]
        return 128 + st.get("signal", 0)
    finally:
        a.close()


def main(args):
    if len(args) >= 3 and args[1] == "--wait":
        return wait(args[0], float(args[2]))
    if len(args) >= 3:
        path, rest = args[0], args[1:]
        timeout = 120.0
        if rest[0] == "--timeout":
            timeout, rest = float(rest[1]), rest[2:]
        if rest and rest[0] == "--" and len(rest) > 1:
            return run(path, timeout, rest[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
