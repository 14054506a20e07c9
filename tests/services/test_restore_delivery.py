"""Issue 15 point 4: after a restore the app reads its last sequence from the relay and sends above it, and a
refused message is shown, never dropped (docs/adr/0006-group-protocol-v2.md, "Restore"). People with data
directories of their own against a real relay process on SQLite and PostgreSQL; nothing is mocked.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import protocol as p
from app.errors import KraftError, Msg
from app.services.backup import create_backup, restore_backup
from app.services.group_layer import hosting, taking_part
from app.services.links import LinkStore
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.test_group_layer import AFTER, FIRST, admit_everyone, ask, circles, four, homework, start, sync  # noqa: F401
from tests.services.test_relay_flow import (  # noqa: F401
    NOW,
    PROMPT_MARKER,
    SECOND_MARKER,
    Profile,
    _homework,
    _start,
    people,
    relay,
)

LATER = NOW + timedelta(hours=2)


def _restore(person: Profile, backup: Path) -> None:
    person.service.close()
    restore_backup(person.home, backup, PASSPHRASE, replace=True, now=NOW)
    person.service = VaultService(person.home, kdf=FAST_KDF)
    person.service.unlock(PASSPHRASE)


def _group(relay: object, four: list[Profile]) -> str:  # noqa: F811
    starter, astrid = four[0], four[1]
    group_id = start(starter, relay)
    ask(astrid, starter, group_id)
    admit_everyone(starter, group_id, [astrid])
    return group_id


def test_leader_restores_and_sends_while_offline_then_it_is_delivered(relay, four, tmp_path):  # noqa: F811
    starter, astrid = four[0], four[1]
    group_id = _group(relay, four)
    backup = tmp_path / "starter.kraftbackup"
    create_backup(starter.service, backup)
    hosting.send_homework(circles(starter), group_id, text=FIRST, now=NOW)
    sync(starter)
    sync(astrid)
    assert homework(astrid, group_id) == FIRST

    _restore(starter, backup)
    relay.stop()  # offline: the restored app cannot read what it sent after the backup
    hosting.send_homework(circles(starter), group_id, text=AFTER, now=NOW)
    offline = starter.sync(NOW)
    assert offline.sent == 0 and offline.waiting == 1 and offline.problems
    with pytest.raises(KraftError) as refused:  # the log may have moved on since the backup: read it first
        hosting.set_policy(circles(starter), group_id, admission=p.CLOSED, now=NOW)
    assert refused.value.msg is Msg.RESTORED_READ_FIRST

    relay.start()
    assert starter.sync(LATER).sent == 1
    assert not LinkStore(starter.service.engine, starter.vault).waiting(group_id)
    report = sync(astrid)
    assert homework(astrid, group_id) == AFTER
    assert report.refused == [] and report.gaps == 0  # sealed right above what the relay showed
    hosting.send_homework(circles(starter), group_id, text=FIRST, now=LATER)  # and counting goes on from there
    assert starter.sync(LATER).sent == 1
    again = sync(astrid)
    assert again.refused == [] and again.gaps == 0 and again.applied == 1, again
    assert homework(astrid, group_id) == FIRST
    hosting.set_policy(circles(starter), group_id, admission=p.CLOSED, now=LATER)  # read: changes work again
    assert starter.sync(LATER).sent == 1 and sync(astrid).applied == 1


def test_a_replayed_sequence_is_refused_counted_and_logged(relay, four, caplog):  # noqa: F811
    """A modified (or restored, unfixed) app seals new words with a sequence number already used: the member's
    app refuses it, counts it and logs it, without its content."""
    starter, astrid = four[0], four[1]
    group_id = _group(relay, four)
    hosting.send_homework(circles(starter), group_id, text=FIRST, now=NOW)
    sync(starter)
    sync(astrid)
    circle = circles(starter).load(group_id)
    used = circle.secrets.next_seq - 1
    replay = p.seal_v2(mailbox=circle.link.mailbox, epoch=circle.epoch, group_key=circle.group_key(),
                       channel=p.CONTENT, kind="homework", body={"meeting": "", "prompt_id": "", "text": AFTER},
                       author=circle.identity, seq=used, signer=circle.post_signer())
    posted = httpx.post(f"{relay.url}/v1/mailboxes/{circle.link.mailbox}/messages", json=replay.to_post())
    assert posted.status_code == 201  # the relay cannot tell: v2 sequence numbers are inside the ciphertext
    with caplog.at_level(logging.INFO):
        report = sync(astrid)
    assert report.refused == ["replayed"]
    assert homework(astrid, group_id) == FIRST
    logged = [r.getMessage() for r in caplog.records if "replayed" in r.getMessage()]
    assert logged and not any("MARKER" in line for line in logged)


def test_a_message_the_relay_refuses_stays_in_the_outbox_with_its_reason(relay, four):  # noqa: F811
    """Astrid says "I can't come" in the old epoch while the host removes Mallory: the relay refuses it
    (old_epoch). It is not dropped and not counted as sent: it waits, refused, with the relay's reason."""
    starter, astrid, mallory = four[0], four[1], four[3]
    group_id = start(starter, relay)
    ask(astrid, starter, group_id)
    ask(mallory, starter, group_id)
    admit_everyone(starter, group_id, [astrid, mallory])
    meeting = starter.groups().get(group_id).schedule.meetings()[2]
    hosting.remove(circles(starter), group_id, circles(mallory).load(group_id).me, now=NOW)
    sync(starter)
    assert taking_part.cant_come(circles(astrid), group_id, meeting.id, now=NOW)
    astrid.sync(NOW)
    waiting = LinkStore(astrid.service.engine, astrid.vault).waiting(group_id)
    assert len(waiting) == 1 and waiting[0].refused and waiting[0].error.startswith("old_epoch: ")


