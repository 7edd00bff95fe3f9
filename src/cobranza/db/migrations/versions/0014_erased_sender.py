"""erased senders: keyed hashes of erased customers' WhatsApp numbers

Revision ID: 0014_erased_sender
Revises: 0013_outbox_step_kind_index
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0014_erased_sender"
down_revision: str | None = "0013_outbox_step_kind_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erased_sender",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_erased_sender_business_id_business"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_sender")),
    )
    op.create_index(
        "ix_erased_sender_business_hash",
        "erased_sender",
        ["business_id", "sender_hash"],
    )


def downgrade() -> None:
    # Without the table, a message that an erased customer wrote before the
    # erasure and that was still waiting for the event worker is stored as
    # an unknown sender's again.
    op.drop_index("ix_erased_sender_business_hash", table_name="erased_sender")
    op.drop_table("erased_sender")
