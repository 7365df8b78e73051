import pytest

from tests.factories.inventory import LocationFactory, ProductFactory, WarehouseFactory


@pytest.fixture
def clerk(make_user):
    return make_user("warehouse_clerk")


@pytest.fixture
def wh(db):
    return WarehouseFactory(code="SH", name_zh="上海总仓", name_en="Shanghai main")


@pytest.fixture
def loc(wh):
    return LocationFactory(warehouse=wh, code="A-01-01")


@pytest.fixture
def loc2(wh):
    return LocationFactory(warehouse=wh, code="A-01-02")


@pytest.fixture
def product(db):
    return ProductFactory(sku="GB5782-M8X30", name_zh="六角头螺栓 M8×30", name_en="Hex bolt M8×30")
