"""documents: who put an invoice on hold, why, and a hold with no end

Revision ID: 0010_document_hold
Revises: 0009_media_download_attempts
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0010_document_hold"
down_revision: str | None = "0009_media_download_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(
            sa.Column("held_at", cobranza.db.types.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("hold_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # A hold with no end (`held_at` set, `hold_until` empty) has no form
    # without these columns, so it would silently end here.
    with op.batch_alter_table("document") as batch:
        batch.drop_column("hold_reason")
        batch.drop_column("held_at")
