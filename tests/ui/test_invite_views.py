"""The invite on the host's group screen (issue 17 point 7): a QR code of the short link, a full-screen view
of it (tap the code), "Copy link", and the system share sheet in built apps (the web client has none). The
link the screen copies is then read by another person's services through the same real relay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path

import flet as ft
import pytest

from app.config import Profile
from app.config import Relay as RelaySettings
from app.domain.schedule import Schedule
from app.errors import KraftError
from app.services.context import AppContext
from app.services.invite_qr import qr_version
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF
from tests.relay_process import Relay, shared_relay
from tests.ui.harness import UI, run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_roles_views import TODAY, new_person, open_ctx, open_group
from tests.ui.test_views import el

PHONE = {"web": False, "platform": "android", "width": 390.0, "height": 844.0}


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[Relay, Path, str]]:
    """A version 2 group on a real relay, its starter's data directory closed (the app opens it)."""
    relay = shared_relay()
    starter = new_person(tmp_path / "starter")
    try:
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18),
                                   count=6)
        made = starter.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=TODAY)
        assert not starter.sync.run(now=TODAY).problems
    finally:
        starter.close()
    yield relay, tmp_path / "starter", made.id


def _on_the_relay(link: str, person: AppContext) -> bool:
    """True once another person's app can read the invite behind the short link."""
    try:
        return person.joining.read(link, today=TODAY.date()).label == "Tisdag"
    except KraftError:  # not sent yet
        return False


async def _show_invite(ui: UI, group_id: str) -> str:
    await open_group(ui, group_id)
    await ui.click(await el(ui, "show-invite"))
    copy = await el(ui, "invite-copy")
    assert isinstance(copy.action, ft.CopyToClipboard)
    return str(copy.action.data)


async def test_the_phone_shows_a_small_code_full_screen_and_copies_and_shares_it(started, tmp_path) -> None:  # type: ignore[no-untyped-def]
    relay, home, group_id = started
    services: list[VaultService] = []
    async with run_app(_main(home, services), client=PHONE) as ui:
        link = await _show_invite(ui, group_id)
        assert link.startswith(f"{relay.url}/join#") and qr_version(link) <= 10
        assert (await el(ui, "invite-link")).value == link
        share = await el(ui, "invite-share")
        assert isinstance(share.action, ft.ShareText) and share.action.text == link
        await ui.click(await el(ui, "invite-copy"))
        assert "copied" in (await el(ui, "invite-copied")).value

        await ui.click(await el(ui, "invite-qr-open"))  # tap the code
        full = await el(ui, "invite-qr-full")
        assert [d.key for d in ui.open_dialogs()] == ["invite-full"] and full.width >= 340  # the phone's width
        assert isinstance(full.src, bytes) and full.src.startswith(b"\x89PNG")
        await ui.click(await el(ui, "invite-full-close"))
        await ui.wait_for(lambda: not ui.open_dialogs())

        # the app sent the sealed invite at once: the copied link opens for someone else
        astrid = new_person(tmp_path / "astrid")
        try:
            await ui.wait_for(lambda: _on_the_relay(link, astrid), timeout=15)
        finally:
            astrid.close()


async def test_the_web_client_copies_but_offers_no_share_sheet(started) -> None:  # type: ignore[no-untyped-def]
    _relay, home, group_id = started
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:  # the harness's default client: web, linux
        link = await _show_invite(ui, group_id)
        assert qr_version(link) <= 10
        assert ui.query(key="invite-share") is None


async def test_the_app_opened_from_a_short_link_fills_in_the_whole_link(started, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A phone opening {relay}/join#S in the app hands over only the route, "/join#S": the secret names no
    relay, so the app completes it with the region's relay and the join screen checks it as pasted."""
    relay, home, group_id = started
    host = open_ctx(home)
    try:
        made = host.leader.shareable_invite(group_id, now=TODAY)
        assert not host.sync.run(now=TODAY).problems
    finally:
        host.close()
    secret = made.short.rsplit("#", 1)[1]
    (tmp_path / "astrid").mkdir()
    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(tmp_path / "astrid", kdf=FAST_KDF))
        return services[-1]

    main = build_main(factory, profile=Profile(default_language="en", relay=RelaySettings(url=relay.url)),
                      tick_seconds=3600, sync_seconds=3600, listen=False)
    async with run_app(main) as ui:
        await ui.navigate(f"/join#{secret}")
        assert (await el(ui, "invite-text")).value == made.short
        await ui.click(await el(ui, "check-invite"))
        await ui.wait_for(lambda: ui.query(key="join-group"), timeout=10)
        assert ui.query(text="Tisdag")
    for service in services:
        service.close()
