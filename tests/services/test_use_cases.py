"""The use cases the screens and the CLI share: check-in (with the news for the leader), homework, import."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services import attend, homework, journal_import
from app.services.checkin import ATTENDED, CANT_COME
from app.services.context import AppContext
from app.services.groups import Group
from tests.conftest import FAST_KDF, PASSPHRASE

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)  # between the 2nd (19 Nov) and 3rd (3 Dec) meeting
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass
class FakeNews:
    """Records what CheckInNews was asked to tell; `tells` is what `said` answers."""

    tells: bool = False
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def said(self, group: Group, meeting_id: str, status: str, *, now: datetime) -> bool:
        self.calls.append(("said", group.id, meeting_id, status, now))
        return self.tells

    def took_back(self, group: Group, meeting_id: str, was: str | None, *, now: datetime) -> None:
        self.calls.append(("took_back", group.id, meeting_id, was, now))


@pytest.fixture
def ctx(home: Path) -> Iterator[AppContext]:
    context = AppContext.open(home, kdf=FAST_KDF, clock=lambda: NOW)
    yield context
    context.close()


def _with_journal(ctx: AppContext) -> AppContext:
    pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
    ctx.vault_service.finish_setup(pending, pending.recovery_code)
    return ctx.refreshed()


def _group(ctx: AppContext) -> Group:
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 11, 5), at=time(18), interval=2, count=8)
    return ctx.groups.add("Torsdag", schedule)


def _news(ctx: AppContext, *, tells: bool = False) -> FakeNews:
    fake = FakeNews(tells=tells)
    ctx.news = fake  # type: ignore[assignment]  # the cached service, replaced for this context only
    return fake


# ---- check-in ----


def test_i_was_there_is_saved_and_passed_on_at_the_contexts_clock(ctx: AppContext) -> None:
    group = _group(ctx)
    first = group.schedule.meetings()[0].id
    news = _news(ctx)
    result = attend.check_in(ctx, group, first, ATTENDED)
    assert result == attend.CheckInResult(status=ATTENDED, was=None, removed=False, told=False)
    assert not result.cant_come
    assert ctx.checkins.status(group, first) == ATTENDED
    assert news.calls == [("said", group.id, first, ATTENDED, NOW)]


def test_i_cant_come_says_whether_the_leader_will_be_told(ctx: AppContext) -> None:
    group = _group(ctx)
    third = group.schedule.meetings()[2].id
    news = _news(ctx, tells=True)
    result = attend.check_in(ctx, group, third, CANT_COME)
    assert result.told and result.cant_come and result.status == CANT_COME
    assert ctx.checkins.status(group, third) == CANT_COME
    news.tells = False
    assert not attend.check_in(ctx, group, third, CANT_COME).told


def test_taking_back_clears_the_check_in_and_tells_what_was_said(ctx: AppContext) -> None:
    group = _group(ctx)
    third = group.schedule.meetings()[2].id
    news = _news(ctx)
    attend.check_in(ctx, group, third, CANT_COME)
    later = datetime(2026, 11, 23, tzinfo=UTC)
    result = attend.check_in(ctx, group, third, None, now=later)
    assert result == attend.CheckInResult(status=None, was=CANT_COME, removed=True, told=False)
    assert ctx.checkins.status(group, third) is None
    assert news.calls[-1] == ("took_back", group.id, third, CANT_COME, later)
    assert attend.check_in(ctx, group, third, None) == attend.CheckInResult(None, None, False, False)


def test_the_real_news_for_a_group_not_joined_through_a_relay_tells_nobody(ctx: AppContext) -> None:
    group = _group(ctx)
    third = group.schedule.meetings()[2].id
    assert attend.check_in(ctx, group, third, CANT_COME).told is False
    assert attend.check_in(ctx, group, third, None).removed


def test_a_sealed_check_in_needs_the_journal_open(ctx: AppContext) -> None:
    ctx = _with_journal(ctx)
    group = _group(ctx)
    ctx.vault_service.lock()
    locked = ctx.refreshed()
    with pytest.raises(KraftError) as refused:
        attend.check_in(locked, group, group.schedule.meetings()[0].id, ATTENDED)
    assert refused.value.msg is Msg.CHECKIN_NEEDS_UNLOCK


# ---- homework ----


def test_homework_is_a_library_prompt_or_the_groups_own_words(ctx: AppContext) -> None:
    ctx = _with_journal(ctx)
    group = _group(ctx)
    noted = homework.note_homework(ctx, group, "strengths", "ignored for a prompt")
    assert (noted.homework_prompt_id, noted.homework_text, noted.homework_set) == ("strengths", "", NOW)
    own = homework.note_homework(ctx, group, homework.OWN, "  What gives\nyou meaning? ")
    assert (own.homework_prompt_id, own.homework_text) == ("", "What gives you meaning?")
    cleared = homework.clear_homework(ctx, group)
    assert (cleared.homework_prompt_id, cleared.homework_text, cleared.homework_set) == ("", "", None)
    with pytest.raises(KraftError) as missing:
        homework.note_homework(ctx, group, homework.OWN, "   ")
    assert missing.value.msg is Msg.HOMEWORK_MISSING


def test_homework_needs_a_journal(ctx: AppContext) -> None:
    group = _group(ctx)
    with pytest.raises(KraftError) as refused:
        homework.note_homework(ctx, group, "strengths")
    assert refused.value.msg is Msg.HOMEWORK_NEEDS_JOURNAL


# ---- import ----


def test_import_returns_the_report_and_the_lines_screen_and_cli_show(ctx: AppContext) -> None:
    ctx = _with_journal(ctx)
    data = (FIXTURES / "dayone.json").read_bytes()
    result = journal_import.import_entries(ctx.journal, "dayone-json", data, source="Journal.json")
    assert result.report.imported == 2 and ctx.journal.count() == 2
    assert result.lines() == [
        "Imported 2 entries.",
        "Skipped 2 items:",
        "• entry 3 (not a date): missing or invalid date or time",
        "• entry 4 (2026-05-09T10:00:00Z): the text is empty",
        "Imported, but without what Kraft does not keep:",
        "• entry 1 (2026-05-01T16:22:10Z): left out 1 photo or other attachment, the place, the weather",
    ]
    assert result.lines(bullet="  - ")[2] == "  - entry 3 (not a date): missing or invalid date or time"
    assert result.data() == {"imported": 2, "skipped": result.report.skipped, "left_out": result.report.left_out}
    again = journal_import.import_entries(ctx.journal, "dayone-json", data, source="Journal.json")
    assert again.lines()[0] == "Imported 0 entries." and ctx.journal.count() == 2


def test_an_unknown_import_format_is_a_clear_error(ctx: AppContext) -> None:
    ctx = _with_journal(ctx)
    with pytest.raises(KraftError) as refused:
        journal_import.import_entries(ctx.journal, "csv", b"", source="x.csv")
    assert refused.value.msg is Msg.IMPORT_BAD_FILE
