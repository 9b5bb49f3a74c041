"""Engine-level settings: SQLite enforces foreign keys like PostgreSQL does; psycopg describes results lazily."""

from collections.abc import Sequence
from types import SimpleNamespace

from sqlalchemy import event
from sqlalchemy.engine import Engine


def install(engine: Engine) -> None:
    if engine.dialect.driver == "psycopg":

        @event.listens_for(engine, "connect")
        def _lazy_descriptions(dbapi_connection, _record):
            dbapi_connection.cursor_factory = _cursor_class()
            dbapi_connection._prepared = _prepared_statements_class()()

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


class _Description(Sequence):
    """psycopg's cursor.description, built when it is first read rather than on every access.

    psycopg makes a Column object per result column each time `description` is read; SQLAlchemy reads it on
    every execution but, once a statement's result metadata is cached, only to see whether rows came back.
    That cost a tenth of a dashboard's CPU (joined loads select many columns)."""

    __slots__ = ("_columns", "_read")

    def __init__(self, read):
        self._read, self._columns = read, None

    def _all(self):
        if self._columns is None:
            self._columns = self._read()
        return self._columns

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self):
        return len(self._all())

    def __iter__(self):
        return iter(self._all())

    def __repr__(self):
        return repr(self._all())


_class = None


def _cursor_class():
    global _class
    if _class is None:
        import psycopg
        from psycopg.pq import ExecStatus

        rows = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, getattr(ExecStatus, "TUPLES_CHUNK", -1))

        class Cursor(psycopg.Cursor):
            @property
            def description(self):
                result = self.pgresult  # the same test as psycopg's own: None when no rows were returned
                if result and (result.nfields or result.status in rows):
                    # described from this result even if the cursor has run another statement meanwhile
                    frozen = SimpleNamespace(pgresult=result, _encoding=self._encoding, adapters=self.adapters)
                    return _Description(lambda: [psycopg.Column(frozen, i) for i in range(result.nfields)])
                return None

        _class = Cursor
    return _class


_manager = None


def _prepared_statements_class():
    """psycopg's cache of server-side prepared statements, kept across a plain ROLLBACK.

    psycopg prepares a statement on a connection once it has run five times, so PostgreSQL plans it once, not on
    every execution (the chronology's fourteen-branch UNION takes 4 ms to plan and 0.5 ms to run). But psycopg
    forgets every prepared statement at each ROLLBACK, in case the transaction had created or dropped what they
    refer to - and every request ends with one, when the session returns its connection to the pool. So nothing
    was ever reused. A ROLLBACK does not remove PostgreSQL's prepared statements (they belong to the session,
    not the transaction), and the portal runs no DDL in a request; statements that drop or alter anything
    (migrations, tests) still clear the cache, as psycopg does on its own."""
    global _manager
    if _manager is None:
        from psycopg._preparing import PrepareManager

        class KeptOnRollback(PrepareManager):
            _schema_changed = False

            def _should_discard(self, prep, results):
                self._schema_changed = True  # only here does psycopg clear for a DROP, ALTER or DISCARD ALL
                try:
                    return super()._should_discard(prep, results)
                finally:
                    self._schema_changed = False

            def clear(self):
                return super().clear() if self._schema_changed else False

        _manager = KeptOnRollback
    return _manager
