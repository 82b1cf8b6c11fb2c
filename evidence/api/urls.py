"""Routes of the evidence API under /api/v1/ (names in the ``evidence-api`` namespace)."""

from rest_framework.routers import SimpleRouter

from .views import EvidenceViewSet

app_name = "evidence-api"
# Path converters (<int:pk>): non-numeric ids never reach a view, and the schema says integer.
router = SimpleRouter(use_regex_path=False)
router.register("evidence", EvidenceViewSet, basename="evidence")

urlpatterns = router.urls
