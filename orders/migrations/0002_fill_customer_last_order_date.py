"""Fill the CRM's denormalised last order date of every customer from the existing orders."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

SOLD = ("approved", "picking", "part_shipped", "shipped", "delivered", "part_paid", "paid", "closed")


def fill(apps, schema_editor):
    Customer = apps.get_model("crm", "Customer")
    SalesOrder = apps.get_model("orders", "SalesOrder")
    newest = (SalesOrder.objects.filter(kind="order", customer_id=OuterRef("pk"), status__in=SOLD)
              .order_by("-order_date").values("order_date")[:1])
    Customer.objects.update(last_order_date=Subquery(newest))


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0001_initial"),
        ("crm", "0003_customer_last_order_date"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
