"""Member identities of protocol v2 (docs/adr/0006-group-protocol-v2.md): ids, check codes, group secrets."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from protocol.identity import (
    Identity,
    PublicIdentity,
    check_code,
    door_key,
    member_id,
    new_host_secret,
    post_seed,
    post_signer,
    post_signer_from_seed,
    steward_signer,
)


def test_member_id_is_derived_from_the_signing_key():
    me = Identity.new()
    raw = p.b64d(me.public().sig)
    assert me.id == p.b64e(hashlib.sha256(b"kraft/v2/member" + raw).digest()[:16])
    assert member_id(me.public().sig) == me.id == me.public().id
    assert len(me.id) == 22
    assert Identity.new().id != me.id


@pytest.mark.parametrize("bad", ["", "AA", "not base64!", p.b64e(bytes(31)), p.b64e(bytes(33))])
def test_a_public_identity_refuses_keys_of_the_wrong_size(bad):
    good = Identity.new().public()
    for sig, dh in ((bad, good.dh), (good.sig, bad)):
        with pytest.raises(p.ProtocolError) as caught:
            PublicIdentity(sig=sig, dh=dh)
        assert caught.value.reason == "identity"
    with pytest.raises(p.ProtocolError) as caught:
        member_id(bad)
    assert caught.value.reason == "identity"


def test_public_identity_round_trips_and_refuses_damaged_dicts():
    public = Identity.new().public()
    assert PublicIdentity.from_dict(public.to_dict()) == public
    for damaged in ({}, {"sig": public.sig}, {"sig": public.sig, "dh": 5}, "text", None):
        with pytest.raises(p.ProtocolError) as caught:
            PublicIdentity.from_dict(damaged)  # type: ignore[arg-type]
        assert caught.value.reason == "identity"


def test_signatures_check_and_a_forgery_is_refused():
    me, other = Identity.new(), Identity.new()
    signature = me.sign("v2/test", a=1, b="x")
    me.public().verify(signature, "v2/test", a=1, b="x")
    for public, purpose, fields in ((other.public(), "v2/test", {"a": 1, "b": "x"}),
                                    (me.public(), "v2/other", {"a": 1, "b": "x"}),
                                    (me.public(), "v2/test", {"a": 2, "b": "x"})):
        with pytest.raises(p.ProtocolError) as caught:
            public.verify(signature, purpose, **fields)
        assert caught.value.reason == "forged"
    with pytest.raises(p.ProtocolError) as caught:
        me.public().verify("garbage", "v2/test", a=1, b="x")
    assert caught.value.reason == "forged"


def test_secret_round_trip_and_bad_secrets():
    me = Identity.new()
    back = Identity.from_secret(me.to_secret())
    assert back.id == me.id and back.public() == me.public()
    assert set(me.to_secret()) == {"sig", "dh"}
    secret = me.to_secret()
    for bad in ({}, {"sig": secret["sig"]}, {"sig": secret["sig"], "dh": "AA"}, {"sig": 1, "dh": secret["dh"]},
                [secret["sig"]], None):
        with pytest.raises(p.ProtocolError) as caught:
            Identity.from_secret(bad)  # type: ignore[arg-type]
        assert caught.value.reason == "identity"


def test_check_code_is_six_digits_and_depends_on_mailbox_and_both_keys():
    me, other = Identity.new(), Identity.new()
    code = check_code("mailbox-a", me.public())
    assert len(code) == 6 and code.isdigit()
    assert check_code("mailbox-a", me.public()) == code
    mixed = PublicIdentity(sig=me.public().sig, dh=other.public().dh)
    codes = {code, check_code("mailbox-b", me.public()), check_code("mailbox-a", other.public()),
             check_code("mailbox-a", mixed)}
    assert len(codes) == 4  # a clash has chance 1e-6 per pair


def test_check_codes_are_zero_padded_and_spread():
    codes = [check_code(f"m{i}", Identity.new().public()) for i in range(300)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len({c[0] for c in codes}) == 10  # every leading digit appears, incl. 0 (padding)


def test_group_secrets_are_derived_and_distinct():
    key, other = p.new_group_key(), p.new_group_key()
    assert len(post_seed(key)) == 32 and post_seed(key) != post_seed(other)
    assert p.public_b64(post_signer(key)) == p.public_b64(post_signer_from_seed(post_seed(key)))
    assert p.public_b64(post_signer(key)) != p.public_b64(post_signer(other))
    assert p.public_b64(post_signer(key)) != p.public_b64(p.member_signer(key))  # not v1's signer
    host = new_host_secret()
    assert len(host) == 32 and new_host_secret() != host
    assert isinstance(steward_signer(host), Ed25519PrivateKey)
    assert p.public_b64(steward_signer(host)) == p.public_b64(steward_signer(host))
    assert p.public_b64(door_key(host)) == p.public_b64(door_key(host))
    assert p.public_b64(door_key(host)) != p.public_b64(door_key(new_host_secret()))
    assert p.public_b64(steward_signer(host)) != p.public_b64(post_signer(host))
    with pytest.raises(p.ProtocolError):
        post_signer_from_seed(b"short")
