"""Demo objects of school 1 in a given workflow state, and a row count of every stored table.

Shared by the form fuzzer and the concurrency tests; the id-finding of the access matrix (`_objects`) covers the
"own / other school / other region" axis, this covers the state axis (a draft plan, a submitted one, ...).
"""

from sqlalchemy import func, select

from portal.extensions import db
from tests.conftest import in_app

SCHOOL1 = "№ 1 "

# Rows that legitimately appear on a refused request: the audit trail (denials are audited), notifications,
# session rows and login throttling. Everything else must stay put when the answer is 4xx.
NOT_COUNTED_PREFIXES = ("audit_",)
NOT_COUNTED = {"notifications", "user_sessions"}


def counted_tables() -> list:
    import portal.models  # noqa: F401 - every capability's tables in the metadata

    return [
        t for t in db.metadata.sorted_tables
        if t.name not in NOT_COUNTED and not t.name.startswith(NOT_COUNTED_PREFIXES) and "throttle" not in t.name
    ]


def row_counts() -> dict[str, int]:
    """Rows per counted table, in one round trip."""
    tables = counted_tables()
    query = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))
    with in_app():
        row = db.session.execute(query).one()
        db.session.rollback()
    return dict(row._mapping)


def plan_in_state(status: str) -> dict:
    """A plan of school 1 in `status` (demo plans are written by the psychologist): case, plan, goal, measure ids."""
    from portal.admin.models import School
    from portal.cases.models import SupportCase
    from portal.plans.models import Plan

    with in_app():
        plan = db.session.scalar(
            select(Plan).join(SupportCase, SupportCase.id == Plan.case_id).join(School, School.id == SupportCase.school_id)
            .where(School.name.contains(SCHOOL1), Plan.status == status).order_by(Plan.id)
        )
        assert plan is not None, f"no {status} plan in the demo data of school 1"
        return {"case_id": plan.case_id, "plan_id": plan.id, "goal_id": plan.goals[0].id,
                "measure_id": plan.measures[0].id, "lock_version": plan.lock_version}


def case_in_state(status: str, *, without_escalation: bool = False) -> dict:
    """A case of school 1 in `status` (open / active / closed): its id and version."""
    from portal.admin.models import School
    from portal.cases.models import SupportCase
    from portal.escalations.models import Escalation

    query = (
        select(SupportCase).join(School, School.id == SupportCase.school_id)
        .where(School.name.contains(SCHOOL1), SupportCase.status == status).order_by(SupportCase.id)
    )
    if without_escalation:
        query = query.where(~select(Escalation.id).where(Escalation.case_id == SupportCase.id).exists())
    with in_app():
        case = db.session.scalar(query)
        assert case is not None, f"no {status} case in the demo data of school 1"
        return {"case_id": case.id, "version": case.version}
