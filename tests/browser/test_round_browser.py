"""My round's chart and the group's theme vote in Chromium (issue 18), in Swedish and Danish at phone width and
wide: nothing cut or painted over, every screenshot audited for names and contrast."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from app import i18n
from app.domain.schedule import Schedule
from app.services.context import AppContext
from app.services.my_round import RoundService
from app.services.vault_service import VaultService
from tests.browser.support import FletWeb
from tests.browser.test_homework_browser import _check_fits, _wait_shown
from tests.browser.test_screens_browser import _fill
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import shared_relay
from tests.ui.test_roles_views import ask, open_ctx


def _rounds(home: Path) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    service.unlock(PASSPHRASE)
    days = iter(datetime(2026, 10, 6, 17, tzinfo=UTC) + timedelta(weeks=w) for w in range(6))
    rounds = RoundService(service.vault, now=lambda: next(days))
    for score in (2, 3, 2, 4, 3, 4):
        rounds.add(score, "")
    service.close()


def _shoot(web: FletWeb, name: str, shown: str) -> None:
    for width, height in ((390, 844), (1280, 800)):
        web.page.set_viewport_size({"width": width, "height": height})
        _wait_shown(web, shown)
        web.rest_pointer()
        _check_fits(web, f"{name}-{width}", width)
        web.screenshot(f"{name}-{width}", settle_ms=800)


def _group_with_astrid(tmp_path: Path, lang: str, *, speaks: str) -> tuple[Path, Path, str, datetime]:
    """The starter's group (six meetings from three days on) with Astrid let in, through a real relay; the app
    of `speaks` ("starter" or "astrid") in `lang`. Returns both homes, the group's id and the day."""
    relay = shared_relay()
    starter_home, astrid_home = tmp_path / "starter", tmp_path / "astrid"
    starter_home.mkdir()
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)
    starter = AppContext.open(starter_home, kdf=FAST_KDF, clock=lambda: today)
    pending = starter.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
    starter.vault_service.finish_setup(pending, pending.recovery_code)
    starter = starter.refreshed()
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18), count=6)
    group = starter.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                        now=today)
    starter.sync.run(now=today)
    starter.close()
    ask(astrid_home, starter_home, group.id, "Astrid")
    host = open_ctx(starter_home)
    host.sync.run(now=today)
    host.leader.admit_all(group.id, now=today)
    host.sync.run(now=today)
    host.close()
    speaker = VaultService(starter_home if speaks == "starter" else astrid_home, kdf=FAST_KDF)
    speaker.set_preference("language", lang)
    speaker.close()
    return starter_home, astrid_home, group.id, today


def open_app(served_app: Any, web: FletWeb, home: Path, lang: str, *, unlock: bool = True) -> None:
    """The app on `home`'s data in Chromium at phone width; unlocked with the passphrase unless told not to."""
    server = served_app("app", env={"KRAFT_HOME": str(home)})
    web.page.set_viewport_size({"width": 390, "height": 844})
    web.open(server.url)
    if unlock:
        with i18n.use(lang):
            web.type_into(i18n._("Passphrase"), PASSPHRASE)
            web.click_button(i18n._("Unlock"))


def _home_with_plan(tmp_path: Path, lang: str, *, helps: tuple[str, ...], short: bool = False) -> Path:
    """A journal in `lang` with a crisis plan (warning signs, `helps`, a person, a professional contact);
    with `short` its short version is readable without unlocking."""
    from app.services.my_round import Contact, CrisisPlan, PlanService

    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    service = VaultService(home, kdf=FAST_KDF)
    service.unlock(PASSPHRASE)
    plans = PlanService(service.engine, service.vault)
    plans.save(CrisisPlan(warning_signs=("Jag slutar sova",), helps=helps, people=(Contact("Lisa", "070-123 45 67"),),
                          professionals=(Contact("Vårdcentralen", "+46 8 123 456"),)))
    if short:
        plans.show_short_without_unlock(True)
    service.close()
    return home


