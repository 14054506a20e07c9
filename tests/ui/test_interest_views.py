"""Issue 19 points 2 and 4 in the UI, against a real relay process (docs/adr/0016-region-catalogue.md): a
member with a journal says "I'm interested" in a group of the region's list, with a contact, and takes it back
(the coordinator's list on the relay changes each time); without a journal the reason shows at the card, calm,
with the way to a journal; the coordinator, with the region key in the open journal, sees the count and the
contact opened on that device, starts the group with the starter's invite, and the member's "Find a group"
then offers to join it with the invite filled in; a would-be leader at the end of a course tells the
coordinator, sealed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import flet as ft
import pytest

from app.config import Organisation, Profile, Relay
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.interest import InterestService
from app.services.region import Inbox, Publisher, RegionKeys, check_fields
from app.services.vault_service import VaultService
from app.views.app import build_main
from protocol import CatalogueEntry
from protocol.interest import CONTACT_MAX
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay as RelayProcess
from tests.relay_process import shared_relay
from tests.services.test_relay_flow import NOW, _schedule
from tests.services.test_relay_flow import Profile as Device
from tests.ui.harness import UI, run_app
from tests.ui.test_course_end_views import _last_meeting_now
from tests.ui.test_roles_views import Group, group, notice, open_group  # noqa: F401 - the fixture
from tests.ui.test_views import el, onboard, said_at, tab

DAY = date(2026, 12, 7)
CONTACT = "anna@example.org"


@dataclass
class Region:
    """A coordinator's device with the region key in its journal, and the list it published on the relay."""

    relay: RelayProcess
    home: Path  # the coordinator's data directory (journal: PASSPHRASE)
    key_line: str
    token: str
    entries: list[CatalogueEntry]

    def publisher(self) -> Publisher:
        """The coordinator's side as the services see it (opened on its own, then closed)."""
        service = VaultService(self.home, kdf=FAST_KDF)
        try:
            service.unlock(PASSPHRASE)
            identity = RegionKeys(service.vault).identity()
        finally:
            service.close()
        return Publisher(identity, relay=self.relay.url, token=self.token)

    def requests(self) -> list[tuple[str, str]]:
        """The relay's list as the coordinator opens it: (entry, contact) of each request."""
        return [(r.request.entry, r.request.contact) for r in Inbox(self.publisher()).requests()
                if r.request is not None]

    def profile(self) -> Profile:
        return Profile(default_language="en", organisation=Organisation(region_key=self.key_line),
                       relay=Relay(url=self.relay.url))


def _fields(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"status": "forming", "theme": "exhaustion", "words": "", "place": "Malmö",
                               "language": "sv", "weekday": 2, "time": "18:00", "zone": "Europe/Stockholm",
                               "needed": 3, "intake": "040-123 45 67"}
    return check_fields(**{**base, **changes})  # type: ignore[arg-type]


def make_region(relay: RelayProcess, tmp_path: Path) -> Region:
    """A coordinator's journal with a new region key, and two forming groups on the relay's list."""
    home = tmp_path / "coordinator"
    coordinator = Device.make(home, journal=True)
    try:
        key_line = RegionKeys(coordinator.service.vault).create()
        token = relay.coordinator_token()
        publisher = Publisher(RegionKeys(coordinator.service.vault).identity(), relay=relay.url, token=token)
        entries = [publisher.add(_fields(), today=DAY),
                   publisher.add(_fields(theme="living_with_pain", place="Lund", needed=1), today=DAY)]
    finally:
        coordinator.service.close()
    return Region(relay=relay, home=home, key_line=key_line, token=token, entries=entries)


@pytest.fixture
def region(tmp_path: Path) -> Iterator[Region]:
    yield make_region(shared_relay(), tmp_path)  # emptied; one process per test worker


def _main(home: Path, profile: Profile, services: list[VaultService]):  # type: ignore[no-untyped-def]
    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    return build_main(factory, profile=profile, tick_seconds=3600, listen=False)


def _close(services: list[VaultService]) -> None:
    for service in services:
        service.close()


async def _unlock(ui: UI) -> None:
    await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
    await ui.click(await el(ui, "unlock"))
    await el(ui, "new-entry")


async def _find_from_settings(ui: UI, entries: list[CatalogueEntry]) -> None:
    await tab(ui, 3)
    await ui.click(await el(ui, "open-find"))
    for entry in entries:
        await el(ui, f"find-entry-{entry.id}")


