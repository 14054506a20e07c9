"""Unlock with a fingerprint or face: the switch in Settings and the button on the unlock screen
(docs/adr/0010-keystore-unlock.md). The rules are in `app.services.keystore_unlock`; this state keeps what
the two screens show and says what happened, calmly."""

from __future__ import annotations

from dataclasses import dataclass, field

import flet as ft

from app.errors import KraftError, Msg
from app.i18n import _
from app.services.keystore_unlock import PASSPHRASE_EVERY, Keystore, KeystoreUnlock, NullKeystore, Offer
from app.views.states.session import SessionState


@ft.observable
@dataclass
class KeystoreState:
    """What the unlock screen offers (`offer`) and whether Settings shows the switch (`shown`)."""

    session: SessionState
    keystore: Keystore = field(default_factory=NullKeystore)
    offer: Offer = Offer.OFF  # read at start, lock, unlock and every change here
    asking: bool = False  # Settings asks the passphrase to turn it on
    _by_keystore: bool = False  # the unlock running now is ours: it does not count as typing the passphrase

    def __post_init__(self) -> None:
        hooks = self.session.hooks
        hooks.started.append(self.refresh)
        hooks.unlocked.append(self._after_unlock)
        hooks.locked.append(self._forget)

    @property
    def unlocking(self) -> KeystoreUnlock:
        """The use case over this session's data directory and clock."""
        return KeystoreUnlock(self.session.service, self.keystore, clock=self.session.ctx.clock)

    @property
    def shown(self) -> bool:
        """Settings shows the switch only where a keystore exists (phone builds)."""
        return self.keystore.supported

    @property
    def enabled(self) -> bool:
        """Read from the vault each time: a recovery or a re-key may have dropped the slot meanwhile."""
        try:
            return self.unlocking.enabled()
        except KraftError:
            return False

    @property
    def days(self) -> int:
        return PASSPHRASE_EVERY.days

    def refresh(self) -> None:
        """Read the slot and the 14 days again (after start, lock, unlock and every change)."""
        try:
            self.offer = self.unlocking.offer()
        except KraftError:  # the database cannot be read: the session shows that; offer nothing here
            self.offer = Offer.OFF

    def _forget(self) -> None:
        self.asking = False
        self.refresh()

    def ask(self, asking: bool) -> None:
        """Show (or hide) the passphrase field that turns it on."""
        self.asking = asking

    def _after_unlock(self) -> None:
        if not self._by_keystore:
            self.unlocking.note_passphrase_unlock()
        self._by_keystore = False
        self.refresh()

    async def unlock(self) -> None:
        """The fingerprint or face prompt, then the journal. Cancelled: nothing changes and the passphrase field
        stays as it was. A secret that no longer opens: the feature is off, and the screen says so."""
        session = self.session
        session.touch()
        session.error = ""
        try:
            secret = await self.unlocking.release_secret(_("Unlock your journal"))
        except KraftError as exc:
            session.error = str(exc)
            self.refresh()
            return
        if secret is None:
            return
        self._by_keystore = True
        try:
            opened = await session.open_journal(self.unlocking.unlock_with_secret, secret)
        finally:
            self._by_keystore = False
        if not opened and not self.unlocking.enabled():
            await self.unlocking.forget_secret()  # the slot went with the failure: the secret goes too
        self.refresh()

    async def enable(self, passphrase: str) -> bool:
        """Turn it on: asks the passphrase (slow) and the fingerprint or face once. True when on."""
        session = self.session
        session.touch()
        session.clear_errors()
        session.busy, session.busy_at = _("Turning on fingerprint or face…"), "keystore-on"
        try:
            await self.unlocking.enable_keystore_unlock(passphrase)
        except KraftError as exc:  # a wrong passphrase is said at the field it was typed in
            session.fail({"keystore-passphrase" if exc.msg is Msg.WRONG_PASSPHRASE else "": str(exc)})
            return False
        finally:
            session.busy = session.busy_at = ""
            self.refresh()
        self.asking = False
        session.notice = _("Your journal now opens with your fingerprint or face. Every {days} days it asks for "
                           "your passphrase once.").format(days=self.days)
        return True

    async def disable(self) -> None:
        """Turn it off: the slot goes, the secret is forgotten; the passphrase works as before."""
        await self.unlocking.disable_keystore_unlock()
        self.refresh()
        self.session.notice = _("Fingerprint and face unlock is off. Your passphrase opens your journal.")

    async def passphrase_changed(self) -> None:
        """The slot went with the old passphrase (VaultService); the platform forgets the secret too."""
        if self.offer is not Offer.OFF:  # it was on (read before the change)
            self.session.notice += " " + _("Fingerprint and face unlock is off; turn it on again if you like.")
        await self.unlocking.forget_secret()
        self.refresh()
