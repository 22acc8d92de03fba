"""/desk/: the staff desk of every app (statements, sends, contacts, search, login and 2FA)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from desk.views import (
    account,
    contacts,
    contacts_import,
    editor,
    organisation,
    sends,
    tracker_asks,
    tracker_campaigns,
    tracker_invitations,
    tracker_reference,
)
from desk.views import channels as channel_views
from desk.views import contacts_export as exports
from desk.views import inbox as inbox_views
from desk.views import statements as v
from desk.views.language import choose_language
from desk.views.leak_trace import leak_trace
from desk.views.search import desk_search

# The campaign tracker (before statements/<pk>/<name>/, which would take .../invitations/).
tracker_urlpatterns = [
    path("campaigns/", tracker_campaigns.campaign_list, name="desk-campaigns"),
    path("campaigns/new/", tracker_campaigns.campaign_new, name="desk-campaign-new"),
    path("campaigns/<slug:slug>/", tracker_campaigns.campaign_detail, name="desk-campaign"),
    path(
        "campaigns/<slug:slug>/dashboard/",
        tracker_campaigns.campaign_dashboard_page,
        name="desk-campaign-dashboard",
    ),
    path("targets/", tracker_reference.target_list, name="desk-targets"),
    path("targets/new/", tracker_reference.target_new, name="desk-target-new"),
    path("targets/<slug:slug>/", tracker_reference.target_detail, name="desk-target"),
    path("roles/", tracker_reference.role_list, name="desk-roles"),
    path("roles/new/", tracker_reference.role_new, name="desk-role-new"),
    path("roles/<slug:slug>/", tracker_reference.role_detail, name="desk-role"),
    path(
        "roles/<slug:slug>/holders/",
        tracker_reference.role_holding_add,
        name="desk-role-holding-add",
    ),
    path(
        "roles/<slug:slug>/holders/<int:pk>/remove/",
        tracker_reference.role_holding_remove,
        name="desk-role-holding-remove",
    ),
    path("asks/", tracker_asks.ask_list, name="desk-asks"),
    path("asks/new/", tracker_asks.ask_new, name="desk-ask-new"),
    path("asks/<int:pk>/", tracker_asks.ask_detail, name="desk-ask"),
    path("asks/<int:pk>/status/", tracker_asks.ask_status, name="desk-ask-status"),
    path(
        "statements/<int:pk>/invitations/",
        tracker_invitations.statement_invitations,
        name="desk-statement-invitations",
    ),
    path(
        "invitations/<int:pk>/response/",
        tracker_invitations.invitation_response,
        name="desk-invitation-response",
    ),
]

urlpatterns = [
    path("", v.dashboard, name="desk"),
    *tracker_urlpatterns,
    path("login/", account.StaffLoginView.as_view(), name="desk-login"),
    path("2fa/", account.two_factor_setup, name="desk-2fa"),
    path("2fa/recovery-codes/", account.recovery_codes, name="desk-recovery-codes"),
    path("tokens/", account.token_list, name="desk-tokens"),
    path("tokens/<str:digest>/<str:action>/", account.token_action, name="desk-token-action"),
    path("login-again/", account.logout_then_login, name="desk-logout-then-login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="desk-login"), name="desk-logout"),
    path("language/", choose_language, name="desk-language"),
    path("translations/", v.translation_overview, name="desk-translations"),
    path("search/", desk_search, name="desk-search"),
    path("statements/new/", v.statement_new, name="desk-statement-new"),
    path("statements/preview/", editor.editor_preview, name="desk-editor-preview"),
    path("statements/<int:pk>/", v.statement_detail, name="desk-statement"),
    path("statements/<int:pk>/lock/", editor.editor_lock, name="desk-statement-lock"),
    path(
        "statements/<int:pk>/retract/confirm/",
        editor.retract_confirm,
        name="desk-statement-retract-confirm",
    ),
    path("statements/<int:pk>/save/", v.statement_save, name="desk-statement-save"),
    path("statements/<int:pk>/diff/", v.statement_diff, name="desk-statement-diff"),
    path(
        "statements/<int:pk>/preview/<str:language>/",
        v.statement_preview,
        name="desk-statement-preview",
    ),
    path("statements/<int:pk>/<str:name>/", v.statement_action, name="desk-statement-action"),
    path("inbox/", inbox_views.inbox, name="desk-inbox"),
    path("inbox/read-all/", inbox_views.inbox_read_all, name="desk-inbox-read-all"),
    path("inbox/settings/", inbox_views.inbox_settings, name="desk-inbox-settings"),
    path("inbox/<int:pk>/read/", inbox_views.inbox_read, name="desk-inbox-read"),
    path("sends/", sends.sends, name="desk-sends"),
    path("sends/new/", sends.send_new, name="desk-send-new"),
    path("sends/<int:pk>/", sends.send_detail, name="desk-send"),
    path("sends/<int:pk>/progress.json", sends.send_progress, name="desk-send-progress"),
    path("sends/<int:pk>/cancel/confirm/", sends.send_cancel_confirm, name="desk-send-cancel"),
    path("sends/test/", sends.send_test, name="desk-send-test"),
    path("sends/trace/", leak_trace, name="desk-leak-trace"),
    path(
        "sends/preview/<int:pk>/<str:kind>/<str:variant>/",
        sends.send_preview_html,
        name="desk-send-preview-html",
    ),
    path("sends/<int:pk>/<str:action>/", sends.send_action, name="desk-send-action"),
    path("channels/", channel_views.channels_overview, name="desk-channels"),
    path(
        "channels/posts/<int:pk>/<str:action>/",
        channel_views.channel_post_action,
        name="desk-channel-post-action",
    ),
    path("channels/mirrors/push/", channel_views.mirrors_push, name="desk-mirrors-push"),
    path("contacts/", contacts.contact_list, name="desk-contacts"),
    path("contacts/export/", exports.contacts_export, name="desk-contacts-export"),
    path("contacts/export/subject/", exports.contact_data_export, name="desk-contact-data-export"),
    path("contacts/exports/", exports.export_log, name="desk-contacts-exports"),
    path("contacts/segments/", exports.segment_list, name="desk-segments"),
    path("contacts/segments/<int:pk>/", exports.segment_edit, name="desk-segment"),
    path("contacts/segments/<int:pk>/delete/", exports.segment_remove, name="desk-segment-delete"),
    path("contacts/import/", contacts_import.contact_import, name="desk-contacts-import"),
    path(
        "contacts/import/confirm/",
        contacts_import.contact_import_confirm,
        name="desk-contacts-import-confirm",
    ),
    path("organisation/", organisation.organisation_settings, name="desk-organisation"),
]
