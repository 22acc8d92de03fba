"""Staff API for the ledger (CONTRACT.md "Campaign tracker"): an ask's dated status change
citing one of our statements or a link, invitations to respond and their responses. Who may
call each method is named here (`capabilities`) and decided by accounts/policy.py; the views
validate and call statements/ledger.py, which checks the rules (400) and the right (403)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import re_path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.api import STAFF_ERRORS
from campaigns.models import Ask, AskStatusChange
from statements import ledger
from statements.models import Invitation, Statement

# An id is digits that fit the column: "abc" or a 20-digit number is a 404, never a 500.
ID = r"(?P<pk>[0-9]{1,18})"


class AskStatusIn(serializers.Serializer):
    status = serializers.CharField(max_length=16)
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    statement = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    source_url = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AskStatusOut(serializers.Serializer):
    id = serializers.IntegerField()
    ask = serializers.IntegerField()
    status = serializers.CharField()
    on = serializers.DateField()
    note = serializers.CharField()
    statement = serializers.CharField(allow_null=True, help_text="slug of the cited statement")
    source_url = serializers.CharField()
    current_status = serializers.CharField(help_text="the ask's status after this entry")


def status_change_json(change: AskStatusChange, statement: Statement | None) -> dict:
    return {
        "id": change.pk,
        "ask": change.ask_id,
        "status": change.status,
        "on": change.changed_on.isoformat(),
        "note": change.note,
        "statement": statement.slug if statement else None,
        "source_url": change.source_url,
        "current_status": Ask.objects.values_list("status", flat=True).get(pk=change.ask_id),
    }


class AskStatusView(APIView):
    """POST /api/v1/asks/<id>/status/ {status, on, note?, statement? | source_url?}."""

    capability = "campaigns.manage"

    @extend_schema(
        operation_id="asks_status",
        request=AskStatusIn,
        responses={201: AskStatusOut, **STAFF_ERRORS},
    )
    def post(self, request, pk):
        ask = get_object_or_404(Ask, pk=pk)
        data = AskStatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        change = ledger.ask_status_change(
            ask=ask,
            status=values["status"],
            on=values["on"],
            by=request.user,
            statement_id=values.get("statement"),
            source_url=values.get("source_url", ""),
            note=values.get("note", ""),
        )
        source = getattr(change, "statement_source", None)
        body = status_change_json(change, source.statement if source else None)
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationIn(serializers.Serializer):
    target = serializers.CharField(max_length=80, help_text="target slug")
    due_on = serializers.DateField()
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=254)


class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField()
    statement = serializers.IntegerField()
    target = serializers.CharField()
    due_on = serializers.DateField()
    contact_email = serializers.CharField()
    status = serializers.CharField(help_text="awaiting | responded | no_response")
    responded_on = serializers.DateField(allow_null=True)
    summary = serializers.DictField(child=serializers.CharField())
    url = serializers.CharField()
    document_url = serializers.CharField(allow_null=True)


class InvitationListOut(serializers.Serializer):
    results = InvitationOut(many=True)


def invitation_json(invitation: Invitation) -> dict:
    document = invitation.response_document
    return {
        "id": invitation.pk,
        "statement": invitation.statement_id,
        "target": invitation.target.slug,
        "due_on": invitation.due_on.isoformat(),
        "contact_email": invitation.contact_email,
        "status": invitation.status,
        "responded_on": invitation.responded_on.isoformat() if invitation.responded_on else None,
        "summary": invitation.response_summary,
        "url": invitation.response_url,
        "document_url": document.url if document else None,
    }


class StatementInvitationsView(APIView):
    """GET/POST /api/v1/statements/<id>/invitations/: a statement's invitations to respond."""

    capabilities = {"GET": "statements.read", "POST": "invitations.manage"}

    @extend_schema(
        operation_id="statement_invitations_list",
        responses={200: InvitationListOut, **STAFF_ERRORS},
    )
    def get(self, request, pk):
        statement = get_object_or_404(Statement.objects.only("pk"), pk=pk)
        invitations = Invitation.objects.filter(statement=statement).select_related("target")
        return Response({"results": [invitation_json(i) for i in invitations]})

    @extend_schema(
        operation_id="statement_invitations_create",
        request=InvitationIn,
        responses={201: InvitationOut, **STAFF_ERRORS},
    )
    def post(self, request, pk):
        statement = get_object_or_404(Statement.objects.only("pk"), pk=pk)
        data = InvitationIn(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = ledger.invitation_create(
            statement_id=statement.pk, by=request.user, **data.validated_data
        )
        return Response(invitation_json(invitation), status=status.HTTP_201_CREATED)


class ResponseIn(serializers.Serializer):
    responded_on = serializers.DateField()
    summary = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="{lang}"
    )
    url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    document = serializers.FileField(
        required=False, help_text="PDF, PNG or JPEG, at most 10 MB (multipart)"
    )
    confirm_encoding = serializers.BooleanField(required=False, default=False)


class InvitationResponseView(APIView):
    """POST /api/v1/invitations/<id>/response/ {responded_on, summary?, url?, document?}."""

    capability = "invitations.manage"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="invitation_response",
        request=ResponseIn,
        responses={200: InvitationOut, **STAFF_ERRORS},
    )
    def post(self, request, pk):
        invitation = get_object_or_404(Invitation, pk=pk)
        data = ResponseIn(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, notices = ledger.invitation_respond(
            invitation=invitation, by=request.user, **data.validated_data
        )
        body = invitation_json(invitation)
        if notices:
            body["notices"] = notices
        return Response(body)


urlpatterns = [
    re_path(rf"^v1/asks/{ID}/status/$", AskStatusView.as_view(), name="staff-ask-status"),
    re_path(
        rf"^v1/statements/{ID}/invitations/$",
        StatementInvitationsView.as_view(),
        name="staff-statement-invitations",
    ),
    re_path(
        rf"^v1/invitations/{ID}/response/$",
        InvitationResponseView.as_view(),
        name="staff-invitation-response",
    ),
]
