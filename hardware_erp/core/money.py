"""Money and quantity arithmetic: Decimal only, ROUND_HALF_UP in one place; every number a person types is read by
`parse_decimal` (or the form field `DecimalInput` built on it), which refuses NaN, infinities and values beyond
the column."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .errors import BusinessRuleError

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?")  # no NaN, Infinity, sNaN; a short exponent


def to_decimal(value) -> Decimal:
    """A finite Decimal, or ValueError (NaN and infinities included)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _round(value, places) -> Decimal:
    try:
        return to_decimal(value).quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the context holds (1e30 to cents)
        raise ValueError(f"too large: {value!r}") from exc


def money(value) -> Decimal:
    """Round to cents, half up (0.005 -> 0.01)."""
    return _round(value, CENT)


def quantity(value) -> Decimal:
    """Round to three places, half up."""
    return _round(value, MILLI)


def parse_decimal(value, *, max_digits=14, decimal_places=2, label=None) -> Decimal:
    """The one reader of a number a person typed: ``1000``, ``1,000.5``, ``-5`` (the input guard has already made
    full-width digits ASCII). Refuses words, NaN, infinities, sNaN and anything with more digits before the point
    than the column holds (``max_digits - decimal_places``) with a BusinessRuleError in the user's language; rounds
    half up to ``decimal_places``."""
    text = str(value if value is not None else "").strip().replace(" ", "")
    if GROUPED.fullmatch(text):
        text = text.replace(",", "")
    params = {"v": str(value)[:40], "field": label or pgettext_lazy("a value typed in", "number")}
    if not PLAIN.fullmatch(text):
        raise BusinessRuleError(_("“%(v)s” is not a number."), params=params, code="nan")
    number = Decimal(text)
    limit = Decimal(10) ** (max_digits - decimal_places)
    if abs(number) >= limit:
        raise BusinessRuleError(_("“%(v)s” is too large: at most %(n)s digits before the decimal point."),
                                params={**params, "n": max_digits - decimal_places}, code="too_large")
    return number.quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)


def check_column(value: Decimal, *, max_digits=14, decimal_places=2, label=None) -> Decimal:
    """`value` (computed: quantity × price, a sum) if it fits a column of `max_digits`/`decimal_places`, else the
    same BusinessRuleError as `parse_decimal`."""
    return parse_decimal(str(value), max_digits=max_digits, decimal_places=decimal_places, label=label)


