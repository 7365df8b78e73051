"""The learning library: search, read (view counts), “was this helpful”, suggest and publish."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView

from hardware_erp.core.uploads import serve_upload
from hardware_erp.core.views import ERPListView, ModuleMixin, ServiceFormView

from .. import services
from ..choices import LibraryStatus
from ..content import render_markdown
from ..filtersets import LibraryFilterSet
from ..forms import LibraryItemForm
from ..models import LibraryItem, LibraryVote
from ..tables import LibraryTable
from .learning import embed_url


class LibraryListView(ERPListView):
    model = LibraryItem
    module = "training"
    permission_required = "training.view_libraryitem"
    table_class = LibraryTable
    filterset_class = LibraryFilterSet
    title = _("Learning library")
    empty_text = _("The library is empty. Share what you know: suggest an article.")
    create_url_name = "training:library_create"
    create_label = _("Suggest an article")


class LibraryItemView(ModuleMixin, DetailView):
    module = "training"
    permission_required = "training.view_libraryitem"
    template_name = "training/library_item.html"
    context_object_name = "item"

    def get_queryset(self):
        return LibraryItem.objects.for_user(self.request.user).select_related("author", "published_by")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if obj.status == LibraryStatus.PUBLISHED:
            services.record_view(obj)
            obj.views += 1
        return obj

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        ctx["title"] = item.title
        ctx["body_html"] = render_markdown(item.body)
        ctx["video_embed"] = embed_url(item.video_url)
        ctx["my_vote"] = LibraryVote.objects.filter(item=item, user=user).first()
        ctx["can_publish"] = user.has_perm("training.publish_libraryitem")
        ctx["can_edit"] = ctx["can_publish"] or (item.author_id == user.pk and item.status == LibraryStatus.SUGGESTED)
        return ctx


class LibraryCreateView(ServiceFormView):
    module = "training"
    permission_required = "training.add_libraryitem"
    form_class = LibraryItemForm
    cancel_url = reverse_lazy("training:library_list")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        publish = self.request.user.has_perm("training.publish_libraryitem")
        ctx["title"] = _("New library item") if publish else _("Suggest an article")
        if not publish:
            ctx["intro"] = _("Share a tip or a how-to with your colleagues. A trainer reads it and publishes it.")
        return ctx

    def get_success_message(self, result):
        if result.status == LibraryStatus.PUBLISHED:
            return _("Published.")
        return _("Thank you! A trainer will review your suggestion.")

    def perform(self, form):
        return services.save_library_item(form.instance, actor=self.request.user)


class LibraryEditView(ServiceFormView):
    module = "training"
    permission_required = "training.add_libraryitem"
    form_class = LibraryItemForm
    cancel_url = reverse_lazy("training:library_list")
    title = _("Edit library item")
    success_message = _("Saved.")

    def get_object(self):
        return get_object_or_404(LibraryItem.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def perform(self, form):
        return services.save_library_item(form.instance, actor=self.request.user)


class LibraryReviewView(ModuleMixin, View):
    module = "training"
    permission_required = "training.publish_libraryitem"

    def post(self, request, pk):
        item = get_object_or_404(LibraryItem, pk=pk)
        publish = request.POST.get("decision") == "publish"
        services.review_library_item(item, publish=publish, actor=request.user)
        messages.success(request, _("Published.") if publish else _("Marked as not published."))
        return redirect(item)


class LibraryVoteView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_libraryitem"

    def post(self, request, pk):
        item = get_object_or_404(LibraryItem.objects.for_user(request.user), pk=pk,
                                 status=LibraryStatus.PUBLISHED)
        services.vote_helpful(item, actor=request.user, helpful=request.POST.get("helpful") == "yes")
        messages.success(request, _("Thank you for telling us."))
        return redirect(item)


class LibraryFileView(ModuleMixin, View):
    module = "training"
    permission_required = "training.view_libraryitem"

    def get(self, request, pk):
        item = get_object_or_404(LibraryItem.objects.for_user(request.user), pk=pk)
        return serve_upload(item.file)
