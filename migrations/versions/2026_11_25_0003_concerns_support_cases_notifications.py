"""concerns, support cases, notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:21:01.827947
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('link', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('support_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('grounds', sa.String(length=200), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_support_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_support_cases_lead_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_support_cases_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_support_cases_student_id_students')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_cases'))
    )
    with op.batch_alter_table('support_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_cases_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_student_id'), ['student_id'], unique=False)

    op.create_table('concerns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('submission_token', sa.String(length=36), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('immediate_danger', sa.Boolean(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('child_words', sa.Text(), nullable=True),
    sa.Column('witnesses', sa.Text(), nullable=True),
    sa.Column('immediate_action', sa.Text(), nullable=True),
    sa.Column('involves_staff', sa.Boolean(), nullable=False),
    sa.Column('involved_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ack_due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('risk_level', sa.String(length=8), nullable=True),
    sa.Column('risk_rationale', sa.Text(), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('monitor_until', sa.Date(), nullable=True),
    sa.Column('referral_to', sa.String(length=16), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_concerns_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['support_cases.id'], name=op.f('fk_concerns_case_id_support_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_concerns_decided_by_id_users')),
    sa.ForeignKeyConstraint(['involved_staff_id'], ['users.id'], name=op.f('fk_concerns_involved_staff_id_users')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_concerns_reporter_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_concerns_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_concerns_student_id_students')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concerns')),
    sa.UniqueConstraint('reporter_id', 'submission_token', name=op.f('uq_concerns_reporter_id_submission_token'))
    )
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concerns_ack_due_at'), ['ack_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_involved_staff_id'), ['involved_staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_urgent'), ['urgent'], unique=False)

    op.create_table('concern_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_concern_addenda_author_id_users')),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_concern_addenda_concern_id_concerns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_addenda'))
    )
    with op.batch_alter_table('concern_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_addenda_concern_id'), ['concern_id'], unique=False)

    op.create_table('concern_categories',
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_concern_categories_concern_id_concerns')),
    sa.PrimaryKeyConstraint('concern_id', 'category', name=op.f('pk_concern_categories'))
    )
    with op.batch_alter_table('concern_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_categories_category'), ['category'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('concern_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_categories_category'))

    op.drop_table('concern_categories')
    with op.batch_alter_table('concern_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_addenda_concern_id'))

    op.drop_table('concern_addenda')
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concerns_urgent'))
        batch_op.drop_index(batch_op.f('ix_concerns_student_id'))
        batch_op.drop_index(batch_op.f('ix_concerns_status'))
        batch_op.drop_index(batch_op.f('ix_concerns_school_id'))
        batch_op.drop_index(batch_op.f('ix_concerns_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_concerns_involved_staff_id'))
        batch_op.drop_index(batch_op.f('ix_concerns_created_at'))
        batch_op.drop_index(batch_op.f('ix_concerns_case_id'))
        batch_op.drop_index(batch_op.f('ix_concerns_ack_due_at'))

    op.drop_table('concerns')
    with op.batch_alter_table('support_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_cases_student_id'))
        batch_op.drop_index(batch_op.f('ix_support_cases_status'))
        batch_op.drop_index(batch_op.f('ix_support_cases_school_id'))
        batch_op.drop_index(batch_op.f('ix_support_cases_lead_id'))

    op.drop_table('support_cases')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))

    op.drop_table('notifications')
