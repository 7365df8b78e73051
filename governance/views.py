from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.views import ERPListView, ModuleIndexView, ModuleMixin, error_messages

from . import selectors, services
from .filtersets import AgreementAcceptanceFilterSet, BackupRunFilterSet, ChangeRequestFilterSet, SecurityEventFilterSet
from .forms import ReviewForm
from .models import AgreementAcceptance, BackupRun, ChangeRequest, SecurityEvent
from .tables import AgreementAcceptanceTable, BackupRunTable, ChangeRequestTable, SecurityEventTable


class IndexView(ModuleIndexView):
    module = "governance"


class ChangeRequestListView(ERPListView):
    """The approval queue: pending requests first (the default filter), every request on demand."""

    model = ChangeRequest
    table_class = ChangeRequestTable
    filterset_class = ChangeRequestFilterSet
    module = "governance"
    permission_required = "governance.view_changerequest"
    title = _("Change requests")
    empty_text = _("No change requests wait for approval.")
    export_formats = ()

    def get_queryset(self):
        return super().get_queryset().select_related("content_type", "requester", "reviewer")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "status" not in self.request.GET:  # the queue: pending requests unless another status is asked for
            data = self.request.GET.copy()
            data["status"] = ChangeRequest.Status.PENDING
            kwargs["data"] = data
        return kwargs


class ChangeRequestView(ModuleMixin, DetailView):
    model = ChangeRequest
    module = "governance"
    permission_required = "governance.view_changerequest"
    template_name = "governance/changerequest.html"
    context_object_name = "cr"

    def get_queryset(self):
        return ChangeRequest.objects.for_user(self.request.user).select_related("content_type", "requester",
                                                                                 "reviewer")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cr = self.object
        ctx["title"] = _("Change request #%(pk)s") % {"pk": cr.pk}
        ctx["form"] = kwargs.get("form") or ReviewForm()
        ctx["can_review"] = (cr.is_pending and self.request.user.has_perm(services.APPROVE_PERM)
                             and cr.requester_id != self.request.user.pk)
        ctx["own_request"] = cr.requester_id == self.request.user.pk
        record = cr.record
        ctx["record_url"] = record.get_absolute_url() if record is not None and hasattr(
            record, "get_absolute_url") else ""
        return ctx

    def post(self, request, pk):
        self.object = get_object_or_404(self.get_queryset(), pk=pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        decide = services.approve_change if form.cleaned_data["decision"] == "approve" else services.reject_change
        try:
            cr = decide(self.object, actor=request.user, comment=form.cleaned_data["comment"])
        except BusinessRuleError as exc:
            error_messages(request, exc)
            return redirect("governance:changerequest", pk=pk)
        if cr.status == ChangeRequest.Status.APPROVED:
            messages.success(request, _("The change of %(record)s is approved and saved.") % {
                "record": cr.object_repr})
        else:
            messages.success(request, _("The change of %(record)s is rejected.") % {"record": cr.object_repr})
        return redirect("governance:changerequest_list")


class SecurityEventListView(ERPListView):
    model = SecurityEvent
    table_class = SecurityEventTable
    filterset_class = SecurityEventFilterSet
    module = "governance"
    permission_required = "governance.view_securityevent"
    title = _("Security log")
    empty_text = _("No security events recorded.")
    paginate_by = 50


class BackupRunListView(ERPListView):
    """The IT page: last backup, its size, its last verification and every run."""

    model = BackupRun
    table_class = BackupRunTable
    filterset_class = BackupRunFilterSet
    module = "governance"
    permission_required = "governance.view_backuprun"
    title = _("Backups")
    template_name = "governance/backuprun_list.html"
    empty_text = _("No backup has run yet.")
    export_formats = ()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["status"] = selectors.backup_status()
        return ctx


class AgreementAcceptanceListView(ERPListView):
    """For HR: who accepted which version of the confidentiality agreement, when and from where; and who has
    not yet accepted the current version."""

    model = AgreementAcceptance
    table_class = AgreementAcceptanceTable
    filterset_class = AgreementAcceptanceFilterSet
    module = "governance"
    permission_required = "governance.view_agreementacceptance"
    title = _("Confidentiality agreements")
    template_name = "governance/agreementacceptance_list.html"
    empty_text = _("Nobody has accepted an agreement yet.")
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("user", "user__employee__department", "version")

    def get_export_filename(self, export_format):
        return f"agreement-acceptances.{export_format}"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not (getattr(self.request, "htmx", False) and not self.request.htmx.boosted):
            ctx["agreement"] = selectors.agreement_status()
        return ctx
