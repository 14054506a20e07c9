"""Taking part in a version 2 group (issue 15, docs/adr/0006-group-protocol-v2.md): a host names or takes back
hosts, sets the policy and steps back; every member answers "Let X join?", writes to the starter and leaves.

A refused action (the last host of a "hosts only" group leaving, say) keeps its reason at the control that
was used, in plain words, and changes nothing; each done action is sent at once (`Delivery.deliver`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import flet as ft

import protocol as p
from app.i18n import _
from app.services.group_layer.circle import V2
from app.services.group_layer.hosting import Person
from app.services.group_layer.taking_part import Poll
from app.services.groups import Group
from app.services.joining import JoinService
from app.services.leader import LeaderService
from app.services.links import LEADER
from app.views.states.acting import act
from app.views.states.groups import GroupsState
from app.views.states.hosting import HostingState
from app.views.states.session import SessionState


@ft.observable
@dataclass
class MembershipState:
    """Roles, policy, votes, "contact the starter" and leaving. `problems`: "group id:control" -> why the last
    use of that control was refused (cleared when it next succeeds)."""

    session: SessionState
    groups: GroupsState
    hosting: HostingState
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def _joining(self) -> JoinService:
        return self.session.ctx.joining

    @property
    def _leader(self) -> LeaderService:
        return self.session.ctx.leader

    # ---- what the group screen shows ----

    def takes_part(self, group: Group) -> bool:
        """A version 2 group this member is in (let in, secrets readable here)."""
        return self._joining.takes_part(group.id)

    def has_left(self, group: Group) -> bool:
        """True once this member left (or was removed): the screen says so and offers nothing more."""
        return self.takes_part(group) and self._joining.has_left(group.id)

    def people(self, group: Group) -> list[Person]:
        """Everyone in the group, starter and hosts first."""
        return self._joining.people(group.id)

    def every_member_hosts(self, group: Group) -> bool:
        """The policy "every member may host" (else only the named hosts host)."""
        return self._joining.policy(group.id).hosting == p.EVERY_MEMBER

    def closed(self, group: Group) -> bool:
        """A closed group: a newcomer comes in when the members agree."""
        return self._joining.policy(group.id).admission == p.CLOSED

    def polls(self, group: Group) -> list[Poll]:
        """Newcomers this member is asked about."""
        return self._joining.polls(group.id)

    def starter(self, group: Group) -> Person | None:
        """The starter while they are in the group (None once they left)."""
        return next((m for m in self.people(group) if m.starter), None)

    def contacts(self, group: Group) -> list[tuple[str, str]]:
        """For the starter: what members wrote to them, (name, text)."""
        return self._joining.contacts(group.id)

    def problem(self, group: Group, control: str) -> str:
        """Why the last use of `control` was refused ("" when it was not)."""
        return self.problems.get(f"{group.id}:{control}", "")

    # ---- what a host does ----

    async def name_host(self, group: Group, person: Person, *, revoke: bool = False) -> bool:
        """Make a member a host (they can let people in, move meetings, send homework), or take it back."""
        name = person.name or _("the member")
        return await self._act(group, f"host-{person.id}", lambda now: self._leader.set_host(
            group.id, person.id, revoke=revoke, now=now),
            _("{name} is no longer a host.").format(name=name) if revoke else
            _("{name} is a host now: they can let people in, move meetings and send homework.").format(name=name))

    async def step_back(self, group: Group) -> bool:
        """Stop hosting; the other hosts go on and this member stays in the group."""
        return await self._act(group, "step-back", lambda now: self._leader.step_back(group.id, now=now),
                               _("You stepped back. The other hosts go on; you stay in the group."))

    async def set_every_member_hosts(self, group: Group, on: bool) -> bool:
        """The policy: every member may host, or only the named hosts."""
        return await self._act(group, "policy", lambda now: self._leader.set_policy(
            group.id, hosting_policy=p.EVERY_MEMBER if on else p.HOSTS_ONLY, now=now),
            _("Every member may host now.") if on else _("Only the named hosts host now."))

    async def set_closed(self, group: Group, closed: bool) -> bool:
        """The policy: open (a host lets a newcomer in) or closed (the members agree first)."""
        return await self._act(group, "policy", lambda now: self._leader.set_policy(
            group.id, admission=p.CLOSED if closed else p.OPEN, now=now),
            _("The group is closed: a newcomer comes in when the members agree.") if closed else
            _("The group is open: a host lets a newcomer in."))

    # ---- the leader of a version 1 group ----

    def can_upgrade(self, group: Group) -> bool:
        """A version 1 group this device leads through a relay: it can move to version 2 ("Upgrading a
        version 1 group", docs/adr/0006-group-protocol-v2.md)."""
        link = self.session.ctx.links.get(group.id)
        return link is not None and bool(link.relay) and link.role == LEADER and link.version != V2

    async def upgrade(self, group: Group, enrolment: str) -> bool:
        """Move the group to version 2 with a new enrolment code; members keep their places."""
        return await self._act(group, "upgrade", lambda now: self._leader.upgrade(
            group.id, enrolment=enrolment.strip(), now=now),
            _("The group moves to the new version. Each member's app comes over the next time it connects."))

    # ---- what every member does ----

    async def vote(self, group: Group, poll: Poll, *, yes: bool) -> bool:
        """Answer "Let X join?" with this member's own signed yes or no."""
        return await self._act(group, f"vote-{poll.request}", lambda now: self._joining.vote(
            group.id, poll.request, yes=yes, now=now), _("Your answer is on its way to the group."))

    async def contact_starter(self, group: Group, text: str) -> bool:
        """Write to the starter only; False (the text stays in the field) when it is refused."""
        return await self._act(group, "contact", lambda now: self._joining.contact_starter(group.id, text, now=now),
                               _("Your message is on its way. Only the starter can read it."))

    async def leave(self, group: Group) -> bool:
        """Leave the group: the others are told, and nothing sent after reaches this member."""
        return await self._act(group, "leave", lambda now: self._joining.leave(group.id, now=now),
                               _("You left {label}. The others are told.").format(label=group.label))

    async def _act(self, group: Group, control: str, work: Callable[[datetime], object], notice: str) -> bool:
        return await act(self, group, control, work, notice)
