"""API views of caiq: thin viewsets over scoped querysets, writes through caiq.services.

Tenancy: every queryset starts from ``accounts.selectors.scope_to_user`` (or caiq.selectors
built on it), so another organisation's questionnaire, answer or job is absent: 404, never 403,
and never counted.
"""

from .answers import AnswerViewSet
from .catalog import CatalogVersionViewSet, ControlViewSet, DomainViewSet, QuestionViewSet
from .jobs import JobViewSet
from .questionnaires import QuestionnaireViewSet

__all__ = [
    "AnswerViewSet",
    "CatalogVersionViewSet",
    "ControlViewSet",
    "DomainViewSet",
    "JobViewSet",
    "QuestionViewSet",
    "QuestionnaireViewSet",
]
