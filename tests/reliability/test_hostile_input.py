"""Walks every URL of the project (the access matrix's rows) with hostile input, as an administrator who reaches
everything and as a sales rep: every query parameter (search, paging, sorting, the filter bar's fields) and every
field of every form the pages render gets oversized strings, wrong types, SQL and HTML fragments, NUL bytes,
full-width digits, emoji, RTL marks, 40-digit and negative numbers.

Asserted: no answer is a server error; no page shows a script fragment unescaped (each page right after the
hostile requests, and the page a successful form leads to); nothing saved holds a NUL byte or full-width digits
(the input guard in hardware_erp/core/middleware.py turns those into 400 and ASCII). A last test stores a script
fragment in every free-text column of every record and renders every page again."""

import re
import traceback
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import models
from django.db.models.signals import post_save
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.access.registry import all_rows
from tests.factories import UserFactory
from tests.factories.inventory import SupplierFactory
from tests.factories.orders import CarrierFactory, make_world

from .pages import baseline, forms_of

XSS = '"><script>hwerp_xss()</script><img src=x onerror=hwerp_xss()>'
# URLs a person may type into a URL-like field (a ticket's page, a video link): never a link in a rendered page
DANGEROUS_URLS = ("javascript:hwerp_xss()", "data:text/html,hwerp_xss", "vbscript:hwerp_xss")
DANGEROUS_HREF = re.compile(
    r"""(?:href|src|action|formaction)\s*=\s*["']?\s*(?:javascript|vbscript|data):[^"'>]*hwerp""", re.I)
URL_WORDS = ("url", "link", "website", "href")
RAW = ("<script>hwerp_xss", "<img src=x onerror=hwerp_xss")
HOSTILE = {
    "oversized": "界" * 10_000,
    "nul": "12\x00' OR 1=1",
    # an SQL fragment, a word where a number or a date belongs, emoji, an RTL override and HTML, in one value
    "text": "1'; DROP TABLE auth_user; -- \" OR \"1\"=\"1 []{} 🔩🔧👍🏽 \u202eabc" + XSS,
    "full-width digits": "１２³",  # full-width and superscript: str.isdigit() is true of both
    "40 digits": "9" * 40,
    "negative": "-5",
    # numbers a parser must refuse with a message (the outside audit's 500s: decimal.InvalidOperation, overflow)
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "sNaN": "sNaN",
    "1e30": "1e30",
    "huge exponent": "1E+999999999",
    "25 digits": "9" * 25,
    "20 nines": "99999999999999999999",
}
# one request per value for every form: type and size robustness of every field at once
EVERY_FIELD = ("oversized", "nul", "text", "40 digits")
# number-like fields (quantities, prices, phone numbers) with the rest of the form valid
NUMBER_VALUES = ("full-width digits", "40 digits", "negative", "NaN", "Infinity", "-Infinity", "sNaN", "1e30",
                 "huge exponent", "25 digits", "20 nines")
TEXT_KINDS = {"text", "textarea", "search", "email", "url", "tel"}
NUMBER_WORDS = ("quantity", "qty", "amount", "price", "phone", "mobile", "count", "number", "cost", "weight",
                "rating", "score", "days", "hours", "percent", "rate", "limit", "threshold", "credit", "length",
                "alloc", "discount", "factor", "fee")
QUERY_NAMES = ("q", "page", "sort", "per_page", "id", "ids", "pk", "next", "status", "warehouse", "product",
               "customer", "period", "start", "end", "year", "month")
NOT_POSTED = {"logout"}  # signing out would end the walk's session

PROJECT = str(settings.BASE_DIR)
PROJECT_APPS = {"core", "crm", "inventory", "orders", "governance", "training", "support", "performance"}
ROWS = [row for _app, row in all_rows()]
CASES = [pytest.param(row, "admin", id=f"admin-{row.name}") for row in ROWS] + [
    pytest.param(row, "sales_rep", id=f"rep-{row.name}") for row in ROWS if row.expect.get("sales_rep") == 200]
POSTED: set = set()  # (who, view name, field names) already walked: a form shown on many pages is walked once


