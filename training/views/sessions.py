"""In-service training sessions (enrolment, waiting list, attendance, feedback) and external training."""

from django.contrib import messages
from django.db.models import Avg, Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.uploads import serve_upload
from hardware_erp.core.views import ERPListView, ModuleMixin, ServiceFormView, error_messages

from .. import services
from ..choices import SeatStatus
from ..filtersets import ExternalTrainingFilterSet, SessionFilterSet
from ..forms import ExternalTrainingForm, FeedbackForm, SessionForm
from ..models import ExternalTraining, SessionFeedback, TrainingSession
from ..tables import ExternalTrainingTable, SessionTable


class SessionListView(ERPListView):
    model = TrainingSession
    module = "training"
    permission_required = "training.view_trainingsession"
    table_class = SessionTable
    filterset_class = SessionFilterSet
    title = _("In-service training sessions")
    empty_text = _("No sessions are planned yet.")
    create_label = _("New session")

    def get_queryset(self):
        return super().get_queryset().select_related("trainer").annotate(
            enrolled_count=Count("seats", filter=Q(seats__status=SeatStatus.ENROLLED))).order_by("-starts_at")

    def get_context_data(self, **kwargs):
        if self.request.user.has_perm("training.add_trainingsession"):
            self.create_url_name = "training:session_create"
        return super().get_context_data(**kwargs)


class SessionView(ModuleMixin, DetailView):
    module = "training"
    permission_required = "training.view_trainingsession"
    template_name = "training/session.html"
    model = TrainingSession
    context_object_name = "session"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s, user = self.object, self.request.user
        seats = list(s.seats.select_related("user__employee__department").exclude(status=SeatStatus.CANCELLED))
        ctx["title"] = s.title
        ctx["enrolled"] = [x for x in seats if x.status == SeatStatus.ENROLLED]
        ctx["waiting"] = [x for x in seats if x.status == SeatStatus.WAITING]
        ctx["my_seat"] = next((x for x in seats if x.user_id == user.pk), None)
        ctx["free"] = max(0, s.capacity - len(ctx["enrolled"]))
        ctx["started"] = s.starts_at <= timezone.now()
        ctx["can_manage"] = user.pk == s.trainer_id or user.has_perm("training.take_attendance")
        ctx["feedback"] = SessionFeedback.objects.filter(session=s)
        ctx["feedback_summary"] = ctx["feedback"].aggregate(avg=Avg("rating"), n=Count("pk"),
                                                            useful=Count("pk", filter=Q(useful=True)))
        my_feedback = ctx["feedback"].filter(user=user).first()
        ctx["my_feedback"] = my_feedback
        if ctx["my_seat"] and ctx["my_seat"].attended and not my_feedback:
            ctx["feedback_form"] = FeedbackForm()
        ctx["description_html"] = s.description
        return ctx


class SessionSeatView(ModuleMixin, View):
    """POST action=book or cancel."""

    module = "training"
    permission_required = "training.view_trainingsession"

    def post(self, request, pk):
        session = get_object_or_404(TrainingSession, pk=pk)
        try:
            if request.POST.get("action") == "cancel":
                services.cancel_seat(session, actor=request.user)
                messages.success(request, _("Your seat is cancelled."))
            else:
                seat = services.book_seat(session, actor=request.user)
                if seat.status == SeatStatus.WAITING:
                    messages.warning(request, _("The session is full: you are on the waiting list and will be told "
                                                "when a seat becomes free."))
                else:
                    messages.success(request, _("You are enrolled. See you there!"))
        except BusinessRuleError as exc:
            error_messages(request, exc)
        return redirect(session)


class AttendanceView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_trainingsession"

    def post(self, request, pk):
        session = get_object_or_404(TrainingSession, pk=pk)
        try:
            n = services.take_attendance(session, request.POST.getlist("present"), actor=request.user)
        except BusinessRuleError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("Attendance saved: %(n)d present.") % {"n": n})
        return redirect(session)


class FeedbackView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_trainingsession"

    def post(self, request, pk):
        session = get_object_or_404(TrainingSession, pk=pk)
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a rating from one to five stars."))
            return redirect(session)
        try:
            services.submit_feedback(session, actor=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("Thank you for your feedback."))
        return redirect(session)


class SessionCreateView(ServiceFormView):
    module = "training"
    permission_required = "training.add_trainingsession"
    form_class = SessionForm
    title = _("New session")
    success_message = _("Session saved.")
    cancel_url = reverse_lazy("training:session_list")

    def get_initial(self):
        return {"trainer": self.request.user.pk, "capacity": 20} if self.object is None else {}

    def perform(self, form):
        return services.save_session(self.object, actor=self.request.user, **form.cleaned_data)


class SessionEditView(SessionCreateView):
    permission_required = "training.change_trainingsession"
    title = _("Edit session")

    def get_object(self):
        return get_object_or_404(TrainingSession, pk=self.kwargs["pk"])


class ExternalListView(ERPListView):
    model = ExternalTraining
    module = "training"
    permission_required = "training.view_externaltraining"
    table_class = ExternalTrainingTable
    filterset_class = ExternalTrainingFilterSet
    title = _("External training and conferences")
    empty_text = _("No external training recorded yet. Record a course or conference you attended.")
    create_url_name = "training:external_create"
    create_label = _("Record external training")
    template_name = "training/external_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("user")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["total_hours"] = self.object_list.aggregate(h=Sum("hours"))["h"]
        return ctx


class ExternalCreateView(ServiceFormView):
    module = "training"
    permission_required = "training.add_externaltraining"
    form_class = ExternalTrainingForm
    title = _("Record external training")
    success_message = _("Recorded. Thank you for keeping your training record up to date.")
    cancel_url = success_url = reverse_lazy("training:external_list")

    def perform(self, form):
        return services.record_external_training(actor=self.request.user, **form.cleaned_data)


class ExternalFileView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_externaltraining"

    def get(self, request, pk):
        record = get_object_or_404(ExternalTraining.objects.for_user(request.user), pk=pk)
        return serve_upload(record.certificate)


