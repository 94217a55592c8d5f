#!/usr/bin/env python3
"""Splits the resident memory of one QEMU process into guest RAM and QEMU's own memory.

Usage: qemu-mem.py PID GUEST_MB

Reads /proc/PID/status (VmRSS), /proc/PID/smaps_rollup (Rss, Pss) and /proc/PID/smaps, and prints
one line of kB figures:

    vmrss pss guest_ram_rss tcg_rss file_rss other_anon_rss

guest_ram_rss  Rss of the guest's RAM: the anonymous mapping of exactly GUEST_MB MB (QEMU's pc.ram
               block; only the pages the guest has touched are resident, rounded up to 2 MB where
               transparent huge pages back them)
tcg_rss        Rss of the anonymous rwx mappings: TCG's translated-code buffer (1 GiB reserved in
               32 MB regions on QEMU 7.2; only the regions in use are resident)
file_rss       Rss of file-backed mappings: the QEMU binary, shared libraries, ROMs, and the -initrd
               file QEMU maps (shared between QEMUs that map the same files: see Pss)
other_anon_rss Rss of every other anonymous mapping: heap, thread stacks, device state, the copy
               of the kernel and initramfs QEMU keeps for resets, ...

Guest RAM is private to the process, so (pss - guest_ram_rss) is QEMU's own memory with shared
pages divided among the processes that share them: what one more QEMU costs the host.
Exits 1 when no (or more than one) mapping of GUEST_MB MB is found.
"""
import re
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pid, guest_kb = sys.argv[1], int(sys.argv[2]) * 1024
    with open(f"/proc/{pid}/status") as f:
        vmrss = int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))
    with open(f"/proc/{pid}/smaps_rollup") as f:
        roll = f.read()
    pss = int(re.search(r"^Pss:\s+(\d+)", roll, re.M).group(1))
    rss_total = int(re.search(r"^Rss:\s+(\d+)", roll, re.M).group(1))
    head = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$")
    maps = []
    cur = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = head.match(line)
            if m:
                cur = {"perms": m.group(3), "path": m.group(4).strip(), "size": 0, "rss": 0}
                maps.append(cur)
            elif line.startswith("Size:"):
                cur["size"] = int(line.split()[1])
            elif line.startswith("Rss:"):
                cur["rss"] = int(line.split()[1])
    ram = [m for m in maps if m["path"] == "" and m["size"] == guest_kb]
    if len(ram) != 1:
        print(f"qemu-mem: {len(ram)} anonymous mappings of {guest_kb} kB in process {pid}", file=sys.stderr)
        sys.exit(1)
    guest = ram[0]["rss"]
    tcg = sum(m["rss"] for m in maps if m["path"] == "" and m["perms"].startswith("rwx"))
    files = sum(m["rss"] for m in maps if m["path"].startswith("/"))
    other = rss_total - guest - tcg - files
    print(vmrss, pss, guest, tcg, files, other)


if __name__ == "__main__":
    main()
