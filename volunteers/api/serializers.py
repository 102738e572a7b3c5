from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedChoicesMixin, ScopedModelSerializer
from accounts.api.serializers import RegionRefField
from accounts.models import Organization
from staff.models import StaffMember
from volunteers.models import PointsEntry, Reward, VolunteerActivity, VolunteerHours, VolunteerTeam


class VolunteerTeamSerializer(ScopedModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    community = RegionRefField(label=_("street or community code"))
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=StaffMember.objects.all(), required=False
    )

    class Meta:
        model = VolunteerTeam
        fields = ["id", "name", "organization", "station", "community", "leader", "members", "founded_on"]

    scoped_choices = {"organization": "edit", "station": "edit", "leader": "edit", "members": "edit"}


class VolunteerHoursSerializer(ScopedModelSerializer):
    volunteer = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    points = serializers.IntegerField(source="points_entry.points", read_only=True, default=None)

    class Meta:
        model = VolunteerHours
        fields = ["volunteer", "volunteer_name", "hours", "points"]

    scoped_choices = {"volunteer": "edit"}


class VolunteerActivitySerializer(ScopedModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=VolunteerTeam.objects.all())
    hours = VolunteerHoursSerializer(many=True, required=False)

    class Meta:
        model = VolunteerActivity
        fields = ["id", "team", "held_on", "category", "title", "note", "hours"]

    scoped_choices = {"team": "edit"}


class RewardSerializer(ScopedModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())

    class Meta:
        model = Reward
        fields = ["id", "organization", "name", "points", "stock", "is_active"]

    scoped_choices = {"organization": "edit"}


class PointsEntrySerializer(ScopedModelSerializer):
    volunteer = serializers.IntegerField(source="account.volunteer_id", read_only=True)
    volunteer_name = serializers.CharField(source="account.volunteer.name", read_only=True)
    reward_name = serializers.CharField(source="reward.name", read_only=True, default=None)

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "kind",
            "points",
            "balance_after",
            "hours",
            "reward",
            "reward_name",
            "quantity",
            "reverses",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class SpendSerializer(ScopedChoicesMixin, serializers.Serializer):
    volunteer = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    reward = serializers.PrimaryKeyRelatedField(queryset=Reward.objects.all())
    quantity = serializers.IntegerField(min_value=1, default=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    scoped_choices = {"volunteer": "edit", "reward": "edit"}


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField()


class StatementSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(source="volunteer.pk")
    volunteer_name = serializers.CharField(source="volunteer.name")
    start = serializers.DateField()
    end = serializers.DateField()
    opening = serializers.IntegerField()
    earned = serializers.IntegerField()
    spent = serializers.IntegerField()
    closing = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    entries = PointsEntrySerializer(many=True)
