from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.cases.models import CLOSE_OUTCOMES, TEAM_ROLES
from portal.web.forms import SafeForm, SelectField, strip
from portal.web.i18n import lazy_gettext as _l


class CouncilForm(SafeForm):
    version = HiddenField(validators=[DataRequired()])
    council_date = DateField(_l("Date of the prevention council decision"), validators=[DataRequired(message=_l("Enter a real date."))])
    council_protocol = StringField(_l("Protocol number"), validators=[DataRequired(), Length(max=50)], filters=[strip])


class MemberForm(SafeForm):
    user_id = SelectField(_l("Staff member"), coerce=int, validators=[DataRequired()])
    team_role = SelectField(_l("Role in the team"), choices=TEAM_ROLES, validators=[DataRequired()])


class NoteForm(SafeForm):
    text = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=5000)], filters=[strip])


class CloseForm(SafeForm):
    version = HiddenField(validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), choices=CLOSE_OUTCOMES, validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=3000)], filters=[strip])


class ReopenForm(SafeForm):
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Why reopen"), validators=[DataRequired(), Length(max=3000)], filters=[strip])
