"""Orders settings (review thresholds, price rules, carriers) and the customer status link and page."""

from datetime import date

from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from hardware_erp.core.views import ERPListView, ServiceActionView, ServiceFormView

from .. import services
from ..choices import OrderStatus
from ..filtersets import CarrierFilterSet, PriceRuleFilterSet
from ..forms import (
    CarrierForm,
    PriceRuleForm,
    ReviewSettingsForm,
)
from ..models import (
    Carrier,
    PriceRule,
    ReviewSettings,
)
from ..tables import CarrierTable, PriceRuleTable
from .base import OrderScopeMixin


class StatusLinkView(OrderScopeMixin, ServiceActionView):
    permission_required = "orders.change_salesorder"

    def get_object(self):
        return self.get_order()

    def perform(self):
        self.renew = self.request.POST.get("action") == "renew"
        return services.revoke_status_link(self.object, actor=self.request.user, renew=self.renew)

    @property
    def success_message(self):
        return (_("A new status link is ready; the old one no longer works.") if self.renew else
                _("The status link is revoked."))


class ReviewSettingsView(ServiceFormView):
    module = "orders"
    permission_required = "orders.change_reviewsettings"
    form_class = ReviewSettingsForm
    title = _("Review thresholds")
    success_message = _("Review thresholds saved.")
    success_url = reverse_lazy("orders:review_settings")
    cancel_url = reverse_lazy("orders:review_queue")

    def get_object(self):
        return ReviewSettings.current()

    def perform(self, form):
        return services.update_review_settings(actor=self.request.user, **form.cleaned_data)


class PriceRuleListView(ERPListView):
    model = PriceRule
    table_class = PriceRuleTable
    module = "orders"
    permission_required = "orders.view_pricerule"
    title = _("Price levels and quantity breaks")
    create_url_name = "orders:pricerule_create"
    create_label = _("New rule")
    empty_text = _("No price rules: every customer pays the list price.")
    filterset_class = PriceRuleFilterSet

    def get_queryset(self):
        return PriceRule.objects.select_related("product", "category")


class PriceRuleCreateView(ServiceFormView):
    module = "orders"
    permission_required = "orders.add_pricerule"
    form_class = PriceRuleForm
    title = _("Price rule")
    success_message = _("Price rule saved.")
    success_url = cancel_url = reverse_lazy("orders:pricerule_list")

    def perform(self, form):
        return services.create_price_rule(actor=self.request.user, **form.cleaned_data)


class PriceRuleEditView(PriceRuleCreateView):
    permission_required = "orders.change_pricerule"

    def get_object(self):
        return get_object_or_404(PriceRule, pk=self.kwargs["pk"])

    def perform(self, form):
        return services.update_price_rule(self.object, actor=self.request.user, **form.cleaned_data)


class CarrierListView(ERPListView):
    model = Carrier
    table_class = CarrierTable
    module = "orders"
    permission_required = "orders.view_carrier"
    title = _("Carriers")
    create_url_name = "orders:carrier_create"
    create_label = _("New carrier")
    empty_text = _("No carriers yet.")
    filterset_class = CarrierFilterSet


class CarrierCreateView(ServiceFormView):
    module = "orders"
    permission_required = "orders.add_carrier"
    form_class = CarrierForm
    title = _("Carrier")
    success_message = _("Carrier saved.")
    success_url = cancel_url = reverse_lazy("orders:carrier_list")

    def perform(self, form):
        return services.create_carrier(actor=self.request.user, **form.cleaned_data)


class CarrierEditView(CarrierCreateView):
    permission_required = "orders.change_carrier"

    def get_object(self):
        return get_object_or_404(Carrier, pk=self.kwargs["pk"])

    def perform(self, form):
        return services.update_carrier(self.object, actor=self.request.user, **form.cleaned_data)


class StatusPageView(View):
    """No sign-in: a signed, revocable link shows one order's status, lines, shipments and tracking."""

    def get(self, request, token):
        order = services.order_from_token(token)
        if order is None:
            return render(request, "orders/status_invalid.html", status=404)
        ctx = {"order": order, "lines": order.lines.select_related("product", "unit"),
               "shipments": order.shipments.select_related("carrier").prefetch_related("tracking_events"),
               "events": order.events.filter(to_status__in=[s for s in OrderStatus.values if s != "converted"])
               .exclude(to_status="").order_by("at"),
               "today": date.today()}
        resp = render(request, "orders/status_page.html", ctx)
        resp["X-Robots-Tag"] = "noindex, nofollow"
        resp["Referrer-Policy"] = "no-referrer"
        return resp
