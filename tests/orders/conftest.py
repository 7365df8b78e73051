import pytest

from tests.factories.orders import make_world


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def manager(make_user):
    return make_user("sales_manager")


@pytest.fixture
def finance(make_user):
    return make_user("finance_clerk")
