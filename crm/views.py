"""CRM pages. Every queryset goes through `for_user`, so another rep's record by URL is a 404."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from hardware_erp.core.views import ERPListView, ModuleIndexView, ModuleMixin, ServiceFormView, error_messages

from . import selectors, services
from .choices import STAGE_PROBABILITY, StageChoices, TaskStatusChoices
from .filtersets import ContactRecordFilterSet, CustomerFilterSet, OpportunityFilterSet, TaskFilterSet
from .forms import (
    AddressForm,
    CompleteTaskForm,
    ContactForm,
    ContactRecordForm,
    CustomerForm,
    ImportForm,
    MergeForm,
    MoveForm,
    OpportunityForm,
    ReassignForm,
    ReportPeriodForm,
    ShareForm,
    TaskForm,
    limit_choices_to_value,
)
from .models import Contact, ContactRecord, Customer, DeliveryAddress, FollowUpTask, Opportunity
from .tables import ContactRecordTable, CustomerTable, OpportunityTable, TaskTable


def optional_url(name, *args):
    """A URL of another app that may not exist yet (orders): '' until it does."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class IndexView(ModuleIndexView):
    module = "crm"


# ---------------------------------------------------------------- customers

class CustomerListView(ERPListView):
    model = Customer
    table_class = CustomerTable
    filterset_class = CustomerFilterSet
    module = "crm"
    title = _("Customers")
    permission_required = "crm.view_customer"
    export_permission = "crm.export_customer"
    create_url_name = "crm:customer_create"
    create_label = _("New customer")
    empty_text = _("No customers yet. Add the first one, or import a spreadsheet.")
    template_name = "crm/customer_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner")


class CustomerScopedMixin(ModuleMixin):
    """Loads self.customer from the URL through Customer.objects.for_user (404 for others' customers)."""

    module = "crm"
    customer_kwarg = "pk"
    needs_edit = False
    follow_merged = False  # the customer page: a merged customer's old address opens the surviving customer

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_permission():
            return self.handle_no_permission()
        self.customer = Customer.objects.for_user(request.user).filter(pk=kwargs[self.customer_kwarg]).first()
        if self.customer is None:
            survivor = selectors.merge_survivor(request.user, kwargs[self.customer_kwarg])
            if survivor is not None and request.method == "GET" and self.follow_merged:
                messages.info(request, _("That customer was merged into %(name)s.") % {"name": survivor.name})
                return redirect(survivor)
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class CustomerCreateView(ServiceFormView):
    """New customer. Likely duplicates are listed (linked when the user may open them) and need a confirmation."""

    module = "crm"
    permission_required = "crm.add_customer"
    form_class = CustomerForm
    template_name = "crm/customer_form.html"
    title = _("New customer")
    cancel_url = reverse_lazy("crm:customer_list")
    duplicates = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "creating": True}

    def perform(self, form):
        try:
            return services.create_customer(
                data=form.customer_data(), contacts=form.contacts_data(), actor=self.request.user,
                confirm_duplicates=form.cleaned_data.get("confirm_duplicates") and
                self.request.POST.get("confirm") == "1")
        except services.DuplicateCustomerError as exc:
            self.duplicates = exc.duplicates
            raise

    def get_success_message(self, result):
        message = _("Customer %(name)s saved.") % {"name": result.name}
        if getattr(result, "pending_change", None) is not None:  # key values entered wait for approval
            from governance.services import held_on_create_message

            message = f"{message} {held_on_create_message(result.pending_change)}"
        return message

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.duplicates:
            visible = set(Customer.objects.for_user(self.request.user)
                          .filter(pk__in=[d["customer"].pk for d in self.duplicates]).values_list("pk", flat=True))
            ctx["duplicates"] = [{**d, "visible": d["customer"].pk in visible} for d in self.duplicates]
        return ctx


