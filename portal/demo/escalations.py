"""Demo escalations in every state (PRODUCT.md §4.3), for each school, decided by its region's reviewer."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal.admin.models import School
from portal.auth import roles
from portal.auth.models import User
from portal.cases.models import SupportCase
from portal.clock import now
from portal.escalations.models import Escalation, EscalationEvent, EscalationMeasure, EscalationSnapshot
from portal.escalations.services import build_snapshot, due_at
from portal.extensions import db
from portal.students.models import Student

SUMMARY = ("Несмотря на индивидуальный план, ситуация в семье не улучшается: ребёнок рассказал классному "
           "руководителю о насилии дома. Школа не может обеспечить защиту своими силами.")
MEASURES_TRIED = "— Индивидуальные консультации психолога, раз в неделю (6 встреч)\n— Встречи с матерью (2 из 4)"

# (state, urgency, requested, days since first submission, extra)
SCRIPT = [
    ("draft", "standard", "psych_centre", None, {}),
    ("submitted", "standard", "social_services,guardianship", 1, {}),
    ("submitted", "urgent", "help_room,juvenile_police", 2, {}),  # urgent and overdue
    ("in_review", "standard", "psych_centre,health", 3, {}),
    ("in_review", "standard", "guardianship", 9, {"resubmitted": True}),  # two snapshots
    ("returned", "standard", "social_services", 6, {}),
    ("accepted", "urgent", "help_room,psych_centre", 12, {"interview": True}),
    ("declined", "standard", "other", 20, {}),
    ("closed", "standard", "social_services,psych_centre", 40, {}),
]


def load(school_name: str) -> int:
    school = db.session.scalar(select(School).where(School.name == school_name))
    staff = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.school_id == school.id))}
    psych, admin = staff["psychologist"], staff["admin"]
    reviewer = db.session.scalar(select(User).where(User.role == roles.REGIONAL_REVIEWER,
                                                    User.region_id == school.region_id))
    taken = set(db.session.scalars(select(SupportCase.student_id).where(SupportCase.school_id == school.id)))
    pool = [s for s in db.session.scalars(select(Student).where(Student.school_id == school.id).order_by(Student.id))
            if s.id not in taken]
    current = now()
    made = 0
    with current_app.test_request_context():
        for index, (state, urgency, requested, days, extra) in enumerate(SCRIPT):
            student = pool[index]
            case = SupportCase(school_id=school.id, student_id=student.id, grounds="violence,difficult_situation",
                               risk_level="high", lead_id=psych.id, status="active",
                               created_at=current - timedelta(days=(days or 0) + 30), created_by_id=psych.id,
                               council_date=(current - timedelta(days=(days or 0) + 25)).date(),
                               council_protocol=f"СП-{20 + index}")
            db.session.add(case)
            db.session.flush()
            created = current - timedelta(days=(days or 0) + 1)
            escalation = Escalation(
                case_id=case.id, school_id=school.id, region_id=school.region_id, student_id=student.id,
                status="draft", urgency=urgency, requested=requested,
                requested_other="Консультация юриста по защите прав ребёнка" if "other" in requested else None,
                summary=SUMMARY, measures_tried=MEASURES_TRIED, chronology_keys=f"case:{case.id},council:{case.id}",
                created_at=created, created_by_id=psych.id,
            )
            db.session.add(escalation)
            db.session.flush()
            events = [("created", psych, created, None, None, None)]
            if state != "draft":
                first = current - timedelta(days=days)
                if state == "submitted" and urgency == "urgent":
                    first = current - timedelta(hours=30)
                _snapshot(escalation, admin, first, 1)
                escalation.first_submitted_at = escalation.submitted_at = first
                escalation.due_at = due_at(first, urgency)
                events.append(("submitted", admin, first, None, None, None))
                if extra.get("resubmitted"):
                    returned_at = first + timedelta(days=1)
                    events.append(("claimed", reviewer, first + timedelta(hours=3), None, None, None))
                    events.append(("returned", reviewer, returned_at, "Приложите заключение психолога и данные о посещаемости.",
                                   None, int((returned_at - first).total_seconds() // 60)))
                    escalation.answer = "Заключение психолога приложено; пропуски за месяц: 9 дней."
                    escalation.summary = SUMMARY + " Пропуски за месяц: 9 дней."
                    again = first + timedelta(days=2)
                    _snapshot(escalation, admin, again, 2)
                    escalation.submitted_at = again
                    escalation.due_at = due_at(again, urgency)
                    events.append(("resubmitted", admin, again, escalation.answer, None, None))
                if state in ("in_review", "accepted", "returned", "declined", "closed"):
                    claimed = escalation.submitted_at + timedelta(hours=2)
                    escalation.claimed_by_id, escalation.claimed_at = reviewer.id, claimed
                    events.append(("claimed", reviewer, claimed, None, None, None))
                if state in ("accepted", "returned", "declined", "closed"):
                    decided = escalation.submitted_at + timedelta(hours=20)
                    waited = int((decided - escalation.submitted_at).total_seconds() // 60)
                    escalation.decided_by_id, escalation.decided_at = reviewer.id, decided
                    action = {"returned": "returned", "declined": "declined"}.get(state, "accepted")
                    comment = {
                        "returned": "Уточните, проводилась ли встреча с отцом, и приложите характеристику.",
                        "declined": "Запрошенная мера не входит в компетенцию управления; обратитесь в отдел образования.",
                    }.get(state)
                    if action == "accepted":
                        measures = [("Кабинет помощи детям, пострадавшим от насилия", "Ахметова Г. К.", 7),
                                    ("Центр психологической поддержки", "Сейтқали А. Б.", 21)]
                        for organisation, person, in_days in measures:
                            db.session.add(EscalationMeasure(escalation_id=escalation.id, organisation=organisation,
                                                             responsible=person, deadline=(decided + timedelta(days=in_days)).date()))
                        comment = "\n".join(f"{o} — {p}" for o, p, _d in measures)
                    else:
                        escalation.decision_comment = comment
                    events.append((action, reviewer, decided, comment, None, waited))
                if extra.get("interview"):
                    appointment = (escalation.decided_at + timedelta(days=2)).date()
                    escalation.helproom_appointment_on = appointment
                    escalation.helproom_interview_on = appointment
                    events.append(("helproom_appointment", reviewer, escalation.decided_at, None, appointment, None))
                    events.append(("helproom_interview", reviewer, escalation.decided_at + timedelta(days=2), None,
                                   appointment, None))
                if state == "closed":
                    escalation.feedback = "Меры реализованы: проведены 5 консультаций, семья поставлена на учёт."
                    escalation.closed_at = escalation.decided_at + timedelta(days=15)
                    events.append(("closed", reviewer, escalation.closed_at, escalation.feedback, None, None))
            escalation.status = state
            for action, actor, at, comment, on_date, waited in events:
                db.session.add(EscalationEvent(escalation_id=escalation.id, at=at, actor_id=actor.id, action=action,
                                               comment=comment, on_date=on_date, waited_minutes=waited))
            made += 1
    db.session.flush()
    return made


def _snapshot(escalation: Escalation, admin: User, at, number: int) -> None:
    db.session.flush()
    db.session.refresh(escalation)
    db.session.add(EscalationSnapshot(escalation_id=escalation.id, number=number, created_at=at,
                                      submitted_by_id=admin.id, content=build_snapshot(escalation, admin)))
