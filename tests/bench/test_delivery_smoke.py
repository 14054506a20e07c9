"""Smoke test of `python -m bench.delivery` (issue 15): it runs end to end against relay processes and reports
every figure, with nothing lost. It checks the structure, never the speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.size import child_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_delivery_bench_reports_every_figure() -> None:
    env = {k: v for k, v in child_env().items() if k not in ("KRAFT_TEST_POSTGRES_URL", "BENCH_POSTGRES_URL")}
    done = subprocess.run([sys.executable, "-m", "bench.delivery", "3"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"sqlite", "sqlite_two_workers"}
    for figures in result.values():
        assert set(figures) == {"p50_ms", "p95_ms", "max_ms", "post_p50_ms", "messages", "lost"}
        assert figures["messages"] == 3 and figures["lost"] == 0
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]


@pytest.mark.slow
def test_app_delivery_bench_reports_every_figure() -> None:
    """`python -m bench.app_delivery`: host's send to applied in an open app's listener (docs/adr/0008-delivery.md)."""
    done = subprocess.run([sys.executable, "-m", "bench.app_delivery", "3"], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, f"stdout must be exactly one JSON line, got: {done.stdout!r}"
    figures = json.loads(lines[0])
    assert set(figures) == {"delivery_p50_ms", "delivery_p95_ms", "delivery_max_ms", "messages", "lost"}
    assert figures["messages"] == 3 and figures["lost"] == 0
    assert 0 < figures["delivery_p50_ms"] <= figures["delivery_p95_ms"] <= figures["delivery_max_ms"]
