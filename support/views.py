"""Support pages. Tickets: any employee opens and follows their own; IT staff see and work all."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView

from hardware_erp.core.views import ERPListView, ModuleIndexView, ModuleMixin

from . import services
from .filtersets import TicketFilterSet
from .forms import AssignForm, CalendarDayForm, MessageForm, PriorityForm, RatingForm, TicketForm
from .models import Ticket, TicketAttachment
from .tables import TicketTable
from .workcal import WorkingCalendar, format_minutes


class IndexView(ModuleIndexView):
    module = "support"


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


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


class TicketCreateView(ModuleMixin, CreateView):
    model = Ticket
    form_class = TicketForm
    module = "support"
    permission_required = "support.add_ticket"
    template_name = "support/form.html"
    title = _("Report a problem")

    def get_initial(self):
        page = self.request.GET.get("from", "")
        if not url_has_allowed_host_and_scheme(page, allowed_hosts={self.request.get_host()}):
            page = ""
        return {"page_url": page, "category": self.request.GET.get("category", "other"), "priority": "normal"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form_note"] = _("IT answers on the ticket page; you are notified in the app and by e-mail.")
        ctx["cancel_url"] = self.get_initial()["page_url"] or reverse("support:ticket_list")
        ctx["submit_label"] = _("Send to IT")
        return ctx

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            ticket = services.open_ticket(requester=self.request.user, subject=d["subject"],
                                          description=d["description"], category=d["category"],
                                          priority=d["priority"], page_url=d["page_url"],
                                          files=d["attachments"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Ticket %(number)s is open. IT will answer here and tell you.")
                         % {"number": ticket.number})
        return redirect(ticket)


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
        allowed = sorted(services.TRANSITIONS[t.status], key=list(services.S).index)
        if not it:
            allowed = [s for s in allowed if (services.S(t.status), s) in services.REQUESTER_TRANSITIONS
                       and s != services.S.IN_PROGRESS]
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
            messages.error(request, _error_text(exc))
        return redirect(ticket)

    def act(self, ticket):
        raise NotImplementedError


class TicketReplyView(TicketActionView):
    def act(self, ticket):
        form = MessageForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        services.post_message(ticket, author=self.request.user, body=form.cleaned_data["body"],
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
        try:
            fh = att.file.open("rb")
        except FileNotFoundError:
            raise Http404
        response = FileResponse(fh, as_attachment=True, filename=att.original_name, content_type=att.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response



class CalendarView(ModuleMixin, View):
    """The working calendar: public holidays and make-up working days of the year, and company days
    that IT adds (a day off for the company outing, an extra working day)."""

    module = "support"
    permission_required = "support.view_calendarday"

    def get(self, request, form=None):
        from django.shortcuts import render

        from .models import CalendarDay
        from .workcal import MINUTES_PER_DAY, WORK_PERIODS, _china

        year = int(request.GET.get("year") or timezone.localdate().year)
        cal = _china(year)
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
            if request.user.has_perm("support.delete_calendarday"):
                CalendarDay.objects.filter(pk=request.POST["delete"]).delete()
                messages.success(request, _("The company day is removed."))
            return redirect("support:calendar")
        form = CalendarDayForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        day = form.save(commit=False)
        day.created_by = request.user
        day.save()
        messages.success(request, _("The company day is saved; new deadlines count with it."))
        return redirect("support:calendar")
