"""AppContext: services built once per context, all on one engine, vault and LinkStore; refreshed at unlock
and lock; a clear error for a journal that is not open."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.config import Profile, Relay
from app.errors import KraftError, Msg
from app.services.context import AppContext
from tests.conftest import FAST_KDF, PASSPHRASE

FIXED = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture
def ctx(home: Path) -> Iterator[AppContext]:
    context = AppContext.open(home, kdf=FAST_KDF, clock=lambda: FIXED)
    yield context
    context.close()


def _set_up_journal(ctx: AppContext) -> None:
    pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
    ctx.vault_service.finish_setup(pending, pending.recovery_code)


def test_services_are_built_once_and_share_one_engine_vault_and_link_store(ctx: AppContext) -> None:
    names = ("groups", "checkins", "links", "leader", "joining", "sync", "attendance", "news")
    first = {name: getattr(ctx, name) for name in names}
    assert all(getattr(ctx, name) is first[name] for name in names)
    for service in (ctx.groups, ctx.checkins, ctx.links, ctx.leader, ctx.joining, ctx.sync):
        assert service._engine is ctx.engine
        assert service._vault is ctx.vault
    for service in (ctx.leader, ctx.joining, ctx.sync, ctx.attendance):
        assert service._links is ctx.links
        assert service._groups is ctx.groups
    assert ctx.news._join is ctx.joining
    assert ctx.news._attendance is ctx.attendance
    assert ctx.engine is ctx.vault_service.engine
    assert ctx.vault is ctx.vault_service.vault


def test_open_takes_the_home_profile_language_and_clock(home: Path) -> None:
    profile = Profile(relay=Relay(url="https://relay.example"))
    context = AppContext.open(home, profile=profile, kdf=FAST_KDF, language="da", clock=lambda: FIXED)
    try:
        assert (context.home, context.profile, context.language, context.now()) == (home, profile, "da", FIXED)
        assert context.vault_service.kdf == FAST_KDF
        bare = AppContext.open(home)
        assert bare.profile is None and bare.settings() == Profile()  # the defaults, built when first asked
    finally:
        context.close()


def test_without_a_journal_the_journal_is_a_clear_error(ctx: AppContext) -> None:
    assert not ctx.has_vault() and not ctx.is_unlocked
    with pytest.raises(KraftError) as missing:
        _ = ctx.journal
    assert missing.value.msg is Msg.NO_VAULT


def test_refreshed_after_unlock_gives_the_journal_and_after_lock_none(ctx: AppContext) -> None:
    _set_up_journal(ctx)
    ctx.vault_service.lock()
    locked = ctx.refreshed()
    assert locked.has_vault() and not locked.is_unlocked
    with pytest.raises(KraftError) as refused:
        _ = locked.journal
    assert refused.value.msg is Msg.VAULT_LOCKED

    locked.vault_service.unlock(PASSPHRASE)
    unlocked = locked.refreshed()
    assert unlocked.is_unlocked
    assert unlocked.journal is unlocked.vault_service.journal
    assert unlocked.engine is locked.engine  # the same database, not a second one
    assert unlocked.groups is not locked.groups  # the cached services were dropped
    assert unlocked.language == locked.language and unlocked.now() == FIXED

    unlocked.vault_service.lock()
    again = unlocked.refreshed()
    with pytest.raises(KraftError) as closed:
        _ = again.journal
    assert closed.value.msg is Msg.VAULT_LOCKED
