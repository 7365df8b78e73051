"""Query counts that must not grow with the rows: shared by tests/perf/test_query_counts.py and
`python -m bench querycounts`.

Every list page (`ERPListView` without URL arguments) is rendered once with `FEW` of its rows and once with
`many` (more than a page); the rows are the list's own, made by copying a row the demo data put there (unique
fields given new values, the rows they must differ in copied along), and the page's queryset is narrowed to
exactly those rows. Report pages are rendered over the demo data, then again after `many` copies of the rows
they aggregate have been added (same dates: back-dating copies one field at a time made records that end
before they start, since `auto_now_add` fields take the time of the insert).
"""

import collections
import copy
import datetime
import itertools
import random
from decimal import Decimal
from unittest import mock

from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hardware_erp.core.views import ERPListView

FEW = 10
_serial = itertools.count(random.randrange(1, 50000))  # new unique values never repeat (and rarely across runs)
_day_serials = collections.defaultdict(itertools.count)  # (model, date field) -> days back of its next copy
# report pages (no URL arguments) and the models whose rows they aggregate
REPORTS = {
    "crm:reports": ["crm.Customer", "crm.Opportunity", "crm.ContactRecord"],
    "orders:analytics": ["orders.SalesOrder", "orders.OrderLine"],
    "orders:receivables": ["orders.SalesOrder"],
    "support:report": ["support.Ticket"],
    "training:progress": ["training.Enrollment"],
    "performance:dashboard": ["performance.Scorecard"],
}


def _backup_run():
    from governance.models import BackupRun

    BackupRun.objects.create(kind=BackupRun.Kind.values[0], ok=True, file_name="hwerp-demo.dump", size_bytes=1024)


def _agreement_acceptance():
    from django.contrib.auth import get_user_model

    from governance.models import AgreementAcceptance, AgreementVersion

    version = AgreementVersion.objects.first() or AgreementVersion.objects.create(
        version="bench-1", title_zh="保密协议", title_en="Confidentiality", body_zh="内容", body_en="Text",
        published_at=None)  # not published: nobody is asked to accept it
    AgreementAcceptance.objects.create(user=get_user_model().objects.order_by("pk").first(), version=version)


def _still_stock():
    from django.utils import timezone

    from inventory.models import StockLevel

    old = timezone.now() - datetime.timedelta(days=400)
    StockLevel.objects.filter(pk__in=StockLevel.objects.filter(on_hand__gt=0).order_by("pk").values("pk")[:3]) \
        .update(last_movement_at=old)


# lists the demo data leaves empty: one row made by hand, then copied like the others
STARTERS = {"governance:backuprun_list": _backup_run, "governance:agreementacceptance_list": _agreement_acceptance,
            "inventory:no_movement": _still_stock}


def list_pages():
    """(url name, view class) of every ERPListView that takes no URL arguments."""
    out = []

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.regex.groups and "<" not in str(p.pattern):
                cls = getattr(p.callback, "view_class", None)
                if cls is not None and issubclass(cls, ERPListView):
                    out.append((f"{ns}{p.name}", cls))

    walk(get_resolver().url_patterns)
    return sorted(set(out), key=lambda x: x[0])


