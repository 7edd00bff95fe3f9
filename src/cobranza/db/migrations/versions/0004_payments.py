"""payments: links, plans, installments

Revision ID: 0004_payments
Revises: 0002
Create Date: 2026-12-04 15:59:02.009359
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0004_payments"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "installment_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("principal", cobranza.db.types.Amount(), nullable=False),
        sa.Column("fee", cobranza.db.types.Amount(), nullable=False),
        sa.Column("total", cobranza.db.types.Amount(), nullable=False),
        sa.Column("installment_count", sa.Integer(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", cobranza.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_installment_plan_business_id_business"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dunning_case.id"],
            name=op.f("fk_installment_plan_case_id_dunning_case"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_installment_plan_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installment_plan")),
    )
    with op.batch_alter_table("installment_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_installment_plan_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "uq_installment_plan_active_case",
            ["business_id", "case_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "installment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("amount", cobranza.db.types.Amount(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paid_at", cobranza.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_installment_business_id_business"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["installment_plan.id"],
            name=op.f("fk_installment_plan_id_installment_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installment")),
        sa.UniqueConstraint(
            "plan_id", "number", name=op.f("uq_installment_plan_id_number")
        ),
    )
    op.create_table(
        "payment_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_reference", sa.String(length=200), nullable=True),
        sa.Column("provider_url", sa.Text(), nullable=True),
        sa.Column(
            "provider_expires_at", cobranza.db.types.UTCDateTime(), nullable=True
        ),
        sa.Column("amount", cobranza.db.types.Amount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", cobranza.db.types.UTCDateTime(), nullable=True),
        sa.Column("discount_percent", cobranza.db.types.Amount(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_payment_link_business_id_business"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dunning_case.id"],
            name=op.f("fk_payment_link_case_id_dunning_case"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_payment_link_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["installment_id"],
            ["installment.id"],
            name=op.f("fk_payment_link_installment_id_installment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_link")),
        sa.UniqueConstraint("token", name=op.f("uq_payment_link_token")),
    )
    with op.batch_alter_table("payment_link", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_link_case_status",
            ["business_id", "case_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_payment_link_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payment_link_provider_reference"),
            ["provider_reference"],
            unique=False,
        )

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("status_detail", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("updated_at", cobranza.db.types.UTCDateTime(), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_link_id_payment_link"),
            "payment_link",
            ["link_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payment_link_id_payment_link"), type_="foreignkey"
        )
        batch_op.drop_column("updated_at")
        batch_op.drop_column("status_detail")
        batch_op.drop_column("link_id")

    with op.batch_alter_table("payment_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_link_provider_reference"))
        batch_op.drop_index(batch_op.f("ix_payment_link_customer_id"))
        batch_op.drop_index("ix_payment_link_case_status")

    op.drop_table("payment_link")
    op.drop_table("installment")
    with op.batch_alter_table("installment_plan", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_installment_plan_active_case",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_installment_plan_case_id"))

    op.drop_table("installment_plan")
