"""The homework use case: what each group gave for its next meeting, shown in front (issue 15, point 5), noting
it by hand (a library prompt or the group's own words), clearing it, and opening an answer to it.

Where the homework comes from, today (protocol v1): the leader's "prompt" message, applied into the group's
sealed details (`GroupDetails.homework_*`) while the journal is open; while it is locked, or for a member
without a journal, the message is kept as ciphertext in the link's `pending` list (app.services.relay_sync),
so all we can say is "the group sent homework", never its words. The group layer v2
(docs/adr/0006-group-protocol-v2.md) feeds the same two sources: `noted` (readable homework in the details)
and `unread_from_group` (homework that has arrived but cannot be read yet); the screens and the CLI see only
`current_homework` and `open_answer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import protocol as p
from app.domain.prompts import get_prompt
from app.domain.schedule import Meeting
from app.errors import KraftError, Msg
from app.services.context import AppContext
from app.services.groups import Group, GroupDetails
from app.services.links import LEADER, Link
from app.services.relay_sync import SyncReport
from app.services.reminder_service import answered, homework_meeting

OWN = "own"  # the choice meaning "the group's own words" rather than a library prompt id


class JournalAccess(StrEnum):
    """Whether the homework's words can be shown: only an open journal holds them."""

    OPEN = "open"
    LOCKED = "locked"
    NONE = "none"  # the member never made a journal