class CustomerView(CustomerScopedMixin, TemplateView):
    permission_required = "crm.view_customer"
    follow_merged = True
    template_name = "crm/customer.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c = self.customer
        user = self.request.user
        ctx.update(selectors.customer_page(c, user))
        ctx.update({
            "customer": c, "title": c.name,
            "can_edit": user.has_perm("crm.change_customer"),
            "can_log": user.has_perm("crm.add_contactrecord"),
            "can_reassign": user.has_perm("crm.reassign_customer"),
            "can_merge": user.has_perm("crm.merge_customer"),
            "record_form": ContactRecordForm(customer=c), "once_token": uuid.uuid4().hex,
            "purchases_url": optional_url("orders:customer_purchases", c.pk),
            "show_mobile": user.has_perm("crm.view_contact_mobile"),
        })
        for contact in ctx["contacts"]:
            contact.mobile_shown = contact.mobile_for(user)
        return ctx


class CustomerFormBase(CustomerScopedMixin, ServiceFormView):
    """A form page about one customer (loaded through for_user); success goes back to its page."""

    def get_object(self):
        return self.customer

    def get_success_url(self, result=None):
        return self.customer.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["customer"] = self.customer
        return ctx


class CustomerEditView(CustomerFormBase):
    permission_required = "crm.change_customer"
    form_class = CustomerForm
    template_name = "crm/customer_form.html"
    pending = None

    def get_object(self):
        return Customer.objects.get(pk=self.customer.pk)  # a copy: the form's instance is never saved

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit %(name)s") % {"name": self.customer.name}
        return ctx

    def perform(self, form):
        customer, self.pending = services.update_customer(self.customer, form.customer_data(),
                                                          actor=self.request.user,
                                                          reason=form.cleaned_data.get("reason", ""))
        return customer

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.pending is not None:
            messages.info(self.request, _("Saved. Changes to key fields wait for a manager's approval."))
        return response

    def get_success_message(self, result):
        return "" if self.pending is not None else _("Customer saved.")


