"""Every page of the Django admin × every role (finding 4 of the outside audit).

The admin shows each role exactly the rows the application shows it, or the model is not in that role's admin
(hardware_erp/core/admin.ScopedAdminMixin); two-factor secrets are never shown, to anyone; payments, allocations
and order lines are read-only for everyone. Rows of every model are made by the access matrix's own rows (and a few
more people's scorecards and orders), then every changelist, change, history, delete and custom admin page is
opened by every role, a superuser and a signed-out visitor."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from hardware_erp.core.admin import ReadOnlyForEveryoneMixin, ScopedAdminMixin
from hardware_erp.core.roles import ROLES, role_permissions
from tests.factories import UserFactory

from .registry import all_rows

SECRET = re.compile(r"otpauth://|secret=|qrcode", re.I)
STAFF = [r for r in ROLES if ROLES[r].admin]


def _perms(role, model) -> bool:
    o = model._meta
    held = role_permissions()[role]
    return any(f"{o.app_label}.{a}_{o.model_name}" in held for a in ("view", "change"))


def test_every_admin_a_staff_role_may_open_is_scoped():
    """A model whose permissions some staff role holds is registered with an admin that scopes its rows."""
    loose = [model._meta.label for model, model_admin in admin.site._registry.items()
             if any(_perms(r, model) for r in STAFF) and not isinstance(model_admin, ScopedAdminMixin)]
    assert not loose, f"admins that ignore the application's scoping: {loose}"


def test_money_rows_are_read_only_in_the_admin():
    from orders.admin import PaymentAdmin, SalesOrderAdmin
    from orders.models import Payment

    assert issubclass(PaymentAdmin, ReadOnlyForEveryoneMixin)
    inlines = {i.model._meta.label for a in (PaymentAdmin, SalesOrderAdmin) for i in a.inlines
               if issubclass(i, ReadOnlyForEveryoneMixin)}
    assert inlines == {"orders.PaymentAllocation", "orders.OrderLine"}
    assert admin.site._registry[Payment].has_change_permission(_Request(_superuser())) is False


class _Request:
    def __init__(self, user):
        self.user = user


def _superuser():
    return get_user_model()(is_superuser=True, is_staff=True, is_active=True)


@pytest.fixture
def people(db):
    """Records of every model (the matrix's rows make them), people of every role, other people's scorecards; made
    inside the test's transaction, so nothing is left for the tests that run after."""
    for _app, row in all_rows():
        if callable(row.kwargs):
            row.kwargs()
    _more_rows()
    users = {role: UserFactory.with_role(role, username=f"admin_matrix_{role}", is_staff=ROLES[role].admin)
             for role in ROLES}
    users["superuser"] = UserFactory.with_role(None, username="admin_matrix_root", is_staff=True, is_superuser=True)
    _own_scorecard(users["it_admin"])
    _own_device(UserFactory(username="admin_matrix_phone"))
    return users


def _more_rows():
    """Scorecards of several people, as in the audit (itadmin saw all 36 scorecards, his own 4)."""
    from performance.models import Scorecard
    from tests.factories.performance import month, person

    period = month(2026, 9)
    for i in range(3):
        Scorecard.objects.get_or_create(employee=person("sales_rep", username=f"sc_rep_{i}"), period=period,
                                        defaults={"role": "sales_rep"})


def _own_scorecard(user):
    from performance.models import Scorecard
    from tests.factories.performance import month

    Scorecard.objects.get_or_create(employee=user, period=month(2026, 9), defaults={"role": "it_admin"})


def _own_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _client(user) -> Client:
    from governance.accounts import AGREEMENT_SESSION_KEY, current_agreement_id

    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session  # the matrix's rows publish an agreement: this visit has accepted it
        session[AGREEMENT_SESSION_KEY] = current_agreement_id()
        session.save()
    return client


def _scope(model):
    model_admin = admin.site._registry[model]
    return model_admin._scope() if isinstance(model_admin, ScopedAdminMixin) else None


def _app_rows(model, user) -> set:
    """The rows the application shows `user`: what the admin must show too."""
    model_admin = admin.site._registry[model]
    qs = model._default_manager.all()
    if user.is_superuser:
        return set(qs.values_list("pk", flat=True))
    scope = _scope(model)
    if scope == "all":
        return set(qs.values_list("pk", flat=True))
    if scope == "for_user":
        return set(qs.for_user(user).values_list("pk", flat=True))
    return set(getattr(model_admin, scope)(_Request(user), qs).values_list("pk", flat=True)) if scope else set()


def _admin_urls(model, pk) -> dict:
    """Every admin page of one row of `model`, the custom ones included (name -> URL)."""
    o = model._meta
    urls = {}
    for pattern in admin.site._registry[model].get_urls():
        name = getattr(pattern, "name", None)
        if not name or name.endswith(("_changelist", "_add", "_autocomplete")):
            continue
        try:
            urls[name] = reverse(f"admin:{name}", kwargs={"object_id": pk})
        except NoReverseMatch:
            try:
                urls[name] = reverse(f"admin:{name}", kwargs={"pk": pk})
            except NoReverseMatch:
                continue
    urls.setdefault(f"{o.app_label}_{o.model_name}_config", f"/admin/{o.app_label}/{o.model_name}/{pk}/config/")
    return urls


MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.django_db
def test_admin_pages_of_every_model_for_every_role(people):
    problems = []
    for model in MODELS:
        problems += _admin_problems(people, model)
    assert not problems, "\n".join(problems)


def _admin_problems(people, model) -> list:
    o = model._meta
    changelist = reverse(f"admin:{o.app_label}_{o.model_name}_changelist")
    add = reverse(f"admin:{o.app_label}_{o.model_name}_add")
    every = set(model._default_manager.values_list("pk", flat=True))
    wrong = []
    for who in ["anonymous", *ROLES, "superuser"]:
        user = people.get(who)
        client = _client(user)
        r = client.get(changelist)
        if user is None or not user.is_staff:
            if r.status_code != 302:
                wrong.append(f"{who}: changelist {r.status_code} (expected the sign-in redirect)")
            continue
        shown = _app_rows(model, user)
        may_see = user.is_superuser or (_perms(who, model) and _scope(model) is not None)
        if r.status_code != (200 if may_see else 403):
            wrong.append(f"{who}: changelist {r.status_code} (expected {200 if may_see else 403})")
            continue
        if may_see:
            listed = set(r.context["cl"].queryset.values_list("pk", flat=True))
            if listed != shown:
                wrong.append(f"{who}: the changelist lists {len(listed)} rows, the application shows {len(shown)}")
        if client.get(add).status_code == 200 and not user.is_superuser and \
                isinstance(admin.site._registry[model], ScopedAdminMixin) and not _perms_add(who, model):
            wrong.append(f"{who}: may add here")
        for pk in sorted(every)[:3] + sorted(every - shown)[:2]:
            for name, url in _admin_urls(model, pk).items():
                page = client.get(url)
                if page.status_code >= 500:
                    wrong.append(f"{who}: {name} {url} answered {page.status_code}")
                elif page.status_code == 200 and pk not in shown:
                    wrong.append(f"{who}: {name} {url} shows a row the application hides from this role")
                elif page.status_code == 200 and SECRET.search(page.content.decode(errors="replace")) \
                        and o.label == "otp_totp.TOTPDevice":
                    wrong.append(f"{who}: {name} {url} shows the two-factor secret")
    return [f"{o.label}: {w}" for w in wrong]


def _perms_add(role, model) -> bool:
    return f"{model._meta.app_label}.add_{model._meta.model_name}" in role_permissions()[role]


@pytest.mark.django_db
def test_it_sees_only_his_own_scorecards_in_the_admin(people):
    from performance.models import Scorecard

    client = _client(people["it_admin"])
    r = client.get(reverse("admin:performance_scorecard_changelist"))
    assert r.status_code == 200
    listed = set(r.context["cl"].queryset.values_list("pk", flat=True))
    assert listed == set(Scorecard.objects.filter(employee=people["it_admin"]).values_list("pk", flat=True))
    assert Scorecard.objects.exclude(employee=people["it_admin"]).count() >= 3


@pytest.mark.django_db
def test_nobody_reads_a_totp_secret_in_the_admin(people):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username="admin_matrix_phone")
    for who in ("it_admin", "superuser"):
        client = _client(people[who])
        for url in (f"/admin/otp_totp/totpdevice/{device.pk}/config/", f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
                    f"/admin/otp_totp/totpdevice/{device.pk}/change/", "/admin/otp_totp/totpdevice/add/"):
            body = client.get(url, follow=True).content.decode(errors="replace")
            assert device.key not in body and "otpauth://" not in body, (who, url)
