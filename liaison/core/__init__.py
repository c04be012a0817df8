"""Helpers shared by every app. This package imports no domain app."""
