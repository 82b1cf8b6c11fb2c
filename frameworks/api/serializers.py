"""Frameworks API shapes: explicit fields, read only."""

from rest_framework import serializers

from ..models import Framework


class FrameworkSerializer(serializers.ModelSerializer):
    ccm_version = serializers.CharField(source="ccm_version.version")

    class Meta:
        model = Framework
        fields = ("id", "name", "ccm_version")
        read_only_fields = fields


class QuestionStateSerializer(serializers.Serializer):
    code = serializers.CharField()
    answer = serializers.CharField(help_text="Yes, No, NA, or empty when unanswered.")
    ssrm = serializers.CharField()


class ControlStateSerializer(serializers.Serializer):
    control_id = serializers.CharField()
    gap_level = serializers.CharField(help_text="no, partial, full, or empty when not stated.")
    questions = QuestionStateSerializer(many=True)


class RequirementStateSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=["covered", "uncovered"])
    partial_gap = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    controls = ControlStateSerializer(many=True)


class GapAnalysisSerializer(serializers.Serializer):
    framework = FrameworkSerializer(allow_null=True)
    requirements_total = serializers.IntegerField()
    covered = serializers.IntegerField()
    uncovered = serializers.IntegerField()
    coverage_percent = serializers.IntegerField()
    requirements = RequirementStateSerializer(many=True, help_text="After the filters.")
