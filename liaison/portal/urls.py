from django.urls import path

from liaison.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("me/", views.member_home, name="member-home"),
    path("backoffice/", views.backoffice, name="backoffice"),
    path("tasks/<uuid:pk>/progress/", views.task_progress, name="task-progress"),
]
