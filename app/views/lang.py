"""The language of each Flet session: in web mode one process serves every browser tab, and each speaks its own.

Flet binds the page of the session handling an event (and of `page.run_task`) to `ft.context.page`, a
ContextVar of its own; the resolver installed here answers `app.i18n.current()` with that session's chosen
language, so the module-level `_` and `format_*` the screens call speak it (docs/adr/0007-app-layout.md).
"""

from __future__ import annotations

import weakref

import flet as ft

from app import i18n

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
