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
            if value == 0:
                assert table[r][c] == 0  # a hidden 0 would be no cover
    for r, total in enumerate(rows):  # a published row total has no hidden cell beside it
        if total is not None:
            assert None not in table[r] and total == sum(cells[r])
    for c, total in enumerate(cols):  # a published column total leaves two or more hidden cells, not all 1
        hidden = [cells[r][c] for r in range(len(table)) if table[r][c] is None]
        if total is not None and hidden:
            assert len(hidden) >= 2 and sum(hidden) > len(hidden)


def test_a_lone_small_cell_takes_the_smallest_other_cell_of_its_quarter_with_it() -> None:
    cells = [[10, 2, 7], [8, 9, 6], [0, 0, 1]]
    table = p.suppress(cells)
    # 2 is hidden and takes 9 (the only other non-zero cell of its quarter); 1 takes 6, the smallest; no row
    # hides anything for another quarter's sake
    assert table == [[10, None, 7], [8, None, None], [0, 0, None]]
    assert p.published_totals(cells, table) == ([None, None, None], [18, 11, 14])


def test_hidden_ones_take_a_third_cell_and_a_quarter_without_cover_hides_its_total() -> None:
    assert p.suppress_column([1, 1, 5, 9]) == ([None, None, None, 9], True)
    assert p.suppress_column([2, 0, 0]) == ([None, 0, 0], False)