class CustomerReassignView(CustomerFormBase):
    permission_required = "crm.reassign_customer"
    form_class = ReassignForm
    success_message = _("The customer has a new owner.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_initial(self):
        return {"owner": self.customer.owner_id}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Reassign %(name)s") % {"name": self.customer.name}
        return ctx

    def perform(self, form):
        return services.reassign_customer(self.customer, to_user=form.cleaned_data["owner"], actor=self.request.user,
                                          note=form.cleaned_data.get("note", ""))


class CustomerShareView(CustomerFormBase):
    permission_required = "crm.change_customer"
    form_class = ShareForm
    success_message = _("Sharing saved.")

    def get_initial(self):
        return {"users": list(self.customer.shared_with.values_list("pk", flat=True))}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Share %(name)s") % {"name": self.customer.name}
        return ctx

    def perform(self, form):
        return services.share_customer(self.customer, users=form.cleaned_data["users"], actor=self.request.user)


class CustomerMergeView(CustomerFormBase):
    permission_required = "crm.merge_customer"
    template_name = "crm/customer_merge.html"
    submit_label = _("Merge")

    def get_form(self, form_class=None):
        form = MergeForm(**self.get_form_kwargs(), customer=self.customer, lookup_url=reverse("crm:customer_lookup"))
        limit_choices_to_value(form, "other")
        return form

    def get_initial(self):
        return {"other": self.request.GET.get("other")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Merge a duplicate into %(name)s") % {"name": self.customer.name}
        ctx.update(submit_class="btn-danger", submit_confirm=_("Merge these two customers? This cannot be undone."))
        ctx["duplicates"] = selectors.find_duplicates(
            name=self.customer.name, city=self.customer.city, credit_code=self.customer.credit_code,
            phones=[self.customer.phone], exclude_pk=self.customer.pk)
        return ctx

    def perform(self, form):
        other = form.cleaned_data["other"]
        self.success_message = _("%(other)s was merged into %(name)s.") % {"other": other.name,
                                                                           "name": self.customer.name}
        return services.merge_customers(survivor=self.customer, merged=other, actor=self.request.user)


class CustomerLookupView(ModuleMixin, View):
    """JSON for searchable customer pickers: {"results": [{"id", "text"}]}."""

    module = "crm"
    permission_required = "crm.view_customer"

    def get(self, request):
        rows = selectors.customer_picks(request.user, request.GET.get("q", ""), limit=20)
        return JsonResponse({"results": [{"id": pk, "text": f"{name} · {city}" if city else name}
                                         for pk, name, city in rows]})


# ---------------------------------------------------------------- contacts and addresses

class ChildFormView(CustomerFormBase):
    """Create (customer pk in URL) or edit (child pk in URL) a contact or delivery address."""

    child_model = None
    create_title = edit_title = ""
    success_message = _("Saved.")

    def dispatch(self, request, *args, **kwargs):
        if "child" in kwargs:
            if not request.user.is_authenticated:
                return self.handle_no_permission()
            self.child = get_object_or_404(self.child_model.objects.filter(
                customer__in=Customer.objects.for_user(request.user)), pk=kwargs["child"])
            kwargs["pk"] = self.child.customer_id
        else:
            self.child = None
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return self.child

    def get_cancel_url(self):
        return self.customer.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = (self.edit_title if self.child else self.create_title) % {"name": self.customer.name}
        return ctx

    def perform(self, form):
        return self.save({f: form.cleaned_data[f] for f in form.Meta.fields})


class ContactFormView(ChildFormView):
    child_model = Contact
    form_class = ContactForm
    create_title = _("New contact of %(name)s")
    edit_title = _("Edit contact of %(name)s")

    def get_permission_required(self):
        return (*super().get_permission_required(),
                "crm.change_contact" if "child" in self.kwargs else "crm.add_contact")

    def save(self, data):
        return services.save_contact(customer=self.customer, data=data, actor=self.request.user, contact=self.child)


class AddressFormView(ChildFormView):
    child_model = DeliveryAddress
    form_class = AddressForm
    create_title = _("New delivery address of %(name)s")
    edit_title = _("Edit delivery address of %(name)s")

    def get_permission_required(self):
        return (*super().get_permission_required(),
                "crm.change_deliveryaddress" if "child" in self.kwargs else "crm.add_deliveryaddress")

    def save(self, data):
        return services.save_address(customer=self.customer, data=data, actor=self.request.user, address=self.child)


# ---------------------------------------------------------------- contact history

class RecordCreateView(CustomerFormBase):
    """The quick-entry form of the customer page: htmx answers the timeline panel, no page reload. Its one-time
    token makes a double-click log the contact once."""

    permission_required = "crm.add_contactrecord"
    form_class = ContactRecordForm
    http_method_names = ["post"]
    success_message = _("Contact recorded.")

    def get_object(self):
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def perform(self, form):
        d = form.cleaned_data
        return services.log_contact(customer=self.customer, channel=d["channel"], summary=d["summary"],
                                    occurred_at=d["occurred_at"], contact=d["contact"], opportunity=d["opportunity"],
                                    next_step=d["next_step"], next_due_at=d["next_due_at"], actor=self.request.user)

    def timeline(self, form, saved):
        ctx = selectors.customer_page(self.customer, self.request.user)
        ctx.update({"customer": self.customer, "record_form": ContactRecordForm(customer=self.customer)
                    if saved else form, "saved": saved, "can_log": True, "once_token": uuid.uuid4().hex})
        response = render(self.request, "crm/_timeline.html", ctx)
        if saved:
            response["HX-Trigger"] = "crm:recorded"
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        if not self.request.htmx:
            return response
        list(messages.get_messages(self.request))  # the panel shows "saved" itself
        return self.timeline(form, saved=True)

    def already_sent(self, token):
        response = super().already_sent(token)
        if not self.request.htmx:
            return response
        list(messages.get_messages(self.request))
        return self.timeline(self.get_form(), saved=True)  # the double-click sees the panel the first one made

    def form_invalid(self, form):
        if self.request.htmx:
            return self.timeline(form, saved=False)
        messages.error(self.request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(self.customer)


class ContactRecordListView(ERPListView):
    model = ContactRecord
    table_class = ContactRecordTable
    filterset_class = ContactRecordFilterSet
    module = "crm"
    title = _("Contact history")
    permission_required = "crm.view_contactrecord"
    empty_text = _("No contact recorded yet. Log calls and visits from a customer's page.")

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "created_by")


# ---------------------------------------------------------------- opportunities

class OpportunityListView(ERPListView):
    model = Opportunity
    table_class = OpportunityTable
    filterset_class = OpportunityFilterSet
    module = "crm"
    title = _("Opportunities")
    permission_required = "crm.view_opportunity"
    create_url_name = "crm:opportunity_create"
    create_label = _("New opportunity")
    empty_text = _("No opportunities yet.")
    template_name = "crm/opportunity_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "owner")


class OpportunityBoardView(ModuleMixin, TemplateView):
    module = "crm"
    permission_required = "crm.view_opportunity"
    template_name = "crm/opportunity_board.html"
    title = _("Pipeline")
    per_column = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        qs = Opportunity.objects.for_user(user).select_related("customer", "owner")
        if self.request.GET.get("mine"):
            qs = qs.filter(owner=user)
        columns = []
        totals = selectors.pipeline_totals(qs)
        for stage in StageChoices:
            stage_qs = qs.filter(stage=stage)
            if stage in (StageChoices.WON, StageChoices.LOST):
                stage_qs = stage_qs.order_by("-closed_at")
            else:
                stage_qs = stage_qs.order_by("expected_close", "-pk")
            t = totals.get(stage.value, {"n": 0, "total": 0})
            columns.append({"stage": stage.value, "label": stage.label, "items": list(stage_qs[:self.per_column]),
                            "count": t["n"], "total": t["total"]})
        ctx["columns"] = columns
        ctx["can_move"] = user.has_perm("crm.change_opportunity")
        return ctx


def _opportunity_for(user, pk):
    return get_object_or_404(Opportunity.objects.for_user(user).select_related("customer", "owner"), pk=pk)


class OpportunityView(ModuleMixin, TemplateView):
    module = "crm"
    permission_required = "crm.view_opportunity"
    template_name = "crm/opportunity.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        opp = _opportunity_for(self.request.user, kwargs["pk"])
        ctx.update({
            "opp": opp, "title": opp.title, "stages": StageChoices.choices,
            "allowed": services.TRANSITIONS[opp.stage],
            "records": opp.records.select_related("created_by")[:20],
            "tasks": opp.tasks.select_related("assignee"),
            "history": opp.history.select_related("history_user")[:15],
            "order_url": optional_url("orders:order_from_opportunity", opp.pk)
            if opp.stage == StageChoices.WON else "",
            "can_move": self.request.user.has_perm("crm.change_opportunity"),
        })
        return ctx


class OpportunityFormView(ServiceFormView):
    module = "crm"
    form_class = OpportunityForm
    success_message = _("Opportunity saved.")

    def get_object(self):
        return _opportunity_for(self.request.user, self.kwargs["pk"]) if "pk" in self.kwargs else None

    def get_permission_required(self):
        return (*super().get_permission_required(),
                "crm.change_opportunity" if "pk" in self.kwargs else "crm.add_opportunity")

    def get_initial(self):
        return {"customer": self.request.GET.get("customer"), "owner": self.request.user.pk,
                "probability": STAGE_PROBABILITY["lead"]}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "lookup_url": reverse("crm:customer_lookup")}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if "customer" in form.fields:
            limit_choices_to_value(form, "customer")
        return form

    def get_cancel_url(self):
        return super().get_cancel_url() or reverse("crm:opportunity_board")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Edit opportunity") if self.object else _("New opportunity")
        return ctx

    def perform(self, form):
        data = dict(form.cleaned_data)
        customer = self.object.customer if self.object else data.pop("customer")
        return services.save_opportunity(customer=customer, data=data, actor=self.request.user,
                                         opportunity=self.object)


class OpportunityMoveView(ModuleMixin, View):
    """POST stage (and lost_reason): the kanban drop and the stage buttons. htmx gets the card back."""

    module = "crm"
    permission_required = "crm.change_opportunity"

    def post(self, request, pk):
        opp = _opportunity_for(request.user, pk)
        form = MoveForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                opp = services.move_opportunity(opp, stage=form.cleaned_data["stage"], actor=request.user,
                                                lost_reason=form.cleaned_data["lost_reason"])
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = _("Unknown stage.")
        if request.htmx:
            if error:
                response = HttpResponse(error, status=422)
                return response
            opp = Opportunity.objects.select_related("customer", "owner").get(pk=opp.pk)
            return render(request, "crm/_opportunity_card.html", {"o": opp, "can_move": True})
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": opp.get_stage_display()})
        return redirect(opp)


# ---------------------------------------------------------------- tasks

class TaskListView(ERPListView):
    model = FollowUpTask
    table_class = TaskTable
    filterset_class = TaskFilterSet
    module = "crm"
    title = _("Follow-up tasks")
    permission_required = "crm.view_followuptask"
    create_url_name = "crm:task_create"
    create_label = _("New follow-up")
    empty_text = _("No follow-ups. Plan one from a customer's page or here.")

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "user": self.request.user}

    def get_filterset_kwargs(self, filterset_class):
        """Opened without a filter, the list shows what is still to do, the most overdue first (not the oldest
        finished tasks); any filter, or "status=" for all, shows what it asks for."""
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not set(self.request.GET) & set(filterset_class.base_filters):
            data = kwargs["data"].copy() if kwargs.get("data") is not None else QueryDict(mutable=True)
            data["status"] = TaskStatusChoices.OPEN
            kwargs["data"] = data
        return kwargs

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "assignee")


