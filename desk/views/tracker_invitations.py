"""Invitations to respond, in the desk: for a statement, invite one or more targets to respond
by a date; for an invitation, record the response (date, summary per language, a link or a
document). The outcome follows from the record: responded, awaiting a response until the
deadline, then did not respond. Every staff role reads them; writes need invitations.manage
(publishers and admins) and go through statements/ledger.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from accounts.policy import desk_view
from campaigns.models import Target
from config.errors import NotAllowed, RuleBroken
from config.languages import pick
from desk.views.tracker_common import (
    ConfirmEncodingField,
    announce_notices,
    apply_refusal,
    localised_fields,
    localised_value,
    refused,
)
from statements import ledger
from statements.models import RESPONSE_DOCUMENT_MAX_BYTES, Invitation, Statement


class _TargetsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Target) -> str:
        return pick(obj.name, get_language() or "en") or obj.slug


class InviteForm(forms.Form):
    targets = _TargetsField(
        label=gettext_lazy("Targets to invite"),
        queryset=Target.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one target to invite.")},
    )
    due_on = forms.DateField(
        label=gettext_lazy("Respond by (date)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Contact address (optional, kept on record; only for one target)"),
        required=False,
    )

    def __init__(self, *args, statement: Statement, **kwargs):
        super().__init__(*args, **kwargs)
        invited = statement.invitations.values("target_id")
        self.fields["targets"].queryset = Target.objects.exclude(pk__in=invited).order_by("slug")
        if not self.is_bound:
            self.initial["targets"] = list(
                statement.targets.exclude(pk__in=invited).values_list("pk", flat=True)
            )

    def clean(self):
        data = super().clean()
        if data.get("contact_email") and len(data.get("targets") or []) > 1:
            raise forms.ValidationError(
                _("A contact address is for one target: invite the others separately.")
            )
        return data


class ResponseForm(forms.Form):
    responded_on = forms.DateField(
        label=gettext_lazy("Responded on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    url = forms.URLField(
        label=gettext_lazy("Link to the response (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    document = forms.FileField(
        label=gettext_lazy("The response as a document (optional: PDF, PNG or JPEG, up to 10 MB)"),
        required=False,
    )
    confirm_encoding = ConfirmEncodingField()

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        localised_fields(
            self,
            "summary",
            _("Summary"),
            initial=invitation.response_summary,
            textarea=True,
        )
        if invitation.responded_on:
            self.initial.update(responded_on=invitation.responded_on, url=invitation.response_url)
        self.order_fields(["responded_on", *(f for f in self.fields if f.startswith("summary_"))])

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document is not None and document.size > RESPONSE_DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(_("The document is larger than 10 MB."))
        return document


def _invitations_page(request, statement: Statement, *, form=None, status: int = 200):
    invitations = statement.invitations.select_related("target").order_by("due_on", "id")
    context = {
        "statement": statement,
        "invitations": invitations,
        "form": form or InviteForm(statement=statement),
    }
    return render(request, "desk/invitations.html", context, status=status)


@desk_view(capability="campaigns.view")
def statement_invitations(request, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.prefetch_related("translations"), pk=pk)
    if request.method != "POST":
        return _invitations_page(request, statement)
    if (refusal := refused(request, "invitations.manage")) is not None:
        return refusal
    form = InviteForm(request.POST, statement=statement)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # all the targets invited, or none
                for target in data["targets"]:
                    ledger.invitation_create(
                        statement_id=statement.pk,
                        target=target,
                        due_on=data["due_on"],
                        by=request.user,
                        contact_email=data["contact_email"],
                    )
        except (RuleBroken, NotAllowed) as err:
            apply_refusal(form, _invite_refusal(err))
        else:
            count = len(data["targets"])
            messages.success(
                request,
                ngettext(
                    "%(count)d target invited to respond by %(day)s.",
                    "%(count)d targets invited to respond by %(day)s.",
                    count,
                )
                % {"count": count, "day": data["due_on"].isoformat()},
            )
            return redirect("desk-statement-invitations", pk=statement.pk)
    return _invitations_page(request, statement, form=form, status=400)


def _invite_refusal(err: RuleBroken | NotAllowed) -> RuleBroken | NotAllowed:
    extra = getattr(err, "extra", {})
    if extra.get("field") == "due_on":
        return RuleBroken(_("The date to respond by must be today or later."))
    if extra.get("state") == Statement.State.RETRACTED:
        return RuleBroken(_("This statement was retracted: it takes no invitations."))
    return err


def _response_page(request, invitation: Invitation, *, form=None, status: int = 200):
    context = {
        "invitation": invitation,
        "statement": invitation.statement,
        "form": form or ResponseForm(invitation=invitation),
    }
    return render(request, "desk/invitation_response.html", context, status=status)


@desk_view(capability="campaigns.view")
def invitation_response(request, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("statement", "target").prefetch_related(
            "statement__translations"
        ),
        pk=pk,
    )
    if request.method != "POST":
        return _response_page(request, invitation)
    if (refusal := refused(request, "invitations.manage")) is not None:
        return refusal
    form = ResponseForm(request.POST, request.FILES, invitation=invitation)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _saved, notices = ledger.invitation_respond(
                invitation=invitation,
                responded_on=data["responded_on"],
                by=request.user,
                summary=localised_value(data, "summary"),
                url=data["url"],
                document=data["document"],
                confirm_encoding=data.get("confirm_encoding", False),
            )
        except (RuleBroken, NotAllowed) as err:
            apply_refusal(form, _response_refusal(err))
        else:
            announce_notices(request, notices)
            messages.success(request, _("Response recorded."))
            return redirect("desk-statement-invitations", pk=invitation.statement_id)
    return _response_page(request, invitation, form=form, status=400)


def _response_refusal(err: RuleBroken | NotAllowed) -> RuleBroken | NotAllowed:
    field = getattr(err, "extra", {}).get("field")
    if field == "responded_on":
        return RuleBroken(_("A response cannot be dated in the future."))
    if field == "document":
        return RuleBroken(
            _("The document must be a PDF, PNG or JPEG of at most 10 MB, named for its type.")
        )
    return err
