"""The audit log's hash chain.

`record()` collects events on the session; just before the transaction commits they are chained: under the head
row's lock (held only for the end of the transaction, so writers queue there and never deadlock), each event gets
the next sequence number and sha256(previous hash + its own content), and the head row moves on. The audit table
itself is never updated (database triggers refuse UPDATE, DELETE and TRUNCATE).
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from portal.audit.models import AuditChainHead, AuditEvent
from portal.db import built_once

GENESIS = "0" * 64
PENDING = "audit_pending"
CHAINED_FIELDS = ("at", "actor_id", "actor_role", "actor_school_id", "actor_region_id", "session_hash", "ip",
                  "action", "object_type", "object_id", "school_id", "outcome", "fields")


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="microseconds")
    return str(value)


def digest(seq: int, values: dict, prev_hash: str) -> str:
    """sha256 over the sequence number, every recorded field and the previous row's hash (one canonical form)."""
    parts = [str(seq), *(f"{name}={_text(values.get(name))}" for name in CHAINED_FIELDS), prev_hash]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def row_digest(row: AuditEvent) -> str:
    return digest(row.seq, {name: getattr(row, name) for name in CHAINED_FIELDS}, row.prev_hash)


def add(session: Session, item: AuditEvent) -> None:
    """Collect an event; it is chained and inserted when this transaction commits (or dropped on rollback)."""
    session.info.setdefault(PENDING, []).append(item)


def _chain(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    # The UPDATE takes the head row's lock (PostgreSQL: row lock; SQLite: the write lock) and, in the same
    # statement, reads the head as it is under that lock.
    head = AuditChainHead.__table__  # Core statements on the session's connection: nothing of the ORM is involved
    connection = session.connection()
    seq, last = connection.execute(built_once("audit_head_lock", lambda: (
        update(head).where(head.c.id == 1).values(seq=head.c.seq).returning(head.c.seq, head.c.hash)))).one()
    rows = []
    for item in pending:
        seq += 1
        item.seq = seq
        item.prev_hash = last
        item.hash = last = row_digest(item)
        rows.append({name: getattr(item, name) for name in (*CHAINED_FIELDS, "seq", "prev_hash", "hash")})
    # a Core INSERT: the events are written, never read back, so the ORM's unit of work is not needed
    moved = {"new_seq": seq, "new_hash": last}
    if connection.dialect.name == "postgresql":
        # one round trip: the head moves in the statement that writes the events (a data-modifying WITH; with
        # several events it may run once per row, always to the same final values)
        connection.execute(built_once("audit_insert_moving_head", lambda: insert(AuditEvent.__table__).add_cte(
            _move_head().cte("moved_head"))), [{**row, **moved} for row in rows])
    else:
        connection.execute(built_once("audit_insert", lambda: insert(AuditEvent.__table__)), rows)
        connection.execute(built_once("audit_head_move", _move_head), moved)


def _move_head():
    head = AuditChainHead.__table__
    return update(head).where(head.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))


def _before_commit(session: Session) -> None:
    _chain(session)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def install() -> None:
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


@dataclass
class Verdict:
    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""


def verify(session: Session, expect_head: tuple[int, str] | None = None, batch: int = 5000) -> Verdict:
    """Walk the chain in sequence order; report the first row whose link or content does not check out.

    `expect_head` (seq, hash), exported earlier and kept elsewhere, detects rows cut off the end."""
    last_seq, last_hash, rows = 0, GENESIS, 0
    while True:
        chunk = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not chunk:
            break
        for row in chunk:
            rows += 1
            problem = None
            if row.seq != last_seq + 1:
                problem = f"sequence jumps from {last_seq} to {row.seq} (rows missing)"
            elif row.prev_hash != last_hash:
                problem = "does not link to the previous row"
            elif row.hash != row_digest(row):
                problem = "content does not match its hash (changed after it was written)"
            if problem:
                return Verdict(False, rows, last_seq, last_hash, row.seq, row.id, problem)
            last_seq, last_hash = row.seq, row.hash
        session.expunge_all()
    unchained = session.scalar(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).limit(1))
    if unchained is not None:
        return Verdict(False, rows, last_seq, last_hash, None, unchained, "row outside the chain")
    head = session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1)).one()
    if tuple(head) != (last_seq, last_hash):
        return Verdict(False, rows, last_seq, last_hash, last_seq + 1, None,
                       f"the head says {head[0]}, the table ends at {last_seq} (rows cut off the end)")
    if expect_head is not None:
        seq, expected_hash = expect_head
        if seq > last_seq:
            return Verdict(False, rows, last_seq, last_hash, last_seq + 1, None,
                           f"the exported head is at {seq}, the table ends at {last_seq} (rows cut off the end)")
        found = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
        if found != expected_hash:
            return Verdict(False, rows, last_seq, last_hash, seq, None, "the exported head does not match this row")
    return Verdict(True, rows, last_seq, last_hash)


def head(session: Session) -> tuple[int, str]:
    row = session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1)).one()
    return int(row[0]), row[1]

