"""The membership log of protocol v2: who is in a group and who may change it (docs/adr/0006-group-protocol-v2.md).

Each change is an `Entry` {n, prev, author, op, args} signed by its author's identity key, `prev` the hash
of the previous entry (a chain from n = 0). Every app applies the entries in order with the one pure rule
function `apply`, which refuses what the policy in force does not allow with ProtocolError("refused",
reason) — `str(error)` is the reason, also in `error.why`:

    order         n is not state.n + 1, prev is not the head, or `create` is not first
    forged        the signature does not check against the author's key (for `create`, the key in args)
    not_member    the author (or the member named in args) is unknown, removed or departed
    not_host      the op needs a host and the author is not one
    known_member  `admit` of an id that is or was a member: no second join, no re-join of the removed
    bad_id        the id given for a key (the author of `create`, `member.id` of admit) is not its member id
    invite_used   the invite has been used as often as it allows
    votes         a closed group, and no signed yes from more than half of the current members
    last_host     a "hosts only" group would be left without a host
    epoch         the new epoch is not state.epoch + 1
    full          MAX_MEMBERS members already
    bad_args      an unknown op or arguments of the wrong shape

The checks run in that order of concern: order, then the author (not_member, forged), then `may`'s checks
(not_host, bad_args, then the op's own rules). `may` answers without signatures, so an app can say
"you are not a host" before it builds and signs anything.

    >>> from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    >>> from protocol.encoding import public_b64
    >>> from protocol.identity import Identity
    >>> starter = Identity.new()
    >>> args = {"member": {**starter.public().to_dict(), "device": public_b64(X25519PrivateKey.generate())},
    ...         "policy": {}}
    >>> state = apply(None, make_entry(None, starter, "create", args, mailbox="m"), mailbox="m")
    >>> state.is_host(starter.id), state.epoch, may(state, starter.id, "leave", {})
    (True, 0, 'last_host')
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from protocol.encoding import ProtocolError, b64d, b64e, canonical
from protocol.identity import Identity, PublicIdentity, member_id

HOSTS_ONLY, EVERY_MEMBER = "hosts_only", "every_member"
OPEN, CLOSED = "open", "closed"
MAX_MEMBERS = 40
MAX_INVITE_USES = 12  # a join code on the board
OPS = ("create", "admit", "host", "unhost", "remove", "leave", "policy", "epoch")
REASONS = ("order", "forged", "not_member", "not_host", "known_member", "bad_id", "invite_used", "votes",
           "last_host", "epoch", "full", "bad_args")


class Refused(ProtocolError):
    """ProtocolError("refused", why): an entry the rules do not allow. `why` is one of REASONS."""

    def __init__(self, why: str) -> None:
        super().__init__("refused", why)
        self.why = why


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Policy:
    """Who hosts (HOSTS_ONLY or EVERY_MEMBER), who is admitted (OPEN, or CLOSED: by vote), and from which
    meeting (index, default 2) the app proposes closing. ProtocolError("policy") for unknown values.

    >>> Policy.from_dict({"admission": "closed"})
    Policy(hosting='hosts_only', admission='closed', closes_at=2)
    """

    hosting: str = HOSTS_ONLY
    admission: str = OPEN
    closes_at: int = 2

    def __post_init__(self) -> None:
        if self.hosting not in (HOSTS_ONLY, EVERY_MEMBER):
            raise ProtocolError("policy", f"unknown hosting {self.hosting!r}")
        if self.admission not in (OPEN, CLOSED):
            raise ProtocolError("policy", f"unknown admission {self.admission!r}")
        if not _is_int(self.closes_at) or self.closes_at < 0:
            raise ProtocolError("policy", "closes_at is a meeting index")

    def to_dict(self) -> dict[str, Any]:
        """`{"hosting", "admission", "closes_at"}`, JSON-ready."""
        return {"hosting": self.hosting, "admission": self.admission, "closes_at": self.closes_at}

    @classmethod
    def from_dict(cls, data: Any) -> Policy:
        """Read `to_dict`'s form; missing fields take the defaults, unknown ones raise ProtocolError("policy")."""
        return cls().changed(data)

    def changed(self, data: Any) -> Policy:
        """This policy with the fields in `data` changed (the `policy` op's args)."""
        if not isinstance(data, dict) or not set(data) <= {"hosting", "admission", "closes_at"}:
            raise ProtocolError("policy", "not a policy")
        return replace(self, **data)


