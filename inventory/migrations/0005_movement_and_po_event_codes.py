"""Stock movement reasons and purchase-order events written by the system are stored as an event code and
parameters (inventory/events.py) and put into words when read. Existing rows: a text that a known event renders
to (in English or Chinese) becomes that event; anything else (what people typed) stays as text."""

from django.db import migrations, models

BATCH = 2000


def to_codes(apps, schema_editor):
    from hardware_erp.core.phrases import event_from_text
    from inventory.events import LEGACY_TEXTS, PO_FROM_SUGGESTIONS

    StockMovement = apps.get_model("inventory", "StockMovement")
    changed = []
    for m in StockMovement.objects.exclude(reason="").filter(reason_code="").only("pk", "reason").iterator(
            chunk_size=BATCH):
        found = (LEGACY_TEXTS[m.reason], {}) if m.reason in LEGACY_TEXTS else event_from_text(m.reason)
        if found is None:
            continue
        m.reason_code, m.reason_params, m.reason = found[0], found[1], ""
        changed.append(m)
        if len(changed) >= BATCH:
            StockMovement.objects.bulk_update(changed, ["reason_code", "reason_params", "reason"])
            changed = []
    StockMovement.objects.bulk_update(changed, ["reason_code", "reason_params", "reason"])

    PurchaseOrder = apps.get_model("inventory", "PurchaseOrder")
    PurchaseOrderEvent = apps.get_model("inventory", "PurchaseOrderEvent")
    for event in PurchaseOrderEvent.objects.exclude(note="").filter(code=""):
        found = event_from_text(event.note)
        if found is not None:
            event.code, event.params, event.note = found[0], found[1], ""
            event.save(update_fields=["code", "params", "note"])
    for order in PurchaseOrder.objects.exclude(note=""):
        found = event_from_text(order.note)
        if found is not None and found[0] == PO_FROM_SUGGESTIONS:  # not a note the purchaser typed
            PurchaseOrder.objects.filter(pk=order.pk).update(note="")


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0004_po_expected_delivery_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="stockmovement", name="reason_code",
            field=models.CharField(blank=True, max_length=40, verbose_name="reason code")),
        migrations.AddField(
            model_name="stockmovement", name="reason_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="reason details")),
        migrations.AddField(
            model_name="purchaseorderevent", name="code",
            field=models.CharField(blank=True, max_length=40, verbose_name="event")),
        migrations.AddField(
            model_name="purchaseorderevent", name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="details")),
        migrations.RunPython(to_codes, migrations.RunPython.noop, elidable=True),
    ]
