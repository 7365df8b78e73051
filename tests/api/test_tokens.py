"""Tokens: hashed at rest, shown once, scoped, expiring, revocable, last use recorded, logged, rate limited."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken
from governance.models import SecurityEvent
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


def bearer(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_token_is_kept_as_a_hash_and_its_creation_logged(make_user):
    rep = make_user("sales_rep")
    token, raw = services.create_token(name="网店", scopes=["crm:read"], actor=rep)
    row = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith(f"hwe_{row.prefix}_") and len(raw) > 40
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().first())  # only the hash is stored
    assert row.key_hash == services.hash_token(raw)
    event = SecurityEvent.objects.get(kind="api_token_created", user=rep)
    assert event.detail["object"] == "网店" and event.detail["target"] == rep.username
    assert bearer(raw).get("/api/v1/customers/").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None and row.last_used_ip == "127.0.0.1"


def test_scopes_limit_the_token_below_the_role(make_user):
    rep = make_user("sales_rep")
    _t, raw = services.create_token(name="BI", scopes=["crm:read"], actor=rep)
    client = bearer(raw)
    assert client.get("/api/v1/customers/").status_code == 200
    r = client.post("/api/v1/customers/", {"name": "新客户"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "scope"
    assert client.get("/api/v1/orders/").status_code == 403  # no orders scope, though the role may
    assert client.get("/api/v1/stock-levels/").status_code == 403


def test_revoked_expired_and_wrong_tokens_are_refused(make_user):
    rep = make_user("sales_rep")
    token, raw = services.create_token(name="x", scopes=["crm:read"], actor=rep)
    assert bearer(raw + "x").get("/api/v1/customers/").status_code == 401
    assert bearer("hwe_nothing_here").get("/api/v1/customers/").status_code == 401
    assert APIClient().get("/api/v1/customers/").status_code in (401, 403)
    services.revoke_token(token, actor=rep)
    r = bearer(raw).get("/api/v1/customers/")
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Bearer"
    assert SecurityEvent.objects.filter(kind="api_token_revoked", user=rep).exists()
    old, raw2 = services.create_token(name="y", scopes=["crm:read"], actor=rep,
                                      expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(raw2).get("/api/v1/customers/").status_code == 401


def test_a_deactivated_users_token_stops_working(make_user):
    rep = make_user("sales_rep")
    _t, raw = services.create_token(name="x", scopes=["crm:read"], actor=rep)
    rep.is_active = False
    rep.save()
    assert bearer(raw).get("/api/v1/customers/").status_code == 401


def test_only_it_makes_integration_tokens_for_another_account(make_user):
    rep, it = make_user("sales_rep"), make_user("it_admin")
    shop = make_user("sales_manager", username="shop-integration")
    with pytest.raises(Exception, match="Only IT"):
        services.create_token(name="x", scopes=["crm:read"], actor=rep, user=shop)
    token, raw = services.create_token(name="淘宝店", scopes=["crm:read"], actor=it, user=shop,
                                       kind=ApiToken.Kind.INTEGRATION)
    CustomerFactory(owner=rep)
    assert bearer(raw).get("/api/v1/customers/").json()["results"]  # acts as the manager: sees every customer
    assert token.user == shop and token.created_by == it


def test_rate_limit_per_token(make_user):
    rep = make_user("sales_rep")
    _t, raw = services.create_token(name="x", scopes=["crm:read"], actor=rep, rate_per_minute=3)
    _t2, other = services.create_token(name="y", scopes=["crm:read"], actor=rep, rate_per_minute=3)
    client = bearer(raw)
    codes = [client.get("/api/v1/customers/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get("/api/v1/customers/")
    assert r.json()["code"] == "throttled" and int(r["Retry-After"]) > 0
    assert bearer(other).get("/api/v1/customers/").status_code == 200  # each token counts for itself


def test_my_api_tokens_page_shows_the_secret_once_and_revokes(client_as):
    client = client_as("warehouse_clerk")
    page = client.get("/integrations/tokens/new/")
    assert page.status_code == 200
    r = client.post("/integrations/tokens/new/", {"name": "扫码枪", "scopes": ["inventory:read", "inventory:write"],
                                                  "rate_per_minute": 60, "_once": "abc"})
    assert r.status_code == 302, r.content.decode()[:2000]
    token = ApiToken.objects.get(user=client.user)
    shown = client.get("/integrations/tokens/").content.decode()
    assert f"hwe_{token.prefix}_" in shown and 'data-testid="token-secret"' in shown
    again = client.get("/integrations/tokens/").content.decode()
    assert 'data-testid="token-secret"' not in again  # shown once
    assert token.scopes == ["inventory:read", "inventory:write"]
    client.post(f"/integrations/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == client.user


def test_a_user_cannot_revoke_anothers_token(client_as, make_user):
    other = make_user("sales_rep")
    token, _raw = services.create_token(name="x", scopes=["crm:read"], actor=other)
    client = client_as("sales_rep")
    assert client.post(f"/integrations/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_old_idempotency_keys_are_forgotten(make_user):
    from api.models import IdempotencyRecord

    user = make_user()
    old = IdempotencyRecord.objects.create(user=user, key="a", method="POST", path="/x", request_hash="h",
                                           created_at=timezone.now() - timedelta(days=8))
    recent = IdempotencyRecord.objects.create(user=user, key="b", method="POST", path="/x", request_hash="h")
    assert services.prune()["idempotency_keys"] == 1
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()
    assert IdempotencyRecord.objects.filter(pk=recent.pk).exists()
