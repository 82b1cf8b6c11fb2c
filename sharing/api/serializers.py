from rest_framework import serializers

from ..models import ShareAccess, ShareLink


class ShareLinkSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    created_by = serializers.EmailField(source="created_by.email", default=None, read_only=True)
    revoked_by = serializers.EmailField(source="revoked_by.email", default=None, read_only=True)
    views = serializers.IntegerField(read_only=True, default=None)
    downloads = serializers.IntegerField(read_only=True, default=None)
    last_access = serializers.DateTimeField(read_only=True, default=None)

    class Meta:
        model = ShareLink
        fields = [
            "id",
            "questionnaire",
            "recipient",
            "token_prefix",
            "state",
            "expires_at",
            "require_email",
            "allowed_domains",
            "nda_text",
            "created_at",
            "created_by",
            "revoked_at",
            "revoked_by",
            "views",
            "downloads",
            "last_access",
        ]
        read_only_fields = fields

    def get_state(self, link: ShareLink) -> str:
        return link.state()


class ShareLinkCreateSerializer(serializers.Serializer):
    recipient = serializers.CharField(max_length=200)
    expires_at = serializers.DateTimeField()
    require_email = serializers.BooleanField(default=False)
    allowed_domains = serializers.CharField(max_length=500, allow_blank=True, default="")
    nda_text = serializers.CharField(allow_blank=True, default="")


class ShareLinkCreatedSerializer(ShareLinkSerializer):
    url = serializers.CharField(read_only=True, help_text="The link to send; shown only once.")

    class Meta(ShareLinkSerializer.Meta):
        fields = [*ShareLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields


class ShareAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShareAccess
        fields = ["id", "kind", "email", "address", "user_agent", "at"]
        read_only_fields = fields
