"""Re-encrypt every EncryptedTextField value of every model with the first key of FIELD_ENCRYPTION_KEYS.

    FIELD_ENCRYPTION_KEYS=<new>,<old> manage.py rotate_keys [--batch-size 500] [--dry-run]

Reads the stored tokens directly (never decrypting into model instances), re-encrypts them in batches,
one transaction per batch, and writes only rows whose token changes. Afterwards the old key can be
removed from the list. Values written before a field was encrypted are encrypted now. A value that
no configured key can read stops the command with its table and id (nothing of that batch is written).
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from governance.models import SecurityEvent
from governance.services import log_event
from hardware_erp.core import fields


def encrypted_columns():
    """[(model, field)] for every concrete EncryptedTextField in the project, history tables included."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, fields.EncryptedTextField):
                out.append((model, field))
    return out


def rotate_column(model, field, *, batch_size=500, dry_run=False) -> int:
    qn = connection.ops.quote_name
    table, pk, col = qn(model._meta.db_table), qn(model._meta.pk.column), qn(field.column)
    last, changed = None, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"WHERE {col} IS NOT NULL AND {col} <> ''" + (f" AND {pk} > %s" if last is not None else "")
            cursor.execute(f"SELECT {pk}, {col} FROM {table} {where} ORDER BY {pk} LIMIT %s",  # noqa: S608  # nosec B608 (quoted table/column names from the models, values bound)
                           ([last] if last is not None else []) + [batch_size])
            rows = cursor.fetchall()
            if not rows:
                return changed
            updates = []
            for row_pk, token in rows:
                try:
                    new = fields.rotate(token)
                except fields.DecryptionError:
                    raise CommandError(f"{model._meta.db_table}.{field.column} id {row_pk}: no configured key "
                                       "reads this value; add the key it was written with to FIELD_ENCRYPTION_KEYS")
                if new != token:
                    updates.append((new, row_pk))
            if updates and not dry_run:
                cursor.executemany(f"UPDATE {table} SET {col} = %s WHERE {pk} = %s", updates)  # noqa: S608  # nosec B608 (quoted table/column names from the models, values bound)
            changed += len(updates)
            last = rows[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="read and check every value, write nothing")

    def handle(self, *args, batch_size, dry_run, **options):
        total = 0
        for model, field in encrypted_columns():
            n = rotate_column(model, field, batch_size=batch_size, dry_run=dry_run)
            total += n
            verb = "checked" if dry_run else "re-encrypted"
            self.stdout.write(f"{model._meta.label}.{field.name}: {n} values {verb}")
        if not dry_run:
            log_event(SecurityEvent.Kind.KEYS_ROTATED, values=total)
        self.stdout.write(self.style.SUCCESS(f"{total} values {'checked' if dry_run else 're-encrypted'}."))
