"""Protocol version 2 (ADR 0006): a mailbox's `version`, 1 for every mailbox there is, 2 once its steward key
has rotated the keys with version 2 (`PUT /v1/mailboxes/{m}/keys`); then the relay takes members' messages
only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("mailbox", sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("mailbox") as batch:
        batch.drop_column("version")
