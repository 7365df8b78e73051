"""KEY_FIELDS names only real fields: a system check refuses anything else."""

from django.core import checks

from governance import keydata


def test_key_fields_table_names_only_real_fields():
    assert keydata.check_key_fields() == []
    from crm.models import Customer

    assert set(keydata.key_fields_for(Customer)) == set(keydata.KEY_FIELDS["crm.customer"])


def test_check_fails_on_unknown_model_and_field(monkeypatch):
    monkeypatch.setattr(keydata, "KEY_FIELDS", {
        "crm.customer": ("name", "name_zh", "shared_with"),
        "crm.nothere": ("x",),
    })
    errors = keydata.check_key_fields()
    assert {e.id for e in errors} == {"governance.E001", "governance.E002", "governance.E003", "governance.E004"}
    assert all(e.level == checks.ERROR for e in errors)
    assert any("name_zh" in e.msg for e in errors)


def test_check_is_registered():
    assert keydata.check_key_fields in checks.registry.registry.get_checks()
