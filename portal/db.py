"""Declarative base with a constraint naming convention, and common mixins."""

from datetime import datetime, timedelta

from sqlalchemy import Date, DateTime, Integer, MetaData, Select, String, bindparam, select, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import BindParameter

from portal.clock import local_today, now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """created_at / updated_at in naive UTC, set from the portal clock."""

    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


def side_by_side(*queries: Select) -> tuple[Select, list[int]]:
    """Several one-row aggregate queries (dashboard counts) as one: their one-row subqueries joined side by
    side. Returns the statement and each query's width, for split_row."""
    subqueries = [query.subquery() for query in queries]
    joined = subqueries[0]
    for sub in subqueries[1:]:
        joined = joined.join(sub, true())
    return select(*subqueries).select_from(joined), [len(sub.c) for sub in subqueries]


def split_row(row, widths: list[int]) -> list[tuple]:
    rows, start = [], 0
    for width in widths:
        rows.append(tuple(row[start:start + width]))
        start += width
    return rows


_built: dict = {}


def built_once(key, build):
    """A statement built on first use and reused by every later request of this process.

    `build()` must put every per-request value in a `bindparam()`, given at execution. Building a statement
    and computing its cache key cost more CPU than PostgreSQL spends running it; a reused statement object
    keeps its cache key, so SQLAlchemy only looks up the compiled SQL. `key` names the statement and every
    choice `build` makes in Python (a role, say)."""
    statement = _built.get(key)
    if statement is None:
        statement = _built[key] = build()
    return statement


class _Given(BindParameter):
    """A bound parameter standing for a value the viewer has: true in Python's `if`, like the value itself."""

    inherit_cache = True

    def __bool__(self):
        return True


class BoundViewer:
    """A viewer whose id, school, region and class are bound parameters, for statements built once.

    Scope functions branch in Python on the role and on whether the viewer has a school, a region or a class;
    `key` names those choices, so one statement serves every viewer who makes the same ones, and `params` gives
    this viewer's values. Any other attribute is missing on purpose: a scope that reads one fails loudly
    instead of freezing one viewer's value into a shared statement."""

    __slots__ = ("role", "id", "school_id", "region_id", "class_name")
    _PARAMS = (("id", "viewer_id", Integer), ("school_id", "viewer_school_id", Integer),
               ("region_id", "viewer_region_id", Integer), ("class_name", "viewer_class_name", String))

    def __init__(self, viewer):
        self.role = viewer.role
        for attribute, name, type_ in self._PARAMS:
            given = getattr(viewer, attribute) not in (None, "")
            setattr(self, attribute, _Given(name, type_=type_, unique=False) if given else None)

    @classmethod
    def key(cls, viewer) -> tuple:
        return (viewer.role, *(getattr(viewer, attribute) not in (None, "") for attribute, _n, _t in cls._PARAMS))

    @classmethod
    def params(cls, viewer) -> dict:
        return {name: getattr(viewer, attribute) for attribute, name, _t in cls._PARAMS}


def built_for(name, viewer, build) -> tuple:
    """built_once per kind of viewer: `build` gets a BoundViewer. Returns the statement and this viewer's
    parameters, to which a caller adds its own."""
    statement = built_once((name, *BoundViewer.key(viewer)), lambda: build(BoundViewer(viewer)))
    return statement, BoundViewer.params(viewer)


def at_run(value, type_):
    """A bound parameter whose value `value()` gives when the statement runs (the clock, say), so a statement
    built once (or cached by SQLAlchemy) never keeps the value of the moment it was built."""
    return bindparam(None, callable_=value, type_=type_)


def clock_now():
    """The current time, read when the statement runs."""
    return at_run(now, DateTime)


def clock_today(days: int = 0):
    """Today in Almaty (plus `days`), read when the statement runs."""
    return at_run(lambda: local_today() + timedelta(days=days), Date)


def run_rows(statement, params=None):
    """What db.session.execute(statement, params) gives for a statement of columns (no ORM objects), after the same
    autoflush, in the same transaction: run on the session's connection, without the ORM session's per-statement
    machinery (about 50 µs of Python a statement, a fifth of what a small query costs the app)."""
    from portal.extensions import db

    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)
