import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Employee


def person_name(user) -> str:
    """A user as the people of the company know them: their name, or the user name when they have none."""
    return (user.get_full_name() or user.username) if user else ""


def person_name_of(first_name, last_name, username) -> str:
    """`person_name` of a user read as values (Django's `get_full_name`: first and last name, stripped)."""
    return f"{first_name or ''} {last_name or ''}".strip() or username or ""


class PersonColumn(tables.Column):
    """A column holding a user, shown and exported by their name (陈强), not their user name (clerk)."""

    def render(self, value):
        return person_name(value)

    def value(self, value):
        return person_name(value)


class EmployeeTable(tables.Table):
    name = tables.Column(_("Name"), accessor="user__first_name", order_by=("user__first_name", "user__username"))
    username = tables.Column(_("User name"), accessor="user__username")
    department = tables.Column(_("Department"))
    job_title = tables.Column(_("Job title"))
    manager = tables.Column(_("Manager"), accessor="manager__first_name", default="—")
    work_phone = tables.Column(_("Work phone"), orderable=False)
    email = tables.Column(_("E-mail"), accessor="user__email", orderable=False)

    class Meta:
        model = Employee
        fields = ()
        sequence = ("name", "username", "department", "job_title", "manager", "work_phone", "email")
        attrs = {"class": "table table-hover table-sm"}

    def render_name(self, record):
        return person_name(record.user)
