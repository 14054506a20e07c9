"""Request and answer bodies. Every field is checked for shape here, so bad input is a 422 with a reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.protocol import MAX_MESSAGE_BYTES, ProtocolError, b64d


def _b64(length: int | None = None, max_chars: int | None = None):
    def check(value: str) -> str:
        try:
            b64d(value, length=length)
        except ProtocolError as exc:
            raise ValueError(f"not valid base64url: {exc}") from exc
        return value

    chars = -(-length * 4 // 3) if length is not None else None
    return Annotated[str, Field(min_length=chars or 1, max_length=chars or max_chars,
                                pattern=r"^[A-Za-z0-9_-]+$"), AfterValidator(check)]


MailboxId = _b64(16)
PublicKey = _b64(32)
Signature = _b64(64)
Lookup = _b64(32)
Nonce = _b64(12)
Ciphertext = _b64(None, max_chars=-(-(MAX_MESSAGE_BYTES + 16) * 4 // 3))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrolmentCreate(Strict):
    uses: int = Field(default=1, ge=1, le=100)
    days: int = Field(default=14, ge=1, le=90)
    label: str = Field(default="", max_length=80, description="the group as the coordinator knows it")
    region: str = Field(default="", max_length=80, description="only for a coordinator of every region")


class EnrolmentPublic(BaseModel):
    token: str
    expires_on: date


class MailboxCreate(Strict):
    mailbox: MailboxId  # type: ignore[valid-type]
    leader_key: PublicKey  # type: ignore[valid-type]
    member_key: PublicKey  # type: ignore[valid-type]
    signature: Signature  # type: ignore[valid-type]


class MailboxPublic(BaseModel):
    mailbox: str
    leader_key: str
    member_key: str
    epoch: int
    last_seq: int


class MemberKeyUpdate(Strict):
    epoch: int = Field(ge=1, le=2**31 - 1)
    member_key: PublicKey  # type: ignore[valid-type]
    signature: Signature  # type: ignore[valid-type]


class MessageCreate(Strict):
    sender: Literal["leader", "member"]
    epoch: int = Field(ge=0, le=2**31 - 1)
    seq: int = Field(ge=0, le=2**53)
    nonce: Nonce  # type: ignore[valid-type]
    ciphertext: Ciphertext  # type: ignore[valid-type]
    signature: Signature  # type: ignore[valid-type]


class MessagePublic(BaseModel):
    position: int
    sender: str
    epoch: int
    seq: int
    nonce: str
    ciphertext: str
    signature: str


class MessagePage(BaseModel):
    messages: list[MessagePublic]
    more: bool


class Position(BaseModel):
    position: int


class JoinCodeCreate(Strict):
    mailbox: MailboxId  # type: ignore[valid-type]
    ciphertext: _b64(None, max_chars=4096)  # type: ignore[valid-type]
    expires_on: date
    signature: Signature  # type: ignore[valid-type]


class JoinCodePublic(BaseModel):
    mailbox: str
    ciphertext: str
    expires_on: date


class Health(BaseModel):
    ok: bool


MeetingId = Annotated[str, Field(pattern=r"^\d{8}T\d{6}Z$", description="a meeting's original start, UTC")]


class Report(Strict):
    meeting: MeetingId
    token: _b64(16)  # type: ignore[valid-type]


class AttendanceBatch(Strict):
    epoch: int = Field(ge=0, le=2**31 - 1)
    nonce: Nonce  # type: ignore[valid-type]
    reports: list[Report] = Field(min_length=1, max_length=200)
    signature: Signature  # type: ignore[valid-type]


class Counted(BaseModel):
    counted: int  # reports that were new (a resend counts 0)


class HeadCount(Strict):
    count: int = Field(ge=0, le=1000)
    signature: Signature  # type: ignore[valid-type]


class MeetingAttendance(BaseModel):
    meeting: str
    checkins: int
    head_count: int | None


class GroupAttendance(BaseModel):
    mailbox: str
    region: str
    label: str
    created_on: date
    meetings: list[MeetingAttendance]


class Overview(BaseModel):
    groups: list[GroupAttendance]
