"""Prints JMH results of the same benchmarks run under several JVM flag sets side by side: GEMMs as GFLOP/s and
as a fraction of the FMA peak measured under the same flags (the fastest PeakBench width that JVM runs: a
JVM limited to AVX2 runs fma512 in Java code), every benchmark also as speed relative to the first flag set.

    python3 bench/report_widths.py default=a.json UseAVX=2=b.json MaxVectorSize=16=c.json
"""
import json
import sys

from report import cpu_family


def peaks(results):
    """Best single-core and two-core FMA rates in GFLOP/s among the widths this JVM ran."""
    one, two = 0.0, 0.0
    for r in results:
        name = r["benchmark"].rsplit(".", 1)[-1]
        if name.startswith("fma"):
            gflops = r["primaryMetric"]["score"] / 1000
            if name.endswith("TwoCores"):
                two = max(two, gflops)
            else:
                one = max(one, gflops)
    return one, two


def key(r):
    params = r.get("params") or {}
    # Class and method (ConvBench has a forward and a backward benchmark), then the parameters.
    return ".".join(r["benchmark"].rsplit(".", 2)[-2:]) + " " + " ".join(f"{v}" for k, v in sorted(params.items()) if k != "threads")


def threads(r):
    return int((r.get("params") or {}).get("threads", r.get("threads", 1)))


def gflops(r):
    """GFLOP/s of a MatmulBench result (µs per product), else None."""
    shape = (r.get("params") or {}).get("shape")
    if not shape or "Matmul" not in r["benchmark"]:
        return None
    m, k, n = (int(x) for x in shape.split(":")[0].split("x"))
    return 2.0 * m * k * n / (r["primaryMetric"]["score"] * 1000)


def main(argv):
    runs = []
    for arg in argv:
        label, path = arg.rsplit("=", 1)
        with open(path) as f:
            runs.append((label, json.load(f)))
    print(f"CPU family {cpu_family()}")
    for label, results in runs:
        one, two = peaks(results)
        print(f"- {label}: FMA peak measured in the same JVM {one:.1f} GFLOP/s on 1 thread, {two:.1f} on 2")
    header = ["benchmark", "threads"] + [f"{label}" for label, _ in runs]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    base_label = runs[0][0]
    for r0 in runs[0][1]:
        if "PeakBench" in r0["benchmark"]:
            continue
        row = [key(r0), str(threads(r0))]
        for label, results in runs:
            match = next((r for r in results if key(r) == key(r0) and threads(r) == threads(r0)), None)
            if match is None:
                row.append("")
                continue
            one, two = peaks(results)
            peak = two if threads(match) >= 2 else one
            time, unit = match["primaryMetric"]["score"], match["primaryMetric"]["scoreUnit"]
            cell = f"{time:.1f} {unit}"
            g = gflops(match)
            if g is not None and peak:
                cell += f", {g:.1f} GFLOP/s = {100 * g / peak:.0f}% of peak"
            if label != base_label:
                cell += f", {r0['primaryMetric']['score'] / time:.2f}× {base_label}"
            row.append(cell)
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
