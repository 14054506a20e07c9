"""The keystore adapter for phone builds: flet-local-auth asks for the fingerprint or face, flet-secure-storage
keeps the secret (Android Keystore, iOS Keychain) (docs/adr/0010-keystore-unlock.md).

It lives with the views because it is Flet; what it unlocks is decided in `app.services.keystore_unlock`.
Only a `flet build` app for Android or iOS carries the extensions' Dart halves, so the adapter is chosen on
those platforms only; the web client and desktop runs get the NullKeystore and Settings shows no switch.
What this machine can check is our side (the calls, their answers, a cancelled prompt); a phone confirming
a fingerprint is for a device build.
"""

from __future__ import annotations

import base64
import binascii
import logging

import flet as ft
from flet_local_auth import AndroidAuthMessages, IOSAuthMessages, LocalAuthentication, LocalAuthException
from flet_secure_storage import AndroidOptions, IOSOptions, KeychainAccessibility, MacOsOptions, SecureStorage

from app.errors import KraftError, Msg
from app.i18n import _
from app.services.keystore_unlock import Keystore, NullKeystore

log = logging.getLogger(__name__)
# Built apps on these have the platform keystore and local_auth (a desktop run through Flet's own prebuilt
# client has neither extension: its calls fail, `available` says no and the setting is not shown). Linux and
# the web client have no local_auth: the null adapter. Windows Hello cannot be asked for biometrics only (its
# plugin refuses `biometric_only`): there its PIN, bound to the device's TPM, may stand in for a finger.
KEYSTORE_PLATFORMS = (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS, ft.PagePlatform.MACOS, ft.PagePlatform.WINDOWS)
SECRET_KEY = "kraft-keystore-secret"  # noqa: S105  (the name of the one item Kraft keeps in the keystore)


def storage_options() -> tuple[AndroidOptions, IOSOptions, MacOsOptions]:
    """The secret stays on this device: not in iCloud, not readable before the device is unlocked, gone when
    its own passcode is removed (iOS, macOS); AES-GCM with its key in the Android Keystore; on Windows the
    Credential Locker of the signed-in user (its defaults)."""
    android = AndroidOptions(shared_preferences_name="kraft_keystore", reset_on_error=True)
    ios = IOSOptions(accessibility=KeychainAccessibility.PASSCODE, synchronizable=False, account_name="kraft")
    macos = MacOsOptions(accessibility=KeychainAccessibility.PASSCODE, synchronizable=False, account_name="kraft")
    return android, ios, macos


class FletKeystore:
    """The platform keystore through the two extensions. Failures are logged and answered as "not now";
    nothing the platform says reaches the member as a traceback."""

    supported = True

    def __init__(self, platform: ft.PagePlatform | None = None) -> None:
        android, ios, macos = storage_options()
        self._auth = LocalAuthentication()
        self._storage = SecureStorage(android_options=android, ios_options=ios, macos_options=macos)
        self._biometric_only = platform is not ft.PagePlatform.WINDOWS

    async def available(self) -> bool:
        try:
            return bool(await self._auth.can_check_biometrics() and await self._auth.get_available_biometrics())
        except Exception:
            log.exception("asking for biometrics failed")
            return False

    async def _confirm(self, reason: str) -> bool:
        """The system's fingerprint or face prompt; False when cancelled, locked out or failed."""
        try:
            return await self._auth.authenticate(
                reason, biometric_only=self._biometric_only, sensitive_transaction=True,
                android_messages=AndroidAuthMessages(sign_in_title=_("Unlock Kraft"), cancel_button=_("Cancel")),
                ios_messages=IOSAuthMessages(cancel_button=_("Cancel"),
                                             localized_fallback_title=_("Use my passphrase")))
        except LocalAuthException as exc:
            log.info("biometric prompt ended: %s", exc.code.value)
            return False
        except Exception:
            log.exception("biometric prompt failed")
            return False

    async def enrol(self, secret: bytes) -> None:
        """Confirm the fingerprint or face once (so it is known to work), then keep the secret."""
        if not await self._confirm(_("Turn on unlocking with your fingerprint or face")):
            raise KraftError(Msg.KEYSTORE_UNAVAILABLE)
        try:
            await self._storage.set(SECRET_KEY, base64.b64encode(secret).decode("ascii"))
        except Exception as exc:
            log.exception("keeping the secret failed")
            raise KraftError(Msg.KEYSTORE_UNAVAILABLE) from exc

    async def release(self, reason: str) -> bytes | None:
        if not await self._confirm(reason):
            return None
        try:
            value = await self._storage.get(SECRET_KEY)
        except Exception:
            log.exception("reading the secret failed")
            return None
        if not value:
            return b""  # confirmed, but the keystore lost it: the slot will not open, and says so
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return b""

    async def forget(self) -> None:
        try:
            await self._storage.remove(SECRET_KEY)
        except Exception:
            log.exception("forgetting the secret failed")


def keystore_for_page(page: ft.Page) -> Keystore:
    """The adapter for this page: the platform keystore in built Android, iOS, macOS and Windows apps, else none."""
    if page.platform in KEYSTORE_PLATFORMS and not page.web:
        return FletKeystore(page.platform)
    return NullKeystore()
