"""/remittances/: the public calculator, the indices and the price data (namespace
"remittances")."""

from django.urls import include, path

app_name = "remittances"

urlpatterns = [
    path("", include("liaison.remittances.urls_calculator")),
    path("", include("liaison.remittances.urls_indices")),
    path("", include("liaison.remittances.urls_data")),
    path("", include("liaison.remittances.urls_imports")),
]
