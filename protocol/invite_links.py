"""Short invite links: the relay keeps the signed invite sealed under a random secret; the link carries only
the relay's address and that secret, so its QR code stays small enough to scan across a room (issue 17,
docs/adr/0006-group-protocol-v2.md "Invite link").

The secret is 16 random bytes (128 bits), so it is not stretched the way a ten-character join code is: HKDF
alone turns it into the relay's lookup id and the key that seals the invite. The relay sees the lookup id
and the sealed invite, never the secret (it is after '#', and no browser sends that part).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from protocol.encoding import b64d, b64e

LINK_SECRET_BYTES = 16
_SECRET = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 16 bytes in base64url without padding


def new_link_secret() -> str:
    """22 characters of base64url.

    >>> len(new_link_secret())
    22
    """
    return b64e(os.urandom(LINK_SECRET_BYTES))


def link_secret_keys(secret: str) -> tuple[str, bytes]:
    """(lookup id for the relay, key that seals the invite); the same relay route as a join code's.

    >>> lookup, key = link_secret_keys(b64e(bytes(16)))
    >>> len(b64d(lookup)), len(key)
    (32, 32)
    """
    out = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=b"kraft/v2/invite-link").derive(
        b64d(secret, length=LINK_SECRET_BYTES))
    return b64e(out[:32]), out[32:]


def short_invite_link(secret: str, relay_url: str) -> str:
    """The relay's /join page with the secret after '#'.

    >>> short_invite_link("A" * 22, "https://relay.example/")
    'https://relay.example/join#AAAAAAAAAAAAAAAAAAAAAA'
    """
    return f"{relay_url.rstrip('/')}/join#{secret}"


def short_link_parts(text: str) -> tuple[str, str] | None:
    """(relay URL, secret) when `text` is a short invite link, else None (a long link or a bare token).

    A long link's token is hundreds of characters, so the two can never be mistaken for each other.

    >>> short_link_parts(" https://relay.example/join#" + "A" * 22 + " ")
    ('https://relay.example', 'AAAAAAAAAAAAAAAAAAAAAA')
    >>> short_link_parts("kraft://join#" + "A" * 22) is None
    True
    """
    text = "".join(text.split())
    if "#" not in text:
        return None
    page, secret = text.rsplit("#", 1)
    parts = urlsplit(page)
    if not _SECRET.match(secret) or parts.scheme not in ("http", "https") or not parts.path.endswith("/join"):
        return None
    try:
        b64d(secret, length=LINK_SECRET_BYTES)
    except ValueError:
        return None
    return page[: -len("/join")], secret
