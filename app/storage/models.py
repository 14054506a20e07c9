"""SQLModel tables of the vault database. Only ids, record kinds and the vault header are plaintext."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import Field, SQLModel


class VaultHeader(SQLModel, table=True):
    """The single row that says which on-disk format this vault uses."""

    __tablename__ = "vault_header"
    id: int = Field(default=1, primary_key=True)
    format_version: int
    vault_id: str


class KeySlot(SQLModel, table=True):
    """The data key wrapped under one unlock method (passphrase, recovery code, OS keystore)."""

    __tablename__ = "key_slot"
    kind: str = Field(primary_key=True)  # "passphrase" | "recovery" | "keystore"
    kdf: str  # "argon2id" (or "none" for a keystore-held key)
    kdf_params: str  # JSON of KdfParams
    salt: bytes
    nonce: bytes
    wrapped_key: bytes


class Record(SQLModel, table=True):
    """One encrypted record: journal entry, draft, settings. Everything but id and kind is ciphertext."""

    __tablename__ = "record"
    id: str = Field(primary_key=True)
    kind: str = Field(index=True)
    fmt: int
    nonce: bytes
    ciphertext: bytes
    version: int = 0  # bound in the associated data from format 2 on; the manifest says the current one


class ManifestEntry(SQLModel, table=True):
    """A record's keyed tag (not its id), kind and version as the last write left them (app.storage.manifest)."""

    __tablename__ = "manifest_entry"
    tag: bytes = Field(primary_key=True)
    kind: str
    version: int


class Manifest(SQLModel, table=True):
    """The counter, the set-MAC accumulator of every entry, and the MAC over both (app.storage.manifest)."""

    __tablename__ = "manifest"
    id: int = Field(default=1, primary_key=True)
    counter: int
    acc: bytes
    mac: bytes


class Preference(SQLModel, table=True):
    """Device preferences needed before unlocking (language, theme); never anything the member wrote."""

    __tablename__ = "preference"
    name: str = Field(primary_key=True)
    value: str


class SchemaMigration(SQLModel, table=True):
    """A named migration that has run, so each runs exactly once, in its own transaction."""

    __tablename__ = "schema_migration"
    name: str = Field(primary_key=True)


class MeetingGroup(SQLModel, table=True):
    """A group the member follows: its meeting times and a neutral label the member chose (plaintext)."""

    __tablename__ = "meeting_group"
    id: str = Field(primary_key=True)
    label: str
    schedule: str  # JSON of app.domain.schedule.Schedule.to_dict()


class CheckInRow(SQLModel, table=True):
    """An anonymous member's "I was there" / "I can't come" (no vault to seal it in): to the day only."""

    __tablename__ = "checkin"
    group_id: str = Field(primary_key=True)
    meeting_id: str = Field(primary_key=True)  # the meeting's original start, e.g. 20261203T170000Z
    status: str  # "attended" | "cant_come"
    day: str  # ISO date the member said it
    start: str = ""  # the meeting's start it was said for (UTC, like the id): a moved meeting asks again


class GroupLink(SQLModel, table=True):
    """A group joined or led through the relay: public ids, where reading stopped, and the schedule keys."""

    __tablename__ = "group_link"
    group_id: str = Field(primary_key=True, foreign_key="meeting_group.id")
    role: str  # "leader" | "member"
    relay: str  # the relay's base URL; "" when the group travels by links and files only
    mailbox: str
    leader_key: str  # the leader's Ed25519 public key (base64url)
    epoch: int  # the newest epoch whose schedule key is known
    schedule_keys: str  # JSON {epoch: schedule key}: opens schedule changes only
    schedule_secret: str  # the member's X25519 key that new schedule keys are wrapped for ("" for a leader)
    last_seq: int  # the leader's newest accepted sequence number
    after: int  # the relay position read up to
    pending: str  # JSON list of accepted envelopes that need the open vault (prompts while locked)
    secrets: str | None = None  # JSON of the sealed part, only for a member without a vault
    version: int = 1  # the protocol the group speaks (docs/adr/0006-group-protocol-v2.md)
    state: str = ""  # version 2: JSON of the membership state (ids, public keys, roles, policy; no names)
    seqs: str = "{}"  # version 2: JSON {author id: [highest sequence number, [numbers still missing]]}
    restored: int = 0  # 1 from a restore until the mailbox was read (its sequence numbers may be behind)


class OutboxItem(SQLModel, table=True):
    """A request waiting for the relay, retried with backoff; with a journal, sealed under its data key."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    group_id: str
    relay: str
    method: str
    path: str
    body: str  # JSON
    token: str  # a bearer token the request needs ("" for none)
    attempts: int
    next_try: str  # ISO datetime (UTC) of the next attempt
    error: str  # the last failure, for the screen
    sealed: bytes | None = None  # with a journal: nonce + AES-GCM of method, path, body, token (then "")


def table(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table behind a model class, typed: the one place `__table__` is read.

    SQLModel sets `__table__` on every `table=True` class but does not declare it, so reading it elsewhere
    needs a type-ignore. Example: `select(table(MeetingGroup).c.id)`.
    """
    found = model.__dict__.get("__table__")
    if not isinstance(found, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return found
