"""The lock files (issue 16 point 8): every dependency pyproject.toml declares is pinned there, within its
declared range, with the hashes pip checks, and the Makefile installs from them with --require-hashes, so
two installs a month apart run the same code (docs/adr/0007-app-layout.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """name -> (version, how many hashes) of every pinned requirement in a lock file."""
    found: dict[str, tuple[Version, int]] = {}
    name = ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            found[name] = (Version(match[2]), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [r for r in map(Requirement, lines) if canonicalize_name(r.name) != "kraft"]


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ("relay", "dev")),
                                              ("requirements-desktop.lock", ("desktop",))])
def test_the_lock_pins_every_declared_dependency_within_its_range_with_hashes(lock: str,
                                                                             extras: tuple[str, ...]) -> None:
    pinned = pins(ROOT / lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock} does not pin {name}: run `make lock`"
        version, _hashes = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{lock}: {name}=={version}"
        for extra in requirement.extras:  # flet[web] brings flet-web, psycopg[binary] psycopg-binary
            assert canonicalize_name(f"{name}-{extra}") in pinned, f"{lock} does not pin {name}[{extra}]"
    assert all(hashes > 0 for _version, hashes in pinned.values()), "every pin needs its hashes"
    assert {"setuptools", "wheel"} <= set(pins(ROOT / "requirements.lock"))  # they build the project itself


def test_the_desktop_lock_agrees_with_the_main_one() -> None:
    main, desktop = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-desktop.lock")
    assert {n: v for n, (v, _h) in desktop.items() if n in main} == {n: main[n][0] for n in desktop if n in main}


def test_the_makefile_installs_from_the_locks_with_hashes_and_the_project_without_dependencies() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line and "$(PY)" in line]
    assert installs and all("--require-hashes -r requirements" in line or "--no-deps" in line for line in installs)
    assert any("--no-deps" in line and "-e ." in line for line in installs)
    assert re.search(r"^lock:", makefile, re.MULTILINE)
