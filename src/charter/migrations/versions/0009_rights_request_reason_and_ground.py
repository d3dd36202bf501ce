"""rights request reason and ground

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 16:46:42.427065
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("ground", sa.String(length=1), nullable=True))
    # The Data Rights Protocol's words: a request waiting for the person to prove who they
    # are is in_progress (need_user_verification), no longer open.
    op.execute(
        "UPDATE rights_requests SET status = 'in_progress' WHERE status = 'open'"
        " AND stage IN ('awaiting_verification', 'awaiting_proof', 'proof_received')"
    )
    # Refusals written before: those that followed a refused proof of identity are known
    # from the audit log; the others say "other".
    op.execute(
        "UPDATE rights_requests SET reason = 'insuf_verification' WHERE status = 'denied'"
        " AND EXISTS (SELECT 1 FROM audit_events e"
        " WHERE e.organization_id = rights_requests.organization_id"
        " AND e.target = 'request:' || rights_requests.reference"
        " AND e.action = 'request.identity_refused')"
    )
    op.execute(
        "UPDATE rights_requests SET reason = 'other' WHERE status = 'denied' AND reason IS NULL"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE rights_requests SET status = 'open' WHERE status = 'in_progress'"
        " AND stage IN ('received', 'awaiting_verification', 'awaiting_proof', 'proof_received')"
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_column("ground")
        batch_op.drop_column("reason")
