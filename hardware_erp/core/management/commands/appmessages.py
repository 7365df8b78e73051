"""Extract one app's translatable strings into its own catalogue.

    manage.py appmessages crm        -> crm/locale/zh_Hans/LC_MESSAGES/django.po
    manage.py appmessages core       -> locale/zh_Hans/... (the kernel and shared templates)

An app's catalogue holds the strings of `<app>/` and `templates/<app>/`; the kernel's holds
`hardware_erp/` and every other folder of `templates/`. Separate catalogues let each app's
translations change without touching the others'. Compiles the .mo afterwards.
"""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import makemessages

from hardware_erp.core.roles import MODULE_KEYS

# apps with their own catalogue: the modules, and the API app (no module of its own: tokens and webhooks)
CATALOGUE_APPS = (*MODULE_KEYS, "api")


class Command(makemessages.Command):
    help = "Extract and compile the zh_Hans catalogue of one app (or 'core')."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("app", help=f"core or one of: {', '.join(CATALOGUE_APPS)}")

    def handle(self, *args, **options):
        app = options.pop("app")
        base = Path(settings.BASE_DIR)
        if app == "core":
            self.keep = [base / "hardware_erp"] + [p for p in (base / "templates").iterdir()
                                                   if p.name not in CATALOGUE_APPS]
            self.target = base / "locale"
        elif app in CATALOGUE_APPS:
            self.keep = [base / app, base / "templates" / app]
            self.target = base / app / "locale"
        else:
            raise CommandError(f"unknown app {app!r}")
        self.target.mkdir(exist_ok=True)
        ignore = list(options.get("ignore_patterns") or []) + [".venv/*", "var/*", "node_modules/*"]
        options.update(locale=["zh_Hans"], domain="django", no_obsolete=True, add_location="file", no_wrap=True,
                       ignore_patterns=ignore)
        super().handle(*args, **options)
        po = self.target / "zh_Hans" / "LC_MESSAGES" / "django.po"
        subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
        self.stdout.write(f"{po} compiled")

    def find_files(self, root):
        files = super().find_files(root)
        kept = []
        for f in files:
            path = Path(f.dirpath).resolve() / f.file
            if any(path.is_relative_to(k.resolve()) for k in self.keep):
                f.locale_dir = str(self.target)
                kept.append(f)
        return kept
