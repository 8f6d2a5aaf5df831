#!/usr/bin/env python3
"""Tables of bench/run-spark and the scaling model of data-parallel training.

    report_spark.py RESULTS_DIR          the measured tables (from run-spark's logs, wall times and run folders)
                                         and the model fed with the figures measured there
    report_spark.py --model --step-ms 1.8 --params 61706 --sync-ms 70 [--batch 32] [--sync-every 32]
                                         the model alone, from figures given by hand

The model (a model, not a measurement): one round = K steps of compute on every worker, one Spark job
(fixed overhead, measured on local[2]), the broadcast of the parameters (4 bytes each; Spark's torrent broadcast
lets every worker receive them about once at line rate) and the collection of W results of the same size into
the driver's one link. Images/s over W machines = W * K * batch / round time; speed-up against one machine
running the same steps without Spark.
"""
import argparse
import csv
import glob
import os
import re
import sys

from report import cpu_family

LINKS = [("1 GbE", 125e6), ("10 GbE", 1.25e9), ("25 GbE", 3.125e9)]
MACHINES = [2, 4, 8, 16, 32, 64]


def model_table(step_ms, params, sync_ms, batch, sync_every):
    payload = 4 * params
    print(f"Scaling model (not measured): step {step_ms:.2f} ms of compute per worker (batch {batch}), {params:,} parameters = "
          f"{payload / 1e6:.2f} MB per synchronisation each way per worker, Spark job overhead {sync_ms:.0f} ms per round, "
          f"sync every {sync_every} step(s). Cells: images/s over all machines (speed-up against one machine).")
    print()
    print("| machines | " + " | ".join(name for name, _ in LINKS) + " |")
    print("|---|" + "---|" * len(LINKS))
    single = batch / (step_ms / 1e3)
    for w in MACHINES:
        cells = []
        for _, bandwidth in LINKS:
            transfer = payload / bandwidth + w * payload / bandwidth
            round_s = sync_every * step_ms / 1e3 + sync_ms / 1e3 + transfer
            rate = w * sync_every * batch / round_s
            cells.append(f"{rate:,.0f} ({rate / single:.1f}×)")
        print(f"| {w} | " + " | ".join(cells) + " |")
    print()


def last_epoch_rate(run_parent):
    files = glob.glob(os.path.join(run_parent, "*", "metrics.csv"))
    if not files:
        return None
    with open(files[0]) as f:
        rows = list(csv.DictReader(f))
    return float(rows[-1]["samples_per_second"])


def read(path):
    with open(path) as f:
        return f.read()


def measured(results):
    def seconds(name):
        p = os.path.join(results, name + ".seconds")
        return float(read(p)) if os.path.exists(p) else None

    print(f"CPU family {cpu_family()}; {os.cpu_count()} processors")
    print()
    print("| sweep | wall time s |")
    print("|---|---|")
    print(f"| local, one trial after another, 1 thread each | {seconds('sweep-local')} |")
    print(f"| Spark local[2], two trials at once, 1 thread each | {seconds('sweep-spark')} |")
    print()
    print("| LeNet-5 training, last epoch | images/s | command wall time s |")
    print("|---|---|---|")
    for name, label in [("lenet5-1thread", "single process, 1 thread"), ("lenet5-2threads", "single process, 2 threads"),
                        ("lenet5-spark-k1", "local[2], gradient averaging (--sync-every 1)"),
                        ("lenet5-spark-default", "local[2], parameter averaging (default --sync-every)")]:
        rate = last_epoch_rate(os.path.join(results, "runs-" + name))
        print(f"| {label} | {rate:,.0f} | {seconds(name)} |" if rate else f"| {label} | (no run) | |")
    print()
    log = os.path.join(results, "lenet5-spark-k1.log")
    one = last_epoch_rate(os.path.join(results, "runs-lenet5-1thread"))
    if os.path.exists(log) and one:
        m = re.search(r"synchronisation \(round minus compute\) median ([0-9.]+) ms; ([0-9,]+) parameters", read(log))
        if m:
            sync_ms, params = float(m.group(1)), int(m.group(2).replace(",", ""))
            step_ms = 32 / one * 1e3
            for k in (1, 32):
                model_table(step_ms, params, sync_ms, 32, k)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", nargs="?")
    p.add_argument("--model", action="store_true")
    p.add_argument("--step-ms", type=float)
    p.add_argument("--params", type=int)
    p.add_argument("--sync-ms", type=float)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--sync-every", type=int, default=32)
    a = p.parse_args()
    if a.model:
        if a.step_ms is None or a.params is None or a.sync_ms is None:
            sys.exit("report_spark.py --model needs --step-ms, --params and --sync-ms")
        model_table(a.step_ms, a.params, a.sync_ms, a.batch, a.sync_every)
    elif a.results:
        measured(a.results)
    else:
        p.error("give RESULTS_DIR or --model")


if __name__ == "__main__":
    main()
