"""The UI's intents for groups linked through the relay (issue 4): joining, leading, and keeping in step.

A mixin of `AppState` (app/views/state.py), kept apart so each file stays readable. Network and Argon2id work
runs in a worker thread (`_run`), so the UI keeps answering while a join code is stretched or the relay is slow.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from app.errors import KraftError
from app.i18n import _, ngettext
from app.services.attendance import AttendanceService
from app.services.coordinator_view import CoordinatorView, Overview
from app.services.joining import InvitePreview, JoinService
from app.services.leader import Invite, LeaderService, Member
from app.services.links import LEADER, LinkStore
from app.services.relay_sync import SyncReport, SyncService
from app.views.routes import Route, UnknownRoute

if TYPE_CHECKING:
    from app.config import Profile
    from app.services.groups import Group, GroupService
    from app.services.vault_service import VaultService

log = logging.getLogger(__name__)
CODE_SHAPE = re.compile(r"^[\s-]*([0-9A-Za-z][\s-]*){10}$")  # a join code as typed, else it is a link


class RelayIntents:
    if TYPE_CHECKING:
        service: VaultService
        profile: Profile
        error: str
        notice: str
        group_id: str | None
        invite_preview: InvitePreview | None
        invite_text: str
        sync_problem: str
        coordinator: CoordinatorView | None
        coordinator_overview: Overview | None

        def home_screen(self) -> Route: ...

        @property
        def unlocked(self) -> bool: ...
        @property
        def groups(self) -> GroupService: ...
        def go(self, screen: Route, **changes: Any) -> None: ...
        def changed(self) -> None: ...
        def sync_notifications(self) -> None: ...
        async def _run(self, label: str, work: Any, *args: Any) -> Any: ...

    @property
    def _vault(self) -> Any:
        return self.service.vault if self.service.has_vault() else None

    @property
    def leader_service(self) -> LeaderService:
        return LeaderService(self.service.engine, self._vault)

    @property
    def join_service(self) -> JoinService:
        return JoinService(self.service.engine, self._vault)

    def relay_url(self) -> str:
        return self.profile.relay.url

    def is_leader(self, group: Group) -> bool:
        link = LinkStore(self.service.engine, self._vault).get(group.id)
        return link is not None and link.role == LEADER

    def is_linked(self, group: Group) -> bool:
        return LinkStore(self.service.engine, self._vault).get(group.id) is not None

    # ---- keeping in step ----

    def _sync(self) -> SyncReport:
        return SyncService(self.service.engine, self._vault).run(now=datetime.now(UTC))

    def has_relay_links(self) -> bool:
        return any(link.relay for link in LinkStore(self.service.engine, self._vault).all())

    async def sync_quietly(self) -> None:
        """On start, on resume and periodically: never an error on screen (the member did not ask), but a
        line on the group screen says when something waits, and a change is shown at once."""
        if not self.has_relay_links():
            return
        try:
            import asyncio

            report = await asyncio.to_thread(self._sync)
        except KraftError as exc:
            self.sync_problem = str(exc)
            return
        except Exception:
            log.exception("background sync failed")
            return
        self._after_sync(report)

    async def sync_now(self) -> None:
        report = await self._run(_("Checking for news from the group…"), self._sync)
        if report is not None:
            self._after_sync(report)
            if not report.problems:
                self.notice = _("Up to date.") if not report.applied else self.notice

    def _after_sync(self, report: SyncReport) -> None:
        self.sync_problem = report.problems[0] if report.problems else ""
        if report.applied:
            self.notice = ngettext("{n} update from your group arrived.", "{n} updates from your group arrived.",
                                   report.applied).format(n=report.applied)
            self.changed()
            self.sync_notifications()

    def waiting_to_send(self, group: Group) -> int:
        return len(LinkStore(self.service.engine, self._vault).waiting(group.id))

    # ---- anonymous attendance (issue 5) ----

    @property
    def attendance_service(self) -> AttendanceService:
        return AttendanceService(self.service.engine, self._vault)

    def can_report_attendance(self, group: Group) -> bool:
        """A member's group joined through a relay, with the journal open (or no journal at all)."""
        return self.attendance_service.can_report(group.id) and (self.unlocked or not self.service.has_vault())

    def attendance_on(self, group: Group) -> bool:
        return self.attendance_service.opted_in(group.id)

    def attendance_preview(self, group: Group) -> str:
        """The exact JSON an upload for the latest meeting that has begun (else the first) would carry."""
        now = datetime.now(UTC)
        meetings = [m for m in group.schedule.meetings() if not m.cancelled]
        begun = [m for m in meetings if m.start <= now]
        meeting = (begun or meetings)[-1 if begun else 0]
        return json.dumps(self.attendance_service.payload(group.id, [meeting.id]), indent=2)

    def send_head_count(self, group: Group, meeting_id: str, count: str) -> None:
        try:
            number = int(count.strip())
        except ValueError:
            number = -1
        try:
            self.leader_service.send_head_count(group.id, meeting_id, number, now=datetime.now(UTC))
        except KraftError as exc:
            self.error = str(exc)
            return
        self.notice = _("The head count is on its way to the coordinator.")

    def set_attendance(self, group: Group, on: bool) -> None:
        try:
            self.attendance_service.set_opt_in(group.id, on)
        except KraftError as exc:
            self.error = str(exc)
            return
        self.notice = (_("Your check-ins for this group will be counted, anonymously.") if on
                       else _("Nothing more is sent about your attendance."))

    # ---- the coordinator's view (credentials in memory only) ----

    async def open_coordinator(self, relay: str, token: str) -> None:
        try:
            view = CoordinatorView(relay, token)
        except KraftError as exc:
            self.error = str(exc)
            return
        overview = await self._run(_("Fetching the counts…"), lambda: view.overview(today=datetime.now(UTC).date()))
        if overview is not None:
            self.coordinator = view
            self.coordinator_overview = overview

    async def coordinator_csv(self, year: int) -> str | None:
        view = self.coordinator
        if view is None:
            return None
        text: str | None = await self._run(_("Preparing the export…"), lambda: view.export_csv(year))
        return text

    def close_coordinator(self) -> None:
        self.coordinator = None
        self.coordinator_overview = None
        self.go(self.home_screen())

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
            self.invite_text = token.strip()
            self.go(Route.JOIN, invite_preview=None)

    async def read_invite(self, text: str) -> None:
        text = text.strip()
        self.invite_preview = None
        today = datetime.now(UTC).date()
        if CODE_SHAPE.match(text):
            preview = await self._run(_("Looking up the code…"), lambda: self.join_service.read_code(
                text, self.relay_url(), today=today))
        else:
            preview = await self._run(_("Checking the invite…"), lambda: self.join_service.read(text, today=today))
        self.invite_preview = preview

    async def join_group(self, name: str) -> None:
        preview = self.invite_preview
        if preview is None:
            return
        group = await self._run(_("Joining…"), lambda: self.join_service.join(preview, name=name,
                                                                              now=datetime.now(UTC)))
        if group is None:
            return
        self.invite_preview = None
        self.changed()
        self.sync_notifications()
        self.go(Route.GROUP, group_id=group.id, notice=_("You joined {label}. Welcome!").format(label=group.label))
        await self.sync_quietly()

    # ---- leading ----

    def lead_group(self, *, label: str, schedule_form: dict[str, Any], theme: str, guidelines: str,
                   enrolment: str) -> None:
        schedule = self._schedule_from_form(**schedule_form)  # type: ignore[attr-defined]
        if schedule is None:
            return
        try:
            group = self.leader_service.create_group(label, schedule, theme=theme, guidelines=guidelines,
                                                     relay=self.relay_url(), enrolment=enrolment,
                                                     now=datetime.now(UTC))
        except KraftError as exc:
            self.error = str(exc)
            return
        self.changed()
        self.sync_notifications()
        self.go(Route.GROUP, group_id=group.id, notice=_("Your group is ready. Show the invite at the first meeting."))

    def make_invite(self, group: Group) -> Invite | None:
        try:
            return self.leader_service.invite(group.id, today=datetime.now(UTC).date())
        except KraftError as exc:
            self.error = str(exc)
            return None

    async def make_join_code(self, group: Group) -> str:
        code = await self._run(_("Making a join code…"), lambda: self.leader_service.join_code(
            group.id, now=datetime.now(UTC)))
        if code is None:
            return ""
        await self.sync_quietly()
        return str(code.code)

    async def send_prompt(self, group: Group, choice: str, text: str) -> None:
        own = choice == "own"
        try:
            self.leader_service.send_prompt(group.id, prompt_id=None if own else choice, text=text if own else None,
                                            now=datetime.now(UTC))
        except KraftError as exc:
            self.error = str(exc)
            return
        self.notice = _("The homework is on its way to the group.")
        await self.sync_quietly()

    def members(self, group: Group) -> list[Member]:
        return self.leader_service.members(group.id)

    def cant_come(self, group: Group) -> dict[str, list[str]]:
        return self.leader_service.cant_come(group.id)

    async def remove_member(self, group: Group, member: Member) -> None:
        try:
            self.leader_service.remove_member(group.id, member.id, now=datetime.now(UTC))
        except KraftError as exc:
            self.error = str(exc)
            return
        self.notice = _("New keys are on their way: {name} cannot read what is sent from now on.").format(
            name=member.name or _("the member"))
        self.changed()
        await self.sync_quietly()

    def after_schedule_change(self, group: Group) -> None:
        """A leader's change to the schedule goes to the group (queued; sent at the next sync)."""
        if self.unlocked and self.is_leader(group):
            self.leader_service.publish_schedule(group.id, now=datetime.now(UTC))
