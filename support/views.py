"""Support pages. Tickets: any employee opens and follows their own; IT staff see and work all."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from hardware_erp.core.exports import export_book_response
from hardware_erp.core.uploads import serve_upload
from hardware_erp.core.views import (
    ERPListView,
    ModuleIndexView,
    ModuleMixin,
    ServiceFormView,
    error_messages,
    form_errors,
)

from . import services
from .choices import TicketPriority
from .filtersets import (
    IncidentFilterSet,
    InspectionFilterSet,
    MaintenanceFilterSet,
    SuggestionFilterSet,
    SystemFilterSet,
    TicketFilterSet,
)
from .forms import (
    AnswerForm,
    AssignForm,
    AssignmentRulesForm,
    CalendarDayForm,
    IncidentForm,
    IncidentResolveForm,
    IncidentReviewForm,
    IncidentUpdateForm,
    InspectionForm,
    MaintenanceForm,
    MessageForm,
    PriorityForm,
    RatingForm,
    ReportForm,
    SLAPolicyForm,
    SuggestionForm,
    SystemForm,
    TicketForm,
)
from .models import (
    AssignmentRule,
    Incident,
    Inspection,
    MaintenanceWindow,
    RequestRecord,
    SLAPolicy,
    Suggestion,
    System,
    Ticket,
    TicketAttachment,
)
from .status import LABELS as CHECK_LABELS
from .tables import (
    IncidentTable,
    InspectionTable,
    MaintenanceTable,
    SuggestionTable,
    SystemTable,
    TicketTable,
)
from .workcal import WorkingCalendar, format_minutes


class IndexView(ModuleIndexView):
    module = "support"


# The category a ticket probably belongs to, from the first part of the page's path.
CATEGORY_BY_PATH = {"crm": "crm", "inventory": "inventory", "orders": "orders", "accounts": "account"}


class TicketListView(ERPListView):
    model = Ticket
    table_class = TicketTable
    filterset_class = TicketFilterSet
    module = "support"
    permission_required = "support.view_ticket"
    title = _("Tickets")
    create_url_name = "support:ticket_create"
    create_label = _("New ticket")
    empty_text = _("No tickets yet. Use “Report a problem” at the top of any page.")

    def get_queryset(self):
        return super().get_queryset().select_related("requester", "assignee")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not services.is_it_staff(self.request.user):
            ctx["title"] = _("My tickets")
        return ctx


class TicketCreateView(ServiceFormView):
    form_class = TicketForm
    module = "support"
    permission_required = "support.add_ticket"
    title = _("Report a problem")
    intro = _("IT answers on the ticket page; you are notified in the app and by e-mail.")
    submit_label = _("Send to IT")

    def get_initial(self):
        page = self.request.GET.get("from", "")
        if not url_has_allowed_host_and_scheme(page, allowed_hosts={self.request.get_host()}):
            page = ""
        category = self.request.GET.get("category") or CATEGORY_BY_PATH.get(page.strip("/").split("/")[0], "other")
        return {"page_url": page, "category": category, "priority": "normal"}

    def get_cancel_url(self):
        return self.get_initial()["page_url"] or reverse("support:ticket_list")

    def get_success_message(self, result):
        return _("Ticket %(number)s is open. IT will answer here and tell you.") % {"number": result.number}

    def perform(self, form):
        d = form.cleaned_data
        return services.open_ticket(requester=self.request.user, subject=d["subject"],
                                    description=d["description"], category=d["category"],
                                    priority=d["priority"], page_url=d["page_url"], files=d["attachments"])


def deadline_info(ticket, calendar, now):
    """What the ticket page shows about each target: due time, remaining working time, met/breached."""
    rows = []
    for label, due, done_at in ((_("First response"), ticket.response_due, ticket.first_response_at),
                                (_("Resolution"), ticket.resolution_due, ticket.resolved_at)):
        if due is None:
            continue
        if done_at:
            state, tone = ((_("met"), "success") if done_at <= due else (_("missed"), "danger"))
            rows.append({"label": label, "due": due, "done_at": done_at, "state": state, "tone": tone,
                         "remaining": ""})
            continue
        left = calendar.working_minutes_between(now, due)
        if ticket.status == "closed":
            rows.append({"label": label, "due": due, "state": _("not counted"), "tone": "secondary", "remaining": ""})
            continue
        tone = "danger" if left < 0 else ("warning" if left < 120 else "success")
        text = (_("overdue by %(t)s") % {"t": format_minutes(-left)} if left < 0
                else _("%(t)s left") % {"t": format_minutes(left)})
        rows.append({"label": label, "due": due, "remaining": text, "tone": tone, "state": ""})
    return rows


class TicketView(ModuleMixin, DetailView):
    model = Ticket
    module = "support"
    permission_required = "support.view_ticket"
    template_name = "support/ticket.html"
    context_object_name = "ticket"

    def get_queryset(self):
        return Ticket.objects.for_user(self.request.user).select_related("requester", "assignee")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t, user = self.object, self.request.user
        it = services.is_it_staff(user)
        msgs = t.messages.select_related("author").prefetch_related("attachments")
        if not it:
            msgs = msgs.filter(internal=False)
        allowed = [services.S(s) for s in services.targets(t)]
        if not it:  # the requester's own moves; a lead reading someone else's ticket has none
            allowed = [s for s in allowed if (services.S(t.status), s) in services.REQUESTER_TRANSITIONS
                       and s != services.S.IN_PROGRESS and user.pk == t.requester_id]
        ctx.update(
            title=f"{t.number} {t.subject}", is_it=it, thread=msgs,
            ticket_files=t.attachments.filter(message__isnull=True),
            events=t.events.select_related("actor"),
            transitions=[(s.value, s.label) for s in allowed if s != services.S.CLOSED or it],
            deadlines=deadline_info(t, WorkingCalendar(), timezone.now()),
            message_form=MessageForm(), rating_form=RatingForm(),
            can_rate=(user.pk == t.requester_id and t.status in ("resolved", "closed") and t.rating is None),
        )
        if it:
            ctx["assign_form"] = AssignForm(staff=services.it_staff(), initial={"assignee": t.assignee_id})
            ctx["priority_form"] = PriorityForm(initial={"priority": t.priority})
        return ctx


class TicketActionView(ModuleMixin, View):
    """Base of the POST actions on one ticket: the ticket is looked up through for_user (404 otherwise)."""

    module = "support"
    permission_required = "support.view_ticket"

    def get_ticket(self, pk):
        return get_object_or_404(Ticket.objects.for_user(self.request.user), pk=pk)

    def post(self, request, pk):
        ticket = self.get_ticket(pk)
        try:
            self.act(ticket)
        except ValidationError as exc:
            error_messages(request, exc)
        return redirect(ticket)

    def act(self, ticket):
        raise TypeError(f"{type(self).__name__} must define act(ticket)")  # each action view overrides it


class TicketReplyView(TicketActionView):
    def act(self, ticket):
        form = MessageForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        services.post_message(ticket, actor=self.request.user, body=form.cleaned_data["body"],
                              internal=form.cleaned_data["internal"], files=form.cleaned_data["attachments"])
        messages.success(self.request, _("Your message is posted."))


class TicketTransitionView(TicketActionView):
    def act(self, ticket):
        to = self.request.POST.get("to", "")
        if to not in services.S.values:
            raise ValidationError(_("Unknown status."))
        services.transition(ticket, to, actor=self.request.user, note=self.request.POST.get("note", ""))
        messages.success(self.request, _("The ticket is now %(status)s.") % {"status": services.S(to).label})


class TicketAssignView(TicketActionView):
    permission_required = ("support.view_ticket", "support.manage_ticket")

    def act(self, ticket):
        form = AssignForm(self.request.POST, staff=services.it_staff())
        if not form.is_valid():
            raise ValidationError(_("Choose an IT staff member."))
        services.assign_ticket(ticket, form.cleaned_data["assignee"], actor=self.request.user)
        messages.success(self.request, _("Assignment saved."))


class TicketPriorityView(TicketActionView):
    permission_required = ("support.view_ticket", "support.manage_ticket")

    def act(self, ticket):
        form = PriorityForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a priority."))
        services.change_priority(ticket, form.cleaned_data["priority"], actor=self.request.user)
        messages.success(self.request, _("Priority changed; the deadlines are counted again."))


class TicketRateView(TicketActionView):
    def act(self, ticket):
        form = RatingForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        services.rate_ticket(ticket, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"],
                             actor=self.request.user)
        messages.success(self.request, _("Thank you for your rating."))


class AttachmentView(ModuleMixin, View):
    """Serves a ticket's file to those who may see the ticket, always as a download."""

    module = "support"
    permission_required = "support.view_ticket"

    def get(self, request, pk):
        att = get_object_or_404(TicketAttachment.objects.select_related("message"), pk=pk)
        if not Ticket.objects.for_user(request.user).filter(pk=att.ticket_id).exists():
            raise Http404
        if att.internal and not services.is_it_staff(request.user):
            raise PermissionDenied
        return serve_upload(att.file, filename=att.original_name, content_type=att.content_type)



