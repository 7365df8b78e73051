from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.outbox import enqueue_after_commit
from hardware_erp.core.roles import ROLES
from hardware_erp.core.views import ERPListView, ModuleIndexView, ModuleMixin, ServiceFormView, error_messages

from . import exports, scoring, selectors, services
from .choices import PeriodKindChoices
from .filtersets import BonusTierFilterSet, KPIFilterSet, PeriodFilterSet, ScorecardFilterSet
from .forms import AdjustmentForm, BonusTierForm, CommentForm, PeriodForm, PeriodKPIForm, TransitionForm
from .models import KPI, BonusTier, KPIValue, Period, PeriodKPI, Scorecard
from .pdf import scorecard_pdf
from .tables import BonusTierTable, KPITable, PeriodTable, ScorecardTable

MODULE = "performance"


def trend_chart(trend):
    return {"labels": [r["label"] for r in trend],
            "scores": [float(r["score"]) if r["score"] is not None else None for r in trend]}


class IndexView(ModuleIndexView):
    module = MODULE


# ---------------------------------------------------------------- the employee's page

class MyScorecardView(ModuleMixin, TemplateView):
    """The employee's dashboard: the latest own scorecard, what to improve, and all own scorecards."""

    module = MODULE
    permission_required = "performance.view_scorecard"
    template_name = "performance/me.html"
    title = _("My scorecard")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cards = list(selectors.own_scorecards(self.request.user))
        latest = next((c for c in cards if c.computed_at), None)
        ctx["scorecards"] = cards
        ctx["latest"] = latest
        if latest:
            values = selectors.scorecard_values(latest)
            ctx["values"] = values
            ctx["improve"] = selectors.improvements(values)
            ctx["has_any_data"] = any(v.has_data for v in values)
            ctx["no_data"] = [v for v in values if not v.has_data]
            ctx["team"] = selectors.team_comparison(latest)
            ctx["trend"] = selectors.trend(latest)
            ctx["trend_data"] = trend_chart(ctx["trend"])
        return ctx


# ---------------------------------------------------------------- scorecards

class ScorecardListView(ERPListView):
    model = Scorecard
    table_class = ScorecardTable
    filterset_class = ScorecardFilterSet
    module = MODULE
    permission_required = "performance.view_scorecard"
    title = _("Scorecards")
    empty_text = _("No scorecards yet: compute a period to create them.")

    def get_queryset(self):
        return super().get_queryset().select_related("employee", "period", "department")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs


class ScorecardView(ModuleMixin, DetailView):
    """One scorecard: values against targets, scores, trend, team median, the review and its history.
    POST with `action` = transition, adjust or comment."""

    module = MODULE
    permission_required = "performance.view_scorecard"
    template_name = "performance/scorecard.html"
    context_object_name = "sc"

    def get_queryset(self):
        return Scorecard.objects.for_user(self.request.user).select_related("employee", "period", "department")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sc, user = self.object, self.request.user
        values = selectors.scorecard_values(sc)
        team = selectors.team_comparison(sc)
        for v in values:
            v.team_median = team["kpi_medians"].get(v.kpi_id)
        reviewer = services.can_review(user, sc)
        trend = selectors.trend(sc)
        ctx.update({
            "title": _("Scorecard of %(name)s · %(period)s") % {"name": selectors.person_name(sc.employee),
                                                               "period": sc.period.label},
            "values": values, "team": team, "trend": trend, "is_reviewer": reviewer,
            "is_owner": sc.employee_id == user.pk, "role_label": selectors.role_label(sc.role),
            "actions": services.actions(sc, user),
            "no_reviewer": services.has_no_reviewer(sc),
            "editable": reviewer and sc.status in services.EDITABLE,
            "adjust_form": kwargs.get("adjust_form") or AdjustmentForm(kpis=KPI.objects.filter(
                values__scorecard=sc)),
            "comment_form": kwargs.get("comment_form") or CommentForm(initial={"text": sc.manager_comment}),
            "transition_form": kwargs.get("transition_form") or TransitionForm(),
            "adjustments": list(sc.adjustments.select_related("actor", "kpi")),
            "events": list(sc.events.select_related("actor")),
            "tier": selectors.tier_for(sc.final_score, selectors.tiers()),
            "trend_data": trend_chart(trend),
            "improve": selectors.improvements(values),
            "has_any_data": any(v.has_data for v in values),
        })
        return ctx

    def post(self, request, pk):
        self.object = get_object_or_404(self.get_queryset(), pk=pk)
        sc = self.object
        action = request.POST.get("action")
        form_kwargs = {}
        try:
            if action == "transition":
                form = TransitionForm(request.POST)
                if form.is_valid():
                    sc = services.transition(sc, form.cleaned_data["to"], actor=request.user,
                                             note=form.cleaned_data["note"])
                    messages.success(request, _("The scorecard is now “%(status)s”.") % {
                        "status": sc.get_status_display()})
                    return redirect(sc)
                form_kwargs["transition_form"] = form
            elif action == "adjust":
                form = AdjustmentForm(request.POST, kpis=KPI.objects.filter(values__scorecard=sc))
                if form.is_valid():
                    services.adjust_scorecard(sc, points=form.cleaned_data["points"], reason=form.cleaned_data[
                        "reason"], kpi=form.cleaned_data["kpi"], actor=request.user)
                    messages.success(request, _("The adjustment is saved."))
                    return redirect(sc)
                form_kwargs["adjust_form"] = form
            elif action == "comment":
                form = CommentForm(request.POST)
                if form.is_valid():
                    services.comment_scorecard(sc, text=form.cleaned_data["text"], actor=request.user)
                    messages.success(request, _("The comment is saved."))
                    return redirect(sc)
                form_kwargs["comment_form"] = form
            else:
                messages.error(request, _("Unknown action."))
                return redirect(sc)
        except BusinessRuleError as exc:
            error_messages(request, exc)
            return redirect(sc)
        messages.error(request, _("Please correct the errors below."))
        return self.render_to_response(self.get_context_data(**form_kwargs), status=400)


