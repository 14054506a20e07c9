"""The registry of record kinds (app.storage.records): every record a service writes is of a registered kind
with an id from the kind's scheme, an unknown kind is refused, and removing a group leaves nothing of it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Connection

from app.domain.journal import Draft, Entry
from app.domain.schedule import Schedule
from app.services.checkin import ATTENDED, CheckInService
from app.services.course import CourseService
from app.services.group_layer.circle import Circles
from app.services.groups import Group, GroupService
from app.services.journal import Journal
from app.services.leader import LeaderService
from app.services.links import MEMBER, Link, LinkStore, Secrets
from app.services.my_round import CrisisPlan, PlanService, RoundService
from app.services.region import RegionKeys
from app.services.vault_service import VaultService
from app.storage import records
from app.storage.records import UnknownKind
from app.storage.vault import RecordWriter

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
SCHEDULE = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 11, 5), at=time(18), interval=2, count=8)


def _dump(home: Path) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table, named by its table."""
    with sqlite3.connect(home / "kraft.db") as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [(t, row) for t in tables for row in conn.execute(f"SELECT * FROM {t}")]


def _mentions(home: Path, group_id: str) -> list[tuple[str, tuple[object, ...]]]:
    return [(t, row) for t, row in _dump(home) if any(isinstance(v, str) and group_id in v for v in row)]


def _records(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "kraft.db") as conn:
        return conn.execute("SELECT id, kind FROM record ORDER BY id").fetchall()


def test_the_kinds_and_their_id_schemes() -> None:
    assert sorted(records.KINDS) == ["checkins", "draft", "entry", "group", "interest", "lead", "membership",
                                    "plan", "region_key", "round"]
    assert [k.name for k in records.KINDS.values() if not k.per_group] == ["entry", "draft", "round", "plan", "lead",
                                                                         "region_key", "interest"]
    assert records.REGION_KEY.only_id == "region-key"
    assert records.PLAN.only_id == "crisis-plan"
    with pytest.raises(TypeError):
        records.PLAN.new_id()  # one plan per journal
    with pytest.raises(TypeError):
        _ = records.ROUND.only_id
    assert records.for_group("g1") == ["g1", "g1.membership", "g1.checkins"]
    assert records.kind("checkins") is records.CHECKINS
    with pytest.raises(UnknownKind):
        records.kind("settings")
    with pytest.raises(TypeError):
        records.ENTRY.record_id("g1")  # entries have random ids
    with pytest.raises(TypeError):
        records.GROUP.new_id()  # a group's record takes the group's id
    assert len({records.DRAFT.new_id() for _ in range(50)}) == 50


def test_the_codecs_round_trip_and_refuse_garbage() -> None:
    entry = Entry("e1", "Å text", NOW, NOW, prompt_id="hopes", tags=("empowerment",), deleted_at=NOW)
    payload = records.ENTRY.pack(entry)
    assert records.ENTRY.unpack("e1", payload) == entry
    assert records.ENTRY.head(payload)[1] is True
    draft = Draft("new", "half a thought", saved=NOW)
    assert records.DRAFT.unpack("d1", records.DRAFT.pack(draft)) == draft
    assert records.GROUP.unpack("g1", records.GROUP.pack({"theme": "x", "at": NOW})) == {"theme": "x", "at": NOW}
    for bad in (b"", b"\xc1", records.pack({"v": 1})[:-1]):
        with pytest.raises(ValueError):
            records.unpack(bad)
    with pytest.raises(ValueError):
        records.ENTRY.head(b"short")
    with pytest.raises(ValueError):
        records.DRAFT.unpack("d1", records.pack({"text": "no key"}))


def test_an_unknown_kind_is_refused_by_the_vault(service: VaultService, journal: Journal) -> None:
    with pytest.raises(UnknownKind):
        service.vault.put("settings", records.pack({}))
    with pytest.raises(UnknownKind), service.vault.transaction() as tx:
        tx.put("entries", records.pack({}))
    assert _records(service.home) == []


