"""A platform keystore in memory, behind the real adapter interface (app.services.keystore_unlock.Keystore):
the phones' keystore and biometric prompt are not on this machine (docs/adr/0010-keystore-unlock.md)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FakeKeystore:
    """The platform keystore and its biometric prompt, in memory: `answer` False is a cancelled prompt."""

    supported: bool = True
    present: bool = True  # a fingerprint or face is enrolled on the device
    answer: bool = True
    secret: bytes | None = None
    reasons: list[str] = field(default_factory=list)

    async def available(self) -> bool:
        return self.supported and self.present

    async def enrol(self, secret: bytes) -> None:
        self.secret = secret

    async def release(self, reason: str) -> bytes | None:
        self.reasons.append(reason)
        return self.secret if self.answer else None

    async def forget(self) -> None:
        self.secret = None
