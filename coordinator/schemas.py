"""Request and answer bodies. Every field is checked for shape here, so bad input is a 422 with a reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from protocol import MAX_MESSAGE_BYTES, SEALED_CHARS, ProtocolError, b64d


def _chars(size: int) -> int:
    """How many base64url characters (no padding) `size` bytes take."""
    return -(-size * 4 // 3)


def _b64(length: int | None = None, max_bytes: int | None = None):
    """base64url text of exactly `length` bytes, or of 1..`max_bytes` bytes."""

    def check(value: str) -> str:
        try:
            data = b64d(value, length=length)
        except ProtocolError as exc:
            raise ValueError(f"not valid base64url: {exc}") from exc
        if max_bytes is not None and len(data) > max_bytes:
            raise ValueError(f"more than {max_bytes} bytes")
        return value

    chars = _chars(length) if length is not None else None
    return Annotated[str, Field(min_length=chars or 1, max_length=chars or _chars(max_bytes or 0),
                                pattern=r"^[A-Za-z0-9_-]+$"), AfterValidator(check)]


MailboxId = _b64(16)
PublicKey = _b64(32)
Signature = _b64(64)
Lookup = _b64(32)
RegionId = _b64(16)  # a region's id on the relay: the member id of its key (ADR 0016)
Nonce = _b64(12)
Ciphertext = _b64(None, max_bytes=MAX_MESSAGE_BYTES)  # what a member or leader sealed, at most 48 KiB
SealedInvite = _b64(None, max_bytes=3072)  # an invite token sealed under a join code
SEALED_BYTES = SEALED_CHARS * 3 // 4  # a sealed request or reply (protocol/interest.py): one size for all
assert _chars(SEALED_BYTES) == SEALED_CHARS
Sealed = _b64(SEALED_BYTES)  # exactly SEALED_CHARS characters
InterestId = _b64(16)  # a stored request's id, made by the relay
ReplyBoxId = _b64(16)  # a reply mailbox's id, made by the person's app (protocol.new_reply_box)
WithdrawHash = Annotated[str, Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]


def _printable(value: str) -> str:
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError("must not contain control characters (such as line breaks or NUL)")
    return value


# A coordinator's own words (a group's label, a region): no control characters (PostgreSQL refuses NUL).
Text = Annotated[str, Field(max_length=80, json_schema_extra={"pattern": r"^[^\x00-\x1f\x7f]*$"}),
                 AfterValidator(_printable)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Why a request was refused with 409, for the apps to act on (the detail beside it is for people).
Reason = Literal["old_epoch", "stale_seq", "repeated_nonce", "taken", "version", "not_newer", "full"]
REASONS = """Why the relay refused (409):
- old_epoch: the message or reports are for an epoch before the mailbox's (a new epoch has begun);
- stale_seq: a leader's sequence number not above the last one (a replay, or an app restored from a backup:
  read the mailbox and go on from there);
- repeated_nonce: a message with this nonce is already here (a resend after a lost answer: nothing to do);
- taken: the mailbox belongs to another leader, or the join code to another group;
- version: not allowed in the mailbox's protocol version (a leader's message in a version 2 mailbox, or a
  rotation back to version 1);
- not_newer: the epoch of a key change is not above the mailbox's, or a catalogue's serial not above the one
  stored (another coordinator changed it meanwhile: fetch it, and sign the change on top of that one);
