"""Routes of the caiq API under /api/v1/ (names in the ``caiq-api`` namespace)."""

from rest_framework.routers import SimpleRouter

from . import views

app_name = "caiq-api"

router = SimpleRouter()
router.register("catalog/versions", views.CatalogVersionViewSet, basename="catalog-version")
router.register("catalog/domains", views.DomainViewSet, basename="catalog-domain")
router.register("catalog/controls", views.ControlViewSet, basename="catalog-control")
router.register("catalog/questions", views.QuestionViewSet, basename="catalog-question")
router.register("questionnaires", views.QuestionnaireViewSet, basename="questionnaire")
router.register("answers", views.AnswerViewSet, basename="answer")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = router.urls