@dataclass(frozen=True)
class CurrentHomework:
    """One group's current homework, as the home, journal and group screens and `kraft homework` show it.

    `text` is None whenever the journal is not open: then the screens say only that the group sent homework.
    """

    group_id: str
    group_name: str  # the member's own label for the group
    journal: JournalAccess
    text: str | None  # in the member's language (a library prompt translated) or the group's own words
    prompt_id: str | None  # the library prompt, None for the group's own words (or unreadable)
    meeting: Meeting | None  # the meeting it is for: the first to begin after it was given
    answered: bool = False  # a journal entry written since it was given answers it (only known while open)

    @property
    def readable(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class HomeworkAnswer:
    """What the editor opens with to answer a group's homework: the prompt, tagged as this homework (the same
    library prompt id, or the group's words as the entry's prompt text, which is what counts as an answer)."""

    group_id: str
    prompt_id: str | None
    prompt_text: str | None


def _journal_state(ctx: AppContext) -> JournalAccess:
    if ctx.is_unlocked:
        return JournalAccess.OPEN
    return JournalAccess.LOCKED if ctx.has_vault() else JournalAccess.NONE


def noted(ctx: AppContext, group: Group) -> GroupDetails | None:
    """The group's readable homework (the journal open), or None."""
    details = ctx.groups.readable_details(group.id)
    return details if details is not None and details.has_homework else None


def unread_from_group(ctx: AppContext, group: Group) -> int:
    """How many homework messages from the group wait unread for the open journal (protocol v1: content-channel
    messages kept in the link's pending list; the schedule key opens every other kind, so whatever it cannot
    open is content, and the only content a v1 leader sends is the homework)."""
    link = ctx.links.get(group.id)
    if link is None or not link.pending:
        return 0
    if link.version == 2:
        return _unread_v2(ctx, link)
    if link.role == LEADER:
        return 0
    count = 0
    for data in link.pending:
        try:
            envelope = p.Envelope.from_relay(link.mailbox, data)
            key = link.schedule_keys.get(envelope.epoch)
            if key is None:
                count += 1
                continue
            p.open_message(envelope, channel_keys={p.SCHEDULE: p.b64d(key)})
        except p.ProtocolError:
            count += 1
    return count


def _unread_v2(ctx: AppContext, link: Link) -> int:
    """Version 2 (docs/adr/0006-group-protocol-v2.md): a kept message may be anything (names, votes, "can't
    come"), so it counts only when it opens as homework from a host. A member without a journal holds the
    group key on the device and can tell; a locked journal cannot, and says nothing until it is opened."""
    if not ctx.links.readable() or not link.state:
        return 0
    secrets = ctx.links.secrets(link.group_id)
    state = p.State.from_snapshot(link.state)
    count = 0
    for data in link.pending:
        if "v1" in data:  # kept before the group was upgraded: a v1 leader's content is homework
            count += 1
            continue
        try:
            envelope = p.Envelope.from_relay(link.mailbox, data)
            key = secrets.group_keys.get(envelope.epoch)
            if key is None:
                continue
            inner = p.open_v2(envelope, channel_keys={p.CONTENT: p.channel_key(p.b64d(key), p.CONTENT)})
            author = state.members.get(inner.author)
            if inner.kind == "homework" and author is not None and state.is_host(author.id):
                inner.verified_by(author.public, mailbox=link.mailbox, epoch=envelope.epoch)
                count += 1
        except (p.ProtocolError, KeyError, TypeError):
            continue
    return count


def _text(details: GroupDetails, ctx: AppContext) -> tuple[str, str | None]:
    prompt = get_prompt(details.homework_prompt_id) if details.homework_prompt_id else None
    return (prompt.label(ctx.lang), prompt.id) if prompt else (details.homework_text, None)


def current_homework(ctx: AppContext, *, now: datetime | None = None) -> list[CurrentHomework]:
    """Each group's current homework, groups in the order of their label: with the journal open its words
    (a library prompt in the member's language) and whether it is answered; otherwise only that the group sent
    some. Homework whose meeting is over is not current any more. Works locked and without a journal.

    Example:
        for item in current_homework(ctx):
            print(item.group_name, item.text or "create a journal to read it")
    """
    moment = now or ctx.now()
    state = _journal_state(ctx)
    journal = ctx.journal if state is JournalAccess.OPEN else None
    found: list[CurrentHomework] = []
    for group in sorted(ctx.groups.list(), key=lambda g: (g.label.casefold(), g.id)):
        details = noted(ctx, group) if journal is not None else None
        if journal is not None and details is not None:
            meeting = homework_meeting(group, details, now=moment)
            if meeting is None or meeting.end <= moment:
                continue  # its meeting is over: done, whether or not it was answered
            text, prompt_id = _text(details, ctx)
            found.append(CurrentHomework(group.id, group.label, state, text, prompt_id, meeting,
                                         answered=answered(journal, details)))
        elif unread_from_group(ctx, group):  # open: not applied yet (open_kept reads it)
            meeting = group.schedule.next_meeting(moment)
            found.append(CurrentHomework(group.id, group.label, state, None, None, meeting))
    return found


def open_kept(ctx: AppContext, *, now: datetime | None = None) -> int:
    """With the journal open, read the homework that arrived while it was locked or before it existed (kept
    as ciphertext), without the network: after unlocking, or once a new journal holds the group's keys.
    Returns how many kept messages were applied; 0 while locked or without a journal.

    Example:
        if open_kept(ctx):
            refresh_the_screen()
    """
    if not ctx.is_unlocked:
        return 0
    report = SyncReport()
    ctx.sync.apply_kept(report, now=now or ctx.now())
    return report.applied


def open_answer(ctx: AppContext, group_id: str) -> HomeworkAnswer:
    """The group's homework as the editor's prompt ("Answer it"); a clear KraftError when it cannot be read
    (no journal, locked) or there is none.

    Example:
        answer = open_answer(ctx, group.id)
        journal_state.open_editor(prompt_id=answer.prompt_id, prompt_text=answer.prompt_text)
    """
    group = ctx.groups.get(group_id)
    if not ctx.has_vault():
        raise KraftError(Msg.HOMEWORK_NEEDS_JOURNAL)
    if not ctx.is_unlocked:
        raise KraftError(Msg.VAULT_LOCKED)
    details = noted(ctx, group)
    if details is None:
        raise KraftError(Msg.NO_CURRENT_HOMEWORK)
    prompt = get_prompt(details.homework_prompt_id) if details.homework_prompt_id else None
    return HomeworkAnswer(group.id, prompt.id if prompt else None, None if prompt else details.homework_text)


def note_homework(ctx: AppContext, group: Group, choice: str, text: str = "", *,
                  now: datetime | None = None) -> GroupDetails:
    """Note the homework: `choice` is a library prompt id, or OWN with the words in `text`.

    Why here: the form's choice (a prompt or own words) was turned into the service's arguments in the
    screen's state. Raises KraftError for missing or too long homework, or a journal that is not open.

    Example:
        note_homework(ctx, group, "strengths")
        note_homework(ctx, group, OWN, "What gives you meaning?")
    """
    own = choice == OWN
    return ctx.groups.set_homework(group.id, prompt_id=None if own else choice, text=text if own else None,
                                   now=now or ctx.now())


def clear_homework(ctx: AppContext, group: Group) -> GroupDetails:
    """Forget the noted homework (answered at the meeting, or noted by mistake); other details stay.

    Example:
        clear_homework(ctx, group)
    """
    return ctx.groups.clear_homework(group.id)
