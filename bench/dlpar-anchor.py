#!/usr/bin/env python3
"""The anchor of bench/dlpar.sh: processor and memory DLPAR done by hand on a plain QEMU.

  dlpar-anchor.py DIR KERNEL INITRD RUNS [--record TRANSCRIPT_DIR]

Starts QEMU with the command line parvirt gives a partition of desired_mem=1024, max_mem=1536,
desired_procs=1, max_procs=RUNS+1 under TCG (QemuCommandLine: -m size=1024M,maxmem=1536M, -smp
1,maxcpus=N, a virtio-mem-pci device on a shared memfd, the same kernel command line, agent and
monitor sockets, -daemonize), waits for the agent, then times, RUNS times each, what parvirt's
GuestHotplug does, with the same QMP commands and agent calls and nothing else:

  vp_add     query-hotpluggable-cpus, device_add into the first free slot, guest-get-vcpus until
             the guest lists the new processor, guest-set-vcpus online   (1 -> 2 ... -> RUNS+1)
  mem_add    qom-set requested-size +512 MB, query-memory-devices until size follows, guest exec
             `cat /proc/meminfo` until MemTotal shows 99 % of it
  mem_remove qom-set requested-size back to 0, query-memory-devices until size is 0

One line per measurement on stdout: `anchor OP SECONDS`. QEMU is stopped (quit) at the end.
With --record, every QMP and agent exchange is written as the test transcripts are
(src/test/resources/qmp/*.jsonl, qga/*.jsonl: {"send":...} / {"recv":...} / {"sentinel":true}).
"""
import json
import os
import socket
import subprocess
import sys
import time

POLL = 0.05
MIB = 1024 * 1024


class Recorder:
    def __init__(self, path):
        self.f = open(path, "w") if path else None

    def __call__(self, kind, obj):
        if self.f:
            self.f.write(json.dumps({kind: obj} if kind != "sentinel" else {"sentinel": True},
                                    separators=(",", ":")) + "\n")
            self.f.flush()


class Qmp:
    def __init__(self, path, rec):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rwb")
        self.rec = rec
        self.id = 0
        self.rec("recv", json.loads(self.f.readline()))
        self.call("qmp_capabilities")

    def call(self, cmd, args=None):
        self.id += 1
        req = {"execute": cmd, "id": str(self.id)}
        if args is not None:
            req["arguments"] = args
        self.rec("send", req)
        self.f.write((json.dumps(req) + "\n").encode())
        self.f.flush()
        while True:
            msg = json.loads(self.f.readline())
            self.rec("recv", msg)
            if msg.get("id") == str(self.id):
                if "error" in msg:
                    raise RuntimeError(cmd + ": " + msg["error"]["desc"])
                return msg["return"]


class Agent:
    """One connection per call, guest-sync-delimited first, as parvirt's GuestAgent does."""

    def __init__(self, path, rec):
        self.path = path
        self.rec = rec

    def call(self, cmd, args=None, timeout=10):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.path)
        f = s.makefile("rwb")
        try:
            sync = {"execute": "guest-sync-delimited", "arguments": {"id": 123456}}
            self.rec("send", sync)
            f.write((json.dumps(sync) + "\n").encode())
            f.flush()
            while f.read(1) != b"\xff":
                pass
            self.rec("sentinel", None)
            self.rec("recv", json.loads(f.readline()))
            req = {"execute": cmd}
            if args is not None:
                req["arguments"] = args
            self.rec("send", req)
            f.write((json.dumps(req) + "\n").encode())
            f.flush()
            reply = json.loads(f.readline())
            self.rec("recv", reply)
            if "error" in reply:
                raise RuntimeError(cmd + ": " + reply["error"]["desc"])
            return reply["return"]
        finally:
            s.close()

    def mem_total_kb(self):
        pid = self.call("guest-exec", {"path": "cat", "arg": ["/proc/meminfo"], "capture-output": True})["pid"]
        while True:
            st = self.call("guest-exec-status", {"pid": pid})
            if st.get("exited"):
                import base64
                for line in base64.b64decode(st.get("out-data", "")).decode().splitlines():
                    if line.startswith("MemTotal:"):
                        return int(line.split()[1])
                raise RuntimeError("no MemTotal")
            time.sleep(POLL)


