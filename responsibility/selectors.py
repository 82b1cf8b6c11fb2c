"""Reading a questionnaire's customer responsibility matrix: one query."""

from caiq.models import Questionnaire

from .matrix import CUSTOMER_OWNERS, Domain, Row, by_domain

FIELDS = (
    "question__control__domain__code",
    "question__control__domain__title",
    "question__control__code",
    "question__control__title",
    "question__code",
    "question__text",
    "answer",
    "ssrm",
    "csc_responsibilities",
    "implementation",
)


def customer_matrix(questionnaire: Questionnaire) -> list[Domain]:
    rows = (
        questionnaire.answers.filter(ssrm__in=CUSTOMER_OWNERS)
        .order_by("question__position")
        .values_list(*FIELDS)
    )
    return by_domain([Row(*row) for row in rows])
