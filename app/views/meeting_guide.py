"""Today's meeting (issue 18): the guidelines, the round with a calm timer, the theme, reflection, closing.
For whoever hosts, on one phone, offline. No sound unless chosen; nothing here is sent anywhere."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.domain.meeting import PARTS
from app.i18n import N_, _, format_when
from app.views.common import frame, section_title, tick
from app.views.routes import Route
from app.views.states.meeting import MeetingState
from app.views.states.session import SessionState
from app.views.widgets.schedule import GUIDELINES

TITLES = {"opening": N_("The guidelines"), "round": N_("The round"), "theme": N_("The theme"),
          "reflection": N_("Reflection"), "closing": N_("Closing")}
HINTS = {
    "opening": N_("Read the guidelines aloud together before the round."),
    "round": N_("Each person tells how things stand, in turn and undisturbed. Anyone may pass."),
    "theme": N_("The theme of the meeting, introduced by the host, the group or a member."),
    "reflection": N_("What did you take with you today? Each person who wants to says a few words."),
    "closing": N_("Thank the group. Say when and where you meet next."),
}


def minutes(seconds: int) -> str:
    m, s = divmod(int(seconds), 60)
    return _("{m} min {s} s").format(m=m, s=s) if s else _("{m} min").format(m=m)


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _steps(state: MeetingState) -> ft.Control:
    """The parts as a row of chips: where we are, and a tap goes to any part."""
    chips: list[ft.Control] = []
    for index, (name, part) in enumerate(zip(PARTS, state.plan.parts, strict=True)):
        chips.append(ft.Chip(label=ft.Text(f"{_(TITLES[name])} · {minutes(part.seconds)}"),
                             selected=index == state.part, key=f"part-{name}",
                             on_click=lambda _e, i=index: state.go_to(i)))
    return ft.Row(chips, wrap=True, spacing=6, run_spacing=6)


def _chime_switch(state: MeetingState) -> ft.Control:
    return tick(_("A soft sound when a share is over"), value=state.chime, key="round-chime",
                on_change=lambda e: state.set_chime(bool(e.control.value)))  # wraps at 360 px and 200 % text


def _round(state: MeetingState) -> list[ft.Control]:
    shown = state.round_state()
    share = state.plan.share_seconds
    out: list[ft.Control] = []
    if shown is None:
        out.append(ft.Row([ft.Text(_("People here today: {n}").format(n=state.size), key="round-size",
                                   expand=True),
                           ft.IconButton(ft.Icon(ft.Icons.REMOVE, semantics_label=_("One fewer")),
                                         tooltip=_("One fewer"), key="round-fewer",
                                         on_click=lambda: state.change_size(-1)),
                           ft.IconButton(ft.Icon(ft.Icons.ADD, semantics_label=_("One more")),
                                         tooltip=_("One more"), key="round-more",
                                         on_click=lambda: state.change_size(1))]))
        out.append(ft.Text(_("Each person: {share}").format(share=minutes(share)), key="round-share"))
        out.append(_chime_switch(state))
        out.append(ft.FilledButton(_("Start the round"), icon=ft.Icons.PLAY_ARROW, key="round-start",
                                   on_click=state.start))
        return out
    if shown.done:
        return [ft.Text(_("Everyone has had their turn in the round. Go on to the theme."), key="round-done"),
                ft.FilledTonalButton(_("Go on to the theme"), key="round-to-theme",
                                     on_click=lambda: state.go_to(PARTS.index("theme")))]
    used = 1 - shown.seconds_left / share if share else 1
    person = _("Person {n} of {m}").format(n=shown.person + 1, m=state.size)
    status = _("Time is up: finish your thought calmly.") if shown.over else (
        _("Paused") if not shown.running else _("Speaking, undisturbed"))
    ring = ft.Stack([ft.ProgressRing(value=min(1.0, used), width=160, height=160, stroke_width=10,
                                     bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,  # the whole turn, calmly
                                     semantics_label=f"{person}. {clock(shown.seconds_left)}. {status}",
                                     color=ft.Colors.SECONDARY if shown.over else ft.Colors.PRIMARY),
                     ft.Container(ft.Text(clock(shown.seconds_left), size=36, key="round-clock"),
                                  alignment=ft.Alignment.CENTER, width=160, height=160)], width=160, height=160)
    out += [ft.Text(person, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, key="round-person"),
            ft.Row([ring], alignment=ft.MainAxisAlignment.CENTER),
            ft.Text(status, key="round-status"),
            ft.Row([ft.FilledButton(_("Pause"), icon=ft.Icons.PAUSE, key="round-pause", on_click=state.pause)
                    if shown.running else
                    ft.FilledButton(_("Go on"), icon=ft.Icons.PLAY_ARROW, key="round-resume", on_click=state.start),
                    ft.FilledTonalButton(_("Next person"), icon=ft.Icons.SKIP_NEXT, key="round-next",
                                         on_click=lambda: state.next_person()),
                    ft.OutlinedButton(_("Pass"), key="round-pass",
                                      on_click=lambda: state.next_person(passed=True))],
                   wrap=True, spacing=8, run_spacing=8),
            _chime_switch(state)]
    return out


def _part_body(state: MeetingState, leave: Callable[[], None]) -> list[ft.Control]:
    guide = state.guide
    assert guide is not None
    name = state.part_name
    body: list[ft.Control] = [section_title(_(TITLES[name])), ft.Text(_(HINTS[name]))]
    if name == "opening":
        lines = [guide.guidelines] if guide.guidelines else [_(g) for g in GUIDELINES]
        body += [ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE), ft.Text(line, expand=True)]) for line in lines]
    elif name == "round":
        body += _round(state)
    elif name == "theme":
        if guide.theme:
            who = guide.introduced_by or _("the host or the group")
            body += [ft.Text(guide.theme, theme_style=ft.TextThemeStyle.TITLE_LARGE, key="guide-theme"),
                     ft.Text(_("Introduced by {who}").format(who=who), key="guide-introducer")]
        else:
            body.append(ft.Text(_("No theme is set for this meeting. The group can choose one now."),
                                key="guide-no-theme"))
    index = PARTS.index(name)
    nav: list[ft.Control] = []
    if index > 0:
        nav.append(ft.OutlinedButton(_("Previous part"), key="part-previous", on_click=lambda: state.go_to(index - 1)))
    if index + 1 < len(PARTS):
        nav.append(ft.FilledTonalButton(_("Next part: {part}").format(part=_(TITLES[PARTS[index + 1]])),
                                        key="part-next", on_click=lambda: state.go_to(index + 1)))
    else:  # the closing: the host is done, and back on the group's screen
        nav.append(ft.FilledTonalButton(_("The meeting is over"), icon=ft.Icons.CHECK, key="part-end",
                                        on_click=leave))
    body.append(ft.Row(nav, wrap=True, spacing=8, run_spacing=8))
    return body


@ft.component
def TodayMeeting(state: MeetingState, session: SessionState) -> ft.Control:
    group_id = session.router.param("group") or ""
    if state.group_id != group_id:
        state.open(group_id)

    def leave() -> None:
        state.stop()
        state.group_id = ""  # the next visit starts a fresh walk through
        session.router.back(Route.GROUP, id=group_id)

    if state.guide is None:
        return frame(session, _("Today's meeting"), [], nav=False, back=leave)
    guide = state.guide
    head = ft.Text(f"{guide.group_name} · {format_when(guide.meeting.start, own_zone=True)}",
                   theme_style=ft.TextThemeStyle.BODY_MEDIUM, key="guide-when")
    body: list[ft.Control] = [head, _steps(state), ft.Card(ft.Container(ft.Column(_part_body(state, leave), spacing=10),
                                                                        padding=16), key="guide-part")]
    return frame(session, _("Today's meeting"), body, nav=False, back=leave)
