"""The schema the relay's `create_all` made before Alembic (main up to issue 15), table for table.

A database made by that code is stamped with this revision at the next start (`coordinator.db.migrate`);
the fixtures in tests/coordinator/fixtures/ are such databases.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 64 bits in PostgreSQL (BIGSERIAL); SQLite's INTEGER PRIMARY KEY, which is already 64 bits (models.Position)
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "mailbox",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("leader_key", sa.String(length=43), nullable=False),
        sa.Column("member_key", sa.String(length=43), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "token",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("uses_left", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("hash"),
    )
    op.create_table(
        "attendancetoken",
        sa.Column("mailbox", sa.String(length=22), nullable=False),
        sa.Column("meeting", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=22), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["mailbox"], ["mailbox.id"]),
        sa.PrimaryKeyConstraint("mailbox", "meeting", "token"),
    )
    op.create_index("ix_attendancetoken_day", "attendancetoken", ["day"], unique=False)
    op.create_table(
        "joincode",
        sa.Column("lookup", sa.String(length=43), nullable=False),
        sa.Column("mailbox", sa.String(length=22), nullable=False),
        sa.Column("ciphertext", sa.String(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["mailbox"], ["mailbox.id"]),
        sa.PrimaryKeyConstraint("lookup"),
    )
    op.create_table(
        "meetingcount",
        sa.Column("mailbox", sa.String(length=22), nullable=False),
        sa.Column("meeting", sa.String(length=16), nullable=False),
        sa.Column("folded", sa.Integer(), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["mailbox"], ["mailbox.id"]),
        sa.PrimaryKeyConstraint("mailbox", "meeting"),
    )
    op.create_table(
        "message",
        sa.Column("id", POSITION, autoincrement=True, nullable=False),
        sa.Column("mailbox", sa.String(length=22), nullable=False),
        sa.Column("sender", sa.String(length=6), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.String(length=16), nullable=False),
        sa.Column("ciphertext", sa.String(), nullable=False),
        sa.Column("signature", sa.String(length=86), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mailbox", "nonce"),
        sa.ForeignKeyConstraint(["mailbox"], ["mailbox.id"]),
    )
    op.create_index("ix_message_mailbox", "message", ["mailbox"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_message_mailbox", table_name="message")
    op.drop_table("message")
    op.drop_table("meetingcount")
    op.drop_table("joincode")
    op.drop_index("ix_attendancetoken_day", table_name="attendancetoken")
    op.drop_table("attendancetoken")
    op.drop_table("token")
    op.drop_table("mailbox")
