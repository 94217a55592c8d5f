#!/usr/bin/env python3
"""PowerVM's figure for each shared partition (reference §5), written independently of parvirt's
Allocator so that a bench does not grade parvirt by its own arithmetic: every partition gets
min(demand, entitlement); level 0 gives each pool's unused entitled capacity to its uncapped
partitions; level 1 shares what is still idle by uncap_weight, water-filled against virtual
processors and pool maxima. All partitions here want all their VPs (busy loops).

Usage: powervm-share.py CAPACITY POOLS PARTITIONS
  POOLS       name=max,...            e.g. DefaultPool=inf,pool1=1,pool2=1
  PARTITIONS  name:pool:ec:mode:weight:vps,...   (mode cap or uncap)
Prints name=figure,... (two decimals), the form bench/dispatch-trace.py takes."""
import sys


def share(capacity, pools, parts):
    got = {n: min(p["ec"], p["vps"]) for n, p in parts.items()}
    spare = capacity - sum(got.values())
    # Level 0: no pool here reserves units and every partition uses its entitlement, so a pool's
    # unused entitled capacity is nothing; level 1 takes all the spare.
    for _ in range(100):
        room = {pl: pools[pl] - sum(got[n] for n, p in parts.items() if p["pool"] == pl) for pl in pools}
        open_ = [n for n, p in parts.items()
                 if p["mode"] == "uncap" and p["weight"] > 0 and got[n] < p["vps"] - 1e-12 and room[p["pool"]] > 1e-12]
        if spare <= 1e-12 or not open_:
            break
        w = sum(parts[n]["weight"] for n in open_)
        ask = {n: spare * parts[n]["weight"] / w for n in open_}
        per_pool = {}
        for n in open_:
            per_pool[parts[n]["pool"]] = per_pool.get(parts[n]["pool"], 0) + ask[n]
        given = 0
        for n in open_:
            pl = parts[n]["pool"]
            a = ask[n] * min(1, room[pl] / per_pool[pl])
            a = min(a, parts[n]["vps"] - got[n])
            got[n] += a
            given += a
        spare -= given
        if given <= 1e-12:
            break
    return got


def main():
    capacity = float(sys.argv[1])
    pools = {k: float(v) for k, v in (x.split("=") for x in sys.argv[2].split(","))}
    parts = {}
    for spec in sys.argv[3].split(","):
        n, pool, ec, mode, weight, vps = spec.split(":")
        parts[n] = {"pool": pool, "ec": float(ec), "mode": mode, "weight": int(weight), "vps": int(vps)}
    got = share(capacity, pools, parts)
    print(",".join(f"{n}={got[n]:.2f}" for n in parts))


if __name__ == "__main__":
    main()
