"""index the audit log by the record it is about ("who viewed this record" on every case page)

Without it the case page reads every audit event of the school (school_id index) and filters them: the cost grows
with the school's whole log. With it, the lookup touches only the events of that case, its student, its plans
and its escalations.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 23:10:00
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_events_object', table_name='audit_events')
