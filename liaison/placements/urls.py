from django.urls import path

from liaison.placements import views

app_name = "placements"

urlpatterns = [
    path("", views.placement_list, name="list"),
    path("mine/", views.my_placements, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.placement_detail, name="detail"),
    path("<int:pk>/step/", views.placement_step, name="step"),
    path("<int:pk>/compensation/", views.compensation_add, name="compensation-add"),
    path(
        "<int:pk>/compensation/<int:item>/",
        views.compensation_change,
        name="compensation-change",
    ),
    path("<int:pk>/payments/", views.payment_add, name="payment-add"),
    path("<int:pk>/checklist/", views.checklist_tick, name="checklist"),
    path("<int:pk>/report/", views.mission_report, name="report"),
    path("opportunities/<int:pk>/shortlist/", views.shortlist_new, name="shortlist-new"),
    path("shortlists/<int:pk>/", views.shortlist_detail, name="shortlist-detail"),
    path("shortlists/<int:pk>/review/", views.shortlist_review, name="shortlist-review"),
    path("reviews/", views.my_reviews, name="reviews"),
]
