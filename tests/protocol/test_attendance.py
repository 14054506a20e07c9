"""Attendance tokens and small-cell suppression (issue 5): property tests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import protocol as p
from tests.examples import examples

TABLES = st.integers(1, 6).flatmap(lambda cols: st.lists(
    st.lists(st.integers(0, 12), min_size=cols, max_size=cols), min_size=1, max_size=6))


def test_tokens_are_stable_per_meeting_and_unlinkable_across_meetings_and_members() -> None:
    alice, bo = p.new_secret(), p.new_secret()
    first, second = "20261201T170000Z", "20261208T170000Z"
    assert p.meeting_token(alice, first) == p.meeting_token(alice, first)  # a resend: the same token
    tokens = {p.meeting_token(alice, first), p.meeting_token(alice, second), p.meeting_token(bo, first),
              p.meeting_token(bo, second)}
    assert len(tokens) == 4 and all(len(t) == 22 for t in tokens)


@settings(max_examples=examples(400))
@given(TABLES)
def test_small_cells_are_hidden_and_no_hidden_cell_can_be_recomputed(cells: list[list[int]]) -> None:
    table = p.suppress(cells)
    rows, cols = p.published_totals(cells, table)
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            if 0 < value < p.SUPPRESS_BELOW:
                assert table[r][c] is None  # every small cell is hidden
            if table[r][c] is not None:
                assert table[r][c] == value  # what shows is true
    for r, total in enumerate(rows):  # a published row total never pins down a single hidden cell
        if total is not None:
            assert sum(v is None for v in table[r]) != 1
            assert total == sum(cells[r])
    for c, total in enumerate(cols):
        if total is not None:
            assert sum(table[r][c] is None for r in range(len(table))) != 1


def test_a_lone_small_cell_takes_its_smallest_neighbour_with_it() -> None:
    cells = [[10, 2, 7], [8, 9, 6]]
    table = p.suppress(cells)
    # 2 is hidden; its row then hides 7 (smallest other); the columns of 2 and 7 each hide one more below
    assert table == [[10, None, None], [8, None, None]]
    assert p.published_totals(cells, table) == ([19, 23], [18, 11, 13])
