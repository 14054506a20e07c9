"""The continuity proof of a v1 member at the upgrade (protocol.continuity, docs/adr/0006-group-protocol-v2.md
"Upgrading a version 1 group"): it checks only for the key on file, the member id, both mailboxes, the new
identity and device key it was made for, and a damaged proof or key is a plain no."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p

WHERE = {"old_mailbox": "old-box", "mailbox": "new-box", "member": "astrid-v1", "device": p.b64e(bytes(range(32)))}


def _proof(v1: X25519PrivateKey, starter: X25519PrivateKey, new: p.PublicIdentity, **where: str) -> str:
    return p.continuity_proof(v1, p.public_b64(starter), new, **{**WHERE, **where})


def test_the_proof_checks_only_for_what_it_was_made_for() -> None:
    v1, starter, other = X25519PrivateKey.generate(), X25519PrivateKey.generate(), X25519PrivateKey.generate()
    new = p.Identity.new().public()
    proof = _proof(v1, starter, new)
    assert p.check_continuity(starter, p.public_b64(v1), proof, new, **WHERE)
    assert not p.check_continuity(starter, p.public_b64(other), proof, new, **WHERE)  # another member's key
    assert not p.check_continuity(other, p.public_b64(v1), proof, new, **WHERE)  # another starter
    assert not p.check_continuity(starter, p.public_b64(v1), proof, p.Identity.new().public(), **WHERE)
    for field in WHERE:
        changed = {**WHERE, field: p.b64e(bytes(32)) if field == "device" else "x"}
        assert not p.check_continuity(starter, p.public_b64(v1), proof, new, **changed), field
    # Mallory holds her own v1 secret, not Astrid's: her proof in Astrid's name does not check.
    assert not p.check_continuity(starter, p.public_b64(v1), _proof(other, starter, new), new, **WHERE)


@pytest.mark.parametrize("proof", [None, 7, "", "AA", p.b64e(bytes(31)), p.b64e(bytes(32)), "é" * 43])
def test_a_damaged_proof_is_a_no(proof: object) -> None:
    v1, starter = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    assert not p.check_continuity(starter, p.public_b64(v1), proof, p.Identity.new().public(), **WHERE)


def test_a_damaged_or_low_order_key_is_refused() -> None:
    v1, starter, new = X25519PrivateKey.generate(), X25519PrivateKey.generate(), p.Identity.new().public()
    proof = _proof(v1, starter, new)
    for key in ("AA", p.b64e(bytes(32))):  # too short; the all-zero point (no shared secret)
        assert not p.check_continuity(starter, key, proof, new, **WHERE)
        with pytest.raises(p.ProtocolError) as refused:
            p.continuity_proof(v1, key, new, **WHERE)
        assert refused.value.reason == "identity"
