from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedModelSerializer
from accounts.models import ApiToken, Membership, Organization, User
from regions.models import Region


class RegionRefField(serializers.SlugRelatedField):
    """Regions are referred to by their division code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Region.objects.all())
        super().__init__(**kwargs)


class IdentitySearchSerializer(serializers.Serializer):
    """An exact search on identity number and/or phone, posted so that neither lands in a URL,
    an access log or the browser history. Matched on the keyed hashes; nothing is decrypted."""

    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=32, label=_("identity number")
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, label=_("phone"))

    def validate(self, attrs):
        attrs = {name: "".join(value.split()) for name, value in attrs.items() if value and value.strip()}
        if not attrs:
            raise serializers.ValidationError(
                {"id_number": [_("Give the full identity number or the full phone number.")]}
            )
        return attrs


class OrganizationSerializer(ScopedModelSerializer):
    region = RegionRefField(label=_("region code"))
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "credit_code",
            "region",
            "region_name",
            "address",
            "contact_person",
            "contact_phone",
            "hotline",
            "elderly_care_since",
            "has_property_licence",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class MembershipSerializer(ScopedModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    organization_kind = serializers.CharField(source="organization.kind", read_only=True)
    region = serializers.CharField(source="organization.region.code", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "organization_name", "organization_kind", "region", "role", "role_display"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()
    is_government = serializers.SerializerMethodField()
    region_codes = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "email",
            "is_superuser",
            "is_government",
            "region_codes",
            "memberships",
        ]

    @staticmethod
    def _memberships(user):
        return [m for m in user.memberships.all() if m.is_active]

    def get_memberships(self, user) -> list[dict]:
        return MembershipSerializer(self._memberships(user), many=True).data

    def get_is_government(self, user) -> bool:
        return user.scope.is_government

    def get_region_codes(self, user) -> list[str]:
        return list(user.scope.view_region_codes)


class ApiTokenSerializer(serializers.ModelSerializer):
    expires_days = serializers.IntegerField(
        label=_("valid for (days)"),
        write_only=True,
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_(
            "At most API_TOKEN_MAX_DAYS (365 unless configured); empty for that longest lifetime. "
            "Never beyond the expiry of the token making the request."
        ),
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "key_prefix",
            "read_only",
            "expires_days",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "created_at",
        ]
        read_only_fields = ["key_prefix", "expires_at", "revoked_at", "last_used_at", "created_at"]


class IssuedApiTokenSerializer(ApiTokenSerializer):
    secret = serializers.CharField(read_only=True, help_text=_("Shown once; store it now."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]
