"""A realistic region for the benchmark, deterministic from a seed.

    python -m bench.generate --scale 1 --seed 2026 --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Scale 1 is one region of 400 schools with 200,000 students, 20,000 concerns, 8,000 support cases (plans with
goals, measures, logged work and reviews), 100,000 chronology events and notes, 1,500 escalations and 12,000
staff accounts; other scales multiply every figure (schools included), so a school looks the same at every
scale and only the region grows. The database must be migrated and empty. On PostgreSQL rows go in with COPY;
on SQLite (small scales, the test suite) with executemany. Nothing here writes to the audit log: the data is
what years of use would leave, not a replay of that use.
"""

import argparse
import base64
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from portal import models  # noqa: F401 - every table on the metadata
from portal.admin.models import Region
from portal.auth import roles
from portal.auth.models import User
from portal.db import Base
from portal.demo import BOY_NAMES, FATHER_NAMES, GIRL_NAMES, SURNAMES
from portal.students.iin import make as make_iin
from portal.students.queries import search_key

# Scale 1 (issue 7): totals for the whole region.
TOTALS = {
    "schools": 400,
    "students": 200_000,
    "concerns": 20_000,
    "cases": 8_000,
    "chronology": 100_000,  # case notes, confidential notes, logged work, addenda, escalation events
    "escalations": 1_500,
    "staff": 12_000,
    "audit": 300_000,  # reads of children's records and sign-ins: what a few months of use leave in the log
}
# invented accounts of a generated benchmark database
BENCH_PASSWORD = "bench-portal-2026"  # nosec B105
DEFAULT_SEED = 2026
DEFAULT_ANCHOR = datetime(2026, 11, 16, 6, 0)  # a Monday morning in Astana (UTC): "now" of the generated data
DEFAULT_REGION = "astana"
GENERATOR_VERSION = 3


class Refused(RuntimeError):
    pass


def totals(scale: float) -> dict:
    if not 0 < scale <= 10:
        raise Refused("scale must be above 0 and at most 10")
    counts = {name: max(1, round(value * scale)) for name, value in TOTALS.items()}
    counts["escalations"] = min(counts["escalations"], counts["cases"])
    counts["staff"] = max(counts["staff"], 6 * counts["schools"])  # every school has its core staff
    return counts


