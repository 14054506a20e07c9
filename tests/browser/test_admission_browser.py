"""Admission in Chromium (issue 15, docs/adr/0006-group-protocol-v2.md): a person asks to join through a real
relay; their group screen shows the check code to compare; the host's group screen lists the request with
the same code and "Let in", and after it the person is a member. Swedish and Danish, at phone width
(390x844) and on a laptop (1280x800); no text past the window's edge or over another.

Screenshots: artifacts/screenshots/<lang>-admission-<host|asking>-<390|1280>.png. Expected texts come from
the catalogs (`_()` in the language under test).
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
from tests.browser.test_homework_browser import _context, _schedule, _shoot_both_sizes, _wait_shown
from tests.conftest import PASSPHRASE
from tests.relay_process import start_relay

LANGS = {"sv": "sv_SE.UTF-8", "da": "da_DK.UTF-8"}


@pytest.mark.browser
@pytest.mark.parametrize("lang", sorted(LANGS))
def test_a_host_compares_the_check_code_and_lets_a_person_in(lang: str, served_app, web: FletWeb,
                                                            tmp_path: Path) -> None:
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)  # the relay keeps the real day
    relay = start_relay(tmp_path / "relay")
    try:
        leader = _context(tmp_path / "leader", today, journal=True)
        member = _context(tmp_path / "member", today, journal=False)
        try:
            group = leader.leader.create_group("Tisdagsgruppen", _schedule(today), relay=relay.url,
                                               enrolment=relay.enrolment_token(), now=today)
            leader.sync.run(now=today)
            member.joining.join(member.joining.read(leader.leader.invite(group.id, today=today.date()).link,
                                                    today=today.date()), name="Astrid", now=today)
            member.sync.run(now=today)
            code = member.joining.check_code(group.id)
        finally:
            leader.close()
            member.close()
        spaced = f"{code[:3]} {code[3:]}"
        with i18n.use(lang):
            waiting = _("A host lets you in. Compare this check code with theirs when you meet: {code}").format(
                code=spaced)
            on_host = _("Check code {code}: let them in only if their phone shows the same.").format(code=spaced)
            let_in, unlock, passphrase = _("Let in"), _("Unlock"), _("Passphrase")
            check, settings = _("Check for news"), _("Settings")
            checking = _("Checking for news from the group…")
            let_in_notice = _("{name} is let in. Their app gets the group's key the next time it connects.").format(
                name="Astrid")

        asking = served_app("app", env={"KRAFT_HOME": str(tmp_path / "member"), "LANG": LANGS[lang]})
        web.open(asking.url)
        web.text(re.compile("Tisdagsgruppen"), exact=False).last.click()  # under "My groups"
        _wait_shown(web, waiting)
        _shoot_both_sizes(web, f"{lang}-admission-asking", waiting)
        asking.stop()

        host = served_app("app", env={"KRAFT_HOME": str(tmp_path / "leader"), "LANG": LANGS[lang]})
        web.open(host.url)
        web.type_into(passphrase, PASSPHRASE)
        web.click_button(unlock)
        group_row = web.text(re.compile("Tisdagsgruppen"), exact=False).first
        web.open_tab(settings, group_row)  # with a journal, the groups are under Settings
        group_row.click()
        web.click_and_wait_done(check, checking)
        _wait_shown(web, on_host)
        _shoot_both_sizes(web, f"{lang}-admission-host", on_host)
        web.click_button(let_in)
        _wait_shown(web, let_in_notice)
        web.screenshot(f"{lang}-admission-let-in", settle_ms=500)
        assert web.text(re.compile(re.escape(on_host)), exact=False).count() == 0  # no longer asking
        member_ctx = AppContext.open(tmp_path / "member", clock=lambda: today)
        try:
            member_ctx.sync.run(now=today)  # the welcome arrives: the person is a member now
            assert not member_ctx.joining.waiting_to_be_let_in(group.id)
        finally:
            member_ctx.close()
    finally:
        relay.stop()
