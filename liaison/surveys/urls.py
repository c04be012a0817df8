from django.urls import path

from liaison.surveys import exchange_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.questionnaire_list, name="questionnaire-list"),
    path("<int:pk>/", views.questionnaire_detail, name="questionnaire-detail"),
    path("<int:pk>/waves/new/", views.wave_edit, name="wave-new"),
    path("<int:pk>/waves/<int:wave_pk>/edit/", views.wave_edit, name="wave-edit"),
    path("waves/<int:pk>/", views.wave_detail, name="wave-detail"),
    path("waves/<int:pk>/import/", exchange_views.wave_import, name="wave-import"),
    path(
        "waves/<int:pk>/import/<uuid:uuid>/",
        exchange_views.wave_import_result,
        name="wave-import-result",
    ),
    path("waves/<int:pk>/export.<str:fmt>", exchange_views.wave_export, name="wave-export"),
    path("versions/<int:pk>/registry/", views.registry_map, name="registry-map"),
    path("ready/<slug:slug>.xlsx", views.ready_download, name="ready-download"),
    path("ready/<slug:slug>/add/", views.ready_add, name="ready-add"),
]