class DecimalInput(forms.DecimalField):
    """A form field reading numbers through `parse_decimal` (grouping commas accepted, NaN, infinities and
    oversized values refused with one message)."""

    def __init__(self, *, max_digits=14, decimal_places=2, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_decimal(value, max_digits=self.max_digits, decimal_places=self.decimal_places,
                             label=self.label)

    def validate(self, value):
        forms.Field.validate(self, value)


def read_model_decimals_with_decimal_input():
    """Every model DecimalField's form field (ModelForms, the admin) is a `DecimalInput` with the column's
    `max_digits`/`decimal_places`: one reader for every number typed into any form (called once, by the kernel's
    AppConfig). Plain forms declare `DecimalInput` themselves (tests/security/test_numbers.py checks both)."""
    if getattr(models.DecimalField.formfield, "reads_with_parse_decimal", False):
        return
    formfield = models.DecimalField.formfield

    def decimal_formfield(self, **kwargs):
        return formfield(self, **{"form_class": DecimalInput, **kwargs})

    decimal_formfield.reads_with_parse_decimal = True
    models.DecimalField.formfield = decimal_formfield


def split_money(total, weights) -> list[Decimal]:
    """Split a total over weights so that the parts add up to the total exactly (largest remainder)."""
    total = money(total)
    if total < 0:  # a refund or credit note: split the amount, then give the parts their sign
        return [-p for p in split_money(-total, weights)]
    weights = [to_decimal(w) for w in weights]
    wsum = sum(weights)
    if not weights:
        return []
    if wsum == 0:
        weights, wsum = [Decimal(1)] * len(weights), Decimal(len(weights))
    raw = [total * w / wsum for w in weights]
    parts = [r.quantize(CENT, rounding="ROUND_DOWN") for r in raw]
    rest = int((total - sum(parts)) / CENT)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[:rest]:
        parts[i] += CENT
    return parts


class MoneyField(models.DecimalField):
    """CNY amount: 14 digits, 2 places."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("default", Decimal("0.00"))
        super().__init__(*args, **kwargs)


class QuantityField(models.DecimalField):
    """A quantity in a unit of measure: 14 digits, 3 places."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("default", Decimal("0.000"))
        super().__init__(*args, **kwargs)


# --------------------------------------------------------------------------- unit prices

PRICE_PLACES = 4
PRICE_QUANT = Decimal("0.0001")


def price(value) -> Decimal:
    """A unit price: four places, half up (a ¥0.0392 screw stays ¥0.0392)."""
    return to_decimal(value).quantize(PRICE_QUANT, rounding=ROUND_HALF_UP)


class PriceField(models.DecimalField):
    """A CNY unit price: 16 digits, 4 places (fasteners are priced to a hundredth of a fen per piece)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", PRICE_PLACES)
        kwargs.setdefault("default", Decimal("0.0000"))
        super().__init__(*args, **kwargs)


# --------------------------------------------------------------------------- the one money formatter

MINUS = "-"  # the one minus sign of every page, PDF and export: ASCII, so a pasted figure stays a number
SYMBOL = "¥"


def _grouped(d: Decimal, places: int) -> str:
    return f"{d:,.{places}f}"


def format_money(value, *, symbol=True, empty="—") -> str:
    """An amount: rounded half up to the cent, grouped, `-¥2,121.00` when negative, never `¥-0.00`."""
    if value is None or value == "":
        return empty
    d = money(value)
    sign = MINUS if d < 0 else ""
    return f"{sign}{SYMBOL if symbol else ''}{_grouped(abs(d), 2)}"


def price_text(value) -> str:
    """A unit price without the symbol: up to four places, trailing zeros trimmed beyond two
    (0.0392, 0.035, 12.50, 3.00)."""
    d = price(value)
    text = _grouped(abs(d), PRICE_PLACES)
    whole, frac = text.split(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"{MINUS if d < 0 else ''}{whole}.{frac}"


def format_price(value, *, symbol=True, empty="—") -> str:
    """A unit price: `¥0.0392`, `¥0.035`, `¥12.50`; negative as `-¥0.50`."""
    if value is None or value == "":
        return empty
    text = price_text(value)
    sign = MINUS if text.startswith(MINUS) else ""
    return f"{sign}{SYMBOL if symbol else ''}{text.lstrip(MINUS)}"


def per_thousand(value) -> Decimal:
    """The price of a thousand pieces (元/千件) from a price per piece, rounded to the cent."""
    return money(to_decimal(value) * 1000)


# --------------------------------------------------------------------------- amount in Chinese capitals (大写金额)

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _group_words(n: int) -> str:
    """0 < n < 10000 as capitals, zeros inside the group read as one 零 (1010 → 壹仟零壹拾)."""
    out, zero = [], False
    for pos in range(3, -1, -1):
        d = n // 10 ** pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[d] + _PLACES[pos])
    return "".join(out)


def amount_in_words(value) -> str:
    """The amount in Chinese capitals as written on cheques and invoices (大写金额), per the People's Bank
    rules: 壹拾 keeps its 壹; a run of zeros inside the yuan reads as one 零; 零 after 元 when there are fen but no
    jiao (壹万陆仟肆佰零玖元零贰分); 整 after 元 or 角 when there are no fen; 零元整 for nothing; 负 before a
    negative amount. 115491.65 → 壹拾壹万伍仟肆佰玖拾壹元陆角伍分."""
    d = money(value)
    if d < 0:
        return "负" + amount_in_words(-d)
    cents = int(d * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = ""
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        if len(groups) > len(_GROUPS):
            raise ValueError(f"amount too large for capitals: {value!r}")
        parts, need_zero = [], False
        for i in range(len(groups) - 1, -1, -1):
            g = groups[i]
            if g == 0:
                need_zero = bool(parts)
                continue
            if parts and (need_zero or g < 1000):
                parts.append("零")
            parts.append(_group_words(g) + _GROUPS[i])
            need_zero = False
        words = "".join(parts) + "元"
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    else:
        words += "整"
    return words
