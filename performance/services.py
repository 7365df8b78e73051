"""Every write of the performance app: periods and their settings, the computation, the scorecard
state machine, adjustments, comments, incentive tiers."""

import datetime
import logging
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.roles import ROLES
from hardware_erp.core.services import lazy_format, notify
from hardware_erp.core.states import StateMachine, Transition

from . import scoring
from .choices import PeriodKindChoices, PeriodStatusChoices
from .choices import ScorecardStatusChoices as S
from .models import (
    KPI,
    Adjustment,
    BonusTier,
    ComputationRun,
    Evidence,
    KPIValue,
    KPIWeight,
    Period,
    PeriodKPI,
    Scorecard,
    ScorecardEvent,
)

log = logging.getLogger(__name__)
User = get_user_model()

REVIEW_PERM = "performance.review_scorecard"
COMPUTE_PERM = "performance.compute_period"
RUN_STALE_AFTER = datetime.timedelta(minutes=15)


# ---------------------------------------------------------------- periods

def period_bounds(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month or quarter holding `day`, as [start, end) dates."""
    if kind == PeriodKindChoices.QUARTER:
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        months = 3
    elif kind == PeriodKindChoices.MONTH:
        start = datetime.date(day.year, day.month, 1)
        months = 1
    else:
        raise BusinessRuleError(_("Unknown period kind."))
    m = start.month - 1 + months
    return start, datetime.date(start.year + m // 12, m % 12 + 1, 1)


@transaction.atomic
def ensure_period(kind: str, day: datetime.date) -> Period:
    """The period of `kind` holding `day`; created with the catalogue's targets, weights and bands."""
    start, end = period_bounds(kind, day)
    period, created = Period.objects.get_or_create(kind=kind, start=start, defaults={"end": end})
    if created:
        weights = KPIWeight.objects.filter(kpi__active=True).select_related("kpi")
        PeriodKPI.objects.bulk_create(PeriodKPI(period=period, kpi=w.kpi, role=w.role, target=w.kpi.target,
                                                weight=w.weight, bands=w.kpi.bands) for w in weights)
    return period


def _check_open(period):
    if period.is_closed:
        raise BusinessRuleError(_("The period %(period)s is closed: its results can no longer be changed.")
                                % {"period": period.label})


@transaction.atomic
def set_period_kpis(period: Period, role: str, rows: dict, *, actor) -> list[PeriodKPI]:
    """Change one role's targets, weights and bands for an open period. `rows` maps PeriodKPI ids to
    {"target", "weight", "bands"}. The weights of the role must sum to exactly 100."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    _check_open(period)
    settings_ = {p.pk: p for p in PeriodKPI.objects.filter(period=period, role=role).select_related("kpi")}
    unknown = set(rows) - set(settings_)
    if unknown:
        raise BusinessRuleError(_("Some rows do not belong to this period and role."))
    errors = []
    for pk, row in rows.items():
        if Decimal(row["target"]) < 0:
            errors.append(_("%(kpi)s: the target cannot be negative.") % {"kpi": settings_[pk].kpi.name})
        if not (0 <= Decimal(row["weight"]) <= 100):
            errors.append(_("%(kpi)s: a weight is between 0 and 100.") % {"kpi": settings_[pk].kpi.name})
    total = sum((Decimal(rows[pk]["weight"]) if pk in rows else s.weight for pk, s in settings_.items()),
                Decimal(0))
    if total != 100:
        errors.append(_("The weights of %(role)s add up to %(total)s%%; they must add up to 100%%.")
                      % {"role": ROLES[role].label if role in ROLES else role, "total": f"{total.normalize():f}"})
    if errors:
        raise BusinessRuleError(errors)
    now = timezone.now()
    for pk, row in rows.items():
        s = settings_[pk]
        s.target, s.weight, s.bands = Decimal(row["target"]), Decimal(row["weight"]), row["bands"]
        s.changed_by, s.changed_at = actor, now
        s.save()
    return list(settings_.values())


@transaction.atomic
def close_period(period: Period, *, actor) -> Period:
    period = Period.objects.select_for_update().get(pk=period.pk)
    _check_open(period)
    if not period.has_ended:
        raise BusinessRuleError(_("The period %(period)s has not ended yet.") % {"period": period.label})
    open_cards = list(period.scorecards.exclude(status=S.CLOSED)
                      .select_related("employee__employee__department"))
    blocking = [sc for sc in open_cards if not has_no_reviewer(sc)]
    if blocking:
        raise BusinessRuleError(ngettext("%(n)s scorecard of this period is not closed yet; close it first.",
                                         "%(n)s scorecards of this period are not closed yet; close them first.",
                                         len(blocking)) % {"n": len(blocking)})
    now = timezone.now()
    for sc in open_cards:  # nobody reviews the top of the hierarchy: closing the period confirms those
        src = sc.status
        sc.status, sc.closed_at = S.CLOSED, now
        sc.save()
        ScorecardEvent.objects.create(scorecard=sc, kind=ScorecardEvent.Kind.TRANSITION, from_status=src,
                                      to_status=S.CLOSED, actor=actor)
    period.status, period.closed_at, period.closed_by = PeriodStatusChoices.CLOSED, timezone.now(), actor
    period.save()
    return period


# ---------------------------------------------------------------- computation

def primary_role(user, roles_with_kpis) -> str | None:
    """The first of the user's roles (in the order of core.roles.ROLES) that has KPIs in the period."""
    names = {g.name for g in user.groups.all()}
    for key, role in ROLES.items():
        if role.group in names and key in roles_with_kpis:
            return key
    return None


def collect_evidence(kpi: KPI, user, start, end) -> tuple[list[dict], list[str]]:
    """Call each selector the KPI names; selectors whose app has not landed are listed as missing."""
    rows, missing = [], []
    for path in kpi.sources:
        try:
            fn = import_string(path)
        except ImportError:
            missing.append(path)
            continue
        rows.extend(fn(user, start, end) or [])
    return rows, missing


def _evidence_row(row: dict) -> dict:
    ok = row.get("ok")
    return {"model": str(row.get("model", ""))[:100], "object_id": str(row.get("id", ""))[:64],
            "label": str(row.get("label", ""))[:300], "url": str(row.get("url") or "")[:500],
            "ok": None if ok is None else bool(ok), "value": scoring.dec(row.get("value")),
            "detail": str(row.get("detail") or "")[:500]}


def _evidence_order(row):
    """A stable order whatever order the selectors return: record type, then id (numerically)."""
    oid = row["object_id"]
    return row["model"], (0, int(oid), "") if oid.isdigit() else (1, 0, oid)


def compute_scorecard_values(scorecard: Scorecard, settings_: list[PeriodKPI], start, end, now):
    """Evaluate each KPI for one person; returns [(KPIValue, [evidence dicts])] (unsaved)."""
    out = []
    for s in settings_:
        rows, missing = collect_evidence(s.kpi, scorecard.employee, start, end)
        value, n, ok = scoring.aggregate(s.kpi.aggregation, rows)
        score = scoring.band_score(scoring.achievement(value, s.target, s.kpi.direction), s.bands)
        out.append((KPIValue(scorecard=scorecard, kpi=s.kpi, value=value, records=n, records_ok=ok,
                             target=s.target, weight=s.weight, score=score, missing_sources=missing,
                             computed_at=now), sorted((_evidence_row(r) for r in rows), key=_evidence_order)))
    return out


def _running(period) -> bool:
    return period.runs.filter(finished_at__isnull=True, started_at__gte=timezone.now() - RUN_STALE_AFTER).exists()


def check_computable(period: Period):
    _check_open(period)
    if _running(period):
        raise BusinessRuleError(_("A computation of %(period)s is already running; wait for it to finish.")
                                % {"period": period.label})


def compute_period(period: Period, *, actor=None, users=None) -> ComputationRun:
    """Compute every person's KPI values of an open period and store them with their evidence.

    Each scorecard's values and evidence are replaced in one transaction, so a reader sees either the
    old or the new ones; the run records when and by whom, and every stored value that changed.
    Closed scorecards are kept as they are. Computing again on the same records gives the same result.
    """
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        check_computable(period)
        run = ComputationRun.objects.create(period=period, actor=actor)
    try:
        _compute(period, run, users)
    except Exception:
        ComputationRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        raise
    return run


def _compute(period, run, users):
    start, end = period.bounds()
    # computed before the period ends: only what was due by now counts (a task due next week is not late yet)
    end = min(end, timezone.now())
    by_role = {}
    for s in PeriodKPI.objects.filter(period=period, kpi__active=True).select_related("kpi"):
        by_role.setdefault(s.role, []).append(s)
    people = (User.objects.filter(is_active=True, employee__isnull=False)
              .select_related("employee").prefetch_related("groups").order_by("pk"))
    if users is not None:
        people = people.filter(pk__in=[u.pk for u in users])
    existing = {sc.employee_id: sc for sc in Scorecard.objects.filter(period=period)}
    changes, n_people, n_values, skipped = [], 0, 0, 0
    for user in people:
        role = primary_role(user, by_role)
        if role is None:
            continue
        sc = existing.get(user.pk)
        if sc is not None and sc.is_closed:
            skipped += 1
            continue
        with transaction.atomic():
            changes.extend(_compute_one(period, user, role, sc, by_role[role], start, end, run))
        n_people += 1
        n_values += len(by_role[role])
    with transaction.atomic():
        Period.objects.filter(pk=period.pk).update(computed_at=timezone.now())
        ComputationRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), people=n_people,
                                                        values=n_values, skipped_closed=skipped, changes=changes)
    run.refresh_from_db()
    log.info("computed %s: %d people, %d values, %d closed kept, %d changed", period, n_people, n_values,
             skipped, len(changes))


