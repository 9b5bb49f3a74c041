from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from portal.students.forms import CLASS_PATTERN
from portal.web.forms import SafeForm, SelectField, strip
from portal.web.i18n import lazy_gettext as _l


class RegionForm(SafeForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40), Regexp(r"^[a-z0-9-]+$", message=_l("Lower-case Latin letters, digits and hyphens."))],
        filters=[strip],
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)], filters=[strip])


class SchoolForm(SafeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    region_id = SelectField(_l("Region"), coerce=int, validators=[DataRequired()])
    district = StringField(_l("District (optional)"), validators=[Optional(), Length(max=120)], filters=[strip])
    is_active = BooleanField(_l("Active"), default=True)


class UserForm(SafeForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    school_id = SelectField(_l("School"), coerce=int, validators=[Optional()])
    region_id = SelectField(_l("Region"), coerce=int, validators=[Optional()])
    class_name = StringField(
        _l("Class led (teachers, optional)"),
        validators=[Optional(), Length(max=8), Regexp(CLASS_PATTERN, message=_l("Write the class as a grade and a letter, for example 7Б."))],
        filters=[strip],
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=256)])
