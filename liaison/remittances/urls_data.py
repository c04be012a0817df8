"""Routes of the remittances data pages (included by ``urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
