#!/usr/bin/env python3
"""Anchor for bench/lparsnap.sh: QEMU's own `savevm` (HMP through QMP) of a guest like the partition
(same kernel, initramfs, memory, TCG, q35) whose disk is a qcow2 file of the given size: the guest is
stopped for the whole RAM, so its pause is the command's duration. Prints one pause (ms) per round.

Usage: savevm-anchor.py QEMU KERNEL INITRD MEM_MB DISK_SIZE WORKDIR ROUNDS"""
import json, os, socket, subprocess, sys, time

qemu, kernel, initrd, mem, size, work, rounds = sys.argv[1:8]
os.makedirs(work, exist_ok=True)
disk = os.path.join(work, "anchor.qcow2")
sock = os.path.join(work, "anchor-qmp.sock")
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, size], check=True)
p = subprocess.Popen([qemu, "-machine", "q35,accel=tcg", "-cpu", "max", "-m", mem, "-kernel", kernel,
                      "-initrd", initrd, "-append", "console=ttyS0 quiet", "-display", "none", "-serial", "null",
                      "-monitor", "none", "-drive", "file=%s,if=none,id=d0,format=qcow2" % disk,
                      "-device", "virtio-scsi-pci", "-device", "scsi-hd,drive=d0",
                      "-qmp", "unix:%s,server=on,wait=off" % sock])
try:
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    f = s.makefile("rw")

    def cmd(c, **a):
        f.write(json.dumps({"execute": c, "arguments": a}) + "\n")
        f.flush()
        while True:
            m = json.loads(f.readline())
            if "event" not in m:
                return m

    json.loads(f.readline())
    cmd("qmp_capabilities")
    time.sleep(20)  # the guest boots into its init, as the partition's has
    for i in range(int(rounds)):
        t = time.monotonic()
        r = cmd("human-monitor-command", **{"command-line": "savevm a%d" % i})
        ms = (time.monotonic() - t) * 1000
        if r.get("return", "") not in ("", None):
            print("savevm said: %s" % r, file=sys.stderr)
        print("%.1f" % ms, flush=True)
        cmd("human-monitor-command", **{"command-line": "delvm a%d" % i})
finally:
    p.kill()
    p.wait()
    for x in (disk, sock):
        try:
            os.unlink(x)
        except OSError:
            pass
