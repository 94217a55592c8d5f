#!/usr/bin/env python3
"""CPU time of processes and the host, for bench scripts that report where the cores went.

  cpu-snap.py snap LABEL=PID ...     prints a JSON snapshot: per label the on-CPU ns of each of the
                                     process's threads, summed by thread name (schedstat, field 1),
                                     the host's idle time (/proc/stat "cpu": idle+iowait), its
                                     steal time and the wall clock, all in ns
  cpu-snap.py diff BEFORE AFTER      prints one line per label: cores used over the interval in
                                     total and by thread name (the largest first), the rest of the
                                     host's busy time, the steal, then the host's busy cores, of
                                     how many

Thread names are QEMU's (debug-threads=on: "CPU 0/TCG" is a vCPU, "qemu-system-x86" the main
loop, which does the device and network I/O) and the JVM's ("vswitch" is parvirt's switch).
"""
import json
import os
import sys
import time


def threads(pid):
    out = {}
    base = "/proc/%s/task" % pid
    for tid in os.listdir(base):
        try:
            with open("%s/%s/comm" % (base, tid)) as f:
                name = f.read().strip()
            with open("%s/%s/schedstat" % (base, tid)) as f:
                ns = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended in between
        out[name] = out.get(name, 0) + ns
    return out


def host_ns():
    """The host's idle time (idle, iowait) and the time stolen by the hypervisor this host runs
    under (steal), in ns. Busy is what they leave of the wall clock: /proc/stat's user and system
    times are sampled at the tick, and a group held by CFS bandwidth control is throttled at a tick,
    so the tick nearly always finds it running (0.3-0.5 core too much under 10 ms quota periods);
    idle is measured exactly."""
    with open("/proc/stat") as f:
        v = f.readline().split()
    assert v[0] == "cpu"
    tick = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
    return (int(v[4]) + int(v[5])) * tick, int(v[8]) * tick


def snap(pairs):
    idle, steal = host_ns()
    s = {"t_ns": time.monotonic_ns(), "host_idle_ns": idle, "steal_ns": steal, "ncpu": os.cpu_count(), "procs": {}}
    for p in pairs:
        label, pid = p.split("=", 1)
        try:
            s["procs"][label] = threads(pid)
        except OSError:
            s["procs"][label] = {}
    return s


def diff(a, b):
    wall = b["t_ns"] - a["t_ns"]
    listed = 0.0
    for label in b["procs"]:
        t0, t1 = a["procs"].get(label, {}), b["procs"][label]
        per = {n: (t1[n] - t0.get(n, 0)) / wall for n in t1}
        total = sum(per.values())
        top = sorted(per.items(), key=lambda kv: -kv[1])
        parts = ", ".join("%s %.3f" % (n, c) for n, c in top if c >= 0.005)
        listed += total
        print("%s %.3f (%s)" % (label, total, parts))
    busy = b["ncpu"] - (b["host_idle_ns"] - a["host_idle_ns"] + b["steal_ns"] - a["steal_ns"]) / wall
    print("rest %.3f (the host's busy time not in the processes above: kernel threads, softirqs, others)"
          % max(0.0, busy - listed))
    print("steal %.3f (time the hypervisor under this host gave to others)" % ((b["steal_ns"] - a["steal_ns"]) / wall))
    print("host_busy %.3f of %d over %.2f s" % (busy, b["ncpu"], wall / 1e9))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "snap":
        json.dump(snap(sys.argv[2:]), sys.stdout)
        print()
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        with open(sys.argv[2]) as f:
            a = json.load(f)
        with open(sys.argv[3]) as f:
            b = json.load(f)
        diff(a, b)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
