from django.urls import path

from liaison.registry import self_views

app_name = "me"
urlpatterns = [
    path("data.json", self_views.data_json, name="data-json"),
    path("data.csv", self_views.data_csv, name="data-csv"),
    path("consents/", self_views.consents, name="consents"),
    path("erase/", self_views.erase, name="erase"),
]
