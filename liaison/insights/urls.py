from django.urls import path

from liaison.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:fmt>", views.export, name="export"),
    path("host-countries.csv", views.host_countries_csv, name="host-countries-csv"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/export.<str:fmt>", views.survey_export, name="survey-export"),
]
