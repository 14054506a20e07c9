"""Interest in a region's groups and the coordinator's replies (ADR 0016, "Planned"): requests sealed to the
region's key, each with the hash of its withdrawal secret and its day, and replies sealed to a person's reply
key in their reply mailbox. A database from before gains the two empty tables; every other row stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as message.id (0001): 64 bits in PostgreSQL (BIGSERIAL), SQLite's INTEGER PRIMARY KEY (models.Position)
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "interest",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("region", sa.String(length=22), nullable=False),
        sa.Column("sealed", sa.String(), nullable=False),
        sa.Column("withdraw", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_interest_region", "interest", ["region"], unique=False)
    op.create_table(
        "reply",
        sa.Column("position", POSITION, autoincrement=True, nullable=False),
        sa.Column("box", sa.String(length=22), nullable=False),
        sa.Column("sealed", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index("ix_reply_box", "reply", ["box"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reply_box", table_name="reply")
    op.drop_table("reply")
    op.drop_index("ix_interest_region", table_name="interest")
    op.drop_table("interest")
