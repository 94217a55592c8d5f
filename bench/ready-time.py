#!/usr/bin/env python3
"""Times a command and then the appearance of one line in a growing file (a console or serial log).

Usage: ready-time.py LOG LINE TIMEOUT_S CMD [ARGS...]

Takes the size LOG has now (0 if it does not exist), notes the time, runs CMD and waits for it to
exit, then polls LOG every 2 ms for LINE in the bytes written after that offset. Prints one line:

    cmd_ms ready_ms t0_epoch_ns

cmd_ms is from just before CMD's exec to its exit, ready_ms from the same instant to the first poll
that sees LINE (so at most ~2 ms late); t0_epoch_ns is the wall-clock start (CLOCK_REALTIME, the
clock of bash's EPOCHREALTIME) for lining up with timestamps taken elsewhere. CMD's stdout and
stderr go to this script's stderr. Exits 1 when CMD fails, 2 when LINE does not appear within
TIMEOUT_S seconds of the start.
"""
import os
import subprocess
import sys
import time


def size(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    log, line, timeout = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3])
    cmd = sys.argv[4:]
    offset = size(log)
    t0_wall = time.time_ns()
    t0 = time.monotonic_ns()
    rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr).returncode
    t_cmd = time.monotonic_ns()
    if rc != 0:
        print(f"ready-time: {cmd[0]} exited {rc}", file=sys.stderr)
        sys.exit(1)
    deadline = t0 + int(timeout * 1e9)
    seen = b""
    while True:
        if size(log) > offset + len(seen):
            with open(log, "rb") as f:
                f.seek(offset + len(seen))
                seen += f.read()
            if line in seen:
                t_ready = time.monotonic_ns()
                break
        if time.monotonic_ns() > deadline:
            print(f"ready-time: '{line.decode()}' not in {log} within {timeout} s", file=sys.stderr)
            sys.exit(2)
        time.sleep(0.002)
    print(f"{(t_cmd - t0) / 1e6:.1f} {(t_ready - t0) / 1e6:.1f} {t0_wall}")


if __name__ == "__main__":
    main()
