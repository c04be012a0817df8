from django.urls import path

from liaison.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("host-countries.csv", views.host_countries_csv, name="host-countries-csv"),
]
