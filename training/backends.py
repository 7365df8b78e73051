"""Training-gated permissions as an authentication backend.

Listed first in AUTHENTICATION_BACKENDS: for a permission that a `TrainingGate` guards, `has_perm`
raises PermissionDenied until the person has completed the gate's course — Django stops asking the
other backends at PermissionDenied, so every app's permission checks respect the gate without
importing training. The gates and the user's completed courses are read once per request and kept
on the user object. The message (with a link to the course) is left on the user for the 403 page.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _


class TrainingGateBackend(BaseBackend):
    _model_backend = ModelBackend()

    def authenticate(self, request, **credentials):
        return None  # never signs anyone in: axes and ModelBackend do that

    def get_user(self, user_id):
        # Client.force_login() without a backend records the first listed one (this) in the session
        return self._model_backend.get_user(user_id)

    def _gates(self, user):
        """{permission: course ids still to pass}, from one query, kept on the user for the request."""
        cache = getattr(user, "_training_gate_cache", None)
        if cache is None:
            from django.db.models import Exists, OuterRef

            from .models import Enrollment, TrainingGate

            passed = Enrollment.objects.filter(user=user, course=OuterRef("course"), completed_at__isnull=False)
            cache = {}
            rows = (TrainingGate.objects.filter(active=True).annotate(passed=Exists(passed))
                    .values_list("permission", "course_id", "passed"))
            for perm, course_id, done in rows:
                if not done:
                    cache.setdefault(perm, set()).add(course_id)
            user._training_gate_cache = cache
        return cache

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        missing = self._gates(user_obj).get(perm)
        if not missing:
            return False  # not gated here: the other backends decide
        if not self._model_backend.has_perm(user_obj, perm, obj):
            return False  # the role does not give it anyway: nothing to explain
        from .models import Course

        course = Course.objects.filter(pk__in=missing).order_by("pk").first()
        message = _("This action needs the course “%(course)s”. Pass it first, then try again.") % {
            "course": course}
        user_obj.training_gate = {"message": message, "url": reverse("training:course", args=[course.pk]),
                                  "course": str(course), "permission": perm,
                                  "link_label": _("Open the course")}
        raise PermissionDenied(message)
