"""The language choice: on the welcome, on the home screen of a member without a journal, and in Settings.

Each language is named in itself ("Dansk", not "Danish"): someone who cannot read the current one still
finds their own. The choice is a plaintext device preference (it says nothing the member wrote) and applies
at once to the whole screen (docs/adr/0007-app-layout.md, "Language").
"""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.views.common import dropdown, option
from app.views.states.session import SessionState

LANGUAGES = {"sv": "Svenska", "nb": "Norsk bokmål", "da": "Dansk", "en": "English"}


def language_choice(session: SessionState, *, key: str = "language") -> ft.Control:
    """A dropdown of the four languages, the current one chosen; a choice is kept and shown at once."""
    return dropdown(label=_("Language"), key=key, value=session.language, prefix_icon=ft.Icons.LANGUAGE,
                    on_change=lambda e: session.set_language(e.control.value),
                    options=[option(k, v) for k, v in LANGUAGES.items()])
