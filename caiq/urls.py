from django.urls import path

from .views import catalog, fill, questionnaires, transfer

app_name = "caiq"
urlpatterns = [
    path("catalog/", catalog.version_list, name="version_list"),
    path("catalog/import/", catalog.catalog_upload, name="upload"),
    path("catalog/v<str:version>/", catalog.version_detail, name="version_detail"),
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", questionnaires.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/mine/", fill.my_questions, name="my_questions"),
    path("questionnaires/<int:pk>/", fill.fill, name="fill"),
    path("questionnaires/<int:pk>/chart/", fill.answers_chart, name="answers_chart"),
    path("questionnaires/<int:pk>/copy/", questionnaires.questionnaire_copy, name="copy"),
    path(
        "questionnaires/<int:pk>/status/<slug:action>/",
        questionnaires.questionnaire_transition,
        name="transition",
    ),
    path("questionnaires/<int:pk>/assign/", fill.assign, name="assign"),
    path("questionnaires/<int:pk>/transfer/", transfer.transfer, name="transfer"),
    path("questionnaires/<int:pk>/readiness/", transfer.readiness_page, name="readiness"),
    path("questionnaires/<int:pk>/jobs/", transfer.jobs, name="jobs"),
    path("questionnaires/<int:pk>/jobs/start/<slug:kind>/", transfer.start, name="job_start"),
    path(
        "questionnaires/<int:pk>/jobs/<int:job_pk>/download/",
        transfer.job_download,
        name="job_download",
    ),
    path("questionnaires/<int:pk>/answers/<int:answer_pk>/", fill.answer_save, name="answer_save"),
    path(
        "questionnaires/<int:pk>/answers/<int:answer_pk>/history/",
        fill.answer_history,
        name="answer_history",
    ),
    path(
        "questionnaires/<int:pk>/answers/<int:answer_pk>/comments/",
        fill.comment,
        name="comment",
    ),
    path(
        "questionnaires/<int:pk>/answers/<int:answer_pk>/review/<slug:action>/",
        fill.answer_review,
        name="answer_review",
    ),
]
