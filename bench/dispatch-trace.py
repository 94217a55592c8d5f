#!/usr/bin/env python3
"""Per-thread CPU traces for bench/dispatch*.sh, and their windows against PowerVM's figures.

  dispatch-trace.py record SECONDS OUT LABEL=PID:TID,PID:TID ...
      every 50 ms (on an absolute schedule) one line: wall ns, then per label the summed run ns and
      wait ns (/proc/PID/task/TID/schedstat fields 1 and 2) of its threads, the same per thread
      (LABEL.K:run:wait, K from 0), and per thread the CPU it last ran on (stat field 39). A late
      sample is taken late, never skipped or faked.
  dispatch-trace.py windows TRACE EXPECT [SKIP_S]
      EXPECT: LABEL=CORES,... ; a label's CORES may be "burst:PEAK:REST" for a partition that
      bursts: PowerVM's figure for it in a window is PEAK times the share of the window in which it
      had work, i.e. at least one of its threads was runnable (PowerVM gives a partition with one
      busy VP its entitlement and share as it does one with all busy, up to a core per VP). Per
      50 ms sample that share is the largest of its threads' runnable shares (run + wait over the
      sample, each cut at 1 with the excess carried to the thread's next sample: see working());
      traces without per-thread fields take the threads' mean, which is too low whenever its
      threads do not work at the same time. REST:OTHER means the label named OTHER takes what
      the bursty one leaves of REST (B in phase 4: 0.8 minus the bursty one's).
      Prints, for 250 ms and 100 ms windows back to back (each from the first sample at least that
      long after the last; the first SKIP_S seconds left out), how many have every label within
      0.05 core of its figure, the largest error's median/p90/max, and each label's mean; with a
      bursty label, the same again for the windows in which it neither woke nor slept (every
      sample's share of work at least 0.75, or every one at most 0.25): the others straddle a
      transition of its demand.
"""
import os
import sys
import time


def record(seconds, out, specs):
    labels = []
    for spec in specs:
        name, threads = spec.split("=", 1)
        labels.append((name, [t.split(":") for t in threads.split(",") if t]))
    start = time.monotonic()
    step = 0.05
    with open(out, "w") as f:
        f.write("# " + " ".join("%s:%d" % (n, len(t)) for n, t in labels) + "\n")
        k = 0
        while True:
            fields = [str(time.time_ns())]
            cpus = []
            for name, threads in labels:
                run = wait = 0
                per = []
                for pid, tid in threads:
                    base = "/proc/%s/task/%s/" % (pid, tid)
                    try:
                        with open(base + "schedstat") as s:
                            a = s.read().split()
                        run += int(a[0])
                        wait += int(a[1])
                        per.append((int(a[0]), int(a[1])))
                        with open(base + "stat") as s:
                            st = s.read()
                        cpus.append(st[st.rfind(")") + 2:].split()[36])
                    except (OSError, IndexError, ValueError):
                        per.append((0, 0))
                        cpus.append("-")
                fields.append("%s:%d:%d" % (name, run, wait))
                fields.extend("%s.%d:%d:%d" % (name, k, r, w) for k, (r, w) in enumerate(per))
            f.write(" ".join(fields) + " cpus=" + ",".join(cpus) + "\n")
            k += 1
            if time.monotonic() - start >= seconds:
                break
            delay = start + k * step - time.monotonic()
            if delay > 0:
                time.sleep(delay)


def load(path):
    counts = {}
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                for x in line[1:].split():
                    n, c = x.split(":")
                    counts[n] = int(c)
                continue
            parts = line.split()
            row = {"t": int(parts[0])}
            for p in parts[1:]:
                if p.startswith("cpus="):
                    row["cpus"] = p[5:].split(",")
                    continue
                n, r, w = p.split(":")
                row[n] = (int(r), int(w))
            rows.append(row)
    return counts, rows


def expectations(spec):
    out = {}
    for item in spec.split(","):
        n, v = item.split("=")
        out[n] = v
    return out


