"""A pairs index on the readings (PostgreSQL only): a key of two letters (ab, an) in `name_readings`.

The readings' trigram index cannot answer a key shorter than three letters, so the pickers read every customer for
one with few matches: "ab" (1,292 names at a million customers, in 安保 and in dabai) took 400 ms. `crm_pairs(text)`
lists every run of two characters of a text (repeated ones too: GIN keeps each once), so it holds the key exactly
when the readings contain it, and a GIN index on it answers `crm_pairs(name_readings) @> ARRAY['ab']` from the index
(`crm.selectors.customer_picks`). Without 0014's `crm_grams`' DISTINCT and its pieces of one, it costs a quarter of
the time a row (0.25 ms for the readings' 200 characters): about four minutes to build at a million customers.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION crm_pairs(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(substr(value, i, 2)), '{}') FROM generate_series(1, char_length(value) - 1) AS i
$$"""
INDEX = "crm_customer_readings_pairs"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON crm_customer USING gin (crm_pairs(name_readings))")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute("DROP FUNCTION IF EXISTS crm_pairs(text)")


class Migration(migrations.Migration):
    dependencies = [("crm", "0019_customer_name_pieces")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
