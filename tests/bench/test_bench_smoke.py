"""Smoke test of the benchmark: the size runner works end to end and reports every figure.

It checks the structure of the output, never the speed (the figures of a 200-entry journal on a test machine
say nothing about the targets; `make bench` is what reports those).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.checks import TARGETS, evaluate, report
from bench.size import KEYS, child_env

ROOT = Path(__file__).resolve().parents[2]


def _is_positive_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


@pytest.mark.slow
def test_size_runner_reports_every_figure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.size", "200", "--cycles", "2", "--rounds", "2", "--saves", "3",
         "--rewraps", "2", "--rekeys", "1", "--tmp-dir", str(tmp_path)],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, f"stdout must be exactly one JSON line, got: {done.stdout!r}"
    figures = json.loads(lines[0])
    assert set(figures) == set(KEYS)
    bad = {key: figures[key] for key in KEYS if not _is_positive_number(figures[key])}
    assert not bad, f"figures that are not positive numbers: {bad}"
    assert list(tmp_path.iterdir()) == [], "the temporary vault was not removed"


def test_checks_flag_a_missed_target() -> None:
    good = {"unlock_ms": 50.0, "list50_ms": 1.0, "search_cold_ms": 100.0, "search_ms": 5.0,
            "search_floor_ms": 10.0, "save_ms": 3.0, "rewrap_ms": 2.0, "rekey_ms": 300.0, "rss_mb": 100.0}
    delivery = {"delivery_p50_ms": 300.0, "delivery_p95_ms": 600.0, "delivery_max_ms": 900.0, "messages": 50,
                "lost": 0}
    cli = {"cli_import_ms": 90.0, "cli_search_ms": 400.0}
    result = report({"1000": good, "10000": good}, {"sqlite": {"reports_per_s": 2100.0, "p99_ms": 50.0, "lost": 0}},
                    delivery, cli)
    assert set(result["checks"]) == set(TARGETS) and result["cli"] == cli
    assert result["ok"] is True
    late = evaluate({"1000": good, "10000": good}, delivery=dict(delivery, delivery_p95_ms=5000.0, lost=1))
    assert [name for name, check in late.items() if not check["ok"]] == ["delivery_p95", "delivery_lost"]
    sluggish = evaluate({"1000": good, "10000": good}, cli={"cli_import_ms": 480.0, "cli_search_ms": 880.0})
    assert [name for name, check in sluggish.items() if not check["ok"]] == ["cli_search", "cli_import"]

    slow = dict(good, search_ms=11.0, rewrap_ms=3.5, rekey_ms=1000.0)
    checks = evaluate({"1000": good, "10000": slow})
    assert not checks["search_vs_floor"]["ok"]
    assert not checks["rewrap_flat"]["ok"]
    assert [name for name, check in checks.items() if not check["ok"]] == ["search_vs_floor", "rewrap_flat",
                                                                           "rekey"]


@pytest.mark.slow
def test_cli_bench_reports_both_figures(tmp_path: Path) -> None:
    """`python -m bench.cli N`: whole `kraft` processes on a vault with the real KDF (structure, not speed)."""
    done = subprocess.run([sys.executable, "-m", "bench.cli", "30"], cwd=ROOT,
                          env=dict(child_env(), TMPDIR=str(tmp_path)), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert set(figures) == {"cli_import_ms", "cli_search_ms"} and all(map(_is_positive_number, figures.values()))
    assert list(tmp_path.iterdir()) == [], "the temporary vault was not removed"


@pytest.mark.slow
def test_attendance_bench_reports_every_figure() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.attendance", "1"], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "sqlite" in result
    for figures in result.values():
        assert {"reports_per_s", "p99_ms", "lost", "batch", "workers"} <= set(figures)
        assert _is_positive_number(figures["reports_per_s"]) and _is_positive_number(figures["p99_ms"])
        assert figures["lost"] == 0 and figures["failed_requests"] == 0


def test_attendance_targets_are_checked() -> None:
    journal = {"1000": {"rewrap_ms": 1.0}, "10000": {"search_ms": 1, "search_floor_ms": 2, "search_cold_ms": 1,
                                                    "list50_ms": 1, "unlock_ms": 1, "save_ms": 1, "rewrap_ms": 1,
                                                    "rekey_ms": 1}}
    fast = {"sqlite": {"reports_per_s": 2500.0, "p99_ms": 60.0, "lost": 0}}
    slow = {"sqlite": {"reports_per_s": 1500.0, "p99_ms": 160.0, "lost": 2}}
    assert report(journal, fast)["ok"] is True
    checks = report(journal, slow)["checks"]
    assert [name for name, c in checks.items() if not c["ok"]] == ["attendance_rate", "attendance_p99",
                                                                   "attendance_lost"]
