"""Real-browser harness: serve a Flet app over HTTP and drive it in headless Chromium.

* :func:`start_app` runs a Flet app (a script path or a module name whose ``__main__`` calls
  ``ft.run(main)``) in a subprocess, served as a web app on 127.0.0.1 at a free port, without
  CDN. It does not need the app to pass any ``ft.run`` options: Flet 1.0 reads
  ``FLET_FORCE_WEB_SERVER``, ``FLET_SERVER_IP``, ``FLET_SERVER_PORT`` and ``FLET_WEB_NO_CDN``
  from the environment, which override ``view``/``host``/``port``/``no_cdn``. Kraft (``app``) prints
  a link with its per-start secret (docs/adr/0009-web-client.md): ``AppServer.url`` is that link, so
  ``web.open(server.url)`` lets the browser in; the bare address gets 403.
* :class:`FletWeb` wraps a Playwright page: turns on Flutter's semantics tree (the only DOM
  the Flutter web client has), then finds things by label / role / text, like a screen reader.

Use through the fixtures in ``tests/browser/conftest.py`` (``served_app``, ``web``).
Debian's ``/usr/bin/chromium`` is used; never ``playwright install``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
SCREENSHOTS_DIR = ARTIFACTS / "screenshots"
LOGS_DIR = ARTIFACTS / "logs"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_missing_reason() -> str | None:
    """Why browser tests cannot run here, or None if they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# app server subprocess
# --------------------------------------------------------------------------------------------


@dataclass
class AppServer:
    """A running ``ft.run`` web server subprocess."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the app's process group (ft.run exits gracefully), SIGKILL if needed."""
        if self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session=True: the child leads its own group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout)


PRINTED_URL = re.compile(r"Kraft is running at (http://\S+)")


def printed_url(server: AppServer) -> str | None:
    """The link Kraft prints at start (with its per-start secret), once it is in the log; a plain Flet app
    such as the harness demo prints none and is served at the bare address."""
    match = PRINTED_URL.search(server.log_tail(400))
    return match.group(1) if match else None


def start_app(
    target: str | os.PathLike[str],
    *,
    env: dict[str, str] | None = None,
    port: int | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    name: str | None = None,
) -> AppServer:
    """Start ``target`` as a Flet web app and wait until it answers HTTP.

    ``target``: a ``.py`` path (run as a script) or a module name (``python -m``), whose
    ``__main__`` calls ``ft.run(main)``. ``env``: extra environment (e.g. ``KRAFT_HOME``);
    the parent environment is inherited. ``cwd`` defaults to the repo root (so ``app.*``
    imports work). The log goes to ``artifacts/logs/<name>-<port>.log``.
    """
    port = port or free_port()
    target_s = os.fspath(target)
    is_script = target_s.endswith(".py") or os.sep in target_s
    cmd = [sys.executable, "-u", target_s] if is_script else [sys.executable, "-u", "-m", target_s]
    name = name or re.sub(r"\W+", "_", Path(target_s).stem if is_script else target_s)

    full_env = {
        **os.environ,
        "FLET_FORCE_WEB_SERVER": "true",  # serve, never open a window/browser
        "FLET_SERVER_IP": "127.0.0.1",
        "FLET_SERVER_PORT": str(port),
        "FLET_WEB_NO_CDN": "true",  # CanvasKit/fonts from the flet-web wheel, not a CDN
        "PYTHONUNBUFFERED": "1",
        "FLET_LOG_LEVEL": os.environ.get("FLET_LOG_LEVEL", "info"),  # server log for failures
        **(env or {}),
    }
    full_env.pop("DISPLAY", None)
    pythonpath = [str(REPO_ROOT), *filter(None, [full_env.get("PYTHONPATH")])]
    full_env["PYTHONPATH"] = os.pathsep.join(pythonpath)

    LOGS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOGS_DIR / f"{name}-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            cmd,
            cwd=os.fspath(cwd or REPO_ROOT),
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = AppServer(url=f"http://127.0.0.1:{port}", port=port, process=process, log_path=log_path, env=full_env)
    deadline = time.monotonic() + timeout
    while True:
        if not server.alive():
            raise RuntimeError(f"app {target_s} exited with {process.returncode} before serving:\n" + server.log_tail())
        server.url = printed_url(server) or server.url
        # Kraft lets in only the browser that opened its printed link (app/web_guard.py): the probe keeps the
        # cookie that link sets, as the browser does.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        try:
            with opener.open(server.url, timeout=2) as r:
                if r.status == 200 and b"flutter" in r.read().lower():
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise TimeoutError(f"app {target_s} not serving after {timeout}s:\n{server.log_tail()}")
        time.sleep(0.2)


