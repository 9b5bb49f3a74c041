"""Declarative base with a constraint naming convention, and common mixins."""

from datetime import datetime

from sqlalchemy import MetaData, Select, select, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portal.clock import now

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


def one_row(session, *queries: Select) -> list[tuple]:
    """Several one-row aggregate queries (dashboard counts) in one round trip: their one-row subqueries joined
    side by side. Returns each query's row, in order."""
    subqueries = [query.subquery() for query in queries]
    joined = subqueries[0]
    for sub in subqueries[1:]:
        joined = joined.join(sub, true())
    row = session.execute(select(*subqueries).select_from(joined)).one()
    rows, start = [], 0
    for sub in subqueries:
        width = len(sub.c)
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
