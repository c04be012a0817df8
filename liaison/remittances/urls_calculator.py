"""Routes of the remittances calculator pages (included by ``urls.py``)."""

from django.urls import URLPattern, path

from liaison.remittances import views_calculator

urlpatterns: list[URLPattern] = [
    path("", views_calculator.calculator_page, name="calculator"),
]
