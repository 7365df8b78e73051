from django.conf import settings

from .nav import modules_for


def shell(request):
    """What base.html needs on every page: the sidebar and the unread notification count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_modules": [], "unread_count": 0, "site_url": settings.SITE_URL}
    path = request.path
    modules = modules_for(user)
    for m in modules:
        m["active"] = path.startswith(m["url"])
    return {
        "nav_modules": modules,
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
        "site_url": settings.SITE_URL,
    }
