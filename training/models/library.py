from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel

from ..choices import LibraryKind, LibraryStatus, ModuleChoices
from .base import Bilingual, in_language


class LibraryItemQuerySet(models.QuerySet):
    def for_user(self, user):
        """Published items for everyone; one's own suggestions; all for those who publish."""
        if user.has_perm("training.publish_libraryitem"):
            return self
        return self.filter(Q(status=LibraryStatus.PUBLISHED) | Q(author=user))


class LibraryItem(Bilingual, TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=12, choices=LibraryKind.choices, default=LibraryKind.ARTICLE)
    module = models.CharField(_("module"), max_length=20, choices=ModuleChoices.choices, db_index=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Words separated by commas."))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_zh = models.TextField(_("content (Chinese)"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    body_en = models.TextField(_("content (English)"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    file = models.FileField(_("file"), upload_to="training/library/%Y/", blank=True,
                            help_text=_("PDF, PowerPoint, MP4/WebM video or an image."))
    file_type = models.CharField(_("file type"), max_length=40, blank=True, editable=False)
    video_url = models.URLField(_("video link"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=LibraryStatus.choices,
                              default=LibraryStatus.SUGGESTED, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="library_items")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    views = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0)
    history = HistoricalRecords()

    objects = LibraryItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("library item")
        verbose_name_plural = _("library items")
        permissions = [("publish_libraryitem", _("Can publish library items"))]

    @property
    def body(self):
        return in_language(self, "body")

    @property
    def tag_list(self):
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]

    def get_absolute_url(self):
        return reverse("training:library_item", args=[self.pk])


class LibraryVote(models.Model):
    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("helpfulness vote")
        verbose_name_plural = _("helpfulness votes")
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="library_vote_once")]

    def __str__(self):
        return f"{self.item} · {self.helpful}"
