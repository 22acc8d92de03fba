"""Staff API for the campaign tracker's asks (CONTRACT.md "Campaign tracker"): POST
/api/v1/asks/ creates an ask. Who may call is named here (`capability`) and decided by the one
access policy (accounts/policy.py, the default DRF permission class); the view validates and
calls campaigns/services.py. Status changes (which may cite a statement) are in
statements/ledger_api.py.

/api/v1/asks/ is also the public list of asks (publishing/api.py): config/urls_api.py sends
POST here and every other method there.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import services


class ApiError(serializers.Serializer):
    """Every refusal: {"message", "extra"} (config/api_errors.py)."""

    message = serializers.CharField()
    extra = serializers.DictField()


STAFF_ERRORS = {
    400: OpenApiResponse(ApiError, description="A rule broken: the message names it"),
    401: OpenApiResponse(ApiError, description="No credentials"),
    403: OpenApiResponse(ApiError, description="The role lacks the right"),
    404: OpenApiResponse(ApiError, description="Not found"),
}


class AskIn(serializers.Serializer):
    campaign = serializers.CharField(max_length=80, help_text="campaign slug")
    slug = serializers.CharField(max_length=80)
    text = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="{lang}")
    targets = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, help_text="target slugs"
    )
    roles = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, help_text="role slugs"
    )
    confirm_encoding = serializers.BooleanField(required=False, default=False)


class AskCreated(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    status = serializers.CharField()
    notices = serializers.ListField(child=serializers.DictField(), required=False)


class AskCreateView(APIView):
    """POST /api/v1/asks/: a new open ask (editors, publishers and admins)."""

    capability = "campaigns.manage"

    @extend_schema(
        operation_id="asks_create", request=AskIn, responses={201: AskCreated, **STAFF_ERRORS}
    )
    def post(self, request):
        data = AskIn(data=request.data)
        data.is_valid(raise_exception=True)
        ask, notices = services.ask_create(by=request.user, **data.validated_data)
        body = {"id": ask.pk, "slug": ask.slug, "status": ask.status}
        if notices:
            body["notices"] = notices
        return Response(body, status=status.HTTP_201_CREATED)


ask_create_view = AskCreateView.as_view()

# Listed for the schema; at run time config/urls_api.py routes POST /api/v1/asks/ here.
urlpatterns = [path("v1/asks/", ask_create_view, name="staff-ask-create")]
