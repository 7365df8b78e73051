"""Finding 5 of the outside audit: hostile numbers answered 500. Every numeric input is parsed in one place
(hardware_erp/core/money.parse_decimal) that refuses non-finite values and anything beyond the column with a form
message in the user's language; nothing is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import money, parse_decimal, quantity
from inventory.models import StockMovement
from orders import services
from orders.models import Payment, SalesOrder, Shipment
from tests.factories.orders import make_world

pytestmark = pytest.mark.django_db
HOSTILE = ["Infinity", "-Infinity", "inf", "NaN", "sNaN", "1e30", "1E+999999999", "9" * 25, "99999999999999999999"]


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_parser_refuses_non_finite_and_oversized_numbers(value):
    with pytest.raises(BusinessRuleError):
        parse_decimal(value, max_digits=14, decimal_places=3)
    if value not in ("9" * 25, "99999999999999999999"):  # fit the arithmetic; the parser refuses them for the column
        with pytest.raises(ValueError):
            quantity(value)
        with pytest.raises(ValueError):
            money(value)


def test_the_parser_keeps_what_people_type():
    assert parse_decimal("1,000.5", max_digits=14, decimal_places=3) == Decimal("1000.500")
    assert parse_decimal("-5", max_digits=14, decimal_places=2) == Decimal("-5.00")
    assert parse_decimal("99999999999.999", max_digits=14, decimal_places=3) == Decimal("99999999999.999")
    with pytest.raises(BusinessRuleError, match="too large"):
        parse_decimal("100000000000", max_digits=14, decimal_places=3)
    with translation.override("zh-hans"):
        with pytest.raises(BusinessRuleError) as err:
            parse_decimal("Infinity", max_digits=14, decimal_places=3)
        assert "不是数字" in err.value.messages[0]


@pytest.mark.parametrize("value", HOSTILE)
def test_stock_receipt_quantity(world, client_as, value):
    c = client_as("warehouse_manager")
    before = StockMovement.objects.count()
    r = c.post(reverse("inventory:receipt"), {"product": world.products[0].pk, "quantity": value,
                                              "to_location": world.bins[0].pk, "idempotency_key": f"k-{value}"})
    assert r.status_code == 200 and r.context["form"].errors.get("quantity")
    assert StockMovement.objects.count() == before


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1E+999999999", "sNaN", "9" * 25])
def test_ship_quantity(world, client_as, manager, value):
    order = services.submit_order(world.order(), actor=world.rep)
    line = order.lines.get()
    r = client_as(user=manager).post(reverse("orders:order_ship", args=[order.pk]),
                                     {f"qty_{line.pk}": value, "packages": "1"})
    assert r.status_code == 200 and not Shipment.objects.exists()


@pytest.mark.parametrize("value", ["Infinity", "sNaN", "1e30", "99999999999999999999"])
def test_payment_allocation(world, client_as, manager, value):
    order = services.submit_order(world.order(), actor=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: "100"}, actor=manager)
    r = client_as("finance_clerk").post(reverse("orders:payment_create"), {
        "customer": order.customer_id, "method": "bank", "amount": "50", "received_on": "2026-11-20",
        f"alloc_{order.pk}": value, "_once": f"p-{value}"})
    assert r.status_code == 200 and not Payment.objects.exists()


def test_an_order_line_whose_amount_overflows_the_column(world, client_as):
    c = client_as(user=world.rep)
    r = c.post(reverse("orders:order_create"), {
        "customer": world.customer.pk, "warehouse": world.warehouse.pk, "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "200",
        "lines-0-product": world.products[0].pk, "lines-0-quantity": "99999999999",
        "lines-0-unit_price": "99999999999"})
    assert r.status_code == 200 and not SalesOrder.objects.exists()
    assert "too large" in r.content.decode()


@pytest.fixture
def manager(make_user):
    return make_user("sales_manager")


def _project_forms():
    """Every form class defined in the project's apps (their modules imported)."""
    import importlib
    import inspect
    import pkgutil

    from django import forms
    from django.apps import apps
    from django.conf import settings

    found = set()
    for cfg in apps.get_app_configs():
        if not cfg.path.startswith(str(settings.BASE_DIR)) or "/.venv/" in cfg.path:
            continue
        for info in pkgutil.walk_packages([cfg.path], cfg.name + "."):
            if ".migrations" in info.name or ".tests" in info.name or info.name.endswith(".demo"):
                continue
            module = importlib.import_module(info.name)
            found |= {cls for _n, cls in inspect.getmembers(module, inspect.isclass)
                      if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__}
    return found


def test_every_number_field_of_every_form_reads_through_the_one_parser():
    """Plain forms declare the kernel's DecimalInput; ModelForms (and the admin) get it for every DecimalField of
    their model, with the column's digits. A float field would bypass the parser altogether."""
    from django import forms

    from hardware_erp.core.money import DecimalInput

    forms_found = _project_forms()
    assert len(forms_found) > 50
    stray = [f"{cls.__module__}.{cls.__name__}.{name}: {type(field).__name__}" for cls in forms_found
             for name, field in getattr(cls, "base_fields", {}).items()
             if isinstance(field, forms.DecimalField | forms.FloatField) and not isinstance(field, DecimalInput)]
    assert not stray, "\n".join(stray)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_model_form_refuses_hostile_numbers_with_a_message(value):
    from orders.forms import PriceRuleForm

    field = PriceRuleForm.base_fields["min_quantity"]
    assert (field.max_digits, field.decimal_places) == (14, 3)
    form = PriceRuleForm(data={"min_quantity": value})
    assert not form.is_valid() and form.errors["min_quantity"]
