"""The homework card (issue 15): a group's current homework with the meeting it is for and "Answer it"; without
a journal, that the group sent homework and the way to a journal; locked, that unlocking shows it. Shown on the
home, unlock, journal and group screens alike."""

from __future__ import annotations

import flet as ft

from app.i18n import _, format_weekday_when
from app.services.homework import CurrentHomework, JournalAccess
from app.views.states.homework import HomeworkState


def homework_card(state: HomeworkState, item: CurrentHomework, *, with_group: bool = True) -> ft.Control:
    """One group's current homework. Its words only while the journal is open (the service leaves them out
    otherwise); texts wrap, nothing is cut at phone width."""
    heading = _("Homework from {group}").format(group=item.group_name) if with_group else _("Homework")
    lines: list[ft.Control] = [
        ft.Row([ft.Icon(ft.Icons.ASSIGNMENT_OUTLINED, size=20),
                ft.Text(heading, theme_style=ft.TextThemeStyle.LABEL_LARGE, expand=True)], spacing=8),
    ]
    if item.meeting is not None:
        lines.append(ft.Text(_("For the meeting on {when}").format(when=format_weekday_when(item.meeting.start)),
                             theme_style=ft.TextThemeStyle.BODY_SMALL, key=f"homework-meeting-{item.group_id}"))
    if item.journal is JournalAccess.OPEN and item.text is not None:
        lines.append(ft.Text(item.text, italic=True, theme_style=ft.TextThemeStyle.BODY_LARGE,
                             key=f"homework-text-{item.group_id}"))
        if item.answered:
            lines.append(ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, size=16),
                                 ft.Text(_("You have answered it."), expand=True)], spacing=6))
        lines.append(ft.Row([ft.FilledButton(_("Answer it") if not item.answered else _("Write more"),
                                             icon=ft.Icons.EDIT, key=f"answer-homework-{item.group_id}",
                                             on_click=lambda: state.answer(item))], wrap=True))
    elif item.journal is JournalAccess.NONE:
        lines.append(ft.Text(_("Your group sent homework: create a journal to answer it. It keeps your answers "
                               "encrypted on this device."), key=f"homework-needs-journal-{item.group_id}"))
        lines.append(ft.Row([ft.FilledButton(_("Create my journal"), icon=ft.Icons.LOCK_OUTLINE,
                                             key=f"homework-create-journal-{item.group_id}",
                                             on_click=state.create_journal)], wrap=True))
    else:
        lines.append(ft.Text(_("Your group sent homework. Unlock to read it."),
                             key=f"homework-locked-{item.group_id}"))
    return ft.Card(ft.Container(ft.Column(lines, spacing=8), padding=16), key=f"homework-card-{item.group_id}")


def homework_cards(state: HomeworkState) -> list[ft.Control]:
    """Every group's current homework, one card each (none when there is none)."""
    return [homework_card(state, item) for item in state.current()]
