"""Mentors and managers: a mentee's page (progress, practice sign-off, the thread), choosing mentors."""

from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.views import ModuleMixin, error_messages

from .. import services
from ..forms import MentorForm, MessageForm
from ..models import LessonProgress, PlanAssignment


def _signed_here(assignment):
    """Practice tasks signed off from this onboarding: its plan's courses and the learner's courses outside plans."""
    return Q(enrollment__assignment=assignment) | Q(enrollment__user_id=assignment.user_id,
                                                    enrollment__assignment__isnull=True)


class MenteeView(ModuleMixin, DetailView):
    module = "training"
    permission_required = "training.view_planassignment"
    template_name = "training/mentee.html"
    context_object_name = "assignment"

    def get_queryset(self):
        return PlanAssignment.objects.for_user(self.request.user).select_related("user__employee__department",
                                                                                 "plan", "mentor")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a, user = self.object, self.request.user
        ctx["title"] = _("Onboarding of %(name)s") % {"name": a.user.get_full_name() or a.user.username}
        ctx["enrollments"] = (a.enrollments.select_related("course").annotate(lesson_count=Count("course__lessons"))
                              .order_by("due_date", "pk"))
        ctx["to_sign"] = (LessonProgress.objects.filter(_signed_here(a), submitted_at__isnull=False,
                                                        completed_at__isnull=True)
                          .select_related("lesson__course"))
        ctx["signed"] = (LessonProgress.objects.filter(_signed_here(a), signed_off_by__isnull=False)
                         .select_related("lesson", "signed_off_by"))
        ctx["attempts"] = (a.user.quiz_attempts.filter(submitted_at__isnull=False)
                           .select_related("quiz__lesson")[:10])
        ctx["thread"] = a.messages.select_related("author")
        ctx["message_form"] = MessageForm()
        ctx["is_mentor"] = a.mentor_id == user.pk
        ctx["can_write"] = user.pk in (a.user_id, a.mentor_id) or user.has_perm("training.view_team_progress")
        ctx["can_sign"] = ctx["is_mentor"] or user.has_perm("training.change_course")
        if user.has_perm("training.assign_mentor"):
            ctx["mentor_form"] = MentorForm(initial={"mentor": a.mentor_id})
        ctx["percent"] = int(a.enrollments.aggregate(p=Avg("progress"))["p"] or 0)
        return ctx


class _AssignmentAction(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_planassignment"

    def assignment(self, request, pk):
        return get_object_or_404(PlanAssignment.objects.for_user(request.user), pk=pk)


class MentorMessageView(_AssignmentAction):
    def post(self, request, pk):
        a = self.assignment(request, pk)
        form = MessageForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write a message first."))
        else:
            try:
                services.post_mentor_message(a, actor=request.user, body=form.cleaned_data["body"])
            except BusinessRuleError as exc:
                error_messages(request, exc)
        return redirect(a.get_absolute_url() + "#thread")


class SignOffView(_AssignmentAction):
    def post(self, request, pk, progress_pk):
        a = self.assignment(request, pk)
        progress = get_object_or_404(LessonProgress.objects.filter(_signed_here(a)), pk=progress_pk)
        try:
            services.sign_off_practice(progress, actor=request.user)
        except BusinessRuleError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("Signed off."))
        return redirect(a)


class SetMentorView(_AssignmentAction):
    permission_required = "training.assign_mentor"

    def post(self, request, pk):
        a = self.assignment(request, pk)
        form = MentorForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a mentor from the list."))
            return redirect(a)
        try:
            services.set_mentor(a, form.cleaned_data["mentor"], actor=request.user)
        except BusinessRuleError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("Mentor set; both have been told."))
        return redirect(a)
