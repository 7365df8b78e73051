"""Notifications are stored as a phrase (code and parameters) and rendered when read; the text of existing rows is
parsed back into a phrase where a message of the catalogue matches it (in English or Chinese), else kept as text."""

from django.db import migrations, models


def to_phrases(apps, schema_editor):
    from hardware_erp.core.phrases import parse_text

    Notification = apps.get_model("core", "Notification")
    batch = []
    for n in Notification.objects.filter(phrase__isnull=True).exclude(legacy_text="").iterator(chunk_size=2000):
        phrase = parse_text(n.legacy_text)
        if phrase is not None:
            n.phrase, n.legacy_text = phrase, ""
            batch.append(n)
        if len(batch) >= 1000:
            Notification.objects.bulk_update(batch, ["phrase", "legacy_text"])
            batch = []
    Notification.objects.bulk_update(batch, ["phrase", "legacy_text"])


def to_text(apps, schema_editor):
    from django.utils import translation

    from hardware_erp.core.phrases import render_phrase

    Notification = apps.get_model("core", "Notification")
    with translation.override("zh-hans"):
        for n in Notification.objects.filter(phrase__isnull=False).iterator():
            n.legacy_text, n.phrase = render_phrase(n.phrase), None
            n.save(update_fields=["legacy_text", "phrase"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_form_submission_outbox"),
    ]

    operations = [
        migrations.RenameField("notification", "message", "legacy_text"),
        migrations.AlterField("notification", "legacy_text", models.TextField(blank=True, verbose_name="text")),
        migrations.AddField("notification", "phrase",
                            models.JSONField(blank=True, null=True, verbose_name="message")),
        migrations.RunPython(to_phrases, to_text, elidable=True),
    ]
