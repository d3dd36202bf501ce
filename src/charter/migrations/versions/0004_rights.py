"""rights requests; every foreign key indexed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:08:28.784635
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from charter.models.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_events",
        sa.Column("bucket", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
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
            name=op.f("fk_rate_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events")),
    )
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rate_events_key", ["organization_id", "bucket", "key", "at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rate_events_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "rights_requests",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("email_index", sa.String(length=64), nullable=False),
        sa.Column(
            "subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended_to", sa.Date(), nullable=True),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
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
            name=op.f("fk_rights_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_rights_requests_subject_id_subjects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_requests")),
        sa.UniqueConstraint("organization_id", "reference", name="uq_rights_requests_reference"),
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rights_requests_due", ["organization_id", "status", "due_on"], unique=False
        )
        batch_op.create_index(
            "ix_rights_requests_email", ["organization_id", "email_index"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rights_requests_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rights_requests_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_requests_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "export_files",
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("downloaded_at", UTCDateTime(), nullable=True),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
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
            name=op.f("fk_export_files_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_export_files_request_id_rights_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_files")),
        sa.UniqueConstraint("uid", name=op.f("uq_export_files_uid")),
    )
    with op.batch_alter_table("export_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_export_files_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_export_files_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_export_files_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "identity_documents",
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
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
            name=op.f("fk_identity_documents_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_identity_documents_request_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_documents")),
        sa.UniqueConstraint("uid", name=op.f("uq_identity_documents_uid")),
    )
    with op.batch_alter_table("identity_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_documents_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_identity_documents_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_identity_documents_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "record_revisions",
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
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
            name=op.f("fk_record_revisions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_revisions_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_record_revisions_request_id_rights_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_revisions")),
        sa.UniqueConstraint("uid", name=op.f("uq_record_revisions_uid")),
    )
    with op.batch_alter_table("record_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_revisions_key_id"), ["key_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_record_revisions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_record_revisions_record_id"), ["record_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_record_revisions_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "request_system_parts",
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
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
            name=op.f("fk_request_system_parts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_request_system_parts_request_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_system_parts")),
        sa.UniqueConstraint("request_id", "system", name="uq_request_system_parts_system"),
    )
    with op.batch_alter_table("request_system_parts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_system_parts_key_id"), ["key_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_system_parts_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_system_parts_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_events_subject"))
        batch_op.create_index(
            "ix_consent_events_subject", ["subject_id", "organization_id"], unique=False
        )

    with op.batch_alter_table("consent_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_states_event_id"), ["event_id"], unique=False)

    with op.batch_alter_table("mail_links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.alter_column("subject_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_mail_links_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_links_subject_id"), ["subject_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_mail_links_request_id_rights_requests"),
            "rights_requests",
            ["request_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_subject"))
        batch_op.create_index(
            "ix_objections_subject", ["subject_id", "organization_id"], unique=False
        )

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_subject_id"), ["subject_id"], unique=False
        )

    with op.batch_alter_table("parental_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parental_consents_subject_id"), ["subject_id"], unique=False
        )

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_subject"))
        batch_op.create_index("ix_records_subject", ["subject_id", "organization_id"], unique=False)

    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_subject"))
        batch_op.create_index(
            "ix_submissions_subject", ["subject_id", "organization_id"], unique=False
        )
    # Unique keys led by the subject, so cascading an erasure finds its rows by index.
    for table, name, columns in (
        ("subject_contacts", "uq_subject_contacts_subject", ["subject_id", "organization_id"]),
        (
            "consent_states",
            "uq_consent_states_key",
            ["subject_id", "purpose", "channel", "organization_id"],
        ),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="unique")
            batch_op.create_unique_constraint(name, columns)


def downgrade() -> None:
    for table, name, columns in (
        ("subject_contacts", "uq_subject_contacts_subject", ["organization_id", "subject_id"]),
        (
            "consent_states",
            "uq_consent_states_key",
            ["organization_id", "subject_id", "purpose", "channel"],
        ),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="unique")
            batch_op.create_unique_constraint(name, columns)
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_subject")
        batch_op.create_index(
            batch_op.f("ix_submissions_subject"), ["organization_id", "subject_id"], unique=False
        )

    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_user_id"))

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_subject")
        batch_op.create_index(
            batch_op.f("ix_records_subject"), ["organization_id", "subject_id"], unique=False
        )

    with op.batch_alter_table("parental_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parental_consents_subject_id"))

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_subject_id"))

    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index("ix_objections_subject")
        batch_op.create_index(
            batch_op.f("ix_objections_subject"), ["organization_id", "subject_id"], unique=False
        )

    with op.batch_alter_table("mail_links", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mail_links_request_id_rights_requests"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_mail_links_subject_id"))
        batch_op.drop_index(batch_op.f("ix_mail_links_request_id"))
        batch_op.alter_column("subject_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("request_id")

    with op.batch_alter_table("consent_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_states_event_id"))

    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_events_subject")
        batch_op.create_index(
            batch_op.f("ix_consent_events_subject"), ["organization_id", "subject_id"], unique=False
        )

    with op.batch_alter_table("request_system_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_system_parts_request_id"))
        batch_op.drop_index(batch_op.f("ix_request_system_parts_organization_id"))
        batch_op.drop_index(batch_op.f("ix_request_system_parts_key_id"))

    op.drop_table("request_system_parts")
    with op.batch_alter_table("record_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_revisions_request_id"))
        batch_op.drop_index(batch_op.f("ix_record_revisions_record_id"))
        batch_op.drop_index(batch_op.f("ix_record_revisions_organization_id"))
        batch_op.drop_index(batch_op.f("ix_record_revisions_key_id"))

    op.drop_table("record_revisions")
    with op.batch_alter_table("identity_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_documents_request_id"))
        batch_op.drop_index(batch_op.f("ix_identity_documents_organization_id"))
        batch_op.drop_index(batch_op.f("ix_identity_documents_key_id"))

    op.drop_table("identity_documents")
    with op.batch_alter_table("export_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_files_request_id"))
        batch_op.drop_index(batch_op.f("ix_export_files_organization_id"))
        batch_op.drop_index(batch_op.f("ix_export_files_expires_at"))

    op.drop_table("export_files")
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_requests_subject_id"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_organization_id"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_key_id"))
        batch_op.drop_index("ix_rights_requests_email")
        batch_op.drop_index("ix_rights_requests_due")

    op.drop_table("rights_requests")
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_events_organization_id"))
        batch_op.drop_index("ix_rate_events_key")

    op.drop_table("rate_events")
