"""REST API of this app; ``register`` adds its viewsets to the project's router.

``/api/dashboard/`` returns the dashboard's figures as JSON, read from the roll-up's
snapshots, each with its snapshot time and list URL, scoped to the caller: HQ the
district (or ``?unit=street_office-3``), a street office itself (or one of its
communities), a community lead their community. Another unit answers 404."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from reports import dashboard, services
from reports.units import unit_for


class DashboardViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unit",
                OpenApiTypes.STR,
                description="统计单位，如 district-1、street_office-3、community-7",
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="驾驶舱统计（快照）",
    )
    def list(self, request):
        if not request.user.role:
            raise Http404
        unit = unit_for(request.user, request.query_params.get("unit"))
        services.ensure_fresh(actor=request.user)
        board = dashboard.build(unit, timezone.localdate())
        return Response(dashboard.as_json(board))


def register(router):
    router.register("dashboard", DashboardViewSet, basename="dashboard")
