"""Before payment references become unique per customer and method: a repeated reference keeps the first
payment's and the later ones get a suffix (" #2", " #3"), so nothing is lost and the constraint can be added."""

from django.db import migrations
from django.db.models import Count


def suffix_repeated_references(apps, schema_editor):
    Payment = apps.get_model("orders", "Payment")
    repeated = (Payment.objects.exclude(reference="").values("customer_id", "method", "reference")
                .annotate(n=Count("pk")).filter(n__gt=1))
    for key in repeated:
        rows = Payment.objects.filter(customer_id=key["customer_id"], method=key["method"],
                                      reference=key["reference"]).order_by("pk")
        for i, payment in enumerate(rows[1:], start=2):
            payment.reference = f"{key['reference'][:74]} #{i}"
            payment.save(update_fields=["reference"])


class Migration(migrations.Migration):

    dependencies = [("orders", "0003_unpaid_due_index")]

    operations = [migrations.RunPython(suffix_repeated_references, migrations.RunPython.noop, elidable=True)]