@dataclass(frozen=True)
class Member:
    """A member as the log knows them: id, identity publics, device key (for schedule keys), roles."""

    id: str
    sig: str
    dh: str
    device: str
    starter: bool = False
    host: bool = False

    @property
    def public(self) -> PublicIdentity:
        """The member's identity keys, to check what they signed."""
        return PublicIdentity(sig=self.sig, dh=self.dh)

    def to_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {"id": self.id, "sig": self.sig, "dh": self.dh, "device": self.device, "starter": self.starter,
                "host": self.host}

    @classmethod
    def from_dict(cls, data: Any) -> Member:
        """Read `to_dict`'s form; ProtocolError("malformed") when damaged or the id is not the key's."""
        try:
            if not isinstance(data, dict) or set(data) != {"id", "sig", "dh", "device", "starter", "host"}:
                raise ProtocolError("malformed", "not a member")
            if not isinstance(data["starter"], bool) or not isinstance(data["host"], bool):
                raise ProtocolError("malformed", "roles are true or false")
            b64d(data["device"], length=32)
            public = PublicIdentity(sig=data["sig"], dh=data["dh"])
            if public.id != data["id"]:
                raise ProtocolError("malformed", "the member id is not the key's")
        except ProtocolError as exc:
            raise ProtocolError("malformed", str(exc)) from exc
        return cls(**data)


@dataclass(frozen=True)
class State:
    """The group as the log so far makes it: the last entry (n, head hash), epoch, policy, members,
    the ids that left or were removed (`gone`, never admitted again), and each invite's uses."""

    n: int
    head: str
    epoch: int
    policy: Policy
    members: Mapping[str, Member]
    gone: frozenset[str] = frozenset()
    invites_used: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:  # read-only views, so a State cannot be changed behind the log's back
        object.__setattr__(self, "members", MappingProxyType(dict(self.members)))
        object.__setattr__(self, "invites_used", MappingProxyType(dict(self.invites_used)))
        object.__setattr__(self, "gone", frozenset(self.gone))

    def hosts(self) -> list[Member]:
        """Who may host now: the members with the host flag, every member when EVERY_MEMBER (by id)."""
        every = self.policy.hosting == EVERY_MEMBER
        return [m for _, m in sorted(self.members.items()) if every or m.host]

    def is_host(self, member_id: str) -> bool:
        """Whether `member_id` is a member who may host."""
        member = self.members.get(member_id)
        return member is not None and (member.host or self.policy.hosting == EVERY_MEMBER)

    def is_member(self, member_id: str) -> bool:
        """Whether `member_id` is a current member."""
        return member_id in self.members

    def member(self, member_id: str) -> Member:
        """The current member with this id; ProtocolError("not_member") for anyone else."""
        try:
            return self.members[member_id]
        except KeyError:
            raise ProtocolError("not_member", "not a member of this group") from None

    def starter(self) -> Member | None:
        """The starter while they are a member ("contact the starter" seals to their `dh` key)."""
        return next((m for _, m in sorted(self.members.items()) if m.starter), None)

    def snapshot(self) -> dict[str, Any]:
        """The whole state, JSON-ready (sorted), for a welcome; `from_snapshot` reads it back."""
        return {"n": self.n, "head": self.head, "epoch": self.epoch, "policy": self.policy.to_dict(),
                "members": [m.to_dict() for _, m in sorted(self.members.items())], "gone": sorted(self.gone),
                "invites_used": dict(sorted(self.invites_used.items()))}

    @classmethod
    def from_snapshot(cls, data: Any) -> State:
        """Read a snapshot; ProtocolError("malformed") when it is damaged."""
        keys = {"n", "head", "epoch", "policy", "members", "gone", "invites_used"}
        try:
            if not isinstance(data, dict) or set(data) != keys:
                raise ProtocolError("malformed", "not a snapshot")
            n, head, epoch, gone, used = data["n"], data["head"], data["epoch"], data["gone"], data["invites_used"]
            if not (_is_int(n) and n >= 0 and isinstance(head, str) and _is_int(epoch) and epoch >= 0):
                raise ProtocolError("malformed", "not a snapshot")
            if not isinstance(data["members"], list) or not isinstance(gone, list):
                raise ProtocolError("malformed", "not a snapshot")
            members = [Member.from_dict(m) for m in data["members"]]
            ids = {m.id for m in members}
            if len(ids) != len(members) or not all(isinstance(g, str) for g in gone) or ids & set(gone):
                raise ProtocolError("malformed", "members twice, or gone and member at once")
            if not isinstance(used, dict) or not all(_is_int(v) and v > 0 for v in used.values()):
                raise ProtocolError("malformed", "invite uses")
            return cls(n=n, head=head, epoch=epoch, policy=Policy.from_dict(data["policy"]),
                       members={m.id: m for m in members}, gone=frozenset(gone), invites_used=used)
        except ProtocolError as exc:
            raise ProtocolError("malformed", str(exc)) from exc


