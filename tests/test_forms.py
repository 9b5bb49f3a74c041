"""The portal's form parts that replace WTForms' and Flask-WTF's own for speed must render and say the same."""

import pytest
from wtforms import Form
from wtforms import SelectField as StockSelectField


@pytest.mark.parametrize("data", [None, 2, "a&b", True])
def test_the_select_writes_what_wtforms_writes(data):
    from portal.web.forms import SelectField

    choices = [(1, "Асель <Нурланқызы>"), (2, 'O"Brien & Co'), ("a&b", "a&b"), (True, "да"), ("", "—")]

    class Ours(Form):
        pick = SelectField("Кто", choices=choices, coerce=str)

    class Stock(Form):
        pick = StockSelectField("Кто", choices=choices, coerce=str)

    ours, stock = Ours(data={"pick": str(data)}), Stock(data={"pick": str(data)})
    assert str(ours.pick(id="x", required=True)) == str(stock.pick(id="x", required=True))
    assert str(ours.pick()) == str(stock.pick())
    assert "&lt;Нурланқызы&gt;" in str(ours.pick()) and "O&#34;Brien &amp; Co" in str(ours.pick())
    if data is not None:
        assert str(ours.pick()).count("selected") == 1


def test_a_select_with_option_attributes_is_left_to_wtforms():
    from wtforms.fields.choices import SelectField as Stock

    from portal.web.forms import SelectField

    choices = [("1", "один", {"disabled": True}), ("2", "два", {})]

    class Ours(Form):
        pick = SelectField(choices=choices)

    class Theirs(Form):
        pick = Stock(choices=choices)

    assert str(Ours().pick()) == str(Theirs().pick())
    assert 'disabled value="1"' in str(Ours().pick())


@pytest.mark.parametrize("lang,required,choice", [
    ("kk", "Бұл өріс міндетті түрде керек.", "Жарамды таңдау емес."),
    ("ru", "Обязательное поле.", "Неверный вариант."),
    ("en", "This field is required.", "Not a valid choice."),
])
def test_wtforms_own_messages_are_in_the_users_language(app, lang, required, choice):
    """WTForms' own messages (its catalog is parsed once per process here) read as Flask-WTF gives them."""
    from flask_wtf.i18n import translations as flask_wtf_translations
    from werkzeug.datastructures import MultiDict
    from wtforms.validators import DataRequired

    from portal.web.forms import SafeForm, SelectField

    class Pick(SafeForm):
        pick = SelectField(choices=[("a", "A")], validators=[DataRequired()])

    app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(2):  # the second request reads the catalog kept from the first
        with app.test_request_context(headers={"Accept-Language": lang}):
            form = Pick(formdata=MultiDict({"pick": "zzz"}))
            assert not form.validate()
            assert form.pick.errors == [choice] == [flask_wtf_translations.gettext("Not a valid choice.")]
            assert form.meta.get_translations(form).gettext("This field is required.") == required
            assert form.meta.get_translations(form).ngettext("one", "many", 2) == "many"
