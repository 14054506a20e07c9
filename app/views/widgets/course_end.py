"""The end of a course on the group screen (issue 18 point 6, docs/adr/0014-meeting-and-themes.md): once the
last meeting has begun, a reflection on the course (a journal entry), "Go on as a group?" (counts only, never
who answered what) and "Would you lead a group one day?", kept in the journal and never sent."""

from __future__ import annotations

import flet as ft

from app.domain.prompts import COURSE_PROMPT
from app.i18n import N_, _, current, ngettext
from app.services.course import LEAD_ANSWERS
from app.services.groups import Group
from app.views.common import section_title
from app.views.states.choosing import ChoosingState
from app.views.states.journal import JournalState

ANSWERS = {"yes": N_("Yes"), "no": N_("No"), "maybe": N_("Maybe")}


def _problem(choosing: ChoosingState, group: Group, control: str) -> list[ft.Control]:
    why = choosing.problem(group, control)
    return [ft.Text(why, color=ft.Colors.ERROR, key=f"course-problem-{control}")] if why else []


@ft.component
def CourseEndSection(choosing: ChoosingState, journal: JournalState, group: Group) -> ft.Control:
    end = choosing.course_end(group)
    if end is None:
        return ft.Container()
    lines: list[ft.Control] = [section_title(_("The end of the course")),
                               ft.Text(COURSE_PROMPT.label(current()), key="course-prompt")]
    written = ngettext("You wrote {n} reflection on this course.", "You wrote {n} reflections on this course.",
                       end.reflections).format(n=end.reflections)
    if end.reflections:
        lines.append(ft.Text(written, key="course-written"))
    lines.append(ft.FilledTonalButton(_("Write your reflection"), icon=ft.Icons.EDIT_NOTE, key="course-reflect",
                                      on_click=lambda: journal.open_editor(prompt_id=COURSE_PROMPT.id)))
    if end.go_on:
        lines.append(ft.Text(_("Go on as a group?"), theme_style=ft.TextThemeStyle.TITLE_MEDIUM))
        buttons: list[ft.Control] = []
        for answer in ("yes", "no"):
            count = ngettext("{n} answer", "{n} answers", end.go_on[answer]).format(n=end.go_on[answer])
            label = f"{_(ANSWERS[answer])} · {count}"

            async def pick(_e: object, a: str = answer) -> None:
                await choosing.go_on(group, a)

            buttons.append(ft.FilledButton(label, key=f"course-go-on-{answer}", on_click=pick) if end.mine == answer
                           else ft.OutlinedButton(label, key=f"course-go-on-{answer}", on_click=pick))
        lines.append(ft.Row(buttons, wrap=True, spacing=8))
        if end.mine:
            lines.append(ft.Text(_("Your answer: {answer}").format(answer=_(ANSWERS[end.mine])), key="course-mine"))
        lines += _problem(choosing, group, "go-on")
    lines.append(ft.Text(_("Would you lead a group one day?"), theme_style=ft.TextThemeStyle.TITLE_MEDIUM))
    lines.append(ft.Text(_("Only you see this answer. It stays in your journal and is not sent."),
                         key="course-lead-private"))
    lead = choosing.lead()
    lines.append(ft.RadioGroup(value=lead or None, key="course-lead",
                               on_change=lambda e: choosing.would_lead(group, str(e.control.value or "")),
                               content=ft.Row([ft.Radio(value=a, label=_(ANSWERS[a]), key=f"course-lead-{a}")
                                               for a in LEAD_ANSWERS], wrap=True)))
    lines += _problem(choosing, group, "lead")
    return ft.Column(lines, spacing=8)
