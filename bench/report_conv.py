#!/usr/bin/env python3
"""Turns ConvBench/PoolBench JMH JSON into the table of docs/results.md, beside PyTorch (../shared/peers/conv.py) from the
same session: time per call, GFLOP/s, fraction of the FMA peak measured in the same run, and PyTorch's time
divided by ours (above 1: we are faster).

Usage: bench/report_conv.py RESULTS.json [more.json ...] [--peers /tmp/peers-results/conv.jsonl]
"""
import json
import statistics
import sys

from report import load, peak_gflops, print_machine, split_peers

# Our layer names -> (conv.py case, batch), and the flops of one forward call.
LAYERS = {
    "CS231N_B100": ("cs231n_fast_conv", 2 * 100 * 25 * 16 * 16 * 27),
    "LENET_C1_B32": ("lenet_C1_b32 1->6 5x5 pad2 28x28", 2 * 32 * 6 * 28 * 28 * 25),
    "LENET_C1_B128": ("lenet_C1_b128 1->6 5x5 pad2 28x28", 2 * 128 * 6 * 28 * 28 * 25),
    "LENET_C3_B32": ("lenet_C3_b32 6->16 5x5 14x14", 2 * 32 * 16 * 10 * 10 * 150),
    "LENET_C3_B128": ("lenet_C3_b128 6->16 5x5 14x14", 2 * 128 * 16 * 10 * 10 * 150),
    "LENET_C5_B32": ("lenet_C5_b32 16->120 5x5 5x5", 2 * 32 * 120 * 400),
    "LENET_C5_B128": ("lenet_C5_b128 16->120 5x5 5x5", 2 * 128 * 120 * 400),
    "CIFAR_3TO32_B64": ("cifar_3to32_3x3_b64 32x32", 2 * 64 * 32 * 32 * 32 * 27),
    "CIFAR_32TO32_B64": ("cifar_32to32_3x3_b64 32x32", 2 * 64 * 32 * 32 * 32 * 288),
    "CIFAR_64TO64_B64": ("cifar_64to64_3x3_b64 16x16", 2 * 64 * 64 * 16 * 16 * 576),
    "CIFAR_128TO128_8X8_B64": (None, 2 * 64 * 128 * 8 * 8 * 1152),
    "STRIDED_64TO128_B64": (None, 2 * 64 * 128 * 8 * 8 * 576),
}
POOLS = {"100x3x32": "cs231n_maxpool_2x2_s2", "32x6x28": "lenet_pool1_b32 2x2 s2 on 6x28x28",
         "128x6x28": "lenet_pool1_b128 2x2 s2 on 6x28x28"}
PEER_PHASE = {"forward": "forward(no_grad)", "backward": "backward(dx,dw,db)", "pool-backward": "backward(dx)"}


def peers(path):
    times = {}
    if not path:
        return times
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            times.setdefault((r["case"], r["phase"], r["threads"]), []).append(r["median_s"])
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv):
    argv, peers_path = split_peers(argv)
    rows = load(argv)
    peaks = peak_gflops(rows)
    torch = peers(peers_path)
    print_machine(peaks)
    print()
    print("| layer | pass | threads | impl | time µs | GFLOP/s | % of peak | PyTorch µs | PyTorch time / ours |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        name = r["benchmark"]
        params = r.get("params") or {}
        if ".ConvBench." not in name and ".PoolBench." not in name:
            continue
        pass_ = name.rsplit(".", 1)[1]
        threads = int(params["threads"])
        us = r["primaryMetric"]["score"]
        if ".ConvBench." in name:
            case, fwd_flops = LAYERS[params["layer"]]
            flops = fwd_flops * (2 if pass_ == "backward" else 1)
            label = params["layer"]
            peer = torch.get((case, PEER_PHASE[pass_], threads))
        else:
            case = POOLS[params["shape"]]
            flops = None
            label = "maxpool 2×2 s2 " + params["shape"]
            peer = torch.get((case, PEER_PHASE["forward" if pass_ == "forward" else "pool-backward"], threads))
        gflops = flops / (us * 1e-6) / 1e9 if flops else None
        peak = peaks.get(threads)
        cells = [label, pass_, str(threads), params.get("impl", ""), f"{us:.1f}",
                 f"{gflops:.1f}" if gflops else "", f"{100 * gflops / peak:.0f}%" if gflops and peak else "",
                 f"{peer * 1e6:.1f}" if peer else "", f"{peer * 1e6 / us:.2f}×" if peer else ""]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