@pytest.fixture(scope="module")
def walkers(django_db_setup, django_db_blocker):
    """The administrator (superuser: every page and form) and a sales rep, made once for the module."""
    with django_db_blocker.unblock():
        users = {"admin": UserFactory.with_role("general_manager", username="walker_admin", is_staff=True,
                                                is_superuser=True),
                 "sales_rep": UserFactory.with_role("sales_rep", username="walker_rep")}
    yield users
    with django_db_blocker.unblock():
        for user in users.values():
            user.delete()


@pytest.fixture
def saved():
    """Every model instance saved during the test."""
    instances = []

    def keep(sender, instance, **kwargs):
        instances.append(instance)

    post_save.connect(keep, weak=False, dispatch_uid="hostile-walk")
    yield instances
    post_save.disconnect(dispatch_uid="hostile-walk")


def garbage_in(instances) -> list[str]:
    """Text fields of saved instances holding a NUL byte or digits other than ASCII ones."""
    found = []
    for obj in instances:
        for f in obj._meta.concrete_fields:
            value = getattr(obj, f.attname, None)
            if isinstance(value, str) and ("\x00" in value or any(ch.isdigit() and not ch.isascii() for ch in value)):
                found.append(f"{obj._meta.label} #{obj.pk} {f.name}={value[:40]!r}")
    return found


def signed_in(user) -> Client:
    """A client with a fresh session for `user` (a form of the walk may have changed the account)."""
    user = get_user_model().objects.get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


class Walk:
    def __init__(self, client, who="admin", user=None):
        self.client = client
        self.who = who
        self.user = user
        self.looked_up = {}  # picker lookup URL -> the first id it offers
        self.world = None  # the records made for the pickers, once per test
        self.problems = []
        self.shown_escaped = 0  # pages that showed a script fragment, escaped

    def send(self, method, url, data=None, what="", follow=False):
        try:
            response = getattr(self.client, method)(url, data or {}, follow=follow)
        except Exception as exc:  # the test client re-raises the view's exception: that is a 500
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if f.filename.startswith(PROJECT) and "/site-packages/" not in f.filename
                    and "/tests/" not in f.filename] or frames
            self.problems.append(f"{method.upper()} {url} {what}: {type(exc).__name__}: {str(exc)[:200]} "
                                 f"at {ours[-1].filename}:{ours[-1].lineno}")
            return None
        if response.status_code == 500:
            self.problems.append(f"{method.upper()} {url} {what}: status {response.status_code}")
        self.check_escaped(response, f"{method.upper()} {url} {what}")
        return response

    def check_escaped(self, response, where):
        if "text/html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
            return
        body = response.content.decode(errors="replace")
        self.shown_escaped += "&lt;script&gt;hwerp_xss" in body
        for bad in DANGEROUS_HREF.finditer(body):
            near = body[max(0, bad.start() - 80):bad.end() + 20]
            self.problems.append(f"{where}: a dangerous URL as a link: …{near}…")
        for raw in RAW:
            if raw in body:
                at = body.index(raw)
                self.problems.append(f"{where}: unescaped {raw!r} in the page: …{body[max(0, at - 120):at + 60]}…")


def html_of(response) -> str:
    if response is None or response.status_code != 200 or getattr(response, "streaming", False) \
            or "text/html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode(errors="replace")


def filter_names(url) -> set:
    """The filterset's field names of the list view behind `url`, if it has one."""
    try:
        view_class = getattr(resolve(urlsplit(url).path).func, "view_class", None)
        filterset_class = getattr(view_class(), "filterset_class", None) if view_class else None
    except Exception:  # a view that cannot be made without a request: its page shows its filter form anyway
        return set()
    return set(getattr(filterset_class, "base_filters", {}))


def target(url, action) -> tuple[str, str] | None:
    """(path, view name) a form posts to, when it posts inside this site."""
    parts = urlsplit(action or url)
    if parts.netloc or parts.scheme:
        return None
    path = parts.path if parts.path.startswith("/") else urlsplit(url).path.rsplit("/", 1)[0] + "/" + parts.path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return (path + (f"?{parts.query}" if parts.query else "")), match.view_name