def command_line(d, kernel, initrd, maxcpus):
    return ["/usr/bin/qemu-system-x86_64", "-name", "guest=anchor,debug-threads=on",
            "-machine", "q35,accel=tcg", "-cpu", "max", "-m", "size=1024M,maxmem=1536M",
            "-smp", "1,maxcpus=%d" % maxcpus, "-nodefaults", "-no-user-config", "-display", "none",
            "-kernel", kernel, "-initrd", initrd, "-append",
            "console=ttyS0 quiet panic=0 swiotlb=noforce no_timer_check memhp_default_state=online_movable "
            "parvirt.hostname=anchor",
            "-chardev", "file,id=serial0,path=%s/serial.log" % d, "-serial", "chardev:serial0",
            "-chardev", "socket,id=qmp,path=%s/qmp.sock,server=on,wait=off" % d, "-mon", "chardev=qmp,mode=control",
            "-device", "virtio-serial-pci,id=vser0",
            "-chardev", "socket,id=qga0,path=%s/qga.sock,server=on,wait=off" % d,
            "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0",
            "-object", "memory-backend-memfd,id=mem-vmem0,size=512M,share=on",
            "-device", "virtio-mem-pci,id=vmem0,memdev=mem-vmem0,requested-size=0,bus=pcie.0,addr=0x7",
            "-device", "pvpanic", "-pidfile", "%s/qemu.pid" % d, "-daemonize"]


def vmem(qmp):
    return [m["data"] for m in qmp.call("query-memory-devices") if m["data"].get("id") == "vmem0"][0]


def main():
    d, kernel, initrd, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rec_dir = sys.argv[6] if len(sys.argv) > 6 and sys.argv[5] == "--record" else None
    qrec = Recorder(rec_dir and os.path.join(rec_dir, "qemu-7.2-q35-tcg-dlpar.jsonl"))
    arec = Recorder(rec_dir and os.path.join(rec_dir, "qemu-ga-7.2-dlpar.jsonl"))
    os.makedirs(d, exist_ok=True)
    subprocess.run(command_line(d, kernel, initrd, runs + 1), check=True)
    qmp = Qmp(d + "/qmp.sock", qrec)
    agent = Agent(d + "/qga.sock", arec)
    deadline = time.time() + 600
    while True:
        try:
            agent.call("guest-ping", timeout=2)
            break
        except (OSError, RuntimeError, ValueError):
            if time.time() > deadline:
                sys.exit("anchor: the guest agent did not answer within 600 s")
            time.sleep(0.25)
    try:
        for _ in range(runs):
            t0 = time.monotonic()
            known = {v["logical-id"] for v in agent.call("guest-get-vcpus")}
            slot = [c for c in qmp.call("query-hotpluggable-cpus") if "qom-path" not in c][-1]
            props = {k: v for k, v in slot["props"].items() if k != "node-id"}
            qmp.call("device_add", dict(driver=slot["type"], id="vcpu-s%d-c%d-t%d" % (props["socket-id"], props["core-id"], props["thread-id"]), **props))
            while True:
                fresh = [v["logical-id"] for v in agent.call("guest-get-vcpus") if v["logical-id"] not in known]
                if fresh:
                    break
                time.sleep(POLL)
            agent.call("guest-set-vcpus", {"vcpus": [{"logical-id": i, "online": True} for i in fresh]})
            print("anchor vp_add %.3f" % (time.monotonic() - t0), flush=True)
        for _ in range(runs):
            t0 = time.monotonic()
            before = agent.mem_total_kb()
            qmp.call("qom-set", {"path": "/machine/peripheral/vmem0", "property": "requested-size",
                                 "value": 512 * MIB})
            while vmem(qmp)["size"] != 512 * MIB:
                time.sleep(POLL)
            while agent.mem_total_kb() < before + 512 * 1024 * 99 // 100:
                time.sleep(POLL)
            print("anchor mem_add %.3f" % (time.monotonic() - t0), flush=True)
            t0 = time.monotonic()
            qmp.call("qom-set", {"path": "/machine/peripheral/vmem0", "property": "requested-size", "value": 0})
            while vmem(qmp)["size"] != 0:
                time.sleep(POLL)
            print("anchor mem_remove %.3f" % (time.monotonic() - t0), flush=True)
        if rec_dir:
            # What a removal leaves: the guest lists the processor, offline; TCG keeps it plugged.
            last = max(v["logical-id"] for v in agent.call("guest-get-vcpus"))
            agent.call("guest-set-vcpus", {"vcpus": [{"logical-id": last, "online": False}]})
            agent.call("guest-get-vcpus")
            qmp.call("query-cpus-fast")
    finally:
        try:
            qmp.call("quit")
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    main()
