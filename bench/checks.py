"""The performance targets, and their evaluation against the figures of `python -m bench`."""

from __future__ import annotations

import operator
from typing import Any

SMALL, LARGE = "1000", "10000"
SIZES = (int(SMALL), int(LARGE))

_OPS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge, "==": operator.eq}
TARGETS: dict[str, str] = {
    "search_vs_floor": f"search_ms({LARGE}) <= search_floor_ms({LARGE})",
    "search_cold": f"search_cold_ms({LARGE}) < 150",
    "list50": f"list50_ms({LARGE}) < 20",
    "unlock": f"unlock_ms({LARGE}) < 150",
    "save": f"save_ms({LARGE}) < 15",
    "rewrap_flat": f"rewrap_ms({LARGE}) <= 1.5 * rewrap_ms({SMALL})",
    "rekey": f"rekey_ms({LARGE}) < 1000",
    "attendance_rate": "attendance.sqlite.reports_per_s >= 2000",
    "attendance_p99": "attendance.sqlite.p99_ms < 100",
    "attendance_lost": "attendance.sqlite.lost == 0 (and postgresql's, when measured)",
    "delivery_p95": "delivery.delivery_p95_ms < 5000 (host's send to applied in an open app, loopback)",
    "delivery_lost": "delivery.lost == 0",
    "cli_search": f"cli.cli_search_ms({LARGE}) <= 450 (`kraft journal search` as a whole process, Argon2id included)",
    "cli_import": "cli.cli_import_ms <= 150 (`kraft --help` as a whole process)",
}


def evaluate(journal: dict[str, dict[str, float]], attendance: dict[str, dict[str, float]] | None = None,
             delivery: dict[str, float] | None = None, cli: dict[str, float] | None = None,
             ) -> dict[str, dict[str, Any]]:
    """One entry per target: {"value", "limit", "op", "ok"}."""
    big, small = journal[LARGE], journal[SMALL]
    rows = {
        "search_vs_floor": (big["search_ms"], "<=", big["search_floor_ms"]),
        "search_cold": (big["search_cold_ms"], "<", 150.0),
        "list50": (big["list50_ms"], "<", 20.0),
        "unlock": (big["unlock_ms"], "<", 150.0),
        "save": (big["save_ms"], "<", 15.0),
        "rewrap_flat": (big["rewrap_ms"], "<=", round(1.5 * small["rewrap_ms"], 4)),
        "rekey": (big["rekey_ms"], "<", 1000.0),
    }
    if attendance is not None:
        rows["attendance_rate"] = (attendance["sqlite"]["reports_per_s"], ">=", 2000.0)
        rows["attendance_p99"] = (attendance["sqlite"]["p99_ms"], "<", 100.0)
        rows["attendance_lost"] = (sum(run["lost"] for run in attendance.values()), "==", 0)
    if delivery is not None:
        rows["delivery_p95"] = (delivery["delivery_p95_ms"], "<", 5000.0)
        rows["delivery_lost"] = (delivery["lost"], "==", 0)
    if cli is not None:
        rows["cli_search"] = (cli["cli_search_ms"], "<=", 450.0)
        rows["cli_import"] = (cli["cli_import_ms"], "<=", 150.0)
    return {name: {"value": value, "limit": limit, "op": op, "ok": bool(_OPS[op](value, limit))}
            for name, (value, op, limit) in rows.items()}


def report(journal: dict[str, dict[str, float]], attendance: dict[str, dict[str, float]] | None = None,
           delivery: dict[str, float] | None = None, cli: dict[str, float] | None = None) -> dict[str, Any]:
    """The whole output object: figures, targets, checks and the overall verdict."""
    checks = evaluate(journal, attendance, delivery, cli)
    result: dict[str, Any] = {"journal": journal}
    if attendance is not None:
        result["attendance"] = attendance
    if delivery is not None:
        result["delivery"] = delivery
    if cli is not None:
        result["cli"] = cli
    return {**result, "targets": TARGETS, "checks": checks, "ok": all(check["ok"] for check in checks.values())}


def summary(result: dict[str, Any]) -> str:
    """One line for stderr."""
    checks = result["checks"]
    failed = [f"{name} {c['value']:g} not {c['op']} {c['limit']:g}" for name, c in checks.items() if not c["ok"]]
    passed = len(checks) - len(failed)
    verdict = "ok" if result["ok"] else "NOT ok"
    return f"bench: {verdict}: {passed}/{len(checks)} targets met" + (f"; missed: {'; '.join(failed)}"
                                                                    if failed else "")
