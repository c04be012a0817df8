"""Fixtures every test directory can use."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Each test starts with an empty cache and the default language. The test database is
    rolled back after every test, but the process's state is not: a corridor list, a dashboard,
    a rate limit or a used TOTP code cached by one test would describe rows the next test has
    never had, and a page requested in French leaves French active for whatever runs next in the
    thread (management commands included)."""
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()
