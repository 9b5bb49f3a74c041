"""Operator commands: verify the audit chain, export its head, back up and restore the database.

    flask audit-verify [--expect-head SEQ:HASH]   walk the chain; report the first bad row (exit 1)
    flask audit-head                              print the head (sequence and hash) to keep elsewhere
    flask backup PATH                             pg_dump (custom format) or a consistent SQLite copy, plus PATH.json
    flask restore PATH                            into an EMPTY database, then verify the chain and the row counts
"""

import json
import os
import shutil
import sqlite3

# pg_dump / pg_restore are run with fixed argument lists, never through a shell
import subprocess  # nosec B404
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import func, inspect, select

from portal.extensions import db


def _url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump / pg_restore take it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def row_counts() -> dict[str, int]:
    from portal.db import Base

    present = set(inspect(db.engine).get_table_names())
    return {
        name: db.session.scalar(select(func.count()).select_from(table))
        for name, table in sorted(Base.metadata.tables.items()) if name in present
    }


def _parse_head(value: str | None):
    if not value:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise click.BadParameter("expected SEQ:HASH as printed by `flask audit-head`")
    return int(seq), digest


def _verify_or_fail(expect_head=None) -> None:
    from portal.audit import chain

    verdict = chain.verify(db.session, expect_head)
    if verdict.ok:
        click.echo(f"audit chain ok: {verdict.rows} rows, head {verdict.head_seq}:{verdict.head_hash}")
        return
    where = f"sequence {verdict.first_bad_seq}" if verdict.first_bad_seq is not None else "—"
    if verdict.first_bad_id is not None:
        where += f" (row id {verdict.first_bad_id})"
    raise click.ClickException(
        f"audit chain BROKEN at {where}: {verdict.reason}; {verdict.rows} rows checked, "
        f"last good {verdict.head_seq}:{verdict.head_hash}"
    )


def register(app) -> None:
    @app.cli.command("audit-verify")
    @click.option("--expect-head", help="SEQ:HASH exported earlier with `flask audit-head`")
    def audit_verify(expect_head):
        """Verify the audit log's hash chain; report the first bad row."""
        _verify_or_fail(_parse_head(expect_head))

    @app.cli.command("audit-head")
    def audit_head():
        """Print the audit chain's head (sequence:hash) to store outside this database."""
        from portal.audit import chain

        seq, digest = chain.head(db.session)
        click.echo(f"{seq}:{digest}")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup(path: Path):
        """Back up the database to PATH (and PATH.json: audit head and row counts)."""
        from portal.audit import chain

        if path.exists():
            raise click.ClickException(f"{path} exists; choose a new file")
        url = _url()
        seq, digest = chain.head(db.session)
        manifest = {"audit_head": f"{seq}:{digest}", "row_counts": row_counts()}
        db.session.rollback()
        if url.startswith("postgresql"):
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path), _libpq(url)])
        elif url.startswith("sqlite:///"):
            source = sqlite3.connect(_sqlite_path(url))
            target = sqlite3.connect(path)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            raise click.ClickException("backup knows PostgreSQL and SQLite only")
        Path(f"{path}.json").write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        click.echo(f"backup written to {path} (audit head {manifest['audit_head']})")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore(path: Path):
        """Restore PATH into the (empty) configured database, then verify the audit chain and row counts."""
        url = _url()
        if inspect(db.engine).get_table_names():
            raise click.ClickException("the target database is not empty; restore only into a fresh database")
        db.session.remove()
        db.engine.dispose()
        if url.startswith("postgresql"):
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", _libpq(url), str(path)])
        elif url.startswith("sqlite:///"):
            target = _sqlite_path(url)
            if target.exists():
                os.remove(target)
            shutil.copyfile(path, target)
        else:
            raise click.ClickException("restore knows PostgreSQL and SQLite only")
        manifest_path = Path(f"{path}.json")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
        _verify_or_fail(_parse_head(manifest.get("audit_head")))
        if manifest:
            counts = row_counts()
            wrong = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
            if wrong:
                raise click.ClickException(f"row counts differ from the backup: {wrong}")
            click.echo(f"row counts match the backup ({sum(counts.values())} rows in {len(counts)} tables)")
        click.echo(f"restored from {path}")


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    except FileNotFoundError as error:
        raise click.ClickException(f"{command[0]} is not installed (PostgreSQL client tools)") from error
    if result.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {result.stderr.strip()[:2000]}")
