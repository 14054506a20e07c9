"""The parts of the group screen for a group linked through the relay: the leader's section (invite, homework,
members, head count), and the member's connection status and anonymous attendance choice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import cast

import flet as ft

from app.domain.prompts import PROMPTS
from app.i18n import _, current, format_when, ngettext
from app.services.group_layer.hosting import Request
from app.services.groups import Group
from app.services.leader import Invite, Member
from app.views.common import (
    busy_beside,
    field,
    icon_button,
    long_dropdown,
    section_title,
    selectable_text,
    text_input,
)
from app.views.states.hosting import HostingState
from app.views.widgets.invite import InviteCard


@ft.component
def LeaderSection(hosting: HostingState, group: Group) -> ft.Control:
    """The invite (QR, link, join code), the homework to send, who joined and who can't come."""
    invite, set_invite = ft.use_state(cast(Invite | None, None))
    code, set_code = ft.use_state("")
    choice, set_choice = ft.use_state("strengths")
    words, set_words = ft.use_state("")
    removing, set_removing = ft.use_state("")

    def show_invite() -> None:
        made = hosting.make_invite(group)
        if made is not None:
            set_invite(made)

    async def new_code() -> None:
        set_code(await hosting.make_join_code(group))

    async def send() -> None:
        await hosting.send_prompt(group, choice, words)

    def remover(member: Member) -> Callable[[object], Awaitable[None]]:
        async def remove(_e: object) -> None:
            set_removing("")
            await hosting.remove_member(group, member)

        return remove

    def letter_in(request: Request) -> Callable[[object], Awaitable[None]]:
        async def let_in(_e: object) -> None:
            await hosting.admit(group, request)

        return let_in

    controls: list[ft.Control] = [section_title(_("Invite"))]
    shown: Invite | None = invite
    if shown is None:
        controls.append(ft.FilledButton(_("Show the invite"), icon=ft.Icons.QR_CODE, key="show-invite",
                                        on_click=show_invite))
    else:
        controls.append(InviteCard(shown, key=f"invite-{shown.expires_on}"))  # type: ignore[call-arg]
    if hosting.relay_url() or code:
        controls.append(ft.OutlinedButton(_("Make a join code"), icon=ft.Icons.PIN_OUTLINED, key="make-code",
                                          disabled=bool(hosting.session.busy), on_click=new_code))
        controls += busy_beside(hosting.session, "make-code")
    if code:
        controls.append(ft.Text(code, theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM, key="join-code"))
    controls += [
        section_title(_("Send the homework")),
        long_dropdown(label=_("The homework for the next meeting"), key="lead-homework-choice", value=choice,
                      error=hosting.session.field_error("lead-homework-choice") or None,
                      on_change=lambda e: set_choice(e.control.value),
                      choices=[*[(p.id, p.label(current())) for p in PROMPTS],
                               ("own", _("In my own words…"))]),
    ]
    if choice == "own":
        controls.append(field(hosting.session, _("The homework"), words, set_words, key="lead-homework-own",
                              password=False))
    controls.append(ft.FilledButton(_("Send to the group"), icon=ft.Icons.SEND, key="send-homework",
                                    on_click=send))
    asking = hosting.requests(group)
    if asking:
        controls.append(section_title(_("Asks to join")))
    for request in asking:
        name = request.name or _("Someone without a name")
        code = f"{request.check_code[:3]} {request.check_code[3:]}"
        lines: list[ft.Control] = [
            ft.Text(name, weight=ft.FontWeight.BOLD),
            ft.Text(_("Check code {code}: let them in only if their phone shows the same.").format(code=code),
                    key=f"check-code-{request.id}"),
        ]
        if request.needed:
            lines.append(ft.Text(_("{yes} of the {needed} yes votes needed so far.").format(
                yes=request.yes, needed=request.needed)))
        lines.append(ft.FilledButton(_("Let in"), icon=ft.Icons.HOW_TO_REG_OUTLINED, key=f"let-in-{request.id}",
                                     disabled=request.yes < request.needed,
                                     on_click=letter_in(request)))
        controls.append(ft.Column(lines, spacing=6, key=f"request-{request.id}"))
    controls.append(section_title(_("Members")))
    controls += cant_come_lines(hosting, group)
    members = hosting.members(group)
    if not members:
        controls.append(ft.Text(_("Nobody has joined yet.")))
    for member in members:
        name = member.name or _("A member without a name")
        if removing == member.id:
            controls += [ft.Text(_("Remove {name}? The group gets new keys; {name} can read nothing sent after "
                                   "this.").format(name=name)),
                         ft.Row([ft.FilledButton(_("Remove"), key=f"remove-member-confirm-{member.id}",
                                                 on_click=remover(member)),
                                 ft.TextButton(_("Keep"), key="remove-member-keep",
                                               on_click=lambda: set_removing(""))])]
        else:
            controls.append(ft.ListTile(title=ft.Text(name), leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                                        key=f"member-{member.id}",
                                        trailing=icon_button(ft.Icons.PERSON_REMOVE_OUTLINED,
                                                             _("Remove {name}").format(name=name),
                                                             key=f"remove-member-{member.id}",
                                                             on_click=lambda _e, m=member: set_removing(m.id))))
    controls.append(HeadCount(hosting, group, key=f"head-count-{group.id}"))  # type: ignore[call-arg]
    return ft.Column(controls, spacing=12)


