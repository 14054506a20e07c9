from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from app.storage import crypto


def test_seal_uses_a_fresh_nonce_every_time() -> None:
    key = crypto.new_key()
    nonces = {crypto.seal(key, b"same text", b"ad")[0] for _ in range(200)}
    assert len(nonces) == 200


def test_open_rejects_other_associated_data() -> None:
    key = crypto.new_key()
    nonce, ct = crypto.seal(key, b"hemligt", b"kraft|record|entry|a|1")
    assert crypto.open_sealed(key, nonce, ct, b"kraft|record|entry|a|1") == b"hemligt"
    with pytest.raises(InvalidTag):
        crypto.open_sealed(key, nonce, ct, b"kraft|record|entry|b|1")


@pytest.mark.parametrize("size", [0, 1, 251, 252, 253, 1000, 1500, 16_000, 16_380, 40_000])
def test_padding_round_trips_and_hides_exact_length(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    padded = crypto.pad(data)
    assert crypto.unpad(padded) == data
    assert len(padded) == crypto.bucket_size(size + 4)
    assert len(padded) >= 256


def test_nearby_lengths_share_a_bucket() -> None:
    assert len(crypto.pad(b"x" * 1100)) == len(crypto.pad(b"x" * 1400))


def test_unpad_rejects_a_lying_length() -> None:
    with pytest.raises(ValueError):
        crypto.unpad(b"\x00\x00\x10\x00" + b"short")


def test_salts_and_record_ids_are_unique() -> None:
    assert len({crypto.new_salt() for _ in range(100)}) == 100
    assert len({crypto.new_record_id() for _ in range(100)}) == 100


def test_recovery_code_normalisation_accepts_what_people_type() -> None:
    code = crypto.new_recovery_code()
    assert len(code.replace("-", "")) == 24
    typed = code.lower().replace("-", " ").replace("O", "0")
    assert crypto.normalize_recovery_code(typed) == crypto.normalize_recovery_code(code)


def test_passphrase_is_nfc_normalised() -> None:
    composed, decomposed = "bl\u00e5b\u00e4r", "bla\u030aba\u0308r"
    assert composed != decomposed
    assert crypto.normalize_passphrase(composed) == crypto.normalize_passphrase(decomposed)


def test_argon2id_depends_on_salt_and_params() -> None:
    params = crypto.KdfParams(memory_kib=1024, iterations=1)
    a = crypto.derive_key(b"pw", b"s" * 16, params)
    assert a == crypto.derive_key(b"pw", b"s" * 16, params)
    assert a != crypto.derive_key(b"pw", b"t" * 16, params)
    assert a != crypto.derive_key(b"pw", b"s" * 16, crypto.KdfParams(memory_kib=2048, iterations=1))
