"""The editor: a prompt (or none), the answer, tags and theme. Autosaved as an encrypted draft."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.domain.prompts import PROMPTS, TAGS, THEMES, get_prompt, tag_label, theme_label
from app.i18n import _, current
from app.services.journal import NEW_DRAFT
from app.views.common import dropdown, frame, option, text_input
from app.views.states.journal import JournalState
from app.views.states.session import SessionState

FREE = "free"


@ft.component
def Editor(journal: JournalState, session: SessionState) -> ft.Control:
    ed = journal.editor
    new = ed.key == NEW_DRAFT

    def choose_prompt(e: Any) -> None:
        value = e.control.value
        prompt = get_prompt(value) if value != FREE else None
        journal.edit(prompt_id=prompt.id if prompt else None, prompt_text=prompt.label(current()) if prompt else None)

    def toggle_tag(tag: str) -> None:
        tags = tuple(t for t in ed.tags if t != tag) if tag in ed.tags else (*ed.tags, tag)
        journal.edit(tags=tags)

    body: list[ft.Control] = []
    prompt = get_prompt(ed.prompt_id) if ed.prompt_id else None
    if new:  # a prompt asked from elsewhere (the end of a course) is a choice too, so the field shows it
        offered = [*PROMPTS, *([prompt] if prompt is not None and prompt not in PROMPTS else [])]
        body.append(dropdown(
            label=_("Prompt"), key="prompt", value=ed.prompt_id or FREE, on_change=choose_prompt, expand=True,
            options=[option(FREE, _("Free entry")),
                     *[option(p.id, p.label(current())) for p in offered]]))
    question = prompt.label(current()) if prompt else ed.prompt_text
    if question:
        body.append(ft.Text(question, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, key="prompt-text"))
    body.append(ft.Row([text_input(
        _("Your answer") if question else _("Your entry"), ed.text, lambda e: journal.edit(text=e.control.value),
        key="text", multiline=True, min_lines=8, autofocus=True, expand=True,
        error=journal.session.field_error("text") or None)]))
    body.append(ft.Text(_("Recovery factors"), theme_style=ft.TextThemeStyle.LABEL_LARGE))
    body.append(ft.Row([ft.Chip(label=ft.Text(tag_label(t, current())), selected=t in ed.tags, key=f"tag-{t}",
                                on_select=lambda e, t=t: toggle_tag(t)) for t in TAGS], wrap=True))
    body.append(dropdown(
        label=_("Theme"), key="theme", value=ed.theme or "none",
        on_change=lambda e: journal.edit(theme=None if e.control.value == "none" else e.control.value),
        options=[option("none", _("No theme")),
                 *[option(k, theme_label(k, current())) for k in THEMES]]))
    body.append(ft.Row([
        ft.FilledButton(_("Save"), icon=ft.Icons.CHECK, key="save", on_click=journal.save_entry,
                        disabled=not ed.text.strip()),
        ft.TextButton(_("Discard"), key="discard", on_click=journal.discard_editor),
        ft.Text(ed.saved_note, key="draft-status", theme_style=ft.TextThemeStyle.BODY_SMALL),
    ], wrap=True))

    return frame(session, _("New entry") if new else _("Edit entry"), body, nav=False, back=journal.leave_editor)