class TaskCreateView(ServiceFormView):
    module = "crm"
    permission_required = "crm.add_followuptask"
    form_class = TaskForm
    title = _("New follow-up")
    success_message = _("Follow-up planned.")
    cancel_url = reverse_lazy("crm:task_list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "lookup_url": reverse("crm:customer_lookup")}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        limit_choices_to_value(form, "customer")
        customer_id = form["customer"].value()
        if customer_id and str(customer_id).isdigit():
            # the open opportunities of the chosen customer are few: offer them all
            form.fields["opportunity"].queryset = form.fields["opportunity"].queryset.filter(customer_id=customer_id)
        else:
            limit_choices_to_value(form, "opportunity")
        return form

    def get_initial(self):
        return {"customer": self.request.GET.get("customer"), "opportunity": self.request.GET.get("opportunity")}

    def perform(self, form):
        d = form.cleaned_data
        return services.create_task(customer=d["customer"], title=d["title"], due_at=d["due_at"],
                                    assignee=d["assignee"], opportunity=d["opportunity"], actor=self.request.user)

    def get_success_url(self, result=None):
        return result.customer.get_absolute_url()


class TaskCloseView(ServiceFormView):
    """Done (with an outcome) or cancel a follow-up."""

    module = "crm"
    permission_required = "crm.change_followuptask"
    template_name = "crm/task_close.html"
    form_class = CompleteTaskForm
    submit_label = _("Mark done")
    success_message = _("Follow-up closed.")

    def get_object(self):
        return get_object_or_404(FollowUpTask.objects.for_user(self.request.user).select_related("customer"),
                                 pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_cancel_url(self):
        return self.object.customer.get_absolute_url()

    def get_success_url(self, result=None):
        return self.object.customer.get_absolute_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Done: %(title)s") % {"title": self.object.title}
        return ctx

    def perform(self, form):
        outcome = form.cleaned_data["outcome"]
        if self.request.POST.get("action") == "cancel":
            return services.cancel_task(self.object, actor=self.request.user, reason=outcome)
        return services.complete_task(self.object, outcome=outcome, actor=self.request.user)


# ---------------------------------------------------------------- sales analytics

class ReportPeriodMixin(ModuleMixin):
    module = "crm"
    permission_required = "crm.view_sales_reports"

    def period(self):
        """[start, end) from ?start=YYYY-MM-DD&end=YYYY-MM-DD (end inclusive in the form); default: the last 12
        months from the first of a month. The form returned shows the period computed, whatever was typed."""
        import datetime

        from django.utils import timezone

        today = timezone.localdate()
        default_start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
        form = ReportPeriodForm(self.request.GET or None)
        start = end = None
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if not start or not end or end < start:
            start, end = default_start, today
            # an unbound form: the boxes show the period the page is computed from
            form = ReportPeriodForm(initial={"start": start, "end": end})
        tz = timezone.get_current_timezone()
        self.start_date, self.end_date = start, end
        return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
                datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz), form)