def _compute_one(period, user, role, sc, settings_, start, end, run):
    now = timezone.now()
    if sc is None:
        sc = Scorecard.objects.create(period=period, employee=user, role=role,
                                      department=user.employee.department)
        old = {}
    else:
        sc = Scorecard.objects.select_for_update().get(pk=sc.pk)
        if sc.is_closed:
            return []
        old = {v.kpi_id: (v.value, v.score) for v in sc.values.all()}
    computed = compute_scorecard_values(sc, settings_, start, end, now)
    sc.values.all().delete()
    values = KPIValue.objects.bulk_create([v for v, _rows in computed])
    Evidence.objects.bulk_create(Evidence(kpi_value=v, **row)
                                 for v, (_unsaved, rows) in zip(values, computed, strict=True) for row in rows)
    total, coverage = scoring.weighted_total((v.score, v.weight) for v in values)
    changes = []
    for v in values:
        before = old.get(v.kpi_id)
        if before is not None and before != (v.value, v.score):
            changes.append({"user": user.username, "kpi": v.kpi.code, "old": _s(before[0]), "new": _s(v.value),
                            "old_score": _s(before[1]), "new_score": _s(v.score)})
    first = not old
    sc.role, sc.computed_score, sc.coverage, sc.computed_at = role, total, coverage, now
    sc.department = sc.department or user.employee.department
    sc.final_score = None if total is None else total + sc.adjustment
    sc.save()
    if first or changes:
        # language-neutral: ScorecardEvent.display_note words it in the reader's language
        note = "" if first else "; ".join(f"{c['kpi']} {c['old'] or '—'} → {c['new'] or '—'}" for c in changes)
        ScorecardEvent.objects.create(scorecard=sc, kind=ScorecardEvent.Kind.COMPUTED, actor=run.actor, note=note)
    return changes


