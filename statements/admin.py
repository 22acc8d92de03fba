from django.contrib import admin

from burmese.forms import BurmeseAdminForm, BurmeseNoticesAdminMixin
from statements.models import (
    Amendment,
    Boilerplate,
    Correction,
    Review,
    Revision,
    Statement,
    StatementEvent,
    StatementTranslation,
)


class ReadOnlyAdminMixin:
    """Content and workflow change only through the workflow service (desk or API), so the
    rules hold here too; the admin shows them and edits reference data."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TranslationInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = StatementTranslation
    extra = 0
    fields = [
        "language",
        "title",
        "summary",
        "body",
        "quotes",
        "more_information",
        "marked_complete",
        "source_hash",
        "is_demo",
        "updated_by",
        "updated_at",
    ]
    readonly_fields = fields


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StatementEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "from_state", "to_state", "comment"]
    fields = readonly_fields


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["slug", "campaign", "kind", "state", "embargo_until", "published_at"]
    list_filter = ["state", "kind", "campaign"]
    search_fields = ["slug", "translations__title"]
    date_hierarchy = "created_at"
    filter_horizontal = ["targets", "roles", "asks"]
    # Content, state and times change only through the workflow service (the desk or the
    # API): approval is bound to the content, so the admin edits only the links to reference
    # data, which the public page shows but the approved text does not contain.
    readonly_fields = [
        "desk_link",
        "campaign",
        "slug",
        "kind",
        "source_language",
        "required_languages",
        "state",
        "embargo_until",
        "scheduled_at",
        "published_at",
        "corrected_at",
        "correction_count",
        "retracted_at",
        "retraction_reason",
        "deferred_languages",
        "embargo_lifted_at",
        "overdue_reported_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [TranslationInline, EventInline]

    def has_add_permission(self, request):
        return False  # new statements are drafted in the desk

    @admin.display(description="Edit in the desk")
    def desk_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html(
            '<a href="{}">Open in the desk</a>', reverse("desk-statement", args=[obj.pk])
        )


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["statement", "number", "created_by", "created_at"]
    readonly_fields = [
        "statement",
        "number",
        "created_by",
        "created_at",
        "snapshot",
        "content_hash",
    ]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["statement", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["statement", "number", "created_at", "published_at"]


@admin.register(StatementEvent)
class StatementEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["statement", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["action"]
    readonly_fields = [
        "statement",
        "actor",
        "action",
        "from_state",
        "to_state",
        "comment",
        "data",
        "created_at",
    ]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["statement", "status", "created_by", "created_at", "applied_at"]
    list_filter = ["status"]


class BoilerplateForm(BurmeseAdminForm):
    # The "About us" text is printed under every release: cleaned like the release text.
    burmese_localised = ("about", "media_contact")

    class Meta:
        model = Boilerplate
        fields = "__all__"


class BoilerplateAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = BoilerplateForm


admin.site.register(Boilerplate, BoilerplateAdmin)
