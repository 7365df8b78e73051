"""Stocktake pages: list, open, the scanning page (JSON endpoint), variance report (page, PDF, Excel), approval."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView

from hardware_erp.core.templatetags.erp import qty
from hardware_erp.core.views import ERPListView

from . import pdf, stocktakes
from .choices import EntryMethod, StocktakeStatus
from .filtersets import StocktakeFilterSet
from .forms import NoTagHelper
from .models import Category, Location, Stocktake, Warehouse
from .tables import StocktakeTable, VarianceTable
from .views import InventoryMixin


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
    recount_threshold_pct = forms.DecimalField(label=_("Recount lines whose variance is above (%)"), initial=5,
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


class StocktakeCreateView(InventoryMixin, FormView):
    permission_required = "inventory.add_stocktake"
    form_class = StocktakeOpenForm
    template_name = "inventory/form.html"
    title = _("Open a count")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": reverse("inventory:stocktake_list"),
                "submit_label": _("Open the count")}

    def form_valid(self, form):
        st = stocktakes.open_stocktake(actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Count %(n)s opened with %(lines)s lines; expected quantities are frozen.")
                         % {"n": st.number, "lines": st.lines.count()})
        return redirect(st.get_absolute_url())


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
        ctx["table"] = VarianceTable(lines, threshold=st.recount_threshold_pct)
        ctx["table"].paginate(page=self.request.GET.get("page", 1), per_page=100)
        ctx["totals"] = stocktakes.variance_totals(lines)
        ctx["n_counted"] = sum(1 for ln in lines if ln.counted is not None)
        ctx["n_lines"] = len(lines)
        ctx["problems"] = stocktakes.invalid_lines(st, lines) if st.status == StocktakeStatus.COUNTING else []
        user = self.request.user
        ctx["can_approve"] = (st.status == StocktakeStatus.COUNTING and user.has_perm("inventory.approve_stocktake")
                              and st.opened_by_id != user.pk)
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
        if not st.blind:
            out["expected"] = qty(line.expected)
        return JsonResponse(out)


class StocktakeActionView(InventoryMixin, View):
    permission_required = "inventory.view_stocktake"

    def post(self, request, pk):
        st = get_object_or_404(Stocktake, pk=pk)
        action = request.POST.get("action")
        try:
            if action == "approve":
                moves = stocktakes.approve_stocktake(st, actor=request.user,
                                                     treat_uncounted_as_zero=request.POST.get("zero") == "1")
                messages.success(request, _("Count approved: %(n)s adjustments posted.") % {"n": len(moves)})
            elif action == "recount":
                n = stocktakes.request_recounts(st, actor=request.user)
                messages.success(request, _("%(n)s line(s) sent for recount.") % {"n": n})
            elif action == "cancel":
                stocktakes.cancel_stocktake(st, actor=request.user)
                messages.success(request, _("Count cancelled."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not do this."))
        return redirect(st.get_absolute_url())


class StocktakeReportView(InventoryMixin, View):
    """The variance report as PDF or Excel."""

    permission_required = "inventory.view_stocktake"

    def get(self, request, pk, fmt):
        st = get_object_or_404(Stocktake.objects.select_related("warehouse"), pk=pk)
        lines = list(stocktakes.lines_with_variance(st).select_related("product", "location")
                     .order_by("location__code", "product__sku"))
        totals = stocktakes.variance_totals(lines)
        if fmt == "pdf":
            response = HttpResponse(pdf.variance_pdf(st, lines, totals), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{st.number}-variance.pdf"'
            return response
        from django_tables2.export import TableExport

        table = VarianceTable(lines, threshold=st.recount_threshold_pct)
        return TableExport("xlsx", table).response(f"{st.number}-variance.xlsx")
