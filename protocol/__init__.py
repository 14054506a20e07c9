"""Kraft's wire format, the only code the member app and the relay share (ADR 0004, ADR 0005).

Keys, signed envelopes, invites and join codes (`encoding`, `keys`, `envelopes`, `invites`, `join_codes`),
and the attendance tokens and small-cell suppression (`attendance`, `suppression`). Pure functions over
bytes and JSON-ready dicts; no I/O, and nothing from `app` or `coordinator`. The relay server
(`coordinator/`) uses `signing_bytes` and `verify` from here, so both sides sign exactly the same bytes, and
the attendance counts and suppression for the funders' table.

Bytes travel as base64url without padding (`b64e`/`b64d`). Everything signed or used as associated data is
*canonical JSON*: sorted keys, no spaces, UTF-8, integers and strings only (no floats).

Keys of one group, for epoch e with group key K_e (32 random bytes):

    mailbox        = HKDF(K_0, salt=group id, info="kraft/v1/mailbox")[:16]   stable across epochs
    schedule key   = HKDF(K_e, info="kraft/v1/schedule")   schedule changes and epoch changes
    content key    = HKDF(K_e, info="kraft/v1/content")    prompts, joins, "I can't come"
    member signer  = Ed25519 from HKDF(K_e, info="kraft/v1/member-sign")   what the relay accepts from members

The schedule key is kept beside the plaintext meeting times, so a locked (or never locked) app still learns
of a moved meeting; the group key and the content key stay in the vault.

    >>> import protocol as p
    >>> p.b64d(p.b64e(b"kraft"))
    b'kraft'
"""

from __future__ import annotations

from protocol.attendance import TOKEN_BYTES, GroupCounts, attended, meeting_day, meeting_token, new_secret, quarter
from protocol.encoding import (
    GROUP_ID_BYTES,
    KEY_BYTES,
    MAILBOX_BYTES,
    MAX_MESSAGE_BYTES,
    NONCE_BYTES,
    VERSION,
    ProtocolError,
    b64d,
    b64e,
    canonical,
    private_bytes,
    public_b64,
    sign,
    signing_bytes,
    verify,
)
from protocol.envelopes import Envelope, open_message, seal_message
from protocol.invites import INVITE_FIELDS, INVITE_FIELDS_V2, MAX_INVITE_USES, invite_link, read_invite, sign_invite, token_from_text
from protocol.join_codes import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_KDF,
    JOIN_CODE_LENGTH,
    new_join_code,
    normalize_join_code,
    open_join_invite,
    seal_join_invite,
    stretch_join_code,
)
from protocol.keys import (
    CONTENT,
    LEADER,
    MEMBER,
    SCHEDULE,
    channel_key,
    mailbox_id,
    member_signer,
    new_group_id,
    new_group_key,
    unwrap,
    wrap_for,
)
from protocol.suppression import (
    SUPPRESS_BELOW,
    SUPPRESSED,
    Table,
    col_totals,
    funders_csv,
    published_totals,
    row_totals,
    suppress,
)

__all__ = [
    "CONTENT", "GROUP_ID_BYTES", "INVITE_FIELDS", "INVITE_FIELDS_V2", "MAX_INVITE_USES", "JOIN_CODE_ALPHABET", "JOIN_CODE_KDF", "JOIN_CODE_LENGTH",
    "KEY_BYTES", "LEADER", "MAILBOX_BYTES", "MAX_MESSAGE_BYTES", "MEMBER", "NONCE_BYTES", "SCHEDULE",
    "SUPPRESSED", "SUPPRESS_BELOW", "TOKEN_BYTES", "VERSION",
    "Envelope", "GroupCounts", "ProtocolError", "Table",
    "attended", "b64d", "b64e", "canonical", "channel_key", "col_totals", "funders_csv", "invite_link",
    "mailbox_id", "meeting_day", "meeting_token", "member_signer", "new_group_id", "new_group_key",
    "new_join_code", "new_secret", "normalize_join_code", "open_join_invite", "open_message", "private_bytes",
    "public_b64", "published_totals", "quarter", "read_invite", "row_totals", "seal_join_invite",
    "seal_message", "sign", "sign_invite", "signing_bytes", "stretch_join_code", "suppress", "token_from_text",
    "unwrap", "verify", "wrap_for",
]
