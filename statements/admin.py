from django.contrib import admin

from burmese.forms import BurmeseAdminForm, BurmeseNoticesAdminMixin
from statements.models import (
    Amendment,
    AskRecord,
    Boilerplate,
    Correction,
    Invitation,
    Organisation,
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
    """Read-only: every field of a statement follows its rule in statements/transitions.py
    FIELD_RULES (text, embargo, targets, asks, roles, kind, boilerplate are approved content;
    after publication they change by correction, by a publisher or by an action), so edits
    go through the workflow in the desk or the API, never around it here."""

    list_display = ["slug", "campaign", "kind", "state", "embargo_until", "published_at"]
    list_filter = ["state", "kind", "campaign"]
    search_fields = ["slug", "translations__title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "desk_link",
        "campaign",
        "slug",
        "kind",
        "source_language",
        "required_languages",
        "targets",
        "roles",
        "asks",
        "boilerplate",
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
    fields = readonly_fields
    inlines = [TranslationInline, EventInline]

    def has_add_permission(self, request):
        return False  # new statements are drafted in the desk

    def has_change_permission(self, request, obj=None):
        return False  # the change page is a view page with a link to the desk

    def has_delete_permission(self, request, obj=None):
        return False  # a published release is retracted, never deleted

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


# Once a statement using a boilerplate is approved (or later), the boilerplate is part of
# what was approved and of what readers were shown: it is frozen, and a change is a new
# boilerplate attached to a statement through the workflow (which sends it back to review).
S = Statement.State
FROZEN_FROM = (S.APPROVED, S.SCHEDULED, S.PUBLISHED, S.CORRECTED, S.RETRACTED)


class BoilerplateAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = BoilerplateForm
    list_display = ["slug", "frozen_by"]

    def _frozen_by(self, obj) -> list[str]:
        if obj is None or obj.pk is None:
            return []
        frozen = obj.statements.filter(state__in=FROZEN_FROM).order_by("slug")
        return list(frozen.values_list("slug", flat=True))

    @admin.display(description="Frozen by (approved or published releases)")
    def frozen_by(self, obj) -> str:
        return ", ".join(self._frozen_by(obj)) or "-"

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen_by(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            obj is not None and obj.statements.exists()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        frozen = self._frozen_by(obj)
        if frozen:
            from django.contrib import messages

            messages.warning(
                request,
                "Read-only: printed under approved or published releases ("
                + ", ".join(frozen)
                + "). Editing it would change them without review; add a new boilerplate "
                "and attach it to the statement through the staff API (PATCH boilerplate).",
            )
        return super().change_view(request, object_id, form_url, extra_context)


admin.site.register(Boilerplate, BoilerplateAdmin)


class OrganisationAdmin(admin.ModelAdmin):
    """The one organisation row (made by a migration): changed, never added or deleted. The
    same form as the desk's (statements/organisation.py): names per language, logo checks."""

    list_display = ["__str__", "website", "updated_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        from statements.organisation import OrganisationForm

        kwargs["form"] = OrganisationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        from statements.organisation import OrganisationForm

        return list(OrganisationForm.field_order)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from django.contrib import messages

        from statements.organisation import organisation_update

        organisation_update(form=form)
        for notice in getattr(form, "burmese_notices", []):
            messages.warning(
                request,
                f"{notice['field']}: converted from Zawgyi to Unicode. "
                f"Check the result: {notice['text']}",
            )


admin.site.register(Organisation, OrganisationAdmin)


# The campaign tracker's ledger: written by statements/ledger.py (publication, the desk and
# the staff API), shown here read-only.
@admin.register(AskRecord)
class AskRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ask", "statement", "role", "published_at"]
    list_filter = ["role"]
    search_fields = ["ask__slug", "statement__slug"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["statement", "target", "due_on", "responded_on", "contact_email"]
    list_filter = ["due_on"]
    search_fields = ["statement__slug", "target__slug"]
