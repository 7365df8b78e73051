"""Phones saved before numbers were checked, rewritten as a save writes them today (hardware_erp.core.phones)."""

from django.db import migrations

from hardware_erp.core.phones import normalize_phones_operation


class Migration(migrations.Migration):
    dependencies = [('crm', '0012_invoice_phone_index')]
    operations = [normalize_phones_operation("crm")]
