"""connectors

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 15:31:38.292625
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from charter.models.base import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymous_facts",
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("kept", sa.Text(), nullable=False),
        sa.Column("anonymised_at", UTCDateTime(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_anonymous_facts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_facts")),
    )
    with op.batch_alter_table("anonymous_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_anonymous_facts_category", ["organization_id", "category"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_anonymous_facts_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "held_rows",
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("then", sa.String(length=16), nullable=False),
        sa.Column("unmark", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_held_rows_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_rows")),
        sa.UniqueConstraint(
            "organization_id", "system", "table_name", "key", name="uq_held_rows_row"
        ),
    )
    with op.batch_alter_table("held_rows", schema=None) as batch_op:
        batch_op.create_index("ix_held_rows_due", ["organization_id", "until"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_held_rows_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "manual_tasks",
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("assignees", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_manual_tasks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_manual_tasks_request_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_tasks")),
        sa.UniqueConstraint("uid", name=op.f("uq_manual_tasks_uid")),
    )
    with op.batch_alter_table("manual_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manual_tasks_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            "ix_manual_tasks_open", ["organization_id", "status", "due_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_manual_tasks_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_manual_tasks_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_deliveries_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_webhook_deliveries_request_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_webhook_deliveries_token_hash")),
        sa.UniqueConstraint("uid", name=op.f("uq_webhook_deliveries_uid")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_waiting", ["organization_id", "status", "sent_at"], unique=False
        )

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_closed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("retention_rule", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("schedule", sa.String(length=16), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("schedule")
        batch_op.drop_column("retention_rule")
        batch_op.drop_column("account_closed_at")

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_waiting")
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_request_id"))
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_organization_id"))

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("manual_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manual_tasks_request_id"))
        batch_op.drop_index(batch_op.f("ix_manual_tasks_organization_id"))
        batch_op.drop_index("ix_manual_tasks_open")
        batch_op.drop_index(batch_op.f("ix_manual_tasks_key_id"))

    op.drop_table("manual_tasks")
    with op.batch_alter_table("held_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_rows_organization_id"))
        batch_op.drop_index("ix_held_rows_due")

    op.drop_table("held_rows")
    with op.batch_alter_table("anonymous_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anonymous_facts_organization_id"))
        batch_op.drop_index("ix_anonymous_facts_category")

    op.drop_table("anonymous_facts")
