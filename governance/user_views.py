"""User accounts for IT and the general manager: list, new user, edit (roles included), deactivate and reactivate,
reset the password (a one-time temporary password shown once) or the second factor; and the sign-in lock-outs
(django-axes) with an Unlock button. Every change goes through `governance.accounts` and is in the security log."""

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Department
from hardware_erp.core.phones import PhoneFormField
from hardware_erp.core.roles import ROLES, roles_of
from hardware_erp.core.views import ERPListView, ModuleMixin, ServiceActionView, ServiceFormView, error_messages

from . import accounts

User = get_user_model()
MANAGE = "governance.manage_users"
UNLOCK = "governance.unlock_accounts"


def role_choices():
    return [(key, role.label) for key, role in ROLES.items()]


# --- list --------------------------------------------------------------------------------------------------------

class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    role = django_filters.ChoiceFilter(label=_("Role"), choices=role_choices, method="by_role", empty_label=_("All"))
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all(),
                                                  field_name="employee__department")
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=forms.Select(choices=[
        ("", _("All")), ("true", _("Active")), ("false", _("Deactivated"))]))

    class Meta:
        model = User
        fields = ["q", "role", "department", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(first_name__icontains=value)
                               | Q(last_name__icontains=value) | Q(email__icontains=value)
                               | Q(employee__job_title__icontains=value))

    def by_role(self, queryset, name, value):
        return queryset.filter(groups__name=ROLES[value].group) if value in ROLES else queryset


class UserTable(tables.Table):
    username = tables.Column(verbose_name=_("user name"), linkify=("governance:user", {"pk": tables.A("pk")}))
    name = tables.Column(verbose_name=_("full name"), accessor="last_name", order_by=("last_name", "first_name"))
    department = tables.Column(verbose_name=_("department"), accessor="employee__department", orderable=False)
    roles = tables.Column(verbose_name=_("roles"), accessor="pk", orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("active"))
    last_login = tables.DateTimeColumn(verbose_name=_("last sign-in"), format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ("username", "name", "department", "roles", "is_active", "last_login")
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "user-table"}

    def render_name(self, record):
        return record.get_full_name() or "—"

    def render_roles(self, record):
        by_group = {r.group: r.label for r in ROLES.values()}
        return ", ".join(str(by_group[g.name]) for g in record.groups.all() if g.name in by_group) or "—"


