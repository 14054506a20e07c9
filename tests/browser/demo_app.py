"""Tiny Flet app used to prove the browser harness (tests/browser/support.py).

Run standalone: ``python tests/browser/demo_app.py`` (the harness sets FLET_* env vars so it is
served as a web app, without CDN, on 127.0.0.1 at a free port).
"""

from __future__ import annotations

import asyncio
import os

import flet as ft


def main(page: ft.Page) -> None:
    page.title = "Harness demo"
    name = ft.TextField(label="Name", autofocus=False, width=300)
    items = ft.Column(controls=[])
    status = ft.Text("Ready")

    async def add(e: ft.Event[ft.Button]) -> None:
        # Slow work happens off the event loop, as the real app must do for its KDF.
        text = await asyncio.to_thread(lambda: (name.value or "").strip().upper())
        items.controls.append(ft.Text(f"Hello {text}"))
        status.value = f"{len(items.controls)} item(s)"
        name.value = ""
        page.update()

    home = os.environ.get("KRAFT_HOME", "")
    page.add(
        ft.Text("Harness demo", size=24),
        ft.Text(f"home={os.path.basename(home)}"),
        ft.Semantics(identifier="name-field", content=name),
        ft.Button("Add", on_click=add),
        status,
        items,
    )


if __name__ == "__main__":
    ft.run(main)
