"""The public read-only API (/api/v1/releases, campaigns, targets, asks) and the OpenAPI schema.

Anonymous, throttled, CORS for GET. Query parameters are strict: an unknown parameter or a
malformed value is a 400 {"message", "extra"}, never silently ignored. Every 200 carries an
ETag (a hash of the body) and, for releases, Last-Modified; a conditional GET answers 304.
"""

from __future__ import annotations

import hashlib

import django_filters
from django.conf import settings
from django.core.cache import cache
from django.urls import include, path
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, permissions, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from publishing.cache import PublicApiCacheMixin
from publishing.serializers import (
    AskDetailSerializer,
    AskSerializer,
    CampaignSerializer,
    ErrorSerializer,
    ReleaseSerializer,
    TargetDetailSerializer,
    TargetSerializer,
)
from publishing.tracker import ask_ledger, target_ledger
from publishing.visibility import (
    annotate_public_parent,
    in_language,
    public_asks,
    public_campaigns,
    public_or_tombstone,
    public_targets,
    published_releases,
    readable_languages,
    release_last_modified,
    releases_last_modified,
    search_filter,
)
from statements.models import Statement

MAX_PAGE_SIZE = 100
LIST_CACHE_SECONDS = 60


class PublicAnonThrottle(AnonRateThrottle):
    """The anon rate, read when used (so settings can change it, in tests and the bench)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class PublicPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (not raw.isdigit() or int(raw) < 1):
            raise exceptions.ValidationError({"page": ["A whole number from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with a malformed value raised as a 400 instead of ignored."""

    raise_exception = True


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Unknown parameter or malformed value"),
    404: OpenApiResponse(ErrorSerializer, description="Not found"),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests"),
}


