"""Managers and trainers: team and department progress, onboarding plans, training gates."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Department
from hardware_erp.core.views import ModuleMixin, ServiceActionView, ServiceFormView

from .. import selectors, services
from ..forms import GateForm, PlanCourseForm
from ..models import OnboardingPlan, PlanAssignment, TrainingGate


class ProgressView(ModuleMixin, TemplateView):
    """Per person and per department: enrolled, in progress, completed, overdue, average score."""

    module = "training"
    permission_required = "training.view_team_progress"
    template_name = "training/progress.html"
    title = _("Team progress")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        g = self.request.GET
        department = Department.objects.filter(pk=g.get("department")).first() if g.get("department", "").isdigit() \
            else None
        rows = selectors.team_progress(department=department, q=g.get("q", "").strip(), state=g.get("state", ""))
        page = Paginator(rows, 25).get_page(g.get("page"))
        averages = selectors.quiz_averages(u.pk for u in page.object_list)
        for u in page.object_list:
            u.average = averages.get(u.pk)
            u.rate = int(u.completed * 100 / u.enrolled) if u.enrolled else 0
        ctx.update(page=page, departments=Department.objects.all(), department=department,
                   q=g.get("q", ""), state=g.get("state", ""), by_department=selectors.department_progress(),
                   onboarding=PlanAssignment.objects.filter(completed_at__isnull=True)
                   .select_related("user", "plan", "mentor").order_by("start_date")[:20])
        return ctx


class PlanListView(ModuleMixin, ListView):
    module = "training"
    permission_required = "training.view_onboardingplan"
    template_name = "training/plan_list.html"
    title = _("Onboarding plans")

    def get_queryset(self):
        return OnboardingPlan.objects.annotate(course_count=Count("items", distinct=True),
                                               people=Count("assignments", distinct=True))


class PlanView(ModuleMixin, DetailView):
    module = "training"
    permission_required = "training.view_onboardingplan"
    template_name = "training/plan.html"
    model = OnboardingPlan
    context_object_name = "plan"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.object.title
        ctx["items"] = self.object.items.select_related("course")
        ctx["assignments"] = self.object.assignments.select_related("user", "mentor")[:50]
        if self.request.user.has_perm("training.change_onboardingplan"):
            ctx["form"] = PlanCourseForm(initial={"order": ctx["items"].count() + 1})
        return ctx


class PlanCourseAddView(ServiceActionView):
    """The plan page's "add a course" form (POST only; a refusal comes back as a message)."""

    module = "training"
    permission_required = "training.change_onboardingplan"

    def get_object(self):
        return get_object_or_404(OnboardingPlan, pk=self.kwargs["pk"])

    def perform(self):
        form = PlanCourseForm(self.request.POST)
        if not form.is_valid():
            raise BusinessRuleError(_("Choose a course and the number of days."))
        self.success_message = _("Course added to the plan. New employees get it from now on.")
        services.add_plan_course(self.object, actor=self.request.user, **form.cleaned_data)
        return self.object


class GateListView(ModuleMixin, ListView):
    module = "training"
    permission_required = "training.view_traininggate"
    template_name = "training/gate_list.html"
    title = _("Training gates")
    paginate_by = 25

    def get_queryset(self):
        return TrainingGate.objects.select_related("course", "created_by")


class GateCreateView(ServiceFormView):
    module = "training"
    permission_required = "training.add_traininggate"
    form_class = GateForm
    title = _("New training gate")
    success_message = _("Gate saved: the permission now needs the course.")
    cancel_url = success_url = reverse_lazy("training:gate_list")

    def perform(self, form):
        return services.create_gate(actor=self.request.user, **form.cleaned_data)


class GateToggleView(ServiceActionView):
    module = "training"
    permission_required = "training.change_traininggate"
    success_url = reverse_lazy("training:gate_list")

    def get_object(self):
        return get_object_or_404(TrainingGate, pk=self.kwargs["pk"])

    def perform(self):
        gate = services.toggle_gate(self.object, actor=self.request.user)
        self.success_message = _("Gate switched on.") if gate.active else _("Gate switched off.")
        return gate
