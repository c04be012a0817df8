from django.urls import path

from liaison.core import views

app_name = "core"
urlpatterns = [
    path("tasks/<uuid:pk>/progress/", views.task_progress, name="task-progress"),
]
