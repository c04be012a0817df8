"""Routes of the remittances import pages (included by ``urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
