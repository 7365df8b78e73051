from django.db import migrations


def add_new_role_weights(apps, schema_editor):
    """The warehouse manager role came after the built-in KPIs: give it its built-in weights."""
    from performance.catalogue import sync_catalogue

    sync_catalogue(kpi_model=apps.get_model("performance", "KPI"),
                   weight_model=apps.get_model("performance", "KPIWeight"))


def initial_history(apps, schema_editor):
    """The KPIs and bonus tiers made by 0002 have no initial history row (migrations write none): their first
    edit would show as a change with no fields."""
    from hardware_erp.core.seeding import backfill_initial_history

    for name in ("KPI", "BonusTier"):
        backfill_initial_history(apps.get_model("performance", name), apps.get_model("performance", f"Historical{name}"))


class Migration(migrations.Migration):
    dependencies = [("performance", "0002_builtin_kpis")]
    operations = [migrations.RunPython(add_new_role_weights, migrations.RunPython.noop),
                  migrations.RunPython(initial_history, migrations.RunPython.noop)]
