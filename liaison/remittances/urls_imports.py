"""Routes of the remittances import pages (included by ``urls.py``)."""

from django.urls import URLPattern, path

from liaison.remittances import views_imports

urlpatterns: list[URLPattern] = [
    path("imports/", views_imports.upload, name="imports-upload"),
    path("imports/<uuid:uuid>/", views_imports.result, name="imports-result"),
]
