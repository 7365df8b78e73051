"""Read-side queries of the CRM: search, duplicates, the customer page, reports and KPI evidence."""

import re
from datetime import timedelta
from difflib import SequenceMatcher

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import OPEN_STAGES, TaskStatusChoices
from .models import Contact, ContactRecord, Customer, FollowUpTask, Opportunity
from .models.customers import mobile_index
from .pinyin import looks_like_pinyin
from .validators import normalize_credit_code, normalize_phone

# ---------------------------------------------------------------- search

_DIGITS = re.compile(r"\D")


def search_q(q: str) -> Q:
    """One search box: name, pinyin (full or initials), phone, credit code / tax number, contact name."""
    q = " ".join((q or "").split())
    if not q:
        return Q()
    cond = Q(name__icontains=q)
    if looks_like_pinyin(q):
        key = q.replace(" ", "").lower()
        cond |= Q(name_pinyin__contains=key) | Q(name_initials__contains=key)
    code = normalize_credit_code(q)
    if 15 <= len(code) <= 20 and code.isalnum():
        cond |= Q(credit_code=code) | Q(tax_number=code)
    digits = _DIGITS.sub("", q)
    if len(digits) >= 7 and len(digits) >= len(q.replace(" ", "").replace("-", "").replace("+", "")) - 1:
        norm = normalize_phone(q)
        bidx = mobile_index(q)
        cond |= Q(phone_norm=norm) | Q(invoice_phone=q)
        if bidx:
            cond |= Exists(Contact.objects.filter(customer_id=OuterRef("pk"), mobile_bidx=bidx))
    cond |= Exists(Contact.objects.filter(customer_id=OuterRef("pk"), name__icontains=q))
    return cond


def customer_search(user, q: str, limit: int | None = None):
    qs = Customer.objects.for_user(user).filter(search_q(q)).select_related("owner")
    return qs[:limit] if limit else qs


# ---------------------------------------------------------------- duplicates

_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "商行", "经营部", "门市部", "店", "厂")


def core_name(name: str) -> str:
    """The distinctive part of a name: no spaces, brackets or legal-form suffix, no leading city name."""
    s = re.sub(r"[\s()（）·.,，]", "", name or "").lower()
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix) + 1:
                s, changed = s[: -len(suffix)], True
    return s


def name_similarity(a: str, b: str) -> float:
    a, b = core_name(a), core_name(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


SIMILAR_NAME = 0.8


def find_duplicates(*, name="", city="", credit_code="", phones=(), exclude_pk=None, limit=10) -> list[dict]:
    """Likely duplicates of a customer about to be saved: [{"customer", "reasons": [str, ...]}], strongest first.

    Same credit code, same phone (the customer's or a contact's mobile), or a very similar name
    in the same city. Looks at every customer, not only the user's: a rep must learn that a
    colleague already serves this company.
    """
    found: dict[int, dict] = {}

    def add(customer, reason):
        entry = found.setdefault(customer.pk, {"customer": customer, "reasons": []})
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)

    base = Customer.objects.active().select_related("owner")
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    code = normalize_credit_code(credit_code)
    if code:
        for c in base.filter(Q(credit_code=code) | Q(tax_number=code))[:limit]:
            add(c, _("same unified social credit code %(code)s") % {"code": code})
    for phone in {p for p in phones if p}:
        norm = normalize_phone(phone)
        bidx = mobile_index(phone)
        cond = Q(phone_norm=norm)
        if bidx:
            cond |= Exists(Contact.objects.filter(customer_id=OuterRef("pk"), mobile_bidx=bidx))
        for c in base.filter(cond)[:limit]:
            add(c, _("same phone number %(phone)s") % {"phone": phone})
    core = core_name(name)
    if core and city:
        probe = core[:2]
        candidates = base.filter(city=city, name__icontains=probe)[:300]
        for c in candidates:
            score = name_similarity(name, c.name)
            if score >= SIMILAR_NAME:
                add(c, _("very similar name in %(city)s (%(score)d%% alike)") % {"city": city,
                                                                                 "score": round(score * 100)})
    result = sorted(found.values(), key=lambda e: -len(e["reasons"]))
    return result[:limit]