def working(counts, n, rows):
    """Per sample rows[k]..rows[k+1], the share of it in which label n had work: its busiest thread's
    runnable share. A thread's share of one sample is cut at 1 and the excess given back to the
    samples before it, where that wait was: schedstat adds a wait to run_delay only when the
    thread next gets a CPU, so a thread that waits across a sample's end (for the next bandwidth
    period, or its turn) shows 0.83 in that sample and 1.17 in the next, and the largest of two
    such threads, uncut, made a partition with both threads busy throughout look busy 1.06 of the
    time (phase 1's C: 0.425 for its 0.40; phase 4's C: 0.281 where these shares give 0.274).
    Traces without per-thread fields take the threads' mean."""
    k = counts[n]
    carry = [0.0] * k
    out = []
    for a, b in reversed(list(zip(rows, rows[1:]))):
        dt = b["t"] - a["t"]
        if "%s.0" % n not in a or "%s.0" % n not in b:
            out.append((b[n][0] - a[n][0] + b[n][1] - a[n][1]) / (dt * k))
            continue
        best = 0.0
        for i in range(k):
            x = (b["%s.%d" % (n, i)][0] - a["%s.%d" % (n, i)][0]
                 + b["%s.%d" % (n, i)][1] - a["%s.%d" % (n, i)][1]) / dt + carry[i] / dt
            carry[i] = max(0.0, x - 1.0) * dt
            best = max(best, min(1.0, x))
        out.append(best)
    return out[::-1]


def figures(exp, work_of, rows, i, j):
    """PowerVM's figure per label for the window rows[i]..rows[j], and what each used."""
    a, b = rows[i], rows[j]
    dt = b["t"] - a["t"]
    used = {n: (b[n][0] - a[n][0]) / dt for n in exp}
    want = {}
    bursty = {}
    for n, v in exp.items():
        if v.startswith("burst:"):
            peak = float(v.split(":")[1])
            work = sum(work_of[n][k] * (rows[k + 1]["t"] - rows[k]["t"]) for k in range(i, j))
            want[n] = peak * min(1.0, work / dt)
            bursty[n] = want[n]
    for n, v in exp.items():
        if v.startswith("rest:"):
            _, rest, other = v.split(":")
            want[n] = float(rest) - bursty[other]
        elif not v.startswith("burst:"):
            want[n] = float(v)
    return used, want


def report(what, errs):
    errs = sorted(errs)
    n = len(errs)
    if n == 0:
        print("%s: none" % what)
        return
    on = sum(1 for e in errs if e <= 0.05)
    med = errs[n // 2] if n % 2 else (errs[n // 2 - 1] + errs[n // 2]) / 2
    print("%s with every partition within 0.05 of PowerVM: %d of %d (%.0f %%); largest |error| "
          "median %.3f, p90 %.3f, max %.3f" % (what, on, n, 100.0 * on / n, med,
                                              errs[min(n - 1, int(0.9 * n + 0.999999) - 1)], errs[-1]))


def windows(path, spec, skip):
    counts, rows = load(path)
    exp = expectations(spec)
    t0 = rows[0]["t"] + int(skip * 1e9)
    rows = [r for r in rows if r["t"] >= t0]
    bursty = [n for n, v in exp.items() if v.startswith("burst:")]
    work_of = {n: working(counts, n, rows) for n in bursty}
    for length_ms in (250, 100):
        errs = []
        steady = []
        i = 0
        while True:
            j = i + 1
            while j < len(rows) and rows[j]["t"] - rows[i]["t"] < length_ms * 1e6:
                j += 1
            if j >= len(rows):
                break
            used, want = figures(exp, work_of, rows, i, j)
            e = max(abs(used[n] - want[n]) for n in exp)
            errs.append(e)
            shares = [work_of[n][k] for n in bursty for k in range(i, j)]
            if all(x >= 0.75 for x in shares) or all(x <= 0.25 for x in shares):
                steady.append(e)
            i = j
        report("%d ms windows" % length_ms, errs)
        if bursty:
            report("  of them, the %d ms windows in which %s neither woke nor slept" % (length_ms, "/".join(bursty)),
                   steady)
    used, want = figures(exp, work_of, rows, 0, len(rows) - 1)
    print("means over %.1f s: %s" % ((rows[-1]["t"] - rows[0]["t"]) / 1e9, ", ".join(
        "%s %.3f (PowerVM %.3f)" % (n, used[n], want[n]) for n in exp)))
    cpus = [r.get("cpus", []) for r in rows]
    if cpus and cpus[0]:
        share = [sum(1 for c in cpus if k < len(c) and c[k] == "0") / len(cpus) for k in range(len(cpus[0]))]
        print("threads' share of samples last on CPU 0: " + " ".join("%.0f%%" % (100 * s) for s in share))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "record":
        record(float(sys.argv[2]), sys.argv[3], sys.argv[4:])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "windows":
        windows(sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) == 5 else 0.0)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
