from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import Customer
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.money import DecimalInput, format_money, parse_decimal
from hardware_erp.core.phones import PhoneFormField
from inventory.models import Product, UnitOfMeasure, Warehouse

from .choices import SOLD_STATES, DocKind, OrderStatus, PaymentMethod, ShipmentStatus
from .models import Carrier, InvoiceRequest, PriceRule, ReviewSettings, SalesOrder

DATE = forms.DateInput(attrs={"type": "date"})


def parse_number(text, message):
    """A number typed in a table cell (`1,000`, `1000.5`), read by the kernel's `parse_decimal`: NaN, infinities,
    words and values beyond a quantity column are refused with `message` (which may use %(v)s)."""
    try:
        return parse_decimal(text, max_digits=14, decimal_places=3)
    except BusinessRuleError:
        raise forms.ValidationError(message % {"v": str(text)[:40]}) from None


class OrderForm(forms.Form):
    customer = forms.ModelChoiceField(Customer.objects.none(), label=_("Customer"),
                                      widget=forms.Select(attrs={"data-picker": "",
                                                                 "data-url": reverse_lazy("orders:customer_lookup")}))
    warehouse = forms.ModelChoiceField(Warehouse.objects.filter(active=True), label=_("Ship from"))
    requested_date = forms.DateField(label=_("Requested delivery date"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE,
                                  help_text=_("Quotations only; 30 days when empty."))
    delivery_address = forms.CharField(label=_("Delivery address"), max_length=255, required=False,
                                       help_text=_("Empty: the customer's address."))
    contact_name = forms.CharField(label=_("Receiver"), max_length=60, required=False)
    contact_phone = PhoneFormField(label=_("Receiver phone"), required=False)
    customer_email = forms.EmailField(label=_("Customer e-mail"), required=False,
                                      help_text=_("Status changes are e-mailed here."))
    payment_terms_days = forms.IntegerField(label=_("Payment terms (days)"), required=False, min_value=0,
                                            max_value=365, help_text=_("Empty: the customer's terms."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Customer.objects.for_user(user)
        self.fields["customer"].queryset = qs
        value = self.data.get(self.add_prefix("customer")) or self.initial.get("customer")
        pk = getattr(value, "pk", value)
        choices = [("", "---------")]
        if pk and str(pk).isdigit():  # the picker loads options remotely; keep the chosen one
            choices += [(c.pk, str(c)) for c in qs.filter(pk=pk)]
        self.fields["customer"].widget.choices = choices
        if not self.initial.get("warehouse"):  # the main warehouse (the first by code) unless one is given
            self.fields["warehouse"].initial = self.fields["warehouse"].queryset.order_by("code").first()


class LineForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.filter(active=True).select_related("base_unit"),
                                     label=_("Product"), required=False,
                                     widget=forms.Select(attrs={"data-picker": "",
                                                                "data-url": reverse_lazy("orders:product_lookup")}))
    unit = forms.ModelChoiceField(UnitOfMeasure.objects.all(), label=_("Unit"), required=False,
                                  help_text=pgettext_lazy("orders", "Empty: the product's base unit."))
    quantity = DecimalInput(label=_("Quantity"), required=False, max_digits=14, decimal_places=3,
                            validators=[MinValueValidator(Decimal("0.001"))])
    discount_percent = DecimalInput(label=_("Discount (%)"), required=False, max_digits=5, decimal_places=2,
                                    min_value=0, max_value=100, help_text=_("Empty: the price level."))
    unit_price = DecimalInput(label=_("Unit price"), required=False, max_digits=16, decimal_places=4,
                              min_value=0, help_text=_("Up to 4 decimals, VAT included when the customer's "
                                                       "prices include VAT. Empty: list price less discount."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.data.get(self.add_prefix("product")) or self.initial.get("product")
        pk = getattr(value, "pk", value)
        choices = [("", "---------")]
        product = Product.objects.select_related("base_unit").filter(pk=pk).first() \
            if pk and str(pk).isdigit() else None
        if product is not None:
            choices.append((product.pk, str(product)))
        self.fields["product"].widget.choices = choices
        # only the product's own units, its base unit first and chosen (the order form refreshes them live)
        unit_ids = [product.base_unit_id, *product.units.values_list("unit_id", flat=True)] if product else []
        self.fields["unit"].queryset = UnitOfMeasure.objects.filter(pk__in=unit_ids)
        self.fields["unit"].empty_label = None if product else "---------"
        if product is not None:
            self.initial.setdefault("unit", product.base_unit_id)
        self.product = product

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("product"):
            self.add_error("product", _("Choose the product."))
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(f.cleaned_data.get("product") for f in self.forms if f.cleaned_data):
            raise forms.ValidationError(_("Add at least one line."))


# a forged TOTAL_FORMS builds at most absolute_max forms (Django would allow max_num + 1000)
LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=4, max_num=200, absolute_max=200)


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ShipForm(forms.Form):
    carrier = forms.ModelChoiceField(Carrier.objects.filter(active=True), label=_("Carrier"), required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40, required=False)
    packages = forms.IntegerField(label=_("Packages"), min_value=1, max_value=999, initial=1)
    weight_kg = DecimalInput(label=_("Weight (kg)"), required=False, min_value=0, max_digits=10,
                             decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        carrier = data.get("carrier")
        if carrier and carrier.adapter != "manual" and not data.get("tracking_number"):
            self.add_error("tracking_number", _("%(c)s tracks by number: enter the tracking number.") % {
                "c": carrier})
        return data


class TrackingEventForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    status = forms.ChoiceField(label=_("Status"), choices=ShipmentStatus.choices)
    description = forms.CharField(label=_("Event"), max_length=500)
    location = forms.CharField(label=_("Place"), max_length=120, required=False)


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    amount = DecimalInput(label=_("Amount received"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False,
                                help_text=_("Bank serial, WeChat/Alipay transaction or bill number."))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class InvoiceRequestForm(forms.ModelForm):
    """The buyer's invoice details (开票信息), one field each; the service validates them (orders/invoicing.py)."""

    class Meta:
        model = InvoiceRequest
        fields = ["invoice_type", "title", "tax_number", "buyer_address", "buyer_phone", "buyer_bank",
                  "buyer_account", "deliver_email", "deliver_phone", "remarks"]
        help_texts = {
            "tax_number": _("The unified social credit code (18 characters), or an older 15, 17, 18 or "
                            "20-character taxpayer ID."),
            "buyer_address": _("Required for a special VAT invoice, as are phone, bank and account."),
            "deliver_email": _("The e-invoice is sent here, or to the mobile below."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a grouped or pasted code is normalised by the service: let it through the browser's length limit
        self.fields["tax_number"].max_length = None
        self.fields["tax_number"].widget.attrs.pop("maxlength", None)
        self.fields["tax_number"].validators = []


class ReviewSettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = ["default_tax_rate", "min_margin_percent", "max_discount_percent", "check_credit", "check_stock",
                  "overdue_grace_days"]


class PriceRuleForm(forms.ModelForm):
    class Meta:
        model = PriceRule
        fields = ["level", "product", "category", "min_quantity", "discount_percent", "active"]


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["name", "code", "adapter", "tracking_url", "active"]


class AnalyticsFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To (exclusive)"), required=False, widget=DATE)
    grain = forms.ChoiceField(label=_("By"), required=False, choices=[("day", _("Day")), ("week", _("Week")),
                                                                       ("month", _("Month"))], initial="month")


# --------------------------------------------------------------------------- customer credit and refunds

class ApplyCreditForm(forms.Form):
    """Use part of a customer credit on another open order of the same customer."""

    order = forms.ModelChoiceField(SalesOrder.objects.none(), label=_("Order"))
    amount = DecimalInput(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))

    def __init__(self, *args, credit=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = (SalesOrder.objects.filter(customer_id=credit.customer_id, kind=DocKind.ORDER, status__in=SOLD_STATES)
              .exclude(status=OrderStatus.CLOSED)
              .filter(total__gt=models.F("paid_amount") + models.F("credited_amount")).order_by("order_date", "pk"))
        self.fields["order"].queryset = qs
        self.fields["order"].label_from_instance = (
            lambda o: f"{o.number} · {o.order_date:%Y-%m-%d} · {format_money(o.balance)}")
        self.fields["amount"].initial = credit.remaining


class RefundForm(forms.Form):
    amount = DecimalInput(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False,
                                help_text=_("The customer's bank account or the transfer serial."))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