class HelpdeskSettingsView(ModuleMixin, View):
    """SLA targets per priority and the assignment rule of each category, on one page for IT."""

    module = "support"
    permission_required = ("support.change_slapolicy", "support.change_assignmentrule")

    def forms(self, data=None):
        policies = {p.priority: p for p in SLAPolicy.objects.all()}
        rules = dict(AssignmentRule.objects.values_list("category", "assignee"))
        sla_forms = [SLAPolicyForm(data, prefix=f"sla-{prio}", instance=policies.get(prio) or SLAPolicy(priority=prio))
                     for prio, _label in TicketPriority.choices]
        rule_form = AssignmentRulesForm(data, staff=services.it_staff(), initial=rules)
        return sla_forms, rule_form

    def get(self, request, forms=None):
        from django.shortcuts import render

        sla_forms, rule_form = forms or self.forms()
        return render(request, "support/settings.html", {"title": _("Helpdesk settings"), "module": "support",
                                                         "sla_forms": sla_forms, "rule_form": rule_form})

    def post(self, request):
        sla_forms, rule_form = self.forms(request.POST)
        if not (all(f.is_valid() for f in sla_forms) and rule_form.is_valid()):
            return self.get(request, forms=(sla_forms, rule_form))
        services.save_helpdesk_settings(policies=[f.instance for f in sla_forms], rules=rule_form.rules(),
                                        actor=request.user)
        messages.success(request, _("Helpdesk settings saved; new tickets use them."))
        return redirect("support:settings")