class EvidenceView(ModuleMixin, TemplateView):
    """The records behind one KPI value: what counted and why. Full page, or the partial for htmx."""

    module = MODULE
    permission_required = "performance.view_scorecard"
    paginate_by = 50

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["performance/_evidence.html"]
        return ["performance/evidence.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visible = Scorecard.objects.for_user(self.request.user)
        value = get_object_or_404(KPIValue.objects.select_related("kpi", "scorecard__employee", "scorecard__period"),
                                  pk=self.kwargs["value_pk"], scorecard__in=visible,
                                  scorecard_id=self.kwargs["pk"])
        only = self.request.GET.get("only", "")
        page = Paginator(selectors.evidence_of(value, only), self.paginate_by).get_page(self.request.GET.get("page"))
        ctx.update({"value": value, "sc": value.scorecard, "page_obj": page, "only": only,
                    "title": _("%(kpi)s · %(name)s · %(period)s") % {
                        "kpi": value.kpi.name, "name": selectors.person_name(value.scorecard.employee),
                        "period": value.scorecard.period.label}})
        return ctx


class ScorecardPDFView(ScorecardView):
    def get(self, request, *args, **kwargs):
        sc = self.get_object()
        values = selectors.scorecard_values(sc)
        body = scorecard_pdf(sc, values, selectors.team_comparison(sc), selectors.trend(sc),
                             list(sc.adjustments.select_related("actor")), list(sc.events.select_related("actor")))
        resp = HttpResponse(body, content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="scorecard-{sc.employee.username}-{sc.period.label}.pdf"'
        return resp

    def post(self, request, *args, **kwargs):
        raise PermissionDenied


# ---------------------------------------------------------------- periods

class PeriodListView(ERPListView):
    model = Period
    table_class = PeriodTable
    filterset_class = PeriodFilterSet
    module = MODULE
    permission_required = "performance.view_period"
    title = _("Appraisal periods")
    empty_text = _("No appraisal periods yet.")
    template_name = "performance/period_list.html"

    def get_queryset(self):
        return super().get_queryset().annotate(n_scorecards=Count("scorecards")).order_by("-start", "kind")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["period_form"] = PeriodForm()
        return ctx


class PeriodCreateView(ModuleMixin, View):
    module = MODULE
    permission_required = "performance.compute_period"

    def post(self, request):
        form = PeriodForm(request.POST)
        if not form.is_valid():
            for errs in form.errors.values():
                for e in errs:
                    messages.error(request, e)
            return redirect("performance:period_list")
        period = services.ensure_period(form.cleaned_data["kind"], form.cleaned_data["month"])
        messages.success(request, _("The period %(period)s is ready.") % {"period": period.label})
        return redirect("performance:period", pk=period.pk)


class PeriodView(ModuleMixin, DetailView):
    """A period's results: every visible person's scores, compute and close buttons, runs, exports."""

    module = MODULE
    permission_required = "performance.view_period"
    template_name = "performance/period.html"
    model = Period
    context_object_name = "period"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.GET.get("_export") == "xlsx":
            return exports.period_results_xlsx(request, self.object, selectors.period_results(self.object,
                                                                                               request.user),
                                               self._kpis())
        return self.render_to_response(self.get_context_data(object=self.object))

    def _kpis(self):
        return list(KPI.objects.filter(period_settings__period=self.object).distinct().order_by("position"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        p = self.object
        rows = selectors.period_results(p, self.request.user)
        ctx.update({"title": _("Appraisal period %(period)s") % {"period": p.label}, "rows": rows,
                    "runs": list(p.runs.select_related("actor")[:10]),
                    "roles": [(k, r.label) for k, r in ROLES.items()
                              if k in set(p.kpis.values_list("role", flat=True))],
                    "can_compute": self.request.user.has_perm("performance.compute_period"),
                    "can_manage": self.request.user.has_perm("performance.manage_kpi"),
                    "can_payroll": self.request.user.has_perm("performance.export_payroll"),
                    "payroll_withheld": payroll_withheld(p)})
        return ctx


class PeriodComputeView(ModuleMixin, View):
    """The on-demand computation: checked here, run by the worker after commit."""

    module = MODULE
    permission_required = "performance.compute_period"

    def post(self, request, pk):
        period = get_object_or_404(Period, pk=pk)
        try:
            services.check_computable(period)
        except BusinessRuleError as exc:
            error_messages(request, exc)
            return redirect("performance:period", pk=pk)
        enqueue_after_commit("performance.compute_period_task", period.pk, request.user.pk)
        messages.success(request, _("The computation of %(period)s has started; the results appear here when it "
                                    "is done.") % {"period": period.label})
        return redirect("performance:period", pk=pk)


class PeriodCloseView(ModuleMixin, View):
    module = MODULE
    permission_required = "performance.compute_period"

    def post(self, request, pk):
        period = get_object_or_404(Period, pk=pk)
        try:
            services.close_period(period, actor=request.user)
        except BusinessRuleError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("The period %(period)s is closed.") % {"period": period.label})
        return redirect("performance:period", pk=pk)


class PeriodSettingsView(ModuleMixin, TemplateView):
    """One role's targets, weights and bands for a period; the weights must sum to 100."""

    module = MODULE
    permission_required = "performance.manage_kpi"
    template_name = "performance/period_settings.html"

    def dispatch(self, request, *args, **kwargs):
        self.period = get_object_or_404(Period, pk=kwargs["pk"])
        present = set(self.period.kpis.values_list("role", flat=True))
        roles = [k for k in ROLES if k in present]
        self.role = request.GET.get("role") or request.POST.get("role") or (roles[0] if roles else "")
        self.roles = roles
        return super().dispatch(request, *args, **kwargs)

    def settings_rows(self):
        return list(PeriodKPI.objects.filter(period=self.period, role=self.role).select_related("kpi"))

    def forms(self, data=None):
        return [(s, PeriodKPIForm(data, prefix=f"k{s.pk}", initial={
            "target": s.target, "weight": s.weight, "bands": scoring.format_bands(s.bands)}))
            for s in self.settings_rows()]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = kwargs.get("rows") or self.forms()
        ctx.update({"title": _("Targets and weights · %(period)s") % {"period": self.period.label},
                    "period": self.period, "role": self.role, "rows": rows,
                    "roles": [(k, ROLES[k].label) for k in self.roles],
                    "total": sum((s.weight for s, _f in rows), 0)})
        return ctx

    def post(self, request, pk):
        rows = self.forms(request.POST)
        if all(f.is_valid() for _s, f in rows):
            try:
                services.set_period_kpis(self.period, self.role, {s.pk: f.cleaned_data for s, f in rows},
                                         actor=request.user)
            except BusinessRuleError as exc:
                error_messages(request, exc)
                return self.render_to_response(self.get_context_data(rows=rows), status=400)
            messages.success(request, _("Targets and weights of %(role)s saved.") % {
                "role": ROLES[self.role].label})
            return redirect(reverse("performance:period_settings", args=[pk]) + f"?role={self.role}")
        messages.error(request, _("Please correct the errors below."))
        return self.render_to_response(self.get_context_data(rows=rows), status=400)


def payroll_withheld(period) -> str:
    """Why the payroll of `period` may not be exported yet ("" once the period is closed)."""
    if period.is_closed:
        return ""
    return str(_("Payroll is exported only for a closed period: %(period)s is still under review.")
               % {"period": period.label})


class PayrollExportView(ModuleMixin, View):
    """The payroll file of a period: every scorecard's final score, tier, bonus and points."""

    module = MODULE
    permission_required = "performance.export_payroll"

    def get(self, request, pk):
        period = get_object_or_404(Period, pk=pk)
        reason = payroll_withheld(period)
        if reason:
            messages.error(request, reason)
            if request.user.has_perm("performance.view_period"):
                return redirect("performance:period", pk=pk)
            return redirect("performance:tier_list")
        rows = selectors.period_results(period)  # payroll needs everyone, whoever exports it
        return exports.payroll_xlsx(request, period, rows)


# ---------------------------------------------------------------- dashboards and recognition

class PeriodPickerMixin:
    default_kind = PeriodKindChoices.MONTH

    def pick_period(self):
        pk = self.request.GET.get("period")
        if pk and pk.isdigit():
            return Period.objects.filter(pk=pk).first()
        return selectors.latest_period(self.default_kind)


class DashboardView(ModuleMixin, PeriodPickerMixin, TemplateView):
    """The manager's dashboard: departments, distribution of scores, people below target per KPI and the
    records behind it."""

    module = MODULE
    permission_required = "performance.review_scorecard"
    template_name = "performance/dashboard.html"
    title = _("Manager dashboard")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        period = self.pick_period()
        ctx["period"] = period
        ctx["periods"] = list(Period.objects.order_by("-start", "kind")[:24])
        if period:
            overview = selectors.department_overview(period, self.request.user)
            ctx["overview"] = overview
            ctx["below"] = selectors.below_target(period, self.request.user)
            ctx["chart_data"] = {"labels": [b["label"] for b in overview["distribution"]],
                                 "counts": [b["count"] for b in overview["distribution"]]}
        return ctx

    def get(self, request, *args, **kwargs):
        ctx = self.get_context_data(**kwargs)
        if request.GET.get("_export") == "xlsx" and ctx.get("overview"):
            return exports.distribution_xlsx(request, ctx["period"], ctx["overview"])
        return self.render_to_response(ctx)


class RecognitionView(ModuleMixin, PeriodPickerMixin, TemplateView):
    """The monthly recognition list: the top performers of each department."""

    module = MODULE
    permission_required = "performance.view_scorecard"
    template_name = "performance/recognition.html"
    title = _("Recognition")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        period = self.pick_period()
        ctx["period"] = period
        ctx["periods"] = list(Period.objects.filter(kind=PeriodKindChoices.MONTH).order_by("-start")[:12])
        ctx["departments"] = selectors.recognition_list(period) if period else []
        return ctx


# ---------------------------------------------------------------- catalogue and tiers

class KPIListView(ERPListView):
    model = KPI
    table_class = KPITable
    filterset_class = KPIFilterSet
    module = MODULE
    permission_required = "performance.view_kpi"
    title = _("KPI catalogue")
    empty_text = _("No KPIs defined.")

    def get_queryset(self):
        return super().get_queryset().filter(active=True).prefetch_related("weights").distinct()


class BonusTierListView(ERPListView):
    model = BonusTier
    table_class = BonusTierTable
    filterset_class = BonusTierFilterSet
    module = MODULE
    permission_required = "performance.view_bonustier"
    title = _("Bonus tiers")
    empty_text = _("No bonus tiers: add one to pay bonuses by score.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.request.user.has_perm("performance.add_bonustier"):
            ctx["create_url"] = reverse("performance:tier_create")
            ctx["create_label"] = _("New tier")
        return ctx


class BonusTierCreateView(ServiceFormView):
    module = MODULE
    form_class = BonusTierForm
    permission_required = "performance.add_bonustier"
    title = _("New bonus tier")
    success_message = _("The bonus tier is saved.")
    cancel_url = success_url = reverse_lazy("performance:tier_list")

    def perform(self, form):
        return services.save_bonus_tier(self.object, actor=self.request.user, **form.cleaned_data)


class BonusTierEditView(BonusTierCreateView):
    permission_required = "performance.change_bonustier"
    title = _("Edit bonus tier")

    def get_object(self):
        return get_object_or_404(BonusTier, pk=self.kwargs["pk"])
