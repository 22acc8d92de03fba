"""/api/: the public read-only API, the staff API, and the OpenAPI schema."""

from django.urls import include, path
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

_asks_views: dict[str, object] = {}


@csrf_exempt  # both views are DRF views: the staff one checks CSRF for sessions itself
def asks_collection(request, *args, **kwargs):
    """/api/v1/asks/ is the public list (GET, publishing/api.py) and the staff create (POST,
    campaigns/api.py; CONTRACT.md "Campaign tracker"): a path matches one view, so this one
    hands each method to its own. Views are named as strings, like include(): config
    imports no app."""
    if not _asks_views:
        public = import_string("publishing.api.AskViewSet")
        _asks_views["public"] = public.as_view({"get": "list"}, basename="public-ask")
        _asks_views["staff"] = import_string("campaigns.api.ask_create_view")
    view = _asks_views["staff" if request.method == "POST" else "public"]
    return view(request, *args, **kwargs)


urlpatterns = [
    path("v1/asks/", asks_collection, name="asks-collection"),
    path("", include("publishing.api")),  # /api/v1/releases, campaigns, ..., /api/schema/
    path("", include("statements.api")),  # /api/v1/statements (staff)
    path("", include("statements.ledger_api")),  # asks/<id>/status, invitations (staff)
    path("", include("campaigns.api")),  # POST /api/v1/asks/ (staff; routed above)
    path("", include("contacts.api")),  # /api/v1/contacts, /api/v1/media-lists (staff)
    path("", include("distribution.api")),  # /api/v1/distributions (staff)
]
