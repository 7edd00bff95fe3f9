"""customers: the erased marker, the erased external id's HMAC and its key

Revision ID: 0012_customer_erasure
Revises: 0011_payment_date_unknown
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0012_customer_erasure"
down_revision: str | None = "0011_payment_date_unknown"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("business") as batch:
        batch.add_column(sa.Column("erasure_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("customer") as batch:
        batch.add_column(
            sa.Column("erased_at", cobranza.db.types.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column("erased_id_hash", sa.String(length=64), nullable=True)
        )
        batch.create_index(
            "ix_customer_erased_id_hash", ["business_id", "erased_id_hash"]
        )


def downgrade() -> None:
    # Erased rows stay anonymised; only the re-import check is lost, so an
    # import could create the erased external id again as a new customer.
    with op.batch_alter_table("customer") as batch:
        batch.drop_index("ix_customer_erased_id_hash")
        batch.drop_column("erased_id_hash")
        batch.drop_column("erased_at")
    with op.batch_alter_table("business") as batch:
        batch.drop_column("erasure_key")
