from django.urls import path

from liaison.registry import self_views

app_name = "me"
urlpatterns = [
    path("data.json", self_views.data_json, name="data-json"),
    path("data.csv", self_views.data_csv, name="data-csv"),
    path("profile/", self_views.profile_about, name="profile-about"),
    path("profile/skills/", self_views.profile_skills, name="profile-skills"),
    path("profile/history/", self_views.profile_history, name="profile-history"),
    path("profile/engagement/", self_views.profile_engagement, name="profile-engagement"),
    path("consents/", self_views.consents, name="consents"),
    path("erase/", self_views.erase, name="erase"),
]
