"""`table(Model)`: the one typed way to a table; the tables are SQLAlchemy Core, with no SQLModel behind them."""

from __future__ import annotations

import pytest
from sqlalchemy import Table

from app.storage import models
from app.storage.models import CheckInRow, MeetingGroup, table


def test_table_gives_the_models_table() -> None:
    found = table(MeetingGroup)
    assert isinstance(found, Table) and found.name == "meeting_group"
    assert [c.name for c in table(CheckInRow).primary_key] == ["group_id", "meeting_id"]


def test_anything_but_a_table_is_refused() -> None:
    with pytest.raises(TypeError):
        table(object())  # type: ignore[arg-type]


def test_the_app_tables_are_not_in_sqlmodels_metadata() -> None:
    """The relay's SQLModel.metadata holds its own tables only, also in a process that loads the app's."""
    from sqlmodel import SQLModel

    assert not set(models.METADATA.tables) & set(SQLModel.metadata.tables)
