from django.contrib import admin

from campaigns.models import Ask, AskStatusChange, Campaign, Role, RoleHolding, Target


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["slug", "__str__", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["slug", "name"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["slug", "__str__", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["parent"]


class RoleHoldingInline(admin.TabularInline):
    model = RoleHolding
    extra = 1
    autocomplete_fields = ["holder"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["slug", "__str__", "organisation"]
    search_fields = ["slug", "name"]
    inlines = [RoleHoldingInline]


class AskStatusChangeInline(admin.TabularInline):
    model = AskStatusChange
    extra = 0
    readonly_fields = ["created_at", "changed_by"]


@admin.register(Ask)
class AskAdmin(admin.ModelAdmin):
    list_display = ["slug", "__str__", "campaign", "status"]
    list_filter = ["status", "campaign"]
    search_fields = ["slug", "text"]
    filter_horizontal = ["targets", "roles"]
    inlines = [AskStatusChangeInline]
