"""Prints the tuned-vs-default table of bench/run-tuned's JMH results (docs/tuning.md)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from report import peak_gflops, print_machine  # noqa: E402

NOISE = 0.03  # differences below this are counted as neither faster nor slower


def error(metric):
    e = metric.get("scoreError")
    return f" ± {e:,.1f}" if isinstance(e, (int, float)) and e == e else ""


def winners(path):
    """workload → (specs served by another variant, specs); from $SIMDNET_TUNED_WINNERS of the same run."""
    changed = {}
    if path and os.path.exists(path):
        for line in open(path):
            w = json.loads(line)
            specs = changed.setdefault(w["workload"], {})
            specs[w["spec"]] = w["winner"] != w["spec"]
    return {k: (sum(v.values()), len(v)) for k, v in changed.items()}


def main(argv):
    rows = json.load(open(argv[0]))
    chosen = winners(argv[1] if len(argv) > 1 else None)
    print_machine(peak_gflops(rows))
    print()
    pairs = {}
    for r in rows:
        name = r["benchmark"].rsplit(".", 2)
        bench, method = name[-2], name[-1]
        if bench not in ("MatmulBench", "ConvBench", "TrainingStepBench"):
            continue
        params = dict(r["params"])
        side = params.pop("impl", None) or params.pop("tuning")
        side = "default" if side in ("generated", "off") else side
        params.pop("threads", None)
        workload = bench + "." + method + " " + " ".join(str(v) for v in params.values())
        pairs.setdefault(workload, {})[side] = r["primaryMetric"]
        pairs[workload]["key"] = next(iter(params.values()), "")
    print("| workload | default µs | tuned µs | tuned speed-up | kernels tuning changed |")
    print("|---|---|---|---|---|")
    ratios = []
    same = []
    for workload, sides in pairs.items():
        if "default" not in sides or "tuned" not in sides:
            continue
        d, t = sides["default"]["score"], sides["tuned"]["score"]
        ratio = d / t
        n_changed, n_specs = chosen.get(sides["key"], (None, None))
        changed = "" if n_changed is None else f"{n_changed} of {n_specs}"
        if n_changed == 0:
            same.append(ratio)
        elif n_changed is not None:
            ratios.append(ratio)
        print(f"| {workload} | {d:,.1f}{error(sides['default'])} | {t:,.1f}{error(sides['tuned'])} | {ratio:.2f}× | {changed} |")
    if same:
        print()
        print(f"{len(same)} workloads kept the default kernels (tuned = default, so their ratio is the noise): "
              f"{min(same):.2f}× to {max(same):.2f}×")
    if ratios:
        print()
        print(f"{len(ratios)} workloads served by other variants: {sum(r >= 1.15 for r in ratios)} at >= 1.15×, {sum(r >= 1 + NOISE for r in ratios)} faster by more than "
              f"{NOISE:.0%}, {sum(r <= 1 - NOISE for r in ratios)} slower by more than {NOISE:.0%}; median {sorted(ratios)[len(ratios) // 2]:.2f}×")


if __name__ == "__main__":
    main(sys.argv[1:])
