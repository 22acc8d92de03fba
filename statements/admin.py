from django.contrib import admin

from statements.models import (
    Boilerplate,
    Correction,
    Review,
    Revision,
    Statement,
    StatementEvent,
    StatementTranslation,
)


class TranslationInline(admin.StackedInline):
    model = StatementTranslation
    extra = 0
    readonly_fields = ["source_hash", "updated_by", "updated_at"]


class EventInline(admin.TabularInline):
    model = StatementEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "from_state", "to_state", "comment"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["slug", "campaign", "kind", "state", "embargo_until", "published_at"]
    list_filter = ["state", "kind", "campaign"]
    search_fields = ["slug", "translations__title"]
    date_hierarchy = "created_at"
    filter_horizontal = ["targets", "roles", "asks"]
    # The workflow state changes only through the workflow service (the desk or the API).
    readonly_fields = [
        "state", "published_at", "corrected_at", "correction_count", "retracted_at",
        "retraction_reason", "deferred_languages", "created_by", "created_at", "updated_at",
    ]
    inlines = [TranslationInline, EventInline]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["statement", "number", "created_by", "created_at"]
    readonly_fields = ["statement", "number", "created_by", "created_at", "snapshot",
                       "content_hash"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["statement", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["statement", "number", "created_at", "published_at"]


@admin.register(StatementEvent)
class StatementEventAdmin(admin.ModelAdmin):
    list_display = ["statement", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["action"]
    readonly_fields = ["statement", "actor", "action", "from_state", "to_state", "comment",
                       "data", "created_at"]


admin.site.register(Boilerplate)
