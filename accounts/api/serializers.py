"""Shapes of the accounts API: explicit, read-only fields."""

from rest_framework import serializers

from audit.models import AuditEvent


class AuditTargetSerializer(serializers.Serializer):
    type = serializers.CharField(source="target_type")
    id = serializers.CharField(source="target_id")
    label = serializers.CharField(source="target_label")


class AuditEventSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actor = serializers.CharField(source="actor_label", help_text="E-mail at the time.")
    kind_label = serializers.CharField(source="get_kind_display")
    target = AuditTargetSerializer(source="*")
    details = serializers.JSONField()

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "organization",
            "occurred_at",
            "actor",
            "kind",
            "kind_label",
            "target",
            "details",
            "address",
        )
        read_only_fields = fields
