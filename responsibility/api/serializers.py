from rest_framework import serializers


class MatrixRowSerializer(serializers.Serializer):
    control = serializers.CharField()
    control_title = serializers.CharField()
    code = serializers.CharField(help_text="The CAIQ question ID, e.g. A&A-01.1.")
    question = serializers.CharField()
    answer = serializers.CharField()
    ssrm = serializers.CharField(help_text="CSC-owned, or Shared CSP and CSC.")
    csc_responsibilities = serializers.CharField()
    implementation = serializers.CharField(help_text="The CSP implementation description.")


class MatrixDomainSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    rows = MatrixRowSerializer(many=True)


class MatrixSerializer(serializers.Serializer):
    questionnaire = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Questions that involve the customer.")
    message = serializers.CharField(help_text="Says so when no question involves the customer.")
    domains = MatrixDomainSerializer(many=True)
