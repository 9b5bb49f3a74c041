from wtforms import DateField, FieldList, FormField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.concerns.forms import MultiCheckboxField
from portal.escalations.models import REQUESTS, URGENCIES
from portal.web.forms import SafeForm, strip
from portal.web.i18n import lazy_gettext as _l


class DraftForm(SafeForm):
    """What the school writes; frozen into a snapshot when a school administrator submits."""

    version = HiddenField()
    urgency = RadioField(_l("Urgency"), choices=URGENCIES, default="standard", validators=[DataRequired()])
    requested = MultiCheckboxField(_l("What is asked of the directorate"), choices=REQUESTS,
                                   validators=[DataRequired(message=_l("Choose at least one."))])
    # no Optional(): it would stop the chain before validate_requested_other when the field is left empty
    requested_other = StringField(_l("Other (what exactly)"), validators=[Length(max=300)], filters=[strip])
    summary = TextAreaField(_l("Summary: why the school cannot resolve this alone"),
                            validators=[DataRequired(), Length(max=8000)], filters=[strip])
    measures_tried = TextAreaField(_l("Measures tried and their outcome"),
                                   validators=[DataRequired(), Length(max=8000)], filters=[strip])
    chronology_keys = MultiCheckboxField(_l("Chronology entries to include"), choices=[], validators=[Optional()])
    answer = TextAreaField(_l("Answer to the directorate's question"), validators=[Optional(), Length(max=8000)],
                           filters=[strip])

    def validate_requested_other(self, field):
        if "other" in (self.requested.data or []) and not field.data:
            raise ValidationError(_l("Say what else is asked for."))

    def values(self) -> dict:
        return {
            "urgency": self.urgency.data, "requested": ",".join(self.requested.data),
            "requested_other": self.requested_other.data or None, "summary": self.summary.data,
            "measures_tried": self.measures_tried.data, "chronology_keys": ",".join(self.chronology_keys.data or []),
            "answer": self.answer.data or None,
        }


class VersionForm(SafeForm):
    version = HiddenField(validators=[DataRequired()])


class MeasureRow(SafeForm):
    class Meta:
        csrf = False

    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=300)], filters=[strip])
    responsible = StringField(_l("Responsible"), validators=[Optional(), Length(max=200)], filters=[strip])
    deadline = DateField(_l("Deadline"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """A row is empty or complete. Checked here, not in validate_deadline: Optional() on an empty deadline stops
        that field's chain, so a row with an organisation and no deadline used to be dropped silently."""
        ok = super().validate(extra_validators)
        deadline_given = any(isinstance(v, str) and v.strip() for v in self.deadline.raw_data or [])
        filled = [bool(self.organisation.data), bool(self.responsible.data), deadline_given]
        if any(filled) and not all(filled):
            self.deadline.errors = [*self.deadline.errors,
                                    _l("Fill in the organisation, the responsible person and the deadline.")]
            return False
        return ok


class AcceptForm(VersionForm):
    measures = FieldList(FormField(MeasureRow), min_entries=3, max_entries=10)
    appointment_on = DateField(_l("Help-room appointment date (if referred)"), validators=[Optional()])

    def rows(self) -> list[dict]:
        return [
            {"organisation": row.organisation.data, "responsible": row.responsible.data, "deadline": row.deadline.data}
            for row in (entry.form for entry in self.measures)
            if row.organisation.data and row.responsible.data and row.deadline.data
        ]


class ReturnForm(VersionForm):
    comment = TextAreaField(_l("What information is needed"), validators=[DataRequired(), Length(max=3000)],
                            filters=[strip])


class DeclineForm(VersionForm):
    reason = TextAreaField(_l("Reason for declining"), validators=[DataRequired(), Length(max=3000)], filters=[strip])


class HelpRoomForm(VersionForm):
    appointment_on = DateField(_l("Appointment date"), validators=[Optional()])
    interview_on = DateField(_l("One-window interview held on"), validators=[Optional()])


class CloseForm(VersionForm):
    feedback = TextAreaField(_l("Feedback to the school: what was done"),
                             validators=[DataRequired(), Length(max=5000)], filters=[strip])
