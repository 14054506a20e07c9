"""The installed `kraft` console script as a subprocess, with the real Argon2id cost and pipes for stdin."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE

KRAFT = Path(sys.executable).with_name("kraft")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TIMEOUT = 60

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not KRAFT.exists(), reason="the kraft console script is not installed")]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("KRAFT_")}
    values.update(KRAFT_HOME=str(tmp_path / "home"), LANGUAGE="en", TZ="Europe/Copenhagen")
    return values


def kraft(env: dict[str, str], *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KRAFT), *argv], input=stdin, capture_output=True, text=True, env=env,
                          timeout=TIMEOUT, check=False)


def init(env: dict[str, str]) -> str:
    """`kraft init` driven like a script would: read the code from stdout, type it back on stdin."""
    proc = subprocess.Popen([str(KRAFT), "init", "--passphrase-stdin"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(TIMEOUT, proc.kill)
    watchdog.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(PASSPHRASE + "\n")
        proc.stdin.flush()
        code = proc.stdout.readline().strip()
        proc.stdin.write(code + "\n")
        proc.stdin.close()
        rest, err = proc.stdout.read(), proc.stderr.read()
        assert proc.wait() == 0, err
    finally:
        watchdog.cancel()
    assert rest == "" and "ready" in err
    return code


def test_init_add_list_search(env: dict[str, str]) -> None:
    code = init(env)
    assert len(code.replace("-", "")) == 24 and code.count("-") == 5
    assert stat.S_IMODE(os.stat(Path(env["KRAFT_HOME"]) / "kraft.db").st_mode) == 0o600

    added = kraft(env, "journal", "add", "--passphrase-stdin", "--tag", "hope",
                  stdin=f"{PASSPHRASE}\nEn god dag på mødet.\nJeg sagde noget nyt.\n")
    assert added.returncode == 0, added.stderr
    entry_id = added.stdout.strip()
    env_with_passphrase = {**env, "KRAFT_PASSPHRASE": PASSPHRASE}
    listed = json.loads(kraft(env_with_passphrase, "journal", "list", "--json").stdout)
    assert listed["total"] == 1 and listed["entries"][0]["id"] == entry_id
    assert listed["entries"][0]["text"] == "En god dag på mødet.\nJeg sagde noget nyt."
    found = json.loads(kraft(env_with_passphrase, "journal", "search", "MØDET", "--json").stdout)
    assert [e["id"] for e in found["entries"]] == [entry_id]
    # The recovery code printed at init opens the journal.
    recovered = kraft(env, "passphrase", "recover", "--passphrase-stdin", stdin=f"{code}\nanother passphrase\n")
    assert recovered.returncode == 0, recovered.stderr


def test_import_jrnl_reads_times_as_local(env: dict[str, str], tmp_path: Path) -> None:
    init(env)
    env = {**env, "KRAFT_PASSPHRASE": PASSPHRASE}
    result = kraft(env, "journal", "import", "--format", "jrnl-json", str(FIXTURES / "jrnl.json"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["Imported 4 entries.", "Skipped 1 item:"]
    entries = json.loads(kraft(env, "journal", "list", "--json").stdout)["entries"]
    # Copenhagen: 19:45 on 30 March 2024 is CET (+1), 08:00 on 1 July is CEST (+2).
    assert [e["created"] for e in entries][::-1][:2] == ["2024-03-30T18:45:00.000000+00:00",
                                                         "2024-07-01T06:00:00.000000+00:00"]
    out = tmp_path / "export.md"
    exported = kraft(env, "journal", "export", "--format", "markdown", "--output", str(out))
    assert exported.returncode == 0 and "NOT encrypted" in exported.stderr
    assert "## 2024-03-30 19:45" in out.read_text()  # headings in local time again
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_errors_are_one_line_never_a_traceback(env: dict[str, str]) -> None:
    no_journal = kraft({**env, "KRAFT_PASSPHRASE": PASSPHRASE}, "journal", "list")
    assert no_journal.returncode == 1
    assert no_journal.stderr == "kraft: There is no journal here yet. Create one first.\n"
    init(env)
    wrong = kraft({**env, "KRAFT_PASSPHRASE": "wrong passphrase"}, "journal", "add", "hello")
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert wrong.stderr == "kraft: That passphrase does not open this journal. Check it and try again.\n"
    missing = kraft(env, "journal", "list")  # stdin is a pipe, not a terminal: no prompt, a message
    assert missing.returncode == 2 and missing.stderr.startswith("kraft: No passphrase given.")
    bad_tag = kraft({**env, "KRAFT_PASSPHRASE": PASSPHRASE}, "journal", "add", "--tag", "joy", "x")
    assert bad_tag.returncode == 2 and "Traceback" not in bad_tag.stderr
