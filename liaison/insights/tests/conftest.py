from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The unfiltered dashboard is cached: each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()
