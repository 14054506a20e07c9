"""`table(Model)`: the one typed way to a model's SQLAlchemy table."""

from __future__ import annotations

import pytest
from sqlalchemy import Table
from sqlmodel import SQLModel

from app.storage.models import CheckInRow, MeetingGroup, table


def test_table_gives_the_models_table() -> None:
    found = table(MeetingGroup)
    assert isinstance(found, Table) and found.name == "meeting_group"
    assert [c.name for c in table(CheckInRow).primary_key] == ["group_id", "meeting_id"]


def test_a_model_without_a_table_is_refused() -> None:
    class NotATable(SQLModel):
        name: str

    with pytest.raises(TypeError):
        table(NotATable)
