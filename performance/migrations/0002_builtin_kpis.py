from decimal import Decimal

from django.db import migrations

TIERS = [("卓越", "Outstanding", "95", "2000.00", 100), ("优秀", "Excellent", "85", "1200.00", 60),
         ("良好", "Good", "75", "600.00", 30), ("合格", "Satisfactory", "60", "0.00", 10)]


def seed(apps, schema_editor):
    from performance.catalogue import sync_catalogue

    sync_catalogue(kpi_model=apps.get_model("performance", "KPI"),
                   weight_model=apps.get_model("performance", "KPIWeight"))
    BonusTier = apps.get_model("performance", "BonusTier")
    for zh, en, score, bonus, points in TIERS:
        BonusTier.objects.get_or_create(min_score=Decimal(score), defaults={
            "name_zh": zh, "name_en": en, "bonus": Decimal(bonus), "points": points})


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
