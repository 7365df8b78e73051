import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from hardware_erp.core import fields


def test_encrypt_round_trip_and_no_plaintext():
    token = fields.encrypt("13812345678")
    assert token.startswith(fields.PREFIX) and "13812345678" not in token
    assert fields.decrypt(token) == "13812345678"


def test_key_rotation_old_values_still_read_and_rotate_to_new_key():
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        token = fields.encrypt("6222 0000 1111 2222")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        assert fields.decrypt(token) == "6222 0000 1111 2222"
        rotated = fields.rotate(token)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert fields.decrypt(rotated) == "6222 0000 1111 2222"
        with pytest.raises(fields.DecryptionError):
            fields.decrypt(token)


def test_blind_index_is_keyed_and_normalised():
    a = fields.blind_index("138 1234 5678", normalize=fields.digits_only)
    assert a == fields.blind_index("13812345678", normalize=fields.digits_only)
    with override_settings(BLIND_INDEX_KEY="other"):
        assert fields.blind_index("13812345678", normalize=fields.digits_only) != a
    assert fields.blind_index("") == ""


def test_masks():
    assert fields.mask_phone("+8613812345678") == "138****5678"
    assert fields.mask_tail("6222000011112222") == "************2222"


@pytest.mark.django_db
def test_input_that_looks_like_a_token_is_encrypted_and_reads_back_as_typed():
    """Input beginning with the token prefix used to be stored as plaintext and then fail on read (500)."""
    from django.db import connection

    from tests.factories.crm import CustomerFactory

    typed = "enc1:6222 0000 1111 2222"
    customer = CustomerFactory(bank_account=typed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM crm_customer WHERE id = %s", [customer.pk])
        stored = cursor.fetchone()[0]
    assert stored != typed and "6222" not in stored and fields.is_token(stored)
    assert type(customer).objects.get(pk=customer.pk).bank_account == typed
    # a real token typed in (copied from somewhere) is encrypted once more and reads back as typed too
    token = fields.encrypt("secret")
    customer.bank_account = token
    customer.save()
    assert type(customer).objects.get(pk=customer.pk).bank_account == token


def test_legacy_plaintext_with_the_prefix_reads_as_stored_and_rotates_into_a_token():
    assert fields.decrypt("enc1:not a token") == "enc1:not a token"
    rotated = fields.rotate("enc1:not a token")
    assert fields.is_token(rotated) and fields.decrypt(rotated) == "enc1:not a token"
