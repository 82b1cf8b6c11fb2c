"""The floor the fill page is measured against: the project's URLs plus two minimal views.

- ``minimal_fill``: the same questions and answers of one domain from one ``.values()`` query,
  rendered by a small template (code, text, the two selects, the three text fields): what the
  page would cost with no sidebar, evidence, review or history around the fields.
- ``minimal_save``: one compare-and-swap UPDATE and one history INSERT in a transaction, and a
  one-line answer: the least a safe save can do.

Both run behind the same middleware as the real views (session, CSRF, authentication), so the
ratio is what the page adds on top of the work itself.
"""

from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from caiq.models import Answer, AnswerChange, CspAnswer, SsrmOwnership

_OPTIONS = (
    '<option value=""></option>{% for v, l in CHOICES %}<option value="{{ v }}"'
    "{% if v == a.FIELD %} selected{% endif %}>{{ l }}</option>{% endfor %}"
)
_PAGE = engines["django"].from_string(
    "<!doctype html><html><body><form>{% for a in rows %}"
    '<article id="answer-{{ a.pk }}"><span>{{ a.question__code }}</span>'
    "<p>{{ a.question__text }}</p>"
    f'<select name="answer">{_OPTIONS.replace("CHOICES", "answers").replace("FIELD", "answer")}'
    "</select>"
    f'<select name="ssrm">{_OPTIONS.replace("CHOICES", "owners").replace("FIELD", "ssrm")}'
    "</select>"
    '<textarea name="implementation">{{ a.implementation }}</textarea>'
    '<textarea name="csc_responsibilities">{{ a.csc_responsibilities }}</textarea>'
    '<textarea name="internal_notes">{{ a.internal_notes }}</textarea>'
    '<input type="hidden" name="revision" value="{{ a.revision }}"></article>'
    "{% endfor %}</form></body></html>"
)


@require_GET
def minimal_fill(request, pk, domain):
    rows = (
        Answer.objects.filter(questionnaire_id=pk, question__control__domain__code=domain)
        .order_by("question__position")
        .values(
            "pk",
            "revision",
            "answer",
            "ssrm",
            "implementation",
            "csc_responsibilities",
            "internal_notes",
            "question__code",
            "question__text",
        )
    )
    context = {"rows": rows, "answers": CspAnswer.choices, "owners": SsrmOwnership.choices}
    return HttpResponse(_PAGE.render(context))


@require_POST
def minimal_save(request, pk, answer_pk):
    value, revision = request.POST["answer"], int(request.POST["revision"])
    with transaction.atomic():
        written = Answer.objects.filter(pk=answer_pk, revision=revision).update(
            answer=value, revision=revision + 1, updated_at=timezone.now()
        )
        if not written:
            return HttpResponse(status=409)
        AnswerChange.objects.create(
            answer_id=answer_pk,
            changed_by=request.user,
            source="page",
            revision=revision + 1,
            changes={"answer": ["", value]},
        )
    return HttpResponse(f'<input id="revision-{answer_pk}" value="{revision + 1}">')


urlpatterns = [
    path("bench/minimal/<int:pk>/<str:domain>/", minimal_fill, name="bench-minimal-fill"),
    path(
        "bench/minimal/<int:pk>/answers/<int:answer_pk>/", minimal_save, name="bench-minimal-save"
    ),
    path("", include("config.urls")),
]
