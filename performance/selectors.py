"""Read-side queries of the performance app: scorecard pages, trends, team medians, dashboards,
recognition and payroll. Every function takes the viewing user where visibility matters and scopes
through Scorecard.objects.for_user. Query counts do not grow with the number of people."""

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q

from hardware_erp.core.roles import ROLES

from .choices import PeriodKindChoices
from .models import BonusTier, Evidence, KPIValue, Period, Scorecard

TWO = Decimal("0.01")
BUCKETS = [(0, 60), (60, 70), (70, 80), (80, 90), (90, 100), (100, None)]


def median(values) -> Decimal | None:
    values = [Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return Decimal(statistics.median(values)).quantize(TWO, rounding=ROUND_HALF_UP)


def person_name(user) -> str:
    return user.get_full_name() or user.username


def role_label(key) -> str:
    return str(ROLES[key].label) if key in ROLES else key


def tiers() -> list[BonusTier]:
    return list(BonusTier.objects.order_by("-min_score"))


def tier_for(score, tier_list) -> BonusTier | None:
    """The highest tier whose threshold the score reaches (tier_list sorted high to low)."""
    if score is None:
        return None
    for t in tier_list:
        if score >= t.min_score:
            return t
    return None


def latest_period(kind=PeriodKindChoices.MONTH) -> Period | None:
    return (Period.objects.filter(kind=kind, computed_at__isnull=False).order_by("-start").first()
            or Period.objects.filter(kind=kind).order_by("-start").first())


def scorecard_values(scorecard) -> list[KPIValue]:
    return list(scorecard.values.select_related("kpi").annotate(
        not_ok=Count("evidence", filter=Q(evidence__ok=False))))


def trend(scorecard, n=6) -> list[dict]:
    """The person's final scores over the last `n` periods of the same kind, oldest first."""
    rows = (Scorecard.objects.filter(employee_id=scorecard.employee_id, period__kind=scorecard.period.kind,
                                     period__start__lte=scorecard.period.start)
            .select_related("period").order_by("-period__start")[:n])
    return [{"label": sc.period.label, "score": sc.final_score, "pk": sc.pk} for sc in reversed(list(rows))]


def team_comparison(scorecard) -> dict:
    """Median of the department's final scores and of each KPI's values in the same period."""
    team = Scorecard.objects.filter(period_id=scorecard.period_id, department_id=scorecard.department_id)
    finals = list(team.values_list("final_score", flat=True))
    per_kpi = {}
    for kpi_id, value in KPIValue.objects.filter(scorecard__in=team, value__isnull=False).values_list(
            "kpi_id", "value"):
        per_kpi.setdefault(kpi_id, []).append(value)
    return {"median": median(finals), "size": len(finals),
            "kpi_medians": {k: median(v) for k, v in per_kpi.items()}}


def improvements(values) -> list[dict]:
    """The KPIs below target, the heaviest gaps first, with what to do about them."""
    out = []
    for v in values:
        if not v.below_target:
            continue
        gap = (Decimal(100) - (v.score or 0)) * v.weight / 100
        out.append({"value": v, "gap": gap.quantize(TWO)})
    return sorted(out, key=lambda r: r["gap"], reverse=True)


def evidence_of(kpi_value, only=None):
    qs = Evidence.objects.filter(kpi_value=kpi_value).order_by("pk")
    if only == "ok":
        qs = qs.filter(ok=True)
    elif only == "not_ok":
        qs = qs.filter(ok=False)
    return qs


def period_scorecards(period, user=None):
    """The period's scorecards the user may see (every one when user is None: payroll, recognition)."""
    qs = Scorecard.objects.all() if user is None else Scorecard.objects.for_user(user)
    return (qs.filter(period=period)
            .select_related("employee", "employee__employee", "department", "period")
            .order_by("department__code", "-final_score", "employee__username"))


def period_results(period, user=None) -> list[dict]:
    """One row per visible scorecard with its tier: the period's results page, Excel and payroll."""
    tier_list = tiers()
    cards = list(period_scorecards(period, user).prefetch_related(
        Prefetch("values", queryset=KPIValue.objects.select_related("kpi"))))
    rows = []
    for sc in cards:
        tier = tier_for(sc.final_score, tier_list)
        rows.append({"scorecard": sc, "name": person_name(sc.employee), "username": sc.employee.username,
                     "department": str(sc.department) if sc.department else "", "role": role_label(sc.role),
                     "computed": sc.computed_score, "adjustment": sc.adjustment, "final": sc.final_score,
                     "coverage": sc.coverage, "status": sc.get_status_display(), "tier": tier,
                     "bonus": tier.bonus if tier else Decimal("0.00"), "points": tier.points if tier else 0,
                     "values": {v.kpi.code: v for v in sc.values.all()}})
    return rows


def distribution(scores) -> list[dict]:
    out = []
    for lo, hi in BUCKETS:
        n = sum(1 for s in scores if s is not None and s >= lo and (hi is None or s < hi))
        out.append({"label": f"{lo}–{hi}" if hi is not None else f"≥{lo}", "count": n})
    return out


def department_overview(period, user) -> dict:
    """Per department: people, scored, average, median, below 60; plus the distribution of final scores."""
    cards = list(period_scorecards(period, user).values("department_id", "department__name_zh",
                                                        "department__name_en", "final_score", "status"))
    depts = {}
    for c in cards:
        d = depts.setdefault(c["department_id"], {"name_zh": c["department__name_zh"] or "",
                                                  "name_en": c["department__name_en"] or "", "scores": [],
                                                  "people": 0, "closed": 0})
        d["people"] += 1
        d["closed"] += c["status"] == "closed"
        if c["final_score"] is not None:
            d["scores"].append(c["final_score"])
    from django.utils import translation

    zh = (translation.get_language() or "en").startswith("zh")
    rows = []
    for d in depts.values():
        s = d["scores"]
        rows.append({"name": (d["name_zh"] or d["name_en"]) if zh else (d["name_en"] or d["name_zh"]) or "—",
                     "people": d["people"], "scored": len(s), "closed": d["closed"],
                     "average": (sum(s) / len(s)).quantize(TWO) if s else None, "median": median(s),
                     "below_60": sum(1 for x in s if x < 60)})
    rows.sort(key=lambda r: str(r["name"]))
    scores = [c["final_score"] for c in cards]
    return {"departments": rows, "distribution": distribution(scores),
            "no_data": sum(1 for s in scores if s is None), "people": len(cards)}


def below_target(period, user, *, issues_per_person=5) -> list[dict]:
    """Per KPI: the people below target, each with the records that did not count (the data quality
    issues behind the number). A fixed number of queries whatever the number of people."""
    visible = period_scorecards(period, user).values("pk")
    values = list(KPIValue.objects.filter(scorecard__in=visible, value__isnull=False)
                  .select_related("kpi", "scorecard__employee").order_by("kpi__position", "kpi__code", "value"))
    below = [v for v in values if v.below_target]
    issues = {}
    for e in (Evidence.objects.filter(kpi_value__in=[v.pk for v in below], ok=False)
              .order_by("kpi_value_id", "pk")):
        lst = issues.setdefault(e.kpi_value_id, [])
        if len(lst) < issues_per_person:
            lst.append(e)
    by_kpi = {}
    for v in below:
        entry = by_kpi.setdefault(v.kpi_id, {"kpi": v.kpi, "people": []})
        entry["people"].append({"value": v, "name": person_name(v.scorecard.employee),
                                "issues": issues.get(v.pk, []), "issue_count": v.records - v.records_ok})
    return list(by_kpi.values())


def recognition_list(period, top=3) -> list[dict]:
    """The top performers of each department in the period (highest final score first); shown to everyone."""
    out = {}
    for sc in period_scorecards(period).filter(final_score__isnull=False).order_by(
            "department__code", "-final_score", "employee__username"):
        key = sc.department_id
        entry = out.setdefault(key, {"department": sc.department, "people": []})
        if len(entry["people"]) < top:
            entry["people"].append(sc)
    return list(out.values())


def own_scorecards(user):
    return (Scorecard.objects.filter(employee=user).select_related("period")
            .order_by("-period__start", "period__kind"))
