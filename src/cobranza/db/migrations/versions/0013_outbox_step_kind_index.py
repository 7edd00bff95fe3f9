"""outbox messages: an index on the step kind of each business's messages

Revision ID: 0013_outbox_step_kind_index
Revises: 0012_customer_erasure
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013_outbox_step_kind_index"
down_revision: str | None = "0012_customer_erasure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The planner reads each cycle the broken-promise notices of a business,
    # which without it scans every message the business ever sent.
    op.create_index(
        "ix_outbox_message_step_kind",
        "outbox_message",
        ["business_id", "step_kind"],
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_step_kind", table_name="outbox_message")