def _s(d):
    return None if d is None else f"{d:f}"


# ---------------------------------------------------------------- the scorecard state machine

# Who may start each move: "reviewer" (the person's manager, REVIEW_PERM) or "employee" (the person). At the top of
# the hierarchy nobody reviews the person (the general manager): they confirm their own scorecard in one step.
MACHINE = StateMachine([
    Transition({S.DRAFT, S.DISPUTED}, S.SHARED, REVIEW_PERM, gettext_lazy("Share with the employee")),
    Transition({S.SHARED}, S.ACKNOWLEDGED, "performance.view_scorecard", gettext_lazy("Acknowledge")),
    Transition({S.SHARED}, S.DISPUTED, "performance.view_scorecard", gettext_lazy("Dispute"), style="danger"),
    Transition({S.ACKNOWLEDGED, S.DISPUTED}, S.CLOSED, REVIEW_PERM, gettext_lazy("Close the scorecard"),
               style="success"),
])
SELF_CONFIRM = Transition({S.DRAFT, S.SHARED}, S.CLOSED, REVIEW_PERM,
                          gettext_lazy("Confirm and close (no reviewer above you)"), style="success")
MACHINE.transitions.append(SELF_CONFIRM)
MACHINE.by_target[S.CLOSED].append(SELF_CONFIRM)
WHO = {S.SHARED: "reviewer", S.ACKNOWLEDGED: "employee", S.DISPUTED: "employee", S.CLOSED: "reviewer"}
EDITABLE = (S.DRAFT, S.SHARED, S.DISPUTED)


