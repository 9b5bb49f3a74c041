"""psycopg's result descriptions are built lazily (portal/db_events.py) and must read exactly as psycopg's own."""

import pytest
from sqlalchemy import select, text

from portal.auth.models import User
from portal.extensions import db
from tests.conftest import in_app


def _raw(app):
    engine = db.engine
    if engine.dialect.driver != "psycopg":
        pytest.skip("needs PostgreSQL through psycopg (the suite's second leg): SQLite has no such cursor")
    return engine.raw_connection()


def test_lazy_descriptions_read_as_psycopg_writes_them(app):
    import psycopg

    with in_app():
        connection = _raw(app)
        try:
            lazy = connection.driver_connection.cursor()
            plain = psycopg.Cursor(connection.driver_connection)
            assert type(lazy) is not psycopg.Cursor  # the portal's cursor is in use
            sql = "SELECT id, email, full_name AS name, created_at, 1::int AS one FROM users ORDER BY id LIMIT 3"
            lazy.execute(sql)
            plain.execute(sql)
            described = lazy.description
            lazy.execute("SELECT 'other'::text AS x")  # the cursor moves on before the first description is read
            assert [(c.name, c.type_code, c.internal_size) for c in described] == \
                   [(c.name, c.type_code, c.internal_size) for c in plain.description]
            assert len(described) == 5 and described[1].name == "email" and list(described)[-1].name == "one"
            assert [c.name for c in lazy.description] == ["x"]
            lazy.execute("UPDATE users SET locale = locale WHERE id = -1")  # no rows come back: None, as psycopg
            plain.execute("UPDATE users SET locale = locale WHERE id = -1")
            assert lazy.description is None and plain.description is None
            lazy.execute("SELECT")  # a result with no columns is still a result
            assert lazy.description is not None and len(lazy.description) == 0
        finally:
            connection.close()


def test_orm_and_core_results_are_unchanged(app):
    with in_app():
        for _ in range(3):  # the first execution builds the result metadata, the next ones reuse it
            users = db.session.scalars(select(User).order_by(User.id).limit(3)).all()
            row = db.session.execute(text("SELECT count(*) AS n, max(email) AS last FROM users")).one()
            assert [u.id for u in users] == sorted(u.id for u in users) and users[0].email
            assert row.n > 0 and row._mapping["last"] == row.last


def test_prepared_statements_outlive_a_rollback_but_not_a_schema_change(app):
    """A statement run often enough is prepared once per connection and stays prepared when a request's
    transaction is rolled back (every request ends so); dropping or altering anything still clears the cache."""
    with in_app():
        connection = _raw(app)
        try:
            conn = connection.driver_connection
            prepared = "SELECT count(*) FROM pg_prepared_statements"
            with conn.cursor() as cursor:
                for _ in range(conn.prepare_threshold + 1):
                    cursor.execute("SELECT id FROM users WHERE id = %s", (1,))
                cursor.execute(prepared)
                assert cursor.fetchone()[0] >= 1
            conn.rollback()
            with conn.cursor() as cursor:
                cursor.execute(prepared)
                assert cursor.fetchone()[0] >= 1  # psycopg alone would have deallocated everything here
                cursor.execute("SELECT id FROM users WHERE id = %s", (1,))
                assert cursor.fetchone() in (None, (1,))  # the kept statement still runs
                cursor.execute("CREATE TEMPORARY TABLE bench_scratch (n int)")
                cursor.execute("DROP TABLE bench_scratch")
                cursor.execute(prepared)
                assert cursor.fetchone()[0] == 0  # a DROP clears them, as psycopg does
            conn.rollback()
        finally:
            connection.close()