REPORTS = {
    # key: (title, selector(start, end, order figures), columns [(field, header)])
    "reps": (_("Performance per sales rep"), lambda s, e, f: selectors.sales_by_rep(s, e, f), [
        ("name", _("sales rep")), ("orders", _("orders")), ("revenue", _("revenue (net)")),
        ("new_customers", _("new customers")), ("won", _("won")), ("lost", _("lost")),
        ("win_rate", _("win rate (%)")), ("won_amount", _("amount won")), ("cycle_days", _("average cycle (days)")),
        ("tasks_due", _("follow-ups due")), ("tasks_on_time", _("done on time")),
        ("on_time_rate", _("on time (%)"))]),
    "sources": (_("Customer sources"), lambda s, e, f: selectors.source_analysis(s, e, f), [
        ("label", _("source")), ("customers", _("new customers")), ("converted", _("with a won opportunity")),
        ("conversion", _("conversion (%)")), ("won_amount", _("amount won")), ("buyers", _("buying customers")),
        ("orders", _("orders")), ("revenue", _("revenue (net)"))]),
    "customers": (_("Revenue per customer"), lambda s, e, f: selectors.customers_by_revenue(f), [
        ("name", _("customer")), ("owner", _("owner")), ("source_label", _("source")), ("orders", _("orders")),
        ("revenue", _("revenue (net)")), ("last_order", _("last order"))]),
    "stages": (_("Open pipeline by stage"), lambda s, e, f: selectors.pipeline_by_stage(), [
        ("label", _("stage")), ("count", _("opportunities")), ("amount", _("expected amount")),
        ("weighted", _("weighted by probability"))]),
    "months": (_("Pipeline and won amount by month"), lambda s, e, f: selectors.pipeline_by_month(s, e), [
        ("month", _("month")), ("open", _("open, expected to close")), ("weighted", _("weighted by probability")),
        ("won", _("won"))]),
    "regions": (_("Customers by region"), lambda s, e, f: selectors.customers_by_region(), [
        ("province", _("province")), ("city", _("city")), ("customers", _("customers"))]),
}

