"""Staff JSON API for statements: /api/v1/statements/ and its actions. Every write calls the
workflow service; a broken rule answers 400, a missing right 403 (config/api_errors.py)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from statements import serializers as s
from statements import workflow
from statements.models import Statement
from statements.selectors import with_guard_data


def _respond(view, statement: Statement, notices: list | None = None, code=status.HTTP_200_OK):
    statement = view.get_queryset().get(pk=statement.pk)
    data = s.StatementOutSerializer(statement, context=view.get_serializer_context()).data
    if notices:
        data["notices"] = notices
    return Response(data, status=code)


def _existing_pk(pk) -> int:
    """The id of a statement that exists: 404 (not a 400 or a 500) for any other."""
    return get_object_or_404(Statement.objects.only("pk"), pk=pk).pk


def _comment_action(name: str, service, serializer_class=s.CommentSerializer):
    """A POST /statements/<id>/<name>/ action that validates its body and calls `service`."""

    # format: DefaultRouter also routes <action>.json; the renderer reads it, not us.
    def handler(self, request, pk=None, format=None):  # noqa: A002
        statement_id = _existing_pk(pk)  # an unknown statement is a 404 whatever the body
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        statement = service(statement_id=statement_id, by=request.user, **payload.validated_data)
        return _respond(self, statement)

    # DRF maps the HTTP method to the function's name, so name it before decorating.
    handler.__name__ = name.replace("-", "_")
    handler = action(detail=True, methods=["post"], url_path=name)(handler)
    return extend_schema(request=serializer_class, responses=s.StatementOutSerializer)(handler)


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # Who may call: accounts/policy.py (the default StaffApiPermission, "statements.read").
    capability = "statements.read"
    # An id is digits that fit the column: "abc" or a 20-digit number is a 404, never a 500.
    lookup_value_regex = r"[0-9]{1,18}"
    serializer_class = s.StatementOutSerializer
    # Everything the serializer's "actions" (the transition guards) read, prefetched: the list
    # costs the same queries for 5 statements as for 500 (statements/selectors.py).
    queryset = with_guard_data(Statement.objects.all()).order_by("-updated_at", "-pk")

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.query_params.get("state")
        return qs.filter(state=state) if state else qs

    @extend_schema(request=s.StatementInSerializer, responses={201: s.StatementOutSerializer})
    def create(self, request):
        payload = s.StatementInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "campaign" not in data:
            return Response(
                {"message": "campaign: This field is required.", "extra": {}}, status=400
            )
        statement, notices = workflow.statement_create(
            by=request.user,
            campaign=data.pop("campaign"),
            translations=data.pop("translations", {}),
            **data,
        )
        return _respond(self, statement, notices, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.StatementInSerializer, responses=s.StatementOutSerializer)
    def partial_update(self, request, pk=None):
        payload = s.StatementInSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        for fixed in ("campaign", "slug"):
            if data.pop(fixed, None) is not None:
                return Response(
                    {"message": f"{fixed} cannot be changed after creation.", "extra": {}},
                    status=400,
                )
        statement, notices = workflow.statement_edit(
            statement_id=_existing_pk(pk),
            by=request.user,
            translations=data.pop("translations", None),
            confirm_encoding=data.pop("confirm_encoding", False),
            **data,
        )
        return _respond(self, statement, notices)

    update = partial_update

    submit = _comment_action("submit", workflow.statement_submit)
    approve = _comment_action("approve", workflow.statement_approve)
    request_changes = _comment_action(
        "request-changes", workflow.statement_request_changes, s.RequestChangesSerializer
    )
    schedule = _comment_action("schedule", workflow.statement_schedule, s.ScheduleSerializer)
    unschedule = _comment_action("unschedule", workflow.statement_unschedule)
    publish = _comment_action("publish", workflow.statement_publish)
    correct = _comment_action("correct", workflow.statement_correct, s.CorrectSerializer)
    retract = _comment_action("retract", workflow.statement_retract, s.RetractSerializer)
    defer_translation = _comment_action(
        "defer-translation", workflow.statement_defer_translation, s.DeferSerializer
    )
    set_embargo = _comment_action(
        "set-embargo", workflow.statement_set_embargo, s.SetEmbargoSerializer
    )


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("statements", StatementViewSet, basename="staff-statement")

urlpatterns = [path("v1/", include(router.urls))]
