"""The layers hold: views -> services -> domain and storage. Checked by parsing every import."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _imports(path: Path, app: Path = APP) -> set[str]:
    """Every module `path` imports; relative imports are resolved against the package tree rooted at `app`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:  # relative: resolve against the package
            package = path.relative_to(app.parent).parts[:-1]
            base = list(package[:len(package) - (node.level - 1)])
            names.add(".".join([*base, node.module] if node.module else base))
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(*parts: str) -> list[Path]:
    return sorted(p for p in APP.joinpath(*parts).rglob("*.py"))


def test_flet_only_in_views_and_the_entry_point() -> None:
    allowed = {APP / "main.py", APP / "__main__.py"}
    offenders = [str(p.relative_to(APP)) for p in _modules()
                 if p not in allowed and "views" not in p.relative_to(APP).parts
                 and any(n == "flet" or n.startswith("flet.") for n in _imports(p))]
    assert offenders == []


def test_views_do_not_touch_storage_or_sqlmodel() -> None:
    bad = ("sqlmodel", "sqlalchemy", "sqlite3", "app.storage")
    offenders = [str(p.relative_to(APP)) for p in _modules("views")
                 if any(n.startswith(bad) for n in _imports(p))]
    assert offenders == []


def test_storage_and_domain_do_not_import_services_views_or_cli() -> None:
    upper = ("app.services", "app.views", "app.cli", "flet")
    lower = _modules("storage") + [p for p in APP.glob("*.py") if p.name not in ("main.py", "__main__.py")]
    offenders = [str(p.relative_to(APP)) for p in lower if any(n.startswith(upper) for n in _imports(p))]
    assert offenders == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    # The probe lives in a copy of the package layout, never in app/: a test running beside this one (pytest -n)
    # would otherwise find it among the real views.
    app = tmp_path / "app"
    sample = app / "views" / "_layer_probe.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("from sqlmodel import Session\nimport flet as ft\nfrom ..storage import vault\n",
                      encoding="utf-8")
    assert {"sqlmodel", "flet", "app.storage"} <= _imports(sample, app)
