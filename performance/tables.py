import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import KPI, BonusTier, Period, Scorecard


class ScorecardTable(tables.Table):
    employee = tables.Column(_("Employee"), accessor="employee__first_name",
                             order_by=("employee__first_name", "employee__username"), linkify=True)
    period = tables.Column(pgettext_lazy("performance", "Period"), order_by=("period__start",))
    department = tables.Column(_("Department"), default="—")
    role = tables.Column(_("Role"))
    final_score = tables.Column(_("Final score"), attrs={"td": {"class": "text-end"}}, default=_("no data"))
    status = tables.Column(_("Status"))

    class Meta:
        model = Scorecard
        fields = ()
        sequence = ("employee", "period", "department", "role", "final_score", "status")
        attrs = {"class": "table table-hover table-sm"}
        order_by = ("-period", "employee")

    def render_employee(self, record):
        return record.employee.get_full_name() or record.employee.username

    def render_role(self, record):
        from .selectors import role_label

        return role_label(record.role)

    def value_employee(self, record):
        return record.employee.get_full_name() or record.employee.username

    def render_status(self, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_TONES.get(record.status, "secondary"),
                           record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()


STATUS_TONES = {"draft": "secondary", "shared": "info", "acknowledged": "primary", "disputed": "danger",
                "closed": "success"}


class PeriodTable(tables.Table):
    label = tables.Column(pgettext_lazy("performance", "Period"), accessor="start", linkify=("performance:period",
                                                                                             {"pk": tables.A("pk")}))
    kind = tables.Column(_("Kind"))
    end = tables.Column(_("Ends (exclusive)"))
    status = tables.Column(_("Status"))
    computed_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Computed"), default=_("not yet"))
    scorecards = tables.Column(_("Scorecards"), accessor="n_scorecards", attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Period
        fields = ()
        sequence = ("label", "kind", "end", "status", "computed_at", "scorecards")
        attrs = {"class": "table table-hover table-sm"}

    def render_label(self, record):
        return record.label

    def value_label(self, record):
        return record.label


class KPITable(tables.Table):
    code = tables.Column(pgettext_lazy("performance", "Code"))
    name = tables.Column(_("KPI"), accessor="name_en", order_by=("name_en",))
    formula = tables.Column(_("Formula"), accessor="formula_text", orderable=False)
    target = tables.Column(_("Default target"), attrs={"td": {"class": "text-end"}})
    direction = tables.Column(_("Direction"))
    roles = tables.Column(_("Roles and weights"), empty_values=(), orderable=False)

    class Meta:
        model = KPI
        fields = ()
        sequence = ("code", "name", "formula", "target", "direction", "roles")
        attrs = {"class": "table table-sm align-middle"}

    def render_name(self, record):
        return format_html("{}<div class='small text-muted'>{}</div>", record.name, record.description)

    def value_name(self, record):
        return record.name

    def render_target(self, record):
        return f"{record.target.normalize():f} {record.get_unit_display()}"

    def render_roles(self, record):
        from .selectors import role_label

        return ", ".join(f"{role_label(w.role)} {w.weight.normalize():f}%" for w in record.weights.all())

    value_roles = render_roles


class BonusTierTable(tables.Table):
    name = tables.Column(_("Tier"), accessor="name_en", orderable=False, linkify=("performance:tier_edit",
                                                                                     {"pk": tables.A("pk")}))
    min_score = tables.Column(_("From score"), attrs={"td": {"class": "text-end"}})
    bonus = tables.Column(_("Bonus"), attrs={"td": {"class": "text-end"}})
    points = tables.Column(_("Points"), attrs={"td": {"class": "text-end"}})

    class Meta:
        model = BonusTier
        fields = ()
        sequence = ("name", "min_score", "bonus", "points")
        attrs = {"class": "table table-sm"}

    def render_name(self, record):
        return record.name

    def render_bonus(self, value):
        from hardware_erp.core.templatetags.erp import cny

        return cny(value)
