"""Fixtures for the plan tests: browsers that speak English, and a second administrator of school 1."""

import pytest
from sqlalchemy import select

from portal.auth import roles
from portal.auth.models import User
from portal.auth.passwords import DEMO_PASSWORD, hash_password
from portal.extensions import db
from tests.conftest import in_app
from tests.plans.helpers import ADMIN, ADMIN2


@pytest.fixture
def as_user(login_as):
    def _as(email, language="en"):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        return b

    return _as


@pytest.fixture
def second_admin():
    """Another school_admin of school 1 (the demo has one per school): the approver who wrote nothing."""
    with in_app():
        first = db.session.scalar(select(User).where(User.email == ADMIN))
        db.session.add(User(email=ADMIN2, full_name="Алия Жумабекова", role=roles.SCHOOL_ADMIN,
                            school_id=first.school_id, password_hash=hash_password(DEMO_PASSWORD), active=True,
                            is_demo=True))
        db.session.commit()
    return ADMIN2
