"""Demo data of PRODUCT.md §7: refused unless demo mode is on."""

import random
import uuid
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from portal.admin.models import Region, School
from portal.auth import roles
from portal.auth.models import User
from portal.auth.passwords import DEMO_PASSWORD, hash_password
from portal.auth.two_factor import DEMO_TOTP_SECRET
from portal.cases.models import CaseMember, CaseNote, ConfidentialNote, SupportCase
from portal.clock import now
from portal.concerns.deadlines import ack_deadline
from portal.concerns.models import Concern, ConcernAddendum, ConcernCategory
from portal.extensions import db
from portal.notifications.models import Notification
from portal.plans.models import Goal, Measure, MeasureLog, Plan, PlanEditor, Review, ReviewGoal
from portal.students.iin import make as make_iin
from portal.students.models import Guardian, Student
from portal.students.queries import search_key


class DemoRefused(RuntimeError):
    pass


SCHOOLS = [
    ("school1", "astana", "Мектеп-лицей № 1 (демо)", "Есіл ауданы"),
    ("school2", "astana", "Жалпы білім беретін мектеп № 2 (демо)", "Алматы ауданы"),
    ("school3", "akmola", "Общеобразовательная школа № 3 (демо)", "Целиноградский район"),
]
CLASSES = ["5А", "6Б", "7Б", "8А", "9В"]
BOY_NAMES = ["Алихан", "Нурислам", "Арман", "Данияр", "Ерасыл", "Тимур", "Санжар", "Максим", "Артём", "Ильяс",
             "Бекзат", "Айбек", "Даниил", "Мирас", "Руслан"]
GIRL_NAMES = ["Айым", "Аружан", "Медина", "Томирис", "Амина", "Дана", "Алина", "Софья", "Жасмин", "Камила",
              "Аяла", "Мадина", "Виктория", "Асель", "Зарина"]
SURNAMES = [("Ахметов", "Ахметова"), ("Сейткали", "Сейткали"), ("Жумабаев", "Жумабаева"), ("Иванов", "Иванова"),
            ("Нурланов", "Нурланова"), ("Касымов", "Касымова"), ("Омаров", "Омарова"), ("Петров", "Петрова"),
            ("Бекмуханов", "Бекмуханова"), ("Серикбаев", "Серикбаева"), ("Тулегенов", "Тулегенова"),
            ("Ким", "Ким"), ("Абдрахманов", "Абдрахманова"), ("Смагулов", "Смагулова")]
FATHER_NAMES = ["Ерлан", "Бауыржан", "Сергей", "Марат", "Асхат", "Дмитрий", "Нурлан", "Канат"]
STAFF = [
    ("teacher", roles.TEACHER, "7Б", "Гульнара Сапарова"),
    ("teacher2", roles.TEACHER, "8А", "Ольга Михайлова"),
    ("teacher3", roles.TEACHER, "5А", "Ержан Толеубаев"),
    ("teacher4", roles.TEACHER, None, "Динара Абенова"),
    ("psychologist", roles.PSYCHOLOGIST, None, "Айгерим Нурпеисова"),
    ("admin", roles.SCHOOL_ADMIN, None, "Серик Жаксылыков"),
]


def _patronymic(father: str, sex: str) -> str:
    return f"{father}{'ович' if sex == 'M' else 'овна'}"


