"""Leader mode and joining in the UI (issue 4): start a group, show its invite, join it on another device."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import flet as ft
import pytest

from app.services.vault_service import VaultService
from protocol import read_invite, token_from_text
from tests.ui.harness import run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_views import el, onboard, said_at


async def _start_group(ui, first: date, enrolment: str = "") -> None:  # type: ignore[no-untyped-def]
    await onboard(ui)
    await ui.fire(ui.find(ft.NavigationBar), "change", 3, props={"selected_index": 3})
    await ui.click(await el(ui, "open-lead"))
    await ui.type(await el(ui, "lead-label"), "Tuesday group")
    await ui.type(await el(ui, "lead-first"), first.isoformat())
    await ui.type(await el(ui, "lead-count"), "8")
    await ui.type(await el(ui, "lead-theme"), "Balance in everyday life")
    if enrolment:
        await ui.type(await el(ui, "lead-enrolment"), enrolment)
    await ui.click(await el(ui, "lead-save"))


async def test_a_leader_starts_a_group_and_a_member_joins_it_from_the_link(tmp_path: Path) -> None:
    first = date.today() + timedelta(days=5)
    leader_home, member_home = tmp_path / "leader", tmp_path / "member"
    leader_home.mkdir()
    member_home.mkdir()
    services: list[VaultService] = []
    async with run_app(_main(leader_home, services)) as ui:
        await _start_group(ui, first)
        assert "Show the invite at the first meeting" in (await el(ui, "notice")).value
        assert ui.query(text="Nobody has joined yet.")
        await ui.click(await el(ui, "show-invite"))
        image = await el(ui, "invite-qr")
        assert isinstance(image.src, bytes) and image.src.startswith(b"\x89PNG")
        link = (await el(ui, "invite-link")).value
        assert link.startswith("kraft://join#")  # no relay in this profile: the link travels by hand
        assert ui.query(key="make-code") is None  # a join code needs a relay
    services[0].close()
    invite = read_invite(token_from_text(link), today=date.today())
    assert invite["label"] == "Tuesday group" and invite["theme"] == "Balance in everyday life"

    member_services: list[VaultService] = []
    async with run_app(_main(member_home, member_services)) as ui:
        await ui.click(await el(ui, "open-join"))
        await ui.type(await el(ui, "invite-text"), link[:-8] + "AAAAAAAA")  # damaged in the copying
        await ui.click(await el(ui, "check-invite"))
        assert "damaged" in await said_at(ui, "invite-text")  # at the field it was pasted in
        assert ui.query(key="join-group") is None
        await ui.type(await el(ui, "invite-text"), f"  {link}\n")
        await ui.click(await el(ui, "check-invite"))
        await ui.wait_for(lambda: ui.query(key="join-group"))
        assert ui.query(text="Tuesday group") and ui.query(text="Theme: Balance in everyday life")
        assert ui.query(text="If you can't come, tell the others.")  # Kraft's guidelines: the leader gave none
        await ui.click(await el(ui, "join-group"))
        await ui.wait_for(lambda: ui.query(key="notice"))
        assert "You joined Tuesday group" in (await el(ui, "notice")).value
        assert member_services[0].has_vault() is False  # joined without any journal
    member_services[0].close()


async def test_a_leader_moving_a_meeting_is_told_the_group_will_see_the_new_time(tmp_path: Path) -> None:
    from app.services.groups import GroupService

    services: list[VaultService] = []
    async with run_app(_main(tmp_path, services)) as ui:
        await _start_group(ui, date.today() + timedelta(days=5))
        await ui.wait_for(lambda: ui.query(key="notice"))
        group = GroupService(services[0].engine, services[0].vault).list()[0]
        second = group.schedule.meetings()[1]
        await ui.click(await el(ui, f"meeting-{second.id}"))
        reach = (await el(ui, "meeting-change-reach")).value
        assert "the group will see the new time" in reach and "own copy" not in reach
        await ui.type(await el(ui, "move-at"), "19.30")
        await ui.click(await el(ui, "move-meeting"))
        notice = (await el(ui, "notice")).value
        assert notice.startswith("Moved the meeting") and notice.endswith("The group will see the new time.")
        assert "wait" not in notice and "own copy" not in notice
    for service in services:
        service.close()


async def test_with_a_relay_the_leader_makes_a_join_code_and_sees_who_joined(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from datetime import UTC, datetime

    from app.config import Profile, Relay
    from app.services.joining import JoinService
    from app.services.relay_sync import SyncService
    from app.views.app import build_main
    from tests.conftest import FAST_KDF
    from tests.relay_process import shared_relay

    relay = shared_relay()
    leader_home = tmp_path / "leader"
    leader_home.mkdir()
    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(leader_home, kdf=FAST_KDF))
        return services[-1]

    main = build_main(factory, profile=Profile(default_language="en", relay=Relay(url=relay.url)),
                      tick_seconds=3600)
    try:
        async with run_app(main) as ui:
            await _start_group(ui, date.today() + timedelta(days=5))
            assert "enrolment code" in await said_at(ui, "lead-enrolment")  # a relay needs the coordinator's code
            await ui.type(await el(ui, "lead-enrolment"), relay.enrolment_token())
            await ui.click(await el(ui, "lead-save"))
            gate, real_run = threading.Event(), SyncService.run

            def slow_run(sync: SyncService, **kwargs: object) -> object:
                gate.wait(5)  # the relay takes its time to keep the code (1.3-1.6 s measured)
                return real_run(sync, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(SyncService, "run", slow_run)
            await ui.click(await el(ui, "make-code"), wait=False)
            beside = await el(ui, "make-code-busy")  # the ring and its line beside the button while it waits
            assert beside.controls[1].value == "Making a join code…"
            assert ui.find(ft.OutlinedButton, key="make-code").disabled
            gate.set()
            code = (await el(ui, "join-code")).value
            monkeypatch.setattr(SyncService, "run", real_run)
            assert len(code) == 11 and code[5] == "-"

            member_home = tmp_path / "member"
            member_home.mkdir()
            member = VaultService(member_home, kdf=FAST_KDF)
            joining = JoinService(member.engine, None)
            joining.join(joining.read_code(code, relay.url, today=date.today()), name="Astrid",
                         now=datetime.now(UTC))
            assert SyncService(member.engine, None).run(now=datetime.now(UTC)).sent == 1
            member.close()

            await ui.click(await el(ui, "sync-now"))
            await ui.wait_for(lambda: ui.query(text="Astrid"))  # asks to join, with the check code to compare
            member = VaultService(member_home, kdf=FAST_KDF)
            from app.services.groups import GroupService

            [group_id] = [g.id for g in GroupService(member.engine, None).list()]
            own_code = JoinService(member.engine, None).check_code(group_id)
            member.close()
            [shown] = ui.find_all(where=lambda c: str(c.key or "").startswith("check-code-"))
            assert f"{own_code[:3]} {own_code[3:]}" in shown.value
            await ui.click(ui.query(key=str(shown.key).replace("check-code-", "let-in-")))
            await ui.wait_for(lambda: ui.query(key="notice", where=lambda c: "Astrid is let in" in str(c.value)),
                              timeout=20)
            assert ui.query(key=str(shown.key)) is None  # no longer asking
            member = VaultService(member_home, kdf=FAST_KDF)
            SyncService(member.engine, None).run(now=datetime.now(UTC))
            assert not JoinService(member.engine, None).waiting_to_be_let_in(group_id)
            member.close()
            await ui.click(await el(ui, "send-homework"))
            await ui.wait_for(lambda: ui.query(text="The homework goes to the group. Sent."))
    finally:
        for service in services:
            service.close()


async def test_opening_the_app_from_an_invite_link_fills_in_the_join_screen(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    import protocol as p
    from app.domain.schedule import Schedule

    leader = Ed25519PrivateKey.generate()
    key, group = p.new_group_key(), p.new_group_id()
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date.today() + timedelta(days=3), at=time(17),
                               interval=2, count=6)
    token = p.sign_invite({"v": 1, "relay": "", "group": group, "mailbox": p.mailbox_id(group, key), "epoch": 0,
                           "key": p.b64e(key), "leader": p.public_b64(leader), "label": "Onsdag",
                           "schedule": schedule.to_dict(), "theme": "", "guidelines": "Vi lytter.",
                           "expires_on": (date.today() + timedelta(days=7)).isoformat()}, leader)
    services: list[VaultService] = []
    async with run_app(_main(tmp_path, services)) as ui:
        await ui.navigate(f"/join#{token}")
        field = await el(ui, "invite-text")
        assert field.value == token
        await ui.click(await el(ui, "check-invite"))
        await ui.wait_for(lambda: ui.query(key="join-group"))
        assert ui.query(text="Vi lytter.")  # the leader's own guidelines, shown before joining
        await ui.click(await el(ui, "join-group"))
        await ui.wait_for(lambda: ui.query(key="notice"))
        await ui.navigate("/settings")  # other routes change nothing
        assert (await el(ui, "notice")).value.startswith("You joined Onsdag")
    services[0].close()


async def test_a_member_without_a_journal_is_told_what_a_lost_phone_would_show_before_joining(
        tmp_path: Path) -> None:
    from tests.services.test_locked_outbox import _invite

    token = _invite("Balance", "Vi lytter.")
    without, with_journal = tmp_path / "without", tmp_path / "with"
    without.mkdir()
    with_journal.mkdir()
    services: list[VaultService] = []
    async with run_app(_main(without, services)) as ui:
        await ui.navigate(f"/join#{token}")
        await ui.click(await el(ui, "check-invite"))
        await ui.wait_for(lambda: ui.query(key="join-group"))
        warning = (await el(ui, "join-no-journal")).value
        assert "lost" in warning and "journal" in warning  # before the member confirms
        assert ui.query(text="Theme: Balance")  # shown from the invite, not kept
    async with run_app(_main(with_journal, services)) as ui:
        await onboard(ui)
        await ui.navigate(f"/join#{token}")
        await ui.click(await el(ui, "check-invite"))
        await ui.wait_for(lambda: ui.query(key="join-group"))
        assert ui.query(key="join-no-journal") is None  # a journal seals the keys: nothing to warn about
    for service in services:
        service.close()
