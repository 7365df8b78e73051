"""Finding 6 of the outside audit: behind nginx every client was 127.0.0.1, so anyone could lock anyone out and the
security log recorded the proxy. The client address now comes from TRUSTED_PROXY_COUNT proxies
(hardware_erp/core/network.py), for the lock-out (django-axes) and the security log alike."""

import pytest
from django.urls import reverse

from governance.models import SecurityEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WRONG = {"username": "li", "password": "wrong-password-1"}
RIGHT = {"username": "li", "password": "correct-horse-battery"}


@pytest.fixture
def li():
    return UserFactory.with_role("sales_rep", username="li")


def _fail(client, times, **extra):
    for _i in range(times):
        client.post(reverse("login"), WRONG, REMOTE_ADDR="127.0.0.1", **extra)


def test_behind_one_proxy_a_lockout_is_per_client(client, li, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(client, settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="198.51.100.7")  # the attacker
    locked = client.post(reverse("login"), RIGHT, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code in (403, 429) or "locked" in locked.content.decode().lower()
    # li, from her own address through the same nginx, signs in
    ok = client.post(reverse("login"), RIGHT, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert ok.status_code == 302
    failed = SecurityEvent.objects.filter(kind="login_failed").first()
    assert failed.ip_address == "198.51.100.7"
    assert SecurityEvent.objects.get(kind="login").ip_address == "203.0.113.20"


def test_a_forged_hop_before_the_proxy_is_not_believed(client, li, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(reverse("login"), WRONG, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7")
    assert SecurityEvent.objects.get(kind="login_failed").ip_address == "198.51.100.7"


def test_without_a_proxy_the_header_is_ignored(client, li, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    _fail(client, settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert SecurityEvent.objects.filter(kind="login_failed").first().ip_address == "127.0.0.1"
    # a different X-Forwarded-For does not get round the lock-out of this address
    locked = client.post(reverse("login"), RIGHT, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert locked.status_code != 302
