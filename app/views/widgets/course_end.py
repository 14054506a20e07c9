"""The end of a course on the group screen (issue 18 point 6, docs/adr/0014-meeting-and-themes.md): once the
last meeting has begun, a reflection on the course (a journal entry), "Go on as a group?" (counts only, never
who answered what) and "Would you lead a group one day?", kept in the journal; a yes or maybe can be told to
the region's coordinator, sealed, with the contact the member chooses to give (issue 19 point 4,
docs/adr/0016-region-catalogue.md)."""

from __future__ import annotations

from datetime import date

import flet as ft

from app.domain.prompts import COURSE_PROMPT
from app.i18n import N_, _, current, format_day, ngettext
from app.services.course import LEAD_ANSWERS
from app.services.groups import Group
from app.views.common import busy_beside, field, section_title
from app.views.states.choosing import ChoosingState
from app.views.states.journal import JournalState

ANSWERS = {"yes": N_("Yes"), "no": N_("No"), "maybe": N_("Maybe")}


def _problem(choosing: ChoosingState, group: Group, control: str) -> list[ft.Control]:
    why = choosing.problem(group, control)
    return [ft.Text(why, color=ft.Colors.ERROR, key=f"course-problem-{control}")] if why else []


@ft.component
def TellCoordinator(choosing: ChoosingState, group: Group, answer: str) -> ft.Control:
    """A yes or maybe, told to the region's coordinator: an optional contact and the button; what was told."""
    session = choosing.session
    contact, set_contact = ft.use_state("")
    told = choosing.told()

    async def tell() -> None:
        if await choosing.tell_coordinator(group, answer, contact):
            set_contact("")

    lines: list[ft.Control] = [
        ft.Text(_("Tell the coordinator"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
        ft.Text(_("If you like, your answer goes to your region's coordinator, sealed: only they can read it. Add "
                  "a contact if you want them to reach you."), key="course-lead-about"),
    ]
    if told is not None:
        day = format_day(date.fromisoformat(told.sent_on))
        lines.append(ft.Row([ft.Icon(ft.Icons.MARK_EMAIL_READ_OUTLINED, size=18),
                             ft.Text(_("You told the coordinator on {day}.").format(day=day), key="course-lead-told",
                                     expand=True)], spacing=8))
    lines += [
        ft.Row([ft.Container(field(session, _("Phone or e-mail (optional)"), contact, set_contact,
                                   key="course-lead-contact", password=False,
                                   helper=_("Without one, the coordinator knows only your answer.")), expand=True)]),
        ft.Row([ft.FilledTonalButton(_("Tell the coordinator") if told is None else _("Tell them again"),
                                     icon=ft.Icons.SEND, key="course-lead-tell", disabled=bool(session.busy),
                                     on_click=tell)], wrap=True),
        *busy_beside(session, "course-lead-tell"),
        *_problem(choosing, group, "lead-tell"),
    ]
    return ft.Column(lines, spacing=8, key="course-lead-coordinator")


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
    if not (choosing.can_tell() and choosing.told() is not None):  # once told, it was sent
        lines.append(ft.Text(_("Only you see this answer. It stays in your journal and is not sent."),
                             key="course-lead-private"))
    lead = choosing.lead()
    lines.append(ft.RadioGroup(value=lead or None, key="course-lead",
                               on_change=lambda e: choosing.would_lead(group, str(e.control.value or "")),
                               content=ft.Row([ft.Radio(value=a, label=_(ANSWERS[a]), key=f"course-lead-{a}")
                                               for a in LEAD_ANSWERS], wrap=True)))
    lines += _problem(choosing, group, "lead")
    if lead in ("yes", "maybe") and choosing.can_tell():
        lines.append(TellCoordinator(choosing, group, lead, key=f"course-tell-{group.id}"))  # type: ignore[call-arg]
    return ft.Column(lines, spacing=8)
