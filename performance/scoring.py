"""Pure functions that turn evidence into a value and a value into a score. No database access."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .choices import AggregationChoices, DirectionChoices

TWO = Decimal("0.01")


def dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None


def aggregate(aggregation: str, rows: list[dict]) -> tuple[Decimal | None, int, int]:
    """(value, records, records that count). Share: ok rows ÷ rows × 100. Average: mean of the rows'
    values. No rows, or no values for an average, gives None: "no data", never zero."""
    records = len(rows)
    ok = sum(1 for r in rows if r.get("ok"))
    if not rows:
        return None, 0, 0
    if aggregation == AggregationChoices.AVERAGE:
        values = [dec(r.get("value")) for r in rows]
        values = [v for v in values if v is not None]
        if not values:
            return None, records, ok
        return (sum(values) / len(values)).quantize(TWO, rounding=ROUND_HALF_UP), records, ok
    return (Decimal(ok * 100) / Decimal(records)).quantize(TWO, rounding=ROUND_HALF_UP), records, ok


def achievement(value, target, direction) -> Decimal | None:
    """How far the value reaches the target, in per cent (100 = on target)."""
    if value is None:
        return None
    value, target = Decimal(value), Decimal(target)
    if direction == DirectionChoices.LOWER:
        if value <= 0:
            return Decimal(100) if target >= 0 else Decimal(0)
        return (target * 100 / value).quantize(TWO, rounding=ROUND_HALF_UP)
    if target <= 0:
        return Decimal(100)
    return (value * 100 / target).quantize(TWO, rounding=ROUND_HALF_UP)


def band_score(achieved, bands) -> Decimal | None:
    """The score of the best band whose threshold the achievement reaches; bands are [threshold, score]."""
    if achieved is None:
        return None
    for threshold, score in sorted(bands, key=lambda b: Decimal(str(b[0])), reverse=True):
        if achieved >= Decimal(str(threshold)):
            return Decimal(str(score)).quantize(TWO)
    return Decimal("0.00")


def weighted_total(items) -> tuple[Decimal | None, Decimal]:
    """items: (score or None, weight). The total over the KPIs with data, re-weighted to 100, and the
    weight that had data (coverage)."""
    covered = [(Decimal(s), Decimal(w)) for s, w in items if s is not None and Decimal(w) > 0]
    coverage = sum((w for _, w in covered), Decimal(0))
    if not coverage:
        return None, Decimal("0.00")
    total = sum((s * w for s, w in covered), Decimal(0)) / coverage
    return total.quantize(TWO, rounding=ROUND_HALF_UP), coverage.quantize(TWO)


def parse_bands(text: str) -> list[list]:
    """"100:100, 90:85, 0:20" -> [[100, 100], [90, 85], [0, 20]]; raises ValueError with a reason."""
    bands = []
    for part in [p.strip() for p in (text or "").replace(";", ",").replace("，", ",").split(",") if p.strip()]:
        if ":" not in part:
            raise ValueError(part)
        a, b = (x.strip() for x in part.split(":", 1))
        try:
            threshold, score = Decimal(a), Decimal(b)
        except InvalidOperation:
            raise ValueError(part) from None
        if threshold < 0 or score < 0 or score > 150:
            raise ValueError(part)
        bands.append([float(threshold) if threshold != threshold.to_integral() else int(threshold),
                      float(score) if score != score.to_integral() else int(score)])
    if not bands:
        raise ValueError("")
    bands.sort(key=lambda b: b[0], reverse=True)
    if bands[-1][0] != 0:
        bands.append([0, 0])
    return bands


def format_bands(bands) -> str:
    return ", ".join(f"{t}:{s}" for t, s in bands)
