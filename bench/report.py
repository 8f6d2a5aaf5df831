#!/usr/bin/env python3
"""Turns JMH JSON results into the tables of docs/results.md: GFLOP/s, the fraction of the FMA peak measured in the same
run (PeakBench), and, when the peers' gemm.jsonl is given, OpenBLAS (numpy, its best kernel) side by side.

Usage: bench/report.py RESULTS.json [more.json ...] [--peers /tmp/peers-results/gemm.jsonl]
"""
import json
import statistics
import subprocess
import sys


def cpu_family():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("CPU family:"):
                return line.split(":")[1].strip()
    except OSError:
        pass
    return "?"


def parse_shape(text):
    dims, form = text.split(":")
    m, k, n = (int(x) for x in dims.split("x"))
    return m, k, n, form


def load(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            rows.extend(json.load(f))
    return rows


def peak_gflops(rows):
    """Per thread count, the fastest of PeakBench's widths: a width wider than the CPU's (512 bits on an AVX2-only
    CPU) is emulated at a fraction of the speed, so the widest is not always the peak."""
    peaks = {}
    for r in rows:
        name = r["benchmark"].rsplit(".", 1)[1]
        if name.startswith("fma"):
            threads = 2 if name.endswith("TwoCores") else 1
            peaks[threads] = max(peaks.get(threads, 0.0), r["primaryMetric"]["score"] / 1000.0)
    return peaks


def print_machine(peaks):
    """The line every table starts with: the CPU family and the FMA peak measured in the same run."""
    print(f"CPU family {cpu_family()}; FMA peak measured in this run: "
          + ", ".join(f"{t} thread{'s' if t > 1 else ''} {g:.0f} GFLOP/s" for t, g in sorted(peaks.items())))


def peer_gflops(path):
    """Median GFLOP/s of numpy matmul(out=C) per (M, K, N, layout, threads), best over repeats."""
    best = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("lib") != "numpy" or r.get("variant") != "matmul(out=C)":
                continue
            key = (r["M"], r["K"], r["N"], r["layout"], r["threads"])
            best.setdefault(key, []).append(r["gflops_median"])
    return {k: statistics.median(v) for k, v in best.items()}


def split_peers(argv):
    """(the JMH result files, the --peers file or None)."""
    if "--peers" not in argv:
        return argv, None
    i = argv.index("--peers")
    return argv[:i] + argv[i + 2:], argv[i + 1]


def main(argv):
    argv, peers_path = split_peers(argv)
    rows = load(argv)
    peaks = peak_gflops(rows)
    peers = peer_gflops(peers_path) if peers_path else {}
    print_machine(peaks)
    print()
    table = {}
    for r in rows:
        params = r.get("params") or {}
        if "shape" not in params:
            continue
        impl = params.get("impl", "naive")
        if impl == "netlib":
            # NetlibMatmulBench names the implementation it ran (java = VectorBLAS, native = JNIBLAS).
            impl = "netlib" if params.get("blas", "java") == "java" else "netlib-" + params["blas"]
        threads = int(params.get("threads", 1))
        m, k, n, form = parse_shape(params["shape"])
        us = r["primaryMetric"]["score"]
        table.setdefault((params["shape"], threads), {})[impl] = 2.0 * m * k * n / (us * 1e-6) / 1e9
    impls = ["naive", "generic", "netlib", "generated"]
    extra = sorted({i for cells in table.values() for i in cells} - set(impls))
    impls = impls[:3] + extra + impls[3:]
    header = "| shape M×K×N | form | threads | " + " | ".join(f"{i} GFLOP/s" for i in impls) + " | generated % of peak |"
    if peers:
        header += " OpenBLAS GFLOP/s | generated / OpenBLAS |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))

    def order(key):
        m, k, n, form = parse_shape(key[0])
        return (key[1], form != "NN", m != k or k != n, m * k * n if m == k == n else 0, key[0])

    for key in sorted(table, key=order):
        shape, threads = key
        m, k, n, form = parse_shape(shape)
        cells = table[key]
        line = f"| {m}×{k}×{n} | {form} | {threads} | " + " | ".join(
            f"{cells[i]:.1f}" if i in cells else "" for i in impls)
        gen = cells.get("generated")
        peak = peaks.get(threads)
        line += f" | {100 * gen / peak:.0f}% |" if gen and peak else " | |"
        if peers:
            peer = peers.get((m, k, n, form, threads))
            line += f" {peer:.1f} | {gen / peer:.2f}× |" if peer and gen else " | |"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
