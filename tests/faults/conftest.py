"""Fault tests: real processes killed for real, on private servers (see stack.py). `make faults` runs them;
`make test` skips them (they need PostgreSQL 15's binaries and redis-server, and take a few minutes)."""

import shutil

import pytest

from .stack import PG_BIN, SETUP_CODE, Stack


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/faults/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def stack():
    if not (PG_BIN / "initdb").exists() or not shutil.which("redis-server"):
        pytest.skip("fault tests need PostgreSQL 15 binaries and redis-server")
    s = Stack()
    try:
        s.start()
        s.data = s.shell(SETUP_CODE)
        yield s
    finally:
        s.cleanup()


@pytest.fixture(scope="session")
def web(stack):
    """gunicorn on the private stack, as `make run` starts it (2 sync workers here)."""
    proc = stack.gunicorn(workers=2)
    yield proc
    stack.stop_process(proc)


@pytest.fixture
def clean_integrity(stack):
    """check_integrity must be clean at the end of every fault test."""
    yield
    result = stack.integrity()
    assert result["ok"], result["problems"]
