"""Evidence API shapes: explicit fields only, read and write kept apart.

Reads show metadata and file facts (size, SHA-256, type), never storage names. Writes are
validated here and handed to evidence.services; the membership that acts is chosen by the view.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caiq.api.serializers import AnswerChangesSerializer

from ..models import Evidence, EvidenceVersion, Freshness


class EvidenceVersionSerializer(serializers.ModelSerializer):
    filename = serializers.CharField(source="original_filename")
    size = serializers.IntegerField(source="stored_file.size")
    sha256 = serializers.CharField(source="stored_file.sha256")
    content_type = serializers.CharField(source="stored_file.content_type")

    class Meta:
        model = EvidenceVersion
        fields = ("number", "filename", "size", "sha256", "content_type", "uploaded_at")
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    freshness = serializers.SerializerMethodField()
    versions = EvidenceVersionSerializer(many=True, read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = (
            "id",
            "organization",
            "kind",
            "title",
            "description",
            "url",
            "owner",
            "valid_from",
            "valid_until",
            "freshness",
            "versions",
            "answers",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, evidence: Evidence) -> str | None:
        """The link of a link item; null for files (never an empty string, which is no URI)."""
        return evidence.url or None

    @extend_schema_field(serializers.ChoiceField(choices=Freshness.choices))
    def get_freshness(self, evidence: Evidence) -> str:
        today = self.context.get("today") or timezone.localdate()
        return evidence.freshness(today).value

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_answers(self, evidence: Evidence) -> list[int]:
        """Ids of the answers this item backs (prefetched by the view)."""
        return sorted(link.answer_id for link in evidence.links.all())


class EvidenceChangesSerializer(serializers.Serializer):
    """One pull of the evidence change feed (caiq.sync)."""

    results = EvidenceSerializer(many=True)
    cursor = serializers.CharField(help_text=AnswerChangesSerializer().fields["cursor"].help_text)
    more = serializers.BooleanField(help_text=AnswerChangesSerializer().fields["more"].help_text)


class _EvidenceWriteSerializer(serializers.Serializer):
    organization = serializers.SlugField(
        required=False,
        help_text="Slug of the organisation to add it to; needed only when the caller "
        "belongs to several.",
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.EmailField(
        required=False,
        help_text="E-mail of the member who owns it (reminders go to them); default: the caller.",
    )
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        valid_from, valid_until = attrs.get("valid_from"), attrs.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            raise serializers.ValidationError(
                {"valid_until": "Valid until must not be before valid from."}
            )
        return attrs


class EvidenceUploadSerializer(_EvidenceWriteSerializer):
    """multipart/form-data: a file becomes version 1 of a new item."""

    file = serializers.FileField(allow_empty_file=False, use_url=False)


class EvidenceLinkCreateSerializer(_EvidenceWriteSerializer):
    """JSON: an item that points at a URL (a trust portal page, a ticket, a wiki page)."""

    url = serializers.URLField(max_length=2000)


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)


class AnswerLinkSerializer(serializers.Serializer):
    answer = serializers.IntegerField(min_value=1, help_text="Id of an answer of the same org.")


class AnswerLinkResultSerializer(serializers.Serializer):
    evidence = serializers.IntegerField(source="evidence_id")
    answer = serializers.IntegerField(source="answer_id")
    linked_at = serializers.DateTimeField()
