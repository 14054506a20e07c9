"""Groups linked through the relay: joining from an invite, leading a group (invites, join codes, homework,
members, head counts), keeping in step with the relay, and the member's anonymous attendance choice
(docs/adr/0007-app-layout.md). Network and Argon2id work runs in a worker thread (`SessionState.run`)."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flet as ft

from app.errors import KraftError, Msg
from app.i18n import _
from app.services.context import AppContext
from app.services.group_layer.hosting import Request
from app.services.groups import Group
from app.services.joining import InvitePreview
from app.services.leader import Invite, Member
from app.services.linking import invite_from_route
from app.views.routes import Route, Router, UnknownRoute
from app.views.states.delivery import Delivery
from app.views.states.forms import homework_fields, schedule_from_form
from app.views.states.groups import GroupsState
from app.views.states.session import SessionState

log = logging.getLogger(__name__)
# an invite or code that does not work is said at the field it was pasted in
INVITE_FIELDS = {m: "invite-text" for m in (Msg.INVITE_DAMAGED, Msg.INVITE_FORGED, Msg.INVITE_EXPIRED, Msg.INVITE_NEWER,
                                            Msg.INVITE_OUTDATED, Msg.JOIN_CODE_INVALID, Msg.JOIN_CODE_UNKNOWN,
                                            Msg.JOIN_CODE_NEEDS_RELAY, Msg.ALREADY_IN_GROUP)}
# where a refused field of "Start a group as its leader" is said
LEAD_FIELDS = {Msg.GROUP_LABEL_INVALID: "lead-label", Msg.NAME_TOO_LONG: "lead-label",
               Msg.RELAY_ENROLMENT_MISSING: "lead-enrolment"}
CODE_SHAPE = re.compile(r"^[\s-]*([0-9A-Za-z][\s-]*){10}$")  # a join code as typed, else it is a link


@ft.observable
@dataclass
class HostingState:
    """Joining, leading and syncing. Changes that arrive change the groups, so it tells `groups`."""

    session: SessionState
    groups: GroupsState
    invite_preview: InvitePreview | None = None  # an invite checked and shown before joining
    invite_text: str = ""  # an invite link the app was opened with, to fill in on the join screen
    sync_problem: str = ""  # why the last sync with the relay did not get through (shown on the group screen)

    def __post_init__(self) -> None:
        self.delivery = Delivery(self)  # sends after every action, and keeps in step (docs/adr/0008-delivery.md)

    @property
    def router(self) -> Router:
        """The router, for the join and lead screens' moves."""
        return self.session.router

    @property
    def ctx(self) -> AppContext:
        """The session's context, where every relay service comes from."""
        return self.session.ctx

    def relay_url(self) -> str:
        """The region's relay from the profile (empty: join codes are not offered)."""
        return self.session.profile.relay.url

    def is_leader(self, group: Group) -> bool:
        """True when this device leads the group: a version 1 leader, or a host of a version 2 group."""
        return self.ctx.leader.is_leader(group.id)

    def requests(self, group: Group) -> list[Request]:
        """Who asks to join the host's group, with the check code to compare (version 2)."""
        return self.ctx.leader.requests(group.id) if self.ctx.leader.is_v2(group.id) else []

    async def admit(self, group: Group, request: Request) -> None:
        """Let someone in, after comparing the check code; they get the group's key with the welcome."""
        try:
            self.ctx.leader.admit(group.id, request.id, now=datetime.now(UTC))
        except KraftError as exc:
            self.session.error = str(exc)
            return
        self.groups.changed()
        await self.delivery.deliver(group, _("{name} is let in. Their app gets the group's key the next time it "
                                             "connects.").format(name=request.name or _("The new member")))

    def check_code(self, group: Group) -> str:
        """While a host has not let this member in yet: the code to compare with them ("" otherwise)."""
        return self.ctx.joining.check_code(group.id) if self.ctx.joining.waiting_to_be_let_in(group.id) else ""

    def is_linked(self, group: Group) -> bool:
        """True when the group is linked to a leader through the relay."""
        return self.ctx.links.get(group.id) is not None

    def not_delivered(self, group: Group) -> int:
        """How many of the group's messages the relay refused: they stay in the outbox, not delivered."""
        return sum(1 for item in self.ctx.links.waiting(group.id) if item.refused)

    # ---- anonymous attendance (issue 5) ----

    def can_report_attendance(self, group: Group) -> bool:
        """A member's group joined through a relay, with the journal open (or none); not a host (head counts)."""
        return self.ctx.attendance.can_report(group.id) and self.session.can_check_in() and not self.is_leader(group)

    def attendance_on(self, group: Group) -> bool:
        """True when the member counts their check-ins for this group, anonymously."""
        return self.ctx.attendance.opted_in(group.id)

    def attendance_preview(self, group: Group) -> str:
        """The exact JSON an upload for the latest meeting that has begun (else the first) would carry."""
        now = datetime.now(UTC)
        meetings = [m for m in group.schedule.meetings() if not m.cancelled]
        begun = [m for m in meetings if m.start <= now]
        meeting = (begun or meetings)[-1 if begun else 0]
        return json.dumps(self.ctx.attendance.payload(group.id, [meeting.id]), indent=2)

    def send_head_count(self, group: Group, meeting_id: str, count: str) -> None:
        """The leader's head count for a meeting, sent to the coordinator; a bad number is an error."""
        try:
            number = int(count.strip())
        except ValueError:
            number = -1
        try:
            self.ctx.leader.send_head_count(group.id, meeting_id, number, now=datetime.now(UTC))
        except KraftError as exc:
            self.session.error = str(exc)
            return
        self.delivery.deliver_soon(group.id, _("The head count goes to the coordinator."))

    def set_attendance(self, group: Group, on: bool) -> None:
        """Turn the anonymous attendance count for this group on or off."""
        try:
            self.ctx.attendance.set_opt_in(group.id, on)
        except KraftError as exc:
            self.session.error = str(exc)
            return
        self.session.notice = (_("Your check-ins for this group will be counted, anonymously.") if on
                               else _("Nothing more is sent about your attendance."))

    # ---- joining ----

    def open_route(self, route: str) -> None:
        """The app opened from an invite link (`/join#TOKEN`, `/join?invite=TOKEN`, `kraft://join#TOKEN`): the
        join screen with the invite filled in; the member still checks it and reads the guidelines first. No
        other path opens a screen from outside (a link never leads into the journal)."""
        parts = urlsplit(route or "")
        try:
            target: Route | None = Route.parse(route)[0]
        except UnknownRoute:  # the web app served under a prefix: /kraft/join#TOKEN
            target = Route.JOIN if parts.path.rstrip("/").endswith("/join") else None
        if target is not Route.JOIN:
            return
        token = parts.fragment or (parse_qs(parts.query).get("invite") or [""])[0]
        if token:
            origin = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')[:-len('/join')]}" if parts.netloc else ""
            self.invite_text = invite_from_route(token, origin=origin, relay=self.relay_url())
            self.open_join()

    def open_join(self) -> None:
        """The join screen, with no invite checked yet."""
        self.router.navigate(Route.JOIN)
        self.invite_preview = None

    def close_join(self) -> None:
        """Leave the join screen; a checked invite is forgotten."""
        self.router.back(Route.SETTINGS if self.session.unlocked else self.session.home_screen())
        self.invite_preview = None

    async def read_invite(self, text: str) -> None:
        """Check an invite link or look up a join code, and show what the group is before joining."""
        text = text.strip()
        self.invite_preview = None
        today = datetime.now(UTC).date()
        join = self.ctx.joining
        if CODE_SHAPE.match(text):
            preview = await self.session.run(_("Looking up the code…"), lambda: join.read_code(
                text, self.relay_url(), today=today), at="check-invite", fields=INVITE_FIELDS)
        else:
            preview = await self.session.run(_("Checking the invite…"), lambda: join.read(text, today=today),
                                             at="check-invite", fields=INVITE_FIELDS)
        self.invite_preview = preview

    async def join_group(self, name: str) -> None:
        """Join the group of the checked invite, then show it and sync once."""
        preview = self.invite_preview
        if preview is None:
            return
        join = self.ctx.joining
        group = await self.session.run(_("Joining…"), lambda: join.join(preview, name=name, now=datetime.now(UTC)),
                                       at="join-group", fields={Msg.NAME_TOO_LONG: "join-name"})
        if group is None:
            return
        self.invite_preview = None
        self.groups.changed()
        self.groups.sync_notifications()
        self.router.navigate(Route.GROUP, id=group.id)
        code = self.check_code(group) if preview.relay else ""
        await self.delivery.deliver(group, _("You asked to join {label}. A host lets you in: compare the check code "
                                             "{code} with them when you meet.").format(
            label=group.label, code=f"{code[:3]} {code[3:]}") if code
            else _("You joined {label}. Welcome!").format(label=group.label),
            progress=_("Telling the group…"))

    # ---- leading ----

    def lead_group(self, *, label: str, schedule_form: dict[str, Any], theme: str, guidelines: str,
                   enrolment: str) -> None:
        """Start a group as its leader from the form; bad input is a clear error and nothing is stored."""
        schedule = schedule_from_form(self.session, **schedule_form, prefix="lead", label=label)
        if schedule is None:
            return
        try:
            group = self.ctx.leader.create_group(label, schedule, theme=theme, guidelines=guidelines,
                                                 relay=self.relay_url(), enrolment=enrolment, now=datetime.now(UTC))
        except KraftError as exc:
            self.session.fail({LEAD_FIELDS.get(exc.msg, ""): str(exc)})
            return
        self.groups.changed()
        self.groups.sync_notifications()
        self.router.navigate(Route.GROUP, id=group.id)
        note = _("Your group is ready. Show the invite at the first meeting.")
        if self.is_linked(group):
            self.delivery.deliver_soon(group.id, note)
        else:
            self.session.notice = note

    def make_invite(self, group: Group) -> Invite | None:
        """The group's invite (its short link and QR code), or None with the error shown. The relay is to keep
        the sealed invite behind the short link: it is sent at once."""
        try:
            made = self.ctx.leader.shareable_invite(group.id, now=datetime.now(UTC))
        except KraftError as exc:
            self.session.error = str(exc)
            return None
        if made.short:
            self.delivery.deliver_soon(group.id)
        return made

    async def make_join_code(self, group: Group) -> str:
        """A short join code for the group, registered with the relay; empty on failure."""
        leader = self.ctx.leader
        code = await self.session.run(_("Making a join code…"), lambda: leader.join_code(
            group.id, now=datetime.now(UTC)), at="make-code")
        if code is None:
            return ""
        await self.delivery.deliver(group, progress=_("Making a join code…"), at="make-code")  # the relay keeps it
        return str(code.code)

    async def send_prompt(self, group: Group, choice: str, text: str) -> None:
        """Send the homework to the group (a library prompt, or the leader's own words)."""
        own = choice == "own"
        try:
            self.ctx.leader.send_prompt(group.id, prompt_id=None if own else choice, text=text if own else None,
                                        now=datetime.now(UTC))
        except KraftError as exc:
            self.session.fail({homework_fields("lead-homework", choice).get(exc.msg, ""): str(exc)})
            return
        self.session.clear_errors()
        await self.delivery.deliver(group, _("The homework goes to the group."))

    def members(self, group: Group) -> list[Member]:
        """Who joined the leader's group."""
        return self.ctx.leader.members(group.id)

    def cant_come(self, group: Group) -> dict[str, list[str]]:
        """Per meeting id, the names of the members who said they can't come."""
        return self.ctx.leader.cant_come(group.id)

    async def remove_member(self, group: Group, member: Member) -> None:
        """Remove a member: the group gets new keys, so they read nothing sent from now on."""
        try:
            self.ctx.leader.remove_member(group.id, member.id, now=datetime.now(UTC))
        except KraftError as exc:
            self.session.error = str(exc)
            return
        self.groups.changed()
        await self.delivery.deliver(group, _("New keys go to the group: {name} cannot read what is sent from now "
                                             "on.").format(name=member.name or _("the member")))
