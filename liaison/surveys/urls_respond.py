"""The public side of surveys: a wave's link, for respondents."""

from django.urls import path

from liaison.surveys import respond_views

app_name = "respond"

urlpatterns = [
    path("<str:token>/", respond_views.respond, name="form"),
    path("<str:token>/check/", respond_views.check, name="check"),
    path("<str:token>/thanks/", respond_views.thanks, name="thanks"),
]
