"""403 and 404 answers were recorded as server errors: reclassify the rows already recorded."""

from django.db import migrations
from django.db.models import Q


def reclassify(apps, schema_editor):
    RequestRecord = apps.get_model("support", "RequestRecord")
    RequestRecord.objects.filter(kind="error").filter(
        Q(detail__startswith="PermissionDenied") | Q(detail__startswith="Http404")).delete()


class Migration(migrations.Migration):

    dependencies = [("support", "0005_labels")]

    operations = [migrations.RunPython(reclassify, migrations.RunPython.noop)]
