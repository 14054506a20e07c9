"""`python -m bench` (`make bench`): run each journal size in its own processes and print one JSON object.

stdout: {"journal": {"1000": {...}, "10000": {...}}, "attendance": {"sqlite": {...}, "postgresql": {...}},
         "delivery": {"delivery_p50_ms", "delivery_p95_ms", "delivery_max_ms", "messages", "lost"},
         "cli": {"cli_import_ms", "cli_search_ms"},
         "targets": ..., "checks": ..., "ok": ...}
stderr: progress, per-query details and a one-line summary. The exit status is 0 even when a target is
missed (this is a report); it is non-zero only if a measurement itself fails.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from bench.checks import SIZES, report, summary
from bench.size import KEYS, ROOT, child_env

REPEATS = 3


def run_size(n: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "bench.size", str(n)], cwd=ROOT, env=child_env(),
                          stdout=subprocess.PIPE, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main() -> int:
    start = time.perf_counter()
    # Each size runs REPEATS times, alternating (1000, 10000, 1000, ...), and every figure is the median over
    # those processes: a slow minute on the VM then spoils one process, not one size.
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in SIZES}
    for repeat in range(REPEATS):
        for n in SIZES:
            figures = run_size(n)
            runs[n].append(figures)
            print(f"bench: N={n} process {repeat + 1}/{REPEATS}: {json.dumps(figures)}", file=sys.stderr)
    journal = {str(n): {key: statistics.median(run[key] for run in runs[n]) for key in KEYS} for n in SIZES}
    done = subprocess.run([sys.executable, "-m", "bench.attendance"], cwd=ROOT, env=child_env(),
                          stdout=subprocess.PIPE, text=True, check=True)
    attendance = json.loads(done.stdout)
    print(f"bench: attendance: {json.dumps(attendance)}", file=sys.stderr)
    done = subprocess.run([sys.executable, "-m", "bench.app_delivery"], cwd=ROOT, env=child_env(),
                          stdout=subprocess.PIPE, text=True, check=True)
    delivery = json.loads(done.stdout)
    print(f"bench: delivery: {json.dumps(delivery)}", file=sys.stderr)
    done = subprocess.run([sys.executable, "-m", "bench.cli"], cwd=ROOT, env=child_env(),
                          stdout=subprocess.PIPE, text=True, check=True)
    cli = json.loads(done.stdout)
    print(f"bench: cli: {json.dumps(cli)}", file=sys.stderr)
    result = report(journal, attendance, delivery, cli)
    print(json.dumps(result, indent=2))
    print(f"{summary(result)} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
