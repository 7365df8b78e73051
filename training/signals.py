"""Onboarding starts by itself: when a user gets a role (a group), the role's plan is assigned."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from hardware_erp.core.roles import ROLES

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through)
def assign_onboarding_on_role(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    from .services import assign_plans_for_roles

    if reverse:  # group.user_set.add(users...)
        names = [instance.name]
        users = list(User.objects.filter(pk__in=pk_set))
    else:
        names = list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        users = [instance]
    keys = [k for k, r in ROLES.items() if r.group in names]
    if not keys:
        return
    with transaction.atomic():
        for user in users:
            assign_plans_for_roles(user, keys)
