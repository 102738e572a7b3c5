from rest_framework import serializers


class DutyRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="key")
    name = serializers.CharField()
    detail = serializers.CharField()
    publicity_events = serializers.IntegerField()
    resource_updates = serializers.IntegerField()
    services = serializers.IntegerField()
    care_visits = serializers.IntegerField()
    volunteer_hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    full_time_staff = serializers.IntegerField(allow_null=True)


class DutiesSerializer(serializers.Serializer):
    month = serializers.CharField()
    people = DutyRowSerializer(many=True)
    stations = DutyRowSerializer(many=True)
