"""The handover in Chromium (issue 15 points 3 and 8, docs/adr/0006-group-protocol-v2.md): the starter names
Astrid a host and steps back; Astrid's app, after checking for news, shows the host's part and sends the
homework; the starter, still a member, gets it. Swedish and Danish, at phone width (390x844) and on a
laptop (1280x800); no text past the window's edge or over another.

Screenshots: artifacts/screenshots/<lang>-handover-<shot>-<390|1280>.png, shot one of starter, stepped-back,
new-host, member-part, leave-dialog. Expected texts come from the catalogs (`_()` in the language under test).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from app import i18n
from app.i18n import _
from app.services.context import AppContext
from tests.browser.support import FletWeb
from tests.browser.test_homework_browser import SIZES, _check_fits, _context, _schedule, _wait_shown
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import start_relay

LANGS = {"sv": "sv_SE.UTF-8", "da": "da_DK.UTF-8"}


def _open_group(web: FletWeb, url: str) -> None:
    web.open(url)
    web.type_into(_("Passphrase"), PASSPHRASE)
    web.click_button(_("Unlock"))
    group = web.text(re.compile("Tisdagsgruppen"), exact=False).first
    web.open_tab(_("Settings"), group)  # with a journal, the groups are under Settings
    group.click()


def _shoot(web: FletWeb, name: str, wait_for: str) -> None:
    """Both sizes, each checked for cut or overlapping text. On this shared machine a resize reaches the
    semantics tree, and the scroll then the pixels, only after a while: waiting less once shot the old
    scroll position, and the audit's boxes then lay over other pixels (a false "low contrast")."""
    for width, height in SIZES:
        web.page.set_viewport_size({"width": width, "height": height})
        web.page.wait_for_timeout(1200)
        _wait_shown(web, wait_for)
        web.page.wait_for_timeout(800)
        web.rest_pointer()
        _check_fits(web, f"{name}-{width}", width)
        web.screenshot(f"{name}-{width}", settle_ms=1000)


@pytest.mark.browser
@pytest.mark.parametrize("lang", sorted(LANGS))
def test_the_starter_names_a_host_steps_back_and_the_host_sends_homework(lang: str, served_app, web: FletWeb,
                                                                         tmp_path: Path) -> None:
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)  # the relay keeps the real day
    relay = start_relay(tmp_path / "relay")
    try:
        starter = _context(tmp_path / "starter", today, journal=True)
        astrid = _context(tmp_path / "astrid", today, journal=True)
        try:
            group = starter.leader.create_group("Tisdagsgruppen", _schedule(today), relay=relay.url,
                                                enrolment=relay.enrolment_token(), now=today)
            starter.sync.run(now=today)
            astrid.joining.join(astrid.joining.read(starter.leader.invite(group.id, today=today.date()).link,
                                                    today=today.date()), name="Astrid", now=today)
            astrid.sync.run(now=today)
            starter.sync.run(now=today)
            starter.leader.admit_all(group.id, now=today)
            starter.sync.run(now=today)
            astrid.sync.run(now=today)
        finally:
            starter.close()
            astrid.close()
        with i18n.use(lang):
            make_host, named = _("Make host"), _("{name} is a host now: they can let people in, move meetings and "
                                                 "send homework.").format(name="Astrid")
            step_back, confirm, hosts = _("Step back as host"), _("Step back"), _("Hosts and the group's rules")
            stepped = _("You stepped back. The other hosts go on; you stay in the group.")
            check, send = _("Check for news"), _("Send to the group")
            checking = _("Checking for news from the group…")
            sent = _("The homework goes to the group.")
            contact, leaving, stay = _("Contact the starter"), _("I'm leaving the group"), _("Stay")

        with i18n.use(lang):
            host_app = served_app("app", env={"KRAFT_HOME": str(tmp_path / "starter"), "LANG": LANGS[lang]})
            _open_group(web, host_app.url)
        _wait_shown(web, make_host)
        _shoot(web, f"{lang}-handover-starter", hosts)
        web.click_button(make_host)
        _wait_shown(web, named)
        web.click_button(step_back)
        web.click_button(confirm)
        _wait_shown(web, stepped)
        _shoot(web, f"{lang}-handover-stepped-back", stepped)
        assert web.page.get_by_role("button", name=send).count() == 0  # the host's part is gone
        host_app.stop()

        with i18n.use(lang):
            new_host = served_app("app", env={"KRAFT_HOME": str(tmp_path / "astrid"), "LANG": LANGS[lang]})
            _open_group(web, new_host.url)
        web.click_and_wait_done(check, checking)  # the host's secret arrives: Astrid's app shows the host's part
        web.wait_for_button(send)
        web.click_button(send)
        _wait_shown(web, sent)
        _shoot(web, f"{lang}-handover-new-host", hosts)
        _shoot(web, f"{lang}-handover-member-part", contact)  # every member's part, further down
        web.click_button(leaving)
        _wait_shown(web, stay)
        _shoot(web, f"{lang}-handover-leave-dialog", stay)
        web.click_button(stay)  # nothing happens: Astrid stays the group's host
        web.wait_for_button(send)
        new_host.stop()

        member = AppContext.open(tmp_path / "starter", kdf=FAST_KDF, clock=lambda: today)
        try:
            member.vault_service.unlock(PASSPHRASE)
            member = member.refreshed()
            member.sync.run(now=today)  # the starter, now a member, gets the new host's homework
            details = member.groups.details(group.id)
            assert details is not None and details.homework_prompt_id == "strengths"
            assert not member.leader.is_leader(group.id)
        finally:
            member.close()
    finally:
        relay.stop()


@pytest.mark.browser
def test_the_leader_of_a_version_1_group_sees_how_to_move_it(served_app, web: FletWeb, tmp_path: Path) -> None:
    """The upgrade's part of a version 1 leader's group screen, in Swedish at both sizes: nothing cut off."""
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)
    relay = start_relay(tmp_path / "relay")
    try:
        starter = _context(tmp_path / "starter", today, journal=True)
        try:
            starter.leader.create_group("Tisdagsgruppen", _schedule(today), relay=relay.url,
                                        enrolment=relay.enrolment_token(), now=today, version=1)
            starter.sync.run(now=today)
        finally:
            starter.close()
        with i18n.use("sv"):
            title, move = _("A group that goes on without you"), _("Move the group to the new version")
            app = served_app("app", env={"KRAFT_HOME": str(tmp_path / "starter"), "LANG": LANGS["sv"]})
            _open_group(web, app.url)
        web.wait_for_button(move)
        web.text(title).first.scroll_into_view_if_needed()
        _shoot(web, "sv-upgrade-v1-group", title)
        app.stop()
    finally:
        relay.stop()