def _everything_of_a_sealed_group(service: VaultService, journal: Journal) -> Group:
    """A led group with a relay (link row, sealed keys, a waiting request), details and a sealed check-in,
    beside a journal entry, a draft, my round, the crisis plan and "would you lead" that must outlive it."""
    journal.add("Ett inlägg som stannar")
    journal.save_draft(Draft("new", "ett utkast"))
    RoundService(service.vault).add(3, "som vanligt")
    PlanService(service.engine, service.vault).save(CrisisPlan(helps=("en promenad",)))
    CourseService(Circles(service.engine, service.vault), lambda: journal).would_lead("maybe")
    RegionKeys(service.vault).create()  # a coordinator's region key (ADR 0016)
    # "I'm interested" as InterestService keeps it (it needs a relay to send; its record is this one)
    service.vault.put(records.INTEREST.name, records.INTEREST.pack({"kind": "interest", "entry": "e"}),
                      records.INTEREST.new_id())
    group = LeaderService(service.engine, service.vault).create_group(
        "Ledd grupp", SCHEDULE, theme="Balans", relay="http://127.0.0.1:9", enrolment="E", now=NOW)
    GroupService(service.engine, service.vault).update_details(group.id, place="Rum 4")
    CheckInService(service.engine, service.vault).check_in(group, group.schedule.meetings()[0].id, ATTENDED,
                                                           now=NOW)
    return group


def test_every_record_a_service_writes_has_a_registered_kind_and_id(service: VaultService,
                                                                     journal: Journal) -> None:
    group = _everything_of_a_sealed_group(service, journal)
    written = _records(service.home)
    assert {kind for _id, kind in written} == set(records.KINDS)  # every kind is exercised here
    for record_id, name in written:
        kind = records.kind(name)
        if kind.per_group:
            assert record_id == kind.record_id(group.id)
        elif kind.only is not None:
            assert record_id == kind.only_id
        else:
            assert len(record_id) == 32 and int(record_id, 16) >= 0 and group.id not in record_id


def test_removing_a_sealed_group_leaves_nothing_of_it(service: VaultService, journal: Journal) -> None:
    group = _everything_of_a_sealed_group(service, journal)
    assert {t for t, _row in _mentions(service.home, group.id)} >= {"meeting_group", "group_link", "outbox",
                                                                   "record"}
    GroupService(service.engine, service.vault).remove(group.id)
    assert _mentions(service.home, group.id) == []
    assert sorted(kind for _id, kind in _records(service.home)) == ["draft", "entry", "interest", "lead", "plan",
                                                                           "region_key", "round"]


def test_removing_a_locked_group_leaves_nothing_of_it(service: VaultService, journal: Journal) -> None:
    group = _everything_of_a_sealed_group(service, journal)
    service.lock()
    GroupService(service.engine, service.vault).remove(group.id)  # records go by id, without the key
    assert _mentions(service.home, group.id) == []


def test_removing_an_anonymous_members_group_leaves_nothing_of_it(service: VaultService) -> None:
    """No vault: the link's keys and the check-ins are plaintext rows."""
    groups, links = GroupService(service.engine, service.vault), LinkStore(service.engine, service.vault)
    link = Link(group_id="", role=MEMBER, relay="http://127.0.0.1:9", mailbox="mb", leader_key="lk", epoch=0,
                schedule_keys={0: "sk"}, schedule_secret="ss", last_seq=0, after=0, pending=[])

    def with_link(added: Group, tx: RecordWriter | Connection) -> None:
        links.insert(Link(**{**link.__dict__, "group_id": added.id}), Secrets(MEMBER, {0: "k"}), conn=tx)
        links.enqueue(added.id, link.relay, "POST", "/v1/mailboxes/mb/messages", {"x": 1}, now=NOW, conn=tx)

    group = groups.add("Torsdag", SCHEDULE, also=with_link)
    CheckInService(service.engine, service.vault).check_in(group, group.schedule.meetings()[0].id, ATTENDED, now=NOW)
    assert links.secrets(group.id).group_keys == {0: "k"}
    assert {t for t, _row in _mentions(service.home, group.id)} == {"meeting_group", "group_link", "outbox",
                                                                   "checkin"}
    groups.remove(group.id)
    assert _mentions(service.home, group.id) == []