class PublicReadOnly(PublicApiCacheMixin, viewsets.ReadOnlyModelViewSet):
    """Shared by the public endpoints: anonymous, throttled, strict, conditional, kept in the
    page cache (publishing/cache.py)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicAnonThrottle]
    pagination_class = PublicPagination
    filter_backends = [StrictFilterBackend]
    # Any path segment reaches the view, so a malformed key is a JSON 404, not an HTML one.
    lookup_value_regex = "[^/]+"

    def allowed_query_params(self) -> set[str]:
        allowed = {"format"}
        if self.action == "list":
            allowed |= {"page", "page_size"}
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
        return allowed

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        params = request.query_params
        unknown = sorted(set(params) - self.allowed_query_params())
        if unknown:
            raise exceptions.ValidationError(
                {name: ["Unknown query parameter."] for name in unknown}
            )
        empty = sorted(name for name in params if name != "q" and not params.get(name))
        if empty:
            raise exceptions.ValidationError(
                {name: ["Give a value, or leave the parameter out."] for name in empty}
            )
        repeated = sorted(name for name in params if len(params.getlist(name)) > 1)
        if repeated:
            raise exceptions.ValidationError(
                {name: ["Give this parameter once."] for name in repeated}
            )

    def last_modified(self):
        return None

    def content_languages(self) -> list[str]:
        """The languages of the body: reference data carries every configured language."""
        return [code for code, _name in settings.LANGUAGES]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        # Said here, not by LocaleMiddleware (the browser's language, not the body's).
        response["Content-Language"] = ", ".join(self.content_languages())
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=60"
        modified = self.last_modified()
        timestamp = int(modified.timestamp()) if modified else None
        if timestamp:
            response["Last-Modified"] = http_date(timestamp)
        conditional = get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )
        if conditional is not response:
            for header in (
                "Cache-Control",
                "Vary",
                "Access-Control-Allow-Origin",
                "Content-Language",
            ):
                if header in response and header not in conditional:
                    conditional[header] = response[header]
        return conditional


class ReleaseFilter(django_filters.FilterSet):
    # Choices are the public ones: a hidden slug is as unknown as a made-up one.
    campaign = django_filters.ModelChoiceFilter(
        queryset=lambda request: public_campaigns(),
        to_field_name="slug",
        method="filter_campaign",
        help_text="Campaign slug.",
    )
    target = django_filters.ModelChoiceFilter(
        queryset=lambda request: public_targets(),
        to_field_name="slug",
        field_name="targets",
        help_text="Target slug.",
    )
    language = django_filters.ChoiceFilter(
        choices=list(settings.LANGUAGES),
        method="filter_language",
        help_text="Only releases published in this language.",
    )
    published_after = django_filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601, inclusive."
    )
    published_before = django_filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="ISO 8601, exclusive."
    )
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, help_text="Words in the title, summary or body."
    )

    class Meta:
        model = Statement
        fields: list = []

    def filter_campaign(self, queryset, name, value):
        return queryset.filter(campaign=value)

    def filter_language(self, queryset, name, value):
        return in_language(queryset, value)

    def filter_q(self, queryset, name, value):
        return search_filter(queryset, value)


@extend_schema_view(
    list=extend_schema(
        summary="Published releases, newest first",
        responses={200: ReleaseSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One release (a retracted one answers with status retracted and no body)",
        responses={200: ReleaseSerializer, **ERRORS},
    ),
)
class ReleaseViewSet(PublicReadOnly):
    serializer_class = ReleaseSerializer
    filterset_class = ReleaseFilter
    lookup_field = "slug"

    def get_queryset(self):
        if self.action == "retrieve":
            # A retracted release keeps its URL: status "retracted", no body.
            return public_or_tombstone()
        return published_releases()

    def list(self, request, *args, **kwargs):
        # A page is kept while the public set is unchanged: the key holds the time it last
        # changed (an edit, a publication, an embargo running out, a retraction). Reference
        # data (campaign or target names) may show up to LIST_CACHE_SECONDS late.
        self._last_modified = releases_last_modified()
        key = (
            "public-releases:"
            + hashlib.sha256(
                f"{request.scheme}://{request.get_host()}{request.get_full_path()}|"
                f"{self._last_modified}".encode()
            ).hexdigest()
        )
        data = cache.get(key)
        if data is None:
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, LIST_CACHE_SECONDS)
        return Response(data)

    def last_modified(self):
        if self.action == "retrieve":
            obj = getattr(self, "_object", None)
            return release_last_modified(obj) if obj is not None else None
        return getattr(self, "_last_modified", None)

    def content_languages(self) -> list[str]:
        if self.action == "retrieve":
            obj = getattr(self, "_object", None)
            if obj is not None:
                return readable_languages(obj) or super().content_languages()
        language = self.request.query_params.get("language")
        if language in dict(settings.LANGUAGES):  # validated by the filter before a 200
            return [language]
        return super().content_languages()

    def get_object(self):
        self._object = super().get_object()
        return self._object


@extend_schema_view(
    list=extend_schema(responses={200: CampaignSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: CampaignSerializer, **ERRORS}),
)
class CampaignViewSet(PublicReadOnly):
    """Campaigns with at least one public release."""

    serializer_class = CampaignSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return public_campaigns().order_by("slug")


@extend_schema_view(
    list=extend_schema(responses={200: TargetSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: TargetDetailSerializer, **ERRORS}),
)
class TargetViewSet(PublicReadOnly):
    """Targets a public release refers to (visibility.public_targets); one target with its
    roles, asks and invitations (CONTRACT.md "Campaign tracker")."""

    serializer_class = TargetSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return annotate_public_parent(public_targets().select_related("parent")).order_by("slug")

    def retrieve(self, request, *args, **kwargs):
        ledger = target_ledger(kwargs[self.lookup_field])
        if ledger is None:
            raise exceptions.NotFound()
        return Response(TargetDetailSerializer(ledger, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(responses={200: AskSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: AskDetailSerializer, **ERRORS}),
)
class AskViewSet(PublicReadOnly):
    """Asks made in at least one public release (an ask prepared for an unpublished release
    stays private); one ask with its history and releases (CONTRACT.md "Campaign tracker").
    POST /api/v1/asks/ is the staff create: config/urls_api.py routes it to campaigns/api.py."""

    serializer_class = AskSerializer

    def retrieve(self, request, *args, **kwargs):
        ledger = ask_ledger(kwargs[self.lookup_field])
        if ledger is None:
            raise exceptions.NotFound()
        return Response(AskDetailSerializer(ledger, context={"request": request}).data)

    def get_queryset(self):
        return (
            public_asks()
            .select_related("campaign")
            .prefetch_related("targets")
            .order_by("campaign__slug", "slug", "pk")
        )


router = SimpleRouter()
router.register("releases", ReleaseViewSet, basename="public-release")
router.register("campaigns", CampaignViewSet, basename="public-campaign")
router.register("targets", TargetViewSet, basename="public-target")
router.register("asks", AskViewSet, basename="public-ask")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
