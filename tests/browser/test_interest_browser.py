"""Issue 19 point 2 in Chromium (docs/adr/0016-region-catalogue.md), against a real relay: a member with a
journal says "I'm interested" in a group of the region's list, in Swedish at phone width; the coordinator,
with the region key in the open journal, reads "Groups forming" in Danish in a wide window, and starts a group
with the starter's invite. Nothing is cut or painted over; every screenshot is audited.

Screenshots: artifacts/screenshots/find-interest-sv-390-{list,form,sent}.png and
coord-interest-da-1280-{forming,leaders,start,started}.png. The expected texts come from the catalogs (`_()` in
the language under test), never typed in here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app import i18n
from app.domain.catalogue import find, shown
from app.i18n import _
from app.services.interest import InterestService
from app.services.region import Inbox
from app.services.vault_service import VaultService
from tests.browser.support import FletWeb
from tests.browser.test_finder_browser import LANGS, _fits, _profile
from tests.browser.test_homework_browser import _wait_shown
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay, shared_relay
from tests.services.test_relay_flow import NOW, _schedule
from tests.services.test_relay_flow import Profile as Device
from tests.ui.test_interest_views import make_region

CONTACT = "anna.svensson@example.org"


def _language(home: Path, lang: str) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    try:
        service.set_preference("language", lang)
    finally:
        service.close()


def _open(served_app: Any, web: FletWeb, tmp_path: Path, home: Path, region_key: str, relay: Relay, lang: str,
          size: tuple[int, int]) -> None:
    """The app on `home` with the region's profile, unlocked, at `size`, in `lang`."""
    _language(home, lang)
    config = _profile(tmp_path, region_key, relay.url, lang)
    server = served_app("app", env={"KRAFT_CONFIG": str(config), "KRAFT_HOME": str(home), "LANG": LANGS[lang]})
    web.page.set_viewport_size({"width": size[0], "height": size[1]})
    web.open(server.url)
    web.type_into(_("Passphrase"), PASSPHRASE)
    web.click_button(_("Unlock"))
    web.open_tab(_("Settings"), web.button(_("Start a group as its leader")).first)  # on Settings only


def _wheel_to(web: FletWeb, text: str) -> None:
    """Scroll by the wheel, as a person does, until `text` is inside the window below the app bar. Not by
    scrolling its semantics node into view: that moves the node and leaves Flutter's pixels (and the tap
    targets) where they were."""
    shown_at = web.text(re.compile(re.escape(text))).or_(web.label(re.compile(re.escape(text)))).first
    shown_at.wait_for(state="visible", timeout=web.timeout)
    width, height = web.page.evaluate("[innerWidth, innerHeight]")
    web.page.mouse.move(width / 2, height / 2)
    for _step in range(40):
        box = shown_at.bounding_box()
        if box and box["y"] >= 64 and box["y"] + min(box["height"], 120) < height - 20:
            break
        web.page.mouse.wheel(0, -150 if box and box["y"] < 64 else 150)
        web.page.wait_for_timeout(150)
    web.page.wait_for_timeout(400)


def _shot(web: FletWeb, name: str, width: int, shows: str) -> None:
    _wheel_to(web, shows)
    _fits(web, name, width)
    web.screenshot(name, settle_ms=800)


