"""Invites that scan across a room (issue 17 point 7, docs/adr/0006-group-protocol-v2.md "Invite link").

The long link carries the whole signed invite (707 characters: a version 21 QR code). The short link carries
the relay's address and a 16-byte secret; the relay keeps the invite sealed under it. Real relay processes,
real services, nothing mocked.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import protocol as p
from app.errors import KraftError, Msg
from app.services.group_layer import asking, hosting, starting
from app.services.invite_qr import qr_version
from tests.services.test_group_layer import circles, start, sync
from tests.services.test_relay_flow import NOW, Profile, _schedule, _start, relay  # noqa: F401

# Longer than any relay address a region is likely to run (the QR code grows with the address).
LONG_RELAY = "https://relay.stockholms-lan.sjalvhjalpsgrupper.example"


@pytest.fixture
def pair(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = [Profile.make(tmp_path / "host", journal=True), Profile.make(tmp_path / "astrid", journal=False)]
    yield made
    for person in made:
        person.service.close()


def _refused(person: Profile, text: str) -> Msg:
    with pytest.raises(KraftError) as caught:
        person.joining().read(text, today=NOW.date())
    return caught.value.msg


@pytest.mark.parametrize("version", [2, 1])
def test_the_invite_qr_code_is_version_10_or_less(relay, pair, version) -> None:  # noqa: F811
    host, _astrid = pair
    group_id = start(host, relay) if version == 2 else _start(host, relay)
    made = host.leader().shareable_invite(group_id, now=NOW)
    assert len(made.link) > 600 and qr_version(made.link) >= 20  # the long link: still made, still valid
    assert made.short.startswith(f"{relay.url}/join#")  # type: ignore[attr-defined]
    assert qr_version(made.short) <= 4
    assert qr_version(made.shown) <= 10
    secret = made.short.rsplit("#", 1)[1]
    assert qr_version(p.short_invite_link(secret, LONG_RELAY)) <= 5


def test_the_short_link_joins_and_the_host_lets_them_in(relay, pair) -> None:  # noqa: F811
    host, astrid = pair
    group_id = start(host, relay)
    made = host.leader().shareable_invite(group_id, now=NOW)
    sync(host)  # the sealed invite reaches the relay
    preview = astrid.joining().read(made.short, today=NOW.date())
    assert preview.label == "Tisdag" and preview.relay == relay.url  # type: ignore[attr-defined]
    asked = asking.ask(circles(astrid), preview, name="Astrid", now=NOW)
    sync(astrid)
    sync(host)
    [request] = hosting.requests(circles(host), group_id)
    assert request.check_code == asked.check_code
    hosting.admit(circles(host), group_id, request.id, now=NOW)
    sync(host)
    sync(astrid)
    assert astrid.joining().takes_part(asked.group.id)


def test_a_version_1_short_link_joins(relay, pair) -> None:  # noqa: F811
    host, astrid = pair
    group_id = _start(host, relay)
    made = host.leader().shareable_invite(group_id, now=NOW)
    sync(host)
    group = astrid.joining().join(astrid.joining().read(made.short, today=NOW.date()), now=NOW)
    assert group.label


def test_a_short_link_not_on_the_relay_yet_says_so(relay, pair) -> None:  # noqa: F811
    host, astrid = pair
    group_id = start(host, relay)
    made = host.leader().shareable_invite(group_id, now=NOW)
    assert _refused(astrid, made.short) is Msg.INVITE_LINK_UNKNOWN  # the host's phone has not sent it yet
    assert _refused(astrid, p.short_invite_link(p.new_link_secret(), relay.url)) is Msg.INVITE_LINK_UNKNOWN  # type: ignore[attr-defined]
    sync(host)
    assert astrid.joining().read(made.short, today=NOW.date()).label == "Tisdag"
    assert astrid.joining().read(made.link, today=NOW.date()).label == "Tisdag"  # the long link still joins


def test_a_relay_cannot_swap_the_invite_behind_a_short_link(relay, pair, tmp_path) -> None:  # noqa: F811
    """What the relay hands back must open under the link's secret, and name the relay the link points at."""
    host, astrid = pair
    group_id = start(host, relay)
    made = host.leader().shareable_invite(group_id, now=NOW)
    sync(host)
    secret = made.short.rsplit("#", 1)[1]
    other = p.new_link_secret()
    lookup, _key = p.link_secret_keys(other)
    real_lookup, real_key = p.link_secret_keys(secret)
    # the relay answers the lookup of `other` with the invite sealed under `secret`: it does not open
    leader = host.leader()
    leader._leave_sealed(group_id, lookup, real_key, made.token, made.expires_on, now=NOW)
    sync(host)
    assert _refused(astrid, p.short_invite_link(other, relay.url)) is Msg.INVITE_DAMAGED  # type: ignore[attr-defined]
    assert real_lookup != lookup


def test_a_short_link_that_expired_is_refused(relay, pair) -> None:  # noqa: F811
    host, astrid = pair
    group_id = start(host, relay)
    made = host.leader().shareable_invite(group_id, now=NOW)
    sync(host)
    with pytest.raises(KraftError) as caught:
        astrid.joining().read(made.short, today=NOW.date() + timedelta(days=8))
    assert caught.value.msg is Msg.INVITE_EXPIRED


def test_without_a_relay_the_long_link_is_the_one_shown(pair) -> None:
    host, _astrid = pair
    group = starting.create_group(circles(host), "Tisdag", _schedule(), now=NOW)
    made = host.leader().shareable_invite(group.id, now=NOW)
    assert made.short == "" and made.shown == made.link and made.link.startswith("kraft://join#")



def test_a_short_link_sealed_behind_itself_is_refused_not_followed(relay, pair) -> None:  # noqa: F811
    """Someone who holds the steward key could seal a short link behind its own secret: one look, no loop."""
    host, astrid = pair
    group_id = start(host, relay)
    made = host.leader().shareable_invite(group_id, now=NOW)
    secret = p.new_link_secret()
    lookup, key = p.link_secret_keys(secret)
    looping = p.short_invite_link(secret, relay.url)  # type: ignore[attr-defined]
    host.leader()._leave_sealed(group_id, lookup, key, looping, made.expires_on, now=NOW)
    sync(host)
    assert _refused(astrid, looping) is Msg.INVITE_DAMAGED
