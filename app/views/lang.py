"""The language of each Flet session: in web mode one process serves every browser tab, and each speaks its own.

Flet binds the page of the session handling an event (and of `page.run_task`) to `ft.context.page`, a
ContextVar of its own; the resolver installed here answers `app.i18n.current()` with that session's chosen
language, so the module-level `_` and `format_*` the screens call speak it (docs/adr/0007-app-layout.md).
"""

from __future__ import annotations

import asyncio
import logging
import weakref

import flet as ft

from app import i18n

log = logging.getLogger(__name__)
ASK_SECONDS = 2.0  # the client answers in milliseconds; a client that never does must not stop the start
PHONES = (ft.PagePlatform.ANDROID, ft.PagePlatform.ANDROID_TV, ft.PagePlatform.IOS)
_BY_SESSION: weakref.WeakKeyDictionary[object, i18n.Language] = weakref.WeakKeyDictionary()


def _session() -> object | None:
    """The Flet session handling the current event or task, or None outside one (CLI, tests, start-up)."""
    try:
        return ft.context.page.session
    except RuntimeError:  # no page in this context, or its session is gone
        return None


def choose(code: str | None) -> i18n.Language:
    """Make `code` the language of the current session (and of this context); returns the Language.

    >>> choose("sv").code  # in a session's event handler: every later render of it speaks Swedish
    'sv'
    """
    lang = i18n.language(code)
    session = _session()
    if session is not None:
        _BY_SESSION[session] = lang
    i18n.activate(lang)
    return lang


def session_language() -> i18n.Language | None:
    """The language chosen for the session handling the current event, or None (not in a session, or none
    chosen yet): the resolver `app.i18n.current()` asks first."""
    session = _session()
    return _BY_SESSION.get(session) if session is not None else None


def install() -> None:
    """Let `app.i18n` speak the current session's language (idempotent; the web and desktop UI's start)."""
    i18n.set_resolver(session_language)


async def client_language(page: ft.Page) -> str | None:
    """The first language the browser (navigator.languages) or the phone's or computer's settings ask for that
    Kraft speaks, or None when the client does not say or asks only for others. Flet 1.0 reports them as
    the device info's `locales`, in the person's order."""
    try:
        info = await asyncio.wait_for(page.get_device_info(), ASK_SECONDS)
    except Exception:  # an older client, no answer in time, or fields this Flet does not know: not a fault
        log.info("the client did not say its language", exc_info=True)
        return None
    locales = info.locales if info is not None else []
    return i18n.first_supported(
        "-".join(part for part in (loc.language_code, loc.country_code) if part) for loc in locales or [])


def on_phone(page: ft.Page) -> bool:
    """A built phone app: its embedded Python's environment says nothing of the phone's language setting."""
    return not page.web and page.platform in PHONES
