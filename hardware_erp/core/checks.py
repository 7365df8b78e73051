"""System checks of the kernel's security settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_check(app_configs=None, **kwargs):
    """Managers, IT and superusers must have a second factor in production unless it was turned off on purpose."""
    if getattr(settings, "OTP_ENFORCE", False):
        return []
    return [Warning("Two-factor sign-in is not required (OTP_ENFORCE is off): a stolen password of a manager, "
                    "IT or a superuser is enough to sign in.",
                    hint="Set OTP_ENFORCE=true (the default with DEBUG off), see docs/deployment.md.",
                    id="hwerp.W001")]
