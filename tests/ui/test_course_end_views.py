"""The end of a course on the real group screen (issue 18 point 6, ADR 0014): once the last meeting has begun,
Astrid answers "Go on as a group?" (sent, counted once), says privately whether she would lead a group one day
(kept in her journal, nothing sent), and opens the editor on the course's reflection prompt."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain.prompts import COURSE_PROMPT
from app.domain.schedule import Schedule
from app.services.vault_service import VaultService
from tests.ui.harness import run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_roles_views import Group, group, notice, open_ctx, open_group  # noqa: F401
from tests.ui.test_views import el


def _last_meeting_now(home, group_id: str) -> None:  # type: ignore[no-untyped-def]
    """This device's copy of the schedule: two meetings, the last began half an hour ago and is going on."""
    start = (datetime.now(ZoneInfo("Europe/Stockholm")) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    ctx = open_ctx(home)
    try:
        ctx.groups.update_schedule(group_id, Schedule.weekly(zone="Europe/Stockholm", first=start.date() - timedelta(
            days=7), at=start.time().replace(tzinfo=None), count=2))
    finally:
        ctx.close()


async def test_before_the_last_meeting_there_is_no_course_end(group: Group) -> None:  # noqa: F811
    services: list[VaultService] = []
    async with run_app(_main(group.astrid, services)) as ui:
        await open_group(ui, group.id)
        assert ui.query(key="course-go-on-yes") is None and ui.query(key="course-lead") is None
    for service in services:
        service.close()


async def test_after_the_last_meeting_began_astrid_answers_and_keeps_would_lead_private(group: Group) -> None:  # noqa: F811
    _last_meeting_now(group.astrid, group.id)
    services: list[VaultService] = []
    async with run_app(_main(group.astrid, services)) as ui:
        await open_group(ui, group.id)
        assert (await el(ui, "course-prompt")).value == COURSE_PROMPT.text
        assert ui.query(key="theme-propose") is None and ui.query(key="theme-pick") is None  # no meetings to come
        await ui.click(await el(ui, "course-go-on-yes"))
        await notice(ui, "Your answer is sent")
        assert (await el(ui, "course-mine")).value == "Your answer: Yes"
        assert (await el(ui, "course-go-on-yes")).content == "Yes · 1 answer"
        await ui.fire(await el(ui, "course-lead"), "change", "maybe", props={"value": "maybe"})
        await notice(ui, "Kept in your journal. Nothing is sent.")
        await ui.click(await el(ui, "course-reflect"))
        assert (await el(ui, "prompt-text")).value == COURSE_PROMPT.text
        assert (await el(ui, "prompt")).value == COURSE_PROMPT.id
    for service in services:
        service.close()
    ctx = open_ctx(group.astrid)
    try:
        assert ctx.course.lead() == "maybe"
        assert not [w for w in ctx.links.waiting() if w.group_id == group.id], "the answer was sent at once"
    finally:
        ctx.close()
