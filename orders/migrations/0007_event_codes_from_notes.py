"""Order and quotation timeline entries that were stored as sentences (payments, shipments, quotations, invoices,
status links) become their event code and parameters (orders/events.py), put into words when read. A note that no
event renders to (what a person typed) stays as it is."""

from django.db import migrations

BATCH = 2000


def to_codes(apps, schema_editor):
    from hardware_erp.core.phrases import describe, parse_text
    from orders.events import TEXTS

    by_msgid = {describe(text)["msgid"]: code for code, text in TEXTS.items()}
    OrderEvent = apps.get_model("orders", "OrderEvent")
    changed = []
    for event in OrderEvent.objects.filter(code="").exclude(note="").only("pk", "note").iterator(chunk_size=BATCH):
        phrase = parse_text(event.note)
        code = by_msgid.get(phrase["msgid"]) if phrase else None
        if code is None:
            continue
        params = phrase.get("params", {})
        if "a" in params:  # a payment's amount, printed as "813.60" (or "¥813.60")
            params["a"] = str(params["a"]).replace("¥", "").replace(",", "").strip()
        event.code, event.params, event.note = code, params, ""
        changed.append(event)
        if len(changed) >= BATCH:
            OrderEvent.objects.bulk_update(changed, ["code", "params", "note"])
            changed = []
    OrderEvent.objects.bulk_update(changed, ["code", "params", "note"])


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0006_merge_20261206_2152"),
    ]

    operations = [
        migrations.RunPython(to_codes, migrations.RunPython.noop, elidable=True),
    ]
