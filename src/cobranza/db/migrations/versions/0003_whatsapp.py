"""whatsapp: templates, webhook events, statuses, media

Revision ID: 0003_whatsapp
Revises: 0002
Create Date: 2026-12-04 15:53:40.198240
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cobranza.db.types

revision: str = "0003_whatsapp"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("raw_body", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("received_at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.Column("processed_at", cobranza.db.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_webhook_event_business_id_business"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_event")),
        sa.UniqueConstraint(
            "provider", "event_key", name=op.f("uq_webhook_event_provider_event_key")
        ),
    )
    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_event_pending", ["processed_at", "received_at"], unique=False
        )

    op.create_table(
        "whatsapp_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("meta_id", sa.String(length=64), nullable=True),
        sa.Column("rejected_reason", sa.Text(), nullable=True),
        sa.Column("new_category", sa.String(length=32), nullable=True),
        sa.Column("updated_at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_whatsapp_template_business_id_business"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_template")),
        sa.UniqueConstraint(
            "business_id",
            "name",
            "language",
            name=op.f("uq_whatsapp_template_business_id_name_language"),
        ),
    )
    op.create_table(
        "inbound_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("media_id", sa.String(length=200), nullable=False),
        sa.Column("mime_type", sa.String(length=128), nullable=True),
        sa.Column("file_name", sa.String(length=300), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("downloaded_at", cobranza.db.types.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_inbound_media_business_id_business"),
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_message.id"],
            name=op.f("fk_inbound_media_inbound_message_id_inbound_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_media")),
        sa.UniqueConstraint(
            "business_id",
            "provider",
            "media_id",
            name=op.f("uq_inbound_media_business_id_provider_media_id"),
        ),
    )
    with op.batch_alter_table("inbound_media", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_media_inbound_message_id"),
            ["inbound_message_id"],
            unique=False,
        )

    op.create_table(
        "message_status_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.Column("pricing", sa.JSON(), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_detail", sa.Text(), nullable=True),
        sa.Column("received_at", cobranza.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_message_status_event_business_id_business"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_message.id"],
            name=op.f("fk_message_status_event_outbox_id_outbox_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_status_event")),
        sa.UniqueConstraint(
            "provider",
            "provider_message_id",
            "status",
            name=op.f("uq_message_status_event_provider_provider_message_id_status"),
        ),
    )
    with op.batch_alter_table("message_status_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_status_event_outbox_id", ["outbox_id"], unique=False
        )

    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sender_user_id", sa.String(length=128), nullable=True)
        )
        batch_op.add_column(sa.Column("reply_to", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("details")
        batch_op.drop_column("reply_to")
        batch_op.drop_column("sender_user_id")

    with op.batch_alter_table("message_status_event", schema=None) as batch_op:
        batch_op.drop_index("ix_message_status_event_outbox_id")

    op.drop_table("message_status_event")
    with op.batch_alter_table("inbound_media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_media_inbound_message_id"))

    op.drop_table("inbound_media")
    op.drop_table("whatsapp_template")
    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_event_pending")

    op.drop_table("webhook_event")
