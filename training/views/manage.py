"""Managers and trainers: team and department progress, onboarding plans, training gates."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView

from hardware_erp.core.models import Department
from hardware_erp.core.views import ModuleMixin

from .. import selectors
from ..forms import GateForm, PlanCourseForm
from ..models import OnboardingPlan, PlanAssignment, TrainingGate
from .authoring import FormPage


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


class PlanCourseAddView(ModuleMixin, View):
    module = "training"
    permission_required = "training.change_onboardingplan"

    def post(self, request, pk):
        plan = get_object_or_404(OnboardingPlan, pk=pk)
        form = PlanCourseForm(request.POST, instance=None)
        form.instance.plan = plan
        if form.is_valid():
            if plan.items.filter(course=form.cleaned_data["course"]).exists():
                messages.error(request, _("This course is in the plan already."))
            else:
                form.save()
                messages.success(request, _("Course added to the plan. New employees get it from now on."))
        else:
            messages.error(request, _("Choose a course and the number of days."))
        return redirect(plan)


class GateListView(ModuleMixin, ListView):
    module = "training"
    permission_required = "training.view_traininggate"
    template_name = "training/gate_list.html"
    title = _("Training gates")
    paginate_by = 25

    def get_queryset(self):
        return TrainingGate.objects.select_related("course", "created_by")


class GateCreateView(FormPage, CreateView):
    permission_required = "training.add_traininggate"
    cancel_url_name = "training:gate_list"
    form_class = GateForm
    title = _("New training gate")

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        messages.success(self.request, _("Gate saved: the permission now needs the course."))
        return super().form_valid(form)

    def get_success_url(self):
        from django.urls import reverse

        return reverse("training:gate_list")


class GateToggleView(ModuleMixin, View):
    module = "training"
    permission_required = "training.change_traininggate"

    def post(self, request, pk):
        gate = get_object_or_404(TrainingGate, pk=pk)
        gate.active = not gate.active
        gate.save(update_fields=["active", "updated_at"])
        messages.success(request, _("Gate switched on.") if gate.active else _("Gate switched off."))
        return redirect("training:gate_list")