def is_number_field(f) -> bool:
    return f.kind in ("number", "tel") or f.numeric or any(w in f.name.lower() for w in NUMBER_WORDS)


# id fields a page may render without options (a picker that loads them, a scan page's hidden field): the first
# record the walker may use, so that the hostile numbers beside them reach the code that parses them
PICKED_MODELS = {"product": "inventory.Product", "customer": "crm.Customer", "supplier": "inventory.Supplier",
                 "warehouse": "inventory.Warehouse", "location": "inventory.Location", "carrier": "orders.Carrier"}


def picked_id(walk, f) -> str:
    """A real id for picker `f`: the first its own lookup URL offers the walker, else the first record of the
    model its name says. When there is none, a small world is made (a warehouse with two bins, two products in
    stock, a customer of the walker's, a supplier, a carrier) and asked again."""
    if f.url:
        if not walk.looked_up.get(f.url):
            response = walk.send("get", f.url, {"q": ""}, what="picker lookup")
            results = response.json().get("results", []) if response is not None and response.status_code == 200 \
                and "json" in response.get("Content-Type", "") else []
            walk.looked_up[f.url] = str(results[0]["id"]) if results else ""
        if walk.looked_up[f.url]:
            return walk.looked_up[f.url]
    stem = f.name.rsplit("-", 1)[-1].removesuffix("_id")
    label = PICKED_MODELS.get(stem) or (PICKED_MODELS["location"] if stem.endswith("location") else None)
    if label is None and not f.url:
        return ""
    if walk.world is None:
        walk.world = make_world(lambda role: walk.user if role == "sales_rep" and walk.who == "sales_rep"
                                else UserFactory.with_role(role))
        SupplierFactory()
        CarrierFactory()
        return picked_id(walk, f)
    if label is None:
        return ""
    model = apps.get_model(label)
    manager = model._base_manager
    live = manager.filter(active=True) if any(x.name == "active" for x in model._meta.fields) else manager.all()
    return str(live.order_by("pk").values_list("pk", flat=True).first() or "")


def with_real_ids(walk, form, base) -> dict:
    """The baseline with every empty picker and id field filled with an id of an existing record."""
    filled = dict(base)
    for f in form.fields:
        if f.kind in ("select", "hidden", "text", "number") and not any(base.get(f.name, [""])) \
                and (f.kind == "select" or f.name.rsplit("-", 1)[-1].removesuffix("_id") in PICKED_MODELS):
            pk = picked_id(walk, f)
            if pk:
                filled[f.name] = [pk]
    return filled


def walk_queries(walk, url, html):
    names = set(QUERY_NAMES) | filter_names(url)
    for form in forms_of(html):
        spot = target(url, form.action)
        if form.method == "get" and spot and urlsplit(spot[0]).path == urlsplit(url).path:
            names |= set(form.names())
    for label, value in HOSTILE.items():
        walk.send("get", url, dict.fromkeys(sorted(names), value), what=f"query {label}")
    walk.send("get", url, {**dict.fromkeys(sorted(names), HOSTILE["text"]), "_export": "csv"},
              what="export with hostile filters")


def walk_form(walk, url, form):
    spot = target(url, form.action)
    if spot is None or spot[1] in NOT_POSTED:
        return
    action, view_name = spot
    names = form.names(exclude=("csrfmiddlewaretoken",))
    key = (walk.who, view_name, tuple(sorted(names)))
    if key in POSTED:
        return
    POSTED.add(key)
    base = with_real_ids(walk, form, baseline(form))
    base.pop("csrfmiddlewaretoken", None)
    where = f"(form of {url} → {view_name})"
    for label in EVERY_FIELD:
        walk.send("post", action, {**base, **dict.fromkeys(names, HOSTILE[label])}, what=f"{where} every field {label}")
    numbers = [f.name for f in form.fields if f.name in names and is_number_field(f)]
    for label in NUMBER_VALUES if numbers else ():
        walk.send("post", action, {**base, **dict.fromkeys(numbers, HOSTILE[label])}, what=f"{where} numbers {label}")
    texts = [f.name for f in form.fields if f.name in names and f.kind in TEXT_KINDS and not is_number_field(f)]
    if texts:
        walk.send("post", action, {**base, **dict.fromkeys(texts, HOSTILE["text"])}, what=f"{where} text fields",
                  follow=True)
        walk.send("post", action, {**base, **dict.fromkeys(texts, HOSTILE["oversized"])},
                  what=f"{where} text oversized")
    urls = [f.name for f in form.fields if f.name in names and (f.kind == "url" or any(w in f.name.lower()
                                                                                          for w in URL_WORDS))]
    for value in DANGEROUS_URLS if urls else ():
        walk.send("post", action, {**base, **dict.fromkeys(urls, value)}, what=f"{where} URL {value}", follow=True)
    if not names:  # a button (approve, cancel, mark read): sent once as it is, once with stray hostile fields
        walk.send("post", action, base, what=f"{where} as rendered")
        walk.send("post", action, dict.fromkeys(("note", "reason", "next"), HOSTILE["nul"]), what=f"{where} stray NUL")


