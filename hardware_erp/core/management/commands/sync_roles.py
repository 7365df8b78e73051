from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

from hardware_erp.core.roles import ROLES, role_permissions


def sync_roles(stdout=None) -> dict[str, int]:
    """Create or update each role's group with exactly the permissions defined in code. Idempotent."""
    wanted = role_permissions()
    all_codes = set().union(*wanted.values())
    by_code = {}
    for p in Permission.objects.select_related("content_type").filter(
            codename__in={c.split(".", 1)[1] for c in all_codes}):
        by_code[f"{p.content_type.app_label}.{p.codename}"] = p
    missing = sorted(all_codes - by_code.keys())
    if missing:
        raise CommandError(f"permissions named in roles but not defined (migrate first?): {', '.join(missing)}")
    counts = {}
    for key, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role.group)
        group.permissions.set([by_code[c] for c in wanted[key]])
        counts[role.group] = len(wanted[key])
    return counts


class Command(BaseCommand):
    help = "Create or update the role groups and their permissions as defined in code."

    def handle(self, *args, **options):
        for name, n in sync_roles().items():
            self.stdout.write(f"{name}: {n} permissions")
