"""Journal screens: the list, one entry, every answer to a prompt, search, and my toolkit."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.domain.journal import Entry
from app.domain.prompts import TOOLKIT, get_prompt, tag_label, theme_label, toolkit_label
from app.errors import KraftError
from app.i18n import _, current, format_when, ngettext
from app.views.common import dropdown, frame, needs_journal, option, section_title, text_input
from app.views.routes import Route
from app.views.states.announcements import AnnouncementsState
from app.views.states.groups import GroupsState
from app.views.states.homework import HomeworkState
from app.views.states.journal import JournalState
from app.views.states.session import SessionState
from app.views.widgets.announcements import announcement_cards
from app.views.widgets.homework import homework_cards
from app.views.widgets.meeting import next_meeting_card, reminder_banner

PREVIEW_CHARS = 160


def prompt_label(entry: Entry) -> str | None:
    prompt = get_prompt(entry.prompt_id) if entry.prompt_id else None
    return prompt.label(current()) if prompt else entry.prompt_text


def entry_card(journal: JournalState, entry: Entry) -> ft.Control:
    text = entry.text if len(entry.text) <= PREVIEW_CHARS else entry.text[:PREVIEW_CHARS].rstrip() + "…"
    question = prompt_label(entry)
    lines: list[ft.Control] = [ft.Text(format_when(entry.created), theme_style=ft.TextThemeStyle.LABEL_MEDIUM)]
    if question:
        lines.append(ft.Text(question, italic=True, theme_style=ft.TextThemeStyle.BODY_SMALL))
    lines.append(ft.Text(text))
    return ft.Card(ft.ListTile(
        title=ft.Column(lines, spacing=4), key=f"entry-{entry.id}",
        on_click=lambda: journal.router.navigate(Route.ENTRY, id=entry.id)))


def undo_bar(journal: JournalState) -> list[ft.Control]:
    if not journal.undo_id:
        return []
    return [ft.Container(ft.Row([
        ft.Text(_("Entry deleted."), expand=True),
        ft.TextButton(_("Undo"), on_click=journal.undo_delete, key="undo"),
    ]), bgcolor=ft.Colors.INVERSE_SURFACE, border_radius=8, padding=ft.Padding.only(left=12))]


def integrity_notice(session: SessionState) -> list[ft.Control]:
    """What unlock found against the manifest, calmly, with the way to a backup; nothing was changed."""
    found = session.integrity()
    if found is None:
        return []
    title, lines = found
    return [ft.Semantics(live_region=True, content=ft.Card(ft.Container(ft.Column([
        ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, key="integrity-title"),
        *[ft.Text(line, key=f"integrity-line-{i}") for i, line in enumerate(lines)],
        ft.Row([ft.OutlinedButton(_("Restore from a backup"), icon=ft.Icons.RESTORE, key="integrity-restore",
                                  on_click=lambda: session.router.navigate(Route.RESTORE))], wrap=True),
    ], spacing=8), padding=16), key="integrity"))]


@ft.component
@needs_journal
def JournalList(journal: JournalState, groups: GroupsState, homework: HomeworkState,
                announcements: AnnouncementsState, session: SessionState) -> ft.Control:
    page = journal.journal.page(limit=journal.limit)
    cards = homework_cards(homework)  # at the top: what the group asked, and "Answer it"
    body: list[ft.Control] = [*undo_bar(journal), *integrity_notice(session), reminder_banner(groups), *cards,
                              next_meeting_card(groups), *announcement_cards(announcements)]
    damaged = len(journal.journal.damaged)
    if damaged:
        body.append(ft.Text(ngettext("{n} entry could not be opened and was skipped.",
                                     "{n} entries could not be opened and were skipped.", damaged).format(n=damaged),
                            color=ft.Colors.ERROR))
    if not page.entries:
        body.append(ft.Text(_("Nothing here yet. Answer the homework above, or write anything on your mind.")
                            if cards else _("Nothing here yet. Write your first entry: anything on your mind."),
                            key="journal-empty"))
    body += [entry_card(journal, e) for e in page.entries]
    if page.has_more:
        body.append(ft.OutlinedButton(_("Show older entries"), key="more",
                                      on_click=journal.show_more))
    fab = ft.FloatingActionButton(icon=ft.Icons.EDIT, content=ft.Text(_("New entry")), key="new-entry",
                                  tooltip=_("New entry"), on_click=lambda: journal.open_editor())
    return frame(session, _("Journal"), body, fab=fab)


@ft.component
@needs_journal
def EntryView(journal: JournalState, session: SessionState) -> ft.Control:
    try:
        entry = journal.journal.get(session.router.param("id") or "")
    except KraftError:
        return frame(session, _("Entry"), [ft.Text(_("This entry is no longer here."))],
                     back=lambda: session.router.back(Route.JOURNAL))
    question = prompt_label(entry)
    body: list[ft.Control] = [ft.Text(format_when(entry.created), theme_style=ft.TextThemeStyle.LABEL_LARGE)]
    if question:
        body.append(ft.Text(question, italic=True))
    body.append(ft.Text(entry.text, key="entry-text", theme_style=ft.TextThemeStyle.BODY_LARGE))
    lang = current()
    chips = [tag_label(t, lang) for t in entry.tags] + ([theme_label(entry.theme, lang)] if entry.theme else [])
    if chips:
        body.append(ft.Row([ft.Chip(label=ft.Text(c)) for c in chips], wrap=True))

    def pin(e: Any) -> None:
        value = e.control.value
        journal.pin(entry.id, None if value == "none" else value)

    body.append(dropdown(
        label=_("Pin to my toolkit"), key="pin", value=entry.toolkit or "none", on_change=pin,
        options=[option("none", _("Not pinned")),
                 *[option(k, toolkit_label(k, current())) for k in TOOLKIT]]))
    buttons: list[ft.Control] = [
        ft.FilledButton(_("Edit"), icon=ft.Icons.EDIT, key="edit", on_click=lambda: journal.open_editor(entry)),
        ft.OutlinedButton(_("Delete"), icon=ft.Icons.DELETE_OUTLINE, key="delete",
                          on_click=lambda: journal.delete_entry(entry.id)),
    ]
    if entry.prompt_id:
        buttons.append(ft.TextButton(_("All my answers to this prompt"), key="history",
                                     on_click=lambda: session.router.navigate(Route.HISTORY, id=entry.id,
                                                                              prompt=entry.prompt_id or "")))
    body.append(ft.Row(buttons, wrap=True))
    return frame(session, _("Entry"), body, back=lambda: session.router.back(Route.JOURNAL))


@ft.component
@needs_journal
def History(journal: JournalState, session: SessionState) -> ft.Control:
    prompt_id = session.router.param("prompt") or ""
    prompt = get_prompt(prompt_id)
    answers = journal.journal.answers_to(prompt_id)
    body: list[ft.Control] = [section_title(prompt.label(current()) if prompt else "")]
    body.append(ft.Text(ngettext("{n} answer, oldest first", "{n} answers, oldest first", len(answers))
                        .format(n=len(answers))))
    body += [entry_card(journal, e) for e in answers]
    back = session.router.param("id") or ""
    return frame(session, _("Over time"), body, back=lambda: session.router.back(Route.ENTRY, id=back))


@ft.component
@needs_journal
def Search(journal: JournalState, session: SessionState) -> ft.Control:
    hits = journal.journal.search(journal.query, lang=current()) if journal.query.strip() else []

    def change(e: Any) -> None:
        journal.search(e.control.value)

    body: list[ft.Control] = [ft.Row([text_input(_("Search your journal"), journal.query, change, key="search",
                                                 prefix_icon=ft.Icons.SEARCH, autofocus=True, expand=True)])]
    if journal.query.strip():
        body.append(ft.Text(ngettext("{n} entry found", "{n} entries found", len(hits)).format(n=len(hits)),
                            key="hits"))
        if not hits:
            body.append(ft.Text(journal.no_hits_hint(), key="no-hits"))
    body += [entry_card(journal, e) for e in hits[:100]]
    return frame(session, _("Search"), body)


@ft.component
@needs_journal
def Toolkit(journal: JournalState, session: SessionState) -> ft.Control:
    sections = journal.journal.toolkit()
    body: list[ft.Control] = [
        ft.Row([ft.FilledTonalButton(_("My round"), icon=ft.Icons.SHOW_CHART, key="open-my-round",
                                     on_click=lambda: session.router.navigate(Route.MY_ROUND)),
                ft.FilledTonalButton(_("My crisis plan"), icon=ft.Icons.HEALTH_AND_SAFETY_OUTLINED, key="open-plan",
                                     on_click=lambda: session.router.navigate(Route.PLAN))], wrap=True, spacing=8),
        ft.Text(_("Answers you pinned, to come back to when things are hard."))]
    for key, entries in sections.items():
        body.append(section_title(toolkit_label(key, current())))
        if not entries:
            body.append(ft.Text(_("Nothing pinned yet. Open an entry and pin it here."),
                                theme_style=ft.TextThemeStyle.BODY_SMALL))
        body += [entry_card(journal, e) for e in entries]
    return frame(session, _("My toolkit"), body)
