"""The relay's tables. Only public keys, ciphertext, hashes and days: nothing that names a person."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, Integer, MetaData
from sqlmodel import Field, SQLModel, UniqueConstraint


class Mailbox(SQLModel, table=True):
    """A group's mailbox: the keys that may post to it, its epoch, and the leader's last sequence number."""

    id: str = Field(primary_key=True, max_length=22)
    leader_key: str = Field(max_length=43)
    member_key: str = Field(max_length=43)  # the current epoch's shared member signer
    epoch: int = 0
    last_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    created_on: date
    region: str = Field(default="", max_length=80)  # from the enrolment token: how the coordinator sorts groups
    label: str = Field(default="", max_length=80)  # the coordinator's own name for the group, never a person
    # 1: ADR 0004's leader and members; 2: ADR 0006's, where every message is a member's (sender "member", seq 0)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


# 64 bits in PostgreSQL (BIGSERIAL; a fetch may ask for positions after any 64-bit number, and the parameter is
# cast to the column's type); SQLite's INTEGER PRIMARY KEY is already 64 bits and must stay that exact type.
Position = BigInteger().with_variant(Integer(), "sqlite")


class Message(SQLModel, table=True):
    """One signed, encrypted message; `id` is its position in the relay (what members fetch after)."""

    __table_args__ = (UniqueConstraint("mailbox", "nonce"),)
    id: int | None = Field(default=None, sa_column=Column(Position, primary_key=True, autoincrement=True))
    mailbox: str = Field(foreign_key="mailbox.id", index=True, max_length=22)
    sender: str = Field(max_length=6)
    epoch: int
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    nonce: str = Field(max_length=16)
    ciphertext: str
    signature: str = Field(max_length=86)
    day: date  # the day it arrived, never the time


class JoinCode(SQLModel, table=True):
    """An invite sealed under a stretched join code, found by the code's lookup id, until its expiry day."""

    lookup: str = Field(primary_key=True, max_length=43)
    mailbox: str = Field(foreign_key="mailbox.id", max_length=22)
    ciphertext: str
    expires_on: date


class Token(SQLModel, table=True):
    """A bearer token, stored as its SHA-256: a coordinator's, or an enrolment a coordinator gave a leader."""

    hash: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=12)  # "coordinator" | "enrolment"
    name: str = Field(default="", max_length=80)  # the coordinator's own note, never a leader's name
    region: str = Field(default="", max_length=80)  # a coordinator's region ("" = all); an enrolment's group's
    label: str = Field(default="", max_length=80)  # an enrolment's: the group as the coordinator knows it
    uses_left: int = 1
    expires_on: date | None = None


class AttendanceToken(SQLModel, table=True):
    """One anonymous "I was there": a token that means nothing outside this meeting. Deleted after the
    retention period, once it is folded into the meeting's count."""

    mailbox: str = Field(foreign_key="mailbox.id", primary_key=True, max_length=22)
    meeting: str = Field(primary_key=True, max_length=16)
    token: str = Field(primary_key=True, max_length=22)
    day: date = Field(index=True)


class MeetingCount(SQLModel, table=True):
    """What stays of a meeting's attendance: tokens folded in after the retention period, and the leader's
    head count."""

    mailbox: str = Field(foreign_key="mailbox.id", primary_key=True, max_length=22)
    meeting: str = Field(primary_key=True, max_length=16)
    folded: int = 0
    head_count: int | None = None


class Catalogue(SQLModel, table=True):
    """A region's signed catalogue of groups (ADR 0016), the newest serial only: the document as it was signed
    (canonical JSON), so it is served byte for byte, and its signature, which the apps check against the key
    they were given. It is a public list; what the relay keeps beside it is the day it came."""

    region: str = Field(primary_key=True, max_length=22)  # member_id(key)
    key: str = Field(max_length=43)
    serial: int = Field(sa_column=Column(BigInteger, nullable=False))
    document: str
    signature: str = Field(max_length=86)
    day: date  # the day it came, never the time


class Interest(SQLModel, table=True):
    """One "I'm interested" or "I would lead a group" (ADR 0016), sealed to the region's key: only the
    coordinator's device opens it. Beside the blob the relay keeps the SHA-256 of the secret that withdraws it
    and the day it came: nothing of who sent it (no address, no user agent, no time of day)."""

    id: str = Field(primary_key=True, max_length=22)  # 16 random bytes the relay made, base64url
    region: str = Field(index=True, max_length=22)  # the catalogue's region
    sealed: str  # protocol.seal_request: always SEALED_CHARS long
    withdraw: str = Field(max_length=64)  # protocol.withdraw_hash(secret), hex
    day: date  # the day it came, never the time


class Reply(SQLModel, table=True):
    """A coordinator's answer (an invite) in a person's reply mailbox, sealed to the reply key their app made:
    the box id is the capability to read it, and only that app opens it. Kept with the day it came."""

    position: int | None = Field(default=None, sa_column=Column(Position, primary_key=True, autoincrement=True))
    box: str = Field(index=True, max_length=22)
    sealed: str  # protocol.seal_reply: always SEALED_CHARS long
    day: date  # the day it came, never the time


# The relay's tables alone: SQLModel.metadata also holds the app's when both are loaded in one process (tests).
# What the migrations (coordinator/migrations/) are compared with.
RELAY_METADATA = MetaData()
for _name in ("mailbox", "message", "joincode", "token", "attendancetoken", "meetingcount", "catalogue",
              "interest", "reply"):
    SQLModel.metadata.tables[_name].to_metadata(RELAY_METADATA)