# --------------------------------------------------------------------------------------------
# browser helpers
# --------------------------------------------------------------------------------------------


# The device theme the browser asks for: KRAFT_BROWSER_THEME=dark runs the browser tests in the dark theme
# (`make test` does both); screenshots then end in "-dark".
COLOR_SCHEME = "dark" if os.environ.get("KRAFT_BROWSER_THEME") == "dark" else "light"


# Flutter's web engine (WebAssembly) sometimes traps in headless Chromium without a GPU, seen about once in
# a few full runs, on screens that work at every other try: "memory access out of bounds", "table index is out
# of bounds", "operation does not support unaligned accesses". The page is dead from then on and its renderer
# may spin at 100 % so that page.evaluate never returns. FletWeb notes the first trap, fails the next wait at
# once with EngineCrash instead of asking the dead page for diagnostics, and the conftest runs such a test
# once more (pytest-rerunfailures, only for this error); a failure of the app itself is never rerun.
WASM_TRAP = re.compile(r"memory access out of bounds|table index is out of bounds|unaligned accesses"
                       r"|RuntimeError: unreachable")
ENGINE_CRASHED = "the web client's Flutter engine crashed"


class EngineCrash(AssertionError):
    """Flutter's engine trapped in the browser: the page is dead (not the app's fault, see WASM_TRAP)."""


BOTTOM_BAR = 80  # the navigation bar's height at a phone's width: what lies under it cannot be clicked


