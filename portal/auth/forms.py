from wtforms import HiddenField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from portal.auth import two_factor
from portal.web.forms import SafeForm, SelectField, strip
from portal.web.i18n import lazy_gettext as _l

CODE_MAX = 32  # room for a recovery code typed with spaces or dashes; longer input is refused as it is


def _any_code(_form, field) -> None:
    if field.data and two_factor.code_kind(field.data) is None:
        raise ValidationError(_l("Enter the 6-digit code from your authenticator app or a recovery code."))


def _app_code(_form, field) -> None:
    if field.data and two_factor.code_kind(field.data) != "totp":
        raise ValidationError(_l("Enter the 6-digit code from your authenticator app."))


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


class OtpForm(SafeForm):
    """The second step of a login (field `code`, PRODUCT.md §6)."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=CODE_MAX), _any_code], filters=[strip])


class EnrolConfirmForm(SafeForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=CODE_MAX), _app_code],
                       filters=[strip])


class TwoFactorStartForm(SafeForm):
    """Set up an authenticator: the password; replacing an existing one also needs a current code."""

    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    code = StringField(_l("Current code or a recovery code"),
                       validators=[Optional(), Length(max=CODE_MAX), _any_code], filters=[strip])


class ReauthForm(SafeForm):
    """The current password and a current code (or a recovery code), before the second factor changes."""

    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    code = StringField(_l("Current code or a recovery code"),
                       validators=[DataRequired(), Length(max=CODE_MAX), _any_code], filters=[strip])
