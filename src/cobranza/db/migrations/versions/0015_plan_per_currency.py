"""installment plans: one active plan per case and currency

Revision ID: 0015_plan_per_currency
Revises: 0014_erased_sender
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_plan_per_currency"
down_revision: str | None = "0014_erased_sender"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    with op.batch_alter_table("installment_plan", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_installment_plan_active_case",
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        )
        batch_op.create_index(
            "uq_installment_plan_active_case_currency",
            ["business_id", "case_id", "currency"],
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        )


def downgrade() -> None:
    # The older index allows one active plan per case, so a case that has
    # active plans in two currencies stops the downgrade instead of losing one.
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT case_id FROM installment_plan WHERE status = 'active' "
                "GROUP BY business_id, case_id HAVING count(*) > 1 ORDER BY case_id"
            )
        )
        .scalars()
        .all()
    )
    if shared:
        raise RuntimeError(
            "cannot downgrade below 0015_plan_per_currency: cases "
            f"{', '.join(str(case_id) for case_id in shared)} have active "
            "installment plans in several currencies. Set status = 'cancelled' "
            "on all but one active plan of each of those cases, then downgrade "
            "again"
        )
    with op.batch_alter_table("installment_plan", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_installment_plan_active_case_currency",
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        )
        batch_op.create_index(
            "uq_installment_plan_active_case",
            ["business_id", "case_id"],
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        )