def _unique_sets(model):
    meta = model._meta
    sets = [[f] for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += [[meta.get_field(n) for n in names] for names in meta.unique_together]
    sets += [[meta.get_field(n) for n in c.fields] for c in meta.constraints
             if isinstance(c, models.UniqueConstraint) and c.fields]
    return sets


def _new_value(obj, field, i):
    value = getattr(obj, field.attname)
    if value is None:
        return None
    if isinstance(field, models.EmailField):
        return f"c{i}.{value}"[:field.max_length]
    if isinstance(field, (models.CharField, models.TextField)):
        suffix = f"~{i}"
        keep = (field.max_length or 100) - len(suffix)
        return f"{value[:keep]}{suffix}"
    if isinstance(field, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(field, (models.DateTimeField, models.DateField)):
        # before anything the demo data dates, a day apart: counted per field, since the shared serial passes the
        # 730,000 days back to year 1 after some 70 pages of 10,000 copies (4 roles)
        return value - datetime.timedelta(days=3650 + next(_day_serials[(field.model, field.attname)]))
    if isinstance(field, models.DecimalField):  # within its digits, ending in 7 (no demo value does)
        return Decimal((i % 10 ** (field.max_digits - 1)) * 10 + 7).scaleb(-field.decimal_places)
    if isinstance(field, (models.SmallIntegerField, models.PositiveSmallIntegerField)):
        return 1000 + i % 30000
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return value + 100000 + i
    return value


def _pick(fields, keep=()):
    """The field of a unique set to change: a plain value (not a choice) if there is one, else a relation; never
    one of `keep` (the parent a detail page's rows must stay under) unless the set holds nothing else."""
    fields = [f for f in fields if f.attname not in keep] or fields
    plain = [f for f in fields if not f.is_relation and not f.choices and not isinstance(f, models.BooleanField)]
    return (plain or [f for f in fields if f.is_relation] or fields)[0]


def copies(obj, n, *, depth=0, keep=()):
    """`n` unsaved copies of `obj`: unique fields changed (but not those named in `keep`); where a unique set holds
    only relations, the related rows are copied too (saved, in one bulk insert per relation)."""
    if depth > 3:
        raise RuntimeError(f"cannot copy {obj!r}: its unique relations go too deep")
    picked = [_pick(fields, keep) for fields in _unique_sets(type(obj))]
    related = {}
    for f in picked:
        target = getattr(obj, f.name) if f.is_relation and getattr(obj, f.attname) is not None else None
        if target is not None and f.attname not in related:
            made = type(target)._default_manager.bulk_create(copies(target, n, depth=depth + 1), batch_size=2000)
            related[f.attname] = [t.pk for t in made]
    out = []
    for k in range(n):
        i = next(_serial)
        new = copy.copy(obj)
        new._state = copy.copy(obj._state)
        new._state.adding, new._state.db = True, None
        new._state.fields_cache = {}
        new.pk = None
        for f in picked:
            setattr(new, f.attname, related[f.attname][k] if f.attname in related else _new_value(obj, f, i))
        out.append(new)
    return out


def sign_in(client, user):
    """Sign `user` in with the account gates passed (second factor verified, agreement accepted)."""
    from governance import accounts

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[accounts.OTP_STATE_SESSION_KEY] = "ok"
    session[accounts.AGREEMENT_SESSION_KEY] = accounts.current_agreement_id()
    session.save()


def count(client, url):
    """Queries of a page in steady state: `steady_count` after one warming request."""
    client.get(url)
    return steady_count(client, url)


def _measure(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if response.streaming:  # a streamed export runs its queries while the body is read
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response


def steady_count(client, url, *, samples=4):
    """(queries, response) of a page in steady state: requests in a row until two in a row agree (at most
    `samples`), else the fewest. A one-off refresh of a cache that lives a minute or ten (banners, the current
    agreement, the session's last-seen stamp) falls into one request, which the next one does not confirm; a query
    per row falls into every request."""
    counts = []
    for _ in range(samples):
        n, response = _measure(client, url)
        if counts and counts[-1] == n:
            return n, response
        counts.append(n)
    return min(counts), response


def rows_on_page(response):
    table = response.context["table"]
    return len(table.page.object_list) if getattr(table, "page", None) else len(table.rows)


EXPORT_ROWS = 300  # an export's rows at most in its first count (three times as many in the second), under the
                  # synchronous size


def list_page_counts(client, user, name, view, many, *, batch=2000):
    """Queries of one list page as `user`: {"few", "many" (queries with FEW and `many` rows), "shown_few",
    "shown_many" (rows shown each time), "export_rows", "export_few", "export_many" (queries of the page's CSV
    export, answered in the request, at a third of its rows and at all of them; absent when the user may not
    export)}; {"forbidden": True} when the user may not open the page; None when it shows no row to copy."""
    from django.test import RequestFactory

    url = reverse(name)
    if client.get(url).status_code == 403:
        return {"forbidden": True}
    request = RequestFactory().get("/")
    request.user = user
    probe = view()
    probe.setup(request)
    base = probe.get_queryset()
    model = base.model
    chosen = {"ids": list(base.order_by().values_list("pk", flat=True)[:2 * many])}
    original = view.get_queryset

    def narrowed(self):
        return original(self).filter(pk__in=chosen["ids"])

    def shown():  # the rows the page lists by default (its filter bar may hide some), in its order
        with mock.patch.object(view, "paginate_by", 1):
            _, response = count(client, url)
        return list(response.context["table"].data.data.values_list("pk", flat=True))

    if not chosen["ids"] and name in STARTERS:
        STARTERS[name]()
        chosen["ids"] = list(base.order_by().values_list("pk", flat=True)[:2 * many])
    out = {}
    with mock.patch.object(view, "get_queryset", narrowed):
        client.get(url)  # warm: session, caches
        visible = shown()
        if not visible:
            return None
        if len(visible) < many:
            template = model._default_manager.get(pk=visible[0])
            new = copies(template, many - len(visible))  # copies of a listed row are listed too
            model._default_manager.bulk_create(new, batch_size=batch)
            chosen["ids"] = visible + [o.pk for o in new]
            visible = shown()
        chosen["ids"] = visible[:FEW]
        out["few"], r1 = count(client, url)
        chosen["ids"] = visible[:many]
        out["many"], r2 = count(client, url)
        out["shown_few"], out["shown_many"] = rows_on_page(r1), rows_on_page(r2)
        may_export = "csv" in view.export_formats and (
            not view.export_permission or user.has_perm(view.export_permission))
        if may_export:
            rows = min(EXPORT_ROWS, len(visible) // 3)
            export = f"{url}?{view.export_trigger_param}=csv"
            chosen["ids"] = visible[:rows]
            out["export_few"], _ = count(client, export)
            chosen["ids"] = visible[:3 * rows]
            out["export_many"], _ = count(client, export)
            out["export_rows"] = [rows, 3 * rows]
    return out


# detail pages: url name -> (model, the filter that picks an object with rows under it); the rows under the object
# (every one-to-many relation it has rows in) are counted at N and again at 3N
DETAILS = {
    "orders:order": ("orders.SalesOrder", {"shipments__isnull": False, "lines__isnull": False}),
    "crm:customer": ("crm.Customer", {"sales_orders__isnull": False, "contacts__isnull": False}),
    "inventory:product": ("inventory.Product", {"movements__isnull": False}),
    "inventory:purchaseorder": ("inventory.PurchaseOrder", {"lines__isnull": False}),
    "inventory:stocktake": ("inventory.Stocktake", {"lines__isnull": False}),
    "support:ticket": ("support.Ticket", {}),
}
DETAIL_MAX_COPIES = 200  # per relation


def grow_children(obj, *, factor=2, batch=2000):
    """Copies of the rows under `obj` in each of its one-to-many relations (`factor` times as many as it has, at
    most DETAIL_MAX_COPIES a relation), kept under `obj`. A relation whose rows cannot be copied (a constraint the
    copy breaks) is left as it is. Returns {relation: rows added}."""
    from django.db import IntegrityError, transaction

    added = {}
    for rel in type(obj)._meta.related_objects:
        if not rel.one_to_many or rel.related_model._meta.auto_created:
            continue
        manager = rel.related_model._default_manager
        rows = manager.filter(**{rel.field.name: obj})
        have = rows.count()
        if not have:
            continue
        template = rows.order_by("pk").first()
        try:
            with transaction.atomic():
                new = copies(template, min(factor * have, DETAIL_MAX_COPIES), keep=(rel.field.attname,))
                manager.bulk_create(new, batch_size=batch)
        except (IntegrityError, RuntimeError):
            continue
        added[rel.get_accessor_name()] = len(new)
    return added


def detail_counts(client, user, name, label, where):
    """(queries at N rows, queries at about 3N, rows added) of one detail page, on the first object matching
    `where` that `user` may see (the model's `for_user` scope where it has one), or None when there is none."""
    from django.apps import apps

    manager = apps.get_model(label)._default_manager
    scoped = manager.for_user(user) if hasattr(manager, "for_user") else manager.all()
    obj = scoped.filter(**where).order_by("pk").first()
    if obj is None:
        return None
    url = reverse(name, args=[obj.pk])
    if client.get(url).status_code in (403, 404):
        return None
    before, _ = count(client, url)
    added = grow_children(obj)
    after, _ = count(client, url)
    return before, after, added


def report_counts(client, name, labels, many, *, batch=2000):
    from django.apps import apps

    url = reverse(name)
    before, _ = count(client, url)
    added = 0
    for label in labels:
        model = apps.get_model(label)
        template = model._default_manager.order_by("pk").first()
        if template is None:
            continue
        new = copies(template, many)
        model._default_manager.bulk_create(new, batch_size=batch)
        added += len(new)
    after, _ = count(client, url)
    return before, after, added
