"""Fixtures every test directory can use."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache. The test database is rolled back after every test,
    but the in-process cache is not: a corridor list or a dashboard cached by one test would
    describe rows the next test has never had."""
    cache.clear()
    yield
