from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response

from accounts import exports, services
from accounts.models import ApiToken, Organization, User
from reports.exporting import ExcelExportViewSetMixin

from .base import ScopedModelViewSet
from .filters import OrganizationFilter
from .serializers import ApiTokenSerializer, IssuedApiTokenSerializer, MeSerializer, OrganizationSerializer


class OrganizationViewSet(ExcelExportViewSetMixin, ScopedModelViewSet):
    """Organisations: government users see their region's subtree, others their own.
    ``export/`` downloads the filtered list as Excel."""

    export_definition = exports.ORGANIZATIONS

    queryset = Organization.objects.select_related("region")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    ordering_fields = ["name", "created_at", "region__code"]
    ordering = ["region__code", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.create_organization(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_organization(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )


class MeView(RetrieveAPIView):
    """The authenticated user, their organisations and roles, and the regions they oversee."""

    serializer_class = MeSerializer

    def get_object(self):
        user = self.request.user
        user._prefetched_objects_cache = {}
        # The model itself: with session authentication request.user is a lazy wrapper.
        return User.objects.prefetch_related("memberships__organization__region").get(pk=user.pk)


class ApiTokenViewSet(
    ExcelExportViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your own API tokens. Creating one returns its secret once; ``revoke`` ends it."""

    export_definition = exports.API_TOKENS
    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        # Tokens are personal, even for superusers through the API.
        return super().get_queryset().filter(user=self.request.user)

    @extend_schema(responses={201: IssuedApiTokenSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.issue_token(
            request.user,
            name=serializer.validated_data["name"],
            read_only=serializer.validated_data.get("read_only", False),
            expires_days=serializer.validated_data.get("expires_days"),
            by=request.user,
            via=request.auth if isinstance(request.auth, ApiToken) else None,
        )
        token.secret = secret
        return Response(IssuedApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiTokenSerializer, description=_("Revoke the token at once."))
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.revoke_token(self.get_object(), by=request.user)
        return Response(self.get_serializer(token).data)
