"""Proves tests/ui/harness.py against small demo apps: every test asserts a real state change
that only happens if the event travelled client -> session -> handler -> patch."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass

import flet as ft
import pytest

from tests.ui.harness import AppCrashed, MessageAction, UIError, run_app

# --------------------------------------------------------------------------------------------
# imperative demo: text field + button + async handler + lifecycle lock
# --------------------------------------------------------------------------------------------


def demo_main(page: ft.Page) -> None:
    page.title = "Demo"
    name = ft.TextField(label="Name", key="name")
    items = ft.Column(key="items")
    status = ft.Text("0 item(s)", key="status")
    worker_threads: list[str] = []

    def shout(text: str) -> str:
        worker_threads.append(threading.current_thread().name)
        return text.strip().upper()

    async def add(e: ft.Event[ft.Button]) -> None:
        loud = await asyncio.to_thread(shout, name.value or "")
        items.controls.append(ft.Text(f"Hello {loud}"))
        status.value = f"{len(items.controls)} item(s)"
        name.value = ""
        # no page.update(): Flet auto-updates after an imperative handler

    locked = ft.Text("Locked", key="locked", visible=False)
    body = ft.Column([name, ft.Button("Add", key="add", on_click=add), status, items])

    def on_lifecycle(e: ft.AppLifecycleStateChangeEvent) -> None:
        if e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE):
            body.visible = False
            locked.visible = True
            page.update()

    page.on_app_lifecycle_state_change = on_lifecycle
    page.data = {"worker_threads": worker_threads}
    page.add(body, locked)


async def test_startup_renders_and_registers_client():
    async with run_app(demo_main) as ui:
        assert ui.page.title == "Demo"
        assert ui.page.url == "http://127.0.0.1:8550"  # page_url set before any event
        assert ui.page.route == "/"
        assert ui.page.web is True and ui.page.width == 800.0  # initial page patch applied
        first = ui.messages[0]
        assert first[0] == MessageAction.REGISTER_CLIENT
        assert first[1]["page_patch"]["_c"] == "Page"
        assert ui.find(key="status").value == "0 item(s)"
        assert ui.find(ft.TextField).label == "Name"


async def test_type_and_click_runs_async_handler_in_thread():
    async with run_app(demo_main) as ui:
        field = ui.find(ft.TextField, label="Name")
        await ui.type(field, "  ada ")
        assert field.value == "  ada "  # value prop arrived via UPDATE_CONTROL_PROPS
        await ui.click(ui.find(text="Add"))
        assert ui.find(text="Hello ADA")
        assert ui.find(key="status").value == "1 item(s)"
        assert field.value == ""
        assert ui.page.data["worker_threads"][0] != threading.main_thread().name

        await ui.type(field, "bo", per_char=True)
        await ui.click(ui.find(key="add"))
        assert [t for t in ui.texts() if t.startswith("Hello")] == ["Hello ADA", "Hello BO"]
        # the patches really went out: the last PATCH_CONTROL carries the new Text
        patches = [b for a, b in ui.messages if a == MessageAction.PATCH_CONTROL]
        assert "Hello BO" in repr(patches[-1])


async def test_lifecycle_hide_locks():
    async with run_app(demo_main) as ui:
        assert ui.query(key="locked") is None  # hidden controls are not "found" by default
        await ui.lifecycle(ft.AppLifecycleState.HIDE)
        assert ui.find(key="locked").value == "Locked"
        assert ui.query(ft.TextField) is None
        assert ui.find(ft.TextField, visible_only=False).label == "Name"
        assert ui.page.app_visible is False
        with pytest.raises(UIError, match="hidden"):
            await ui.click(ui.find(key="add", visible_only=False))


async def test_find_errors_are_explicit():
    async with run_app(demo_main) as ui:
        with pytest.raises(UIError, match=r"found 0[\s\S]*TextField"):
            ui.find(text="No such text")  # message includes a dump of the tree
        assert ui.find_all(text=re.compile(r"item")) == [ui.find(key="status")]


# --------------------------------------------------------------------------------------------
# declarative demo: @ft.component + use_state + use_effect + @ft.observable
# --------------------------------------------------------------------------------------------


@ft.observable
@dataclass
class Journal:
    entries: list[str]
    saved: int = 0


@ft.component
def Counter(journal: Journal):
    count, set_count = ft.use_state(0)
    text, set_text = ft.use_state("")
    mounted, set_mounted = ft.use_state(False)

    ft.use_effect(lambda: set_mounted(True), [])

    async def save():
        entry = await asyncio.to_thread(str.title, text)
        journal.entries = [*journal.entries, entry]  # observable: re-renders on assignment
        journal.saved += 1
        set_text("")

    return ft.Column(
        [
            ft.Text(f"Count: {count}", key="count"),
            ft.Text("mounted" if mounted else "mounting", key="mounted"),
            ft.Button("Increment", on_click=lambda: set_count(count + 1)),
            ft.TextField(label="Entry", value=text, on_change=lambda e: set_text(e.control.value)),
            ft.Button("Save", on_click=save, disabled=not text),
            *[ft.Text(e) for e in journal.entries],
        ]
    )


async def test_component_state_effect_and_observable():
    journal = Journal(entries=[])

    def main(page: ft.Page):
        page.render(Counter, journal)

    async with run_app(main) as ui:
        assert ui.find(key="mounted").value == "mounted"  # use_effect ran after mount
        assert ui.find(key="count").value == "Count: 0"
        await ui.click(ui.find(text="Increment"))
        await ui.click(ui.find(text="Increment"))
        assert ui.find(key="count").value == "Count: 2"

        save = ui.find(ft.Button, text="Save")
        assert save.disabled
        with pytest.raises(UIError, match="disabled"):
            await ui.click(save)

        await ui.type(ui.find(label="Entry"), "first note")
        save = ui.find(ft.Button, text="Save")  # re-rendered: look it up again
        assert not save.disabled
        await ui.click(save)
        await ui.wait_for(lambda: ui.query(text="First Note"))
        assert journal.saved == 1
        assert ui.find(label="Entry").value == ""
        assert ui.find(key="count").value == "Count: 2"  # state survived re-renders


# --------------------------------------------------------------------------------------------
# routes, dialogs, services, keyboard, timers, errors
# --------------------------------------------------------------------------------------------


def routed_main(page: ft.Page) -> None:
    def build() -> None:
        page.views.clear()
        page.views.append(ft.View(route="/", controls=[ft.Text("Home"), ft.Button("Settings", on_click=go)]))
        if page.route == "/settings":
            page.views.append(ft.View(route="/settings", controls=[ft.Text("Settings page")]))
        page.update()

    def go() -> None:
        page.navigate("/settings")  # = asyncio.create_task(page.push_route(...))

    async def view_pop(e: ft.ViewPopEvent) -> None:
        page.views.remove(e.view)
        await page.push_route(page.views[-1].route)

    page.on_route_change = build
    page.on_view_pop = view_pop
    build()


async def test_routes_push_route_and_back():
    async with run_app(routed_main) as ui:
        await ui.click(ui.find(text="Settings"))
        await ui.wait_for(lambda: ui.page.route == "/settings")
        assert ui.find(text="Settings page")
        assert ui.query(text="Home") is None  # only the top view is visible
        assert [c.args["route"] for c in ui.calls("push_route")] == ["/settings"]

        await ui.back()
        await ui.wait_for(lambda: ui.page.route == "/")
        assert ui.find(text="Home")

        await ui.navigate("/settings")  # deep link / URL typed by the user
        assert ui.find(text="Settings page")


async def test_initial_route_deep_link():
    async with run_app(routed_main, route="/settings") as ui:
        assert ui.find(text="Settings page")


async def test_dialog_snackbar_clipboard_keyboard():
    pressed: list[str] = []

    def main(page: ft.Page) -> None:
        async def copy(e):
            await ft.Clipboard().set("secret")
            pasted = await ft.Clipboard().get()
            page.show_dialog(ft.SnackBar(ft.Text(f"Pasted {pasted}")))

        def ask(e):
            page.show_dialog(
                ft.AlertDialog(
                    title=ft.Text("Sure?"),
                    actions=[ft.TextButton("Close", on_click=lambda e: page.pop_dialog())],
                )
            )

        page.on_keyboard_event = lambda e: pressed.append(f"{'ctrl+' if e.ctrl else ''}{e.key}")
        page.add(ft.Button("Copy", on_click=copy), ft.Button("Ask", on_click=ask))

    async with run_app(main) as ui:
        ui.answer("Clipboard.get", "from client")
        await ui.click(ui.find(text="Copy"))
        assert [(c.name, c.args) for c in ui.calls() if type(c.control).__name__ == "Clipboard"] == [
            ("set", {"data": "secret"}),
            ("get", {}),
        ]
        snack = ui.open_dialogs()[0]
        assert isinstance(snack, ft.SnackBar)
        assert ui.find(text="Pasted from client")
        await ui.dismiss(snack)  # what the client sends when the snackbar times out
        assert ui.open_dialogs() == []

        await ui.click(ui.find(text="Ask"))
        dialog = ui.find(ft.AlertDialog)
        assert ui.find(text="Sure?")
        await ui.click(ui.find(text="Close"))
        assert dialog.open is False and ui.query(text="Sure?") is None
        await ui.dismiss(dialog)
        assert dialog not in ui.page._dialogs.controls

        await ui.press_key("S", ctrl=True)
        assert pressed == ["ctrl+S"]


async def test_periodic_timer_with_run_task():
    def main(page: ft.Page) -> None:
        ticks = ft.Text("0", key="ticks")

        async def tick():
            while True:
                await asyncio.sleep(0.01)
                ticks.value = str(int(ticks.value) + 1)
                ticks.update()

        page.add(ticks)
        page.run_task(tick)

    async with run_app(main) as ui:
        await ui.wait_for(lambda: int(ui.find(key="ticks").value) >= 3, timeout=3)


async def test_handler_exception_fails_the_test():
    def main(page: ft.Page) -> None:
        def boom(e):
            raise ValueError("kaboom")

        page.add(ft.Button("Boom", on_click=boom))

    with pytest.raises(AppCrashed, match="kaboom"):
        async with run_app(main) as ui:
            await ui.click(ui.find(text="Boom"))

    async with run_app(main, raise_errors=False) as ui:
        await ui.click(ui.find(text="Boom"))
        assert "ValueError: kaboom" in ui.errors[0]


async def test_main_exception_fails_startup():
    def main(page: ft.Page) -> None:
        raise RuntimeError("bad main")

    with pytest.raises(AppCrashed, match="bad main"):
        async with run_app(main):
            pass


async def test_slow_handler_times_out():
    def main(page: ft.Page) -> None:
        async def slow(e):
            await asyncio.sleep(5)

        page.add(ft.Button("Slow", on_click=slow))

    async with run_app(main, action_timeout=0.2) as ui:
        with pytest.raises(UIError, match="still running"):
            await ui.click(ui.find(text="Slow"))


async def test_password_submit_focus_and_banner():
    def main(page: ft.Page) -> None:
        result = ft.Text("", key="result")
        pw = ft.TextField(label="Passphrase", password=True, can_reveal_password=True)

        async def unlock(e: ft.Event[ft.TextField]) -> None:
            if e.data != "s3cret" or pw.value != "s3cret":
                # Banner validates: actions must hold at least one visible control
                retry = ft.TextButton("Retry", on_click=lambda: page.pop_dialog())
                page.show_dialog(ft.Banner(ft.Text("Wrong passphrase"), actions=[retry]))
                await pw.focus()  # INVOKE_METHOD answered by the harness
                return
            result.value = "unlocked"

        pw.on_submit = unlock
        page.add(pw, result)

    async with run_app(main) as ui:
        field = ui.find(label="Passphrase")
        await ui.type(field, "nope", submit=True)
        assert ui.find(text="Wrong passphrase")
        assert [c.name for c in ui.calls()] == ["focus"]
        await ui.click(ui.find(text="Retry"))
        assert ui.query(text="Wrong passphrase") is None
        await ui.dismiss(ui.find(ft.Banner, visible_only=False))
        await ui.type(field, "s3cret", submit=True)
        assert ui.find(key="result").value == "unlocked"
