"""Money and quantity arithmetic: Decimal only, ROUND_HALF_UP in one place; every number a person types is read by
`parse_decimal` (or the form field `DecimalInput` built on it), which refuses NaN, infinities and values beyond
the column."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    params = {"v": str(value)[:40], "field": label or ""}
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
