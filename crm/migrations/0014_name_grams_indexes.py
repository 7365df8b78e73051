"""Short Chinese searches on an index (PostgreSQL only; SQLite keeps its LIKE scans).

pg_trgm cannot serve a search of one or two characters (有限, 五金, 张): no trigram can be taken from it, so
`UPPER(name) LIKE '%五金%'` read every customer. `crm_grams(text)` gives every piece of one and two characters of a
text (宏达五金 -> {宏, 达, 五, 金, 宏达, 达五, 五金}); a GIN index on it for customers' and contacts' names answers
`crm_grams(name) @> ARRAY['五金']` from the index (see `crm.grams`). The index is kept by PostgreSQL itself: nothing
to fill on save, nothing for bulk loaders to compute.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION crm_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, n)), '{}')
    FROM generate_series(1, char_length(value)) AS i, generate_series(1, 2) AS n
    WHERE i + n - 1 <= char_length(value)
$$"""
INDEXES = [
    ("crm_customer_name_grams", "crm_customer"),
    ("crm_contact_name_grams", "crm_contact"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, table in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (crm_grams(name))")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS crm_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("crm", "0013_normalize_stored_phones")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
