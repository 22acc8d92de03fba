"""Staff roles as Django groups and the permissions each holds (least privilege).

The data migration statements/migrations/0002_staff_roles.py applies ROLE_PERMISSIONS; the
workflow service checks these permissions, never group names.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ROLES = ("author", "editor", "publisher", "admin")
# What the desk calls each role, in the interface language.
ROLE_LABELS = {
    "author": _("Author"),
    "editor": _("Editor"),
    "publisher": _("Publisher"),
    "admin": _("Administrator"),
}

_READ_REFERENCE = [
    "campaigns.view_campaign",
    "campaigns.view_target",
    "campaigns.view_role",
    "campaigns.view_roleholding",
    "campaigns.view_ask",
    "campaigns.view_askstatuschange",
    "statements.view_boilerplate",
]
_WRITE = [
    "statements.view_statement",
    "statements.add_statement",
    "statements.change_statement",
    "statements.view_statementtranslation",
    "statements.add_statementtranslation",
    "statements.change_statementtranslation",
    "statements.view_revision",
    "statements.view_review",
    "statements.view_correction",
    "statements.view_statementevent",
    "statements.submit_statement",
]
_REVIEW = ["statements.review_statement"]
_PUBLISH = [
    "statements.publish_statement",
    "statements.correct_statement",
    "statements.retract_statement",
    "statements.distribute_statement",
    "contacts.view_contact",
    "contacts.add_contact",
    "contacts.change_contact",
    "contacts.view_medialist",
    "contacts.add_medialist",
    "contacts.change_medialist",
    "contacts.view_membership",
    "contacts.add_membership",
    "contacts.change_membership",
    "contacts.delete_membership",
]

ROLE_PERMISSIONS: dict[str, list[str] | str] = {
    "author": _READ_REFERENCE + _WRITE,
    "editor": _READ_REFERENCE + _WRITE + _REVIEW,
    "publisher": _READ_REFERENCE + _WRITE + _PUBLISH,
    # Admins manage users, roles and reference data: every permission.
    "admin": "*",
}
