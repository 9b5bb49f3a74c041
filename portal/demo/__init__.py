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
from portal.cases.models import SupportCase
from portal.clock import now
from portal.concerns.deadlines import ack_deadline
from portal.concerns.models import Concern, ConcernAddendum, ConcernCategory
from portal.extensions import db
from portal.notifications.models import Notification
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
    rng = random.Random(2026)
    password_hash = hash_password(DEMO_PASSWORD)
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    counts = {"schools": 0, "users": 0, "students": 0}

    def user(email, role, name, **extra):
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
    user("reviewer@astana.demo", roles.REGIONAL_REVIEWER, "Жанар Ибраева", region_id=regions["astana"].id)
    user("reviewer@akmola.demo", roles.REGIONAL_REVIEWER, "Андрей Козлов", region_id=regions["akmola"].id)
    user("sysadmin@portal.demo", roles.SYSADMIN, "Тимур Сисадминов")
    db.session.flush()
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
        db.session.add(Notification(user_id=triager.id, kind="concern.urgent", link=f"/concerns/{concern.id}",
                                    created_at=created_at))
    return 1
