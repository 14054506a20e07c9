"""The group screen's parts for roles in a version 2 group (issue 15): a host's controls (who hosts, the
policy, stepping back) and every member's (answering "Let X join?", "contact the starter", leaving). A
refused action shows its reason right under the control that was used."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from app.i18n import _
from app.services.group_layer.hosting import Person
from app.services.group_layer.taking_part import Poll
from app.services.groups import Group
from app.views.common import section_title, text_input
from app.views.states.membership import MembershipState


def problem_line(membership: MembershipState, group: Group, control: str) -> list[ft.Control]:
    """The reason the last use of `control` was refused, in the error colour, where the person looks."""
    said = membership.problem(group, control)
    if not said:
        return []
    return [ft.Text(said, color=ft.Colors.ERROR, key=f"{control}-problem")]


def _person_name(person: Person) -> str:
    name = person.name or _("A member without a name")
    return _("{name} (you)").format(name=name) if person.me else name


def _roles(person: Person) -> str:
    roles = ([_("Starter")] if person.starter else []) + ([_("Host")] if person.host else [])
    return ", ".join(roles) if roles else _("Member")


@ft.component
def HostControls(membership: MembershipState, group: Group) -> ft.Control:
    """For a host: the policy (who hosts, open or closed), naming or taking back hosts, and stepping back."""
    stepping, set_stepping = ft.use_state(False)
    every = membership.every_member_hosts(group)
    people = membership.people(group)

    def hoster(person: Person, revoke: bool) -> Callable[[object], Awaitable[None]]:
        async def change(_e: object) -> None:
            await membership.name_host(group, person, revoke=revoke)

        return change

    async def every_changed(e: ft.Event[ft.Switch]) -> None:
        await membership.set_every_member_hosts(group, bool(e.control.value))

    async def closed_changed(e: ft.Event[ft.Switch]) -> None:
        await membership.set_closed(group, bool(e.control.value))

    async def step_back() -> None:
        set_stepping(False)
        await membership.step_back(group)

    controls: list[ft.Control] = [
        section_title(_("Hosts and the group's rules")),
        ft.Switch(label=_("Every member may host"), value=every, key="policy-every-member",
                  on_change=every_changed),
        ft.Switch(label=_("Closed group"), value=membership.closed(group), key="policy-closed",
                  on_change=closed_changed),  # a short label: a long one is cut at phone width, not wrapped
        ft.Text(_("Closed: a newcomer comes in when the members agree.") if membership.closed(group) else
                _("Open: a host lets a newcomer in."), theme_style=ft.TextThemeStyle.BODY_SMALL, key="admission"),
        *problem_line(membership, group, "policy"),
    ]
    if every:
        controls.append(ft.Text(_("Every member can let people in, move meetings and send homework.")))
        return ft.Column(controls, spacing=8)
    controls.append(ft.Text(_("Hosts let people in, move meetings and send homework.")))
    for person in people:
        lines: list[ft.Control] = [ft.Text(_person_name(person), weight=ft.FontWeight.BOLD),
                                   ft.Text(_roles(person), theme_style=ft.TextThemeStyle.BODY_SMALL)]
        if not person.me and person.host:
            lines.append(ft.TextButton(_("No longer a host"), key=f"unhost-{person.id}",
                                       on_click=hoster(person, True)))
        elif not person.me:
            lines.append(ft.OutlinedButton(_("Make host"), icon=ft.Icons.ADD_MODERATOR_OUTLINED,
                                           key=f"make-host-{person.id}", on_click=hoster(person, False)))
        lines += problem_line(membership, group, f"host-{person.id}")
        controls.append(ft.Column(lines, spacing=4, key=f"role-{person.id}"))
    controls.append(section_title(_("Step back")))
    if stepping:
        controls += [
            ft.Text(_("Step back as host? You stay in the group, but you can no longer let people in or send "
                      "homework. Another host can name you again."), key="step-back-question"),
            ft.Row([ft.FilledButton(_("Step back"), key="step-back-confirm", on_click=step_back),
                    ft.TextButton(_("Keep hosting"), key="step-back-keep", on_click=lambda: set_stepping(False))],
                   wrap=True),
        ]
    else:
        controls += [
            ft.Text(_("When the group runs on its own, the starter can step back: the other hosts go on.")
                    if any(m.me and m.starter for m in people) else
                    _("You can step back as host: the other hosts go on, and you stay in the group.")),
            ft.OutlinedButton(_("Step back as host"), icon=ft.Icons.LOGOUT, key="step-back",
                              on_click=lambda: set_stepping(True)),
        ]
    controls += problem_line(membership, group, "step-back")
    return ft.Column(controls, spacing=8)


@ft.component
def TakingPart(membership: MembershipState, group: Group) -> ft.Control:
    """For everyone in the group: newcomers to answer about, a message to the starter, and leaving."""
    words, set_words = ft.use_state("")
    leaving, set_leaving = ft.use_state(False)

    async def leave() -> None:
        set_leaving(False)
        await membership.leave(group)

    dialog = ft.AlertDialog(
        modal=True, key="leave-dialog", title=ft.Text(_("Leave {label}?").format(label=group.label)),
        content=ft.Text(_("The others are told that you left. Nothing sent to the group after this reaches "
                          "you. Your journal stays as it is.")),
        actions=[ft.TextButton(_("Stay"), key="leave-stay", on_click=lambda: set_leaving(False)),
                 ft.FilledButton(_("I'm leaving"), key="leave-confirm", on_click=leave)],
        on_dismiss=lambda: set_leaving(False))
    ft.use_dialog(dialog if leaving else None)  # a hook: called on every render, before any early return

    if membership.has_left(group):
        return ft.Column([section_title(_("You are no longer in this group")),  # left, or a host removed them
                          ft.Text(_("Nothing new from the group reaches you. “Remove this group” takes it off this "
                                    "device."), key="left-group")], spacing=8)
    controls: list[ft.Control] = []
    polls = membership.polls(group)
    if polls:
        controls.append(section_title(_("Newcomers")))
    for poll in polls:
        controls.append(_poll(membership, group, poll))
    starter = membership.starter(group)

    async def send() -> None:
        if await membership.contact_starter(group, words):
            set_words("")

    if starter is not None and starter.me:
        written = membership.contacts(group)
        if written:
            controls.append(section_title(_("Written to you as the starter")))
        controls += [ft.Text(f"{name or _('A member without a name')}: {text}", key=f"contact-{i}")
                     for i, (name, text) in enumerate(written)]
    elif starter is not None:
        controls += [
            section_title(_("Contact the starter")),
            ft.Text(_("Only the starter can read this, also after they stepped back.")),
            text_input(_("Your message to the starter"), words, lambda e: set_words(e.control.value),
                       key="contact-text", multiline=True, min_lines=2, max_length=2000),
            ft.FilledButton(_("Send to the starter"), icon=ft.Icons.SEND, key="contact-send", on_click=send),
            *problem_line(membership, group, "contact"),
        ]

    controls += [
        section_title(_("Leave the group")),
        ft.OutlinedButton(_("I'm leaving the group"), icon=ft.Icons.EXIT_TO_APP, key="leave-group",
                          on_click=lambda: set_leaving(True)),
        *problem_line(membership, group, "leave"),
    ]
    return ft.Column(controls, spacing=8)


def _poll(membership: MembershipState, group: Group, poll: Poll) -> ft.Control:
    name = poll.name or _("Someone without a name")

    async def answer_yes() -> None:
        await membership.vote(group, poll, yes=True)

    async def answer_no() -> None:
        await membership.vote(group, poll, yes=False)

    lines: list[ft.Control] = [ft.Text(_("May {name} join the group?").format(name=name),
                                       weight=ft.FontWeight.BOLD)]
    if poll.voted:
        lines.append(ft.Text(_("You answered."), key=f"voted-{poll.request}"))
    else:
        lines.append(ft.Row([ft.FilledButton(_("Yes"), key=f"vote-yes-{poll.request}", on_click=answer_yes),
                             ft.OutlinedButton(_("No"), key=f"vote-no-{poll.request}", on_click=answer_no)],
                            wrap=True))
    lines += problem_line(membership, group, f"vote-{poll.request}")
    return ft.Column(lines, spacing=6, key=f"poll-{poll.request}")


@ft.component
def UpgradeGroup(membership: MembershipState, group: Group) -> ft.Control:
    """For the leader of a version 1 group: move it to version 2, so that it can go on without its leader."""
    code, set_code = ft.use_state("")

    async def upgrade() -> None:
        if await membership.upgrade(group, code):
            set_code("")

    return ft.Column([
        section_title(_("A group that goes on without you")),
        ft.Text(_("The new group version lets the group run itself: hosts from the group, and each member with "
                  "keys of their own. Members keep their places; their apps come over the next time they "
                  "connect. The group gets a new mailbox on the relay: ask your coordinator for an enrolment "
                  "code.")),
        text_input(_("Enrolment code"), code, lambda e: set_code(e.control.value),
                   key="upgrade-code"),
        ft.FilledButton(_("Move the group to the new version"), icon=ft.Icons.UPGRADE, key="upgrade",
                        on_click=upgrade),
        *problem_line(membership, group, "upgrade"),
    ], spacing=8)