@dataclass(frozen=True)
class Entry:
    """One change of the membership log, signed by `author` over `signing_bytes("v2/log", ...)`."""

    n: int
    prev: str
    author: str
    op: str
    args: dict[str, Any]
    signature: str

    def to_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready (the body of a `log` message)."""
        return {"n": self.n, "prev": self.prev, "author": self.author, "op": self.op, "args": self.args,
                "signature": self.signature}

    @classmethod
    def from_dict(cls, data: Any) -> Entry:
        """Read `to_dict`'s form; ProtocolError("malformed") when damaged."""
        if not isinstance(data, dict) or set(data) != {"n", "prev", "author", "op", "args", "signature"}:
            raise ProtocolError("malformed", "not a log entry")
        if not (_is_int(data["n"]) and data["n"] >= 0 and isinstance(data["args"], dict)
                and all(isinstance(data[k], str) for k in ("prev", "author", "op", "signature"))):
            raise ProtocolError("malformed", "not a log entry")
        return cls(**data)

    def signed_fields(self, mailbox: str) -> dict[str, Any]:
        """The fields the author signs (purpose "v2/log")."""
        return {"mailbox": mailbox, "n": self.n, "prev": self.prev, "author": self.author, "op": self.op,
                "args": self.args}


def entry_hash(entry: Entry) -> str:
    """The chain's link: base64url SHA-256 of the canonical entry, signature included."""
    return b64e(hashlib.sha256(canonical(entry.to_dict())).digest())


def make_entry(state: State | None, identity: Identity, op: str, args: dict[str, Any], *, mailbox: str) -> Entry:
    """The next entry after `state` (None for `create`: n = 0, prev = ""), signed by `identity`.

    It is not checked: `may` before, `apply` after.
    """
    n, prev = (0, "") if state is None else (state.n + 1, state.head)
    unsigned = Entry(n=n, prev=prev, author=identity.id, op=op, args=args, signature="")
    return replace(unsigned, signature=identity.sign("v2/log", **unsigned.signed_fields(mailbox)))


# ---- votes of a closed group ----


def sign_vote(identity: Identity, *, mailbox: str, request: str, yes: bool) -> dict[str, Any]:
    """A member's signed answer to "Let X join?" (`request` = the newcomer's member id)."""
    return {"voter": identity.id, "request": request, "yes": yes,
            "signature": identity.sign("v2/vote", mailbox=mailbox, request=request, voter=identity.id, yes=yes)}


def _vote_shape(vote: Any, request: str) -> bool:
    return (isinstance(vote, dict) and set(vote) == {"voter", "request", "yes", "signature"}
            and vote["request"] == request and isinstance(vote["yes"], bool) and isinstance(vote["voter"], str)
            and isinstance(vote["signature"], str))


def check_vote(state: State, vote: Any, *, mailbox: str, request: str) -> bool:
    """True when `vote` is a current member's signed vote (yes or no) on `request` in this mailbox."""
    if not _vote_shape(vote, request) or vote["voter"] not in state.members:
        return False
    try:
        state.members[vote["voter"]].public.verify(vote["signature"], "v2/vote", mailbox=mailbox, request=request,
                                                   voter=vote["voter"], yes=vote["yes"])
    except ProtocolError:
        return False
    return True


def _yes_voters(state: State, votes: Iterable[Any], request: str, mailbox: str | None) -> set[str]:
    """Distinct current members who voted yes; with a mailbox their signatures are checked too."""
    return {v["voter"] for v in votes
            if _vote_shape(v, request) and v["yes"] and v["voter"] in state.members
            and (mailbox is None or check_vote(state, v, mailbox=mailbox, request=request))}


# ---- the rules ----


def _new_member(data: Any) -> tuple[str, Member] | str:
    """(id, Member) from `{sig, dh, device}` (+ optional `id`), or the refusal reason."""
    if not isinstance(data, dict) or not {"sig", "dh", "device"} <= set(data) <= {"id", "sig", "dh", "device"}:
        return "bad_args"
    try:
        PublicIdentity(sig=data["sig"], dh=data["dh"])
        b64d(data["device"], length=32)
    except ProtocolError:
        return "bad_args"
    new_id = member_id(data["sig"])
    if "id" in data and data["id"] != new_id:
        return "bad_id"
    return new_id, Member(id=new_id, sig=data["sig"], dh=data["dh"], device=data["device"])


def _create(author_id: str, args: Any) -> State | str:
    if not isinstance(args, dict) or set(args) != {"member", "policy"}:
        return "bad_args"
    made = _new_member(args["member"])
    if isinstance(made, str):
        return made
    new_id, member = made
    try:
        policy = Policy.from_dict(args["policy"])
    except ProtocolError:
        return "bad_args"
    if author_id != new_id:
        return "bad_id"
    return State(n=0, head="", epoch=0, policy=policy, members={new_id: replace(member, starter=True, host=True)})


