"""Demo data of PRODUCT.md §7: refused unless demo mode is on."""

import random
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from portal.admin.models import Region, School
from portal.auth import roles
from portal.auth.models import User
from portal.auth.passwords import DEMO_PASSWORD, hash_password
from portal.extensions import db
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
    user("reviewer@astana.demo", roles.REGIONAL_REVIEWER, "Жанар Ибраева", region_id=regions["astana"].id)
    user("reviewer@akmola.demo", roles.REGIONAL_REVIEWER, "Андрей Козлов", region_id=regions["akmola"].id)
    user("sysadmin@portal.demo", roles.SYSADMIN, "Тимур Сисадминов")
    db.session.flush()
    return counts
