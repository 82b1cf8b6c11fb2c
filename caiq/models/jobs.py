"""Import and export jobs: a persisted record of each background run and its outcome."""

import uuid

from django.conf import settings
from django.db import models

from accounts.models import Organization

from .questionnaire import Questionnaire


class JobKind(models.TextChoices):
    EXPORT_XLSX = "export_xlsx", "Export CAIQ workbook"
    EXPORT_CSV = "export_csv", "Export CSV"
    EXPORT_JSON = "export_json", "Export JSON"
    IMPORT_XLSX = "import_xlsx", "Import CAIQ workbook"
    # Written by the responsibility app (registered in caiq.services.jobs.OTHER_EXPORTS): a
    # PDF of a questionnaire with long descriptions takes seconds, too long for a request.
    EXPORT_RESPONSIBILITY_PDF = "export_crm_pdf", "Customer responsibility matrix (PDF)"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


def job_file_path(instance: "Job", filename: str) -> str:
    # Generated names only; the name users see is kept in result_name.
    return f"jobs/{instance.organization_id}/{uuid.uuid4().hex}"


class Job(models.Model):
    """One import or export of a questionnaire, run by a Celery task.

    ``attempts`` counts the runs that started; a job whose worker died is retried until
    MAX_ATTEMPTS (caiq.services.jobs) and then fails with a message, never staying "running".
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="jobs")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    # Imports: a blank cell clears the stored value (otherwise it leaves it as it is).
    clear_blank = models.BooleanField(default=False)
    # Problems that did not stop the job (an import from an altered workbook), one per line.
    warnings = models.JSONField(default=list, blank=True)
    ready = models.BooleanField("STAR-ready", null=True, blank=True)
    source = models.FileField(upload_to=job_file_path, blank=True, max_length=255)
    source_name = models.CharField(max_length=255, blank=True)
    result = models.FileField(upload_to=job_file_path, blank=True, max_length=255)
    result_name = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    # The client address it was started from: the worker records the import's audit event.
    requested_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=JobKind.values), name="job_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="job_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_percent"
            ),
        ]
        indexes = [models.Index(fields=["status", "started_at"], name="job_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