def _target(args: Any) -> str | None:
    """The member named by `{member: id}`, or None when the args are of another shape."""
    if isinstance(args, dict) and set(args) == {"member"} and isinstance(args["member"], str):
        return args["member"]
    return None


def _next(state: State, author_id: str, op: str, args: Any, *, mailbox: str | None) -> State | str:
    """The state after the op (n and head unchanged), or the reason it is refused."""
    if op == "create":
        return "order"
    if author_id not in state.members:
        return "not_member"
    if op not in OPS or not isinstance(args, dict):
        return "bad_args"
    members, gone, used = dict(state.members), set(state.gone), dict(state.invites_used)
    policy, epoch = state.policy, state.epoch
    if op == "leave":
        if args:
            return "bad_args"
        del members[author_id]
        gone.add(author_id)
    elif not state.is_host(author_id):
        return "not_host"
    elif op == "admit":
        if not {"member", "invite", "uses"} <= set(args) <= {"member", "invite", "uses", "votes"}:
            return "bad_args"
        invite, uses, votes = args["invite"], args["uses"], args.get("votes", [])
        if not (isinstance(invite, str) and invite and _is_int(uses) and 1 <= uses <= MAX_INVITE_USES
                and isinstance(votes, list) and all(isinstance(v, dict) for v in votes)):
            return "bad_args"
        made = _new_member(args["member"])
        if isinstance(made, str):
            return made
        new_id, member = made
        if new_id in members or new_id in gone:
            return "known_member"
        if len(members) >= MAX_MEMBERS:
            return "full"
        if used.get(invite, 0) >= uses:
            return "invite_used"
        if policy.admission == CLOSED and 2 * len(_yes_voters(state, votes, new_id, mailbox)) <= len(members):
            return "votes"
        members[new_id] = member
        used[invite] = used.get(invite, 0) + 1
    elif op in ("host", "unhost", "remove"):
        target = _target(args)
        if target is None or (op == "remove" and target == author_id):
            return "bad_args"
        if target not in members:
            return "not_member"
        if op == "remove":
            del members[target]
            gone.add(target)
        else:
            members[target] = replace(members[target], host=op == "host")
    elif op == "policy":
        try:
            policy = policy.changed(args)
        except (ProtocolError, TypeError):
            return "bad_args"
    elif op == "epoch":
        if "epoch" not in args or not _is_int(args["epoch"]):
            return "bad_args"
        if args["epoch"] != state.epoch + 1:
            return "epoch"
        epoch = args["epoch"]
    if policy.hosting == HOSTS_ONLY and not any(m.host for m in members.values()):
        return "last_host"
    return State(n=state.n, head=state.head, epoch=epoch, policy=policy, members=members, gone=frozenset(gone),
                 invites_used=used)


def may(state: State | None, author_id: str, op: str, args: dict[str, Any]) -> str | None:
    """The reason `apply` would refuse this change by `author_id`, or None when allowed.

    No signatures are checked (neither the entry's nor the votes'), so it can be asked before signing.

    >>> may(None, "someone", "leave", {})
    'order'
    """
    if state is None:
        if op != "create":
            return "order"
        made = _create(author_id, args)
    else:
        made = _next(state, author_id, op, args, mailbox=None)
    return made if isinstance(made, str) else None


def apply(state: State | None, entry: Entry, *, mailbox: str) -> State:
    """The state after `entry`, or Refused (ProtocolError("refused", reason)): the one rule function.

    Pure: `state` is not changed; the same entries in the same order give every app the same state.
    """
    if state is None:
        if entry.op != "create" or entry.n != 0 or entry.prev != "":
            raise Refused("order")
        made = _create(entry.author, entry.args)
        if isinstance(made, str):
            raise Refused(made)
        public = made.members[entry.author].public
    else:
        if entry.op == "create" or entry.n != state.n + 1 or entry.prev != state.head:
            raise Refused("order")
        if entry.author not in state.members:
            raise Refused("not_member")
        public = state.members[entry.author].public
        made = _next(state, entry.author, entry.op, entry.args, mailbox=None)  # reasons before the signature
    try:
        public.verify(entry.signature, "v2/log", **entry.signed_fields(mailbox))
    except ProtocolError:
        raise Refused("forged") from None
    if isinstance(made, str):
        raise Refused(made)
    if state is not None and entry.op == "admit":
        made = _next(state, entry.author, entry.op, entry.args, mailbox=mailbox)  # now the votes' signatures
        if isinstance(made, str):
            raise Refused(made)
    return replace(made, n=entry.n, head=entry_hash(entry))


def replay(entries: Iterable[Entry], *, mailbox: str, state: State | None = None) -> State | None:
    """Apply `entries` in order from `state` (None: from the start); raises on the first refused one."""
    for entry in entries:
        state = apply(state, entry, mailbox=mailbox)
    return state
