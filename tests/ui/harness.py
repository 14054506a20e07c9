"""In-process UI test harness for Flet 1.0 apps (no browser, no Flutter).

This is the ONLY module in the project allowed to touch Flet internals
(``flet.messaging.*``, ``flet.controls.context``, ``Session`` private state). It plays the
part of the Flutter client: it builds a real :class:`flet.messaging.session.Session` over a
:class:`Connection` subclass, msgpack-encodes every server->client message exactly like the
real transports (``flet_web.fastapi.flet_app.FletApp.send_message``) -- the encoder is what
snapshots control state for the next diff, so skipping it breaks later patches -- and sends
client->server messages through msgpack too, processing them the way ``FletApp`` does
(``UPDATE_CONTROL_PROPS`` inline, ``CONTROL_EVENT`` in a task of its own).

Usage::

    from tests.ui.harness import run_app

    async def test_add(tmp_path):
        async with run_app(main) as ui:              # registers a client, runs main(page)
            await ui.type(ui.find(label="Name"), "Ada")
            await ui.click(ui.find(text="Add"))      # waits for the handler to finish
            assert ui.find(text="Hello ADA")
            await ui.lifecycle(ft.AppLifecycleState.HIDE)
            await ui.navigate("/settings")           # client-side route change
            ui.answer("get", "clipboard text")       # reply to Clipboard().get()

Behaviour worth knowing:

* Lookups walk the live control tree from the page: views (only the top view when
  ``visible_only=True``, the default), component bodies, ``page.overlay``, open dialogs /
  snackbars / banners, services. ``visible_only`` also skips ``visible=False`` subtrees and
  closed dialogs, i.e. what a user could see.
* ``click``/``type``/... refuse (``UIError``) controls that are not mounted, hidden or
  disabled (itself or an ancestor): the real client would not send those events.
* Like the real client, control events are only sent when the control has a handler
  (``on_<event>`` set); page-level events (route, lifecycle, keyboard) are always sent.
* An exception in ``main`` or in a handler makes Flet send SESSION_CRASHED; the harness
  raises it as :class:`AppCrashed` from the next harness call (and at exit). Use
  ``run_app(main, raise_errors=False)`` and inspect ``ui.errors`` to test error paths.
* Every client method call (``INVOKE_METHOD``: services such as Clipboard,
  SharedPreferences, UrlLauncher, ``page.push_route``...) is answered, so awaits never hang.
  ``push_route`` behaves like the Flutter client (route prop update + ``route_change``
  event, then the reply). Others reply ``None`` unless you register an answer with
  :meth:`UI.answer`. All calls are recorded in ``ui.invocations``.
* ``page.run_task`` works (the connection has a loop and an executor); awaiting background
  work you did not trigger through the harness: use :meth:`UI.wait_for`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import logging
import re
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page, context
from flet.controls.dialog_control import DialogControl
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    ControlEventBody,
    InvokeMethodResponseBody,
    Message,
    MessageAction,
    RegisterClientRequestBody,
    RegisterClientResponseBody,
    UpdateControlPropsBody,
    configure_encode_object_for_msgpack,
    decode_ext_from_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

__all__ = ["UI", "AppCrashed", "Invocation", "MessageAction", "UIError", "run_app"]

logger = logging.getLogger("tests.ui.harness")

C = TypeVar("C", bound=BaseControl)

#: What the real Flet web client (flet-web 1.0.5 in headless Chromium, 800x600) sends in its
#: REGISTER_CLIENT request, captured from the transport log. Override keys with ``client=``.
DEFAULT_CLIENT_PAGE: dict[str, Any] = {
    "route": "/",
    "pwa": False,
    "web": True,
    "debug": False,
    "wasm": True,
    "test": False,
    "multi_view": False,
    "pyodide": False,
    "platform_brightness": "light",
    "width": 800.0,
    "height": 600.0,
    "platform": "linux",
    "window": {},
    "media": {
        "padding": {"top": 0.0, "right": 0.0, "bottom": 0.0, "left": 0.0},
        "view_padding": {"top": 0.0, "right": 0.0, "bottom": 0.0, "left": 0.0},
        "view_insets": {"top": 0.0, "right": 0.0, "bottom": 0.0, "left": 0.0},
        "device_pixel_ratio": 1.0,
        "orientation": "landscape",
        "always_use_24_hour_format": False,
    },
}

_ENCODE = configure_encode_object_for_msgpack(BaseControl)
# Fields never walked when looking for child controls.
_SKIP_FIELDS = {"_parent", "_values", "_dirty", "_internals", "_i", "_c", "data", "key"}


class UIError(AssertionError):
    """A user could not do what the test asked (control missing, hidden, disabled...)."""


class AppCrashed(AssertionError):
    """The app raised in ``main`` or an event handler (Flet sent SESSION_CRASHED)."""


@dataclasses.dataclass
class Invocation:
    """One server->client method call (``INVOKE_METHOD``) and the reply the harness sent."""

    control: BaseControl | None
    name: str
    args: dict[str, Any]
    result: Any = None
    error: str | None = None


# --------------------------------------------------------------------------------------------
# transport
# --------------------------------------------------------------------------------------------


class _HarnessConnection(Connection):
    """Connection whose "socket" is this process: encodes like the real transport."""

    def __init__(self, ui: UI, loop: asyncio.AbstractEventLoop, executor: ThreadPoolExecutor):
        super().__init__()
        self._ui = ui
        self.loop = loop
        self.executor = executor
        self.pubsubhub = PubSubHub(loop=loop, executor=executor)
        self.page_name = ""
        self.page_url = ui.page_url
        self.local_data_transport = True

    def send_message(self, message: Message) -> None:
        # Same call as FletApp.send_message / FletSocketServer.send_message. Encoding is not
        # optional: it records the __prev_* snapshots the next diff is computed against.
        packet = b"\x00" + msgpack.packb([message.action, message.body], default=_ENCODE)
        self._ui._on_server_packet(packet)

    def get_upload_url(self, file_name: str, expires: int) -> str:
        return f"{self.page_url}/upload/{file_name}?expires={expires}"

    def oauth_authorize(self, attrs: dict[str, Any]) -> None:
        raise NotImplementedError("OAuth is not simulated by the test harness")


# --------------------------------------------------------------------------------------------
# the fake client
# --------------------------------------------------------------------------------------------


class UI:
    """Handle returned by :func:`run_app`: find controls and act like a user / client."""

    def __init__(self, *, page_url: str, raise_errors: bool, action_timeout: float):
        self.page_url = page_url
        self.raise_errors = raise_errors
        self.action_timeout = action_timeout
        #: decoded server->client messages ``[MessageAction, body]`` in order
        self.messages: list[tuple[MessageAction, Any]] = []
        #: SESSION_CRASHED texts (exception + traceback) in order
        self.errors: list[str] = []
        #: every INVOKE_METHOD the app sent, with the reply
        self.invocations: list[Invocation] = []
        self._raised_errors = 0
        self._answers: dict[str, Any] = {}
        self._inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._event_tasks: set[asyncio.Task] = set()
        self._pending_replies = 0
        self._session: Session | None = None
        self._conn: _HarnessConnection | None = None

    # ---- basic accessors ---------------------------------------------------------------------

    @property
    def session(self) -> Session:
        assert self._session is not None, "app not started"
        return self._session

    @property
    def page(self) -> ft.Page:
        return self.session.page

    # ---- server -> client ----------------------------------------------------------------------

    def _on_server_packet(self, packet: bytes) -> None:
        assert packet[0] == 0x00
        # patches use int map keys (tree indexes): the Dart decoder accepts them, so must we
        action_code, body = msgpack.unpackb(packet[1:], ext_hook=decode_ext_from_msgpack, strict_map_key=False)
        action = MessageAction(action_code)
        self.messages.append((action, body))
        if action == MessageAction.SESSION_CRASHED:
            self.errors.append(body.get("message", str(body)))
            logger.error("app crashed: %s", body.get("message"))
        elif action == MessageAction.INVOKE_METHOD:
            # reply from "the client" on a later loop turn, as the network would
            self._pending_replies += 1
            asyncio.get_running_loop().call_soon(self._reply_to_invoke, body)

    def _reply_to_invoke(self, body: dict[str, Any]) -> None:
        self._pending_replies -= 1
        control = self.session.index.get(body["control_id"])
        call = Invocation(control=control, name=body["name"], args=body.get("args") or {})
        self.invocations.append(call)
        try:
            if control is self.page and call.name == "push_route":
                route = call.args["route"]
                if route != self.page.route:
                    self._send_route_change(route)
                call.result = None
            else:
                answer = self._find_answer(control, call.name)
                call.result = answer(call.args) if callable(answer) else answer
        except Exception as e:
            call.error = f"{e}\n{traceback.format_exc()}"
        self._send_to_server(
            MessageAction.INVOKE_METHOD,
            dataclasses.asdict(
                InvokeMethodResponseBody(
                    control_id=body["control_id"],
                    call_id=body["call_id"],
                    result=call.result,
                    error=call.error,
                )
            ),
        )

    def _find_answer(self, control: BaseControl | None, name: str) -> Any:
        if control is not None:
            qualified = f"{type(control).__name__}.{name}"
            if qualified in self._answers:
                return self._answers[qualified]
        return self._answers.get(name)

    # ---- client -> server ----------------------------------------------------------------------

    def _send_to_server(self, action: MessageAction, body: dict[str, Any]) -> None:
        self._inbox.put_nowait(b"\x00" + msgpack.packb([action.value, body]))

    async def _receive_loop(self) -> None:
        """Mirror of FletApp.__receive_loop/__on_message for one connected client."""
        while True:
            packet = await self._inbox.get()
            try:
                action_code, body = msgpack.unpackb(packet[1:], ext_hook=decode_ext_from_msgpack)
                action = MessageAction(action_code)
                if action == MessageAction.CONTROL_EVENT:
                    req = ControlEventBody(**body)
                    task = asyncio.create_task(self.session.dispatch_event(req.target, req.name, req.data))
                    self._event_tasks.add(task)
                    task.add_done_callback(self._event_tasks.discard)
                elif action == MessageAction.UPDATE_CONTROL_PROPS:
                    req = UpdateControlPropsBody(**body)
                    self.session.apply_patch(req.id, req.props)
                elif action == MessageAction.INVOKE_METHOD:
                    req = InvokeMethodResponseBody(**body)
                    self.session.handle_invoke_method_results(req.control_id, req.call_id, req.result, req.error)
                else:
                    raise RuntimeError(f"unexpected client message {action}")
            except Exception as e:  # a broken harness/app contract must fail the test
                logger.error("harness receive loop", exc_info=True)
                self.errors.append(f"harness: {e}\n{traceback.format_exc()}")
            finally:
                self._inbox.task_done()

    def _send_event(self, control: BaseControl, name: str, data: Any = None) -> None:
        self._send_to_server(
            MessageAction.CONTROL_EVENT,
            dataclasses.asdict(ControlEventBody(target=control._i, name=name, data=data)),
        )

    def _send_props(self, control: BaseControl, props: dict[str, Any]) -> None:
        self._send_to_server(
            MessageAction.UPDATE_CONTROL_PROPS,
            dataclasses.asdict(UpdateControlPropsBody(id=control._i, props=props)),
        )

    def _send_route_change(self, route: str) -> None:
        # FletBackend._sendRouteChangeEvent: update the prop, then fire the event.
        self._send_props(self.page, {"route": route})
        self._send_event(self.page, "route_change", {"route": route})

    # ---- startup / shutdown --------------------------------------------------------------------

    async def _start(
        self,
        main: Callable[[ft.Page], Any],
        before_main: Callable[[ft.Page], Any] | None,
        client_page: dict[str, Any],
        startup_timeout: float,
    ) -> None:
        loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(thread_name_prefix="flet-harness")
        self._conn = _HarnessConnection(self, loop, self._executor)
        self._receiver = asyncio.create_task(self._receive_loop(), name="harness-receive")

        # REGISTER_CLIENT, handled as in FletApp.__on_message for a new session.
        req = RegisterClientRequestBody(session_id="", page_name="", page=client_page)
        req = RegisterClientRequestBody(
            **msgpack.unpackb(msgpack.packb(dataclasses.asdict(req)), ext_hook=decode_ext_from_msgpack)
        )
        self._session = Session(self._conn)
        self._page_token = _context_page.set(self.session.page)
        self.session.apply_page_patch(req.page)
        self.session.page.client_ip = "127.0.0.1"
        self.session.page.client_user_agent = "flet-test-harness"
        register_error = ""
        if before_main is not None:
            try:
                res = before_main(self.session.page)
                if inspect.isawaitable(res):
                    await res
            except Exception as e:
                register_error = f"{e}\n{traceback.format_exc()}"
        self._conn.send_message(
            Message(
                MessageAction.REGISTER_CLIENT,
                RegisterClientResponseBody(
                    session_id=self.session.id,
                    page_patch=self.session.get_page_patch(),
                    error=register_error,
                ),
            )
        )
        if register_error:
            self.session.error(register_error)
            self._check_errors()

        # Run main in its own task, like FletApp.__on_session_created.
        main_task = asyncio.create_task(self._run_main(main), name="harness-main")
        try:
            await asyncio.wait_for(asyncio.shield(main_task), startup_timeout)
        except TimeoutError:
            main_task.cancel()
            raise UIError(f"main() did not return within {startup_timeout}s") from None
        await self.settle()
        self._check_errors()

    async def _run_main(self, main: Callable[[ft.Page], Any]) -> None:
        session = self.session
        try:
            _context_page.set(session.page)
            context.reset_auto_update()
            if inspect.iscoroutinefunction(main):
                await main(session.page)
            elif inspect.isasyncgenfunction(main):
                async for _ in main(session.page):
                    await session.after_event(session.page)
            elif inspect.isgeneratorfunction(main):
                for _ in main(session.page):
                    await session.after_event(session.page)
            else:
                main(session.page)
            await session.after_event(session.page)
        except Exception as e:
            logger.error("Unhandled error in main()", exc_info=True)
            session.error(f"{e}\n{traceback.format_exc()}")

    async def _stop(self) -> None:
        if self._session is not None:
            self._session.close()  # cancels the update scheduler, fires page.on_close
            for _ in range(5):
                await asyncio.sleep(0)
        tasks = [*self._event_tasks, self._receiver]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)
        with contextlib.suppress(ValueError):
            _context_page.reset(self._page_token)

    # ---- error surfacing -----------------------------------------------------------------------

    def _check_errors(self) -> None:
        if self.raise_errors and len(self.errors) > self._raised_errors:
            new = self.errors[self._raised_errors :]
            self._raised_errors = len(self.errors)
            raise AppCrashed("app raised:\n" + "\n---\n".join(new))

    # ---- waiting -------------------------------------------------------------------------------

    def _busy(self) -> bool:
        s = self.session
        return bool(
            self._inbox.qsize()
            or self._pending_replies
            or any(not t.done() for t in self._event_tasks)
            or s._Session__pending_updates  # type: ignore[attr-defined]
            or s._Session__pending_effects  # type: ignore[attr-defined]
        )

    async def settle(self, timeout: float = 2.0, quiet_turns: int = 5) -> None:
        """Let queued client messages, handlers, component updates and effects run.

        Returns once nothing the harness tracks is pending for ``quiet_turns`` consecutive
        loop turns, or after ``timeout`` seconds (never raises on timeout: background loops
        such as timers are allowed to keep running). Raises :class:`AppCrashed` on app errors.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet = 0
        turn = 0
        while quiet < quiet_turns and loop.time() < deadline:
            # sleep(0) for the first turns, then short real sleeps so threads can progress
            await asyncio.sleep(0 if turn < 20 else 0.005)
            turn += 1
            quiet = 0 if self._busy() else quiet + 1
        self._check_errors()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, message: str = "") -> Any:
        """Poll ``predicate`` (settling between polls) until it is truthy; return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await self.settle(timeout=0.05, quiet_turns=2)
            value = predicate()
            if value:
                return value
            if loop.time() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s {message}\n{self.dump()}")
            await asyncio.sleep(0.01)

    async def _await_events(self, wait: bool, timeout: float | None) -> None:
        timeout = self.action_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self._inbox.join()  # every client message handed over to the session
        turn = 0
        while wait and any(not t.done() for t in self._event_tasks):
            if loop.time() > deadline:
                raise UIError(f"event handler still running after {timeout}s")
            await asyncio.sleep(0 if turn < 20 else 0.005)
            turn += 1
        await self.settle()

    # ---- finding controls ----------------------------------------------------------------------

    def _children(self, obj: Any, visible_only: bool) -> Iterator[Any]:
        if isinstance(obj, ft.Page):
            views = [_unwrap(v) for v in obj.views]
            yield from views[-1:] if visible_only else views
            yield obj._overlay
            yield obj._dialogs
            if not visible_only:
                yield obj._services
            return
        if isinstance(obj, (list, tuple)):
            yield from obj
            return
        if isinstance(obj, dict):
            yield from obj.values()
            return
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                if f.name in _SKIP_FIELDS or f.metadata.get("skip", False):
                    continue
                if f.name.startswith("on_"):
                    continue
                yield getattr(obj, f.name, None)

    def _walk(self, visible_only: bool = True) -> Iterator[tuple[BaseControl, int]]:
        seen: set[int] = set()

        def rec(obj: Any, depth: int) -> Iterator[tuple[BaseControl, int]]:
            if obj is None or isinstance(obj, (str, int, float, bool, bytes)):
                return
            if id(obj) in seen:
                return
            seen.add(id(obj))
            if isinstance(obj, BaseControl):
                if visible_only and not _shown(obj):
                    return
                if obj is not self.page:
                    yield obj, depth
                    depth += 1
            for child in self._children(obj, visible_only):
                yield from rec(child, depth)

        yield from rec(self.page, 0)

    def find_all(
        self,
        type: type[C] | tuple[type, ...] | None = None,
        *,
        key: Any = None,
        text: str | re.Pattern[str] | None = None,
        label: str | re.Pattern[str] | None = None,
        where: Callable[[BaseControl], bool] | None = None,
        visible_only: bool = True,
    ) -> list[C]:
        """All controls matching every given criterion, in tree order.

        ``type``: class or tuple of classes; ``key``: equals ``control.key`` (a ``ValueKey``
        matches its ``.value`` too); ``text``: exact str or regex (``re.compile``) against the
        control's own text (``Text.value`` / spans, str ``content``, str ``text``); ``label``:
        against ``label`` (str or Text), ``semantics_label``, ``Semantics.label``; ``where``:
        any predicate.
        """
        out = []
        for c, _ in self._walk(visible_only):
            if type is not None and not isinstance(c, type):
                continue
            if key is not None and not _key_matches(c, key):
                continue
            if text is not None and not any(_str_matches(t, text) for t in _own_texts(c)):
                continue
            if label is not None and not any(_str_matches(t, label) for t in _labels(c)):
                continue
            if where is not None and not where(c):
                continue
            out.append(c)
        return out

    def find(self, type: type[C] | tuple[type, ...] | None = None, **criteria: Any) -> C:
        """Exactly one matching control (same criteria as :meth:`find_all`), else UIError."""
        found = self.find_all(type, **criteria)
        if len(found) != 1:
            what = [f"type={getattr(type, '__name__', type)}"] if type is not None else []
            what += [f"{k}={v!r}" for k, v in criteria.items()]
            raise UIError(f"expected exactly 1 control ({', '.join(what)}), found {len(found)}\n{self.dump()}")
        return found[0]

    def query(self, type: type[C] | tuple[type, ...] | None = None, **criteria: Any) -> C | None:
        """First matching control or ``None``."""
        found = self.find_all(type, **criteria)
        return found[0] if found else None

    def texts(self, visible_only: bool = True) -> list[str]:
        """Every piece of text a user could read (Text values, button captions...), in order."""
        return [t for c, _ in self._walk(visible_only) for t in _own_texts(c)]

    def dump(self, visible_only: bool = True) -> str:
        """Indented outline of the control tree, for failure messages."""
        lines = []
        for c, depth in self._walk(visible_only):
            bits = [type(c).__name__]
            if c.key is not None:
                bits.append(f"key={c.key!r}")
            bits += [repr(t) for t in _own_texts(c)]
            bits += [f"label={t!r}" for t in _labels(c)]
            if getattr(c, "disabled", False):
                bits.append("disabled")
            lines.append("  " * depth + " ".join(bits))
        return "control tree:\n" + "\n".join(lines)

    # ---- acting like a user ------------------------------------------------------------------

    def _assert_interactive(self, control: BaseControl) -> None:
        if not any(c is control for c, _ in self._walk(visible_only=False)):
            raise UIError(f"{control} is not mounted on the page")
        node: Any = control
        while node is not None and node is not self.page:
            if getattr(node, "visible", True) is False:
                raise UIError(f"{control} is hidden ({node} has visible=False)")
            if isinstance(node, DialogControl) and not node.open:
                raise UIError(f"{control} is in a closed dialog")
            if getattr(node, "disabled", False):
                raise UIError(f"{control} is disabled ({node} has disabled=True)")
            node = node.parent
        if not any(c is control for c, _ in self._walk(visible_only=True)):
            raise UIError(f"{control} is not on the visible (top) view")

    async def fire(
        self,
        control: BaseControl,
        event: str,
        data: Any = None,
        *,
        props: dict[str, Any] | None = None,
        force: bool = False,
        wait: bool = True,
        timeout: float | None = None,
    ) -> None:
        """Send what the client sends for ``event`` on ``control``: optional prop update, then
        the event (only if ``on_<event>`` is set, like the real client). Waits for the handler
        unless ``wait=False``. ``force=True`` skips the mounted/visible/enabled checks."""
        self._check_errors()
        if not force:
            self._assert_interactive(control)
        if props:
            self._send_props(control, props)
        if getattr(control, f"on_{event}", None) is not None:
            self._send_event(control, event, data)
        await self._await_events(wait, timeout)

    async def choose(self, menu: ft.DropdownM2 | ft.Dropdown, key: str, **kw: Any) -> None:
        """Choose ``key`` in a menu as the client does: the value, then the menu's event ("change" for a
        DropdownM2, "select" for the Dropdown one types in). A key the menu does not offer fails."""
        keys = [o.key for o in menu.options or []]
        assert key in keys, f"{menu.key!r} offers {keys}, not {key!r}"
        await self.fire(menu, "change" if isinstance(menu, ft.DropdownM2) else "select", key,
                        props={"value": key}, **kw)

    async def click(self, control: BaseControl, **kw: Any) -> None:
        """Tap/click ``control`` (Button, IconButton, Container with on_click, ...)."""
        await self.fire(control, "click", **kw)

    async def type(
        self,
        field: ft.TextField,
        text: str,
        *,
        per_char: bool = False,
        submit: bool = False,
        **kw: Any,
    ) -> None:
        """Replace the field's text with ``text`` as the client does: ``value`` prop update
        then ``change`` event (per keystroke if ``per_char``), then ``submit`` if asked."""
        values = [text[: i + 1] for i in range(len(text))] if per_char and text else [text]
        for v in values:
            await self.fire(field, "change", v, props={"value": v}, **kw)
        if submit:
            await self.submit(field, **kw)

    async def submit(self, field: ft.TextField, **kw: Any) -> None:
        """Press Enter in a TextField (fires ``on_submit``; the web client sends the value as
        the event data)."""
        await self.fire(field, "submit", field.value, **kw)

    async def dismiss(self, dialog: DialogControl, **kw: Any) -> None:
        """What the client sends once a dialog/snackbar/banner has closed (tap outside,
        timeout, or after ``page.pop_dialog()``): the ``dismiss`` event."""
        kw.setdefault("force", True)
        await self.fire(dialog, "dismiss", **kw)

    def open_dialogs(self) -> list[DialogControl]:
        """Dialogs, snackbars, banners, sheets currently open (``page.show_dialog``)."""
        return [d for d in self.page._dialogs.controls if getattr(d, "open", False)]

    # ---- page-level client events --------------------------------------------------------------

    async def lifecycle(self, state: ft.AppLifecycleState | str, **kw: Any) -> None:
        """App lifecycle transition, e.g. ``ft.AppLifecycleState.HIDE`` (tab hidden/app paused)."""
        value = state.value if isinstance(state, ft.AppLifecycleState) else state
        self._send_event(self.page, "app_lifecycle_state_change", {"state": value})
        await self._await_events(kw.get("wait", True), kw.get("timeout"))

    async def navigate(self, route: str, **kw: Any) -> None:
        """Client-side route change (user edits the URL, deep link, browser back)."""
        self._send_route_change(route)
        await self._await_events(kw.get("wait", True), kw.get("timeout"))

    async def back(self, **kw: Any) -> None:
        """System back: the client sends ``view_pop`` for the top view (if >1 view)."""
        views = [_unwrap(v) for v in self.page.views]
        if len(views) < 2:
            raise UIError("back: only one view")
        top = views[-1]
        self._send_event(self.page, "view_pop", {"route": top.route or str(top._i)})
        await self._await_events(kw.get("wait", True), kw.get("timeout"))

    async def press_key(
        self,
        key: str,
        *,
        shift: bool = False,
        ctrl: bool = False,
        alt: bool = False,
        meta: bool = False,
        **kw: Any,
    ) -> None:
        """Hardware key-down, delivered to ``page.on_keyboard_event`` (``key`` as Flutter's
        keyLabel, e.g. "A", "Enter", "Escape", "Arrow Down")."""
        if self.page.on_keyboard_event is not None:
            self._send_event(
                self.page,
                "keyboard_event",
                {"key": key, "shift": shift, "ctrl": ctrl, "alt": alt, "meta": meta},
            )
        await self._await_events(kw.get("wait", True), kw.get("timeout"))

    async def resize(self, width: float, height: float, **kw: Any) -> None:
        """Window/browser resize: ``width``/``height`` prop update + ``resize`` event."""
        self._send_props(self.page, {"width": float(width), "height": float(height)})
        self._send_event(self.page, "resize", {"width": float(width), "height": float(height)})
        await self._await_events(kw.get("wait", True), kw.get("timeout"))

    # ---- answering client method calls --------------------------------------------------------

    def answer(self, method: str, result: Any) -> None:
        """Reply ``result`` (or ``result(args)`` if callable) to INVOKE_METHOD ``method``.

        ``method`` is a method name (``"get"``) or ``"ServiceClass.method"``
        (``"Clipboard.get"``, ``"SharedPreferences.get"``); the qualified form wins. A callable
        that raises makes the awaiting call raise RuntimeError in the app.
        """
        self._answers[method] = result

    def calls(self, name: str | None = None) -> list[Invocation]:
        """Recorded client method calls, optionally only those named ``name``."""
        return [c for c in self.invocations if name is None or c.name == name]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _unwrap(v: Any) -> Any:
    from flet.components.public_utils import unwrap_component

    return unwrap_component(v)


def _shown(c: BaseControl) -> bool:
    if getattr(c, "visible", True) is False:
        return False
    return not (isinstance(c, DialogControl) and not c.open)


def _key_matches(c: BaseControl, key: Any) -> bool:
    k = c.key
    if k is None:
        return False
    if k == key:
        return True
    return getattr(k, "value", k) == getattr(key, "value", key)


def _str_matches(value: str, want: str | re.Pattern[str]) -> bool:
    if isinstance(want, re.Pattern):
        return want.search(value) is not None
    return value == want


def _own_texts(c: BaseControl) -> list[str]:
    out: list[str] = []
    if isinstance(c, ft.Text):
        if c.value:
            out.append(c.value)
        for span in c.spans or []:
            if getattr(span, "text", None):
                out.append(span.text)
        return out
    content = getattr(c, "content", None)
    if isinstance(content, str) and content:
        out.append(content)
    text = getattr(c, "text", None)
    if isinstance(text, str) and text:
        out.append(text)
    return out


def _labels(c: BaseControl) -> list[str]:
    out: list[str] = []
    label = getattr(c, "label", None)
    if isinstance(label, str) and label:
        out.append(label)
    elif isinstance(label, ft.Text) and label.value:
        out.append(label.value)
    sem = getattr(c, "semantics_label", None)
    if isinstance(sem, str) and sem:
        out.append(sem)
    return out


# --------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def run_app(
    main: Callable[[ft.Page], Any],
    *,
    route: str = "/",
    client: dict[str, Any] | None = None,
    before_main: Callable[[ft.Page], Any] | None = None,
    page_url: str = "http://127.0.0.1:8550",
    raise_errors: bool = True,
    startup_timeout: float = 10.0,
    action_timeout: float = 10.0,
    answers: dict[str, Any] | None = None,
) -> AsyncIterator[UI]:
    """Start ``main`` against a simulated client and yield a :class:`UI`.

    ``route``: initial route the client registers with (deep link). ``client``: overrides for
    the REGISTER_CLIENT page dict (e.g. ``{"platform": "android", "web": False, "width": 400}``).
    ``raise_errors``: raise :class:`AppCrashed` when the app reports an error.
    ``startup_timeout``: max seconds for ``main`` to return. ``action_timeout``: default max
    seconds an event handler may run in ``click``/``type``/.... ``answers``: replies registered before
    ``main`` runs (as :meth:`UI.answer`), for calls ``main`` itself makes (``get_device_info``).
    """
    client_page = {**DEFAULT_CLIENT_PAGE, "route": route, **(client or {})}
    ui = UI(page_url=page_url, raise_errors=raise_errors, action_timeout=action_timeout)
    for method, result in (answers or {}).items():
        ui.answer(method, result)
    try:
        await ui._start(main, before_main, client_page, startup_timeout)
        yield ui
        await ui.settle(timeout=1.0)  # surface errors from work the test left running
    finally:
        await ui._stop()
