"""Where a relay-linked group's state lives on the device (ADR 0004), and the outbox of waiting requests.

The plaintext row (`group_link`) holds only public ids, reading positions and the schedule keys. The sealed
part (`Secrets`: group keys per epoch, the member's or leader's private keys, the leader's member list) is a
vault record (app.storage.records.MEMBERSHIP, one per group), or, for a member who never made a journal, the
row's `secrets` column, moved into the vault when a journal is created (`move_into_vault`); that copy never
holds the theme or the guidelines (nothing could lock them; docs/adr/0005-anonymous-attendance.md).

With a journal, each waiting request is sealed under its data key, bound to its group and row id; while the
journal is locked those wait unread (`Waiting.locked`) and nothing of them is sent (ADR 0005, "Locked").
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, Engine

from app.errors import KraftError, Msg
from app.services.outbox_sealing import open_request, seal_request
from app.storage import db, records
from app.storage.stores import links as link_rows
from app.storage.stores import outbox
from app.storage.vault import RecordWriter, Vault

KIND = records.MEMBERSHIP.name
LEADER, MEMBER = "leader", "member"
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
REFUSED = outbox.REFUSED  # next_try of a request the relay refused for good
DAMAGED = "damaged"  # the error of a sealed request that does not open (tampered with): it waits, refused
NO_CONTENT = ("theme", "guidelines")  # Secrets fields never kept where no journal seals them


def membership_record_id(group_id: str) -> str:
    """The id of a group's sealed link secrets (app.storage.records.MEMBERSHIP)."""
    return records.MEMBERSHIP.record_id(group_id)


def _conn(tx: RecordWriter | Connection) -> Connection:
    return tx.conn if isinstance(tx, RecordWriter) else tx


def _plain_secrets(secrets: Secrets) -> str:
    """The JSON kept in the row of a member without a journal: everything but the theme and guidelines."""
    return json.dumps({**secrets.to_dict(), **dict.fromkeys(NO_CONTENT, "")})


@dataclass(frozen=True)
class Link:
    group_id: str
    role: str
    relay: str
    mailbox: str
    leader_key: str
    epoch: int
    schedule_keys: dict[int, str]
    schedule_secret: str
    last_seq: int
    after: int
    pending: list[dict[str, Any]]
    version: int = 1  # the protocol the group speaks (docs/adr/0006-group-protocol-v2.md)
    state: dict[str, Any] = field(default_factory=dict)  # v2: the membership state's snapshot ({} until admitted)
    seqs: dict[str, Any] = field(default_factory=dict)  # v2: author id -> [highest seq, [seqs still missing]]
    restored: bool = False  # from a restore until the mailbox was read (docs/adr/0006-group-protocol-v2.md)

    def row(self) -> dict[str, Any]:
        values = asdict(self)
        values["schedule_keys"] = json.dumps({str(k): v for k, v in self.schedule_keys.items()})
        values["pending"] = json.dumps(self.pending)
        values["state"] = json.dumps(self.state) if self.state else ""
        values["seqs"] = json.dumps(self.seqs)
        values["restored"] = int(self.restored)
        return values

    @classmethod
    def from_row(cls, m: dict[str, Any]) -> Link:
        """A link from its stored row (app.storage.stores.links.get_link)."""
        return cls(group_id=m["group_id"], role=m["role"], relay=m["relay"], mailbox=m["mailbox"],
                   leader_key=m["leader_key"], epoch=m["epoch"],
                   schedule_keys={int(k): v for k, v in json.loads(m["schedule_keys"]).items()},
                   schedule_secret=m["schedule_secret"], last_seq=m["last_seq"], after=m["after"],
                   pending=json.loads(m["pending"]), version=int(m.get("version") or 1),
                   state=json.loads(m["state"]) if m.get("state") else {},
                   seqs=json.loads(m.get("seqs") or "{}"), restored=bool(m.get("restored")))


