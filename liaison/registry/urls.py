from django.urls import path

from liaison.registry import dedup_views, import_views, views

app_name = "registry"
urlpatterns = [
    path("members/", views.member_list, name="member-list"),
    path("members/export/", views.member_export, name="member-export"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("members/<int:pk>/versions/", views.member_versions, name="member-versions"),
    path("imports/", import_views.import_list, name="import-list"),
    path("imports/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("imports/<int:pk>/commit/", import_views.import_commit, name="import-commit"),
    path("imports/<int:pk>/rejected.csv", import_views.import_rejected, name="import-rejected"),
    path("duplicates/", dedup_views.duplicate_list, name="duplicate-list"),
    path("duplicates/search/", dedup_views.duplicate_search, name="duplicate-search"),
    path("duplicates/<int:pk>/", dedup_views.duplicate_detail, name="duplicate-detail"),
    path("merges/<int:pk>/undo/", dedup_views.merge_undo, name="merge-undo"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_edit, name="organisation-new"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path(
        "organisations/<int:pk>/members/", views.organisation_members, name="organisation-members"
    ),
    path("organisations/<int:pk>/verify/", views.organisation_verify, name="organisation-verify"),
]
