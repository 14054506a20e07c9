"""`kraft` loads only what the command it runs needs (issue 17 point 10): help and `journal search` stay
quick, and every command and subcommand still parses and documents itself after the lazy loading."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.commands import COMMANDS
from app.cli.main import build_parser
from tests.cli.conftest import Kraft

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlmodel", "pydantic", "httpx", "flet", "icalendar", "fastapi", "uvicorn", "qrcode")


def _loaded_after(argv: list[str], home: Path, stdin: str = "") -> set[str]:
    """The top-level packages a fresh `kraft ARGV` process has imported when it is done."""
    code = ("import sys; from app.cli.main import main; code = main(sys.argv[1:]); "
            "print('\\n' + repr(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)")
    env = dict(os.environ, KRAFT_HOME=str(home), LANGUAGE="en", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code, *argv], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60, check=False)
    return set(json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"')))


def test_help_loads_no_storage_and_no_network(tmp_path: Path) -> None:
    loaded = _loaded_after(["--help"], tmp_path)
    assert not loaded & {*HEAVY, "sqlalchemy", "cryptography"}, loaded & {*HEAVY, "sqlalchemy", "cryptography"}


@pytest.mark.slow
def test_journal_search_loads_neither_sqlmodel_nor_the_network_nor_flet(tmp_path: Path) -> None:
    loaded = _loaded_after(["journal", "search", "ångest"], tmp_path)  # no journal there: a clear message
    assert "sqlalchemy" in loaded and not loaded & set(HEAVY), loaded & set(HEAVY)


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _subcommands(sub, (*path, name))
    return found


def _every_command() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name in COMMANDS:
        parser = build_parser(name)
        top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        paths += _subcommands(top.choices[name], (name,))
    return paths


@pytest.mark.parametrize("command", _every_command(), ids=" ".join)
def test_every_command_still_documents_itself(kraft: Kraft, command: tuple[str, ...]) -> None:
    result = kraft(*command, "--help")
    assert result.code == 0 and result.out.startswith(f"usage: kraft {' '.join(command)}"), result.err
    assert command[0] in kraft("--help").out


def test_the_table_names_every_command_its_module_registers() -> None:
    """A command a module registers but the table misses would be unreachable; a stale entry, a stub."""
    for name, (module, _help) in COMMANDS.items():
        parser = build_parser(name)
        top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        registered = top.choices[name]
        assert registered.get_default("func") is not None or any(
            isinstance(a, argparse._SubParsersAction) for a in registered._actions), f"{name} ({module}) is a stub"
