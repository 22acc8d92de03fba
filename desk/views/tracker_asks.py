"""The desk's asks: text per language, targets and roles, and the ledger: the status with its
dated history (each change with its source, one of our statements or a link with a note) and
the releases that made or repeated the ask. Every staff role reads them; writes need
campaigns.manage; asks and their text go through campaigns/services.py, status changes through
statements.ledger.ask_status_change (which refuses a change without a source)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.policy import desk_view
from campaigns import services
from campaigns.models import Ask, AskStatusChange, Campaign, Role, Target
from config.errors import NotAllowed, RuleBroken
from config.languages import pick
from desk.views.tracker_common import (
    ConfirmEncodingField,
    announce_notices,
    apply_refusal,
    localised_fields,
    localised_value,
    refused,
    save_form,
)
from statements import ledger
from statements.models import AskRecord, Statement

SOURCE_STATEMENTS = 200  # the newest statements offered as a source


def _language() -> str:
    return get_language() or "en"


class _Named(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return pick(obj.name, _language()) or obj.slug


class _NamedMany(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return pick(obj.name, _language()) or obj.slug


class _StatementChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Statement) -> str:
        day = obj.published_at.date().isoformat() if obj.published_at else _("not published")
        return f"{obj.title_in_source} ({day})"


class AskForm(forms.Form):
    campaign = _Named(label=gettext_lazy("Campaign"), queryset=Campaign.objects.none())
    slug = forms.SlugField(
        label=gettext_lazy("Short name (letters, digits and hyphens; used in web addresses)"),
        max_length=80,
    )
    targets = _NamedMany(
        label=gettext_lazy("Addressed to (targets)"),
        queryset=Target.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = _NamedMany(
        label=gettext_lazy("Addressed to whoever holds (roles)"),
        queryset=Role.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_encoding = ConfirmEncodingField()

    def __init__(self, *args, ask: Ask | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ask = ask
        localised_fields(self, "text", _("Text"), initial=ask.text if ask else None, textarea=True)
        self.fields["campaign"].queryset = Campaign.objects.order_by("slug")
        self.fields["targets"].queryset = Target.objects.order_by("slug")
        self.fields["roles"].queryset = Role.objects.order_by("slug")
        if ask is not None:
            del self.fields["campaign"], self.fields["slug"]
            self.initial.update(targets=list(ask.targets.all()), roles=list(ask.roles.all()))
        order = ["campaign", "slug", *(f for f in self.fields if f.startswith("text_"))]
        self.order_fields(order)

    def save(self, *, by) -> tuple[Ask, list[dict]]:
        data = self.cleaned_data
        targets = [t.slug for t in data["targets"]]
        roles = [r.slug for r in data["roles"]]
        confirm = data.get("confirm_encoding", False)
        if self.ask is None:
            return services.ask_create(
                campaign=data["campaign"],
                slug=data["slug"],
                text=localised_value(data, "text"),
                targets=targets,
                roles=roles,
                by=by,
                confirm_encoding=confirm,
            )
        return services.ask_update(
            ask=self.ask,
            text=localised_value(data, "text"),
            targets=targets,
            roles=roles,
            confirm_encoding=confirm,
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=Ask.Status.choices)
    on = forms.DateField(
        label=gettext_lazy("Since (date)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    statement = _StatementChoice(
        label=gettext_lazy("Source: one of our statements"),
        queryset=Statement.objects.none(),
        required=False,
    )
    source_url = forms.URLField(
        label=gettext_lazy("or a link (a news report, the target's own statement)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    note = forms.CharField(
        label=gettext_lazy("Note (what the link shows)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, ask: Ask, **kwargs):
        super().__init__(*args, **kwargs)
        carrying = Q(asks=ask) | Q(campaign_id=ask.campaign_id)
        newest = (
            Statement.objects.filter(carrying)
            .distinct()
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[:SOURCE_STATEMENTS]
        )
        self.fields["statement"].queryset = (
            Statement.objects.filter(pk__in=list(newest))
            .prefetch_related("translations")
            .order_by("-published_at", "-pk")
        )


def _ask_page(request, ask: Ask, *, form=None, status_form=None, status: int = 200):
    history = (
        ask.status_changes.select_related("changed_by", "statement_source__statement")
        .prefetch_related("statement_source__statement__translations")
        .order_by(*(f"-{name}" for name in AskStatusChange.HISTORY_ORDER))
    )
    records = (
        AskRecord.objects.filter(ask=ask)
        .select_related("statement")
        .prefetch_related("statement__translations")
        .order_by("published_at", "statement_id")
    )
    context = {
        "ask": ask,
        "texts": [(code, text) for code, text in ask.text.items()],
        "history": history,
        "records": records,
        "asked": ledger.asked_times(ask=ask),
        "form": form or AskForm(ask=ask),
        "status_form": status_form or StatusForm(ask=ask),
    }
    return render(request, "desk/ask_detail.html", context, status=status)


@desk_view(capability="campaigns.view")
def ask_list(request) -> HttpResponse:
    asks = Ask.objects.select_related("campaign").prefetch_related("targets")
    campaign = request.GET.get("campaign") or ""
    if campaign:
        asks = asks.filter(campaign__slug=campaign)
    status = request.GET.get("status") or ""
    if status in Ask.Status.values:
        asks = asks.filter(status=status)
    asked = ledger.asked_times_by_ask(asks=asks.values("pk"))
    rows = [(ask, asked.get(ask.pk)) for ask in asks.order_by("campaign__slug", "slug")]
    context = {
        "rows": rows,
        "campaigns": Campaign.objects.order_by("slug"),
        "statuses": Ask.Status.choices,
        "chosen_campaign": campaign,
        "chosen_status": status,
    }
    return render(request, "desk/asks.html", context)


@desk_view(capability="campaigns.view")
def ask_new(request) -> HttpResponse:
    if request.method == "POST":
        if (refusal := refused(request, "campaigns.manage")) is not None:
            return refusal
        form = AskForm(request.POST)
        ask = save_form(request, form, _("Ask saved. It is open from today."), by=request.user)
        if ask is not None:
            return redirect("desk-ask", pk=ask.pk)
        return render(request, "desk/ask_form.html", {"form": form}, status=400)
    initial = {}
    campaign = Campaign.objects.filter(slug=request.GET.get("campaign") or "").first()
    if campaign is not None:
        initial["campaign"] = campaign
    return render(request, "desk/ask_form.html", {"form": AskForm(initial=initial)})


@desk_view(capability="campaigns.view")
def ask_detail(request, pk: int) -> HttpResponse:
    ask = get_object_or_404(Ask.objects.select_related("campaign"), pk=pk)
    if request.method != "POST":
        return _ask_page(request, ask)
    if (refusal := refused(request, "campaigns.manage")) is not None:
        return refusal
    form = AskForm(request.POST, ask=ask)
    if form.is_valid():
        try:
            _ask, notices = form.save(by=request.user)
        except RuleBroken as err:
            apply_refusal(form, err)
        else:
            announce_notices(request, notices)
            messages.success(request, _("Ask saved."))
            return redirect("desk-ask", pk=ask.pk)
    return _ask_page(request, ask, form=form, status=400)


@desk_view(capability="campaigns.manage")
def ask_status(request, pk: int) -> HttpResponse:
    """POST: record a dated status change with its source (GET shows the ask's page)."""
    ask = get_object_or_404(Ask.objects.select_related("campaign"), pk=pk)
    if request.method != "POST":
        return redirect("desk-ask", pk=ask.pk)
    form = StatusForm(request.POST, ask=ask)
    if form.is_valid():
        data = form.cleaned_data
        statement = data["statement"]
        try:
            ledger.ask_status_change(
                ask=ask,
                status=data["status"],
                on=data["on"],
                by=request.user,
                statement_id=statement.pk if statement else None,
                source_url=data["source_url"],
                note=data["note"],
            )
        except (RuleBroken, NotAllowed) as err:
            apply_refusal(form, _status_refusal(err))
        else:
            messages.success(request, _("Status change recorded."))
            return redirect("desk-ask", pk=ask.pk)
    return _ask_page(request, ask, status_form=form, status=400)


def _status_refusal(err: RuleBroken | NotAllowed) -> RuleBroken | NotAllowed:
    """The ledger's refusals, in the desk's words where the API's name fields."""
    rule = getattr(err, "extra", {}).get("rule")
    field = getattr(err, "extra", {}).get("field")
    if rule == "status_change_needs_source":
        return RuleBroken(
            _(
                "A status change needs a source: choose one of our statements, or give a "
                "link with a note saying what it shows."
            )
        )
    if field == "on":
        return RuleBroken(_("A status change needs its date, and it cannot be in the future."))
    return err