def load() -> dict:
    """Create the demo schools, accounts and students; refuse outside demo mode or on a non-empty database."""
    if not current_app.config.get("DEMO_MODE"):
        raise DemoRefused("Demo data is refused unless demo mode is on (PORTAL_DEMO=1).")
    if db.session.scalar(select(func.count()).select_from(User)):
        raise DemoRefused("The database already has accounts; demo data is loaded only into an empty database.")
    # repeatable invented demo data; nothing secret comes from it
    rng = random.Random(2026)  # nosec B311
    password_hash = hash_password(DEMO_PASSWORD)
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    counts = {"schools": 0, "users": 0, "students": 0}

    two_factor_roles = current_app.config.get("TWO_FACTOR_ROLES", ())
    enrolled_at = now()

    def user(email, role, name, **extra):
        if role in two_factor_roles:  # enrolled already, with the published demo secret (PRODUCT.md §7)
            extra.update(totp_secret=DEMO_TOTP_SECRET, totp_enrolled_at=enrolled_at)
        db.session.add(User(email=email, full_name=name, role=role, password_hash=password_hash, is_demo=True,
                            active=True, **extra))
        counts["users"] += 1

    serial = 1
    for key, region_code, name, district in SCHOOLS:
        school = School(name=name, region=regions[region_code], district=district, is_active=True)
        db.session.add(school)
        db.session.flush()
        counts["schools"] += 1
        for local, role, class_name, full_name in STAFF:
            user(f"{local}@{key}.demo", role, full_name, school_id=school.id, class_name=class_name)
        for class_name in CLASSES:
            grade = int(class_name[:-1])
            for _ in range(7):
                sex = rng.choice("MF")
                given = rng.choice(BOY_NAMES if sex == "M" else GIRL_NAMES)
                family = rng.choice(SURNAMES)
                surname = family[0 if sex == "M" else 1]
                father = rng.choice(FATHER_NAMES)
                patronymic = _patronymic(father, sex)
                born = date(2026 - grade - 7, rng.randint(1, 12), rng.randint(1, 28))
                iin = None
                while iin is None:
                    iin = make_iin(born, sex, serial)
                    serial += 1
                student = Student(
                    school_id=school.id, class_name=class_name, surname=surname, given_name=given,
                    patronymic=patronymic, birth_date=born, sex=sex, iin=iin, status="active",
                    search_name=search_key(surname, given, patronymic),
                )
                phone = f"+7 701 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                student.guardians.append(Guardian(full_name=f"{father} {family[0]}", relation="father", phone=phone))
                db.session.add(student)
                counts["students"] += 1
    db.session.flush()
    for _key, _region, name, _district in SCHOOLS:
        counts["concerns"] = counts.get("concerns", 0) + _concerns_for(name, rng)
        counts["cases"] = counts.get("cases", 0) + _cases_for(name)
    user("reviewer@astana.demo", roles.REGIONAL_REVIEWER, "Жанар Ибраева", region_id=regions["astana"].id)
    user("reviewer@akmola.demo", roles.REGIONAL_REVIEWER, "Андрей Козлов", region_id=regions["akmola"].id)
    user("sysadmin@portal.demo", roles.SYSADMIN, "Тимур Сисадминов")
    db.session.flush()
    from portal.demo import escalations

    for _key, _region, name, _district in SCHOOLS:
        counts["escalations"] = counts.get("escalations", 0) + escalations.load(name)
    return counts


# (reporter, hours ago, categories, severity, danger, state, extra) — every state of PRODUCT.md §4.1
CONCERN_SCRIPT = [
    ("teacher", 5, ["physical_violence"], "high", True, "submitted", {}),            # urgent, overdue
    ("teacher2", 1, ["self_harm"], "high", False, "submitted", {}),                  # urgent, due soon
    ("teacher3", 24 * 6, ["absence"], "medium", False, "submitted", {}),             # overdue (2 school days)
    ("teacher", 3, ["learning"], "low", False, "submitted", {}),                     # fresh
    ("teacher2", 48, ["bullying"], "medium", False, "acknowledged", {}),
    ("teacher", 24 * 9, ["difficult_situation"], "medium", False, "monitoring", {}),
    ("teacher3", 24 * 12, ["substance_use"], "high", False, "referred", {}),
    ("teacher", 24 * 20, ["psychological_violence", "bullying"], "high", False, "case", {}),
    ("teacher2", 24 * 15, ["other"], "low", False, "closed", {}),
    ("teacher3", 30, ["psychological_violence"], "medium", False, "submitted", {"involves": "teacher4"}),
]


def _concerns_for(school_name: str, rng: random.Random) -> int:
    """Concerns in every state for one school, plus a pattern (3 concerns, 2 reporters) about one student."""
    school = db.session.scalar(select(School).where(School.name == school_name))
    staff = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.school_id == school.id))}
    students = db.session.scalars(select(Student).where(Student.school_id == school.id).order_by(Student.id)).all()
    own_class = [s for s in students if s.class_name == "7Б"]
    others = [s for s in students if s.class_name != "7Б"]
    psychologist = staff["psychologist"]
    current = now()
    made = 0
    for index, (reporter, hours, categories, severity, danger, state, extra) in enumerate(CONCERN_SCRIPT):
        student = own_class[index % len(own_class)] if reporter == "teacher" else others[index % len(others)]
        made += _concern(school, student, staff[reporter], current - timedelta(hours=hours), categories, severity,
                         danger, state, psychologist, staff.get(extra.get("involves")), rng)
    pattern_student = others[-1]
    for reporter, days in (("teacher2", 2), ("teacher3", 9), ("teacher2", 20)):
        made += _concern(school, pattern_student, staff[reporter], current - timedelta(days=days), ["absence"],
                         "medium", False, "acknowledged", psychologist, None, rng)
    return made


