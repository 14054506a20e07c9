"""The `kraft` command line as whole processes: `python -m bench.cli [N]` prints one JSON object.

    cli_import_ms   `python -m app.cli --help`: starting Python, importing the CLI entry, printing the help
    cli_search_ms   `python -m app.cli journal search ångest --passphrase-stdin` at N (10,000) entries, with
                    the real Argon2id (64 MiB, 3 passes) the vault's passphrase slot asks for

Each is the median of RUNS (3) processes after one untimed warm-up (the OS page cache, Python's bytecode
cache), timed from outside with the wall clock: what a member waits for at the terminal. The vault is filled
once by `bench.populate` with the default KDF in a temporary directory.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.storage.crypto import KdfParams
from bench import corpus
from bench.populate import PASSPHRASE, populate
from bench.size import ROOT, child_env, log

RUNS = 3
KEYS = ("cli_import_ms", "cli_search_ms")


def _timed_runs(argv: list[str], env: dict[str, str], stdin: str, runs: int) -> list[float]:
    """Wall-clock milliseconds of `runs` whole processes (after one untimed); each must exit 0."""
    samples: list[float] = []
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, check=False)
        elapsed = (time.perf_counter() - start) * 1000
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr}")
        if i:
            samples.append(elapsed)
    return samples


def measure(n: int, *, runs: int = RUNS, tmp_dir: str | None = None) -> dict[str, float]:
    """Fill a vault of `n` entries (real KDF) and time the two commands; the medians, rounded."""
    kraft = [sys.executable, "-m", "app.cli"]
    with tempfile.TemporaryDirectory(prefix=f"kraft-bench-cli-{n}-", dir=tmp_dir) as tmp:
        home = Path(tmp)
        populate(home, n, kdf=KdfParams())
        env = dict(child_env(), KRAFT_HOME=str(home), LANGUAGE="en")
        env.pop("KRAFT_PASSPHRASE", None)
        help_ms = _timed_runs([*kraft, "--help"], env, "", runs)
        search_ms = _timed_runs([*kraft, "journal", "search", corpus.QUERIES[0], "--passphrase-stdin"], env,
                                PASSPHRASE + "\n", runs)
    log(f"N={n} cli_import_ms {[round(s) for s in help_ms]}  cli_search_ms {[round(s) for s in search_ms]}")
    return {"cli_import_ms": float(f"{statistics.median(help_ms):.4g}"),
            "cli_search_ms": float(f"{statistics.median(search_ms):.4g}")}


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 10_000
    print(json.dumps(measure(n)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
