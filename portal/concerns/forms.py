from datetime import timedelta

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.cases.models import GROUNDS, RISK_LEVELS
from portal.clock import local_today, now, to_local
from portal.concerns.models import CATEGORIES, REFERRAL_TARGETS, SEVERITIES
from portal.web.forms import SafeForm, SelectField, strip
from portal.web.i18n import lazy_gettext as _l


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConcernForm(SafeForm):
    token = HiddenField(validators=[DataRequired(), Length(min=8, max=36)])
    student_id = IntegerField(_l("Student"), validators=[InputRequired(message=_l("Choose the student."))])
    categories = MultiCheckboxField(
        _l("What is it about?"), choices=CATEGORIES,
        validators=[DataRequired(message=_l("Choose at least one category."))],
    )
    severity = RadioField(_l("How serious is it?"), choices=SEVERITIES, validators=[DataRequired()])
    immediate_danger = BooleanField(_l("The child is in immediate danger"))
    occurred_at = DateTimeLocalField(
        _l("When did it happen?"), format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message=_l("Enter the date and time, approximately if need be."))],
    )
    location = StringField(_l("Where?"), validators=[Optional(), Length(max=200)], filters=[strip])
    facts = TextAreaField(
        _l("What did you see or hear? Facts only."), validators=[DataRequired(), Length(max=5000)], filters=[strip]
    )
    child_words = TextAreaField(
        _l("The child's own words, verbatim (optional)"), validators=[Optional(), Length(max=3000)], filters=[strip]
    )
    witnesses = TextAreaField(
        _l("Who was present or has been told?"), validators=[Optional(), Length(max=1000)], filters=[strip]
    )
    immediate_action = TextAreaField(
        _l("What have you already done?"), validators=[Optional(), Length(max=2000)], filters=[strip]
    )
    involves_staff = BooleanField(_l("This concern involves a member of staff"))
    involved_staff_id = SelectField(_l("Which member of staff?"), coerce=int, validators=[Optional()])

    def validate_occurred_at(self, field):
        if field.data and field.data > to_local(now()) + timedelta(minutes=5):
            raise ValidationError(_l("The time cannot be in the future."))
        if field.data and field.data < to_local(now()) - timedelta(days=3 * 365):
            raise ValidationError(_l("The date is too far in the past."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Checked here, not in an inline validator: Optional() on an empty select stops the field's chain.
        if self.involves_staff.data and not self.involved_staff_id.data:
            self.involved_staff_id.errors = [
                *self.involved_staff_id.errors, _l("Choose the member of staff, so the concern is kept from them.")
            ]
            ok = False
        return ok


class DecisionForm(SafeForm):
    version = HiddenField(validators=[DataRequired()])
    risk_level = RadioField(_l("Risk level"), choices=RISK_LEVELS, validators=[DataRequired()])
    risk_rationale = TextAreaField(
        _l("Why this risk level?"), validators=[DataRequired(), Length(max=3000)], filters=[strip]
    )
    outcome = RadioField(
        _l("Decision"),
        choices=[
            ("open_case", _l("Open a support case")),
            ("attach_case", _l("Attach to the student's open case")),
            ("monitor", _l("Monitor until a date")),
            ("refer", _l("Refer outside the school")),
            ("no_action", _l("No further action")),
        ],
        validators=[DataRequired()],
    )
    grounds = MultiCheckboxField(_l("Grounds for pedagogical support"), choices=GROUNDS, validators=[Optional()])
    monitor_until = DateField(_l("Monitor until"), validators=[Optional()])
    referral_to = SelectField(_l("Refer to"), choices=[("", "—"), *REFERRAL_TARGETS], validators=[Optional()])
    outcome_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=3000)], filters=[strip])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        outcome = self.outcome.data
        if outcome == "open_case" and not self.grounds.data:
            self.grounds.errors = [*self.grounds.errors, _l("Choose at least one ground for the case.")]
            ok = False
        if outcome == "monitor":
            if not self.monitor_until.data:
                self.monitor_until.errors = [*self.monitor_until.errors, _l("Enter the date until which to monitor.")]
                ok = False
            elif self.monitor_until.data <= local_today():
                self.monitor_until.errors = [*self.monitor_until.errors, _l("The date must be in the future.")]
                ok = False
        if outcome == "refer":
            if not self.referral_to.data:
                self.referral_to.errors = [*self.referral_to.errors, _l("Choose where the child is referred.")]
                ok = False
            if not self.outcome_note.data:
                self.outcome_note.errors = [*self.outcome_note.errors, _l("Describe the referral.")]
                ok = False
        if outcome == "no_action" and not self.outcome_note.data:
            self.outcome_note.errors = [*self.outcome_note.errors, _l("Explain why no further action is needed.")]
            ok = False
        return ok


class AcknowledgeForm(SafeForm):
    version = HiddenField(validators=[DataRequired()])


class AddendumForm(SafeForm):
    reason = StringField(_l("Reason for the addendum"), validators=[DataRequired(), Length(max=300)], filters=[strip])
    text = TextAreaField(_l("Addendum"), validators=[DataRequired(), Length(max=5000)], filters=[strip])
