"""The desk's exports and segments (publishers and admins): contacts as CSV or JSON by list,
segment or filter; everything held about one contact (a data-subject export); the log of
exports (admins); segments, saved filters usable as a send audience.

The export itself, its audit entry and the filter are contacts/export.py and
contacts/segments.py: the same code as the console's export_contacts."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import desk_view
from config.errors import RuleBroken
from config.languages import language_codes, language_name
from contacts import export
from contacts.models import Contact, DataAccessEvent, MediaList, Segment
from contacts.segments import (
    ContactFilter,
    clean_filter,
    contacts_matching,
    segment_count,
    segment_create,
    segment_delete,
    segment_filter,
    segment_update,
)
from desk.views.contacts import STATUS_LABELS

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
TRUSTED_CHOICES = (
    ("", gettext_lazy("anyone")),
    ("yes", gettext_lazy("only contacts trusted with embargoed material")),
    ("no", gettext_lazy("only contacts not trusted with embargoed material")),
)
LOG_SIZE = 200


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Journalists' data: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _trusted(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _filter_from(data) -> ContactFilter:
    return clean_filter(
        country=data.get("country", ""),
        beat=data.get("beat", ""),
        outlet=data.get("outlet", ""),
        language=data.get("language", ""),
        lists=data.getlist("lists"),
        embargo_trusted=_trusted(data.get("embargo_trusted", "")),
        statuses=[s for s in data.getlist("status") if s],
    )


def _choices() -> dict:
    return {
        "lists": MediaList.objects.all(),
        "segments": Segment.objects.all(),
        "languages": [(code, language_name(code)) for code in language_codes()],
        "statuses": [(v, label) for v, label in STATUS_LABELS.items() if v != "erased"],
        "trusted_choices": TRUSTED_CHOICES,
    }


def _export_page(request, *, error: str = "", status: int = 200) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    context = {
        **_choices(),
        "error": error,
        "chosen": data,
        "chosen_lists": data.getlist("lists"),
        "chosen_statuses": data.getlist("status"),
    }
    return render(request, "desk/contacts_export.html", context, status=status)


@desk_view(capability="contacts.export")
def contacts_export(request) -> HttpResponse:
    """GET: the form. POST: the download (a POST, so no other site can start an export)."""
    if request.method != "POST":
        return _export_page(request)
    fmt = request.POST.get("format") or "csv"
    try:
        if fmt not in export.FORMATS:
            raise RuleBroken(_("Choose CSV or JSON."))
        segment_slug = request.POST.get("segment") or ""
        spec = _filter_from(request.POST)
        if segment_slug:
            segment = Segment.objects.filter(slug=segment_slug).first()
            if segment is None:
                raise RuleBroken(_("Choose a segment from the list."))
            if spec.as_dict():
                raise RuleBroken(_("Choose a segment or filters, not both."))
            spec, scope, name = segment_filter(segment), f"segment {segment.slug}", segment.slug
        else:
            scope = spec.describe()
            name = "-".join(spec.lists) if len(spec.lists) == 1 else "contacts"
    except RuleBroken as err:
        return _export_page(request, error=err.message, status=400)
    exported = export.export_contacts(
        contacts=contacts_matching(spec),
        fmt=fmt,
        requester=export.Requester(request.user),
        scope=scope,
        filters=spec.as_dict(),
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(exported, content_type=CONTENT_TYPES[fmt])
    return _download(response, f"{slugify(name) or 'contacts'}-{stamp}.{fmt}")


@desk_view(capability="contacts.export")
def contact_data_export(request) -> HttpResponse:
    """Everything held about one contact, found by address (a data-subject access request)."""
    if request.method != "POST":
        return _export_page(request)
    email = (request.POST.get("email") or "").strip()
    contact = Contact.objects.filter(email__iexact=email).first() if email else None
    if contact is None:
        return _export_page(
            request,
            error=_("No contact has this address (an erased contact keeps none)."),
            status=400,
        )
    text = export.export_subject(contact=contact, requester=export.Requester(request.user))
    response = HttpResponse(text, content_type=CONTENT_TYPES["json"])
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return _download(response, f"contact-{contact.pk}-data-{stamp}.json")


@desk_view(capability="contacts.export_log")
def export_log(request) -> HttpResponse:
    events = DataAccessEvent.objects.select_related("contact")[:LOG_SIZE]
    return render(request, "desk/contacts_exports.html", {"events": events, "size": LOG_SIZE})


# --- Segments --------------------------------------------------------------------------------


def _segment_form(
    request, *, segment: Segment | None, error: str = "", status: int = 200, typed: bool = False
):
    """The segment's form: what was typed (`typed`, after a refusal), else what is saved."""
    if typed:
        chosen = request.POST
        chosen_lists = request.POST.getlist("lists")
    elif segment is not None:
        spec = segment_filter(segment)
        chosen = {
            "slug": segment.slug,
            "name": segment.name,
            **spec.as_dict(),
            "embargo_trusted": {True: "yes", False: "no"}.get(spec.embargo_trusted, ""),
        }
        chosen_lists = list(spec.lists)
    else:
        chosen, chosen_lists = {}, []
    context = {
        **_choices(),
        "segment": segment,
        "chosen": chosen,
        "chosen_lists": chosen_lists,
        "error": error,
    }
    return render(request, "desk/segment_form.html", context, status=status)


@desk_view(capability="segments.manage")
def segment_list(request) -> HttpResponse:
    """The segments with their live counts; POST creates one."""
    if request.method == "POST":
        try:
            segment = segment_create(
                slug=request.POST.get("slug", ""),
                name=request.POST.get("name", ""),
                spec=_filter_from(request.POST),
                by=request.user,
            )
        except RuleBroken as err:
            return _segment_form(request, segment=None, error=err.message, status=400, typed=True)
        messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
        return redirect("desk-segments")
    if request.GET.get("new"):
        return _segment_form(request, segment=None)
    segments = list(Segment.objects.prefetch_related("lists"))
    for segment in segments:
        segment.active = segment_count(segment)
    return render(request, "desk/segments.html", {"segments": segments})


@desk_view(capability="segments.manage")
def segment_edit(request, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    if request.method != "POST":
        return _segment_form(request, segment=segment)
    try:
        segment_update(
            segment_id=segment.pk,
            name=request.POST.get("name", ""),
            spec=_filter_from(request.POST),
        )
    except RuleBroken as err:
        return _segment_form(request, segment=segment, error=err.message, status=400, typed=True)
    messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
    return redirect("desk-segments")


@desk_view(capability="segments.manage")
@require_POST
def segment_remove(request, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    try:
        segment_delete(segment_id=segment.pk)
    except RuleBroken as err:
        return _segment_form(request, segment=segment, error=err.message, status=400)
    messages.success(request, _("Segment %(name)s deleted.") % {"name": segment.name})
    return redirect("desk-segments")
