"""The OSCAL export as a file, for the page and the API alike: written during the request
(a 261-answer questionnaire takes tens of milliseconds) and, as it takes every answer out,
recorded in the organisation's audit log like the workbook exports' downloads
(caiq.downloads.job_result_response)."""

from django.utils.text import slugify

from audit.models import EventKind
from audit.services import audit_record
from caiq.downloads import Download
from caiq.models import Questionnaire

from . import oscal, selectors


def oscal_download(*, questionnaire: Questionnaire, user) -> Download:
    """``questionnaire`` comes from caiq.selectors.questionnaire_for_member (scoped, with its
    version and organisation)."""
    body = oscal.as_json(selectors.oscal_export(questionnaire))
    name = f"{slugify(questionnaire.name) or questionnaire.pk}-oscal-component-definition.json"
    audit_record(
        EventKind.EXPORT_DOWNLOADED,
        organization=questionnaire.organization,
        actor=user,
        target=questionnaire,
        details={"kind": "oscal_json", "filename": name},
    )
    return Download(name, body)