def test_v1_leader_restores_and_sends_then_it_is_delivered(relay, people, tmp_path):  # noqa: F811
    """Version 1: the relay keeps the leader's last sequence number and refuses one not above it (stale_seq);
    after a restore the leader's app reads it first and seals above it."""
    leader, astrid, _bo = people
    group_id = _start(leader, relay)
    astrid.joining().join(astrid.joining().read(leader.leader().invite(group_id, today=NOW.date()).link,
                                                today=NOW.date()), now=NOW)
    astrid.sync()
    backup = tmp_path / "leader.kraftbackup"
    create_backup(leader.service, backup)
    leader.leader().send_prompt(group_id, text=PROMPT_MARKER, now=NOW)
    leader.sync()
    astrid.sync()
    assert _homework(astrid, group_id) == PROMPT_MARKER

    _restore(leader, backup)
    leader.leader().send_prompt(group_id, text=SECOND_MARKER, now=NOW)
    report = leader.sync()
    assert report.sent == 1 and not report.problems, report
    assert not LinkStore(leader.service.engine, leader.vault).waiting(group_id)
    assert not astrid.sync().refused
    assert _homework(astrid, group_id) == SECOND_MARKER


def test_a_restore_marks_every_relay_link_read_first_until_it_was_read(relay, four, tmp_path):  # noqa: F811
    person = four[0]
    group_id = _group(relay, four)
    backup = tmp_path / "backup.kraftbackup"
    create_backup(person.service, backup)
    assert not LinkStore(person.service.engine, person.vault).get(group_id).restored  # type: ignore[union-attr]
    _restore(person, backup)
    links = LinkStore(person.service.engine, person.vault)
    assert links.get(group_id).restored  # type: ignore[union-attr]
    sync(person)
    assert not links.get(group_id).restored  # type: ignore[union-attr]


def test_v1_a_stale_sequence_number_is_refused_and_stays_never_counted_as_sent(relay, people):  # noqa: F811
    """The relay refuses a v1 leader's message whose number is not above the last (stale_seq, a modified app
    or one restored some other way): the outbox keeps it, refused, with the reason, and reports the problem."""
    leader, _astrid, _bo = people
    group_id = _start(leader, relay)
    leader.leader().send_prompt(group_id, text=PROMPT_MARKER, now=NOW)
    assert leader.sync().sent == 1
    links = LinkStore(leader.service.engine, leader.vault)
    secrets = links.secrets(group_id)
    secrets.next_seq -= 1  # the number just used, again
    links.put_secrets(group_id, secrets)
    leader.leader().send_prompt(group_id, text=SECOND_MARKER, now=NOW)
    report = leader.sync()
    assert report.sent == 0 and report.problems
    waiting = links.waiting(group_id)
    assert len(waiting) == 1 and waiting[0].refused and waiting[0].error.startswith("stale_seq: ")
