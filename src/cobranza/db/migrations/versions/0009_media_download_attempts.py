"""channels: download attempts of customers' files, and a pending-file index

Revision ID: 0009_media_download_attempts
Revises: 0008_payment_link_due_by, 0003_whatsapp

Rows stored before this revision keep their meaning: a pending row has had
no counted attempt and is due at once, and a row with an error stays failed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0009_media_download_attempts"
# Also merges the WhatsApp branch, which creates `inbound_media`.
down_revision: str | Sequence[str] | None = (
    "0008_payment_link_due_by",
    "0003_whatsapp",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "downloaded_at IS NULL AND error IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("inbound_media") as batch:
        batch.add_column(
            sa.Column(
                "attempts", sa.Integer(), nullable=False, server_default=sa.text("0")
            )
        )
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("next_attempt_at", cobranza.db.types.UTCDateTime(), nullable=True)
        )
        batch.create_index(
            "ix_inbound_media_pending",
            ["business_id", "next_attempt_at"],
            unique=False,
            sqlite_where=sa.text(PENDING),
            postgresql_where=sa.text(PENDING),
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_media") as batch:
        batch.drop_index(
            "ix_inbound_media_pending",
            sqlite_where=sa.text(PENDING),
            postgresql_where=sa.text(PENDING),
        )
        batch.drop_column("next_attempt_at")
        batch.drop_column("last_error")
        batch.drop_column("attempts")
