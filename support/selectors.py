"""Read-side queries of the support app: reports, summaries and the KPI evidence for `performance`."""

from collections import Counter, defaultdict
from datetime import timedelta
from statistics import median

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import TicketCategory
from .models import Suggestion, Ticket
from .workcal import WorkingCalendar


def percentile(values, p):
    """The p-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _hours(minutes):
    return round(minutes / 60, 1) if minutes is not None else None


def _stats(minutes_list):
    return {"n": len(minutes_list), "median_h": _hours(median(minutes_list)) if minutes_list else None,
            "p90_h": _hours(percentile(minutes_list, 90))}


def ticket_report(start, end, *, category=None, now=None) -> dict:
    """Helpdesk numbers for tickets opened in [start, end): counts by category and month, first-response and
    resolution times in working hours (median, 90th percentile), breach rates, satisfaction, per IT person."""
    now = now or timezone.now()
    qs = Ticket.objects.filter(created_at__gte=start, created_at__lt=end).select_related("assignee")
    if category:
        qs = qs.filter(category=category)
    cal = WorkingCalendar()
    tickets = list(qs.only("pk", "created_at", "category", "status", "assignee", "first_response_at", "resolved_at",
                           "response_due", "resolution_due", "rating"))
    by_category = Counter(t.category for t in tickets)
    by_month = Counter(timezone.localtime(t.created_at).strftime("%Y-%m") for t in tickets)
    response_m, resolution_m = [], []
    breached_resp = breached_res = counted_resp = counted_res = 0
    people = defaultdict(lambda: {"assigned": 0, "resolved": 0, "resolution_m": [], "breached": 0, "counted": 0,
                                  "ratings": []})
    for t in tickets:
        p = people[t.assignee] if t.assignee_id else None
        if p is not None:
            p["assigned"] += 1
        if t.first_response_at:
            response_m.append(cal.working_minutes_between(t.created_at, t.first_response_at))
        if t.resolved_at:
            minutes = cal.working_minutes_between(t.created_at, t.resolved_at)
            resolution_m.append(minutes)
            if p is not None:
                p["resolved"] += 1
                p["resolution_m"].append(minutes)
        if t.response_due and (t.first_response_at or now > t.response_due):
            counted_resp += 1
            breached_resp += t.response_breached(now)
        if t.resolution_due and (t.resolved_at or now > t.resolution_due):
            counted_res += 1
            breached = t.resolution_breached(now)
            breached_res += breached
            if p is not None:
                p["counted"] += 1
                p["breached"] += breached
        if t.rating and p is not None:
            p["ratings"].append(t.rating)
    ratings = [t.rating for t in tickets if t.rating]
    per_person = []
    for user, p in sorted(people.items(), key=lambda kv: -kv[1]["assigned"]):
        per_person.append({
            "user": user.get_full_name() or user.username, "user_id": user.pk, "assigned": p["assigned"],
            "resolved": p["resolved"], **{f"resolution_{k}": v for k, v in _stats(p["resolution_m"]).items()},
            "breach_rate": round(100 * p["breached"] / p["counted"], 1) if p["counted"] else None,
            "satisfaction": round(sum(p["ratings"]) / len(p["ratings"]), 2) if p["ratings"] else None,
            "ratings": len(p["ratings"])})
    labels = dict(TicketCategory.choices)
    return {
        "start": start, "end": end, "total": len(tickets),
        "open": sum(1 for t in tickets if t.is_open),
        "by_category": [{"key": k, "label": str(labels.get(k, k)), "count": by_category.get(k, 0)}
                        for k in labels if by_category.get(k)],
        "by_month": [{"month": m, "count": c} for m, c in sorted(by_month.items())],
        "first_response": _stats(response_m), "resolution": _stats(resolution_m),
        "response_breach_rate": round(100 * breached_resp / counted_resp, 1) if counted_resp else None,
        "resolution_breach_rate": round(100 * breached_res / counted_res, 1) if counted_res else None,
        "satisfaction": round(sum(ratings) / len(ratings), 2) if ratings else None, "ratings": len(ratings),
        "rating_counts": [Counter(ratings).get(i, 0) for i in range(1, 6)],
        "per_person": per_person,
    }


def top_suggestions(limit=5):
    return list(Suggestion.objects.exclude(status__in=[Suggestion.Status.DONE, Suggestion.Status.DECLINED])
                .order_by("-vote_count", "-created_at")[:limit])


def suggestion_summary() -> dict:
    rows = Suggestion.objects.values("status").annotate(n=Count("id"))
    counts = {r["status"]: r["n"] for r in rows}
    return {"by_status": [{"status": s, "label": label, "count": counts.get(s, 0)}
                          for s, label in Suggestion.Status.choices], "total": sum(counts.values())}


def open_ticket_counts() -> dict:
    now = timezone.now()
    return Ticket.objects.open().aggregate(open=Count("id"), overdue=Count("id", filter=Q(resolution_due__lt=now)),
                                           avg_rating=Avg("rating"))


# --- KPI evidence (read by `performance`; see docs/developing.md) ----------------------------------------

def _ticket_detail(t):
    due = timezone.localtime(t.resolution_due).strftime("%m-%d %H:%M") if t.resolution_due else "—"
    done = timezone.localtime(t.resolved_at).strftime("%m-%d %H:%M") if t.resolved_at else "—"
    return str(_("due %(due)s, resolved %(done)s") % {"due": due, "done": done})


def kpi_tickets_sla_met(user, start, end) -> list[dict]:
    """IT staff: tickets assigned to the user and resolved in [start, end): ok = resolved within the target."""
    tickets = Ticket.objects.filter(assignee=user, resolved_at__gte=start, resolved_at__lt=end,
                                    resolution_due__isnull=False).order_by("resolved_at")
    return [{"model": "support.ticket", "id": t.pk, "label": f"{t.number} {t.subject}",
             "url": reverse("support:ticket", args=[t.pk]), "ok": t.resolved_at <= t.resolution_due, "value": None,
             "detail": _ticket_detail(t)} for t in tickets]


def kpi_ticket_satisfaction(user, start, end) -> list[dict]:
    """IT staff: ratings (1–5) of the user's tickets closed in [start, end)."""
    tickets = Ticket.objects.filter(assignee=user, rating__isnull=False, closed_at__gte=start,
                                    closed_at__lt=end).order_by("closed_at")
    return [{"model": "support.ticket", "id": t.pk, "label": f"{t.number} {t.subject}",
             "url": reverse("support:ticket", args=[t.pk]), "ok": t.rating >= 4, "value": t.rating,
             "detail": t.rating_comment[:100]} for t in tickets]


def default_period(days=90):
    end = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return end - timedelta(days=days), end
