"""The keys of a new epoch, wrapped for each member in one compact form (docs/adr/0006-group-protocol-v2.md).

An `epoch` entry carries, per member, the new group key K (and the hosts' secret H for those who host)
wrapped to their identity `dh` key, and the new schedule key wrapped to their device key, so a locked
app still learns it. One wrap of K ‖ H instead of two keeps an epoch change for MAX_MEMBERS members
inside the LARGE bucket (three separate wraps each would need about 17,400 bytes).

    {member id: {"k": wrap_for(dh, K [‖ H]), "s": wrap_for(device, schedule key)}}

Each wrap's context names the mailbox, the epoch and the member, so a wrap cannot be moved to another.

    >>> from protocol.encoding import public_b64
    >>> from protocol.identity import Identity
    >>> from protocol.membership import Member, Policy, State
    >>> me, device = Identity.new(), X25519PrivateKey.generate()
    >>> member = Member(id=me.id, sig=me.public().sig, dh=me.public().dh, device=public_b64(device), host=True)
    >>> state = State(n=0, head="", epoch=0, policy=Policy(), members={me.id: member})
    >>> keys = wrap_epoch_keys(state, mailbox="m", epoch=1, group_key=bytes(32), host_secret=bytes(range(32)))
    >>> open_epoch_keys(keys, me.id, me.dh, mailbox="m", epoch=1) == (bytes(32), bytes(range(32)))
    True
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from protocol.encoding import KEY_BYTES, ProtocolError
from protocol.keys import SCHEDULE, channel_key, unwrap, wrap_for
from protocol.membership import State


def _context(mailbox: str, epoch: int, member: str, what: str) -> dict[str, Any]:
    return {"purpose": "v2/epoch", "mailbox": mailbox, "epoch": epoch, "member": member, "what": what}


def wrap_epoch_keys(state: State, *, mailbox: str, epoch: int, group_key: bytes,
                    host_secret: bytes) -> dict[str, dict[str, str]]:
    """The new keys for every member of `state` (the state the epoch starts from, e.g. after a removal).

    Hosts (`state.hosts()`: every member when every member hosts) also get the hosts' secret.
    """
    if len(group_key) != KEY_BYTES or len(host_secret) != KEY_BYTES:
        raise ProtocolError("key", "keys have 32 bytes")
    hosts = {m.id for m in state.hosts()}
    schedule = channel_key(group_key, SCHEDULE)
    return {member.id: {"k": wrap_for(member.dh, group_key + (host_secret if member.id in hosts else b""),
                                      context=_context(mailbox, epoch, member.id, "k")),
                        "s": wrap_for(member.device, schedule, context=_context(mailbox, epoch, member.id, "s"))}
            for member in state.members.values()}


def _wrapped(keys: Any, member_id: str, field: str) -> str:
    entry = keys.get(member_id) if isinstance(keys, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get(field), str):
        raise ProtocolError("unreadable", "no key for this member")
    return str(entry[field])


def open_epoch_keys(keys: Any, member_id: str, dh: X25519PrivateKey, *, mailbox: str,
                    epoch: int) -> tuple[bytes, bytes | None]:
    """(K, H) for this member — H is None for a member who does not host. ProtocolError("unreadable")."""
    secret = unwrap(dh, _wrapped(keys, member_id, "k"), context=_context(mailbox, epoch, member_id, "k"))
    if len(secret) == KEY_BYTES:
        return secret, None
    if len(secret) == 2 * KEY_BYTES:
        return secret[:KEY_BYTES], secret[KEY_BYTES:]
    raise ProtocolError("unreadable", "not an epoch key")


def open_schedule_key(keys: Any, member_id: str, device: X25519PrivateKey, *, mailbox: str, epoch: int) -> bytes:
    """The new schedule key with the device key (a locked app). ProtocolError("unreadable").

    >>> device = X25519PrivateKey.generate()
    >>> open_schedule_key({"id": {"s": "AA"}}, "id", device, mailbox="m", epoch=1)
    Traceback (most recent call last):
    protocol.encoding.ProtocolError: wrapped key too short
    """
    return unwrap(device, _wrapped(keys, member_id, "s"), context=_context(mailbox, epoch, member_id, "s"))

