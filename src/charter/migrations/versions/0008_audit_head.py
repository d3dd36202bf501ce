"""audit head

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 16:43:48.165050
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audit_head_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "audit_head_hash",
                sa.String(length=64),
                server_default="0000000000000000000000000000000000000000000000000000000000000000",
                nullable=False,
            )
        )
    # Logs written before this revision: anchor them at their newest event, the best that can
    # be known now (a deletion of the newest events made earlier stays invisible).
    op.execute(
        "UPDATE organizations SET"
        " audit_head_seq = COALESCE((SELECT e.seq FROM audit_events e"
        " WHERE e.organization_id = organizations.id ORDER BY e.seq DESC LIMIT 1), 0),"
        " audit_head_hash = COALESCE((SELECT e.hash FROM audit_events e"
        " WHERE e.organization_id = organizations.id ORDER BY e.seq DESC LIMIT 1),"
        " audit_head_hash)"
    )


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("audit_head_hash")
        batch_op.drop_column("audit_head_seq")
