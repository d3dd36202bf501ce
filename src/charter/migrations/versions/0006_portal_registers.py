"""portal registers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:17:58.250073
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from charter.models.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=True),
        sa.Column("nature", sa.String(length=48), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("subjects_affected", sa.Integer(), nullable=True),
        sa.Column("records_affected", sa.Integer(), nullable=True),
        sa.Column("risk", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("authority_decision", sa.String(length=16), nullable=True),
        sa.Column("authority_notified_at", UTCDateTime(), nullable=True),
        sa.Column("authority_reference", sa.String(length=64), nullable=True),
        sa.Column("subjects_decision", sa.String(length=24), nullable=True),
        sa.Column("subjects_notified_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
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
            name=op.f("fk_breaches_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
        sa.UniqueConstraint("organization_id", "reference", name="uq_breaches_reference"),
    )
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breaches_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_breaches_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "complaints",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("from_authority", sa.Boolean(), nullable=False),
        sa.Column("authority_reference", sa.String(length=64), nullable=True),
        sa.Column(
            "subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("request_reference", sa.String(length=20), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
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
            name=op.f("fk_complaints_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_complaints_subject_id_subjects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("organization_id", "reference", name="uq_complaints_reference"),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaints_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "staff_totp",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
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
            name=op.f("fk_staff_totp_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_totp_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_totp")),
        sa.UniqueConstraint("user_id", name=op.f("uq_staff_totp_user_id")),
    )
    with op.batch_alter_table("staff_totp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_totp_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_totp_organization_id"), ["organization_id"], unique=False
        )

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_target", ["organization_id", "target"], unique=False)

    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_events_time", ["organization_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_events_time")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_target")

    with op.batch_alter_table("staff_totp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_totp_organization_id"))
        batch_op.drop_index(batch_op.f("ix_staff_totp_key_id"))

    op.drop_table("staff_totp")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_subject_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_organization_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_key_id"))

    op.drop_table("complaints")
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breaches_organization_id"))
        batch_op.drop_index(batch_op.f("ix_breaches_key_id"))

    op.drop_table("breaches")
