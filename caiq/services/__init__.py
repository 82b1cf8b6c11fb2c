"""Writes. Each service is keyword-only, checks its own rules and runs in one transaction."""

from .answers import (
    StaleAnswer,
    answer_approve,
    answer_confirm_carry_over,
    answer_mark_ready,
    answer_request_changes,
    answer_update,
    answers_assign,
    comment_add,
)
from .catalog import CatalogImportError, CatalogImportResult, catalog_import
from .questionnaires import (
    questionnaire_approve,
    questionnaire_copy_forward,
    questionnaire_create,
    questionnaire_mark_submitted,
    questionnaire_request_review,
)

__all__ = [
    "CatalogImportError",
    "CatalogImportResult",
    "StaleAnswer",
    "answer_approve",
    "answer_confirm_carry_over",
    "answer_mark_ready",
    "answer_request_changes",
    "answer_update",
    "answers_assign",
    "catalog_import",
    "comment_add",
    "questionnaire_approve",
    "questionnaire_copy_forward",
    "questionnaire_create",
    "questionnaire_mark_submitted",
    "questionnaire_request_review",
]
