from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.web.forms import SafeForm, strip


class LoginForm(SafeForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254)], filters=[strip])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    next = HiddenField()


class LanguageForm(SafeForm):
    lang = SelectField(_l("Language"), choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")])
    next = HiddenField()


class PasswordChangeForm(SafeForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired(), Length(max=256)])