def spread(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, exactly (largest remainder)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class SchoolPlan:
    id: int
    staff: dict = field(default_factory=dict)  # role -> [user ids]
    class_teacher: dict = field(default_factory=dict)  # class -> user id
    students: list = field(default_factory=list)  # (id, class)


class Tables:
    """Rows per table, in insertion order (parents first), with ids handed out here."""

    ORDER = ["schools", "users", "students", "guardians", "support_cases", "case_members", "concerns",
             "concern_categories", "concern_addenda", "plans", "plan_editors", "plan_goals", "plan_measures",
             "measure_logs", "plan_reviews", "plan_review_goals", "case_notes", "confidential_notes", "escalations",
             "escalation_snapshots", "escalation_measures", "escalation_events", "notifications", "audit_events"]

    def __init__(self):
        self.rows = {name: [] for name in self.ORDER}
        self.next_id = {name: 1 for name in self.ORDER}
        self.audit_head = None  # (seq, hash) of the last generated audit event

    def add(self, table: str, **row) -> int | None:
        if "id" in Base.metadata.tables[table].c and "id" not in row:
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.rows[table].append(row)
        return row.get("id")

    def chronology_count(self) -> int:
        return sum(len(self.rows[t]) for t in ("case_notes", "confidential_notes", "measure_logs", "concern_addenda",
                                               "escalation_events"))


NOTE_TEXTS = ["Беседа с классным руководителем: посещаемость улучшилась.", "Мама пришла на встречу, договорились о "
              "контроле выполнения домашних заданий.", "Ученик жалуется на конфликты в классе, наблюдаем.",
              "Консультация проведена, ребёнок открыт к общению.", "Пропуски без уважительной причины: 2 за неделю."]
CONFIDENTIAL_TEXTS = ["Ребёнок рассказал о напряжённой обстановке дома; оценка риска не изменилась.",
                      "Признаки тревожности, рекомендована консультация специалиста."]
FACTS = ["Ребёнок пришёл с синяком на руке, объяснить происхождение отказался.", "Систематически не выполняет "
         "домашние задания, на уроках безучастен.", "Одноклассники отбирают вещи и снимают на телефон.",
         "Пропустил 9 дней за месяц без уважительной причины.", "Резкое изменение поведения, замкнутость, слёзы."]
CATEGORIES = ["physical_violence", "psychological_violence", "neglect", "bullying", "absence", "learning",
              "antisocial", "offence", "difficult_situation", "self_harm", "substance_use", "other"]
GROUNDS = ["learning", "absence", "antisocial", "offence", "violence", "difficult_situation"]
MEASURE_TYPES = ["counselling", "group_session", "academic_support", "parent_meeting", "home_visit",
                 "specialist_referral", "extracurricular", "mentoring", "anti_bullying"]
REQUESTS = ["help_room", "social_services", "guardianship", "juvenile_police", "psych_centre", "health"]
CLASS_LETTERS = "АБВГД"


def build(scale: float, seed: int = DEFAULT_SEED, region_id: int = 1, other_region_id: int | None = None,
          password_hash: str | None = None, anchor: datetime = DEFAULT_ANCHOR) -> Tables:
    """Every row of the dataset, in memory. Deterministic: the same arguments give the same rows."""
    # invented data, nothing secret comes from it
    rng = random.Random(seed)  # nosec B311
    counts = totals(scale)
    t = Tables()
    n_schools = counts["schools"]
    weights = [rng.uniform(0.5, 1.5) for _ in range(n_schools)]
    per_school = {name: spread(counts[name], weights) for name in ("students", "concerns", "cases", "escalations")}
    extra_staff = spread(counts["staff"] - 6 * n_schools, weights)
    today = anchor.date()
    iin_serial = 0
    iins = set()

    def at(days_ago_max: int, days_ago_min: int = 0) -> datetime:
        return anchor - timedelta(days=rng.uniform(days_ago_min, days_ago_max))

    def totp_secret() -> str:
        return base64.b32encode(rng.randbytes(20)).decode()

    schools = []
    for index in range(n_schools):
        district = f"район {index % 12 + 1}"
        school_id = t.add("schools", region_id=region_id, name=f"Школа-гимназия № {index + 1}", district=district,
                          is_active=True, created_at=anchor - timedelta(days=900), updated_at=anchor - timedelta(days=900))
        schools.append(SchoolPlan(school_id))

    def account(email, role, name, **extra):
        if role in (roles.SCHOOL_ADMIN, roles.REGIONAL_REVIEWER, roles.SYSADMIN):
            extra.update(totp_secret=totp_secret(), totp_enrolled_at=anchor - timedelta(days=200))
        return t.add("users", email=email, full_name=name, password_hash=password_hash or "!", role=role, active=True,
                     is_demo=False, class_name=extra.pop("class_name", None), locale=None,
                     created_at=anchor - timedelta(days=400), updated_at=anchor - timedelta(days=400),
                     school_id=extra.pop("school_id", None), region_id=extra.pop("region_id", None),
                     totp_secret=extra.get("totp_secret"), totp_enrolled_at=extra.get("totp_enrolled_at"),
                     totp_last_step=None)

    def person() -> str:
        sex = rng.choice("MF")
        given = rng.choice(BOY_NAMES if sex == "M" else GIRL_NAMES)
        return f"{given} {rng.choice(SURNAMES)[0 if sex == 'M' else 1]}"

    # Staff: two administrators, two psychologists, a class teacher per class, other teachers.
    for school, n_students, extra in zip(schools, per_school["students"], extra_staff, strict=True):
        n_classes = max(1, round(n_students / 25))
        classes = [f"{1 + i % 11}{CLASS_LETTERS[i // 11 % len(CLASS_LETTERS)]}" for i in range(n_classes)]
        domain = f"s{school.id}.bench.kz"
        school.staff = {roles.SCHOOL_ADMIN: [], roles.PSYCHOLOGIST: [], roles.TEACHER: []}
        for n in (1, 2):
            school.staff[roles.SCHOOL_ADMIN].append(
                account(f"admin{n}@{domain}", roles.SCHOOL_ADMIN, person(), school_id=school.id))
            school.staff[roles.PSYCHOLOGIST].append(
                account(f"psychologist{n}@{domain}", roles.PSYCHOLOGIST, person(), school_id=school.id))
        teachers = 2 + extra
        for n in range(teachers):
            class_name = classes[n] if n < len(classes) else None
            user_id = account(f"teacher{n + 1}@{domain}", roles.TEACHER, person(), school_id=school.id,
                              class_name=class_name)
            school.staff[roles.TEACHER].append(user_id)
            if class_name:
                school.class_teacher[class_name] = user_id
        # Students, one or two guardians each.
        for n in range(n_students):
            class_name = classes[n % len(classes)]
            grade = int(class_name[:-1])
            sex = rng.choice("MF")
            given = rng.choice(BOY_NAMES if sex == "M" else GIRL_NAMES)
            family = rng.choice(SURNAMES)
            surname = family[0 if sex == "M" else 1]
            father = rng.choice(FATHER_NAMES)
            patronymic = f"{father}{'ович' if sex == 'M' else 'овна'}"
            born = date(today.year - grade - 7, rng.randint(1, 12), rng.randint(1, 28))
            iin = None
            while iin is None or iin in iins:  # valid and unique, like real ones
                iin_serial += 1
                iin = make_iin(born, sex, iin_serial % 9999 + 1)
            iins.add(iin)
            left = rng.random() < 0.02
            student_id = t.add(
                "students", school_id=school.id, class_name=class_name, surname=surname, given_name=given,
                patronymic=patronymic, birth_date=born, sex=sex, iin=iin, iin_duplicate=False,
                status="left" if left else "active", left_on=today - timedelta(days=30) if left else None,
                left_reason="Переезд" if left else None, search_name=search_key(surname, given, patronymic),
                version=1, created_at=anchor - timedelta(days=700), updated_at=anchor - timedelta(days=700))
            school.students.append((student_id, class_name))
            t.add("guardians", student_id=student_id, full_name=f"{father} {family[0]}", relation="father",
                  phone=f"+7 701 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}")
            if rng.random() < 0.6:
                t.add("guardians", student_id=student_id, full_name=f"{rng.choice(GIRL_NAMES)} {family[1]}",
                      relation="mother", phone=None)

    # Regional reviewers (one more in a neighbouring region, who must see none of this) and the system administrator.
    reviewers = [account(f"reviewer{n + 1}@region.bench.kz", roles.REGIONAL_REVIEWER, person(), region_id=region_id)
                 for n in range(max(2, round(10 * scale)))]
    if other_region_id is not None:
        account("reviewer1@other.bench.kz", roles.REGIONAL_REVIEWER, person(), region_id=other_region_id)
    account("sysadmin@bench.kz", roles.SYSADMIN, person())

    chronology_target = counts["chronology"]
    case_ids_by_school = []
    concern_ids_by_school = []
    for school, n_cases, n_concerns in zip(schools, per_school["cases"], per_school["concerns"], strict=True):
        psychologists = school.staff[roles.PSYCHOLOGIST]
        admins = school.staff[roles.SCHOOL_ADMIN]
        staff = [u for ids in school.staff.values() for u in ids]
        pupils = rng.sample(school.students, min(len(school.students), max(n_cases, 1) * 2))
        cases = []
        for n in range(n_cases):
            student_id, class_name = pupils[n % len(pupils)]
            opened = at(540, 20)
            status = rng.choices(["open", "active", "closed"], [15, 60, 25])[0]
            lead = rng.choice(psychologists)
            case_id = t.add(
                "support_cases", school_id=school.id, student_id=student_id,
                grounds=",".join(rng.sample(GROUNDS, rng.randint(1, 2))), risk_level=rng.choice(["low", "medium", "high"]),
                lead_id=lead, status=status, created_at=opened, created_by_id=lead, version=1,
                council_date=(opened + timedelta(days=7)).date() if status != "open" else None,
                council_protocol=f"{rng.randint(1, 40)}" if status != "open" else None,
                next_review_date=today + timedelta(days=rng.randint(-20, 40)) if status != "closed" else None,
                closed_at=opened + timedelta(days=120) if status == "closed" else None,
                close_outcome="goals_achieved" if status == "closed" else None,
                close_reason="Цели достигнуты" if status == "closed" else None, reopened_at=None, reopen_reason=None)
            teacher = school.class_teacher.get(class_name) or school.staff[roles.TEACHER][0]
            t.add("case_members", case_id=case_id, user_id=teacher, team_role="class_teacher",
                  added_at=opened)
            cases.append((case_id, student_id, status, opened, lead, teacher))
            if status != "open":
                _plans(t, rng, case_id, status, opened, lead, teacher, rng.choice(admins), today)
        case_ids_by_school.append(cases)
        concern_ids_by_school.append([])
        # Concerns: most closed or turned into a case; a few waiting.
        for n in range(n_concerns):
            student_id, _class = rng.choice(school.students)
            reporter = staff[n] if n < len(staff) else rng.choice(staff)  # everyone has flagged someone
            created = at(365)
            urgent = rng.random() < 0.12
            status = rng.choices(["submitted", "acknowledged", "monitoring", "referred", "case", "closed"],
                                 [4, 6, 10, 5, 25, 50])[0]
            case = rng.choice(cases) if status == "case" and cases else None
            decided = status not in ("submitted", "acknowledged")
            concern_id = t.add(
                "concerns", school_id=school.id, student_id=case[1] if case else student_id,
                reporter_id=reporter, submission_token=str(uuid.UUID(int=rng.getrandbits(128))),
                severity=rng.choice(["low", "medium", "high"]), immediate_danger=urgent and rng.random() < 0.3,
                urgent=urgent, occurred_at=created - timedelta(hours=2), location="школа", facts=rng.choice(FACTS),
                child_words=None, witnesses=None, immediate_action=None, involves_staff=False, involved_staff_id=None,
                created_at=created, ack_due_at=created + (timedelta(hours=2) if urgent else timedelta(days=2)),
                status="case" if case else ("closed" if status == "case" else status), version=1,
                acknowledged_at=created + timedelta(hours=1) if status != "submitted" else None,
                acknowledged_by_id=psychologists[0] if status != "submitted" else None,
                risk_level=rng.choice(["low", "medium", "high"]) if status != "submitted" else None,
                risk_rationale="Оценка психолога" if status != "submitted" else None,
                outcome_note="Решение принято" if decided else None,
                monitor_until=today + timedelta(days=14) if status == "monitoring" else None,
                referral_to="police" if status == "referred" else None, case_id=case[0] if case else None,
                decided_at=created + timedelta(days=1) if decided else None,
                decided_by_id=psychologists[0] if decided else None)
            concern_ids_by_school[-1].append(concern_id)
            for category in rng.sample(CATEGORIES, rng.randint(1, 2)):
                t.add("concern_categories", concern_id=concern_id, category=category)
            if rng.random() < 0.15:
                t.add("concern_addenda", concern_id=concern_id, author_id=rng.choice(staff), reason="Уточнение",
                      text="Дополнение к сигналу: со слов мамы ситуация повторялась.", created_at=created + timedelta(hours=5))

    # Escalations from active cases, in every state.
    for school, cases, n_escalations in zip(schools, case_ids_by_school, per_school["escalations"], strict=True):
        candidates = [c for c in cases if c[2] == "active"] or cases
        for n in range(min(n_escalations, len(candidates))):
            case_id, student_id, _status, opened, lead, _teacher = candidates[n]
            _escalation(t, rng, school, case_id, student_id, opened, lead, region_id, anchor, rng.choice(reviewers))

    # Chronology to the target: notes and logged work spread over the cases.
    all_cases = [c for cases in case_ids_by_school for c in cases]
    while t.chronology_count() < chronology_target and all_cases:
        case_id, _student, _status, opened, lead, teacher = rng.choice(all_cases)
        roll = rng.random()
        when = opened + timedelta(days=rng.uniform(1, max(2, (anchor - opened).days)))
        if roll < 0.25:
            t.add("confidential_notes", case_id=case_id, author_id=lead, text=rng.choice(CONFIDENTIAL_TEXTS),
                  created_at=when)
        else:
            t.add("case_notes", case_id=case_id, author_id=rng.choice([lead, teacher]), text=rng.choice(NOTE_TEXTS),
                  created_at=when)

    # Notifications: a few for every account, most of them read.
    for row in t.rows["users"]:
        for n in range(3):
            created = at(60)
            t.add("notifications", user_id=row["id"], kind="concern.new", link="/concerns", created_at=created,
                  read_at=created + timedelta(hours=3) if n else None)

    _audit_log(t, rng, schools, case_ids_by_school, concern_ids_by_school, counts["audit"], anchor, region_id)
    return t


AUDITED_READS = [("student.read", "student"), ("case.read", "case"), ("concern.read", "concern"),
                 ("auth.login", None)]


def _audit_log(t, rng, schools, cases_by_school, concerns_by_school, total, anchor, region_id):
    """Chained audit events over the last 120 days, oldest first, exactly as the portal would have written them."""
    from portal.audit.chain import GENESIS, digest

    events = []
    for _n in range(total):
        index = rng.randrange(len(schools))
        school = schools[index]
        role, actors = rng.choice([(r, ids) for r, ids in school.staff.items() if ids])
        action, object_type = rng.choice(AUDITED_READS)
        object_id = None
        if object_type == "student":
            object_id = rng.choice(school.students)[0]
        elif object_type == "case" and cases_by_school[index]:
            object_id = rng.choice(cases_by_school[index])[0]
        elif object_type == "concern" and concerns_by_school[index]:
            object_id = rng.choice(concerns_by_school[index])
        if object_type and object_id is None:
            action, object_type = "auth.login", None
        events.append({
            "at": anchor - timedelta(seconds=rng.uniform(0, 120 * 86400)), "actor_id": rng.choice(actors),
            "actor_role": role, "actor_school_id": school.id, "actor_region_id": region_id,
            "session_hash": f"{rng.getrandbits(64):016x}", "ip": f"10.{index // 250}.{index % 250}.{rng.randint(2, 250)}",
            "action": action, "object_type": object_type, "object_id": object_id, "school_id": school.id,
            "outcome": "ok", "fields": None,
        })
    events.sort(key=lambda e: e["at"])
    previous = GENESIS
    for seq, values in enumerate(events, start=1):
        previous = digest(seq, values, previous)
        t.add("audit_events", **values, seq=seq, prev_hash=t.rows["audit_events"][-1]["hash"] if seq > 1 else GENESIS,
              hash=previous)
    t.audit_head = (len(events), previous)


def _plans(t, rng, case_id, status, opened, lead, teacher, admin, today):
    """One approved version (superseded by a second one for some cases), goals, measures, work logged, a review."""
    versions = 2 if rng.random() < 0.3 else 1
    for number in range(1, versions + 1):
        created = opened + timedelta(days=7 * number)
        if number < versions:
            plan_status = "superseded"
        elif status == "closed":
            plan_status = "approved"
        else:
            plan_status = rng.choices(["approved", "draft", "submitted"], [80, 10, 10])[0] if number > 1 else "approved"
        decided = plan_status in ("approved", "superseded")
        plan_id = t.add(
            "plans", case_id=case_id, version_no=number, status=plan_status, strengths="Любит рисовать, дружелюбен.",
            needs="Поддержка в учёбе, контроль посещаемости.", guardian_involvement="Мама приходит на встречи.",
            next_review_date=today + timedelta(days=rng.randint(-10, 42)), author_id=lead, created_at=created,
            updated_at=created, updated_by_id=lead, submitted_at=created + timedelta(days=1) if plan_status != "draft" else None,
            decided_at=created + timedelta(days=2) if decided else None, decided_by_id=admin if decided else None,
            return_comment=None, lock_version=1)
        t.add("plan_editors", plan_id=plan_id, user_id=lead)
        goals = []
        for g in range(2):
            goals.append(t.add("plan_goals", plan_id=plan_id, what=["Посещать занятия без пропусков",
                                                                   "Снизить конфликтность"][g],
                               indicator="Отметки классного руководителя", baseline="9 пропусков в месяц",
                               target="не более 1", target_date=today + timedelta(days=60), lock_version=1))
        for m in range(2):
            measure_id = t.add("plan_measures", plan_id=plan_id, type=rng.choice(MEASURE_TYPES),
                               description="Индивидуальные консультации", responsible_id=[lead, teacher][m],
                               frequency="раз в неделю", start_date=created.date(), end_date=today + timedelta(days=60),
                               lock_version=1)
            if decided:
                for k in range(rng.randint(1, 4)):
                    done = created.date() + timedelta(days=7 * (k + 1))
                    if done <= today:
                        t.add("measure_logs", measure_id=measure_id, done_on=done, note="Занятие проведено",
                              attended=rng.random() < 0.85, author_id=[lead, teacher][m],
                              created_at=datetime.combine(done, datetime.min.time()) + timedelta(hours=8))
        if decided and rng.random() < 0.5:
            held = created.date() + timedelta(days=42)
            if held <= today:
                review_id = t.add("plan_reviews", case_id=case_id, plan_id=plan_id, held_on=held, decision="continue",
                                  rationale="Есть положительная динамика", author_id=lead,
                                  created_at=datetime.combine(held, datetime.min.time()) + timedelta(hours=9))
                for goal_id in goals:
                    t.add("plan_review_goals", review_id=review_id, goal_id=goal_id, progress="progressing", comment=None)


ESCALATION_STATES = ["draft", "submitted", "in_review", "returned", "accepted", "declined", "closed"]


def _escalation(t, rng, school, case_id, student_id, opened, lead, region_id, anchor, reviewer):
    status = rng.choices(ESCALATION_STATES, [8, 15, 15, 8, 24, 10, 20])[0]
    urgency = "urgent" if rng.random() < 0.2 else "standard"
    admin = school.staff[roles.SCHOOL_ADMIN][0]
    created = opened + timedelta(days=rng.uniform(10, 60))
    created = min(created, anchor - timedelta(days=3))
    submitted = created + timedelta(days=1) if status != "draft" else None
    due = (submitted + (timedelta(hours=24) if urgency == "urgent" else timedelta(days=7))) if submitted else None
    decided = status in ("accepted", "declined", "closed", "returned")
    claimed = status in ("in_review", "accepted", "declined", "closed", "returned")
    escalation_id = t.add(
        "escalations", case_id=case_id, school_id=school.id, region_id=region_id, student_id=student_id, status=status,
        version=1, urgency=urgency, requested=",".join(rng.sample(REQUESTS, rng.randint(1, 2))), requested_other=None,
        summary="Несмотря на меры плана, ситуация дома не улучшилась; просим подключить службы.",
        measures_tried="Консультации психолога, встречи с родителями.", chronology_keys="", answer=None,
        created_at=created, created_by_id=lead, submitted_at=submitted, first_submitted_at=submitted, due_at=due,
        claimed_by_id=reviewer if claimed else None, claimed_at=submitted + timedelta(hours=4) if claimed else None,
        decided_by_id=reviewer if decided else None,
        decided_at=submitted + timedelta(days=3) if decided and submitted else None,
        decision_comment="Уточните, проводилась ли встреча с органом опеки." if status == "returned" else None,
        feedback="Меры выполнены." if status == "closed" else None,
        closed_at=submitted + timedelta(days=20) if status == "closed" else None,
        helproom_appointment_on=None, helproom_interview_on=None)
    events = [("created", created, lead)]
    if submitted:
        student = t.rows["students"][student_id - 1]  # ids are handed out in row order
        if student["id"] != student_id:
            raise RuntimeError("student rows out of id order")
        content = {
            "student": {"name": " ".join((student["surname"], student["given_name"], student["patronymic"])),
                        "birth_date": student["birth_date"].isoformat(), "class": student["class_name"],
                        "sex": student["sex"]},
            "school": f"Школа-гимназия № {school.id}",
            "case": {"id": case_id, "grounds": ["violence"], "risk": "high", "opened": opened.date().isoformat(),
                     "lead": "", "council_date": None, "council_protocol": None},
            "urgency": urgency, "requested": ["help_room"], "requested_other": "",
            "summary": "Несмотря на меры плана, ситуация дома не улучшилась; просим подключить службы.",
            "measures_tried": "Консультации психолога, встречи с родителями.", "plan_measures": [],
            "latest_review": None, "chronology": [], "answer": "", "submitted_by": "",
        }
        t.add("escalation_snapshots", escalation_id=escalation_id, number=1, created_at=submitted,
              submitted_by_id=admin, content=content)
        events.append(("submitted", submitted, admin))
    if claimed:
        events.append(("claimed", submitted + timedelta(hours=4), reviewer))
    if decided:
        events.append(({"closed": "accepted"}.get(status, status), submitted + timedelta(days=3), reviewer))
    if status == "closed":
        events.append(("closed", submitted + timedelta(days=20), reviewer))
    if status in ("accepted", "closed"):
        t.add("escalation_measures", escalation_id=escalation_id, organisation="Кабинет помощи",
              responsible="Специалист управления", deadline=(submitted + timedelta(days=30)).date())
    for action, when, actor in events:
        t.add("escalation_events", escalation_id=escalation_id, at=when, actor_id=actor, action=action,
              comment="Уточните, проводилась ли встреча с органом опеки." if action == "returned" else None,
              on_date=None, waited_minutes=3 * 24 * 60 if action in ("accepted", "returned", "declined") else None)


# -- loading ---------------------------------------------------------------------------------------------------

def _copy_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def write(engine: Engine, t: Tables) -> dict:
    """Insert every row; COPY on PostgreSQL, executemany elsewhere. Returns rows per table."""
    written = {}
    with engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        for name in Tables.ORDER:
            rows = t.rows[name]
            written[name] = len(rows)
            if not rows:
                continue
            table = Base.metadata.tables[name]
            columns = list(rows[0])
            if postgres:
                cursor = conn.connection.driver_connection.cursor()
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([_copy_value(row[c]) for c in columns])
                if "id" in table.c:  # table names come from Tables.ORDER, never from input
                    sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"  # nosec B608
                    conn.execute(text(sql))
            else:
                for start in range(0, len(rows), 5000):
                    conn.execute(table.insert(), rows[start:start + 5000])
        head = t.audit_head
        if head and head[0]:
            conn.execute(text("UPDATE audit_chain_head SET seq = :seq, hash = :hash WHERE id = 1"),
                         {"seq": head[0], "hash": head[1]})
        if postgres:
            conn.execute(text("ANALYZE"))
    return written


def generate(url: str, scale: float, seed: int = DEFAULT_SEED, region_code: str = DEFAULT_REGION,
             password_hash: str | None = None, anchor: datetime = DEFAULT_ANCHOR, echo=print) -> dict:
    """Fill a migrated, empty database. Returns the rows written per table."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.scalar(select(func.count()).select_from(User)):
                raise Refused("The database already has accounts; the benchmark dataset goes into an empty one.")
            region = conn.execute(select(Region.id).where(Region.code == region_code)).scalar()
            if region is None:
                raise Refused(f"unknown region code {region_code!r}")
            other = conn.execute(select(Region.id).where(Region.code != region_code).order_by(Region.id)).scalar()
        if password_hash is None:
            from argon2 import PasswordHasher

            password_hash = PasswordHasher().hash(BENCH_PASSWORD)  # the portal's production parameters
        started = time.monotonic()
        t = build(scale, seed, region, other, password_hash, anchor)
        echo(f"built {sum(len(r) for r in t.rows.values()):,} rows in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        written = write(engine, t)
        echo(f"wrote them in {time.monotonic() - started:.1f} s")
        return written
    finally:
        engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--region", default=DEFAULT_REGION, help="region code of the schools (default astana)")
    parser.add_argument("--database-url", required=True, help="a migrated, empty database")
    parser.add_argument("--migrate", action="store_true", help="run the migrations first")
    args = parser.parse_args(argv)
    if args.migrate:
        from portal import migrate

        migrate.upgrade(args.database_url)
    try:
        written = generate(args.database_url, args.scale, args.seed, args.region)
    except Refused as error:
        print(f"bench.generate: {error}", file=sys.stderr)
        return 2
    for name, count in written.items():
        print(f"{name:22} {count:>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