def cant_come_lines(hosting: HostingState, group: Group) -> list[ft.Control]:
    """Who said they can't come, per coming meeting, the next one first: what the leader plans the meeting
    by, so it stands right under "Members" (below the list and the head count it was missed)."""
    absent = hosting.cant_come(group)
    now = datetime.now(UTC)
    lines: list[ft.Control] = []
    for meeting in (m for m in group.schedule.meetings() if m.end > now and not m.cancelled):
        if names := absent.get(meeting.id):
            lines.append(ft.Text(_("Can't come on {when}: {names}").format(
                when=format_when(meeting.start, own_zone=True), names=", ".join(n or _("a member") for n in names)),
                key=f"absent-{meeting.id}"))
    return lines


def waiting_to_be_let_in(hosting: HostingState, group: Group) -> list[ft.Control]:
    """First on the group screen while a host has not let this person in: the check code, large, to compare."""
    code = hosting.check_code(group)
    if not code:
        return []
    return [ft.Card(ft.Container(ft.Column([
        ft.Text(_("A host lets you in. Compare this check code with theirs when you meet: {code}").format(
            code=f"{code[:3]} {code[3:]}"), key="check-code"),
        ft.Semantics(label=_("Check code {code}").format(code=" ".join(code)),
                     content=ft.Text(f"{code[:3]} {code[3:]}", theme_style=ft.TextThemeStyle.DISPLAY_SMALL)),
    ], spacing=8), padding=16))]


def link_status(hosting: HostingState, group: Group) -> list[ft.Control]:
    """For a group linked to a leader: whether anything is not sent yet, and a way to check for news."""
    if not hosting.is_linked(group):
        return []
    unsent = hosting.delivery.unsent(group.id)
    lines: list[ft.Control] = [section_title(_("Connected to the group"))]

    if hosting.sync_problem:
        lines.append(ft.Text(hosting.sync_problem, key="sync-problem"))
    if unsent:
        lines.append(ft.Text(ngettext("{n} message will be sent when you are online.",
                                      "{n} messages will be sent when you are online.", unsent)
                             .format(n=unsent), key="sync-waiting"))
    if refused := hosting.not_delivered(group):
        lines.append(ft.Text(ngettext("{n} message was not delivered: the relay refused it.",
                                      "{n} messages were not delivered: the relay refused them.", refused)
                             .format(n=refused), color=ft.Colors.ERROR, key="sync-refused"))
    lines.append(ft.OutlinedButton(_("Check for news"), icon=ft.Icons.SYNC, key="sync-now",
                                   disabled=bool(hosting.session.busy), on_click=hosting.delivery.sync_now))
    lines += busy_beside(hosting.session, "sync-now")
    if hosting.can_report_attendance(group):
        lines.append(AttendanceChoice(hosting, group, key=f"attendance-{group.id}"))  # type: ignore[call-arg]
    return lines


@ft.component
def AttendanceChoice(hosting: HostingState, group: Group) -> ft.Control:
    """Off by default. What the coordinator can and cannot learn, and the exact payload, before turning it on."""
    showing, set_showing = ft.use_state(False)
    on = hosting.attendance_on(group)
    controls: list[ft.Control] = [
        section_title(_("Count me for the coordinator")),
        ft.Text(_("If you turn this on, each time you say “I was there” Kraft sends one code for that meeting. "
                  "The region's coordinator then sees how many came to each meeting. They cannot see who you "
                  "are, your name, your other meetings or anything you write: the code for each meeting looks "
                  "unrelated to your codes for other meetings, and it is sent a few hours later, not at once.")),
        ft.Switch(label=_("Count my check-ins, anonymously"), value=on, key="attendance-switch",
                  on_change=lambda e: hosting.set_attendance(group, bool(e.control.value))),
        ft.TextButton(_("Hide what is sent") if showing else _("Show exactly what is sent"),
                      key="attendance-preview-toggle", on_click=lambda: set_showing(not showing)),
    ]
    if showing:
        controls.append(ft.Container(selectable_text(hosting.attendance_preview(group), font_family="monospace",
                                                     size=12, key="attendance-preview"),
                                     padding=8, border_radius=6, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST))
    return ft.Column(controls, spacing=8)


@ft.component
def HeadCount(hosting: HostingState, group: Group) -> ft.Control:
    """The leader's head count for the latest meeting that has begun (people without the app count too)."""
    count, set_count = ft.use_state("")
    begun = [m for m in group.schedule.meetings() if not m.cancelled and m.start <= datetime.now(UTC)]
    if not begun or not hosting.relay_url():
        return ft.Container()
    meeting = begun[-1]
    label = _("How many were there on {when}?").format(when=format_when(meeting.start, own_zone=True))
    return ft.Column([section_title(_("Head count")),
                      ft.Row([text_input(label, count, lambda e: set_count(e.control.value), key="head-count",
                                         width=360),
                              ft.OutlinedButton(_("Send"), key="send-head-count",
                                                on_click=lambda: hosting.send_head_count(group, meeting.id, count))],
                             wrap=True)], spacing=8)