def _concern(school, student, reporter, created_at, categories, severity, danger, state, triager, involved, rng):
    urgent = danger or bool({"physical_violence", "psychological_violence", "sexual_violence", "self_harm"} & set(categories))
    concern = Concern(
        school_id=school.id, student_id=student.id, reporter_id=reporter.id, submission_token=str(uuid.UUID(int=rng.getrandbits(128))),
        severity=severity, immediate_danger=danger, urgent=urgent, occurred_at=created_at - timedelta(hours=2),
        location=rng.choice(["Школьный двор", "Сынып", "Столовая", "Коридор 2 этажа"]),
        facts="Демонстрационная запись: ученик выглядел подавленным, на вопросы отвечал односложно.",
        child_words="«Мне не хочется идти домой»." if "physical_violence" in categories else None,
        witnesses="Дежурный учитель", immediate_action="Поговорила с учеником, сообщила психологу.",
        involves_staff=involved is not None, involved_staff_id=involved.id if involved else None,
        created_at=created_at, ack_due_at=ack_deadline(created_at, urgent), status="submitted",
    )
    concern.categories = [ConcernCategory(category=c) for c in sorted(set(categories))]
    db.session.add(concern)
    if state != "submitted":
        concern.status = "acknowledged"
        concern.acknowledged_at = created_at + timedelta(hours=1)
        concern.acknowledged_by_id = triager.id
    if state in ("monitoring", "referred", "case", "closed"):
        concern.status = state
        concern.risk_level = {"monitoring": "medium", "referred": "high", "case": "high", "closed": "low"}[state]
        concern.risk_rationale = "Демонстрационное обоснование уровня риска."
        concern.decided_at = created_at + timedelta(hours=3)
        concern.decided_by_id = triager.id
        if state == "monitoring":
            concern.monitor_until = (created_at + timedelta(days=30)).date()
        if state == "referred":
            concern.referral_to = "health"
            concern.outcome_note = "Направлен к участковому педиатру."
        if state == "closed":
            concern.outcome_note = "Ситуация разрешилась, дополнительных мер не требуется."
        if state == "case":
            case = SupportCase(school_id=school.id, student_id=student.id, grounds="difficult_situation,violence",
                               risk_level="high", lead_id=triager.id, status="open",
                               created_at=concern.decided_at, created_by_id=triager.id)
            db.session.add(case)
            db.session.flush()
            concern.case_id = case.id
    db.session.flush()
    if state == "acknowledged":
        db.session.add(ConcernAddendum(concern_id=concern.id, author_id=reporter.id, reason="Уточнение времени",
                                       text="Событие произошло на перемене после третьего урока.",
                                       created_at=created_at + timedelta(minutes=30)))
    if urgent and state == "submitted":
        # a concern about a member of staff goes to the administrators only
        told = db.session.scalars(select(User.id).where(
            User.school_id == school.id, User.role == "school_admin")).all() if involved else [triager.id]
        for user_id in told:
            db.session.add(Notification(user_id=user_id, kind="concern.urgent", link=f"/concerns/{concern.id}",
                                        created_at=created_at))
    return 1


