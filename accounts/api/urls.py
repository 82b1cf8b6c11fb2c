"""Routes of the accounts API under /api/v1/ (names in the ``accounts-api`` namespace)."""

from rest_framework.routers import SimpleRouter

from .views import AuditEventViewSet

app_name = "accounts-api"
router = SimpleRouter(use_regex_path=False)
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
