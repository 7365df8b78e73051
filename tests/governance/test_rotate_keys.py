import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from governance.management.commands.rotate_keys import encrypted_columns
from governance.models import ChangeRequest, SecurityEvent
from hardware_erp.core.fields import DecryptionError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def raw(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes_data FROM governance_changerequest WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def make_requests(n):
    from django.contrib.contenttypes.models import ContentType

    user = UserFactory()
    ct = ContentType.objects.get_for_model(type(user))
    return [ChangeRequest.objects.create(
        content_type=ct, object_id=user.pk, object_repr="x", field_names="bank_account",
        changes_data=json.dumps({"bank_account": {"old": f"62220000{i:04d}", "new": f"62229999{i:04d}"}}),
        base_fingerprint="f", requester=user) for i in range(n)]


def test_every_encrypted_column_is_found():
    found = {(m._meta.label_lower, f.name) for m, f in encrypted_columns()}
    assert ("governance.changerequest", "changes_data") in found


def test_rotate_keys_reencrypts_in_batches_and_old_key_can_go():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        crs = make_requests(7)
        before = {cr.pk: raw(cr.pk) for cr in crs}
    with connection.cursor() as cursor:  # a value stored before the field was encrypted
        cursor.execute("UPDATE governance_changerequest SET changes_data = %s WHERE id = %s", ['{"a": 1}', crs[0].pk])
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        call_command("rotate_keys", batch_size=3, stdout=open("/dev/null", "w"))
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        for cr in crs[1:]:
            token = raw(cr.pk)
            assert token != before[cr.pk] and token.startswith("enc1:") and "6222" not in token
            assert ChangeRequest.objects.get(pk=cr.pk).changes["bank_account"]["new"].startswith("62229999")
        assert raw(crs[0].pk).startswith("enc1:")
        assert ChangeRequest.objects.get(pk=crs[0].pk).changes == {"a": 1}
    assert SecurityEvent.objects.filter(kind="keys_rotated").exists()


def test_wrong_key_is_refused_with_the_row_named_and_nothing_written():
    old, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        (cr,) = make_requests(1)
        token = raw(cr.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=[other]):
        with pytest.raises(CommandError, match=f"id {cr.pk}"):
            call_command("rotate_keys", stdout=open("/dev/null", "w"))
        with pytest.raises(DecryptionError):
            ChangeRequest.objects.get(pk=cr.pk)
    assert raw(cr.pk) == token
