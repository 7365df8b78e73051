from django.db import migrations


def add_new_role_weights(apps, schema_editor):
    """The warehouse manager role came after the built-in KPIs: give it its built-in weights."""
    from performance.catalogue import sync_catalogue

    sync_catalogue(kpi_model=apps.get_model("performance", "KPI"),
                   weight_model=apps.get_model("performance", "KPIWeight"))


class Migration(migrations.Migration):
    dependencies = [("performance", "0002_builtin_kpis")]
    operations = [migrations.RunPython(add_new_role_weights, migrations.RunPython.noop)]
