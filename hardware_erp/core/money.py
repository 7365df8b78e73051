"""Money and quantity arithmetic: Decimal only, ROUND_HALF_UP in one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def money(value) -> Decimal:
    """Round to cents, half up (0.005 -> 0.01)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quantity(value) -> Decimal:
    """Round to three places, half up."""
    return to_decimal(value).quantize(MILLI, rounding=ROUND_HALF_UP)


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
