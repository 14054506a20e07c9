"""Fingerprint or face unlock on the real screens, driven in-process (docs/adr/0010-keystore-unlock.md): the switch
in Settings, the button on the unlock screen, a cancelled prompt, the 14 days, and no switch without a keystore.
The platform keystore is the in-memory fake behind the adapter interface."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flet as ft
import pytest
from flet_secure_storage import KeychainAccessibility

from app.config import Profile
from app.services.context import AppContext
from app.services.keystore_unlock import Keystore, NullKeystore, Offer
from app.services.vault_service import VaultService
from app.views.app import build_main
from app.views.routes import Route
from app.views.states.model import AppModel
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.fake_keystore import FakeKeystore
from tests.ui.harness import UI, run_app
from tests.ui.test_rekey_views import new_passphrase
from tests.ui.test_views import el, onboard, said_at, tab, write


@asynccontextmanager
async def open_app(home: Path, keystore: Keystore) -> AsyncIterator[UI]:
    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    main = build_main(factory, profile=Profile(default_language="en"), tick_seconds=3600, listen=False,
                      keystore_factory=lambda page: keystore)
    async with run_app(main) as ui:
        yield ui
    for svc in services:
        svc.close()


async def turn_on(ui: UI) -> None:
    await tab(ui, 3)
    await ui.fire(await el(ui, "keystore-switch"), "change", props={"value": True})
    await ui.type(await el(ui, "keystore-passphrase"), PASSPHRASE)
    await ui.click(await el(ui, "keystore-on"))
    await ui.wait_for(lambda: ui.query(key="notice"))


async def test_turn_on_lock_and_unlock_with_the_fingerprint(home: Path) -> None:
    keystore = FakeKeystore()
    async with open_app(home, keystore) as ui:
        await onboard(ui)
        await write(ui, "Skrivet före fingeravtrycket")
        await tab(ui, 3)
        assert (await el(ui, "keystore-switch")).value is False  # off by default
        await turn_on(ui)
        assert "fingerprint or face" in (await el(ui, "notice")).value and keystore.secret is not None
        assert (await el(ui, "keystore-switch")).value is True
        await ui.click(await el(ui, "lock"))
        await ui.click(await el(ui, "unlock-keystore"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
        assert ui.query(text="Skrivet före fingeravtrycket")
        assert keystore.reasons == ["Unlock your journal"]


async def test_a_wrong_passphrase_leaves_it_off(home: Path) -> None:
    keystore = FakeKeystore()
    async with open_app(home, keystore) as ui:
        await onboard(ui)
        await tab(ui, 3)
        await ui.fire(await el(ui, "keystore-switch"), "change", props={"value": True})
        await ui.type(await el(ui, "keystore-passphrase"), "not my passphrase")
        await ui.click(await el(ui, "keystore-on"))
        assert "does not open" in await said_at(ui, "keystore-passphrase")
        assert keystore.secret is None and ui.query(key="keystore-passphrase")  # still asking, nothing written


async def test_a_cancelled_prompt_leaves_the_passphrase_field_usable(home: Path) -> None:
    keystore = FakeKeystore()
    async with open_app(home, keystore) as ui:
        await onboard(ui)
        await turn_on(ui)
        await ui.click(await el(ui, "lock"))
        keystore.answer = False
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE[:5])
        await ui.click(await el(ui, "unlock-keystore"))
        assert not ui.query(key="error")  # a cancel is no error
        field = await el(ui, "unlock-passphrase")
        assert field.value == PASSPHRASE[:5] and not field.disabled  # what was typed is still there
        await ui.type(field, PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))


async def test_changing_the_passphrase_turns_it_off(home: Path) -> None:
    keystore = FakeKeystore()
    async with open_app(home, keystore) as ui:
        await onboard(ui)
        await turn_on(ui)
        new = "a brand new passphrase"
        await new_passphrase(ui, new)
        await ui.click(await el(ui, "change-passphrase"))
        await ui.wait_for(lambda: "changed" in getattr(ui.query(key="notice"), "value", ""))
        assert "Fingerprint and face unlock is off" in (await el(ui, "notice")).value
        assert keystore.secret is None and (await el(ui, "keystore-switch")).value is False
        await ui.click(await el(ui, "lock"))
        await ui.wait_for(lambda: ui.query(key="unlock"))
        assert not ui.query(key="unlock-keystore")


async def test_after_14_days_the_screen_asks_for_the_passphrase_and_says_why(home: Path) -> None:
    keystore = FakeKeystore()
    async with open_app(home, keystore) as ui:
        await onboard(ui)
        await turn_on(ui)
        await ui.click(await el(ui, "lock"))
    weeks_ago = (datetime.now(UTC) - timedelta(days=15)).isoformat()
    service = VaultService(home, kdf=FAST_KDF)
    service.set_preference("keystore_passphrase_at", weeks_ago)
    service.close()
    async with open_app(home, keystore) as ui:
        assert "14 days" in (await el(ui, "keystore-due")).value
        assert not ui.query(key="unlock-keystore")
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
        await tab(ui, 3)
        await ui.click(await el(ui, "lock"))
        assert await el(ui, "unlock-keystore")  # typing it gave 14 more days
        assert not ui.query(key="keystore-due")


@pytest.mark.parametrize("keystore", [NullKeystore(), FakeKeystore(supported=False)], ids=["null", "unsupported"])
async def test_without_a_keystore_the_setting_is_not_shown(home: Path, keystore: Keystore) -> None:
    async with open_app(home, keystore) as ui:
        await onboard(ui)
        await tab(ui, 3)
        await el(ui, "autolock")
        assert not ui.query(key="keystore-switch")
        assert not ui.query(text="Unlock with fingerprint or face")


# ---- the state, with an injected clock ----

@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def model_with(home: Path, keystore: Keystore, clock: Callable[[], datetime]) -> tuple[AppModel, str]:
    """A started model on a new journal, and its recovery code."""
    service = VaultService(home, kdf=FAST_KDF)
    pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    ctx = AppContext(vault_service=service, profile=Profile(default_language="en"), clock=clock)
    model = AppModel.build(ctx, keystore=keystore)
    model.session.start()
    return model, pending.recovery_code


async def test_the_state_follows_the_14_days_on_the_clock(home: Path) -> None:
    clock = Clock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    keystore = FakeKeystore()
    model, _code = model_with(home, keystore, clock)
    try:
        assert await model.keystore.enable(PASSPHRASE)
        model.session.lock()
        assert model.keystore.offer is Offer.OFFERED
        clock.now += timedelta(days=14)
        model.session.lock()  # the screen is read again at every lock and start
        assert model.keystore.offer is Offer.PASSPHRASE_DUE
        await model.keystore.unlock()  # pressed anyway (the screen was stale): a calm message, no prompt
        assert "14 days" in model.session.error and keystore.reasons == [] and not model.session.unlocked
        await model.session.unlock(PASSPHRASE)
        assert model.keystore.offer is Offer.OFFERED
        model.session.lock()
        await model.keystore.unlock()
        assert model.session.unlocked and keystore.reasons == ["Unlock your journal"]
        assert model.router.route is Route.JOURNAL
    finally:
        model.session.service.close()


async def test_a_fingerprint_unlock_does_not_count_as_typing_the_passphrase(home: Path) -> None:
    clock = Clock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    keystore = FakeKeystore()
    model, _code = model_with(home, keystore, clock)
    try:
        assert await model.keystore.enable(PASSPHRASE)
        model.session.lock()
        clock.now += timedelta(days=10)
        await model.keystore.unlock()
        assert model.session.unlocked
        model.session.lock()
        clock.now += timedelta(days=4)
        model.keystore.refresh()  # what a start or lock does
        assert model.keystore.offer is Offer.PASSPHRASE_DUE  # 14 days from the passphrase, not the finger
    finally:
        model.session.service.close()


async def test_a_recovery_turns_it_off_in_settings_too(home: Path) -> None:
    keystore = FakeKeystore()
    model, code = model_with(home, keystore, Clock(datetime.now(UTC)))
    try:
        assert await model.keystore.enable(PASSPHRASE) and model.keystore.enabled
        model.session.lock()
        await model.session.recover(code, "a brand new passphrase", "a brand new passphrase")
        assert model.session.unlocked and not model.keystore.enabled  # the switch shows off
        model.session.lock()
        assert model.keystore.offer is Offer.OFF
    finally:
        model.session.service.close()


async def test_a_stale_secret_says_so_and_offers_the_passphrase(home: Path) -> None:
    keystore = FakeKeystore()
    model, _code = model_with(home, keystore, Clock(datetime.now(UTC)))
    try:
        assert await model.keystore.enable(PASSPHRASE)
        model.session.lock()
        keystore.secret = bytes(32)
        await model.keystore.unlock()
        assert "no longer opens" in model.session.error and not model.session.unlocked
        assert model.keystore.offer is Offer.OFF and keystore.secret is None
        assert model.router.route is Route.UNLOCK
        await model.session.unlock(PASSPHRASE)
        assert model.session.unlocked
    finally:
        model.session.service.close()



# ---- the real Flet adapter, its platform half answered by the harness ----

@pytest.mark.parametrize("platform", ["android", "ios", "macos", "windows"])
async def test_the_flet_adapter_keeps_the_secret_behind_the_prompt(home: Path, platform: str) -> None:
    """FletKeystore through the two extensions' real service calls in every built app that has them; the
    harness plays the device: the keychain is a dict, the prompt answers yes, then a cancel (local_auth reports
    it as an error code). Windows Hello cannot be asked for biometrics only (its PIN may stand in)."""
    from app.views.keystore import SECRET_KEY

    keychain: dict[str, str] = {}
    prompt = {"answer": True}

    def authenticate(args: dict) -> object:
        return True if prompt["answer"] else {"error_code": "userCanceled", "error_description": "cancelled"}

    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    main = build_main(factory, profile=Profile(default_language="en"), tick_seconds=3600, listen=False)
    async with run_app(main, client={"platform": platform, "web": False}) as ui:  # keystore_for_page picks it
        ui.answer("LocalAuthentication.can_check_biometrics", True)
        ui.answer("LocalAuthentication.get_available_biometrics", ["fingerprint"])
        ui.answer("LocalAuthentication.authenticate", authenticate)
        ui.answer("SecureStorage.set", lambda args: keychain.__setitem__(args["key"], args["value"]))
        ui.answer("SecureStorage.get", lambda args: keychain.get(args["key"]))
        ui.answer("SecureStorage.remove", lambda args: keychain.pop(args["key"], None))
        await onboard(ui)
        await turn_on(ui)
        assert list(keychain) == [SECRET_KEY] and len(keychain[SECRET_KEY]) == 44  # 32 bytes, base64
        storage = ui.calls("set")[0].control  # the SecureStorage service: this device only, never iCloud
        assert storage.ios_options.synchronizable is False
        assert storage.ios_options.accessibility is KeychainAccessibility.PASSCODE
        assert storage.macos_options.synchronizable is False
        assert storage.macos_options.accessibility is KeychainAccessibility.PASSCODE
        await ui.click(await el(ui, "lock"))
        prompt["answer"] = False
        await ui.click(await el(ui, "unlock-keystore"))
        assert not ui.query(key="error") and ui.query(key="unlock-passphrase")  # cancelled: nothing changes
        prompt["answer"] = True
        await ui.click(await el(ui, "unlock-keystore"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
        assert [c.args["reason"] for c in ui.calls("authenticate")][-2:] == ["Unlock your journal"] * 2
        assert {c.args["biometric_only"] for c in ui.calls("authenticate")} == {platform != "windows"}
        await tab(ui, 3)
        await ui.fire(await el(ui, "keystore-switch"), "change", props={"value": False})
        await ui.wait_for(lambda: not keychain)  # turned off: the keychain forgets the secret
    for svc in services:
        svc.close()


@pytest.mark.parametrize("client", [{"platform": "linux", "web": False}, {"platform": "android", "web": True}],
                         ids=["linux-desktop", "web-on-a-phone"])
async def test_the_default_adapter_offers_nothing_without_local_auth(home: Path, client: dict) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    main = build_main(lambda: service, profile=Profile(default_language="en"), tick_seconds=3600, listen=False)
    async with run_app(main, client=client) as ui:
        await onboard(ui)
        await tab(ui, 3)
        await el(ui, "autolock")
        assert not ui.query(key="keystore-switch")
        assert not ui.calls("can_check_biometrics")
    service.close()


async def test_a_rekey_turns_it_off_and_the_phone_forgets_the_secret(home: Path) -> None:
    """The keystore slot wrapped the old data key: the re-key drops it in its transaction, and the screen
    forgets the platform's secret and says so, as after a passphrase change."""
    keystore = FakeKeystore()
    async with open_app(home, keystore) as ui:
        await onboard(ui)
        await turn_on(ui)
        assert keystore.secret is not None
        new = "a brand new passphrase"
        await new_passphrase(ui, new)
        await ui.click(await el(ui, "rekey-passphrase"))
        await el(ui, "rekey-code-confirm")
        code = ui.find(ft.Semantics, where=lambda c: c.identifier == "rekey-code").content.value
        await ui.type(await el(ui, "rekey-code-confirm"), code)
        await ui.click(await el(ui, "rekey-confirm"))
        await ui.wait_for(lambda: ui.query(key="rekey-done"))
        assert "Fingerprint and face unlock is off" in (await el(ui, "notice")).value
        assert keystore.secret is None
        await ui.click(await el(ui, "rekey-done"))
        assert (await el(ui, "keystore-switch")).value is False
        await ui.click(await el(ui, "lock"))
        await ui.wait_for(lambda: ui.query(key="unlock"))
        assert not ui.query(key="unlock-keystore")
