from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ModuleChoices(models.TextChoices):
    CRM = "crm", _("Customers (CRM)")
    INVENTORY = "inventory", _("Inventory")
    ORDERS = "orders", _("Sales orders")
    GOVERNANCE = "governance", _("Data governance")
    TRAINING = "training", _("Training")
    SUPPORT = "support", pgettext_lazy("training", "Support")
    PERFORMANCE = "performance", pgettext_lazy("training", "Performance")
    GENERAL = "general", _("General")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class LessonKind(models.TextChoices):
    TEXT = "text", _("Reading")
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")
    PRACTICE = "practice", _("Practice task")
    QUIZ = "quiz", _("Quiz")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "truefalse", _("True or false")


class EnrollmentSource(models.TextChoices):
    PLAN = "plan", _("Onboarding plan")
    SELF = "self", _("Self-enrolled")
    MANAGER = "manager", _("Assigned by a manager")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Held")


class SeatStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class ExternalKind(models.TextChoices):
    COURSE = "course", _("External course")
    CONFERENCE = "conference", _("Conference")
    CERTIFICATION = "certification", _("Certification exam")


class LibraryKind(models.TextChoices):
    ARTICLE = "article", _("How-to article")
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")


class LibraryStatus(models.TextChoices):
    SUGGESTED = "suggested", pgettext_lazy("training", "Suggested")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
