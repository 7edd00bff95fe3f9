"""conversations: hand-off reason and the question awaiting an answer

Revision ID: 0006_conversations
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0006_conversations"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dunning_case") as batch:
        batch.add_column(sa.Column("handoff_reason", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("handed_off_at", cobranza.db.types.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("pending_question", sa.String(32), nullable=True))
        batch.add_column(
            sa.Column(
                "question_asked_at", cobranza.db.types.UTCDateTime(), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("dunning_case") as batch:
        batch.drop_column("question_asked_at")
        batch.drop_column("pending_question")
        batch.drop_column("handed_off_at")
        batch.drop_column("handoff_reason")
