from django.core.management.base import BaseCommand, CommandError

from inventory.selectors import ledger_differences


class Command(BaseCommand):
    help = "Recompute every stock level from the movement ledger and report any difference."

    def handle(self, *args, **options):
        diffs = ledger_differences()
        for pid, lid, level, ledger in diffs:
            self.stdout.write(f"product {pid} location {lid}: level {level} ledger {ledger}")
        if diffs:
            raise CommandError(f"{len(diffs)} stock level(s) differ from the ledger")
        self.stdout.write(self.style.SUCCESS("All stock levels match the ledger."))
