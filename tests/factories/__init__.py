"""factory-boy factories. Each app adds its own module here (tests/factories/crm.py, ...)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from hardware_erp.core.models import Department
from hardware_erp.core.roles import ROLES


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name_zh = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")


    @classmethod
    def with_role(cls, role=None, **kwargs):
        """A user holding `role` (a key of hardware_erp.core.roles.ROLES)."""
        user = cls(**kwargs)
        user.save()  # keep the password set by the post-generation hook
        if role:
            group = Group.objects.filter(name=ROLES[role].group).first()
            if group is None:  # a transactional test before this one flushed the roles
                from hardware_erp.core.management.commands.sync_roles import sync_roles

                sync_roles()
                group = Group.objects.get(name=ROLES[role].group)
            user.groups.add(group)
        return user
