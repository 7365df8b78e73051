"""Every reading of polyphonic characters in customers' names (朝阳: zhaoyang and chaoyang), see crm/pinyin.py:
the column, its trigram index (PostgreSQL; `contains` and regular expressions use it), and the keys of existing
customers (`manage.py rebuild_search_keys` does the same later, with the phone keys too)."""

from django.db import migrations, models

BATCH = 1000


def fill(apps, schema_editor):
    from crm.pinyin import pinyin_full, pinyin_initials, readings_text

    Customer = apps.get_model("crm", "Customer")
    rows = Customer.objects.order_by("pk").only("pk", "name")
    batch = []
    for c in rows.iterator(chunk_size=BATCH):
        c.name_pinyin, c.name_initials = pinyin_full(c.name)[:400], pinyin_initials(c.name)[:200]
        c.name_readings = readings_text(c.name)
        batch.append(c)
        if len(batch) >= BATCH:
            Customer.objects.bulk_update(batch, ["name_pinyin", "name_initials", "name_readings"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["name_pinyin", "name_initials", "name_readings"])


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS crm_customer_readings_trgm ON crm_customer "
                              "USING gin (name_readings gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS crm_customer_readings_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0009_credit_code_and_tax_number_fields'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='name_readings',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(index, drop_index, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
