from wtforms import BooleanField, DateField, FieldList, FormField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.clock import now
from portal.students.iin import InvalidIIN, parse
from portal.web.forms import SafeForm, SelectField, strip
from portal.web.i18n import lazy_gettext as _l

RELATIONS = [
    ("mother", _l("Mother")),
    ("father", _l("Father")),
    ("grandparent", _l("Grandparent")),
    ("guardian", _l("Legal guardian")),
    ("other", _l("Other relative")),
]
RELATION_LABELS = dict(RELATIONS)
SEX_CHOICES = [("M", _l("Male")), ("F", _l("Female"))]
CLASS_PATTERN = r"^\s*(0|[1-9]|1[0-2])\s*[A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]?\s*$"


class GuardianForm(SafeForm):
    class Meta:
        csrf = False

    full_name = StringField(_l("Guardian's full name"), validators=[Optional(), Length(max=200)], filters=[strip])
    relation = SelectField(_l("Relation"), choices=RELATIONS, validators=[Optional()])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^\+?[0-9 ()\-]{5,32}$", message=_l("Use digits, spaces, brackets and an optional leading +.")),
        ],
        filters=[strip],
    )


class StudentForm(SafeForm):
    surname = StringField(_l("Surname"), validators=[DataRequired(), Length(max=100)], filters=[strip])
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)], filters=[strip])
    patronymic = StringField(_l("Patronymic (optional)"), validators=[Optional(), Length(max=100)], filters=[strip])
    class_name = StringField(
        _l("Class"),
        validators=[
            DataRequired(),
            Length(max=8),
            Regexp(CLASS_PATTERN, message=_l("Write the class as a grade and a letter, for example 7Б.")),
        ],
        filters=[strip],
    )
    birth_date = DateField(_l("Birth date"), validators=[DataRequired(message=_l("Enter a real date."))])
    sex = RadioField(_l("Sex"), choices=SEX_CHOICES, validators=[DataRequired()])
    iin = StringField(_l("IIN (optional)"), validators=[Optional(), Length(max=20)], filters=[strip])
    confirm_duplicate_iin = BooleanField(
        _l("I have checked: this IIN really belongs to this student; record it and flag the duplicate")
    )
    guardians = FieldList(FormField(GuardianForm), min_entries=2, max_entries=4)
    version = StringField(validators=[Optional()])

    def validate_birth_date(self, field):
        today = now().date()
        if field.data and not (today.replace(year=today.year - 25) <= field.data <= today):
            raise ValidationError(_l("The birth date must be within the last 25 years."))

    def validate_iin(self, field):
        if not field.data:
            return
        try:
            parsed = parse(field.data)
        except InvalidIIN as error:
            raise ValidationError(error.message) from None
        field.data = parsed.value
        if self.birth_date.data and parsed.birth_date != self.birth_date.data:
            raise ValidationError(_l("The IIN encodes another birth date than the one entered."))
        if self.sex.data in ("M", "F") and parsed.sex != self.sex.data:
            raise ValidationError(_l("The IIN encodes the other sex than the one chosen."))

    def validate_guardians(self, field):
        for entry in field.entries:
            if (entry.form.phone.data or "") and not entry.form.full_name.data:
                entry.form.full_name.errors.append(_l("Enter the guardian's name or leave the row empty."))
                raise ValidationError(_l("Check the guardians."))


class LeaveForm(SafeForm):
    left_on = DateField(_l("Left on"), validators=[DataRequired(message=_l("Enter a real date."))])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)], filters=[strip])
    version = StringField(validators=[Optional()])

    def validate_left_on(self, field):
        if field.data and field.data > now().date():
            raise ValidationError(_l("The date cannot be in the future."))
