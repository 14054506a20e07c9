"""Issue 19 point 1 (docs/adr/0016-region-catalogue.md) against a real relay process, on SQLite and PostgreSQL:
the coordinator makes a region key in the journal, lists groups, and a person without a journal or an account
finds them, offline too; a list not signed by the pinned key, or older than the copy here, is never shown."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import protocol as p
from app.domain.catalogue import find
from app.errors import KraftError, Msg
from app.i18n import language
from app.services.catalogue import KEPT, NEW, SAME, CatalogueService
from app.services.region import Publisher, RegionKeys, check_fields
from app.storage.catalogue_cache import cache_path
from tests.services.test_relay_flow import Profile, relay  # noqa: F401 - the fixture, on both databases

DAY = date(2026, 12, 7)


def _fields(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"status": "forming", "theme": "exhaustion", "words": "", "place": "Malmö",
                               "language": "sv", "weekday": 2, "time": "18:00", "zone": "Europe/Stockholm",
                               "needed": 3, "intake": "040-12 34 56"}
    return check_fields(**{**base, **changes})  # type: ignore[arg-type]


@pytest.fixture
def coordinator(tmp_path: Path, relay):  # type: ignore[no-untyped-def]  # noqa: F811
    person = Profile.make(tmp_path / "coordinator", journal=True)
    key_line = RegionKeys(person.vault).create()
    publisher = Publisher(RegionKeys(person.vault).identity(), relay=relay.url, token=relay.coordinator_token())
    return key_line, publisher


def test_anyone_finds_the_listed_groups_without_a_journal_and_offline(coordinator, relay, tmp_path: Path,  # noqa: F811
                                                                      ) -> None:
    key_line, publisher = coordinator
    stress = publisher.add(_fields(), today=DAY)
    online = publisher.add(_fields(theme="", words="Att leva med tinnitus", place="", language="da", needed=5),
                           today=DAY)
    running = publisher.add(_fields(theme="separation", status="running", needed=0, place="Lund"), today=DAY)

    home = tmp_path / "anna"  # no journal, no group, no account
    anna = CatalogueService(region_key=key_line, relay=relay.url, home=home)
    fetched = anna.fetch()
    assert fetched.outcome == NEW
    assert [e.id for e in fetched.catalogue.entries] == [stress.id, online.id, running.id]
    assert fetched.catalogue.serial == 3  # one signed document per change

    sv = language("sv")
    assert [e.id for e in find(fetched.catalogue.entries, sv, theme="stress")] == [stress.id]  # the title in sv
    assert [e.id for e in find(fetched.catalogue.entries, sv, town="malmo")] == [stress.id]  # accents forgiven
    assert [e.id for e in find(fetched.catalogue.entries, sv, town="online")] == [online.id]
    assert [e.id for e in find(fetched.catalogue.entries, sv)][-1] == running.id  # forming groups first

    offline = CatalogueService(region_key=key_line, relay="http://127.0.0.1:9", home=home)
    catalogue, problem = offline.latest()
    assert problem is not None and problem.msg is Msg.RELAY_UNREACHABLE
    assert catalogue is not None and catalogue.serial == 3  # the copy on the device


def test_removing_a_group_takes_it_off_every_list(coordinator, relay, tmp_path: Path) -> None:  # noqa: F811
    key_line, publisher = coordinator
    first = publisher.add(_fields(), today=DAY)
    second = publisher.add(_fields(place="Lund"), today=DAY)
    reader = CatalogueService(region_key=key_line, relay=relay.url, home=tmp_path / "reader")
    assert len(reader.fetch().catalogue.entries) == 2
    publisher.remove(first.id, today=DAY)
    assert [e.id for e in reader.fetch().catalogue.entries] == [second.id]
    with pytest.raises(KraftError) as caught:
        publisher.remove(first.id, today=DAY)
    assert caught.value.msg is Msg.CATALOGUE_ENTRY_UNKNOWN
    assert reader.fetch().outcome == SAME  # nothing was published for the refused removal


def test_two_coordinators_at_once_neither_change_is_lost(coordinator, relay, tmp_path: Path) -> None:  # noqa: F811
    key_line, publisher = coordinator
    publisher.add(_fields(), today=DAY)
    other = Publisher(publisher.identity, relay=relay.url, token=relay.coordinator_token())
    stale = publisher.current()
    assert stale is not None
    other.add(_fields(place="Lund"), today=DAY)  # lands first, serial 2
    original = publisher.current
    calls = iter([stale])
    # The first read is the stale list (serial 1): its serial 2 is refused (not_newer), and the change is made
    # again on the newer list.
    publisher.current = lambda: next(calls, None) or original()  # type: ignore[method-assign]
    publisher.add(_fields(place="Ystad"), today=DAY)
    reader = CatalogueService(region_key=key_line, relay=relay.url, home=tmp_path / "reader")
    assert sorted(e.place for e in reader.fetch().catalogue.entries) == ["Lund", "Malmö", "Ystad"]


def test_a_list_signed_by_another_key_is_refused_and_the_copy_stays(coordinator, relay, tmp_path: Path,  # noqa: F811
                                                                    ) -> None:
    key_line, publisher = coordinator
    publisher.add(_fields(), today=DAY)
    reader = CatalogueService(region_key=key_line, relay=relay.url, home=tmp_path / "reader")
    reader.fetch()
    # Someone with a coordinator token and a key of their own publishes under their own region id: the
    # reader's app asks only for its region's id, and a copy of theirs moved into its place is not trusted.
    stranger = Publisher(p.Identity.new(), relay=relay.url, token=relay.coordinator_token())
    stranger.add(_fields(intake="call 0900-EVIL"), today=DAY)
    path = cache_path(reader.home, reader.region)
    theirs = CatalogueService(region_key=p.region_key_text(stranger.identity.public()), relay=relay.url,
                              home=tmp_path / "stranger-reader")
    theirs.fetch()
    path.write_bytes(cache_path(theirs.home, theirs.region).read_bytes())
    assert reader.cached() is None
    assert [e.intake for e in reader.fetch().catalogue.entries] == ["040-12 34 56"]


def _changed_copy(key_line: str, relay_url: str, home: Path, part: str, field: str, value: str) -> CatalogueService:
    """A reader whose copy on the device had one field of its first entry or announcement changed."""
    reader = CatalogueService(region_key=key_line, relay=relay_url, home=home)
    reader.fetch()
    path = cache_path(reader.home, reader.region)
    data = json.loads(path.read_text())
    data["catalogue"][part][0][field] = value
    path.write_text(json.dumps(data))
    return reader


def test_a_changed_copy_on_the_device_is_not_shown(coordinator, relay, tmp_path: Path) -> None:  # noqa: F811
    key_line, publisher = coordinator
    publisher.add(_fields(), today=DAY)
    reader = _changed_copy(key_line, relay.url, tmp_path / "reader", "entries", "intake", "call 0900-EVIL")
    assert reader.cached() is None
    cache_path(reader.home, reader.region).write_text("not json")
    assert reader.cached() is None


def test_a_relay_serving_an_older_list_cannot_take_back_what_was_seen(coordinator, relay, tmp_path: Path,  # noqa: F811
                                                                      ) -> None:
    key_line, publisher = coordinator
    publisher.add(_fields(), today=DAY)
    old = publisher.current()
    publisher.add(_fields(place="Lund"), today=DAY)
    reader = CatalogueService(region_key=key_line, relay=relay.url, home=tmp_path / "reader")
    assert reader.fetch().catalogue.serial == 2
    assert old is not None
    # The relay (its operator) puts the old signed list back: still the region's signature, but serial 1.
    from app.services.relay_client import RelayClient

    with RelayClient(relay.url) as client:
        served = client.request("GET", f"/v1/catalogues/{reader.region}")
    relay.put_catalogue_row(reader.region, old)
    with RelayClient(relay.url) as client:
        assert client.request("GET", f"/v1/catalogues/{reader.region}")["catalogue"]["serial"] == 1
    fetched = reader.fetch()
    assert fetched.outcome == KEPT and fetched.catalogue.serial == 2
    assert served["catalogue"]["serial"] == 2


def test_no_region_key_or_no_list_is_said_in_words(relay, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(KraftError) as caught:
        CatalogueService(region_key="", relay=relay.url, home=tmp_path).fetch()
    assert caught.value.msg is Msg.NO_REGION_KEY
    key = p.region_key_text(p.Identity.new().public())
    with pytest.raises(KraftError) as caught:
        CatalogueService(region_key=key, relay=relay.url, home=tmp_path).fetch()
    assert caught.value.msg is Msg.CATALOGUE_NONE
    with pytest.raises(KraftError) as caught:
        CatalogueService(region_key=key, relay="", home=tmp_path).fetch()
    assert caught.value.msg is Msg.NO_RELAY


def test_a_region_key_is_made_once_and_kept_sealed(tmp_path: Path) -> None:
    person = Profile.make(tmp_path / "c", journal=True)
    keys = RegionKeys(person.vault)
    line = keys.create()
    assert p.read_region_key(line) == keys.identity().public()
    with pytest.raises(KraftError) as caught:
        keys.create()
    assert caught.value.msg is Msg.REGION_KEY_EXISTS
    raw = (person.home / "kraft.db").read_bytes() if (person.home / "kraft.db").exists() else b""
    secret = keys.identity().to_secret()["sig"]
    assert raw and secret.encode() not in raw  # sealed, not in plaintext


@pytest.mark.parametrize(("change", "field"), [
    ({"theme": "no_such_theme"}, "theme"), ({"theme": "", "words": ""}, "theme"), ({"intake": " "}, "intake"),
    ({"language": "de"}, "language"), ({"weekday": 8}, "weekday"), ({"time": "25:00"}, "time"),
    ({"time": "18.00"}, "time"), ({"zone": "Mars/Olympus"}, "zone"), ({"needed": 9}, "needed"),
    ({"status": "running", "needed": 2}, "needed"), ({"place": "x" * 61}, "place"), ({"words": "a\x00b"}, "words"),
    ({"status": "paused"}, "status"),
])
def test_every_bad_field_is_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(KraftError) as caught:
        _fields(**change)
    assert caught.value.msg is Msg.CATALOGUE_FIELD and caught.value.params["field"] == field


def _announcement(today: date, **changes: object) -> dict[str, object]:
    from app.services.region import check_announcement_fields

    base: dict[str, object] = {"kind": "lecture", "title": "Föreläsning: sömn och oro", "day": "2027-03-14",
                               "time": "18:00", "zone": "Europe/Stockholm", "place": "Malmö", "mailbox": "",
                               "text": "Anmälan behövs inte."}
    return check_announcement_fields(**{**base, **changes}, today=today)  # type: ignore[arg-type]


def test_announcements_reach_members_who_turned_them_on_and_follow_ups_only_their_group(
        coordinator, relay, tmp_path: Path) -> None:  # noqa: F811
    from app.services.announcements import AnnouncementService

    key_line, publisher = coordinator
    mine, theirs = "A" * 22, "B" * 22
    lecture = publisher.announce(_announcement(DAY), today=DAY)
    follow = publisher.announce(_announcement(DAY, kind="follow_up", title="Uppföljning", day="2027-01-19",
                                              mailbox=mine, place=""), today=DAY)
    publisher.announce(_announcement(DAY, kind="follow_up", title="Uppföljning", day="2027-01-20", mailbox=theirs),
                       today=DAY)
    publisher.add(_fields(), today=DAY)  # a group listed after them keeps them
    prefs: dict[str, str] = {}
    catalogue = CatalogueService(region_key=key_line, relay=relay.url, home=tmp_path / "member")
    service = AnnouncementService(catalogue, get=prefs.get, put=prefs.__setitem__, mailboxes=lambda: [mine])
    service.refresh()
    assert service.upcoming(DAY) == []  # off until the member turns them on
    service.turn(True)
    service.refresh()
    shown = service.upcoming(DAY)
    assert [u.announcement.id for u in shown] == [follow.id, lecture.id]  # soonest first, not the other group's
    assert shown[0].mine and not shown[1].mine
    assert shown[1].start.isoformat() == "2027-03-14T18:00:00+01:00"
    assert service.upcoming(date(2027, 2, 1)) == [shown[1]]  # a passed follow-up no longer shows

    ics = AnnouncementService.calendar(shown, online="Online", alarm_text="I morgon").decode()
    assert ics.count("BEGIN:VEVENT") == 2 and "SUMMARY:Föreläsning: sömn och oro" in ics
    assert "TZID=Europe/Stockholm:20270314T180000" in ics and "LOCATION:Online" in ics
    assert f"UID:kraft-announcement-{lecture.id}" in ics and "TRIGGER:-P1D" in ics

    publisher.cancel(lecture.id, today=DAY)
    service.refresh()
    assert [u.announcement.id for u in service.upcoming(DAY)] == [follow.id]
    # two days after the last follow-up, the next change leaves them out of the list for everyone
    publisher.add(_fields(place="Lund"), today=date(2027, 1, 22))
    assert [a.id for a in publisher.current().announcements] == []  # type: ignore[union-attr]


def test_a_forged_announcement_is_refused(coordinator, relay, tmp_path: Path) -> None:  # noqa: F811
    key_line, publisher = coordinator
    publisher.announce(_announcement(DAY), today=DAY)
    reader = _changed_copy(key_line, relay.url, tmp_path / "reader", "announcements", "place", "Somewhere else")
    assert reader.cached() is None


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "party"}, "kind"), ({"title": " "}, "title"), ({"day": "2026-12-06"}, "day"), ({"day": "14/3"}, "day"),
    ({"time": "18"}, "time"), ({"zone": "Nowhere/Land"}, "zone"), ({"kind": "follow_up"}, "group"),
    ({"text": "x" * 301}, "text"), ({"place": "a\x00b"}, "place"),
])
def test_every_bad_announcement_field_is_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(KraftError) as caught:
        _announcement(DAY, **change)
    assert caught.value.msg is Msg.CATALOGUE_FIELD and caught.value.params["field"] == field
