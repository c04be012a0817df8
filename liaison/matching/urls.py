from django.urls import path

from liaison.matching import views

app_name = "matching"
urlpatterns = [
    path("opportunities/<int:pk>/", views.opportunity_ranking, name="opportunity-ranking"),
    path("opportunities/<int:pk>/invite/<int:member_pk>/", views.invite, name="invite"),
    path("members/<int:pk>/", views.member_opportunities, name="member-opportunities"),
    path("me/", views.my_opportunities, name="my-opportunities"),
]
