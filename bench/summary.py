#!/usr/bin/env python3
"""Prints the benchmark record (a run.sh JSONL file) as the Markdown tables of bench/README.md:
throughput rows with wampd beside wampd-floor (same run) and fox-wamp, against issue 3's
targets; then latency, idle sessions, slow consumer and start-up rows.

    python3 bench/summary.py [bench/results/latest.jsonl]
"""
import json
import sys

# Issue 3's figures for a minimal server on a 2-core box; wampd must reach 70 % of each.
TARGETS = {
    ("pubsub", "json", 1, 1): 1.0e6,
    ("pubsub", "json", 1, 10): 8.0e6,
    ("pubsub", "json", 1, 1000): 9.0e6,
    ("pubsub", "msgpack", 1, 1): 1.8e6,
    ("pubsub", "msgpack", 1, 10): 13.0e6,
    ("rpc", "json", 1, 16): 400e3,
    ("rpc", "msgpack", 1, 16): 700e3,
}


def fmt(v):
    if v is None:
        return "—"
    if v >= 1e6:
        return "%.2f M" % (v / 1e6)
    if v >= 1e3:
        return "%.0f k" % (v / 1e3)
    return "%.0f" % v


def key(d):
    p = d.get("params", {})
    if d["scenario"] == "pubsub":
        return ("pubsub", d.get("serializer"), p.get("publishers"), p.get("subscribers"))
    return ("rpc", d.get("serializer"), p.get("callees"), p.get("callers"))


def rate(d):
    return d.get("events_per_s", d.get("calls_per_s"))


def median_run(ds):
    """The run with the median rate (the lower middle one of an even count)."""
    ds = sorted(ds, key=lambda d: rate(d) or 0)
    return ds[(len(ds) - 1) // 2]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.jsonl"
    rows, order, other = {}, [], []
    meta = None
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            if d.get("scenario") == "meta":
                meta = d
                continue
            p = d.get("params", {})
            if d.get("scenario") in ("pubsub", "rpc") and "rate" not in p and "stalled" not in p:
                k = key(d)
                if k not in rows:
                    rows[k] = {}
                    order.append(k)
                rows[k].setdefault(d.get("router"), []).append(d)
            else:
                other.append(d)
    if meta:
        print("run: %s, commit %s (%s), nproc %s, kernel %s, load before %s, %s s per run\n" % (
            meta["date"], meta["commit"], meta["build"], meta["nproc"], meta["kernel"],
            meta["loadavg_before"], meta["duration"]))
    runs = max(len(v) for r in rows.values() for v in r.values()) if rows else 1
    if runs > 1:
        print("Each figure: the median of %d runs of that row and router, interleaved.\n" % runs)
    print("| scenario | wampd | router CPU | floor | wampd / floor | fox-wamp | target (70 %) | wampd vs target |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for k in order:
        r = {router: median_run(ds) for router, ds in rows[k].items()}
        w, fl, fx = r.get("wampd"), r.get("floor"), r.get("fox-wamp")
        name = ("pub/sub %s %s→%s" % (k[1], k[2], k[3]) if k[0] == "pubsub"
                else "RPC %s %s callee / %s callers" % (k[1], k[2], k[3]))
        wr = rate(w) if w else None
        fr = rate(fl) if fl else None
        share = "%.0f %%" % (100.0 * wr / fr) if wr and fr else "—"
        t = TARGETS.get(k)
        verdict = "—"
        if t and wr is not None:
            verdict = "%s (%.0f %% of the figure)" % ("pass" if wr >= 0.7 * t else "**miss**",
                                                     100.0 * wr / t)
        lost = sum((x or {}).get("lost", 0) for x in (w,))
        print("| %s | %s%s | %s %% | %s | %s | %s | %s (%s) | %s |" % (
            name, fmt(wr), "" if not lost else " (%d lost)" % lost,
            "%.0f" % w["router_cpu_pct"] if w else "—",
            fmt(fr) + (" (generator-bound)" if fl and fl.get("saturated") == "generator" else ""),
            share,
            fmt(rate(fx)) if fx else "—", fmt(t) if t else "—", fmt(0.7 * t) if t else "—",
            verdict))
    print()
    # Repeated rows: the median run by the figure each line is about.
    groups, gorder = {}, []
    for d in other:
        g = (d.get("scenario"), d.get("router"), json.dumps(d.get("params", {}), sort_keys=True))
        if g not in groups:
            groups[g] = []
            gorder.append(g)
        groups[g].append(d)
    by = {"conns": "bytes_per_session", "startup": "startup_ms"}
    picked = []
    for g in gorder:
        ds = groups[g]
        metric = by.get(g[0], "router_rss_max" if "stalled" in g[2] else "p99_us")
        ds = sorted(ds, key=lambda d: d.get(metric) or 0)
        picked.append(ds[(len(ds) - 1) // 2])
    for d in picked:
        r = d.get("router")
        s = d.get("scenario")
        if s == "pubsub" and "stalled" in d.get("params", {}):
            p = d["params"]
            print("- %s slow consumer: 1→%d json, %d B events, %d subscriber(s) stop reading: "
                  "%s of them closed by the router, others lost %s of %s events; router RSS "
                  "%.1f → %.1f MiB at most; log: %s" % (
                      r, p["subscribers"], p["payload"], p["stalled"], d.get("stalled_closed"),
                      d.get("lost"), d.get("delivered"), d.get("router_rss_start", 0) / 2**20,
                      d.get("router_rss_max", 0) / 2**20, d.get("router_log") or "(none)"))
        elif s == "pubsub":
            p = d["params"]
            print("- %s latency, json 1→%s at %s ev/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms, lost %s" % (
                r, p["subscribers"], int(p["rate"]), d["p50_us"] / 1e3, d["p99_us"] / 1e3,
                d["max_us"] / 1e3, d.get("lost")))
        elif s == "conns":
            print("- %s idle sessions: %s sessions, %s B each (RSS %.1f → %.1f MiB)%s" % (
                r, d.get("sessions"), d.get("bytes_per_session"),
                d.get("router_rss_before", 0) / 2**20, d.get("router_rss_after", 0) / 2**20,
                ", error: " + d["error"] if "error" in d else ""))
        elif s == "startup":
            print("- %s start-up to listening %.1f ms, idle RSS %.1f MiB" % (
                r, d["startup_ms"], d["idle_rss_bytes"] / 2**20))
        else:
            print("- %s" % json.dumps(d))


if __name__ == "__main__":
    main()
