"""The data quality page for managers and its drill-down lists (each exportable to Excel)."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from hardware_erp.core.exports import export_response
from hardware_erp.core.forms import PersonChoiceField
from hardware_erp.core.models import Department
from hardware_erp.core.signals import data_exported
from hardware_erp.core.views import ModuleMixin

from . import quality
from .models import ImportLog

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PREVIEW_PAIRS = 5


class DataQualityFilterForm(forms.Form):
    start = forms.DateField(label=_("period from"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("period to"), required=False, widget=DATE_INPUT)
    department = forms.ModelChoiceField(label=_("department"), required=False, queryset=Department.objects.all())
    person = PersonChoiceField(label=_("person"), required=False, queryset=get_user_model().objects.none())
    months = forms.IntegerField(label=_("stale after (months)"), required=False, min_value=1, max_value=60,
                                initial=quality.DEFAULT_STALE_MONTHS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()  # the unbound form shows the default period it stands for
        self.fields["end"].initial = today
        self.fields["start"].initial = today - datetime.timedelta(days=quality.DEFAULT_PERIOD_DAYS)
        self.fields["person"].queryset = get_user_model().objects.filter(is_active=True) \
            .order_by("first_name", "last_name", "username")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data

    def scope(self) -> quality.Scope:
        """The scope the (valid parts of the) form ask for; defaults: the last 90 days, everyone, 6 months."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=quality.DEFAULT_PERIOD_DAYS)
        tz = timezone.get_current_timezone()
        self.start_date, self.end_date = start, end
        return quality.Scope(
            start=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            end=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
            months=data.get("months") or quality.DEFAULT_STALE_MONTHS,
            user_ids=quality.users_of(department=data.get("department"), person=data.get("person")))


def _fmt(dt):
    return date_format(timezone.localtime(dt), "Y-m-d") if dt else ""


def _xlsx(request, title, subtitle, headers, rows, filename, model):
    """The page's numbers as a spreadsheet, through the kernel's export helper (formula cells neutralised)."""
    response = export_response(headers, rows, filename=filename, title="data", caption=[str(title), str(subtitle)])
    data_exported.send(sender=DataQualityView, request=request, model=model, rows=len(rows), format="xlsx")
    return response


class QualityMixin(ModuleMixin):
    module = "governance"
    permission_required = "governance.view_data_quality"

    def setup_scope(self):
        self.form = DataQualityFilterForm(self.request.GET or None)
        self.scope = self.form.scope()
        query = self.request.GET.copy()
        for key in ("page", "format"):
            query.pop(key, None)
        self.query = query.urlencode()
        return self.scope

    def period_text(self):
        return _("%(start)s to %(end)s") % {"start": self.form.start_date, "end": self.form.end_date}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update({"form": self.form, "scope": self.scope, "query": self.query,
                    "start": self.form.start_date, "end": self.form.end_date,
                    "filtered": self.scope.user_ids is not None})
        return ctx


class DataQualityView(QualityMixin, TemplateView):
    template_name = "governance/data_quality.html"
    title = _("Data quality")

    def get(self, request, *args, **kwargs):
        scope = self.setup_scope()
        self.counts = quality.check_counts(scope)
        self.pairs = quality.duplicate_pairs(scope)
        self.change_rows = quality.change_requests_by_person(scope)
        self.import_rows = quality.imports_by_person(scope)
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        rows = [[str(c["check"].title), c["count"]] for c in self.counts]
        rows.append([str(_("Likely duplicate customers (pairs)")), len(self.pairs)])
        rows.append([])
        rows.append([str(_("Change requests per person")), str(_("decided")),
                     str(pgettext_lazy("governance", "approved")),
                     str(_("rejected")), str(_("rejected (%)")), str(_("pending"))])
        rows += [[r["name"], r["decided"], r["approved"], r["rejected"], r["rate"], r["pending"]]
                 for r in self.change_rows]
        rows.append([])
        rows.append([str(_("Imports per person")), str(_("imports")), str(_("with errors")), str(_("rows")),
                     str(_("rows refused")), str(_("error rate (%)"))])
        rows += [[r["name"], r["imports"], r["with_errors"], r["rows"], r["errors"], r["rate"]]
                 for r in self.import_rows]
        return _xlsx(self.request, self.title, self.period_text(), [_("check"), _("records")], rows,
                     f"data-quality-{self.form.start_date:%Y%m%d}-{self.form.end_date:%Y%m%d}.xlsx", ImportLog)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        groups = {"missing": {"customer": [], "product": []}, "stale": {"customer": [], "product": []}}
        for c in self.counts:
            groups[c["check"].group][c["check"].record].append(c)
        ctx.update({
            "missing": groups["missing"], "stale": groups["stale"],
            "missing_total": sum(c["count"] for c in self.counts if c["check"].group == "missing"),
            "stale_total": sum(c["count"] for c in self.counts if c["check"].group == "stale"),
            "pairs": quality.with_customers(self.pairs[:PREVIEW_PAIRS]), "pair_count": len(self.pairs),
            "change_rows": self.change_rows, "import_rows": self.import_rows,
            "changes_url": reverse("governance:changerequest_list"),
        })
        return ctx


