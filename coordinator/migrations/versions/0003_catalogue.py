"""The region's signed catalogue of groups (ADR 0016): one row per region, its newest serial only. A database
from before gains the empty table; every other row stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue",
        sa.Column("region", sa.String(length=22), nullable=False),
        sa.Column("key", sa.String(length=43), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.String(), nullable=False),
        sa.Column("signature", sa.String(length=86), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("region"),
    )


def downgrade() -> None:
    op.drop_table("catalogue")