- full: the region holds as many requests as the relay keeps for one region, or the reply mailbox as many
  replies (nothing was stored: the coordinator has to fetch and clear requests, or the person read replies
  that old ones can be let go)."""


class Conflict(BaseModel):
    detail: str = Field(description="what happened, in words")
    reason: Reason = Field(description=REASONS)


class EnrolmentCreate(Strict):
    uses: int = Field(default=1, ge=1, le=100)
    days: int = Field(default=14, ge=1, le=90)
    label: Text = Field(default="", description="the group as the coordinator knows it")
    region: Text = Field(default="", description="only for a coordinator of every region")


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
    version: int = Field(ge=1, le=2, description="1: ADR 0004's leader and members; 2: ADR 0006's (members only)")


class KeysUpdate(Strict):
    """A new epoch's keys, signed by the mailbox's current steward (leader) key (ADR 0006)."""

    epoch: int = Field(ge=1, le=2**31 - 1)
    member_key: PublicKey = Field(description="the new epoch's post key")  # type: ignore[valid-type]
    leader_key: PublicKey = Field(description="the new steward key")  # type: ignore[valid-type]
    version: Literal[1, 2] = Field(description="the protocol version from now on; 2 stays 2")
    signature: Signature  # type: ignore[valid-type]


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
    ciphertext: SealedInvite  # type: ignore[valid-type]
    expires_on: date
    signature: Signature  # type: ignore[valid-type]


class JoinCodePublic(BaseModel):
    mailbox: str
    ciphertext: str
    expires_on: date


class Health(BaseModel):
    ok: bool


# [0-9], not \d: the pattern engine counts other scripts' digits as \d, and the CSV reads these as dates.
MeetingId = Annotated[str, Field(pattern=r"^[0-9]{8}T[0-9]{6}Z$", description="a meeting's original start, UTC")]


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


class CatalogueUpload(Strict):
    """A region's catalogue as the coordinator signed it (`protocol.sign_catalogue`, ADR 0016)."""

    catalogue: dict[str, Any] = Field(description="the document: key, region, serial, issued and entries, each "
                                      "entry checked as protocol/catalogue.py does")
    signature: Signature = Field(  # type: ignore[valid-type]
        description='by the document\'s key, over signing_bytes("catalogue", **catalogue)')


class SignedCatalogue(BaseModel):
    """A region's catalogue as the relay has it: the apps trust it only under the key they were given."""

    catalogue: dict[str, Any] = Field(description="the document exactly as it was signed")
    signature: str = Field(description='by the document\'s key, over signing_bytes("catalogue", **catalogue)')


class CatalogueStored(BaseModel):
    serial: int = Field(description="the serial now stored")


class InterestCreate(Strict):
    """A request sealed to the region's key (`protocol.seal_request`, ADR 0016): "I'm interested" in an entry,
    or "I would lead a group". The relay cannot read it; every request has the same length."""

    sealed: Sealed = Field(  # type: ignore[valid-type]
        description=f"the sealed request, base64url, exactly {SEALED_CHARS} characters")
    withdraw: WithdrawHash = Field(
        description="protocol.withdraw_hash of the secret that takes the request back: 64 lowercase hex")


class InterestStored(BaseModel):
    id: str = Field(description="the request's id on this relay, to withdraw it (DELETE /v1/interest/{id})")


class SealedRequest(BaseModel):
    id: str = Field(description="the request's id on this relay")
    sealed: str = Field(description="the request as it was sealed; the coordinator's device opens it "
                        "(protocol.open_request with the region's key)")
    day: date = Field(description="the day it came (never the time)")


class InterestList(BaseModel):
    requests: list[SealedRequest] = Field(description="every stored request of the region, by day and id")


class ReplyCreate(Strict):
    """A reply (such as the invite to the group that starts) sealed to the person's reply key
    (`protocol.seal_reply`): only their app opens it."""

    sealed: Sealed = Field(  # type: ignore[valid-type]
        description=f"the sealed reply, base64url, exactly {SEALED_CHARS} characters")


class ReplyStored(BaseModel):
    position: int = Field(description="the reply's position in the relay's replies")


class SealedReply(BaseModel):
    position: int = Field(description="its place in the relay's replies: later replies have higher positions")
    sealed: str = Field(description="the reply as it was sealed (protocol.open_reply with the reply mailbox)")
    day: date = Field(description="the day it came (never the time)")


class ReplyList(BaseModel):
    replies: list[SealedReply] = Field(description="the reply mailbox's replies, oldest first")