class FletWeb:
    """A Playwright page showing a Flet web app, driven through Flutter's semantics tree.

    Locators: ``label(...)`` (a TextField's ``label`` is its aria-label), ``button(name)``
    (a Button's text), ``text(...)``, ``ident(x)`` for ``ft.Semantics(identifier=x, ...)``.
    Timeouts are in milliseconds (Playwright convention).
    """

    def __init__(self, page: Any, *, default_timeout_ms: float = 15_000) -> None:
        self.page = page
        self.timeout = default_timeout_ms
        self.console: list[str] = []
        self.findings: dict[str, list[str]] = {}  # screenshot name -> accessibility problems on it
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.engine_crash = ""  # the first WebAssembly trap of Flutter's engine, once there is one
        page.on("pageerror", self._page_error)
        page.on(
            "requestfailed",
            lambda r: self.console.append(f"requestfailed: {r.url} {r.failure}"),
        )

    def _page_error(self, error: Any) -> None:
        self.console.append(f"pageerror: {error}")
        if not self.engine_crash and WASM_TRAP.search(str(error)):
            self.engine_crash = str(error)

    # ---- navigation / setup ----------------------------------------------------------------------

    def open(self, url: str) -> FletWeb:
        """Navigate to ``url`` and turn on the semantics tree."""
        self.page.goto(url)
        self.enable_semantics()
        return self

    def reopen(self, url: str) -> FletWeb:
        """Open the app again as a new visit (a tab closed, the app opened later), not as a reload of this one.

        Flet's client keeps its session's id in the tab's sessionStorage, and a server that has already seen
        the old socket close gives a reload that session back, on the screen it was on. Whether it has seen it
        is a race: alone, the reload got a new session (the welcome); in a loaded CI run it got the old one
        (the finder's list), and the test waited for the welcome's button in vain."""
        self.page.evaluate("sessionStorage.clear()")
        return self.open(url)

    def enable_semantics(self, timeout_ms: float | None = None) -> None:
        """Click the 1x1 off-screen ``flt-semantics-placeholder`` from JS (not with the mouse)
        until Flutter builds its accessibility DOM (``flt-semantics`` nodes)."""
        deadline = time.monotonic() + (timeout_ms or self.timeout * 2) / 1000
        placeholder = self.page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached", timeout=timeout_ms or self.timeout * 2)
        while True:
            if placeholder.count():
                with contextlib.suppress(Exception):
                    placeholder.dispatch_event("click")
            with contextlib.suppress(Exception):
                self.page.locator("flt-semantics").first.wait_for(state="attached", timeout=1000)
                return
            if time.monotonic() > deadline:
                raise TimeoutError("Flutter semantics tree did not appear\n" + self._diag())

    # ---- locators --------------------------------------------------------------------------------

    def label(self, label: str | re.Pattern[str], exact: bool = True) -> Any:
        return self.page.get_by_label(label, exact=exact)

    def button(self, name: str | re.Pattern[str], exact: bool = True) -> Any:
        return self.page.get_by_role("button", name=name, exact=exact)

    def text(self, text: str | re.Pattern[str], exact: bool = True) -> Any:
        return self.page.get_by_text(text, exact=exact)

    def ident(self, identifier: str) -> Any:
        return self.page.locator(f'[flt-semantics-identifier="{identifier}"]')

    # ---- waiting ---------------------------------------------------------------------------------

    def wait_for_label(self, label: str | re.Pattern[str], timeout_ms: float | None = None, exact: bool = True) -> Any:
        loc = self.label(label, exact).first
        self._wait(loc, f"label {label!r}", timeout_ms)
        return loc

    def wait_for_text(self, text: str | re.Pattern[str], timeout_ms: float | None = None, exact: bool = True) -> Any:
        loc = self.text(text, exact).first
        self._wait(loc, f"text {text!r}", timeout_ms)
        return loc

    def wait_for_button(self, name: str | re.Pattern[str], timeout_ms: float | None = None) -> Any:
        loc = self.button(name).first
        self._wait(loc, f"button {name!r}", timeout_ms)
        return loc

    def menu(self, label: str, chosen: str) -> Any:
        """A dropdown (views.common): a button named by its label and what is chosen."""
        return self.wait_for_button(f"{label} {chosen}")

    def wait_for_menu_item(self, name: str, timeout_ms: float | None = None) -> Any:
        """A choice in an open dropdown's menu."""
        loc = self.page.get_by_role("menuitem", name=name, exact=True).first
        self._wait(loc, f"menu item {name!r}", timeout_ms)
        return loc

    def wait_gone(self, locator: Any, timeout_ms: float | None = None) -> None:
        locator.first.wait_for(state="detached", timeout=timeout_ms or self.timeout)

    def _wait(self, loc: Any, what: str, timeout_ms: float | None) -> None:
        try:
            loc.wait_for(state="visible", timeout=timeout_ms or self.timeout)
        except Exception as e:
            failure = EngineCrash if self.engine_crash else AssertionError
            raise failure(f"{what} did not appear: {e}\n{self._diag()}") from None

    # ---- acting ----------------------------------------------------------------------------------

    def type_into(self, label: str | re.Pattern[str], text: str, *, attempts: int = 3, submit: bool = False) -> None:
        """Replace the text of the field labelled ``label`` (the robust recipe: a real click, then wait until
        the field really has the focus, re-clicking each second, before typing; then ``fill`` and verify the
        DOM input holds the text; retry otherwise, typing the keys one by one). Under load Flutter can take
        over a second to settle its focus. Not cured by waiting: after a second page load on one app process
        under load the field never takes the focus (a web-client bug, open; the 200 % text test loads each
        app process once). A failure says where the focus was after each click and what is at its centre."""
        field = self.wait_for_label(label)
        seen = []
        for attempt in range(attempts):
            seen.append(self._click_to_focus(field))
            if attempt == 0:
                field.fill(text)
            else:  # a fill() that did not take: select all and type the keys
                self.page.keyboard.press("Control+a")
                self.page.keyboard.type(text, delay=20)
            for _ in range(20):
                if field.input_value() == text:
                    if submit:
                        field.press("Enter")
                    return
                self.page.wait_for_timeout(100)
        raise AssertionError(f"could not type into {label!r}: field holds {field.input_value()!r}, focus on "
                             f"{self.focused()!r} (after each click: {seen}), field at {field.bounding_box()}, "
                             f"element at its centre: {self._at_centre(field)}\n{self._diag()}")

    def _click_to_focus(self, field: Any, timeout_ms: float = 10_000) -> str:
        """Click ``field`` until it holds the keyboard focus and keeps it for 300 ms (Flutter resets a field
        just after focusing it); re-click each second. Returns where the focus was at the end."""
        def has_focus() -> bool:
            return bool(field.evaluate("e => e === document.activeElement"))

        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            self.settle_into_view(field)
            field.click()
            for _ in range(10):
                self.page.wait_for_timeout(100)
                if has_focus():
                    self.page.wait_for_timeout(300)
                    if has_focus():
                        return self.focused()
            if time.monotonic() > deadline:
                return self.focused()

    def settle_into_view(self, node: Any, timeout_ms: float = 5000) -> None:
        """Scroll with the wheel, as a person does, until the node stands still in the window, clear of the
        bottom bar. Playwright's own scrolling moves the tree's DOM at once and Flutter's pixels after: a click
        in between lands on what was drawn there before (a click meant for "Nuvarande lösenfras" opened the
        menu of "Lås efter (minuter)" above it, whose menu then hid the field from the tree). A node already in
        view is not scrolled: a wheel turned over a screen whose field has the focus left that field deaf to
        what was typed next (the search field). Where the wheel moves it no more, it stays where it is."""
        size = self.page.viewport_size or {"width": 390, "height": 844}
        before = wheeled_at = None
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(150)
            box = node.bounding_box()
            if box is None or box != before:  # not drawn yet, or still moving
                before = box
                continue
            if (box["y"] >= 0 and box["y"] + box["height"] <= size["height"] - BOTTOM_BAR) or box == wheeled_at:
                return
            wheeled_at, before = box, None
            self.page.mouse.move(size["width"] / 2, size["height"] / 2)
            self.page.mouse.wheel(0, box["y"] + box["height"] / 2 - size["height"] / 2)

    def _at_centre(self, field: Any) -> str:
        box = field.bounding_box() or {}
        return str(self.page.evaluate(
            """([x, y]) => { const e = document.elementFromPoint(x, y);
                             return e ? e.tagName + ' ' + (e.getAttribute('aria-label') || '') : ''; }""",
            [box.get("x", 0) + box.get("width", 0) / 2, box.get("y", 0) + box.get("height", 0) / 2]))

    def type_here(self, text: str, *, attempts: int = 3) -> None:
        """Type ``text`` into the field that has the keyboard focus, keys only (no pointer), and check the DOM
        input holds it. Flutter resets a field just after it takes the focus (see `type_into`): keys typed
        at once are lost under load, so wait for the focus to settle first, then verify, and on a miss select
        all and type again, slower."""
        def value() -> str | None:
            return self.page.evaluate(  # type: ignore[no-any-return]
                "() => { const a = document.activeElement; return a && 'value' in a ? a.value : null; }")

        for attempt in range(attempts):
            self.page.wait_for_timeout(500 * (attempt + 1))
            if attempt:
                self.page.keyboard.press("Control+a")
            self.page.keyboard.type(text, delay=20 * attempt)
            for _ in range(20):
                if value() == text:
                    return
                self.page.wait_for_timeout(100)
        raise AssertionError(f"could not type into the focused field: it holds {value()!r}, focus on "
                             f"{self.focused()!r}\n{self._diag()}")

    def type_keys(self, label: str | re.Pattern[str], text: str, *, delay_ms: float = 20) -> None:
        """Click the field labelled ``label`` and type ``text`` key by key at the cursor (appends
        to what the app holds; fires ``on_change`` per key). Use ``press("Enter")`` to submit."""
        field = self.wait_for_label(label)
        field.click()
        self.page.wait_for_timeout(500)
        self.page.keyboard.type(text, delay=delay_ms)

    def press(self, key: str) -> None:
        """Press a key on the focused element (``"Enter"``, ``"Tab"``, ``"Control+a"``)."""
        self.page.keyboard.press(key)

    def click_button(self, name: str | re.Pattern[str]) -> None:
        """Click the button whose accessible name is ``name`` (a Button's text)."""
        self.wait_for_button(name).click()

    def click_and_wait_done(self, name: str | re.Pattern[str], busy: str) -> None:
        """Click ``name`` and wait until the work it starts has ended: its busy line (text ``busy``) shown and
        gone. The busy line, then the notice that follows it, sit at the top of the screen and move everything
        below them down, so a tap aimed while they come and go lands beside its button (a fresh-clone run lost
        "Let in" and "Send to the group" so, under load, after "Check for news")."""
        self.click_button(name)
        line = self.text(busy).first
        with contextlib.suppress(Exception):  # fast work may end before its line is ever drawn
            line.wait_for(state="visible", timeout=3_000)
        line.wait_for(state="hidden", timeout=self.timeout)
        self.page.wait_for_timeout(300)  # the notice takes its place in the next frames

    def open_tab(self, name: str, shows: Any, *, attempts: int = 3, timeout_ms: float = 10_000) -> None:
        """Tap the navigation's `name` (a tab of the phone's bar, or the rail's button at 1280 px) until
        `shows` (a locator on that screen) is visible; a tap that does not show it is tapped again.

        Two fresh-clone runs under load failed on the first tap just after the unlock: once it was lost
        (the journal kept showing), once Playwright's click stayed in its "scrolling into view" step for
        its whole 30 s. Neither came back in 4 probes with three CPU hogs (the click took 0.44-0.76 s, the
        screen 0.25-0.36 s more), and Flet's debug log named no event for a control it no longer had: the
        app took every tap that reached it. So a tap gets a bounded time, and one that did nothing is
        repeated, as a person would."""
        from playwright.sync_api import Error as PlaywrightError

        tab = self.page.get_by_role("tab", name=name).or_(
            self.page.get_by_role("button", name=re.compile(rf"^{re.escape(name)}\b"))).first
        for attempt in range(attempts):
            try:
                tab.click(timeout=timeout_ms)
                shows.wait_for(state="visible", timeout=timeout_ms)
                return
            except PlaywrightError:
                if attempt == attempts - 1:
                    raise

    def screenshot(self, name: str, settle_ms: int = 500, *, audit: bool = True) -> Path:
        """Save ``artifacts/screenshots/<name>.png``. Waits ``settle_ms`` first: the semantics
        tree updates before the pixels do. Every screen shot is also audited (`audit_screen`); what it
        finds is kept in ``self.findings`` and fails the test at its end (the `web` fixture)."""
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_timeout(settle_ms)
        if COLOR_SCHEME == "dark" and not name.endswith("-dark"):
            name += "-dark"
        path = SCREENSHOTS_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        self.page.screenshot(path=str(path))
        if audit:
            found = self.audit_screen(path)
            if found:
                self.findings[name] = found
        return path

    # ---- accessibility ---------------------------------------------------------------------------

    def audit_screen(self, shot: Path) -> list[str]:
        """What a screen reader or a low-vision reader would trip over on the screen in `shot` (taken just
        now): controls without a name, and text below WCAG AA contrast (disabled controls are exempt)."""
        from PIL import Image

        from tests.browser.contrast import low_contrast

        found = [f"no name: {control}" for control in self.unnamed_controls()]
        with Image.open(shot) as image:
            found += [f"contrast {m}" for m in low_contrast(image, self.contrast_boxes())]
        return found

    def set_color_scheme(self, scheme: str) -> None:
        """Ask for the "light" or "dark" theme as a device would (prefers-color-scheme); the app follows."""
        self.page.emulate_media(color_scheme=scheme)

    def set_text_scale(self, factor: float) -> None:
        """Scale text as the browser's font-size setting does, from the next page load on (as a device set
        to large text would be from the start): Flutter reads the root element's font size (16 px = 1.0).
        Changed on a running app, Flutter relays out the pixels but may leave semantics nodes behind."""
        self.page.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => "
            f"document.documentElement.style.fontSize = '{16 * factor}px')")

    def text_boxes(self) -> list[dict[str, Any]]:
        """Every piece of text the semantics tree places in the viewport: {text, left, top, right, bottom,
        disabled, partial}, from leaf nodes with text and from text fields (their label); cut to the scrolling body
        it lies in, as it shows on screen."""
        return list(self.page.evaluate(
            """() => {
                const out = [];
                for (const n of document.querySelectorAll('flt-semantics, h2')) {  // a header is an <h2>
                    const input = n.querySelector(':scope > input, :scope > textarea');
                    const leaf = !n.querySelector('flt-semantics');
                    const text = input ? (input.getAttribute('aria-label') || '')
                                       : (leaf ? (n.textContent || '').trim() : '');
                    if (!text) continue;
                    const r = n.getBoundingClientRect();
                    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
                    // Flutter clips a node's rect to its scrolling parent already; one that reaches the edge
                    // may be cut there, and what shows of it may be a border, not its text (partial)
                    let partial = bottom > innerHeight - 1;
                    // a scrolling body (role group) shows only what lies within it
                    for (let a = n.parentElement?.closest('flt-semantics[role="group"]'); a;
                         a = a.parentElement?.closest('flt-semantics[role="group"]')) {
                        const c = a.getBoundingClientRect();
                        partial ||= top < c.top + 1 || bottom > c.bottom - 1;
                        [left, top] = [Math.max(left, c.left), Math.max(top, c.top)];
                        [right, bottom] = [Math.min(right, c.right), Math.min(bottom, c.bottom)];
                    }
                    bottom = Math.min(bottom, innerHeight);
                    if (right - left < 2 || bottom - top < 2) continue;
                    const disabled = !!n.closest('[aria-disabled="true"]') || (input && input.disabled);
                    out.push({text, left, top, right, bottom, disabled, partial, field: !!input});
                }
                // a field whose label is the text just over it draws its own invisible (views.common
                // `_label_over`): its box holds no label, as tests/browser/fit.py's `shownAbove` reads it
                const scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16;
                for (const b of out) b.labelled_above = b.field && out.some(t => !t.field && t.text === b.text
                    && Math.abs(t.left - b.left) <= 4 && t.bottom <= b.top + 2 && t.bottom >= b.top - 16 * scale);
                return out;
            }"""))

    def contrast_boxes(self) -> list[dict[str, Any]]:
        """The text boxes whose contrast can be measured and must meet AA: not those of disabled controls
        (WCAG exempts them), nor those cut at the edge of a scrolling body or the window (seen: only a
        dropdown's border showed under the app bar, and was measured as its label at 4.28:1), nor a field
        whose label stands over it: the text over it is measured, and in an empty field without a show
        button only the border was (4.28:1, "Recovery code" in a fresh-clone run)."""
        return [b for b in self.text_boxes() if not b["disabled"] and not b["partial"] and not b["labelled_above"]]

    def rest_pointer(self) -> None:
        """Move the mouse to the left margin, off every control: a hovered one shows its tooltip."""
        self.page.mouse.move(2, self.page.evaluate("innerHeight") // 2)

    def settled_text_boxes(self, timeout_ms: float = 5000) -> list[dict[str, Any]]:
        """`text_boxes()` once two readings 300 ms apart agree (after a resize or a new text scale Flutter
        moves the semantics nodes over a few frames)."""
        deadline = time.monotonic() + timeout_ms / 1000
        boxes = self.text_boxes()
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(300)
            again = self.text_boxes()
            if again == boxes:
                break
            boxes = again
        return boxes

    def overlapping_texts(self, floating: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
        """Pairs of texts whose boxes overlap by more than 2 px each way: a sign of text that no longer
        fits where it is laid out (a Column overflowing a fixed height paints over what follows), and text
        fields whose label needs more than their one line (it wraps over the border and the value). A box
        wholly inside another is a part of it (a text field's show button), not an overlap; texts named in
        `floating` (a floating action button) are meant to lie over the list."""
        boxes = [b for b in self.settled_text_boxes() if not b["disabled"] and b["text"] not in floating]

        def inside(a: dict[str, Any], b: dict[str, Any]) -> bool:
            return (a["left"] >= b["left"] - 1 and a["right"] <= b["right"] + 1 and a["top"] >= b["top"] - 1
                    and a["bottom"] <= b["bottom"] + 1)

        pairs = []
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                dx = min(a["right"], b["right"]) - max(a["left"], b["left"])
                dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                if dx > 2 and dy > 2 and not inside(a, b) and not inside(b, a):
                    pairs.append((a["text"], b["text"], [round(a[k]) for k in ("left", "top", "right", "bottom")],
                                  [round(b[k]) for k in ("left", "top", "right", "bottom")]))
        # a field's label is no node of its own: the field's box holds it, so no pair shows a label that
        # wraps over the field's border and value (tests/browser/fit.py measures it)
        from tests.browser.fit import misfits

        pairs += [(m["text"], "its field", m["box"], m["box"]) for m in misfits(self.page)
                  if m["kind"] == "label over its field" and m["text"] not in floating]
        return pairs

    def cut_texts(self) -> list[tuple[str, str]]:
        """Texts cut short on screen: (text, how), how "cut" (an ellipsis or a clip: the box is narrower than
        its one line), "past its column" (wider than the scrolling body that clips it) or "broken inside a word" (a
        tab's label)."""
        from tests.browser.fit import misfits

        return [(m["text"], m["kind"]) for m in misfits(self.page) if m["kind"] != "label over its field"]

    def unnamed_controls(self) -> list[str]:
        """Controls a screen reader would announce without a name (from Chromium's accessibility tree)."""
        tree = self.page.locator("body").aria_snapshot()
        roles = "button|checkbox|switch|textbox|combobox|slider|tab|link|menuitem|radio|spinbutton"
        return [line.strip() for line in tree.splitlines()
                if re.fullmatch(rf"\s*- ({roles})( \[[^\]]*\])*:?", line)]

    def focused(self) -> str:
        """The accessible name (label or text) of the element that has the keyboard focus."""
        return str(self.page.evaluate(
            """() => { const a = document.activeElement;
                       if (!a || a === document.body) return '';
                       return (a.getAttribute('aria-label') || a.textContent || '').trim(); }"""))

    def editing_unnamed(self) -> bool:
        """Whether the focus is in Flutter's own text-editing input (flt-text-editing-host), which carries no
        name: where a field's autofocus puts it when it won the race with the semantics tree on a loaded
        machine (seen in 3 of 4 keyboard sessions under load). The keys reach the field; `focused` says ''."""
        return bool(self.page.evaluate(
            "() => !!(document.activeElement && document.activeElement.closest('flt-text-editing-host'))"))

    def tab_to(self, name: str | re.Pattern[str], *, limit: int = 40, key: str = "Tab", field: bool = False) -> None:
        """Press Tab (or `key`) until the focus is on the element named `name`; fails after `limit`. For a text
        `field`, Flutter's unnamed editing input counts as it too (`editing_unnamed`); the caller's check of
        what was typed then shows it was the right one."""
        if field and (self.focused() == name or self.editing_unnamed()):
            return  # it has the focus already (its autofocus)
        seen = []
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(150)
            now = self.focused()
            for _wait in range(10):  # under load Flutter names a newly focused text field late (seen: '')
                if now:
                    break
                self.page.wait_for_timeout(100)
                now = self.focused()
            seen.append(now)
            if (name.search(now) if isinstance(name, re.Pattern) else now == name):
                return
            if field and not now and self.editing_unnamed():
                return
        raise AssertionError(f"{name!r} not reached with {key} in {limit} presses; the focus went: {seen}")

    # ---- diagnostics -----------------------------------------------------------------------------

    def semantics_outline(self) -> str:
        """Labels/roles/texts of the semantics nodes, one per line (for failure messages)."""
        return self.page.evaluate(
            """() => [...document.querySelectorAll('flt-semantics, flt-semantics input')]
                 .map(n => [n.getAttribute('role') || n.getAttribute('data-semantics-role') || '',
                            n.getAttribute('aria-label') || '',
                            n.getAttribute('flt-semantics-identifier') || '',
                            (n.tagName === 'INPUT' || n.querySelector('flt-semantics'))
                              ? '' : (n.textContent || '').trim()].join(' | '))
                 .filter(s => s.replace(/[ |]/g, '').length).join('\\n')"""
        )

    def _diag(self) -> str:
        parts = []
        if self.engine_crash:  # a trapped engine may spin for ever: an evaluate would never return
            parts.append(f"{ENGINE_CRASHED}: {self.engine_crash}")
        else:
            with contextlib.suppress(Exception):
                parts.append("semantics:\n" + self.semantics_outline())
        if self.console:
            parts.append("console (last 20):\n" + "\n".join(self.console[-20:]))
        return "\n".join(parts)
