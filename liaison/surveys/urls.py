from django.urls import path

from liaison.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.questionnaire_list, name="questionnaire-list"),
    path("<int:pk>/", views.questionnaire_detail, name="questionnaire-detail"),
    path("ready/<slug:slug>.xlsx", views.ready_download, name="ready-download"),
    path("ready/<slug:slug>/add/", views.ready_add, name="ready-add"),
]
