from django.contrib import admin

from burmese.forms import BurmeseAdminForm, BurmeseNoticesAdminMixin
from contacts.models import Contact, DataAccessEvent, MediaList, Membership, Segment, Suppression
from contacts.services import contact_erase


# Names, outlets and beats are often Burmese: the same cleaning as every other way in.
class ContactForm(BurmeseAdminForm):
    burmese_text = ("name", "outlet", "beat")

    class Meta:
        model = Contact
        fields = "__all__"


class MediaListForm(BurmeseAdminForm):
    burmese_text = ("name",)

    class Meta:
        model = MediaList
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["contact", "media_list"]


@admin.register(Contact)
class ContactAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = ContactForm
    list_display = ["email", "name", "outlet", "country", "languages", "embargo_trusted", "status"]
    list_filter = ["status", "embargo_trusted", "plain_text_only", "country", "consent_basis"]
    search_fields = ["email", "name", "outlet", "beat"]
    inlines = [MembershipInline]

    # Deleting a contact erases it (contacts/services.py): a plain delete would keep no
    # suppression hash, so an import could add the address back, and would leave the address
    # on its delivery rows.
    def delete_model(self, request, obj: Contact) -> None:
        contact_erase(contact_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for contact_id in queryset.values_list("pk", flat=True):
            contact_erase(contact_id=contact_id)

    def get_readonly_fields(self, request, obj: Contact | None = None):
        if obj is not None and obj.status == Contact.Status.ERASED:
            return [field.name for field in Contact._meta.fields]  # nothing to restore
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj: Contact | None):
        if obj is not None and obj.status == Contact.Status.ERASED:
            return []
        return super().get_inlines(request, obj)


@admin.register(MediaList)
class MediaListAdmin(BurmeseNoticesAdminMixin, admin.ModelAdmin):
    form = MediaListForm
    list_display = ["slug", "name", "embargo_trusted", "created_at"]
    list_filter = ["embargo_trusted"]
    search_fields = ["slug", "name"]
    inlines = [MembershipInline]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["address_hash", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["address_hash"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "country", "beat", "outlet", "language", "embargo_trusted"]
    search_fields = ["slug", "name"]
    filter_horizontal = ["lists"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(DataAccessEvent)
class DataAccessEventAdmin(admin.ModelAdmin):
    """The export log, read-only: an audit record is never edited or removed by hand."""

    list_display = ["created_at", "actor_name", "via", "kind", "format", "scope", "row_count"]
    list_filter = ["kind", "via", "format"]
    search_fields = ["actor_name", "scope"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
