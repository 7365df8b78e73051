"""Kernel views and the small view bases every app builds its pages on.

- `ModuleMixin`: sign-in, module access and permission checks; 403 in the app's look.
- `ERPListView`: django-filter + django-tables2 + pagination + Excel/CSV export (logged),
  htmx-aware (only the table is re-rendered when the filter bar asks).
- `ServiceFormView`: every create/edit/action form page. A form, the service it calls (`perform`), the
  success message and URL; a `ValidationError` (`BusinessRuleError`) from the service lands on the form;
  a one-time token makes the form safe to send twice (the second send shows what the first saved).
- `ServiceActionView`: a POST-only button (approve, cancel, ...) that calls one service.
"""

import importlib
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export.views import ExportMixin

from . import health, notifications, services
from .exports import CONTENT_TYPES, SafeTableExport, count_at_most, export_response, export_title, table_rows
from .models import Employee, ExportJob, FormSubmission, Notification
from .nav import modules_for
from .pagination import BoundedPaginator
from .signals import data_exported


class ModuleMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Open to signed-in users whose role opens `module` and who hold `permission_required`."""

    module: str = ""
    permission_required = ()
    title = ""

    def get_permission_required(self):
        perms = super().get_permission_required() if self.permission_required else ()
        if self.module:
            perms = (f"core.access_{self.module}", *perms)
        return perms

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("title", self.title)
        ctx["module"] = self.module
        return ctx


class ModuleIndexView(ModuleMixin, TemplateView):
    """A module's landing page: its pages and its dashboard cards."""

    def get_template_names(self):
        return [f"{self.module}/index.html", "generic/module_index.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = next((m for m in modules_for(self.request.user) if m["key"] == self.module), None)
        ctx["module_entry"] = entry
        ctx["title"] = self.title or (entry["label"] if entry else "")
        ctx["cards"] = dashboard_cards(self.request, [self.module])
        return ctx


ONCE_FIELD = "_once"


def error_messages(request, exc: ValidationError):
    """A service's refusal as page messages (one per message), for buttons that have no form to put it on."""
    for msg in exc.messages:
        messages.error(request, msg)


def form_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: field errors on their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def safe_next(request, fallback):
    """The `next` parameter when it points into this site, else `fallback`."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return nxt
    return fallback


class _AlreadySent(Exception):
    pass


class ServiceFormView(ModuleMixin, FormView):
    """A page with one form whose valid data goes to one service.

    Subclasses set `form_class`, `module`, `permission_required`, `title`, `success_message` (may use
    `%(object)s`) and implement `perform(form) -> object` (call the service with `actor=self.request.user`).
    Edit pages implement `get_object()` (scoped through the model's `for_user`); the form then gets it as
    `instance` for its initial values, but never saves it: the service does. Success goes to
    `get_success_url(result)` (the object's URL by default). Every form carries a one-time token.
    """

    template_name = "generic/form.html"
    success_message = ""
    success_url = None
    cancel_url = None
    submit_label = None
    intro = ""

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        if request.user.is_authenticated and self.has_permission():
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None and hasattr(self.get_form_class(), "_meta"):
            kwargs["instance"] = self.object
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        helper = getattr(form, "helper", None)
        if helper is not None:
            helper.form_tag = False  # the page's template holds the one <form> with its Save button
            helper.disable_csrf = True
        return form

    def perform(self, form):
        raise ImproperlyConfigured(f"{type(self).__name__} must implement perform(form)")

    def get_success_url(self, result=None):
        if self.success_url:
            return str(self.success_url)
        if result is not None and hasattr(result, "get_absolute_url"):
            return result.get_absolute_url()
        raise ImproperlyConfigured(f"{type(self).__name__} needs success_url or a result with get_absolute_url")

    def get_success_message(self, result):
        return self.success_message % {"object": result} if self.success_message else ""

    def get_cancel_url(self):
        if self.cancel_url:
            return str(self.cancel_url)
        if self.object is not None and hasattr(self.object, "get_absolute_url"):
            return self.object.get_absolute_url()
        return ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("once_token", uuid.uuid4().hex)
        ctx.setdefault("cancel_url", safe_next(self.request, self.get_cancel_url()))
        ctx.setdefault("submit_label", self.submit_label)
        ctx.setdefault("intro", self.intro)
        ctx["object"] = self.object
        return ctx

    def post(self, request, *args, **kwargs):
        # a form sent again after it was saved goes to what it saved, before validation could call it a duplicate
        token = (request.POST.get(ONCE_FIELD) or "")[:64]
        if token and FormSubmission.objects.filter(token=token, user=request.user).exclude(result_url="").exists():
            return self.already_sent(token)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        # a fresh token: the corrected form is a new attempt
        return self.render_to_response(self.get_context_data(form=form, once_token=uuid.uuid4().hex))

    def form_valid(self, form):
        token = (self.request.POST.get(ONCE_FIELD) or "")[:64]
        try:
            with transaction.atomic():
                claim = self._claim(token)
                result = self.perform(form)
                url = safe_next(self.request, self.get_success_url(result))
                if claim is not None:
                    FormSubmission.objects.filter(pk=claim.pk).update(result_url=url)
        except _AlreadySent:
            return self.already_sent(token)
        except ValidationError as exc:
            form_errors(form, exc)
            return self.form_invalid(form)
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(url)

    def _claim(self, token):
        if not token:
            return None
        try:
            with transaction.atomic():
                return FormSubmission.objects.create(token=token, user=self.request.user, path=self.request.path)
        except IntegrityError:
            raise _AlreadySent from None

    def already_sent(self, token):
        """The same form was sent before: show what that first send saved instead of saving it again."""
        first = FormSubmission.objects.filter(token=token, user=self.request.user).first()
        messages.info(self.request, _("This form had already been sent; it was saved once."))
        return redirect(first.result_url if first and first.result_url else self.request.path)


class ServiceActionView(ModuleMixin, View):
    """A POST-only button that calls one service: `perform() -> object`; a refusal becomes an error message.

    Subclasses set `module`, `permission_required`, `success_message` and implement `get_object()` (scoped)
    and `perform()`. The answer is a redirect to `get_success_url(result)` (the object's page by default).
    """

    http_method_names = ["post"]
    success_message = ""
    success_url = None

    def get_object(self):
        return None

    def perform(self):
        raise ImproperlyConfigured(f"{type(self).__name__} must implement perform()")

    def get_success_url(self, result=None):
        if self.success_url:
            return str(self.success_url)
        target = result if hasattr(result, "get_absolute_url") else self.object
        return target.get_absolute_url()

    def get_error_url(self):
        target = self.object
        if target is not None and hasattr(target, "get_absolute_url"):
            return target.get_absolute_url()
        return str(self.success_url or "/")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            with transaction.atomic():
                result = self.perform()
        except ValidationError as exc:
            error_messages(request, exc)
            return redirect(safe_next(request, self.get_error_url()))
        if self.success_message:
            messages.success(request, self.success_message % {"object": result})
        return redirect(safe_next(request, self.get_success_url(result)))


def may_open(request, url) -> bool:
    """Whether `request.user` passes the permission check of the page at `url` (a view with `has_permission`)."""
    try:
        match = resolve(url)
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "has_permission"):
        return True
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    return view.has_permission()


def dashboard_cards(request, module_keys):
    """Cards from each module's `dashboard.py` (`cards(request) -> list[dict]`)."""
    cards = []
    for key in module_keys:
        try:
            mod = importlib.import_module(f"{key}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{key}.dashboard":
                raise
            continue
        for card in mod.cards(request):
            cards.append({"module": key, **card})
    return cards


class ERPListView(ModuleMixin, ExportMixin, SingleTableMixin, FilterView):
    """A list page: filter bar, sortable columns, pagination, export. Subclasses set
    model, table_class, filterset_class, module, title, and optionally create_url_name."""

    template_name = "generic/list.html"
    paginate_by = 25
    max_per_page = 200
    export_formats = ("xlsx", "csv")
    export_class = SafeTableExport
    create_url_name = ""
    create_label = _("New")
    empty_text = _("Nothing here yet.")
    export_permission = None
    export_sync_max_rows = None  # None: settings.EXPORT_SYNC_MAX_ROWS
    # the table's rows written by compiled cells (core/table_body.py), the rest of django-tables2's template kept;
    # a table with a template of its own keeps it
    table_template = "generic/_table.html"
    replica_reads = True  # GET requests read from the read replica when there is one (core/db_routing.py)

    def get_queryset(self):
        qs = super().get_queryset()
        for_user = getattr(qs, "for_user", None)
        return for_user(self.request.user) if for_user else qs

    def get_table_pagination(self, table):
        if self.request.GET.get(self.export_trigger_param) in self.export_formats:
            return False  # an export reads every row: no page to count (the export counts what it needs)
        return {"per_page": self.paginate_by, "paginator_class": BoundedPaginator}

    def get_table(self, **kwargs):
        # ?per_page= is honoured between 1 and max_per_page: a negative number would fail, a huge one render every row
        asked = self.request.GET.get("per_page")
        if asked is not None:
            params = self.request.GET.copy()
            params["per_page"] = str(min(int(asked), self.max_per_page)) if asked.isdecimal() and int(asked) else \
                str(self.paginate_by)
            self.request.GET = params
        table = super().get_table(**kwargs)
        if self.table_template and table.template_name == settings.DJANGO_TABLES2_TEMPLATE:
            table.template_name = self.table_template
        return table

    def get_paginate_by(self, queryset):
        return None  # the table paginates (above); the list view's own paginator would count the rows again

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["htmx/list_table.html"]
        return [self.template_name]

    def get_export_filename(self, export_format):
        return f"{self.model._meta.model_name}s.{export_format}"

    def render_to_response(self, context, **kwargs):
        fmt = self.request.GET.get(self.export_trigger_param)
        if fmt and self.export_permission and not self.request.user.has_perm(self.export_permission):
            messages.error(self.request, _("You may not export this list."))
            return redirect(self.request.path)
        if fmt in self.export_formats:
            return self.export(fmt, context["table"])
        # past ExportMixin: no other format than the page's own is exported
        return super(ExportMixin, self).render_to_response(context, **kwargs)

    def export(self, fmt, table):
        """The export of every row the page lists (filters and sort kept, pagination not): answered at once up to
        `export_sync_max_rows` rows, else written by a worker (`core.export_jobs`) and offered on its page."""
        capture = getattr(self.request, "export_capture", None)
        if capture is not None:  # the worker writing this list's export asks for its table
            capture.append((table, self.exclude_columns))
            return HttpResponse(status=204)
        limit = settings.EXPORT_SYNC_MAX_ROWS if self.export_sync_max_rows is None else self.export_sync_max_rows
        filename = self.get_export_filename(fmt)
        rows = count_at_most(table, limit)
        if rows > limit:
            from .export_jobs import start_export

            query = self.request.GET.copy()
            query.pop(self.export_trigger_param, None)
            data = getattr(table.data, "data", None)
            total = data.count() if hasattr(data, "count") else None
            job = start_export(user=self.request.user, path=self.request.path, query=query.urlencode(), fmt=fmt,
                               filename=filename, rows_total=total, actor=self.request.user)
            data_exported.send(sender=type(self), request=self.request, model=self.model, rows=total, format=fmt)
            return redirect(job)
        values = table_rows(table, exclude_columns=self.exclude_columns)
        response = export_response(next(values), values, filename=filename, fmt=fmt, title=export_title(table))
        data_exported.send(sender=type(self), request=self.request, model=self.model, rows=rows, format=fmt)
        return response

    def may_export(self):
        return not self.export_permission or self.request.user.has_perm(self.export_permission)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # buttons the user may not use are not shown: the create page's own permission check decides
        create_url = reverse(self.create_url_name) if self.create_url_name else ""
        ctx["create_url"] = create_url if create_url and may_open(self.request, create_url) else ""
        ctx["create_label"] = self.create_label
        ctx["empty_text"] = self.empty_text
        ctx["export_formats"] = self.export_formats if self.may_export() else ()
        return ctx


class PeopleView(ERPListView):
    """The staff directory: every signed-in employee may look up colleagues."""

    model = Employee
    title = _("Colleagues")
    empty_text = _("No employees yet.")

    def get_queryset(self):
        return (Employee.objects.filter(user__is_active=True)
                .select_related("user", "department", "manager").order_by("user__username"))

    @property
    def table_class(self):
        from .tables import EmployeeTable

        return EmployeeTable

    @property
    def filterset_class(self):
        from .filtersets import EmployeeFilterSet

        return EmployeeFilterSet


class ExportListView(LoginRequiredMixin, TemplateView):
    """The user's own exports of the last days."""

    template_name = "core/export_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("My exports")
        ctx["jobs"] = ExportJob.objects.using("default").filter(user=self.request.user)[:50]
        return ctx


class ExportJobView(LoginRequiredMixin, View):
    """One export's page: progress while a worker writes it (the status part re-polled by htmx), then the
    download. Only the user who asked sees it (others get 404)."""

    def get(self, request, pk):
        # the primary: a job queued a moment ago (or its progress) may not be on a read replica yet
        job = get_object_or_404(ExportJob.objects.using("default"), pk=pk, user=request.user)
        if getattr(request, "htmx", False) and not request.htmx.boosted:
            return render(request, "htmx/export_job_status.html", {"job": job})
        return render(request, "core/export_job.html", {"job": job, "title": _("Export")})


def may_export(request, path) -> bool:
    """Whether the user may still open the list at `path` and export it (their role may have changed)."""
    if not may_open(request, path):
        return False
    view_class = getattr(resolve(path).func, "view_class", None)
    needed = getattr(view_class, "export_permission", None)
    return not needed or request.user.has_perm(needed)


class ExportDownloadView(LoginRequiredMixin, View):
    """The written file of a ready export, to the user who asked while the list is still theirs to export."""

    def get(self, request, pk):
        from .export_jobs import file_path

        job = get_object_or_404(ExportJob.objects.using("default"), pk=pk, user=request.user)
        if not may_export(request, job.path):
            raise PermissionDenied
        path = file_path(job)
        if path is None:
            raise Http404
        response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.filename,
                                content_type=CONTENT_TYPES[job.fmt])
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class CompanyProfileView(ServiceFormView):
    """The company's own details, printed as the header of every document: general manager and finance."""

    permission_required = "core.edit_companyprofile"
    title = _("Company profile")
    success_message = _("Company profile saved.")
    intro = _("Printed as the header of every quotation, order, delivery note, statement, receipt and purchase "
              "order.")

    def get_form_class(self):
        from .forms import CompanyProfileForm

        return CompanyProfileForm

    def get_object(self):
        from .models import CompanyProfile

        return CompanyProfile.current()

    def get_success_url(self, result=None):
        return reverse("core:company_profile")

    def perform(self, form):
        data = {k: form.cleaned_data[k] for k in services.COMPANY_FIELDS}
        return services.update_company_profile(actor=self.request.user, logo=form.cleaned_data.get("logo"),
                                               clear_logo=form.cleaned_data.get("clear_logo", False), **data)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        keys = [m["key"] for m in modules_for(self.request.user)]
        ctx["cards"] = dashboard_cards(self.request, keys)
        ctx["notifications"] = notifications.attach_latest(
            notifications.grouped(self.request.user, unread_only=True)[:8])
        ctx["title"] = _("Home")
        return ctx


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's notifications, repeats of one kind and page collapsed into one line with their number."""

    template_name = "core/notification_list.html"
    paginate_by = 30

    def get_queryset(self):
        return notifications.grouped(self.request.user, unread_only=bool(self.request.GET.get("unread")))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Notifications")
        ctx["groups"] = notifications.attach_latest(ctx["object_list"])
        return ctx


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one notification's group (pk) or all notifications read; opens its link when it has one."""

    def bell(self, request):
        return render(request, "htmx/notification_bell.html", bell_context(request.user))

    def post(self, request, pk=None):
        if pk is None:
            services.mark_read(request.user)
            if request.htmx:
                return self.bell(request)
            messages.success(request, _("All notifications are marked as read."))
            return redirect("core:notifications")
        n = Notification.objects.filter(recipient=request.user, pk=pk).first()
        if n is None:
            return redirect("core:notifications")
        group = list(notifications.same_group(request.user, n).values_list("pk", flat=True))
        services.mark_read(request.user, group)
        if request.htmx:
            return self.bell(request)
        link = notifications.group_link(n) if len(group) > 1 else n.link
        if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(link)
        return redirect("core:notifications")


class NotificationSettingsForm(forms.Form):
    email = forms.BooleanField(label=_("Also by e-mail"), required=False,
                               help_text=_("Notifications always appear under the bell and on this page."))


class NotificationSettingsView(ServiceFormView):
    """A person's channels for notifications: in the application (always) and by e-mail (their choice)."""

    form_class = NotificationSettingsForm
    title = _("How notifications reach me")
    success_message = _("Your notification channels are saved.")
    success_url = reverse_lazy("core:notifications")
    cancel_url = reverse_lazy("core:notifications")

    def get_initial(self):
        return {"email": services.wants_email(self.request.user)}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not self.request.user.email:
            ctx["intro"] = _("You have no e-mail address on file: e-mails cannot reach you until IT adds one.")
        return ctx

    def perform(self, form):
        return services.set_notification_channels(self.request.user, email=form.cleaned_data["email"],
                                                  actor=self.request.user)


def bell_context(user, size=6):
    return {"unread_count": notifications.unread_count(user),
            "latest": notifications.attach_latest(notifications.grouped(user, unread_only=True)[:size])}


class NotificationBellView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "htmx/notification_bell.html", bell_context(request.user))


class SetLanguageView(View):
    """Switch the interface language (cookie) and remember it on the profile for e-mails."""

    def post(self, request):
        from django.views.i18n import set_language

        lang = request.POST.get("language", "")
        if request.user.is_authenticated and check_for_language(lang):
            Employee.objects.filter(user=request.user).update(language=lang)
        return set_language(request)


def healthz(request):
    """ok / not ok per component for anyone (a load balancer, a monitor); the details (error text, host names,
    timings) only for staff (IT, managers) or a caller presenting HEALTHZ_TOKEN as a bearer token."""
    result = health.run_checks()
    if not _may_read_health_details(request):
        result = {"ok": result["ok"], "checks": {name: {"ok": c["ok"]} for name, c in result["checks"].items()},
                  "time": result["time"]}
    return JsonResponse(result, status=200 if result["ok"] else 503)


def _may_read_health_details(request) -> bool:
    import hmac

    token = getattr(settings, "HEALTHZ_TOKEN", "")
    given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(token.encode(), given.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def permission_denied(request, exception=None):
    # training's gate backend leaves {"message", "url", "link_label"} on the user when a course is missing
    gate = getattr(getattr(request, "user", None), "training_gate", None) or {}
    return render(request, "403.html", {"title": _("Access denied"),
                                        "reason": gate.get("message") or str(exception or ""),
                                        "reason_url": gate.get("url", ""), "reason_link": gate.get("link_label", "")},
                  status=403)


def bad_request(request, exception=None, reason=""):
    return render(request, "400.html", {"title": _("Bad request"), "reason": reason}, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"title": _("Page not found")}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "403.html", {"title": _("Access denied"),
                                        "reason": _("The form had expired or was sent twice. Reload the page "
                                                    "and try again.")}, status=403)
