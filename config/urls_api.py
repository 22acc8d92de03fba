"""/api/: the public read-only API, the staff API, and the OpenAPI schema."""

from django.urls import include, path

urlpatterns = [
    path("", include("publishing.api")),  # /api/v1/releases, campaigns, ..., /api/schema/
    path("", include("statements.api")),  # /api/v1/statements (staff)
    path("", include("contacts.api")),  # /api/v1/contacts, /api/v1/media-lists (staff)
    path("", include("distribution.api")),  # /api/v1/distributions (staff)
]