def _shoot_at(web: FletWeb, heading: str, name: str) -> None:
    """At phone width and wide: `heading` near the top, the fit audited, a screenshot."""
    for width, height in ((390, 844), (1280, 800)):
        web.page.set_viewport_size({"width": width, "height": height})
        # scrolled by the wheel, as a person does: Flutter then moves its pixels and its semantics together
        # (scrolling the semantics node into view moved the boxes the audit reads, and not the pixels)
        web.page.mouse.move(width / 2, height / 2)
        for _step in range(40):
            box = web.text(heading).first.bounding_box()
            if box is not None and 60 <= box["y"] <= 160:
                break
            web.page.mouse.wheel(0, 150 if box is None or box["y"] > 160 else -150)
            web.page.wait_for_timeout(100)
        web.rest_pointer()
        _check_fits(web, f"{name}-{width}", width)
        web.screenshot(f"{name}-{width}", settle_ms=800)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_my_round_draws_the_course(served_app, web: FletWeb, tmp_path: Path, lang: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    _rounds(home)
    with i18n.use(lang):
        toolkit, mine, over = i18n._("Toolkit"), i18n._("My round"), i18n._("My rounds over the course")
    open_app(served_app, web, home, lang)
    web.page.get_by_role("tab", name=re.compile(re.escape(toolkit))).first.click()
    web.click_button(mine)
    _wait_shown(web, over)
    with i18n.use(lang):  # the chart, read out: the last note in words
        last = i18n._("{day}: {score} of 5").format(day=i18n.format_day(date(2026, 11, 10)), score=4)
    _wait_shown(web, last)
    _shoot(web, f"{lang}-my-round", over)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_the_host_sees_the_theme_vote_in_counts(served_app, web: FletWeb, tmp_path: Path, lang: str) -> None:
    starter_home, astrid_home, group_id, today = _group_with_astrid(tmp_path, lang, speaks="starter")
    astrid = open_ctx(astrid_home)
    astrid.sync.run(now=today)
    meeting = astrid.groups.get(group_id).schedule.next_meeting(today)
    assert meeting is not None
    pain = astrid.themes.propose(group_id, meeting.id, theme="living_with_pain", now=today)
    astrid.themes.propose(group_id, meeting.id, text="Att våga säga nej", now=today)
    astrid.themes.vote(group_id, meeting.id, pain, now=today)
    astrid.sync.run(now=today)
    astrid.close()
    host = open_ctx(starter_home)  # the host votes too: her own vote with "Take back my vote" beside it
    host.sync.run(now=today)
    host.themes.vote(group_id, meeting.id, pain, now=today)
    host.close()

    with i18n.use(lang):
        heading = i18n._("Themes for the next meeting")
        two, take_back = i18n.ngettext("{n} vote", "{n} votes", 2).format(n=2), i18n._("Take back my vote")
    open_app(served_app, web, starter_home, lang)
    web.wait_for_label(re.compile("Tisdag"), exact=False).click()
    web.wait_for_text(two)
    web.wait_for_button(take_back)
    _shoot_at(web, heading, f"{lang}-theme-vote")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_my_crisis_plan_reads_in_a_hard_moment(served_app, web: FletWeb, tmp_path: Path, lang: str) -> None:
    home = _home_with_plan(tmp_path, lang, helps=("En promenad vid vattnet", "Ringa Lisa"))
    with i18n.use(lang):
        toolkit, plan, signs = i18n._("Toolkit"), i18n._("My crisis plan"), i18n._("My warning signs")
    open_app(served_app, web, home, lang)
    web.page.get_by_role("tab", name=re.compile(re.escape(toolkit))).first.click()
    web.click_button(plan)
    _shoot(web, f"{lang}-crisis-plan", signs)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_the_end_of_a_course_asks_three_things(served_app, web: FletWeb, tmp_path: Path, lang: str) -> None:
    """Issue 18 point 6: once the last meeting began, Astrid's group screen holds the reflection, "go on as a
    group?" with its counts and her answer, and the private "would you lead a group one day?"."""
    from zoneinfo import ZoneInfo

    _starter_home, astrid_home, group_id, today = _group_with_astrid(tmp_path, lang, speaks="astrid")
    astrid = open_ctx(astrid_home)
    astrid.sync.run(now=today)
    start = (datetime.now(ZoneInfo("Europe/Stockholm")) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    astrid.groups.update_schedule(group_id, Schedule.weekly(  # this device's copy: the last meeting is going on
        zone="Europe/Stockholm", first=start.date() - timedelta(days=7), at=start.time().replace(tzinfo=None),
        count=2))
    astrid.course.go_on(group_id, "yes", now=datetime.now(UTC))
    astrid.course.would_lead("maybe")
    astrid.sync.run(now=datetime.now(UTC))
    astrid.close()

    with i18n.use(lang):
        heading = i18n._("The end of the course")
        lead = i18n._("Would you lead a group one day?")
    open_app(served_app, web, astrid_home, lang)
    web.wait_for_label(re.compile("Tisdag"), exact=False).click()
    web.wait_for_text(lead)
    _shoot_at(web, heading, f"{lang}-course-end")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_the_short_plan_is_on_help_while_the_journal_is_locked(served_app, web: FletWeb, tmp_path: Path,
                                                               lang: str) -> None:
    """Issue 18 point 5: the member opted in, so Help shows what helps and whom to call (people and
    professionals, with tel: links) without unlocking; the warning signs stay in the journal."""
    home = _home_with_plan(tmp_path, lang, helps=("En promenad vid vattnet",), short=True)
    with i18n.use(lang):
        help_word, helps, signs = i18n._("Need help now?"), i18n._("What helps me"), i18n._("My warning signs")
    open_app(served_app, web, home, lang, unlock=False)
    web.click_button(help_word)  # the button is read out by its icon's name
    web.wait_for_text("• En promenad vid vattnet")
    web.wait_for_button(re.compile("Vårdcentralen"))  # read out with its number
    assert web.text(signs).count() == 0 and web.text("Jag slutar sova").count() == 0  # the short version only
    _shoot(web, f"{lang}-help-short-plan", helps)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_the_next_meeting_card_shows_the_theme_once_unlocked(served_app, web: FletWeb, tmp_path: Path,
                                                           lang: str) -> None:
    """Issue 18 point 3: a host set the next meeting's theme; Astrid's card shows it with a journal open."""
    from app.domain.themes import get_theme

    starter_home, astrid_home, group_id, today = _group_with_astrid(tmp_path, lang, speaks="astrid")
    host = open_ctx(starter_home)
    meeting = host.groups.get(group_id).schedule.next_meeting(today)
    assert meeting is not None
    host.themes.set_theme(group_id, meeting.id, theme="living_with_pain", now=today)
    host.sync.run(now=today)
    host.close()
    theme = get_theme("living_with_pain")
    assert theme is not None
    with i18n.use(lang):
        shown = i18n._("Theme: {theme}").format(theme=theme.label(i18n.current()))
    open_app(served_app, web, astrid_home, lang)
    for width, height in ((390, 844), (1280, 800)):
        web.page.set_viewport_size({"width": width, "height": height})
        web.wait_for_label(re.compile(re.escape(shown)), exact=False)  # the card reads as one, theme in it
        web.rest_pointer()
        _check_fits(web, f"{lang}-next-meeting-theme-{width}", width)
        web.screenshot(f"{lang}-next-meeting-theme-{width}", settle_ms=800)
