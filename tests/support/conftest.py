import pytest


@pytest.fixture(autouse=True)
def _fresh_banner_cache():
    """The banner rows are cached; each test starts without them."""
    from support import banners

    banners.clear()
    yield
    banners.clear()
