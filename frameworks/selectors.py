"""Reads of the framework mappings, and a questionnaire's gap analysis (two queries, whatever
the number of requirements). The questionnaire is always reached through caiq's scoped
selector, so another organisation's questionnaire is a 404 here too."""

from django.db.models import QuerySet
from django.http import Http404

from caiq.models import Answer, Questionnaire
from config.ids import parse_id

from .gaps import GapAnalysis, analyse
from .models import ControlMapping, Framework


def framework_choices() -> QuerySet[Framework]:
    """Every imported framework, newest CCM version first."""
    return Framework.objects.select_related("ccm_version").order_by(
        "-ccm_version__imported_at", "position"
    )


def framework_or_404(pk) -> Framework:
    pk = parse_id(str(pk))
    framework = framework_choices().filter(pk=pk).first() if pk is not None else None
    if framework is None:
        raise Http404("No such framework.")
    return framework


MAPPING_COLUMNS = ("requirement__code", "controlmapping__control_id", "controlmapping__gap_level")


def _answers(questionnaire: Questionnaire) -> list[tuple]:
    # In the catalog's order: a control's questions are listed as CSA numbers them, whatever
    # plan PostgreSQL picks (with answer_library_idx it read them by question, unordered).
    return list(
        Answer.objects.filter(questionnaire=questionnaire)
        .order_by("question__position")
        .values_list("question__control__code", "question__code", "answer", "ssrm")
    )


def gap_analyses(questionnaire: Questionnaire, frameworks: list[Framework]) -> dict:
    """The questionnaire's GapAnalysis against each of ``frameworks``, by framework id: two
    queries whatever their number (every mapping of theirs, then the answers, read once)."""
    rows: dict[int, list] = {f.pk: [] for f in frameworks}
    mappings = (
        ControlMapping.requirements.through.objects.filter(requirement__framework__in=frameworks)
        .order_by()
        .values_list("requirement__framework_id", *MAPPING_COLUMNS)
    )
    for framework_id, *mapping in mappings:
        rows[framework_id].append(tuple(mapping))
    answers = _answers(questionnaire)
    return {pk: analyse(found, answers) for pk, found in rows.items()}


def gap_analysis(questionnaire: Questionnaire, framework: Framework) -> GapAnalysis:
    return gap_analyses(questionnaire, [framework])[framework.pk]
