"""Phones saved before numbers were checked, rewritten as a save writes them today (hardware_erp.core.phones)."""

from django.db import migrations

from hardware_erp.core.phones import normalize_phones_operation


class Migration(migrations.Migration):
    dependencies = [('core', '0009_company_profile_phone_checked')]
    operations = [normalize_phones_operation("core")]
