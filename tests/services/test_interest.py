"""Issue 19 points 2 and 4 against a real relay process, on SQLite and PostgreSQL: "I'm interested" with and
without a contact, sealed to the region key; the coordinator counts per entry and opens contacts on its own
device; "Start this group" sends the starter's invite to every interested person's reply mailbox, and each one
joins; taking interest back removes it; "I would lead a group" reaches the coordinator sealed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import protocol as p
from app.errors import KraftError, Msg
from app.services.catalogue import CatalogueService
from app.services.interest import InterestService, check_contact
from app.services.region import Inbox, Publisher
from tests.services.test_catalogue import _fields, coordinator  # noqa: F401 - the fixture
from tests.services.test_relay_flow import NOW, Profile, _schedule, relay  # noqa: F401 - the fixture, both databases

DAY = date(2026, 12, 7)


@pytest.fixture
def region(coordinator):  # type: ignore[no-untyped-def]  # noqa: F811 - the region key line and its publisher
    return coordinator


def _person(tmp_path: Path, name: str, key_line: str, relay_url: str) -> tuple[Profile, InterestService]:
    person = Profile.make(tmp_path / name, journal=True)
    return person, InterestService(person.vault, region_key=key_line, relay=relay_url, language="sv")


def test_interest_is_counted_the_group_starts_and_everyone_interested_joins(region, relay, tmp_path: Path,  # noqa: F811
                                                                           ) -> None:
    key_line, publisher = region
    entry = publisher.add(_fields(needed=3), today=DAY)
    other = publisher.add(_fields(place="Lund"), today=DAY)
    people = [_person(tmp_path, name, key_line, relay.url) for name in ("anna", "bo", "cleo")]
    contacts = ["anna@example.org", "", "+46 70 123 45 67"]
    for (_profile, service), contact in zip(people, contacts, strict=True):
        service.interested(entry, title="Utmattning", contact=contact, now=NOW)
    people[0][1].interested(other, title="Utmattning", contact="", now=NOW)

    inbox = Inbox(publisher)
    received = inbox.requests()
    assert all(r.request is not None for r in received)
    counts = {e: len(rs) for e, rs in inbox.per_entry(received).items()}
    assert counts == {entry.id: 3, other.id: 1}
    assert sorted(r.contact for r in inbox.per_entry(received)[entry.id]) == ["", "+46 70 123 45 67",
                                                                              "anna@example.org"]

    starter = Profile.make(tmp_path / "starter", journal=True)
    group = starter.leader().create_group("Tisdag", _schedule(), relay=relay.url, now=NOW,
                                          enrolment=relay.enrolment_token(region="Syd", label="Malmö"))
    starter.sync()
    link = starter.leader().invite(group.id, today=NOW.date(), uses=3).link
    assert inbox.start(entry.id, link, today=DAY) == 3
    listed = CatalogueService(region_key=key_line, relay=relay.url, home=tmp_path / "reader").fetch().catalogue
    shown = listed.entry(entry.id)
    assert shown is not None and shown.status == "running" and shown.needed == 0

    for person, service in people:
        assert service.check_replies() == 1
        [mine] = [r for r in service.mine() if r.entry == entry.id]
        assert mine.invite == link
        person.joining().join(person.joining().read(mine.invite, today=NOW.date()), now=NOW)
        person.sync()
    starter.sync()
    assert len(starter.leader().admit_all(group.id, now=NOW)) == 3  # every interested person asked to join
    assert people[0][1].check_replies() == 0  # the other entry has not started: no invite for it


def test_taking_interest_back_removes_it_from_the_coordinators_count(region, relay, tmp_path: Path,  # noqa: F811
                                                                    ) -> None:
    key_line, publisher = region
    entry = publisher.add(_fields(), today=DAY)
    _anna, service = _person(tmp_path, "anna", key_line, relay.url)
    service.interested(entry, title="x", contact="", now=NOW)
    with pytest.raises(KraftError) as caught:
        service.interested(entry, title="x", contact="", now=NOW)
    assert caught.value.msg is Msg.INTEREST_EXISTS
    assert len(Inbox(publisher).requests()) == 1
    service.withdraw(entry.id)
    assert Inbox(publisher).requests() == [] and service.mine() == []
    with pytest.raises(KraftError) as caught:
        service.withdraw(entry.id)
    assert caught.value.msg is Msg.INTEREST_UNKNOWN


def test_a_would_be_leader_reaches_the_coordinator_sealed(region, relay, tmp_path: Path) -> None:  # noqa: F811
    key_line, publisher = region
    publisher.add(_fields(), today=DAY)
    _bo, service = _person(tmp_path, "bo", key_line, relay.url)
    service.would_lead("maybe", contact="bo@example.org", now=NOW)
    service.would_lead("yes", contact="bo@example.org", now=NOW)  # a later answer replaces the first
    [leader] = Inbox(publisher).leaders(Inbox(publisher).requests())
    assert (leader.answer, leader.contact) == ("yes", "bo@example.org")


def test_another_regions_key_opens_nothing(region, relay, tmp_path: Path) -> None:  # noqa: F811
    key_line, publisher = region
    entry = publisher.add(_fields(), today=DAY)
    _anna, service = _person(tmp_path, "anna", key_line, relay.url)
    service.interested(entry, title="x", contact="anna@example.org", now=NOW)
    stranger = Publisher(p.Identity.new(), relay=relay.url, token=relay.coordinator_token())
    stranger.region = publisher.region  # reads this region's list with a key of its own
    assert [r.request for r in Inbox(stranger).requests()] == [None]


def test_without_a_journal_interest_is_refused_in_words(region, relay, tmp_path: Path) -> None:  # noqa: F811
    key_line, publisher = region
    entry = publisher.add(_fields(), today=DAY)
    person = Profile.make(tmp_path / "nojournal", journal=False)
    service = InterestService(person.vault, region_key=key_line, relay=relay.url, language="sv")
    with pytest.raises(KraftError) as caught:
        service.interested(entry, title="x", contact="", now=NOW)
    assert caught.value.msg is Msg.INTEREST_NEEDS_JOURNAL
    assert Inbox(publisher).requests() == []


@pytest.mark.parametrize("text", ["hello", "12", "a@b", "x" * 200 + "@example.org", "+46 70\n123 45 67x"])
def test_a_contact_that_is_no_phone_or_address_is_refused(text: str) -> None:
    with pytest.raises(KraftError) as caught:
        check_contact(text)
    assert caught.value.msg is Msg.CONTACT_INVALID


def test_a_phone_or_an_address_is_kept_tidy() -> None:
    assert check_contact("  +46 70  123 45 67 ") == "+46 70 123 45 67"
    assert check_contact("anna@example.org") == "anna@example.org"
    assert check_contact("   ") == ""


def test_a_request_whose_sending_was_cut_off_can_still_be_taken_back(region, relay, tmp_path: Path,  # noqa: F811
                                                                     ) -> None:
    from app.storage import records

    key_line, publisher = region
    entry = publisher.add(_fields(), today=DAY)
    anna, service = _person(tmp_path, "anna", key_line, relay.url)
    # what _send keeps before the relay answers, as an app stopped at that moment leaves it
    anna.vault.put(records.INTEREST.name, records.INTEREST.pack(
        {"kind": "interest", "entry": entry.id, "title": "x", "contact": "", "sent_on": "2026-12-07",
         "at": "2026-12-07T10:00:00+00:00", "relay_id": "", "secret": p.new_withdraw_secret(),
         "box": p.new_reply_box().to_secret(), "invite": ""}), records.INTEREST.new_id())
    assert [r.entry for r in service.mine()] == [entry.id]
    offline = InterestService(anna.vault, region_key=key_line, relay="http://127.0.0.1:9", language="sv")
    offline.withdraw(entry.id)  # the relay never gave it an id: nothing to ask there, even offline
    assert service.mine() == []
