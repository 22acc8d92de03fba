"""OpenAPI security schemes for the staff API's authentication (drf-spectacular)."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.policy.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`: made in the desk (/desk/tokens/) or by add_staff.",
        }


class StaffSessionScheme(SessionScheme):
    target_class = "accounts.policy.StaffSessionAuthentication"
