"""The events caiq publishes (config.events) that more than one service sends."""

from config.events import publish


def questionnaire_status_changed(questionnaire, old: str, new: str, **details) -> None:
    publish(
        "questionnaire.status_changed",
        organization_id=questionnaire.organization_id,
        data={
            "questionnaire": questionnaire.pk,
            "name": questionnaire.name,
            "from": old,
            "to": new,
            **details,
        },
    )
