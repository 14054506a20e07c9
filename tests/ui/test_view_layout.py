"""The views' own layout: no import circle between screen modules, shared pieces live outside the screens
(docs/adr/0007-app-layout.md). Checked by parsing every import, also those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"


def _module(path: Path) -> str:
    rel = path.relative_to(VIEWS.parent.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _view_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.views"):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("app.views"))
    return names


def _graph() -> dict[str, set[str]]:
    return {_module(p): _view_imports(p) for p in VIEWS.rglob("*.py")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # each circle once, from its smallest module
                walk(nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, [start])
    return found


def test_no_import_circle_between_view_modules() -> None:
    assert _cycles(_graph()) == []


def test_the_circle_finder_sees_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_shared_pieces_import_no_screen() -> None:
    screens = {"app.views.groups", "app.views.leading", "app.views.journal", "app.views.onboarding",
               "app.views.settings", "app.views.home", "app.views.help", "app.views.app"}
    graph = _graph()
    offenders = {m: graph[m] & screens for m in graph if m.startswith("app.views.widgets") and graph[m] & screens}
    assert offenders == {}


def test_home_and_help_are_screens_of_their_own() -> None:
    from app.views.help import Help
    from app.views.home import Home

    assert Home.__module__ == "app.views.home" and Help.__module__ == "app.views.help"
