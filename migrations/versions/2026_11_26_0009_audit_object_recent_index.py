"""the audit log's record index also orders by event: "who viewed" reads only the latest openings

0008 indexed the audit log by (object_type, object_id). "Who viewed this record" wants the newest openings of
a case, its student, its plans and escalations: with the event id as the index's third column, each of those
lookups reads its latest rows straight from the index (newest first) and stops at the page's limit, instead of
reading and sorting every opening of a much-viewed case.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 03:40:00
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_audit_events_object', table_name='audit_events')
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_events_object', table_name='audit_events')
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id'], unique=False)
