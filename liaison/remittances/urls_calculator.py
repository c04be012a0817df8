"""Routes of the remittances calculator pages (included by ``urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
