"""Import every capability's models so the metadata is complete (Alembic, tests)."""

from portal.admin.models import Region, School  # noqa: F401
from portal.audit.models import AuditChainHead, AuditEvent  # noqa: F401
from portal.auth.models import LoginThrottle, User, UserSession  # noqa: F401
from portal.cases.models import CaseMember, CaseNote, ConfidentialNote, SupportCase  # noqa: F401
from portal.concerns.models import Concern, ConcernAddendum, ConcernCategory  # noqa: F401
from portal.escalations.models import Escalation, EscalationEvent, EscalationMeasure, EscalationSnapshot  # noqa: F401
from portal.notifications.models import Notification  # noqa: F401
from portal.plans.models import Goal, Measure, MeasureLog, Plan, PlanEditor, Review, ReviewGoal  # noqa: F401
from portal.students.models import Guardian, Student  # noqa: F401