class DataQualityListView(QualityMixin, TemplateView):
    """One check's records (or the duplicate pairs, or the imports), paginated, with links to each record."""

    template_name = "governance/data_quality_list.html"
    paginate_by = 50

    def get(self, request, key, *args, **kwargs):
        self.key = key
        scope = self.setup_scope()
        check = quality.CHECKS.get(key)
        if check is not None and not check.available or check is None and key not in ("duplicates", "imports"):
            raise Http404
        self.check = check
        if check is not None:
            self.title, self.hint = check.title, check.hint
            self.items = quality.check_rows(check, scope)
        elif key == "duplicates":
            self.title = _("Likely duplicate customers")
            self.hint = _("Same credit code, same phone or a very similar name in the same city: open both and "
                          "merge them if they are one company.")
            self.items = quality.duplicate_pairs(scope)
        else:
            self.title = _("Imports")
            self.hint = _("Every checked upload counts: its rows and the rows refused by the check.")
            self.items = quality.import_rows(scope)
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def columns(self):
        if self.key == "duplicates":
            return [_("customer"), _("owner"), _("possible duplicate"), _("owner"), _("why")]
        if self.key == "imports":
            return [_("time"), _("person"), _("records"), _("file"), _("rows"), _("rows refused"),
                    _("error rate (%)")]
        if self.check.record == "customer":
            return [_("customer"), _("owner"), _("region"), _("missing"), _("last contact"), _("last order")]
        return [_("product"), _("category"), _("barcode"), _("missing"), _("last movement")]

    def rows(self, items):
        """[(url or "", [cell, ...])] for the page and the export."""
        out = []
        if self.key == "duplicates":
            for p in quality.with_customers(items):
                a, b = p["a"], p["b"]
                out.append(({"a": a.get_absolute_url(), "b": b.get_absolute_url(),
                             "merge": reverse("crm:customer_merge", args=[a.pk])},
                            [a.name, _owner(a), b.name, _owner(b), "; ".join(p["reasons"])]))
            return out
        if self.key == "imports":
            for imp in items:
                rate = round(100 * imp.error_rows / imp.total_rows, 1) if imp.total_rows else None
                person = (imp.user.get_full_name() or imp.user.get_username()) if imp.user else "—"
                out.append(("", [f"{timezone.localtime(imp.created_at):%Y-%m-%d %H:%M}", person, imp.model_label,
                                 imp.file_name, imp.total_rows, imp.error_rows, rate]))
            return out
        for obj in items:
            missing = ", ".join(str(m) for m in quality.missing_fields(obj, self.check.record))
            if self.check.record == "customer":
                out.append((obj.get_absolute_url(), [obj.name, _owner(obj), obj.region, missing,
                                                     _fmt(obj.last_contact_at),
                                                     _fmt(getattr(obj, "last_order_at", None))]))
            else:
                out.append((obj.get_absolute_url(), [str(obj), str(obj.category), obj.barcode or "", missing,
                                                     _fmt(obj.last_movement_at)]))
        return out

    def export(self):
        items = self.items[:10000]
        rows = [cells for _url, cells in self.rows(items)]
        model = ImportLog if self.key in ("imports",) else None
        if model is None:
            from django.apps import apps

            model = apps.get_model("inventory.Product" if self.check and self.check.record == "product"
                                   else "crm.Customer")
        return _xlsx(self.request, self.title, self.period_text(), self.columns(), rows,
                     f"data-quality-{self.key}.xlsx", model)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = Paginator(self.items, self.paginate_by).get_page(self.request.GET.get("page"))
        ctx.update({"key": self.key, "title": self.title, "hint": self.hint, "columns": self.columns(),
                    "rows": self.rows(page.object_list), "page_obj": page, "is_paginated": page.has_other_pages(),
                    "total": page.paginator.count, "check": self.check,
                    "uses_period": self.key == "imports",
                    "uses_months": self.check is not None and self.check.group == "stale",
                    "products": self.check is not None and self.check.record == "product"})
        return ctx


def _owner(customer):
    owner = customer.owner
    return (owner.get_full_name() or owner.get_username()) if owner else "—"
