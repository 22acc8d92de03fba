"""The desk's targets (kind, country, parent, the roles they held by date) and roles (their
holders over time, never two at once). Every staff role reads them; writes need
campaigns.manage and go through campaigns/services.py, which refuses an overlapping holding
naming the holding in the way."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import desk_view
from campaigns import services
from campaigns.models import Role, RoleHolding, Target
from config.errors import RuleBroken
from config.languages import pick
from desk.views.tracker_common import (
    ConfirmEncodingField,
    apply_refusal,
    localised_fields,
    localised_value,
    refused,
    save_form,
)

# The interface's words for target kinds (the model's labels are for the admin).
KIND_CHOICES = (
    (Target.Kind.ORGANISATION, gettext_lazy("Intergovernmental organisation")),
    (Target.Kind.GOVERNMENT, gettext_lazy("Government")),
    (Target.Kind.BODY, gettext_lazy("Body or agency")),
    (Target.Kind.COMPANY, gettext_lazy("Company")),
    (Target.Kind.PERSON, gettext_lazy("Person")),
    (Target.Kind.ARMED_GROUP, gettext_lazy("Military or armed group")),
)
KIND_LABELS = dict(KIND_CHOICES)
SLUG_LABEL = gettext_lazy("Short name (letters, digits and hyphens; used in web addresses)")


class TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Target) -> str:
        return obj.name_in(_language())


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"


# --- targets ---------------------------------------------------------------------------------


class TargetForm(forms.Form):
    slug = forms.SlugField(label=SLUG_LABEL, max_length=80)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=KIND_CHOICES)
    country = forms.CharField(
        label=gettext_lazy("Country (two-letter code such as MY or TH; empty if none)"),
        required=False,
        max_length=2,
    )
    parent = TargetChoiceField(
        label=gettext_lazy("Part of"), queryset=Target.objects.none(), required=False
    )
    confirm_encoding = ConfirmEncodingField()

    def __init__(self, *args, target: Target | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        localised_fields(
            self, "name", _("Name"), initial=target.name if target else None, max_length=200
        )
        parents = Target.objects.order_by("slug")
        if target is not None:
            del self.fields["slug"]
            parents = parents.exclude(pk=target.pk)
            self.initial.update(kind=target.kind, country=target.country, parent=target.parent)
        self.fields["parent"].queryset = parents
        # Fields in reading order: names first.
        self.order_fields(["slug", *(f for f in self.fields if f.startswith("name_"))])

    def save(self) -> tuple[Target, list[dict]]:
        data = self.cleaned_data
        return services.target_save(
            slug=self.target.slug if self.target else data["slug"],
            name=localised_value(data, "name"),
            kind=data["kind"],
            country=data["country"],
            parent=data["parent"],
            target=self.target,
            confirm_encoding=data.get("confirm_encoding", False),
        )


@desk_view(capability="campaigns.view")
def target_list(request) -> HttpResponse:
    targets = Target.objects.select_related("parent").order_by("slug")
    return render(request, "desk/targets.html", {"targets": targets, "kinds": KIND_LABELS})


@desk_view(capability="campaigns.view")
def target_new(request) -> HttpResponse:
    if request.method == "POST":
        if (refusal := refused(request, "campaigns.manage")) is not None:
            return refusal
        form = TargetForm(request.POST)
        target = save_form(request, form, _("Target saved."))
        if target is not None:
            return redirect("desk-target", slug=target.slug)
        return render(request, "desk/target_form.html", {"form": form}, status=400)
    return render(request, "desk/target_form.html", {"form": TargetForm()})


@desk_view(capability="campaigns.view")
def target_detail(request, slug: str) -> HttpResponse:
    target = get_object_or_404(Target.objects.select_related("parent"), slug=slug)
    status = 200
    if request.method == "POST":
        if (refusal := refused(request, "campaigns.manage")) is not None:
            return refusal
        form = TargetForm(request.POST, target=target)
        if save_form(request, form, _("Target saved.")) is not None:
            return redirect("desk-target", slug=target.slug)
        status = 400
    else:
        form = TargetForm(target=target)
    context = {
        "target": target,
        "kind": KIND_LABELS.get(target.kind, target.kind),
        "form": form,
        "holdings": target.role_holdings.select_related("role").order_by("-starts_on"),
        "asks": target.asks.select_related("campaign").order_by("campaign__slug", "slug"),
        "invitations": target.invitations.select_related("statement")
        .prefetch_related("statement__translations")
        .order_by("-due_on"),
        "children": target.children.order_by("slug"),
    }
    return render(request, "desk/target_detail.html", context, status=status)


# --- roles -----------------------------------------------------------------------------------


class RoleForm(forms.Form):
    slug = forms.SlugField(label=SLUG_LABEL, max_length=80)
    organisation = TargetChoiceField(
        label=gettext_lazy("Within the organisation (optional)"),
        queryset=Target.objects.none(),
        required=False,
    )
    confirm_encoding = ConfirmEncodingField()

    def __init__(self, *args, role: Role | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        localised_fields(
            self, "name", _("Name"), initial=role.name if role else None, max_length=200
        )
        self.fields["organisation"].queryset = Target.objects.order_by("slug")
        if role is not None:
            del self.fields["slug"]
            self.initial["organisation"] = role.organisation
        self.order_fields(["slug", *(f for f in self.fields if f.startswith("name_"))])

    def save(self) -> tuple[Role, list[dict]]:
        data = self.cleaned_data
        return services.role_save(
            slug=self.role.slug if self.role else data["slug"],
            name=localised_value(data, "name"),
            organisation=data["organisation"],
            role=self.role,
            confirm_encoding=data.get("confirm_encoding", False),
        )


class HoldingForm(forms.Form):
    holder = TargetChoiceField(label=gettext_lazy("Holder"), queryset=Target.objects.none())
    starts_on = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until (the day it ended; empty while it lasts)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = Target.objects.order_by("slug")


def _role_page(request, role: Role, *, form=None, holding_form=None, status: int = 200):
    context = {
        "role": role,
        "form": form or RoleForm(role=role),
        "holding_form": holding_form or HoldingForm(),
        "holdings": role.holdings.select_related("holder").order_by("-starts_on"),
    }
    return render(request, "desk/role_detail.html", context, status=status)


@desk_view(capability="campaigns.view")
def role_list(request) -> HttpResponse:
    roles = (
        Role.objects.select_related("organisation")
        .prefetch_related("holdings__holder")
        .order_by("slug")
    )
    return render(request, "desk/roles.html", {"roles": roles})


@desk_view(capability="campaigns.view")
def role_new(request) -> HttpResponse:
    if request.method == "POST":
        if (refusal := refused(request, "campaigns.manage")) is not None:
            return refusal
        form = RoleForm(request.POST)
        role = save_form(request, form, _("Role saved."))
        if role is not None:
            return redirect("desk-role", slug=role.slug)
        return render(request, "desk/role_form.html", {"form": form}, status=400)
    return render(request, "desk/role_form.html", {"form": RoleForm()})


@desk_view(capability="campaigns.view")
def role_detail(request, slug: str) -> HttpResponse:
    role = get_object_or_404(Role, slug=slug)
    if request.method != "POST":
        return _role_page(request, role)
    if (refusal := refused(request, "campaigns.manage")) is not None:
        return refusal
    form = RoleForm(request.POST, role=role)
    if save_form(request, form, _("Role saved.")) is not None:
        return redirect("desk-role", slug=role.slug)
    return _role_page(request, role, form=form, status=400)


@desk_view(capability="campaigns.manage")
@require_POST
def role_holding_add(request, slug: str) -> HttpResponse:
    role = get_object_or_404(Role, slug=slug)
    form = HoldingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.role_holding_add(
                role=role,
                holder=data["holder"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except RuleBroken as err:
            apply_refusal(form, _overlap_refusal(err))
        else:
            messages.success(request, _("Holder added."))
            return redirect("desk-role", slug=role.slug)
    return _role_page(request, role, holding_form=form, status=400)


def _period(holding: RoleHolding) -> str:
    if holding.ends_on is None:
        return _("from %(start)s, still held") % {"start": holding.starts_on.isoformat()}
    return _("from %(start)s until %(end)s") % {
        "start": holding.starts_on.isoformat(),
        "end": holding.ends_on.isoformat(),
    }


def _overlap_refusal(err: RuleBroken) -> RuleBroken:
    """The service's refusal, in the desk's language when it names the holding in the way."""
    other = RoleHolding.objects.select_related("holder", "role").filter(
        pk=err.extra.get("overlaps") or 0
    )
    other = other.first()
    if other is None:
        return err
    return RuleBroken(
        _(
            "Refused: this period overlaps %(holder)s's holding of %(role)s (%(period)s). "
            "One role has one holder at a time: change or end that holding first."
        )
        % {
            "holder": other.holder.name_in(_language()),
            "role": pick(other.role.name, _language()) or other.role.slug,
            "period": _period(other),
        }
    )


@desk_view(capability="campaigns.manage")
@require_POST
def role_holding_remove(request, slug: str, pk: int) -> HttpResponse:
    holding = get_object_or_404(RoleHolding, pk=pk, role__slug=slug)
    services.role_holding_remove(holding=holding)
    messages.success(request, _("Holding removed."))
    return redirect("desk-role", slug=slug)
