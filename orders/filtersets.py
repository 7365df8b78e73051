import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.choices import CustomerLevelChoices, CustomerTypeChoices
from crm.models import Customer
from crm.pinyin import name_q
from hardware_erp.core.filtersets import AllYesNo, PersonFilter
from inventory.models import Product

from .choices import CarrierAdapter, OrderStatus, PaymentMethod
from .models import Carrier, OrderLine, Payment, PriceRule, SalesOrder, Shipment

DATE = django_filters.widgets.forms.DateInput(attrs={"type": "date"})


class OrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=django_filters.widgets.forms.TextInput(
        attrs={"type": "search", "placeholder": _("Order no., customer, tracking no.")}))
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=OrderStatus.choices,
                                                 widget=django_filters.widgets.forms.SelectMultiple(
                                                     attrs={"data-picker": ""}))
    customer = django_filters.CharFilter(label=_("Customer"), field_name="customer__name", lookup_expr="icontains")
    salesperson = PersonFilter(label=_("Salesperson"), queryset=get_user_model().objects.filter(
        sales_orders__isnull=False).distinct().order_by("username"))
    date_from = django_filters.DateFilter(label=_("From"), field_name="order_date", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("To"), field_name="order_date", lookup_expr="lte", widget=DATE)
    amount_min = django_filters.NumberFilter(label=_("Amount from"), field_name="total", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(label=_("Amount to"), field_name="total", lookup_expr="lte")
    product = django_filters.CharFilter(label=_("Product (SKU)"), method="with_product")
    customer_type = django_filters.ChoiceFilter(label=_("Customer type"), field_name="customer__customer_type",
                                                choices=CustomerTypeChoices.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="overdue_only",
                                           widget=AllYesNo())

    class Meta:
        model = SalesOrder
        fields = ["q", "status", "customer", "salesperson", "date_from", "date_to", "amount_min", "amount_max",
                  "product", "customer_type", "overdue"]

    def search(self, qs, name, value):
        value = value.strip()[:60]
        if not value:
            return qs
        tracked = Shipment.objects.filter(tracking_number__iexact=value).values("order_id")
        customers = Customer.objects.order_by().filter(name_q(value)).values("pk")  # any reading's pinyin/initials
        return qs.filter(Q(number__icontains=value) | Q(customer__in=customers) | Q(pk__in=tracked))

    def with_product(self, qs, name, value):
        value = value.strip()[:40]
        if not value:
            return qs
        products = Product.objects.filter(Q(sku__iexact=value) | Q(name_zh__icontains=value) |
                                          Q(name_en__icontains=value)).values("pk")
        return qs.filter(pk__in=OrderLine.objects.filter(product__in=products).values("order_id"))

    def overdue_only(self, qs, name, value):
        if not value:
            return qs
        from django.db.models import F
        from django.utils import timezone
        return qs.filter(due_date__lt=timezone.localdate(), total__gt=F("paid_amount") + F("credited_amount"))


class PaymentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=django_filters.widgets.forms.TextInput(
        attrs={"type": "search", "placeholder": _("Receipt no., customer, reference")}))
    method = django_filters.ChoiceFilter(label=_("Method"), choices=PaymentMethod.choices)
    date_from = django_filters.DateFilter(label=_("From"), field_name="received_on", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("To"), field_name="received_on", lookup_expr="lte", widget=DATE)

    class Meta:
        model = Payment
        fields = ["q", "method", "date_from", "date_to"]

    def search(self, qs, name, value):
        value = value.strip()[:60]
        if not value:
            return qs
        return qs.filter(Q(number__icontains=value) | Q(customer__name__icontains=value) |
                         Q(reference__icontains=value))


class ShipmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=django_filters.widgets.forms.TextInput(
        attrs={"type": "search", "placeholder": _("Shipment, order or tracking no.")}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Shipment._meta.get_field("status").choices)

    class Meta:
        model = Shipment
        fields = ["q", "status", "carrier"]

    def search(self, qs, name, value):
        value = value.strip()[:60]
        if not value:
            return qs
        return qs.filter(Q(number__icontains=value) | Q(order__number__icontains=value) |
                         Q(tracking_number__icontains=value))


class PriceRuleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=django_filters.widgets.forms.TextInput(
        attrs={"type": "search", "placeholder": _("Product SKU or name, category")}))
    level = django_filters.ChoiceFilter(label=_("customer level"), choices=CustomerLevelChoices.choices)
    active = django_filters.BooleanFilter(label=_("active"), widget=AllYesNo())

    class Meta:
        model = PriceRule
        fields = ["q", "level", "active"]

    def search(self, qs, name, value):
        value = value.strip()[:60]
        if not value:
            return qs
        return qs.filter(Q(product__sku__icontains=value) | Q(product__name_zh__icontains=value) |
                         Q(product__name_en__icontains=value) | Q(category__name_zh__icontains=value) |
                         Q(category__name_en__icontains=value))


class CarrierFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=django_filters.widgets.forms.TextInput(
        attrs={"type": "search", "placeholder": _("Name or company code")}))
    adapter = django_filters.ChoiceFilter(label=_("tracking"), choices=CarrierAdapter.choices)
    active = django_filters.BooleanFilter(label=_("active"), widget=AllYesNo())

    class Meta:
        model = Carrier
        fields = ["q", "adapter", "active"]

    def search(self, qs, name, value):
        value = value.strip()[:60]
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value))
