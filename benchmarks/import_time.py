"""cold-process ``import weaviate_telemetry`` vs ``import weaviate`` (target <= 0.15).

``run_all.py`` measures the same with CPU time and cached bytecode (steadier on a shared machine).

Run: ``python benchmarks/import_time.py [--runs 15]`` (needs the ``bench`` extra).
Each sample is a fresh interpreter; both imports alternate so load drift hits both;
the reported figure is the median wall time of the process minus that of a bare
``python -c pass``, so interpreter start-up is not counted for either side.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def sample(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    codes = {
        "bare": "pass",
        "weaviate_telemetry": "import weaviate_telemetry",
        "weaviate (official)": "import weaviate",
    }
    for code in codes.values():
        sample(code)  # warm the OS file cache
    times: dict[str, list[float]] = {k: [] for k in codes}
    for _ in range(args.runs):
        for name, code in codes.items():
            times[name].append(sample(code))
    bare = statistics.median(times["bare"])
    ours = statistics.median(times["weaviate_telemetry"]) - bare
    theirs = statistics.median(times["weaviate (official)"]) - bare
    print(f"interpreter start-up         {bare * 1000:7.1f} ms (subtracted)")
    print(f"import weaviate_telemetry    {ours * 1000:7.1f} ms")
    print(f"import weaviate              {theirs * 1000:7.1f} ms")
    print(f"ratio                        {ours / theirs:.3f}  (target <= 0.15)")


if __name__ == "__main__":
    main()
