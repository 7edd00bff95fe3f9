"""payments: the cumulative refunded amount of a payment

Revision ID: 0007_payment_refunds
Revises: 0004_payments
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0007_payment_refunds"
down_revision: str | None = "0004_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.add_column(
            sa.Column(
                "amount_refunded",
                cobranza.db.types.Amount(),
                nullable=False,
                server_default=sa.text("0"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.drop_column("amount_refunded")
