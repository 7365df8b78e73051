import pytest
from rest_framework.test import APIClient

from api import services
from api.models import SCOPES


def token_client_for(user, scopes=SCOPES):
    """An APIClient with a new token of `user` (all scopes unless narrowed)."""
    token, raw = services.create_token(name="test", scopes=scopes, actor=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.user, client.token, client.raw = user, token, raw
    return client


@pytest.fixture
def token_client(make_user):
    """token_client("sales_rep") -> an APIClient sending a new token of a new user with that role (client.user,
    client.token); `scopes` narrows the token, `user` reuses an account."""

    def make(role=None, *, user=None, scopes=SCOPES, **kwargs):
        user = user or make_user(role)
        token, raw = services.create_token(name="test", scopes=scopes, actor=user, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.user, client.token, client.raw = user, token, raw
        return client

    return make
