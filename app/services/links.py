"""Where a relay-linked group's state lives on the device (ADR 0004), and the outbox of waiting requests.

The plaintext row (`group_link`) holds only public ids, reading positions and the schedule keys. The sealed
part (`Secrets`: group keys per epoch, the member's or leader's private keys, the leader's member list) is a
vault record (app.storage.records.MEMBERSHIP, one per group), or, for a member who never made a journal, the
row's `secrets` column, moved into the vault when a journal is created (`move_into_vault`).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.sqlite import insert

from app.errors import KraftError, Msg
from app.storage import db, records
from app.storage.models import GroupLink, OutboxItem
from app.storage.vault import RecordWriter, Vault

KIND = records.MEMBERSHIP.name
LEADER, MEMBER = "leader", "member"
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
REFUSED = "refused"  # next_try of a request the relay refused for good
_links = GroupLink.__table__  # type: ignore[attr-defined]
_outbox = OutboxItem.__table__  # type: ignore[attr-defined]


def membership_record_id(group_id: str) -> str:
    """The id of a group's sealed link secrets (app.storage.records.MEMBERSHIP)."""
    return records.MEMBERSHIP.record_id(group_id)


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

    def row(self) -> dict[str, Any]:
        values = asdict(self)
        values["schedule_keys"] = json.dumps({str(k): v for k, v in self.schedule_keys.items()})
        values["pending"] = json.dumps(self.pending)
        return values

    @classmethod
    def from_row(cls, row: Any) -> Link:
        m = row._mapping
        return cls(group_id=m["group_id"], role=m["role"], relay=m["relay"], mailbox=m["mailbox"],
                   leader_key=m["leader_key"], epoch=m["epoch"],
                   schedule_keys={int(k): v for k, v in json.loads(m["schedule_keys"]).items()},
                   schedule_secret=m["schedule_secret"], last_seq=m["last_seq"], after=m["after"],
                   pending=json.loads(m["pending"]))


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["group_keys"] = {str(k): v for k, v in self.group_keys.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Secrets:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["group_keys"] = {int(k): v for k, v in known.get("group_keys", {}).items()}
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


class LinkStore:
    def __init__(self, engine: Engine, vault: Vault | None = None) -> None:
        self._engine = engine
        self._vault = vault

    # ---- links ----

    def get(self, group_id: str) -> Link | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(_links).where(_links.c.group_id == group_id)).first()
        return Link.from_row(row) if row else None

    def all(self) -> list[Link]:
        with self._engine.connect() as conn:
            return [Link.from_row(row) for row in conn.execute(select(_links)).all()]

    def insert_statement(self, link: Link, secrets: Secrets) -> Any:
        """The row for a new link; `secrets` go into it only when there is no vault to seal them in."""
        values = link.row()
        values["secrets"] = None if self.sealed() else json.dumps(secrets.to_dict())
        return insert(_links).values(**values)

    def save(self, link: Link, conn: Any = None) -> None:
        values = {k: v for k, v in link.row().items() if k != "group_id"}
        statement = update(_links).where(_links.c.group_id == link.group_id).values(**values)
        if conn is not None:
            conn.execute(statement)
            return
        with db.begin(self._engine) as own:
            own.execute(statement)

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
            raw = conn.execute(select(_links.c.secrets).where(_links.c.group_id == group_id)).scalar()
        if not raw:
            raise KraftError(Msg.GROUP_NOT_LINKED, group_id=group_id)
        return Secrets.from_dict(json.loads(raw))

    def put_secrets(self, group_id: str, secrets: Secrets, tx: RecordWriter | None = None) -> None:
        if self.sealed():
            assert self._vault is not None
            payload = records.MEMBERSHIP.pack(secrets.to_dict())
            if tx is not None:
                tx.put(KIND, payload, records.MEMBERSHIP.record_id(group_id))
            else:
                self._vault.put(KIND, payload, records.MEMBERSHIP.record_id(group_id))
            return
        statement = update(_links).where(_links.c.group_id == group_id).values(secrets=json.dumps(secrets.to_dict()))
        if tx is not None:
            tx.execute(statement)
        else:
            with db.begin(self._engine) as conn:
                conn.execute(statement)

    def move_into_vault(self) -> int:
        """Seal the secrets of a member who just made a journal and clear the plaintext copies, at once."""
        assert self._vault is not None and self._vault.is_unlocked
        with self._engine.connect() as conn:
            rows = conn.execute(select(_links.c.group_id, _links.c.secrets)
                                .where(_links.c.secrets.is_not(None))).all()
        if not rows:
            return 0
        with self._vault.transaction() as tx:
            for group_id, raw in rows:
                tx.put(KIND, records.MEMBERSHIP.pack(json.loads(raw)), records.MEMBERSHIP.record_id(group_id))
            tx.execute(update(_links).values(secrets=None))
        return len(rows)

    def forget(self, group_id: str) -> None:
        """Everything of a link: its row, its waiting requests, its sealed record (works while locked)."""
        with db.begin(self._engine) as conn:
            conn.execute(delete(_outbox).where(_outbox.c.group_id == group_id))
            conn.execute(delete(_links).where(_links.c.group_id == group_id))
        if self._vault is not None:
            self._vault.discard(records.MEMBERSHIP.record_id(group_id))

    # ---- the outbox ----

    def enqueue_statement(self, group_id: str, relay: str, method: str, path: str, body: dict[str, Any], *,
                          token: str = "", now: datetime) -> Any:
        """`now` is when it may first be sent (later than now for a report sent after a random delay)."""
        return insert(_outbox).values(group_id=group_id, relay=relay, method=method, path=path,
                                      body=json.dumps(body), token=token, attempts=0,
                                      next_try=now.astimezone(UTC).isoformat(), error="")

    def next_try(self, item_id: int) -> datetime | None:
        with self._engine.connect() as conn:
            value = conn.execute(select(_outbox.c.next_try).where(_outbox.c.id == item_id)).scalar()
        return None if value in (None, REFUSED) else datetime.fromisoformat(value)

    def reschedule(self, item_id: int, at: datetime) -> None:
        with db.begin(self._engine) as conn:
            conn.execute(update(_outbox).where(_outbox.c.id == item_id).values(next_try=at.astimezone(UTC).isoformat()))

    def enqueue(self, *args: Any, **kwargs: Any) -> None:
        with db.begin(self._engine) as conn:
            conn.execute(self.enqueue_statement(*args, **kwargs))

    def waiting(self, group_id: str | None = None) -> list[Waiting]:
        query = select(_outbox).order_by(_outbox.c.id)
        if group_id is not None:
            query = query.where(_outbox.c.group_id == group_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Waiting(r.id, r.group_id, r.relay, r.method, r.path, json.loads(r.body), r.token, r.attempts,
                        r.error, r.next_try == REFUSED) for r in rows]

    def due(self, now: datetime) -> list[Waiting]:
        """Waiting requests whose time has come: per group, in order, and only the group's first (so a leader's
        messages reach the relay in sequence order). Refused ones stay for the screen but block nothing."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(_outbox.c.id, _outbox.c.group_id, _outbox.c.next_try)
                                .where(_outbox.c.next_try != REFUSED).order_by(_outbox.c.id)).all()
        first: dict[str, tuple[int, str]] = {}
        for item_id, group_id, next_try in rows:
            first.setdefault(group_id, (item_id, next_try))
        ready = {item_id for item_id, next_try in first.values()
                 if datetime.fromisoformat(next_try) <= now.astimezone(UTC)}
        return [w for w in self.waiting() if w.id in ready]

    def sent(self, item_id: int) -> None:
        with db.begin(self._engine) as conn:
            conn.execute(delete(_outbox).where(_outbox.c.id == item_id))

    def failed(self, item: Waiting, error: str, *, now: datetime, retry: bool) -> None:
        """Note a failure; a request the relay refused for good waits (visible) until the member drops it."""
        attempts = item.attempts + 1
        delay = min(BACKOFF_FIRST * 2 ** min(attempts - 1, 16), BACKOFF_MAX) * random.uniform(0.8, 1.2)  # noqa: S311
        next_try = now.astimezone(UTC) + delay
        with db.begin(self._engine) as conn:
            conn.execute(update(_outbox).where(_outbox.c.id == item.id)
                         .values(attempts=attempts, error=error,
                                 next_try=next_try.isoformat() if retry else REFUSED))

    def drop(self, item_id: int) -> None:
        """The member gives up on a refused request."""
        self.sent(item_id)
