"""payments: the due date a balance link's invoices are cut at

Revision ID: 0008_payment_link_due_by
Revises: 0007_payment_refunds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_payment_link_due_by"
down_revision: str | None = "0007_payment_refunds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_link") as batch:
        batch.add_column(sa.Column("due_by", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_link") as batch:
        batch.drop_column("due_by")
