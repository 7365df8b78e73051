"""The data quality page's numbers: records missing required business fields, likely duplicate customers,
stale records, rejected change requests and import errors per person.

Every function takes a `Scope` (period, staleness threshold, the people looked at) and runs a fixed number
of queries whatever the number of records. The performance KPIs `kpi_change_requests_rejected` and
`kpi_import_errors` (governance.selectors) read `decided_change_requests` and `imports` too, so the page and
the review count the same records.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.cache import get_or_load

from .models import ChangeRequest, ImportLog

DEFAULT_STALE_MONTHS = 6
DEFAULT_PERIOD_DAYS = 90


@dataclass
class Scope:
    start: datetime.datetime  # the period [start, end) of change requests and imports
    end: datetime.datetime
    months: int = DEFAULT_STALE_MONTHS  # a record with no activity for this many months is stale
    user_ids: list[int] | None = None  # None: everyone; else the people (a department or one person) looked at
    now: datetime.datetime = field(default_factory=timezone.now)

    @property
    def stale_since(self) -> datetime.datetime:
        return self.now - datetime.timedelta(days=round(self.months * 30.44))


def users_of(*, department=None, person=None) -> list[int] | None:
    """The user ids a department (with its sub-departments) or a person stands for; None for everyone."""
    if person is not None:
        return [person.pk]
    if department is None:
        return None
    Department = apps.get_model("core", "Department")
    depts, frontier = {department.pk}, [department.pk]
    while frontier:  # the tree is shallow: one query per level
        frontier = list(Department.objects.filter(parent_id__in=frontier).exclude(pk__in=depts)
                        .values_list("pk", flat=True))
        depts.update(frontier)
    return list(get_user_model().objects.filter(employee__department_id__in=depts).values_list("pk", flat=True))


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# ---------------------------------------------------------------- record checks

def _customers(scope):
    Customer = _model("crm.Customer")
    qs = Customer.objects.active()
    if scope.user_ids is not None:
        qs = qs.filter(Q(owner_id__in=scope.user_ids) | Q(owner__isnull=True, created_by_id__in=scope.user_ids))
    return qs


def _has_contact():
    return Exists(_model("crm.Contact").objects.filter(customer_id=OuterRef("pk")))


def _products(scope):
    return _model("inventory.Product").objects.filter(active=True)




def _customer_stale(scope):
    since = scope.stale_since
    qs = _customers(scope).filter(created_at__lt=since).filter(Q(last_contact_at__isnull=True)
                                                               | Q(last_contact_at__lt=since))
    SalesOrder = _model("orders.SalesOrder")
    if SalesOrder is not None:
        qs = qs.exclude(Exists(SalesOrder.objects.filter(customer_id=OuterRef("pk"), created_at__gte=since)))
    return qs


def _product_stale(scope):
    since = scope.stale_since
    Movement = _model("inventory.StockMovement")
    return _products(scope).filter(created_at__lt=since).exclude(
        Exists(Movement.objects.filter(product_id=OuterRef("pk"), occurred_at__gte=since)))


@dataclass(frozen=True)
class Check:
    key: str
    group: str  # missing | stale
    record: str  # customer | product
    title: object
    hint: object
    queryset: object  # scope -> QuerySet

    @property
    def available(self) -> bool:
        return _model("crm.Customer" if self.record == "customer" else "inventory.Product") is not None


CHECKS = {c.key: c for c in [
    Check("customer_no_credit_code", "missing", "customer", _("Companies without a unified social credit code"),
          _("Needed on invoices and to recognise the same company twice."),
          lambda s: _customers(s).filter(kind="company", credit_code="")),
    Check("customer_no_contact", "missing", "customer", _("Customers without a contact person"),
          _("Nobody to call: add at least one contact."),
          lambda s: _customers(s).exclude(_has_contact())),
    Check("customer_no_region", "missing", "customer", _("Customers without a province or city"),
          _("The regional reports and duplicate checks need both."),
          lambda s: _customers(s).filter(Q(province="") | Q(city=""))),
    Check("customer_no_owner", "missing", "customer", _("Customers without an owner"),
          _("No sales rep follows them up; filtered by who created them."),
          lambda s: _customers(s).filter(owner__isnull=True)),
    Check("product_no_barcode", "missing", "product", _("Products without a barcode of their own"),
          _("Only the internal HW code printed on our labels; enter the manufacturer's EAN-13 if there is one."),
          lambda s: import_string("inventory.selectors.without_own_barcode")(_products(s))),
    Check("product_no_cost", "missing", "product", _("Products without a standard cost"),
          _("Margins and stock values are wrong while the cost is zero."),
          lambda s: _products(s).filter(standard_cost=0)),
    Check("product_no_price", "missing", "product", _("Products without a list price"),
          _("Quotations start from the list price."),
          lambda s: _products(s).filter(list_price=0)),
    Check("product_broad_category", "missing", "product", _("Products in a category that has sub-categories"),
          _("File them under the most precise category so that search and forecasts group them right."),
          lambda s: _products(s).filter(Exists(_model("inventory.Category").objects.filter(
              parent_id=OuterRef("category_id"))))),
    Check("customer_stale", "stale", "customer", _("Customers without contact or order"),
          _("No contact record and no sales order for the chosen number of months."),
          _customer_stale),
    Check("product_stale", "stale", "product", _("Products without stock movement"),
          _("Nothing received, shipped, moved or counted for the chosen number of months."),
          _product_stale),
]}


def check_counts(scope) -> list[dict]:
    """[{"check", "count"}] for every available check: one COUNT query each."""
    return [{"check": c, "count": c.queryset(scope).count()} for c in CHECKS.values() if c.available]


def missing_fields(customer_or_product, record: str) -> list[str]:
    """The required business fields one record lacks (for the drill-down list; the row must carry the
    annotations `check_rows` adds)."""
    obj, out = customer_or_product, []
    if record == "customer":
        if obj.kind == "company" and not obj.credit_code:
            out.append(_("credit code"))
        if not obj.has_contact:
            out.append(_("contact"))
        if not obj.province or not obj.city:
            out.append(_("region"))
        if obj.owner_id is None:
            out.append(_("owner"))
    else:
        if not import_string("inventory.selectors.has_own_barcode")(obj.barcode):
            out.append(_("barcode"))
        if not obj.standard_cost:
            out.append(_("standard cost"))
        if not obj.list_price:
            out.append(_("list price"))
        if obj.broad_category:
            out.append(_("precise category"))
    return out


def check_rows(check, scope):
    """The records of one check, with what the drill-down shows, in a fixed number of queries."""
    qs = check.queryset(scope)
    if check.record == "customer":
        qs = qs.select_related("owner").annotate(has_contact=_has_contact()).order_by("name", "pk")
        SalesOrder = _model("orders.SalesOrder")
        if SalesOrder is not None:
            qs = qs.annotate(last_order_at=Subquery(SalesOrder.objects.filter(customer_id=OuterRef("pk"))
                                                    .order_by("-created_at").values("created_at")[:1]))
        return qs
    Movement = _model("inventory.StockMovement")
    Category = _model("inventory.Category")
    return qs.select_related("category").annotate(
        broad_category=Exists(Category.objects.filter(parent_id=OuterRef("category_id"))),
        last_movement_at=Subquery(Movement.objects.filter(product_id=OuterRef("pk")).order_by("-occurred_at")
                                  .values("occurred_at")[:1])).order_by("sku")


# ---------------------------------------------------------------- duplicates

DUPLICATES_CACHE_SECONDS = 600


def duplicate_pairs(scope) -> list[dict]:
    """Likely duplicate customers (CRM's rules), pairs with at least one customer of the people looked at.

    The scan reads every customer and contact, so its result is cached for ten minutes under a key that
    changes with any added, edited, merged or deleted customer or contact (two aggregate queries), and
    with the language of the reasons. Without a cache (Redis down) it is computed each time.
    """
    Customer, Contact = _model("crm.Customer"), _model("crm.Contact")
    if Customer is None:
        return []
    likely_duplicate_pairs = import_string("crm.selectors.likely_duplicate_pairs")
    narrow_pairs = import_string("crm.selectors.narrow_pairs")

    c = Customer.objects.aggregate(n=Count("pk"), active=Count("pk", filter=Q(merged_into__isnull=True)),
                                   t=Max("updated_at"))
    k = Contact.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
    key = "governance:quality:duplicates:" + hashlib.sha256(
        f"{get_language()}|{c['n']}|{c['active']}|{c['t']}|{k['n']}|{k['t']}".encode()).hexdigest()[:32]
    pairs = get_or_load(key, likely_duplicate_pairs, DUPLICATES_CACHE_SECONDS)
    return narrow_pairs(pairs, _customers(scope)) if scope.user_ids is not None else pairs


def with_customers(pairs) -> list[dict]:
    """The pairs with their customers (one query): [{"a", "b", "reasons"}]."""
    Customer = _model("crm.Customer")
    ids = {i for p in pairs for i in (p["a_id"], p["b_id"])}
    customers = Customer.objects.select_related("owner").in_bulk(ids)
    return [{"a": customers[p["a_id"]], "b": customers[p["b_id"]], "reasons": p["reasons"]}
            for p in pairs if p["a_id"] in customers and p["b_id"] in customers]


# ---------------------------------------------------------------- people

def decided_change_requests(start, end):
    """Change requests approved or rejected in [start, end) (what a rejection rate counts). By the decision
    time, so that a period's count never changes once it has ended (a request made on the 30th and decided
    on the 2nd counts in the month of its decision)."""
    return ChangeRequest.objects.filter(reviewed_at__gte=start, reviewed_at__lt=end) \
        .exclude(status=ChangeRequest.Status.PENDING)


def imports(start, end):
    """Imports checked in [start, end), each with its rows and refused rows."""
    return ImportLog.objects.filter(created_at__gte=start, created_at__lt=end)


def _person(row, prefix):
    full = f"{row[prefix + '__first_name']} {row[prefix + '__last_name']}".strip()
    return full or row[prefix + "__username"] or "—"


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def change_requests_by_person(scope) -> list[dict]:
    """Per requester: decided requests in the period, how many approved and rejected, the rejection rate (%),
    and how many of the period's requests still wait. Highest rejection count first. Decided requests count
    by their decision time, as `decided_change_requests` and the KPI do."""
    qs = ChangeRequest.objects.filter(
        Q(reviewed_at__gte=scope.start, reviewed_at__lt=scope.end)
        | Q(status=ChangeRequest.Status.PENDING, created_at__gte=scope.start, created_at__lt=scope.end))
    if scope.user_ids is not None:
        qs = qs.filter(requester_id__in=scope.user_ids)
    rows = qs.values("requester_id", "requester__username", "requester__first_name", "requester__last_name") \
        .annotate(rejected=Count("pk", filter=Q(status=ChangeRequest.Status.REJECTED)),
                  approved=Count("pk", filter=Q(status=ChangeRequest.Status.APPROVED)),
                  pending=Count("pk", filter=Q(status=ChangeRequest.Status.PENDING))) \
        .order_by("-rejected", "requester__username")
    out = []
    for r in rows:
        decided = r["rejected"] + r["approved"]
        out.append({"user_id": r["requester_id"], "name": _person(r, "requester"), "decided": decided,
                    "approved": r["approved"], "rejected": r["rejected"], "pending": r["pending"],
                    "rate": _rate(r["rejected"], decided)})
    return out


def imports_by_person(scope) -> list[dict]:
    """Per person: imports checked in the period, rows, refused rows and the error rate (% of rows refused)."""
    qs = imports(scope.start, scope.end)
    if scope.user_ids is not None:
        qs = qs.filter(user_id__in=scope.user_ids)
    rows = qs.values("user_id", "user__username", "user__first_name", "user__last_name") \
        .annotate(n=Count("pk"), with_errors=Count("pk", filter=Q(error_rows__gt=0)), rows=Sum("total_rows"),
                  errors=Sum("error_rows")) \
        .order_by("-errors", "user__username")
    return [{"user_id": r["user_id"], "name": _person(r, "user"), "imports": r["n"],
             "with_errors": r["with_errors"], "rows": r["rows"] or 0, "errors": r["errors"] or 0,
             "rate": _rate(r["errors"] or 0, r["rows"] or 0)} for r in rows]


def import_rows(scope):
    qs = imports(scope.start, scope.end).select_related("user").order_by("-created_at", "-pk")
    if scope.user_ids is not None:
        qs = qs.filter(user_id__in=scope.user_ids)
    return qs
