"""Recompute the stored search keys of every customer: the pinyin of the name (every reading of polyphonic
characters), the normalised phone and the bank account's blind index. Run it after a change to how the keys are
made (crm/pinyin.py, hardware_erp/core/phones.py); it changes nothing else and is safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from crm.models import Customer

FIELDS = ["name_pinyin", "name_initials", "name_readings", "name_keys", "phone_norm", "bank_account_bidx"]


class Command(BaseCommand):
    help = "Recompute customers' stored search keys (pinyin readings, phone, bank account index)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        done = changed = 0
        pks = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch):
            with transaction.atomic():
                rows = list(Customer.objects.filter(pk__in=pks[start:start + batch]).order_by("pk"))
                before = [[getattr(c, f) for f in FIELDS] for c in rows]
                for c in rows:
                    c.refresh_search_fields()
                stale = [c for c, old in zip(rows, before, strict=True) if [getattr(c, f) for f in FIELDS] != old]
                Customer.objects.bulk_update(stale, FIELDS)
            done += len(rows)
            changed += len(stale)
        self.stdout.write(f"{done} customers read, {changed} updated.")
