"""Every control a screen reader meets has a label (issue 6): read from the source with `ast`.

Icon buttons need an icon with a semantic label (in the web client a tooltip alone names only a wrapper, and
the focused button is read as a bare "button"; `common.icon_button` builds them right); dropdowns are built
with `common.dropdown` and its kin (Flutter's menu is an unnamed button there) and a label, selectable text
with `common.selectable_text` (an unnamed, disabled text box otherwise), text fields with `common.text_input` (a
label, and it never types over keys the app has not heard of yet); checkboxes and
switches need a label, images a semantics label. A control built without one fails
here, in any view. The browser tests check the same from the other end: no unnamed control on a screen.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEWS = sorted((ROOT / "app" / "views").rglob("*.py"))  # screens, widgets/ and states/
NEEDS = {
    "TextField": ("label",),
    "Checkbox": ("label", "semantics_label"),  # a wrapping label beside it: views.common.tick
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
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "IconButton":
            icon = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "icon"), None)
            named = (isinstance(icon, ast.Call) and isinstance(icon.func, ast.Attribute) and icon.func.attr == "Icon"
                     and any(k.arg == "semantics_label" for k in icon.keywords))
            if not named:
                found.append((node.lineno, "IconButton"))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Text"
                and any(k.arg == "selectable" for k in node.keywords)):
            found.append((node.lineno, "selectable Text (build it with common.selectable_text)"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "TextField":
            found.append((node.lineno, "TextField (build it with common.text_input: it never types over anyone)"))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "text_input"
                and not node.args and not any(k.arg == "label" for k in node.keywords)):
            found.append((node.lineno, "text_input"))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("Dropdown", "DropdownM2")):
            found.append((node.lineno, f"{node.func.attr} (build it with common.dropdown)"))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("dropdown", "long_dropdown", "type_ahead")
                and not any(k.arg == "label" for k in node.keywords)):
            found.append((node.lineno, node.func.id))
    return found


def test_the_checker_finds_an_unlabelled_icon_button() -> None:
    assert unlabelled("ft.IconButton(ft.Icons.CLOSE, on_click=f)\n"
                      "ft.IconButton(ft.Icons.CLOSE, tooltip=t)\n"
                      "ft.IconButton(ft.Icon(ft.Icons.CLOSE, semantics_label=t), tooltip=t)\n"
                      "ft.IconButton(icon=ft.Icon(ft.Icons.CLOSE, semantics_label=t))") == [
        (1, "IconButton"), (2, "IconButton")]


def test_the_checker_wants_text_fields_built_by_the_helper_with_a_label() -> None:
    assert unlabelled("ft.TextField(label=t, value=v)\ntext_input(key=k)\ntext_input(t, v, key=k)") == [
        (1, "TextField (build it with common.text_input: it never types over anyone)"), (2, "text_input")]


def test_the_checker_wants_dropdowns_built_by_the_helper_with_a_label() -> None:
    assert unlabelled("ft.Dropdown(label=t, options=o)\ndropdown(options=o)\ndropdown(label=t, options=o)") == [
        (1, "Dropdown (build it with common.dropdown)"), (2, "dropdown")]
    assert unlabelled("ft.DropdownM2(label=t, options=o)\ntype_ahead(options=o)\nlong_dropdown(choices=c)\n"
                      "type_ahead(label=t)") == [
        (1, "DropdownM2 (build it with common.dropdown)"), (2, "type_ahead"), (3, "long_dropdown")]
    assert unlabelled("ft.Text(t, selectable=True)\nselectable_text(t)\nft.Text(t)") == [
        (1, "selectable Text (build it with common.selectable_text)")]


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_every_control_has_a_label(path: Path) -> None:
    found = unlabelled(path.read_text(encoding="utf-8"))
    if path.name == "common.py":  # the helpers themselves build the menus, labelled by their callers
        found = [f for f in found if not f[1].startswith(("Dropdown", "selectable Text", "TextField"))]
    assert not found, "\n".join(f"{path.name}:{line}: {kind} without a label" for line, kind in found)