class UserListView(ERPListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    module = "governance"
    permission_required = MANAGE
    title = _("User accounts")
    create_url_name = "governance:user_create"
    empty_text = _("No user matches.")
    export_formats = ()

    def get_queryset(self):
        return (User.objects.select_related("employee__department").prefetch_related("groups")
                .order_by("username").distinct())


# --- forms -------------------------------------------------------------------------------------------------------

class UserForm(forms.Form):
    username = forms.CharField(label=_("user name"), max_length=150)
    first_name = forms.CharField(label=_("given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.all(), required=False)
    job_title = forms.CharField(label=_("job title"), max_length=100, required=False)
    manager = forms.ModelChoiceField(label=_("manager"), queryset=User.objects.filter(is_active=True)
                                     .order_by("username"), required=False)
    work_phone = PhoneFormField(label=_("work phone"), required=False)
    language = forms.ChoiceField(label=_("language"), choices=[("", "—"), *settings.LANGUAGES], required=False)
    roles = forms.MultipleChoiceField(label=_("roles"), choices=role_choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            employee = getattr(instance, "employee", None)
            kwargs["initial"] = {**(kwargs.get("initial") or {}), **{
                "username": instance.username, "first_name": instance.first_name, "last_name": instance.last_name,
                "email": instance.email, "department": getattr(employee, "department", None),
                "job_title": getattr(employee, "job_title", ""), "manager": getattr(employee, "manager", None),
                "work_phone": getattr(employee, "work_phone", ""), "language": getattr(employee, "language", ""),
                "roles": [r.key for r in roles_of(instance)]}}
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["username"].disabled = True

    def clean_username(self):
        value = (self.cleaned_data.get("username") or "").strip()
        if self.instance is None and User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError(_("The user name %(name)s is taken.") % {"name": value})
        return value

    def profile(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("first_name", "last_name", "email", "department", "job_title", "manager",
                                  "work_phone", "language")}


class UserCreateView(ServiceFormView):
    form_class = UserForm
    module = "governance"
    permission_required = MANAGE
    title = _("New user")
    intro = _("The new user has no password yet: after saving, press “Reset password” to hand over a one-time "
              "password.")
    success_message = _("User %(object)s created.")
    cancel_url = reverse_lazy("governance:user_list")

    def get_success_url(self, result=None):
        return reverse("governance:user", args=[result.pk])

    def perform(self, form):
        return accounts.create_user(actor=self.request.user, username=form.cleaned_data["username"].strip(),
                                    roles=form.cleaned_data["roles"], **form.profile())


class UserEditView(ServiceFormView):
    form_class = UserForm
    module = "governance"
    permission_required = MANAGE
    title = _("Edit user")
    success_message = _("User %(object)s saved.")

    def get_object(self):
        return get_object_or_404(User.objects.select_related("employee"), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_success_url(self, result=None):
        return reverse("governance:user", args=[result.pk])

    def get_cancel_url(self):
        return reverse("governance:user", args=[self.object.pk])

    def perform(self, form):
        return accounts.update_user(self.object, actor=self.request.user, roles=form.cleaned_data["roles"],
                                    **form.profile())


# --- the user's page and its buttons -----------------------------------------------------------------------------

class UserView(ModuleMixin, TemplateView):
    module = "governance"
    permission_required = MANAGE
    template_name = "governance/user.html"

    def get_context_data(self, **kwargs):
        import django_otp

        from .models import SecurityEvent

        ctx = super().get_context_data(**kwargs)
        account = get_object_or_404(User.objects.select_related("employee__department", "employee__manager"),
                                    pk=self.kwargs["pk"])
        ctx.update(title=account.get_full_name() or account.username, account=account, roles=roles_of(account),
                   devices=list(django_otp.devices_for_user(account, confirmed=None)),
                   events=SecurityEvent.objects.filter(Q(detail__target=account.username) | Q(user=account))
                   .order_by("-created_at", "-pk")[:20],
                   is_self=account.pk == self.request.user.pk)
        return ctx


class UserActionView(ServiceActionView):
    module = "governance"
    permission_required = MANAGE
    action = None
    messages_by_action = {
        "deactivate": _("%(object)s is deactivated and signed out everywhere."),
        "reactivate": _("%(object)s can sign in again."),
        "reset_otp": _("Two-factor sign-in of %(object)s is reset: it is set up again at the next sign-in."),
    }

    def get_object(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_success_url(self, result=None):
        return reverse("governance:user", args=[self.object.pk])

    get_error_url = get_success_url

    def perform(self):
        self.success_message = self.messages_by_action[self.action]
        actor = self.request.user
        if self.action == "deactivate":
            accounts.deactivate_user(self.object, actor=actor)
        elif self.action == "reactivate":
            accounts.reactivate_user(self.object, actor=actor)
        elif self.action == "reset_otp":
            accounts.reset_second_factor(self.object, actor=actor)
        return self.object.username


class UserPasswordResetView(ModuleMixin, TemplateView):
    """POST: a new one-time temporary password, shown on this answer only (never stored in clear, not in a
    message, not on a page that can be reloaded)."""

    module = "governance"
    permission_required = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        account = get_object_or_404(User, pk=pk)
        password = accounts.reset_password(account, actor=request.user)
        response = render(request, "governance/user_password.html",
                          {"title": _("Temporary password"), "account": account, "password": password})
        response["Cache-Control"] = "no-store"
        return response


# --- lock-outs ---------------------------------------------------------------------------------------------------

class LockoutListView(ModuleMixin, TemplateView):
    module = "governance"
    permission_required = UNLOCK
    template_name = "governance/lockout_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=_("Locked accounts"), lockouts=list(accounts.current_lockouts()[:200]),
                   limit=settings.AXES_FAILURE_LIMIT)
        return ctx


class UnlockView(ModuleMixin, TemplateView):
    module = "governance"
    permission_required = UNLOCK
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            accounts.unlock(pk, actor=request.user)
        except BusinessRuleError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("The lock-out is lifted: the user can sign in again."))
        return redirect("governance:lockout_list")