@pytest.mark.django_db
@pytest.mark.parametrize("row,who", CASES)
def test_hostile_input(walkers, saved, row, who):
    kwargs = row.kwargs() if callable(row.kwargs) else row.kwargs
    url = reverse(row.name, kwargs=kwargs or None)
    walk = Walk(signed_in(walkers[who]), who, walkers[who])
    first = walk.send("get", url, what="as it is")
    html = html_of(first)
    walk_queries(walk, url, html)
    posted = len(POSTED)
    for form in forms_of(html):
        if form.method == "post":
            walk_form(walk, url, form)
    if first is not None and first.status_code == 405:  # an action that only answers POST
        walk.send("post", url, dict.fromkeys(QUERY_NAMES, HOSTILE["nul"]), what="POST-only with NUL")
        walk.send("post", url, dict.fromkeys(QUERY_NAMES, HOSTILE["40 digits"]), what="POST-only with 40 digits")
    if len(POSTED) > posted:
        walk.send("get", url, what="after the hostile forms")
    walk.problems += [f"stored: {g}" for g in garbage_in(saved)]
    assert not walk.problems, "\n".join(walk.problems)


# text columns that hold what the code wrote (JSON), never what a person typed
MACHINE_TEXT = {"governance.ChangeRequest.changes_data"}


def _free_text_fields(model):
    """Text fields a person fills in (no choices, not unique alone or together, room for a script fragment)."""
    unique = {name for names in model._meta.unique_together for name in names}
    unique |= {name for c in model._meta.constraints if isinstance(c, models.UniqueConstraint) for name in c.fields}
    return [f for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices and not f.unique
            and f.name not in unique and f"{model._meta.label}.{f.name}" not in MACHINE_TEXT and not f.primary_key
            and not f.is_relation and (f.max_length or 10_000) >= len(RAW[0])]


@pytest.mark.django_db
def test_every_page_escapes_stored_text(walkers):
    """Every row of the access matrix gets its records made, then every free-text column of every record of the
    project (and people's names) holds a script fragment, and every page is rendered again: none may show it raw."""
    urls = []
    for row in ROWS:
        kwargs = row.kwargs() if callable(row.kwargs) else row.kwargs
        urls.append(reverse(row.name, kwargs=kwargs or None))
    user_model = get_user_model()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS and model is not user_model:
            continue
        fields = [f for f in _free_text_fields(model) if f.name not in ("username", "password")]
        if fields:  # URL-like columns get a javascript:, data: or vbscript: URL, the others a script fragment
            model._base_manager.update(**{
                f.name: DANGEROUS_URLS[i % len(DANGEROUS_URLS)] if any(w in f.name for w in URL_WORDS)
                else XSS if (f.max_length or 10_000) >= len(XSS) else RAW[0] for i, f in enumerate(fields)})
    walk = Walk(signed_in(walkers["admin"]))
    for url in urls:
        walk.send("get", url, what="with stored script fragments")
    assert not walk.problems, "\n".join(walk.problems)
    assert walk.shown_escaped > len(urls) // 3, f"only {walk.shown_escaped} pages showed the stored text at all"
