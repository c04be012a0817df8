from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

# The browser tests' Chromium, its pages and contexts (test_browser.py).
from tests.browser.conftest import browser, context, page  # noqa: F401


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The unfiltered dashboard is cached: each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()
