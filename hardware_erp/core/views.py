"""Kernel views and the small view bases every app builds its pages on.

- `ModuleMixin`: sign-in, module access and permission checks; 403 in the app's look.
- `ERPListView`: django-filter + django-tables2 + pagination + Excel/CSV export (logged),
  htmx-aware (only the table is re-rendered when the filter bar asks).
- `ERPFormView`-style pages: use Django's CreateView/UpdateView with `ModuleMixin` and
  `template_name = "generic/form.html"`; call a service from form_valid.
"""

import importlib

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export.views import ExportMixin

from . import health, services
from .models import Employee, Notification
from .nav import modules_for
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
    create_url_name = ""
    create_label = _("New")
    empty_text = _("Nothing here yet.")
    export_permission = None

    def get_queryset(self):
        qs = super().get_queryset()
        for_user = getattr(qs, "for_user", None)
        return for_user(self.request.user) if for_user else qs

    def get_table_pagination(self, table):
        return {"per_page": self.paginate_by}

    def get_table(self, **kwargs):
        # ?per_page= is honoured between 1 and max_per_page: a negative number would fail, a huge one render every row
        asked = self.request.GET.get("per_page")
        if asked is not None:
            params = self.request.GET.copy()
            params["per_page"] = str(min(int(asked), self.max_per_page)) if asked.isdecimal() and int(asked) else \
                str(self.paginate_by)
            self.request.GET = params
        return super().get_table(**kwargs)

    def get_paginate_by(self, queryset):
        return None  # the table paginates (above); the list view's own paginator would count the rows again

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["htmx/list_table.html"]
        return [self.template_name]

    def get_export_filename(self, export_format):
        return f"{self.model._meta.model_name}s.{export_format}"

    def create_export(self, export_format):
        response = super().create_export(export_format)
        data_exported.send(sender=type(self), request=self.request, model=self.model,
                           rows=self.get_table_data().count() if hasattr(self.get_table_data(), "count") else None,
                           format=export_format)
        return response

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("_export") and self.export_permission and \
                not self.request.user.has_perm(self.export_permission):
            messages.error(self.request, _("You may not export this list."))
            return redirect(self.request.path)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_url"] = reverse(self.create_url_name) if self.create_url_name else ""
        ctx["create_label"] = self.create_label
        ctx["empty_text"] = self.empty_text
        ctx["export_formats"] = self.export_formats
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


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        keys = [m["key"] for m in modules_for(self.request.user)]
        ctx["cards"] = dashboard_cards(self.request, keys)
        ctx["notifications"] = self.request.user.notifications.unread()[:8]
        ctx["title"] = _("Home")
        return ctx


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "core/notification_list.html"
    paginate_by = 30

    def get_queryset(self):
        qs = Notification.objects.filter(recipient=self.request.user)
        if self.request.GET.get("unread"):
            qs = qs.unread()
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Notifications")
        return ctx


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one (pk) or all notifications read; opens its link when it has one."""

    def post(self, request, pk=None):
        if pk is None:
            services.mark_read(request.user)
            messages.success(request, _("All notifications are marked as read."))
            return redirect("core:notifications")
        n = Notification.objects.filter(recipient=request.user, pk=pk).first()
        if n is None:
            return redirect("core:notifications")
        services.mark_read(request.user, [n.pk])
        if request.htmx:
            return render(request, "htmx/notification_bell.html",
                          {"unread_count": request.user.notifications.unread().count()})
        if n.link and url_has_allowed_host_and_scheme(n.link, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(n.link)
        return redirect("core:notifications")


class NotificationBellView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "htmx/notification_bell.html", {
            "unread_count": request.user.notifications.unread().count(),
            "latest": request.user.notifications.unread()[:6],
        })


class SetLanguageView(View):
    """Switch the interface language (cookie) and remember it on the profile for e-mails."""

    def post(self, request):
        from django.views.i18n import set_language

        lang = request.POST.get("language", "")
        if request.user.is_authenticated and check_for_language(lang):
            Employee.objects.filter(user=request.user).update(language=lang)
        return set_language(request)


def healthz(request):
    result = health.run_checks()
    return JsonResponse(result, status=200 if result["ok"] else 503)


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