@pytest.mark.browser
def test_a_member_says_im_interested_in_swedish_at_phone_width(served_app: Any, web: FletWeb,
                                                               tmp_path: Path) -> None:
    relay = shared_relay()
    region = make_region(relay, tmp_path)
    member = Device.make(tmp_path / "member", journal=True)
    member.service.close()
    with i18n.use("sv"):
        first, second = find(region.entries, i18n.current())  # as the screen lists them: fewest needed first
        cards = [shown(e, i18n.current()) for e in (first, second)]
        _open(served_app, web, tmp_path, member.home, region.key_line, relay, "sv", (390, 844))
        find_group, interested = _("Find a group"), _("I'm interested")
        contact, send = _("Phone or e-mail (optional)"), _("Send")
        take_back = _("Take it back")
        reply = _("The coordinator can reach you at {contact}.").format(contact=CONTACT)
        web.wait_for_button(find_group).scroll_into_view_if_needed()
        web.click_button(find_group)
        _wait_shown(web, cards[1].title)
        web.page.mouse.wheel(0, -2000)
        _shot(web, "find-interest-sv-390-list", 390, cards[0].title)

        web.button(interested).first.click()
        _shot(web, "find-interest-sv-390-form", 390, contact)
        web.type_into(contact, CONTACT)
        web.click_button(send)
        _shot(web, "find-interest-sv-390-sent", 390, reply)
        web.wait_for_button(take_back)
        assert web.button(interested).count() == 1  # the other group's card still offers it
    assert [(r.request.entry, r.request.contact) for r in Inbox(region.publisher()).requests()
            if r.request is not None] == [(first.id, CONTACT)]  # the first card's, and only that


@pytest.mark.browser
def test_the_coordinators_groups_forming_in_danish_wide(served_app: Any, web: FletWeb, tmp_path: Path) -> None:
    relay = shared_relay()
    region = make_region(relay, tmp_path)
    malmo, _lund = region.entries
    for name, contact, language in (("anna", CONTACT, "sv"), ("bo", "", "da"), ("cleo", "+45 20 12 34 56", "da")):
        person = Device.make(tmp_path / name, journal=True)
        InterestService(person.service.vault, region_key=region.key_line, relay=relay.url,
                        language=language).interested(malmo, title="x", contact=contact, now=NOW)
        if name == "bo":
            InterestService(person.service.vault, region_key=region.key_line, relay=relay.url,
                            language=language).would_lead("yes", contact="bo@example.dk", now=NOW)
        person.service.close()
    starter = Device.make(tmp_path / "starter", journal=True)
    started = starter.leader().create_group("Tisdag", _schedule(), relay=relay.url, now=NOW,
                                            enrolment=relay.enrolment_token(region="Syd", label="Malmö"))
    starter.sync()
    link = starter.leader().invite(started.id, today=NOW.date(), uses=3).link
    starter.service.close()

    with i18n.use("da"):
        title = shown(malmo, i18n.current()).title
        _open(served_app, web, tmp_path, region.home, region.key_line, relay, "da", (1280, 800))
        forming, start, invite = _("Groups forming"), _("Start this group"), _("Invite link from the starter")
        count = i18n.ngettext("{n} person interested", "{n} people interested", 3).format(n=3)
        web.wait_for_button(_("Coordinator")).scroll_into_view_if_needed()
        web.click_button(_("Coordinator"))
        web.type_into(_("Coordinator token"), region.token)
        web.click_button(_("Show the counts"))
        _wheel_to(web, forming)
        _wheel_to(web, count)
        _shot(web, "coord-interest-da-1280-forming", 1280, f"{CONTACT} · Svenska")
        _shot(web, "coord-interest-da-1280-leaders", 1280, "bo@example.dk")

        _wheel_to(web, title)
        web.button(start).first.click()
        _wheel_to(web, _("Send the invite"))
        web.type_into(invite, link)
        _shot(web, "coord-interest-da-1280-start", 1280, invite)
        web.click_button(_("Send the invite"))
        sent = i18n.ngettext("The invite went to {n} interested person.",
                             "The invite went to {n} interested people.", 3).format(n=3)
        web.wait_for_text(sent)
        web.page.mouse.wheel(0, -4000)
        _shot(web, "coord-interest-da-1280-started", 1280, sent)
        assert web.button(start).count() == 1  # the started group is running: only the other can be started
    listed = region.publisher().current()
    assert listed is not None and listed.entry(malmo.id).status == "running"  # type: ignore[union-attr]
