from django.urls import path

from liaison.opportunities import views

app_name = "opportunities"
urlpatterns = [
    # The public portal and the member's applications.
    path("", views.public_list, name="public-list"),
    path("<int:pk>/", views.public_detail, name="public-detail"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("mine/", views.my_applications, name="my-applications"),
    # The back office.
    path("manage/", views.opportunity_list, name="list"),
    path("manage/new/", views.opportunity_edit, name="new"),
    path("manage/<int:pk>/", views.opportunity_detail, name="detail"),
    path("manage/<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("manage/<int:pk>/step/<slug:step>/", views.opportunity_step, name="step"),
    path("manage/<int:pk>/invite/", views.opportunity_invite, name="invite"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_edit, name="programme-new"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path(
        "programmes/<int:programme_pk>/agreements/new/",
        views.agreement_edit,
        name="agreement-new",
    ),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:agreement_pk>/quotas/new/", views.quota_edit, name="quota-new"),
    path("quotas/<int:pk>/edit/", views.quota_edit, name="quota-edit"),
]
