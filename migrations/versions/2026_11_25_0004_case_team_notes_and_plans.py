"""case council, team, notes; versioned plans, measures, logs, reviews

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:33:45.266044
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_members',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_role', sa.String(length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['support_cases.id'], name=op.f('fk_case_members_case_id_support_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_members_user_id_users')),
    sa.PrimaryKeyConstraint('case_id', 'user_id', name=op.f('pk_case_members'))
    )
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_members_user_id'), ['user_id'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['support_cases.id'], name=op.f('fk_case_notes_case_id_support_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)

    op.create_table('confidential_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_confidential_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['support_cases.id'], name=op.f('fk_confidential_notes_case_id_support_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confidential_notes'))
    )
    with op.batch_alter_table('confidential_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confidential_notes_case_id'), ['case_id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('version_no', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=True),
    sa.Column('needs', sa.Text(), nullable=True),
    sa.Column('guardian_involvement', sa.Text(), nullable=True),
    sa.Column('next_review_date', sa.Date(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_plans_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['support_cases.id'], name=op.f('fk_plans_case_id_support_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_plans_decided_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_plans_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('case_id', 'version_no', name=op.f('uq_plans_case_id_version_no'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plans_status'), ['status'], unique=False)

    op.create_table('plan_editors',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_editors_plan_id_plans')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_editors_user_id_users')),
    sa.PrimaryKeyConstraint('plan_id', 'user_id', name=op.f('pk_plan_editors'))
    )
    op.create_table('plan_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=500), nullable=False),
    sa.Column('indicator', sa.String(length=500), nullable=False),
    sa.Column('baseline', sa.String(length=300), nullable=True),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_goals_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goals'))
    )
    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_goals_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=24), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_measures_plan_id_plans')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_plan_measures_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_measures'))
    )
    with op.batch_alter_table('plan_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_measures_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_measures_responsible_id'), ['responsible_id'], unique=False)

    op.create_table('plan_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_plan_reviews_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['support_cases.id'], name=op.f('fk_plan_reviews_case_id_support_cases')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_reviews_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_reviews'))
    )
    with op.batch_alter_table('plan_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_reviews_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_reviews_plan_id'), ['plan_id'], unique=False)

    op.create_table('measure_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_measure_logs_author_id_users')),
    sa.ForeignKeyConstraint(['measure_id'], ['plan_measures.id'], name=op.f('fk_measure_logs_measure_id_plan_measures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_logs'))
    )
    with op.batch_alter_table('measure_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_logs_measure_id'), ['measure_id'], unique=False)

    op.create_table('plan_review_goals',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('progress', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goals.id'], name=op.f('fk_plan_review_goals_goal_id_plan_goals')),
    sa.ForeignKeyConstraint(['review_id'], ['plan_reviews.id'], name=op.f('fk_plan_review_goals_review_id_plan_reviews')),
    sa.PrimaryKeyConstraint('review_id', 'goal_id', name=op.f('pk_plan_review_goals'))
    )
    with op.batch_alter_table('support_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('council_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('council_protocol', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('next_review_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('close_outcome', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('close_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reopened_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_support_cases_next_review_date'), ['next_review_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('support_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_cases_next_review_date'))
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('reopened_at')
        batch_op.drop_column('close_reason')
        batch_op.drop_column('close_outcome')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('next_review_date')
        batch_op.drop_column('council_protocol')
        batch_op.drop_column('council_date')

    op.drop_table('plan_review_goals')
    with op.batch_alter_table('measure_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_logs_measure_id'))

    op.drop_table('measure_logs')
    with op.batch_alter_table('plan_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_reviews_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_reviews_case_id'))

    op.drop_table('plan_reviews')
    with op.batch_alter_table('plan_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_measures_responsible_id'))
        batch_op.drop_index(batch_op.f('ix_plan_measures_plan_id'))

    op.drop_table('plan_measures')
    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_goals_plan_id'))

    op.drop_table('plan_goals')
    op.drop_table('plan_editors')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_status'))
        batch_op.drop_index(batch_op.f('ix_plans_case_id'))

    op.drop_table('plans')
    with op.batch_alter_table('confidential_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confidential_notes_case_id'))

    op.drop_table('confidential_notes')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_case_id'))

    op.drop_table('case_notes')
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_members_user_id'))

    op.drop_table('case_members')
