"""Routes of the remittances data pages (included by ``urls.py``)."""

from django.urls import path

from liaison.remittances import views_data as views

urlpatterns = [
    path("prices/", views.observation_list, name="observation-list"),
    path("prices/new/", views.observation_edit, name="observation-new"),
    path("prices/<int:pk>/edit/", views.observation_edit, name="observation-edit"),
    path("prices/to-verify/", views.pending_list, name="pending-list"),
    path("prices/<int:pk>/verify/", views.verify, name="verify"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/new/", views.provider_edit, name="provider-new"),
    path("providers/<int:pk>/", views.provider_edit, name="provider-edit"),
    path("providers/<int:pk>/new-link/", views.provider_renew_link, name="provider-renew-link"),
    path("report/<str:token>/", views.report, name="report"),
]
