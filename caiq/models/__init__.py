from .catalog import CatalogVersion, Control, Domain, Question
from .jobs import Job, JobKind, JobStatus
from .questionnaire import (
    Answer,
    AnswerChange,
    CarryOver,
    ChangeSource,
    Comment,
    CspAnswer,
    Questionnaire,
    QuestionnaireStatus,
    QuestionnaireTally,
    ReviewStatus,
    SsrmOwnership,
    StarLevel,
)

__all__ = [
    "Answer",
    "AnswerChange",
    "CarryOver",
    "CatalogVersion",
    "ChangeSource",
    "Comment",
    "Control",
    "CspAnswer",
    "Domain",
    "Job",
    "JobKind",
    "JobStatus",
    "Question",
    "Questionnaire",
    "QuestionnaireStatus",
    "QuestionnaireTally",
    "ReviewStatus",
    "SsrmOwnership",
    "StarLevel",
]
