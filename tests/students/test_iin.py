"""IIN validation (PRODUCT.md §3): YYMMDDCNNNNK with two weight sets. Only invented IINs are used."""

from datetime import date

import pytest

from portal.students.iin import IIN, InvalidIIN, make, parse

W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def oracle_check_digit(first_eleven: str) -> int | None:
    """The rule of PRODUCT.md §3, written out independently of the code under test."""
    digits = [int(c) for c in first_eleven]
    k = sum(d * w for d, w in zip(digits, W1, strict=True)) % 11
    if k == 10:
        k = sum(d * w for d, w in zip(digits, W2, strict=True)) % 11
    return None if k == 10 else k


def kind_of(raw: str) -> str:
    with pytest.raises(InvalidIIN) as caught:
        parse(raw)
    return caught.value.kind


# --- the two examples of PRODUCT.md ---------------------------------------------------------------


def test_first_product_example_is_valid_and_decodes_a_boy_born_10_march_2015():
    assert parse("150310500018") == IIN(value="150310500018", birth_date=date(2015, 3, 10), sex="M")


def test_second_product_example_needs_the_second_weights_and_decodes_a_girl_born_11_december_2006():
    # The first weight set gives 10 here, so only the second weight set yields the check digit 2.
    assert sum(int(d) * w for d, w in zip("06121160001", W1, strict=True)) % 11 == 10
    assert parse("061211600012") == IIN(value="061211600012", birth_date=date(2006, 12, 11), sex="F")


def test_spaces_typed_into_an_iin_are_ignored():
    assert parse(" 150310 500018 ").value == "150310500018"


@pytest.mark.parametrize(
    ("century_digit", "year", "sex"),
    [(1, 1899, "M"), (2, 1899, "F"), (3, 1999, "M"), (4, 1999, "F"), (5, 2012, "M"), (6, 2012, "F")],
)
def test_seventh_digit_gives_century_and_sex(century_digit, year, sex):
    born = date(year, 7, 14)
    first = f"{born:%y%m%d}{century_digit}0042"
    k = oracle_check_digit(first)
    assert k is not None
    parsed = parse(first + str(k))
    assert parsed.birth_date == born
    assert parsed.sex == sex


# --- each kind of mistake has its own kind ------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["15031050001A", "15031050001８", "", "   ", "+15031050001", "150310-500018", "١٥٠٣١٠٥٠٠٠١٨"],
    ids=["letter", "fullwidth-digit", "empty", "blank", "plus", "hyphen", "arabic-indic-digits"],
)
def test_anything_but_ascii_digits_is_a_digits_mistake(raw):
    assert kind_of(raw) == "digits"


@pytest.mark.parametrize("raw", ["15031050001", "1503105000180", "1", "15031050001811"])
def test_wrong_number_of_digits_is_a_length_mistake(raw):
    with pytest.raises(InvalidIIN) as caught:
        parse(raw)
    assert caught.value.kind == "length"
    assert str(len(raw)) in str(caught.value.message)


@pytest.mark.parametrize("century_digit", ["0", "7", "8", "9"])
def test_century_digit_outside_1_to_6_is_a_century_mistake(century_digit):
    assert kind_of(f"150310{century_digit}00018") == "century"


@pytest.mark.parametrize(
    "raw",
    [
        "150231500018",  # 31 February 2015
        "151310500018",  # month 13
        "150010500018",  # month 0
        "150300500018",  # day 0
        "150229500018",  # 29 February 2015 (not a leap year)
        "000229300018",  # 29 February 1900 (not a leap year, although divisible by 4)
        "150431500018",  # 31 April
    ],
)
def test_impossible_birth_date_is_a_date_mistake(raw):
    assert kind_of(raw) == "date"


def test_leap_days_that_exist_are_accepted():
    for born in (date(2016, 2, 29), date(2000, 2, 29), date(1996, 2, 29)):
        iin = make(born, "F", 77)
        assert iin is not None
        assert parse(iin).birth_date == born


@pytest.mark.parametrize("valid", ["150310500018", "061211600012"])
def test_every_other_last_digit_is_a_check_mistake(valid):
    for digit in "0123456789":
        if digit == valid[-1]:
            continue
        assert kind_of(valid[:-1] + digit) == "check", digit


def test_a_single_typo_inside_the_iin_is_caught_by_the_check_digit():
    # Changing the serial part keeps date and century valid: only the check digit can notice.
    assert kind_of("150310500118") == "check"
    assert kind_of("150310510018") == "check"
    assert kind_of("150311500018") == "check"  # 11 March instead of 10 March: a real date, but wrong


def test_eleven_digits_without_any_check_digit_can_never_be_completed():
    prefix = next(
        f"{date(2012, 4, 5):%y%m%d}5{serial:04d}"
        for serial in range(10000)
        if oracle_check_digit(f"{date(2012, 4, 5):%y%m%d}5{serial:04d}") is None
    )
    for digit in "0123456789":
        assert kind_of(prefix + digit) == "check"


def test_mistakes_carry_a_readable_message():
    with pytest.raises(InvalidIIN) as caught:
        parse("150310500019")
    assert "check digit" in str(caught.value)
    assert isinstance(caught.value, ValueError)


# --- make() -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "sex"),
    [
        (date(2015, 3, 10), "M"),
        (date(2015, 3, 10), "F"),
        (date(2006, 12, 11), "F"),
        (date(2019, 1, 1), "M"),
        (date(1999, 12, 31), "F"),
        (date(1985, 6, 30), "M"),
        (date(2000, 2, 29), "M"),
    ],
)
def test_make_builds_iins_that_parse_back_to_the_same_date_and_sex(born, sex):
    made = 0
    for serial in (1, 18, 250, 4321, 9999):
        iin = make(born, sex, serial)
        if iin is None:
            continue
        made += 1
        assert len(iin) == 12 and iin.isdigit()
        assert iin[7:11] == f"{serial:04d}"
        parsed = parse(iin)
        assert (parsed.value, parsed.birth_date, parsed.sex) == (iin, born, sex)
    assert made >= 4


def test_make_returns_none_exactly_when_no_check_digit_exists():
    born, sex = date(2013, 9, 1), "F"
    nones = 0
    for serial in range(10000):
        iin = make(born, sex, serial)
        expected = oracle_check_digit(f"{born:%y%m%d}6{serial:04d}")
        if expected is None:
            nones += 1
            assert iin is None, serial
        else:
            assert iin == f"{born:%y%m%d}6{serial:04d}{expected}", serial
    # Roughly one prefix in 121 has no check digit; the loop must have met some.
    assert 40 < nones < 200
