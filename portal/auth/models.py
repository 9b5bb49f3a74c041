"""Accounts, server-side session rows, two-factor recovery codes and login throttling."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.admin.models import Region, School
from portal.db import Base, Timestamped


class User(UserMixin, Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # The class a teacher leads ("7Б"), normalised; None for everyone else.
    class_name: Mapped[str | None] = mapped_column(String(8))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # TOTP second factor: the base32 secret once enrolment is confirmed, and the last time step accepted, so
    # that a code is accepted once (a replayed code has a step that is not greater).
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enrolled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    school: Mapped[School | None] = relationship()
    region: Mapped[Region | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    @property
    def scope_region_id(self) -> int | None:
        """The region a user works in: their own, or their school's."""
        if self.region_id is not None:
            return self.region_id
        return self.school.region_id if self.school else None

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self) -> str:  # never print the secret or the hash
        return f"<User {self.id} {self.role}>"


class UserSession(Base):
    """One login. The cookie carries only a random token; its hash is stored here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    # None: a full login. "otp": the password was right, the second factor is still due. "enrol": the role
    # requires 2FA and the account has none yet. A pending row opens nothing but its own step and logout.
    stage: Mapped[str | None] = mapped_column(String(8))
    # A TOTP secret offered for enrolment and not yet confirmed with a code from it.
    totp_candidate: Mapped[str | None] = mapped_column(String(32))
    # Where to go once the second step is done (a same-site path).
    next_path: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship()

    @property
    def pending(self) -> bool:
        return self.stage is not None


class RecoveryCode(Base):
    """One single-use recovery code, stored as a hash; redeemed by a conditional UPDATE of used_at."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins per submitted e-mail (hashed), so unknown and real accounts behave alike."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
