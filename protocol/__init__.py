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

Protocol version 2 (docs/adr/0006-group-protocol-v2.md) adds per-member identities and the group's
post, steward and door keys (`identity`), padding to two sizes (`padding`), messages signed by their
author inside the ciphertext or sealed to one key (`sealing`), the membership log (`membership`), and
the keys of a new epoch wrapped per member (`epochs`), and a v1 member's proof of continuity at the
upgrade (`continuity`).

The region's signed catalogue of groups (`catalogue`) and the requests sealed to its coordinator (`interest`),
docs/adr/0016-region-catalogue.md.

The schedule key is kept beside the plaintext meeting times, so a locked (or never locked) app still learns
of a moved meeting; the group key and the content key stay in the vault.

    >>> import protocol as p
    >>> p.b64d(p.b64e(b"kraft"))
    b'kraft'
"""

from __future__ import annotations

from protocol.attendance import TOKEN_BYTES, GroupCounts, attended, meeting_day, meeting_token, new_secret, quarter
from protocol.catalogue import (
    Announcement,
    Catalogue,
    CatalogueEntry,
    check_announcement,
    check_entry,
    new_announcement,
    new_entry,
    read_catalogue,
    read_region_key,
    region_id,
    region_key_text,
    sign_catalogue,
)
from protocol.continuity import check_continuity, continuity_proof
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
from protocol.epochs import open_epoch_keys, open_schedule_key, wrap_epoch_keys
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
from protocol.interest import (
    INTEREST,
    LEAD,
    SEALED_CHARS,
    ReplyBox,
    Request,
    new_reply_box,
    new_withdraw_secret,
    open_reply,
    open_request,
    seal_reply,
    seal_request,
    withdraw_hash,
)
from protocol.invite_links import link_secret_keys, new_link_secret, short_invite_link, short_link_parts
from protocol.invites import INVITE_FIELDS, INVITE_FIELDS_V2, invite_link, read_invite, sign_invite, token_from_text
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
from protocol.membership import (
    CLOSED,
    EVERY_MEMBER,
    HOSTS_ONLY,
    MAX_INVITE_USES,
    MAX_MEMBERS,
    OPEN,
    Entry,
    Member,
    Policy,
    Refused,
    State,
    apply,
    check_vote,
    entry_hash,
    make_entry,
    may,
    replay,
    sign_vote,
)
from protocol.padding import LARGE, SMALL, pad, unpad
from protocol.sealing import SEALED, Inner, open_from, open_v2, seal_to, seal_v2
from protocol.suppression import (
    CLOSE_AFTER_DAYS,
    SUPPRESS_BELOW,
    SUPPRESSED,
    Table,
    col_totals,
    funders_csv,
    meeting_closed,
    published_totals,
    quarter_closes_on,
    row_totals,
    suppress,
    suppress_column,
)

__all__ = [
    "CLOSED", "CLOSE_AFTER_DAYS", "CONTENT", "EVERY_MEMBER", "GROUP_ID_BYTES", "HOSTS_ONLY", "INTEREST",
    "INVITE_FIELDS", "INVITE_FIELDS_V2", "JOIN_CODE_ALPHABET", "JOIN_CODE_KDF", "JOIN_CODE_LENGTH", "KEY_BYTES",
    "LARGE", "LEAD", "LEADER", "MAILBOX_BYTES", "MAX_INVITE_USES", "MAX_MEMBERS", "MAX_MESSAGE_BYTES", "MEMBER",
    "NONCE_BYTES", "OPEN", "SCHEDULE", "SEALED", "SEALED_CHARS", "SMALL", "SUPPRESSED", "SUPPRESS_BELOW", "TOKEN_BYTES",
    "VERSION", "Announcement", "Catalogue", "CatalogueEntry", "Entry", "Envelope", "GroupCounts", "Identity", "Inner",
    "Member", "Policy", "ProtocolError", "PublicIdentity", "Refused", "ReplyBox", "Request", "State", "Table", "apply",
    "attended", "b64d", "b64e", "canonical", "channel_key", "check_announcement", "check_code", "check_continuity",
    "check_entry", "check_vote", "col_totals", "continuity_proof", "door_key", "entry_hash", "funders_csv",
    "invite_link", "link_secret_keys", "mailbox_id", "make_entry", "may", "meeting_closed", "meeting_day",
    "meeting_token", "member_id", "member_signer", "new_announcement", "new_entry", "new_group_id", "new_group_key",
    "new_host_secret", "new_join_code", "new_link_secret", "new_reply_box", "new_secret", "new_withdraw_secret",
    "normalize_join_code", "open_epoch_keys", "open_from", "open_join_invite", "open_message", "open_reply",
    "open_request", "open_schedule_key", "open_v2", "pad", "post_seed", "post_signer", "post_signer_from_seed",
    "private_bytes", "public_b64", "published_totals", "quarter", "quarter_closes_on", "read_catalogue", "read_invite",
    "read_region_key", "region_id", "region_key_text", "replay", "row_totals", "seal_join_invite", "seal_message",
    "seal_reply", "seal_request", "seal_to", "seal_v2", "short_invite_link", "short_link_parts", "sign",
    "sign_catalogue", "sign_invite", "sign_vote", "signing_bytes", "steward_signer", "stretch_join_code", "suppress",
    "suppress_column", "token_from_text", "unpad", "unwrap", "verify", "withdraw_hash", "wrap_epoch_keys", "wrap_for",
]