ORDER_REPORTS = ("reps", "sources", "customers")  # the reports with revenue columns from sales orders
MONEY_COLUMNS = {"reps": {"revenue", "won_amount"}, "sources": {"won_amount", "revenue"}, "customers": {"revenue"},
                 "stages": {"amount", "weighted"}, "months": {"open", "weighted", "won"}}


def report_cell(value, money):
    """One cell of a report's number table: its value and how the page formats it (|cny, |qty or as text)."""
    import decimal

    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return {"value": value, "kind": "text"}
    if isinstance(value, float):
        value = decimal.Decimal(str(value))
    return {"value": value, "kind": "money" if money else "number"}


class ReportsView(ReportPeriodMixin, TemplateView):
    template_name = "crm/reports.html"
    title = _("Sales analytics")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        start, end, form = self.period()
        figures = selectors.order_figures(self.request.user, start, end)
        reports = []
        for key, (title, select, columns) in REPORTS.items():
            rows = select(start, end, figures)
            money = MONEY_COLUMNS.get(key, set())
            reports.append({"key": key, "title": title, "columns": columns,
                            "rows": [[report_cell(r[f], f in money) for f, _h in columns] for r in rows],
                            "data": rows})
        ctx.update({"reports": {r["key"]: r for r in reports}, "period_form": form,
                    "query": self.request.GET.urlencode(), "start": self.start_date, "end": self.end_date,
                    "chart_data": {r["key"]: r["data"] for r in reports}})
        return ctx


