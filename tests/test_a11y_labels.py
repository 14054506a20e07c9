"""Every control a screen reader meets has a label (issue 6): read from the source with `ast`.

Icon buttons need a tooltip (Flutter uses it as the semantic label), text fields, dropdowns, checkboxes and
switches a label, images a semantics label. A control built without one fails here, in any view.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEWS = sorted((ROOT / "app" / "views").glob("*.py"))
NEEDS = {
    "IconButton": ("tooltip",),
    "TextField": ("label",),
    "Dropdown": ("label",),
    "Checkbox": ("label",),
    "Switch": ("label",),
    "Image": ("semantics_label",),
    "FloatingActionButton": ("tooltip",),
    "ProgressRing": ("semantics_label",),
}


def unlabelled(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in NEEDS:
            given = {kw.arg for kw in node.keywords}
            if None in given:  # **kwargs: cannot tell from the source
                continue
            if not given.intersection(NEEDS[node.func.attr]):
                found.append((node.lineno, node.func.attr))
    return found


def test_the_checker_finds_an_unlabelled_icon_button() -> None:
    assert unlabelled("ft.IconButton(ft.Icons.CLOSE, on_click=f)\nft.IconButton(ft.Icons.CLOSE, tooltip=t)") == [
        (1, "IconButton")]


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_every_control_has_a_label(path: Path) -> None:
    found = unlabelled(path.read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{path.name}:{line}: {kind} without a label" for line, kind in found)
