"""The customer pickers' walk in name order without the table (PostgreSQL only).

`crm.selectors.customer_picks` reads a broad term's matches by walking the customers in (name, id) order and testing
each name until 20 match. On `crm_customer_active_name` every walked row was fetched from the table for its city
(and, for a sales rep, its owner): at a million customers a term whose few hundred matches lie far apart walked
70,000 rows, 50-300 ms. This index holds what the walk reads (name, id, city, owner), so the walk is index-only
where the visibility map is set (autovacuum keeps it so); 71 MB at a million customers against 69 MB for the
(name, id) index, one more B-tree entry written per new customer and per change of name, city or owner (columns
that other indexes hold already, so no update that was HOT stops being so).

`crm_customer_readings_sample`: extended statistics on the readings (as the expression `name_readings || ''`, which
no query writes, so the planner keeps the column's own statistics of 100 values) at a target of 1,000:
`crm.grams.few_containing` estimates from them how many readings contain a pinyin key; with 100 sampled values a key
in 0.05 % of the names and one in 1 % looked the same. (A target of 1,000 on the column itself made the planner test
its 2,000 values against every LIKE and regex of a query: +7 ms to plan a mobile number's search.) ANALYZE of the
customers samples 300,000 rows instead of 30,000 (about 3 s more at a million customers).
"""

from django.db import migrations

INDEX = ("CREATE INDEX IF NOT EXISTS crm_customer_active_name_cover ON crm_customer (name, id) "
         "INCLUDE (city, owner_id) WHERE merged_into_id IS NULL")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(INDEX)
    schema_editor.execute("CREATE STATISTICS IF NOT EXISTS crm_customer_readings_sample ON (name_readings || '') "
                          "FROM crm_customer")
    schema_editor.execute("ALTER STATISTICS crm_customer_readings_sample SET STATISTICS 1000")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS crm_customer_readings_sample")
    schema_editor.execute("DROP INDEX IF EXISTS crm_customer_active_name_cover")


class Migration(migrations.Migration):
    dependencies = [("crm", "0016_customer_list_credit_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
