from django.urls import path

from liaison.taxonomy import views

app_name = "taxonomy"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("manage/", views.manage, name="manage"),
    path("manage/import/", views.start_import, name="start-import"),
]