async def test_a_member_says_im_interested_with_a_contact_and_takes_it_back(region: Region, tmp_path: Path) -> None:
    malmo, lund = region.entries
    home = tmp_path / "member"
    home.mkdir()
    services: list[VaultService] = []
    async with run_app(_main(home, region.profile(), services)) as ui:
        await onboard(ui)
        await _find_from_settings(ui, region.entries)
        await ui.click(await el(ui, f"find-interest-{malmo.id}"))
        contact = await el(ui, "interest-contact")
        assert contact.label == _("Phone or e-mail (optional)")
        assert contact.helper == _("Without one, the coordinator's reply comes here in the app.")
        await ui.type(contact, "not a contact")
        await ui.click(await el(ui, "interest-send"))
        assert await said_at(ui, "interest-contact") == str(KraftError(Msg.CONTACT_INVALID, maximum=CONTACT_MAX))
        assert region.requests() == []  # refused here: nothing went
        await ui.type(ui.find(key="interest-contact"), CONTACT)
        await ui.click(ui.find(key="interest-send"))
        said = await el(ui, f"find-interested-{malmo.id}")
        assert said.value == _("You said you are interested")
        assert ui.find(key=f"find-reply-{malmo.id}").value == _(
            "The coordinator can reach you at {contact}.").format(contact=CONTACT)
        assert ui.query(key="interest-contact") is None  # the form closed
        assert ui.query(key=f"find-interest-{malmo.id}") is None
        assert ui.query(key=f"find-interest-{lund.id}") is not None  # the other card is as it was
        assert region.requests() == [(malmo.id, CONTACT)]  # sealed to the region key, the contact inside

        await ui.click(await el(ui, f"find-withdraw-{malmo.id}"))
        await el(ui, f"find-interest-{malmo.id}")
        assert ui.query(key=f"find-interested-{malmo.id}") is None
        assert ui.query(key="error") is None
        assert region.requests() == []  # gone from the relay too

        await ui.click(ui.find(key=f"find-interest-{lund.id}"))  # without a contact: the reply comes in the app
        await ui.click(await el(ui, "interest-send"))
        assert (await el(ui, f"find-reply-{lund.id}")).value == _("The coordinator's reply comes here in the app.")
        assert region.requests() == [(lund.id, "")]
        await ui.click(ui.find(key="quick-exit"))  # a lock forgets what the journal said
        await ui.click(await el(ui, "neutral-back"))
        await _unlock(ui)
        await _find_from_settings(ui, region.entries)
        await el(ui, f"find-interested-{lund.id}")  # read back from the journal
    _close(services)


async def test_without_a_journal_the_reason_shows_at_the_card(region: Region, tmp_path: Path) -> None:
    malmo, lund = region.entries
    home = tmp_path / "anonymous"
    home.mkdir()
    services: list[VaultService] = []
    async with run_app(_main(home, region.profile(), services)) as ui:
        await ui.click(await el(ui, "open-find"))
        await el(ui, f"find-entry-{lund.id}")
        await ui.click(await el(ui, f"find-interest-{malmo.id}"))
        why = await el(ui, f"find-interest-problem-{malmo.id}")
        assert why.value == str(KraftError(Msg.INTEREST_NEEDS_JOURNAL))
        assert ui.query(key="error") is None  # no red line on top of the page
        assert ui.query(key="interest-contact") is None  # no form to fill in for nothing
        assert ui.query(key=f"find-interest-problem-{lund.id}") is None  # said at the card it is about
        assert region.requests() == []
        await ui.click(await el(ui, f"find-make-journal-{malmo.id}"))
        await el(ui, "passphrase")  # the way to a journal: creating one
    _close(services)


async def _coordinator_opens(ui: UI, region: Region) -> None:
    await _unlock(ui)
    await tab(ui, 3)
    await ui.click(await el(ui, "open-coordinator"))
    await ui.type(await el(ui, "coord-token"), region.token)
    await ui.click(await el(ui, "coord-open"))
    await el(ui, "coord-totals")


