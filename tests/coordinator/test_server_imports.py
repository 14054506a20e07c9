"""The relay is server code: neither it nor `kraft coordinator` may pull in Flet (a region's server has no UI,
and may not even have Flet's wheels)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_relay_and_its_commands_import_no_flet() -> None:
    code = ("import sys, coordinator.main, app.cli.coordinator_cmds, app.cli.main\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('flet')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            check=True)
    assert result.stdout.strip() == "[]", result.stdout