class ReportExportView(ReportPeriodMixin, View):
    """The numbers behind one chart as an Excel sheet."""

    def get(self, request, key):
        from hardware_erp.core.exports import export_response
        from hardware_erp.core.money import money as round_money
        from hardware_erp.core.signals import data_exported

        if key not in REPORTS:
            return HttpResponse(status=404)
        title, select, columns = REPORTS[key]
        start, end, _form = self.period()
        figures = selectors.order_figures(request.user, start, end) if key in ORDER_REPORTS else None
        rows = select(start, end, figures)
        money_columns = MONEY_COLUMNS.get(key, set())

        def cell(field, value):
            c = report_cell(value.label if hasattr(value, "label") else value, field in money_columns)
            if c["kind"] == "money":
                return round_money(c["value"])  # as on the page: two places
            return str(c["value"]) if c["kind"] == "text" and c["value"] is not None else c["value"]

        data_exported.send(sender=type(self), request=request, model=Opportunity, rows=len(rows), format="xlsx")
        return export_response([h for _f, h in columns], ([cell(f, r[f]) for f, _h in columns] for r in rows),
                               filename=f"crm-{key}-{self.start_date:%Y%m%d}-{self.end_date:%Y%m%d}.xlsx",
                               title=key)


# ---------------------------------------------------------------- import and export

class ImportView(ModuleMixin, TemplateView):
    """Upload → preview (dry run: each row's errors and duplicate warnings) → confirm. Nothing is written before."""

    module = "crm"
    permission_required = "crm.import_customer"
    template_name = "crm/import.html"
    title = _("Import customers and contacts")
    session_key = "crm_import"

    def post(self, request):
        from . import imports

        action = request.POST.get("action", "preview")
        if action == "cancel":
            pending = request.session.pop(self.session_key, None)
            if pending:
                imports.discard(pending["token"], pending["filename"])
            return redirect("crm:import")
        if action == "confirm":
            pending = request.session.get(self.session_key)
            if not pending:
                messages.error(request, _("The uploaded file has expired; upload it again."))
                return redirect("crm:import")
            try:
                data = imports.parse(imports.load(pending["token"], pending["filename"]), pending["filename"])
                n = imports.run(pending["kind"], data, actor=request.user,
                                include_warnings=request.POST.get("include_warnings") == "on")
            except ValidationError as exc:
                error_messages(request, exc)
                return redirect("crm:import")
            imports.discard(pending["token"], pending["filename"])
            del request.session[self.session_key]
            messages.success(request, _("%(n)d rows imported.") % {"n": n})
            return redirect("crm:customer_list" if pending["kind"] == "customers" else "crm:import")
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        content = upload.read()
        try:
            data = imports.parse(content, upload.name)
            imports.check_columns(kind, data)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
            return self.render_to_response(self.get_context_data(form=form))
        result = imports.check(kind, data, actor=request.user, file_name=upload.name)
        old = request.session.get(self.session_key)
        if old:
            imports.discard(old["token"], old["filename"])
        request.session[self.session_key] = {"token": imports.store(content, upload.name), "filename": upload.name,
                                             "kind": kind}
        return self.render_to_response(self.get_context_data(form=form, result=result, kind=kind,
                                                             filename=upload.name))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ImportForm())
        return super().get_context_data(**kwargs)


class ImportTemplateView(ModuleMixin, View):
    module = "crm"
    permission_required = "crm.import_customer"

    def get(self, request, kind):
        from hardware_erp.core.exports import export_response

        from . import imports

        if kind not in imports.KINDS:
            return HttpResponse(status=404)
        data = imports.template(kind)
        return export_response(data.headers, data, filename=f"crm-{kind}-template.xlsx", title=kind)


class ContactExportView(ModuleMixin, View):
    """Contacts of the customers the user may see, as Excel (mobiles masked for roles that need not see them)."""

    module = "crm"
    permission_required = ("crm.view_contact", "crm.export_customer")

    def get(self, request):
        from hardware_erp.core.exports import export_response
        from hardware_erp.core.signals import data_exported

        from .resources import ContactResource

        qs = Contact.objects.for_user(request.user).select_related("customer").order_by("customer__name", "pk")
        data = ContactResource(actor=request.user).export(qs)
        data_exported.send(sender=type(self), request=request, model=Contact, rows=data.height, format="xlsx")
        return export_response(data.headers, data, filename="contacts.xlsx", title=_("Contacts"))