def _cases_for(school_name: str) -> int:
    """Cases and plans in every state (PRODUCT.md §4.2) for one school."""
    school = db.session.scalar(select(School).where(School.name == school_name))
    staff = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.school_id == school.id))}
    psych, admin, teacher = staff["psychologist"], staff["admin"], staff["teacher"]
    current = now()
    today = current.date()
    taken = set(db.session.scalars(select(SupportCase.student_id).where(SupportCase.school_id == school.id)))
    pool = [s for s in db.session.scalars(select(Student).where(Student.school_id == school.id).order_by(Student.id.desc()))
            if s.id not in taken]
    existing = db.session.scalar(select(SupportCase).where(SupportCase.school_id == school.id))

    def new_case(student, grounds, risk, days_ago):
        case = SupportCase(school_id=school.id, student_id=student.id, grounds=grounds, risk_level=risk,
                           lead_id=psych.id, status="open", created_at=current - timedelta(days=days_ago),
                           created_by_id=psych.id)
        db.session.add(case)
        db.session.flush()
        return case

    def plan(case, number, status, days_ago, *, author=psych, review_in_days=42, comment=None):
        made = Plan(case_id=case.id, version_no=number, status=status, author_id=author.id,
                    created_at=current - timedelta(days=days_ago), updated_at=current - timedelta(days=days_ago),
                    updated_by_id=author.id, strengths="Любит рисовать, ответственно относится к поручениям.",
                    needs="Поддержка в общении со сверстниками; регулярное посещение занятий.",
                    guardian_involvement="Мать приходит на встречи раз в две недели.",
                    next_review_date=today + timedelta(days=review_in_days), return_comment=comment)
        if status in ("submitted", "approved", "returned", "superseded"):
            made.submitted_at = made.created_at + timedelta(days=1)
        if status in ("approved", "returned", "superseded"):
            made.decided_at = made.created_at + timedelta(days=2)
            made.decided_by_id = admin.id
        made.goals = [
            Goal(what="Посещать занятия без пропусков", indicator="Пропуски без уважительной причины в месяц",
                 baseline="6", target="0", target_date=today + timedelta(days=60)),
            Goal(what="Снизить конфликтность", indicator="Конфликты, отмеченные классным руководителем",
                 baseline="4 в месяц", target="не более 1", target_date=today + timedelta(days=90)),
        ]
        made.measures = [
            Measure(type="counselling", description="Индивидуальные консультации психолога", responsible_id=psych.id,
                    frequency="раз в неделю", start_date=today - timedelta(days=20), end_date=today + timedelta(days=60)),
            Measure(type="academic_support", description="Дополнительные занятия по математике",
                    responsible_id=teacher.id, frequency="два раза в неделю", start_date=today - timedelta(days=20),
                    end_date=today + timedelta(days=60)),
            Measure(type="parent_meeting", description="Встреча с матерью", responsible_id=teacher.id,
                    frequency="раз в две недели", start_date=today - timedelta(days=20), end_date=today + timedelta(days=60)),
        ]
        made.editors = [PlanEditor(user_id=author.id)]
        db.session.add(made)
        db.session.flush()
        return made

    # 1. the case opened from a concern: council decided, plan approved, work logged, a review held, review overdue
    if existing is not None:
        existing.council_date = today - timedelta(days=18)
        existing.council_protocol = "СП-7"
        approved = plan(existing, 1, "approved", 17, review_in_days=-3)
        existing.status = "active"
        existing.next_review_date = today - timedelta(days=3)
        db.session.add(CaseMember(case_id=existing.id, user_id=teacher.id, team_role="class_teacher", added_at=current))
        for measure in approved.measures[:2]:
            for days in (14, 7):
                db.session.add(MeasureLog(measure_id=measure.id, done_on=today - timedelta(days=days),
                                          note="Занятие проведено.", attended=days == 14, author_id=measure.responsible_id,
                                          created_at=current - timedelta(days=days)))
        db.session.add(CaseNote(case_id=existing.id, author_id=teacher.id, text="Посещаемость улучшилась за последние две недели.",
                                created_at=current - timedelta(days=5)))
        db.session.add(ConfidentialNote(case_id=existing.id, author_id=psych.id,
                                        text="Конфиденциально (демо): ребёнок рассказал о конфликте дома.",
                                        created_at=current - timedelta(days=6)))
    made = 1 if existing is not None else 0
    # 2. open case, draft plan, no council decision yet
    case = new_case(pool[0], "learning,absence", "medium", 6)
    plan(case, 1, "draft", 5)
    # 3. plan submitted and waiting for approval (council recorded)
    case = new_case(pool[1], "antisocial", "medium", 12)
    case.council_date, case.council_protocol = today - timedelta(days=4), "СП-9"
    plan(case, 1, "submitted", 3)
    # 4. plan returned for revision
    case = new_case(pool[2], "difficult_situation", "high", 15)
    case.council_date, case.council_protocol = today - timedelta(days=10), "СП-8"
    plan(case, 1, "returned", 9, comment="Уточните целевые показатели и сроки.")
    # 5. approved plan in force, and a new version being written
    case = new_case(pool[3], "offence", "high", 60)
    case.council_date, case.council_protocol = today - timedelta(days=58), "СП-3"
    in_force = plan(case, 1, "approved", 57, review_in_days=-32)
    review = Review(case_id=case.id, plan_id=in_force.id, held_on=today - timedelta(days=37), decision="revise",
                    rationale="Первая цель достигнута частично; нужна новая редакция плана.", author_id=psych.id,
                    created_at=current - timedelta(days=37))
    review.goals = [ReviewGoal(goal_id=in_force.goals[0].id, progress="progressing"),
                    ReviewGoal(goal_id=in_force.goals[1].id, progress="not_achieved")]
    db.session.add(review)
    plan(case, 2, "draft", 1)
    case.status, case.next_review_date = "active", today + timedelta(days=5)
    # 6. closed case
    case = new_case(pool[4], "absence", "low", 120)
    case.council_date, case.council_protocol = today - timedelta(days=118), "СП-1"
    plan(case, 1, "approved", 117, review_in_days=-70)
    case.status, case.closed_at, case.close_outcome = "closed", current - timedelta(days=20), "goals_achieved"
    case.close_reason = "Цели достигнуты, пропусков нет два месяца."
    return made + 5
