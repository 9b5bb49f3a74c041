"""The audit log is hash-chained, append-only and verifiable; tampering of every kind tried is reported."""

import threading

import pytest
from sqlalchemy import func, select, text

from portal.audit import chain
from portal.audit.models import AuditChainHead, AuditEvent
from portal.extensions import db
from tests.conftest import PG_URL, Browser, in_app, student_of


def verify(app, *args):
    result = app.test_cli_runner().invoke(args=["audit-verify", *args])
    return result.exit_code, result.output


def head(app) -> str:
    result = app.test_cli_runner().invoke(args=["audit-head"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def events() -> list[AuditEvent]:
    with in_app():
        return db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()


def activity(app, login_as) -> None:
    """Sign-ins, reads of a child's record and a refused access: several audited transactions."""
    teacher = login_as("teacher@school1.demo")
    own = student_of("school1", class_name="7Б")
    teacher.get(f"/students/{own.id}")
    teacher.get(f"/students/{student_of('school2').id}")  # out of scope: audited denial
    login_as("psychologist@school1.demo").get(f"/students/{own.id}")


def test_every_event_is_chained_in_commit_order_and_the_chain_verifies(app, login_as):
    before = events()
    activity(app, login_as)
    rows = events()
    assert len(rows) == len(before) + 5  # 2 sign-ins, 2 reads of a profile, 1 refused access
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == chain.GENESIS
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == previous.hash
        assert row.hash == chain.row_digest(row)
    code, output = verify(app)
    assert code == 0, output
    assert f"{len(rows)} rows" in output
    assert head(app) == f"{rows[-1].seq}:{rows[-1].hash}"


def test_an_audit_event_of_a_rolled_back_transaction_is_not_written(app):
    from portal.audit.services import record

    with in_app():
        count = db.session.scalar(select(func.count()).select_from(AuditEvent))
        record("test.rolled_back")
        db.session.rollback()
        record("test.kept")
        db.session.commit()
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("test.%"))).all()
        assert actions == ["test.kept"]
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == count + 1


def test_several_events_of_one_transaction_are_chained_in_order_and_the_head_follows(app):
    """One commit writing several events (a bulk action) chains each to the one before and moves the head to the
    last; on PostgreSQL the head moves in the statement that writes them."""
    from portal.audit.services import record

    with in_app():
        record("test.first")
        db.session.commit()
        for n in range(4):
            record("test.bulk", object_type="student", object_id=n + 1)
        db.session.commit()
    rows = events()
    bulk = [r for r in rows if r.action == "test.bulk"]
    assert [r.object_id for r in bulk] == [1, 2, 3, 4]
    assert [r.seq for r in bulk] == list(range(bulk[0].seq, bulk[0].seq + 4)) and bulk[-1].seq == rows[-1].seq
    assert bulk[0].prev_hash == next(r for r in rows if r.action == "test.first").hash
    code, output = verify(app)
    assert code == 0, output
    assert head(app) == f"{bulk[-1].seq}:{bulk[-1].hash}"


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'x' WHERE seq = 1",
    "UPDATE audit_events SET fields = NULL",
    "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)",
    "DELETE FROM audit_events",
    *(["TRUNCATE audit_events"] if PG_URL else []),
])
def test_the_audit_table_refuses_changes_and_deletions(app, login_as, statement):
    activity(app, login_as)
    before = events()
    assert before
    with in_app():
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
    assert [(e.seq, e.hash, e.action) for e in events()] == [(e.seq, e.hash, e.action) for e in before]


