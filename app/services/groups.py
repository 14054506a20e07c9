"""Groups the member follows: add, list, change a meeting, and find the next meeting, with or without a vault.

Meeting times and the member's neutral label are plaintext so the next meeting shows before unlocking and
for a member who never set a passphrase. Theme, place and online link are sealed in the vault
(app.storage.records.GROUP, under the group's id) and need it unlocked; an anonymous member simply has none.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from app.domain.prompts import get_prompt
from app.domain.schedule import Meeting, Schedule
from app.domain.text import is_unicode
from app.errors import KraftError, Msg
from app.storage import db, records
from app.storage.crypto import new_record_id
from app.storage.stores import checkins, groups, links, outbox
from app.storage.vault import DamagedRecord, RecordWriter, Vault

log = logging.getLogger(__name__)
GROUP = records.GROUP.name
MAX_LABEL = 40
MAX_HOMEWORK = 300  # the homework as told at the meeting: a question or two


@dataclass(frozen=True)
class GroupDetails:
    """What only an unlocked vault may know about a group."""

    theme: str = ""
    place: str = ""
    link: str = ""
    show_place: bool = False  # the place on the next-meeting card (while the journal is open)
    homework_prompt_id: str = ""  # the homework for the next meeting: a library prompt...
    homework_text: str = ""  # ...or the words the group was given
    homework_set: datetime | None = None  # when the member noted it (UTC)

    @classmethod
    def from_payload(cls, data: dict[str, object]) -> GroupDetails:
        """Tolerant of records written before a field existed, and of fields a newer version added."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})  # type: ignore[arg-type]

    @property
    def has_homework(self) -> bool:
        return bool(self.homework_prompt_id or self.homework_text)

    def any_given(self) -> bool:
        return any((self.theme, self.place, self.link, self.has_homework))


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    schedule: Schedule

    def meeting(self, meeting_id: str) -> Meeting:
        """One of the group's meetings (cancelled ones included) by its stable id, e.g. 20261203T170000Z."""
        wanted = meeting_id.strip().upper()
        for meeting in self.schedule.meetings():
            if meeting.id == wanted:
                return meeting
        raise KraftError(Msg.MEETING_NOT_FOUND, meeting_id=meeting_id)


@dataclass(frozen=True)
class NextMeeting:
    group: Group
    meeting: Meeting


def check_label(label: str) -> str:
    """The label as kept (spaces tidied), or GROUP_LABEL_INVALID: also for forms, to say it at the field."""
    if not is_unicode(label):  # invalid UTF-8 carried over as lone surrogates: SQLite could not store it
        raise KraftError(Msg.TEXT_NOT_UNICODE)
    label = " ".join(label.split())
    if not 1 <= len(label) <= MAX_LABEL:
        raise KraftError(Msg.GROUP_LABEL_INVALID, maximum=MAX_LABEL)
    return label


