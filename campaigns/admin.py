from django.contrib import admin

from burmese.forms import BurmeseAdminForm, BurmeseNoticesAdminMixin
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
        fields = "__all__"


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


class AskStatusChangeInline(admin.TabularInline):
    model = AskStatusChange
    extra = 0
    readonly_fields = ["created_at", "changed_by"]


@admin.register(Ask)
class AskAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = AskForm
    list_display = ["slug", "__str__", "campaign", "status"]
    list_filter = ["status", "campaign"]
    search_fields = ["slug", "text"]
    filter_horizontal = ["targets", "roles"]
    inlines = [AskStatusChangeInline]
