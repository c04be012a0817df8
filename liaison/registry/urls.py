from django.urls import path

from liaison.registry import views

app_name = "registry"
urlpatterns = [
    path("members/", views.member_list, name="member-list"),
    path("members/export/", views.member_export, name="member-export"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("members/<int:pk>/versions/", views.member_versions, name="member-versions"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
]