@dataclass
class Secrets:
    """The sealed part of a link. Keys are base64url strings."""

    role: str
    group_keys: dict[int, str]  # epoch -> K_e
    member_id: str = ""  # a member's random id in the group
    name: str = ""  # how a member is shown to the leader ("" = "a member")
    group_secret: str = ""  # a member's X25519 key that new group keys are wrapped for
    signing_key: str = ""  # the leader's Ed25519 private key
    next_seq: int = 1  # the leader's next sequence number
    members: dict[str, dict[str, str]] = field(default_factory=dict)  # leader: id -> name, group, schedule
    cant_come: dict[str, list[str]] = field(default_factory=dict)  # leader: meeting id -> member ids
    guidelines: str = ""
    theme: str = ""
    attendance_opt_in: bool = False  # a member chose to send anonymous check-ins for this group
    attendance_secret: str = ""  # the per-member, per-group key of the attendance tokens (never sent)
    # ---- protocol version 2 (docs/adr/0006-group-protocol-v2.md) ----
    identity: dict[str, str] = field(default_factory=dict)  # this member's identity keys in this group
    host_secrets: dict[int, str] = field(default_factory=dict)  # epoch -> H_e, while a host
    invite: dict[str, Any] = field(default_factory=dict)  # asking to join: the invite's door, steward, seed, id
    names: dict[str, str] = field(default_factory=dict)  # member id -> the name they told the group
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # hosts: member id -> a join request
    votes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # hosts: request -> voter -> vote
    polls: dict[str, dict[str, Any]] = field(default_factory=dict)  # members: request -> {"name", "voted"}
    invites: dict[str, int] = field(default_factory=dict)  # hosts: invite id -> how many people it admits
    contacts: list[dict[str, str]] = field(default_factory=list)  # the starter: {"from", "text"} written to them
    # ---- the group's themes (docs/adr/0014-meeting-and-themes.md) ----
    theme_polls: dict[str, dict[str, Any]] = field(default_factory=dict)  # poll -> {"choices", "votes": voter->choice}
    meeting_themes: dict[str, dict[str, Any]] = field(default_factory=dict)  # meeting -> {theme|text, "by", "offers"}
    # the upgrade from version 1 ("Upgrading a version 1 group" in docs/adr/0006-group-protocol-v2.md): the
    # starter: {"from": old mailbox, "invite", "members": v1 id -> {"name", "group"}, "done": v1 id -> v2 id,
    # "cant_come", "v1"}; a member: {"from": v1 member id, "v1": the v1 secrets}
    upgrade: dict[str, Any] = field(default_factory=dict)
    # ---- after a restore (docs/adr/0006-group-protocol-v2.md, "Restore") ----
    unsent: dict[str, dict[str, Any]] = field(default_factory=dict)  # nonce -> what sealed it, to seal it again

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["group_keys"] = {str(k): v for k, v in self.group_keys.items()}
        data["host_secrets"] = {str(k): v for k, v in self.host_secrets.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Secrets:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["group_keys"] = {int(k): v for k, v in known.get("group_keys", {}).items()}
        known["host_secrets"] = {int(k): v for k, v in known.get("host_secrets", {}).items()}
        return cls(**known)


@dataclass(frozen=True)
class Waiting:
    """A request in the outbox."""

    id: int
    group_id: str
    relay: str
    method: str
    path: str
    body: dict[str, Any]
    token: str
    attempts: int
    error: str
    refused: bool = False
    locked: bool = False  # sealed, and the journal is locked: method, path, body and token unknown until unlock


class LinkStore:
    def __init__(self, engine: Engine, vault: Vault | None = None) -> None:
        self._engine = engine
        self._vault = vault

    # ---- links ----

    def get(self, group_id: str) -> Link | None:
        with self._engine.connect() as conn:
            row = link_rows.get_link(conn=conn, group_id=group_id)
        return Link.from_row(row) if row else None

    def all(self) -> list[Link]:
        with self._engine.connect() as conn:
            return [Link.from_row(row) for row in link_rows.list_links(conn=conn)]

    def insert(self, link: Link, secrets: Secrets, *, conn: RecordWriter | Connection) -> None:
        """Add a new link's row in the caller's transaction; `secrets` go into it only when there is no vault
        to seal them in (with one, `put_secrets` seals them)."""
        plain = None if self.sealed() else _plain_secrets(secrets)
        link_rows.put_link(conn=_conn(conn), values=link.row(), secrets=plain)

    def save(self, link: Link, conn: RecordWriter | Connection | None = None) -> None:
        values = {k: v for k, v in link.row().items() if k != "group_id"}
        if conn is not None:
            link_rows.update_link(conn=_conn(conn), group_id=link.group_id, values=values)
            return
        with db.begin(self._engine) as own:
            link_rows.update_link(conn=own, group_id=link.group_id, values=values)

    def update(self, link: Link, **changes: Any) -> Link:
        changed = replace(link, **changes)
        self.save(changed)
        return changed

    # ---- the sealed part ----

    def sealed(self) -> bool:
        """True when secrets belong in the vault (one exists); raises when it exists but is locked."""
        if self._vault is None or not self._vault.exists():
            return False
        if not self._vault.is_unlocked:
            raise KraftError(Msg.VAULT_LOCKED)
        return True

    def readable(self) -> bool:
        """Whether `secrets` can be read now (no vault, or an open one)."""
        return self._vault is None or not self._vault.exists() or self._vault.is_unlocked

    def secrets(self, group_id: str) -> Secrets:
        if self.sealed():
            assert self._vault is not None
            record_id = records.MEMBERSHIP.record_id(group_id)
            payload = self._vault.get(KIND, record_id)
            if payload is None:
                raise KraftError(Msg.GROUP_NOT_LINKED, group_id=group_id)
            return Secrets.from_dict(records.MEMBERSHIP.unpack(record_id, payload))
        with self._engine.connect() as conn:
            raw = link_rows.get_secrets(conn=conn, group_id=group_id)
        if not raw:
            raise KraftError(Msg.GROUP_NOT_LINKED, group_id=group_id)
        return Secrets.from_dict(json.loads(raw))

    @contextmanager
    def transaction(self) -> Iterator[RecordWriter | Connection]:
        """One transaction for a link's row, its secrets and its outbox: a vault transaction when the secrets
        are sealed, else a plain one (a member without a journal)."""
        if self.sealed():
            assert self._vault is not None
            with self._vault.transaction() as tx:
                yield tx
            return
        with db.begin(self._engine) as conn:
            yield conn

    def put_secrets(self, group_id: str, secrets: Secrets, tx: RecordWriter | Connection | None = None) -> None:
        if self.sealed():
            assert self._vault is not None
            payload = records.MEMBERSHIP.pack(secrets.to_dict())
            if isinstance(tx, RecordWriter):
                tx.put(KIND, payload, records.MEMBERSHIP.record_id(group_id))
            else:
                self._vault.put(KIND, payload, records.MEMBERSHIP.record_id(group_id))
            return
        plain = _plain_secrets(secrets)
        if tx is not None:
            link_rows.set_secrets(conn=_conn(tx), group_id=group_id, secrets=plain)
        else:
            with db.begin(self._engine) as conn:
                link_rows.set_secrets(conn=conn, group_id=group_id, secrets=plain)

    def move_into_vault(self) -> int:
        """Seal the secrets of a member who just made a journal and clear the plaintext copies, at once."""
        assert self._vault is not None and self._vault.is_unlocked
        with self._engine.connect() as conn:
            rows = link_rows.plaintext_secrets(conn=conn)
        if not rows:
            return 0
        with self._vault.transaction() as tx:
            for group_id, raw in rows:
                tx.put(KIND, records.MEMBERSHIP.pack(json.loads(raw)), records.MEMBERSHIP.record_id(group_id))
            link_rows.clear_secrets(conn=tx.conn)
        return len(rows)

    def forget(self, group_id: str) -> None:
        """Everything of a link: its row, its waiting requests, its sealed record (works while locked)."""
        with db.begin(self._engine) as conn:
            outbox.delete_for_group(conn=conn, group_id=group_id)
            link_rows.delete_link(conn=conn, group_id=group_id)
        if self._vault is not None:
            self._vault.discard(records.MEMBERSHIP.record_id(group_id))

    # ---- the outbox ----

    def enqueue(self, group_id: str, relay: str, method: str, path: str, body: dict[str, Any], *,
                token: str = "", now: datetime, conn: RecordWriter | Connection | None = None) -> None:
        """Queue a request; `now` is when it may first be sent (later than now for a report sent after a
        random delay). With `conn`, in the caller's transaction (with what the request belongs to). With an
        open journal it is sealed; queued while one is locked (nothing does yet), it is sealed at unlock."""
        request = dict(method=method, path=path, body=json.dumps(body), token=token)
        if conn is not None:
            self._enqueue(_conn(conn), group_id, relay, request, now)
            return
        with db.begin(self._engine) as own:
            self._enqueue(own, group_id, relay, request, now)

    def _enqueue(self, conn: Connection, group_id: str, relay: str, request: dict[str, str], now: datetime) -> None:
        next_try = now.astimezone(UTC).isoformat()
        if not self._can_seal():
            outbox.enqueue(conn=conn, group_id=group_id, relay=relay, method=request["method"], path=request["path"],
                           body=request["body"], token=request["token"], next_try=next_try)
            return
        assert self._vault is not None
        # inserted first (that takes the write lock; reading the highest id first could race another writer),
        # then sealed bound to the id it got
        item_id = outbox.enqueue(conn=conn, group_id=group_id, relay=relay, method="", path="", body="", token="",
                                 next_try=next_try, sealed=b"")
        outbox.set_sealed(conn=conn, item_id=item_id, sealed=seal_request(self._vault, group_id, item_id, request))

    def _can_seal(self) -> bool:
        return self._vault is not None and self._vault.is_unlocked and self._vault.exists()

    def seal_outbox(self) -> int:
        """Seal what waits in plaintext (queued before the journal existed, or by an older version), at every
        opening of the journal; returns how many."""
        assert self._vault is not None and self._vault.is_unlocked
        with db.begin(self._engine) as conn:
            rows = outbox.plaintext(conn=conn)
            for r in rows:
                request = dict(method=r.method, path=r.path, body=r.body, token=r.token)
                outbox.set_sealed(conn=conn, item_id=r.id, sealed=seal_request(self._vault, r.group_id, r.id, request))
        return len(rows)

    def _item(self, r: outbox.OutboxRow) -> Waiting:
        """A stored row as a Waiting request, opened when sealed and the journal is open."""
        refused, error = r.next_try == REFUSED, r.error
        request = dict(method=r.method, path=r.path, body=r.body or "{}", token=r.token)
        if r.sealed is not None:
            if not (self._vault is not None and self._vault.is_unlocked):
                return Waiting(r.id, r.group_id, r.relay, "", "", {}, "", r.attempts, error, refused, locked=True)
            try:
                request = open_request(self._vault, r.group_id, r.id, r.sealed)
            except (InvalidTag, ValueError):
                return Waiting(r.id, r.group_id, r.relay, "", "", {}, "", r.attempts, DAMAGED, refused=True)
        return Waiting(r.id, r.group_id, r.relay, request["method"], request["path"], json.loads(request["body"]),
                       request["token"], r.attempts, error, refused)

    def next_try(self, item_id: int) -> datetime | None:
        with self._engine.connect() as conn:
            value = outbox.get_next_try(conn=conn, item_id=item_id)
        return None if value in (None, REFUSED) else datetime.fromisoformat(value)

    def reschedule(self, item_id: int, at: datetime) -> None:
        with db.begin(self._engine) as conn:
            outbox.set_next_try(conn=conn, item_id=item_id, next_try=at.astimezone(UTC).isoformat())

    def waiting(self, group_id: str | None = None) -> list[Waiting]:
        with self._engine.connect() as conn:
            rows = outbox.list_waiting(conn=conn, group_id=group_id)
        return [self._item(r) for r in rows]

    def due(self, now: datetime) -> list[Waiting]:
        """Waiting requests whose time has come: per group, in order, and only the group's first (so a leader's
        messages reach the relay in sequence order). Refused ones stay for the screen but block nothing; a
        sealed one holds its group back while the journal is locked; one that does not open is refused."""
        items = self.waiting()
        for item in items:
            if item.error == DAMAGED and not item.path and self.next_try(item.id):  # refused for good: blocks nothing
                self.failed(item, DAMAGED, now=now, retry=False)
        with self._engine.connect() as conn:
            rows = outbox.sendable(conn=conn)
        first: dict[str, tuple[int, str]] = {}
        for item_id, group_id, next_try in rows:
            first.setdefault(group_id, (item_id, next_try))
        ready = {item_id for item_id, next_try in first.values()
                 if datetime.fromisoformat(next_try) <= now.astimezone(UTC)}
        return [w for w in items if w.id in ready and not w.locked and not w.refused]

    def sent(self, item_id: int) -> None:
        with db.begin(self._engine) as conn:
            outbox.delete_item(conn=conn, item_id=item_id)

    def failed(self, item: Waiting, error: str, *, now: datetime, retry: bool) -> None:
        """Note a failure; a request the relay refused for good waits (visible) until the member drops it."""
        attempts = item.attempts + 1
        delay = min(BACKOFF_FIRST * 2 ** min(attempts - 1, 16), BACKOFF_MAX) * random.uniform(0.8, 1.2)  # noqa: S311
        next_try = now.astimezone(UTC) + delay
        with db.begin(self._engine) as conn:
            outbox.note_failure(conn=conn, item_id=item.id, attempts=attempts, error=error,
                                next_try=next_try.isoformat() if retry else REFUSED)

    def rewrite(self, item_id: int, body: dict[str, Any], conn: RecordWriter | Connection) -> None:
        """Replace a waiting message with the one sealed again in its place (after a restore), in the caller's
        transaction (with the secrets that say what was sealed); sealed again when it was sealed."""
        row = outbox.get_row(conn=_conn(conn), item_id=item_id)
        if row is None or row.sealed is None or self._vault is None:
            outbox.set_body(conn=_conn(conn), item_id=item_id, body=json.dumps(body))
            return
        item = self._item(row)
        request = dict(method=item.method, path=item.path, body=json.dumps(body), token=item.token)
        outbox.set_sealed(conn=_conn(conn), item_id=item_id,
                          sealed=seal_request(self._vault, row.group_id, item_id, request))

    def drop(self, item_id: int) -> None:
        """The member gives up on a refused request."""
        self.sent(item_id)
