"""The layers hold: views -> services -> domain and storage. Checked by parsing every import."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:  # relative: resolve against the package
            package = path.relative_to(APP.parent).parts[:-1]
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


def test_the_cli_never_touches_storage() -> None:
    """The CLI opens the member's data through AppContext only (app/cli/console.py open_context). The relay's
    own database, which `kraft coordinator` administers through the coordinator package, is not the app's."""
    bad = ("sqlalchemy", "sqlite3", "app.storage")
    offenders = [str(p.relative_to(APP)) for p in _modules("cli") if any(n.startswith(bad) for n in _imports(p))]
    assert offenders == []


def test_storage_and_domain_do_not_import_services_views_or_cli() -> None:
    upper = ("app.services", "app.views", "app.cli", "flet")
    lower = _modules("storage") + [p for p in APP.glob("*.py") if p.name not in ("main.py", "__main__.py")]
    offenders = [str(p.relative_to(APP)) for p in lower if any(n.startswith(upper) for n in _imports(p))]
    assert offenders == []


def test_the_checker_sees_a_violation() -> None:
    sample = APP / "views" / "_layer_probe.py"
    sample.write_text("from sqlmodel import Session\nimport flet as ft\nfrom ..storage import vault\n",
                      encoding="utf-8")
    try:
        assert {"sqlmodel", "flet", "app.storage"} <= _imports(sample)
    finally:
        sample.unlink()


# ---- SQL only in storage (docs/adr/0007-app-layout.md) ----

ABOVE_STORAGE = ("services", "views", "cli", "domain")
# What a module above storage may take from the database libraries: types for signatures, the errors a
# failed write raises, and the relay's Session handed on to the relay's own storage (coordinator.crud).
SQL_TYPES = {"sqlalchemy": {"Engine", "Connection"}, "sqlmodel": {"Session"}}
SQL_ERRORS = ("sqlalchemy.exc",)
SQL_CALLS = {"execute", "exec_driver_sql", "executemany", "executescript", "exec"}


def _sql_uses(source: str) -> list[str]:
    """Every way `source` builds or runs SQL itself: a query builder, a dialect, a driver, an execute call."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names
                      if a.name.split(".")[0] in ("sqlalchemy", "sqlmodel", "sqlite3")
                      and not a.name.startswith(SQL_ERRORS)]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module, root = node.module, node.module.split(".")[0]
            if root not in ("sqlalchemy", "sqlmodel", "sqlite3") or module.startswith(SQL_ERRORS):
                continue
            allowed = SQL_TYPES.get(module, set())
            found += [f"from {module} import {a.name}" for a in node.names if a.name not in allowed]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            found.append(f".{node.func.attr}()")
        elif isinstance(node, ast.Attribute) and node.attr == "__table__":
            found.append(".__table__")
    return found


def test_sql_only_in_storage() -> None:
    offenders = {str(p.relative_to(APP)): uses for part in ABOVE_STORAGE for p in _modules(part)
                 if (uses := _sql_uses(p.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_sql_checker_sees_each_kind_of_use() -> None:
    assert _sql_uses("from sqlalchemy import Engine, Connection\nfrom sqlalchemy.exc import DBAPIError\n"
                     "from sqlmodel import Session\n") == []
    assert _sql_uses("from sqlalchemy import Engine, select") == ["from sqlalchemy import select"]
    assert _sql_uses("from sqlalchemy.dialects.sqlite import insert") == [
        "from sqlalchemy.dialects.sqlite import insert"]
    assert _sql_uses("rows = Model.__table__") == [".__table__"]
    assert _sql_uses("import sqlite3") == ["import sqlite3"]
    assert _sql_uses("from sqlmodel import select") == ["from sqlmodel import select"]
    assert _sql_uses("def f(conn):\n    conn.execute(x)\n    conn.exec_driver_sql('SELECT 1')\n") == [
        ".execute()", ".exec_driver_sql()"]


def test_record_payload_formats_only_in_storage() -> None:
    """msgpack is the vault's payload codec (app.storage.records), not the domain's or a service's."""
    offenders = [str(p.relative_to(APP)) for p in _modules() if "storage" not in p.relative_to(APP).parts
                 and any(n == "msgpack" or n.startswith("msgpack.") for n in _imports(p))]
    assert offenders == []


def _i18n_names(path: Path) -> set[str]:
    """What a module takes from app.i18n: the names it imports, or "*module*" when it imports the module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "app.i18n":
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "app":
            names.update("*module*" for alias in node.names if alias.name == "i18n")
        elif isinstance(node, ast.Import):
            names.update("*module*" for alias in node.names if alias.name == "app.i18n")
    return names


def test_the_domain_is_handed_its_language_and_never_reads_the_current_one() -> None:
    """Two sessions in one process speak two languages, so the domain takes a `Language` as a parameter
    (docs/adr/0007-app-layout.md): from app.i18n it imports only the type and the `N_` marker."""
    allowed = {"N_", "Language"}
    offenders = {str(p.relative_to(APP)): sorted(names - allowed) for p in _modules("domain")
                 if (names := _i18n_names(p)) - allowed}
    assert offenders == {}