def has_no_reviewer(scorecard: Scorecard) -> bool:
    """The top of the hierarchy: no line manager and no other department head above the person."""
    employee = getattr(scorecard.employee, "employee", None)
    if employee is None or employee.manager_id not in (None, scorecard.employee_id):
        return False
    head_id = employee.department.head_id if employee.department_id else None
    return head_id in (None, scorecard.employee_id)


def can_review(user, scorecard: Scorecard) -> bool:
    """A reviewer of this scorecard: holds the review permission, is not the person, and sees it."""
    if not user.has_perm(REVIEW_PERM) or scorecard.employee_id == user.pk:
        return False
    return Scorecard.objects.for_user(user).filter(pk=scorecard.pk).exists()


def _refusal(sc, t: Transition, user) -> str:
    """Why `user` may not make the move `t` on `sc` ("" when allowed)."""
    who = WHO[t.target]
    if t is SELF_CONFIRM:
        if sc.employee_id != user.pk or not has_no_reviewer(sc):
            return _("Only the person at the top of the hierarchy confirms their own scorecard.")
    elif who == "employee" and sc.employee_id != user.pk:
        return _("Only %(name)s can acknowledge or dispute this scorecard.") % {
            "name": sc.employee.get_full_name() or sc.employee.username}
    elif who == "reviewer" and not can_review(user, sc):
        return _("Only the employee's manager can do this.")
    if t.target == S.SHARED and sc.computed_at is None:
        return _("Compute the period before sharing the scorecard.")
    return ""


def actions(scorecard: Scorecard, user) -> list:
    """The scorecard's buttons for `user`: those the user may press, and withheld ones with their reason
    (buttons meant for someone else are left out)."""
    out = []
    for a in MACHINE.actions(scorecard, user, extra_check=lambda t: _refusal(scorecard, t, user)):
        t = a.transition
        mine = (t is SELF_CONFIRM and scorecard.employee_id == user.pk and has_no_reviewer(scorecard)) or (
            t is not SELF_CONFIRM and (scorecard.employee_id == user.pk) == (WHO[t.target] == "employee"))
        if mine:
            out.append(a)
    return out


def allowed_transitions(scorecard: Scorecard, user) -> list[str]:
    return [a.target for a in actions(scorecard, user) if a.allowed]


def _check_editable(scorecard):
    if scorecard.is_closed:
        raise BusinessRuleError(_("This scorecard is closed and can no longer be changed."))


@transaction.atomic
def transition(scorecard: Scorecard, to: str, *, actor, note: str = "") -> Scorecard:
    """Move a scorecard to another status: checks the allowed source status and who may do it,
    and writes the event row."""
    sc = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    note = (note or "").strip()
    _check_editable(sc)
    t = MACHINE.find(sc, to)
    if t is SELF_CONFIRM and not (sc.employee_id == actor.pk and has_no_reviewer(sc)):
        t = None  # closing without review exists only for the top of the hierarchy
    if t is None:
        raise BusinessRuleError(_("A scorecard that is “%(from)s” cannot become “%(to)s”.")
                                % {"from": S(sc.status).label, "to": S(to).label if to in S.values else to})
    reason = "" if actor.has_perm(t.permission) else _("Only the employee's manager can do this.")
    reason = reason or _refusal(sc, t, actor)
    if reason:
        raise BusinessRuleError(reason)
    if to == S.DISPUTED and not note:
        raise BusinessRuleError(_("Say what you disagree with: a dispute needs a comment."))
    src = sc.status
    sc.status = to
    if WHO[to] == "employee" and note:
        sc.employee_comment = note
    if to == S.CLOSED:
        sc.closed_at = timezone.now()
    sc.save()
    event = ScorecardEvent.objects.create(scorecard=sc, kind=ScorecardEvent.Kind.TRANSITION, from_status=src,
                                          to_status=to, actor=actor, note=note)
    _tell(sc, to, actor, event)
    return sc


