"""Who may call an endpoint: the token's scope, the module of the user's role, and the same model and action
permissions as the pages. Which rows they see is each view's `get_queryset` (the models' `for_user`)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class ModulePermission(BasePermission):
    """A view sets `module` ("crm") and `perms` ({action: permission or tuple of permissions}). An action the
    view does not list is refused."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if getattr(view, "action", "") is None and hasattr(view, "action_map"):
            return True  # a method the endpoint does not have: 405 follows, and tells nothing
        module = getattr(view, "module", None)
        if module is None:  # the schema and the docs: any signed-in caller
            return True
        write = request.method not in SAFE_METHODS
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and not token.allows(module, write):
            raise exceptions.PermissionDenied(
                _("This token is not allowed to %(what)s %(module)s.") % {
                    "what": _("write to") if write else pgettext_lazy("api", "read"), "module": module},
                code="scope")
        opens = (module, getattr(view, "also_open_to", None))
        if not any(m and user.has_perm(f"core.access_{m}") for m in opens):
            return False
        needed = view.perms.get(getattr(view, "action", None) or request.method.lower())
        if needed is None:
            return False
        needed = (needed,) if isinstance(needed, str) else needed
        if all(user.has_perm(p) for p in needed):
            return True
        gate = getattr(user, "training_gate", None)  # training's backend: a course to pass first
        if gate and gate.get("permission") in needed:
            raise exceptions.PermissionDenied(gate["message"], code="training_gate")
        return False
