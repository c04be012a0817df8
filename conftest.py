"""Fixtures every test directory can use."""

pytest_plugins = ["tests.browser.fixtures"]