def _lazy_message(msgid, **params):
    """A gettext_noop message rendered in each recipient's language when notify() renders it."""
    return lazy_format(gettext_lazy(msgid), **params)


def _tell(sc, to, actor, event):
    period, link = sc.period.label, sc.get_absolute_url()
    name = sc.employee.get_full_name() or sc.employee.username
    if to == S.SHARED:
        notify(sc.employee, _lazy_message(gettext_noop(
            "Your scorecard for %(period)s is ready: read it and acknowledge or dispute it."), period=period),
               link, key=f"scorecard:{event.pk}")
    elif to in (S.ACKNOWLEDGED, S.DISPUTED):
        manager = User.objects.filter(pk=sc.employee.employee.manager_id).first()
        msg = (gettext_noop("%(name)s acknowledged the scorecard for %(period)s.") if to == S.ACKNOWLEDGED else
               gettext_noop("%(name)s disputes the scorecard for %(period)s."))
        notify([manager] if manager else [], _lazy_message(msg, name=name, period=period), link,
               level="warning" if to == S.DISPUTED else "info", key=f"scorecard:{event.pk}")


@transaction.atomic
def adjust_scorecard(scorecard: Scorecard, *, points, reason: str, actor, kpi=None) -> Adjustment:
    """A manager adds or takes points from the total; the reason is required and kept."""
    sc = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    _check_editable(sc)
    if sc.status not in EDITABLE:
        raise BusinessRuleError(_("The employee has acknowledged this scorecard; it can only be closed now."))
    if not can_review(actor, sc):
        raise BusinessRuleError(_("Only the employee's manager can adjust this scorecard."))
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(_("An adjustment needs a reason."))
    points = scoring.dec(points)
    if points is None or points == 0:
        errors.append(_("Enter the points to add (positive) or take away (negative)."))
    elif sc.computed_score is None:
        errors.append(_("There is no computed score to adjust: no KPI has data for this person."))
    elif not (0 <= sc.computed_score + sc.adjustment + points <= 150):
        errors.append(_("The adjusted score must stay between 0 and 150."))
    if errors:
        raise BusinessRuleError(errors)
    adj = Adjustment.objects.create(scorecard=sc, kpi=kpi, points=points, reason=reason, actor=actor)
    sc.adjustment += points
    sc.final_score = sc.computed_score + sc.adjustment
    sc.save()
    ScorecardEvent.objects.create(scorecard=sc, kind=ScorecardEvent.Kind.ADJUSTMENT, actor=actor,
                                  note=f"{points:+} · {reason}")
    return adj


@transaction.atomic
def comment_scorecard(scorecard: Scorecard, *, text: str, actor) -> Scorecard:
    """The manager's comment on the scorecard (kept in the history too)."""
    sc = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    _check_editable(sc)
    if not can_review(actor, sc):
        raise BusinessRuleError(_("Only the employee's manager can comment on this scorecard."))
    text = (text or "").strip()
    if not text:
        raise BusinessRuleError(_("Write a comment first."))
    sc.manager_comment = text
    sc.save()
    ScorecardEvent.objects.create(scorecard=sc, kind=ScorecardEvent.Kind.COMMENT, actor=actor, note=text)
    return sc


# ---------------------------------------------------------------- incentives

@transaction.atomic
def save_bonus_tier(tier: BonusTier | None, *, name_zh, name_en, min_score, bonus, points, actor) -> BonusTier:
    min_score = scoring.dec(min_score)
    clash = BonusTier.objects.filter(min_score=min_score)
    if tier is not None and tier.pk:
        clash = clash.exclude(pk=tier.pk)
    if clash.exists():
        raise BusinessRuleError(_("Another tier starts at %(score)s already.") % {"score": min_score})
    tier = tier or BonusTier()
    tier.name_zh, tier.name_en, tier.min_score, tier.bonus, tier.points = name_zh, name_en, min_score, bonus, points
    tier.save()
    return tier
