"""Stocktake pages: list, open, the scanning page (JSON endpoint), variance report (page, PDF, Excel), approval."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView

from hardware_erp.core.exports import export_response
from hardware_erp.core.money import DecimalInput
from hardware_erp.core.templatetags.erp import qty
from hardware_erp.core.views import ERPListView, ServiceActionView

from . import pdf, stocktakes, workflow
from .choices import EntryMethod, StocktakeStatus
from .filtersets import StocktakeFilterSet
from .forms import NoTagHelper
from .models import Category, Location, Stocktake, Warehouse
from .scanning import scan_texts
from .tables import StocktakeTable, VarianceTable
from .views import InventoryFormView, InventoryMixin


class StocktakeListView(InventoryMixin, ERPListView):
    model = Stocktake
    table_class = StocktakeTable
    filterset_class = StocktakeFilterSet
    permission_required = "inventory.view_stocktake"
    title = _("Stocktakes")
    create_url_name = "inventory:stocktake_create"
    create_label = _("Open a count")
    empty_text = _("No stocktakes yet.")

    def get_queryset(self):
        return (Stocktake.objects.select_related("warehouse", "opened_by")
                .annotate(n_lines=Count("lines"), n_counted=Count("lines", filter=Q(lines__counted__isnull=False)))
                .order_by("-opened_at", "-pk"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not self.request.user.has_perm("inventory.add_stocktake"):
            ctx["create_url"] = ""
        return ctx


class StocktakeOpenForm(forms.Form):
    warehouse = forms.ModelChoiceField(Warehouse.objects.filter(active=True), label=_("Warehouse"))
    locations = forms.ModelMultipleChoiceField(Location.objects.filter(active=True).select_related("warehouse"),
                                               label=_("Only these locations"), required=False,
                                               help_text=_("Empty: every location of the warehouse."))
    categories = forms.ModelMultipleChoiceField(Category.objects.all(), label=_("Only these categories"),
                                                required=False)
    blind = forms.BooleanField(label=_("Blind count (counters do not see the expected quantity)"), required=False)
    recount_threshold_pct = DecimalInput(label=_("Recount lines whose variance is above (%)"), initial=5,
                                         min_value=0, max_value=100, decimal_places=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = NoTagHelper()

    def clean(self):
        data = super().clean()
        wh = data.get("warehouse")
        wrong = [loc.code for loc in data.get("locations") or [] if wh and loc.warehouse_id != wh.pk]
        if wrong:
            self.add_error("locations", _("These locations are in another warehouse: %(codes)s.")
                           % {"codes": ", ".join(wrong)})
        return data


class StocktakeCreateView(InventoryFormView):
    permission_required = "inventory.add_stocktake"
    form_class = StocktakeOpenForm
    title = _("Open a count")
    submit_label = _("Open the count")
    cancel_url = reverse_lazy("inventory:stocktake_list")

    def perform(self, form):
        return stocktakes.open_stocktake(actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, result):
        return _("Count %(n)s opened with %(lines)s lines; expected quantities are frozen.") % {
            "n": result.number, "lines": result.lines.count()}


class StocktakeView(InventoryMixin, DetailView):
    """The variance report: expected (with movements during the count), counted, variance and value."""

    model = Stocktake
    permission_required = "inventory.view_stocktake"
    template_name = "inventory/stocktake.html"

    def get_queryset(self):
        return Stocktake.objects.select_related("warehouse", "opened_by", "approved_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        st = self.object
        lines = list(stocktakes.lines_with_variance(st).select_related("product__base_unit", "location")
                     .order_by("location__code", "product__sku"))
        ctx["title"] = _("Stocktake %(n)s") % {"n": st.number}
        ctx["blind_for_me"] = st.hides_expected_from(self.request.user)
        ctx["table"] = VarianceTable(lines, threshold=st.recount_threshold_pct, blind=ctx["blind_for_me"])
        ctx["table"].paginate(page=self.request.GET.get("page", 1), per_page=100)
        ctx["totals"] = stocktakes.variance_totals(lines)
        ctx["n_counted"] = sum(1 for ln in lines if ln.counted is not None)
        ctx["n_lines"] = len(lines)
        ctx["problems"] = stocktakes.invalid_lines(st, lines) if st.status == StocktakeStatus.COUNTING else []
        user = self.request.user
        ctx["buttons"] = {b.target: b for b in workflow.buttons(
            stocktakes.MACHINE, st, user, extra_check=lambda t: stocktakes.segregation_reason(st, user, t.target))}
        ctx["events"] = st.events.select_related("actor")
        ctx["can_count"] = st.status == StocktakeStatus.COUNTING and user.has_perm("inventory.count_stocktake")
        ctx["can_manage"] = st.status == StocktakeStatus.COUNTING and user.has_perm("inventory.change_stocktake")
        return ctx


class StocktakeCountView(InventoryMixin, DetailView):
    """The scanning page, made for a phone or tablet and a scanner that types the code and Enter."""

    model = Stocktake
    permission_required = "inventory.count_stocktake"
    template_name = "inventory/stocktake_count.html"

    def get_queryset(self):
        return Stocktake.objects.filter(status=StocktakeStatus.COUNTING).select_related("warehouse")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        st = self.object
        ctx["title"] = _("Count %(n)s") % {"n": st.number}
        locs = Location.objects.filter(warehouse=st.warehouse, active=True)
        if st.locations.exists():
            locs = locs.filter(pk__in=st.locations.all())
        ctx["locations"] = locs
        ctx["scan_texts"] = scan_texts(counted=_("counted"), expected=_("expected"),
                                       newline=_("not expected here: added"))
        return ctx


class StocktakeScanView(InventoryMixin, View):
    """POST a scan (code, location, optional quantity / weight) -> JSON with the product and its running count."""

    permission_required = "inventory.count_stocktake"

    def post(self, request, pk):
        st = get_object_or_404(Stocktake.objects.select_related("warehouse"), pk=pk)
        p = request.POST
        loc_code = p.get("location", "")
        if loc_code.startswith("LOC:"):  # a scanned location QR
            loc_code = loc_code.split(":")[-1]
        location = Location.objects.filter(warehouse=st.warehouse, code=loc_code.strip().upper()).first()
        if location is None:
            return JsonResponse({"ok": False, "message": str(_("Choose or scan the location first."))}, status=400)
        method = p.get("method") if p.get("method") in EntryMethod.values else EntryMethod.SCAN
        try:
            line = stocktakes.record_count(
                stocktake=st, location=location, actor=request.user, code=p.get("code", ""),
                quantity=p.get("quantity") or None, method=method, replace=p.get("replace") == "1",
                gross=p.get("gross"), tare=p.get("tare"))
        except ValidationError as exc:
            return JsonResponse({"ok": False, "message": " ".join(exc.messages), "code": exc.code}, status=400)
        except PermissionDenied as exc:
            return JsonResponse({"ok": False, "message": str(exc)}, status=403)
        out = {"ok": True, "sku": line.product.sku, "name": line.product.name, "spec": line.product.spec_line,
               "location": location.code, "counted": qty(line.counted), "recount": line.needs_recount,
               "new_line": line.added_during_count}
        if not st.hides_expected_from(request.user):
            out["expected"] = qty(line.expected)
        else:
            out["new_line"] = False  # "not expected here" would tell a blind counter the expected quantity
        return JsonResponse(out)


class StocktakeActionView(ServiceActionView):
    """The count's buttons: approve or cancel (the state machine's transitions), send lines for recount."""

    module = "inventory"
    permission_required = "inventory.view_stocktake"

    def get_object(self):
        return get_object_or_404(Stocktake, pk=self.kwargs["pk"])

    def perform(self):
        action, user = self.request.POST.get("action"), self.request.user
        if action == "recount":
            n = stocktakes.request_recounts(self.object, actor=user)
            self.success_message = _("%(n)s line(s) sent for recount.") % {"n": n}
            return self.object
        to = {"approve": StocktakeStatus.APPROVED, "cancel": StocktakeStatus.CANCELLED}.get(action)
        if to is None:
            raise ValidationError(_("Unknown action."))
        try:
            st = stocktakes.transition(self.object, to, actor=user, note=self.request.POST.get("note", "")[:300],
                                       treat_uncounted_as_zero=self.request.POST.get("zero") == "1")
        except PermissionDenied as exc:
            raise ValidationError(str(exc) or _("You may not do this.")) from None
        self.success_message = (_("Count approved: %(n)s adjustments posted.") % {"n": len(st.posted)}
                                if to == StocktakeStatus.APPROVED else _("Count cancelled."))
        return st


class StocktakeReportView(InventoryMixin, View):
    """The variance report as PDF or Excel."""

    permission_required = "inventory.view_stocktake"

    def get(self, request, pk, fmt):
        st = get_object_or_404(Stocktake.objects.select_related("warehouse"), pk=pk)
        lines = list(stocktakes.lines_with_variance(st).select_related("product", "location")
                     .order_by("location__code", "product__sku"))
        totals = stocktakes.variance_totals(lines)
        blind = st.hides_expected_from(request.user)
        if fmt == "pdf":
            response = HttpResponse(pdf.variance_pdf(st, lines, totals, blind=blind), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{st.number}-variance.pdf"'
            return response
        table = VarianceTable(lines, threshold=st.recount_threshold_pct, blind=blind)
        values = iter(table.as_values())
        return export_response(next(values), values, filename=f"{st.number}-variance.xlsx", title=st.number)
