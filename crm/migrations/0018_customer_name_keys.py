"""`Customer.name_keys` (`crm.pinyin.keys_text`: the readings' initials, and a name's own letters' full pinyin), and
the pickers' walk index with it (PostgreSQL only).

`crm.selectors.customer_picks` reads a pinyin key with many matches by walking the customers in (name, id) order
until 20 match. The test was on `name_readings`, which is not in `crm_customer_active_name_cover` (200 characters
a name on average: 269 MB in the index at a million customers), so the walk fetched every row it passed from the
table: at a million customers "jhj" (9,961 matches) took 20 ms, keys near the few-or-many line up to 2.5 s. A key
that no run of pinyin syllables holds (`crm.pinyin.in_syllables`: hdwj, jhj, 0571) is in the readings exactly when
it is in `name_keys` (20 characters on average), so the index now holds these too and the walk is index-only:
"jhj" 0.3 ms. 98 MB at a million customers against 94 MB.

The fill computes the keys in Python (pypinyin), 2,000 customers a statement.
"""

from django.db import migrations, models

INDEX = ("CREATE INDEX crm_customer_active_name_cover ON crm_customer (name, id) "
         "INCLUDE (city, owner_id, name_keys) WHERE merged_into_id IS NULL")
OLD_INDEX = ("CREATE INDEX crm_customer_active_name_cover ON crm_customer (name, id) "
             "INCLUDE (city, owner_id) WHERE merged_into_id IS NULL")


class AddTextField(migrations.AddField):
    """AddField, on SQLite as one ALTER TABLE ADD COLUMN (with the default '' kept in the column): Django's SQLite
    backend builds the table again for a NOT NULL column, with every index of the model state, and SQLite cannot
    build migration 0014's NULLS LAST ones."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        qn = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {qn(model._meta.db_table)} ADD COLUMN {qn(self.name)} text NOT NULL "
                              "DEFAULT ''")


def fill(apps, schema_editor):
    from crm.pinyin import keys_text

    Customer = apps.get_model("crm", "Customer")
    batch = []
    for pk, name in Customer.objects.order_by("pk").values_list("pk", "name").iterator(chunk_size=2000):
        batch.append(Customer(pk=pk, name_keys=keys_text(name)))
        if len(batch) == 2000:
            Customer.objects.bulk_update(batch, ["name_keys"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["name_keys"])


def cover(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS crm_customer_active_name_cover")
    schema_editor.execute(INDEX)


def uncover(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS crm_customer_active_name_cover")
    schema_editor.execute(OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [("crm", "0017_customer_name_cover")]

    operations = [
        AddTextField(model_name="customer", name="name_keys",
                     field=models.TextField(blank=True, default="", editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(cover, uncover, elidable=False),
    ]