async def test_the_coordinator_sees_interest_starts_the_group_and_the_member_can_join(
        region: Region, tmp_path: Path) -> None:
    malmo, lund = region.entries
    member = Device.make(tmp_path / "member", journal=True)
    InterestService(member.service.vault, region_key=region.key_line, relay=region.relay.url,
                    language="sv").interested(malmo, title="Utmattning", contact=CONTACT, now=NOW)
    member.service.close()
    InterestService(Device.make(tmp_path / "bo", journal=True).service.vault, region_key=region.key_line,
                    relay=region.relay.url, language="da").would_lead("maybe", contact="", now=NOW)
    starter = Device.make(tmp_path / "starter", journal=True)
    started = starter.leader().create_group("Tisdag", _schedule(), relay=region.relay.url, now=NOW,
                                            enrolment=region.relay.enrolment_token(region="Syd", label="Malmö"))
    starter.sync()
    link = starter.leader().invite(started.id, today=NOW.date(), uses=3).link
    starter.service.close()

    services: list[VaultService] = []
    async with run_app(_main(region.home, region.profile(), services)) as ui:
        await _coordinator_opens(ui, region)
        count = await el(ui, f"coord-count-{malmo.id}")
        assert count.value == "1 person interested"
        assert ui.find(key=f"coord-count-{lund.id}").value == "0 people interested"
        assert ui.query(ft.Semantics, label=f"{CONTACT} · Svenska") is not None  # opened here, selectable
        assert ui.find(key="coord-leader-0").value == "Maybe · no contact given"
        assert ui.query(key=f"coord-unreached-{malmo.id}") is None
        await ui.click(ui.find(key=f"coord-start-{malmo.id}"))
        await ui.click(await el(ui, "coord-start-send"))  # no invite yet: said at its field
        assert await said_at(ui, "coord-start-invite") == str(KraftError(Msg.INVITE_MISSING))
        await ui.type(ui.find(key="coord-start-invite"), link)
        await ui.click(ui.find(key="coord-start-send"))
        assert (await el(ui, "notice")).value == "The invite went to 1 interested person."
        await ui.wait_for(lambda: ui.query(key=f"coord-start-{malmo.id}") is None)  # running now: no start
        assert ui.query(key=f"coord-start-{lund.id}") is not None
        assert "Running" in ui.find(key=f"coord-entry-{malmo.id}").content.content.controls[2].value
        await ui.lifecycle(ft.AppLifecycleState.HIDE)  # leaving the app forgets the token and what was opened
        await ui.wait_for(lambda: ui.query(key=f"coord-count-{malmo.id}") is None)
    _close(services)

    services = []
    async with run_app(_main(member.home, region.profile(), services)) as ui:
        await _unlock(ui)
        await _find_from_settings(ui, region.entries)
        join = await el(ui, f"find-join-{malmo.id}")  # the reply mailbox brought the invite
        assert join.content == _("The group starts! Join it")
        assert ui.query(key=f"find-join-{lund.id}") is None
        await ui.click(join)
        assert (await el(ui, "invite-text")).value == link  # the join screen, the link filled in
        await ui.click(ui.find(key="check-invite"))
        await el(ui, "invite-preview")  # and it is a real invite to the starter's group
    _close(services)


async def test_the_coordinator_without_a_region_key_sees_nothing_new(region: Region, tmp_path: Path) -> None:
    home = tmp_path / "other-coordinator"
    Device.make(home, journal=True).service.close()
    services: list[VaultService] = []
    async with run_app(_main(home, region.profile(), services)) as ui:
        await _coordinator_opens(ui, region)
        assert ui.query(text=_("Groups forming")) is None
        assert ui.query(key=f"coord-entry-{region.entries[0].id}") is None
    _close(services)


async def test_a_would_be_leader_tells_the_coordinator_at_the_end_of_a_course(group: Group, tmp_path: Path,  # noqa: F811
                                                                              ) -> None:
    region = make_region(group.relay, tmp_path)  # on the relay the group uses (not emptied again)
    _last_meeting_now(group.astrid, group.id)
    services: list[VaultService] = []
    async with run_app(_main(group.astrid, region.profile(), services)) as ui:
        await open_group(ui, group.id)
        await el(ui, "course-lead")
        assert ui.query(key="course-lead-tell") is None  # nothing to tell before a yes or maybe
        await ui.fire(ui.find(key="course-lead"), "change", "no", props={"value": "no"})
        await notice(ui, "Kept in your journal")
        assert ui.query(key="course-lead-tell") is None
        await ui.fire(ui.find(key="course-lead"), "change", "yes", props={"value": "yes"})
        await ui.type(await el(ui, "course-lead-contact"), "not a contact")
        await ui.click(ui.find(key="course-lead-tell"))
        assert await said_at(ui, "course-lead-contact") == str(KraftError(Msg.CONTACT_INVALID, maximum=CONTACT_MAX))
        await ui.type(ui.find(key="course-lead-contact"), "070-123 45 67")
        await ui.click(ui.find(key="course-lead-tell"))
        await notice(ui, _("Your answer went, sealed, to your region's coordinator."))
        await el(ui, "course-lead-told")
        assert ui.query(key="course-lead-private") is None  # it is no longer only in the journal
    _close(services)
    [leader] = Inbox(region.publisher()).leaders(Inbox(region.publisher()).requests())
    assert (leader.answer, leader.contact) == ("yes", "070-123 45 67")


async def test_no_tell_the_coordinator_without_a_region_key(group: Group) -> None:  # noqa: F811
    _last_meeting_now(group.astrid, group.id)
    services: list[VaultService] = []
    profile = Profile(default_language="en", relay=Relay(url=group.relay.url))
    async with run_app(_main(group.astrid, profile, services)) as ui:
        await open_group(ui, group.id)
        await ui.fire(await el(ui, "course-lead"), "change", "yes", props={"value": "yes"})
        await notice(ui, "Kept in your journal")
        assert ui.query(key="course-lead-tell") is None and ui.query(key="course-lead-contact") is None
        assert ui.query(key="course-lead-private") is not None
    _close(services)
