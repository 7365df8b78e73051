from decimal import Decimal

from django.db import migrations

DEFAULTS = {"urgent": ("1", "4"), "high": ("2", "8"), "normal": ("4", "16"), "low": ("8", "40")}


def create(apps, schema_editor):
    SLAPolicy = apps.get_model("support", "SLAPolicy")
    for priority, (response, resolution) in DEFAULTS.items():
        SLAPolicy.objects.get_or_create(priority=priority, defaults={
            "response_hours": Decimal(response), "resolution_hours": Decimal(resolution), "warn_percent": 75})


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