class GroupService:
    """Groups in one data directory. `vault` is None or locked for an anonymous or locked member."""

    def __init__(self, engine: Engine, vault: Vault | None = None) -> None:
        self._engine = engine
        self._vault = vault

    def _details_allowed(self) -> bool:
        return self._vault is not None and self._vault.is_unlocked

    def add(self, label: str, schedule: Schedule, details: GroupDetails | None = None, *,
            group_id: str | None = None, also: Callable[[Group, RecordWriter | Connection], None] | None = None,
            ) -> Group:
        """Add a group; details need an unlocked vault, and land in the same transaction as the schedule.
        `also` writes what belongs with the group (a relay link) in that same transaction."""
        group = Group(id=group_id or new_record_id(), label=check_label(label), schedule=schedule)
        if details and details.any_given() and not self._details_allowed():
            raise KraftError(Msg.GROUP_DETAILS_NEED_VAULT)
        values = dict(group_id=group.id, label=group.label, schedule=json.dumps(schedule.to_dict()))
        if self._vault is not None and self._vault.is_unlocked:
            with self._vault.transaction() as tx:
                groups.put_group(conn=tx.conn, **values)
                if details:
                    tx.put(GROUP, records.GROUP.pack(details.__dict__), records.GROUP.record_id(group.id))
                if also:
                    also(group, tx)
        else:
            with db.begin(self._engine) as conn:
                groups.put_group(conn=conn, **values)
                if also:
                    also(group, conn)
        return group

    def exists(self, group_id: str) -> bool:
        with self._engine.connect() as conn:
            return groups.group_exists(conn=conn, group_id=group_id)

    def list(self) -> list[Group]:
        with self._engine.connect() as conn:
            rows = groups.list_groups(conn=conn)
        return [Group(id=r.id, label=r.label, schedule=Schedule.from_dict(json.loads(r.schedule))) for r in rows]

    def get(self, group_id: str) -> Group:
        for group in self.list():
            if group.id == group_id:
                return group
        raise KraftError(Msg.GROUP_NOT_FOUND, group_id=group_id)

    def details(self, group_id: str) -> GroupDetails | None:
        """Theme, place and link: None when locked, anonymous, or never given."""
        if not self._details_allowed():
            return None
        assert self._vault is not None
        record_id = records.GROUP.record_id(group_id)
        payload = self._vault.get(GROUP, record_id)
        return GroupDetails.from_payload(records.GROUP.unpack(record_id, payload)) if payload else None

    def update_details(self, group_id: str, **changes: object) -> GroupDetails:
        """Change some of a group's sealed details, keeping the others (needs the journal open)."""
        self.get(group_id)
        if not self._details_allowed():
            raise KraftError(Msg.GROUP_DETAILS_NEED_VAULT)
        assert self._vault is not None
        details = replace(self.details(group_id) or GroupDetails(), **changes)  # type: ignore[arg-type]
        with self._vault.transaction() as tx:
            tx.put(GROUP, records.GROUP.pack(details.__dict__), records.GROUP.record_id(group_id))
        return details

    def set_homework(self, group_id: str, prompt_id: str | None = None, text: str | None = None, *,
                     now: datetime) -> GroupDetails:
        """Note the homework for the group's next meeting: a library prompt id (app.domain.prompts) or the words the
        group was given, one of the two. Sealed with the group's details, whose theme, place and link stay;
        `now` (aware) is kept as `homework_set`: answers written from then on count (reminder_service)."""
        words = " ".join((text or "").split())
        if bool(prompt_id) == bool(words):
            raise KraftError(Msg.HOMEWORK_MISSING)
        if prompt_id and get_prompt(prompt_id) is None:
            raise KraftError(Msg.UNKNOWN_PROMPT, prompt_id=prompt_id)
        if len(words) > MAX_HOMEWORK:
            raise KraftError(Msg.HOMEWORK_TOO_LONG, maximum=MAX_HOMEWORK)
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return self._change_homework(group_id, homework_prompt_id=prompt_id or "", homework_text=words,
                                     homework_set=now.astimezone(UTC))

    def clear_homework(self, group_id: str) -> GroupDetails:
        """Forget the noted homework (answered at the meeting, or noted by mistake); the other details stay."""
        return self._change_homework(group_id, homework_prompt_id="", homework_text="", homework_set=None)

    def _change_homework(self, group_id: str, **changes: object) -> GroupDetails:
        self.get(group_id)
        if self._vault is None or not self._vault.exists():
            raise KraftError(Msg.HOMEWORK_NEEDS_JOURNAL)
        if not self._vault.is_unlocked:
            raise KraftError(Msg.VAULT_LOCKED)
        return self.update_details(group_id, **changes)

    def readable_details(self, group_id: str) -> GroupDetails | None:
        """`details`, with a damaged record logged and treated as none (for screens that must not fail)."""
        try:
            return self.details(group_id)
        except DamagedRecord:
            log.warning("the details record of group %s is damaged", group_id)
            return None

    def update_schedule(self, group_id: str, schedule: Schedule) -> Group:
        """Store a changed schedule (a moved, cancelled or skipped meeting)."""
        group = self.get(group_id)
        with db.begin(self._engine) as conn:
            groups.set_schedule(conn=conn, group_id=group_id, schedule=json.dumps(schedule.to_dict()))
        return Group(id=group.id, label=group.label, schedule=schedule)

    def remove(self, group_id: str) -> None:
        """Remove a group with its details, the member's check-ins and its relay link (requests still waiting
        for the relay included); works locked (records go by id)."""
        self.get(group_id)
        with db.begin(self._engine) as conn:
            outbox.delete_for_group(conn=conn, group_id=group_id)
            links.delete_link(conn=conn, group_id=group_id)
            groups.delete_group(conn=conn, group_id=group_id)
            checkins.delete_checkins(conn=conn, group_id=group_id)
        if self._vault is not None:
            for record_id in records.for_group(group_id):  # every per-group kind, whether present or not
                self._vault.discard(record_id)

    def next_meeting(self, now: datetime) -> NextMeeting | None:
        """The soonest meeting going on or coming, across every group: works locked and anonymous."""
        found = [NextMeeting(g, m) for g in self.list() if (m := g.schedule.next_meeting(now)) is not None]
        return min(found, key=lambda n: n.meeting.start, default=None)
