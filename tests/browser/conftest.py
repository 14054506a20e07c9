"""Fixtures for real-browser tests (mark them ``@pytest.mark.browser``; write them as plain
``def`` tests: Playwright's sync API must not run inside an asyncio loop).

    def test_x(served_app, web, tmp_path):
        server = served_app("tests/browser/demo_app.py", env={"KRAFT_HOME": str(tmp_path)})
        web.open(server.url)
        web.type_into("Name", "Ada")
        web.click_button("Add")
        web.wait_for_text("Hello ADA")
        web.screenshot("demo-added")

Without /usr/bin/chromium the tests are skipped, unless CI=true, where that is an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COLOR_SCHEME,
    ENGINE_CRASHED,
    AppServer,
    FletWeb,
    chromium_missing_reason,
    start_app,
)

BROWSER_TEST_SECONDS = 600  # the longest browser test takes about a minute here


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests: one more run only when Flutter's engine crashed in the browser (support.WASM_TRAP), and
    a time limit, so that a browser that stops answering fails its test instead of stalling the whole run."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=[re.escape(ENGINE_CRASHED)]))
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_SECONDS))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"_browser_rep_{rep.when}", rep)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    reason = chromium_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def served_app(request: pytest.FixtureRequest) -> Iterator[Callable[..., AppServer]]:
    """Factory: ``served_app(target, env=None, **start_app_kwargs) -> AppServer``.

    Starts the app (script path or module) as a web server subprocess on 127.0.0.1 at a free
    port and waits until it serves; every server is killed after the test. On failure the
    server log tail is printed (full log in ``artifacts/logs/``)."""
    servers: list[AppServer] = []

    def start(target: str | os.PathLike[str], env: dict[str, str] | None = None, **kw: Any) -> AppServer:
        server = start_app(target, env=env, **kw)
        servers.append(server)
        return server

    yield start

    failed = getattr(request.node, "_browser_rep_call", None)
    for server in servers:
        died = not server.alive()
        server.stop()
        if died or (failed is not None and failed.failed):
            print(f"\n--- app log {server.log_path} (exit={server.process.returncode}) ---")
            print(server.log_tail())


@pytest.fixture
def browser_context(chromium_executable: str, tmp_path: Path) -> Iterator[Any]:
    """A headless Debian-chromium context with a fresh user-data-dir, 800x600 viewport."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium_executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 800, "height": 600},
            locale="en-US",
            color_scheme=COLOR_SCHEME,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def web(browser_context: Any, request: pytest.FixtureRequest) -> Iterator[FletWeb]:
    """A :class:`FletWeb` on a blank tab; call ``web.open(server.url)``. Every screenshot it takes is an
    accessibility audit too (unnamed controls, contrast): a test that passed fails at its end on findings."""
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    web = FletWeb(page)
    yield web
    call = getattr(request.node, "_browser_rep_call", None)
    if web.findings and call is not None and call.passed:
        pytest.fail("accessibility problems on the screens shot:\n" + "\n".join(
            f"{name}: {problem}" for name, problems in web.findings.items() for problem in problems), pytrace=False)