# ---------------------------------------------------------------- customer page

def customer_page(customer, user) -> dict:
    now = timezone.now()
    return {
        "contacts": list(customer.contacts.all()),
        "addresses": list(customer.addresses.all()),
        "records": list(customer.records.select_related("created_by", "contact", "opportunity")[:30]),
        "record_count": customer.records.count(),
        "opportunities": list(customer.opportunities.filter(stage__in=OPEN_STAGES).select_related("owner")),
        "closed_opportunities": list(customer.opportunities.exclude(stage__in=OPEN_STAGES)
                                     .select_related("owner").order_by("-closed_at")[:5]),
        "tasks": list(customer.tasks.filter(status=TaskStatusChoices.OPEN).select_related("assignee")),
        "done_tasks": list(customer.tasks.filter(status=TaskStatusChoices.DONE).select_related("assignee")
                           .order_by("-done_at")[:5]),
        "events": list(customer.events.select_related("actor", "from_user", "to_user", "other_customer")[:10]),
        "now": now,
    }


# ---------------------------------------------------------------- KPI evidence (read by performance)

def _fmt(dt):
    return timezone.localtime(dt).strftime("%m-%d %H:%M") if dt else "—"


def kpi_followups_on_time(user, start, end) -> list[dict]:
    """Follow-up tasks of `user` due in [start, end): ok when done by their due time."""
    tasks = (FollowUpTask.objects.filter(assignee=user, due_at__gte=start, due_at__lt=end)
             .exclude(status=TaskStatusChoices.CANCELLED).select_related("customer").order_by("due_at"))
    return [{
        "model": "crm.followuptask", "id": t.pk, "label": f"{t.title} · {t.customer.name}",
        "url": t.customer.get_absolute_url(), "ok": bool(t.done_at and t.done_at <= t.due_at), "value": None,
        "detail": _("due %(due)s, done %(done)s") % {"due": _fmt(t.due_at), "done": _fmt(t.done_at)},
    } for t in tasks]


def kpi_contact_entry_timeliness(user, start, end) -> list[dict]:
    """Contact records entered by `user` in [start, end): ok when entered within 24 h of the contact."""
    records = (ContactRecord.objects.filter(created_by=user, created_at__gte=start, created_at__lt=end)
               .select_related("customer").order_by("created_at"))
    return [{
        "model": "crm.contactrecord", "id": r.pk, "label": f"{r.get_channel_display()} · {r.customer.name}",
        "url": r.customer.get_absolute_url(), "ok": r.created_at - r.occurred_at <= timedelta(hours=24),
        "value": None,
        "detail": _("happened %(at)s, entered %(entered)s") % {"at": _fmt(r.occurred_at),
                                                              "entered": _fmt(r.created_at)},
    } for r in records]


# ---------------------------------------------------------------- dashboard numbers

def rep_summary(user) -> dict:
    now = timezone.now()
    tasks = FollowUpTask.objects.filter(assignee=user, status=TaskStatusChoices.OPEN)
    agg = tasks.aggregate(overdue=Count("pk", filter=Q(due_at__lt=now)),
                          today=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(days=1))))
    pipeline = (Opportunity.objects.for_user(user).filter(stage__in=OPEN_STAGES)
                .aggregate(n=Count("pk"), total=Sum("amount"), weighted=Sum(F("amount") * F("probability") / 100)))
    return {**agg, "open_opps": pipeline["n"], "pipeline": pipeline["total"] or 0}


def pipeline_totals(qs) -> dict:
    rows = qs.order_by().values("stage").annotate(n=Count("pk"), total=Sum("amount"))
    return {r["stage"]: {"n": r["n"], "total": r["total"] or 0} for r in rows}
