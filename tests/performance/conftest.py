import pytest

from tests.performance import fake_selectors


@pytest.fixture(autouse=True)
def clean_fake_rows():
    fake_selectors.ROWS.clear()
    yield
    fake_selectors.ROWS.clear()
