from django.contrib import admin

from burmese.forms import BurmeseAdminForm, BurmeseNoticesAdminMixin
from campaigns import services
from campaigns.models import Ask, AskStatusChange, Campaign, Role, RoleHolding, Target


# Localised names and texts go through the same Burmese cleaning as the desk and the API.
class CampaignForm(BurmeseAdminForm):
    burmese_localised = ("name", "description")

    class Meta:
        model = Campaign
        fields = "__all__"


class TargetForm(BurmeseAdminForm):
    burmese_localised = ("name",)

    class Meta:
        model = Target
        fields = "__all__"


class RoleForm(BurmeseAdminForm):
    burmese_localised = ("name",)

    class Meta:
        model = Role
        fields = "__all__"


class AskForm(BurmeseAdminForm):
    burmese_localised = ("text",)

    class Meta:
        model = Ask
        # The status is the ledger's (campaigns.services.ask_set_status): never a form field.
        exclude = ["status"]


@admin.register(Campaign)
class CampaignAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = CampaignForm
    list_display = ["slug", "__str__", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["slug", "name"]


@admin.register(Target)
class TargetAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = TargetForm
    list_display = ["slug", "__str__", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["parent"]


class RoleHoldingInline(admin.TabularInline):
    model = RoleHolding
    extra = 1
    autocomplete_fields = ["holder"]


@admin.register(Role)
class RoleAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = RoleForm
    list_display = ["slug", "__str__", "organisation"]
    search_fields = ["slug", "name"]
    inlines = [RoleHoldingInline]


class ReadOnlyAdminMixin:
    """Rows a service owns: the admin shows them and never writes them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AskStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AskStatusChange
    extra = 0
    fields = ["changed_on", "status", "note", "source_url", "changed_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = (
        "Status history (changed through the desk or the staff API, with a source)"
    )


@admin.register(Ask)
class AskAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = AskForm
    list_display = ["slug", "__str__", "campaign", "status"]
    list_filter = ["status", "campaign"]
    search_fields = ["slug", "text"]
    filter_horizontal = ["targets", "roles"]
    readonly_fields = ["status"]
    inlines = [AskStatusChangeInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:  # a new ask's history starts open, as the services' asks do
            services.ask_history_begin(ask=obj, by=request.user)


@admin.register(AskStatusChange)
class AskStatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ask", "status", "changed_on", "source_url", "changed_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["ask__slug", "note", "source_url"]
