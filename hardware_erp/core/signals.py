"""Kernel signals: every user has an employee profile; sign-in remembers the user's language;
`data_exported` is sent by list exports so the security log can record them; `business_event` is sent by
services when something happens that integrations subscribe to."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import Employee

data_exported = Signal()  # sender=view class, request=..., model=..., rows=..., format=...
# A business event other parts may react to (webhooks, group robots), sent by services inside their transaction:
# business_event.send(sender="orders", event="order.approved", instance=order). Receivers queue their work after
# commit, so a rolled-back change sends nothing.
business_event = Signal()


@receiver(post_save, sender=get_user_model())
def ensure_employee(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        Employee.objects.get_or_create(user=instance)


@receiver(user_logged_in)
def remember_language(sender, request, user, **kwargs):
    lang = getattr(request, "LANGUAGE_CODE", "")
    if lang and hasattr(user, "employee") and user.employee.language != lang:
        Employee.objects.filter(user=user).update(language=lang)
