#!/usr/bin/env python3
"""Turns TrainingStepBench JMH JSON into the table of docs/results.md, beside PyTorch (../shared/peers/train.py) from the
same session: time per training step, images per second, bytes allocated per step, and our images/s divided by
PyTorch's (above 1: we are faster).

Usage: bench/report_train.py RESULTS.json [--peers /tmp/peers-results/train.jsonl]
"""
import json
import statistics
import sys

from report import load, peak_gflops, print_machine, split_peers

# Our workloads -> (train.py model name, batch).
WORKLOADS = {
    "MLP_ADAM_B128": ("mlp_784-128-64-10_adam_b128", 128),
    "LENET5_ADAM_B32": ("lenet5_adam_b32", 32),
    "LENET5_ADAM_B128": ("lenet5_adam_b128", 128),
    "MNISTCNN_SGD_B64": ("mnistcnn_sgd0.01_b64", 64),
}


def peers(path):
    rates = {}
    if not path:
        return rates
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("mode") != "throughput":
                continue
            rates.setdefault((r["model"], r["threads"], r.get("env", "default")), []).append(r["images_per_s_median_step"])
    # A peer at its best: the fastest environment variant (e.g. OPENBLAS_NUM_THREADS=1 at 2 torch threads).
    best = {}
    for (model, threads, _env), values in rates.items():
        best[(model, threads)] = max(best.get((model, threads), 0), statistics.median(values))
    return best


def main(argv):
    argv, peers_path = split_peers(argv)
    rows = load(argv)
    torch = peers(peers_path)
    print_machine(peak_gflops(rows))
    print()
    print("| workload | threads | µs per step | images/s | B allocated per step | PyTorch images/s | ours / PyTorch |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if ".TrainingStepBench." not in r["benchmark"]:
            continue
        params = r["params"]
        model, batch = WORKLOADS[params["workload"]]
        threads = int(params["threads"])
        us = r["primaryMetric"]["score"]
        rate = batch / (us * 1e-6)
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        peer = torch.get((model, threads))
        print(f"| {params['workload']} | {threads} | {us:,.0f} | {rate:,.0f} | {'' if alloc is None else f'{alloc:.1f}'} | "
              f"{'' if peer is None else f'{peer:,.0f}'} | {'' if peer is None else f'{rate / peer:.2f}×'} |")


if __name__ == "__main__":
    main(sys.argv[1:])
