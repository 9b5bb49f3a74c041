"""audit log: hash chain (seq, prev_hash, hash), head row, no UPDATE/DELETE/TRUNCATE

Existing rows are chained in id order. Then triggers make the table append-only in both databases: on
PostgreSQL they hold for every role, the table's owner included (grants alone would not bind the owner).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 17:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
REFUSE = "audit events are append-only"


def upgrade() -> None:
    from portal.audit.chain import CHAINED_FIELDS, digest

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seq'), ['seq'])

    head = op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )

    bind = op.get_bind()
    types = {"at": sa.DateTime(), "actor_id": sa.Integer(), "actor_school_id": sa.Integer(),
             "actor_region_id": sa.Integer(), "object_id": sa.Integer(), "school_id": sa.Integer()}
    events = sa.table('audit_events', sa.column('id', sa.Integer()), sa.column('seq', sa.Integer()),
                      sa.column('prev_hash', sa.String()), sa.column('hash', sa.String()),
                      *(sa.column(name, types.get(name, sa.String())) for name in CHAINED_FIELDS))
    seq, last = 0, GENESIS
    rows = bind.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    for row in rows:
        seq += 1
        values = dict(row)
        values["seq"] = seq
        current = digest(seq, values, last)
        bind.execute(events.update().where(events.c.id == row["id"]).values(seq=seq, prev_hash=last, hash=current))
        last = current
    op.bulk_insert(head, [{"id": 1, "seq": seq, "hash": last}])

    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSE}'; END $$"
        )
        op.execute("CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC")
    else:
        for statement in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_no_{statement.lower()} BEFORE {statement} ON audit_events "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        for statement in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_events_no_{statement}")
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
