"""A phone build can install the member app (docs/phone-build.md): every binary package in the app's real
dependency closure, for a phone's Python, is one Flet's mobile index has built, at a version the requirements
allow. The closure is walked from the installed distributions' metadata, starting from pyproject.toml's
`dependencies` plus `[tool.flet.<platform>] dependencies` (what `flet build` itself reads), markers evaluated
for the phone; the list of built packages is docs/mobile/mobile-index.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
INDEX = tomllib.loads((ROOT / "docs" / "mobile" / "mobile-index.toml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PHONE_PYTHON = INDEX["phone_python"]


def phone(platform: str) -> dict[str, str]:
    """PEP 508 marker values on a phone: Python 3.13+ says sys.platform "android" or "ios" (PEP 738, 730)."""
    android = platform == "android"
    return {"sys_platform": platform, "platform_system": "Android" if android else "iOS", "os_name": "posix",
            "platform_machine": "aarch64" if android else "arm64", "python_version": PHONE_PYTHON,
            "python_full_version": f"{PHONE_PYTHON}.0", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "platform_release": "", "platform_version": "",
            "implementation_version": f"{PHONE_PYTHON}.0"}


@dataclass
class Closure:
    """Every distribution reached, with the specifiers each requirer puts on it."""

    specifiers: dict[str, list[tuple[str, SpecifierSet]]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)


def _applies(req: Requirement, env: dict[str, str], extras: Iterable[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in (*extras, ""))


def _requires(name: str, pinned: dict[str, str]) -> list[str]:
    """What `name` requires on a phone: when the phone pins it to a version the index file records (a pure
    package a desktop has at another version), that version's requirements; else the installed metadata."""
    pin = INDEX.get("pins", {}).get(name)
    if pin is not None and pinned.get(name) == pin["version"]:
        return list(pin["requires"])
    return list(metadata.distribution(name).requires or [])


def _pins(top: Iterable[str]) -> dict[str, str]:
    """The exact versions `top` pins (`name==version`)."""
    pins = {}
    for text in top:
        req = Requirement(text)
        specs = list(req.specifier)
        if len(specs) == 1 and specs[0].operator == "==":
            pins[canonicalize_name(req.name)] = specs[0].version
    return pins


def walk(top: Iterable[str], env: dict[str, str]) -> Closure:
    """The dependency closure of the requirements `top`, for the environment `env`."""
    closure = Closure()
    top = list(top)
    pinned = _pins(top)
    flet_builds = {canonicalize_name(n) for n in INDEX["flet_builds"]}
    todo = [("kraft", Requirement(r), ()) for r in top]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while todo:
        requirer, req, extras = todo.pop()
        if not _applies(req, env, extras):
            continue
        name = canonicalize_name(req.name)
        closure.specifiers.setdefault(name, []).append((requirer, req.specifier))
        key = (name, tuple(sorted(req.extras)))
        if key in seen or name in flet_builds:
            continue  # Flet's own phone builds bring nothing of their desktop dependencies
        seen.add(key)
        try:
            requires = _requires(name, pinned)
        except metadata.PackageNotFoundError:
            closure.missing.add(name)
            continue
        todo.extend((name, Requirement(r), tuple(sorted(req.extras))) for r in requires)
    return closure


def is_binary(name: str) -> bool:
    """Built for one platform: its WHEEL says Root-Is-Purelib: false, or it ships compiled modules."""
    dist = metadata.distribution(name)
    wheel = dist.read_text("WHEEL") or ""
    if "root-is-purelib: false" in wheel.lower():
        return True
    return any(str(f).endswith((".so", ".pyd", ".dylib")) for f in dist.files or [])


def problems(top: Iterable[str], platform: str = "android") -> list[str]:
    """Why a phone could not install `top`: binary packages the index lacks, or versions it has not built."""
    closure = walk(top, phone(platform))
    found = [f"{name}: not installed here, so not checked" for name in sorted(closure.missing)]
    built = {canonicalize_name(n): v for n, v in INDEX["packages"].items()}
    for name, specifiers in sorted(closure.specifiers.items()):
        if name in closure.missing or name in {canonicalize_name(n) for n in INDEX["flet_builds"]}:
            continue
        if not is_binary(name):
            continue
        if name not in built:
            found.append(f"{name} is binary and Flet's mobile index has no build of it")
            continue
        versions = built[name].get(PHONE_PYTHON, [])
        allowed = [v for v in versions if all(s.contains(v, prereleases=True) for _r, s in specifiers)]
        if not allowed:
            wants = ", ".join(f"{r} wants {name}{s or ' (any)'}" for r, s in specifiers)
            found.append(f"{name}: built only {versions} for Python {PHONE_PYTHON}; {wants}")
    return found


def phone_requirements(platform: str) -> list[str]:
    return [*PYPROJECT["project"]["dependencies"],
            *PYPROJECT["tool"]["flet"].get(platform, {}).get("dependencies", [])]


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_a_phone_can_install_the_member_app(platform: str) -> None:
    assert problems(phone_requirements(platform), platform) == []


def test_the_check_walks_the_real_closure() -> None:
    """The member app reaches the binary packages it is known to need, so the check above checks something."""
    closure = walk(phone_requirements("android"), phone("android"))
    assert {"cryptography", "cffi", "pydantic-core", "msgpack", "sqlalchemy"} <= set(closure.specifiers)
    assert "psycopg" not in closure.specifiers and "fastapi" not in closure.specifiers


def test_a_binary_package_the_index_lacks_fails() -> None:
    assert any(p.startswith("psycopg-binary is binary") for p in problems(["psycopg[binary]>=3.2,<4"]))


def test_a_pin_outside_the_built_versions_fails() -> None:
    assert any(p.startswith("cryptography: built only ['48.0.0']") for p in problems(["cryptography>=49,<51"]))
    assert problems(["cryptography>=44,<51"]) == []


def test_the_desktop_pydantic_needs_a_pydantic_core_the_index_lacks() -> None:
    """Why phones pin pydantic: the installed one (a desktop's) needs another pydantic-core than 2.47.0."""
    installed = metadata.version("pydantic")
    if installed == INDEX["pins"]["pydantic"]["version"]:
        pytest.skip("this machine runs the phone's pydantic")
    env = phone("android")
    assert not any(Requirement(r).name == "pydantic-core" and Requirement(r).specifier.contains("2.47.0")
                   for r in metadata.distribution("pydantic").requires or [] if _applies(Requirement(r), env, ()))


def test_the_build_carries_fingerprint_and_face_unlock() -> None:
    """docs/adr/0010-keystore-unlock.md: the two extensions are member dependencies (their Dart halves are built
    into the phone app), within Flet's own minor like the other Flet extensions; iOS says why Face ID is asked,
    Android may use the biometric prompt. local_auth needs a FlutterFragmentActivity: Flet's build template
    has it from the release that ships flet-local-auth (the template follows the installed flet), so no
    template of our own overrides it."""
    deps = {canonicalize_name(Requirement(r).name): Requirement(r) for r in PYPROJECT["project"]["dependencies"]}
    flet = metadata.version("flet")
    for name in ("flet-local-auth", "flet-secure-storage"):
        assert name in deps, f"{name} is not a member dependency"
        assert deps[name].specifier.contains(flet) and deps[name].specifier.contains("1.0.5")
    flet_tool = PYPROJECT["tool"]["flet"]
    assert "Face ID" in flet_tool["ios"]["info"]["NSFaceIDUsageDescription"]
    assert flet_tool["android"]["permission"]["android.permission.USE_BIOMETRIC"] is True
    assert "template" not in flet_tool  # Flet's own template, with its FlutterFragmentActivity
