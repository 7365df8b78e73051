"""Trigram (pg_trgm) GIN indexes for the customer search box; PostgreSQL only.

On SQLite this migration does nothing: search still works there with plain LIKE scans.
The expressions match what Django emits: `UPPER(name::text) LIKE UPPER(%s)` for icontains,
`name_pinyin::text LIKE %s` for contains.
"""

from django.db import migrations

INDEXES = [
    ("crm_customer_name_trgm", "crm_customer", "UPPER(name) gin_trgm_ops"),
    ("crm_customer_pinyin_trgm", "crm_customer", "name_pinyin gin_trgm_ops"),
    ("crm_customer_initials_trgm", "crm_customer", "name_initials gin_trgm_ops"),
    ("crm_contact_name_trgm", "crm_contact", "UPPER(name) gin_trgm_ops"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expr in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expr})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expr in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
