"""Staff API for distributions (CONTRACT.md): start a send, watch its counts, pause/resume/cancel.

Rules are in distribution/services.py; refusals come back as 400 (rule) or 403 (role).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import RuleBroken
from distribution import leak_refs, services
from distribution.models import Distribution


class DistributionIn(serializers.Serializer):
    statement = serializers.IntegerField()
    media_lists = serializers.ListField(
        child=serializers.SlugField(max_length=80), required=False, default=list
    )
    # Saved filters (desk: Contacts > Segments); their contacts are fixed when the send starts.
    segments = serializers.ListField(
        child=serializers.SlugField(max_length=80), required=False, default=list
    )
    # A plain string: the service names the kinds when refusing an unknown one (and a second
    # "kind" enum would collide with the statements' one in the OpenAPI schema).
    kind = serializers.CharField(
        required=False,
        default=Distribution.Kind.RELEASE,
        help_text="release | correction | retraction",
    )
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CountsOut(serializers.Serializer):
    pending = serializers.IntegerField()
    sending = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    bounced = serializers.IntegerField()
    skipped = serializers.IntegerField()


class DistributionOut(serializers.Serializer):
    """Schema of distribution_json (documentation only)."""

    id = serializers.IntegerField()
    statement = serializers.IntegerField()
    kind = serializers.CharField(help_text="release | correction | retraction")
    status = serializers.CharField(help_text="queued | sending | paused | done | cancelled")
    needs_confirmation = serializers.BooleanField()
    hold_reason = serializers.CharField()
    media_lists = serializers.ListField(child=serializers.CharField())
    segments = serializers.ListField(child=serializers.CharField())
    send_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    counts = CountsOut()


class DistributionListOut(serializers.Serializer):
    results = DistributionOut(many=True)


def distribution_json(distribution: Distribution) -> dict:
    return {
        "id": distribution.pk,
        "statement": distribution.statement_id,
        "kind": distribution.kind,
        "status": distribution.state,
        "needs_confirmation": distribution.needs_confirmation,
        "hold_reason": distribution.hold_reason,
        "media_lists": [m.slug for m in distribution.media_lists.all()],
        "segments": [s.slug for s in distribution.segments.all()],
        "send_at": distribution.send_at.isoformat() if distribution.send_at else None,
        "started_at": distribution.started_at.isoformat() if distribution.started_at else None,
        "finished_at": distribution.finished_at.isoformat() if distribution.finished_at else None,
        "counts": services.distribution_counts(distribution=distribution),
    }


# Who may call these: accounts/policy.py through the default StaffApiPermission (any staff
# role reads counts, never addresses); starting and acting on a send: the services ask it.
class DistributionsView(APIView):
    capabilities = {"GET": "sends.view"}

    @extend_schema(operation_id="distributions_list", responses=DistributionListOut)
    def get(self, request):
        rows = Distribution.objects.prefetch_related("media_lists", "segments")[:100]
        return Response({"results": [distribution_json(d) for d in rows]})

    @extend_schema(
        operation_id="distributions_create",
        request=DistributionIn,
        responses={201: DistributionOut},
    )
    def post(self, request):
        data = DistributionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        distribution = services.distribution_start(
            statement_id=values["statement"],
            media_list_slugs=values["media_lists"],
            segment_slugs=values["segments"],
            kind=values["kind"],
            send_at=values["send_at"],
            by=request.user,
        )
        return Response(distribution_json(distribution), status=status.HTTP_201_CREATED)


class DistributionView(APIView):
    capability = "sends.view"

    @extend_schema(operation_id="distributions_retrieve", responses=DistributionOut)
    def get(self, request, pk: int):
        return Response(distribution_json(get_object_or_404(Distribution, pk=pk)))


_ACTIONS = {
    "pause": services.distribution_pause,
    "resume": services.distribution_resume,
    "cancel": services.distribution_cancel,
    "confirm": services.distribution_confirm_late,
}


class DistributionActionView(APIView):
    @extend_schema(request=None, responses=DistributionOut)
    def post(self, request, pk: int, action: str):
        get_object_or_404(Distribution, pk=pk)
        distribution = _ACTIONS[action](distribution_id=pk, by=request.user)
        return Response(distribution_json(distribution))


class DeliveryOut(serializers.Serializer):
    """Schema of leak_refs.trace_json (documentation only)."""

    reference = serializers.CharField()
    id = serializers.IntegerField()
    distribution = serializers.IntegerField()
    statement = serializers.CharField(help_text="the statement's slug")
    contact = serializers.IntegerField(allow_null=True)
    email = serializers.CharField(help_text="the address the copy was sent to")
    name = serializers.CharField()
    state = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)


class DeliveriesView(APIView):
    """GET /api/v1/deliveries/?ref=<reference>: whose copy of an embargoed release carried
    this reference (CONTRACT.md). Each lookup that finds one is recorded on the statement."""

    capability = "deliveries.trace"

    @extend_schema(
        operation_id="deliveries_trace",
        parameters=[
            OpenApiParameter("ref", str, required=True, description="e.g. K7QD-3MX9-PA"),
        ],
        responses={200: DeliveryOut},
    )
    def get(self, request):
        reference = leak_refs.normalise(request.query_params.get("ref", ""))
        if reference is None:
            raise RuleBroken(
                "Give ref=<reference>: ten letters and digits as printed in the message, "
                "such as K7QD-3MX9-PA.",
                field="ref",
            )
        traces = leak_refs.deliveries_trace(text=reference, by=request.user, via="api")
        if not traces:
            return Response(
                {"message": "No copy carries this reference.", "extra": {"ref": reference}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(leak_refs.trace_json(traces[0]))


urlpatterns = [
    path("v1/deliveries/", DeliveriesView.as_view(), name="api-deliveries"),
    path("v1/distributions/", DistributionsView.as_view(), name="api-distributions"),
    path("v1/distributions/<int:pk>/", DistributionView.as_view(), name="api-distribution"),
] + [
    path(
        f"v1/distributions/<int:pk>/{action}/",
        DistributionActionView.as_view(),
        {"action": action},
        name=f"api-distribution-{action}",
    )
    for action in _ACTIONS
]
