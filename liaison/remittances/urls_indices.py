"""Routes of the remittances indices pages (included by ``urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
