import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.tables import PersonColumn

from .models import Course, ExternalTraining, LibraryItem, TrainingSession


class CourseTable(tables.Table):
    title = tables.Column(verbose_name=_("Course"), linkify=True, order_by=("title_zh",), accessor="title_zh")
    module = tables.Column(verbose_name=_("Module"))
    lessons = tables.Column(verbose_name=_("Lessons"), accessor="lesson_count", orderable=False,
                            attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    estimated_minutes = tables.Column(verbose_name=_("Minutes"), attrs={"td": {"class": "num"}})
    version = tables.Column(verbose_name=_("Version"), attrs={"td": {"class": "num"}})
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = Course
        fields = ("title", "module", "lessons", "estimated_minutes", "version", "status")
        attrs = {"class": "table table-hover"}

    def render_title(self, record):
        return record.title


class SessionTable(tables.Table):
    title = tables.Column(verbose_name=_("Topic"), linkify=True, accessor="title_zh")
    starts_at = tables.DateTimeColumn(verbose_name=_("Starts"), format="Y-m-d H:i")
    trainer = PersonColumn(verbose_name=_("Trainer"))
    place = tables.Column(verbose_name=_("Place"), empty_values=())
    seats = tables.Column(verbose_name=_("Seats"), accessor="enrolled_count", orderable=False,
                          attrs={"td": {"class": "num"}})
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = TrainingSession
        fields = ("title", "starts_at", "trainer", "place", "seats", "status")
        attrs = {"class": "table table-hover"}

    def render_title(self, record):
        return record.title

    def render_place(self, record):
        return record.place or (_("Online") if record.online_url else "—")

    def render_seats(self, record):
        return f"{record.enrolled_count}/{record.capacity}"


class LibraryTable(tables.Table):
    title = tables.Column(verbose_name=_("Title"), linkify=True, accessor="title_zh")
    kind = tables.Column(verbose_name=_("Kind"))
    module = tables.Column(verbose_name=_("Module"))
    tags = tables.Column(verbose_name=_("Tags"))
    views = tables.Column(verbose_name=_("Views"), attrs={"td": {"class": "num"}})
    helpful_yes = tables.Column(verbose_name=_("Helpful"), attrs={"td": {"class": "num"}})
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = LibraryItem
        fields = ("title", "kind", "module", "tags", "views", "helpful_yes", "status")
        attrs = {"class": "table table-hover"}

    def render_title(self, record):
        return record.title

    def render_helpful_yes(self, record):
        return format_html('<i class="bi bi-hand-thumbs-up"></i> {} · <i class="bi bi-hand-thumbs-down"></i> {}',
                           record.helpful_yes, record.helpful_no)


class ExternalTrainingTable(tables.Table):
    user = PersonColumn(verbose_name=_("Employee"))
    title = tables.Column(verbose_name=_("Title"))
    kind = tables.Column(verbose_name=_("Kind"))
    provider = tables.Column(verbose_name=_("Provider"))
    start_date = tables.DateColumn(verbose_name=_("Start date"), format="Y-m-d")
    hours = tables.Column(verbose_name=_("Hours"), attrs={"td": {"class": "num"}})
    certificate = tables.Column(verbose_name=_("Certificate"), orderable=False, empty_values=())

    class Meta:
        model = ExternalTraining
        fields = ("user", "title", "kind", "provider", "start_date", "hours", "certificate")
        attrs = {"class": "table table-hover"}

    def render_certificate(self, record):
        from django.urls import reverse

        if not record.certificate:
            return "—"
        return format_html('<a href="{}"><i class="bi bi-file-earmark-check"></i> {}</a>',
                           reverse("training:external_file", args=[record.pk]), _("Open"))