def _without_triggers(sql: list[str]) -> None:
    """What an attacker with the database owner's password could do: switch the protection off and edit."""
    with in_app():
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            db.session.execute(text("DROP TRIGGER audit_events_no_update"))
            db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
        for statement in sql:
            db.session.execute(text(statement))
        if dialect == "postgresql":
            db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            for name in ("UPDATE", "DELETE"):
                db.session.execute(text(
                    f"CREATE TRIGGER audit_events_no_{name.lower()} BEFORE {name} ON audit_events "
                    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"))
        db.session.commit()


def _rehash_from(seq: int) -> list[str]:
    """Recompute every hash from `seq` on, and the head: a careful forger's last step."""
    rows = events()
    statements, last = [], chain.GENESIS
    for row in rows:
        if row.seq >= seq:
            row.prev_hash = last
            row.hash = chain.row_digest(row)
            statements.append(f"UPDATE audit_events SET prev_hash = '{row.prev_hash}', hash = '{row.hash}' "
                              f"WHERE seq = {row.seq}")
        last = row.hash
    statements.append(f"UPDATE audit_chain_head SET hash = '{last}', seq = {rows[-1].seq}")
    return statements


TAMPERING = [
    "a field changed",
    "a row deleted",
    "the last rows cut off and the head moved back",
    "a row changed and its own hash recomputed",
    "a row changed and every later hash and the head recomputed",
    "a row slipped in outside the chain",
]


@pytest.mark.parametrize("case", TAMPERING)
def test_tampering_is_detected_and_the_first_bad_row_reported(app, login_as, case, capsys):
    """One kind of tampering per fresh database; `flask audit-verify` must report it and name the first bad row
    (the exported head, kept elsewhere, catches the forger who recomputed everything)."""
    activity(app, login_as)
    rows = events()
    middle, exported = rows[len(rows) // 2], head(app)
    assert verify(app, "--expect-head", exported)[0] == 0
    forged_action = "student.search"
    bad_seq = middle.seq
    if case == "a field changed":
        sql = [f"UPDATE audit_events SET action = '{forged_action}' WHERE seq = {middle.seq}"]
    elif case == "a row deleted":
        sql, bad_seq = [f"DELETE FROM audit_events WHERE seq = {middle.seq}"], middle.seq + 1
    elif case == "the last rows cut off and the head moved back":
        sql = [f"DELETE FROM audit_events WHERE seq > {middle.seq}",
               f"UPDATE audit_chain_head SET seq = {middle.seq}, hash = '{middle.hash}'"]
        bad_seq = middle.seq + 1
    elif case == "a row changed and its own hash recomputed":
        middle.action = forged_action
        sql = [f"UPDATE audit_events SET action = '{forged_action}', hash = '{chain.row_digest(middle)}' "
               f"WHERE seq = {middle.seq}"]
        bad_seq = middle.seq + 1
    elif case == "a row changed and every later hash and the head recomputed":
        sql = [f"UPDATE audit_events SET action = '{forged_action}' WHERE seq = {middle.seq}"]
        _without_triggers(sql)
        _without_triggers(_rehash_from(middle.seq))
        assert verify(app)[0] == 0  # consistent in itself: only the exported head can tell
        sql, bad_seq = [], int(exported.split(":")[0])
    else:
        sql, bad_seq = ["INSERT INTO audit_events (at, action, outcome) VALUES "
                        "('2026-01-01 00:00:00', 'login.ok', 'ok')"], None
    _without_triggers(sql)
    code, output = verify(app, "--expect-head", exported)
    assert code != 0 and "BROKEN" in output, output
    if bad_seq is not None:
        assert f"sequence {bad_seq}" in output, output
    with capsys.disabled():
        print(f"\naudit tampering detected: {case}")


def test_parallel_audit_writers_keep_one_unbroken_chain(app):
    """Many requests writing audit events at once (PostgreSQL: real parallel transactions)."""
    if not PG_URL:
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    own = student_of("school1", class_name="7Б")
    browsers = []
    for email in ("teacher@school1.demo", "psychologist@school1.demo", "admin@school1.demo"):
        for _ in range(4):
            b = Browser(app, app.test_client())
            assert b.login(email).status_code == 303
            browsers.append(b)
    before = len(events())
    barrier = threading.Barrier(len(browsers))
    failures = []

    def work(b):
        barrier.wait()
        for _ in range(5):
            if b.get(f"/students/{own.id}").status_code != 200:
                failures.append(1)

    threads = [threading.Thread(target=work, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    rows = events()
    assert len(rows) == before + len(browsers) * 5
    code, output = verify(app)
    assert code == 0, output
    with in_app():
        assert db.session.get(AuditChainHead, 1).seq == len(rows)
