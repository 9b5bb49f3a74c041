"""escalations, snapshots, measures, events

Snapshots are what the directorate received: a trigger refuses UPDATE and DELETE on them in both databases.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:47:17.086855
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=8), nullable=False),
    sa.Column('requested', sa.String(length=200), nullable=False),
    sa.Column('requested_other', sa.String(length=300), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('measures_tried', sa.Text(), nullable=False),
    sa.Column('chronology_keys', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('first_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('helproom_appointment_on', sa.Date(), nullable=True),
    sa.Column('helproom_interview_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['support_cases.id'], name=op.f('fk_escalations_case_id_support_cases')),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_escalations_claimed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_escalations_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_escalations_decided_by_id_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_escalations_region_id_regions')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_escalations_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_escalations_student_id_students')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_student_id'), ['student_id'], unique=False)

    op.create_table('escalation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('waited_minutes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_escalation_events_actor_id_users')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_events_escalation_id_escalations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_events'))
    )
    with op.batch_alter_table('escalation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_events_escalation_id'), ['escalation_id'], unique=False)

    op.create_table('escalation_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_measures_escalation_id_escalations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_measures'))
    )
    with op.batch_alter_table('escalation_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_measures_escalation_id'), ['escalation_id'], unique=False)

    op.create_table('escalation_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_snapshots_escalation_id_escalations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_escalation_snapshots_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_snapshots')),
    sa.UniqueConstraint('escalation_id', 'number', name=op.f('uq_escalation_snapshots_escalation_id_number'))
    )
    with op.batch_alter_table('escalation_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_snapshots_escalation_id'), ['escalation_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION escalation_snapshot_frozen() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'escalation snapshots are immutable'; END $$"
        )
        op.execute(
            "CREATE TRIGGER escalation_snapshots_frozen BEFORE UPDATE OR DELETE ON escalation_snapshots "
            "FOR EACH ROW EXECUTE FUNCTION escalation_snapshot_frozen()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER escalation_snapshots_frozen_{event.lower()} BEFORE {event} ON escalation_snapshots "
                "BEGIN SELECT RAISE(ABORT, 'escalation snapshots are immutable'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER escalation_snapshots_frozen ON escalation_snapshots")
        op.execute("DROP FUNCTION escalation_snapshot_frozen()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER escalation_snapshots_frozen_{event}")
    with op.batch_alter_table('escalation_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_snapshots_escalation_id'))

    op.drop_table('escalation_snapshots')
    with op.batch_alter_table('escalation_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_measures_escalation_id'))

    op.drop_table('escalation_measures')
    with op.batch_alter_table('escalation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_events_escalation_id'))

    op.drop_table('escalation_events')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_student_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_status'))
        batch_op.drop_index(batch_op.f('ix_escalations_school_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_region_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_due_at'))
        batch_op.drop_index(batch_op.f('ix_escalations_case_id'))

    op.drop_table('escalations')
