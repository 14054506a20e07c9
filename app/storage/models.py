"""The tables of the vault database, as SQLAlchemy Core tables. Only ids, record kinds and the vault header
are plaintext.

Core, not SQLModel classes: the app only ever builds statements on these tables (no ORM objects), and
SQLModel would bring pydantic and SQLAlchemy's ORM into every `kraft` command, about 0.1 s of imports
(docs/adr/0013-search-folding.md). The schema itself comes from the migrations in app/storage/db.py; these
only have to name the same columns. The relay (coordinator/) keeps its SQLModel tables.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, MetaData, String, Table

METADATA = MetaData()


def _text(name: str, *fk: ForeignKey, primary_key: bool = False, nullable: bool = False, index: bool = False,
          default: str | None = None) -> Column[str]:
    return Column(name, String, *fk, primary_key=primary_key, nullable=nullable, index=index or None,
                  default=default)


def _int(name: str, *, primary_key: bool = False, default: int | None = None) -> Column[int]:
    return Column(name, Integer, primary_key=primary_key, nullable=False, default=default)


def _bytes(name: str, *, primary_key: bool = False, nullable: bool = False) -> Column[bytes]:
    return Column(name, LargeBinary, primary_key=primary_key, nullable=nullable)


# The single row that says which on-disk format this vault uses.
VaultHeader = Table("vault_header", METADATA, _int("id", primary_key=True, default=1), _int("format_version"),
                    _text("vault_id"))

# The data key wrapped under one unlock method: kind "passphrase" | "recovery" | "keystore"; kdf "argon2id"
# (or "none" for a keystore-held key); kdf_params the JSON of KdfParams.
KeySlot = Table("key_slot", METADATA, _text("kind", primary_key=True), _text("kdf"), _text("kdf_params"),
                _bytes("salt"), _bytes("nonce"), _bytes("wrapped_key"))

# One encrypted record: journal entry, draft, settings. Everything but id and kind is ciphertext; version is
# bound in the associated data from format 2 on (the manifest says the current one).
Record = Table("record", METADATA, _text("id", primary_key=True), _text("kind", index=True), _int("fmt"),
               _bytes("nonce"), _bytes("ciphertext"), _int("version", default=0))

# A record's keyed tag (not its id), kind and version as the last write left them (app.storage.manifest).
ManifestEntry = Table("manifest_entry", METADATA, _bytes("tag", primary_key=True), _text("kind"), _int("version"))

# The counter, the set-MAC accumulator of every entry, and the MAC over both (app.storage.manifest).
Manifest = Table("manifest", METADATA, _int("id", primary_key=True, default=1), _int("counter"), _bytes("acc"),
                 _bytes("mac"))

# Device preferences needed before unlocking (language, theme); never anything the member wrote.
Preference = Table("preference", METADATA, _text("name", primary_key=True), _text("value"))

# A named migration that has run, so each runs exactly once, in its own transaction.
SchemaMigration = Table("schema_migration", METADATA, _text("name", primary_key=True))

# A group the member follows: its meeting times (JSON of Schedule.to_dict()) and a neutral label (plaintext).
MeetingGroup = Table("meeting_group", METADATA, _text("id", primary_key=True), _text("label"), _text("schedule"))

# An anonymous member's "I was there" / "I can't come" (no vault to seal it in): to the day only. meeting_id
# is the meeting's original start (20261203T170000Z); start the start it was said for (a moved meeting asks
# again); status "attended" | "cant_come"; day the ISO date the member said it.
CheckInRow = Table("checkin", METADATA, _text("group_id", primary_key=True), _text("meeting_id", primary_key=True),
                   _text("status"), _text("day"), _text("start", default=""))

# A group joined or led through the relay: public ids, where reading stopped, and the schedule keys. role
# "leader" | "member"; relay "" when the group travels by links and files only; leader_key the Ed25519 public
# key (base64url); schedule_keys JSON {epoch: key} (opens schedule changes only); schedule_secret the member's
# X25519 key new schedule keys are wrapped for ("" for a leader); pending JSON of accepted envelopes that need
# the open vault; secrets the sealed part, only for a member without a vault; version the protocol
# (docs/adr/0006-group-protocol-v2.md); state and seqs version 2's membership state and sequence numbers;
# restored 1 from a restore until the mailbox was read.
GroupLink = Table(
    "group_link", METADATA, _text("group_id", ForeignKey("meeting_group.id"), primary_key=True), _text("role"),
    _text("relay"), _text("mailbox"), _text("leader_key"), _int("epoch"), _text("schedule_keys"),
    _text("schedule_secret"), _int("last_seq"), _int("after"), _text("pending"), _text("secrets", nullable=True),
    _int("version", default=1), _text("state", default=""), _text("seqs", default="{}"), _int("restored", default=0))

# A request waiting for the relay, retried with backoff; with a journal, sealed under its data key (nonce +
# AES-GCM of method, path, body, token, which are then ""). next_try: ISO datetime (UTC); error: the last
# failure, for the screen.
OutboxItem = Table(
    "outbox", METADATA, _int("id", primary_key=True), _text("group_id"), _text("relay"), _text("method"),
    _text("path"), _text("body"), _text("token"), _int("attempts"), _text("next_try"), _text("error"),
    _bytes("sealed", nullable=True))


def table(model: Table) -> Table:
    """The table itself: kept so that `table(MeetingGroup).c.id` reads as it did when these were SQLModel
    classes, and refuses anything else. Example: `select(table(MeetingGroup).c.id)`."""
    if not isinstance(model, Table):
        raise TypeError(f"{model!r} is not a table")
    return model
