"""Routes of the remittances indices pages (included by ``urls.py``)."""

from django.urls import URLPattern, path

from liaison.remittances import views_indices

urlpatterns: list[URLPattern] = [
    path("indices/", views_indices.page, name="indices"),
    path(
        "indices/corridors.<str:fmt>",
        views_indices.corridors_export,
        name="indices-corridors-export",
    ),
    path("indices/trend.<str:fmt>", views_indices.trend_export, name="indices-trend-export"),
]
