"""REST API of the organisation and the ledger. Scoped exactly as the pages are."""

from rest_framework import serializers

from estates import services
from estates.api_base import ScopedModelViewSet, ScopedPrimaryKeyRelatedField, ScopedReadOnlyViewSet
from estates.filtersets import CommunityFilterSet, EstateFilterSet
from estates.models import Campaign, Community, Estate, StreetOffice, WorksItem


class StreetOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StreetOffice
        fields = ["id", "name", "short_name"]


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "name", "street_office"]


class WorksItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorksItem
        fields = ["id", "number", "name", "short_name", "default_unit"]


class EstateSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(queryset=Community.objects.all(), label="社区")
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), allow_null=True, required=False, label="整治批次"
    )
    street_office = serializers.IntegerField(
        source="community.street_office_id", read_only=True, label="街道办事处"
    )
    target = serializers.CharField(source="target_name", read_only=True, label="整治目标")
    archived = serializers.BooleanField(source="is_archived", read_only=True, label="已归档")

    class Meta:
        model = Estate
        fields = [
            "id",
            "street_office",
            *services.ESTATE_FIELDS,
            "target",
            "archived",
            "created_at",
            "updated_at",
        ]
        # Uniqueness is checked by the model's full_clean in the service, once for all.
        validators = []

    def create(self, validated_data):
        return services.create_estate(actor=self.context["request"].user, values=validated_data)

    def update(self, instance, validated_data):
        services.update_estate(instance, actor=self.context["request"].user, values=validated_data)
        return Estate.objects.with_org().get(pk=instance.pk)


class StreetOfficeViewSet(ScopedReadOnlyViewSet):
    queryset = StreetOffice.objects.all()
    serializer_class = StreetOfficeSerializer


class CommunityViewSet(ScopedReadOnlyViewSet):
    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet


class WorksItemViewSet(ScopedReadOnlyViewSet):
    queryset = WorksItem.objects.all()
    reference_data = True  # the same twelve items for every logged-in user
    serializer_class = WorksItemSerializer
    pagination_class = None


class EstateViewSet(ScopedModelViewSet):
    """The ledger. Compounds are archived by HQ on the page, never deleted."""

    queryset = Estate.objects.with_org()
    serializer_class = EstateSerializer
    filterset_class = EstateFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering_fields = ["name", "household_count", "build_year", "updated_at"]

    def can_write(self, user, obj=None):
        return services.can_edit_estate(user, obj)


def register(router):
    router.register("street-offices", StreetOfficeViewSet, basename="street-office")
    router.register("communities", CommunityViewSet, basename="community")
    router.register("works-items", WorksItemViewSet, basename="works-item")
    router.register("estates", EstateViewSet, basename="estate")
