from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from liaison.core import views as core_views

urlpatterns = [
    path("", include("liaison.portal.urls")),
    path("me/", include("liaison.registry.urls_me")),
    path("health/", core_views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("liaison.accounts.urls")),
    path("registry/", include("liaison.registry.urls")),
    path("surveys/", include("liaison.surveys.urls")),
    path("s/", include("liaison.surveys.urls_respond")),
    path("insights/", include("liaison.insights.urls")),
    path("placements/", include("liaison.placements.urls")),
    path("opportunities/", include("liaison.opportunities.urls")),
    path("matching/", include("liaison.matching.urls")),
    path("remittances/", include("liaison.remittances.urls")),
    path("taxonomy/", include("liaison.taxonomy.urls")),
    path("audit/", include("liaison.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("liaison.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
