"""Staff API for contacts and media lists (CONTRACT.md): publishers and admins only.

Who may call each method is named here (`capabilities`) and decided by the one access policy
(accounts/policy.py, the default DRF permission class); views validate and call
contacts/services.py.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts import services
from contacts.models import Contact, MediaList


class ContactIn(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    languages = serializers.ListField(child=serializers.CharField(max_length=8))
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True)
    beat = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    media_lists = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    embargo_trusted = serializers.BooleanField(required=False)
    plain_text_only = serializers.BooleanField(required=False)
    consent_basis = serializers.CharField(max_length=24, required=False, allow_blank=True)
    consent_date = serializers.DateField(required=False, allow_null=True)


class ContactPatch(ContactIn):
    email = None
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False)


class ContactOut(serializers.Serializer):
    """Schema of contact_json (documentation only)."""

    id = serializers.IntegerField()
    email = serializers.CharField()
    name = serializers.CharField()
    outlet = serializers.CharField()
    beat = serializers.CharField()
    country = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    embargo_trusted = serializers.BooleanField()
    plain_text_only = serializers.BooleanField(help_text="no HTML part in this contact's email")
    consent_basis = serializers.CharField()
    consent_date = serializers.DateField(allow_null=True)
    status = serializers.CharField(
        help_text="active | unsubscribed | bounced | complained | erased"
    )
    media_lists = serializers.ListField(child=serializers.CharField())


class ContactListOut(serializers.Serializer):
    results = ContactOut(many=True)


class MediaListOut(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    embargo_trusted = serializers.BooleanField()
    contacts = serializers.IntegerField(required=False, help_text="active contacts")


class MediaListListOut(serializers.Serializer):
    results = MediaListOut(many=True)


def contact_json(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "email": contact.email,
        "name": contact.name,
        "outlet": contact.outlet,
        "beat": contact.beat,
        "country": contact.country,
        "languages": contact.languages,
        "embargo_trusted": contact.embargo_trusted,
        "plain_text_only": contact.plain_text_only,
        "consent_basis": contact.consent_basis,
        "consent_date": contact.consent_date.isoformat() if contact.consent_date else None,
        "status": contact.status,
        "media_lists": [m.media_list.slug for m in contact.memberships.all()],
    }


def media_list_json(media_list: MediaList, contacts: int | None = None) -> dict:
    data = {
        "id": media_list.pk,
        "slug": media_list.slug,
        "name": media_list.name,
        "embargo_trusted": media_list.embargo_trusted,
    }
    if contacts is not None:
        data["contacts"] = contacts
    return data


class ContactsView(APIView):
    capabilities = {"GET": "contacts.view", "POST": "contacts.add"}

    @extend_schema(operation_id="contacts_list", responses=ContactListOut)
    def get(self, request):
        contacts = Contact.objects.prefetch_related("memberships__media_list")
        if slug := request.query_params.get("media_list"):
            contacts = contacts.filter(memberships__media_list__slug=slug)
        if state := request.query_params.get("status"):
            contacts = contacts.filter(status=state)
        return Response({"results": [contact_json(c) for c in contacts[:1000]]})

    @extend_schema(operation_id="contacts_create", request=ContactIn, responses={201: ContactOut})
    def post(self, request):
        data = ContactIn(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_create(**data.validated_data)
        return Response(contact_json(contact), status=status.HTTP_201_CREATED)


class ContactView(APIView):
    capabilities = {"GET": "contacts.view", "PATCH": "contacts.change"}

    @extend_schema(operation_id="contacts_retrieve", responses=ContactOut)
    def get(self, request, pk: int):
        return Response(contact_json(get_object_or_404(Contact, pk=pk)))

    @extend_schema(
        operation_id="contacts_partial_update", request=ContactPatch, responses=ContactOut
    )
    def patch(self, request, pk: int):
        get_object_or_404(Contact, pk=pk)
        data = ContactPatch(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        contact = services.contact_update(contact_id=pk, **data.validated_data)
        return Response(contact_json(contact))


class ContactActionView(APIView):
    """POST /api/v1/contacts/<id>/unsubscribe/ and /erase/ (erasure is for admins)."""

    def get_capability(self, request) -> str:
        return "contacts.erase" if self.kwargs["action"] == "erase" else "contacts.change"

    @extend_schema(request=None, responses=ContactOut)
    def post(self, request, pk: int, action: str):
        get_object_or_404(Contact, pk=pk)
        if action == "unsubscribe":
            contact = services.contact_unsubscribe(contact_id=pk)
        else:
            services.contact_erase(contact_id=pk)
            contact = Contact.objects.get(pk=pk)
        return Response(contact_json(contact))


class MediaListIn(serializers.Serializer):
    slug = serializers.CharField(max_length=80)
    name = serializers.CharField(max_length=200)
    embargo_trusted = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class MediaListsView(APIView):
    capabilities = {"GET": "media_lists.view", "POST": "media_lists.add"}

    @extend_schema(operation_id="media_lists_list", responses=MediaListListOut)
    def get(self, request):

        lists = MediaList.objects.annotate(
            active=Count("memberships", filter=Q(memberships__contact__status="active"))
        )
        return Response({"results": [media_list_json(m, m.active) for m in lists]})

    @extend_schema(
        operation_id="media_lists_create", request=MediaListIn, responses={201: MediaListOut}
    )
    def post(self, request):
        data = MediaListIn(data=request.data)
        data.is_valid(raise_exception=True)
        media_list = services.media_list_create(**data.validated_data)
        return Response(media_list_json(media_list), status=status.HTTP_201_CREATED)


urlpatterns = [
    path("v1/contacts/", ContactsView.as_view(), name="api-contacts"),
    path("v1/contacts/<int:pk>/", ContactView.as_view(), name="api-contact"),
    path(
        "v1/contacts/<int:pk>/unsubscribe/",
        ContactActionView.as_view(),
        {"action": "unsubscribe"},
        name="api-contact-unsubscribe",
    ),
    path(
        "v1/contacts/<int:pk>/erase/",
        ContactActionView.as_view(),
        {"action": "erase"},
        name="api-contact-erase",
    ),
    path("v1/media-lists/", MediaListsView.as_view(), name="api-media-lists"),
]