class CalendarView(ModuleMixin, View):
    """The working calendar: public holidays and make-up working days of the year, and company days
    that IT adds (a day off for the company outing, an extra working day)."""

    module = "support"
    permission_required = "support.view_calendarday"

    def get(self, request, form=None):
        import holidays
        from django.shortcuts import render
        from django.utils.translation import get_language

        from .models import CalendarDay
        from .workcal import MINUTES_PER_DAY, WORK_PERIODS

        try:
            year = min(max(int(request.GET.get("year") or timezone.localdate().year), 2000), 2100)
        except ValueError:
            year = timezone.localdate().year
        cal = holidays.China(years=year, language="zh_CN" if (get_language() or "").startswith("zh") else "en_US")
        public = sorted([(d, name, False) for d, name in cal.items()]
                        + [(d, _("Make-up working day (调休)"), True) for d in cal.weekend_workdays if d.year == year])
        return render(request, "support/calendar.html", {
            "title": _("Working calendar"), "module": "support", "year": year, "public": public,
            "company_days": CalendarDay.objects.all()[:200], "form": form or CalendarDayForm(),
            "periods": WORK_PERIODS, "hours_per_day": MINUTES_PER_DAY / 60,
            "can_edit": request.user.has_perm("support.add_calendarday"),
        })

    def post(self, request):
        from .models import CalendarDay

        if not request.user.has_perm("support.add_calendarday"):
            raise PermissionDenied
        if request.POST.get("delete"):
            day = CalendarDay.objects.filter(pk=request.POST["delete"]).first()
            if day is not None and request.user.has_perm("support.delete_calendarday"):
                services.remove_calendar_day(day, actor=request.user)
                messages.success(request, _("The company day is removed."))
            return redirect("support:calendar")
        form = CalendarDayForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            services.add_calendar_day(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
            return self.get(request, form=form)
        messages.success(request, _("The company day is saved; new deadlines count with it."))
        return redirect("support:calendar")


# --- incidents, systems and their emergency plans, maintenance windows -----------------------------------

class IncidentListView(ERPListView):
    model = Incident
    table_class = IncidentTable
    filterset_class = IncidentFilterSet
    module = "support"
    permission_required = "support.view_incident"
    title = _("Incidents")
    create_url_name = "support:incident_create"
    create_label = _("Declare an incident")
    empty_text = _("No incidents: every system is running.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not self.request.user.has_perm("support.add_incident"):
            ctx["create_url"] = ""
        return ctx


class SupportFormView(ServiceFormView):
    """A support form page (generic/form.html) whose cancel link goes back to `cancel_url_name`."""

    module = "support"
    cancel_url_name = "support:index"

    def get_cancel_url(self):
        return reverse(self.cancel_url_name)


class IncidentCreateView(SupportFormView):
    form_class = IncidentForm
    permission_required = "support.add_incident"
    title = _("Declare an incident")
    cancel_url_name = "support:incident_list"
    submit_label = _("Declare and notify")
    success_message = _("The incident is declared: every page shows the banner and the affected departments are "
                        "notified.")

    def perform(self, form):
        d = form.cleaned_data
        return services.declare_incident(
            title=d["title"], severity=d["severity"], description=d["description"], systems=d["systems"],
            departments=d["departments"], started_at=d["started_at"],
            estimated_recovery_at=d["estimated_recovery_at"], actor=self.request.user)


class IncidentView(ModuleMixin, DetailView):
    model = Incident
    module = "support"
    permission_required = "support.view_incident"
    template_name = "support/incident.html"
    context_object_name = "incident"

    def get_queryset(self):
        return Incident.objects.for_user(self.request.user).select_related("declared_by", "reviewed_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        i = self.object
        ctx.update(title=f"{i.number} {i.title}", updates=i.updates.select_related("author"),
                   systems=i.systems.all(), departments=i.departments.all(),
                   can_manage=self.request.user.has_perm("support.change_incident"),
                   update_form=IncidentUpdateForm(), resolve_form=IncidentResolveForm(),
                   review_form=IncidentReviewForm(initial={"cause": i.review_cause, "actions": i.review_actions}),
                   source_check_label=CHECK_LABELS.get(i.source_check, i.source_check))
        return ctx


class IncidentActionView(ModuleMixin, View):
    module = "support"
    permission_required = ("support.view_incident", "support.change_incident")
    form_class = None

    def post(self, request, pk):
        incident = get_object_or_404(Incident, pk=pk)
        form = self.form_class(request.POST) if self.form_class else None
        try:
            if form is not None and not form.is_valid():
                raise ValidationError([e for errs in form.errors.values() for e in errs])
            result = self.act(incident, form.cleaned_data if form else {})
        except ValidationError as exc:
            error_messages(request, exc)
            return redirect(incident)
        return result or redirect(incident)


class IncidentUpdateView(IncidentActionView):
    form_class = IncidentUpdateForm

    def act(self, incident, d):
        services.post_incident_update(incident, body=d["body"], estimated_recovery_at=d["estimated_recovery_at"],
                                      actor=self.request.user)
        messages.success(self.request, _("The update is posted and the affected departments are notified."))


class IncidentResolveView(IncidentActionView):
    form_class = IncidentResolveForm

    def act(self, incident, d):
        services.resolve_incident(incident, body=d["body"], actor=self.request.user)
        messages.success(self.request, _("The incident is resolved; the banner is gone."))


class IncidentReviewView(IncidentActionView):
    form_class = IncidentReviewForm

    def act(self, incident, d):
        services.record_incident_review(incident, cause=d["cause"], actions=d["actions"], actor=self.request.user)
        messages.success(self.request, _("The post-incident review is saved."))


class IncidentConfirmView(IncidentActionView):
    def act(self, incident, d):
        if self.request.POST.get("discard"):
            services.discard_incident_draft(incident, actor=self.request.user)
            messages.success(self.request, _("The draft is discarded."))
            return redirect("support:incident_list")
        services.confirm_incident(incident, actor=self.request.user)
        messages.success(self.request, _("The incident is confirmed and announced."))


class SystemListView(ERPListView):
    model = System
    table_class = SystemTable
    filterset_class = SystemFilterSet
    module = "support"
    permission_required = "support.view_system"
    title = _("Systems and emergency plans")
    create_url_name = "support:system_create"
    create_label = _("New system")
    empty_text = _("No systems yet: add the systems IT keeps running and their emergency plans.")

    def get_queryset(self):
        return super().get_queryset().select_related("owner")


class SystemView(ModuleMixin, DetailView):
    model = System
    module = "support"
    permission_required = "support.view_system"
    template_name = "support/system.html"
    context_object_name = "system"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.object.name
        ctx["incidents"] = self.object.incidents.order_by("-started_at")[:10]
        return ctx


class SystemCreateView(SupportFormView):
    form_class = SystemForm
    permission_required = "support.add_system"
    title = _("New system")
    cancel_url_name = "support:system_list"
    success_message = _("System %(object)s saved.")

    def perform(self, form):
        return services.save_system(self.object, actor=self.request.user, **form.cleaned_data)


class SystemEditView(SystemCreateView):
    permission_required = "support.change_system"
    title = _("Edit system and emergency plan")

    def get_object(self):
        return get_object_or_404(System, pk=self.kwargs["pk"])


class MaintenanceListView(ERPListView):
    model = MaintenanceWindow
    table_class = MaintenanceTable
    filterset_class = MaintenanceFilterSet
    module = "support"
    permission_required = "support.view_maintenancewindow"
    title = _("Maintenance windows")
    create_url_name = "support:maintenance_create"
    create_label = _("Plan maintenance")
    empty_text = _("No maintenance planned.")


class MaintenanceCreateView(SupportFormView):
    form_class = MaintenanceForm
    permission_required = "support.add_maintenancewindow"
    title = _("Plan maintenance")
    cancel_url_name = "support:maintenance_list"
    submit_label = _("Plan and announce")
    success_message = _("The maintenance window is planned; the banner announces it.")
    success_url = reverse_lazy("support:maintenance_list")

    def perform(self, form):
        d = form.cleaned_data
        return services.plan_maintenance(title=d["title"], description=d["description"], systems=d["systems"],
                                         starts_at=d["starts_at"], ends_at=d["ends_at"],
                                         announce_from=d["announce_from"], actor=self.request.user)


class MaintenanceCancelView(ModuleMixin, View):
    module = "support"
    permission_required = "support.change_maintenancewindow"

    def post(self, request, pk):
        services.cancel_maintenance(get_object_or_404(MaintenanceWindow, pk=pk), actor=request.user)
        messages.success(request, _("The maintenance window is cancelled."))
        return redirect("support:maintenance_list")


# --- system status -----------------------------------------------------------------------------------

class StatusView(ModuleMixin, TemplateView):
    """Live checks for IT; a failing check opens an incident draft (once) for IT to confirm."""

    module = "support"
    permission_required = "support.view_system_status"
    template_name = "support/status.html"
    title = _("System status")

    def get_context_data(self, **kwargs):
        from . import status
        from .middleware import threshold_ms

        ctx = super().get_context_data(**kwargs)
        results = status.run_all()
        status.open_drafts_for_failures(results)
        recent, by_path = status.slow_requests()
        checks = [{"name": name, "label": status.LABELS.get(name, name), **r} for name, r in results["checks"].items()]
        ctx.update(results=results, checks=checks, slow=recent, slow_by_path=by_path, threshold_ms=threshold_ms(),
                   backup=status.backup_status(),
                   drafts=Incident.objects.filter(status=Incident.Status.DRAFT).order_by("-created_at")[:10],
                   errors=RequestRecord.objects.filter(kind="error").select_related("user")[:10])
        return ctx


# --- feedback --------------------------------------------------------------------------------------------

class SuggestionListView(ERPListView):
    model = Suggestion
    table_class = SuggestionTable
    filterset_class = SuggestionFilterSet
    module = "support"
    permission_required = "support.view_suggestion"
    title = _("Suggestions")
    create_url_name = "support:suggestion_create"
    create_label = _("New suggestion")
    empty_text = _("No suggestions yet: tell IT what would make your work easier.")
    template_name = "support/suggestion_list.html"

    def get_context_data(self, **kwargs):
        from . import selectors

        ctx = super().get_context_data(**kwargs)
        ctx["top"] = selectors.top_suggestions(5)
        ctx["summary"] = selectors.suggestion_summary()
        return ctx


class SuggestionCreateView(SupportFormView):
    form_class = SuggestionForm
    permission_required = "support.add_suggestion"
    title = _("New suggestion")
    cancel_url_name = "support:suggestion_list"
    submit_label = _("Submit")
    success_message = _("Thank you: your suggestion is submitted, with your vote.")

    def perform(self, form):
        d = form.cleaned_data
        return services.submit_suggestion(actor=self.request.user, title=d["title"], body=d["body"],
                                          area=d["area"])


class SuggestionView(ModuleMixin, DetailView):
    model = Suggestion
    module = "support"
    permission_required = "support.view_suggestion"
    template_name = "support/suggestion.html"
    context_object_name = "suggestion"

    def get_queryset(self):
        return Suggestion.objects.for_user(self.request.user).select_related("author", "answered_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = self.object
        ctx.update(title=s.title, voted=s.votes.filter(user=self.request.user).exists(),
                   answer_form=AnswerForm(initial={"status": s.status, "answer": s.answer}),
                   can_answer=self.request.user.has_perm("support.answer_suggestion"))
        return ctx


class SuggestionVoteView(ModuleMixin, View):
    module = "support"
    permission_required = "support.view_suggestion"

    def post(self, request, pk):
        suggestion = get_object_or_404(Suggestion.objects.for_user(request.user), pk=pk)
        voted = services.toggle_vote(suggestion, actor=request.user)
        messages.success(request, _("Your vote is counted.") if voted else _("Your vote is taken back."))
        return redirect(request.POST.get("next") if url_has_allowed_host_and_scheme(
            request.POST.get("next", ""), allowed_hosts={request.get_host()}) else suggestion.get_absolute_url())


class SuggestionAnswerView(ModuleMixin, View):
    module = "support"
    permission_required = "support.answer_suggestion"

    def post(self, request, pk):
        suggestion = get_object_or_404(Suggestion, pk=pk)
        form = AnswerForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Choose a status."))
            services.answer_suggestion(suggestion, status=form.cleaned_data["status"],
                                       answer=form.cleaned_data["answer"], actor=request.user)
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("The answer is saved and the voters are told."))
        return redirect(suggestion)


# --- inspections -----------------------------------------------------------------------------------------

class InspectionListView(ERPListView):
    model = Inspection
    table_class = InspectionTable
    filterset_class = InspectionFilterSet
    module = "support"
    permission_required = "support.view_inspection"
    title = _("Inspections")
    empty_text = _("No inspections yet: they are created from the checklists when due.")

    def get_queryset(self):
        return super().get_queryset().select_related("checklist", "done_by")


class InspectionView(ModuleMixin, View):
    module = "support"
    permission_required = "support.view_inspection"

    def get_inspection(self, pk):
        return get_object_or_404(Inspection.objects.select_related("checklist", "done_by"), pk=pk)

    def render(self, inspection, form):
        from django.shortcuts import render

        return render(self.request, "support/inspection.html", {
            "title": f"{inspection.checklist.name} · {inspection.due_date:%Y-%m-%d}", "module": "support",
            "inspection": inspection, "form": form,
            "results": inspection.results.select_related("item", "ticket"),
            "can_record": self.request.user.has_perm("support.change_inspection")})

    def get(self, request, pk):
        inspection = self.get_inspection(pk)
        return self.render(inspection, InspectionForm(items=inspection.checklist.items.all()))

    def post(self, request, pk):
        if not request.user.has_perm("support.change_inspection"):
            raise PermissionDenied
        inspection = self.get_inspection(pk)
        form = InspectionForm(request.POST, items=inspection.checklist.items.all())
        if not form.is_valid():
            return self.render(inspection, form)
        try:
            inspection = services.record_inspection(inspection, results=form.results(), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render(inspection, form)
        if inspection.failed_count:
            messages.warning(request, ngettext("Inspection recorded: %(n)d failed item opened a ticket.",
                                               "Inspection recorded: %(n)d failed items opened tickets.",
                                               inspection.failed_count) % {"n": inspection.failed_count})
        else:
            messages.success(request, _("Inspection recorded: everything is fine."))
        return redirect(inspection)


# --- helpdesk report -----------------------------------------------------------------------------------

class ReportView(ModuleMixin, TemplateView):
    """Tickets by category and month, response and resolution times, breaches, satisfaction, per IT person;
    Chart.js charts fed by the selector's numbers, and the same numbers as an Excel file."""

    module = "support"
    permission_required = "support.view_support_reports"
    template_name = "support/report.html"
    title = _("Helpdesk report")

    def period(self, form):
        from datetime import datetime, time

        from .selectors import default_period

        start, end = default_period()
        if form.is_valid():
            tz = timezone.get_current_timezone()
            if form.cleaned_data["start"]:
                start = datetime.combine(form.cleaned_data["start"], time.min, tzinfo=tz)
            if form.cleaned_data["end"]:
                end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min, tzinfo=tz)
        return start, end

    def get(self, request, *args, **kwargs):
        from .selectors import ticket_report

        form = ReportForm(request.GET or None)
        start, end = self.period(form)
        category = form.cleaned_data.get("category") if form.is_valid() else None
        report = ticket_report(start, end, category=category or None)
        if request.GET.get("_export") == "xlsx":
            from hardware_erp.core.signals import data_exported

            data_exported.send(sender=type(self), request=request, model=Ticket, rows=report["total"], format="xlsx")
            return report_xlsx(report)
        ctx = self.get_context_data(form=form, report=report, end_inclusive=end - timedelta(days=1),
                                    chart={"categories": report["by_category"], "months": report["by_month"],
                                           "people": [{"user": p["user"], "assigned": p["assigned"],
                                                       "resolved": p["resolved"]} for p in report["per_person"]],
                                           "ratings": report["rating_counts"]})
        return self.render_to_response(ctx)


def report_xlsx(report):
    """The report's numbers as an Excel workbook: a summary sheet and one sheet per breakdown."""
    fmt = "%Y-%m-%d"
    summary = [
        (pgettext_lazy("support", "From"), timezone.localtime(report["start"]).strftime(fmt)),
        (pgettext_lazy("support", "To (exclusive)"), timezone.localtime(report["end"]).strftime(fmt)),
        (_("Tickets"), report["total"]), (_("Still open"), report["open"]),
        (_("First response median (working h)"), report["first_response"]["median_h"]),
        (_("First response 90th percentile (working h)"), report["first_response"]["p90_h"]),
        (_("Resolution median (working h)"), report["resolution"]["median_h"]),
        (_("Resolution 90th percentile (working h)"), report["resolution"]["p90_h"]),
        (_("First response targets missed (%)"), report["response_breach_rate"]),
        (_("Resolution targets missed (%)"), report["resolution_breach_rate"]),
        (_("Satisfaction (1–5)"), report["satisfaction"]), (_("Ratings"), report["ratings"]),
    ]
    sheets = [
        (_("Summary"), [pgettext_lazy("support report", "Figure"), pgettext_lazy("support report", "Value")],
         [(str(label), value) for label, value in summary]),
        (_("By category"), [pgettext_lazy("support", "Category"), _("Tickets")],
         [(c["label"], c["count"]) for c in report["by_category"]]),
        (_("By month"), [pgettext_lazy("support", "Month"), _("Tickets")],
         [(m["month"], m["count"]) for m in report["by_month"]]),
        (_("Per IT person"), [_("IT person"), _("Assigned"), _("Resolved"), _("Resolution median (working h)"),
                              _("Resolution 90th percentile (working h)"), _("Resolution targets missed (%)"),
                              _("Satisfaction (1–5)"), _("Ratings")],
         [(p["user"], p["assigned"], p["resolved"], p["resolution_median_h"], p["resolution_p90_h"],
           p["breach_rate"], p["satisfaction"], p["ratings"]) for p in report["per_person"]]),
        (_("Ratings"), [_("Rating"), _("Tickets")], [(i + 1, n) for i, n in enumerate(report["rating_counts"])]),
    ]
    return export_book_response(sheets, filename="helpdesk-report.xlsx")
