"""Padding of v2 plaintexts to two sizes (docs/adr/0006-group-protocol-v2.md).

A plaintext gets the byte 0x80, then zeros, up to the smallest bucket that holds it: SMALL (1,024 bytes)
for everything that fits, else LARGE (16,384). All small messages have one ciphertext size and every
epoch change (forced to LARGE) has the same size whatever the member count.

`reserve` pads to the bucket less that many bytes, for a message whose outer layer adds a fixed overhead
(a sealed message's ephemeral key and nonce), so its ciphertext has the same size as the others.

    >>> len(pad(b"hello")), unpad(pad(b"hello"))
    (1024, b'hello')
"""

from __future__ import annotations

from protocol.encoding import ProtocolError

SMALL = 1024
LARGE = 16384
BUCKETS = (SMALL, LARGE)
MARKER = 0x80


def pad(data: bytes, to: int | None = None, *, reserve: int = 0) -> bytes:
    """`data`, 0x80 and zeros up to the smallest bucket (or bucket `to`) that holds len(data) + 1.

    Raises ProtocolError("too_large") when it does not fit (LARGE, or the bucket asked for).

    >>> len(pad(b"x", to=LARGE)), len(pad(b"x", reserve=44))
    (16384, 980)
    """
    if to is not None and to not in BUCKETS:
        raise ProtocolError("too_large", f"{to} is not a bucket")
    for bucket in (to,) if to is not None else BUCKETS:
        room = bucket - reserve
        if len(data) + 1 <= room:
            return data + bytes([MARKER]) + bytes(room - len(data) - 1)
    raise ProtocolError("too_large", f"{len(data)} bytes do not fit in a message")


def unpad(data: bytes, *, reserve: int = 0) -> bytes:
    """The data `pad` padded. ProtocolError("malformed") if the padding is wrong or the size not a bucket.

    >>> unpad(b"abc")
    Traceback (most recent call last):
    protocol.encoding.ProtocolError: not a padded message
    """
    if len(data) + reserve not in BUCKETS:
        raise ProtocolError("malformed", "not a padded message")
    end = len(data.rstrip(b"\x00")) - 1
    if end < 0 or data[end] != MARKER:
        raise ProtocolError("malformed", "wrong padding")
    return data[:end]
