"""Fuzz the member's commands with bad inputs: every one ends in a message, none in a traceback.

Each example takes a command of the journal, import/export, backup, passphrase, homework, check-in or group
half, and puts a drawn bad value in one of its places (an argument, stdin, the passphrase). `main()` turns an
exception nobody expected into "did not expect" (app/cli/crash.py); that counts as a failure here as much
as a traceback would, so every such case needs its own message. Issue 17 point 11.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli.main import main
from tests.cli.conftest import Kraft
from tests.examples import examples

BAD_TEXT = st.one_of(
    st.sampled_from(["", " ", "-", "--", "\x00", "\udcff", "bad \ud800 half", "x" * 100_001, "0", "-1", "9" * 30,
                     "1e9", "NaN", "../..", "/", "/proc/nope/x", "%s%n", "{0}", "{entry_id}", "'\"", "\n\n",
                     "9999-12-31", "0001-01-01", "1899-12-31 23:59", "9999-12-31 23:59", "2030-02-30", "24:00",
                     "Europe/Nowhere", "ABCDE-12345", "kraft://join#AAAA", "http://127.0.0.1.evil.example"]),
    st.text(max_size=40),
)

# Commands with the place a bad value goes ({}), as a member would type them; GROUP is a real group's id.
COMMANDS = [
    ["journal", "add", "{}"], ["journal", "add", "ok", "--tag", "{}"], ["journal", "add", "ok", "--theme", "{}"],
    ["journal", "add", "ok", "--prompt", "{}"], ["journal", "list", "--limit", "{}"],
    ["journal", "list", "--offset", "{}"], ["journal", "show", "{}"], ["journal", "search", "{}"],
    ["journal", "edit", "{}", "--text", "x"], ["journal", "delete", "{}", "--yes"],
    ["journal", "export", "--format", "markdown", "--output", "{}"],
    ["journal", "import", "--format", "kraft-json", "{}"], ["journal", "import", "--format", "jrnl-json", "-"],
    ["journal", "import", "--format", "dayone-json", "-"],
    ["backup", "create", "{}"], ["backup", "verify", "{}"], ["backup", "restore", "{}"],
    ["passphrase", "change", "--passphrase-stdin"], ["homework"], ["homework", "--json"],
    ["checkin", "{}"], ["checkin", "GROUP", "--meeting", "{}"], ["checkin", "GROUP", "--history"],
    ["checkin", "GROUP", "--cant-come", "--meeting", "{}"],
    ["group", "add", "--first", "{}", "--at", "18:00", "G"],
    ["group", "add", "--first", "2030-01-07", "--at", "{}", "G"],
    ["group", "add", "--first", "2030-01-07", "--at", "18:00", "--zone", "{}", "G"],
    ["group", "add", "--first", "2030-01-07", "--at", "18:00", "--until", "{}", "G"],
    ["group", "add", "--first", "2030-01-07", "--at", "18:00", "--count", "{}", "G"],
    ["group", "add", "--first", "2030-01-07", "--at", "18:00", "--duration", "{}", "G"],
    ["group", "add", "--first", "2030-01-07", "--at", "18:00", "{}"], ["group", "show", "{}"],
    ["group", "move", "GROUP", "20300114T170000Z", "--to", "{}"],
    ["group", "move", "GROUP", "{}", "--to", "2030-01-15 18:00"],
    ["group", "cancel", "GROUP", "{}"], ["group", "skip", "GROUP", "{}"],
    ["group", "export-ics", "GROUP", "--output", "{}"],
    ["group", "list"], ["group", "next"],
]


@pytest.fixture
def group(vault: Path, kraft: Kraft, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A real group's id; the commands run in an empty folder of their own (a drawn value is often a file name
    to write, and once the checkout collected a hundred files named like them)."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    added = kraft("group", "add", "--first", "2030-01-07", "--at", "18:00", "--count", "5", "Fuzzed")
    assert added.code == 0, added.err
    return added.out.strip()


@pytest.mark.usefixtures("vault")
@settings(max_examples=int(os.environ.get("KRAFT_FUZZ_EXAMPLES", str(examples(300)))), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(COMMANDS), value=BAD_TEXT, stdin=BAD_TEXT)
def test_no_bad_input_reaches_the_member_as_a_traceback(group: str, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch, command: list[str],
                                                        value: str, stdin: str) -> None:
    value = value.replace("\x00", "")  # no process can receive a NUL in an argument (exec's strings end at one)
    argv = [value if part == "{}" else group if part == "GROUP" else part for part in command]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    started = time.perf_counter()
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, err)
    assert "Traceback" not in err and "did not expect" not in err, (argv, stdin, err)
    assert time.perf_counter() - started < 10, argv
