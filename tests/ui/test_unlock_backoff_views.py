"""The unlock screen says calmly how long to wait after many wrong passphrases, instead of trying
(docs/adr/0009-web-client.md); the clock is injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.config import Profile
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.harness import run_app
from tests.ui.test_views import el, said_at


async def test_the_unlock_screen_shows_the_wait_then_opens(home: Path) -> None:
    now = [datetime(2026, 12, 4, 18, 0, tzinfo=UTC)]
    setup = VaultService(home, kdf=FAST_KDF)
    setup.finish_setup(pending := setup.prepare_setup(PASSPHRASE, PASSPHRASE), pending.recovery_code)
    setup.close()
    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF, clock=lambda: now[0]))
        return services[-1]

    async with run_app(build_main(factory, profile=Profile(default_language="sv"), tick_seconds=3600)) as ui:
        for _ in range(5):
            await ui.type((await el(ui, "unlock-passphrase")), "fel lösenfras")
            await ui.click(await el(ui, "unlock"))
            assert "inte" in await said_at(ui, "unlock-passphrase")
        await ui.type((await el(ui, "unlock-passphrase")), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        assert "Försök igen om 1 sekund." in (await el(ui, "notice")).value
        assert not ui.query(key="error")  # said calmly: no mistake of this try
        assert not services[-1].is_unlocked
        now[0] += timedelta(seconds=1)
        await ui.type((await el(ui, "unlock-passphrase")), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
    for svc in services:
        svc.close()
