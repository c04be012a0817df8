"""A pytest plugin loaded before pytest-django reads the settings (see pyproject's addopts):
the suite runs with LIAISON_ENV=test unless told otherwise."""

import os

os.environ.setdefault("LIAISON_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in live tests
