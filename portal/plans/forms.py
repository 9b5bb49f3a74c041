from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.cases.models import CLOSE_OUTCOMES
from portal.clock import local_today
from portal.plans.models import MEASURE_TYPES, PROGRESS, REVIEW_DECISIONS
from portal.web.forms import SafeForm, SelectField, strip
from portal.web.i18n import lazy_gettext as _l


class PlanForm(SafeForm):
    lock_version = HiddenField(validators=[DataRequired()])
    strengths = TextAreaField(_l("Strengths"), validators=[Optional(), Length(max=5000)], filters=[strip])
    needs = TextAreaField(_l("Needs"), validators=[Optional(), Length(max=5000)], filters=[strip])
    guardian_involvement = TextAreaField(
        _l("Guardian involvement"), validators=[Optional(), Length(max=3000)], filters=[strip]
    )
    next_review_date = DateField(_l("Next review date"), validators=[DataRequired(message=_l("Enter a real date."))])


class GoalForm(SafeForm):
    lock_version = HiddenField()
    what = StringField(_l("Goal: what should change"), validators=[DataRequired(), Length(max=500)], filters=[strip])
    indicator = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=500)], filters=[strip])
    baseline = StringField(_l("Baseline"), validators=[Optional(), Length(max=300)], filters=[strip])
    target = StringField(_l("Target"), validators=[DataRequired(), Length(max=300)], filters=[strip])
    target_date = DateField(_l("Target date"), validators=[DataRequired(message=_l("Enter a real date."))])


class MeasureForm(SafeForm):
    lock_version = HiddenField()
    type = SelectField(_l("Type of measure"), choices=MEASURE_TYPES, validators=[DataRequired()])
    description = StringField(_l("What exactly"), validators=[DataRequired(), Length(max=1000)], filters=[strip])
    responsible_id = SelectField(_l("Responsible"), coerce=int, validators=[DataRequired()])
    frequency = StringField(_l("Frequency"), validators=[DataRequired(), Length(max=100)], filters=[strip])
    start_date = DateField(_l("Start"), validators=[DataRequired(message=_l("Enter a real date."))])
    end_date = DateField(_l("End"), validators=[DataRequired(message=_l("Enter a real date."))])

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end cannot be before the start."))


class VersionForm(SafeForm):
    lock_version = HiddenField(validators=[DataRequired()])


class ReturnForm(VersionForm):
    comment = TextAreaField(_l("What needs revising"), validators=[DataRequired(), Length(max=3000)], filters=[strip])


class LogForm(SafeForm):
    done_on = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter a real date."))])
    attended = BooleanField(_l("The student attended / took part"))
    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=3000)], filters=[strip])


class GoalProgressForm(SafeForm):
    class Meta:
        csrf = False

    goal_id = HiddenField()
    progress = SelectField(_l("Progress"), choices=PROGRESS, validators=[DataRequired()])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=1000)], filters=[strip])


class ReviewForm(SafeForm):
    held_on = DateField(_l("Review held on"), validators=[DataRequired(message=_l("Enter a real date."))])
    goals = FieldList(FormField(GoalProgressForm), min_entries=0, max_entries=50)
    decision = SelectField(_l("Decision"), choices=REVIEW_DECISIONS, validators=[DataRequired()])
    rationale = TextAreaField(_l("Rationale"), validators=[DataRequired(), Length(max=3000)], filters=[strip])
    # no Optional(): it would stop the chain before validate_close_outcome, closing a case without an outcome
    close_outcome = SelectField(_l("Outcome (when closing)"), choices=[("", "—"), *CLOSE_OUTCOMES], default="")

    def validate_held_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("The date cannot be in the future."))

    def validate_close_outcome(self, field):
        if self.decision.data == "close_case" and not field.data:
            raise ValidationError(_l("Choose the outcome of the case."))
