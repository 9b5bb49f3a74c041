"""Write audit events in the caller's transaction."""

import hashlib

from flask import g, has_request_context, request
from flask_login import current_user

from portal.audit import chain
from portal.audit.models import AuditEvent
from portal.clock import now
from portal.extensions import db


def _session_hash() -> str | None:
    row = g.get("user_session") if has_request_context() else None
    if row is None:
        return None
    return hashlib.sha256(row.token_hash.encode()).hexdigest()[:16]


def record(
    action: str,
    *,
    actor=None,
    object_type: str | None = None,
    object_id: int | None = None,
    school_id: int | None = None,
    outcome: str = "ok",
    fields=None,
) -> AuditEvent:
    """Add one audit event to the current transaction (the caller commits)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if isinstance(fields, (list, tuple, set)):
        fields = ",".join(sorted(fields))
    event = AuditEvent(
        at=now(),
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else None,
        actor_school_id=actor.school_id if actor is not None else None,
        actor_region_id=actor.scope_region_id if actor is not None else None,
        session_hash=_session_hash(),
        ip=request.remote_addr if has_request_context() else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        school_id=school_id if school_id is not None else (actor.school_id if actor is not None else None),
        outcome=outcome,
        fields=(fields or None) and fields[:1000],
    )
    chain.add(db.session(), event)  # chained and inserted when the transaction commits
    return event
