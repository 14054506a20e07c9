"""The layers hold (docs/adr/0007-app-layout.md): screens -> states -> services -> domain and storage, one way;
the CLI never touches storage; `protocol` and the relay import nothing of the app. Checked by parsing every
import of the real tree; the checker itself is tested on source text, so nothing is written into the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


def _imports_of(source: str, module: str) -> set[str]:
    """Every module `source` imports, relative imports resolved against `module` (a dotted name)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:  # relative: resolve against the package
            package = module.split(".")[:-1]
            base = package[:len(package) - (node.level - 1)]
            resolved = ".".join([*base, node.module] if node.module else base)
            names.add(resolved)
            names.update(f"{resolved}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # `from app import i18n`
    return names


def _imports(path: Path) -> set[str]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return _imports_of(path.read_text(encoding="utf-8"), module)


def _modules(*parts: str, root: Path = APP) -> list[Path]:
    return sorted(p for p in root.joinpath(*parts).rglob("*.py"))


def _starts(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _offenders_in(source: str, module: str, banned: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    """What `source` imports of `banned` beyond `allowed`, as the layer rules below judge it."""
    names = _imports_of(source, module)
    names = {n for n in names if not any(other.startswith(n + ".") for other in names)}
    return sorted(n for n in names if _starts(n, banned) and not _starts(n, allowed))


def _offenders(paths: list[Path], banned: tuple[str, ...], allowed: tuple[str, ...] = ()) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        bad = _offenders_in(path.read_text(encoding="utf-8"), module, banned, allowed)
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


# What each layer may not import: nothing above it.
SCREENS_AND_WIDGETS = [p for p in _modules("views") if "states" not in p.parts]
VIEW_BASICS = ("app.views.states", "app.views.routes", "app.views.lang")  # what states may use of the views


def test_flet_only_in_views_and_the_entry_point() -> None:
    allowed = {APP / "main.py", APP / "__main__.py"}
    paths = [p for p in _modules() if p not in allowed and "views" not in p.relative_to(APP).parts]
    assert _offenders(paths, ("flet", "flet_charts", "flet_local_auth", "flet_secure_storage")) == {}


def test_views_do_not_touch_storage_or_the_database() -> None:
    assert _offenders(_modules("views"), ("sqlmodel", "sqlalchemy", "sqlite3", "app.storage")) == {}


def test_states_do_not_import_screens_or_widgets() -> None:
    assert _offenders(_modules("views", "states"), ("app.views",), allowed=VIEW_BASICS) == {}


def test_services_do_not_import_views_or_the_cli() -> None:
    assert _offenders(_modules("services"), ("app.views", "app.cli", "flet")) == {}


def test_the_cli_never_touches_storage_or_views() -> None:
    """The CLI opens the member's data through AppContext only (app/cli/console.py open_context). The relay's
    own database, which `kraft coordinator` administers through the coordinator package, is not the app's."""
    assert _offenders(_modules("cli"), ("sqlalchemy", "sqlite3", "app.storage", "app.views", "flet")) == {}


def test_domain_is_pure() -> None:
    banned = ("app.services", "app.views", "app.cli", "app.storage", "flet", "sqlalchemy", "sqlmodel", "sqlite3",
              "httpx", "coordinator")
    assert _offenders(_modules("domain"), banned) == {}


def test_storage_does_not_import_services_views_or_cli() -> None:
    assert _offenders(_modules("storage"), ("app.services", "app.views", "app.cli", "flet")) == {}


def test_the_top_level_helpers_import_no_layer_above() -> None:
    top = [p for p in APP.glob("*.py") if p.name not in ("main.py", "__main__.py")]
    assert _offenders(top, ("app.services", "app.views", "app.cli", "app.storage", "flet")) == {}


def test_protocol_and_relay_import_nothing_of_the_app() -> None:
    """The wire format is the only code the app and the relay share; the relay's whole import closure is
    checked in a fresh interpreter by tests/coordinator/test_server_imports.py."""
    assert _offenders(_modules(root=ROOT / "protocol"), ("app", "coordinator", "flet")) == {}
    assert _offenders(_modules(root=ROOT / "coordinator"), ("app", "flet")) == {}


def test_the_checker_sees_each_kind_of_import() -> None:
    source = ("from sqlmodel import Session\nimport flet as ft\nfrom ..storage import vault\n"
              "from app import i18n\nfrom . import routes\n")
    found = _imports_of(source, "app.views.states.probe")
    assert {"sqlmodel", "flet", "app.views.storage", "app.i18n", "app.views.states.routes"} <= found
    assert _imports_of("from ...storage import vault\n", "app.views.states.probe") >= {"app.storage"}
    assert _starts("app.storage.vault", ("app.storage",)) and not _starts("app.storagex", ("app.storage",))


def test_the_rules_catch_an_upward_import() -> None:
    """A state that imports a screen is caught by the states' rule (checked on source text)."""
    source = "from app.views.journal import Search\nfrom app.views.routes import Route\n"
    found = sorted(n for n in _imports_of(source, "app.views.states.probe")
                   if _starts(n, ("app.views",)) and not _starts(n, VIEW_BASICS))
    assert found == ["app.views.journal", "app.views.journal.Search"]
    assert _offenders_in(source, "app.views.states.probe", ("app.views",), VIEW_BASICS) == [
        "app.views.journal.Search"]


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
