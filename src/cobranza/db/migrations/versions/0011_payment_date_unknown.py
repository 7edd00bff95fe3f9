"""payments: mark those whose date the source did not give

Revision ID: 0011_payment_date_unknown
Revises: 0010_document_hold
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_payment_date_unknown"
down_revision: str | None = "0010_document_hold"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.add_column(
            sa.Column(
                "paid_at_unknown",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )

    # Before this column, an import stored a payment without a date at the
    # import's instant: paid_at equal to created_at, on a document that the
    # same import created. A later import that lowered a stored balance also
    # dated its payment then, but on an older document, and keeps its date.
    payment = sa.table(
        "payment",
        sa.column("id", sa.Integer()),
        sa.column("provider", sa.String()),
        sa.column("paid_at", sa.DateTime()),
        sa.column("created_at", sa.DateTime()),
        sa.column("paid_at_unknown", sa.Boolean()),
    )
    allocation = sa.table(
        "allocation",
        sa.column("payment_id", sa.Integer()),
        sa.column("document_id", sa.Integer()),
    )
    document = sa.table(
        "document",
        sa.column("id", sa.Integer()),
        sa.column("created_at", sa.DateTime()),
    )
    created_with_document = (
        sa.select(sa.literal(1))
        .select_from(
            allocation.join(document, document.c.id == allocation.c.document_id)
        )
        .where(
            allocation.c.payment_id == payment.c.id,
            document.c.created_at == payment.c.created_at,
        )
        .exists()
    )
    op.execute(
        payment.update()
        .where(
            payment.c.provider == "import",
            payment.c.paid_at == payment.c.created_at,
            created_with_document,
        )
        .values(paid_at_unknown=sa.true())
    )


def downgrade() -> None:
    # The payments keep their paid_at, the instant they were recorded, which
    # the older code reads as their date.
    with op.batch_alter_table("payment") as batch:
        batch.drop_column("paid_at_unknown")
