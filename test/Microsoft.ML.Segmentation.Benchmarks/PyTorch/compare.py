"""SegML's quick-mode kernels beside PyTorch's, in pairs of runs taking turns, on the same workload and machine.

    python3 test/Microsoft.ML.Segmentation.Benchmarks/PyTorch/compare.py --kernels cross_entropy,focal --pairs 4 \
        [--tier default|avx2|vector128|vector128_fma|vector512] [--torch-capability default|avx2] [--workload DIR]

Each pair runs the benchmark project's `--quick --kernels …` (SegML, under the tier's runtime switches) and
`pytorch_losses.py` (PyTorch, `ATEN_CPU_CAPABILITY` as given), each in its own process, the side that runs first
alternating from pair to pair (on a shared VM the second of two back-to-back runs was measurably favoured). It
prints one JSON line per kernel: both sides' median ms over the pairs, the median of the per-pair speedups
(PyTorch's time over SegML's) with their range, the tier SegML ran on and PyTorch's loss value beside SegML's.
The workload (`--dump-workload`) is written once to `--workload` when that folder has none. Build the benchmark
project first (`dotnet build -c Release test/Microsoft.ML.Segmentation.Benchmarks`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHMARKS = os.path.join(HERE, "..", "bin", "Release", "net10.0", "Microsoft.ML.Segmentation.Benchmarks.dll")
TIERS = {
    "default": {},
    "avx2": {"DOTNET_EnableAVX512": "0", "DOTNET_EnableAVX512F": "0"},
    "vector128": {"DOTNET_EnableAVX2": "0"},
    "vector128_fma": {"DOTNET_EnableAVX512": "0", "DOTNET_EnableAVX512F": "0", "DOTNET_PreferredVectorBitWidth": "128"},
    # SegML's cross-entropy and sigmoid focal kernels at 512 bits where Vector512Policy keeps them at 256 (Zen 4).
    "vector512": {"SEGML_VECTOR512": "1"},
}
SWITCHES = {name for tier in TIERS.values() for name in tier}


def lines(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    parsed = map(json.loads, filter(lambda l: l.startswith("{"), result.stdout.splitlines()))
    return {line["kernel"]: line for line in parsed if "kernel" in line}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", required=True)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--tier", choices=TIERS, default="default")
    parser.add_argument("--torch-capability", choices=["default", "avx2", "build"], default="build",
                        help="PyTorch's kernel tier (ATEN_CPU_CAPABILITY); build: the best its build has for this CPU")
    parser.add_argument("--workload", default=os.path.join("/tmp", "segml-workload"))
    parser.add_argument("--seconds", type=float, default=1.0, help="PyTorch's timing budget per kernel (SegML's quick mode uses 1 s)")
    args = parser.parse_args()
    if not os.path.exists(BENCHMARKS):
        sys.exit(f"{BENCHMARKS} is missing: dotnet build -c Release test/Microsoft.ML.Segmentation.Benchmarks")

    base = {k: v for k, v in os.environ.items() if k not in SWITCHES and k != "ATEN_CPU_CAPABILITY"}
    if not os.path.exists(os.path.join(args.workload, "workload.json")):
        lines(["dotnet", BENCHMARKS, "--dump-workload", args.workload], base)

    segml_env = {**base, **TIERS[args.tier]}
    torch_env = dict(base) if args.torch_capability == "build" else {**base, "ATEN_CPU_CAPABILITY": args.torch_capability}
    segml_command = ["dotnet", BENCHMARKS, "--quick", "--kernels", args.kernels]
    torch_command = [sys.executable, os.path.join(HERE, "pytorch_losses.py"), args.workload, "--kernels", args.kernels,
                     "--seconds", str(args.seconds)]
    pairs = []
    for pair in range(args.pairs):
        if pair % 2 == 0:
            segml, torch = lines(segml_command, segml_env), lines(torch_command, torch_env)
        else:
            torch, segml = lines(torch_command, torch_env), lines(segml_command, segml_env)
        pairs.append((segml, torch))

    for kernel in args.kernels.split(","):
        ours = [p[0][kernel]["median_ms"] for p in pairs]
        theirs = [p[1][kernel]["median_ms"] for p in pairs]
        speedups = sorted(t / o for o, t in zip(ours, theirs))
        last = pairs[-1][1][kernel]
        print(json.dumps({
            "kernel": kernel, "pairs": args.pairs, "segml_ms": statistics.median(ours), "pytorch_ms": statistics.median(theirs),
            "speedup": round(statistics.median(speedups), 2), "range": [round(speedups[0], 2), round(speedups[-1], 2)],
            "segml_simd": pairs[-1][0][kernel]["simd"], "tier": args.tier, "torch": last["torch"],
            "torch_capability": args.torch_capability, "threads": last["threads"],
            "pytorch_loss": last["loss"], "segml_loss": last["segml_loss"], "relative_difference": last["relative_difference"],
        }), flush=True)


if __name__ == "__main__":
    main()
