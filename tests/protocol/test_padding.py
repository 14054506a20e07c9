"""Padding to two buckets (docs/adr/0006-group-protocol-v2.md): the relay sees "small" or "large", nothing more."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import protocol as p
from protocol.padding import LARGE, SMALL, pad, unpad


@pytest.mark.parametrize(("size", "bucket"), [(0, SMALL), (1, SMALL), (SMALL - 1, SMALL), (SMALL, LARGE),
                                              (LARGE - 1, LARGE)])
def test_pad_picks_the_smallest_bucket_that_holds_the_marker(size, bucket):
    data = b"x" * size
    padded = pad(data)
    assert len(padded) == bucket
    assert padded[size] == 0x80 and padded[size + 1:] == bytes(bucket - size - 1)
    assert unpad(padded) == data


def test_too_large_is_refused():
    for data, kwargs in ((b"x" * LARGE, {}), (b"x" * SMALL, {"to": SMALL})):
        with pytest.raises(p.ProtocolError) as caught:
            pad(data, **kwargs)
        assert caught.value.reason == "too_large"


def test_the_large_bucket_can_be_forced():
    assert len(pad(b"tiny", to=LARGE)) == LARGE
    assert unpad(pad(b"tiny", to=LARGE)) == b"tiny"
    with pytest.raises(p.ProtocolError):
        pad(b"tiny", to=100)


def test_a_reserve_leaves_room_for_an_outer_overhead():
    padded = pad(b"abc", reserve=44)
    assert len(padded) == SMALL - 44
    assert unpad(padded, reserve=44) == b"abc"
    assert len(pad(b"x" * (SMALL - 44), reserve=44)) == LARGE - 44
    with pytest.raises(p.ProtocolError) as caught:
        unpad(padded)
    assert caught.value.reason == "malformed"


@pytest.mark.parametrize("bad", [b"", b"abc", pad(b"abc")[:-1], pad(b"abc")[:-1] + b"\x01",
                                 b"abc" + bytes(SMALL - 3), bytes(SMALL), b"}" * SMALL,
                                 pad(b"abc", to=LARGE)[:-1] + b"\x02"])
def test_wrong_padding_or_length_is_malformed(bad):
    with pytest.raises(p.ProtocolError) as caught:
        unpad(bad)
    assert caught.value.reason == "malformed"


@given(st.binary(max_size=LARGE - 1))
def test_round_trip(data):
    padded = pad(data)
    assert len(padded) in (SMALL, LARGE)
    assert unpad(padded) == data
