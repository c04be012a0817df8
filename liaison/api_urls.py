"""The REST API under /api/v1/ (namespace "api")."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from liaison.insights import api as insights_api
from liaison.matching import api as matching_api
from liaison.opportunities import api as opportunities_api
from liaison.placements import api as placements_api
from liaison.registry import api as registry_api
from liaison.remittances import api as remittances_api
from liaison.taxonomy import api as taxonomy_api

app_name = "api"

router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
router.include_format_suffixes = False
router.register("taxonomy/isco-groups", taxonomy_api.IscoGroupViewSet, basename="isco-group")
router.register("taxonomy/occupations", taxonomy_api.OccupationViewSet, basename="occupation")
router.register("taxonomy/skills", taxonomy_api.SkillViewSet, basename="skill")
router.register("registry/members", registry_api.MemberViewSet, basename="member")
router.register("registry/organisations", registry_api.OrganisationViewSet, basename="organisation")
router.register(
    "opportunities/programmes", opportunities_api.ProgrammeViewSet, basename="programme"
)
router.register("opportunities/quotas", opportunities_api.QuotaViewSet, basename="quota")
router.register("opportunities", opportunities_api.OpportunityViewSet, basename="opportunity")
router.register("placements", placements_api.PlacementViewSet, basename="placement")
router.register(
    "remittances/providers", remittances_api.ProviderViewSet, basename="remittance-provider"
)
router.register(
    "remittances/corridors", remittances_api.CorridorViewSet, basename="remittance-corridor"
)
router.register(
    "remittances/observations",
    remittances_api.ObservationViewSet,
    basename="remittance-observation",
)

urlpatterns = [
    path(
        "taxonomy/suggestions/",
        taxonomy_api.SuggestionView.as_view(),
        name="taxonomy-suggestions",
    ),
    path("reference/countries/", taxonomy_api.CountryListView.as_view(), name="countries"),
    path("reference/currencies/", taxonomy_api.CurrencyListView.as_view(), name="currencies"),
    path("reference/languages/", taxonomy_api.LanguageListView.as_view(), name="languages"),
    path("reference/cefr-levels/", taxonomy_api.CefrLevelListView.as_view(), name="cefr-levels"),
    path("reference/isced-levels/", taxonomy_api.IscedLevelListView.as_view(), name="isced-levels"),
    path("insights/dashboard/", insights_api.DashboardView.as_view(), name="insights-dashboard"),
    path("insights/surveys/", insights_api.SurveyListView.as_view(), name="insights-surveys"),
    path(
        "insights/surveys/<int:pk>/",
        insights_api.SurveyResultsView.as_view(),
        name="insights-survey-results",
    ),
    path(
        "matching/opportunities/<int:pk>/candidates/",
        matching_api.CandidatesView.as_view(),
        name="matching-candidates",
    ),
    path(
        "matching/members/<int:pk>/opportunities/",
        matching_api.MemberOpportunitiesView.as_view(),
        name="matching-member-opportunities",
    ),
    path(
        "matching/me/opportunities/",
        matching_api.MyOpportunitiesView.as_view(),
        name="matching-my-opportunities",
    ),
    path(
        "placements/dashboard/",
        placements_api.DashboardView.as_view(),
        name="placements-dashboard",
    ),
    path(
        "remittances/indices/",
        remittances_api.IndicesView.as_view(),
        name="remittances-indices",
    ),
    path("remittances/trend/", remittances_api.TrendView.as_view(), name="remittances-trend"),
    path("", include(router.urls)),
]
