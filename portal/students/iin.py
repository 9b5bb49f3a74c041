"""IIN (ИИН / ЖСН) validation per PRODUCT.md §3: YYMMDDCNNNNK."""

from dataclasses import dataclass
from datetime import date

from portal.web.i18n import lazy_gettext as _l

WEIGHTS_1 = tuple(range(1, 12))
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIIN(ValueError):
    def __init__(self, kind: str, message):
        super().__init__(str(message))
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class IIN:
    value: str
    birth_date: date
    sex: str  # "M" or "F"


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for 11 digits, or None when no check digit exists (both sums give 10)."""
    digits = [int(c) for c in first_eleven]
    for weights in (WEIGHTS_1, WEIGHTS_2):
        k = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if k != 10:
            return k
    return None


def parse(raw: str) -> IIN:
    """Validate an IIN and return what it encodes; raise InvalidIIN with a message for each kind of mistake."""
    value = (raw or "").strip().replace(" ", "")
    if not value.isascii() or not value.isdigit():
        raise InvalidIIN("digits", _l("An IIN consists of digits only."))
    if len(value) != 12:
        raise InvalidIIN("length", _l("An IIN has exactly 12 digits; this one has %(n)d.", n=len(value)))
    century_digit = int(value[6])
    if century_digit not in CENTURY:
        raise InvalidIIN(
            "century", _l("The 7th digit of an IIN gives the century and sex and must be 1 to 6.")
        )
    try:
        born = date(CENTURY[century_digit] + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIIN("date", _l("The first six digits of an IIN must be a real birth date (YYMMDD).")) from None
    expected = check_digit(value[:11])
    if expected is None or expected != int(value[11]):
        raise InvalidIIN("check", _l("The check digit (the last one) does not match: there is a typo in the IIN."))
    return IIN(value=value, birth_date=born, sex="M" if century_digit % 2 else "F")


def make(born: date, sex: str, serial: int) -> str | None:
    """Build a valid IIN for invented demo and test data (None when the serial has no check digit)."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (0 if sex == "M" else 1)
    first = f"{born:%y%m%d}{century_digit}{serial:04d}"
    k = check_digit(first)
    return None if k is None else first + str(k)
