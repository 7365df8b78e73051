from django.core.management.base import BaseCommand

from performance.catalogue import sync_catalogue


class Command(BaseCommand):
    help = "Create or refresh the built-in KPIs (targets and weights changed by managers are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="also reset targets, bands and weights")

    def handle(self, *args, reset, **options):
        n = sync_catalogue(reset=reset)
        self.stdout.write(self.style.SUCCESS(f"Built-in KPIs synchronised ({n} created)."))
